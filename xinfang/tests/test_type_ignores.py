"""Every ``# type: ignore`` names its error code and says why (mypy runs in ``make test``)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IGNORE = re.compile(r"#\s*type:\s*ignore(?P<rest>.*)$")
EXPLAINED = re.compile(r"^\[[a-z0-9, -]+\]\s+#\s*\S")


def test_every_type_ignore_carries_a_code_and_a_reason():
    bare = []
    for folder in ("xinfang", "bench", "scripts"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts or path == Path(__file__).resolve():
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                found = IGNORE.search(line)
                if found and not EXPLAINED.match(found.group("rest")):
                    bare.append(f"{path.relative_to(ROOT)}:{number}")
    assert bare == []
