"""Cost indicators (成本指标): their money, one or summed, equals 项目年度金额 in 万元
(``cost-amount-mismatch``: 红寺堡 5.3756 万元 against ``≥33756元``; a cost per unit,
``≤1500元/亩`` or 每公里建设成本, is not compared), and a cost target is a ceiling, not a
floor (``cost-comparator``). See docs/review-rules.md."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from functools import lru_cache

from ..data import load_data
from ..model import Finding, Indicator, Submission, Target
from ..targets import MONEY_UNITS, amount_in_wan
from .common import Facts, at, fmt
from .registry import rule


def _money(t: Target | None) -> list[Decimal]:
    """The 万元 readings of a cost target: one with a money unit, both (元 and 万元)
    for a bare number."""
    if t is None or t.kind != "quantitative" or t.value is None:
        return []
    if t.unit is None:
        return [t.value, t.value * MONEY_UNITS["元"]]
    v = amount_in_wan(t)
    return [] if v is None else [v]


@lru_cache(maxsize=1)
def _unit_cost_words() -> tuple[str, ...]:
    return tuple(load_data("lists.toml")["unit_cost_words"]["values"])


def _unit_cost(i: Indicator) -> bool:
    """A cost per unit, not the project's total: a rate (``≤1500元/亩``, ``720元/生·年``) or
    a 三级 naming a standard per unit (每公里建设成本, 亩均投入, 补助标准: lists.toml
    unit_cost_words)."""
    t = i.target
    return bool((t is not None and t.unit and "/" in t.unit) or any(w in (i.name or "") for w in _unit_cost_words()))


@rule("cost-amount-mismatch")
def _cost(sub: Submission, facts: Facts) -> Iterator[Finding]:
    for p, cost_indicators in zip(sub.projects, facts.costs):
        if p.annual_amount is None:
            continue
        costs = [(i, _money(i.target)) for i in cost_indicators if not _unit_cost(i)]
        costs = [(i, m) for i, m in costs if m]
        if not costs:
            continue
        amount = p.annual_amount
        if len(costs) > 1:
            totals = {sum(m[k] for _i, m in costs) for k in (0, -1)}
            if any(abs(t - amount) < Decimal("0.00005") for t in totals):
                continue
        for i, m in costs:
            if not any(abs(v - amount) < Decimal("0.00005") for v in m):
                if len(costs) > 1 and all(v <= amount for v in m):
                    continue
                yield at("cost-amount-mismatch", i.target.source if i.target else i.source, text=i.target.raw if i.target else None,
                          sheet=p.sheet, params={"name": i.name, "cost": fmt(m[-1] if i.target and i.target.unit is None else m[0]),
                                                 "amount": fmt(amount)})


@rule("cost-comparator")
def _cost_cmp(sub: Submission, facts: Facts) -> Iterator[Finding]:
    for p, cost_indicators in zip(sub.projects, facts.costs):
        for i in cost_indicators:
            t = i.target
            if t is not None and t.kind == "quantitative" and t.comparator in ("≥", ">") and _money(t):
                yield at("cost-comparator", t.source, text=t.raw, sheet=p.sheet,
                          params={"name": i.name, "comparator": t.comparator})
