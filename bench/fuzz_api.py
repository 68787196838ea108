"""schemathesis against the real server for minutes: valid and invalid input, stateful links.

`make test` runs tests/api/test_schemathesis.py short (15 examples an operation);
this runs the same check with many more examples, so `make bench` searches longer
for a 500 or a disagreement with /api/openapi.json.

    python -m bench.fuzz_api            # 150 examples an operation
    python -m bench.fuzz_api --tiny     # 3 (that it still works)
"""
from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

from .common import Reporter

TESTS = Path(__file__).resolve().parent.parent / "tests"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.fuzz_api", description=__doc__.split("\n\n")[0])
    p.add_argument("--tiny", action="store_true")
    args = p.parse_args(argv)
    sys.path[:0] = [str(TESTS), str(TESTS / "api")]
    from live_office import make_office_dir, start_live_office, stop_live_office
    from test_schemathesis import run_schemathesis

    rep = Reporter("fuzz", budgets_on=not args.tiny)
    examples = 3 if args.tiny else 150
    with tempfile.TemporaryDirectory(prefix="qbench-fuzz-") as tmp:
        live = start_live_office(make_office_dir(Path(tmp) / "office"))
        try:
            live.ticket("reception")
            t0 = time.perf_counter()
            proc = run_schemathesis(live, Path(tmp), examples, timeout=3 * 3600)
            seconds = time.perf_counter() - t0
        finally:
            stop_live_office(live)
    cases = re.search(r"(\d+) generated", proc.stdout)
    failures = 0 if proc.returncode == 0 else 1
    rep.figure("fuzz_api_test_cases", int(cases.group(1)) if cases else None,
               f"{examples} examples an operation, modes positive and negative, stateful links; {seconds:.0f} s")
    rep.figure("fuzz_api_failures", failures, "unique failures (0: no 500, no disagreement with the spec)")
    if proc.returncode != 0:
        print(proc.stdout[-6000:], file=sys.stderr)
    return 1 if failures else rep.exit_code()


if __name__ == "__main__":
    sys.exit(main())
