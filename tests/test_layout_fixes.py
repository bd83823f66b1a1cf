"""Layout fixes from a code review: unreadable amounts reported on every form, row loops
that skip empty rows, percentages read exactly, clerk-facing labels in messages."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from helpers import make_xlsx, project_rows

from xlperf.importer import import_workbook


def _department_rows(amounts: dict[str, object] | None = None) -> list[list[object]]:
    """A department form (seed 004 layout, cut down): composition rows with 当年金额 /
    占比 / 2024年 / 2025年, a 项目支出情况 table and numbered 年度目标 lines;
    *amounts* overrides cells by key ("财政拨款", "单位资金2025", "法律援助总预算")."""
    a = {"财政拨款": 100, "单位资金2025": 8, "法律援助总预算": 60, **(amounts or {})}
    return [
        ["2026年部门整体绩效目标申报表"],
        ["部门(单位)名称", "测试县司法局", None, "填报人", "张三"],
        ["部门总体资金情况", None, None, None, None, "近两年收支金额"],
        [None, "总体资金情况", None, "当年金额", "占比", "2024年", "2025年"],
        [None, "收入构成", "财政拨款", a["财政拨款"], 0.8, 10, 12],
        [None, None, "单位资金", 25, 0.2, 5, a["单位资金2025"]],
        [None, None, "合计", 125, 1, 15, 20],
        ["部门职能概述", "负责全县司法行政工作。"],
        ["项目支出情况", "项目名称", None, "支出项目类别", "项目总预算", "项目本年度预算", "项目主要支出方向和用途"],
        [None, "法律援助", None, "特定目标类", a["法律援助总预算"], 30, "办案补贴"],
        [None, "人民调解", None, "特定目标类", 50, 40, "调解补贴"],
        ["整体绩效总目标", "年度目标:"],
        [None, "1、完成法律援助案件 100 件。"],
        [None, "2、调解纠纷 500 起。"],
    ]


def _findings(result, code: str) -> list[tuple[str, str]]:  # noqa: ANN001 - ImportResult
    return [(f.where, f.message) for f in result.report.findings if f.code == code]


# ---------------------------------------------------------------- 1. unreadable amounts reported
def test_department_amount_in_words_is_reported_not_dropped(tmp_path: Path) -> None:
    rows = _department_rows({"财政拨款": "一百万", "单位资金2025": "未知", "法律援助总预算": "未定"})
    r = import_workbook(make_xlsx(tmp_path / "d.xlsx", {"部门整体": rows}))
    plan = r.submission.department_plan
    assert plan.revenue[0].item == "财政拨款" and plan.revenue[0].current_amount is None
    assert plan.revenue[1].previous_amounts == {"2024": Decimal(5), "2025": None}
    assert [(p.name, p.total_budget, p.annual_budget) for p in plan.project_spending] == [
        ("法律援助", None, Decimal(30)), ("人民调解", Decimal(50), Decimal(40))]
    assert _findings(r, "amount-not-number") == [
        ("部门整体!D5", "“财政拨款（当年金额）”应填写金额（万元），实际是“一百万”。"),
        ("部门整体!G6", "“单位资金（2025年）”应填写金额（万元），实际是“未知”。"),
        ("部门整体!E10", "“法律援助（项目总预算）”应填写金额（万元），实际是“未定”。"),
    ]


def test_department_amounts_as_numbers_or_text(tmp_path: Path) -> None:
    rows = _department_rows({"财政拨款": "2,8505", "法律援助总预算": "60"})
    r = import_workbook(make_xlsx(tmp_path / "d.xlsx", {"部门整体": rows}))
    plan = r.submission.department_plan
    assert plan.revenue[0].current_amount is None
    assert plan.project_spending[0].total_budget == Decimal(60)
    assert [w for w, _m in _findings(r, "ambiguous-number")] == ["部门整体!D5"]
    assert _findings(r, "number-stored-as-text") == [("部门整体!E10", "金额“60”是以文本形式填写的数字，已按数字读取，请改为数值格式。")]
    assert _findings(r, "amount-not-number") == []


def _guangdong_rows(unit_total: object, project_total: object) -> list[list[object]]:
    return [
        ["项目支出绩效目标表(含转移支付项目)"],
        ["部门名称: 测试区司法局", None, None, None, None, None, "单位：万元"],
        ["项目名称(含使用单位)", "总计", "财政拨款", "行政专户拨款", "其他资金", "绩效目标", "绩效指标"],
        ["测试区司法局", unit_total, unit_total],
        ["法律援助经费", project_total, project_total, None, None, "保障法律援助工作。",
         "一级指标:产出指标;二级指标:数量指标;三级指标:援助案件;指标值:≥100件"],
    ]


def test_guangdong_unreadable_amounts_reported_with_chinese_labels(tmp_path: Path) -> None:
    r = import_workbook(make_xlsx(tmp_path / "g.xlsx", {"表": _guangdong_rows("待定", "十万")}))
    (p,) = r.submission.projects
    assert (p.name, p.annual_amount, p.fiscal_funds) == ("法律援助经费", None, None)
    assert _findings(r, "amount-not-number") == [
        ("表!B4", "“测试区司法局（总计）”应填写金额（万元），实际是“待定”。"),  # a unit row's 总计 was dropped
        ("表!B5", "“总计”应填写金额（万元），实际是“十万”。"),
        ("表!C5", "“财政拨款”应填写金额（万元），实际是“十万”。"),  # the column's label, not fiscal_funds
    ]


# ---------------------------------------------------------------- 3. percentages read exactly
def test_spending_plan_fractions_read_exactly(tmp_path: Path) -> None:
    rows = project_rows("法律援助", 10)
    rows[7:7] = [["资金支出计划(%)", "3月底", "6月底", "10月底", "12月底"], [None, 0.07, 0.29, "58%", 1]]
    r = import_workbook(make_xlsx(tmp_path / "p.xlsx", {"S": rows}))
    (p,) = r.submission.projects
    assert [(c.checkpoint, c.cumulative_percent) for c in p.spending_plan] == [
        ("3月底", Decimal("7")), ("6月底", Decimal("29")), ("10月底", Decimal("58")), ("12月底", Decimal("100"))]
    assert str(p.spending_plan[0].cumulative_percent) == "7.00"  # not 7.000000000000001


def test_percent_helper() -> None:
    from xlperf.forms.common import percent

    assert percent(0.07) == Decimal("7") and percent(0.29) == Decimal("29")
    assert percent(0.1667) == Decimal("16.67") and percent(76.12) == Decimal("76.12")
    assert percent("76.12%") == Decimal("76.12") and percent("七成") is None and percent(None) is None
    assert percent(1.2) == Decimal(120) and percent(1.2, fraction_upto=1.0) == Decimal("1.2")


# ---------------------------------------------------------------- 2. loops over non-empty rows only
class _CountingGrid(dict):
    """A sheet's grid that counts lookups of rows it does not hold (empty rows visited)."""

    misses = 0

    def get(self, key, default=None):  # noqa: ANN001, ANN201
        if key not in self:
            _CountingGrid.misses += 1
        return super().get(key, default)


def _department_plan(path: str):  # noqa: ANN202 - (DepartmentPlan, empty rows visited)
    from xlperf.forms.sheet import read_sheets
    from xlperf.readers.xlsx import read_workbook
    from xlperf.taxonomy import load_taxonomy

    wb = read_workbook(path)
    for sheet in wb.sheets:
        sheet.__dict__["grid"] = _CountingGrid(sheet.grid)
    _CountingGrid.misses = 0
    return read_sheets(wb, tax=load_taxonomy()).department_plan, _CountingGrid.misses


def test_department_form_with_a_stray_cell_at_the_last_row(tmp_path: Path) -> None:
    import xlsxwriter

    def write(path: Path, stray: bool) -> str:
        wb = xlsxwriter.Workbook(str(path))
        ws = wb.add_worksheet("部门整体")
        rows = _department_rows()
        rows = rows[:8] + rows[11:] + rows[8:11]  # 项目支出情况 last: its rows run to the sheet's last row
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if isinstance(v, str):
                    ws.write_string(r, c, v)
                elif v is not None:
                    ws.write_number(r, c, v)
        if stray:
            ws.write_string(1_048_575, 16_383, "x")  # XFD1048576
        wb.close()
        return str(path)

    plain, plain_visits = _department_plan(write(tmp_path / "plain.xlsx", False))
    stray, stray_visits = _department_plan(write(tmp_path / "stray.xlsx", True))
    assert [(p.name, p.total_budget, p.annual_budget, p.purpose) for p in stray.project_spending] == [
        ("法律援助", Decimal(60), Decimal(30), "办案补贴"), ("人民调解", Decimal(50), Decimal(40), "调解补贴")]
    assert stray.annual_goal == "1、完成法律援助案件 100 件。\n2、调解纠纷 500 起。"
    assert stray.revenue_total.current_amount == Decimal(125)
    assert stray.model_dump() == plain.model_dump()
    assert stray_visits == plain_visits < 20  # the million empty rows in between are never looked up


def test_numbered_goal_lines_end_at_an_empty_row(tmp_path: Path) -> None:
    rows = _department_rows()
    rows[13:13] = [[]]  # an empty row between 1、 and 2、
    r = import_workbook(make_xlsx(tmp_path / "d.xlsx", {"部门整体": rows}))
    assert r.submission.department_plan.annual_goal == "1、完成法律援助案件 100 件。"
    assert [f.text for f in r.report.findings if f.code == "unmapped-cell"] == ["2、调解纠纷 500 起。"]


# ---------------------------------------------------------------- data read from templates/*.toml
def test_review_level_names_come_from_the_taxonomy() -> None:
    from xlperf.rules.review import _levels

    lv = _levels()  # the values these rules hard-coded before reading taxonomy.toml
    assert lv["output_level2"] == ("数量指标", "质量指标", "时效指标", "成本指标")
    assert lv["level1_required"] == ("产出指标", "效益指标", "满意度指标")
    assert lv["cost_level2"] == ("成本指标", "经济成本", "社会成本", "生态环境成本")
    assert lv["output_not_cost"] == ("数量指标", "质量指标", "时效指标")
    assert lv["satisfaction_level2"] == ("服务对象满意度",)
    assert (lv["suggest_satisfaction"], lv["suggest_cost"]) == (("31-服务对象满意度",), ("14-成本指标",))


def test_project_message_labels_come_from_labels_toml() -> None:
    from xlperf.forms.project import _LABEL

    assert _LABEL == {  # the table project.py kept before reading labels.toml
        "name": "项目名称", "code": "项目编码", "competent_department": "主管部门", "implementing_unit": "实施单位",
        "attribute": "项目属性", "duration": "项目期限", "supervising_office": "项目主管处室", "category": "项目类别",
        "annual_amount": "项目年度金额", "fiscal_funds": "财政资金", "special_account_funds": "行政专户拨款",
        "other_funds": "其他资金", "fund_use": "资金用途", "performance_target": "年度总体绩效目标"}


def test_split_ref_one_home() -> None:
    from xlperf import flatten
    from xlperf.cellref import sheet_ref, split_ref

    assert flatten.split_ref is split_ref  # still importable where it was
    assert split_ref(sheet_ref("第二部分 预算项目绩效目标", 4, 2)) == ("第二部分 预算项目绩效目标", "C5")
    assert split_ref(sheet_ref("it's", 0, 0)) == ("it's", "A1")
    assert split_ref("C5") == (None, "C5") and split_ref(None) == (None, None)


def test_department_share_that_is_not_a_percentage_is_reported_not_dropped(tmp_path: Path) -> None:
    rows = _department_rows()
    rows[4][4] = "七成"  # 财政拨款 占比 (E5)
    rows[5][4] = "20,5"  # 单位资金 占比 (E6): a comma where the decimal point belongs
    r = import_workbook(make_xlsx(tmp_path / "d.xlsx", {"部门整体": rows}))
    plan = r.submission.department_plan
    assert [row.share_percent for row in plan.revenue] == [None, None]
    assert _findings(r, "percent-not-number") == [
        ("部门整体!E5", "“财政拨款（占比）”应填写百分比（如 76.12%），实际是“七成”。")]
    assert [w for w, _m in _findings(r, "ambiguous-number")] == ["部门整体!E6"]
