"""The 年度主要任务 table of the Ministry of Finance 部门（单位）整体支出绩效目标申报表
(docs/forms.md "The MoF department form"): 任务名称 | 主要内容 | 预算金额 over 总额 / 财政拨款
/ 其他资金, one task per row, a 金额合计 row. Words: templates/labels.toml [task_header].

Each task is one of the plan's spending lines (:class:`~xlperf.model.ProjectSpending`: name,
主要内容 as its ``purpose``, 总额 as its ``annual_budget``); the 金额合计 row gives the
department's ``expenditure_total`` and, from its 财政拨款 / 其他资金 cells, the ``revenue``
composition (收入构成 by source) with the same total. A task's own 财政拨款 / 其他资金
cells have no place in the model: they stay unmapped, reported. Amounts in 万元 (a unit
note or the header saying 元 converts).
"""

from __future__ import annotations

from decimal import Decimal

from ..model import CompositionRow, DepartmentPlan, ProjectSpending
from ..readers.grid import Sheet, format_value
from .common import ParseContext, read_amount
from .funds import amount_factor
from .labels import load_labels

__all__ = ["read_tasks"]

_SUB = ("total", "fiscal", "other")


def read_tasks(sheet: Sheet, r0: int, c0: int, plan: DepartmentPlan, ctx: ParseContext) -> bool:
    """Read the task table right of the 年度主要任务 label at (*r0*, *c0*) into *plan*.
    False (nothing consumed) when no 任务名称 header sits on the label's row or the next."""
    labels = load_labels()
    header = None
    for r in (r0, r0 + 1):
        hits = {}
        for c, v in sheet.grid.get(r, ()):
            hit = labels.match("task_header", v, inline=False) if c > c0 else None
            if hit is not None:
                hits.setdefault(hit.field, (c, hit.unit))
        if "name" in hits:
            header = (r, hits)
            break
    if header is None:
        return False
    hr, cols = header
    last = hr
    for c, v in sheet.grid.get(hr + 1, ()):  # 总额 / 财政拨款 / 其他资金 under 预算金额
        hit = labels.match("task_header", v, inline=False)
        if hit is not None and hit.field in _SUB:
            cols.setdefault(hit.field, (c, hit.unit))
            last = hr + 1
    for r in range(hr, last + 1):
        for c, v in sheet.grid.get(r, ()):
            if labels.match("task_header", v, inline=False):
                sheet.consumed.add((r, c))
    unit = cols.get("budget", (None, None))[1]
    total_col = cols.get("total", cols.get("budget", (None,)))[0]
    span = sheet.merged_span(r0, c0)
    end = span[2] + 1 if span else max(sheet.grid) + 1
    for r in sheet.rows_between(last + 1, end):
        row = dict(sheet.grid[r])
        if any(c <= c0 and isinstance(v, str) and v.strip() for c, v in row.items()):
            break  # the next section's label: the table ended
        name = row.get(cols["name"][0])
        if not isinstance(name, str) or not name.strip():
            continue
        sheet.consumed.add((r, cols["name"][0]))
        hit = labels.match("task_header", name, inline=False)
        if hit is not None and hit.field == "total_row":
            _totals(sheet, r, row, cols, unit, plan, ctx)
            break
        task = ProjectSpending(name=name.strip(), source=sheet.ref(r, cols["name"][0]))
        if "content" in cols and cols["content"][0] in row:
            task.purpose = format_value(row[cols["content"][0]]).strip()
            sheet.consumed.add((r, cols["content"][0]))
        if total_col is not None and total_col in row:
            task.annual_budget = _amount(sheet, r, total_col, row[total_col], f"{task.name}（总额）", unit, ctx)
            sheet.consumed.add((r, total_col))
        plan.project_spending.append(task)
    return True


def _amount(sheet: Sheet, r: int, c: int, value: object, label: str, unit: str | None, ctx: ParseContext
            ) -> Decimal | None:
    """An amount of the table in 万元 (the header's unit, else the unit note above)."""
    amount = read_amount(sheet, r, c, value, label=label, ctx=ctx)
    return None if amount is None else amount * amount_factor(sheet, r, value, unit)


def _totals(sheet: Sheet, r: int, row: dict[int, object], cols: dict, unit: str | None, plan: DepartmentPlan,
            ctx: ParseContext) -> None:
    """The 金额合计 row: 总额 the expenditure (and revenue) total, 财政拨款 / 其他资金 the
    revenue composition."""
    name = format_value(row[cols["name"][0]]).strip()
    total_col = cols.get("total", cols.get("budget", (None,)))[0]
    if total_col is None or total_col not in row:
        return
    sheet.consumed.add((r, total_col))
    total = _amount(sheet, r, total_col, row[total_col], name, unit, ctx)
    plan.expenditure_total = CompositionRow(item=name, current_amount=total, source=sheet.ref(r, total_col))
    parts = []
    for fld, item in (("fiscal", "财政拨款"), ("other", "其他资金")):
        c = cols.get(fld, (None,))[0]
        if c is not None and c in row and format_value(row[c]).strip():
            sheet.consumed.add((r, c))
            amount = _amount(sheet, r, c, row[c], f"{name}（{item}）", unit, ctx)
            parts.append(CompositionRow(item=item, current_amount=amount, source=sheet.ref(r, c)))
    if parts and plan.revenue_total is None and not plan.revenue:
        plan.revenue = parts
        plan.revenue_total = CompositionRow(item=name, current_amount=total, source=sheet.ref(r, total_col))
