"""Generated reports: 台账 Excel ledgers, the paragraph as DOCX and the annual report of
条例第四十一条 as DOCX. Readers only; every export is audited by the view that serves it."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from xinfang.cases.access import visible_petitions
from xinfang.cases.exports import EXPORT_MAX_ROWS, PetitionRow, petition_rows
from xinfang.cases.models import Supervision, SupervisionLevel
from xinfang.lib.spreadsheet import safe_cell
from xinfang.orgs.models import User
from xinfang.petitions.models import Category, Channel, Petition, VisitLevel
from xinfang.petitions.selectors import list_related
from xinfang.stats import metrics as mx
from xinfang.stats.paragraph import statistics_paragraph
from xinfang.stats.periods import Period
from xinfang.stats.selectors import Scope, base_q, compute, single

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- 台账 ------------------------------------------------------------------------------------------


def _key_q() -> Q:
    """重点: collective, level-skipping, to the province or Beijing, or under 挂牌督办."""
    listed = Supervision.objects.filter(level=SupervisionLevel.LISTED).values("petition_id")
    return (
        Q(is_collective=True)
        | Q(is_skip_level=True)
        | Q(visit_level__in=[VisitLevel.PROVINCE, VisitLevel.NATIONAL])
        | Q(pk__in=listed)
    )


@dataclass(frozen=True)
class Ledger:
    key: str
    title: Promise
    where: Callable[[], Q]
    uses_period: bool = True


LEDGERS: dict[str, Ledger] = {
    ledger.key: ledger
    for ledger in (
        Ledger("visit", gettext_lazy("Visit ledger"), lambda: Q(channel=Channel.VISIT)),  # 来访台账
        Ledger("letter", gettext_lazy("Letter ledger"), lambda: Q(channel=Channel.LETTER)),  # 来信台账
        Ledger(
            "online", gettext_lazy("Online petition ledger"), lambda: Q(channel=Channel.ONLINE)
        ),  # 网信台账
        Ledger("phone", gettext_lazy("Call ledger"), lambda: Q(channel=Channel.PHONE)),  # 来电台账
        Ledger(
            "overdue", gettext_lazy("Overdue ledger"), lambda: mx.overdue_q({}), uses_period=False
        ),  # 超期台账
        Ledger("supervision", gettext_lazy("Supervision ledger"), Q),  # 督办台账
        Ledger("key", gettext_lazy("Key case ledger"), _key_q),  # 重点台账
    )
}


def ledger_petitions(user: User, ledger: Ledger, *, scope: Scope, period: Period) -> QuerySet[Petition]:
    cfg = mx.config()
    where = base_q(
        mx.PETITION, period=period if ledger.uses_period else None, scope=scope, cfg=cfg, filters=None
    )
    return visible_petitions(user).filter(where & ledger.where()).order_by("received_at", "id")


def ledger_supervisions(user: User, *, scope: Scope, period: Period) -> QuerySet[Supervision]:
    petitions = ledger_petitions(user, LEDGERS["supervision"], scope=scope, period=period)
    return (
        Supervision.objects.filter(petition__in=petitions.values("pk"))
        .select_related("petition", "unit", "issued_from")
        .order_by("issued_on", "id")
    )


def _petition_columns(visit: bool) -> list[tuple[str, int, Callable[[int, PetitionRow], Any]]]:
    def people(row: PetitionRow) -> tuple[str, str, str]:
        if row.identity_hidden:
            return _("(Accuser's identity protected)"), "", ""
        return (
            "、".join(p.name for p in row.petitioners),
            "\n".join(p.id_number for p in row.petitioners if p.id_number),
            "\n".join(p.phone for p in row.petitioners if p.phone),
        )

    cols: list[tuple[str, int, Callable[[int, PetitionRow], Any]]] = [
        (_("No."), 6, lambda i, r: i),
        (_("Case number"), 24, lambda i, r: r.petition.case_number),
        (_("Received date"), 12, lambda i, r: r.petition.received_at),
        (_("Channel"), 10, lambda i, r: r.petition.get_channel_display()),
        (_("Petitioners"), 18, lambda i, r: people(r)[0]),
        (_("ID card number"), 22, lambda i, r: people(r)[1]),
        (_("Phone"), 16, lambda i, r: people(r)[2]),
    ]
    if visit:
        cols += [
            (_("Persons"), 7, lambda i, r: r.petition.persons),
            (_("Visit level"), 10, lambda i, r: r.petition.get_visit_level_display()),
            (_("Collective visit"), 9, lambda i, r: _("Yes") if r.petition.is_collective else _("No")),
        ]
    cols += [
        (_("Problem category"), 22, lambda i, r: str(r.petition.category)),
        (_("Title"), 40, lambda i, r: r.petition.title),
        (_("Registering unit"), 20, lambda i, r: r.petition.registering_unit.name),
        (
            _("Responsible unit"),
            20,
            lambda i, r: r.petition.handling_unit.name if r.petition.handling_unit else "",
        ),
        (_("Status"), 10, lambda i, r: r.petition.get_status_display()),
        (_("Deadline"), 12, lambda i, r: r.petition.due_at),
        (_("Overdue"), 7, lambda i, r: _("Yes") if r.overdue else _("No")),
    ]
    return cols


def _supervision_columns() -> list[tuple[str, int, Callable[[int, Supervision], Any]]]:
    return [
        (_("No."), 6, lambda i, s: i),
        (_("Case number"), 24, lambda i, s: s.petition.case_number),
        (_("Title"), 36, lambda i, s: s.petition.title),
        (_("Supervision level"), 12, lambda i, s: s.get_level_display()),
        (_("Reason"), 30, lambda i, s: s.reason),
        (_("Supervised unit"), 20, lambda i, s: s.unit.name),
        (_("Issued by unit"), 20, lambda i, s: s.issued_from.name),
        (_("Issued on"), 12, lambda i, s: s.issued_on),
        (_("Reply due"), 12, lambda i, s: s.reply_due),
        (_("Replied on"), 12, lambda i, s: s.replied_on),
        (_("Progress reply"), 30, lambda i, s: s.reply_text),
        (_("Raised automatically"), 9, lambda i, s: _("Yes") if s.automatic else _("No")),
    ]


def _workbook(
    title: str, heading: str, columns: list[tuple[str, int, Callable[[int, Any], Any]]], rows: Iterable[Any]
) -> bytes:
    """Title row, a bold filled header row (frozen with the title), dates as dates, wrapped text."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    for i, (_h, width, _f) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A3"
    title_cell = safe_cell(ws, heading)
    title_cell.font = Font(bold=True, size=14)
    ws.append([title_cell])
    header = []
    for name, _w, _f in columns:
        cell = safe_cell(ws, name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header.append(cell)
    ws.append(header)
    count = 0
    for count, item in enumerate(rows, start=1):
        cells = []
        for _name, _w, value_of in columns:
            value = value_of(count, item)
            cell = safe_cell(ws, value)
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, str) and ("\n" in value or len(value) > 20):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            cells.append(cell)
        ws.append(cells)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


class TooManyRows(Exception):
    def __init__(self, count: int) -> None:
        super().__init__(count)
        self.count = count


def ledger_workbook(user: User, key: str, *, scope: Scope, period: Period) -> tuple[bytes, int]:
    """The 台账 of ``key`` as .xlsx and its row count; raises ``TooManyRows`` past the export limit."""
    ledger = LEDGERS[key]
    heading = _("%(title)s · %(unit)s · %(period)s") % {
        "title": ledger.title,
        "unit": scope.unit.name,
        "period": period.label() if ledger.uses_period else _("as of today"),
    }
    if key == "supervision":
        supervisions = ledger_supervisions(user, scope=scope, period=period)
        count = supervisions.count()
        if count > EXPORT_MAX_ROWS:
            raise TooManyRows(count)
        return _workbook(
            str(ledger.title), heading, _supervision_columns(), supervisions.iterator(2000)
        ), count
    petitions = ledger_petitions(user, ledger, scope=scope, period=period)
    count = petitions.count()
    if count > EXPORT_MAX_ROWS:
        raise TooManyRows(count)
    rows = petition_rows(user, list_related(petitions).iterator(chunk_size=2000))
    return _workbook(str(ledger.title), heading, _petition_columns(key in ("visit", "key")), rows), count


# --- DOCX ---------------------------------------------------------------------------------------


def _document(title: str) -> Any:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(12)
    heading = doc.add_heading(title, level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return doc


def _save(doc: Any) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def paragraph_docx(title: str, text: str) -> bytes:
    doc = _document(title)
    doc.add_paragraph(text)
    return _save(doc)


def _table(doc: Any, header: list[str], rows: list[list[Any]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = str(value)


ANNUAL_KEYS = [
    "total_batches",
    "total_persons",
    "transferred_items",
    "assigned_items",
    "supervised_items",
    "timely_accept_rate",
    "done_rate",
    "on_time_done_rate",
    "report_rate",
    "satisfaction_rate",
]


def annual_report_docx(user: User, *, scope: Scope, year: int) -> bytes:
    """条例第四十一条: the annual report of the 信访部门 to the Party committee and government —
    the numbers and domains of petitions, the organs most complained about, 转送/交办/督办, and the
    recommendations made and adopted (not recorded yet: the section says so)."""
    cfg = mx.config()
    period = Period.year(year, cfg["month_start_day"])
    doc = _document(_("%(unit)s petition work report for %(year)d") % {"unit": scope.unit.name, "year": year})
    doc.add_paragraph(_("Made under article 41 of the Regulations on Petition Work."))

    doc.add_heading(_("1. Number of petitions"), level=2)
    doc.add_paragraph(statistics_paragraph(scope=scope, period=period, cfg=cfg))

    doc.add_heading(_("2. Main domains"), level=2)
    by_category = compute(
        ["total_batches", "total_persons"], period=period, scope=scope, split=("category",), cfg=cfg
    )
    total = sum(v["total_batches"].num for v in by_category.values()) or 1
    names = dict(Category.objects.filter(pk__in=[k[0] for k in by_category]).values_list("pk", "name"))
    ordered = sorted(by_category.items(), key=lambda kv: -kv[1]["total_batches"].num)
    _table(
        doc,
        [_("Problem category"), _("Batches"), _("Person-times"), _("Share")],
        [
            [
                names.get(k[0], "—"),
                v["total_batches"].num,
                v["total_persons"].num,
                f"{mx.percent(v['total_batches'].num, total)}%",
            ]
            for k, v in ordered
        ],
    )

    doc.add_heading(_("3. Organs most complained about"), level=2)
    complained = (
        Petition.objects.filter(base_q(mx.PETITION, period=period, scope=scope, cfg=cfg, filters=None))
        .filter(complained_unit__isnull=False)
        .values("complained_unit__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "complained_unit__name")[:10]
    )
    rows = [[i, r["complained_unit__name"], r["n"]] for i, r in enumerate(complained, start=1)]
    if rows:
        _table(doc, [_("Rank"), _("Unit complained about"), _("Items")], rows)
    else:
        doc.add_paragraph(_("No petition named a unit complained about in this year."))

    doc.add_heading(_("4. Transfers, assignments and supervision"), level=2)
    figures = single(ANNUAL_KEYS, period=period, scope=scope, cfg=cfg)
    levels = dict(
        Supervision.objects.filter(
            petition__in=Petition.objects.filter(
                base_q(mx.PETITION, period=period, scope=scope, cfg=cfg, filters=None)
            ).values("pk")
        )
        .values_list("level")
        .annotate(n=Count("pk"))
    )
    rows = [[str(figures[k].metric.label), figures[k].display()] for k in ANNUAL_KEYS[2:]]
    rows += [[str(label), levels.get(value, 0)] for value, label in SupervisionLevel.choices]
    _table(doc, [_("Figure"), _("Value")], rows)

    doc.add_heading(_("5. Recommendations and their adoption"), level=2)
    doc.add_paragraph(
        _(
            "The system does not yet record recommendations to improve work, to perfect policies or "
            "to hold people accountable (三项建议), nor whether they were adopted; fill in this "
            "section by hand until such a register exists."
        )
    )
    _table(
        doc,
        [_("Kind of recommendation"), _("Made"), _("Adopted")],
        [[_("Improve work"), "", ""], [_("Perfect policies"), "", ""], [_("Hold accountable"), "", ""]],
    )
    return _save(doc)
