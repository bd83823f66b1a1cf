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


def test_monitoring_form_and_project_library_request_are_refused(tmp_path: Path) -> None:
    monitor = [["2024年项目支出绩效目标执行监控表"], ["项目名称", "城乡居民医保县级补助"],
               ["项目资金（万元）", "年初预算数", "1-7月执行数", "1-7月执行率", "全年预计执行数"],
               [None, 2360, 1416, "60%", 2360],
               ["一级指标", "二级指标", "三级指标", "年度指标值", "1-7月执行情况", "全年预计完成情况", "偏差原因分析"],
               ["产出指标", "数量指标", "参保人数", "≥36万人", "35.8万人", "36万人", None]]
    r = _read(tmp_path, monitor)
    assert r.exit_code == 2 and r.submission is None and "not-a-target-form" in _codes(r)
    request = [["县级预算项目库项目申报表"], ["项目名称", "农村公路日常养护", "项目类别", "经常性项目"],
               ["申报金额（万元）", 186], ["项目概况", "全县农村公路948公里"], ["立项依据", "农村公路养护管理办法"],
               ["支出明细", "序号", "支出内容", "金额（万元）"], [None, 1, "县道日常养护", 65.1],
               ["项目实施进度", "1-3月制定养护计划"]]
    r = _read(tmp_path, request)
    assert r.exit_code == 2 and r.submission is None and "not-a-target-form" in _codes(r)
    # a target form that also writes 项目概况 / 立项依据 / 项目实施计划 is read
    target = [*request[1:5], ["项目实施计划", "1-3月制定方案"], ["年度绩效目标", "完成948公里养护"], *TABLE]
    r = _read(tmp_path, target)
    assert r.exit_code != 2 and r.submission.projects[0].performance_target == "完成948公里养护"
