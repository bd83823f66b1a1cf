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
from .common import ParseContext, is_unit_note_or_title
from .funds import ItemsTotal, items_total
from .labels import LabelHit, form_key, load_labels
from .values import value_below, value_right

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


def collect_labels(sheet: Sheet, rows: list[int], stop: int, ctx: ParseContext) -> Found:
    """Read the labels of *rows* (the block's rows before its indicator header, which is
    row *stop* or later) and their values; labels and values are consumed."""
    found = Found()
    index = load_labels().index(sheet).get("project", {})
    for r in rows:
        hits = [(c, h) for c, h in index.get(r, ()) if (r, c) not in sheet.consumed]
        label_cols = {c for c, _h in hits}
        below = sheet.rows_between(r + 1, stop)
        heads = (len(hits) >= 2 and not any(h.inline or _right_of(sheet, r, c, label_cols) for c, h in hits)
                 and not (below and below[0] in index))  # labels over a row of values, not over more labels
        if heads:
            found.header_rows.add(r)
        taken = [_take(sheet, r, c, hit, label_cols, heads, stop, found) for c, hit in hits]
        if len(hits) >= 3 and all(_next_is_label(sheet, r, c, label_cols) for c, _h in hits[:-1]) \
                and not (heads and any(taken)):
            ctx.findings.append(finding("layout-ambiguous", sheet=sheet.name, cell=cell_name(r, hits[0][0]),
                                        params={"detail": "、".join(f"“{_standard(h)}”" for _c, h in hits)
                                                + "等栏目连续排列，填写内容不在各自右侧"}))
        if not hits:
            _truncated_label(sheet, r, found, ctx)
        for c, v in sheet.grid.get(r, ()):
            if (r, c) not in sheet.consumed and is_unit_note_or_title(v):
                sheet.consumed.add((r, c))
    _add_up(sheet, found, ctx)
    return found


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
        return False
    if hit.inline is not None:
        found.offer(hit.field, hit, (r, c, _first_line(hit.inline) if hit.field in _AMOUNTS else hit.inline), c)
        return True
    right = _right_of(sheet, r, c, label_cols)
    below = value_below(sheet, r, c, stop) if heads or hit.field in _AMOUNTS else None
    if below is not None and hit.field in _AMOUNTS and (_has_item(sheet, below[0], below[1])
                                                       or not _is_amount(below[2])):
        below = None  # a part's amount (or a part's name) under the heading: the total is added up below
    if right is not None and hit.field in _AMOUNTS and below is not None and not _is_amount(right[1]):
        right = None  # a heading over its amount, another heading beside it (资金总额 | 上级补助资金)
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
    """Amount labels left without a value: the total of the parts under them, reported."""
    for fld, (r, c, col, rows) in found.pending.items():
        if fld in found.raw or not rows:
            continue
        total = items_total(sheet, rows, col)
        if total is None:
            continue
        for cell in total.cells:
            sheet.consumed.add(cell)
        found.totals[fld] = total
        found.raw[fld] = (r, col if col != c else total.cells[0][1], total.total)
        found.rank[fld] = 1
        found.units.setdefault(fld, None)
        ctx.findings.append(finding("amount-from-items", sheet=sheet.name, cell=cell_name(r, c),
                                    params={"label": format_value(sheet.cells.get((r, c))).strip(),
                                            "items": "、".join(total.items), "total": format_value(total.total)}))


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
