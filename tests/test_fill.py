"""`xlperf fill`: a Submission written into the template, read back cell by cell with openpyxl."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from helpers import make_indicator, make_submission, soffice_convert
from typer.testing import CliRunner

from xlperf.cli import app
from xlperf.model import ProjectSpending, Submission
from xlperf.taxonomy import load_taxonomy
from xlperf.writers.template import write_template, write_workbook
from xlperf.writers.template.project import place_project_indicators

TAX = load_taxonomy()


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    path = tmp_path_factory.mktemp("fill") / "filled.xlsx"
    notes = write_workbook(str(path), submission=make_submission(projects=3), projects=1)
    return path, notes


def values_of(ws, coords: dict[str, object]) -> dict[str, object]:
    return {c: ws[c].value for c in coords}


# The expected cells of the filled workbook; also reused after LibreOffice's re-save.
COVER = {"B3": 2026, "B4": "测试省", "B5": "测试市", "B6": "测试县", "B7": "640425", "B8": "测试县司法局",
         "B9": "张三", "B10": "0954-1234567", "B11": "2026-01-15"}
PROJECT1 = {
    "B3": "2026年基层法律服务专项资金", "B4": "101-测试县司法局", "D4": "测试县司法局本级", "B5": "0101-一年期项目",
    "D5": "1 年", "B6": "02-预算股", "D6": 31.9, "B7": "本项目预算安排资金 31.9 万元。\n目标是加强基层队伍建设。",
    "B8": "130225-2026-001", "B9": 30.5, "D9": 1.4, "B10": "支付协理员工资",
    "B12": 25, "C12": 50, "D12": 80.5, "E12": 100,
    # standard rows: the first indicator of each 二级
    "A14": "1-产出指标", "B14": "11-数量指标", "C14": "协理员数量", "D14": "24 人", "E14": "计划标准",
    "C15": "到岗率", "D15": "100%", "C16": None, "D16": None,
    "C17": "工资社保费", "D17": "≤31.9 万元", "E17": "预算支出标准",
    "C18": None, "C19": "发挥司法所职能", "D19": "进一步提升", "C20": None, "C21": None,
    "A22": "3-满意度指标", "B22": "31-服务对象满意度", "C22": "协理员满意度", "D22": ">90%",
    # spare rows: further indicators with their levels written, then the unknown level as written
    "A23": "1-产出指标", "B23": "11-数量指标", "C23": "培训次数", "D23": "=1+1",
    "A24": "1-产出指标", "B24": "11-数量指标", "C24": "http://example.com/x", "D24": "≥2 期",
    "A25": "3-满意度指标", "B25": "31-服务对象满意度", "C25": "群众满意度", "D25": "≥95%",
    "A26": "4-管理指标", "B26": "41-内控指标", "C26": "内控制度健全性", "D26": "健全",
    "A27": None, "C27": None,
}
DEPT = {
    "B2": "2025-10-20", "B3": "测试县司法局", "B4": "李四", "E4": "0714-1234567",
    "F6": "2024年", "G6": "2025年",
    "D7": 1000.5, "F7": 900, "G7": 950.25, "D8": None,
    "D11": 700.5, "F11": 650, "G11": None, "D12": 200, "F12": None, "G12": 190, "D13": 100,
    "B15": "1. 承担法治建设；\n2. 指导法律服务。", "B16": "1. 推进法治政府建设。",
    "B18": "办案经费支出", "D18": "本级特定目标", "E18": 64, "F18": 60, "G18": "办理案件的工作经费",
    "B19": "普法经费支出", "E19": 40, "F19": 40, "B20": None,
    "B33": "长期目标(截止2030年)", "C33": "提升基层司法所办案能力。", "B34": "年度目标", "C34": "提升办案效率。",
    # 长期绩效指标: framework row 36 (公用经费控制率), 核心业务产出 1 at row 60, spare rows from 76
    "D36": "公用经费控制率", "E36": "98%", "H36": "预算支出标准", "I36": "基本型", "E37": None,
    "C60": "核心业务产出 1", "D60": "法律援助合格案件数", "E60": "≥800 件/年", "H60": "历史标准",
    "B76": "满意度", "C76": "服务对象满意度", "D76": "群众满意度", "E76": "≥95%", "H76": "计划标准",
    "B77": "其他指标", "C77": "其他", "D77": "自定义指标", "E77": "完成", "B78": None,
    # 年度绩效指标: framework from row 88 (在职人员控制率 at 89, 核心业务产出 2 at 113, 社会效益/社会效益 at 118)
    "D89": "在职人员控制率", "E89": "91.03%", "F89": "93.51%", "G89": "92.31%", "H89": "预算支出标准", "I89": "基本型",
    "C113": "核心业务产出 2", "D113": "调解纠纷案件个数", "E113": "2221", "F113": "2219", "G113": "≥2500",
    "C118": "社会效益", "D118": "增加司法公信力", "E118": "有效增加", "F118": "效果明显", "G118": "效果明显",
    "C117": "经济效益", "D117": None, "B128": None,
}


def test_fill_writes_every_cell(filled: tuple[Path, list]) -> None:
    path, notes = filled
    assert notes == []
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["填报说明", "部门整体绩效目标", "项目1", "项目2", "项目3", "_lists"]
    assert values_of(wb["填报说明"], COVER) == COVER
    assert values_of(wb["项目1"], PROJECT1) == PROJECT1
    assert values_of(wb["部门整体绩效目标"], DEPT) == DEPT
    p2 = wb["项目2"]
    assert (p2["B3"].value, p2["D6"].value, p2["D6"].data_type) == ("项目2号", "2,8505", "s")
    assert (p2["A16"].value, p2["B16"].value, p2["C16"].value, p2["D16"].value) == ("1-产出指标", "13-时效指标", "完成及时率2", "100%")


def test_fill_types_values_safely(filled: tuple[Path, list]) -> None:
    wb = openpyxl.load_workbook(filled[0])
    ws = wb["项目1"]
    assert ws["D23"].data_type == "s"  # "=1+1" stays text, never a formula
    assert ws["C24"].hyperlink is None and not ws._hyperlinks
    assert isinstance(ws["D6"].value, (int, float)) and ws["D6"].data_type == "n"
    dept = wb["部门整体绩效目标"]
    assert dept["E113"].data_type == "s"  # a 前年 value "2221" is a target value: raw text
    assert dept["B7"].value == "收入构成" and dept["C7"].value == "财政拨款"


def test_fill_formulas_have_cached_values(filled: tuple[Path, list]) -> None:
    wb = openpyxl.load_workbook(filled[0], data_only=True)
    ws = wb["部门整体绩效目标"]
    assert ws["D10"].value == pytest.approx(1000.5) and ws["F10"].value == 900 and ws["G10"].value == 950.25
    assert ws["D14"].value == pytest.approx(1000.5)
    assert ws["E7"].value == pytest.approx(1.0) and ws["E10"].value == pytest.approx(1.0)
    assert ws["E11"].value == pytest.approx(700.5 / 1000.5) and ws["E8"].value == 0
    formulas = openpyxl.load_workbook(filled[0])["部门整体绩效目标"]
    assert formulas["D10"].value == "=SUM(D7:D9)"


def test_placement_rules() -> None:
    ind = make_indicator
    inds = [ind("效益指标", "社会效益", "b", "1"), ind("产出指标", "数量指标", "a1", "1"), ind("产出指标", "数量指标", "a2", "2"),
            ind("效益指标", "服务对象满意度", "wrong parent", "x"), ind(None, None, "u", "?", level1_text="?", level2_text="?")]
    standard, spare = place_project_indicators(inds, taxonomy=TAX)
    assert [i.name if i else None for i in standard] == ["a1", None, None, None, None, "b", None, None, None]
    assert [i.name for i in spare] == ["a2", "wrong parent", "u"]


def test_more_indicators_and_rows_than_the_template_has(tmp_path: Path) -> None:
    sub = make_submission(projects=1)
    extra = [make_indicator("产出指标", "数量指标", f"数量{i}", f"{i} 个") for i in range(30)]
    sub.projects[0].indicators = extra
    sub.department_plan.project_spending = [ProjectSpending(name=f"项目{i}", annual_budget=Decimal(i)) for i in range(20)]
    path = tmp_path / "grown.xlsx"
    assert write_workbook(str(path), submission=sub, projects=1) == []
    ws = openpyxl.load_workbook(path)["项目1"]
    assert ws["C14"].value == "数量0"
    assert [ws.cell(row=r, column=3).value for r in range(23, 52)] == [f"数量{i}" for i in range(1, 30)]
    assert ws["A51"].value == "1-产出指标" and ws.max_row == 51 + 5  # five blank rows left
    assert not ws["C56"].protection.locked and ws["C57"].value is None
    dept = openpyxl.load_workbook(path)["部门整体绩效目标"]
    assert [dept.cell(row=r, column=2).value for r in (18, 37)] == ["项目0", "项目19"]
    col_a = {dept.cell(row=r, column=1).value: r for r in range(1, dept.max_row + 1) if dept.cell(row=r, column=1).value}
    assert col_a["整体绩效总目标"] == 18 + 25 and col_a["长期绩效指标"] == 45  # 20 rows + 5 blank, then the goals


def test_many_projects_get_many_sheets(tmp_path: Path) -> None:
    path = tmp_path / "many.xlsx"
    write_workbook(str(path), submission=make_submission(projects=12), projects=1)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[2:-1] == [f"项目{i}" for i in range(1, 13)]
    assert wb["项目12"]["B3"].value == "项目12号"


def test_overlong_text_is_marked_not_cut(tmp_path: Path) -> None:
    sub = make_submission(projects=1)
    sub.projects[0].performance_target = "长" * 40_000
    path = tmp_path / "long.xlsx"
    notes = write_workbook(str(path), submission=sub)
    assert [(n.code, n.where, n.severity) for n in notes] == [("fill-text-too-long", "项目1!B7", "error")]
    assert "40000" in notes[0].message
    value = openpyxl.load_workbook(path)["项目1"]["B7"].value
    assert value.startswith("【未写入") and "40000" in value and len(value) < 200
    again = write_template(str(tmp_path / "long2.xlsx"), submission=sub)  # the same writer
    assert [(n.code, n.where) for n in again] == [("fill-text-too-long", "项目1!B7")]


def test_values_the_template_cannot_hold_are_reported(tmp_path: Path) -> None:
    sub = make_submission(projects=1)
    sub.projects[0].category = "专项业务费"
    sub.projects[0].special_account_funds = Decimal("3")
    sub.projects[0].indicators[0].description = "协理员人数"
    sub.projects[0].indicators[0].period_target = sub.projects[0].indicators[0].target
    sub.department_plan.revenue_total.current_amount = Decimal("999")
    notes = write_workbook(str(tmp_path / "x.xlsx"), submission=sub)
    got = {(n.code, n.where, n.text) for n in notes}
    assert got == {("fill-field-not-held", "项目1", "专项业务费"), ("fill-field-not-held", "项目1", "3"),
                   ("fill-field-not-held", "项目1!C14", "协理员人数"), ("fill-field-not-held", "项目1!C14", "24 人"),
                   ("fill-total-recomputed", "部门整体绩效目标!D10", "999")}
    assert all(n.message for n in notes)


def test_year_defaults_to_the_submission_year(tmp_path: Path) -> None:
    sub = make_submission(projects=1)
    sub.year = 2030
    sub.department_plan.previous_years = []
    sub.department_plan.long_term_horizon = None
    path = tmp_path / "y.xlsx"
    write_workbook(str(path), submission=sub)
    ws = openpyxl.load_workbook(path)["部门整体绩效目标"]
    assert (ws["F6"].value, ws["G6"].value, ws["B33"].value) == ("2028年", "2029年", "长期目标(截止2034年)")
    assert ws["F7"].value is None  # 2024 amounts have no 2028/2029 column
    assert openpyxl.load_workbook(path)["项目1"]["A1"].value == "2030年部门项目支出预算绩效目标表"


def test_empty_submission_fills_like_the_blank_template(tmp_path: Path) -> None:
    sub = Submission.model_validate({"source": {"path": "x"}})
    path = tmp_path / "e.xlsx"
    assert write_workbook(str(path), submission=sub, year=2026, projects=2) == []
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["填报说明", "部门整体绩效目标", "项目1", "项目2", "_lists"]
    assert wb["项目1"]["C14"].value is None and wb["部门整体绩效目标"]["D36"].value == "公用经费控制率"


def test_cli_fill(tmp_path: Path) -> None:
    src = tmp_path / "sub.json"
    src.write_text(make_submission(projects=2).to_json(), encoding="utf-8")
    out = tmp_path / "filled.xlsx"
    result = CliRunner().invoke(app, ["fill", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["填报说明", "部门整体绩效目标", "项目1", "项目2", "_lists"]
    assert wb["项目1"]["D6"].value == 31.9 and wb["项目1"]["D23"].value == "=1+1"


def test_cli_fill_reports_what_it_could_not_write(tmp_path: Path) -> None:
    sub = make_submission(projects=1)
    sub.projects[0].name = "名" * 33_000
    src = tmp_path / "sub.json"
    src.write_text(json.dumps([json.loads(sub.to_json())], ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(app, ["fill", str(src), "-o", str(tmp_path / "f.xlsx")])
    assert result.exit_code == 1
    assert "项目1!B3" in result.output and "32767" in result.output


# -- LibreOffice: a filled workbook opens, re-saves with its dropdowns and values, prints -------

def test_libreoffice_resave_keeps_filled_values(filled: tuple[Path, list], tmp_path: Path) -> None:
    resaved = soffice_convert(filled[0], tmp_path / "lo", "xlsx")
    wb = openpyxl.load_workbook(resaved)
    assert values_of(wb["填报说明"], COVER) == COVER
    assert values_of(wb["项目1"], PROJECT1) == PROJECT1
    assert values_of(wb["部门整体绩效目标"], DEPT) == DEPT
    assert wb["项目1"]["D23"].data_type == "s"
    dv = [d for d in wb["项目1"].data_validations.dataValidation if "B23" in d.sqref]
    assert len(dv) == 1 and dv[0].type == "list" and "INDIRECT(VLOOKUP($A23" in dv[0].formula1
    cached = openpyxl.load_workbook(resaved, data_only=True)["部门整体绩效目标"]
    assert cached["D10"].value == pytest.approx(1000.5) and cached["E11"].value == pytest.approx(700.5 / 1000.5)


def test_libreoffice_prints_a_filled_workbook(filled: tuple[Path, list], tmp_path: Path) -> None:
    pdf = soffice_convert(filled[0], tmp_path / "pdf", "pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
