"""The domain stays plain, typed Python: the rules every figure and every route relies on are
read and checked without a framework, a database or a GUI, and mypy holds their types."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "queue_server" / "domain"
# What the domain may import besides itself: the standard library and Babel-free plain Python.
FORBIDDEN = {"flask", "socketio", "engineio", "sqlite3", "psycopg", "PySide6", "escpos", "serial",
             "reportlab", "uvicorn", "a2wsgi", "jinja2", "werkzeug", "requests", "aiohttp"}


def test_the_domain_imports_no_framework_database_or_gui():
    found = []
    for path in sorted(DOMAIN.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            found += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert not found, found


def test_mypy_is_clean_on_the_domain():
    run = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental", "--ignore-missing-imports",
                          str(DOMAIN)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
