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


def _read(tmp_path: Path, rows: list[list[object]], merges: list[tuple[int, int, int, int]] | None = None):
    return import_workbook(make_xlsx(tmp_path / "f.xlsx", {"S": rows}, merges={"S": merges or []}))


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
    # a target form's 三级 naming execution rates (no period, no progress column) are no monitoring words
    rates = [["项目名称", "城乡居民医保县级补助"], ["年度资金总额", 2360], ["年度目标", "参保率95%以上"], LEVELS,
             ["产出指标", "时效指标", "预算执行率", "≥95%"], [None, None, "政府采购执行率", "100%"], *TABLE[3:]]
    r = _read(tmp_path, rates)
    assert r.exit_code != 2 and [i.name for i in r.submission.projects[0].indicators][:2] == ["预算执行率", "政府采购执行率"]
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


NAMED = [["项目名称", "营养改善计划"], ["主管部门", "某县教育局"]]
GOAL = ["年度绩效目标", "为12500名学生提供营养膳食补助"]


def test_sources_in_a_row_the_total_is_under_its_total_heading_else_added_up(tmp_path: Path) -> None:
    funds = [["项目资金（万元）", "资金来源", "中央资金", "自治区资金", "县市资金", "合计"],
             [None, "金额", 1180.4, 0, 83.2, 1263.6]]
    r = _read(tmp_path, [*NAMED, *funds, GOAL, *TABLE], [(2, 0, 3, 0)])
    assert r.submission.projects[0].annual_amount == Decimal("1263.6")
    funds = [row[:5] for row in funds]  # no 合计 column: the sources added up, reported
    r = _read(tmp_path, [*NAMED, *funds, GOAL, *TABLE], [(2, 0, 3, 0)])
    assert r.submission.projects[0].annual_amount == Decimal("1263.6") and "amount-from-items" in _codes(r)


def test_source_rows_by_period_columns_the_year_column_total(tmp_path: Path) -> None:
    funds = [["资金情况", "资金来源", None, "全周期", "本年度"], [None, "合计", None, "68,500.00", "26,000.00"],
             [None, "专项债券资金", None, 40000, 20000], [None, "财政预算资金", None, 28500, 6000]]
    r = _read(tmp_path, [*NAMED, *funds, GOAL, *TABLE], [(2, 0, 5, 0)])
    (p,) = r.submission.projects
    assert (p.annual_amount, p.period_amount) == (Decimal(26000), Decimal(68500))
    # one source of two is a part (财政预算资金): its sum cannot be checked, it is left to the report
    assert p.fiscal_funds is None and "funding-split-mismatch" not in _codes(r)
    assert "财政预算资金" in [f.text for f in r.report.findings if f.code == "unmapped-cell"]
    funds[2][1] = "其他资金"  # both sources are parts: read in the year's column
    (p,) = _read(tmp_path, [*NAMED, *funds, GOAL, *TABLE], [(2, 0, 5, 0)]).submission.projects
    assert (p.fiscal_funds, p.other_funds) == (Decimal(6000), Decimal(20000))
    del funds[1]  # no 合计 row: the sources of the year added up
    (p,) = _read(tmp_path, [*NAMED, *funds, GOAL, *TABLE], [(2, 0, 4, 0)]).submission.projects
    assert (p.annual_amount, p.period_amount) == (Decimal(26000), Decimal(68500))


def test_source_rows_with_the_total_last_and_numbered_parts(tmp_path: Path) -> None:
    funds = [["项目资金申请（万元）", "资金来源", None, "金额"], [None, "1.财政拨款", None, 60],
             [None, "  其中：一般公共预算", None, 60], [None, "2.其他资金", None, 25], [None, "合计", None, 85]]
    r = _read(tmp_path, [*NAMED, *funds, GOAL, *TABLE], [(2, 0, 6, 0)])
    (p,) = r.submission.projects
    assert (p.annual_amount, p.fiscal_funds, p.other_funds) == (Decimal(85), Decimal(60), Decimal(25))
    # the funds heading and the 资金来源 / 金额 headings of its columns are no ambiguous labels
    assert not {"funding-split-mismatch", "amount-from-items", "layout-ambiguous"} & set(_codes(r))


def test_a_funds_heading_with_its_amount_beside_it(tmp_path: Path) -> None:
    rows = [*NAMED, ["项目资金（万元）", "380.00", None, "其中：中央资金", "380.00"], GOAL, *TABLE]
    assert _read(tmp_path, rows).submission.projects[0].annual_amount == Decimal(380)


def test_department_funds_total_heading_over_its_value_in_yuan(tmp_path: Path) -> None:
    rows = [["部门名称", "某县自然资源局"], [None, None, None, "金额单位：元"],
            ["部门预算资金", "资金总额", "一般公共预算", "单位资金"], [None, "38,624,000.00", "37,564,000.00", "1,060,000.00"],
            ["部门职能概述", "负责全县自然资源管理"], ["部门整体绩效目标", "严守耕地保护红线"], TABLE[0], TABLE[1]]
    plan = _read(tmp_path, rows, [(2, 0, 3, 0)]).submission.department_plan
    assert plan.expenditure_total.current_amount == Decimal("3862.4")


def test_labels_above_the_project_name_belong_to_its_form(tmp_path: Path) -> None:
    rows = [["项目支出绩效目标表"], ["主管部门及代码", "[412]某县教育局", None, "实施单位", "县域各学校"],
            ["项目名称", "营养改善计划"], ["年度资金总额", 100], GOAL, *TABLE]
    r = _read(tmp_path, rows)
    (p,) = r.submission.projects
    assert (p.competent_department, p.implementing_unit) == ("[412]某县教育局", "县域各学校")
    assert "required-field-missing" not in _codes(r)


def test_instructions_and_traditional_signatures_under_the_table_end_it(tmp_path: Path) -> None:
    rows = [*NAMED, ["年度资金总额", 100], GOAL, *TABLE, ["填报说明："], ["1.项目名称、项目主管部门按项目实施方案填写。"],
            ["2.资金情况填写项目全周期及本年度资金来源。"],
            ["單位負責人：申××", None, "填表人：冉××"]]
    r = _read(tmp_path, rows)
    assert [i.name for i in r.submission.projects[0].indicators] == [row[2] for row in TABLE[1:]]
    assert "target-missing" not in _codes(r) and len(r.submission.projects) == 1
    rows[-4:-1] = []  # the signature in traditional characters ends the table as in simplified
    assert len(_read(tmp_path, rows).submission.projects[0].indicators) == len(TABLE) - 1


def _project_sheet(name: str, amount: object) -> list[list[object]]:
    return [["项目名称", name], ["主管部门", "某县农业农村局"], ["年度资金总额", amount], ["年度绩效目标", f"完成{name}"], *TABLE]


def test_a_list_of_the_projects_beside_their_sheets_is_checked_not_read(tmp_path: Path) -> None:
    listing = [["2025年某县农业农村局项目支出绩效目标汇总表"], [None, None, None, None, "单位：万元"],
               ["序号", "项目名称", "预算金额", "年度绩效目标（摘要）", "备注"],
               [1, "高标准农田建设", 860, "新建高标准农田1.2万亩", None],
               [2, "秸秆综合利用", 126.5, "秸秆综合利用率95%以上", "中央转移支付"],
               ["合计", None, 986.5, None, None]]
    sheets = {"汇总": listing, "农田": _project_sheet("高标准农田建设", 860), "秸秆": _project_sheet("秸秆综合利用", 126.5)}
    r = import_workbook(make_xlsx(tmp_path / "w.xlsx", sheets))
    assert [p.name for p in r.submission.projects] == ["高标准农田建设", "秸秆综合利用"]
    assert r.exit_code == 0
    unmapped = [f.text for f in r.report.findings if f.code == "unmapped-cell"]
    assert "高标准农田建设" not in unmapped and "986.5" not in unmapped and "中央转移支付" in unmapped
    listing[3][2] = 680  # the listing states another amount than the project's form
    r = import_workbook(make_xlsx(tmp_path / "w.xlsx", sheets))
    # the row, not the 合计 (it totals the projects as their forms state them)
    assert [f.cell for f in r.report.findings if f.code == "summary-total-mismatch"] == ["C4"]


def test_cost_as_its_own_level1_completes_the_outputs(tmp_path: Path) -> None:
    table = [LEVELS, ["产出指标", "数量指标", "改造小区个数", "≥12个"], [None, "质量指标", "验收合格率", "100%"],
             [None, "时效指标", "完工时间", "2024年11月底前"], ["成本指标", "经济成本指标", "单位面积改造成本", "≤535元/平方米"],
             *TABLE[3:]]
    r = _read(tmp_path, [*NAMED, ["年度资金总额", 100], GOAL, *table])
    assert "output-level2-missing" not in _codes(r)
    del table[4]  # no cost at all: missing
    assert "output-level2-missing" in _codes(_read(tmp_path, [*NAMED, ["年度资金总额", 100], GOAL, *table]))


def test_a_duration_written_as_a_date_range_is_plausible(tmp_path: Path) -> None:
    for duration in ("2025.01-2025.12", "2024年3月至2025年12月", "2025/01-2025/12"):
        r = _read(tmp_path, [*NAMED, ["项目起止时间", duration], ["年度资金总额", 100], GOAL, *TABLE])
        assert r.submission.projects[0].duration == duration and "value-implausible" not in _codes(r), duration


def test_a_department_form_without_amount_or_goal_is_an_error(tmp_path: Path) -> None:
    rows = [["部门名称", "某县自然资源局"], ["部门职能概述", "负责全县自然资源管理"], ["年度绩效指标", *LEVELS],
            *[[None, *row] for row in TABLE[1:]]]
    r = _read(tmp_path, rows, [(2, 0, 2 + len(TABLE) - 1, 0)])
    missing = [f.message for f in r.report.findings if f.code == "required-field-missing"]
    assert r.exit_code == 1 and len(missing) == 2 and "年度目标" in missing[0] and "预算" in missing[1]
    rows[2:2] = [["部门预算支出总额", 3862.4], ["年度目标", "严守耕地保护红线"]]
    assert _read(tmp_path, rows, [(4, 0, 4 + len(TABLE) - 1, 0)]).exit_code == 0


def test_a_label_block_printed_after_the_table_is_the_forms(tmp_path: Path) -> None:
    rows = [["项目名称：黑土地保护利用项目", None, None, "单位：万元"], *TABLE, [],
            ["项目基本情况"], ["主管部门", "某县农业农村局", "实施单位", "某县农技推广中心"],
            ["项目资金（万元）", "380.00", "其中：中央资金", "380.00"], ["年度绩效目标", "完成黑土地保护利用10万亩"],
            ["填报人：于××", None, "联系电话：0452-4321567"]]
    r = _read(tmp_path, rows)
    (p,) = r.submission.projects
    assert (p.competent_department, p.annual_amount, p.performance_target) == (
        "某县农业农村局", Decimal(380), "完成黑土地保护利用10万亩")
    assert [i.name for i in p.indicators] == [row[2] for row in TABLE[1:]]


def test_a_header_repeated_at_a_page_break_continues_the_table(tmp_path: Path) -> None:
    head = [*NAMED, ["年度资金总额", 520], GOAL]
    page2 = [["续表"], LEVELS, ["产出指标", "时效指标", "工程完工时间", "2024年10月31日前"], *TABLE[3:]]
    r = _read(tmp_path, [*head, *TABLE[:3], *page2])
    (p,) = r.submission.projects
    assert [i.name for i in p.indicators] == ["改造小区个数", "验收合格率", "工程完工时间", "受益居民户数", "居民满意度"]
    assert p.indicators[2].level2 == "时效指标" and r.exit_code == 0
    r = _read(tmp_path, [*head, *TABLE[:3], *page2[1:]])  # no 续表 row: the same
    assert len(r.submission.projects) == 1 and len(r.submission.projects[0].indicators) == 5


def test_whole_period_and_this_year_target_columns(tmp_path: Path) -> None:
    table = [["一级指标", "二级指标", "三级指标", "全周期指标值", "本年度指标值"],
             ["产出指标", "数量指标", "改造老旧小区个数", "46个", "25个"], [None, "质量指标", "验收合格率", "100%", "100%"]]
    (p,) = _read(tmp_path, [*NAMED, ["年度资金总额", 100], GOAL, *table]).submission.projects
    assert [(i.target.raw, i.period_target.raw) for i in p.indicators] == [("25个", "46个"), ("100%", "100%")]


def test_a_serial_column_before_the_indicator_columns(tmp_path: Path) -> None:
    table = [["序号", "一级指标", "二级指标", "指标名称", "指标值"], [1, "产出指标", "数量指标", "城区道路保洁面积", "≥186万平方米"],
             [2, None, "质量指标", "道路机械化清扫率", "≥80%"]]
    r = _read(tmp_path, [*NAMED, ["年度资金总额", 268], GOAL, *table])
    assert [(i.level2, i.name, i.target.raw) for i in r.submission.projects[0].indicators] == [
        ("数量指标", "城区道路保洁面积", "≥186万平方米"), ("质量指标", "道路机械化清扫率", "≥80%")]
    assert not [f for f in r.report.findings if f.code == "unmapped-cell" and f.text in ("序号", "1", "2")]


def test_levels_joined_in_one_cell(tmp_path: Path) -> None:
    table = [["序号", "指标类型", "指标名称", "指标值", "权重（%）"],
             [1, "产出指标-数量指标", "城区道路保洁面积", "≥186万平方米", 40],
             [2, "效益指标—社会效益指标", "城区市容环境卫生状况", "明显改善", 30],
             [3, "满意度指标-服务对象满意度指标", "城区居民满意度", "≥90%", 30], ["合计", None, None, None, 100]]
    r = _read(tmp_path, [*NAMED, ["年度资金总额", 268], GOAL, *table])
    (p,) = r.submission.projects
    assert [(i.level1, i.level2, i.name, i.target.raw, i.weight) for i in p.indicators] == [
        ("产出指标", "数量指标", "城区道路保洁面积", "≥186万平方米", "40"),
        ("效益指标", "社会效益", "城区市容环境卫生状况", "明显改善", "30"),
        ("满意度指标", "服务对象满意度", "城区居民满意度", "≥90%", "30")]
    assert "指标类型" not in [f.text for f in r.report.findings if f.code == "unmapped-cell"]
    table[1][1] = "效益指标-数量指标"  # a 二级 joined to another 一级 than its own: an unknown level, reported
    (p,) = _read(tmp_path, [*NAMED, ["年度资金总额", 268], GOAL, *table]).submission.projects
    assert p.indicators[0].level2 is None and p.indicators[0].name == "城区道路保洁面积"


def test_levels_as_outline_numbered_section_rows(tmp_path: Path) -> None:
    table = [["绩效指标", "指标值"], ["一、产出指标"], ["（一）数量指标"], ["村庄清洁行动覆盖行政村数", "27个"],
             ["农村生活垃圾转运量", "≥5400吨"], ["（二）质量指标"], ["农村生活垃圾无害化处理率", "≥95%"],
             ["（三）成本指标"], ["年度保洁转运运营费用", "≤95.6万元"], ["二、效益指标"], ["（一）社会效益指标"], ["村容村貌改善情况", "明显改善"],
             ["三、满意度指标"], ["（一）服务对象满意度指标"], ["村民满意度", "≥90%"], ["镇长：韩××", "经办人：刘××"]]
    first = 4
    merges = [(first + i, 0, first + i, 1) for i, row in enumerate(table) if len(row) == 1]
    r = _read(tmp_path, [*NAMED, ["项目金额", 95.6], GOAL, *table], merges)
    (p,) = r.submission.projects
    assert [(i.level1, i.level2, i.name) for i in p.indicators] == [
        ("产出指标", "数量指标", "村庄清洁行动覆盖行政村数"), ("产出指标", "数量指标", "农村生活垃圾转运量"),
        ("产出指标", "质量指标", "农村生活垃圾无害化处理率"), ("产出指标", "成本指标", "年度保洁转运运营费用"),
        ("效益指标", "社会效益", "村容村貌改善情况"),
        ("满意度指标", "服务对象满意度", "村民满意度")]
    assert "level1-without-indicator" not in _codes(r)


def test_the_filing_unit_line_above_a_form_is_its_department(tmp_path: Path) -> None:
    rows = [["大民屯镇2024年项目支出绩效目标表"], ["填报单位：新民市大民屯镇人民政府", "单位：万元"],
            ["项目名称", "农村人居环境整治提升"], ["项目金额", 95.6], GOAL, *TABLE]
    r = _read(tmp_path, rows)
    assert r.submission.projects[0].competent_department == "新民市大民屯镇人民政府"
    assert "required-field-missing" not in _codes(r)
    rows[1][0] = "填报单位（公章）：宁城县水利局"
    assert _read(tmp_path, rows).submission.projects[0].competent_department == "宁城县水利局"


def test_one_table_of_projects_whose_first_column_names_unit_and_project(tmp_path: Path) -> None:
    head = ["单位名称、项目名称", "项目目标", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "指标属性"]
    rows = [["泸西县2025年部门预算项目支出绩效目标表"], head, ["泸西县教育体育局"],
            ["学前教育资助补助资金", "落实学前教育资助政策", "产出指标", "数量指标", "资助幼儿人数", "≥", 1450, "人", "定量指标"],
            [None, None, "满意度指标", "服务对象满意度", "家长满意度", "≥", 90, "%", "定量指标"],
            ["普通高中免学费补助资金", "减轻困难家庭经济负担", "产出指标", "数量指标", "免学费学生人数", "≥", 2100, "人", "定量指标"],
            [None, None, None, "时效指标", "资金发放及时性", "定性", "按学期及时发放", None, "定性指标"]]
    r = _read(tmp_path, rows, [(3, 0, 4, 0), (3, 1, 4, 1), (5, 0, 6, 0), (5, 1, 6, 1)])
    projects = r.submission.projects
    assert [(p.name, p.performance_target, p.competent_department) for p in projects] == [
        ("学前教育资助补助资金", "落实学前教育资助政策", "泸西县教育体育局"),
        ("普通高中免学费补助资金", "减轻困难家庭经济负担", "泸西县教育体育局")]
    assert [(i.name, i.target.raw, i.indicator_class) for i in projects[1].indicators] == [
        ("免学费学生人数", "≥2100人", "定量指标"), ("资金发放及时性", "按学期及时发放", "定性指标")]
    assert projects[0].indicators[0].level2 == "数量指标" and projects[1].indicators[1].level1 == "产出指标"
