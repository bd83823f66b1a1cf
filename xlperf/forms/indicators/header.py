"""The header row of an indicator table, its sub-headers, its blocks and its repairs (see
the package doc)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache

from ...cellref import cell_name, col_name
from ...data import load_data
from ...findings import finding
from ...readers.grid import Sheet
from ..common import ParseContext, is_numbering
from ...text import label_key
from ..labels import LabelHit, load_labels
from .rows import vocab

__all__ = ["LEVEL_ROLES", "TableHeader", "align_header", "find_header", "fix_target_column", "header_cells",
           "repeats_header", "roles_of", "split_blocks", "type_columns"]

LEVEL_ROLES = frozenset({"level1", "level2"})
# roles that make a row with a 三级 column an indicator header (a label block has none)
_TABLE_ROLES = frozenset({"level1", "level2", "target", "period_target", "recipients", "grades", "operator",
                          "unit", "weight"})
_SUB_ROLES = ("previous_values", "two_years_ago", "last_year", "target")
_BLOCK_ROLES = ("level2", "name", "target", "period_target")
# columns holding the values a header heads (the 三级 sits left of them)
_VALUE_ROLES = frozenset({"target", "period_target", "recipients", "grades"})
_HEADER_CELL_MAX = 12  # a header cell is a short heading, not a text
# sub-header words that split a value column by period, not by recipient
_PERIOD_WORDS = ("年度", "中期", "长期", "实施周期", "当年", "前年", "上年")


@dataclass(frozen=True)
class TableHeader:
    """A header found at ``row`` (and sub-header rows down to ``last_row``): role ->
    column. Roles: level1, level2, name, description, target, period_target, operator,
    unit, weight, value_basis, indicator_class, two_years_ago, last_year. ``grades``
    (column -> 优 / 良 / 中 / 差) and ``recipients`` (column -> 新罗区 …) are the columns
    under a 评价标准 or 区域目标值 group; ``block`` the column of the table's own label
    (绩效指标); ``only`` the columns a side-by-side block reads (``None``: all); ``serial`` the
    序号 and code columns (指标代码) left of the 三级."""

    row: int
    last_row: int
    cols: dict[str, int]
    first_row: int  # a group row above the header (近两年指标值 over 前年 / 上年), else ``row``
    grades: dict[int, str] = field(default_factory=dict)
    recipients: dict[int, str] = field(default_factory=dict)
    block: int | None = None
    only: frozenset[int] | None = None
    shared: frozenset[int] = frozenset()  # columns read by every block (the 一级), consumed or not
    repeats: tuple[tuple[str, int], ...] = ()  # (role, col) of roles written a second time
    serial: frozenset[int] = frozenset()  # the 序号 / 指标代码 columns: the rows' numbers, no content
    groups: frozenset[int] = frozenset()  # columns grouping the rows left of the 一级 (部门职能): no content

    @cached_property
    def first_data_col(self) -> int:
        """The leftmost column right of the level columns (where a row's content starts)."""
        lv = max((self.cols[r] for r in LEVEL_ROLES if r in self.cols), default=-1)
        data = [c for r, c in self.cols.items() if r not in LEVEL_ROLES and c > lv]
        data += [c for c in (*self.grades, *self.recipients) if c > lv]
        return min(data, default=lv + 1)


def _row_hits(sheet: Sheet, row: int) -> list[tuple[int, LabelHit]]:
    return [(c, h) for c, h in load_labels().index(sheet).get("indicator_header", {}).get(row, ()) if h.inline is None]


def find_header(sheet: Sheet, row: int) -> TableHeader | None:
    """The indicator-table header at *row*: a 三级 column (三级指标, 指标名称, or the table's
    own 绩效指标 label where nothing else names the 三级) and a level, target, grade or
    weight column; with its sub-header rows (近两年指标值 / 前年 / 上年 / 预期当年实现值,
    seed 004; 优 / 良 / 中 / 差 under 评价标准; recipients under 区域目标值). Found once per
    row and kept on the sheet: recognition and reading both ask, and the answer depends on
    the cells and their labels only (callers repair a copy, never the header itself)."""
    found = sheet.cache.get("headers")
    if found is None:
        found = sheet.cache["headers"] = {}
    if row not in found:
        found[row] = _find_header(sheet, row)
    return found[row]  # type: ignore[return-value]


def _find_header(sheet: Sheet, row: int) -> TableHeader | None:
    cols: dict[str, int] = {}
    repeats: list[tuple[str, int]] = []
    for c, hit in _row_hits(sheet, row):
        if hit.field in cols:
            repeats.append((hit.field, c))
        else:
            cols[hit.field] = c
    block = cols.pop("block", None)
    if "name" not in cols and block is not None and not (LEVEL_ROLES & set(cols) and block < min(
            cols[r] for r in LEVEL_ROLES if r in cols)):
        cols["name"], block = block, None  # 绩效指标分类 | 绩效指标 | 绩效指标描述 (old Hebei layout)
    if "name" not in cols and LEVEL_ROLES & set(cols) and _VALUE_ROLES & set(cols):
        _name_by_place(sheet, row, cols)
    if not LEVEL_ROLES & set(cols) and _levels_below(sheet, row):
        return None  # a group row (绩效指标 | 指标值) over the row naming the levels: that row is the header
    first = row - 1 if any(h.field == "previous_values" for _c, h in _row_hits(sheet, row - 1)) else row
    recipients: dict[int, str] = {}
    if "name" in cols and LEVEL_ROLES & set(cols) and not _VALUE_ROLES & set(cols):
        group = _group_above(sheet, row, cols)
        if group is not None:
            first, recipients = row - 1, group
    elif first == row and LEVEL_ROLES & set(cols) and _heads_only(sheet, row - 1):
        first = row - 1  # 绩效指标 | 指标值 over 一级 … | 年度指标值 | 实施期指标值: the group row is the header's
    if "name" in cols and LEVEL_ROLES & set(cols) and not _VALUE_ROLES & set(cols) and not recipients:
        recipients = _places_right(sheet, row, cols["name"])  # 一级 … | 三级指标 | 青州市 | 诸城市 (no value heading)
    if "name" not in cols or not (_TABLE_ROLES & set(cols)):
        return None
    roles = set(cols.values())  # 序号 (吉林 export), 指标代码 (青海 export) left of the 三级: numbering, no content
    serial = frozenset(c for c, v in sheet.grid[row] if c < cols["name"] and c not in roles and is_numbering(v))
    header = TableHeader(row=row, last_row=row, cols=cols, first_row=first, block=block, repeats=tuple(repeats),
                         serial=serial, recipients=recipients, groups=_group_columns(sheet, row, cols, serial))
    return header if recipients else _sub_headers(sheet, header)


def _group_columns(sheet: Sheet, row: int, cols: dict[str, int], serial: frozenset[int]) -> frozenset[int]:
    """Headed columns left of the 一级 column that no indicator role claims (安徽 部门职能 |
    一级指标 | …: each function merged over its rows): they group the rows, and the 一级 being
    the top of an indicator's levels, nothing left of it is an indicator's content. Their
    cells are left to the unmapped report, never read as a 三级. The table's own label
    (绩效指标 merged down the left) is no group."""
    if "level1" not in cols:
        return frozenset()
    lv, roles = cols["level1"], set(cols.values())
    return frozenset(c for c, v in sheet.grid[row] if c < lv and c not in roles and c not in serial
                     and isinstance(v, str) and v.strip() and not load_labels().match("indicator_header", v, inline=False))


def _levels_below(sheet: Sheet, row: int) -> bool:
    """Row *row* + 1 names the 一级 / 二级 columns: *row* is a group row over that header."""
    return any(h.field in LEVEL_ROLES for _c, h in _row_hits(sheet, row + 1))


def _places_right(sheet: Sheet, row: int, name_col: int) -> dict[int, str]:
    """The recipients of a header without any value heading whose cells right of the 三级 are two
    or more place names (青州市 | 诸城市 | 寿光市: a recipient table that lost its 分县市区指标值
    heading); each name ends with a place word (templates/lists.toml ``place_suffixes``). Empty
    when any cell there is not such a name."""
    cells = {c: v for c, v in sheet.grid.get(row, ()) if c > name_col}
    if len(cells) < 2 or not _recipient_names(sheet, row, min(cells), max(cells)):
        return {}
    suffixes = _place_suffixes()
    names = {c: str(v).strip() for c, v in cells.items()}
    return names if all(n.endswith(suffixes) for n in names.values()) else {}


@lru_cache(maxsize=1)
def _place_suffixes() -> tuple[str, ...]:
    return tuple(load_data("lists.toml")["place_suffixes"]["values"])


def _heads_only(sheet: Sheet, row: int) -> bool:
    """Row *row* holds nothing but group headings of an indicator table (绩效指标, 指标值): no level
    nor 三级 heading, no other text."""
    hits = dict(_row_hits(sheet, row))
    cells = [c for c, v in sheet.grid.get(row, ()) if not (isinstance(v, str) and not v.strip())]
    return bool(cells) and all(c in hits and hits[c].field not in LEVEL_ROLES and hits[c].field != "name"
                               for c in cells)


def _group_above(sheet: Sheet, row: int, cols: dict[str, int]) -> dict[int, str] | None:
    """A header whose levels and 三级 sit under a group row (天津: 绩效指标 spanning 一级 / 二级 /
    三级, 指标值 and 备注 merged down beside them; 山东: 分县市区指标值 spanning one column per
    recipient named on the level row): the value headings of row *row* - 1 over columns the level
    row leaves empty are added to *cols*. Returns the recipients (column -> name) when the value
    heading spans one named column each, ``{}`` when the group row gave plain columns, ``None``
    when row *row* - 1 is no such group row (its value cells stand over texts of the level row)."""
    taken = set(cols.values())
    hits = [(c, h) for c, h in _row_hits(sheet, row - 1) if h.field not in LEVEL_ROLES and h.field != "name"
            and c not in taken]
    if not any(h.field in _VALUE_ROLES for _c, h in hits):
        return None
    added: dict[str, int] = {}
    out: dict[int, str] = {}
    for c, h in hits:
        lo, hi = _span(sheet, row - 1, c)
        if (row, c) not in sheet.cells:
            added.setdefault(h.field, c)  # merged down over the level row (指标值, 备注)
        elif h.field in ("target", "recipients") and hi > lo and _recipient_names(sheet, row, lo, hi):
            out = {cc: str(v).strip() for cc, v in sheet.grid[row] if lo <= cc <= hi}
        elif h.field == "target" and hi > lo and (periods := period_split(sheet, row, lo, hi)):
            added.update(periods)  # 指标值 over 实施期 | 年度 on the level row
        else:
            return None
    if not out and not _VALUE_ROLES & set(added):
        return None
    for role, c in added.items():
        cols.setdefault(role, c)
    return out


def repeats_header(sheet: Sheet, row: int, header: TableHeader) -> bool:
    """Row *row* writes *header*'s row again, cell for cell (a header printed again at the top
    of the next page, 内蒙古): the same texts, label keys alike, in the same columns."""
    if row == header.row:
        return False
    cells, head = sheet.grid.get(row, ()), sheet.grid.get(header.row, ())
    return len(cells) == len(head) and all(
        c == hc and isinstance(v, str) and isinstance(hv, str) and label_key(v) == label_key(hv)
        for (c, v), (hc, hv) in zip(cells, head))


def _name_by_place(sheet: Sheet, row: int, cols: dict[str, int]) -> None:
    """The 三级 column of a header that names it otherwise (具体指标, 指标内容, 考核内容 …):
    on a row already holding level and value columns, the first header cell right of the
    level columns and left of the values is the 三级 — a cell no other role claims, or the
    description column (a 指标内容 heading the 三级 when no other column does)."""
    lv = max(cols[r] for r in LEVEL_ROLES if r in cols)
    right = min((cols[r] for r in _VALUE_ROLES if r in cols and cols[r] > lv), default=None)
    taken = {c: role for role, c in cols.items()}
    for c, v in sheet.grid.get(row, ()):
        if c <= lv or (right is not None and c >= right) or not isinstance(v, str) or not v.strip():
            continue
        if taken.get(c) == "description":
            cols["name"] = cols.pop("description")
        elif c not in taken and len(v.strip()) <= _HEADER_CELL_MAX:
            cols["name"] = c
        return


def _sub_headers(sheet: Sheet, header: TableHeader) -> TableHeader:
    """Sub-header rows below *header* (up to two): 前年 / 上年 / 预期当年实现值, the grade
    words under a 评价标准 group, the recipients under a 区域目标值 group."""
    cols, grades, recipients, last = dict(header.cols), {}, {}, header.row
    spans = {role: _span(sheet, header.row, cols[role]) for role in ("grades", "recipients") if role in cols}
    if "recipients" not in spans and "target" in cols:
        lo, hi = _span(sheet, header.row, cols["target"])
        if hi > lo and _recipient_names(sheet, header.row + 1, lo, hi):
            spans["recipients"] = (lo, hi)  # 分地区指标值 over 泾县 | 广德市 | 宣州区
            cols["recipients"] = cols.pop("target")
        elif hi > lo and (periods := period_split(sheet, header.row + 1, lo, hi)):
            cols.update(periods)  # 指标值 over 实施期 | 年度
            return replace(header, cols=cols, last_row=header.row + 1)
    for r in (header.row + 1, header.row + 2):
        found = False
        for c, hit in _row_hits(sheet, r):
            if hit.field in _SUB_ROLES:
                found = True
                if hit.field != "previous_values":
                    cols[hit.field] = c  # 预期当年实现值 under 指标值
            elif hit.field == "grade" and "grades" in spans and spans["grades"][0] <= c <= spans["grades"][1]:
                grades[c], found = hit.label, True
        if "recipients" in spans and not recipients:
            lo, hi = spans["recipients"]
            recipients = {c: str(v).strip() for c, v in sheet.grid.get(r, ()) if lo <= c <= hi and str(v).strip()}
            found = found or bool(recipients)
        if not found:
            break
        last = r
    cols.pop("grades", None)
    if recipients:
        cols.pop("recipients", None)
    return replace(header, cols=cols, grades=grades, recipients=recipients, last_row=last)


def period_split(sheet: Sheet, r: int, lo: int, hi: int) -> dict[str, int]:
    """A value heading spanning columns *lo*..*hi* split by period on row *r* (指标值 over 实施期 |
    年度, or over 中期 | 本年度: the words of labels.toml [funds_columns]): ``target`` -> the
    year's column, ``period_target`` -> the period's; empty unless every cell there is one such
    word and the year's is among them."""
    labels = load_labels()
    cells = [(c, v) for c, v in sheet.grid.get(r, ()) if lo <= c <= hi]
    out: dict[str, int] = {}
    for c, v in cells:
        hit = labels.match("funds_columns", v, inline=False) if isinstance(v, str) else None
        role = None if hit is None else "target" if hit.field == "annual" else "period_target"
        if role is None or role in out:
            return {}
        out[role] = c
    return out if len(cells) == hi - lo + 1 and "target" in out else {}


def _recipient_names(sheet: Sheet, r: int, lo: int, hi: int) -> bool:
    """Row *r* names one recipient per column under a value heading spanning columns
    *lo*..*hi*: two or more short texts without digits (a value row has them), none a
    header label or a period word (中期 / 年度 split a value column by period, not by
    recipient)."""
    labels = load_labels()
    names = [v for c, v in sheet.grid.get(r, ()) if lo <= c <= hi]
    return len(names) >= 2 and len(names) == hi - lo + 1 and all(
        isinstance(v, str) and 0 < len(v.strip()) <= _HEADER_CELL_MAX and not any(ch.isdigit() for ch in v)
        and not labels.match("indicator_header", v, inline=False)
        and not any(w in v for w in _PERIOD_WORDS) for v in names)


def _span(sheet: Sheet, r: int, c: int) -> tuple[int, int]:
    """The columns a header cell spans (its merged range, or itself)."""
    rng = sheet.merged_span(r, c)
    return (rng[1], rng[3]) if rng else (c, c)


def header_cells(sheet: Sheet, header: TableHeader) -> list[tuple[int, int]]:
    """The label cells of *header*'s rows (group row and sub-header cells included)."""
    index = load_labels().index(sheet).get("indicator_header", {})
    cells = [(r, c) for r in range(header.first_row, header.last_row + 1) for c, hit in index.get(r, ())
             if hit.inline is None]
    cells += [(r, c) for r in range(header.row, header.last_row + 1) for c in header.recipients
              if (r, c) in sheet.cells]  # under the value heading, or on the header row itself (山东 two-row header)
    cells += [(header.row, c) for c in header.cols.values() if (header.row, c) in sheet.cells]  # 三级 by place
    cells += [(header.row, c) for c in header.serial]
    values = [c for role in ("target", "period_target") if (c := header.cols.get(role)) is not None]
    if header.last_row > header.row and values and period_split(sheet, header.last_row, min(values), max(values)):
        cells += [(header.last_row, c) for c in values]  # 实施期 | 年度 under a value heading
    return cells


def split_blocks(header: TableHeader) -> list[TableHeader]:
    """Side-by-side blocks: a header writing 二级 / 三级 / 指标值 twice (东莞 批复表, 安徽
    中期 | 年度) is two tables sharing the 一级 column; each block reads only its columns.
    One block: ``[header]``."""
    second = [c for role, c in header.repeats if role in _BLOCK_ROLES]
    repeated = {role for role, _c in header.repeats}
    if not ({"level2", "name"} <= repeated and repeated & {"target", "period_target"}):
        return [header]  # one block (seed 002 writes 三级指标 over five columns: one 三级)
    cut = min(second)
    shared = {header.cols[r] for r in ("level1",) if r in header.cols} | ({header.block} if header.block is not None else set())
    left_cols = {r: c for r, c in header.cols.items() if c < cut}
    right_cols = {r: c for r, c in header.repeats if c >= cut}
    right_cols.update({r: c for r, c in header.cols.items() if c >= cut})
    if "level1" in header.cols:
        right_cols.setdefault("level1", header.cols["level1"])
    span_right = max(right_cols.values())
    left = replace(header, cols=left_cols, repeats=(), only=frozenset(set(range(0, cut)) | shared),
                   shared=frozenset(shared))
    right = replace(header, cols=right_cols, repeats=(), only=frozenset(set(range(cut, span_right + 1)) | shared),
                    shared=frozenset(shared))
    return [left, right]


def type_columns(sheet: Sheet, header: TableHeader, rows: list[int], match_l1: Callable[[str], object],
                 match_l2: Callable[[str], object]) -> TableHeader:
    """Columns typed by their content: a column without a header role whose texts are
    level names in most rows is the 一级 (or 二级) column the header left unnamed (邯郸:
    a 绩效指标分类 cell the page lost its first character of); one whose texts are
    指标值确定依据 words (计划标准 …, templates/lists.toml) right of the 三级 is the 依据
    column under another heading (湘潭 绩效标准); an operator column of 定量 / 定性 words
    is the kind of indicator (:func:`_type_operator`). A column left of the 三级 holding 一级
    names alone on their rows and 二级 names under them is both level columns, a tree
    (:func:`_tree`), whatever its heading (the table's own 绩效指标 label too)."""
    named = set(header.cols.values()) | set(header.grades) | set(header.recipients)
    basis = vocab().basis
    counts: dict[int, list[int]] = {}
    for r in rows:
        for c, v in sheet.grid[r]:
            if (c in named and c != header.block) or (header.only is not None and c not in header.only) \
                    or not isinstance(v, str):
                continue
            tally = counts.setdefault(c, [0, 0, 0, 0])
            tally[0] += 1
            tally[1] += bool(match_l1(v))
            tally[2] += bool(match_l2(v))
            tally[3] += label_key(v) in basis
    cols = _type_operator(sheet, header, rows)
    _level2_named_otherwise(sheet, cols, rows, counts, match_l2)
    for c in sorted(counts):
        n, l1, l2, vb = counts[c]
        if c < cols["name"] and not LEVEL_ROLES & set(cols) and _tree(n, l1, l2):
            cols["level1"] = cols["level2"] = c  # the table's own 绩效指标 column too
        elif c == header.block:
            continue
        elif "level1" not in cols and l1 * 2 > n and c < cols["name"]:
            cols["level1"] = c
        elif "level2" not in cols and l2 * 2 > n and c < cols["name"]:
            cols["level2"] = c
        elif "value_basis" not in cols and vb * 2 > n and c > cols["name"]:
            cols["value_basis"] = c
    return header if cols == header.cols else replace(header, cols=cols)


def _level2_named_otherwise(sheet: Sheet, cols: dict[str, int], rows: list[int], counts: dict[int, list[int]],
                            match_l2: Callable[[str], object]) -> None:
    """A 三级 column (by heading or by place) whose cells are 二级 names in most rows is the 二级
    column headed otherwise (吉林 指标类型); the 三级 is then the next column right of it holding
    text (a column no other role claims, or the description column), left of the values."""
    c = cols.get("name")
    if c is None or "level2" in cols:
        return
    texts = [v for r in rows for cc, v in sheet.grid[r] if cc == c and isinstance(v, str) and v.strip()]
    if not texts or sum(bool(match_l2(v)) for v in texts) * 2 <= len(texts):
        return
    right = min((cols[r] for r in _VALUE_ROLES if r in cols and cols[r] > c), default=None)
    taken = roles_of(cols)
    nxt = min((cc for cc in counts if cc > c and (right is None or cc < right)
               and taken.get(cc, "description") == "description"), default=None)
    if nxt is None:
        return
    cols["level2"] = c
    cols["name"] = nxt
    if cols.get("description") == nxt:
        del cols["description"]


def _tree(n: int, l1: int, l2: int) -> bool:
    """A column of *n* texts, *l1* of them 一级 names and *l2* 二级 names, holds the levels as a
    tree (四川: each 一级 alone on its row, its 二级 rows under it): both kinds, and level names in
    most rows."""
    return 0 < l1 <= l2 and (l1 + l2) * 2 > n


def _type_operator(sheet: Sheet, header: TableHeader, rows: list[int]) -> dict[str, int]:
    """The header's columns with the operator column typed by its cells: a 指标性质 column
    holding 定量 / 定性 in most rows (浙江-style exports) is the kind of indicator
    (``indicator_class``), not a comparator; a second operator column (指标方向: ≥ ≤ =)
    is then the comparator."""
    cols = dict(header.cols)
    op = cols.get("operator")
    if op is None:
        return cols
    nature = vocab().nature
    texts = [label_key(v) for r in rows for c, v in sheet.grid[r] if c == op and isinstance(v, str) and v.strip()]
    if not texts or sum(t in nature for t in texts) * 2 <= len(texts):
        return cols
    cols.setdefault("indicator_class", op)
    second = next((c for role, c in header.repeats if role == "operator"), None)
    if second is None:
        del cols["operator"]
    else:
        cols["operator"] = second
    return cols


def roles_of(cols: dict[str, int]) -> dict[int, str]:
    """Column -> role (a later role wins a shared column)."""
    return {c: role for role, c in cols.items()}


def align_header(sheet: Sheet, header: TableHeader, rows: list[int], match_l2: Callable[[str], object],
                 ctx: ParseContext) -> TableHeader:
    """Header shift: when the data's 二级 cells sit in another column than the 二级指标
    header in a clear (80 %) majority of rows (seed 002: header one column right of its
    data), a copy with every column moved by that offset, reported ``header-shifted``;
    else *header* itself."""
    if "level2" not in header.cols:
        return header
    c2 = header.cols["level2"]
    only = header.only
    offsets: dict[int, int] = {}
    for r in rows:
        for c, v in sheet.grid[r]:
            if (r, c) not in sheet.consumed and (only is None or c in only) and isinstance(v, str) and match_l2(v):
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
    if "target" not in cols or not rows or header.grades or header.recipients:
        return header, role_at
    best = _target_column(sheet, header, rows, role_at)
    if best is None:
        return header, role_at
    tc = cols["target"]
    del role_at[tc]
    role_at[best] = "target"
    ctx.findings.append(finding("header-shifted", sheet=sheet.name, cell=cell_name(header.row, tc),
                                params={"label": "绩效值", "header_col": col_name(tc), "data_col": col_name(best)}))
    return replace(header, cols={**cols, "target": best}), role_at


def _target_column(sheet: Sheet, header: TableHeader, rows: list[int], role_at: dict[int, str]) -> int | None:
    """The column the values sit in when the 绩效值 column is empty (filled in at least
    half the rows, not a 依据 / 分类 / 描述 column), else ``None``."""
    cols, only = header.cols, header.only
    tc, cn = cols["target"], cols["name"]
    counts: dict[int, int] = {}
    for r in rows:
        for c, v in sheet.grid[r]:
            if c > cn and (only is None or c in only) and not (isinstance(v, str) and not v.strip()):
                counts[c] = counts.get(c, 0) + 1
    if counts.get(tc, 0) > 0 or not counts:
        return None
    other = [c for c in sorted(counts) if role_at.get(c) not in ("value_basis", "indicator_class", "description",
                                                                 "operator", "unit", "weight")]
    if not other:
        return None
    best = max(other, key=lambda c: (counts[c], -c))
    return None if counts[best] * 2 < len(rows) else best
