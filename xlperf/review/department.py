"""The totals of the department-wide form (seed 004 阳新, which passes all): 收入构成 /
支出构成 rows add up to their 合计 (``dept-total-mismatch``), 占比 sum to 100 %
(``dept-share-sum``) and agree with the amounts (``dept-share-mismatch``), 项目支出情况
budgets add up to 特定目标类项目支出 (``dept-project-spending-mismatch``). Amounts in 万元.
See docs/review-rules.md."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ..model import CompositionRow, DepartmentPlan, Finding, Submission
from ..text import label_key
from .common import Facts, at, fmt
from .registry import rule


def _sum(rows: list) -> Decimal | None:  # noqa: ANN001 - CompositionRow | ProjectSpending
    vals = [getattr(r, "current_amount", None) for r in rows]
    vals = [v for v in vals if v is not None]
    return sum(vals, Decimal(0)) if vals else None


def _composition_parts(plan: DepartmentPlan | None) -> list[tuple[str, list[CompositionRow], CompositionRow | None]]:
    """The 收入构成 and 支出构成 parts of the 阳新 form (seed 004): (name, rows, 合计 row); none without a plan."""
    if plan is None:
        return []
    return [("收入构成", plan.revenue, plan.revenue_total), ("支出构成", plan.expenditure, plan.expenditure_total)]


@rule("dept-total-mismatch")
def _dept_total(sub: Submission, facts: Facts) -> Iterator[Finding]:
    plan = sub.department_plan
    for part, rows, total in _composition_parts(plan):
        s = _sum(rows)
        if total is None or total.current_amount is None or s is None:
            continue
        if s != total.current_amount:
            yield at("dept-total-mismatch", total.source, sheet=plan.sheet,
                      params={"part": part, "sum": fmt(s), "total": fmt(total.current_amount)})


@rule("dept-share-sum")
def _dept_share(sub: Submission, facts: Facts) -> Iterator[Finding]:
    plan = sub.department_plan
    for part, rows, total in _composition_parts(plan):
        shares = [r.share_percent for r in rows if r.share_percent is not None]
        if not shares or total is None or not total.current_amount:
            continue  # nothing to share out (a blank template computes 0 everywhere)
        s = sum(shares, Decimal(0))
        if abs(s - 100) > Decimal("0.011"):
            yield at("dept-share-sum", total.source, sheet=plan.sheet, params={"part": part, "sum": fmt(s)})


@rule("dept-share-mismatch")
def _dept_share_amount(sub: Submission, facts: Facts) -> Iterator[Finding]:
    plan = sub.department_plan
    for _part, rows, total in _composition_parts(plan):
        if total is None or not total.current_amount:
            continue
        for r in rows:
            if r.share_percent is None or r.current_amount is None:
                continue
            computed = (r.current_amount / total.current_amount * 100).quantize(Decimal("0.01"))
            if abs(computed - r.share_percent) > Decimal("0.011"):
                yield at("dept-share-mismatch", r.source, sheet=plan.sheet,
                          params={"item": r.item, "share": fmt(r.share_percent), "computed": fmt(computed)})


@rule("dept-project-spending-mismatch")
def _dept_projects(sub: Submission, facts: Facts) -> Iterator[Finding]:
    plan: DepartmentPlan | None = sub.department_plan
    if plan is None or not plan.project_spending:
        return
    target = next((r for r in plan.expenditure if label_key(r.item).startswith("特定目标类")), None)
    budgets = [p.annual_budget for p in plan.project_spending if p.annual_budget is not None]
    if target is None or target.current_amount is None or not budgets:
        return
    s = sum(budgets, Decimal(0))
    if s != target.current_amount:
        yield at("dept-project-spending-mismatch", plan.project_spending[0].source, sheet=plan.sheet,
                  params={"sum": fmt(s), "expected": fmt(target.current_amount)})
