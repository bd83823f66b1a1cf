"""The header row of an indicator table and its repairs (see the package doc)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from ...cellref import cell_name, col_name
from ...findings import finding
from ...readers.grid import Sheet
from ..common import ParseContext
from ..labels import load_labels

__all__ = ["TableHeader", "align_header", "find_header", "fix_target_column", "header_cells", "roles_of"]


@dataclass(frozen=True)
class TableHeader:
    """A header found at ``row`` (and sub-header rows down to ``last_row``): role ->
    column. Roles: level1, level2, name, description, target, period_target,
    value_basis, indicator_class, two_years_ago, last_year."""

    row: int
    last_row: int
    cols: dict[str, int]
    first_row: int  # a group row above the header (近两年指标值 over 前年 / 上年), else ``row``


def find_header(sheet: Sheet, row: int) -> TableHeader | None:
    """The indicator-table header at *row* (一级指标, 二级指标 and 三级指标 present), with
    the 近两年指标值 / 前年 / 上年 / 预期当年实现值 sub-header rows below it (seed 004)."""
    index = load_labels().index(sheet).get("indicator_header", {})
    cols: dict[str, int] = {}
    for c, hit in index.get(row, ()):
        if hit.inline is None and hit.field not in cols:
            cols[hit.field] = c
    if not {"level1", "level2", "name"} <= set(cols):
        return None
    first = row
    if any(hit.inline is None and hit.field == "previous_values" for _c, hit in index.get(row - 1, ())):
        first = row - 1  # the template's group row above the 年度绩效指标 header
    last = row
    for r in (row + 1, row + 2):
        found = False
        for c, hit in index.get(r, ()):
            if hit.inline is None and hit.field in ("previous_values", "two_years_ago", "last_year", "target"):
                found = True
                if hit.field == "target":
                    cols["target"] = c  # 预期当年实现值 under 指标值
                elif hit.field != "previous_values":
                    cols[hit.field] = c
        if found:
            last = r
        else:
            break
    return TableHeader(row=row, last_row=last, cols=cols, first_row=first)


def header_cells(sheet: Sheet, header: TableHeader) -> list[tuple[int, int]]:
    """The label cells of *header*'s rows (group row included)."""
    index = load_labels().index(sheet).get("indicator_header", {})
    return [(r, c) for r in range(header.first_row, header.last_row + 1) for c, hit in index.get(r, ())
            if hit.inline is None]


def roles_of(cols: dict[str, int]) -> dict[int, str]:
    """Column -> role (a later role wins a shared column)."""
    return {c: role for role, c in cols.items()}


def align_header(sheet: Sheet, header: TableHeader, rows: list[int], match_l2: Callable[[str], object],
                 ctx: ParseContext) -> TableHeader:
    """Header shift: when the data's 二级 cells sit in another column than the 二级指标
    header in a clear (80 %) majority of rows (seed 002: header one column right of its
    data), a copy with every column moved by that offset, reported ``header-shifted``;
    else *header* itself."""
    c2 = header.cols["level2"]
    offsets: dict[int, int] = {}
    for r in rows:
        for c, v in sheet.grid[r]:
            if (r, c) not in sheet.consumed and isinstance(v, str) and match_l2(v):
                offsets[c - c2] = offsets.get(c - c2, 0) + 1
                break
    if not offsets:
        return header
    shift, n = max(offsets.items(), key=lambda kv: (kv[1], -abs(kv[0])))
    if shift == 0 or n * 5 < sum(offsets.values()) * 4:
        return header
    ctx.findings.append(finding("header-shifted", sheet=sheet.name, cell=cell_name(header.row, c2),
                                params={"label": "二级指标", "header_col": col_name(c2),
                                        "data_col": col_name(c2 + shift)}))
    return replace(header, cols={role: c + shift for role, c in header.cols.items()})


def fix_target_column(sheet: Sheet, header: TableHeader, rows: list[int], ctx: ParseContext
                      ) -> tuple[TableHeader, dict[int, str]]:
    """Target column fix: a 绩效值 column empty in every data row while the values sit in
    another column right of 三级 (seed 002 ``三级指标 ×5 | 绩效值``) is read from there,
    reported ``header-shifted``. Returns the header (a copy when fixed) and its
    column -> role map."""
    cols = header.cols
    role_at = roles_of(cols)
    if "target" not in cols or not rows:
        return header, role_at
    best = _target_column(sheet, cols, rows, role_at)
    if best is None:
        return header, role_at
    tc = cols["target"]
    del role_at[tc]
    role_at[best] = "target"
    ctx.findings.append(finding("header-shifted", sheet=sheet.name, cell=cell_name(header.row, tc),
                                params={"label": "绩效值", "header_col": col_name(tc), "data_col": col_name(best)}))
    return replace(header, cols={**cols, "target": best}), role_at


def _target_column(sheet: Sheet, cols: dict[str, int], rows: list[int], role_at: dict[int, str]) -> int | None:
    """The column the values sit in when the 绩效值 column is empty (filled in at least
    half the rows, not a 依据 / 分类 / 描述 column), else ``None``."""
    tc, cn = cols["target"], cols["name"]
    counts: dict[int, int] = {}
    for r in rows:
        for c, _v in sheet.grid[r]:
            if c > cn:
                counts[c] = counts.get(c, 0) + 1
    if counts.get(tc, 0) > 0 or not counts:
        return None
    other = [c for c in sorted(counts) if role_at.get(c) not in ("value_basis", "indicator_class", "description")]
    if not other:
        return None
    best = max(other, key=lambda c: (counts[c], -c))
    return None if counts[best] * 2 < len(rows) else best
