"""Layouts the third held-out set showed (docs/forms.md), one general rule per test: a direction
column in words, department forms with a 年度绩效目标, stacked period tables, code columns, the
unit under other labels, look-alikes refused, scan conversions, values in brackets, footers. Small
grids built here, never the held-out files (corpus/heldout3/)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from helpers import make_xlsx

from xlperf.importer import import_workbook

LEVELS = ["一级指标", "二级指标", "三级指标", "指标值"]
TABLE = [LEVELS, ["产出指标", "数量指标", "改造小区个数", "≥12个"], [None, "质量指标", "验收合格率", "100%"],
         ["效益指标", "社会效益指标", "受益居民户数", "≥1.02万户"], ["满意度指标", "服务对象满意度指标", "居民满意度", "≥90%"]]
NAMED = [["项目名称", "老旧小区改造"], ["主管部门", "某县住建局"], ["年度资金总额", 95.6],
         ["年度绩效目标", "完成12个小区改造，居民满意度90%以上"]]


def _read(tmp_path: Path, rows: list[list[object]], merges: list[tuple[int, int, int, int]] | None = None):
    return import_workbook(make_xlsx(tmp_path / "f.xlsx", {"S": rows}, merges={"S": merges or []}))


def _codes(result) -> list[str]:
    return [f.code for f in result.report.findings]


def _targets(project) -> list[tuple[str | None, str | None, str | None]]:
    return [(i.name, i.target.comparator if i.target else None, str(i.target.value) if i.target else None)
            for i in project.indicators]


def test_a_direction_column_in_words_is_the_comparator(tmp_path: Path) -> None:
    table = [["一级指标", "二级指标", "三级指标", "指标方向", "指标值", "计量单位"],
             ["产出指标", "数量指标", "新建高标准农田面积", "大于等于", "5000", "亩"],
             [None, "成本指标", "亩均配套资金", "小于等于", 1260, "元/亩"],
             [None, "质量指标", "验收合格率", "等于", "１００", "%"],
             ["满意度指标", "服务对象满意度指标", "农户满意度", "不低于", "90", "%"]]
    r = _read(tmp_path, [*NAMED, *table])
    assert _targets(r.submission.projects[0]) == [("新建高标准农田面积", "≥", "5000"), ("亩均配套资金", "≤", "1260"),
                                                  ("验收合格率", "=", "100"), ("农户满意度", "≥", "90")]
