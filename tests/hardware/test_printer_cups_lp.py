"""A raw CUPS queue through the lp command: real processes, the job's bytes checked.

CUPS itself is not run here: `lp` and `lpstat` are small scripts first on PATH that
behave like CUPS's for one queue, "kiosk": `lpstat -p kiosk` succeeds, `lp -d kiosk
-o raw` stores the job it reads on stdin. Everything else the kiosk does (one job per
ticket, submitted when the ticket is done, nothing when it failed) is the real code.
"""
from __future__ import annotations

import os
import stat

import pytest

from hardware.printers import PrinterFault, PrinterStatus, open_printer, print_ticket
from hardware.ticket_layout import ticket_bytes

LPSTAT = """#!/bin/sh
[ "$1" = "-p" ] && [ "$2" = "kiosk" ] && { echo "printer kiosk is idle."; exit 0; }
echo "lpstat: Invalid destination name in list \\"$2\\"." >&2; exit 1
"""
LP = """#!/bin/sh
# lp -d QUEUE -t TITLE -o raw: the job is stdin
[ -e "$JOBS/refuse" ] && { echo "lp: Unable to print: queue disabled" >&2; exit 1; }
n=$(ls "$JOBS" | wc -l)
printf '%s\\n' "$*" > "$JOBS/args.$n"
cat > "$JOBS/job.$n"
"""


@pytest.fixture
def cups_commands(tmp_path, monkeypatch):
    pytest.importorskip("escpos")
    try:
        import cups  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("pycups is installed here: the queue would be looked up in the real CUPS")
    bin_dir, jobs = tmp_path / "bin", tmp_path / "jobs"
    bin_dir.mkdir()
    jobs.mkdir()
    for name, text in (("lp", LP), ("lpstat", LPSTAT)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(stat.S_IRWXU)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("JOBS", str(jobs))
    return jobs


def jobs_in(folder) -> list[bytes]:
    return [p.read_bytes() for p in sorted(folder.glob("job.*"))]


def test_each_ticket_is_one_raw_job_with_the_tickets_bytes(cups_commands, ticket):
    printer = open_printer("cups:kiosk")
    assert print_ticket(printer, ticket, 80, "ru") is PrinterStatus.UNKNOWN  # lp knows nothing of paper
    assert print_ticket(printer, ticket, 58, "en") is PrinterStatus.UNKNOWN
    assert jobs_in(cups_commands) == [ticket_bytes(ticket, 80, "ru"), ticket_bytes(ticket, 58, "en")]
    assert (cups_commands / "args.0").read_text().split() == ["-d", "kiosk", "-t", "queue", "ticket",
                                                              "-o", "raw"]


def test_an_unknown_queue_is_not_found_and_nothing_is_sent(cups_commands, ticket):
    with pytest.raises(PrinterFault) as err:
        print_ticket(open_printer("cups:back_office"), ticket)
    assert err.value.reason == "not_found" and "back_office" in str(err.value)
    assert jobs_in(cups_commands) == []


def test_a_job_lp_refuses_is_an_io_error_with_lps_words(cups_commands, ticket):
    (cups_commands / "refuse").touch()
    with pytest.raises(PrinterFault) as err:
        print_ticket(open_printer("cups:kiosk"), ticket)
    assert err.value.reason == "io_error" and "queue disabled" in str(err.value)
