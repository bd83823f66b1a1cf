"""The sheets the copies put first (openpyxl): ``审核意见`` of the review copy (the
summary, then every finding: 级别, 代码, 说明, 位置 as a link to the cell, 原文) and
``识别图例`` of the show-read copy (a row per role: colour, name, meaning, cells). Words,
columns and colours: ``templates/review_copy.toml``; the importer recognises both sheets
by them (:mod:`xlperf.forms.own_sheets`, docs/review-loop.md).

Text from the submission (原文, the file name) is written as text, never as a formula:
every string cell gets ``data_type = "s"`` after its value is set.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from ..cellref import quoted_sheet
from ..data import load_data
from ..model import Finding
from ..text import EXCEL_TEXT_LIMIT

__all__ = ["CopySummary", "add_legend_sheet", "add_review_sheet", "free_name", "spec"]

_FONT = "宋体"
_THIN = Side(style="thin", color="A6A6A6")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_HEAD_FILL = PatternFill("solid", start_color="D9E1F2", end_color="D9E1F2")


@lru_cache(maxsize=1)
def spec() -> dict:
    """``templates/review_copy.toml``."""
    return load_data("review_copy.toml")


@dataclass(frozen=True)
class CopySummary:
    """The 概况 of the 审核意见 sheet: counts, the total of 项目年度金额 in 万元 (``None``
    when no amount was read) and how many projects' amounts could not be read."""

    projects: int = 0
    indicators: int = 0
    department_indicators: int = 0
    total: Decimal | None = None
    amount_unread: int = 0
    errors: int = 0
    warnings: int = 0


def free_name(wb: Workbook, name: str) -> str:
    """*name*, or *name* with the first number that makes it unused (``审核意见2``)."""
    taken = set(wb.sheetnames)
    if name not in taken:
        return name
    return next(f"{name}{i}" for i in range(2, 1000) if f"{name}{i}" not in taken)


def _put(ws: Worksheet, row: int, col: int, value: object, *, bold: bool = False, fill: str | None = None,
         box: bool = False, size: int = 11) -> None:
    """One cell (1-based *row*, *col*): text written as text, cut at Excel's limit."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)[:EXCEL_TEXT_LIMIT]
        cell.value = text
        cell.data_type = "s"
    else:
        cell.value = value
    cell.font = Font(name=_FONT, bold=bold, size=size)
    cell.alignment = _WRAP
    if fill:
        cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
    if box:
        cell.border = _BOX


def _head(ws: Worksheet, *, title: str, file_line: str, intro: str, widths: list[int]) -> int:
    """Title, file line and intro, merged across the columns; column widths. Returns the next row."""
    last = len(widths)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = w
    for row, text, kw in ((1, title, {"bold": True, "size": 14}), (2, file_line, {}), (3, intro, {})):
        _put(ws, row, 1, text, **kw)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
    ws.row_dimensions[1].height = 24
    chars = sum(widths) - 2
    ws.row_dimensions[3].height = 15 * (1 + (len(intro) * 2) // max(chars, 10))
    return 5


def _page(ws: Worksheet, header_row: int) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)


def _where(f: Finding, sheets: set[str]) -> tuple[str, str | None]:
    """The 位置 text and the link's location (``'项目 3'!D14``), or no link."""
    s = spec()["review_sheet"]
    if f.sheet and f.sheet in sheets:
        cell = f.cell or "A1"
        return (f"{quoted_sheet(f.sheet)}!{f.cell}" if f.cell else f.sheet), f"{quoted_sheet(f.sheet)}!{cell}"
    return (f.where or s["no_cell"]), None


def add_review_sheet(wb: Workbook, *, file_name: str, findings: list[Finding], summary: CopySummary) -> Worksheet:
    """Put the 审核意见 sheet first in *wb*: title, file, intro, 概况, then a row per finding
    (errors first; each in workbook order: file-wide, then by sheet, row and column)."""
    s = spec()["review_sheet"]
    sheets = set(wb.sheetnames)
    ws = wb.create_sheet(free_name(wb, s["name"]), 0)
    row = _head(ws, title=s["title"], file_line=s["file_prefix"] + file_name, intro=s["intro"], widths=s["widths"])
    _put(ws, row, 1, s["summary_heading"], bold=True)
    values = {k: getattr(summary, k) for k in s["summary"]}
    for key, label in s["summary"].items():
        row += 1
        _put(ws, row, 2, label, box=True)
        value = values[key]
        _put(ws, row, 3, "—" if value is None else (float(value) if isinstance(value, Decimal) else value), box=True)
        ws.cell(row=row, column=3).alignment = Alignment(horizontal="left")
    row += 2
    header = row
    for c, text in enumerate(s["columns"], start=1):
        _put(ws, row, c, text, bold=True, fill="D9E1F2", box=True)
    words = {k: v["word"] for k, v in spec()["severity"].items()}
    fills = {k: v["fill"] for k, v in spec()["severity"].items()}
    for f in findings:
        row += 1
        text, location = _where(f, sheets)
        for c, value in enumerate((words.get(f.severity, f.severity), f.code, f.message, text, f.text or ""), start=1):
            _put(ws, row, c, value, box=True, fill=fills.get(f.severity) if c == 1 else None)
        if location:
            link = ws.cell(row=row, column=4)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=location)
            link.font = Font(name=_FONT, color="0563C1", underline="single")
    if not findings:
        _put(ws, row + 1, 1, s["no_findings"])
    ws.auto_filter.ref = f"A{header}:E{max(row, header)}"
    _page(ws, header)
    return ws


def add_legend_sheet(wb: Workbook, *, file_name: str, counts: dict[str, int]) -> Worksheet:
    """Put the 识别图例 sheet first in *wb*: a row per role with its colour and how many
    cells have it (*counts* by role key)."""
    s = spec()["legend_sheet"]
    ws = wb.create_sheet(free_name(wb, s["name"]), 0)
    row = _head(ws, title=s["title"], file_line=s["file_prefix"] + file_name, intro=s["intro"], widths=s["widths"])
    header = row
    for c, text in enumerate(s["columns"], start=1):
        _put(ws, row, c, text, bold=True, fill="D9E1F2", box=True)
    for role in spec()["roles"]:
        row += 1
        _put(ws, row, 1, None, fill=role["fill"], box=True)
        _put(ws, row, 2, role["name"], box=True)
        _put(ws, row, 3, role["meaning"], box=True)
        _put(ws, row, 4, counts.get(role["key"], 0), box=True)
    _page(ws, header)
    return ws
