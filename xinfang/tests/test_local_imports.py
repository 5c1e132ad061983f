"""No function-local import of the project's own modules: the layers run one way (import-linter
checks them), so a local import could only dodge a cycle. Allowed: ``AppConfig.ready`` (Django's
place for signal wiring) and third-party libraries loaded on first use to keep start-up short."""

from __future__ import annotations

import ast
from pathlib import Path

import xinfang

ROOT = Path(xinfang.__file__).parent
LAZY_LIBRARIES = ("granian", "docx", "weasyprint", "django.core.management")


def test_no_module_imports_project_code_inside_a_function():
    found = []
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or node.name == "ready":
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    module = inner.module if isinstance(inner, ast.ImportFrom) else inner.names[0].name
                    if module and not module.startswith(LAZY_LIBRARIES):
                        found.append(f"{path.relative_to(ROOT)}:{inner.lineno} {module}")
    assert found == []
