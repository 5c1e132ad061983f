"""``xinfang report``: the reports as batch jobs, run as a named user with that user's scope."""

from __future__ import annotations

from datetime import date
from io import StringIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from docx import Document

from xinfang.audit.models import AuditLog
from xinfang.stats.tests.builders import items, visits

pytestmark = pytest.mark.django_db

THIS = date(2024, 5, 1)


def report(*args: str) -> str:
    out = StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def test_paragraph_prints_the_seed_style_text_and_writes_docx(world, tmp_path):
    visits(world, 2, persons=3, received_at=THIS)
    items(world, "letter", 4, received_at=THIS)
    out = tmp_path / "p.docx"
    text = report(
        "paragraph",
        "--user",
        world.clerk.username,
        "--from",
        "2024-01-01",
        "--to",
        "2024-09-30",
        "--out",
        str(out),
    )
    assert "接待来访群众2批，6人次" in text
    assert "群众来信4件" in text
    assert any("接待来访群众2批" in p.text for p in Document(str(out)).paragraphs)


def test_ledger_writes_the_visit_ledger_and_audits_the_export(world, tmp_path):
    visits(world, 3, persons=2, received_at=THIS)
    items(world, "letter", 1, received_at=THIS)
    out = tmp_path / "visits.xlsx"
    printed = report(
        "ledger", "visit", "--user", world.clerk.username, "--year", "2024", "--month", "5", "--out", str(out)
    )
    assert "3 rows" in printed
    sheet = openpyxl.load_workbook(out).active
    assert sheet.max_row >= 3 + 1  # a header and three visits
    entry = AuditLog.objects.filter(action="stats.ledger_export").latest("pk")
    assert entry.actor == world.clerk and entry.detail["ledger"] == "visit" and entry.detail["rows"] == 3


def test_a_user_only_reports_on_units_within_their_scope(world, tmp_path):
    with pytest.raises(CommandError, match="--unit"):
        report("paragraph", "--user", world.other_clerk.username, "--unit", world.bureau.code)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["paragraph", "--user", "nobody"], "--user"),
        (["paragraph", "--user", "{clerk}", "--from", "2024-02-30", "--to", "2024-03-01"], "--from"),
        (["paragraph", "--user", "{clerk}", "--from", "2024-03-01", "--to", "2024-02-01"], "--to"),
        (["ledger", "nonsense", "--user", "{clerk}", "--out", "x.xlsx"], "ledger"),
        (["ledger", "visit", "--user", "{clerk}"], "--out"),
        (["ranking", "--user", "{clerk}", "--publish", "十月考核"], "--publish"),
    ],
)
def test_bad_arguments_are_refused_with_the_argument_named(world, args, message):
    with pytest.raises(CommandError, match=message):
        report(*[a.replace("{clerk}", world.clerk.username) for a in args])


def test_ranking_is_published_by_a_leader_and_kept(world):
    from xinfang.stats.models import RankingPublication

    items(world, "letter", 2, received_at=THIS)
    printed = report(
        "ranking", "--user", world.leader.username, "--month", "2024-05", "--publish", "2024年5月考核"
    )
    assert "published #" in printed
    assert RankingPublication.objects.get().title == "2024年5月考核"
