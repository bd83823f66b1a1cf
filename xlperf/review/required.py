"""Required fields (审核要点: 必填项): 项目名称, 主管部门, 项目年度金额 and 年度总体绩效目标 of
every project, 部门(单位)名称, its goal and an amount of a department plan (a prose plan is
asked no amount); placeholders such as ``*``, ``/``,
``≥**个`` count as empty (templates/lists.toml). See docs/review-rules.md."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import DepartmentPlan, Finding, Submission
from .common import Facts, at, is_placeholder, project_name
from .registry import rule

__all__ = ["REQUIRED_PROJECT_FIELDS"]

#: (field, label) every project must fill; placeholders count as empty
REQUIRED_PROJECT_FIELDS = (("name", "项目名称"), ("competent_department", "主管部门"), ("annual_amount", "项目年度金额"),
             ("performance_target", "年度总体绩效目标"))


@rule("required-field-missing")
def _required(sub: Submission, facts: Facts) -> Iterator[Finding]:
    for p in sub.projects:
        for fld, label in REQUIRED_PROJECT_FIELDS:
            value = getattr(p, fld)
            if fld == "annual_amount":
                if value is None and not p.annual_amount_text:
                    yield at("required-field-missing", p.cells.get(f"{fld}_label") or p.cells.get("name"),
                              params={"label": label, "detail": f"（项目“{project_name(p)}”）"}, sheet=p.sheet)
                continue
            if is_placeholder(value):
                ref = p.cells.get(fld) or p.cells.get(f"{fld}_label") or p.cells.get("name")
                yield at("required-field-missing", ref, text=value, sheet=p.sheet,
                          params={"label": label, "detail": f"（项目“{project_name(p)}”）" if fld != "name" else ""})
    plan = sub.department_plan
    named = plan.name if plan is not None and not is_placeholder(plan.name) else sub.department.name  # the template asks once, on the cover
    if plan is not None and (plan.revenue or plan.expenditure or plan.long_term_indicators) and is_placeholder(named):
        yield at("required-field-missing", None, sheet=plan.sheet, params={"label": "部门(单位)名称", "detail": ""})
    if plan is not None and not plan.narrative:  # a department form (a prose plan states no funds table)
        where = plan.cells.get("name")
        if is_placeholder(plan.annual_goal) and is_placeholder(plan.long_term_goal):
            yield at("required-field-missing", where, sheet=plan.sheet, params={"label": "年度目标", "detail": "（部门整体绩效目标）"})
        if not _has_amount(plan):
            yield at("required-field-missing", where, sheet=plan.sheet,
                     params={"label": "部门预算金额", "detail": "（收入、支出或预算总额，部门整体绩效目标）"})


def _has_amount(plan: DepartmentPlan) -> bool:
    """The plan states an amount: a 收入构成 / 支出构成 row or total, or its budget total."""
    rows = [*plan.revenue, *plan.expenditure, plan.revenue_total, plan.expenditure_total]
    return any(r is not None and r.current_amount is not None for r in rows)
