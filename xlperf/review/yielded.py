"""What a recognised form yielded: a form was found but no indicator was read anywhere in
the workbook (a department form cut before its tables, 四川 泸县; a prose document whose
project tables are not there, 河北 承德县) - an error, never exit 0 (``no-indicator-read``).
See docs/review-rules.md."""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import finding
from ..model import Finding, Submission
from .common import Facts
from .empty import has_content
from .registry import rule


@rule("no-indicator-read")
def _no_indicator(sub: Submission, facts: Facts) -> Iterator[Finding]:
    if not facts.read.found_form or not has_content(sub):
        return  # no-form-found / submission-empty says it: nothing was filled at all
    plan = sub.department_plan
    if any(p.indicators for p in sub.projects) or (plan and (plan.annual_indicators or plan.long_term_indicators)):
        return
    where = plan.sheet if plan is not None and not sub.projects else (sub.projects[0].sheet if sub.projects else None)
    yield finding("no-indicator-read", sheet=where, cell=None)
