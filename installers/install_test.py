"""``make test-install``: the three packages installed into a throwaway Debian 12 root and used.

What an office's IT person does, from the installed paths only: apt installs the
packages (dependencies from Debian), postinst has made the users, the data folder,
office.toml and the token files; the server runs as its user and answers
/healthz; a kiosk device takes a ticket through the API; ``qkiosk test-print`` and
``qdisplay test-announce`` work; the hall board runs from its config file and token
file; the kiosk and board venvs hold no server stack; every Qt platform plugin the
sessions use finds its libraries; ``systemd-analyze verify`` passes on every unit;
an upgrade keeps the journal and the edited configs; purge keeps the office's data.
Figures (package sizes, install time, first start) go to build/installers/test-install.json.
"""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from . import chroot
from .debs import BUILD, DIST

SERVER_STACK = ("flask", "gunicorn", "uvicorn", "reportlab", "openpyxl", "psycopg", "queue_server",
                "werkzeug", "sqlite_utils")
PACKAGES = ("queue-office-server", "queue-office-kiosk", "queue-office-display")
# setpriv execs (runuser forks and kills its child on SIGTERM): the signal reaches the program
AS_USER = ("setpriv", "--init-groups", "--reset-env")
UNITS = ("queue-office.service", "queue-office-kiosk.service", "queue-office-display@hall.service",
         "queue-office-display@counter.service", "queue-office-led.service", "queue-office-buttons.service")


class Failed(AssertionError):
    pass


PASSED = [0]


def check(cond: bool, what: str) -> None:
    if not cond:
        raise Failed(what)
    PASSED[0] += 1
    print(f"  ok  {what}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method: str, url: str, token: str = "", body: dict | None = None) -> tuple[int, dict]:
    req = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body else None,
                                 headers={"Content-Type": "application/json",
                                          **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def sh(root: Path, command: str, **kw) -> str:
    return chroot.run(root, command, capture=True, **kw).stdout


def apt(root: Path, command: str) -> None:
    """apt-get, quiet unless it fails (then its last lines are the failure)."""
    done = chroot.run(root, f"apt-get {command}", check=False, capture=True)
    if done.returncode != 0:
        (BUILD / "apt-failed.log").write_text(done.stdout)
        raise Failed(f"apt-get {command}: see {BUILD / 'apt-failed.log'}\n{done.stdout[-3000:]}")


def deb_files() -> list[Path]:
    debs = [next(DIST.glob(f"{p}_*_amd64.deb"), None) for p in PACKAGES]
    if None in debs:
        raise SystemExit("no packages in dist/: run make packages first")
    return debs


class Server:
    """``qserver run`` as the queue-office user inside the root (no systemd in a chroot)."""

    def __init__(self, root: Path, port: int):
        self.root, self.port = root, port
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> float:
        t0 = time.monotonic()
        self.proc = subprocess.Popen(
            ["chroot", str(self.root), *AS_USER, "--reuid=queue-office", "--regid=queue-office",
             "/opt/queue-office/server/bin/qserver", "run", "--data", "/var/lib/queue-office"],
            env=chroot.ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        while time.monotonic() - t0 < 60:
            if self.proc.poll() is not None:
                raise Failed(f"the server exited: {self.proc.stdout.read().decode()[-2000:]}")
            try:
                if http("GET", self.url + "/healthz")[0] == 200:
                    return time.monotonic() - t0
            except OSError:
                pass
            time.sleep(0.1)
        raise Failed("no /healthz within 60 s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def office_for_test(text: str, port: int) -> str:
    """The installed office.toml, edited as the docs say: open round the clock here, on a free port."""
    text = re.sub(r"\[hours\.\w+\]\n(?:\w+ = .*\n)+", "", text)
    text = text.replace("port = 8080", f"port = {port}")
    return 'hours = "always"   # edited by the install test\n\n' + text


def repack(deb: Path, version: str, out: Path) -> Path:
    """The same package under a newer version: what an upgrade installs."""
    tree = out / deb.stem
    subprocess.run(["rm", "-rf", str(tree)], check=True)
    subprocess.run(["dpkg-deb", "-R", str(deb), str(tree)], check=True)
    control = tree / "DEBIAN/control"
    control.write_text(re.sub(r"(?m)^Version: .*$", f"Version: {version}", control.read_text()))
    new = out / deb.name.replace(deb.name.split("_")[1], version)
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zgzip", "-z1", "--build", str(tree), str(new)],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["rm", "-rf", str(tree)], check=True)
    return new


def main() -> int:
    debs = deb_files()
    figures: dict = {"package_mib": {d.name: round(d.stat().st_size / 2**20, 1) for d in debs},
                     "installed_mib": {}}
    upgrades = BUILD / "upgrade"
    upgrades.mkdir(parents=True, exist_ok=True)
    with chroot.throwaway_root(print, binds={"/qo/dist": DIST, "/qo/upgrade": upgrades}) as root:
        print("install test in", root, flush=True)
        apt(root, "update -qq")
        apt(root, "install -y -qq --no-install-recommends systemd")
        t0 = time.monotonic()
        apt(root, "install -y -qq --no-install-recommends " + " ".join(f"/qo/dist/{d.name}" for d in debs))
        figures["install_s"] = round(time.monotonic() - t0, 1)
        check(True, f"apt-get install of the three packages with their dependencies: {figures['install_s']} s")
        for p in PACKAGES:
            figures["installed_mib"][p] = round(int(sh(root, f"dpkg-query -Wf '${{Installed-Size}}' {p}")) / 1024, 1)

        print("postinst", flush=True)
        for user in ("queue-office", "queue-kiosk", "queue-display"):
            check(sh(root, f"id -u {user}").strip().isdigit(), f"system user {user}")
        check(sh(root, "stat -c '%U %a' /var/lib/queue-office").split() == ["queue-office", "750"],
              "/var/lib/queue-office: queue-office, 750")
        office = root / "var/lib/queue-office/office.toml"
        check(office.exists() and "public_url" in office.read_text(), "a commented office.toml")
        for token, user in (("kiosk", "queue-kiosk"), ("display", "queue-display"), ("buttons", "queue-display")):
            check(sh(root, f"stat -c '%U %a' /etc/queue-office/{token}.token").split() == [user, "600"],
                  f"/etc/queue-office/{token}.token: {user}, 600")
        conffiles = sh(root, "dpkg-query -Wf '${Conffiles}\\n' queue-office-kiosk queue-office-display")
        check("/etc/queue-office/kiosk.toml" in conffiles and "/etc/queue-office/display.toml" in conffiles,
              "kiosk.toml and display.toml are conffiles")
        refused = chroot.run(root, "qserver init --data /var/lib/queue-office", check=False, capture=True)
        check(refused.returncode == 1 and "already exists" in refused.stdout,
              "qserver init keeps the office.toml postinst wrote")
        chroot.run(root, "runuser -u queue-office -- qserver init --data /tmp/second-office >/dev/null")
        check((root / "tmp/second-office/office.toml").exists(), "qserver init makes a new office")

        print("the kiosk and the board carry no server stack", flush=True)
        for role in ("kiosk", "display"):
            site = root / f"opt/queue-office/{role}/lib/python3.11/site-packages"
            found = [n for n in SERVER_STACK if any(site.glob(f"{n}*")) or any(site.glob(f"{n.title()}*"))]
            check(not found, f"/opt/queue-office/{role}: none of {', '.join(SERVER_STACK)} {found or ''}")
            pyside = site / "PySide6"
            check(pyside.is_dir(), f"/opt/queue-office/{role} has PySide6")
            plugins = " ".join(str(p.relative_to(root)).join("''") for p in (
                *pyside.glob("Qt/plugins/platforms/libqwayland-*.so"), pyside / "Qt/plugins/platforms/libqoffscreen.so",
                *pyside.glob("Qt/lib/libQt6Wayland*.so.6"), pyside / "Qt/lib/libQt6Gui.so.6"))
            missing = sh(root, f"for f in {plugins}; do ldd \"$f\" | grep 'not found' | sed \"s|^|$f: |\"; done")
            check(not missing.strip(), f"{role}: the Qt platform plugins find every library {missing.strip()}")
        site = root / "opt/queue-office/server/lib/python3.11/site-packages"
        check(not any(site.glob("PySide6*")), "/opt/queue-office/server has no PySide6")
        for v in ("server", "kiosk", "display"):
            cfg = (root / f"opt/queue-office/{v}/pyvenv.cfg").read_text()
            check("home = /usr/bin" in cfg and ".pyenv" not in cfg, f"{v} venv runs on Debian's /usr/bin/python3")

        print("systemd units", flush=True)
        verify = chroot.run(root, "systemd-analyze verify --man=no " + " ".join(UNITS), check=False, capture=True)
        check(verify.returncode == 0 and not verify.stdout.strip(),
              f"systemd-analyze verify: {verify.stdout.strip() or 'clean'}")

        print("first start", flush=True)
        port = free_port()
        office.write_text(office_for_test(office.read_text(), port))
        server = Server(root, port)
        try:
            figures["first_start_s"] = round(server.start(), 2)
            check(True, f"qserver run as queue-office: /healthz after {figures['first_start_s']} s")
            kiosk_token = sh(root, "qserver device add kiosk-1 --kind kiosk --data /var/lib/queue-office").split()[-1]
            display_token = sh(root, "qserver device add hall-tv --kind display --data /var/lib/queue-office").split()[-1]
            owners = sh(root, "find /var/lib/queue-office ! -user queue-office").strip()
            check(not owners, f"qserver run by root (the wrapper) leaves every file the service's {owners}")
            status, services = http("GET", server.url + "/api/v1/services", kiosk_token)
            service = services["services"][0]["id"]
            status, ticket = http("POST", server.url + "/api/v1/tickets", kiosk_token,
                                  {"service_id": service, "lang": "ru", "channel": "kiosk"})
            check(status in (200, 201) and ticket.get("number"), f"a ticket through the API: {ticket.get('number')}")
            figures["ticket"] = ticket.get("number")

            print("the kiosk and the board from the installed paths", flush=True)
            (root / "etc/queue-office/kiosk.token").write_text(kiosk_token + "\n")
            (root / "etc/queue-office/display.token").write_text(display_token + "\n")
            for name in ("kiosk", "display"):
                conf = root / f"etc/queue-office/{name}.toml"
                conf.write_text(conf.read_text().replace("http://192.168.1.10:8080", server.url))
            chroot.run(root, "runuser -u queue-kiosk -- qkiosk test-print --printer file:/tmp/ticket.bin >/dev/null",
                       env={"QT_QPA_PLATFORM": "offscreen"})
            ticket_bytes = (root / "tmp/ticket.bin").read_bytes()
            check(ticket_bytes.startswith(b"\x1b@") and b"\x1dV" in ticket_bytes,
                  f"qkiosk test-print --printer file:: {len(ticket_bytes)} bytes of ESC/POS, cut")
            chroot.run(root, "runuser -u queue-display -- qdisplay test-announce --out /tmp/call.wav >/dev/null")
            wav = (root / "tmp/call.wav").read_bytes()
            check(wav[:4] == b"RIFF" and len(wav) > 40000, f"qdisplay test-announce: a WAV of {len(wav)} bytes")
            board = subprocess.Popen(
                ["chroot", str(root), *AS_USER, "--reuid=queue-display", "--regid=queue-display",
                 "/usr/bin/env", "QT_QPA_PLATFORM=offscreen", "/usr/bin/qdisplay", "hall",
                 "--config", "/etc/queue-office/display.toml", "--fullscreen", "--diagnostics", "/tmp/board.json"],
                env={**chroot.ENV, "QT_QPA_PLATFORM": "offscreen"}, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, start_new_session=True)
            try:
                seen = {}
                for _ in range(150):
                    diag = root / "tmp/board.json"
                    if diag.exists():
                        try:
                            seen = json.loads(diag.read_text())
                        except ValueError:
                            seen = {}
                        if seen.get("connection") == "online":
                            break
                    if board.poll() is not None:
                        break
                    time.sleep(0.2)
                if seen.get("connection") != "online" and board.poll() is not None:
                    print(board.stdout.read().decode()[-2000:])
                check(seen.get("connection") == "online",
                      "qdisplay hall from display.toml and its token file: online")
            finally:
                if board.poll() is None:
                    os.killpg(board.pid, signal.SIGTERM)
                out, _ = board.communicate(timeout=20)
            check(board.returncode == 0, f"the board stops cleanly on SIGTERM {out.decode()[-500:] if board.returncode else ''}")
            server.stop()

            print("upgrade", flush=True)
            newer = [repack(d, d.name.split("_")[1] + "+1", upgrades) for d in debs]
            t0 = time.monotonic()
            apt(root, "install -y -qq --no-install-recommends " + " ".join(f"/qo/upgrade/{d.name}" for d in newer))
            figures["upgrade_s"] = round(time.monotonic() - t0, 1)
            versions = sh(root, "dpkg-query -Wf '${Version} ' " + " ".join(PACKAGES)).split()
            check(all(v.endswith("+1") for v in versions), f"upgraded to {versions} in {figures['upgrade_s']} s")
            check("edited by the install test" in office.read_text(), "office.toml kept")
            check(server.url in (root / "etc/queue-office/kiosk.toml").read_text(), "the edited kiosk.toml kept")
            check(kiosk_token in (root / "etc/queue-office/kiosk.token").read_text(), "the kiosk's token kept")
            journal = sh(root, "qserver export --data /var/lib/queue-office")
            check(ticket["number"] in journal, f"the journal kept: ticket {ticket['number']} is in it")
            server.start()
            status, _ = http("GET", server.url + "/api/v1/services", kiosk_token)
            check(status == 200, "the upgraded server starts on the kept journal; the kiosk's token still works")
            server.stop()
        finally:
            server.stop() if hasattr(server, "proc") else None

        print("purge", flush=True)
        apt(root, "purge -y -qq " + " ".join(PACKAGES))
        check((root / "var/lib/queue-office/office.sqlite").exists(), "purge keeps the office's journal")
        check(not (root / "etc/queue-office").exists(), "purge removes /etc/queue-office (settings, tokens)")
        check(not (root / "opt/queue-office").exists() or not any((root / "opt/queue-office").iterdir()),
              "purge removes /opt/queue-office")
    out = BUILD / "test-install.json"
    out.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    print(f"test-install: {PASSED[0]} passed, 0 failed")
    return 0
