"""Target values (绩效值): a 三级 without one (``target-missing``), a form none of whose 三级 has
one (``no-target-read``: its values were not read, never exit 0), a percentage above 100
(``percent-over-100``), a 满意度 target that is not a number (``satisfaction-qualitative``),
a number with an unreadable comma (``ambiguous-number``: ``=629054,69元``, never guessed).
See docs/review-rules.md and docs/targets.md."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import Finding, Submission, Target
from ..targets import ambiguity
from .common import Facts, at
from .registry import rule

_BAD_COMMA_RE = re.compile(r"\d,\d{1,2}(?!\d)|\d,\d{4,}|\d{4,},\d")


@rule("target-missing")
def _target_missing(sub: Submission, facts: Facts) -> Iterator[Finding]:
    for p, named in zip(sub.projects, facts.named):
        for i in named:
            if (i.target is None or i.target.kind == "empty") and (i.period_target is None or i.period_target.kind == "empty"):
                yield at("target-missing", i.source, sheet=p.sheet, params={"name": i.name})


@rule("no-target-read")
def _no_target(sub: Submission, facts: Facts) -> Iterator[Finding]:
    units = [(f"项目“{p.name or '（未命名项目）'}”", p.sheet, named) for p, named in zip(sub.projects, facts.named)]
    plan = sub.department_plan
    if plan is not None:
        units.append(("部门整体绩效目标", plan.sheet, [*plan.long_term_indicators, *plan.annual_indicators]))
    for unit, sheet, indicators in units:
        if indicators and not any(_has_value(i.target) or _has_value(i.period_target) for i in indicators):
            yield at("no-target-read", indicators[0].source, sheet=sheet, params={"unit": unit, "count": len(indicators)})


def _has_value(target: Target | None) -> bool:
    return target is not None and target.kind != "empty"


@rule("percent-over-100")
def _percent(sub: Submission, facts: Facts) -> Iterator[Finding]:
    for i, sheet, t in facts.targets:
        if t.kind == "quantitative" and t.unit == "%" and t.value is not None and t.value > 100:
            yield at("percent-over-100", t.source, text=t.raw, sheet=sheet, params={"name": i.name})


@rule("satisfaction-qualitative")
def _satisfaction(sub: Submission, facts: Facts) -> Iterator[Finding]:
    for p, named in zip(sub.projects, facts.named):
        for i in named:
            t = i.target
            if (i.level2 == "服务对象满意度" or i.level1 == "满意度指标") and t is not None and t.kind == "qualitative":
                yield at("satisfaction-qualitative", t.source, text=t.raw, sheet=p.sheet, params={"name": i.name})


@rule("ambiguous-number")
def _ambiguous(sub: Submission, facts: Facts) -> Iterator[Finding]:
    for i, sheet, t in facts.targets:
        if t.kind == "ambiguous" or (t.kind == "qualitative" and "," in t.raw and _BAD_COMMA_RE.search(t.raw)):
            yield at("ambiguous-number", t.source, text=t.raw, sheet=sheet,
                     params={"label": i.name or "绩效值", "why": ambiguity(t.raw)})
