"""Totals a form states over its projects (the Guangdong summary table, seed 003 增城):
the 合计 row equals the sum of every project's 总计, and each unit row (增城区司法局 …)
the sum of the projects under it, or, for the first unit, the 合计 itself (the
department row totalling every unit below it). Amounts in 万元.

The form reader records the stated totals (:class:`~xlperf.facts.StatedTotal`, grid
facts the model does not hold); this rule compares them with the projects as read.
See docs/review-rules.md."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ..findings import finding
from ..model import Finding, Project, Submission
from .common import Facts
from .registry import rule


def _total(projects: tuple[Project, ...]) -> Decimal:
    return sum((p.annual_amount for p in projects if p.annual_amount is not None), Decimal(0))


@rule("summary-total-mismatch")
def _summary_totals(sub: Submission, facts: Facts) -> Iterator[Finding]:
    for stated in facts.read.stated_totals:
        computed = _total(stated.projects)
        if stated.amount == computed or stated.amount == stated.also_accepted:
            continue
        yield finding("summary-total-mismatch", sheet=stated.where.sheet, cell=stated.where.cell,
                      params={"label": stated.label, "total": stated.amount, "sum": computed})
