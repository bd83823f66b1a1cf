"""Layouts the fourth held-out set showed (docs/forms.md), one general rule per test: amount
wordings and funds splits totalled by 合计, two-row indicator headers, outline numbers in level
cells, sign-off rows, goals split into 目标N rows, the unit named by 项目单位, a fund named by
资金名称, look-alikes refused, thousands commas. Small grids built here, never the held-out files
(corpus/heldout4/)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from helpers import make_xlsx
from test_layout_classes3 import LEVELS, NAMED, TABLE, _codes, _read  # the same small form and readers

from xlperf.importer import import_workbook


def _rows(project) -> list[tuple[str | None, str | None, str | None, str | None]]:
    return [(i.level1, i.level2, i.name, i.target.raw if i.target else None) for i in project.indicators]


def test_the_years_amount_under_other_wordings(tmp_path: Path) -> None:
    head = [["项目名称", "老旧小区改造"], ["主管部门", "某县住建局"]]
    goal = [["年度绩效目标", "完成12个小区改造，居民满意度90%以上"]]
    for label, value, amount in (("年度预算\n（万元）", "'1,260.00".lstrip("'"), "1260.00"),
                                 ("项目预算（元）", 1236000, "123.6"), ("本年度计划投资（万元）", 1500, "1500")):
        r = _read(tmp_path, [*head, [label, value], *goal, *TABLE])
        assert r.submission.projects[0].annual_amount == Decimal(amount), label
        assert "required-field-missing" not in _codes(r), label
    # the whole investment beside the year's: the year's is the amount, never the total
    r = _read(tmp_path, [*head, ["项目总投资（万元）", 2860], ["本年度计划投资（万元）", 1500], *goal, *TABLE])
    assert r.submission.projects[0].annual_amount == Decimal(1500)


def test_a_funds_split_under_its_heading_gives_the_total_of_its_total_column(tmp_path: Path) -> None:
    head = [["专项资金名称", "高标准农田建设"], ["主管部门", "某区农业农村局"]]
    goal = [["年度绩效目标", "新建高标准农田2.7万亩"]]
    split = [["资金来源（万元）", "合计", "中央资金", "省级资金", "市级资金"], [None, 4860, 2430, 1458, 972]]
    r = _read(tmp_path, [*head, *split, *goal, *TABLE], [(2, 0, 3, 0)])
    (p,) = r.submission.projects
    assert p.annual_amount == Decimal(4860) and "required-field-missing" not in _codes(r)
    # without a 合计 heading the sources are added up, and that is reported
    split = [["资金来源（万元）", "中央资金", "省级资金", "市级资金"], [None, 2430, 1458, 972]]
    r = _read(tmp_path, [*head, *split, *goal, *TABLE], [(2, 0, 3, 0)])
    assert r.submission.projects[0].annual_amount == Decimal(4860) and "amount-from-items" in _codes(r)


def test_a_departments_income_total_heading_is_its_budget(tmp_path: Path) -> None:
    rows = [["2025年度部门整体支出绩效目标表"], ["部门名称：某区教育局", None, None, None, "单位：元"],
            ["部门预算", "收入预算合计", "一般公共预算", "政府性基金预算", "单位资金"],
            [None, "386,524,300.00", "352,116,800.00", "30,407,500.00", "4,000,000.00"],
            ["部门整体绩效目标", "全区义务教育入学率保持100%"], *TABLE]
    r = _read(tmp_path, rows, [(2, 0, 3, 0)])
    plan = r.submission.department_plan
    assert plan is not None and plan.expenditure_total.current_amount == Decimal("38652.43")
    assert "required-field-missing" not in _codes(r)


def test_a_two_row_indicator_header_with_its_group_row_above_the_levels(tmp_path: Path) -> None:
    group = [["绩效指标", None, None, "指标值", "备注"], ["一级指标", "二级指标", "三级指标", None, None]]
    rows = [*NAMED, *group, *TABLE[1:]]
    r = _read(tmp_path, rows, [(4, 0, 4, 2), (4, 3, 5, 3), (4, 4, 5, 4)])
    (p,) = r.submission.projects
    assert _rows(p) == [("产出指标", "数量指标", "改造小区个数", "≥12个"), ("产出指标", "质量指标", "验收合格率", "100%"),
                        ("效益指标", "社会效益", "受益居民户数", "≥1.02万户"),
                        ("满意度指标", "服务对象满意度", "居民满意度", "≥90%")]
    assert r.exit_code == 0


def test_a_group_row_over_a_header_naming_its_own_value_columns_is_the_headers(tmp_path: Path) -> None:
    rows = [*NAMED, ["绩效指标", None, None, "指标值", None], ["一级指标", "二级指标", "三级指标", "年度指标值", "实施期指标值"],
            *[[*row, "24个"] for row in TABLE[1:]]]
    r = _read(tmp_path, rows, [(4, 0, 4, 2), (4, 3, 4, 4)])
    (p,) = r.submission.projects
    assert [(i.target.raw, i.period_target.raw) for i in p.indicators][0] == ("≥12个", "24个")
    assert not [f.text for f in r.report.findings if f.code == "unmapped-cell"]


def test_a_value_heading_split_by_period_words(tmp_path: Path) -> None:
    data = [["产出指标", "数量指标", "改造小区个数", "24个", "≥12个"], ["满意度指标", "服务对象满意度指标", "居民满意度", "≥95%", "≥90%"]]
    want = [("改造小区个数", "≥12个", "24个"), ("居民满意度", "≥90%", "≥95%")]
    one_row = [["一级指标", "二级指标", "三级指标", "指标值", None], [None, None, None, "实施期", "年度"]]
    two_rows = [["绩效指标", None, None, "指标值", None], ["一级指标", "二级指标", "三级指标", "实施期", "年度"]]
    for head, merges in ((one_row, [(4, 0, 5, 0), (4, 1, 5, 1), (4, 2, 5, 2), (4, 3, 4, 4)]),
                         (two_rows, [(4, 0, 4, 2), (4, 3, 4, 4)])):
        r = _read(tmp_path, [*NAMED, *head, *data], merges)
        (p,) = r.submission.projects
        assert [(i.name, i.target.raw, i.period_target.raw) for i in p.indicators] == want, head
        assert not [f.text for f in r.report.findings if f.code == "unmapped-cell"], head


def test_a_two_row_header_whose_group_spans_one_value_column_per_recipient(tmp_path: Path) -> None:
    rows = [["项目名称", "农村公路养护补助"], ["主管部门", "某市交通运输局"], ["资金总额（万元）", 870],
            ["总体目标", "完成路面修复120公里"],
            ["绩效指标", None, None, "分县市区指标值", None], ["一级指标", "二级指标", "三级指标", "甲县", "乙县"],
            ["产出指标", "数量指标", "路面修复里程（公里）", 62, "58"], [None, "质量指标", "优良中等路率（%）", "≥85", "≥86"]]
    r = _read(tmp_path, rows, [(4, 0, 4, 2), (4, 3, 4, 4)])
    (p,) = r.submission.projects
    got = [(i.name, i.recipient, i.target.raw if i.target else None) for i in p.indicators]
    assert got == [("路面修复里程（公里）", "甲县", "62"), ("路面修复里程（公里）", "乙县", "58"),
                   ("优良中等路率（%）", "甲县", "≥85"), ("优良中等路率（%）", "乙县", "≥86")]


def test_value_columns_headed_by_place_names_alone_are_recipients(tmp_path: Path) -> None:
    rows = [*NAMED, ["一级指标", "二级指标", "三级指标", "甲县", "乙区"],
            ["产出指标", "数量指标", "路面修复里程（公里）", 62, "58"], [None, "质量指标", "优良中等路率（%）", "≥85", "≥86"]]
    (p,) = _read(tmp_path, rows).submission.projects
    assert [(i.recipient, i.target.raw) for i in p.indicators] == [("甲县", "62"), ("乙区", "58"), ("甲县", "≥85"),
                                                                  ("乙区", "≥86")]
    # headings that are no place names are no recipients
    rows[4][3:] = ["说明", "备用"]
    (p,) = _read(tmp_path, rows).submission.projects
    assert {i.recipient for i in p.indicators} == {None}


def test_a_unit_in_brackets_at_the_end_of_the_third_level_is_never_its_target(tmp_path: Path) -> None:
    rows = [*NAMED, ["一级指标", "二级指标", "三级指标"], ["产出指标", "数量指标", "路面修复里程（公里）"],
            [None, "质量指标", "优良中等路率（%）"], ["满意度指标", "服务对象满意度指标", "群众满意度(%)"]]
    r = _read(tmp_path, rows)
    (p,) = r.submission.projects
    assert [i.target for i in p.indicators] == [None, None, None]
    assert r.exit_code == 1 and "no-target-read" in _codes(r)


def test_outline_numbers_in_level_and_third_level_cells(tmp_path: Path) -> None:
    table = [["一级指标", "二级指标", "三级指标", "指标值", "分值"],
             ["1.产出指标（50分）", "1.1数量指标", "1.1.1 城区道路清扫保洁面积", "≥860万平方米", 15],
             [None, "1.2质量指标", "1.2.1道路保洁质量达标率", "≥95%", 10],
             ["2.效益指标（30分）", "2.1、社会效益指标", "2.1.1、城区环境卫生状况", "明显改善", 15]]
    r = _read(tmp_path, [*NAMED, *table], [(5, 0, 6, 0)])
    (p,) = r.submission.projects
    assert _rows(p) == [("产出指标", "数量指标", "城区道路清扫保洁面积", "≥860万平方米"),
                        ("产出指标", "质量指标", "道路保洁质量达标率", "≥95%"),
                        ("效益指标", "社会效益", "城区环境卫生状况", "明显改善")]
    assert [(i.level2_text, i.name_text) for i in p.indicators][0] == ("1.1数量指标", "1.1.1 城区道路清扫保洁面积")
    # items numbered 1、 or （1） lose their number; a number of the name itself stays
    table = [LEVELS, ["产出指标", "数量指标", "1、新建道路里程", "12公里"], [None, None, "（2）2型糖尿病患者管理人数", "300人"],
             [None, None, "1.5万亩农田灌溉覆盖率", "100%"], [None, None, "0-6岁儿童健康管理率", "≥90%"]]
    r = _read(tmp_path, [*NAMED, *table], [(5, 0, 8, 0), (5, 1, 8, 1)])
    assert [(i.name, i.name_text) for i in r.submission.projects[0].indicators] == [
        ("新建道路里程", "1、新建道路里程"), ("2型糖尿病患者管理人数", "（2）2型糖尿病患者管理人数"),
        ("1.5万亩农田灌溉覆盖率", None), ("0-6岁儿童健康管理率", None)]
    assert not {"unknown-level1", "unknown-level2", "row-shifted", "level-code-mismatch"} & set(_codes(r))
    table = [LEVELS, ["一、产出指标", "（一）数量指标", "高效节水灌溉改造面积", "二千亩"],
             [None, "（二）质量指标", "工程验收合格率", "百分之百"],
             ["三、满意度指标", "（一）服务对象满意度指标", "连队职工满意度", "≥90％"]]
    r = _read(tmp_path, [*NAMED, *table], [(5, 0, 6, 0)])
    (p,) = r.submission.projects
    assert [(i.level1, i.level2, i.level1_text) for i in p.indicators] == [
        ("产出指标", "数量指标", "一、产出指标"), ("产出指标", "质量指标", "一、产出指标"),
        ("满意度指标", "服务对象满意度", "三、满意度指标")]
    assert "unknown-level1" not in _codes(r) and "unknown-level2" not in _codes(r)
    # a 二级 numbered 1. / 2. under its 一级 is numbered, not coded (二级 codes have two digits)
    table = [LEVELS, ["一、产出指标", "1.数量指标", "高效节水灌溉改造面积", "二千亩"], [None, "2、质量指标", "工程验收合格率", "100%"]]
    r = _read(tmp_path, [*NAMED, *table], [(5, 0, 6, 0)])
    assert [i.level2 for i in r.submission.projects[0].indicators] == ["数量指标", "质量指标"]
    assert "level-code-mismatch" not in _codes(r)


def test_sign_off_rows_under_the_table_are_no_indicator(tmp_path: Path) -> None:
    for line in (["部门负责人：", None, "财务负责人：", "填表日期："], ["单位审核意见：", None, "（盖章）"],
                 ["编制单位：某县农业发展服务中心", None, None, "日期：2025年1月8日"]):
        r = _read(tmp_path, [*NAMED, *TABLE, line])
        (p,) = r.submission.projects
        assert [i.name for i in p.indicators] == ["改造小区个数", "验收合格率", "受益居民户数", "居民满意度"], line
        assert r.exit_code == 0, line
    # a text naming a signer inside brackets is no sign-off: the table reads on
    rows = [*NAMED, *TABLE[:2], [None, None, "验收合格率（负责人：王工）", "100%"], *TABLE[3:]]
    assert len(_read(tmp_path, rows).submission.projects[0].indicators) == 4


def test_a_goal_split_into_numbered_goal_rows(tmp_path: Path) -> None:
    head = [["项目名称", "公共文化惠民演出"], ["主管部门", "某区文化和旅游局"], ["项目资金（万元）", 123.6]]
    goals = [["目标1", "全年组织惠民演出120场。"], ["目标2", "安全事故零发生。"], ["目标3", "群众满意度达到90%以上。"]]
    want = "全年组织惠民演出120场。\n安全事故零发生。\n群众满意度达到90%以上。"
    # under a heading row
    r = _read(tmp_path, [*head, ["年度绩效目标"], *goals, *TABLE])
    assert r.submission.projects[0].performance_target == want
    # beside the label merged down over them, the 目标N in a column of their own
    rows = [*head, ["年度绩效目标", *goals[0]], [None, *goals[1]], [None, *goals[2]], *TABLE]
    r = _read(tmp_path, rows, [(3, 0, 5, 0)])
    assert r.submission.projects[0].performance_target == want and "目标1" not in _codes(r)
    # each item label typed before its text in one cell
    rows = [*head, ["年度绩效目标", f"目标1：{goals[0][1]}"], [None, f"目标2：{goals[1][1]}"], [None, f"目标3：{goals[2][1]}"],
            *TABLE]
    r = _read(tmp_path, rows, [(3, 0, 5, 0)])
    assert r.submission.projects[0].performance_target == want
    # numbered lines under the heading row are the goal's lines, as written
    for one, two in (("1.全年组织惠民演出120场。", "2.安全事故零发生。"), ("一是全年组织惠民演出120场。", "二是安全事故零发生。")):
        r = _read(tmp_path, [*head, ["年度绩效目标"], [one], [two], *TABLE], [(3, 0, 3, 3)])
        assert r.submission.projects[0].performance_target == f"{one}\n{two}"
        assert "unmapped-cell" not in _codes(r)
    # a section heading numbered otherwise under them is no line of the goal
    r = _read(tmp_path, [*head, ["年度绩效目标"], ["1.全年演出120场。"], ["2.安全事故零发生。"], ["三、项目绩效指标"], *TABLE],
              [(3, 0, 3, 3)])
    assert r.submission.projects[0].performance_target == "1.全年演出120场。\n2.安全事故零发生。"
    # the same on a department form
    rows = [["2025年度部门整体支出绩效目标表"], ["部门名称：某区教育局"], ["部门整体绩效目标", *goals[0]], [None, *goals[1]],
            [None, *goals[2]], *TABLE]
    r = _read(tmp_path, rows, [(2, 0, 4, 0)])
    assert r.submission.department_plan.annual_goal == want


def test_the_unit_named_by_project_unit_or_supervising_unit_is_the_competent_department(tmp_path: Path) -> None:
    rest = [["年度资金总额", 95.6], ["年度绩效目标", "完成12个小区改造"], *TABLE]
    for label in ("项目单位", "主管单位"):
        r = _read(tmp_path, [["项目名称", "老旧小区改造"], [label, "某县住建局"], *rest])
        assert r.submission.projects[0].competent_department == "某县住建局", label
        assert "required-field-missing" not in _codes(r), label
    # beside a 主管部门 label, 项目单位 stays the implementing unit only
    r = _read(tmp_path, [["项目名称", "老旧小区改造"], ["主管部门", "某县住建局"], ["项目单位", "某县城建中心"], *rest])
    (p,) = r.submission.projects
    assert (p.competent_department, p.implementing_unit) == ("某县住建局", "某县城建中心")


def test_a_fund_named_by_its_fund_name_and_its_allocation_row_is_no_indicator(tmp_path: Path) -> None:
    rows = [["资金名称", "农村公路养护补助"], ["市级主管部门", "某市交通运输局", "资金总额（万元）", 870],
            ["总体目标", "完成路面修复120公里"],
            ["一级指标", "二级指标", "三级指标", "甲县", "乙县"], ["分配资金（万元）", None, None, 450, 420],
            ["产出指标", "数量指标", "路面修复里程（公里）", 62, "58"], [None, "质量指标", "优良中等路率（%）", "≥85", "≥86"]]
    rows[3][3:3] = []
    rows = rows[:3] + [["绩效指标", None, None, "分县市区指标值", None]] + rows[3:]
    r = _read(tmp_path, rows, [(3, 0, 3, 2), (3, 3, 3, 4), (5, 0, 5, 2)])
    (p,) = r.submission.projects
    assert (p.name, p.competent_department, p.annual_amount) == ("农村公路养护补助", "某市交通运输局", Decimal(870))
    assert [(i.name, i.recipient) for i in p.indicators][:2] == [("路面修复里程（公里）", "甲县"), ("路面修复里程（公里）", "乙县")]
    assert len(p.indicators) == 4
    assert {"分配资金（万元）", "450", "420"} <= {f.text for f in r.report.findings if f.code == "unmapped-cell"}


def test_an_indicator_table_on_a_sheet_of_its_own_is_the_project_of_the_sheet_before(tmp_path: Path) -> None:
    sheets = {"项目基本情况": [["项目支出绩效目标申报表"], *NAMED, ["注：绩效指标见“绩效指标”表。"]],
              "绩效指标": [["三、项目绩效指标"], *TABLE]}
    r = import_workbook(make_xlsx(tmp_path / "w.xlsx", sheets))
    (p,) = r.submission.projects
    assert p.name == "老旧小区改造" and [i.name for i in p.indicators] == [
        "改造小区个数", "验收合格率", "受益居民户数", "居民满意度"]
    assert r.exit_code == 0 and "project-name-shifted" not in _codes(r)
    # a table without any title joins it too
    sheets["绩效指标"] = [*TABLE]
    r = import_workbook(make_xlsx(tmp_path / "w.xlsx", sheets))
    assert [(p.name, len(p.indicators)) for p in r.submission.projects] == [("老旧小区改造", 4)]
    # the same project named again over its table joins it too
    sheets["绩效指标"] = [["项目名称", "老旧小区改造"], *TABLE]
    r = import_workbook(make_xlsx(tmp_path / "w.xlsx", sheets))
    assert [(p.name, len(p.indicators)) for p in r.submission.projects] == [("老旧小区改造", 4)]
    # a title naming another project, or a sheet naming its own project, stays that project
    sheets["绩效指标"] = [["1、乡村道路养护绩效目标表"], *TABLE]
    r = import_workbook(make_xlsx(tmp_path / "w.xlsx", sheets))
    assert [(p.name, len(p.indicators)) for p in r.submission.projects] == [("老旧小区改造", 0), ("乡村道路养护", 4)]
    sheets["绩效指标"] = [["项目名称", "另一个项目"], ["主管部门", "某县住建局"], ["年度资金总额", 10],
                       ["年度绩效目标", "完成"], *TABLE]
    r = import_workbook(make_xlsx(tmp_path / "w.xlsx", sheets))
    assert [(p.name, len(p.indicators)) for p in r.submission.projects] == [("老旧小区改造", 0), ("另一个项目", 4)]


def test_a_target_review_and_a_procurement_intention_notice_are_refused(tmp_path: Path) -> None:
    review = [["某区2025年项目支出绩效目标审核表"], ["项目名称", "社区居家养老服务补助", "主管部门", "某区民政局"],
              ["申报金额（万元）", 326.5, "审核金额（万元）", 310.0], ["申报绩效目标", "为1200名困难老年人提供上门服务"],
              ["审核内容", "审核要点", "分值", "得分", "存在问题"],
              ["完整性", "产出指标、效益指标、满意度指标是否齐全", 20, 18, "缺少成本指标"],
              ["合计", None, 100, 87], ["审核结论", "良：按审核意见修改后可纳入预算。"]]
    notice = [["某市教育局2025年5月至6月政府采购意向"], ["采购单位：某市教育局"],
              ["序号", "采购项目名称", "采购需求概况", "预算金额\n（万元）", "预计采购时间\n（填写到月）", "备注"],
              [1, "智慧教室设备采购项目", "采购智慧黑板120台，验收合格率100%。", 168, "2025年5月"],
              ["合计", None, None, 168]]
    for rows in (review, notice):
        r = _read(tmp_path, rows)
        assert r.exit_code == 2 and r.submission is None and "not-a-target-form" in _codes(r), rows[0]
    # a procurement project's target form citing the notice's words stays a target form
    rows = [["采购项目名称", "救护车采购"], ["采购需求概况", "负压救护车4辆"], ["预计采购时间", "2025年5月"], *NAMED[1:],
            *TABLE]
    r = _read(tmp_path, rows)
    assert r.submission.projects[0].name == "救护车采购" and "not-a-target-form" not in _codes(r)


def test_an_amount_in_yuan_with_thousands_commas_is_read(tmp_path: Path) -> None:
    r = _read(tmp_path, [["项目名称", "惠民演出"], ["主管部门", "某区文旅局"], ["项目资金", "1,236,000元"],
                         ["年度绩效目标", "演出120场"], *TABLE])
    assert r.submission.projects[0].annual_amount == Decimal("123.6") and "ambiguous-number" not in _codes(r)


def test_a_value_note_column_is_the_description(tmp_path: Path) -> None:
    table = [[*LEVELS, "指标值说明"], ["产出指标", "数量指标", "新建改扩建中小学校", "4所", "临平第三中学等4所"]]
    r = _read(tmp_path, [*NAMED, *table])
    assert [(i.target.raw, i.description) for i in r.submission.projects[0].indicators] == [("4所", "临平第三中学等4所")]
