"""What the appeals tests share: an office folder with e-mail, a digest and a slip printer,
and that printer (a raw TCP socket on 127.0.0.1 that keeps what it is sent).
Import from here (`from appeal_support import …`), not from conftest."""
from __future__ import annotations

import socket
import threading
import time

from live_office import make_office_dir

from queue_server.app import CONFIG_NAME


class PrinterSink:
    """A port-9100 printer that says nothing back (as many do) and keeps every job's bytes."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.1)
        self.spec = f"net:127.0.0.1:{self.server.getsockname()[1]}"
        self.jobs: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            data = b""
            with conn:
                conn.settimeout(2)
                while True:
                    try:
                        chunk = conn.recv(65536)
                    except OSError:
                        break
                    if not chunk:
                        break
                    data += chunk
            if data:
                self.jobs.append(data)

    def wait_for(self, n: int, timeout: float = 5.0) -> list[bytes]:
        deadline = time.monotonic() + timeout
        while len(self.jobs) < n and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.jobs)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.server.close()



def appeal_office_dir(path, smtp_server=None, printer=None, extra: str = "", keep_appeal_days: int | None = None):
    data = make_office_dir(path)
    config = data / CONFIG_NAME
    text = config.read_text(encoding="utf-8")
    if printer is not None:
        text = text.replace('number = 1\nname = "Окно 1"\nservices = ["reception", "quick"]\n',
                            f'number = 1\nname = "Окно 1"\nservices = ["reception", "quick"]\nprinter = "{printer}"\n')
    text = text.replace("[appeals]\n", '[appeals]\ndigest_to = ["head@example.ru"]\n') + extra
    if smtp_server is not None:
        text += smtp_server.settings()
    if keep_appeal_days is not None:
        text = text.replace("keep_appeal_days = 1826", f"keep_appeal_days = {keep_appeal_days}")
    config.write_text(text, encoding="utf-8")
    return data
