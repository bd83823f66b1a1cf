"""Indicators laid out horizontally (云南 county forms, docs/forms.md "Horizontal indicators"):
rows headed 一级指标 / 二级指标 / 三级指标 / 指标值 in their first cell, one indicator per column
right of them; a 一级 or 二级 merged over several columns (or written once and left blank after)
heads every column up to the next one.

Found where a block has no indicator header row; read into the same indicators a table gives,
the levels resolved and reported as a table's are (:mod:`.levels`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ...model import Indicator
from ...readers.grid import Sheet, format_value
from ...targets import target_fields
from ...taxonomy import Taxonomy
from ..common import ParseContext
from ..labels import load_labels
from .levels import LevelCarry, level_fields, report_levels
from .table import level_matcher

__all__ = ["HorizontalTable", "find_horizontal", "read_horizontal"]

_ROW_ROLES = ("level1", "level2", "name", "target")


@dataclass(frozen=True)
class HorizontalTable:
    """Role (level1, level2, name, target) -> row; ``col`` the column of the row headings."""

    rows: dict[str, int]
    col: int


def find_horizontal(sheet: Sheet, lo: int, hi: int) -> HorizontalTable | None:
    """The horizontal indicator rows between rows *lo* and *hi*: a 三级指标 row and a 指标值 row
    (and the 一级 / 二级 rows, if any) whose first cells are those headings alone, in one column,
    on adjacent rows, each with cells right of it; ``None`` otherwise."""
    hits = load_labels().index(sheet).get("indicator_header", {})
    rows: dict[str, int] = {}
    col = None
    for r in sheet.rows_between(lo, hi):
        first = next(((c, h) for c, h in hits.get(r, ()) if h.inline is None), None)
        cells = sheet.grid[r]
        if first is None or first[1].field not in _ROW_ROLES or first[0] != cells[0][0] or len(cells) < 2:
            continue
        c, hit = first
        if any(h.field in _ROW_ROLES for cc, h in hits.get(r, ()) if cc != c):
            continue  # a header row of a vertical table names several roles on one row
        if hit.field in rows or (col is not None and c != col):
            continue
        rows[hit.field], col = r, c
    if col is None or "name" not in rows or "target" not in rows:
        return None
    span = sorted(rows.values())
    if span[-1] - span[0] != len(span) - 1:
        return None  # not one block of adjacent rows
    return HorizontalTable(rows, col)


def read_horizontal(sheet: Sheet, table: HorizontalTable, *, tax: Taxonomy, ctx: ParseContext) -> list[Indicator]:
    """One indicator per column holding a 三级 name, left to right; the 一级 / 二级 written at or
    left of its column carried (a new 一级 clears the 二级); cells read are consumed."""
    match1, match2 = level_matcher(tax, False, 1), level_matcher(tax, False, 2)
    row_cells = {role: dict(sheet.grid[r]) for role, r in table.rows.items()}
    for r in table.rows.values():
        sheet.consumed.add((r, table.col))
    l1 = l2 = LevelCarry()
    out: list[Indicator] = []
    names = row_cells["name"]
    for c in sorted(set().union(*(cells for cells in row_cells.values()))):
        if c <= table.col:
            continue
        if (v := row_cells.get("level1", {}).get(c)) not in (None, ""):
            l1, l2 = _carry(sheet, table.rows["level1"], c, v, match1), LevelCarry()
        if (v := row_cells.get("level2", {}).get(c)) not in (None, ""):
            l2 = _carry(sheet, table.rows["level2"], c, v, match2)
        name = names.get(c)
        if name in (None, "") or not str(name).strip():
            continue
        r_name = table.rows["name"]
        sheet.consumed.add((r_name, c))
        fields: dict[str, object] = {"level1_text": l1.text, "level1_source": l1.source, "level2_text": l2.text,
                                     "level2_source": l2.source, "name": format_value(name).strip(),
                                     "source": sheet.ref(r_name, c)}
        value = row_cells["target"].get(c)
        if value not in (None, ""):
            sheet.consumed.add((table.rows["target"], c))
            fields["target"] = target_fields(format_value(value).strip(), source=sheet.ref(table.rows["target"], c))
        fields.update(level_fields(l1, l2, tax=tax, department=False))
        if not (l1.reported and l2.reported):
            report_levels(l1, l2, sheet_name=sheet.name, ctx=ctx)
        out.append(Indicator.model_validate(fields))
    return out


def _carry(sheet: Sheet, r: int, c: int, value: object, match) -> LevelCarry:  # noqa: ANN001 - level matcher
    sheet.consumed.add((r, c))
    text = format_value(value).strip()
    return LevelCarry(text, match(text), sheet.ref(r, c))
