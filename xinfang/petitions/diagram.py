"""Renders the state machine as a Mermaid diagram for docs/lifecycle.md
(``python -m xinfang.petitions.diagram``); a test keeps the document in step with TRANSITIONS."""

from __future__ import annotations

import os

from xinfang.petitions.states import TRANSITIONS


def mermaid() -> str:
    lines = ["stateDiagram-v2"]
    for (source, action), target in TRANSITIONS.items():
        lines.append(f"    {source.value if source else '[*]'} --> {target.value}: {action}")
    return "\n".join(lines)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    import django

    django.setup()
    print(mermaid())
