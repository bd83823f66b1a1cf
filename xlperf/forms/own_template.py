"""Recognise what the xlperf template itself writes around the forms, so that importing
a filled template reports only what the clerk typed: the cover title, headings and
instructions, the hidden lists sheet (``_lists``) that feeds the dropdowns, and its
合计 / 占比 formulas when a workbook was saved without their results.

Everything is read from ``templates/template_sheets.toml`` and the taxonomy / list data the
template writer uses; a cell on the lists sheet that is not one of those values is left
to the unmapped report (nothing hidden there is dropped silently).
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from ..cellref import parse_cell_name
from ..data import load_data
from ..findings import finding
from ..model import CompositionRow, DepartmentPlan, Finding
from ..readers.grid import Sheet
from ..taxonomy import load_taxonomy
from ..text import label_key

__all__ = ["compute_own_formulas", "is_template_text", "read_lists_sheet"]

_NUMBERED_RE = re.compile(r"^\s*\d+\s*[.、．]\s*")


def _year_pattern(template: str) -> re.Pattern[str]:
    """*template* with its ``{year}`` / ``{last_year}`` placeholders as four digits."""
    text = re.escape(template)
    for name in ("year", "last_year"):
        text = text.replace(re.escape("{" + name + "}"), r"\d{4}")
    return re.compile("^" + text + "$")


@lru_cache(maxsize=1)
def _texts() -> tuple[frozenset[str], tuple[re.Pattern[str], ...]]:
    lay = load_data("template_sheets.toml")
    cover = lay["cover"]
    fixed = {cover["block_heading"], cover["instructions"]["heading"], *cover["instructions"]["lines"]}
    # the cover title with its year, or without one (a filled submission that states no year)
    return frozenset(label_key(t) for t in fixed), (_year_pattern(cover["title"]), _year_pattern(cover["title"].replace("{year}年", "")),
                                                   _year_pattern(lay["carried"]["note"]))


def is_template_text(text: object) -> bool:
    """A title, heading or instruction line the template writes on its cover sheet (and
    the note of a template pre-filled from last year's submission)."""
    if not isinstance(text, str):
        return False
    fixed, patterns = _texts()
    key = label_key(_NUMBERED_RE.sub("", text, count=1))
    return key in fixed or any(p.match(text.strip()) for p in patterns)


@lru_cache(maxsize=1)
def _list_words() -> frozenset[str]:
    lay = load_data("template_sheets.toml")
    tax = load_taxonomy()
    words = set(lay["workbook"]["lists_headings"].values())
    for lv in tax.level1 + tax.level2 + tax.dept_level1 + tax.dept_level2:
        words |= {lv.name, lv.label}
    for key in ("value_basis", "indicator_class", "project_attribute", "spending_category"):
        words |= set(load_data("lists.toml")[key]["values"])
    words |= {label_key(w) for w in load_data("labels.toml")["indicator_header"]["value_basis"]}
    words |= {"指标值确定依据", "指标分类", "项目属性", "支出项目类别"}
    return frozenset(label_key(w) for w in words)


def read_lists_sheet(sheet: Sheet) -> bool:
    """Consume the template's hidden lists sheet. Returns True when *sheet* is it (its
    name is the template's lists sheet, it is hidden and its row 1 holds the headings)."""
    lay = load_data("template_sheets.toml")["workbook"]
    if sheet.name != lay["lists_sheet"] or sheet.state == "visible":
        return False
    first = {label_key(v) for (r, _c), v in sheet.cells.items() if r == 0 and isinstance(v, str)}
    if not {label_key(h) for h in lay["lists_headings"].values()} <= first:
        return False
    words = _list_words()
    prefix = lay["lists_name_prefix"]
    core = re.compile(r"^核心业务产出\d+$")
    for (r, c), v in sheet.cells.items():
        if isinstance(v, str):
            k = label_key(v)
            if k in words or k.startswith(prefix) or core.match(k):
                sheet.consumed.add((r, c))
    return True


def _composition_columns() -> tuple[int, int, int, tuple[int, ...]]:
    """(item label, 当年金额, 占比, 近两年 …) columns of the template's 部门总体资金情况 block (0-based)."""
    c = load_data("template_sheets.toml")["department"]["composition"]
    col = lambda letters: parse_cell_name(f"{letters}1")[1]  # noqa: E731
    return col(c["item"]), col(c["current"]), col(c["share"]), tuple(col(x) for x in c["previous"])


def _composition_rows(sheet: Sheet) -> list[tuple[int, str, bool]]:
    """The rows of the template's 收入构成 / 支出构成 block on *sheet*, by the words in its
    item column: ``(row, "revenue" | "expenditure", is the part's 合计)``."""
    item_col = _composition_columns()[0]
    labels = load_data("labels.toml")
    parts = {label_key(w): part for part in ("revenue", "expenditure") for w in labels["composition"][part]}
    total = label_key(labels["department"]["total"][0])
    out, part = [], None
    for r in sorted(sheet.grid):
        v = sheet.cells.get((r, item_col))
        key = label_key(v) if isinstance(v, str) else None
        if key in parts:
            part = parts[key]
            out.append((r, part, False))
        elif key == total and part is not None:
            out.append((r, part, True))
            part = None
    return out


def compute_own_formulas(plan: DepartmentPlan, sheet: Sheet, findings: list[Finding]) -> list[Finding]:
    """The template's own 合计 and 占比 formulas on its department *sheet*, saved without
    their results (a script filled the template with openpyxl, which writes formulas but
    never computes them): computed into *plan* from the amounts, as the formulas do (合计 =
    the sum of the items; 占比 = item / 合计, in percent), and their
    ``formula-no-cached-value`` errors replaced by one ``formula-computed`` warning. Only
    those cells (found by the block's item words, ``[department.composition]`` columns):
    any other formula without a result stays an error. Returns the findings to keep."""
    item_col, cur, share, prev = _composition_columns()
    rows = _composition_rows(sheet)
    own = {(r, share) for r, _part, _total in rows} | {(r, c) for r, _part, is_total in rows if is_total
                                                       for c in (cur, *prev)}
    hit = [f for f in findings if f.code == "formula-no-cached-value" and f.sheet == sheet.name
           and f.cell and parse_cell_name(f.cell) in own]
    if not hit:
        return findings
    words = load_data("labels.toml")["department"]
    done = []
    for r, part, is_total in rows:
        if not is_total:
            continue
        total = getattr(plan, f"{part}_total")
        if total is None:  # a 合计 whose formulas hold no result is no row to the form reader
            total = CompositionRow(item=str(sheet.cells[(r, item_col)]).strip(), source=sheet.ref(r, item_col))
            setattr(plan, f"{part}_total", total)
        done.append(_compute(getattr(plan, part), total, plan.previous_years, words[part][0]))
    kept = [f for f in findings if f not in hit]
    kept.append(finding("formula-computed", sheet=sheet.name, cell=hit[0].cell,
                        params={"count": len(hit), "values": "；".join(d for d in done if d)}))
    return kept


def _compute(items: list[CompositionRow], total: CompositionRow, years: list[str], name: str) -> str:
    """Fill *total* (合计) and every 占比 of *items* + *total* where the workbook has none;
    returns what was computed, for the message."""
    def add(values: list[Decimal | None]) -> Decimal | None:
        present = [v for v in values if v is not None]
        return sum(present, Decimal(0)) if present else None

    said = []
    if total.current_amount is None:
        total.current_amount = add([i.current_amount for i in items])
        if total.current_amount is not None:
            said.append(f"{name}{total.item} {format(total.current_amount.normalize(), 'f')} 万元")
    for year in years:
        if total.previous_amounts.get(year) is None and (value := add([i.previous_amounts.get(year) for i in items])) is not None:
            total.previous_amounts[year] = value
    for row in (*items, total):
        if row.share_percent is None and row.current_amount is not None and total.current_amount:
            row.share_percent = (row.current_amount / total.current_amount * 100).quantize(Decimal("0.01"))
    return "、".join(said)
