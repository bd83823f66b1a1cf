"""Read an indicator table found by its header row: :func:`read_table`, the walk over its
data rows in small steps (see the package doc)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...cellref import cell_name
from ...findings import finding
from ...model import Indicator
from ...readers.grid import Sheet, format_value
from ...targets import target_fields
from ...taxonomy import Taxonomy
from ..common import ParseContext, is_signature, is_unit_note_or_title
from .header import TableHeader, align_header, fix_target_column, header_cells
from .levels import LevelCarry, level_fields, report_levels
from .rows import RowRoles, leading_levels, map_roles, row_shift, split_name_target, take_shifted_target

__all__ = ["read_table"]

_DOTS_RE = re.compile(r"[.。…·\s]+")


@dataclass
class _Table:
    """What one table read shares between its rows: the sheet, the aligned header and its
    column -> role map, the level matchers, and what carries from row to row (the level
    cells, the shift of the rows above, the shifted rows to report, the canonical levels
    of the current level pair)."""

    sheet: Sheet
    header: TableHeader
    role_at: dict[int, str]
    tax: Taxonomy
    ctx: ParseContext
    department: bool
    l1: LevelCarry = field(default_factory=LevelCarry)
    l2: LevelCarry = field(default_factory=LevelCarry)
    shift_carry: int = 0
    shifted: list[tuple[int, int, int | str]] = field(default_factory=list)
    levels_of: tuple[LevelCarry | None, LevelCarry | None] = (None, None)
    levels: dict[str, str | None] = field(default_factory=dict)

    def match_l1(self, text: str):  # noqa: ANN201 - LevelMatch | None
        return self.tax.match_dept_level1(text) if self.department else self.tax.match_level1(text)

    def match_l2(self, text: str):  # noqa: ANN201 - LevelMatch | None
        return self.tax.match_dept_level2(text) if self.department else self.tax.match_level2(text)


def read_table(sheet: Sheet, header: TableHeader, end_row: int, *, tax: Taxonomy, ctx: ParseContext,
               department: bool = False) -> list[Indicator]:
    """Read the data rows of *header*'s table up to (not including) *end_row*.

    Returns indicators in row order; consumes the cells it maps; appends findings to
    ``ctx.findings``. ``department=True`` matches levels against the department
    framework (seed 004) instead of the project levels. *header* is not changed (a
    repaired header is a copy).
    """
    for c in header_cells(sheet, header):
        sheet.consumed.add(c)
    rows = sheet.rows_between(header.last_row + 1, end_row)
    _consume_notes(sheet, rows)
    table = _Table(sheet, header, {}, tax, ctx, department)
    table.l1 = _level1_in_header_row(table)
    header = align_header(sheet, header, rows, table.match_l2, ctx)
    table.header, table.role_at = fix_target_column(sheet, header, rows, ctx)
    out: list[Indicator] = []
    for r in rows:
        texts = [(c, v if isinstance(v, str) else format_value(v)) for c, v in sheet.grid[r]
                 if (r, c) not in sheet.consumed]
        if not texts:
            continue
        if is_signature(texts[0][1]):
            break  # 填表人：… / 审核人：… / 备注 under the table: left to the unmapped report
        ind = _read_row(table, r, texts)
        if ind is not None:
            out.append(ind)
    _report_shifted_rows(table, rows)
    return out


def _consume_notes(sheet: Sheet, rows: list[int]) -> None:
    """Boilerplate inside the table region (单位：万元 after a table)."""
    for r in rows:
        for c, v in sheet.grid[r]:
            if isinstance(v, str) and is_unit_note_or_title(v):
                sheet.consumed.add((r, c))


def _level1_in_header_row(table: _Table) -> LevelCarry:
    """A 一级 written in the header row itself (seed 002: ``1-产出指标 | 一级指标 | …``)."""
    sheet, row = table.sheet, table.header.row
    carry = LevelCarry()
    for c, v in sheet.grid.get(row, ()):
        if (row, c) not in sheet.consumed:
            m = table.match_l1(format_value(v))
            if m:
                sheet.consumed.add((row, c))
                carry = LevelCarry(format_value(v), m, sheet.ref(row, c))
    return carry


def _read_row(table: _Table, r: int, texts: list[tuple[int, str]]) -> Indicator | None:
    """One data row: its level cells carried, its content aligned and repaired; the
    indicator, or ``None`` for a row that holds none."""
    cols = table.header.cols
    tok1, tok2, i = leading_levels(texts, table.match_l1, table.match_l2, cols["level1"], cols["level2"],
                                   table.shift_carry)
    content = texts[i:]
    token_shift = (tok2[0] - cols["level2"]) if tok2 is not None else \
        (tok1[0] - cols["level1"]) if tok1 is not None else None
    shift = row_shift(token_shift, content[0][0] - cols["name"] if content else None, table.shift_carry)
    if content or token_shift is not None:
        table.shift_carry = shift
    _carry_levels(table, r, tok1, tok2)
    if not content:
        return None
    roles = map_roles(content, table.role_at, shift, cols)
    if _not_an_indicator(table, r, roles):
        return None
    if shift != 0 or roles.garbled:
        table.shifted.append((r, texts[0][0], "?" if roles.garbled else shift))
    _repair_target(table, r, roles)
    for c, _t in roles.values.values():
        table.sheet.consumed.add((r, c))
    if table.levels_of[0] is not table.l1 or table.levels_of[1] is not table.l2:  # new level cells: once
        table.levels_of = (table.l1, table.l2)
        table.levels = level_fields(table.l1, table.l2, tax=table.tax, department=table.department)
    return _indicator(table, r, roles.values)


def _carry_levels(table: _Table, r: int, tok1, tok2) -> None:  # noqa: ANN001 - LevelToken | None
    """New level cells on the row replace the carried ones (a new 一级 alone clears the 二级)."""
    sheet = table.sheet
    if tok1 is not None:
        sheet.consumed.add((r, tok1[0]))
        table.l1 = LevelCarry(tok1[1], tok1[2], sheet.ref(r, tok1[0]))
        if tok2 is None:
            table.l2 = LevelCarry()
    if tok2 is not None:
        sheet.consumed.add((r, tok2[0]))
        table.l2 = LevelCarry(tok2[1], tok2[2], sheet.ref(r, tok2[0]))


def _not_an_indicator(table: _Table, r: int, roles: RowRoles) -> bool:
    """A level row without 三级, a ``.....`` placeholder row (both left to the unmapped
    report), or a department framework row pre-filled by the template with no value typed
    (its 三级 consumed)."""
    values = roles.values
    if "name" not in values and "target" not in values:
        return True
    name_cell = values.get("name")
    if name_cell and len(values) == 1 and _DOTS_RE.fullmatch(name_cell[1]):
        return True
    if table.department and name_cell and len(values) == 1:
        table.sheet.consumed.add((r, name_cell[0]))
        return True
    return False


def _repair_target(table: _Table, r: int, roles: RowRoles) -> None:
    """A value right of its column (``target-shifted``) or inside the 三级 cell
    (``target-split-from-name``) becomes the row's target."""
    sheet, ctx = table.sheet, table.ctx
    name_cell = roles.values.get("name")
    moved = take_shifted_target(roles, table.header.cols)
    if moved is not None:
        ctx.findings.append(finding("target-shifted", sheet=sheet.name, cell=cell_name(r, moved[0]),
                                    params={"cell": cell_name(r, moved[0])}))
    if "target" in roles.values or name_cell is None:
        return
    split = split_name_target(name_cell[1], has_target_column="target" in table.header.cols)
    if split:
        ctx.findings.append(finding("target-split-from-name", sheet=sheet.name, cell=cell_name(r, name_cell[0]),
                                    text=name_cell[1], params={"name": split[0], "target": split[1]}))
        roles.values["name"] = (name_cell[0], split[0])
        roles.values["target"] = (name_cell[0], split[1])


def _report_shifted_rows(table: _Table, rows: list[int]) -> None:
    """Shifted-row report: one ``row-shifted`` finding per run of consecutive data rows
    shifted alike."""
    order = {r: i for i, r in enumerate(rows)}
    run: list[tuple[int, int, int | str]] = []
    for item in table.shifted:
        if run and (order[item[0]] != order[run[-1][0]] + 1 or item[2] != run[-1][2]):
            _report_run(table, run)
            run = []
        run.append(item)
    _report_run(table, run)


def _report_run(table: _Table, run: list[tuple[int, int, int | str]]) -> None:
    if not run:
        return
    first, last = run[0][0] + 1, run[-1][0] + 1
    span = f"{first}" if first == last else f"{first}–{last}"
    how = "列的位置不一致" if run[0][2] == "?" else f"整体偏移 {abs(int(run[0][2]))} 列"
    table.ctx.findings.append(finding("row-shifted", sheet=table.sheet.name, cell=cell_name(run[0][0], run[0][1]),
                                      params={"rows": span, "how": how}))


def _indicator(table: _Table, r: int, values: dict[str, tuple[int, str]]) -> Indicator:
    """The indicator of row *r* from its role -> (col, text) *values*, the carried level
    cells and their canonical levels (computed once per pair)."""
    sheet, l1, l2 = table.sheet, table.l1, table.l2
    fields: dict[str, object] = {"level1_text": l1.text, "level1_source": l1.source,
                                 "level2_text": l2.text, "level2_source": l2.source}
    for role, (c, t) in values.items():
        if role in _TARGET_ROLES:
            fields[_ROLE_FIELD.get(role, role)] = target_fields(t, source=sheet.ref(r, c))  # validated with the Indicator
        elif role in _TEXT_ROLES:
            fields[role] = t
    src = values.get("name") or values.get("target")
    fields["source"] = sheet.ref(r, src[0]) if src else None
    fields.update(table.levels)
    if not (l1.reported and l2.reported):  # the rows below a level cell have nothing new to report
        report_levels(l1, l2, sheet_name=sheet.name, ctx=table.ctx)
    return _validate_indicator(fields)


# Indicator.model_validate without its keyword handling (the same validator, the same
# defaults): one pydantic-core call per indicator, its target included as a dict.
_validate_indicator = Indicator.__pydantic_validator__.validate_python
_TARGET_ROLES = frozenset({"target", "period_target", "two_years_ago", "last_year"})
_TEXT_ROLES = frozenset({"name", "description", "value_basis", "indicator_class"})
_ROLE_FIELD = {"two_years_ago": "value_two_years_ago", "last_year": "value_last_year"}
