"""The department sheet (部门整体绩效目标): the department-wide form of seed 004 阳新.

TemplateSheets of the blank template (1-based rows, columns A..I; column A holds the section
labels, merged down over their section; see ``templates/template_sheets.toml`` [department]):

* row 1 title ``YYYY年部门整体绩效目标申报表``; row 2 ``单位：万元`` G2:I2. Seed 004's
  填报日期 / 部门(单位)名称 / 填报人 / 联系电话 are asked once, on the cover sheet;
* rows 3-12 部门总体资金情况 (A3): row 3 group row (近两年收支金额 over F3:G3); row 4 header
  总体资金情况 B4:C4 | 当年金额 D4 | 占比 E4 | ``<year-2>年`` F4 | ``<year-1>年`` G4;
  收入构成 B5:B8 with 财政拨款 / 财政专户管理资金 / 单位资金 / 合计 in C5..C8; 支出构成
  B9:B12 with 人员类项目支出 / 运转类项目支出 / 特定目标类项目支出 / 合计 in C9..C12;
  amounts in D, F, G (万元); 占比 (E) and 合计 are formulas;
* row 13 部门职能概述 A13 → B13:I13; row 14 年度工作任务 A14 → B14:I14;
* 项目支出情况 (A15): header row 15 项目名称 B15:C15 | 支出项目类别 D15 | 项目总预算 E15 |
  项目本年度预算 F15 | 项目主要支出方向和用途 G15:I15, then 15 blank rows (16-30);
* 整体绩效总目标 (A31): 长期目标(截止<year+4>年) B31 → C31:I31; 年度目标 B32 → C32:I32;
* 长期绩效指标 (A33): header row 33 一级指标 | 二级指标 | 三级指标 | 指标值 (E33:G33) |
  指标值确定依据 H33 | 指标分类 I33, then the framework rows and 10 spare rows;
* 年度绩效指标 (A at the group row): group row (近两年指标值 over E:F), header row
  一级指标 | 二级指标 | 三级指标 | 前年 | 上年 | 预期当年实现值 | 指标值确定依据 | 指标分类 (B..I),
  then the framework rows and 10 spare rows.

In a filled workbook the 项目支出情况 and indicator tables grow to fit, so the rows after
them move down: find sections by their labels, never by these row numbers. Without a year
(a submission that states none) the 近两年 headers and the 截止 year stay blank.

Printed portrait on A4: the two indicator tables each start a new page, at the scale at
which each fits one page, so every table has its header at the top of its page; a table
too long for one page at a readable scale gets its header repeated (one sheet has only one
range of repeated rows; :meth:`SheetWriter.print_sections`).
"""

from __future__ import annotations

import re
from decimal import Decimal

from xlsxwriter.worksheet import Worksheet

from ...cellref import cell_name, col_name
from ...model import CompositionRow, DepartmentPlan, ProjectSpending
from ...text import label_key
from .base import Book, SheetWriter
from .dept_indicators import write_indicator_tables

__all__ = ["previous_years", "write_department_sheet"]

_LAST = 8  # column I


def previous_years(plan: DepartmentPlan | None, year: int | None) -> list[int | None]:
    """The two 近两年 column years: the plan's own two ``previous_years`` when they are
    years, else ``[year - 2, year - 1]`` (2026 -> 2024, 2025); ``[None, None]`` (blank
    headers) when neither is known."""
    if plan is not None and len(plan.previous_years) == 2:
        found = [_amount_key(y) for y in plan.previous_years]
        if all(y is not None for y in found):
            return found  # type: ignore[return-value]
    return [year - 2, year - 1] if year is not None else [None, None]


def write_department_sheet(book: Book, ws: Worksheet, *, year: int | None, plan: DepartmentPlan | None) -> None:
    """Write the department sheet onto *ws*: blank when *plan* is None, else filled.

    Amounts are numbers in 万元; texts typed strings; 占比 and 合计 formulas with cached
    values. Values the form has no place for become ``fill-*`` findings in ``book.notes``
    (the plan's 部门名称 / 填报人 / 联系电话 / 填报日期 go on the cover).
    """
    lay = book.spec.section("department")
    msgs = lay["messages"]
    L = book.spec.label
    sw = SheetWriter(book, ws)
    sw.setup(widths=lay["widths"], freeze_rows=lay["freeze_rows"], freeze_cols=lay["freeze_cols"])
    sw.label(0, 0, book.spec.title("department", year), fmt="title", last_col=_LAST)
    sw.min_height(0, 30)
    sw.label(1, 6, book.spec.section("workbook")["unit_note"], fmt="unit", last_col=_LAST)
    row = _composition(sw, 2, year, plan)
    # -- 部门职能概述, 年度工作任务
    for key, value in (("functions", plan.functions if plan else None), ("annual_tasks", plan.annual_tasks if plan else None)):
        _field(sw, row, 0, L(f"department.{key}"), value, _LAST, "text", msgs[key], kind="longtext")
        sw.min_height(row, lay["text_height"])
        row += 1
    row = _project_spending(sw, row, plan.project_spending if plan else [])
    row = _goals(sw, row, year, plan)
    sw.print_sections(write_indicator_tables(sw, row, plan))
    sw.finish()
    if plan is not None:
        for section in plan.narrative:
            book.note("fill-field-not-held", sheet=sw.name, cell=None,
                      params={"field": section.heading or "绩效目标说明"}, text=section.text)


def _field(sw: SheetWriter, row: int, col: int, label: str, value: object, last_col: int, fmt: str,
           message: str, *, kind: str = "text", carry: bool = True) -> None:
    """A label at (row, col) and its input merged from col+1 to *last_col*."""
    sw.label(row, col, label)
    sw.put(row, col + 1, value, fmt=fmt, field=label, last_col=last_col, carry=carry)  # type: ignore[arg-type]
    sw.validate(row, col + 1, row, last_col, kind=kind, title=label, message=message)


def _amount_key(key: str) -> int | None:
    m = re.search(r"\d{4}", key)
    return int(m.group(0)) if m else None


def _composition(sw: SheetWriter, row: int, year: int | None, plan: DepartmentPlan | None) -> int:
    """部门总体资金情况: group row, header row, 收入构成 and 支出构成 blocks. Returns the next row."""
    book = sw.book
    L = book.spec.label
    msgs = book.spec.section("department")["messages"]
    years = previous_years(plan, year)
    comp = book.spec.labels["composition"]
    blocks = [("revenue", comp["revenue"], plan.revenue if plan else [], plan.revenue_total if plan else None),
              ("expenditure", comp["expenditure"], plan.expenditure if plan else [], plan.expenditure_total if plan else None)]
    end = row + 1 + sum(len(items) + 1 for _, items, _, _ in blocks)
    sw.label(row, 0, L("department.funding_overview"), fmt="section", last_row=end)
    item_col, cur, share_col, prev = book.spec.composition_columns()
    amount_cols = (cur, *prev)  # 当年, year-2, year-1
    sw.label(row, 1, "", last_col=item_col)
    sw.label(row, cur, "")
    sw.label(row, share_col, "")
    sw.label(row, prev[0], L("department.previous_amounts"), last_col=prev[-1])
    head = row + 1
    sw.label(head, 1, L("department.overview_header"), last_col=item_col)
    sw.label(head, cur, L("department.current_amount"))
    sw.label(head, share_col, L("department.share"))
    for col, y in zip(prev, years):
        sw.label(head, col, f"{y}年" if y is not None else "")
    row = head + 1
    for part, items, given, total in blocks:
        part_label = L(f"department.{part}")
        sw.label(row, 1, part_label, last_row=row + len(items))
        by_item: dict[str, CompositionRow] = {}
        held = {label_key(i) for i in items}
        for cr in given:
            k = label_key(cr.item)
            if k in by_item or k not in held:
                book.note("fill-field-not-held", sheet=sw.name, cell=cell_name(row, item_col),
                          params={"field": f"{part_label} {cr.item}"},
                          text="" if cr.current_amount is None else str(cr.current_amount))
            else:
                by_item[k] = cr
        first, total_row = row, row + len(items)
        sums = [Decimal(0)] * len(amount_cols)
        currents: list[Decimal | None] = []
        for item in items:
            cr = by_item.get(label_key(item))
            sw.label(row, item_col, item)
            values = [cr.current_amount if cr else None, *_previous(sw, row, cr, years, part_label)]
            for j, (col, value) in enumerate(zip(amount_cols, values)):
                sw.put(row, col, value, fmt="amount", field=f"{part_label} {item}", carry=j == 0)  # 近两年: history
                sums[j] += value if value is not None else Decimal(0)
            currents.append(values[0])
            row += 1
        sw.label(total_row, item_col, L("department.total"))
        for j, col in enumerate(amount_cols):
            letter = col_name(col)
            sw.formula(total_row, col, f"=SUM({letter}{first + 1}:{letter}{total_row})", fmt="total", value=float(sums[j]))
        total_ref, amount = f"${col_name(cur)}${total_row + 1}", col_name(cur)
        for r, value in zip(range(first, total_row + 1), [*currents, sums[0]]):
            share = float(value / sums[0]) if value is not None and sums[0] else 0.0
            sw.formula(r, share_col, f"=IF(N({total_ref})=0,0,N({amount}{r + 1})/{total_ref})", fmt="share", value=share)
        _check_total(sw, total_row, part_label, total, sums, years)
        sw.validate(first, cur, total_row - 1, cur, kind="amount", title=L("department.current_amount"), message=msgs["amount"])
        sw.validate(first, prev[0], total_row - 1, prev[-1], kind="amount", title=L("department.previous_amounts"),
                    message=msgs["previous_amount"])
        row = total_row + 1
    return row


def _previous(sw: SheetWriter, row: int, cr: CompositionRow | None, years: list[int | None], part: str) -> list[Decimal | None]:
    """The row's 近两年 amounts in column-year order; amounts of other years become notes."""
    out: list[Decimal | None] = [None, None]
    if cr is None:
        return out
    for key, value in cr.previous_amounts.items():
        y = _amount_key(key)
        if y is not None and y in years:
            out[years.index(y)] = value
        elif value is not None:
            sw.book.note("fill-field-not-held", sheet=sw.name, cell=cell_name(row, 2),
                         params={"field": f"{part} {cr.item} {key}年"}, text=str(value))
    return out


def _check_total(sw: SheetWriter, row: int, part: str, total: CompositionRow | None, sums: list[Decimal],
                 years: list[int | None]) -> None:
    """A submitted 合计 that differs from the formula's result becomes a note."""
    if total is None:
        return
    given = [total.current_amount, *(_previous_total(total, y) for y in years)]
    _item, cur, _share, prev = sw.book.spec.composition_columns()
    for col, value, computed in zip((cur, *prev), given, sums):
        if value is not None and value != computed:
            sw.book.note("fill-total-recomputed", sheet=sw.name, cell=cell_name(row, col),
                         params={"part": part, "sum": computed, "total": value}, text=str(value))


def _previous_total(total: CompositionRow, year: int | None) -> Decimal | None:
    if year is None:
        return None
    for key, value in total.previous_amounts.items():
        if _amount_key(key) == year:
            return value
    return None


def _project_spending(sw: SheetWriter, row: int, rows: list[ProjectSpending]) -> int:
    """项目支出情况: header row and at least ``project_spending_rows`` rows. Returns the next row."""
    book = sw.book
    lay = book.spec.section("department")
    msgs = lay["messages"]
    hdr = book.spec.labels["project_spending_header"]
    n = max(lay["project_spending_rows"], len(rows) + lay["keep_blank"])
    sw.label(row, 0, book.spec.label("department.project_spending"), fmt="section", last_row=row + n)
    cols = [("name", 1, 2, "cell", "text", "ps_name"), ("spending_category", 3, 3, "cell", "list:spending_category", "ps_category"),
            ("total_budget", 4, 4, "amount", "amount", "ps_total"), ("annual_budget", 5, 5, "amount", "amount", "ps_annual"),
            ("purpose", 6, _LAST, "cell", "text", "ps_purpose")]
    for key, c0, c1, _fmt, _kind, _msg in cols:
        sw.label(row, c0, hdr[key][0], last_col=c1)
    for i in range(n):
        ps = rows[i] if i < len(rows) else None
        for key, c0, c1, fmt, _kind, _msg in cols:
            sw.put(row + 1 + i, c0, getattr(ps, key) if ps else None, fmt=fmt, field=hdr[key][0], last_col=c1)
    for key, c0, c1, _fmt, kind, msg in cols:
        sw.validate(row + 1, c0, row + n, c1, kind=kind, title=hdr[key][0], message=msgs[msg])
    return row + n + 1


def _goals(sw: SheetWriter, row: int, year: int | None, plan: DepartmentPlan | None) -> int:
    """整体绩效总目标: 长期目标(截止YYYY年) and 年度目标, each label with its input right of it."""
    book = sw.book
    lay = book.spec.section("department")
    msgs = lay["messages"]
    L = book.spec.label
    horizon = plan.long_term_horizon if plan and plan.long_term_horizon else (
        year + lay["horizon_offset"] if year is not None else None)
    long_label = (lay["long_term_label"].format(label=L("department.long_term_goal"), horizon=horizon)
                  if horizon is not None else L("department.long_term_goal"))
    sw.label(row, 0, L("department.overall_goal"), last_row=row + 1)
    for i, (label, value, key) in enumerate(((long_label, plan.long_term_goal if plan else None, "long_term_goal"),
                                             (L("department.annual_goal"), plan.annual_goal if plan else None, "annual_goal"))):
        _field(sw, row + i, 1, label, value, _LAST, "text", msgs[key], kind="longtext")
        sw.min_height(row + i, lay["goal_height"])
    return row + 2
