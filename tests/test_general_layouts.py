"""More layouts of other provinces, one general rule per test (docs/forms.md): a 三级 column
named otherwise (具体指标, 指标内容), one value column per recipient under any heading, a
指标性质 column of 定量 / 定性 beside the comparator, rows under a table, several projects in
one flat table, the MoF department form, funds as headings over values, rubrics and budget
tables refused. Small grids built here, never the held-out files (corpus/heldout/)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from helpers import make_xlsx

from xlperf.importer import import_workbook

HEAD = ["项目名称", "农村公益电影放映"], ["年度资金总额", 28.8], ["年度目标", "全年放映公益电影1956场"]


def _read(tmp_path: Path, rows: list[list[object]], merges: list[tuple[int, int, int, int]] | None = None):
    return import_workbook(make_xlsx(tmp_path / "f.xlsx", {"S": rows}, merges={"S": merges or []}))


def _targets(project) -> list[tuple[str | None, str | None]]:
    return [(i.name, i.target.raw if i.target else None) for i in project.indicators]


def test_third_level_column_named_by_its_place_between_levels_and_values(tmp_path: Path) -> None:
    rows = [*HEAD, ["一级指标", "二级指标", "具体指标", "指标内容", "指标值"],
            ["产出指标", "数量指标", "放映场次", "每村每月1场", "≥1956场"],
            [None, "质量指标", "放映设备完好率", "设备完好", "≥95%"]]
    (p,) = _read(tmp_path, rows).submission.projects
    assert _targets(p) == [("放映场次", "≥1956场"), ("放映设备完好率", "≥95%")]
    assert p.indicators[0].description == "每村每月1场" and p.indicators[1].level2 == "质量指标"
    rows[3] = ["一级指标", "二级指标", "指标内容", "指标值"]  # 指标内容 heads the 三级 when nothing else does
    rows[4:] = [["产出指标", "数量指标", "放映场次", "≥1956场"]]
    (p,) = _read(tmp_path, rows).submission.projects
    assert _targets(p) == [("放映场次", "≥1956场")] and p.indicators[0].description is None


def test_one_value_column_per_recipient_under_any_value_heading(tmp_path: Path) -> None:
    rows = [["专项名称", "城乡义务教育补助经费"], ["年度金额", 16850], ["年度总体目标", "保障学校正常运转"],
            ["一级指标", "二级指标", "三级指标", "分地区指标值", None],
            [None, None, None, "泾县", "广德市"],
            ["产出指标", "数量指标", "补助学生人数", "2.56万人", "3.18万人"],
            [None, "质量指标", "寄宿生人数", 1860, 2240]]
    (p,) = _read(tmp_path, rows, [(3, 3, 3, 4)]).submission.projects
    assert [(i.name, i.recipient, i.target.raw) for i in p.indicators] == [
        ("补助学生人数", "泾县", "2.56万人"), ("补助学生人数", "广德市", "3.18万人"),
        ("寄宿生人数", "泾县", "1860"), ("寄宿生人数", "广德市", "2240")]
    rows[4] = [None, None, None, "中期", "年度"]  # a period split is no recipient
    assert not any(i.recipient for i in _read(tmp_path, rows, [(3, 3, 3, 4)]).submission.projects[0].indicators)


def test_nature_column_is_no_comparator_and_the_direction_column_is(tmp_path: Path) -> None:
    rows = [*HEAD, ["一级指标", "二级指标", "三级指标", "指标性质", "指标方向", "指标值", "计量单位", "指标权重"],
            ["产出指标", "数量指标", "改造小区个数", "定量", "≥", 12, "个", 10],
            [None, "时效指标", "完成时间", "定性", None, "2024年11月底前", None, 10]]
    (p,) = _read(tmp_path, rows).submission.projects
    assert _targets(p) == [("改造小区个数", "≥12个"), ("完成时间", "2024年11月底前")]
    assert [i.indicator_class for i in p.indicators] == ["定量", "定性"]
    assert p.indicators[0].target.comparator == "≥" and p.indicators[0].weight == "10"


def test_qualitative_word_in_the_comparator_column_is_not_joined(tmp_path: Path) -> None:
    rows = [*HEAD, ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位"],
            ["产出指标", "数量指标", "购置设备", "=", 2, "台"],
            [None, "时效指标", "采购完成时间", "定性", "2024年9月底前", None]]
    (p,) = _read(tmp_path, rows).submission.projects
    assert _targets(p) == [("购置设备", "=2台"), ("采购完成时间", "2024年9月底前")]
    assert p.indicators[1].indicator_class == "定性"


def test_stamp_and_signature_rows_and_a_weights_total_are_no_indicators(tmp_path: Path) -> None:
    rows = [*HEAD, ["一级指标", "二级指标", "三级指标", "指标值", "权重"],
            ["产出指标", "数量指标", "放映场次", "≥1956场", 60],
            [None, "质量指标", "放映设备完好率", "≥95%", 40],
            ["合  计", None, None, None, 100],
            ["项目单位（盖章）", None, "主管部门审核意见：", None, None],
            ["单位负责人签字：", None, None, None, None]]
    r = _read(tmp_path, rows)
    assert _targets(r.submission.projects[0]) == [("放映场次", "≥1956场"), ("放映设备完好率", "≥95%")]
    unmapped = {f.text for f in r.report.findings if f.code == "unmapped-cell"}
    assert {"合  计", "项目单位（盖章）", "主管部门审核意见：", "单位负责人签字："} <= unmapped  # reported, not lost


LEVELS = ["一级指标", "二级指标", "三级指标", "指标值"]


def test_several_projects_in_one_flat_table_merged_down_per_project(tmp_path: Path) -> None:
    rows = [["部门名称：安岳县交通运输局", None, None, None, None, None, None, "单位：万元"],
            ["序号", "项 目 名 称", "项目金额", "年度绩效目标", *LEVELS],
            [1, "农村公路日常养护", 460, "完成1280公里养护", "产出指标", "数量指标", "养护里程", "≥1280公里"],
            [None, None, None, None, "满意度指标", "服务对象满意度指标", "群众满意度", "≥90%"],
            [2, "农村客运补贴", "185.60", "保障客运车辆运营", "产出指标", "数量指标", "补贴车辆数", "126辆"],
            ["合计", None, 645.6, None, None, None, None, None]]
    merges = [(2, 0, 3, 0), (2, 1, 3, 1), (2, 2, 3, 2), (2, 3, 3, 3), (5, 0, 5, 1)]
    r = _read(tmp_path, rows, merges)
    a, b = r.submission.projects
    assert (a.name, a.annual_amount, a.performance_target) == ("农村公路日常养护", Decimal(460), "完成1280公里养护")
    assert (b.name, b.annual_amount) == ("农村客运补贴", Decimal("185.60"))
    assert a.competent_department == b.competent_department == "安岳县交通运输局"
    assert _targets(a) == [("养护里程", "≥1280公里"), ("群众满意度", "≥90%")] and _targets(b) == [("补贴车辆数", "126辆")]
    assert a.indicators[1].level1 == "满意度指标"
    codes = [f.code for f in r.report.findings]
    assert "unmapped-cell" not in codes and "summary-total-mismatch" not in codes
    rows[5][2] = 600  # the 合计 is checked against the projects
    assert "summary-total-mismatch" in [f.code for f in _read(tmp_path, rows, merges).report.findings]


def test_several_projects_exported_one_row_per_indicator_amounts_in_yuan(tmp_path: Path) -> None:
    head = ["单位名称", "项目名称", "项目金额（元）", "年度目标", "一级指标", "二级指标", "指标内容", "指标值"]
    a = ["韶山市教育局", "学前教育幼儿资助", 356800, "资助幼儿446人"]
    b = ["韶山市教育局", "教师培训经费", "420,000.00", "培训1200人次"]
    rows = [head, [*a, "产出指标", "数量指标", "资助人数", "≥446人"], [*a, "满意度指标", "服务对象满意度指标", "家长满意度", "≥95%"],
            [*b, "产出指标", "数量指标", "培训人次", "≥1200人次"]]
    r = _read(tmp_path, rows)
    p, q = r.submission.projects
    assert (p.name, p.annual_amount, p.competent_department) == ("学前教育幼儿资助", Decimal("35.68"), "韶山市教育局")
    assert (q.name, q.annual_amount, q.annual_amount_text) == ("教师培训经费", Decimal(42), "420,000.00")
    assert _targets(p) == [("资助人数", "≥446人"), ("家长满意度", "≥95%")] and _targets(q) == [("培训人次", "≥1200人次")]
    assert "unmapped-cell" not in [f.code for f in r.report.findings]  # the repeated cells are the project's


def test_mof_department_form_tasks_total_and_project_framework_levels(tmp_path: Path) -> None:
    rows = [["部门（单位）名称", "青阳县卫生健康委员会"],
            ["年度主要任务", "任务名称", "主要内容", "预算金额", None, None],
            [None, None, None, "总额", "财政拨款", "其他资金"],
            [None, "基本公共卫生服务", "提供国家基本公共卫生服务", 2356.8, 2356.8, 0],
            [None, "基层医疗机构运行", "保障卫生院运转", 1520, 1320, 200],
            [None, "金额合计", None, 3876.8, 3676.8, 200],
            ["年度总体目标", "建档率达到90%以上"],
            ["年度绩效指标", "一级指标", "二级指标", "三级指标", "指标值"],
            [None, "产出指标", "数量指标", "居民电子健康档案建档率", "≥90%"],
            [None, "满意度指标", "服务对象满意度指标", "群众满意度", "≥85%"]]
    r = _read(tmp_path, rows, [(1, 0, 5, 0), (1, 3, 1, 5), (7, 0, 9, 0)])
    plan = r.submission.department_plan
    assert [(t.name, t.purpose, t.annual_budget) for t in plan.project_spending] == [
        ("基本公共卫生服务", "提供国家基本公共卫生服务", Decimal("2356.8")), ("基层医疗机构运行", "保障卫生院运转", Decimal(1520))]
    assert plan.expenditure_total.current_amount == Decimal("3876.8") == plan.revenue_total.current_amount
    assert [(x.item, x.current_amount) for x in plan.revenue] == [("财政拨款", Decimal("3676.8")), ("其他资金", Decimal(200))]
    assert [(i.level1, i.level2) for i in plan.annual_indicators] == [("产出指标", "数量指标"), ("满意度指标", "服务对象满意度")]
    assert r.exit_code == 0 and plan.annual_tasks is None


TABLE = [LEVELS, ["产出指标", "数量指标", "改造小区个数", "≥12个"]]


def test_funds_headings_over_their_values_beside_other_headings(tmp_path: Path) -> None:
    rows = [["项目名称", "老旧小区改造"],
            ["项目资金", "资金总额", "上级补助资金", "本级财政资金", "其他资金"],
            [None, 1480, 860, 620, 0],
            ["年度绩效目标", "完成12个小区改造"], *TABLE]
    (p,) = _read(tmp_path, rows, [(1, 0, 2, 0)]).submission.projects
    assert (p.annual_amount, p.fiscal_funds, p.other_funds) == (Decimal(1480), Decimal(620), Decimal(0))


def test_period_and_annual_funds_side_by_side_parts_follow_their_total(tmp_path: Path) -> None:
    rows = [["项目名称", "高标准农田建设"],
            ["项目资金（万元）", "中期资金总额：", 8550, "年度资金总额：", "2,860.00"],
            [None, "其中：财政拨款", 7200, "其中：财政拨款", 2380],
            [None, "其他资金", 1350, "其他资金", "４８０.００"],
            ["年度目标", "新建高标准农田2.2万亩"], *TABLE]
    r = _read(tmp_path, rows, [(1, 0, 3, 0)])
    (p,) = r.submission.projects
    assert (p.annual_amount, p.period_amount) == (Decimal(2860), Decimal(8550))
    assert (p.fiscal_funds, p.other_funds) == (Decimal(2380), Decimal(480))
    assert "funding-split-mismatch" not in [f.code for f in r.report.findings]


def test_scoring_rubric_refused_by_its_table_a_target_form_with_scoring_words_read(tmp_path: Path) -> None:
    rubric = [["某项目绩效评价指标体系"], ["一级指标", "二级指标", "三级指标", "分值", "指标解释", "评分标准"],
              ["产出（40分）", "产出数量", "实际完成率", 15, "实际完成数/计划数", "完成率×15分"],
              ["效益（25分）", "项目效益", "服务对象满意度", 10, "受益群众满意程度", "≥90%得10分"]]
    r = _read(tmp_path, rubric)
    assert r.exit_code == 2 and "not-a-target-form" in [f.code for f in r.report.findings] and r.submission is None
    target = [*HEAD, ["一级指标", "二级指标", "三级指标", "指标值", "指标解释", "评分标准", "权重"],
              ["产出指标", "数量指标", "行道树养护株数", "12680株", "纳入养护的株数", "每少100株扣1分", 15]]
    r = _read(tmp_path, target)
    assert r.exit_code != 2 and _targets(r.submission.projects[0]) == [("行道树养护株数", "12680株")]


def test_budget_table_without_indicators_is_refused(tmp_path: Path) -> None:
    rows = [["部门收支总表"], ["收入", None, "支出", None], ["项目", "预算数", "项目", "预算数"],
            ["一、一般公共预算拨款收入", 4705.6, "一、卫生健康支出", 4705.6],
            ["本年收入合计", 4705.6, "本年支出合计", 4705.6]]
    r = _read(tmp_path, rows)
    assert r.exit_code == 2 and "not-a-target-form" in [f.code for f in r.report.findings]


def test_budget_system_project_tiers_are_no_indicator_levels(tmp_path: Path) -> None:
    rows = [["序号", "二级项目名称", "项目金额", "年度目标", *LEVELS],
            [1, "农村公路日常养护", 460, "完成1280公里养护", "产出指标", "数量指标", "养护里程", "≥1280公里"]]
    (p,) = _read(tmp_path, rows).submission.projects
    assert (p.name, p.annual_amount) == ("农村公路日常养护", Decimal(460))
    assert [(i.level2, i.name) for i in p.indicators] == [("数量指标", "养护里程")]


def test_project_type_is_the_category_not_the_name(tmp_path: Path) -> None:
    rows = [["项目名称", None, "项目类型", "特定目标类"], ["老旧小区改造"], ["年度资金总额", 1480],
            ["年度目标", "完成12个小区改造"], *TABLE]
    (p,) = _read(tmp_path, rows).submission.projects
    assert (p.name, p.category) == ("老旧小区改造", "特定目标类")


def test_a_cost_per_unit_is_not_compared_with_the_project_amount(tmp_path: Path) -> None:
    for cost in (["亩均财政投入", "≤1500元/亩"], ["每公里建设成本", "≤7.1万元"]):
        rows = [*HEAD, LEVELS, ["产出指标", "成本指标", *cost]]
        assert "cost-amount-mismatch" not in [f.code for f in _read(tmp_path, rows).report.findings], cost
    rows = [*HEAD, LEVELS, ["产出指标", "成本指标", "项目建设总成本", "≤30万元"]]  # a total is compared (28.8 万元)
    assert "cost-amount-mismatch" in [f.code for f in _read(tmp_path, rows).report.findings]


def test_boilerplate_of_other_publications_and_unit_duration_labels(tmp_path: Path) -> None:
    rows = [["表12"], ["单位名称：浦江县住房和城乡建设局", None, None, "（单位：元）"],
            ["项目名称", "行道树养护", "项目单位", "绿化管理事务中心"], ["项目起止年限", "2024年至2026年"],
            ["年度资金总额", 3865000], ["年度目标", "完成养护12680株"], *TABLE, ["制表：计划财务股"]]
    r = _read(tmp_path, rows)
    (p,) = r.submission.projects
    assert p.annual_amount == Decimal("386.5")  # the bracketed unit note says 元
    assert (p.implementing_unit, p.duration) == ("绿化管理事务中心", "2024年至2026年")
    assert p.competent_department == "浦江县住房和城乡建设局"  # the labelled department line above the form
    assert _targets(p) == [("改造小区个数", "≥12个")]  # 制表 ends the table; as every signature line, it is reported
    assert [f.text for f in r.report.findings if f.code == "unmapped-cell"] == ["制表：计划财务股"]
