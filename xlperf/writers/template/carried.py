"""The marks of a template pre-filled from last year's submission (``xlperf template
--from``; docs/review-loop.md, ``templates/template_sheets.toml`` ``[carried]``).

Every value written from last year's submission (:attr:`Book.carried
<xlperf.writers.template.base.Book>`) is recorded on the hidden sheet ``_上年值``, one
row per cell: 工作表 | 单元格 | 上年值 (the value itself, a number as a number). Each
such cell gets a conditional format comparing it with its row there (``=$B$3='_上年值'!$C$2``):
the cell is coloured while it still holds last year's value, and the colour goes when the
clerk types. Import recognises the sheet (xlperf/forms/own_sheets.py) and reports a
project whose carried values were all left as they were (``carried-over-unchanged``).
"""

from __future__ import annotations

from xlsxwriter.utility import xl_rowcol_to_cell

from ...cellref import cell_name, quoted_sheet
from .base import Book

__all__ = ["write_carried_sheet"]


def write_carried_sheet(book: Book) -> None:
    """Add the hidden ``_上年值`` sheet of *book*'s carried values and mark each cell."""
    spec = book.spec.section("carried")
    ws = book.wb.add_worksheet(spec["sheet"])
    ws.hide()
    ws.protect("")
    for c, text in enumerate(spec["headings"]):
        ws.write_string(0, c, text)
    mark = book.wb.add_format({"bg_color": "#" + spec["fill"]})
    sheets = {w.get_name(): w for w in book.wb.worksheets()}
    where = quoted_sheet(spec["sheet"])
    for i, cell in enumerate(book.carried or [], start=1):
        ws.write_string(i, 0, cell.sheet)
        ws.write_string(i, 1, cell_name(cell.first_row, cell.first_col))
        if isinstance(cell.value, str):
            ws.write_string(i, 2, cell.value)
        else:
            ws.write_number(i, 2, cell.value)
        first = xl_rowcol_to_cell(cell.first_row, cell.first_col, row_abs=True, col_abs=True)
        sheets[cell.sheet].conditional_format(cell.first_row, cell.first_col, cell.last_row, cell.last_col, {
            "type": "formula", "criteria": f"={first}={where}!$C${i + 1}", "format": mark})
    ws.set_column(0, 0, 20)
    ws.set_column(1, 1, 10)
    ws.set_column(2, 2, 60)
