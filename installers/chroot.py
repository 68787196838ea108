"""Throwaway Debian 12 roots: one debootstrap kept in a cache, a fresh copy for every use.

The packages' venvs are built inside one (Debian's own /usr/bin/python3, at their
final path /opt/queue-office/<role>), and the install test installs the packages
into another, so nothing of this machine (pyenv's Python, the developer's venv)
can leak into what an office installs. A root is an overlay over the cached
debootstrap (a copy where overlayfs is not available); /proc, /dev and /dev/pts are
mounted into it and always unmounted, and the apt cache is shared between runs.
Needs root (debootstrap, mount, chroot).
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
BASE_PACKAGES = ("python3", "python3-venv", "ca-certificates")
CACHE = Path(os.environ.get("QUEUE_OFFICE_CACHE", Path.home() / ".cache" / "queue-office"))
ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
       "HOME": "/root", "DEBIAN_FRONTEND": "noninteractive"}


def base_root(log=print) -> Path:
    """The cached debootstrap (made once; a half-made one is never used)."""
    key = hashlib.sha256(f"{SUITE} minbase {' '.join(BASE_PACKAGES)}".encode()).hexdigest()[:10]
    root = CACHE / "debootstrap" / f"{SUITE}-{key}"
    if (root / ".complete").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    partial = root.with_name(root.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.parent.mkdir(parents=True, exist_ok=True)
    log(f"debootstrap {SUITE} into {root} (once; about a minute)")
    subprocess.run(["debootstrap", "--variant=minbase", f"--include={','.join(BASE_PACKAGES)}",
                    SUITE, str(partial), MIRROR], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["chroot", str(partial), "apt-get", "clean"], check=True, env=ENV)
    (partial / ".complete").touch()
    partial.rename(root)
    return root


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True)


def _unmount_all(root: Path) -> None:
    """Unmount everything under ``root``, deepest first (lazily if busy)."""
    mounts = [line.split()[1] for line in Path("/proc/mounts").read_text().splitlines()]
    inside = sorted((m for m in mounts if m == str(root) or m.startswith(str(root) + "/")),
                    key=len, reverse=True)
    for m in inside:
        if subprocess.run(["umount", m], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", m], check=False)


@contextlib.contextmanager
def throwaway_root(log=print, binds: dict[str, Path] | None = None) -> Iterator[Path]:
    """A fresh root over the cached debootstrap; ``binds`` maps a path inside it to a host folder."""
    base = base_root(log)
    work = Path(tempfile.mkdtemp(prefix="qoffice-root-", dir=os.environ.get("QUEUE_OFFICE_TMP")))
    root = work / "root"
    root.mkdir()
    try:
        try:
            (work / "up").mkdir()
            (work / "ovl").mkdir()
            _mount("-t", "overlay", "overlay", "-o",
                   f"lowerdir={base},upperdir={work / 'up'},workdir={work / 'ovl'}", str(root))
        except subprocess.CalledProcessError:
            log("overlayfs not available: copying the root")
            subprocess.run(["cp", "-a", f"{base}/.", str(root)], check=True)
        _mount("-t", "proc", "proc", str(root / "proc"))
        _mount("--rbind", "/dev", str(root / "dev"))
        _mount("--make-rslave", str(root / "dev"))
        archives = CACHE / "apt-archives"
        (archives / "partial").mkdir(parents=True, exist_ok=True)
        _mount("--bind", str(archives), str(root / "var/cache/apt/archives"))
        for inside, host in (binds or {}).items():
            target = root / inside.lstrip("/")
            target.mkdir(parents=True, exist_ok=True)
            _mount("--bind", str(host), str(target))
        shutil.copyfile("/etc/resolv.conf", root / "etc/resolv.conf")
        # services are not started inside a chroot (invoke-rc.d / deb-systemd-invoke read this)
        policy = root / "usr/sbin/policy-rc.d"
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
        yield root
    finally:
        _unmount_all(root)
        subprocess.run(["rm", "-rf", "--one-file-system", str(work)], check=False)


def run(root: Path, command: str, *, check: bool = True, capture: bool = False,
        timeout: float | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """``sh -c command`` inside ``root``."""
    return subprocess.run(["chroot", str(root), "/bin/sh", "-c", command], check=check,
                          env={**ENV, **(env or {})}, text=True, timeout=timeout,
                          stdout=subprocess.PIPE if capture else None,
                          stderr=subprocess.STDOUT if capture else None)
