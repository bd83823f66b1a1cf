"""Review rules (审核要点, GUIDE section 5) over a read Submission.

Each rule is declared once: its code, severity and Chinese message live in
``templates/rules.toml``; here a check function is registered under that code with
:func:`rule`. A rule returns findings that point at the cell concerned (the model keeps
every value's source cell). Amounts are compared in 万元 (``≤250000元`` against 25 万元).

Rules (code: what it checks):

* ``required-field-missing``: 项目名称, 主管部门, 项目年度金额, 年度总体绩效目标 are filled;
  placeholders such as ``*``, ``/``, ``≥**个`` count as empty; 部门(单位)名称 of a plan;
* ``level1-without-indicator``: 产出, 效益 and 满意度 each hold at least one 三级;
* ``output-level2-missing``: 产出 has 数量, 质量, 时效 and 成本;
* ``target-missing``: a 三级 without a value;
* ``cost-amount-mismatch``: 成本指标 money (one, or their sum) equals 项目年度金额;
* ``cost-comparator``: a cost target uses ≤ or =, not ≥ / >;
* ``percent-over-100``; ``satisfaction-qualitative``;
* ``ambiguous-number``: a target with an unreadable comma number (``=629054,69元``);
* ``indicator-suspect-level``: a 三级 that names another 二级 (满意度 / 成本 / money under 数量·质量·时效);
* ``funding-split-mismatch``: 财政资金 + 行政专户 + 其他资金 = 项目年度金额;
* ``spending-plan-invalid``: 资金支出计划 cumulative, not decreasing, ending at 100 %;
* ``dept-total-mismatch``, ``dept-share-sum``, ``dept-share-mismatch``,
  ``dept-project-spending-mismatch``: the department totals add up (seed 004 passes all).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import lru_cache

from ..cellref import split_ref
from ..data import load_data
from ..findings import finding
from ..model import (
    CompositionRow,
    DepartmentPlan,
    Finding,
    Indicator,
    Project,
    Submission,
    Target,
)
from ..targets import MONEY_UNITS, amount_in_wan
from ..taxonomy import load_taxonomy
from ..text import label_key

__all__ = ["RULES", "review", "rule"]

Check = Callable[[Submission, "Facts"], Iterator[Finding]]
RULES: dict[str, Check] = {}

_BAD_COMMA_RE = re.compile(r"\d,\d{1,2}(?!\d)|\d,\d{4,}|\d{4,},\d")
_REQUIRED = (("name", "项目名称"), ("competent_department", "主管部门"), ("annual_amount", "项目年度金额"),
             ("performance_target", "年度总体绩效目标"))
_OUTPUT = "产出指标"  # the 一级 whose 二级 are all expected (output-level2-missing)
_COST = "成本指标"  # the 二级 under 产出指标, and the 2021+ 一级 of the same name
_SATISFACTION = "满意度指标"


@lru_cache(maxsize=1)
def _levels() -> dict[str, tuple[str, ...]]:
    """Level names and labels the rules use, from templates/taxonomy.toml:
    ``output_level2`` (数量 / 质量 / 时效 / 成本指标), ``level1_required`` (the coded
    一级: 产出 / 效益 / 满意度指标), ``cost_level2`` (成本指标 and the 2021+ 经济 /
    社会 / 生态环境成本), ``satisfaction_level2`` (服务对象满意度) and the coded labels
    suggested for a misplaced indicator (``31-服务对象满意度``, ``14-成本指标``)."""
    tax = load_taxonomy()
    output = tax.level2_under(_OUTPUT)
    satisfaction = tax.level2_under(_SATISFACTION)
    return {
        "output_level2": tuple(lv.name for lv in output),
        "output_not_cost": tuple(lv.name for lv in output if lv.name != _COST),
        "level1_required": tuple(lv.name for lv in tax.level1 if lv.code),
        "cost_level2": tuple(lv.name for lv in tax.level2 if lv.name == _COST or lv.parent == _COST),
        "satisfaction_level2": tuple(lv.name for lv in satisfaction),
        "suggest_satisfaction": (satisfaction[0].label,),
        "suggest_cost": tuple(lv.label for lv in output if lv.name == _COST),
    }


def rule(code: str) -> Callable[[Check], Check]:
    """Register a check under a catalog code (the code must exist in rules.toml)."""
    def deco(fn: Check) -> Check:
        RULES[code] = fn
        return fn
    return deco


class Facts:
    """What several rules need, computed once per review: each project's indicators with
    a real 三级 name (placeholders excluded) and its cost indicators, in project order;
    every target of the submission (``target`` then ``period_target`` of each indicator,
    those present) with its indicator and sheet, indicators in model order (projects, then
    the department plan's long-term and annual indicators)."""

    def __init__(self, sub: Submission) -> None:
        self.named: list[list[Indicator]] = [
            [i for i in p.indicators if i.name and not _is_placeholder(i.name)] for p in sub.projects]
        cost_level2 = frozenset(_levels()["cost_level2"])
        self.costs: list[list[Indicator]] = [
            [i for i in p.indicators if i.level2 in cost_level2 or i.level1 == _COST] for p in sub.projects]
        self.targets: list[tuple[Indicator, str | None, Target]] = [
            (i, sheet, t) for i, sheet in _all_indicators(sub) for t in (i.target, i.period_target) if t is not None]


def review(sub: Submission) -> list[Finding]:
    """Run every registered rule over *sub*; findings in rule order, then model order."""
    facts = Facts(sub)
    out: list[Finding] = []
    for check in RULES.values():
        out.extend(check(sub, facts))
    return out





# ------------------------------------------------------------------------- helpers
def _at(code: str, ref: str | None, *, text: str | None = None, params: dict[str, object] | None = None,
        sheet: str | None = None) -> Finding:
    s, c = split_ref(ref)
    return finding(code, sheet=s or sheet, cell=c, text=text, params=params or {})


@lru_cache(maxsize=1)
def _placeholders() -> tuple[frozenset[str], tuple[re.Pattern[str], ...]]:
    data = load_data("lists.toml")["placeholders"]
    return frozenset(label_key(v) for v in data["values"]), tuple(re.compile(p) for p in data["patterns"])


def _is_placeholder(text: str | None) -> bool:
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


def _pname(p: Project) -> str:
    return p.name or "（未命名项目）"


# ------------------------------------------------------------------------- project rules
@rule("required-field-missing")
def _required(sub: Submission, facts: Facts) -> Iterator[Finding]:
    for p in sub.projects:
        for fld, label in _REQUIRED:
            value = getattr(p, fld)
            if fld == "annual_amount":
                if value is None and not p.annual_amount_text:
                    yield _at("required-field-missing", p.cells.get(f"{fld}_label") or p.cells.get("name"),
                              params={"label": label, "detail": f"（项目“{_pname(p)}”）"}, sheet=p.sheet)
                continue
            if _is_placeholder(value):
                ref = p.cells.get(fld) or p.cells.get(f"{fld}_label") or p.cells.get("name")
                yield _at("required-field-missing", ref, text=value, sheet=p.sheet,
                          params={"label": label, "detail": f"（项目“{_pname(p)}”）" if fld != "name" else ""})
    plan = sub.department_plan
    if plan is not None and (plan.revenue or plan.expenditure or plan.long_term_indicators) and _is_placeholder(plan.name):
        yield _at("required-field-missing", None, sheet=plan.sheet, params={"label": "部门(单位)名称", "detail": ""})


@rule("level1-without-indicator")
def _level1(sub: Submission, facts: Facts) -> Iterator[Finding]:
    for p, named in zip(sub.projects, facts.named):
        have = {i.level1 for i in named}
        for lv in _levels()["level1_required"]:
            if lv not in have:
                yield _at("level1-without-indicator", p.cells.get("name"), sheet=p.sheet,
                          params={"project": _pname(p), "level1": lv})


@rule("output-level2-missing")
def _output(sub: Submission, facts: Facts) -> Iterator[Finding]:
    for p, named in zip(sub.projects, facts.named):
        have = {i.level2 for i in named if i.level1 == _OUTPUT}
        if not have:
            continue
        missing = [lv for lv in _levels()["output_level2"] if lv not in have]
        if missing:
            yield _at("output-level2-missing", p.cells.get("name"), sheet=p.sheet,
                      params={"project": _pname(p), "missing": "、".join(missing)})


@rule("target-missing")
def _target_missing(sub: Submission, facts: Facts) -> Iterator[Finding]:
    for p, named in zip(sub.projects, facts.named):
        for i in named:
            if (i.target is None or i.target.kind == "empty") and (i.period_target is None or i.period_target.kind == "empty"):
                yield _at("target-missing", i.source, sheet=p.sheet, params={"name": i.name})


def _money(t: Target | None) -> list[Decimal]:
    """The 万元 readings of a cost target: one with a money unit, both (元 and 万元)
    for a bare number."""
    if t is None or t.kind != "quantitative" or t.value is None:
        return []
    if t.unit is None:
        return [t.value, t.value * MONEY_UNITS["元"]]
    v = amount_in_wan(t)
    return [] if v is None else [v]


@rule("cost-amount-mismatch")
def _cost(sub: Submission, facts: Facts) -> Iterator[Finding]:
    for p, cost_indicators in zip(sub.projects, facts.costs):
        if p.annual_amount is None:
            continue
        costs = [(i, _money(i.target)) for i in cost_indicators]
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
                yield _at("cost-amount-mismatch", i.target.source if i.target else i.source, text=i.target.raw if i.target else None,
                          sheet=p.sheet, params={"name": i.name, "cost": _fmt(m[-1] if i.target and i.target.unit is None else m[0]),
                                                 "amount": _fmt(amount)})


@rule("cost-comparator")
def _cost_cmp(sub: Submission, facts: Facts) -> Iterator[Finding]:
    for p, cost_indicators in zip(sub.projects, facts.costs):
        for i in cost_indicators:
            t = i.target
            if t is not None and t.kind == "quantitative" and t.comparator in ("≥", ">") and _money(t):
                yield _at("cost-comparator", t.source, text=t.raw, sheet=p.sheet,
                          params={"name": i.name, "comparator": t.comparator})


def _all_indicators(sub: Submission) -> Iterator[tuple[Indicator, str | None]]:
    for p in sub.projects:
        for i in p.indicators:
            yield i, p.sheet
    plan = sub.department_plan
    if plan is not None:
        for i in plan.long_term_indicators + plan.annual_indicators:
            yield i, plan.sheet


@rule("percent-over-100")
def _percent(sub: Submission, facts: Facts) -> Iterator[Finding]:
    for i, sheet, t in facts.targets:
        if t.kind == "quantitative" and t.unit == "%" and t.value is not None and t.value > 100:
            yield _at("percent-over-100", t.source, text=t.raw, sheet=sheet, params={"name": i.name})


@rule("satisfaction-qualitative")
def _satisfaction(sub: Submission, facts: Facts) -> Iterator[Finding]:
    for p, named in zip(sub.projects, facts.named):
        for i in named:
            t = i.target
            if (i.level2 == "服务对象满意度" or i.level1 == "满意度指标") and t is not None and t.kind == "qualitative":
                yield _at("satisfaction-qualitative", t.source, text=t.raw, sheet=p.sheet, params={"name": i.name})


@rule("ambiguous-number")
def _ambiguous(sub: Submission, facts: Facts) -> Iterator[Finding]:
    for i, sheet, t in facts.targets:
        if t.kind == "ambiguous" or (t.kind == "qualitative" and "," in t.raw and _BAD_COMMA_RE.search(t.raw)):
            yield _at("ambiguous-number", t.source, text=t.raw, sheet=sheet, params={"label": i.name or "绩效值"})


@rule("indicator-suspect-level")
def _suspect(sub: Submission, facts: Facts) -> Iterator[Finding]:
    levels = _levels()
    for p, named in zip(sub.projects, facts.named):
        for i in named:
            name = i.name or ""
            suggested = None
            if "满意" in name and i.level2 is not None and i.level2 not in levels["satisfaction_level2"] \
                    and i.level1 != _SATISFACTION:
                suggested = levels["suggest_satisfaction"][0]
            elif i.level2 in levels["output_not_cost"] and (
                    "成本" in name or (i.target is not None and amount_in_wan(i.target) is not None)):
                suggested = levels["suggest_cost"][0]
            if suggested:
                yield _at("indicator-suspect-level", i.source, sheet=p.sheet,
                          params={"name": name, "suggested": suggested, "level2": i.level2_text or i.level2})


@rule("funding-split-mismatch")
def _funding(sub: Submission, facts: Facts) -> Iterator[Finding]:
    for p in sub.projects:
        parts = [v for v in (p.fiscal_funds, p.special_account_funds, p.other_funds) if v is not None]
        if p.annual_amount is None or not parts:
            continue
        if sum(parts) != p.annual_amount:
            yield _at("funding-split-mismatch", p.cells.get("fiscal_funds") or p.cells.get("annual_amount"), sheet=p.sheet,
                      params={"project": _pname(p), "parts": _fmt(sum(parts)), "amount": _fmt(p.annual_amount)})


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
            problems.append(f"最后一期为 {_fmt(vals[-1])}%")
        if problems:
            yield _at("spending-plan-invalid", p.cells.get("spending_plan_label"), sheet=p.sheet,
                      params={"detail": f"项目“{_pname(p)}”" + "，".join(problems)})


# ------------------------------------------------------------------------- department rules
def _fmt(v: Decimal | None) -> str:
    if v is None:
        return "—"
    s = format(v.normalize(), "f")
    return s


def _sum(rows: list) -> Decimal | None:  # noqa: ANN001 - CompositionRow | ProjectSpending
    vals = [getattr(r, "current_amount", None) for r in rows]
    vals = [v for v in vals if v is not None]
    return sum(vals, Decimal(0)) if vals else None


def _composition_parts(plan: DepartmentPlan | None) -> list[tuple[str, list[CompositionRow], CompositionRow | None]]:
    """The 收入构成 and 支出构成 parts of the 阳新 form (seed 004): (name, rows, 合计 row); none without a plan."""
    if plan is None:
        return []
    return [("收入构成", plan.revenue, plan.revenue_total), ("支出构成", plan.expenditure, plan.expenditure_total)]


@rule("dept-total-mismatch")
def _dept_total(sub: Submission, facts: Facts) -> Iterator[Finding]:
    plan = sub.department_plan
    for part, rows, total in _composition_parts(plan):
        s = _sum(rows)
        if total is None or total.current_amount is None or s is None:
            continue
        if s != total.current_amount:
            yield _at("dept-total-mismatch", total.source, sheet=plan.sheet,
                      params={"part": part, "sum": _fmt(s), "total": _fmt(total.current_amount)})


@rule("dept-share-sum")
def _dept_share(sub: Submission, facts: Facts) -> Iterator[Finding]:
    plan = sub.department_plan
    for part, rows, total in _composition_parts(plan):
        shares = [r.share_percent for r in rows if r.share_percent is not None]
        if not shares or total is None or not total.current_amount:
            continue  # nothing to share out (a blank template computes 0 everywhere)
        s = sum(shares, Decimal(0))
        if abs(s - 100) > Decimal("0.011"):
            yield _at("dept-share-sum", total.source, sheet=plan.sheet, params={"part": part, "sum": _fmt(s)})


@rule("dept-share-mismatch")
def _dept_share_amount(sub: Submission, facts: Facts) -> Iterator[Finding]:
    plan = sub.department_plan
    for _part, rows, total in _composition_parts(plan):
        if total is None or not total.current_amount:
            continue
        for r in rows:
            if r.share_percent is None or r.current_amount is None:
                continue
            computed = (r.current_amount / total.current_amount * 100).quantize(Decimal("0.01"))
            if abs(computed - r.share_percent) > Decimal("0.011"):
                yield _at("dept-share-mismatch", r.source, sheet=plan.sheet,
                          params={"item": r.item, "share": _fmt(r.share_percent), "computed": _fmt(computed)})


@rule("dept-project-spending-mismatch")
def _dept_projects(sub: Submission, facts: Facts) -> Iterator[Finding]:
    plan: DepartmentPlan | None = sub.department_plan
    if plan is None or not plan.project_spending:
        return
    target = next((r for r in plan.expenditure if label_key(r.item).startswith("特定目标类")), None)
    budgets = [p.annual_budget for p in plan.project_spending if p.annual_budget is not None]
    if target is None or target.current_amount is None or not budgets:
        return
    s = sum(budgets, Decimal(0))
    if s != target.current_amount:
        yield _at("dept-project-spending-mismatch", plan.project_spending[0].source, sheet=plan.sheet,
                  params={"sum": _fmt(s), "expected": _fmt(target.current_amount)})
