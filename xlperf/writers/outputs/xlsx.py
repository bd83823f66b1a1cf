"""The consolidated workbook of a :class:`~xlperf.consolidate.tables.Consolidation`
(``xlperf merge -o``), one output format of :mod:`xlperf.writers.outputs`.

The workbook has one sheet per table (概览, 部门, 项目, 指标, 部门指标, 问题, 来源), each
an Excel table with filters and a frozen header, Chinese-aware column widths and a CJK
font; 概览 adds its 合计 and a chart of amounts by county, both drawings under the table
(a data reader such as ``pandas.read_excel`` sees the counties only, never a 合计 row to
add twice). Amounts are numbers shown with the decimals they were entered with
(``0.000000`` for 0.288161 万元).

Printing (docs/cli.md): every sheet A4 landscape, the header row on every page, page
numbers, the sheet named in the page header; a long text column is at most
:data:`TEXT_WIDTH` characters wide and wraps; a sheet that fits one page width at
:data:`~xlperf.writers.printing.MIN_SCALE` % or more is fitted to it, a wider one prints
at :data:`WIDE_SCALE` % over several pages side by side (left to right, then down), each
repeating the 县(区) (or 文件) column so every page says which row it continues.

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
import io
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import chain, islice
from decimal import Decimal

import pandas as pd
import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException
from xlsxwriter.utility import xl_range

from ...cellref import MAX_ROWS
from ...consolidate.ledger import record
from ...consolidate.tables import OUTPUT_MARK, OVERVIEW, Consolidation, tables
from ...errors import OutputError
from ...text import EXCEL_TEXT_LIMIT, exceeds_cell
from ..atomic import atomic_path, write_failed
from ..printing import LINE_HEIGHT, MAX_ROW_HEIGHT, MIN_SCALE, column_points, printable_size, setup_page
from .tables import output_failure

__all__ = ["EXCEL_MAX_ROWS", "TRUNCATION_MARK", "write", "write_consolidated", "write_tables"]

EXCEL_MAX_ROWS = MAX_ROWS
TRUNCATE_AT = 32_000
TRUNCATION_MARK = "…[超长，完整内容见 JSON/Parquet]"
FONT = "等线"
CREATED = datetime(2000, 1, 1)
_WIDTH_SAMPLE = 1000
TEXT_WIDTH = 16  # characters: a longer text column wraps rather than widen the printed page
LONG_TEXT_WIDTH = 36  # a column of prose (values over LONG_TEXT characters on average) wraps wider
LONG_TEXT = 40
#: widths chosen so that 问题, the sheet a consolidator prints to follow up, fits one page
#: width at MIN_SCALE: its 说明 (the finding itself) gets the room, codes and paths wrap
_TEXT_WIDTHS = {"说明": 28, "代码": 16, "部门": 14, "文件": 20, "来源文件": 20, "工作表": 12}
WIDE_SCALE = 65  # percent: a sheet wider than a page at MIN_SCALE prints over pages at this scale
#: the column repeated at the left of every printed page of a wide sheet: which county / file a row is
_KEY_HEADERS = ("县(区)", "文件")
PAGE_HEADER = "&L预算绩效目标汇总&R&A"  # left: the workbook, right: the sheet


_MERGE_PROPERTIES = {"title": "预算绩效目标汇总", "subject": "预算绩效目标（部门、项目、绩效指标）多县汇总",
                     "comments": "xlperf merge"}


def write_consolidated(result: Consolidation, path: str, *, max_rows: int = EXCEL_MAX_ROWS) -> None:
    """Write the consolidated workbook to *path* (module doc), its rows streamed from
    *result* (:class:`_TableStream`). *max_rows* is the sheet size limit, header included
    (tests lower it to check the split). Raises :class:`~xlperf.errors.OutputError`
    when the file cannot be written."""
    write_tables(path, _streams(result), properties=_MERGE_PROPERTIES, max_rows=max_rows,
                 tmpdir=getattr(result, "scratch", None))


def write_tables(path: str, sheets: Iterable[tuple[str, str, pd.DataFrame]], *, properties: dict[str, str],
                 max_rows: int = EXCEL_MAX_ROWS, tmpdir: str | None = None) -> None:
    """Write each (sheet name, table name, DataFrame) of *sheets* as an Excel table on its
    own sheet, as the consolidated workbook is written (module doc), with the document
    *properties* (``title``, ``subject``, ``comments``) and the output mark; the file is
    recorded as xlperf's own output (:mod:`xlperf.consolidate.ledger`), so that ``xlperf
    merge`` never takes it for a submission. Used for the consolidated workbook and the
    diff workbook (``xlperf diff -o``). xlsxwriter's temporary files go to a private
    folder in *tmpdir* (default: the temporary folder), removed afterwards. Raises
    :class:`~xlperf.errors.OutputError` when the file cannot be written (a full disk:
    one message, nothing left behind)."""
    with atomic_path(path) as tmp:
        scratch = tempfile.mkdtemp(prefix="xlsxwriter-", dir=tmpdir)
        try:
            with _QuietAfterError(tmp, "w") as fh:
                wb = xlsxwriter.Workbook(fh, {
                    "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                    "strings_to_numbers": False, "tmpdir": scratch,
                    # every cell top-aligned beside wrapped text, at no cost per cell
                    "default_format_properties": {"font_name": FONT, "font_size": 11, "valign": "top"},
                })
                try:
                    _fill(wb, sheets, max_rows, properties)
                    wb.close()
                finally:
                    for ws in wb.worksheets():  # constant_memory row files: closed before the folder goes
                        with contextlib.suppress(Exception):
                            ws._opt_close()  # noqa: SLF001
        except OSError as exc:
            raise output_failure(path, exc) from None
        except XlsxWriterException as exc:  # FileCreateError wraps the OSError of the zip write
            raise (output_failure(path, exc.args[0]) if exc.args and isinstance(exc.args[0], OSError)
                   else write_failed(path, exc)) from None
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    record([path])


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


class _TableStream:
    """A consolidated table as the writer reads a DataFrame, streamed: ``columns`` (those
    the workbook shows), ``len()``, ``head(n)`` (the first rows, for the column widths),
    ``iloc[a:b]`` (the next rows, in order: a sheet's part) and ``itertuples()``; rows
    are read from the consolidation once, as they are written."""

    def __init__(self, columns: list[str], count: int, rows: Iterator[tuple]) -> None:
        self.columns = columns
        self._n = count
        self._rows = rows
        self._buffer: list[tuple] = []

    def __len__(self) -> int:
        return self._n

    def head(self, n: int) -> pd.DataFrame:
        while len(self._buffer) < min(n, self._n):
            row = next(self._rows, None)
            if row is None:
                break
            self._buffer.append(row)
        return pd.DataFrame(self._buffer[:n], columns=self.columns, dtype=object)

    @property
    def iloc(self) -> _TableStream:
        return self

    def __getitem__(self, part: slice) -> _TableStream:
        size = max(0, min(part.stop, self._n) - part.start)
        taken, self._buffer = self._buffer[:size], self._buffer[size:]
        chunk = _TableStream(self.columns, size, chain(taken, islice(self._rows, size - len(taken))))
        return chunk

    def itertuples(self, index: bool = False, name: str | None = None) -> Iterator[tuple]:  # noqa: ARG002
        return chain(self._buffer, self._rows)


def _streams(result: Consolidation) -> Iterator[tuple[str, str, pd.DataFrame]]:
    """The tables of *result* for :func:`write_tables`: 概览 as a DataFrame (a few rows:
    its totals row and chart need them all), the others as :class:`_TableStream`."""
    for table in tables():
        columns = [h for h in result.headers(table) if table.shows(h)]
        if table.name == OVERVIEW.name:
            yield table.sheet, table.name, pd.DataFrame(list(result.rows(table, columns)), columns=columns, dtype=object)
        else:
            yield table.sheet, table.name, _TableStream(columns, result.count(table),  # type: ignore[misc]
                                                         iter(result.rows(table, columns)))


class _Formats:
    """Cell formats, created once per workbook: header, wrapped text, a number format per
    count of decimals (other cells take the workbook's default: the font, top-aligned)."""

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self.wb = wb
        self.header = wb.add_format({"bold": True, "text_wrap": True, "valign": "vcenter", "font_name": FONT,
                                     "font_color": "#FFFFFF", "bg_color": "#4472C4", "border": 1, "border_color": "#8EA9DB"})
        self.wrap = wb.add_format({"font_name": FONT, "text_wrap": True, "valign": "top"})
        self._decimals: dict[int, object] = {}

    def decimals(self, places: int) -> object:
        """The number format showing *places* decimals (an amount as entered); one
        xlsxwriter format per count, cached."""
        fmt = self._decimals.get(places)
        if fmt is None:
            fmt = self._decimals[places] = self.wb.add_format(
                {"num_format": "0." + "0" * places if places else "0", "font_name": FONT, "valign": "top"})
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


def _widths(df: pd.DataFrame) -> tuple[list[float], set[int]]:
    """Column widths (characters) and the columns that wrap: a text column wider than
    :data:`TEXT_WIDTH` is capped there and wraps."""
    out, wrapped = [], set()
    sample = df.head(_WIDTH_SAMPLE)
    for c, col in enumerate(df.columns):
        values = [v for v in sample[col] if v is not None]
        head = _width(col)  # a long header wraps onto two lines rather than widen the column
        w = max([min(head + 2, max(10, head // 2 + 3)), *(_width(v) for v in values)])
        texts = [v for v in values if isinstance(v, str)]
        prose = bool(texts) and sum(map(len, texts)) / len(texts) > LONG_TEXT
        cap = _TEXT_WIDTHS.get(str(col), LONG_TEXT_WIDTH if prose else TEXT_WIDTH)
        if w > cap and texts:
            wrapped.add(c)
        out.append(float(min(max(w, 6), cap if c in wrapped else 50)))
    return out, wrapped


def _print_setup(ws: object, headers: list[str], widths: list[float]) -> None:
    """A4 landscape, header row on every page, page numbers (module doc): fitted to the page
    width when that keeps :data:`MIN_SCALE` %, else over several pages at :data:`WIDE_SCALE` %
    repeating the leading key columns."""
    fit = printable_size(landscape=True)[0] / sum(column_points(w) for w in widths) * 100
    wide = fit < MIN_SCALE
    setup_page(ws, landscape=True, repeat=(0, 0), scale=WIDE_SCALE if wide else None,  # type: ignore[arg-type]
               header=PAGE_HEADER)
    if wide:
        key = next((c for c, h in enumerate(headers[:4]) if h in _KEY_HEADERS), None)
        if key is not None:
            ws.repeat_columns(key)  # type: ignore[attr-defined]
        ws.print_across()  # type: ignore[attr-defined]


def _lines(text: str, per_line: int) -> int:
    """Lines *text* takes wrapped at *per_line* characters: a Chinese character counts two
    (as :func:`~xlperf.writers.printing.text_height`), from the UTF-8 length (3 bytes for a
    Chinese character, 1 for ASCII), without a loop over the characters: this runs for
    every cell of a wrapped column."""
    units = (len(text.encode("utf-8")) + len(text)) // 2
    return -(-units // per_line) + text.count("\n")


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
    widths, wrapped = _widths(df)
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)  # type: ignore[attr-defined]
    ws.freeze_panes(1, 0)  # type: ignore[attr-defined]
    ws.set_row(0, 32)  # type: ignore[attr-defined]
    _print_setup(ws, headers, widths)
    _declare_table(ws, name=name, headers=headers, last_row=len(df), fmts=fmts)
    write_string, write_number = ws.write_string, ws.write_number  # type: ignore[attr-defined]
    places, decimal_fmt = _places, fmts.decimals
    wrap_at = [(c, max(int(widths[c]) - 1, 4)) for c in sorted(wrapped)]
    row_info, row_sizes = ws.row_info, ws.row_sizes  # type: ignore[attr-defined]
    for r, row in enumerate(df.itertuples(index=False, name=None), start=1):
        if wrap_at:  # a wrapped row's height, set before its cells (constant_memory writes rows in order)
            lines = max((_lines(v, per_line) for c, per_line in wrap_at if type(v := row[c]) is str), default=1)
            if lines > 1:
                ws.set_row(r, min(lines * LINE_HEIGHT + 4, MAX_ROW_HEIGHT))  # type: ignore[attr-defined]
            if r > 2:  # the row before last is written out: xlsxwriter would keep its height for every row
                row_info.pop(r - 2, None)
                row_sizes.pop(r - 2, None)
        for c, v in enumerate(row):
            if v is None:
                continue
            t = type(v)
            if t is str:
                write_string(r, c, v if len(v) <= EXCEL_TEXT_LIMIT // 2 else _cut(v), fmts.wrap if c in wrapped else None)
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
    """The 合计 of the 概览 table and the chart of amounts by county, both drawings under the
    table: a 合计 row of cells would be one more county to ``pandas.read_excel`` (summing a
    column would count every county twice)."""
    n = len(df)
    headers = [str(c) for c in df.columns]
    kinds = {c.header: c.kind for c in OVERVIEW.columns}
    parts = []
    for col in df.columns[3:]:
        values = [v for v in df[col] if v is not None]
        total = sum(values, Decimal(0)) if any(type(v) is Decimal for v in values) else sum(values)
        unit = " 万元" if kinds.get(str(col)) == "amount" else ""
        parts.append(f"{str(col).removesuffix('（万元）')} {format(Decimal(str(total)).normalize(), 'f')}{unit}")
    text = f"合计（{n} 个县区）：" + "，".join(parts)
    table_px = sum(int(w * 7 + 5) for w in _widths(df)[0])  # xlsxwriter's pixels of the columns
    ws.insert_textbox(max(n, 1) + 2, 0, text, {  # type: ignore[attr-defined]
        "width": max(table_px, 480), "height": 46, "object_position": 3,
        "font": {"name": FONT, "size": 11, "bold": True}, "fill": {"color": "#D9E1F2"}, "line": {"color": "#8EA9DB"},
        "align": {"vertical": "middle"}})
    if not n:
        return
    amount = headers.index(OVERVIEW.header("amount_total"))
    county = headers.index(OVERVIEW.header("county"))
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
    ws.insert_chart(max(n, 1) + 6, 0, chart)  # type: ignore[attr-defined]


def write(result: Consolidation, path: str) -> list[str]:
    """The registry entry (:mod:`xlperf.writers.outputs`): :func:`write_consolidated` to *path*."""
    write_consolidated(result, path)
    return [path]
