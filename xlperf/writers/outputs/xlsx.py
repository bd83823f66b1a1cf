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

Rows stream from the consolidation (:class:`~xlperf.consolidate.tables.Consolidation`)
into xlsxwriter's ``constant_memory`` mode, so memory does not grow with the number of
rows; the 指标 and 部门指标 sheets leave out the columns marked ``workbook=False`` in the
schema (they repeat what the 项目 and 来源 sheets hold).

Everything goes through :func:`~xlperf.writers.atomic.atomic_path`: a failure (a full
disk, for the output or for xlsxwriter's temporary files, which go to a private folder
removed afterwards) is an :class:`~xlperf.errors.OutputError` with a Chinese message,
leaves any earlier output untouched and no temporary file behind. Content is
deterministic: the document's creation date is fixed and no sheet holds a timestamp of
the run. The file written is recorded as the merge's own output
(:mod:`xlperf.consolidate.ledger`).
"""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from itertools import chain, islice

import pandas as pd
import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException
from xlsxwriter.utility import xl_range

from ...cellref import MAX_ROWS
from ...consolidate.ledger import record
from ...consolidate.tables import OUTPUT_MARK, OVERVIEW, Consolidation, Table, tables
from ...errors import OutputError
from ...text import EXCEL_TEXT_LIMIT, exceeds_cell
from ..atomic import atomic_path
from .tables import output_failure

__all__ = ["EXCEL_MAX_ROWS", "TRUNCATION_MARK", "write", "write_consolidated"]

EXCEL_MAX_ROWS = MAX_ROWS
TRUNCATE_AT = 32_000
TRUNCATION_MARK = "…[超长，完整内容见 JSON/Parquet]"
FONT = "等线"
CREATED = datetime(2000, 1, 1)
_WIDTH_SAMPLE = 1000


class _QuietAfterError(io.FileIO):
    """The output file handed to xlsxwriter's zip writer: after the first failed write
    (a full disk) every further write only moves a position kept here, so that the zip
    writer's own clean-up (``ZipFile.__del__`` writing its directory) neither fails again
    nor prints a second traceback; the first error is what is reported."""

    failed: OSError | None = None
    _pos = 0  # the position the zip writer believes in, once writing has failed
    _end = 0

    def write(self, data: object) -> int:  # type: ignore[override]
        if self.failed is not None:
            n = memoryview(data).nbytes  # type: ignore[arg-type]
            self._pos += n
            self._end = max(self._end, self._pos)
            return n
        try:
            return self._write(data)
        except OSError as exc:
            self.failed = exc
            with contextlib.suppress(OSError, ValueError):
                self._pos = self._end = super().tell()
            raise

    def _write(self, data: object) -> int:
        return super().write(data)  # type: ignore[arg-type]

    def seek(self, pos: int, whence: int = 0) -> int:
        if self.failed is None:
            return super().seek(pos, whence)
        self._pos = (pos, self._pos + pos, self._end + pos)[whence]
        return self._pos

    def tell(self) -> int:
        return self._pos if self.failed is not None else super().tell()

    def flush(self) -> None:
        if self.failed is None and not self.closed:
            super().flush()


def write_consolidated(result: Consolidation, path: str, *, max_rows: int = EXCEL_MAX_ROWS) -> None:
    """Write the consolidated workbook to *path* (module doc). *max_rows* is the sheet
    size limit, header included (tests lower it to check the split). Raises
    :class:`~xlperf.errors.OutputError` when the file cannot be written."""
    with atomic_path(path) as tmp:
        scratch = tempfile.mkdtemp(prefix="xlsxwriter-", dir=getattr(result, "scratch", None))
        try:
            with _QuietAfterError(tmp, "w") as fh:
                wb = xlsxwriter.Workbook(fh, {
                    "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                    "strings_to_numbers": False, "tmpdir": scratch,
                    "default_format_properties": {"font_name": FONT, "font_size": 11},
                })
                try:
                    _fill(wb, result, max_rows)
                    wb.close()
                finally:
                    for ws in wb.worksheets():  # constant_memory row files: closed before the folder goes
                        with contextlib.suppress(Exception):
                            ws._opt_close()  # noqa: SLF001
        except OSError as exc:
            raise output_failure(path, exc) from None
        except XlsxWriterException as exc:  # FileCreateError wraps the OSError of the zip write
            if exc.args and isinstance(exc.args[0], OSError):
                raise output_failure(path, exc.args[0]) from None
            raise OutputError(f"写入 {path} 失败：{exc}") from None
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    record([path])


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


def _widths(headers: Sequence[str], sample: Sequence[tuple]) -> list[float]:
    """Column widths from the header and the first rows."""
    out = []
    for c, col in enumerate(headers):
        head = _width(col)  # a long header wraps onto two lines rather than widen the column
        w = max([min(head + 2, max(10, head // 2 + 3)), *(_width(row[c]) for row in sample if row[c] is not None)])
        out.append(float(min(max(w, 6), 50)))
    return out


def _cut(text: str) -> str:
    if not exceeds_cell(text):
        return text
    return text[:TRUNCATE_AT] + TRUNCATION_MARK


def _fill(wb: xlsxwriter.Workbook, result: Consolidation, max_rows: int) -> None:
    wb.set_properties({"title": "预算绩效目标汇总", "subject": "预算绩效目标（部门、项目、绩效指标）多县汇总",
                       "author": "xlperf", "comments": "xlperf merge", "created": CREATED})
    wb.set_custom_property("xlperf", OUTPUT_MARK)
    fmts = _Formats(wb)
    per_sheet = max_rows - 1
    for table in tables():
        headers = [h for h in result.headers(table) if table.shows(h)]
        n = result.count(table)
        rows: Iterator[tuple] = iter(result.rows(table, headers))
        sample = list(islice(rows, _WIDTH_SAMPLE))
        widths = _widths(headers, sample)
        rows = chain(sample, rows)
        sheet = table.sheet
        for part, start in enumerate(range(0, max(n, 1), per_sheet)):
            size = min(per_sheet, n - start)
            ws = wb.add_worksheet(sheet if part == 0 else f"{sheet} ({part + 1})")
            name = table.name if part == 0 else f"{table.name}_{part + 1}"
            if table.name == OVERVIEW.name:  # a few rows: the totals and the chart need them all
                chunk = pd.DataFrame(list(islice(rows, size)), columns=headers, dtype=object)
                _write_table(ws, headers, widths, chunk.itertuples(index=False, name=None), len(chunk), name=name, fmts=fmts)
                _overview_extras(wb, ws, chunk, fmts=fmts, sheet=ws.name)
            else:
                _write_table(ws, headers, widths, islice(rows, size), size, name=name, fmts=fmts)


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


def _write_table(ws: object, headers: list[str], widths: list[float], rows: Iterable[tuple], count: int, *,
                 name: str, fmts: _Formats) -> None:
    """*count* rows under *headers*, declared an Excel table, streamed row by row."""
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)  # type: ignore[attr-defined]
    ws.freeze_panes(1, 0)  # type: ignore[attr-defined]
    ws.set_row(0, 32)  # type: ignore[attr-defined]
    ws.set_paper(9)  # A4, landscape, one page wide, header row on every page  # type: ignore[attr-defined]
    ws.set_landscape()  # type: ignore[attr-defined]
    ws.fit_to_pages(1, 0)  # type: ignore[attr-defined]
    ws.repeat_rows(0)  # type: ignore[attr-defined]
    _declare_table(ws, name=name, headers=headers, last_row=count, fmts=fmts)
    write_string, write_number = ws.write_string, ws.write_number  # type: ignore[attr-defined]
    places, decimal_fmt = _places, fmts.decimals
    for r, row in enumerate(rows, start=1):
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
