"""The indicator levels of each project: 产出, 效益 and 满意度 each hold a 三级
(``level1-without-indicator``), 产出 has 数量, 质量, 时效 and 成本 (``output-level2-missing``; 成本
as a 一级 of its own counts),
and a 三级 that names another 二级 (``indicator-suspect-level``: 满意度 / 成本 / money under
数量·质量·时效, a table shifted by a row). See docs/review-rules.md."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Finding, Submission
from ..targets import amount_in_wan
from .common import COST, OUTPUT, SATISFACTION, Facts, at, project_name, rule_levels
from .registry import rule


@rule("level1-without-indicator")
def _level1(sub: Submission, facts: Facts) -> Iterator[Finding]:
    for p, named in zip(sub.projects, facts.named):
        have = {i.level1 for i in named}
        for lv in rule_levels()["level1_required"]:
            if lv not in have:
                yield at("level1-without-indicator", p.cells.get("name"), sheet=p.sheet,
                          params={"project": project_name(p), "level1": lv})


@rule("output-level2-missing")
def _output(sub: Submission, facts: Facts) -> Iterator[Finding]:
    for p, named in zip(sub.projects, facts.named):
        have = {i.level2 for i in named if i.level1 == OUTPUT}
        if not have:
            continue
        missing = [lv for lv in rule_levels()["output_level2"] if lv not in have]
        if COST in missing and any(i.level1 == COST for i in named):  # 成本指标 as a 一级 of its own (2021+)
            missing.remove(COST)
        if missing:
            yield at("output-level2-missing", p.cells.get("name"), sheet=p.sheet,
                      params={"project": project_name(p), "missing": "、".join(missing)})


@rule("indicator-suspect-level")
def _suspect(sub: Submission, facts: Facts) -> Iterator[Finding]:
    names = rule_levels()
    for p, named in zip(sub.projects, facts.named):
        for i in named:
            name = i.name or ""
            suggested = None
            if "满意" in name and i.level2 is not None and i.level2 not in names["satisfaction_level2"] \
                    and i.level1 != SATISFACTION:
                suggested = names["suggest_satisfaction"][0]
            elif i.level2 in names["output_not_cost"] and (
                    "成本" in name or (i.target is not None and amount_in_wan(i.target) is not None)):
                suggested = names["suggest_cost"][0]
            if suggested:
                yield at("indicator-suspect-level", i.source, sheet=p.sheet,
                          params={"name": name, "suggested": suggested, "level2": i.level2_text or i.level2})
