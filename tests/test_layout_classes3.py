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


def test_an_evaluation_summary_and_an_adjustment_request_are_refused(tmp_path: Path) -> None:
    summary = [["某区2024年度财政重点绩效评价结果汇总表"],
               ["序号", "项目名称", "主管部门", "评价资金", "绩效目标完成情况", "评价得分", "评价等级", "主要问题"],
               [1, "农村公路养护经费", "某区交通运输局", 1120, "养护里程达标", 76.4, "中", "支付进度慢"],
               ["合计", None, None, 1120]]
    r = _read(tmp_path, summary)
    assert r.exit_code == 2 and r.submission is None and "not-a-target-form" in _codes(r)
    request = [["项目支出绩效目标调整申请表"], ["项目名称", "义务教育薄弱环节改善"], ["主管部门", "某县教育体育局"],
               ["原预算金额（万元）", 1580, "调整后预算金额（万元）", 1265], ["调整原因", "上级补助资金减少"],
               ["原年度绩效目标", "新建运动场3所"], ["调整后年度绩效目标", "新建运动场2所"],
               ["一级指标", "二级指标", "三级指标", "原指标值", "调整后指标值", "调整说明"],
               ["产出指标", "数量指标", "新建改造学校运动场", "3所", "2所", "资金减少"],
               ["主管部门意见", None, "（盖章）"]]
    r = _read(tmp_path, request)
    assert r.exit_code == 2 and r.submission is None
    assert "绩效目标调整申请表" in next(f.message for f in r.report.findings if f.code == "not-a-target-form")
    # the same words once in a target form (a 备注 saying why a value changed) do not refuse it
    r = _read(tmp_path, [*NAMED, ["调整说明", "较上年调整了资金规模"], *TABLE])
    assert r.exit_code != 2 and r.submission.projects[0].name == "老旧小区改造"


def test_a_budget_publications_project_table_is_no_project(tmp_path: Path) -> None:
    spending = [["项目支出表"], ["单位：某区民政局", None, None, "单位：万元"],
                ["功能科目编码", "功能科目名称", "项目名称", "项目类别", "本年预算"],
                ["2081902", "城市最低生活保障金支出", "城乡低保区级配套资金", "特定目标类", 1260],
                ["2080208", "基层政权建设和社区治理", "社区工作者薪酬补助", "特定目标类", 612], ["合计", None, None, None, 1872]]
    sheets = {"项目支出表": spending, "绩效目标": [*NAMED, *TABLE]}
    r = import_workbook(make_xlsx(tmp_path / "w.xlsx", sheets))
    assert [p.name for p in r.submission.projects] == ["老旧小区改造"]
    assert "sheet-not-target-form" in _codes(r) and r.exit_code == 0


def test_an_export_footer_and_a_page_number_end_or_skip_nothing_but_themselves(tmp_path: Path) -> None:
    rows = [*NAMED, *TABLE[:3], [None, None, None, None, "第 1 页"], *TABLE[3:],
            ["导出时间：2025-01-16 10:32:18", None, None, "操作员：韩××"]]
    r = _read(tmp_path, rows)
    assert [i.name for i in r.submission.projects[0].indicators] == [row[2] for row in TABLE[1:]]
    assert "第 1 页" not in [f.text for f in r.report.findings if f.code == "unmapped-cell"]
    assert r.exit_code == 0


def test_a_department_form_whose_goal_is_a_plain_annual_goal(tmp_path: Path) -> None:
    rows = [["部门（单位）名称", "某县水利局"], ["资金总额", 2386.74], ["年度绩效目标", "完成6座小型水库除险加固"],
            ["年度绩效指标", None, None, None], *TABLE]
    r = _read(tmp_path, rows)
    plan = r.submission.department_plan
    assert not r.submission.projects and plan.name == "某县水利局"
    assert plan.annual_goal == "完成6座小型水库除险加固" and len(plan.annual_indicators) == len(TABLE) - 1
    assert plan.expenditure_total.current_amount == Decimal("2386.74") and r.exit_code == 0
    # no table heading: the title naming the department-wide form, or its other sections, say it
    titled = [["2025年度部门整体支出绩效目标表"], *rows[:3], *TABLE]
    assert _read(tmp_path, titled).submission.department_plan.annual_indicators
    sections = [*rows[:3], ["部门职能职责概述", "负责全县水利工程建设与管理"], *TABLE]
    plan = _read(tmp_path, sections).submission.department_plan
    assert plan.functions == "负责全县水利工程建设与管理" and plan.annual_indicators
    # a line naming who files a table without a project name is no department form by itself
    filed = [["单位名称：某县水利局"], ["年度绩效目标", "完成6座小型水库除险加固"], *TABLE]
    assert _read(tmp_path, filed).submission.department_plan is None
    # a project form naming its department above its 项目名称 stays a project form
    project = [["部门（单位）名称", "某县住建局"], *NAMED, ["年度绩效指标", None, None, None], *TABLE]
    r = _read(tmp_path, project)
    assert r.submission.department_plan is None and [p.name for p in r.submission.projects] == ["老旧小区改造"]


def test_two_tables_of_one_project_for_two_periods(tmp_path: Path) -> None:
    def table(label: str, first: str, second: str) -> list[list[object]]:
        return [[label, *LEVELS], [None, "产出指标", "数量指标", "高血压患者规范管理率", first],
                [None, "效益指标", "社会效益指标", "居民健康素养水平", "有所提升"],
                [None, "满意度指标", "服务对象满意度指标", "居民满意度", second]]
    rows = [["项目名称", "基本公共卫生服务"], ["主管部门", "某县卫健局"], ["实施期资金总额", 13019], ["年度资金总额", 4418],
            ["实施期\n绩效目标", "2023—2025年重点人群健康管理水平稳步提升"], *table("实\n施\n期\n绩\n效\n指\n标", "≥70%", "≥85%"),
            ["年度\n绩效目标", "2025年重点人群健康管理率达到国家要求"], *table("年\n度\n绩\n效\n指\n标", "≥65%", "≥85%")]
    r = _read(tmp_path, rows, [(5, 0, 8, 0), (10, 0, 13, 0)])
    (p,) = r.submission.projects
    assert (p.annual_amount, p.period_amount) == (Decimal(4418), Decimal(13019))
    assert p.performance_target.startswith("2025年") and p.long_term_goal.startswith("2023—2025年")
    assert [(i.name, i.target.raw, i.period_target.raw) for i in p.indicators] == [
        ("高血压患者规范管理率", "≥65%", "≥70%"), ("居民健康素养水平", "有所提升", "有所提升"), ("居民满意度", "≥85%", "≥85%")]
    assert r.exit_code == 0, [f.message for f in r.report.findings]
    # tables that do not say their period stay two forms, as before
    plain = [*rows[:4], ["年度绩效目标", "2025年目标"], *table("绩效指标", "≥70%", "≥85%"),
             ["项目名称", "另一个项目"], *table("绩效指标", "≥65%", "≥85%")]
    assert len(_read(tmp_path, plain).submission.projects) == 2


def test_the_unit_named_by_another_label_is_the_competent_department(tmp_path: Path) -> None:
    export = [["单位代码", "301012", "单位名称", "某县林业和草原局"], ["项目代码", "63212625T0001", "项目名称", "天然林保护"],
              ["资金总额", 864.2], ["绩效目标", "管护天然林86.42万亩"], *TABLE]
    r = _read(tmp_path, export)
    assert r.submission.projects[0].competent_department == "某县林业和草原局" and r.exit_code == 0
    # beside a 主管部门 label it is left to the unmapped report, never dropped
    r = _read(tmp_path, [*NAMED, ["申报单位", "某街道办事处"], *TABLE])
    assert r.submission.projects[0].competent_department == "某县住建局"
    assert "某街道办事处" in [f.text for f in r.report.findings if f.code == "unmapped-cell"]
    # a department line above stacked blocks is the 主管部门 of each block stating none
    def block(name: str) -> list[list[object]]:
        return [["项目名称", name], ["预算数", 100], ["绩效目标", f"完成{name}"], *TABLE]
    for line in ("预算单位：某市教育局", "主管部门：某市教育局", "某市教育局"):
        r = _read(tmp_path, [["某市项目支出绩效目标表"], [line, None, None, "单位：万元"], *block("甲项目"), *block("乙项目")])
        assert [(p.name, p.competent_department) for p in r.submission.projects] == [
            ("甲项目", "某市教育局"), ("乙项目", "某市教育局")], line
        assert "required-field-missing" not in _codes(r)


def test_label_headings_side_by_side_over_their_values(tmp_path: Path) -> None:
    rows = [["某街道2025年项目支出绩效目标申报表"], ["项目名称", None, "申报单位"],
            ["老旧小区环境整治提升项目", None, "某区人民政府某街道办事处"], ["项目负责人及联系电话", None, "项目资金"],
            ["王××  0595-2227××××", None, "86.5万元"], ["项 目 绩 效 目 标"], ["完成3个老旧小区环境整治提升"], *TABLE]
    r = _read(tmp_path, rows, [(1, 0, 1, 1), (1, 2, 1, 3), (2, 0, 2, 1), (2, 2, 2, 3), (3, 0, 3, 1), (3, 2, 3, 3),
                               (4, 0, 4, 1), (4, 2, 4, 3)])
    (p,) = r.submission.projects
    assert (p.name, p.competent_department, p.annual_amount) == (
        "老旧小区环境整治提升项目", "某区人民政府某街道办事处", Decimal("86.5"))
    assert p.performance_target == "完成3个老旧小区环境整治提升" and "required-field-missing" not in _codes(r)


def test_the_parent_project_above_its_sub_projects_is_no_project(tmp_path: Path) -> None:
    def sub(name: str, amount: float) -> list[list[object]]:
        return [["二级项目名称", name, "二级项目编码", "1311002500T0014"], ["预算数", amount, "其中：财政资金", amount],
                ["绩效目标", f"完成{name}"], *TABLE]
    rows = [["预算单位：某市教育局", None, None, "单位：万元"], ["一级项目名称", "教育发展专项资金", "一级项目编码", "1311T0013"],
            ["一级项目预算数", "1,850.00", "其中：财政资金", 1850], ["一级项目\n绩效目标", "改善市直学校办学条件"],
            ["二级项目明细"], *sub("校舍维修改造", 1200), [], *sub("教育信息化建设", 650)]
    r = _read(tmp_path, rows)
    assert [(p.name, p.annual_amount, p.competent_department, p.code) for p in r.submission.projects] == [
        ("校舍维修改造", Decimal(1200), "某市教育局", "1311002500T0014"),
        ("教育信息化建设", Decimal(650), "某市教育局", "1311002500T0014")]
    unmapped = [f.text for f in r.report.findings if f.code == "unmapped-cell"]
    assert {"一级项目预算数", "1,850.00", "改善市直学校办学条件"} <= set(unmapped)


def test_a_code_column_before_the_levels_is_no_third_level(tmp_path: Path) -> None:
    table = [["指标代码", *LEVELS], ["0101001", "产出指标", "数量指标", "天然林管护面积", "≥86.42万亩"],
             ["0102001", "产出指标", "质量指标", "管护责任落实率", "100%"],
             ["0201001", "效益指标", "社会效益指标", "护林员人均年增收", "≥1.2万元"],
             ["0301001", "满意度指标", "服务对象满意度指标", "护林员满意度", "≥90%"],
             ["导出时间：2025-01-16 10:32:18", None, None, "操作员：韩××"]]
    r = _read(tmp_path, [["预算年度：2025"], *NAMED, *table])
    (p,) = r.submission.projects
    assert [(i.level1, i.name, i.target.raw) for i in p.indicators] == [
        ("产出指标", "天然林管护面积", "≥86.42万亩"), ("产出指标", "管护责任落实率", "100%"),
        ("效益指标", "护林员人均年增收", "≥1.2万元"), ("满意度指标", "护林员满意度", "≥90%")]
    assert r.exit_code == 0 and r.submission.year == 2025
    # the footer in the code column is no code: reported with the rest of the row, never dropped
    assert {"导出时间：2025-01-16 10:32:18", "操作员：韩××"} <= {f.text for f in r.report.findings if f.code == "unmapped-cell"}


def test_values_in_brackets_at_the_end_of_the_third_level_with_no_value_column(tmp_path: Path) -> None:
    table = [["一级指标", "二级指标", "三级指标"], ["产出指标", "数量指标", "农村危房改造户数（≥270户）"],
             [None, "质量指标", "农房（含C级、D级危房）改造验收合格率（100%）"],
             ["效益指标", "社会效益指标", "住房安全有保障（有效保障）"], ["满意度指标", "服务对象满意度指标", "改造户满意度(≥95%)"]]
    r = _read(tmp_path, [*NAMED, *table])
    assert [(i.name, i.target.raw) for i in r.submission.projects[0].indicators] == [
        ("农村危房改造户数", "≥270户"), ("农房（含C级、D级危房）改造验收合格率", "100%"), ("住房安全有保障", "有效保障"),
        ("改造户满意度", "≥95%")]
    assert _codes(r).count("target-in-name-brackets") == 1 and r.exit_code == 0
    # names without brackets and no value column: no target read is an error, never exit 0
    plain = [table[0], *[[*row[:2], row[2].split("（")[0].split("(")[0]] for row in table[1:]]]
    r = _read(tmp_path, [*NAMED, *plain])
    assert "no-target-read" in _codes(r) and r.exit_code == 1
    assert not any(i.target and i.target.raw for i in r.submission.projects[0].indicators)


def test_a_scan_conversions_split_cells_are_joined_back(tmp_path: Path) -> None:
    rows = [["项 目", None, "名 称", "学前教育保教费补助"], ["主管部门", None, None, "某区教育局"],
            ["项目资金", None, "年度资金总额", "1 456.56"], ["年度绩效目标", None, "为4200名在园幼儿落实保教费补助"],
            ["绩效", None, "一级", "二级指标", "三级指标", None, "指标值"], ["指标", None, "指标"],
            [None, None, "产出", "数量", "享受保教费补助", None, "≥ 4 200人"], [None, None, "指标", "指标", "幼儿人数"],
            [None, None, None, "质量", "补助资金足额发放率", None, "1 0 0 %"], [None, None, None, "指标"],
            [None, None, "效益", "社会效益", "学前三年毛入园率", None, "≥ 8 9 %"], [None, None, "指标", "指标"],
            [None, None, "满意度", "服务对象", "幼儿家长满意度", None, "≥ 9 0 %"], [None, None, "指标", "满意度指标"],
            [None, None, None, None, None, "第 1 页"]]
    r = _read(tmp_path, rows)
    (p,) = r.submission.projects
    assert (p.name, p.annual_amount) == ("学前教育保教费补助", Decimal("1456.56"))
    assert [(i.level1, i.level2, i.name, i.target.value) for i in p.indicators] == [
        ("产出指标", "数量指标", "享受保教费补助幼儿人数", Decimal(4200)), ("产出指标", "质量指标", "补助资金足额发放率", Decimal(100)),
        ("效益指标", "社会效益", "学前三年毛入园率", Decimal(89)), ("满意度指标", "服务对象满意度", "幼儿家长满意度", Decimal(90))]
    assert {"label-split-joined", "rows-split-joined"} <= set(_codes(r)) and r.exit_code == 0
    # a row under a level cell that names another level, or a 三级 with no level fragment, stays a row
    plain = [*NAMED, *TABLE[:2], [None, None, "幼儿人数", "≥4200人"], [None, "成本指标", "生均补助标准", "≤1800元/生"], *TABLE[2:]]
    r = _read(tmp_path, plain)
    assert [i.name for i in r.submission.projects[0].indicators][:3] == ["改造小区个数", "幼儿人数", "生均补助标准"]
    assert "rows-split-joined" not in _codes(r)
