"""No migration imports app code, and no app code imports a migration: a migration is frozen
history, so changing the app must not change what an old migration does, and the app must not
depend on a migration's module (it moves into a squash)."""

from __future__ import annotations

import ast
from pathlib import Path

import xinfang

ROOT = Path(xinfang.__file__).parent


def _imports(path: Path) -> set[str]:
    """Modules a file imports, statically or by ``import_module("…")``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
        ):
            if node.args and isinstance(node.args[0], ast.Constant):
                found.add(str(node.args[0].value))
    return found


def _is_test(path: Path) -> bool:
    return "tests" in path.parts or path.name.startswith("test_") or path.name == "testing.py"


def test_no_migration_imports_app_code_or_another_migration():
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in _imports(path) if m.startswith("xinfang"))
        for path in ROOT.glob("*/migrations/*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_no_app_module_imports_a_migration():
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in _imports(path) if ".migrations." in m)
        for path in ROOT.rglob("*.py")
        if "migrations" not in path.parts and not _is_test(path)
    }
    assert {k: v for k, v in offenders.items() if v} == {}
