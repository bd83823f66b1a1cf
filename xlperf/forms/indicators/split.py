"""Cells a scan's converter split over two rows (西藏: a PDF turned into a workbook): every cell
that held two lines became two rows - the header's `一级` over `指标`, a level `产出` over
`指标`, a 三级 `享受保教费补助` over `幼儿人数` with its value on the first row. Such a second
row is read back into the row above it (docs/forms.md "Indicator tables").
"""

from __future__ import annotations

from collections.abc import Callable

from ...cellref import cell_name
from ...findings import finding
from ...readers.grid import Sheet
from ..common import ParseContext
from ..labels import form_key, load_labels
from .header import LEVEL_ROLES, TableHeader

__all__ = ["join_split_rows"]

Match = Callable[[str], object]


def join_split_rows(sheet: Sheet, header: TableHeader, rows: list[int], match_l1: Match, match_l2: Match,
                    ctx: ParseContext) -> tuple[dict[tuple[int, int], str], set[int]]:
    """The second lines of split cells, joined to the cells above: ``(joined, second_rows)``,
    *joined* mapping a first line's cell to the joined text, *second_rows* the rows read into
    the row above (their cells consumed). A row is a second line when it holds nothing but
    level and 三级 cells, at least one level cell, and each of its level cells joins the cell
    directly above it into a level of its column where one of the two alone is none (`产出` +
    `指标`, `服务对象` + `满意度指标`); its 三级 then joins the 三级 above. The row right under
    the header is its second line when each of its cells joins the header cell above into a
    header label (`一级` + `指标`). Reported once per table (``rows-split-joined``)."""
    joined: dict[tuple[int, int], str] = {}
    second: set[int] = set()
    if not rows or not (LEVEL_ROLES & set(header.cols)):
        return joined, second
    tiers = {header.cols[role]: match for role, match in (("level1", match_l1), ("level2", match_l2))
             if role in header.cols}
    name_col = header.cols["name"]
    last = max(*tiers, name_col)
    if (rows[0] == header.last_row + 1 and sheet.grid[rows[0]][-1][0] <= last
            and _joins_header(sheet, header.last_row, rows[0], (match_l1, match_l2))):
        second.add(rows[0])  # (the header's first lines are read with it: 一级 of 一级指标; 绩效 of 绩效指标 consumed)
        sheet.consumed.update((header.last_row, c) for c, _v in sheet.grid[rows[0]])
    for r in rows:
        row = sheet.grid[r]
        if row[-1][0] > last or r in second or r - 1 not in sheet.grid or r - 1 in second or r - 1 <= header.last_row:
            continue  # most rows: a cell right of the 三级 (its value)
        cells = [(c, v) for c, v in row if not (isinstance(v, str) and not v.strip())]
        if not cells or any(c not in tiers and c != name_col for c, _v in cells) or all(c == name_col for c, _v in cells):
            continue  # most rows: a value, or another column's cell
        above = dict(sheet.grid[r - 1])
        texts = {c: _text(above.get(c)) for c, _v in cells}
        if not all(texts[c] and _joins_level(tiers[c], texts[c], _text(v)) for c, v in cells if c in tiers):
            continue
        if any(c == name_col for c, _v in cells) and not texts.get(name_col):
            continue  # a 三级 under no 三级: a row of its own
        for c, v in cells:
            joined[(r - 1, c)] = texts[c] + _text(v)
        second.add(r)
    if second:
        sheet.consumed.update((r, c) for r in second for c, _v in sheet.grid[r])
        first = min(second)
        ctx.findings.append(finding("rows-split-joined", sheet=sheet.name, cell=cell_name(first, sheet.grid[first][0][0]),
                                    params={"rows": "、".join(str(r + 1) for r in sorted(second))}))
    return joined, second


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _joins_level(match: Match, top: str, bottom: str) -> bool:
    """``top + bottom`` is a level of the column where ``top`` or ``bottom`` alone is none."""
    return bool(match(top + bottom)) and not (match(top) and match(bottom))


def _joins_header(sheet: Sheet, header_row: int, r: int, levels: tuple[Match, Match]) -> bool:
    """Row *r* is the second line of the header row above it: each of its cells, a short word
    that is neither a header label nor a level (`指标`), joins the header cell above into a
    header label (`一级` + `指标`, `绩效` + `指标`)."""
    labels = load_labels()
    above = dict(sheet.grid[header_row])
    cells = [(c, v) for c, v in sheet.grid[r] if isinstance(v, str) and v.strip()]
    return bool(cells) and len(cells) == len(sheet.grid[r]) and all(
        isinstance(above.get(c), str) and len(form_key(v)) <= _SECOND_LINE_MAX
        and not labels.match("indicator_header", v, inline=False) and not any(match(v) for match in levels)
        and labels.match("indicator_header", form_key(above[c]) + form_key(v), inline=False) for c, v in cells)


_SECOND_LINE_MAX = 4  # the second line of a header cell: a word (指标, 指标值)
