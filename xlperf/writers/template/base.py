"""Shared pieces of the template writer: formats, typed writes, validations, notes.

Every submitted value goes through :meth:`SheetWriter.put`: strings with
``write_string``, amounts with ``write_number`` (never the generic ``write``), so a
value starting with ``=`` stays text and ``http://…`` stays text. A string longer than
Excel's cell limit (32,767 UTF-16 units) is never cut: the cell gets the explicit marker
of ``template_sheets.toml`` and a ``fill-text-too-long`` finding names the cell.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ...cellref import cell_name
from ...findings import finding
from ...model import Finding
from ...taxonomy import Taxonomy
from ...text import EXCEL_TEXT_LIMIT, utf16_len
from ..printing import printable_size, scale_to_fit, setup_page, text_height
from .sheets import TemplateSheets

__all__ = ["MAX_CELL_CHARS", "Book", "CarriedCell", "ListRefs", "LockedWorkbook", "SheetWriter", "input_format"]

MAX_CELL_CHARS = EXCEL_TEXT_LIMIT
_GREY = "#F2F2F2"
_NUMBER_FORMATS = ("amount", "number")  # input formats of cells that take numbers only


class LockedWorkbook(Workbook):
    """An xlsxwriter workbook whose structure is protected without a password
    (``<workbookProtection lockStructure="1"/>``, ECMA-376 Part 1, 18.2.29): sheets cannot be
    unhidden, deleted, renamed, moved or added in Excel, WPS or LibreOffice, so the hidden
    ``_lists`` sheet the dropdowns read stays in place. xlsxwriter has no call for it; the
    element goes right after ``<workbookPr>``, where the schema puts it."""

    def _write_workbook_pr(self) -> None:
        super()._write_workbook_pr()
        self._xml_empty_tag("workbookProtection", [("lockStructure", 1)])


@dataclass(frozen=True)
class ListRefs:
    """Where the dropdown lists live on the hidden lists sheet.

    ``ranges`` maps a list key (``proj_level1``, ``dept_level1``, ``value_basis`` …) to an
    absolute reference (``'_lists'!$A$2:$A$5``); ``lookups`` maps ``proj`` / ``dept`` to
    the 一级 -> range-name lookup table used by the dependent 二级 dropdown.
    """

    ranges: dict[str, str]
    lookups: dict[str, str]

    def dependent(self, tier: str, level1_cell: str) -> str:
        """The 二级 list source for the row whose 一级 is in *level1_cell* (``$A14``):
        ``=INDIRECT(VLOOKUP($A14,'_lists'!$A$2:$B$5,2,FALSE))`` -> the named range of
        that 一级's 二级 list."""
        return f"=INDIRECT(VLOOKUP({level1_cell},{self.lookups[tier]},2,FALSE))"


@dataclass(frozen=True)
class CarriedCell:
    """A value written from last year's submission (``xlperf template --from``): the
    sheet, the 0-based range it was written into (a merged input spans several cells)
    and the value."""

    sheet: str
    first_row: int
    first_col: int
    last_row: int
    last_col: int
    value: str | float


@dataclass
class Book:
    """One workbook being written: the xlsxwriter workbook, its formats, the sheet spec,
    the taxonomy, the list references, the findings of writing it (``notes``) and, for a
    template pre-filled from last year's submission, the ``carried`` values written (else
    ``None``)."""

    wb: Workbook
    spec: TemplateSheets
    taxonomy: Taxonomy
    lists: ListRefs
    fmt: dict = field(init=False)  # format key -> xlsxwriter Format, built in __post_init__
    notes: list[Finding] = field(default_factory=list)
    carried: list[CarriedCell] | None = None

    def __post_init__(self) -> None:
        wbl = self.spec.section("workbook")
        base = {"font_name": wbl["font_name"], "font_size": wbl["font_size"], "valign": "vcenter"}
        box = {**base, "border": 1, "text_wrap": True}
        specs = {
            "title": {**base, "bold": True, "font_size": 16, "align": "center"},
            "heading": {**base, "bold": True, "font_size": 12},
            "unit": {**base, "align": "right"},
            "plain": {**base, "text_wrap": True, "valign": "top"},
            "label": {**box, "bold": True, "align": "center", "bg_color": _GREY},
            "section": {**box, "bold": True, "align": "center", "valign": "top", "bg_color": _GREY},
            "fixed": {**box, "bg_color": _GREY},
            "text": {**box, "locked": False, "valign": "top"},
            "cell": {**box, "locked": False},
            "code": {**box, "locked": False, "num_format": "@"},
            "amount": {**box, "locked": False, "num_format": "0.00##"},
            "number": {**box, "locked": False, "num_format": "0.##"},
            "year": {**box, "locked": False, "num_format": "0", "align": "left"},
            # formula cells: locked, zero shown blank (a blank form shows no 0.00)
            "total": {**box, "bold": True, "bg_color": _GREY, "num_format": "0.00##;-0.00##;;@"},
            "share": {**box, "bg_color": _GREY, "num_format": "0.00%;-0.00%;;@"},
        }
        self.fmt = {k: self.wb.add_format(v) for k, v in specs.items()}

    def note(self, code: str, *, sheet: str, cell: str | None, params: dict[str, object], text: str | None = None) -> None:
        """Record a finding of writing (``fill-*`` codes of rules.toml)."""
        self.notes.append(finding(code, sheet=sheet, cell=cell, text=text, params=params))


def input_format(kind: str) -> str:
    """The format key of an input cell of *kind* (see :meth:`SheetWriter.validate`)."""
    return {"longtext": "text", "code": "code", "division_code": "code", "amount": "amount",
            "percent": "number", "year": "year"}.get(kind, "cell")


class SheetWriter:
    """Typed writes, merges and validations on one worksheet of a :class:`Book`.

    Rows and columns are 0-based here (xlsxwriter); cell names in findings are A1 style.
    """

    def __init__(self, book: Book, ws: Worksheet) -> None:
        self.book = book
        self.ws = ws
        self.name = ws.get_name()
        self.widths: list[float] = []
        self.default_height = float(book.spec.section("workbook")["row_height"])
        self.heights: dict[int, float] = {}
        self.landscape = False

    def min_height(self, row: int, height: float) -> None:
        """Make *row* at least *height* points high (applied by :meth:`finish`)."""
        self.heights[row] = max(self.heights.get(row, self.default_height), height)

    def _fit(self, row: int, col: int, last_row: int | None, last_col: int | None, text: str) -> None:
        """Grow the row height for wrapped *text* (LibreOffice does not auto-fit rows on
        opening an .xlsx, and no spreadsheet auto-fits merged cells)."""
        if (last_row is not None and last_row != row) or not self.widths:
            return
        lc = col if last_col is None else last_col
        width = sum(self.widths[c] if c < len(self.widths) else 9 for c in range(col, lc + 1))
        self.min_height(row, text_height(text, width=width, minimum=self.default_height))

    def finish(self) -> None:
        """Apply the row heights collected while writing."""
        for row, height in sorted(self.heights.items()):
            if height > self.default_height:
                self.ws.set_row(row, height)

    def _span(self, row: int, col: int, last_row: int | None, last_col: int | None, fmt) -> None:
        lr, lc = (row if last_row is None else last_row), (col if last_col is None else last_col)
        if (lr, lc) != (row, col):
            self.ws.merge_range(row, col, lr, lc, "", fmt)

    def label(self, row: int, col: int, text: str, *, fmt: str = "label",
              last_row: int | None = None, last_col: int | None = None) -> None:
        """Write the fixed words *text* (a label, header or pre-filled level), locked."""
        f = self.book.fmt[fmt]
        self._span(row, col, last_row, last_col, f)
        if text:
            self.ws.write_string(row, col, text, f)
            self._fit(row, col, last_row, last_col, text)
        else:  # an empty header cell of a group row: formatted, no value
            self.ws.write_blank(row, col, None, f)

    def put(self, row: int, col: int, value: str | Decimal | float | None, *, fmt: str, field: str,
            last_row: int | None = None, last_col: int | None = None, carry: bool = True) -> None:
        """Write one input cell (merged to *last_row*/*last_col* when given) holding *value*:
        ``None`` -> blank input, ``str`` -> ``write_string`` (an over-long string -> the
        marker plus a ``fill-text-too-long`` finding naming *field*; a string in an amount or
        percent cell, an amount that could not be read, is written as typed with a
        ``fill-amount-not-number`` error), a number -> ``write_number``.
        In a template pre-filled from last year's submission (``book.carried``), a value
        written is recorded as carried, unless *carry* is false (the cover block, the
        department's identity, the 近两年 columns: not values to revise).
        """
        f = self.book.fmt[fmt]
        self._span(row, col, last_row, last_col, f)
        if value is None or value == "":
            self.ws.write_blank(row, col, None, f)
        elif isinstance(value, str):
            n = utf16_len(value)
            if n > MAX_CELL_CHARS:
                marker = self.book.spec.section("workbook")["overflow_marker"].format(length=n)
                self.ws.write_string(row, col, marker, f)
                self.book.note("fill-text-too-long", sheet=self.name, cell=cell_name(row, col),
                               params={"field": field, "length": n}, text=value[:200])
            else:
                self.ws.write_string(row, col, value, f)
                self._fit(row, col, last_row, last_col, value)
                self._carry(row, col, last_row, last_col, value, carry)
                if fmt in _NUMBER_FORMATS:  # an amount kept as typed (2,8505): written, and said
                    self.book.note("fill-amount-not-number", sheet=self.name, cell=cell_name(row, col),
                                   params={"field": field}, text=value)
        elif isinstance(value, bool):
            raise TypeError(f"{field}: 不能写入布尔值")
        else:
            number = float(value)
            if math.isfinite(number):
                self.ws.write_number(row, col, number, f)
                self._carry(row, col, last_row, last_col, number, carry)
            else:
                self.ws.write_string(row, col, str(value), f)

    def _carry(self, row: int, col: int, last_row: int | None, last_col: int | None, value: str | float,
               carry: bool) -> None:
        if carry and self.book.carried is not None:
            self.book.carried.append(CarriedCell(self.name, row, col, row if last_row is None else last_row,
                                                 col if last_col is None else last_col, value))

    def formula(self, row: int, col: int, formula: str, *, fmt: str, value: float) -> None:
        """Write a formula with its cached *value* (so readers see a value without recalculating)."""
        self.ws.write_formula(row, col, formula, self.book.fmt[fmt], value)

    def validate(self, first_row: int, first_col: int, last_row: int, last_col: int, *, kind: str,
                 title: str, message: str, level1_cell: str | None = None) -> None:
        """Attach the data validation of input *kind* with its input message and error message.

        Kinds: ``text``/``longtext``/``code`` (message only), ``amount`` (decimal >= 0), ``percent``
        (0-100), ``year``, ``division_code`` (6-12 characters, warning), ``list:<lists.toml key>``
        (from the hidden sheet; warning style when the list is open),
        ``level1:proj|dept`` (strict) and ``level2:proj|dept`` (strict, dependent on
        *level1_cell*). Raises :class:`KeyError` for an unknown kind.
        """
        kinds = self.book.spec.section("kinds")
        refs = self.book.lists
        opts: dict[str, object]
        style = "stop"
        if kind in ("text", "longtext", "code"):
            opts, err = {"validate": "any"}, None
        elif kind == "amount":
            opts, err = {"validate": "decimal", "criteria": ">=", "value": 0}, kinds["amount"]
        elif kind == "percent":
            opts, err = {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100}, kinds["percent"]
        elif kind == "year":
            opts, err = {"validate": "integer", "criteria": "between", "minimum": 1990, "maximum": 2100}, kinds["year"]
        elif kind == "division_code":
            opts, err = {"validate": "length", "criteria": "between", "minimum": 6, "maximum": 12}, kinds["division_code"]
            style = "warning"
        elif kind.startswith("list:"):
            key = kind[5:]
            opts = {"validate": "list", "source": "=" + refs.ranges[key]}
            style = "warning" if self.book.spec.list_open(key) else "stop"
            err = kinds["list_open"] if style == "warning" else kinds["list_strict"]
        elif kind.startswith("level1:"):
            opts, err = {"validate": "list", "source": "=" + refs.ranges[kind[7:] + "_level1"]}, kinds["list_strict"]
        elif kind.startswith("level2:"):
            if level1_cell is None:
                raise ValueError("level2 validation needs level1_cell")
            opts, err = {"validate": "list", "source": refs.dependent(kind[7:], level1_cell)}, kinds["list_strict"]
        else:
            raise KeyError(kind)
        opts.update({"input_title": title[:32], "input_message": message})
        if err is not None:
            opts.update({"error_type": style, "error_title": err["error_title"][:32], "error_message": err["error"]})
        self.ws.data_validation(first_row, first_col, last_row, last_col, opts)

    def setup(self, *, widths: list[float], freeze_rows: int, freeze_cols: int = 0, landscape: bool = False,
              repeat: tuple[int, int] | None = None) -> None:
        """Column widths, frozen panes, A4 print fitted to the page width with page numbers
        and rows *repeat* (first, last) on every page (:mod:`~xlperf.writers.printing`),
        sheet protection without a password (labels locked, inputs unlocked)."""
        self.widths = list(widths)
        for i, w in enumerate(widths):
            self.ws.set_column(i, i, w)
        self.ws.set_default_row(self.default_height)
        self.ws.freeze_panes(freeze_rows, freeze_cols)
        self.landscape = landscape
        setup_page(self.ws, landscape=landscape, repeat=repeat, footer=self.book.spec.section("workbook")["footer"])
        self.ws.protect("", {"format_cells": False, "format_columns": True, "format_rows": True,
                             "insert_rows": True, "sort": False, "autofilter": False})

    def print_sections(self, tables: list[tuple[int, int, int]]) -> None:
        """Print each table (first row, last header row, last row; 0-based) from a new page,
        at the scale at which the page width and, where a readable scale allows
        (:data:`~xlperf.writers.printing.MIN_SCALE`), each table fits one page: every table
        then has its header at the top of its page. A sheet has one range of rows repeated
        on every page, and Excel, WPS and LibreOffice print it only on pages that start below
        it: it goes to the longest table that still runs over a page."""
        heights = [sum(self.heights.get(r, self.default_height) for r in range(first, last + 1))
                   for first, _head, last in tables]
        scale = scale_to_fit(self.widths, landscape=self.landscape, sections=heights)
        page = printable_size(landscape=self.landscape)[1]
        over = [(h, t) for h, t in zip(heights, tables) if h * scale / 100 > page]
        if over:
            _h, (first, head, _last) = max(over)
            self.ws.repeat_rows(first, head)
        self.ws.set_print_scale(scale)
        self.ws.set_h_pagebreaks([first for first, _head, _last in tables])
