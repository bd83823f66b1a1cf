"""Funding of a project: no amount below zero (``amount-negative``); the Hebei form
(seed 001): 财政资金 + 行政专户 + 其他资金 = 项目年度金额 (``funding-split-mismatch``);
资金支出计划 cumulative, not decreasing, ending at 100 % (``spending-plan-invalid``). See
docs/review-rules.md."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Finding, Submission
from .common import Facts, at, fmt, project_name
from .registry import rule


#: a project's money fields, with the label a message names them by
_AMOUNTS = (("annual_amount", "项目年度金额"), ("fiscal_funds", "财政拨款"), ("special_account_funds", "行政专户拨款"),
            ("other_funds", "其他资金"))


@rule("amount-negative")
def _negative(sub: Submission, facts: Facts) -> Iterator[Finding]:
    for p in sub.projects:
        for attr, label in _AMOUNTS:
            v = getattr(p, attr)
            if v is not None and v < 0:
                yield at("amount-negative", p.cells.get(attr), sheet=p.sheet,
                          params={"project": project_name(p), "label": label, "amount": fmt(v)})


@rule("funding-split-mismatch")
def _funding(sub: Submission, facts: Facts) -> Iterator[Finding]:
    for p in sub.projects:
        parts = [v for v in (p.fiscal_funds, p.special_account_funds, p.other_funds) if v is not None]
        if p.annual_amount is None or not parts:
            continue
        if sum(parts) != p.annual_amount:
            yield at("funding-split-mismatch", p.cells.get("fiscal_funds") or p.cells.get("annual_amount"), sheet=p.sheet,
                      params={"project": project_name(p), "parts": fmt(sum(parts)), "amount": fmt(p.annual_amount)})


@rule("spending-plan-invalid")
def _spending(sub: Submission, facts: Facts) -> Iterator[Finding]:
    for p in sub.projects:
        vals = [c.cumulative_percent for c in p.spending_plan]
        if not vals or all(v is None for v in vals):
            continue
        problems = []
        known = [v for v in vals if v is not None]
        if any(b < a for a, b in zip(known, known[1:])):
            problems.append("后一期小于前一期")
        if any(v > 100 or v < 0 for v in known):
            problems.append("超出 0-100%")
        if vals[-1] is not None and vals[-1] != 100:
            problems.append(f"最后一期为 {fmt(vals[-1])}%")
        if problems:
            yield at("spending-plan-invalid", p.cells.get("spending_plan_label"), sheet=p.sheet,
                      params={"detail": f"项目“{project_name(p)}”" + "，".join(problems)})
