"""What several review rules share: :class:`Facts` (computed once per review), the level
names the rules use (from templates/taxonomy.toml), placeholders (templates/lists.toml),
and :func:`at` that points a finding at a model reference (``项目1!C12``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from functools import lru_cache

from ..cellref import split_ref
from ..data import load_data
from ..facts import ReadFacts
from ..findings import finding
from ..model import Finding, Indicator, Project, Submission, Target
from ..taxonomy import load_taxonomy
from ..text import label_key

__all__ = ["COST", "OUTPUT", "SATISFACTION", "Facts", "at", "all_indicators", "fmt", "is_placeholder", "project_name", "rule_levels"]

OUTPUT = "产出指标"  # the 一级 whose 二级 are all expected (output-level2-missing)
COST = "成本指标"  # the 二级 under 产出指标, and the 2021+ 一级 of the same name
SATISFACTION = "满意度指标"


@lru_cache(maxsize=1)
def rule_levels() -> dict[str, tuple[str, ...]]:
    """Level names and labels the rules use, from templates/taxonomy.toml:
    ``output_level2`` (数量 / 质量 / 时效 / 成本指标), ``level1_required`` (the coded
    一级: 产出 / 效益 / 满意度指标), ``cost_level2`` (成本指标 and the 2021+ 经济 /
    社会 / 生态环境成本), ``satisfaction_level2`` (服务对象满意度) and the coded labels
    suggested for a misplaced indicator (``31-服务对象满意度``, ``14-成本指标``)."""
    tax = load_taxonomy()
    output = tax.level2_under(OUTPUT)
    satisfaction = tax.level2_under(SATISFACTION)
    return {
        "output_level2": tuple(lv.name for lv in output),
        "output_not_cost": tuple(lv.name for lv in output if lv.name != COST),
        "level1_required": tuple(lv.name for lv in tax.level1 if lv.code),
        "cost_level2": tuple(lv.name for lv in tax.level2 if lv.name == COST or lv.parent == COST),
        "satisfaction_level2": tuple(lv.name for lv in satisfaction),
        "suggest_satisfaction": (satisfaction[0].label,),
        "suggest_cost": tuple(lv.label for lv in output if lv.name == COST),
    }


class Facts:
    """What several rules need, computed once per review: ``read`` (the form readers'
    :class:`~xlperf.facts.ReadFacts`); ``named``, each project's indicators with a real
    三级 name (placeholders excluded), and ``costs``, its cost indicators, in project
    order; ``targets``, every target of the submission (``target`` then
    ``period_target`` of each indicator, those present) with its indicator and sheet,
    indicators in model order (projects, then the department plan's long-term and annual
    indicators)."""

    def __init__(self, sub: Submission, read: ReadFacts) -> None:
        self.read = read
        self.named: list[list[Indicator]] = [
            [i for i in p.indicators if i.name and not is_placeholder(i.name)] for p in sub.projects]
        cost_level2 = frozenset(rule_levels()["cost_level2"])
        self.costs: list[list[Indicator]] = [
            [i for i in p.indicators if i.level2 in cost_level2 or i.level1 == COST] for p in sub.projects]
        self.targets: list[tuple[Indicator, str | None, Target]] = [
            (i, sheet, t) for i, sheet in all_indicators(sub) for t in (i.target, i.period_target) if t is not None]


def all_indicators(sub: Submission) -> Iterator[tuple[Indicator, str | None]]:
    """Every indicator with its sheet: projects', then the plan's long-term and annual."""
    for p in sub.projects:
        for i in p.indicators:
            yield i, p.sheet
    plan = sub.department_plan
    if plan is not None:
        for i in plan.long_term_indicators + plan.annual_indicators:
            yield i, plan.sheet


def at(code: str, ref: str | None, *, text: str | None = None, params: dict[str, object] | None = None,
       sheet: str | None = None) -> Finding:
    """The finding *code* at model reference *ref* (``项目1!C12``); *sheet* when the
    reference names none (or there is no reference)."""
    s, c = split_ref(ref)
    return finding(code, sheet=s or sheet, cell=c, text=text, params=params or {})


@lru_cache(maxsize=1)
def _placeholders() -> tuple[frozenset[str], tuple[re.Pattern[str], ...]]:
    data = load_data("lists.toml")["placeholders"]
    return frozenset(label_key(v) for v in data["values"]), tuple(re.compile(p) for p in data["patterns"])


def is_placeholder(text: str | None) -> bool:
    """Empty, or a placeholder from lists.toml (``*``, ``/``, ``≥**个`` …)."""
    if text is None:
        return True
    text = str(text)
    return len(text) <= 12 and _short_placeholder(text)  # every placeholder is short


@lru_cache(maxsize=4096)
def _short_placeholder(text: str) -> bool:
    if not text.strip():
        return True
    values, patterns = _placeholders()
    key = label_key(text)
    return key in values or any(p.match(key) for p in patterns)


def project_name(p: Project) -> str:
    """The project's name for a message (``（未命名项目）`` when it has none)."""
    return p.name or "（未命名项目）"


def fmt(v: Decimal | None) -> str:
    """An amount or percentage for a message: ``12.5``, never ``1.25E+1``; ``—`` for none."""
    if v is None:
        return "—"
    return format(v.normalize(), "f")
