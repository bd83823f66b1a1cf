"""The label / value block of a project form: each label's value found (docs/forms.md
"Labels"), the best label of a field chosen, a total left to its parts added up.

A value is written in the label's cell (``资金总额: 250``), right of the label, or below it
where the label heads a column: a row of labels with no value beside any of them (长期目标 |
年度目标 over their texts, 资金来源 | 资金总额 over the funds rows). Of several labels of one
field the one saying 年度 / 当年 wins (年度目标 over 总体目标); a 中期 / 长期 wording is
another field (``long_term_goal``, ``period_amount``). An amount label with no value of its
own over rows of parts (其中:财政拨款 | 500, (一)财政拨款小计 | 6.30) gets their total,
reported ``amount-from-items``. A label cut to its first characters by the page (``年度``
before a goal text) is read by what its value holds, reported ``label-truncated``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..cellref import cell_name
from ..findings import finding
from ..readers.grid import Sheet, format_value
from .common import ParseContext, is_total_row, is_unit_note_or_title
from .funds import ItemsTotal, items_total, period_columns, total_beside, total_under
from .labels import LabelHit, form_key, load_labels
from .project_stack import is_umbrella_row
from .values import goal_items, value_below, value_right

__all__ = ["Found", "collect_labels"]

_AMOUNTS = ("annual_amount", "period_amount", "fiscal_funds", "special_account_funds", "other_funds")
_PARTS = ("fiscal_funds", "special_account_funds", "other_funds")
_ANNUAL_WORDS = ("年度", "当年")
_NUMBER_RE = re.compile(r"^[\d.,\s]+(万元|万|元)?$")


@dataclass
class Found:
    """What the label block gave: ``raw`` field -> (row, col, value) of the chosen label's
    value, ``label_cells`` field -> (row, col) of its first label, ``units`` the unit a
    label states, ``totals`` the amounts added up from their parts."""

    raw: dict[str, tuple[int, int, object]] = field(default_factory=dict)
    rank: dict[str, int] = field(default_factory=dict)
    label_cells: dict[str, tuple[int, int]] = field(default_factory=dict)
    units: dict[str, str | None] = field(default_factory=dict)
    totals: dict[str, ItemsTotal] = field(default_factory=dict)
    pending: dict[str, tuple[int, int, int, list[int]]] = field(default_factory=dict)
    sources: dict[str, tuple[int, int, int, ItemsTotal]] = field(default_factory=dict)  # a row of sources' total
    year_cols: dict[int, int] = field(default_factory=dict)  # rows of sources by period columns -> the year's
    header_rows: set[int] = field(default_factory=set)  # rows of labels over their values

    def offer(self, fld: str, hit: LabelHit, value: tuple[int, int, object], col: int | None = None) -> None:
        """A value for *fld*: taken when the field has none yet, or this label is better: one
        saying 年度 / 当年, or a part of the funds (其中：财政拨款) in the column of the 年度
        total's label rather than the 中期 one's (中期 | 年度 funds side by side, MoF form)."""
        rank = 0 if any(w in hit.label for w in _ANNUAL_WORDS) else 1
        if fld in _PARTS and col is not None:
            rank = {self.label_cells.get("annual_amount", (0, -1))[1]: 0,
                    self.label_cells.get("period_amount", (0, -1))[1]: 2}.get(col, rank)
        if fld not in self.raw or rank < self.rank[fld]:
            self.raw[fld], self.rank[fld] = value, rank
            self.units[fld] = hit.unit


    def absorb(self, other: Found) -> None:
        """The fields *other* found (a label block printed after the table) where this block
        found none."""
        for fld, value in other.raw.items():
            if fld not in self.raw:
                self.raw[fld], self.rank[fld], self.units[fld] = value, other.rank.get(fld, 1), other.units.get(fld)
                if fld in other.totals:
                    self.totals[fld] = other.totals[fld]
        for fld, cell in other.label_cells.items():
            self.label_cells.setdefault(fld, cell)
        self.header_rows |= other.header_rows


def collect_labels(sheet: Sheet, rows: list[int], stop: int, ctx: ParseContext) -> Found:
    """Read the labels of *rows* (the block's rows before its indicator header, which is
    row *stop* or later) and their values; labels and values are consumed."""
    found = Found()
    index = load_labels().index(sheet).get("project", {})
    for r in rows:
        if is_umbrella_row(sheet, r):
            continue  # the 一级项目's row: no field of a project (left to the unmapped report)
        hits = [(c, h) for c, h in index.get(r, ()) if (r, c) not in sheet.consumed]
        for c, h in hits:
            if h.joined is not None and (r, h.joined) not in sheet.consumed:
                _joined_label(sheet, r, c, h, ctx)
        label_cols = {c for c, _h in hits}
        hits = [(c, h) for c, h in hits if h.field != "parent_project"]  # 一级项目名称 beside 二级项目名称 (甘肃)
        below = sheet.rows_between(r + 1, stop)
        heads = (len(hits) >= 2 and not any(h.inline or _right_of(sheet, r, c, label_cols) for c, h in hits)
                 and not (below and below[0] in index))  # labels over a row of values, not over more labels
        if heads:
            found.header_rows.add(r)
        taken = [_take(sheet, r, c, hit, label_cols, heads, stop, found) for c, hit in hits]
        if len(hits) >= 3:
            _ambiguous(sheet, r, hits, label_cols, heads and any(taken), ctx)
        if not hits:
            _truncated_label(sheet, r, found, ctx)
        for c, v in sheet.grid.get(r, ()):
            if (r, c) not in sheet.consumed and is_unit_note_or_title(v):
                sheet.consumed.add((r, c))
    _add_up(sheet, found, ctx)
    return found


def _joined_label(sheet: Sheet, r: int, c: int, hit: LabelHit, ctx: ParseContext) -> None:
    """A label a converter split over two cells (`项 目` | `名 称`): its second part consumed with
    it (its value is right of the second part), reported ``label-split-joined``."""
    sheet.consumed.add((r, hit.joined))
    ctx.findings.append(finding("label-split-joined", sheet=sheet.name, cell=cell_name(r, c),
                                params={"first": format_value(sheet.cells[(r, c)]).strip(),
                                        "second": format_value(sheet.cells[(r, hit.joined)]).strip(),
                                        "label": hit.label}))


def _ambiguous(sheet: Sheet, r: int, hits: list[tuple[int, LabelHit]], label_cols: set[int], headed: bool,
               ctx: ParseContext) -> None:
    """Three or more labels side by side, each followed by the next, whose values are not
    below them as a heading row (*headed*): ``layout-ambiguous``. A heading over a block
    (项目资金申请 | 资金来源 | 金额) has no value of its own and does not count."""
    fields = [(c, h) for c, h in hits if h.field != "group"]
    if len(fields) >= 3 and all(_next_is_label(sheet, r, c, label_cols) for c, _h in fields[:-1]) and not headed:
        ctx.findings.append(finding("layout-ambiguous", sheet=sheet.name, cell=cell_name(r, hits[0][0]),
                                    params={"detail": "、".join(f"“{_standard(h)}”" for _c, h in fields)
                                            + "等栏目连续排列，填写内容不在各自右侧"}))


def _next_is_label(sheet: Sheet, r: int, c: int, label_cols: set[int]) -> bool:
    """The next non-empty cell right of (r, c) is another label."""
    return next((cc for cc, _v in sheet.grid.get(r, ()) if cc > c), None) in label_cols


def _right_of(sheet: Sheet, r: int, c: int, label_cols: set[int]) -> tuple[int, object] | None:
    span = sheet.merged_span(r, c)
    return value_right(sheet, r, span[3] if span else c, label_cols)


def _standard(hit: LabelHit) -> str:
    return load_labels().standard["project"].get(hit.field, hit.label)


def _take(sheet: Sheet, r: int, c: int, hit: LabelHit, label_cols: set[int], heads: bool, stop: int,
          found: Found) -> bool:
    """One label: consumed, its value (inline, right, or below a heading row) offered.
    True when a value was found."""
    if hit.field in ("spending_plan", "budget_and_use"):
        found.label_cells.setdefault(hit.field, (r, c))
        return False  # read by the caller: they need their neighbours, not one value
    sheet.consumed.add((r, c))
    found.label_cells.setdefault(hit.field, (r, c))
    if hit.field == "group":
        return _funds_heading(sheet, r, c, hit, label_cols, stop, found)
    if hit.inline is not None:
        found.offer(hit.field, hit, (r, c, _first_line(hit.inline) if hit.field in _AMOUNTS else hit.inline), c)
        return True
    if hit.field in ("performance_target", "long_term_goal") and (items := goal_items(sheet, r, c)) is not None:
        text, cells = items  # 目标1 | text, 目标2 | text …: the goal is their texts
        sheet.consumed.update(cells)
        found.offer(hit.field, hit, (*cells[1], text), c)
        return True
    if hit.field in _PARTS and r in found.year_cols:  # a source row: its value in the year's column
        col = found.year_cols[r]
        if (r, col) not in sheet.cells:
            return False
        sheet.consumed.add((r, col))
        found.offer(hit.field, hit, (r, col, sheet.cells[(r, col)]), c)
        return True
    right = _right_of(sheet, r, c, label_cols)
    below = value_below(sheet, r, c, stop) if heads or hit.field in _AMOUNTS else None
    if below is not None and hit.field in _AMOUNTS and (_has_item(sheet, below[0], below[1])
                                                       or not _is_amount(below[2])):
        below = None  # a part's amount (or a part's name) under the heading: the total is added up below
    if right is not None and hit.field in _AMOUNTS and below is not None and not _is_amount(right[1]):
        right = None  # a heading over its amount, another heading beside it (资金总额 | 上级补助资金)
    if right is not None and hit.field in ("annual_amount", "period_amount") \
            and (total := total_beside(sheet, r, c, right[0])) is not None:
        found.sources.setdefault(hit.field, (r, c, right[0], total))  # 金额 beside a row of sources: their total
        return True
    if right is not None:
        sheet.consumed.add((r, right[0]))
        found.offer(hit.field, hit, (r, right[0], right[1]), c)
        return True
    if below is not None and (heads or _is_amount(below[2])):
        sheet.consumed.add((below[0], below[1]))
        found.offer(hit.field, hit, below, c)
        return True
    if hit.field in _AMOUNTS:
        col = next((cc for cc in sorted(label_cols) if cc > c), c)  # 年度资金总额 | 金额(万元): that column
        found.pending.setdefault(hit.field, (r, c, col, _group_rows(sheet, r, stop)))
    return False


def _funds_heading(sheet: Sheet, r: int, c: int, hit: LabelHit, label_cols: set[int], stop: int,
                   found: Found) -> bool:
    """A funds heading (项目资金, 资金情况 …): with its amount right of it (项目资金（万元） | 380),
    or below it among other headings over their values (a 街道 form typed in Word: 项目负责人 |
    项目资金 over 王×× | 86.5万元), it is the amount label; over source rows by 本年度 / 全周期 columns (the special-bond
    form) the year's and the period's totals are left to their rows (:func:`_add_up`).
    True when a value was found."""
    if "资金" not in hit.label:
        return False  # 补助区域: a heading only
    columns = period_columns(sheet, r, c)
    if columns:
        rows = _group_rows(sheet, r, stop)
        for fld, col in columns.items():
            found.pending.setdefault(fld, (r, c, col, rows))
            found.units.setdefault(fld, hit.unit)
        found.year_cols.update(dict.fromkeys(rows, columns["annual_amount"]))
        return False
    right = _right_of(sheet, r, c, label_cols)
    if right is not None and _is_amount(right[1]):
        sheet.consumed.add((r, right[0]))
        found.offer("annual_amount", hit, (r, right[0], right[1]), c)
        return True
    if right is not None and (total := total_under(sheet, r, c)) is not None:
        found.sources.setdefault("annual_amount", (r, c, total.cells[0][1], total))  # 合计 | 中央资金 | … over values
        found.units.setdefault("annual_amount", hit.unit)
        sheet.consumed.update((r, cc) for cc, _v in sheet.grid[r] if cc > c)
        return True
    below = value_below(sheet, r, c, stop) if right is None else None
    if below is None or not _is_amount(below[2]) or _part_left(sheet, r, below[0], below[1]):
        return False
    sheet.consumed.add((below[0], below[1]))  # a heading over its amount (项目负责人 | 项目资金 over 王×× | 86.5万元)
    found.offer("annual_amount", hit, below, c)
    return True


def _part_left(sheet: Sheet, heading_row: int, r: int, col: int) -> bool:
    """Row *r* names a part of the funds left of *col* (其中:财政拨款 | 500 under 资金总额): a text
    left of *col* that is not the value of another heading of *heading_row* (its cell above empty)."""
    above = {c for c, v in sheet.grid.get(heading_row, ()) if not (isinstance(v, str) and not v.strip())}
    return any(c < col and c not in above and isinstance(v, str) and v.strip() for c, v in sheet.grid.get(r, ()))


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0].strip() if text.strip() else text


def _is_amount(value: object) -> bool:
    return isinstance(value, (int, float)) or (isinstance(value, str) and bool(_NUMBER_RE.match(value.strip())))


def _has_item(sheet: Sheet, r: int, col: int) -> bool:
    """Row *r* names a part left of *col* (其中:财政拨款, (一)财政拨款小计)."""
    return any(c < col and isinstance(v, str) and v.strip() for c, v in sheet.grid.get(r, ()))


def _group_rows(sheet: Sheet, r: int, stop: int) -> list[int]:
    """The rows under row *r* that its heading cell spans (项目资金 merged over the funds
    rows), before *stop*."""
    first = sheet.grid.get(r, ())
    span = sheet.merged_span(r, first[0][0]) if first else None
    bottom = min(span[2], stop - 1) if span else r
    return sheet.rows_between(r + 1, bottom + 1)


def _add_up(sheet: Sheet, found: Found, ctx: ParseContext) -> None:
    """Amount labels left without a value: the total their parts state (a 合计 row or
    column) or add up to, the latter reported."""
    totals = [(fld, r, c, col, total) for fld, (r, c, col, total) in found.sources.items()]
    for fld, (r, c, col, rows) in found.pending.items():
        total = items_total(sheet, rows, col) if rows and fld not in found.raw else None
        if total is not None:
            totals.append((fld, r, c, col, total))
    for fld, r, c, col, total in totals:
        if fld in found.raw:
            continue
        for cell in total.cells:
            sheet.consumed.add(cell)
        found.rank[fld] = 1
        found.units.setdefault(fld, None)
        if total.stated:  # one cell states it: read as typed
            tr, tc = total.cells[0]
            found.raw[fld] = (tr, tc, sheet.cells[(tr, tc)])
            continue
        found.totals[fld] = total
        found.raw[fld] = (r, col if col != c else total.cells[0][1], total.total)
        ctx.findings.append(finding("amount-from-items", sheet=sheet.name, cell=cell_name(r, c),
                                    params={"label": format_value(sheet.cells.get((r, c))).strip(),
                                            "items": "、".join(total.items), "total": format_value(total.total)}))
    _parts_cover_sources(sheet, found)


def _parts_cover_sources(sheet: Sheet, found: Found) -> None:
    """Parts (财政资金, 其他资金) read among source rows by period columns are kept only when
    they name every source of the year (专项债券资金 | 财政预算资金 | 项目单位自筹 names one part
    of three: their sum could not be checked against the total); otherwise they are left to
    the unmapped report."""
    if not found.year_cols:
        return  # no source rows by period columns (most forms)
    col = next(iter(found.year_cols.values()))
    part_rows = {found.raw[f][0] for f in _PARTS if f in found.raw and found.raw[f][0] in found.year_cols}
    sources = {r for r in found.year_cols if (r, col) in sheet.cells and not any(
        is_total_row(v) for cc, v in sheet.grid[r] if cc < col)}
    if not part_rows or sources <= part_rows:
        return
    for f in _PARTS:
        if f in found.raw and found.raw[f][0] in found.year_cols:
            r, c, _v = found.raw.pop(f)
            sheet.consumed.discard((r, c))
            sheet.consumed.discard(found.label_cells.pop(f))


def _truncated_label(sheet: Sheet, r: int, found: Found, ctx: ParseContext) -> None:
    """A row whose first cell is a label cut to its first characters (``年度`` for
    年度目标, a vertical label the page cut) and whose value decides which: prose for
    the goal, a number for the amount."""
    cells = [(c, v) for c, v in sheet.grid.get(r, ()) if (r, c) not in sheet.consumed]
    if len(cells) != 2 or not isinstance(cells[0][1], str):
        return
    (c, label), (vc, value) = cells
    fields = load_labels().truncated("project", form_key(label))
    want = "performance_target" if isinstance(value, str) and len(value.strip()) >= 10 and not _is_amount(value) \
        else "annual_amount" if _is_amount(value) else None
    if want is None or want not in fields or want in found.raw:
        return
    sheet.consumed.update({(r, c), (r, vc)})
    found.raw[want], found.rank[want], found.units[want] = (r, vc, value), 1, None
    found.label_cells.setdefault(want, (r, c))
    ctx.findings.append(finding("label-truncated", sheet=sheet.name, cell=cell_name(r, c), text=label.strip(),
                                params={"label": load_labels().standard["project"][want]}))
