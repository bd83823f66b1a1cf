"""The rule registry: ``@rule("code")`` registers a check under a catalog code, and
:data:`ORDER` is the order the review runs them in (the order findings are reported).

A check is ``check(sub, facts) -> Iterator[Finding]``: *sub* the read
:class:`~xlperf.model.Submission`, *facts* the :class:`~xlperf.review.common.Facts` of
this review (computed once, shared by the rules, with the form readers'
:class:`~xlperf.facts.ReadFacts` as ``facts.read``). See ``xlperf/review/README.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..facts import ReadFacts
from ..model import Finding, Submission
from .common import Facts

__all__ = ["ORDER", "RULES", "Check", "review", "rule"]

Check = Callable[[Submission, Facts], Iterator[Finding]]
RULES: dict[str, Check] = {}

#: Every rule's code, in the order the review runs them. Context first (no form at all),
#: the facts stated by forms, the project and department rules, then what stayed unknown.
ORDER: tuple[str, ...] = (
    "no-form-found",                   # context.py
    "submission-empty",                # empty.py
    "summary-total-mismatch",          # summary.py
    "required-field-missing",          # required.py
    "level1-without-indicator",        # levels.py
    "output-level2-missing",           # levels.py
    "target-missing",                  # targets.py
    "no-target-read",                  # targets.py
    "cost-amount-mismatch",            # cost.py
    "cost-comparator",                 # cost.py
    "percent-over-100",                # targets.py
    "satisfaction-qualitative",        # targets.py
    "ambiguous-number",                # targets.py
    "indicator-suspect-level",         # levels.py
    "amount-negative",                 # funding.py
    "funding-split-mismatch",          # funding.py
    "spending-plan-invalid",           # funding.py
    "dept-total-mismatch",             # department.py
    "dept-share-sum",                  # department.py
    "dept-share-mismatch",             # department.py
    "dept-project-spending-mismatch",  # department.py
    "no-indicator-read",               # yielded.py
    "carried-over-unchanged",          # carried.py
    "region-unknown",                  # context.py
    "year-unknown",                    # context.py
)


def rule(code: str) -> Callable[[Check], Check]:
    """Register a check under catalog *code* (declared in templates/rules.toml and
    listed in :data:`ORDER`; the tests check both)."""
    def deco(fn: Check) -> Check:
        RULES[code] = fn
        return fn
    return deco


def review(sub: Submission, read: ReadFacts | None = None) -> list[Finding]:
    """Run every registered rule over *sub* in :data:`ORDER`; *read* is what the form
    readers saw (default: a form was found, no stated totals). Findings in rule order,
    then model order."""
    facts = Facts(sub, read if read is not None else ReadFacts(found_form=True))
    out: list[Finding] = []
    for code in ORDER:
        out.extend(RULES[code](sub, facts))
    return out
