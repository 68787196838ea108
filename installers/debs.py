"""Debian packages per role, each with its own venv at /opt/queue-office/<role>.

The venvs are built inside a throwaway Debian 12 root (:mod:`installers.chroot`)
with Debian's /usr/bin/python3 at their final path, from the role's lock and
wheels made here, so the package carries nothing of this machine. Each package
is then staged (venv, units, config, maintainer scripts from installers/debian/)
and built with ``dpkg-deb``. Compiled .pyc files are not shipped: postinst makes
them and prerm removes them.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import subprocess
import sys
import time
from email.utils import formatdate
from pathlib import Path

from packaging.utils import canonicalize_name

from . import chroot
from .roles import DISTS, ROLES, Role
from .wheels import ROOT, build_wheel, role_lock, version

HERE = Path(__file__).resolve().parent
DEBIAN = HERE / "debian"
BUILD = ROOT / "build" / "installers"
DIST = ROOT / "dist"
MAINTAINER = "queue-office developers <queue-office@example.org>"
DOCS = {"server": ("install.md", "operations.md", "configuration.md"),
        "kiosk": ("install.md", "kiosk.md", "hardware-printers.md"),
        "display": ("install.md", "displays.md", "hardware.md")}
CLIENT = {  # user, groups, units (all / enabled at install), token files
    "kiosk": ("queue-kiosk", "video render input lp dialout",
              ("queue-office-kiosk.service",), ("queue-office-kiosk.service",),
              ("/etc/queue-office/kiosk.token",), "queue-office-kiosk.service"),
    "display": ("queue-display", "video render input audio dialout",
                ("queue-office-display@.service", "queue-office-led.service", "queue-office-buttons.service"),
                ("queue-office-display@.service",),
                ("/etc/queue-office/display.token", "/etc/queue-office/buttons.token"),
                "'queue-office-display@*' queue-office-led.service queue-office-buttons.service"),
}


def log(msg: str) -> None:
    print(f"[packages] {msg}", flush=True)


def deb_version() -> str:
    return os.environ.get("QUEUE_OFFICE_DEB_VERSION") or version()


def wheelhouse(locks: dict[str, list[str]]) -> Path:
    """Every pinned third-party wheel, kept between runs (sdists such as docopt built once)."""
    house = chroot.CACHE / "wheelhouse"
    house.mkdir(parents=True, exist_ok=True)
    union = BUILD / "all-roles.lock"
    union.write_text("\n".join(sorted({p for lock in locks.values() for p in lock})) + "\n")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--find-links", str(house),
                           "-w", str(house), "-r", str(union)], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"pip wheel failed:\n{done.stdout}{done.stderr}")
    return house


def build_venvs(roles: list[Role], own: Path, house: Path, out: Path) -> None:
    """The roles' venvs, built at /opt/queue-office/<role> in a throwaway root, copied to ``out``."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    with chroot.throwaway_root(log, binds={"/qo/own": own, "/qo/wheels": house, "/qo/out": out}) as root:
        for role in roles:
            venv = f"/opt/queue-office/{role.slug}"
            dist = DISTS[role.dist]
            log(f"venv {venv} ({role.dist})")
            chroot.run(root, f"python3 -m venv {venv}")
            chroot.run(root, f"{venv}/bin/python -m pip install -q --no-index --no-compile "
                             f"--find-links /qo/wheels --find-links /qo/own -r /qo/own/{role.slug}.lock "
                             f"{dist.name}=={version()}")
            wanted = {canonicalize_name(line.split("==")[0])
                      for line in (own / f"{role.slug}.lock").read_text().split()}
            listed = chroot.run(root, f"{venv}/bin/python -m pip list --format=freeze", capture=True).stdout
            names = [canonicalize_name(n.split("==")[0]) for n in listed.split()]
            chroot.run(root, f"{venv}/bin/python -m pip check -q")  # every requirement met
            extra = [n for n in names if n not in wanted and not n.startswith("queue-office")]
            if extra:  # ensurepip's pip and setuptools, unless the role's lock wants them
                chroot.run(root, f"{venv}/bin/python -m pip uninstall -q -y {' '.join(extra)}")
            missing = wanted - set(names)
            if missing:
                raise RuntimeError(f"{venv}: {sorted(missing)} locked but not installed")
            chroot.run(root, f"find {venv} -depth -name __pycache__ -type d -exec rm -rf {{}} +; "
                             f"cp -a {venv} /qo/out/{role.slug}")


def _write(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)


def _subst(text: str, values: dict[str, str]) -> str:
    for k, v in values.items():
        text = text.replace(f"@{k}@", v)
    return text


def normalize(tree: Path) -> None:
    """What Debian expects of the wheels' files: modes, stripped objects, no VCS files.

    dpkg-deb keeps modes as they are: directories 755; a file stays executable only
    when it is a program (an ELF executable or a script), shared objects are 644;
    ELF objects lose their debug symbols (as dh_strip does); .gitignore and the like go.
    """
    elves = []
    for p in sorted(tree.rglob("*")):
        if p.is_symlink():
            continue
        if p.is_dir():
            p.chmod(0o755)
            continue
        if p.name in (".gitignore", ".gitattributes", ".hgignore", ".cvsignore"):
            p.unlink()
            continue
        with p.open("rb") as fh:
            head = fh.read(4)
        elf = head == b"\x7fELF"
        shared = elf and (".so" in p.suffixes or p.suffix == ".so")
        program = (elf and not shared) or head[:2] == b"#!"
        p.chmod(0o755 if program and p.stat().st_mode & 0o111 else 0o644)
        if elf:
            elves.append(str(p))
    for i in range(0, len(elves), 200):
        subprocess.run(["strip", "--strip-unneeded", "--remove-section=.comment", *elves[i:i + 200]],
                       check=True)


def stage(role: Role, venvs: Path, ver: str) -> Path:
    """The package's file tree with its DEBIAN/ folder."""
    tree = BUILD / "stage" / role.package
    shutil.rmtree(tree, ignore_errors=True)
    (tree / "opt/queue-office").mkdir(parents=True)
    shutil.move(str(venvs / role.slug), tree / "opt/queue-office" / role.slug)
    shutil.copytree(DEBIAN / role.slug / "root", tree, dirs_exist_ok=True)
    for command in role.commands:
        link = tree / "usr/bin" / command
        if not link.exists():
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(f"/opt/queue-office/{role.slug}/bin/{command}")
    doc = tree / "usr/share/doc" / role.package
    doc.mkdir(parents=True)
    shutil.copyfile(DEBIAN / "copyright", doc / "copyright")
    for name in DOCS[role.slug]:
        shutil.copyfile(ROOT / "docs" / name, doc / name)
    changelog = (f"{role.package} ({ver}) unstable; urgency=medium\n\n"
                 f"  * Built from the queue-office tree (docs/install.md).\n\n"
                 f" -- {MAINTAINER}  {formatdate(usegmt=False, localtime=False)}\n")
    with gzip.GzipFile(doc / "changelog.gz", "wb", mtime=0) as fh:
        fh.write(changelog.encode())
    overrides = (DEBIAN / "lintian-overrides.in").read_text()
    extra = DEBIAN / role.slug / "lintian-overrides.extra"
    if extra.exists():
        overrides += extra.read_text()
    _write(tree / "usr/share/lintian/overrides" / role.package, _subst(overrides, {"PACKAGE": role.package}))
    normalize(tree)
    control = tree / "DEBIAN"
    control.mkdir()
    if role.slug == "server":
        for script in ("postinst", "prerm", "postrm"):
            _write(control / script, (DEBIAN / "server" / script).read_text(), 0o755)
    else:
        user, groups, units, enable, tokens, glob = CLIENT[role.slug]
        values = {"PACKAGE": role.package, "ROLE": role.slug, "USER": user, "GROUPS": groups,
                  "UNITS": " ".join(units), "ENABLE": " ".join(enable), "TOKENS": " ".join(tokens),
                  "UNITGLOB": glob}
        for script in ("postinst", "prerm", "postrm"):
            _write(control / script, _subst((DEBIAN / "client" / f"{script}.in").read_text(), values), 0o755)
    conffiles = sorted("/" + str(p.relative_to(tree)) for p in (tree / "etc").rglob("*")
                       if p.is_file()) if (tree / "etc").exists() else []
    if conffiles:
        _write(control / "conffiles", "\n".join(conffiles) + "\n")
    sums = []
    for p in sorted(tree.rglob("*")):
        if p.is_file() and not p.is_symlink() and "DEBIAN" not in p.relative_to(tree).parts \
                and not str(p.relative_to(tree)).startswith("etc/"):
            sums.append(f"{hashlib.md5(p.read_bytes()).hexdigest()}  {p.relative_to(tree)}")
    _write(control / "md5sums", "\n".join(sums) + "\n")
    size_kib = int(subprocess.run(["du", "-sk", "--exclude=DEBIAN", str(tree)], capture_output=True,
                                  text=True, check=True).stdout.split()[0])
    depends = ["python3 (>= 3.11)", "python3 (<< 3.12)", "libc6 (>= 2.28)", "adduser", *role.depends]
    summary, _, body = role.description.partition("\n")
    long = "\n".join(f" {line}" if line else " ." for line in body.splitlines())
    _write(control / "control", (
        f"Package: {role.package}\nVersion: {ver}\nArchitecture: amd64\nMaintainer: {MAINTAINER}\n"
        f"Installed-Size: {size_kib}\nDepends: {', '.join(depends)}\nSection: misc\nPriority: optional\n"
        f"Description: {summary}\n{long}\n"))
    return tree


def build_packages(slugs: list[str] | None = None) -> list[Path]:
    """``make packages``: dist/<package>_<version>_amd64.deb for each role (all by default)."""
    t0 = time.monotonic()
    roles = [ROLES[s] for s in (slugs or list(ROLES))]
    ver = deb_version()
    own = BUILD / "wheels"
    shutil.rmtree(own, ignore_errors=True)
    own.mkdir(parents=True)
    for dist in DISTS.values():
        log(f"wheel {build_wheel(dist, BUILD / 'dists', own).name}")
    locks = {r.slug: role_lock(r.dist) for r in roles}
    for slug, lock in locks.items():
        (own / f"{slug}.lock").write_text("\n".join(lock) + "\n")
    house = wheelhouse(locks)
    venvs = BUILD / "venvs"
    build_venvs(roles, own, house, venvs)
    DIST.mkdir(exist_ok=True)
    built = []
    for role in roles:
        tree = stage(role, venvs, ver)
        deb = DIST / f"{role.package}_{ver}_amd64.deb"
        deb.unlink(missing_ok=True)
        subprocess.run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(tree), str(deb)],
                       check=True, stdout=subprocess.DEVNULL)
        log(f"{deb.relative_to(ROOT)}: {deb.stat().st_size / 2**20:.1f} MiB")
        built.append(deb)
    log(f"done in {time.monotonic() - t0:.0f} s")
    return built
