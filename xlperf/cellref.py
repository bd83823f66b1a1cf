"""Cell addresses: ``A1`` names, the ``Sheet!A1`` references findings and the model carry,
and Excel's grid limits. The one place a reference is written and parsed back.

Coordinates are 0-based ``(row, col)`` everywhere in xlperf; names are Excel's
(``A1`` = (0, 0)). A sheet name with spaces or punctuation is quoted as Excel quotes it
(``'第二部分 预算项目绩效目标'!C5``, a ``'`` in the name doubled).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "MAX_COLS",
    "MAX_ROWS",
    "CellRef",
    "cell_name",
    "col_name",
    "parse_cell_name",
    "quoted_sheet",
    "sheet_ref",
    "split_ref",
]

#: Excel's grid: 1,048,576 rows x 16,384 columns (A1:XFD1048576).
MAX_ROWS = 1_048_576
MAX_COLS = 16_384

_SIMPLE_SHEET_RE = re.compile(r"^[A-Za-z0-9_\u4e00-\u9fff]+$")
_REF_RE = re.compile(r"^\$?([A-Za-z]{1,3})\$?([1-9]\d{0,6})$")


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


@lru_cache(maxsize=4096)
def quoted_sheet(sheet: str) -> str:
    """A sheet name as it stands before ``!`` in a reference: quoted when Excel would."""
    return sheet if _SIMPLE_SHEET_RE.match(sheet) else "'" + sheet.replace("'", "''") + "'"


@dataclass(frozen=True)
class CellRef:
    """A cell of a named sheet: ``sheet`` (``None``: a bare cell name), 0-based ``row``
    and ``col``. Its text form (:attr:`text`, ``str()``) is ``项目1!C12``, the form the
    JSON and findings carry; :meth:`parse` reads it back."""

    sheet: str | None
    row: int
    col: int

    @property
    def cell(self) -> str:
        """The ``A1`` name of the cell (``C12``)."""
        return cell_name(self.row, self.col)

    @property
    def text(self) -> str:
        """``Sheet!A1`` (the sheet quoted as Excel does), or ``A1`` without a sheet."""
        return self.cell if self.sheet is None else f"{quoted_sheet(self.sheet)}!{self.cell}"

    def __str__(self) -> str:
        return self.text

    @classmethod
    def parse(cls, ref: str | None) -> CellRef | None:
        """``"'第二部分 预算项目绩效目标'!C5"`` -> CellRef("第二部分 预算项目绩效目标", 4, 2);
        ``"C5"`` -> CellRef(None, 4, 2); ``None``, ``""`` or a cell part that is not
        an ``A1`` name -> ``None``."""
        sheet, cell = split_ref(ref)
        if cell is None:
            return None
        try:
            row, col = parse_cell_name(cell)
        except ValueError:
            return None
        return cls(sheet, row, col)


def sheet_ref(sheet: str, row: int, col: int) -> str:
    """``项目1!C12`` for 0-based (row, col): :attr:`CellRef.text`."""
    return f"{quoted_sheet(sheet)}!{col_name(col)}{row + 1}"


def split_ref(ref: str | None) -> tuple[str | None, str | None]:
    """A reference's two parts as written: ``"'第二部分 预算项目绩效目标'!C5"`` ->
    ``("第二部分 预算项目绩效目标", "C5")``; a bare cell name -> ``(None, "C5")``;
    ``None`` / ``""`` -> ``(None, None)``. The cell part is not checked (see
    :meth:`CellRef.parse` for that)."""
    if not ref:
        return None, None
    sheet, sep, cell = ref.rpartition("!")
    if not sep:
        return None, ref
    if len(sheet) >= 2 and sheet[0] == sheet[-1] == "'":
        sheet = sheet[1:-1].replace("''", "'")
    return sheet, cell
