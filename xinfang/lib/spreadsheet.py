"""Cells of the exported workbooks. A text that starts like a formula (``=``, ``+``, ``-``, ``@``,
tab, carriage return) is stored as text, never as a formula: a petitioner's title or name must not
run in the clerk's spreadsheet (CSV/formula injection, OWASP)."""

from __future__ import annotations

from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(ws: WriteOnlyWorksheet, value: object) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
    return cell
