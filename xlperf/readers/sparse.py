"""The safe sheet reader: one streaming pass (defusedxml SAX) over a worksheet part,
keeping only non-empty cells.

Used for every sheet python-calamine must not or cannot read (see
:mod:`xlperf.readers.scan`): a stray cell at ``XFD1048576`` (calamine would allocate
the dense 17-billion-cell range and abort the process), cells without ``r``
attributes, a workbook calamine refuses to open, a sheet it fails on. Memory is the
non-empty cells only, whatever the ``<dimension>`` tag says (it is ignored), however
many empty ``<c>`` elements or nested elements the part holds.

Values follow python-calamine's rules so the two paths give the same cells: numbers as
``float`` (text that is not a number stays text), ``t="b"`` as ``bool``, date formats as
``date`` / ``datetime`` / ``time``, ``[h]:mm`` formats as ``timedelta``, ``_xHHHH_``
escapes undone, phonetic runs left out.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from xml.sax.handler import ContentHandler

from ..cellref import MAX_COLS, MAX_ROWS, parse_cell_name
from ..errors import UnreadableWorkbook
from .grid import excel_serial_to_datetime
from .parts import Styles, broken, local, parse_xml, unescape_ooxml

__all__ = ["SheetData", "number_value", "read_sheet_sparse"]

# What Rust's f64 parser (python-calamine) accepts; anything else stays text.
_NUMBER_RE = re.compile(r"^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|inf|infinity|nan)$", re.IGNORECASE)


@dataclass
class SheetData:
    """What one worksheet holds: non-empty ``cells`` ``{(row, col): value}``, merged
    ranges ``(r0, c0, r1, c1)``, Excel error values and formulas without a cached value
    by cell, hidden rows and columns (0-based), and the extent seen (``max_row`` /
    ``max_col``, 1-based counts). ``row_major`` is true when ``cells`` was filled in
    row-then-column order (python-calamine's rows), so no sort is needed."""

    cells: dict[tuple[int, int], object] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    no_value: set[tuple[int, int]] = field(default_factory=set)
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)
    max_row: int = 0
    max_col: int = 0
    row_major: bool = False


def number_value(text: str, kind: str, *, date1904: bool) -> object:
    """A ``<v>`` of a numeric cell -> ``float``, a date/time (style *kind* ``date``), a
    ``timedelta`` (``duration``), or the text itself when it is not a number."""
    if not _NUMBER_RE.match(text):
        return text
    v = float(text)
    if kind == "duration" and v == v:
        try:
            return _dt.timedelta(days=v)
        except OverflowError:
            return v
    if kind != "date":
        return v
    moment = excel_serial_to_datetime(v, date1904=date1904)
    if moment is None:
        return v
    if v < 1:
        return moment.time()
    if v.is_integer():
        return moment.date()
    return moment


class _SheetHandler(ContentHandler):
    def __init__(self, *, shared: list[str], styles: Styles, date1904: bool, max_values: int,
                 path: str, sheet: str) -> None:
        super().__init__()
        self.out = SheetData()
        self._shared = shared
        self._styles = styles
        self._date1904 = date1904
        self._max_values = max_values
        self._path = path
        self._sheet = sheet
        self._row = 0
        self._col = 0
        self._cell: tuple[int, int] | None = None
        self._type = "n"
        self._style = 0
        self._has_f = self._has_v = self._has_is = False
        self._v: list[str] = []
        self._t: list[str] = []
        self._in_v = self._in_t = False
        self._in_is = self._phonetic = 0

    def _bad_ref(self, ref: str) -> UnreadableWorkbook:
        return broken(self._path, f"工作表“{self._sheet}”中有无效的单元格地址“{ref[:40]}”（超出 A1:XFD1048576）",
                      f"sheet {self._sheet!r}: invalid cell reference {ref[:40]!r}")

    def startElement(self, name: str, attrs) -> None:  # noqa: N802, ANN001 - SAX API
        tag = local(name)
        if self._cell is not None:
            if tag == "f":
                self._has_f = True
            elif tag == "v":
                self._has_v = self._in_v = True
            elif tag == "is":
                self._in_is += 1
                self._has_is = True
            elif tag == "rPh":
                self._phonetic += 1
            elif tag == "t" and self._in_is and not self._phonetic:
                self._in_t = True
            return
        if tag == "c":
            ref = attrs.get("r")
            if ref is not None:
                try:
                    r, c = parse_cell_name(ref)
                except ValueError:
                    raise self._bad_ref(ref) from None
                self._col = c
            else:
                r, c = self._row, self._col
                if r >= MAX_ROWS or c >= MAX_COLS:
                    raise self._bad_ref(f"R{r + 1}C{c + 1}")
            self._cell = (r, c)
            self._type = attrs.get("t", "n")
            s = attrs.get("s", "0")
            self._style = int(s) if s.isdigit() and len(s) < 9 else 0
            self._has_f = self._has_v = self._has_is = False
            self._v, self._t = [], []
        elif tag == "row":
            ref = attrs.get("r")
            if ref is not None:
                if not (ref.isdigit() and 0 < int(ref) <= MAX_ROWS):
                    raise self._bad_ref(f"第 {ref[:20]} 行")
                self._row = int(ref) - 1
            self._col = 0
            if attrs.get("hidden") in ("1", "true"):
                self.out.hidden_rows.add(self._row)
        elif tag == "col" and attrs.get("hidden") in ("1", "true"):
            lo, hi = attrs.get("min", ""), attrs.get("max", "")
            if lo.isdigit() and hi.isdigit() and len(lo) < 7 and len(hi) < 7:
                self.out.hidden_cols.update(range(max(int(lo), 1) - 1, min(int(hi), MAX_COLS)))
        elif tag == "mergeCell":
            parts = attrs.get("ref", "").split(":")
            try:
                a = parse_cell_name(parts[0])
                b = parse_cell_name(parts[-1])
            except ValueError:
                return  # a merge without valid corners carries no data
            self.out.merged.append((min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])))

    def endElement(self, name: str) -> None:  # noqa: N802
        tag = local(name)
        if self._cell is None:
            if tag == "row":
                self._row += 1
                self._col = 0
            return
        if tag == "c":
            self._finish_cell()
            self._cell = None
            self._col += 1
        elif tag == "v":
            self._in_v = False
        elif tag == "is":
            self._in_is -= 1
        elif tag == "rPh":
            self._phonetic -= 1
        elif tag == "t":
            self._in_t = False

    def characters(self, content: str) -> None:
        if self._in_v:
            self._v.append(content)
        elif self._in_t:
            self._t.append(content)

    def _finish_cell(self) -> None:
        pos = self._cell
        assert pos is not None
        out = self.out
        out.max_row = max(out.max_row, pos[0] + 1)
        out.max_col = max(out.max_col, pos[1] + 1)
        t = self._type
        v = "".join(self._v)
        value: object = None
        if t in ("inlineStr", "is"):
            value = unescape_ooxml("".join(self._t)) if self._has_is else None
        elif self._has_v:
            if t == "s":
                idx = v.strip()
                if not (idx.isdigit() and int(idx) < len(self._shared)):
                    raise broken(self._path, f"工作表“{self._sheet}”的单元格引用了不存在的共享字符串 {idx[:20]}",
                                 f"sheet {self._sheet!r}: shared string index {idx[:20]!r} out of range")
                value = self._shared[int(idx)]
            elif t == "e":
                out.errors[pos] = v.strip() or "#ERROR"
            elif t == "b":
                value = v.strip() in ("1", "true")
            elif t == "str":
                value = unescape_ooxml(v)
            elif t == "d":
                try:
                    value = _dt.datetime.fromisoformat(v.strip())
                except ValueError:
                    value = v
            else:
                value = number_value(v, self._styles.kind(self._style), date1904=self._date1904)
        if self._has_f and (not self._has_v or (not v.strip() and t not in ("str", "inlineStr"))):
            out.no_value.add(pos)  # t="str" with an empty <v>: the formula's cached result is ""
        if value is None or value == "":
            return
        if len(out.cells) >= self._max_values and pos not in out.cells:
            raise UnreadableWorkbook("file-too-large", f"工作表“{self._sheet}”的非空单元格超过 {self._max_values} 个，超出上限，已拒绝读取。",
                                     f"sheet {self._sheet!r} holds more than {self._max_values} non-empty cells; refused.",
                                     path=self._path)
        out.cells[pos] = value


def read_sheet_sparse(data: bytes, *, shared: list[str], styles: Styles, date1904: bool, max_values: int,
                      path: str, sheet: str, part: str) -> SheetData:
    """Read one worksheet part (*data*, already checked by
    :meth:`~xlperf.readers.parts.Package.read`) cell by cell.

    Raises ``file-broken`` (malformed XML, a cell reference outside ``A1:XFD1048576``,
    a shared-string index out of range), ``xml-entities`` or ``file-too-large`` (more
    than *max_values* non-empty cells) as :class:`~xlperf.errors.UnreadableWorkbook`.
    """
    handler = _SheetHandler(shared=shared, styles=styles, date1904=date1904, max_values=max_values, path=path, sheet=sheet)
    parse_xml(data, handler, path=path, part=part)
    return handler.out
