"""Amounts and their unit: which unit an amount cell is written in (万元 unless the cell, its
label or the table's unit note says 元), and a total a form leaves to its parts (docs/forms.md
"Amounts").

The unit of an amount, first found wins: a suffix in the cell (``4623 万``, ``250000元``),
a unit in its label or column header (``项目预算金额(万元)``, ``金额(元)``), a unit in the
heading its label sits under (``资金情况(万元)`` merged left of 资金总额), the unit note
nearest above it on the sheet (``单位：元``), else 万元 (every form seen states 万元).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ..readers.grid import Sheet, format_value
from ..targets import MONEY_UNITS, parse_amount
from ..text import label_key
from .common import is_total_row, unit_of_note
from .labels import load_labels
from .values import cell_at, is_label

__all__ = ["ItemsTotal", "amount_factor", "items_total", "period_columns", "total_beside", "total_under"]

_HEAD_UNIT_RE = re.compile(r"\((万元|元|亿元)\)")
# the numbering of a list of parts, outermost first: 一、 > (一) > 1、 > (1)
_MARKERS = (re.compile(r"^[一二三四五六七八九十]+[、.．]"), re.compile(r"^[(（][一二三四五六七八九十]+[)）]"),
            re.compile(r"^\d+[、.．]"), re.compile(r"^[(（]\d+[)）]"))


def _notes(sheet: Sheet) -> list[tuple[int, str]]:
    """(row, unit) of every unit note of *sheet*, in row order (kept on the sheet)."""
    notes = sheet.cache.get("unit_notes")
    if notes is None:
        notes = [(r, u) for r, cells in sheet.grid.items() for _c, v in cells if (u := unit_of_note(v))]
        sheet.cache["unit_notes"] = notes
    return notes  # type: ignore[return-value]


def amount_factor(sheet: Sheet, r: int, value: object, label_unit: str | None,
                  label_cell: tuple[int, int] | None = None) -> Decimal:
    """The factor from the unit the amount at row *r* is written in to 万元 (1 for 万元,
    0.0001 for 元): a suffix in the cell is applied by the amount parser itself (factor
    1 here), else the label's unit, else the unit of the heading left of the label at
    *label_cell*, else the nearest unit note above row *r*."""
    if isinstance(value, str) and re.search(r"(万元|万|元)\s*$", value):
        return Decimal(1)
    unit = label_unit or (_heading_unit(sheet, *label_cell) if label_cell else None)
    if unit is None:
        above = [u for nr, u in _notes(sheet) if nr <= r]
        unit = above[-1] if above else "万元"
    return MONEY_UNITS.get(unit, Decimal(1))


def _heading_unit(sheet: Sheet, r: int, c: int) -> str | None:
    """The unit a heading left of (r, c) states: its own cell on the row, or a cell merged
    down over the row (资金情况(万元) over 资金总额 / 其中:财政拨款 / 其他资金)."""
    for cc in range(c - 1, -1, -1):
        at = cell_at(sheet, r, cc)
        text = sheet.cells.get(at) if at else None
        if isinstance(text, str):
            m = _HEAD_UNIT_RE.search(label_key(text))
            if m:
                return m.group(1)
    return None


@dataclass(frozen=True)
class ItemsTotal:
    """An amount a form leaves to its parts: the ``total`` in the unit written, the
    (row, col) ``cells`` summed, and ``items`` (their texts) for the finding; ``stated``
    when the parts' own 合计 row or column states it (one cell, nothing added up)."""

    total: Decimal
    cells: tuple[tuple[int, int], ...]
    items: tuple[str, ...]
    stated: bool = False


def items_total(sheet: Sheet, rows: list[int], col: int) -> ItemsTotal | None:
    """The total of the amounts in column *col* over *rows*, each row an item named by its
    first text cell left of *col* (``其中:财政拨款 | 500``, ``(一)财政拨款小计 | 6.30``).
    A 合计 / 总计 row among them states the total, first or last (湖北: 1.财政拨款 /
    2.其他资金 / 合计; the special-bond form: 合计 over the sources). Otherwise, where the
    items are numbered at several levels (``(一)`` over ``1、``) only the outermost level
    counts. ``None`` when a row's amount cannot be read, or none is there."""
    entries: list[tuple[int, str, object]] = []
    for r in rows:
        cells = dict(sheet.grid.get(r, ()))
        item = next((format_value(v).strip() for c, v in sorted(cells.items()) if c < col and isinstance(v, str)
                     and v.strip()), "")
        if col in cells or item:
            entries.append((r, item, cells.get(col)))
    stated = next(((r, item, v) for r, item, v in entries if is_total_row(item)), None)
    if stated is not None:
        reading = parse_amount(stated[2])
        if reading.value is None:
            return None
        return ItemsTotal(reading.value, ((stated[0], col),), (stated[1],), stated=True)
    levels = [next((i for i, m in enumerate(_MARKERS) if m.match(item)), None) for _r, item, _v in entries]
    marked = [lv for lv in levels if lv is not None]
    top = min(marked) if marked else None
    total, cells_used, items = Decimal(0), [], []
    for (r, item, v), lv in zip(entries, levels):
        if top is not None and lv != top:
            continue
        if v is None or (isinstance(v, str) and not v.strip()):
            continue
        reading = parse_amount(v)
        if reading.value is None:
            return None
        total += reading.value
        cells_used.append((r, col))
        items.append(item)
    return ItemsTotal(total, tuple(cells_used), tuple(items)) if cells_used else None


def period_columns(sheet: Sheet, r: int, c: int) -> dict[str, int]:
    """The columns right of a funds heading at (r, c) headed by the year (本年度, 当年) or the
    whole period (全周期, 中期: labels.toml [funds_columns]), as ``annual_amount`` /
    ``period_amount`` -> column; empty when the row names no such column."""
    labels = load_labels()
    out: dict[str, int] = {}
    for cc, v in sheet.grid.get(r, ()):
        hit = labels.match("funds_columns", v, inline=False) if cc > c else None
        if hit is not None:
            out.setdefault("annual_amount" if hit.field == "annual" else "period_amount", cc)
    return out if "annual_amount" in out else {}


def total_beside(sheet: Sheet, r: int, label_col: int, value_col: int) -> ItemsTotal | None:
    """The amount of a row of sources: the value right of an amount label (金额 at *label_col*,
    under a funds heading: 资金来源) sits under a row of headings naming its sources (中央资金 |
    自治区资金 | … , 新疆). A
    合计 / 总计 heading (or an amount label: 资金总额) over another value of the row states
    the total; without one, two or more source values are added up. ``None`` when the value
    is under no heading row of texts (the value of a plain label / value row)."""
    labels = load_labels()
    over = labels.index(sheet).get("project", {}).get(r - 1, ()) if value_col > label_col else ()
    if not any(c == label_col and h.field == "group" for c, h in over):
        return None  # the label is no row of a table headed 资金来源 | 中央资金 | …
    heads = {cc: v for cc, v in sheet.grid[r - 1] if cc > label_col}
    if not isinstance(heads.get(value_col), str):
        return None
    return _sources_total(sheet, heads, r)


def total_under(sheet: Sheet, r: int, c: int) -> ItemsTotal | None:
    """The amount of a funds heading at (r, c) merged down beside a row of source headings and
    the row of their values under it (江苏 专项资金: 资金来源（万元） | 合计 | 中央资金 | 省级资金 …
    over 4860 | 2430 | 1458 …): the value under the 合计 (or an amount label) heading, else the
    sources added up. ``None`` when the row right of the heading is not such headings over values."""
    heads = {cc: v for cc, v in sheet.grid.get(r, ()) if cc > c}
    if len(heads) < 2 or r + 1 not in sheet.grid or (r + 1, c) in sheet.cells:
        return None
    return _sources_total(sheet, heads, r + 1)


def _sources_total(sheet: Sheet, heads: dict[int, object], r: int) -> ItemsTotal | None:
    """The total of the values of row *r* under source *heads* (column -> heading text): the
    value under a 合计 / 总计 heading or an amount label (资金总额) states it; otherwise two or
    more source values are added up. ``None`` when a heading is not a text."""
    labels = load_labels()
    row = dict(sheet.grid[r])
    if any(not isinstance(v, str) for v in heads.values()):
        return None
    sources = []
    for cc, head in sorted(heads.items()):
        if cc not in row or parse_amount(row[cc]).value is None:
            continue
        hit = labels.match("project", head, inline=False)
        if is_total_row(head) or (hit is not None and hit.field == "annual_amount"):
            return ItemsTotal(parse_amount(row[cc]).value, ((r, cc),), (head.strip(),), stated=True)
        if not is_label(head):
            sources.append((cc, head.strip(), parse_amount(row[cc]).value))
    if len(sources) < 2:
        return None
    return ItemsTotal(sum((v for _c, _h, v in sources), Decimal(0)), tuple((r, cc) for cc, _h, _v in sources),
                      tuple(h for _c, h, _v in sources))
