"""Layouts of the provinces the second held-out set showed (docs/forms.md), one general rule per
test: goal labels, funds blocks whose total is not their first number, look-alikes refused, a
汇总 sheet, rows after a table, false review findings. Small grids built here, never the
held-out files (corpus/heldout2/)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from helpers import make_xlsx

from xlperf.importer import import_workbook

LEVELS = ["一级指标", "二级指标", "三级指标", "指标值"]
TABLE = [LEVELS, ["产出指标", "数量指标", "改造小区个数", "≥12个"], [None, "质量指标", "验收合格率", "100%"],
         ["效益指标", "社会效益指标", "受益居民户数", "≥1.02万户"], ["满意度指标", "服务对象满意度指标", "居民满意度", "≥90%"]]


def _read(tmp_path: Path, rows: list[list[object]], merges: list[tuple[int, int, int, int]] | None = None,
          name: str = "f.xlsx"):
    return import_workbook(make_xlsx(tmp_path / name, {"S": rows}, merges={"S": merges or []}))


def _codes(result) -> list[str]:
    return [f.code for f in result.report.findings]


def test_a_goal_labelled_project_or_department_goal_is_the_goal(tmp_path: Path) -> None:
    rows = [["项目名称", "老旧小区改造"], ["主管部门", "某县住建局"], ["项目金额", 95.6],
            ["项目绩效目标", "完成12个小区改造，居民满意度90%以上"], *TABLE]
    (p,) = _read(tmp_path, rows).submission.projects
    assert p.performance_target == "完成12个小区改造，居民满意度90%以上"
    rows[3] = ["项目目标", "完成12个小区改造"]
    assert _read(tmp_path, rows).submission.projects[0].performance_target == "完成12个小区改造"
    # heading over a 长期目标 / 年度目标 pair it stays a heading: the 年度 text is the goal
    rows[3:4] = [["项目绩效目标", "长期目标", "年度目标"], [None, "持续改善人居环境", "完成12个小区改造"]]
    (p,) = _read(tmp_path, rows, [(3, 0, 4, 0)]).submission.projects
    assert (p.performance_target, p.long_term_goal) == ("完成12个小区改造", "持续改善人居环境")
    dept = [["部门名称", "某县自然资源局"], ["部门职能概述", "负责全县自然资源管理"],
            ["部门整体\n绩效目标", "目标1：严守耕地保护红线。"], TABLE[0], TABLE[1]]
    plan = _read(tmp_path, dept).submission.department_plan
    assert plan.annual_goal == "目标1：严守耕地保护红线。"
