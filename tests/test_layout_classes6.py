"""Layouts the sixth held-out set showed (docs/forms.md, docs/taxonomy.md), one general rule
per test. Small grids built here, never the held-out files (corpus/heldout6/)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from helpers import make_xlsx
from test_layout_classes3 import NAMED, TABLE, _codes, _read  # the same small form and readers

from xlperf.importer import import_workbook

ABBREVIATED = [["一级", "二级", "三级指标", "指标值"],
               ["产出", "数量", "改造小区个数", "≥12个"], [None, "质量", "验收合格率", "100%"],
               ["效益", "社会", "受益居民户数", "≥1.02万户"], [None, "经济", "带动就业人数", "≥50人"],
               ["满意度", "服务对象", "居民满意度", "≥90%"],
               ["成本", "社会", "施工扰民投诉次数", "≤3次"]]


def _rows(project) -> list[tuple[str | None, str | None, str | None, str | None]]:
    return [(i.level1, i.level2, i.name, i.target.raw if i.target else None) for i in project.indicators]


def test_abbreviated_level2_names_are_read_under_their_own_level1(tmp_path: Path) -> None:
    # 社会 / 经济 / 服务对象 for 社会效益 / 经济效益 / 服务对象满意度 under 效益 / 满意度; the same
    # 社会 under 成本 is 社会成本 (an abbreviation is read by the 一级 it sits under)
    r = _read(tmp_path, [*NAMED, *ABBREVIATED])
    (p,) = r.submission.projects
    assert _rows(p) == [("产出指标", "数量指标", "改造小区个数", "≥12个"), ("产出指标", "质量指标", "验收合格率", "100%"),
                        ("效益指标", "社会效益", "受益居民户数", "≥1.02万户"), ("效益指标", "经济效益", "带动就业人数", "≥50人"),
                        ("满意度指标", "服务对象满意度", "居民满意度", "≥90%"),
                        ("成本指标", "社会成本", "施工扰民投诉次数", "≤3次")]
    assert "level2-wrong-parent" not in _codes(r) and "unknown-level2" not in _codes(r)
    # an abbreviation under a 一级 it does not belong to is no level: kept as the 三级, as before
    r = _read(tmp_path, [*NAMED, ["一级", "二级", "三级指标", "指标值"], ["产出", "服务对象", "居民满意度", "≥90%"]])
    assert [i.level2 for i in r.submission.projects[0].indicators] != ["服务对象满意度"]


DEPT_INDICATORS = [["一级指标", "二级指标", "三级指标", "指标值"], ["产出指标", "数量指标", "河道清淤长度", "≥12公里"],
                   ["满意度指标", "服务对象满意度指标", "群众满意度", "≥90%"]]


def test_a_department_total_only_in_a_revenue_and_expenditure_block_is_its_amount(tmp_path: Path) -> None:
    # 部门收支预算（元） merged down over 收入合计 / 支出合计 rows: the department's total, read
    # into 万元 by the heading's unit, the text kept
    block = [["部门名称", "某县水利局", None], ["部门收支预算（元）", "收入合计", "8,652,300.00"],
             [None, "其中：一般公共预算拨款", "8,152,300.00"], [None, "支出合计", "8,652,300.00"],
             [None, "其中：基本支出", "5,230,100.00"], [None, "项目支出", "3,422,200.00"],
             ["部门整体绩效目标", "保障水利工程安全运行。", None]]
    rows = [["2025年部门整体支出绩效目标表"], *block, *DEPT_INDICATORS]
    r = _read(tmp_path, rows, merges=[(2, 0, 6, 0)])
    plan = r.submission.department_plan
    totals = [row.current_amount for row in (plan.revenue_total, plan.expenditure_total) if row is not None]
    assert totals and all(t == Decimal("865.23") for t in totals)
    assert "required-field-missing" not in _codes(r)


def test_a_rectification_list_and_an_asset_budget_are_refused(tmp_path: Path) -> None:
    # 绩效评价问题整改清单: problems of an evaluation and their 整改措施 / 整改时限, naming projects
    rows = [["2024年度绩效评价问题整改清单"], ["序号", "评价项目", "存在问题", "整改措施", "责任单位", "整改时限"],
            [1, "老旧小区改造", "绩效目标不够细化", "细化年度指标", "某县住建局", "2025年6月底"]]
    r = _read(tmp_path, rows)
    assert r.exit_code == 2 and r.submission is None and "not-a-target-form" in _codes(r)
    # 新增资产配置预算表: assets with 数量 / 单价 / 金额 / 配置标准, no goal and no indicator
    rows = [["2025年新增资产配置预算表"], ["单位名称：某县农业农村局", None, None, None, "单位：元"],
            ["资产名称", "计量单位", "数量", "单价", "金额", "配置标准"], ["台式计算机", "台", 6, 5000, 30000, "≤6000元/台"]]
    r = _read(tmp_path, rows)
    assert r.exit_code == 2 and r.submission is None and "not-a-target-form" in _codes(r)
    # a target form whose indicator table names an asset and its 配置标准 stays a target form
    r = _read(tmp_path, [*NAMED, ["资产名称", "办公设备"], ["配置标准", "按标准配置"], *TABLE])
    assert r.submission.projects[0].name == "老旧小区改造" and "not-a-target-form" not in _codes(r)


def test_an_amount_in_yuan_typed_as_text_with_grouping_commas_is_read(tmp_path: Path) -> None:
    # 项目金额（元） | '1，080，000 (full-width commas, text): commas grouping thousands of 元 are
    # thousands (a comma typed for a decimal point would leave decimals finer than a 分)
    named = [["项目名称", "老旧小区改造"], ["主管部门", "某县住建局"], ["项目金额（元）", "1，080，000"],
             ["年度绩效目标", "完成12个小区改造"]]
    r = _read(tmp_path, [*named, *TABLE])
    (p,) = r.submission.projects
    assert p.annual_amount == Decimal("108") and p.annual_amount_text == "1，080，000"
    assert "amount-not-number" not in _codes(r) and "ambiguous-number" not in _codes(r)
    # the same text in 万元 stays ambiguous: 62,905,469 万元 could be 62.905469 万元 typed with a comma
    named[2] = ["项目金额（万元）", "1,080,000"]
    r = _read(tmp_path, [*named, *TABLE])
    assert r.submission.projects[0].annual_amount is None and "ambiguous-number" in _codes(r)


def test_an_indicator_sheet_before_the_sheet_naming_the_project_is_its_table(tmp_path: Path) -> None:
    # 海南: the 绩效指标 sheet (a title and the table) first, then 项目基本信息 naming the project,
    # its amount and goal: the table is that project's, as when it comes after
    table = {"绩效指标": [["绩效指标表"], *TABLE], "项目基本信息": [["项目基本信息表"], *NAMED]}
    r = import_workbook(make_xlsx(tmp_path / "t.xlsx", table))
    (p,) = r.submission.projects
    assert p.name == "老旧小区改造" and [i.name for i in p.indicators] == ["改造小区个数", "验收合格率", "受益居民户数", "居民满意度"]
    # two projects each with its own table stay two; a table sheet before a project that has
    # its own table is not joined to it
    r = import_workbook(make_xlsx(tmp_path / "u.xlsx", {"绩效指标": [["绩效指标表"], *TABLE],
                                                        "项目": [*NAMED, *TABLE]}))
    assert len(r.submission.projects) == 2
