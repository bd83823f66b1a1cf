"""An empty submission (``submission-empty``): a blank template, or one whose projects
have none of their required fields and no department-wide content, must not pass review
as 通过. See docs/review-rules.md."""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import finding
from ..model import DepartmentPlan, Finding, Project, Submission
from .common import Facts, is_placeholder
from .registry import rule
from .required import REQUIRED_PROJECT_FIELDS

__all__ = ["has_content"]


def _project_filled(p: Project) -> bool:
    """Any required field (项目名称, 主管部门, 项目年度金额, 年度总体绩效目标) holds something."""
    if p.annual_amount is not None or p.annual_amount_text:
        return True
    return any(not is_placeholder(getattr(p, f)) for f, _ in REQUIRED_PROJECT_FIELDS if f != "annual_amount")


def _plan_filled(plan: DepartmentPlan | None) -> bool:
    """The department-wide form says anything beyond who filled it: an amount, a text,
    a 项目支出情况 row, an indicator with a value, or prose goals."""
    if plan is None:
        return False
    rows = [*plan.revenue, *plan.expenditure, *(t for t in (plan.revenue_total, plan.expenditure_total) if t is not None)]
    if any(r.current_amount is not None or any(v is not None for v in r.previous_amounts.values()) for r in rows):
        return True
    texts = (plan.functions, plan.annual_tasks, plan.long_term_goal, plan.annual_goal)
    if any(not is_placeholder(t) for t in texts) or plan.project_spending or plan.narrative:
        return True
    return any(i.target is not None and not is_placeholder(i.target.raw)
               for i in plan.long_term_indicators + plan.annual_indicators)


def has_content(sub: Submission) -> bool:
    """True when *sub* holds something to review and consolidate: a project with a
    required field filled, or department-wide content."""
    return any(_project_filled(p) for p in sub.projects) or _plan_filled(sub.department_plan)


@rule("submission-empty")
def _empty(sub: Submission, facts: Facts) -> Iterator[Finding]:
    if facts.read.found_form and not has_content(sub):
        yield finding("submission-empty", sheet=None, cell=None,
                      params={"fields": "、".join(lbl for _, lbl in REQUIRED_PROJECT_FIELDS)})
