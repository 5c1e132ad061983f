"""What a list shows for each petition, on the page and in the Excel export alike: the masking of
身份证号 and phone numbers in lists, and the hidden identity of accusers (检举控告)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from xinfang.audit.services import audit_record
from xinfang.cases.access import identity_visible
from xinfang.lib.idcard import mask, mask_phone
from xinfang.lib.spreadsheet import safe_cell
from xinfang.orgs.models import User
from xinfang.petitions.models import Petition

# An export larger than this is refused: narrow the filters instead.
EXPORT_MAX_ROWS = 50_000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class PersonCell:
    name: str
    id_number: str
    phone: str
    is_representative: bool


@dataclass(frozen=True)
class PetitionRow:
    petition: Petition
    petitioners: list[PersonCell]
    identity_hidden: bool
    overdue: bool


def petition_rows(user: User, petitions: Iterable[Petition]) -> Iterator[PetitionRow]:
    """One row per petition; ``petitions`` comes through ``selectors.list_related``."""
    full = user.sees_full_identity_in_lists
    today = timezone.localdate()
    for p in petitions:
        hidden = not identity_visible(user, p)
        people = []
        if not hidden:
            for link in p.links.all():
                person = link.petitioner
                people.append(
                    PersonCell(
                        name=person.name,
                        id_number=person.id_number if full else mask(person.id_number),
                        phone=person.phone if full else mask_phone(person.phone),
                        is_representative=link.is_representative,
                    )
                )
        overdue = p.is_open and p.due_at is not None and p.due_at < today
        yield PetitionRow(petition=p, petitioners=people, identity_hidden=hidden, overdue=overdue)


def audit_identity_list(*, user: User, case_numbers: list[str], via: str, ip: str | None) -> None:
    """A list showing full 身份证号 and phone numbers (to the roles that may see them) reads personal
    data: one audit entry names the cases whose petitioners it showed. Masked lists write none."""
    if user.sees_full_identity_in_lists and case_numbers:
        audit_record(
            actor=user,
            action="personal_data.list",
            obj=user,
            detail={"via": via, "cases": case_numbers},
            ip=ip,
        )


def shown_cases(rows: Iterable[PetitionRow]) -> list[str]:
    """The case numbers of rows that show their petitioners."""
    return [row.petition.case_number for row in rows if row.petitioners]


def export_limit_message(count: int) -> str:
    return _(
        "This list has %(count)d cases; an Excel export holds at most %(limit)d. "
        "Narrow the filters and export again."
    ) % {"count": count, "limit": EXPORT_MAX_ROWS}


def _columns() -> list[tuple[str, int]]:
    """(Chinese header, column width)."""
    return [
        (_("Case number"), 24),
        (_("Received date"), 12),
        (_("Channel"), 10),
        (_("Visit level"), 10),
        (_("Persons"), 7),
        (pgettext("column", "Collective visit"), 9),
        (_("Title"), 40),
        (_("Problem category"), 22),
        (_("Request class"), 14),
        (_("Petitioners"), 18),
        (_("ID card number"), 22),
        (_("Phone"), 16),
        (_("Status"), 10),
        (_("Deadline"), 12),
        (pgettext("column", "Overdue"), 9),
        (_("Registering unit"), 20),
        (_("Responsible unit"), 20),
    ]


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _values(row: PetitionRow) -> list[object]:
    p = row.petition
    if row.identity_hidden:
        names, ids, phones = _("(Accuser's identity protected)"), "", ""
    else:
        names = "、".join(person.name for person in row.petitioners)
        ids = "\n".join(person.id_number for person in row.petitioners if person.id_number)
        phones = "\n".join(person.phone for person in row.petitioners if person.phone)
    return [
        p.case_number,
        p.received_at,
        p.get_channel_display(),
        p.get_visit_level_display() if p.visit_level else "",
        p.persons,
        _yes_no(p.is_collective),
        p.title,
        str(p.category),
        p.get_request_class_display(),
        names,
        ids,
        phones,
        p.get_status_display(),
        p.due_at,
        _yes_no(row.overdue),
        p.registering_unit.name,
        p.handling_unit.name if p.handling_unit else "",
    ]


def _cell(ws: WriteOnlyWorksheet, value: object, *, wrap: bool = False) -> WriteOnlyCell:
    cell = safe_cell(ws, value)
    if isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def petitions_workbook(rows: Iterable[PetitionRow], *, sheet_title: str) -> bytes:
    """An .xlsx of the rows: Chinese headers, the header row frozen, dates as dates."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet_title[:31])
    columns = _columns()
    for i, (_header, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE6F0")
    header = []
    for title, _width in columns:
        cell = safe_cell(ws, title)
        cell.font = bold
        cell.fill = fill
        header.append(cell)
    ws.append(header)
    wrapped = {9, 10, 11}  # petitioners, ID numbers and phones hold one line per person
    for row in rows:
        ws.append([_cell(ws, v, wrap=i in wrapped) for i, v in enumerate(_values(row))])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
