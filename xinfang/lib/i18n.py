"""Compile and check the zh_Hans catalogue without GNU gettext (``python -m xinfang.lib.i18n``).

``compile`` writes django.mo next to each django.po. ``check`` fails when an entry is untranslated
or fuzzy, so CI refuses a user-facing string without its Chinese.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def catalogues() -> list[Path]:
    """Every app's catalogue: xinfang/<app>/locale/<lang>/LC_MESSAGES/django.po."""
    return sorted(PACKAGE_DIR.glob("*/locale/*/LC_MESSAGES/*.po"))


def compile_all() -> None:
    for po_path in catalogues():
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))


def check_all() -> int:
    problems = 0
    for po_path in catalogues():
        po = polib.pofile(str(po_path))
        for entry in po.untranslated_entries() + po.fuzzy_entries():
            problems += 1
            print(
                f"{po_path.relative_to(PACKAGE_DIR)}: untranslated or fuzzy: {entry.msgid!r}", file=sys.stderr
            )
    return problems


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "compile"
    if command == "compile":
        compile_all()
        return 0
    if command == "check":
        return 1 if check_all() else 0
    print("usage: python -m xinfang.lib.i18n compile|check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
