"""A template pre-filled from last year's submission (``xlperf template --from``) that
comes back unrevised: ``carried-over-unchanged`` for each project, and the department
plan, whose carried values all still equal last year's (docs/review-loop.md). The values
and whether each changed are the form readers' facts (:class:`~xlperf.facts.CarriedValue`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from ..facts import CarriedValue
from ..model import Finding, Submission
from .common import Facts, at, project_name
from .registry import rule


@rule("carried-over-unchanged")
def _carried_unchanged(sub: Submission, facts: Facts) -> Iterator[Finding]:
    by_sheet: dict[str | None, list[CarriedValue]] = defaultdict(list)
    for cv in facts.read.carried:
        by_sheet[cv.where.sheet].append(cv)
    if not by_sheet:
        return
    for p in sub.projects:
        values = by_sheet.get(p.sheet, [])
        if values and all(v.unchanged for v in values):
            yield at("carried-over-unchanged", p.cells.get("name"), sheet=p.sheet, text=p.name,
                     params={"what": f"项目“{project_name(p)}”", "count": len(values)})
    plan = sub.department_plan
    values = by_sheet.get(plan.sheet, []) if plan is not None else []
    if plan is not None and values and all(v.unchanged for v in values):
        yield at("carried-over-unchanged", plan.cells.get("name"), sheet=plan.sheet, text=plan.name,
                 params={"what": "部门整体绩效目标表", "count": len(values)})
