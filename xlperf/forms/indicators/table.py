"""Read an indicator table found by its header row: :func:`read_table`, the walk over its
data rows in small steps (see the package doc)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache, partial

from ...cellref import cell_name
from ...findings import finding
from ...model import Indicator
from ...readers.grid import Sheet, format_value
from ...targets import target_fields
from ...taxonomy import LevelMatch, Taxonomy, split_code
from ...text import label_key
from ..common import (
    ParseContext,
    is_continued,
    is_page_number,
    is_signature,
    is_total_row,
    is_unit_note,
    is_unit_note_or_title,
)
from ..labels import form_key, load_labels, outline_item
from .header import TableHeader, align_header, fix_target_column, header_cells, repeats_header, type_columns
from .levels import LevelCarry, level_fields, report_levels
from .split import join_split_rows
from .rows import (
    RowRoles,
    leading_levels,
    map_roles,
    row_shift,
    split_bracketed,
    split_name_target,
    take_shifted_target,
    vocab,
)

__all__ = ["level_text", "read_table"]

_DOTS_RE = re.compile(r"[.。…·\s]+")
# a row of money above the first level (山东 city transfer: 分配资金（万元） | 450 | 420 …): no indicator
_FUNDS_ROW_RE = re.compile(r"(资金|金额|预算|经费)\((万元|元|亿元)\)$")
# a 一级 and a 二级 joined in one cell: 产出指标-数量指标, 效益指标—社会效益指标, 产出/质量指标
_JOINED_RE = re.compile(r"^([^-—–/·:]*[\u4e00-\u9fff])[-—–/·:]([\u4e00-\u9fff].*)$")
# a score or weight written in a level cell: 产出指标(50分), 产出指标\n(50), 效益指标\n30分)
_SCORE_RE = re.compile(r"(\(\d+(\.\d+)?分?\)|\d+(\.\d+)?分\)?)$")


# an outline number before a level: 1.1数量指标 (内蒙古), 一、产出指标 / （一）数量指标 (兵团); a code
# (1-产出指标, 11-数量指标, 1.产出指标) is no outline number: it is checked against the taxonomy
_LEVEL_OUTLINE_RE = re.compile(r"^(\d{1,2}(\.\d{1,2})+[.、]?|[一二三四五六七八九十]{1,3}[、.]|"
                               r"\((\d{1,2}|[一二三四五六七八九十]{1,3})\))(?=\D)")
# a 三级 numbered as an item of an outline: 1.1.1 城区道路清扫保洁面积 (内蒙古), 1、新建道路里程,
# （1）新建道路里程 - never a number of the name itself (2型糖尿病, 0-6岁儿童, 1.5万亩高标准农田)
_OUTLINE_STARTS = frozenset("0123456789(（")
_NAME_OUTLINE_RE = re.compile(r"^\s*(\d{1,2}(\.\d{1,2}){2,}[.、．]?\s*(?=\D)|\d{1,2}[、.．]\s*(?=[\u4e00-\u9fff])|"
                              r"[(（]\d{1,2}[)）]\s*(?=\S))")


def level_text(text: str) -> str:
    """A level cell folded for matching (its text is kept as written): the label key
    (spaces, line breaks, page noise, traditional characters) without an outline number
    before it (``1.1数量指标``, ``一、产出指标``, ``（一）数量指标``) nor a score or weight
    at its end (``产出指标(50分)`` -> 产出指标)."""
    key = form_key(text)
    if key[:1].isdigit() or key[:1] in "(一二三四五六七八九十":
        key = _LEVEL_OUTLINE_RE.sub("", key)
    return _SCORE_RE.sub("", key) if key.endswith((")", "分")) else key


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
    bracketed: bool = False  # no value column: each 三级 ends with its value in brackets
    joined: dict[tuple[int, int], str] = field(default_factory=dict)  # cells with their second line (split.py)
    second_lines: set[int] = field(default_factory=set)  # rows read into the row above them
    parts: bool = False  # operator, unit, weight or grade columns: a target written in parts
    level_pairs: dict[tuple[int, int], tuple[object, object, dict[str, str | None]]] = field(default_factory=dict)
    match_l1: Callable[[str], LevelMatch | None] = field(init=False, repr=False)
    match_l2: Callable[[str], LevelMatch | None] = field(init=False, repr=False)
    short_l2: Callable[[str, LevelMatch | None], LevelMatch | None] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.match_l1 = level_matcher(self.tax, self.department, 1)
        self.match_l2 = level_matcher(self.tax, self.department, 2)
        self.short_l2 = partial(_short_level2, self.tax)

    @property
    def flat(self) -> bool:
        """No 一级 nor 二级 column: levels, if any, come from section rows."""
        return "level1" not in self.header.cols and "level2" not in self.header.cols


_UNSEEN = object()
_MATCHES_KEPT = 1 << 14  # texts remembered per matcher (level cells repeat across rows and files)


@lru_cache(maxsize=8)
def level_matcher(tax: Taxonomy, department: bool, tier: int) -> Callable[[str], LevelMatch | None]:
    """The matcher of a level cell's text as a 一级 (*tier* 1) or 二级 of the project or
    department framework of *tax*: a ``LevelMatch`` or ``None``, each text matched once (a
    table asks about the cells of its level columns several times, and they repeat across
    files)."""
    seen: dict[str, LevelMatch | None] = {}

    def match(text: str) -> LevelMatch | None:
        m = seen.get(text, _UNSEEN)
        if m is _UNSEEN:
            m = _match_level(tax, department, tier, text)
            if len(seen) < _MATCHES_KEPT:
                seen[text] = m
        return m  # type: ignore[return-value]

    return match


def _match_level(tax: Taxonomy, department: bool, tier: int, text: str) -> LevelMatch | None:
    """*text* as a 一级 (*tier* 1) or 二级 of the project or department framework."""
    key = level_text(text)
    if department:
        return tax.match_dept_level1(key) if tier == 1 else (tax.match_dept_level2(key) or _joined(tax, True, key))
    if tier == 1:
        return tax.match_level1(key)
    m = tax.match_level2(key) or _only_level2(tax, key) or _joined(tax, False, key)
    if m is not None and m.conflict and len(split_code(key)[0] or "") == 1 and len(m.level.code) == 2:
        return LevelMatch(m.level)  # 1.数量指标 under 一、产出指标: an outline number, no 二级 code has one digit
    return m


def _joined(tax: Taxonomy, department: bool, key: str) -> LevelMatch | None:
    """A 一级 and its 二级 joined in one cell (``产出指标-数量指标``, a budget system's 指标类型
    column, 吉林): the 二级, when the 一级 written is its own (else no match: an unknown level)."""
    m = _JOINED_RE.match(key)
    if m is None:
        return None
    m1 = tax.match_dept_level1(m[1]) if department else tax.match_level1(m[1])
    m2 = tax.match_dept_level2(m[2]) if department else tax.match_level2(m[2])
    return m2 if m1 is not None and m2 is not None and m2.level.parent == m1.level.name else None


def _short_level2(tax: Taxonomy, text: str, l1: LevelMatch | None) -> LevelMatch | None:
    """*text* as a 二级 abbreviated under the 一级 *l1* (效益 | 社会 -> 社会效益), or ``None``."""
    return tax.match_level2_short(level_text(text), l1.level.name) if l1 is not None else None


def _only_level2(tax: Taxonomy, key: str) -> LevelMatch | None:
    """A 一级 name (no code) written as the 二级 of a 一级 that has one 二级: that 二级
    (满意度指标 | 满意度指标 -> 服务对象满意度; 安徽 淮北, 四川 昭化)."""
    if split_code(key)[0] is not None:
        return None
    m1 = tax.match_level1(key)
    under = tax.level2_under(m1.level.name) if m1 is not None and not m1.conflict else []
    return LevelMatch(under[0]) if len(under) == 1 else None


def read_table(sheet: Sheet, header: TableHeader, end_row: int, *, tax: Taxonomy, ctx: ParseContext,
               department: bool = False, first_row: int | None = None) -> list[Indicator]:
    """Read the data rows of *header*'s table up to (not including) *end_row*, from
    *first_row* (default: the row under the header; a table of several projects reads
    each project's rows in turn).

    Returns indicators in row order; consumes the cells it maps; appends findings to
    ``ctx.findings``. ``department=True`` matches levels against the department
    framework (seed 004) instead of the project levels, unless the table's level cells
    name the project framework's levels more often (the MoF 部门整体支出绩效目标申报表 uses
    产出 / 效益 / 满意度指标). *header* is not changed (a
    repaired header is a copy). The table ends early at a signature or note row under
    it (审核意见, 其他需说明的问题, (盖章) …: labels.toml [boilerplate] signature); a total
    row (合计 of the weights) is no indicator; a page break's 续表 row and the header printed
    again under it are skipped.
    """
    for c in header_cells(sheet, header):
        sheet.consumed.add(c)
    rows = sheet.rows_between(header.last_row + 1 if first_row is None else first_row, end_row)
    if department:
        department = _department_framework(sheet, header, rows, tax)
    _consume_notes(sheet, rows)
    table = _Table(sheet, header, {}, tax, ctx, department)
    table.l1 = _level1_in_header_row(table)
    header = type_columns(sheet, header, rows, table.match_l1, table.match_l2)
    sheet.consumed.update((header.row, c) for c in header.cols.values() if (header.row, c) in sheet.cells)  # typed columns' headings
    header = align_header(sheet, header, rows, table.match_l2, ctx)
    table.header, table.role_at = fix_target_column(sheet, header, rows, ctx)
    table.bracketed = _values_in_brackets(table, rows)
    table.joined, table.second_lines = join_split_rows(sheet, table.header, rows, table.match_l1, table.match_l2, ctx)
    table.role_at.update({c: f"grade|{g}" for c, g in header.grades.items()})
    table.role_at.update({c: f"recipient|{n}" for c, n in header.recipients.items()})
    table.parts = bool(header.grades) or not _PART_ROLES.isdisjoint(table.role_at.values())
    out: list[Indicator] = []
    head = sheet.grid[header.row][0]  # a header printed again starts as it does (checked in full then)
    for r in rows:
        row = sheet.grid[r]
        first, lone = row[0][1], len(row) == 1
        if lone and is_unit_note_or_title(first) and not is_unit_note(first):
            break  # the title of the next form: the table ended
        if (lone and (is_continued(first) or is_page_number(first))) or (
                row[0] == head and repeats_header(sheet, r, header)):
            sheet.consumed.update((r, c) for c, _v in row)
            continue  # a page break: 续表, the page number and the header printed again
        if r in table.second_lines:
            continue  # a scan's second line of the row above: read with it
        texts = _row_texts(table, r)
        if not texts:
            continue
        if is_signature(texts[0][1]) or _text_under_table(table, texts):
            break  # 审核意见 / (盖章) / the next table's title under the table: left to the unmapped report
        if is_total_row(texts[0][1]):
            continue  # 合计 of the weights: no indicator, left to the unmapped report
        if table.l1.text is None and _FUNDS_ROW_RE.search(form_key(texts[0][1])):
            continue  # 分配资金（万元） per recipient above the levels: no indicator, left to the unmapped report
        if len(texts) == 1 and table.flat and _section_row(table, r, texts[0]):
            continue  # 一、产出指标 over its rows: their levels
        out.extend(_read_row(table, r, texts))
    _report_shifted_rows(table, rows)
    return out


def _section_row(table: _Table, r: int, cell: tuple[int, str]) -> bool:
    """A table without level columns whose levels are section rows (辽宁 township forms typed in
    Word): a lone cell numbered as an outline item (``一、产出指标``, ``（一）数量指标``) naming a
    level sets the 一级 (clearing the 二级) or the 二级 of the rows below it."""
    key = outline_item(cell[1])
    if not key:
        return False
    c, text = cell
    m1, m2 = table.match_l1(key), table.match_l2(key)
    if m1 is None and m2 is None:
        return False
    if m1 is not None and m2 is not None:  # 成本指标 at both levels: the 二级 of the 一级 it sits under, if its own
        carried = table.l1.match
        m1, m2 = (None, m2) if carried is not None and m2.level.parent == carried.level.name else (m1, None)
    carry = LevelCarry(text, m1 or m2, table.sheet.ref(r, c))
    if m1 is not None:
        table.l1, table.l2 = carry, LevelCarry()
    else:
        table.l2 = carry
    table.sheet.consumed.add((r, c))
    return True


def _department_framework(sheet: Sheet, header: TableHeader, rows: list[int], tax: Taxonomy) -> bool:
    """A department form's table is read against the department framework (阳新: 运行成本,
    管理效率 …) unless more of its level cells are levels of the project framework."""
    tiers = {header.cols[r]: i for i, r in ((1, "level1"), (2, "level2")) if r in header.cols}
    dept = proj = 0
    for r in rows:
        for c, v in sheet.grid[r]:
            tier = tiers.get(c)
            if tier is not None and isinstance(v, str):
                dept += level_matcher(tax, True, tier)(v) is not None
                proj += level_matcher(tax, False, tier)(v) is not None
    return proj <= dept


def _row_texts(table: _Table, r: int) -> list[tuple[int, str]]:
    """The free cells of row *r* in the table's columns, as text. White-space-only cells
    (an empty cell typed as spaces), the row's number in the 序号 / 指标代码 column and the
    table's own label repeated in its column (绩效指标, 昭化) are consumed, not read; a text in
    the numbering column (合计, 导出时间：…) is read like any cell; a grouping column left of the
    一级 (部门职能) is not read (left to the unmapped report)."""
    sheet, only, block, shared = table.sheet, table.header.only, table.header.block, table.header.shared
    serial, joined, groups = table.header.serial, table.joined, table.header.groups
    texts = []
    for c, v in sheet.grid[r]:
        if ((r, c) in sheet.consumed and c not in shared) or (only is not None and c not in only):
            continue
        if c in serial and _is_number_or_code(v):  # the row's number (序号 1, 指标代码 0101001)
            sheet.consumed.add((r, c))
            continue
        t = joined[(r, c)] if joined and (r, c) in joined else v if isinstance(v, str) else format_value(v)
        if c in groups and not is_signature(t):  # a group's heading (部门职能): left to the unmapped report
            continue  # (a sign-off under the table starting there, 填表人：…, is read: it ends the table)
        if not t.strip() or (c == block and load_labels().match("indicator_header", t, inline=False)):
            sheet.consumed.add((r, c))
            continue
        texts.append((c, t))
    return texts


_CN_NUMERALS = frozenset("一二三四五六七八九十、.()（）")


def _is_number_or_code(value: object) -> bool:
    """A row's number or code: a number, or a short text of digits, letters and Chinese numerals
    (``1``, ``0101001``, ``一``), never a word (合计, 导出时间：…)."""
    if not isinstance(value, str):
        return True
    text = value.strip()
    return len(text) <= 24 and all(ch.isascii() or ch in _CN_NUMERALS for ch in text)


def _text_under_table(table: _Table, texts: list[tuple[int, str]]) -> bool:
    """A lone cell left of the data columns that is no level: a title or note under the
    table (邯郸: the next table's title, cut by the page), not an indicator row."""
    if len(texts) != 1 or "level1" not in table.header.cols:
        return False
    c, t = texts[0]
    return (c < table.header.first_data_col and len(t.strip()) >= 12 and not _DOTS_RE.fullmatch(t)
            and table.match_l1(t) is None and table.match_l2(t) is None)


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
        if (row, c) not in sheet.consumed and (table.header.only is None or c in table.header.only):
            m = table.match_l1(format_value(v))
            if m:
                sheet.consumed.add((row, c))
                carry = LevelCarry(format_value(v), m, sheet.ref(row, c))
    return carry


def _read_row(table: _Table, r: int, texts: list[tuple[int, str]]) -> list[Indicator]:
    """One data row: its level cells carried, its content aligned and repaired; its
    indicators (one, or one per recipient value), or none for a row that holds none."""
    cols = table.header.cols
    c1, c2 = cols.get("level1"), cols.get("level2")
    tok1, tok2, i = leading_levels(texts, table.match_l1, table.match_l2, c1, c2, table.shift_carry,
                                   None if table.department else table.short_l2, table.l1.match)
    content = texts[i:]
    token_shift = (tok2[0] - c2) if tok2 is not None and c2 is not None else \
        (tok1[0] - c1) if tok1 is not None and c1 is not None else None
    shift = row_shift(token_shift, content[0][0] - table.header.first_data_col if content else None,
                      table.shift_carry)
    if content or token_shift is not None:
        table.shift_carry = shift
    _carry_levels(table, r, tok1, tok2)
    if not content or (token_shift is None and len(content) == 1 and content[0][0] < table.header.first_data_col
                       and content[0][0] in (c1, c2)):
        return []  # nothing, or a level cell cut by the page alone on its row (东莞 “预算(或投\n资规模”)
    roles = map_roles(content, table.role_at, shift, cols)
    if _not_an_indicator(table, r, roles):
        return []
    if shift != 0 or roles.garbled:
        table.shifted.append((r, texts[0][0], "?" if roles.garbled else shift))
    if "target" not in roles.values:  # (a row with its target has nothing to repair)
        _repair_target(table, r, roles)
    consumed = table.sheet.consumed
    for c, _t in roles.values.values():
        consumed.add((r, c))
    if table.levels_of[0] is not table.l1 or table.levels_of[1] is not table.l2:  # new level cells: once
        table.levels_of = (table.l1, table.l2)
        table.levels = _levels_of(table)
    return _indicators(table, r, roles.values)


def _levels_of(table: _Table) -> dict[str, str | None]:
    """The canonical level fields of the carried level cells, computed once per pair of
    matches in a table (a template writes the same pair on every row of a 二级)."""
    m1, m2 = table.l1.match, table.l2.match
    key = (id(m1), id(m2))
    got = table.level_pairs.get(key)
    if got is None:  # the matches are kept with their fields, so their ids stay theirs
        got = table.level_pairs[key] = (m1, m2, level_fields(table.l1, table.l2, tax=table.tax,
                                                             department=table.department))
    return got[2]


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
    if table.department and name_cell and len(values) == 1 and "level1" in table.header.cols:
        table.sheet.consumed.add((r, name_cell[0]))
        return True
    return False


def _repair_target(table: _Table, r: int, roles: RowRoles) -> None:
    """A value right of its column (``target-shifted``) or inside the 三级 cell
    (``target-split-from-name``) becomes the row's target."""
    sheet, ctx, header = table.sheet, table.ctx, table.header
    name_cell = roles.values.get("name")
    if header.grades or header.recipients:
        return  # the values are in the grade / recipient columns
    moved = take_shifted_target(roles, header.cols)
    if moved is not None:
        ctx.findings.append(finding("target-shifted", sheet=sheet.name, cell=cell_name(r, moved[0]),
                                    params={"cell": cell_name(r, moved[0])}))
    if "target" in roles.values or name_cell is None:
        return
    if table.bracketed:
        split = split_bracketed(name_cell[1])
        if split:
            roles.values["name"] = (name_cell[0], split[0])
            roles.values["target"] = (name_cell[0], split[1])
        return
    split = split_name_target(name_cell[1], has_target_column="target" in header.cols)
    if split:
        ctx.findings.append(finding("target-split-from-name", sheet=sheet.name, cell=cell_name(r, name_cell[0]),
                                    text=name_cell[1], params={"name": split[0], "target": split[1]}))
        roles.values["name"] = (name_cell[0], split[0])
        roles.values["target"] = (name_cell[0], split[1])


def _values_in_brackets(table: _Table, rows: list[int]) -> bool:
    """A table without any value column whose 三级 cells, in most rows, end with their value in
    brackets (山西 county forms: 农村危房改造户数（≥270户）): the bracketed values are the targets,
    reported once at the 三级 heading (``target-in-name-brackets``)."""
    header, sheet = table.header, table.sheet
    if _VALUE_COLUMNS & set(header.cols) or header.grades or header.recipients:
        return False
    col = header.cols["name"]
    names = [v for r in rows for c, v in sheet.grid[r] if c == col and isinstance(v, str) and v.strip()]
    bracketed = [v for v in names if v.rstrip().endswith((")", "）")) and split_bracketed(v)]
    if len(names) < 2 or len(bracketed) * 2 <= len(names):
        return False
    table.ctx.findings.append(finding("target-in-name-brackets", sheet=sheet.name, cell=cell_name(header.row, col),
                                      params={"count": len(bracketed), "example": bracketed[0].strip()}))
    return True


_VALUE_COLUMNS = frozenset({"target", "period_target", "two_years_ago", "last_year"})


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


def _indicators(table: _Table, r: int, values: dict[str, tuple[int, str]]) -> list[Indicator]:
    """The indicators of row *r* from its role -> (col, text) *values*, the carried level
    cells and their canonical levels (computed once per pair): one indicator, or one per
    recipient column holding a value (区域目标值)."""
    sheet, l1, l2 = table.sheet, table.l1, table.l2
    fields: dict[str, object] = {"level1_text": l1.text, "level1_source": l1.source,
                                 "level2_text": l2.text, "level2_source": l2.source}
    grades: dict[str, str] = {}
    recipients: list[tuple[str, int, str]] = []
    for role, (c, t) in values.items():
        if role in _TARGET_ROLES:
            fields[_ROLE_FIELD.get(role, role)] = target_fields(t, source=sheet.ref(r, c))  # validated with the Indicator
        elif role == "name" and t.lstrip()[:1] in _OUTLINE_STARTS and (m := _NAME_OUTLINE_RE.match(t)):
            fields["name"], fields["name_text"] = t[m.end():], t  # 1.1.1 城区道路清扫保洁面积: named without its number
        elif role in _TEXT_ROLES:
            fields[role] = t
        elif role.startswith("grade|"):
            grades[role[6:]] = t
        elif role.startswith("recipient|"):
            recipients.append((role[10:], c, t))
    if table.parts:
        _target_from_parts(fields, values, sheet, r, grades, table.header)
    src = values.get("name") or values.get("target")
    fields["source"] = sheet.ref(r, src[0]) if src else None
    fields.update(table.levels)
    if not (l1.reported and l2.reported):  # the rows below a level cell have nothing new to report
        report_levels(l1, l2, sheet_name=sheet.name, ctx=table.ctx)
    if not recipients:
        return [_validate_indicator(fields)]
    return [_validate_indicator({**fields, "recipient": name, "target": target_fields(t, source=sheet.ref(r, c))})
            for name, c, t in recipients]


def _target_from_parts(fields: dict[str, object], values: dict[str, tuple[int, str]], sheet: Sheet, r: int,
                       grades: dict[str, str], header: TableHeader) -> None:
    """A target written in parts: 指标性质 (operator) | 指标值 | 计量单位 (unit) joined in
    that order (``=`` ``100`` ``%`` -> ``=100%``), a 定量 / 定性 word in the operator column
    kept as the ``indicator_class``, not joined; a 评价标准 table's grades kept, its first
    grade (优) the target."""
    op, val, unit = values.get("operator"), values.get("target"), values.get("unit")
    if op is not None and label_key(op[1]) in vocab().nature:  # 定性 in the comparator column: the row's kind
        fields.setdefault("indicator_class", op[1].strip())
        op = None
    if op or unit:
        raw = "".join(p[1].strip() for p in (op, val, unit) if p is not None)
        src = (val or op or unit)[0]  # type: ignore[index]
        fields["target"] = target_fields(raw, source=sheet.ref(r, src))
    if grades:
        fields["grades"] = grades
        first = next(c for c in sorted(header.grades) if header.grades[c] in grades)
        fields["target"] = target_fields(grades[header.grades[first]], source=sheet.ref(r, first))
    if "weight" in values:
        fields["weight"] = values["weight"][1].strip()


# Indicator.model_validate without its keyword handling (the same validator, the same
# defaults): one pydantic-core call per indicator, its target included as a dict.
_validate_indicator = Indicator.__pydantic_validator__.validate_python
_TARGET_ROLES = frozenset({"target", "period_target", "two_years_ago", "last_year"})
_PART_ROLES = frozenset({"operator", "unit", "weight"})  # what _target_from_parts reads besides the grades
_TEXT_ROLES = frozenset({"name", "description", "value_basis", "indicator_class"})
_ROLE_FIELD = {"two_years_ago": "value_two_years_ago", "last_year": "value_last_year"}
