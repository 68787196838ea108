"""Our code uses other packages through their public API only (the project's rule).

A name with one leading underscore belongs to whoever defined it: it may change or go
in any release, without notice. The scan below reads the code of every part that ships
(kiosk, displays, shared client code, hardware, server, centre) and fails on:

* importing another package's private module or name (``from engineio._x import y``);
* a private attribute of something imported from another package (``socketio._x``,
  ``engineio.Client._trigger_event``);
* a subclass of another package's class defining a name its base already has under a
  private name (overriding ``_trigger_event``), or using ``self._x``/``super()._x``
  that the class itself never defines (only the base can have it);
* ``something._x`` (not on ``self``/``cls``) where ``_x`` is defined nowhere in our
  code, so it can only be another package's (``printer._raw(...)`` on a
  python-escpos object).

What it cannot see: another package's private name that our code happens to define
as well, used on an object of that package. ``test_the_scan_finds_each_kind`` keeps
the scan honest: each kind of use above must be found in a small example.
"""
from __future__ import annotations

import ast
import importlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parents[1]
SHIPPED = ("kiosk", "counter_display", "client_common", "hardware", "queue_server", "qcentral")
OURS = {*SHIPPED, "tests", "bench", "installers"}
# Public despite the underscore, in the package's own documentation.
DOCUMENTED = {("os", "_exit")}  # "the standard way to exit a child process after fork()"


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


@dataclass(frozen=True)
class Source:
    path: str
    tree: ast.Module


def read_sources() -> list[Source]:
    out = []
    for package in SHIPPED:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = str(path.relative_to(ROOT))
            out.append(Source(rel, ast.parse(path.read_text(encoding="utf-8"), rel)))
    return out


def defined_names(tree: ast.AST) -> set[str]:
    """Private names a piece of our code defines: functions, classes, class and module
    variables, and attributes it assigns on ``self``/``cls``."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            out.add(node.id)
        elif (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
              and isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
            out.add(node.attr)
    return {n for n in out if is_private(n)}


def foreign_imports(tree: ast.AST) -> dict[str, str]:
    """Local name → dotted path, for every name bound by importing another package."""
    bound = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] not in OURS:
                    local = alias.asname or alias.name.split(".")[0]
                    bound[local] = alias.name if alias.asname else local
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] not in OURS:
                for alias in node.names:
                    bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return bound


def dotted(node: ast.AST) -> list[str] | None:
    """``a.b.c`` as ["a", "b", "c"]; None for anything but names and attributes."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return [node.id, *reversed(parts)]


def resolve(path: str) -> object | None:
    """The object a dotted path names (the longest importable module, then attributes)."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for name in parts[cut:]:
                obj = getattr(obj, name)
        except AttributeError:
            return None
        return obj
    return None


def on_self(node: ast.Attribute) -> bool:
    value = node.value
    if isinstance(value, ast.Name):
        return value.id in ("self", "cls")
    return (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
            and value.func.id == "super")


def private_uses(source: Source, ours: set[str]) -> list[str]:
    """Each use of another package's private name in one file, as "path:line: what"."""
    tree, found = source.tree, []
    bound = foreign_imports(tree)

    def report(node: ast.AST, what: str) -> None:
        found.append(f"{source.path}:{node.lineno}: {what}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] not in OURS and any(map(is_private, alias.name.split("."))):
                    report(node, f"imports the private module {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] in OURS:
                continue
            if any(map(is_private, node.module.split("."))):
                report(node, f"imports from the private module {node.module}")
            for alias in node.names:
                if is_private(alias.name):
                    report(node, f"imports the private name {node.module}.{alias.name}")
        elif isinstance(node, ast.Attribute) and is_private(node.attr) and not on_self(node):
            chain = dotted(node.value)
            if chain and chain[0] in bound:
                owner = ".".join([bound[chain[0]], *chain[1:]])
                if (owner, node.attr) not in DOCUMENTED:
                    report(node, f"uses {owner}.{node.attr}")
            elif node.attr not in ours:
                report(node, f"uses .{node.attr}, which none of our code defines")
        elif isinstance(node, ast.ClassDef):
            found += [f"{source.path}:{line}: {what}" for line, what in subclass_uses(node, bound)]
    return found


def subclass_uses(cls: ast.ClassDef, bound: dict[str, str]) -> list[tuple[int, str]]:
    """A class built on another package's class: the base's private names it overrides or uses."""
    bases = []
    for base in cls.bases:
        chain = dotted(base)
        if chain and chain[0] in bound:
            path = ".".join([bound[chain[0]], *chain[1:]])
            obj = resolve(path)
            assert obj is not None, f"{cls.name}: cannot import its base {path} to check it"
            bases.append((path, obj))
    if not bases:
        return []
    own = defined_names(cls)
    out = []
    for node in ast.walk(cls):
        name = None
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or (
                isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)):
            name = node.name if not isinstance(node, ast.Name) else node.id
            kind = "overrides"
        elif isinstance(node, ast.Attribute) and on_self(node):
            name, kind = node.attr, ("overrides" if isinstance(node.ctx, ast.Store) else "uses")
        if name is None or not is_private(name):
            continue
        for path, obj in bases:
            if hasattr(obj, name) or (kind == "uses" and name not in own):
                out.append((node.lineno, f"{cls.name} {kind} {path}.{name}"))
                break
    return out


def test_no_private_name_of_another_package_is_used():
    sources = read_sources()
    ours = set().union(*(defined_names(s.tree) for s in sources))
    found = sorted({use for s in sources for use in private_uses(s, ours)})
    assert not found, "use the public API (or another library) instead of:\n" + "\n".join(found)


EXAMPLES = {
    # what counter_display/link.py did to python-socketio and python-engineio
    "override": """
import engineio
import socketio

class InOrder(engineio.Client):
    def _trigger_event(self, event, *args, **kwargs):
        return super()._trigger_event(event, *args, **kwargs)

class Client(socketio.Client):
    def _engineio_client_class(self):
        return InOrder
""",
    "private module": "from engineio.async_drivers._dummy import X\n",
    "private name": "from socketio.client import _private\n",
    "attribute of an import": "import socketio\nsocketio.Client._handle_eio_message\n",
    "attribute nobody of ours defines": "def emit(printer):\n    printer._raw(b'x')\n",
    "base's state through self": """
import threading

class Worker(threading.Thread):
    def run(self):
        self._target()
""",
}


def test_the_scan_finds_each_kind():
    ours = {"_ours"}
    for kind, code in EXAMPLES.items():
        assert private_uses(Source(kind, ast.parse(code)), ours), f"the scan misses: {kind}"
    clean = "import socketio\nclass C(socketio.Client):\n    def _ours(self):\n        self._mine = 1\n"
    assert private_uses(Source("clean", ast.parse(clean)), ours) == []
