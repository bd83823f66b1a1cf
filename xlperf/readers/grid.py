"""The small reading interface every layout parser works on: a workbook of sheets of
sparse cells, with merged ranges, hidden rows and sheet visibility.

Coordinates are 0-based ``(row, col)``; :func:`cell_name` turns them into ``A1``
names for findings. Readers (``xlsx.py``) build these objects; layout parsers only
read them and mark the cells they consumed, so that every non-empty cell is either
mapped into the model or reported (the "nothing lost" count).
"""

from __future__ import annotations

import bisect
import datetime as _dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property, lru_cache

from ..model import Finding
from ..text import label_key

__all__ = [
    "MAX_COLS",
    "MAX_ROWS",
    "Sheet",
    "Workbook",
    "cell_name",
    "col_name",
    "excel_serial_to_datetime",
    "form_date_from_serial",
    "format_value",
    "parse_cell_name",
    "sheet_ref",
    "split_ref",
]

#: Excel's grid: 1,048,576 rows x 16,384 columns (A1:XFD1048576).
MAX_ROWS = 1_048_576
MAX_COLS = 16_384

_SIMPLE_SHEET_RE = re.compile(r"^[A-Za-z0-9_\u4e00-\u9fff]+$")


@lru_cache(maxsize=4096)
def col_name(col: int) -> str:
    """0 -> ``A``, 25 -> ``Z``, 26 -> ``AA``."""
    name = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        name = chr(65 + rem) + name
    return name


_COL_NAMES = tuple(col_name(c) for c in range(26 * 27))  # A .. ZZ: every column a form uses


def cell_name(row: int, col: int) -> str:
    """0-based (row, col) -> ``A1`` style name."""
    return f"{col_name(col)}{row + 1}"


_REF_RE = re.compile(r"^\$?([A-Za-z]{1,3})\$?([1-9]\d{0,6})$")


def parse_cell_name(name: str) -> tuple[int, int]:
    """``A1`` style name -> 0-based (row, col), inside Excel's grid (``A1:XFD1048576``).

    Raises :class:`ValueError` for anything else (``A0``, ``A-5``, ``XFE1``, ``A99999999``).
    """
    m = _REF_RE.match(name)
    if not m:
        raise ValueError(f"not a cell name: {name!r}")
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    row = int(m.group(2))
    if row > MAX_ROWS or col > MAX_COLS:
        raise ValueError(f"outside the sheet grid: {name!r}")
    return row - 1, col - 1


_EPOCH_1900 = _dt.datetime(1899, 12, 30)
_EPOCH_1904 = _dt.datetime(1904, 1, 1)
_MAX_SERIAL = 2_958_466  # 9999-12-31 + 1


def excel_serial_to_datetime(serial: float, *, date1904: bool = False) -> _dt.datetime | None:
    """An Excel date serial -> naive datetime (``45678`` -> 2025-01-21 00:00), or ``None``
    when the number is not a date Excel can show (negative, or past 9999-12-31).

    Serials below 61 follow Excel's 1900 leap-year bug (serial 1 = 1900-01-01), as
    Excel and python-calamine show them.
    """
    if serial != serial or serial < 0 or serial >= _MAX_SERIAL:
        return None
    if date1904:
        base = _EPOCH_1904
    else:
        base = _EPOCH_1900 if serial >= 61 else _EPOCH_1900 + _dt.timedelta(days=1)
    return base + _dt.timedelta(milliseconds=round(serial * 86_400_000))


@lru_cache(maxsize=4096)
def _quoted(sheet: str) -> str:
    return sheet if _SIMPLE_SHEET_RE.match(sheet) else "'" + sheet.replace("'", "''") + "'"


def sheet_ref(sheet: str, row: int, col: int) -> str:
    """``项目1!C12``; sheet names with spaces or punctuation are quoted as Excel does."""
    return f"{_quoted(sheet)}!{col_name(col)}{row + 1}"


def split_ref(ref: str | None) -> tuple[str | None, str | None]:
    """The inverse of :func:`sheet_ref`: ``"'第二部分 预算项目绩效目标'!C5"`` ->
    ``("第二部分 预算项目绩效目标", "C5")``; a bare cell name -> ``(None, "C5")``;
    ``None`` / ``""`` -> ``(None, None)``."""
    if not ref:
        return None, None
    sheet, sep, cell = ref.rpartition("!")
    if not sep:
        return None, ref
    if len(sheet) >= 2 and sheet[0] == sheet[-1] == "'":
        sheet = sheet[1:-1].replace("''", "'")
    return sheet, cell


_FORM_DATES = (32_874, 73_051)  # 1990-01-01 .. 2100-01-01


def form_date_from_serial(value: object) -> str | None:
    """A number typed where a date belongs (a 填报日期 of ``45678``) -> ISO date text
    (``2025-01-21``), when it is an Excel date serial between 1990 and 2100; else ``None``.
    The caller reports the reading (``date-as-number``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not (_FORM_DATES[0] <= value < _FORM_DATES[1]):
        return None
    moment = excel_serial_to_datetime(float(value))
    return moment.date().isoformat() if moment else None


def format_value(value: object) -> str:
    """A cell value as text: numbers without a spurious ``.0``, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    return str(value)


@dataclass
class Sheet:
    """One worksheet: sparse non-empty cells ``{(row, col): value}``.

    Values are ``str`` (normalised, see :func:`xlperf.text.clean_cell_text`),
    ``float``/``int``, ``bool`` or ``datetime``/``date``. ``merged`` holds inclusive
    ``(r0, c0, r1, c1)`` ranges; only their top-left cell has a value.
    ``consumed`` collects the cells a layout parser mapped into the model.
    """

    name: str
    index: int = 0
    state: str = "visible"  # visible | hidden | veryHidden
    cells: dict[tuple[int, int], object] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden_rows: frozenset[int] = frozenset()
    hidden_cols: frozenset[int] = frozenset()
    consumed: set[tuple[int, int]] = field(default_factory=set)
    cache: dict[str, object] = field(default_factory=dict, repr=False)  # per-sheet indexes built by parsers
    _keys: dict[tuple[int, int], str] = field(default_factory=dict, repr=False)
    _merged_at: dict[tuple[int, int], tuple[int, int, int, int]] | None = field(default=None, repr=False)
    _row_keys: list[int] | None = field(default=None, repr=False)
    _ref_prefix: str = field(default="", init=False, repr=False, compare=False)  # "项目1!", set in __post_init__

    def __post_init__(self) -> None:
        self._ref_prefix = _quoted(self.name) + "!"

    # -- access -------------------------------------------------------------------------
    @cached_property
    def grid(self) -> dict[int, list[tuple[int, object]]]:
        """``{row: [(col, value), ...]}`` sorted by row then column, built on first use
        (after the reader has filled ``cells``)."""
        cells = self.cells
        rows: dict[int, list[tuple[int, object]]] = {}
        for key in sorted(cells):  # (row, col) pairs of ints: a fast sort, no (key, value) tuples
            r, c = key
            row = rows.get(r)
            if row is None:
                rows[r] = [(c, cells[key])]
            else:
                row.append((c, cells[key]))
        return rows

    def rows(self) -> dict[int, list[tuple[int, object]]]:
        """Same as :attr:`grid`."""
        return self.grid

    def rows_between(self, lo: int, hi: int) -> list[int]:
        """The non-empty rows *r* with ``lo <= r < hi``, ascending. Loops over a row
        range use this, so a stray cell at row 1,048,576 costs nothing."""
        if self._row_keys is None:
            self._row_keys = list(self.grid)
        keys = self._row_keys
        return keys[bisect.bisect_left(keys, lo): bisect.bisect_left(keys, hi)]

    def value(self, r: int, c: int) -> object:
        """The value at (r, c) or ``None``."""
        return self.cells.get((r, c))

    def text(self, r: int, c: int) -> str:
        """The value at (r, c) as text (``""`` when empty)."""
        return format_value(self.cells.get((r, c)))

    def key(self, r: int, c: int) -> str:
        """The label key (see :func:`xlperf.text.label_key`) of (r, c), cached."""
        k = self._keys.get((r, c))
        if k is None:
            v = self.cells.get((r, c))
            k = label_key(v) if isinstance(v, str) else ("" if v is None else format_value(v))
            self._keys[(r, c)] = k
        return k

    def ref(self, r: int, c: int) -> str:
        """``Sheet!A1`` for (r, c), as :func:`sheet_ref` gives it (layout parsers ask for a
        thousand per workbook: the quoted name is kept, columns up to ZZ are looked up)."""
        return f"{self._ref_prefix}{_COL_NAMES[c] if c < 702 else col_name(c)}{r + 1}"

    def take(self, r: int, c: int) -> object:
        """Mark (r, c) consumed and return its value."""
        if (r, c) in self.cells:
            self.consumed.add((r, c))
        return self.cells.get((r, c))

    def merged_span(self, r: int, c: int) -> tuple[int, int, int, int] | None:
        """The merged range whose top-left is (r, c), if any (an index built once, so a
        sheet with many merged ranges stays cheap)."""
        if self._merged_at is None:
            index: dict[tuple[int, int], tuple[int, int, int, int]] = {}
            for rng in self.merged:
                index.setdefault((rng[0], rng[1]), rng)
            self._merged_at = index
        return self._merged_at.get((r, c))

    @property
    def max_col(self) -> int:
        """Highest used column index (-1 when empty)."""
        return max((c for _, c in self.cells), default=-1)


@dataclass
class Workbook:
    """A workbook read for import: its sheets, the file's sha256, its container kind
    (``xlsx`` or ``xlsm``) and the findings of reading it (hidden sheets, normalised
    text, error values ...), each pointing at a sheet and cell."""

    path: str
    sha256: str
    kind: str = "xlsx"
    sheets: list[Sheet] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    properties: dict[str, str] = field(default_factory=dict)
