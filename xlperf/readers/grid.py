"""The small reading interface every layout parser works on: a workbook of sheets of
sparse cells, with merged ranges, hidden rows and sheet visibility.

Coordinates are 0-based ``(row, col)``; :func:`cell_name` turns them into ``A1``
names for findings. Readers (``xlsx.py``) build these objects; layout parsers only
read them and mark the cells they consumed, so that every non-empty cell is either
mapped into the model or reported (the "nothing lost" count).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property, lru_cache

from ..model import Finding
from ..text import label_key

__all__ = ["Sheet", "Workbook", "cell_name", "col_name", "parse_cell_name", "format_value", "sheet_ref"]

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


def cell_name(row: int, col: int) -> str:
    """0-based (row, col) -> ``A1`` style name."""
    return f"{col_name(col)}{row + 1}"


_REF_RE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


def parse_cell_name(name: str) -> tuple[int, int]:
    """``A1`` style name -> 0-based (row, col). Raises :class:`ValueError`."""
    m = _REF_RE.match(name)
    if not m:
        raise ValueError(f"not a cell name: {name!r}")
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


@lru_cache(maxsize=4096)
def _quoted(sheet: str) -> str:
    return sheet if _SIMPLE_SHEET_RE.match(sheet) else "'" + sheet.replace("'", "''") + "'"


def sheet_ref(sheet: str, row: int, col: int) -> str:
    """``项目1!C12``; sheet names with spaces or punctuation are quoted as Excel does."""
    return f"{_quoted(sheet)}!{col_name(col)}{row + 1}"


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

    # -- access -------------------------------------------------------------------------
    @cached_property
    def grid(self) -> dict[int, list[tuple[int, object]]]:
        """``{row: [(col, value), ...]}`` sorted by row then column, built on first use
        (after the reader has filled ``cells``)."""
        rows: dict[int, list[tuple[int, object]]] = {}
        for (r, c), v in sorted(self.cells.items()):
            rows.setdefault(r, []).append((c, v))
        return rows

    def rows(self) -> dict[int, list[tuple[int, object]]]:
        """Same as :attr:`grid`."""
        return self.grid

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
        """``Sheet!A1`` for (r, c)."""
        return sheet_ref(self.name, r, c)

    def take(self, r: int, c: int) -> object:
        """Mark (r, c) consumed and return its value."""
        if (r, c) in self.cells:
            self.consumed.add((r, c))
        return self.cells.get((r, c))

    def merged_span(self, r: int, c: int) -> tuple[int, int, int, int] | None:
        """The merged range whose top-left is (r, c), if any."""
        for rng in self.merged:
            if rng[0] == r and rng[1] == c:
                return rng
        return None

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
