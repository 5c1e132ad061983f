"""Excel export of every list: Chinese headers, the same scope, filters and masking, a row cap, and
an audit entry for each export."""

from __future__ import annotations

import io
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from xinfang.audit.models import AuditLog
from xinfang.cases import exports
from xinfang.lib.idcard import mask, mask_phone
from xinfang.petitions.models import Petition
from xinfang.testing import make_id_number, register

ID_NUMBER = make_id_number()
PHONE = "13812345678"
QUEUE = reverse("petitions:queue")
ALL = reverse("petitions:list")


def sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith("attachment;")
    ws = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=2)]
    return ws, header, rows


def test_it_exports_the_all_cases_list_with_chinese_headers(client, world):
    petition = register(world.clerk, received=date(2024, 3, 1))
    client.force_login(world.clerk)
    ws, header, rows = sheet(client.get(ALL, {"format": "xlsx"}))
    assert header[:3] == ["案件编号", "收件日期", "信访形式"]
    assert "身份证号" in header
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["A"].width >= 20
    assert len(rows) == 1
    row = rows[0]
    assert row["案件编号"] == petition.case_number
    assert row["收件日期"].date() == date(2024, 3, 1)
    assert ws.cell(row=2, column=2).number_format == "yyyy-mm-dd"
    assert row["信访形式"] == "来信"
    assert row["信访人"] == "张三"
    assert row["身份证号"] == ID_NUMBER  # a clerk sees full identity in lists
    assert row["办理期限"].date() == petition.due_at


def test_it_exports_the_queue_with_the_same_filters_and_scope(client, world):
    letter = register(world.clerk)
    register(world.clerk, channel="visit", persons=2, visit_level="local")
    register(world.other_clerk)
    client.force_login(world.clerk)
    _ws, _header, rows = sheet(client.get(QUEUE, {"format": "xlsx", "channel": "letter"}))
    assert [r["案件编号"] for r in rows] == [letter.case_number]


def test_it_exports_the_search_results(client, world):
    wanted = register(world.clerk)
    register(world.clerk, petitioners=[{"name": "李四"}])
    client.force_login(world.clerk)
    _ws, _header, rows = sheet(client.get(ALL, {"format": "xlsx", "q": ID_NUMBER}))
    assert [r["案件编号"] for r in rows] == [wanted.case_number]


def test_it_masks_identity_in_the_export_for_a_handler(client, world):
    petition = register(world.clerk)
    Petition.objects.filter(pk=petition.pk).update(handling_unit=world.township)
    client.force_login(world.township_handler)
    _ws, _header, rows = sheet(client.get(QUEUE, {"format": "xlsx"}))
    assert rows[0]["身份证号"] == mask(ID_NUMBER)
    assert rows[0]["联系电话"] == mask_phone(PHONE)


def test_it_hides_the_accuser_in_the_export_for_the_unit_complained_about(client, world):
    petition = register(
        world.clerk,
        request_class="accusation",
        complained_unit=world.township.code,
        category="1003",
        petitioners=[
            {"name": "举报人甲", "id_number": make_id_number("11010519491231002"), "phone": "13900001111"}
        ],
    )
    Petition.objects.filter(pk=petition.pk).update(handling_unit=world.township)
    client.force_login(world.township_handler)
    response = client.get(ALL, {"format": "xlsx"})
    _ws, _header, rows = sheet(response)
    assert rows[0]["信访人"] == "（检举人信息已保护）"
    assert not rows[0]["身份证号"]
    assert not rows[0]["联系电话"]


def test_it_marks_overdue_cases(client, world):
    petition = register(world.clerk)
    Petition.objects.filter(pk=petition.pk).update(due_at=timezone.localdate() - timedelta(days=2))
    client.force_login(world.clerk)
    _ws, _header, rows = sheet(client.get(QUEUE, {"format": "xlsx"}))
    assert rows[0]["是否超期"] == "是"


def test_it_audits_each_export_with_filters_and_row_count(client, world):
    register(world.clerk)
    register(world.clerk)
    client.force_login(world.clerk)
    client.get(ALL, {"format": "xlsx", "channel": "letter", "q": "张三", "page": "3"}, REMOTE_ADDR="10.0.0.9")
    entry = AuditLog.objects.get(action="petition.export")
    assert entry.actor == world.clerk
    assert entry.ip == "10.0.0.9"
    assert entry.detail["rows"] == 2
    assert entry.detail["filters"] == {"channel": "letter"}
    assert entry.detail["q"] == "张三"
    assert entry.detail["list"] == "all"


def test_it_refuses_an_export_over_the_cap(client, world, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_MAX_ROWS", 2)
    for _ in range(3):
        register(world.clerk)
    client.force_login(world.clerk)
    response = client.get(ALL, {"format": "xlsx", "channel": "letter"})
    assert response.status_code == 302
    assert response["Location"] == f"{ALL}?channel=letter"
    page = client.get(response["Location"])
    assert any("3" in str(m) and "2" in str(m) for m in page.context["messages"])
    assert not AuditLog.objects.filter(action="petition.export").exists()


def test_it_offers_the_export_link_with_the_current_filters(client, world):
    client.force_login(world.clerk)
    html = client.get(ALL, {"channel": "visit", "page": "1"}).content.decode()
    assert "?channel=visit&amp;format=xlsx" in html


def test_a_title_that_starts_like_a_formula_is_exported_as_text(client, world):
    # A petitioner's text must never run in the clerk's spreadsheet (formula injection).
    title = '=HYPERLINK("http://evil.example/","点击查看")'
    register(world.clerk, title=title)
    client.force_login(world.clerk)
    ws, header, rows = sheet(client.get(ALL, {"format": "xlsx"}))
    column = header.index("标题") + 1
    cell = ws.cell(row=2, column=column)
    assert (cell.data_type, cell.value) == ("s", title)
