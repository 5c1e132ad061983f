"""Dashboard, drill-down, paragraph API and page, 台账, annual report and the ranking."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from docx import Document
from openpyxl import load_workbook

from xinfang.audit.models import AuditLog
from xinfang.orgs.services import token_create
from xinfang.stats import rollups
from xinfang.stats.models import RankingEntry, RankingPublication
from xinfang.stats.tests.builders import assignment, items, petition, supervise, visits
from xinfang.testing import PASSWORD, register

pytestmark = pytest.mark.django_db
PERIOD = "from=2024-01-01&to=2024-12-31"


@pytest.fixture(autouse=True)
def _static_root() -> None:
    # WhiteNoise warns (an error here) when STATIC_ROOT does not exist, as in the petitions tests.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    client.get("/healthz")  # the session's clock starts (the login page does it as it logs in)
    return client


def data(world):
    visits(world, 2, persons=3, is_collective=True, handling_unit=world.township)
    items(world, "letter", 3, handling_unit=world.dept, status="closed")
    p = petition(world, channel="online", status="accepted", due_at=date(2024, 4, 1))
    assignment(p, world.dept, world, accepted_on=date(2024, 3, 6), status="accepted")
    supervise(p, world, level="listed")
    petition(world, registering_unit=world.other_bureau, title="白沙县的案件")


def test_it_requires_login(client):
    assert client.get("/stats/").status_code == 302
    assert client.get("/api/v1/reports/paragraph").status_code == 401


def test_the_dashboard_shows_figures_and_charts_in_few_queries(client, world, django_assert_max_num_queries):
    data(world)
    login(client, world.clerk)
    rollups.refresh()  # a bounded number of statements, whatever the data (test_rollups.py)
    with django_assert_max_num_queries(20):
        response = client.get(f"/stats/?{PERIOD}")
    assert response.status_code == 200
    body = response.content.decode()
    assert "/static/vendor/echarts.min.js" in body
    assert "stats-data" in body
    kpi = {k["key"]: k for k in response.context["kpis"]}
    assert kpi["total_batches"]["display"] == "6"
    assert kpi["total_persons"]["display"] == "10"
    assert "城关镇人民政府" in response.context["charts"]["unit"]["labels"]


def test_another_county_sees_nothing_and_cannot_pick_this_county(client, world):
    data(world)
    login(client, world.other_clerk)
    response = client.get(f"/stats/?{PERIOD}")
    kpi = {k["key"]: k for k in response.context["kpis"]}
    assert kpi["total_batches"]["display"] == "1"
    assert client.get(f"/stats/?{PERIOD}&unit={world.county.code}").status_code == 404
    drill = client.get(f"/stats/cases/?{PERIOD}&metric=total_batches")
    assert [r.petition.title for r in drill.context["rows"]] == ["白沙县的案件"]


def test_a_handler_sees_only_their_unit(client, world):
    data(world)
    login(client, world.township_handler)
    response = client.get(f"/stats/?{PERIOD}")
    kpi = {k["key"]: k for k in response.context["kpis"]}
    assert kpi["total_batches"]["display"] == "2"


def test_the_drill_down_lists_the_cases_behind_a_figure(client, world, django_assert_max_num_queries):
    data(world)
    login(client, world.clerk)
    with django_assert_max_num_queries(15):
        response = client.get(f"/stats/cases/?{PERIOD}&metric=collective_batches")
    assert response.status_code == 200
    assert len(response.context["rows"]) == 2
    den = client.get(f"/stats/cases/?{PERIOD}&metric=done_rate&part=den&channel=letter")
    assert len(den.context["rows"]) == 3
    timely = client.get(f"/stats/cases/?{PERIOD}&metric=timely_accept_rate")
    assert len(timely.context["rows"]) == 1
    assert client.get("/stats/cases/?metric=nope").status_code == 404


def test_the_paragraph_api_answers_text_and_shaped_errors(client, world):
    visits(world, 2, persons=3, received_at=date(2024, 5, 1))
    token = token_create(user=world.clerk)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    ok = client.get(
        f"/api/v1/reports/paragraph?unit={world.county.code}&from=2024-01-01&to=2024-09-30", **auth
    )
    assert ok.status_code == 200
    assert ok.json()["text"].startswith("2024年1－9月份，我县本级共接待来访群众2批，6人次；")
    bad = client.get("/api/v1/reports/paragraph?from=2024-13-01&to=2024-09-30", **auth)
    assert bad.status_code == 422
    assert set(bad.json()["error"]) == {"code", "message", "fields"}
    assert "from" in bad.json()["error"]["fields"]
    backwards = client.get("/api/v1/reports/paragraph?from=2024-09-01&to=2024-01-30", **auth)
    assert backwards.status_code == 422 and "to" in backwards.json()["error"]["fields"]
    other = client.get(f"/api/v1/reports/paragraph?unit={world.other_county.code}", **auth)
    assert other.status_code == 404 and other.json()["error"]["code"] == "not_found"


def test_the_paragraph_page_copies_and_downloads_docx(client, world):
    visits(world, 1, persons=2)
    login(client, world.clerk)
    page = client.get(f"/stats/paragraph/?{PERIOD}")
    assert "我县本级共接待来访群众1批，2人次" in page.content.decode()
    response = client.get(f"/stats/paragraph/?{PERIOD}&format=docx")
    doc = Document(io.BytesIO(response.content))
    assert any("我县本级共接待来访群众1批，2人次" in p.text for p in doc.paragraphs)


@pytest.mark.parametrize("key", ["visit", "letter", "online", "phone", "overdue", "supervision", "key"])
def test_every_ledger_opens_with_its_header_frozen(client, world, key):
    data(world)
    login(client, world.clerk)
    response = client.get(f"/stats/reports/ledgers/{key}/?{PERIOD}")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.active
    assert ws.freeze_panes == "A3"
    header = [c.value for c in ws[2]]
    assert header[0] == "序号"
    assert AuditLog.objects.filter(action="stats.ledger_export").count() == 1
    if key == "visit":
        assert ws.max_row == 2 + 2
        assert ws.cell(row=3, column=3).number_format == "yyyy-mm-dd"
    if key == "supervision":
        assert ws.max_row == 3
    if key == "key":
        assert ws.max_row == 2 + 3  # two collective visits and one 挂牌督办


def test_a_ledger_masks_identity_as_the_lists_do(client, world):
    register(world.clerk, received=date(2024, 3, 5))
    login(client, world.leader)
    response = client.get(f"/stats/reports/ledgers/letter/?{PERIOD}")
    ws = load_workbook(io.BytesIO(response.content)).active
    values = [str(c.value) for c in ws[3]]
    assert not any("13812345678" in v for v in values)


def test_the_annual_report_is_a_readable_docx(client, world):
    data(world)
    petition(world, complained_unit=world.dept)
    login(client, world.clerk)
    response = client.get("/stats/reports/annual/?year=2024")
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "清河县人民政府" in text
    assert "我县本级" in text
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "清河县自然资源局" in cells


def test_the_reports_page_links_every_ledger(client, world):
    login(client, world.clerk)
    body = client.get("/stats/reports/").content.decode()
    assert body.count("/stats/reports/ledgers/") == 7


def test_the_ranking_is_per_population_published_and_kept(client, world, django_assert_max_num_queries):
    visits(world, 1, persons=5, handling_unit=world.village, received_at=date(2024, 3, 5))
    visits(
        world, 3, persons=5, handling_unit=world.village, received_at=date(2024, 3, 6), is_legitimate=False
    )
    login(client, world.leader)
    with django_assert_max_num_queries(15):
        page = client.get("/stats/ranking/?year=2024&month=3")
    rows = page.context["rows"]
    assert [r.unit_name for r in rows] == ["城关镇人民政府"]
    # 5 legitimate person-times / 60,000 × 10,000 = 0.83
    assert rows[0].figures["total_persons_per_10k"] == 0.83
    response = client.post("/stats/ranking/", {"year": "2024", "month": "3"})
    publication = RankingPublication.objects.get()
    assert response.status_code == 302
    assert (publication.period_start, publication.period_end) == (date(2024, 3, 1), date(2024, 3, 31))
    entry = RankingEntry.objects.get()
    assert (entry.rank, entry.unit_id) == (1, world.township.pk)
    petition(world, channel="visit", visit_level="local", persons=50, handling_unit=world.township)
    detail = client.get(f"/stats/ranking/{publication.pk}/")
    assert detail.context["entries"][0].score == entry.score
    assert "城关镇人民政府" in client.get("/stats/ranking/").content.decode()


def test_only_leaders_publish_and_other_counties_do_not_see_a_ranking(client, world):
    login(client, world.clerk)
    assert client.post("/stats/ranking/", {"year": "2024", "month": "3"}).status_code == 403
    client.logout()
    login(client, world.leader)
    client.post("/stats/ranking/", {"year": "2024", "month": "3"})
    publication = RankingPublication.objects.get()
    client.logout()
    login(client, world.other_clerk)
    assert client.get(f"/stats/ranking/{publication.pk}/").status_code == 404
    client.logout()
    login(client, world.township_handler)
    assert client.get("/stats/ranking/").status_code == 403
