"""What the access log costs a ticket: the same office in-process, with and without it.

Two offices in one process, each with the server's JSON log set-up writing to
/dev/null (as fast as a pipe to journald that keeps up); one has `log.access`
on, one off (logins, faults and 5xx are logged either way). Tickets go through
Flask's test client, so the figure is the server's own work per request, not
the network's. The offices live in /dev/shm when there is one: a commit's
fsync on a real disk varies by milliseconds and would hide a cost of
microseconds (the log line costs the same CPU either way). The two alternate
in rounds, so the VM's drifting speed hits both alike; the cost is the median
of the rounds' differences.

    python -m bench.bench_access_log [--tiny]
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import median, percentile
from queue_server.adapters import oplog
from queue_server.app import CONFIG_NAME, DB_NAME, create_app
from queue_server.auth import Accounts, password_hasher
from queue_server.cli import demo_config
from queue_server.journal_store import JournalStore


def office(folder: Path, access: bool):
    folder.mkdir()
    text = demo_config().replace("access = true", f"access = {'true' if access else 'false'}")
    (folder / CONFIG_NAME).write_text(text + "\n[security]\nargon2_time_cost = 1\nargon2_memory_kib = 1024\n",
                                      encoding="utf-8")
    store = JournalStore(folder / DB_NAME)
    token = Accounts(store, hasher=password_hasher(1, 1024)).add_device("kiosk", "kiosk", datetime.now(UTC))
    store.close()
    app = create_app(folder)
    return app, app.flask.test_client(), {"Authorization": f"Bearer {token}"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="the access log's cost per ticket")
    parser.add_argument("--tiny", action="store_true", help="a few rounds, to check the script runs")
    tiny = parser.parse_args(argv).tiny
    rounds, per_round = (3, 50) if tiny else (21, 300)
    devnull = open(os.devnull, "w")  # noqa: SIM115
    handler = oplog.setup(devnull)
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.TemporaryDirectory(dir=shm) as tmp:
        offices = {"with": office(Path(tmp) / "with", True), "without": office(Path(tmp) / "without", False)}
        times: dict[str, list[float]] = {"with": [], "without": []}
        diffs, cpu = [], {"with": [], "without": []}
        try:
            for r in range(rounds):
                medians = {}
                for name in (("with", "without") if r % 2 == 0 else ("without", "with")):
                    _app, client, headers = offices[name]
                    this_round = []
                    cpu0 = time.process_time()
                    for _ in range(per_round):
                        t0 = time.perf_counter()
                        resp = client.post("/api/v1/tickets", json={"service_id": "reception"}, headers=headers)
                        this_round.append((time.perf_counter() - t0) * 1e6)
                        assert resp.status_code == 201, resp.get_data(as_text=True)
                    cpu[name].append((time.process_time() - cpu0) / per_round * 1e6)
                    times[name] += this_round
                    medians[name] = median(this_round)
                diffs.append(medians["with"] - medians["without"])
        finally:
            for app, _c, _h in offices.values():
                app.close()
            logging.getLogger().removeHandler(handler)
            handler.close()
            devnull.close()
    w, wo, cost = median(times["with"]), median(times["without"]), sorted(diffs)[len(diffs) // 2]
    where = "in /dev/shm" if shm else "on disk"
    print(f"ticket_inprocess_access_log_median_us {w:.0f}  # p90 {percentile(times['with'], 90):.0f}, "
          f"n={len(times['with'])}, {where}")
    print(f"ticket_inprocess_no_access_log_median_us {wo:.0f}  # p90 {percentile(times['without'], 90):.0f}, "
          f"n={len(times['without'])}, {where}")
    cpu_cost = sorted(a - b for a, b in zip(cpu["with"], cpu["without"], strict=True))[rounds // 2]
    print(f"access_log_cpu_per_ticket_us {cpu_cost:.0f}  # the process's CPU time (all threads), median of "
          f"{rounds} rounds' differences; {median(cpu['without']):.0f} µs a ticket without")
    print(f"access_log_cost_per_ticket_us {cost:.0f}  # median of {rounds} rounds' differences, "
          f"{100 * cost / wo:.1f} % of a ticket; rounds: {', '.join(f'{d:.0f}' for d in diffs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
