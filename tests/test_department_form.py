"""The department-wide form (seed 004 阳新 layout, cut down): amounts and percentages that
are not numbers are reported, not dropped; the 填报日期 reader; row loops that skip empty rows."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from helpers import make_xlsx

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

    plain = import_workbook(write(tmp_path / "plain.xlsx", False)).submission.department_plan
    stray = import_workbook(write(tmp_path / "stray.xlsx", True)).submission.department_plan
    assert [(p.name, p.total_budget, p.annual_budget, p.purpose) for p in stray.project_spending] == [
        ("法律援助", Decimal(60), Decimal(30), "办案补贴"), ("人民调解", Decimal(50), Decimal(40), "调解补贴")]
    assert stray.annual_goal == "1、完成法律援助案件 100 件。\n2、调解纠纷 500 起。"
    assert stray.revenue_total.current_amount == Decimal(125)
    assert stray.model_dump() == plain.model_dump()


def test_numbered_goal_lines_end_at_an_empty_row(tmp_path: Path) -> None:
    rows = _department_rows()
    rows[13:13] = [[]]  # an empty row between 1、 and 2、
    r = import_workbook(make_xlsx(tmp_path / "d.xlsx", {"部门整体": rows}))
    assert r.submission.department_plan.annual_goal == "1、完成法律援助案件 100 件。"
    assert [f.text for f in r.report.findings if f.code == "unmapped-cell"] == ["2、调解纠纷 500 起。"]


def test_fill_date_typed_as_a_number_points_at_its_value_cell(tmp_path: Path) -> None:
    rows = _department_rows()
    rows[1] += [None, "填报日期", 45678]  # F2 label, H2 the number
    r = import_workbook(make_xlsx(tmp_path / "d.xlsx", {"部门整体": rows}))
    plan = r.submission.department_plan
    assert (plan.fill_date, plan.cells["fill_date"]) == ("2025-01-21", "部门整体!H2")
    assert _findings(r, "date-as-number") == [
        ("部门整体!H2", "“填报日期”填写的是数字 45678，已按 Excel 日期读作 2025-01-21，请确认。")]


def test_fill_date_inline_with_its_label(tmp_path: Path) -> None:
    rows = _department_rows()
    rows[1] += [None, "填报日期：2025年10月20日"]
    r = import_workbook(make_xlsx(tmp_path / "d.xlsx", {"部门整体": rows}))
    plan = r.submission.department_plan
    assert (plan.fill_date, plan.cells["fill_date"]) == ("2025-10-20", "部门整体!G2")
    assert _findings(r, "date-as-number") == []


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
