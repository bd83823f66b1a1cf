"""The byte-level pre-scan deciding whether python-calamine may read a worksheet part.

python-calamine builds a dense range from the first to the last used cell: one stray
cell at ``XFD1048576`` is a 17-billion-cell allocation and a Rust abort Python cannot
catch (docs/untrusted-input.md); a lower-case ``xfd1048576`` or a row number that overflows
32 bits are read the same way. So calamine gets a sheet only when this scan proves
its extent small: every ``<c>`` and ``<row>`` start tag carries exactly one
well-formed, double-quoted ``r`` inside ``A1:XFD1048576``, and (last row) x (last
column) is at most ``max_cells``. Anything else (cells without ``r``, odd quoting, a
far cell) goes to the sparse reader (:mod:`xlperf.readers.sparse`), which is always
safe, only slower. The ``<dimension>`` tag is never trusted.

For a sheet calamine reads, the scan also collects what calamine hides: Excel error
values (calamine gives ``""``), formulas without a cached value, hidden rows and columns.
Every regular expression here is bounded (``{0,512}``), so a malformed part cannot
make a scan quadratic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..cellref import MAX_COLS, MAX_ROWS

__all__ = ["SheetScan", "scan_sheet"]

_P = rb"(?:[^\s<>/:=\"']{1,64}:)??"  # an optional namespace prefix (x:c); lazy: rare
# Lazy optional groups: the common spelling (``<c r="A1" ...``) matches on the first try.
_C_TAG_RE = re.compile(rb"<" + _P + rb"c[\s/>]")
_C_ROW_RE = re.compile(rb"<" + _P + rb"c\s(?:[^<>]{0,512}?\s)??r=\"[A-Z]{1,3}([1-9][0-9]{0,6})\"")
_C_COL_RE = re.compile(rb"<" + _P + rb"c\s(?:[^<>]{0,512}?\s)??r=\"([A-Z]{1,3})[1-9][0-9]{0,6}\"")
_ROW_TAG_RE = re.compile(rb"<" + _P + rb"row[\s/>]")
_ROW_REF_RE = re.compile(rb"<" + _P + rb"row\s(?:[^<>]{0,512}?\s)??r=\"([1-9][0-9]{0,6})\"")
_ANY_R_RE = re.compile(rb"\sr\s*=")
_ERR_CELL_RE = re.compile(rb"<" + _P + rb"c\s[^<>]{0,512}?\st=\"e\"[^<>]{0,512}?>")
_FORMULA_CELL_RE = re.compile(rb"<" + _P + rb"c(\s[^<>]{0,512}?)?(?<!/)>\s*<" + _P + rb"f[\s/>]")
_CELL_END_RE = re.compile(rb"</" + _P + rb"c>")
_V_RE = re.compile(rb"<" + _P + rb"v(?:\s[^<>]{0,512}?)?(/?)>([^<]{0,4096})")
_REF_IN_TAG_RE = re.compile(rb"\sr=\"([A-Z]{1,3})([1-9][0-9]{0,6})\"")
_TYPE_IN_TAG_RE = re.compile(rb"\st=\"([A-Za-z]{1,12})\"")
_HIDDEN_ROW_RE = re.compile(rb"<" + _P + rb"row\s[^<>]{0,512}?\shidden=\"(?:1|true)\"[^<>]{0,512}?>")
_ROW_NUM_IN_TAG_RE = re.compile(rb"\sr=\"([1-9][0-9]{0,6})\"")
_HIDDEN_COL_RE = re.compile(rb"<" + _P + rb"col\s[^<>]{0,512}?\shidden=\"(?:1|true)\"[^<>]{0,512}?>")
_FORMULA_HINT_RE = re.compile(rb"f[ />]")
_MIN_RE = re.compile(rb"\smin=\"([0-9]{1,6})\"")
_MAX_RE = re.compile(rb"\smax=\"([0-9]{1,6})\"")


@dataclass
class SheetScan:
    """The pre-scan of one worksheet part.

    ``safe`` is true when python-calamine may read it; otherwise ``reason`` is
    ``extent`` (a far cell: ``max_row`` x ``max_col`` over the limit), ``refs``
    (references the scan cannot prove small) or ``size`` (too many elements to list). ``max_row`` / ``max_col`` are 1-based
    counts of the extent seen. ``errors``, ``no_value``, ``hidden_rows`` and
    ``hidden_cols`` (0-based) are filled only for a safe sheet.
    """

    safe: bool
    reason: str = ""
    max_row: int = 0
    max_col: int = 0
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    no_value: set[tuple[int, int]] = field(default_factory=set)
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _pos(col: bytes, row: bytes) -> tuple[int, int]:
    return int(row) - 1, _col_number(col) - 1


def _count(pattern: re.Pattern[bytes], data: bytes) -> int:
    """How many times *pattern* matches (a list for an ordinary part, flat memory past 1 MB)."""
    if len(data) < 1 << 20:
        return len(pattern.findall(data))
    return sum(1 for _ in pattern.finditer(data))


def _cell_extent(data: bytes) -> tuple[int, int, int]:
    """(well-formed cell references, last row, last column), 1-based: two C-speed
    passes, each reduced to its distinct values at once (a million cells: ~40 MB for
    a moment, under a second)."""
    rows = _C_ROW_RE.findall(data)
    n = len(rows)
    max_row = max((int(r) for r in set(rows)), default=0)
    del rows
    max_col = max((_col_number(c) for c in set(_C_COL_RE.findall(data))), default=0)
    return n, max_row, max_col


_FAST_C_REF_RE = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"')
_FAST_ROW_RE = re.compile(rb'<row r="([1-9][0-9]{0,6})"')
# Any other spelling of a <c> / <row> start tag or of an r attribute takes the general
# scan: ``<c`` or ``<row`` followed by ``>``, ``/``, TAB, LF or CR; a prefixed ``:c `` or
# ``:row``; white space before any ``=``; TAB, LF or CR before ``r=``. One pattern each,
# every one starting with a literal byte, so that the regex engine jumps from one
# candidate to the next (a single pattern with these alternatives tries every byte).
_ODD_SPELLING_RES = (
    re.compile(rb"<(?:c|row)[>/\t\n\r]"),
    re.compile(rb":(?:c |row)"),
    re.compile(rb"=(?<=\s=)"),
    re.compile(rb"r=(?<=[\t\n\r]r=)"),
)


def _fast_extent(data: bytes, max_elements: int) -> tuple[int, int] | None:
    """(last row, last column) when the part is spelled the way Excel, WPS, LibreOffice,
    openpyxl and xlsxwriter spell it: no namespace prefixes, ``r`` the first attribute of
    every ``<c>`` and ``<row>``, no other ``r=``, no white space before any ``=``. Proven
    with byte counts and C-speed passes; anything else returns None and takes the
    general scan below (same verdicts, more passes)."""
    if len(data) >= 1 << 20 or any(p.search(data) for p in _ODD_SPELLING_RES):
        return None
    n_cells = data.count(b"<c ")
    n_rows = data.count(b"<row ")
    if n_cells > max_elements or n_rows > max_elements:
        return None
    refs = _FAST_C_REF_RE.findall(data)
    rows = _FAST_ROW_RE.findall(data)
    if len(refs) != n_cells or len(rows) != n_rows or data.count(b" r=") != n_cells + n_rows:
        return None
    max_row = max(map(int, {r for _c, r in refs}.union(rows)), default=0)
    max_col = max(map(_col_number, {c for c, _r in refs}), default=0)
    return max_row, max_col


def scan_sheet(data: bytes, *, max_cells: int, max_elements: int) -> SheetScan:
    """Scan one worksheet part (see module docstring). Never raises for any bytes.

    *max_cells* bounds the dense extent calamine may allocate; *max_elements* the
    number of ``<c>`` / ``<row>`` elements the scan itself lists (more go to the sparse
    reader, whose memory is flat).
    """
    fast = _fast_extent(data, max_elements)
    if fast is not None:
        max_row, max_col = fast
    else:
        n_cells, n_rows = _count(_C_TAG_RE, data), _count(_ROW_TAG_RE, data)
        if n_cells > max_elements or n_rows > max_elements:
            return SheetScan(safe=False, reason="size")
        n_refs, max_row, max_col = _cell_extent(data)
        row_refs = _ROW_REF_RE.findall(data)  # at most n_rows <= max_elements of them
        n_row_refs = len(row_refs)
        if n_refs != n_cells or n_row_refs != n_rows or n_refs + n_row_refs != _count(_ANY_R_RE, data):
            return SheetScan(safe=False, reason="refs")
        max_row = max(max_row, max((int(r) for r in set(row_refs)), default=0))
    if max_row > MAX_ROWS or max_col > MAX_COLS:
        return SheetScan(safe=False, reason="refs", max_row=max_row, max_col=max_col)
    if max_row * max(max_col, 1) > max_cells:
        return SheetScan(safe=False, reason="extent", max_row=max_row, max_col=max_col)
    scan = SheetScan(safe=True, max_row=max_row, max_col=max_col)
    if b'"e"' in data:
        _errors(data, scan)
    if _FORMULA_HINT_RE.search(data):  # b"f>", b"f " or b"f/": one search, not three
        _formulas(data, scan)
    if b"hidden=" in data:
        _hidden(data, scan)
    return scan


def _errors(data: bytes, scan: SheetScan) -> None:
    for m in _ERR_CELL_RE.finditer(data):
        ref = _REF_IN_TAG_RE.search(m.group(0))
        if ref is None:
            continue
        if m.group(0).endswith(b"/>"):  # <c r="A1" t="e"/>: no value at all
            scan.errors[_pos(*ref.groups())] = "#ERROR"
            continue
        end = _CELL_END_RE.search(data, m.end(), m.end() + 8192)
        v = _V_RE.search(data, m.end(), end.start() if end else m.end())
        value = v.group(2).decode("utf-8", "replace").strip() if v and not v.group(1) else ""
        scan.errors[_pos(*ref.groups())] = value or "#ERROR"


def _formulas(data: bytes, scan: SheetScan) -> None:
    matches = list(_FORMULA_CELL_RE.finditer(data))
    for i, m in enumerate(matches):
        limit = matches[i + 1].start() if i + 1 < len(matches) else len(data)
        end = _CELL_END_RE.search(data, m.end(), limit)
        stop = end.start() if end else limit
        attrs = m.group(1) or b""
        ref = _REF_IN_TAG_RE.search(attrs)
        if ref is None:
            continue
        typ = _TYPE_IN_TAG_RE.search(attrs)
        t = typ.group(1) if typ else b"n"
        v = _V_RE.search(data, m.end(), stop)
        empty = v is None or bool(v.group(1)) or not v.group(2).strip()
        if v is None or (empty and t not in (b"str", b"inlineStr")):
            scan.no_value.add(_pos(*ref.groups()))


def _hidden(data: bytes, scan: SheetScan) -> None:
    for m in _HIDDEN_ROW_RE.finditer(data):
        r = _ROW_NUM_IN_TAG_RE.search(m.group(0))
        if r:
            scan.hidden_rows.add(int(r.group(1)) - 1)
    for m in _HIDDEN_COL_RE.finditer(data):
        lo, hi = _MIN_RE.search(m.group(0)), _MAX_RE.search(m.group(0))
        if lo and hi:
            scan.hidden_cols.update(range(max(int(lo.group(1)), 1) - 1, min(int(hi.group(1)), MAX_COLS)))
