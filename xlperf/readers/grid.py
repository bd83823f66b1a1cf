"""The small reading interface every form reader works on: a workbook of sheets of
sparse cells, with merged ranges, hidden rows and sheet visibility.

Coordinates are 0-based ``(row, col)``; :func:`xlperf.cellref.cell_name` turns them
into ``A1`` names for findings. Readers (``xlsx.py``) build these objects; form readers only
read them and mark the cells they consumed, so that every non-empty cell is either
mapped into the model or reported (the "nothing lost" count).
"""

from __future__ import annotations

import bisect
import datetime as _dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from ..cellref import col_name, quoted_sheet
from ..model import Finding

__all__ = [
    "Sheet",
    "Workbook",
    "excel_serial_to_datetime",
    "form_date_from_serial",
    "format_value",
]

# A .. ZZ: every column a form uses, looked up rather than computed
_COL_NAMES = tuple(col_name(c) for c in range(26 * 27))

_EPOCH_1900 = _dt.datetime(1899, 12, 30)
_EPOCH_1904 = _dt.datetime(1904, 1, 1)
_MAX_SERIAL = 2_958_466  # 9999-12-31 + 1


def excel_serial_to_datetime(serial: float, *, date1904: bool = False) -> _dt.datetime | None:
    """An Excel date serial -> naive datetime (``45678`` -> 2025-01-21 00:00), or ``None``
    when the number is not a date Excel can show (negative, or past 9999-12-31) or is
    Excel's phantom 1900-02-29 (serials 60 to 61: the 1900 system counts 1900 as a leap
    year, a Lotus 1-2-3 bug Excel kept; the day does not exist).

    Serials below 60 are one day later than the 1899-12-30 epoch gives (serial 1 =
    1900-01-01), as Excel shows them and openpyxl reads them.
    """
    if serial != serial or serial < 0 or serial >= _MAX_SERIAL:
        return None
    if date1904:
        base = _EPOCH_1904
    elif serial >= 61:
        base = _EPOCH_1900
    elif serial >= 60:
        return None
    else:
        base = _EPOCH_1900 + _dt.timedelta(days=1)
    return base + _dt.timedelta(milliseconds=round(serial * 86_400_000))


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
    ``consumed`` collects the cells a form reader mapped into the model.
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
    _merged_at: dict[tuple[int, int], tuple[int, int, int, int]] | None = field(default=None, repr=False)
    _row_keys: list[int] | None = field(default=None, repr=False)
    _ref_prefix: str = field(default="", init=False, repr=False, compare=False)  # "项目1!", set in __post_init__

    def __post_init__(self) -> None:
        self._ref_prefix = quoted_sheet(self.name) + "!"

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

    def rows_between(self, lo: int, hi: int) -> list[int]:
        """The non-empty rows *r* with ``lo <= r < hi``, ascending. Loops over a row
        range use this, so a stray cell at row 1,048,576 costs nothing."""
        if self._row_keys is None:
            self._row_keys = list(self.grid)
        keys = self._row_keys
        return keys[bisect.bisect_left(keys, lo): bisect.bisect_left(keys, hi)]

    def ref(self, r: int, c: int) -> str:
        """``Sheet!A1`` for (r, c), as :func:`xlperf.cellref.sheet_ref` gives it (form readers ask for a
        thousand per workbook: the quoted name is kept, columns up to ZZ are looked up)."""
        return f"{self._ref_prefix}{_COL_NAMES[c] if c < 702 else col_name(c)}{r + 1}"

    def merged_span(self, r: int, c: int) -> tuple[int, int, int, int] | None:
        """The merged range whose top-left is (r, c), if any (an index built once, so a
        sheet with many merged ranges stays cheap)."""
        if self._merged_at is None:
            index: dict[tuple[int, int], tuple[int, int, int, int]] = {}
            for rng in self.merged:
                index.setdefault((rng[0], rng[1]), rng)
            self._merged_at = index
        return self._merged_at.get((r, c))


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
