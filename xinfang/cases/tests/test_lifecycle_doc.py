from pathlib import Path

from xinfang.petitions.diagram import mermaid


def test_it_keeps_the_lifecycle_diagram_in_step_with_the_transition_table():
    doc = (Path(__file__).resolve().parents[3] / "docs" / "lifecycle.md").read_text()
    assert mermaid() in doc
