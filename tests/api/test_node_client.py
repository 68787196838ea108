"""The official JavaScript socket.io-client (npm) receives a `called` event."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
SCRIPT = Path(__file__).with_name("js") / "called_listener.js"


@pytest.mark.skipif(not (ROOT / "node_modules/socket.io-client").exists() or not shutil.which("node"),
                    reason="make test installs node and socket.io-client")
def test_node_socket_io_client_receives_called(live_office):
    proc = subprocess.Popen(["node", str(SCRIPT), live_office.url, live_office.tokens["display"]],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "READY"
        ticket = live_office.ticket("reception")
        assert live_office.post("/api/v1/counters/1/next", "op1").status_code == 200
        out, err = proc.communicate(timeout=15)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    called = json.loads(out.strip().splitlines()[-1])
    assert called["number"] == ticket["number"] and called["counter_id"] == "1"
    assert called["visit_id"] == ticket["visit_id"] and called["service_id"] == "reception"
