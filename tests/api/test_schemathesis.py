"""Property-based bad input: schemathesis finds no 500 and no disagreement with the spec.

Runs the real schemathesis CLI against the real server's /api/openapi.json, as an
admin (who may call everything) so that inputs reach the handlers: valid and
invalid inputs (`--mode all`: invalid ones must be refused with a 4xx), and the
stateful phase, which follows the spec's links (a ticket → its tracking, its
cancel). `make test` runs it short; `make bench` runs it for minutes
(SCHEMATHESIS_EXAMPLES, see bench/run_all.py).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CHECKS = ("not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance,"
          "response_headers_conformance,negative_data_rejection,use_after_free,ensure_resource_availability")


def run_schemathesis(live_office, cwd: Path, examples: int, timeout: float) -> subprocess.CompletedProcess:
    st = Path(sys.executable).with_name("schemathesis")
    return subprocess.run(
        [str(st), "run", f"{live_office.url}/api/openapi.json", "--checks", CHECKS,
         "--mode", "all", "--phases", "examples,coverage,fuzzing,stateful",
         "--max-examples", str(examples), "--generation-deterministic", "--request-timeout", "5",
         "--suppress-health-check", "all", "--generation-with-security-parameters", "false",
         "-H", f"Authorization: Bearer {live_office.tokens['admin']}",
         "--exclude-path", "/api/v1/auth/logout", "--exclude-path", "/api/v1/web/logout"],
        capture_output=True, text=True, timeout=timeout, cwd=cwd)


def test_schemathesis_finds_no_server_error_and_no_schema_violation(live_office, tmp_path):
    live_office.ticket("reception")
    examples = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "15"))
    proc = run_schemathesis(live_office, tmp_path, examples, timeout=max(400, examples * 20))
    report = proc.stdout[-8000:] + proc.stderr[-2000:]
    assert proc.returncode == 0, report
    assert "passed" in proc.stdout.lower() or "no issues found" in proc.stdout.lower(), report
