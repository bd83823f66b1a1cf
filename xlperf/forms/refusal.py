"""Sheets that are NOT target forms (docs/forms.md "Not a target form"): a 绩效自评表
(实际完成值, 分值 / 得分, 全年执行数 …), a 绩效运行监控表 (1-7月执行数, 全年预计完成情况,
偏差原因分析 …), a scoring rubric (评分标准, 扣分 …), a 资金分配表 without indicators
(支出功能分类科目, 经济分类科目 …), a budget table without indicators (部门收支总表: 本年收入合计,
支出总计 …; a publication's 项目支出表: 功能科目编码, 功能科目名称), a project library's 项目申报表
without goal and indicators (项目概况, 立项依据, 支出明细 …), a 绩效评价结果表 (评价得分, 评价等级,
主要问题 …), a 绩效目标调整申请表 (调整原因, 原指标值, 调整后指标值 …: a request to change targets
is never read as the targets), a 绩效目标审核表 (审核内容, 审核要点, 审核结论 …: a review quoting the
target), a 事前绩效评估表 (评估内容, 评估要点, 评估结论, 立项必要性 …: the assessment of a
proposed project), a 政府采购意向公开表 without indicators (采购需求概况, 预计采购时间 …), a 绩效评价问题整改清单
(整改措施, 整改时限 …: the problems an evaluation found), a 资产配置预算表 without indicators
(资产名称, 单价, 配置标准 …). Two or more of one kind's words (labels.toml
[not_target]) as cells of the sheet recognise it, more surely than any target form reader,
so a self-evaluation's 项目名称 and indicator table are never read as a project. A rubric
also shows itself by its table: an indicator header with a 分值 column and no column for
target values (绩效评价指标体系), with one scoring word.

The sheet is recorded as a :class:`~xlperf.forms.base.Refusal` and owned whole; a workbook
with no target form but such a sheet is refused as ``not-a-target-form`` (exit code 2).
"""

from __future__ import annotations

from ..cellref import cell_name
from ..findings import finding
from ..readers.grid import Sheet
from .base import FormReader, FormRun, Recognition, Refusal
from .indicators.header import TableHeader
from .labels import load_labels

__all__ = ["KINDS", "READER"]

#: the Chinese name of each kind of [not_target] words, for the messages
KINDS = {"self_evaluation": "绩效自评表", "monitoring": "绩效运行监控表", "scoring": "评分表",
         "allocation": "资金分配表（没有绩效指标）", "budget": "预算收支表（没有绩效指标）",
         "project_request": "项目申报表（没有绩效目标和绩效指标）", "evaluation": "绩效评价结果表",
         "adjustment": "绩效目标调整申请表（不是批复的绩效目标）",
         "review": "绩效目标审核表（对申报目标的审核，不是绩效目标）", "procurement": "政府采购意向公开表（没有绩效指标）",
         "exante": "事前绩效评估表（对拟立项项目的评估，不是绩效目标）",
         "rectification": "绩效评价问题整改清单（不是绩效目标）", "asset_config": "资产配置预算表（没有绩效指标）"}
# kinds refused only on a sheet without an indicator table (a target form may cite their words)
_WITHOUT_INDICATORS = frozenset({"allocation", "budget", "project_request", "procurement", "asset_config"})
# ... and without a goal label: a project request names its project and amount as a target form does
_WITHOUT_GOAL = frozenset({"project_request"})
_GOAL_FIELDS = {"project": frozenset({"performance_target", "long_term_goal"}),
                "department": frozenset({"annual_goal", "long_term_goal", "overall_goal"})}
_VALUE_ROLES = frozenset({"target", "period_target"})


def _evidence(sheet: Sheet, owned: set[int]) -> tuple[str, list[tuple[int, int, str]]] | None:
    """The kind whose words the sheet shows most (two at least): (kind, [(row, col, word)]);
    or a rubric shown by its table (:func:`_rubric_table`) and one scoring word."""
    by_kind: dict[str, dict[str, tuple[int, int, str]]] = {}
    for r, hits in load_labels().index(sheet).get("not_target", {}).items():
        if r in owned:
            continue
        for c, hit in hits:
            if hit.inline is None:
                by_kind.setdefault(hit.field, {}).setdefault(hit.label, (r, c, hit.label))
    best = max(by_kind.items(), key=lambda kv: len(kv[1]), default=None)
    if best is not None and len(best[1]) >= 2:
        return best[0], sorted(best[1].values())
    if "scoring" in by_kind and (weight := _rubric_table(sheet, owned)) is not None:
        return "scoring", sorted([*by_kind["scoring"].values(), weight])
    return None


def _headers(sheet: Sheet, owned: set[int]) -> list[TableHeader]:
    """The indicator-table headers of the sheet outside *owned* rows."""
    from .indicators import find_header  # the indicator readers build on the labels too

    rows = load_labels().index(sheet).get("indicator_header", {})
    return [h for r in rows if r not in owned and (h := find_header(sheet, r)) is not None]


def _rubric_table(sheet: Sheet, owned: set[int]) -> tuple[int, int, str] | None:
    """A scoring rubric's table (绩效评价指标体系): an indicator header with a weight or
    score column (分值) and no column for target values. Returns the score column's
    header cell as (row, col, text)."""
    for h in _headers(sheet, owned):
        if "weight" in h.cols and not (_VALUE_ROLES & set(h.cols)) and not h.grades and not h.recipients:
            c = h.cols["weight"]
            return h.row, c, str(sheet.cells[(h.row, c)]).strip()
    return None


def _recognise(sheet: Sheet, owned: set[int]) -> Recognition | None:
    """Certain for a self-evaluation or rubric; an allocation or budget table only where
    no indicator table header is on the sheet."""
    ev = _evidence(sheet, owned)
    if ev is None:
        return None
    if ev[0] in _WITHOUT_INDICATORS and _headers(sheet, owned):
        return None
    if ev[0] in _WITHOUT_GOAL and _has_goal_label(sheet, owned):
        return None
    return Recognition(1.0, ev)


def _has_goal_label(sheet: Sheet, owned: set[int]) -> bool:
    """A goal label (年度绩效目标, 长期目标 …) on the sheet outside *owned* rows."""
    index = load_labels().index(sheet)
    return any(hit.field in fields for section, fields in _GOAL_FIELDS.items()
               for r, hits in index.get(section, {}).items() if r not in owned for _c, hit in hits)


def _read_into(sheet: Sheet, ev: tuple[str, list[tuple[int, int, str]]], run: FormRun) -> set[int]:
    kind, words = ev
    r, c, _w = words[0]
    refusal = Refusal(KINDS[kind], tuple(w for _r, _c, w in words), sheet.name, cell_name(r, c))
    run.out.refusals.append(refusal)
    run.ctx.findings.append(finding("sheet-not-target-form", sheet=sheet.name, cell=refusal.cell,
                                    params={"kind": refusal.kind, "evidence": "、".join(refusal.evidence)}))
    return set(sheet.grid)


READER = FormReader("not-a-target-form", recognise=_recognise, read=_read_into)
