"""The worksheet reader: one parse of a worksheet part, keeping only non-empty cells.

Every sheet is read here, by the parser of :mod:`xlperf.readers.parts` (no other
reader sees the bytes): memory is the non-empty cells only, whatever the
``<dimension>`` tag says (it is ignored), however many empty ``<c>`` elements or
nested elements the part holds; a part of 4 MB or more is parsed in pieces, row by row.

Cell positions follow ECMA-376 Part 1, 18.3.1.4 / 18.3.1.73 and what Excel and
openpyxl do with a missing ``r``: a row without ``r`` is the row after the previous
one, a cell without ``r`` the column after the previous cell of its row.

Values (docs/untrusted-input.md, "Values"): shared strings, inline strings (runs
joined, phonetic runs left out) and formula strings as ``str`` with ``_xHHHH_``
escapes undone (a surrogate escape kept literal); numbers as ``float`` (text in a
numeric cell that is not a number stays text); ``t="b"`` as ``bool``; a number whose
style is a date format as ``date`` (whole days) / ``datetime`` / ``time`` (below one
day), Excel's 1900 system with its phantom 1900-02-29 (serial 60: no date, the number
is kept); an elapsed-time format (``[h]:mm``) as ``timedelta``; ``t="d"`` ISO dates as
``datetime``. A cell without ``s`` has style 0.
"""

from __future__ import annotations

import datetime as _dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from ..cellref import MAX_COLS, MAX_ROWS, parse_cell_name
from ..errors import UnreadableWorkbook
from ..text import clean_cell_text, needs_cleaning
from .container import broken
from .grid import excel_serial_to_datetime
from .parts import Styles, iter_elements, parse_part, rich_text, tags, unescape_ooxml, wrong_root

__all__ = ["SheetData", "clean_shared", "clean_text", "number_value", "read_sheet"]

# Numbers as Excel writes them (and Rust's / C's float syntax): anything else stays text.
_NUMBER_RE = re.compile(r"^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|inf|infinity|nan)$", re.IGNORECASE)


@dataclass
class SheetData:
    """What one worksheet holds: non-empty ``cells`` ``{(row, col): value}`` (texts
    normalised, see :func:`clean_text`), in row-major order when ``row_major``, and then
    also their row index ``grid`` ``{row: [(col, value), ...]}``; merged ranges
    ``(r0, c0, r1, c1)``, Excel error values and formulas without a cached value by cell,
    hidden rows and columns (0-based), cells written twice (the later is kept, as
    openpyxl does), the text as written of numbers that are not finite and were left out
    (``texts``), texts normalised (``normalised``: cell, text as written, changes), the
    ``<c>`` elements looked at (``elements``) and
    the extent seen (``max_row`` / ``max_col``, 1-based counts of the cells read;
    ``max_col`` is only an upper bound, 16,384, when the rows are too few for the
    extent to matter, see :func:`read_sheet`)."""

    cells: dict[tuple[int, int], object] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    no_value: set[tuple[int, int]] = field(default_factory=set)
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)
    repeated: set[tuple[int, int]] = field(default_factory=set)
    texts: dict[tuple[int, int], str] = field(default_factory=dict)
    normalised: list[tuple[tuple[int, int], str, list[str]]] = field(default_factory=list)
    grid: dict[int, list[tuple[int, object]]] | None = None
    elements: int = 0
    max_row: int = 0
    max_col: int = 0
    row_major: bool = True


def clean_text(text: str) -> tuple[str, list[str]]:
    """*text* as kept, and the changes made (none for almost every text): the ends
    trimmed (spaces alone kept as typed), and when anything else needs it
    :func:`~xlperf.text.clean_cell_text` plus carriage returns (``_x000D_``) made line
    breaks, each change named for the ``text-normalised`` finding."""
    if "\r" not in text and not needs_cleaning(text):
        return text.strip() or text, _NO_CHANGES
    clean, changes = clean_cell_text(text)
    if "\r" in clean:
        clean = clean.replace("\r\n", "\n").replace("\r", "\n")
        changes.append("回车符（_x000D_）改为换行")
    return clean, changes


def clean_shared(shared: list[str]) -> tuple[list[str], dict[int, tuple[str, list[str]]]]:
    """The shared-string table cleaned once (:func:`clean_text`), and by index the
    entries that changed: ``(text as written, changes)``."""
    out = []
    changed: dict[int, tuple[str, list[str]]] = {}
    for i, text in enumerate(shared):
        clean, changes = clean_text(text)
        out.append(clean)
        if changes:
            changed[i] = (text, changes)
    return out, changed


def number_value(text: str, kind: str, *, date1904: bool) -> object:
    """A ``<v>`` of a numeric cell -> ``float``, a date/time (style *kind* ``date``), a
    ``timedelta`` (``duration``), or the text itself when it is not a number. ``1e999``
    is ``inf`` (the caller reports it)."""
    stripped = text.strip()
    if not _NUMBER_RE.match(stripped):
        return text
    v = float(stripped)
    if kind == "number" or v != v or v in (_INF, -_INF):
        return v
    if kind == "duration":
        try:
            return _dt.timedelta(days=v)
        except OverflowError:
            return v
    moment = excel_serial_to_datetime(v, date1904=date1904)
    if moment is None:
        return v
    if v < 1:
        return moment.time()
    if v.is_integer():
        return moment.date()
    return moment


_INF = float("inf")
_NO_CHANGES: list[str] = []  # shared, never changed: clean_text's answer for a text left as it is
_ROW = tags("row")
_C = tags("c")
_V = tags("v")
_F = tags("f")
_IS = tags("is")
_COL = tags("col")
_MERGE = tags("mergeCell")
_WORKSHEET = tags("worksheet")
_WANTED = _ROW | _COL | _MERGE
_TRUE = ("1", "true")
_POS: dict[str, tuple[int, int]] = {}  # "B12" -> (11, 1), see _SheetReader._pos
# inline texts cleaned (clean_text), by text: a workbook saved with inline strings (openpyxl,
# LibreOffice) writes every label again on every sheet; short texts only, and a bounded number
_CLEANED: dict[str, tuple[str, list[str]]] = {}
_CLEANED_MAX_TEXT = 100
_CLEANED_MAX = 20_000


def _clean_inline(text: str) -> tuple[str, list[str]]:
    """:func:`clean_text` of an inline text, remembered in ``_CLEANED`` when it is short."""
    cleaned = clean_text(text)
    if len(text) <= _CLEANED_MAX_TEXT:
        if len(_CLEANED) >= _CLEANED_MAX:
            _CLEANED.clear()
        _CLEANED[text] = cleaned
    return cleaned


class _SheetReader:
    """The state of one sheet's read: row and column counters, limits, the output."""

    def __init__(self, *, shared: list[str], shared_changed: dict[int, tuple[str, list[str]]], styles: Styles,
                 date1904: bool, max_values: int, max_elements: int, path: str, sheet: str) -> None:
        self.out = SheetData(grid={})
        self._shared = shared
        self._shared_changed = shared_changed
        self._n_shared = len(shared)
        self._kinds = styles.kinds
        self._date1904 = date1904
        self._max_values = max_values
        self._elements_left = max_elements
        self._path = path
        self._sheet = sheet
        self._next_row = 0
        self._last_row = -1

    def _bad_ref(self, ref: str) -> UnreadableWorkbook:
        return broken(self._path, f"工作表“{self._sheet}”中有无效的单元格地址“{ref[:40]}”（超出 A1:XFD1048576）",
                      f"sheet {self._sheet!r}: invalid cell reference {ref[:40]!r}")

    def row(self, el: ET.Element) -> None:
        """Read one ``<row>`` and its cells."""
        ref = el.get("r")
        if ref is None:
            r = self._next_row
            if r >= MAX_ROWS:
                raise self._bad_ref(f"第 {r + 1} 行")
        elif ref.isdigit() and 0 < len(ref) < 8 and 0 < int(ref) <= MAX_ROWS:
            r = int(ref) - 1
        else:
            raise self._bad_ref(f"第 {ref[:20]} 行")
        self._next_row = r + 1
        out = self.out
        if el.get("hidden") in _TRUE:
            out.hidden_rows.add(r)
        n = len(el)
        if not n:
            return
        self._elements_left -= n
        if self._elements_left < 0:
            raise UnreadableWorkbook("file-too-large", f"工作簿的单元格元素（含空单元格）过多，读到工作表“{self._sheet}”时超出上限，已拒绝读取。",
                                     f"too many cell elements, empty ones included (at sheet {self._sheet!r}); refused.",
                                     path=self._path)
        cells = out.cells
        shared = self._shared
        n_shared = self._n_shared
        changed = self._shared_changed
        checked = len(cells) + n <= self._max_values  # else each new cell is counted
        in_order = r > self._last_row or not cells  # row-major so far, and this row starts after the last
        self._last_row = r
        line: list[tuple[int, object]] = []
        col = -1
        for c in el:
            if c.tag not in _C:
                continue
            a = c.attrib
            ref = a.get("r")
            if ref is None:
                col += 1
                if col >= MAX_COLS:
                    raise self._bad_ref(f"R{r + 1}C{col + 1}")
                pos = (r, col)
            else:
                pos = _POS.get(ref) or self._pos(ref)
                if pos[1] <= col or pos[0] != r:
                    in_order = False
                col = pos[1]
            kids = len(c)
            if not kids:
                continue  # a styled empty cell (a template's input cells): no value, nothing to note
            t = a.get("t") if kids == 1 else None
            if t == "s" and c[0].tag in _V:  # the common cell: a shared string
                try:
                    i = int(c[0].text or "")
                except ValueError:
                    i = -1
                if not 0 <= i < n_shared:
                    raise self._bad_index(c[0].text or "")
                value = shared[i]
                if changed and i in changed:
                    out.normalised.append((pos, *changed[i]))
                if not value:
                    continue
            elif t == "inlineStr" and c[0].tag in _IS:  # a text as openpyxl and LibreOffice save it
                text = rich_text(c[0])
                cleaned = _CLEANED.get(text)
                if cleaned is None:
                    cleaned = _clean_inline(text)
                value = cleaned[0]
                if cleaned[1]:
                    out.normalised.append((pos, text, cleaned[1]))
                if not value:
                    continue
            else:
                value = self._value(c, a, pos)
                if value is None or value == "":
                    continue
            if not checked or not in_order:
                self._note(pos, in_order)
            cells[pos] = value
            line.append((col, value))
        if line and out.grid is not None:
            if out.row_major:
                out.grid[r] = line
            else:
                out.grid = None  # Sheet.grid sorts the cells itself

    def _note(self, pos: tuple[int, int], in_order: bool) -> None:
        """The slow path of a new value at *pos*: the order lost, a cell written twice, the
        cell budget."""
        out = self.out
        if not in_order:
            out.row_major = False
        if pos in out.cells:
            out.repeated.add(pos)
        elif len(out.cells) >= self._max_values:
            raise UnreadableWorkbook("file-too-large", f"工作簿的非空单元格超过上限，工作表“{self._sheet}”处已停止读取。",
                                     f"the workbook holds too many non-empty cells (at sheet {self._sheet!r}); refused.",
                                     path=self._path)

    def _pos(self, ref: str) -> tuple[int, int]:
        """``B12`` -> (11, 1), remembered (the same few hundred names recur in every sheet);
        ``file-broken`` outside ``A1:XFD1048576``."""
        try:
            pos = parse_cell_name(ref)
        except ValueError:
            raise self._bad_ref(ref) from None
        if len(_POS) > 100_000:
            _POS.clear()
        _POS[ref] = pos
        return pos

    def _bad_index(self, text: str) -> UnreadableWorkbook:
        idx = text.strip()[:20]
        return broken(self._path, f"工作表“{self._sheet}”的单元格引用了不存在的共享字符串 {idx}",
                      f"sheet {self._sheet!r}: shared string index {idx!r} out of range")

    def _value(self, c: ET.Element, a: dict[str, str], pos: tuple[int, int]) -> object:
        """The value of cell element *c* (see module docstring); error values and formulas
        without a cached value are noted in the output instead."""
        t = a.get("t", "n")
        v: str | None = None
        inline = None
        has_f = False
        for ch in c:
            tag = ch.tag
            if tag in _V:
                if v is None:
                    v = ch.text or ""
            elif tag in _F:
                has_f = True
            elif tag in _IS and inline is None:
                inline = ch
        if has_f and (v is None or (not v.strip() and t not in ("str", "inlineStr"))):
            self.out.no_value.add(pos)  # t="str" with an empty <v>: the formula's cached result is ""
        if t == "inlineStr":
            return self._text(rich_text(inline), pos) if inline is not None else None
        if v is None:
            return None
        if t == "s":
            try:
                i = int(v)
            except ValueError:
                i = -1
            if not 0 <= i < self._n_shared:
                raise self._bad_index(v)
            if i in self._shared_changed:
                self.out.normalised.append((pos, *self._shared_changed[i]))
            return self._shared[i]
        if t == "str":
            return self._text(unescape_ooxml(v), pos)
        if t == "e":
            self.out.errors[pos] = v.strip()[:40] or "#ERROR"
            return None
        if t == "b":
            return v.strip() in _TRUE
        if t == "d":
            try:
                return _dt.datetime.fromisoformat(v.strip())
            except ValueError:
                return v
        s = a.get("s")
        kinds = self._kinds
        if s is None:
            kind = kinds[0] if kinds else "number"
        elif s.isdigit() and len(s) < 9 and int(s) < len(kinds):
            kind = kinds[int(s)]
        else:
            kind = "number"
        value = number_value(v, kind, date1904=self._date1904)
        if value.__class__ is float and not -_INF < value < _INF:  # type: ignore[operator]
            self.out.texts[pos] = v.strip()[:40]  # reported, not kept
            return None
        if value.__class__ is str:
            return self._text(value, pos)  # type: ignore[arg-type]
        return value

    def _text(self, text: str, pos: tuple[int, int]) -> str:
        """*text* cleaned (:func:`clean_text`), a change noted for its finding."""
        clean, changes = clean_text(text)
        if changes:
            self.out.normalised.append((pos, text, changes))
        return clean

    def col(self, el: ET.Element) -> None:
        """A ``<col min max hidden>`` range."""
        if el.get("hidden") not in _TRUE:
            return
        lo, hi = el.get("min", ""), el.get("max", "")
        if lo.isdigit() and hi.isdigit() and len(lo) < 7 and len(hi) < 7:
            self.out.hidden_cols.update(range(max(int(lo), 1) - 1, min(int(hi), MAX_COLS)))

    def merge(self, el: ET.Element) -> None:
        """A ``<mergeCell ref="A1:B2">``; one without valid corners carries no data and is skipped."""
        parts = el.get("ref", "").split(":")
        try:
            a = parse_cell_name(parts[0])
            b = parse_cell_name(parts[-1])
        except ValueError:
            return
        self.out.merged.append((min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])))


def read_sheet(data: bytes, *, shared: list[str], shared_changed: dict[int, tuple[str, list[str]]], styles: Styles,
               date1904: bool, max_values: int,
               max_elements: int, path: str, sheet: str, part: str, whole_below: int = 4 << 20,
               max_cells: int = 2_000_000) -> SheetData:
    """Read one worksheet part (*data*) cell by cell (see module docstring), with the
    shared strings already cleaned and their changes (:func:`clean_shared`).

    *max_values* bounds the non-empty cells kept, *max_elements* the ``<c>`` elements
    looked at (empty ones included); *whole_below*: parts smaller than this many bytes
    are parsed whole, larger ones in pieces (same result). ``max_col`` is counted only
    when ``max_row`` x 16,384 could exceed *max_cells* (else it is given as 16,384: the
    extent is small either way).
    Raises ``file-broken`` (malformed XML, not a worksheet, a cell reference outside
    ``A1:XFD1048576``, a shared-string index out of range), ``xml-entities`` or
    ``file-too-large`` as :class:`~xlperf.errors.UnreadableWorkbook`.
    """
    reader = _SheetReader(shared=shared, shared_changed=shared_changed, styles=styles, date1904=date1904,
                          max_values=max_values, max_elements=max_elements, path=path, sheet=sheet)
    if len(data) < whole_below:  # the whole tree at once; the same elements iter_elements would give
        root = parse_part(data, path=path, part=part)
        if root.tag not in _WORKSHEET:
            raise wrong_root(path, part, root.tag)
        for section in root:  # depth 1: sheetData, cols, mergeCells ...
            if section.tag in _WANTED:
                continue  # a row, col or mergeCell at depth 1 is none of these
            for el in section:  # depth 2
                tag = el.tag
                if tag in _ROW:
                    reader.row(el)
                elif tag in _COL:
                    reader.col(el)
                elif tag in _MERGE:
                    reader.merge(el)
    else:
        for el, depth in iter_elements(data, _WANTED, path=path, part=part, whole_below=0, root=_WORKSHEET,
                                       max_elements=max_elements):
            if depth != 2:  # worksheet/sheetData/row, worksheet/cols/col, worksheet/mergeCells/mergeCell
                continue
            tag = el.tag
            if tag in _ROW:
                reader.row(el)
            elif tag in _COL:
                reader.col(el)
            else:
                reader.merge(el)
    out = reader.out
    out.elements = max_elements - reader._elements_left
    if not out.row_major:
        out.grid = None
    if out.cells:
        out.max_row = 1 + max(out.cells)[0]
        out.max_col = 1 + max(c for _r, c in out.cells) if out.max_row * MAX_COLS > max_cells else MAX_COLS
    return out
