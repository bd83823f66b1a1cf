"""The consolidated workbook of a :class:`~xlperf.consolidate.tables.Consolidation`
(``xlperf merge -o``), one output format of :mod:`xlperf.writers.outputs`.

The workbook has one sheet per table (概览, 部门, 项目, 指标, 部门指标, 问题, 来源), each
an Excel table with filters and a frozen header, Chinese-aware column widths and a CJK
font; 概览 adds a totals row and a chart of amounts by county. Amounts are numbers
shown with the decimals they were entered with (``0.000000`` for 0.288161 万元).

Submitted text is untrusted (docs/untrusted-input.md): it is written only with
``write_string`` in a workbook opened with ``strings_to_formulas`` /
``strings_to_urls`` / ``strings_to_numbers`` off, so ``=HYPERLINK(...)``, ``+1``,
``@SUM(1)`` or ``http://…`` stay plain text. A text longer than an Excel cell holds
(32,767 characters) is written as its first 32,000 characters plus
:data:`TRUNCATION_MARK` (the merge reports it as ``text-too-long``); the Parquet and CSV
formats keep it whole. Sheets past Excel's 1,048,576 rows continue in ``指标 (2)`` … .

Everything goes through :func:`~xlperf.writers.atomic.atomic_path`: a failure leaves
any earlier output untouched and no temporary file behind. Content is deterministic:
the document's creation date is fixed and no sheet holds a timestamp of the run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

import pandas as pd
import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException
from xlsxwriter.utility import xl_range

from ...cellref import MAX_ROWS
from ...consolidate.tables import OUTPUT_MARK, OVERVIEW, Consolidation
from ...errors import OutputError
from ...text import EXCEL_TEXT_LIMIT, exceeds_cell
from ..atomic import atomic_path, write_failed

__all__ = ["EXCEL_MAX_ROWS", "TRUNCATION_MARK", "write", "write_consolidated", "write_tables"]

EXCEL_MAX_ROWS = MAX_ROWS
TRUNCATE_AT = 32_000
TRUNCATION_MARK = "…[超长，完整内容见 JSON/Parquet]"
FONT = "等线"
CREATED = datetime(2000, 1, 1)
_WIDTH_SAMPLE = 1000


_MERGE_PROPERTIES = {"title": "预算绩效目标汇总", "subject": "预算绩效目标（部门、项目、绩效指标）多县汇总",
                     "comments": "xlperf merge"}


def write_consolidated(result: Consolidation, path: str, *, max_rows: int = EXCEL_MAX_ROWS) -> None:
    """Write the consolidated workbook to *path* (module doc). *max_rows* is the sheet
    size limit, header included (tests lower it to check the split). Raises
    :class:`~xlperf.errors.OutputError` when the file cannot be written."""
    write_tables(path, result.sheets(), properties=_MERGE_PROPERTIES, max_rows=max_rows)


def write_tables(path: str, sheets: Iterable[tuple[str, str, pd.DataFrame]], *, properties: dict[str, str],
                 max_rows: int = EXCEL_MAX_ROWS) -> None:
    """Write each (sheet name, table name, DataFrame) of *sheets* as an Excel table on its
    own sheet, as the consolidated workbook is written (module doc), with the document
    *properties* (``title``, ``subject``, ``comments``) and the output mark, so that
    ``xlperf merge`` never takes the workbook for a submission. Used for the
    consolidated workbook and the diff workbook (``xlperf diff -o``). Raises
    :class:`~xlperf.errors.OutputError` when the file cannot be written."""
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(tmp, {
            "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False, "default_format_properties": {"font_name": FONT, "font_size": 11},
        })
        try:
            _fill(wb, sheets, max_rows, properties)
        except BaseException:
            with contextlib.suppress(Exception):
                wb.close()  # releases the row temp files; the partial file is discarded
            raise
        try:
            wb.close()
        except (OSError, XlsxWriterException) as exc:
            raise write_failed(path, exc) from exc


class _Formats:
    """Cell formats, created once per workbook: header, totals, a number format per
    count of decimals."""

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self.wb = wb
        self.header = wb.add_format({"bold": True, "text_wrap": True, "valign": "vcenter", "font_name": FONT,
                                     "font_color": "#FFFFFF", "bg_color": "#4472C4", "border": 1, "border_color": "#8EA9DB"})
        self.total_label = wb.add_format({"bold": True, "font_name": FONT, "top": 1, "bottom": 6, "bg_color": "#D9E1F2"})
        self._decimals: dict[int, object] = {}
        self._totals: dict[int, object] = {}

    def decimals(self, places: int, *, total: bool = False) -> object:
        """The number format showing *places* decimals (an amount as entered), bold and
        ruled for the totals row when *total*; one xlsxwriter format per kind, cached."""
        cache = self._totals if total else self._decimals
        fmt = cache.get(places)
        if fmt is None:
            props = {"num_format": "0." + "0" * places if places else "0", "font_name": FONT}
            if total:
                props.update(bold=True, top=1, bottom=6, bg_color="#D9E1F2")
            fmt = cache[places] = self.wb.add_format(props)
        return fmt


def _places(value: Decimal) -> int:
    """Decimals as entered: from the exponent (0.288161 -> 6). An integral value with one
    decimal place (``Decimal('5.0')``) is how a whole number read from a float looks, so
    it shows as ``5``."""
    exp = value.as_tuple().exponent
    if not isinstance(exp, int) or exp >= 0:
        return 0
    if exp == -1 and value == value.to_integral_value():
        return 0
    return min(-exp, 15)


def _width(value: object) -> int:
    text = value if isinstance(value, str) else str(value)
    text = text.split("\n", 1)[0][:100]
    return len(text) + (len(text.encode("utf-8")) - len(text)) // 2  # CJK (3 UTF-8 bytes) counts 2


def _widths(df: pd.DataFrame) -> list[float]:
    out = []
    sample = df.head(_WIDTH_SAMPLE)
    for col in df.columns:
        values = [v for v in sample[col] if v is not None]
        head = _width(col)  # a long header wraps onto two lines rather than widen the column
        w = max([min(head + 2, max(10, head // 2 + 3)), *(_width(v) for v in values)])
        out.append(float(min(max(w, 6), 50)))
    return out


def _cut(text: str) -> str:
    if not exceeds_cell(text):
        return text
    return text[:TRUNCATE_AT] + TRUNCATION_MARK


def _fill(wb: xlsxwriter.Workbook, sheets: Iterable[tuple[str, str, pd.DataFrame]], max_rows: int,
          properties: dict[str, str]) -> None:
    wb.set_properties({**properties, "author": "xlperf", "created": CREATED})
    wb.set_custom_property("xlperf", OUTPUT_MARK)
    fmts = _Formats(wb)
    per_sheet = max_rows - 1
    for sheet, table, df in sheets:
        n = len(df)
        for part, start in enumerate(range(0, max(n, 1), per_sheet)):
            chunk = df.iloc[start:start + per_sheet]
            ws = wb.add_worksheet(sheet if part == 0 else f"{sheet} ({part + 1})")
            _write_table(ws, chunk, name=table if part == 0 else f"{table}_{part + 1}", fmts=fmts)
            if table == OVERVIEW.name:
                _overview_extras(wb, ws, chunk, fmts=fmts, sheet=sheet)


def _declare_table(ws: object, *, name: str, headers: list[str], last_row: int, fmts: _Formats) -> None:
    """Make rows 0..*last_row* an Excel table before its rows are streamed.

    xlsxwriter refuses ``add_table()`` in constant_memory mode (and would index every
    cell of the range to find overlaps). A table is metadata only, so it is declared
    over the header and first data row with constant_memory briefly off, then its
    ranges are widened to the rows that follow. The header cells ``add_table`` stored
    as shared strings are rewritten as the inline strings constant_memory rows need.
    The round trip is checked by the tests (openpyxl reads the table's ``ref``).
    """
    ws.constant_memory = False  # type: ignore[attr-defined]
    try:
        rc = ws.add_table(0, 0, 1, len(headers) - 1, {  # type: ignore[attr-defined]
            "name": name, "style": "TableStyleMedium2", "columns": [{"header": h} for h in headers]})
    finally:
        ws.constant_memory = True  # type: ignore[attr-defined]
    if rc != 0:
        raise OutputError(f"无法在工作表中建立表格 {name}（xlsxwriter 返回 {rc}）")
    for c, h in enumerate(headers):
        ws.write_string(0, c, h, fmts.header)  # type: ignore[attr-defined]
    table = ws.tables[-1]  # type: ignore[attr-defined]
    table["range"] = table["a_range"] = table["autofilter"] = xl_range(0, 0, max(last_row, 1), len(headers) - 1)


def _write_table(ws: object, df: pd.DataFrame, *, name: str, fmts: _Formats) -> None:
    headers = [str(c) for c in df.columns]
    for c, w in enumerate(_widths(df)):
        ws.set_column(c, c, w)  # type: ignore[attr-defined]
    ws.freeze_panes(1, 0)  # type: ignore[attr-defined]
    ws.set_row(0, 32)  # type: ignore[attr-defined]
    ws.set_paper(9)  # A4, landscape, one page wide, header row on every page  # type: ignore[attr-defined]
    ws.set_landscape()  # type: ignore[attr-defined]
    ws.fit_to_pages(1, 0)  # type: ignore[attr-defined]
    ws.repeat_rows(0)  # type: ignore[attr-defined]
    _declare_table(ws, name=name, headers=headers, last_row=len(df), fmts=fmts)
    write_string, write_number = ws.write_string, ws.write_number  # type: ignore[attr-defined]
    places, decimal_fmt = _places, fmts.decimals
    for r, row in enumerate(df.itertuples(index=False, name=None), start=1):
        for c, v in enumerate(row):
            if v is None:
                continue
            t = type(v)
            if t is str:
                write_string(r, c, v if len(v) <= EXCEL_TEXT_LIMIT // 2 else _cut(v))
            elif t is Decimal:
                if v.is_finite():
                    write_number(r, c, float(v), decimal_fmt(places(v)))
                else:
                    write_string(r, c, str(v))
            elif t is int or t is float:
                if v == v:  # NaN: leave empty
                    write_number(r, c, v)
            elif t is bool:
                ws.write_boolean(r, c, v)  # type: ignore[attr-defined]
            else:
                write_string(r, c, _cut(str(v)))


def _overview_extras(wb: xlsxwriter.Workbook, ws: object, df: pd.DataFrame, *, fmts: _Formats, sheet: str) -> None:
    """The totals row under the 概览 table and the chart of amounts by county."""
    n = len(df)
    total_row = max(n, 1) + 1
    ws.write_string(total_row, 0, "合计", fmts.total_label)  # type: ignore[attr-defined]
    for c, col in enumerate(df.columns):
        if c < 3:
            if c:
                ws.write_blank(total_row, c, None, fmts.total_label)  # type: ignore[attr-defined]
            continue
        values = [v for v in df[col] if v is not None]
        total = sum(values, Decimal(0)) if any(type(v) is Decimal for v in values) else sum(values)
        places = _places(total) if isinstance(total, Decimal) else 0
        ws.write_number(total_row, c, float(total), fmts.decimals(places, total=True))  # type: ignore[attr-defined]
    if not n:
        return
    amount = list(df.columns).index(OVERVIEW.header("amount_total"))
    county = list(df.columns).index(OVERVIEW.header("county"))
    chart = wb.add_chart({"type": "column"})
    font = {"name": FONT}
    chart.add_series({
        "name": "项目年度金额（万元）",
        "categories": [sheet, 1, county, n, county],
        "values": [sheet, 1, amount, n, amount],
        "data_labels": {"value": True, "num_format": "0.00", "font": font},
        "fill": {"color": "#4472C4"},
    })
    chart.set_title({"name": "各县（区）项目年度金额（万元）", "name_font": {**font, "size": 12, "bold": True}})
    chart.set_x_axis({"num_font": font})
    chart.set_y_axis({"num_font": font, "name": "万元", "name_font": font, "major_gridlines": {"visible": True}})
    chart.set_legend({"none": True})
    chart.set_size({"width": max(480, 90 * n), "height": 320})
    ws.insert_chart(total_row + 2, 0, chart)  # type: ignore[attr-defined]


def write(result: Consolidation, path: str) -> list[str]:
    """The registry entry (:mod:`xlperf.writers.outputs`): :func:`write_consolidated` to *path*."""
    write_consolidated(result, path)
    return [path]
