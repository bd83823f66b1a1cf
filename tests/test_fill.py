"""`xlperf fill`: a Submission written into the template, read back cell by cell with openpyxl."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from helpers import SAMPLES, make_indicator, make_submission, soffice_convert
from typer.testing import CliRunner

from xlperf.cli import app
from xlperf.importer import import_workbook
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
    "F4": "2024年", "G4": "2025年",
    "D5": 1000.5, "F5": 900, "G5": 950.25, "D6": None,
    "D9": 700.5, "F9": 650, "G9": None, "D10": 200, "F10": None, "G10": 190, "D11": 100,
    "B13": "1. 承担法治建设；\n2. 指导法律服务。", "B14": "1. 推进法治政府建设。",
    "B16": "办案经费支出", "D16": "本级特定目标", "E16": 64, "F16": 60, "G16": "办理案件的工作经费",
    "B17": "普法经费支出", "E17": 40, "F17": 40, "B18": None,
    "B31": "长期目标(截止2030年)", "C31": "提升基层司法所办案能力。", "B32": "年度目标", "C32": "提升办案效率。",
    # 长期绩效指标: framework row 34 (公用经费控制率), 核心业务产出 1 at row 58, spare rows from 74
    "D34": "公用经费控制率", "E34": "98%", "H34": "预算支出标准", "I34": "基本型", "E35": None,
    "C58": "核心业务产出 1", "D58": "法律援助合格案件数", "E58": "≥800 件/年", "H58": "历史标准",
    "B74": "满意度", "C74": "服务对象满意度", "D74": "群众满意度", "E74": "≥95%", "H74": "计划标准",
    "B75": "其他指标", "C75": "其他", "D75": "自定义指标", "E75": "完成", "B76": None,
    # 年度绩效指标 (after 2 + 5 blank spare rows): framework from row 83 (在职人员控制率 at 84, 核心业务产出 2 at 108, 社会效益/社会效益 at 113)
    "D84": "在职人员控制率", "E84": "91.03%", "F84": "93.51%", "G84": "92.31%", "H84": "预算支出标准", "I84": "基本型",
    "C108": "核心业务产出 2", "D108": "调解纠纷案件个数", "E108": "2221", "F108": "2219", "G108": "≥2500",
    "C113": "社会效益", "D113": "增加司法公信力", "E113": "有效增加", "F113": "效果明显", "G113": "效果明显",
    "C112": "经济效益", "D112": None, "B123": None,
}


def test_fill_writes_every_cell(filled: tuple[Path, list]) -> None:
    path, notes = filled
    assert [(n.code, n.where, n.text, n.severity) for n in notes] == [
        ("fill-amount-not-number", "项目2!D6", "2,8505", "error")]  # written as typed, and said
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
    assert dept["E108"].data_type == "s"  # a 前年 value "2221" is a target value: raw text
    assert dept["B5"].value == "收入构成" and dept["C5"].value == "财政拨款"


def test_fill_formulas_have_cached_values(filled: tuple[Path, list]) -> None:
    wb = openpyxl.load_workbook(filled[0], data_only=True)
    ws = wb["部门整体绩效目标"]
    assert ws["D8"].value == pytest.approx(1000.5) and ws["F8"].value == 900 and ws["G8"].value == 950.25
    assert ws["D12"].value == pytest.approx(1000.5)
    assert ws["E5"].value == pytest.approx(1.0) and ws["E8"].value == pytest.approx(1.0)
    assert ws["E9"].value == pytest.approx(700.5 / 1000.5) and ws["E6"].value == 0
    formulas = openpyxl.load_workbook(filled[0])["部门整体绩效目标"]
    assert formulas["D8"].value == "=SUM(D5:D7)"


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
    assert [dept.cell(row=r, column=2).value for r in (16, 35)] == ["项目0", "项目19"]
    col_a = {dept.cell(row=r, column=1).value: r for r in range(1, dept.max_row + 1) if dept.cell(row=r, column=1).value}
    assert col_a["整体绩效总目标"] == 16 + 25 and col_a["长期绩效指标"] == 43  # 20 rows + 5 blank, then the goals


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
                   ("fill-total-recomputed", "部门整体绩效目标!D8", "999")}
    assert all(n.message for n in notes)


def test_year_defaults_to_the_submission_year(tmp_path: Path) -> None:
    sub = make_submission(projects=1)
    sub.year = 2030
    sub.department_plan.previous_years = []
    sub.department_plan.long_term_horizon = None
    path = tmp_path / "y.xlsx"
    write_workbook(str(path), submission=sub)
    ws = openpyxl.load_workbook(path)["部门整体绩效目标"]
    assert (ws["F4"].value, ws["G4"].value, ws["B31"].value) == ("2028年", "2029年", "长期目标(截止2034年)")
    assert ws["F5"].value is None  # 2024 amounts have no 2028/2029 column
    assert openpyxl.load_workbook(path)["项目1"]["A1"].value == "2030年部门项目支出预算绩效目标表"


def test_empty_submission_gets_the_sheets_it_asks_for(tmp_path: Path) -> None:
    sub = Submission.model_validate({"source": {"path": "x"}})
    path = tmp_path / "e.xlsx"
    assert write_workbook(str(path), submission=sub, year=2026, projects=2) == []
    wb = openpyxl.load_workbook(path)
    # no department plan: no department sheet, so no pages of empty framework to print
    assert wb.sheetnames == ["填报说明", "项目1", "项目2", "_lists"]
    assert wb["项目1"]["C14"].value is None


def test_fill_writes_no_sheet_the_submission_has_nothing_for(tmp_path: Path) -> None:
    """Before: a submission without projects still got a blank 项目1, and one without a
    department plan five pages of empty department framework when printed."""
    no_projects = make_submission(projects=1)
    no_projects.projects = []
    path = tmp_path / "dept-only.xlsx"
    write_workbook(str(path), submission=no_projects, projects=0)
    assert openpyxl.load_workbook(path).sheetnames == ["填报说明", "部门整体绩效目标", "_lists"]
    projects_only = make_submission(projects=2)
    projects_only.department_plan = None
    path = tmp_path / "projects-only.xlsx"
    write_workbook(str(path), submission=projects_only, projects=0)
    assert openpyxl.load_workbook(path).sheetnames == ["填报说明", "项目1", "项目2", "_lists"]
    result = CliRunner().invoke(app, ["fill", str(_json(tmp_path, no_projects)), "-o", str(tmp_path / "cli.xlsx")])
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(tmp_path / "cli.xlsx").sheetnames == ["填报说明", "部门整体绩效目标", "_lists"]


def _json(tmp_path: Path, sub: Submission, name: str = "sub.json") -> Path:
    path = tmp_path / name
    path.write_text(sub.to_json(), encoding="utf-8")
    return path


def test_fill_never_invents_a_year(tmp_path: Path) -> None:
    """Before: ``"year": null`` was written as next year on the cover and every title."""
    sub = make_submission(projects=1)
    sub.year = None
    sub.department_plan.long_term_horizon = None  # the 近两年 years (2024, 2025) the plan states are kept
    path = tmp_path / "noyear.xlsx"
    notes = write_workbook(str(path), submission=sub)
    assert [(n.code, n.where, n.severity) for n in notes] == [("fill-year-unknown", "填报说明", "warning")]
    wb = openpyxl.load_workbook(path)
    assert wb["填报说明"]["B3"].value is None
    assert wb["填报说明"]["A1"].value == "预算绩效目标申报表（标准模板）"
    assert wb["项目1"]["A1"].value == "部门项目支出预算绩效目标表"
    dept = wb["部门整体绩效目标"]
    assert dept["A1"].value == "部门整体绩效目标申报表" and dept["B31"].value == "长期目标"
    assert (dept["F4"].value, dept["G4"].value) == ("2024年", "2025年")  # stated by the plan itself
    sub.department_plan.previous_years = []  # nothing states them: the headers stay blank
    write_workbook(str(tmp_path / "blank-years.xlsx"), submission=sub)
    dept = openpyxl.load_workbook(tmp_path / "blank-years.xlsx")["部门整体绩效目标"]
    assert (dept["F4"].value, dept["G4"].value) == (None, None)
    again = import_workbook(str(tmp_path / "blank-years.xlsx"))
    codes = {f.code for f in again.report.findings}
    assert again.submission.year is None and "year-unknown" in codes
    assert not {f.where for f in again.report.findings if f.code == "unmapped-cell"} & {"填报说明!A1", "项目1!A1"}
    assert "required-field-missing" not in codes  # 部门名称 is on the cover


def test_fill_reports_an_amount_it_cannot_write_as_a_number(tmp_path: Path) -> None:
    """Before: ``2,8505`` went as text into a number-only cell and fill exited 0."""
    sub = make_submission(projects=2)
    result = CliRunner().invoke(app, ["fill", str(_json(tmp_path, sub)), "-o", str(tmp_path / "f.xlsx")],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 1, result.output
    assert "fill-amount-not-number" in result.output and "项目2!D6" in result.output and "2,8505" in result.output


def test_fill_notes_department_details_that_differ_from_the_cover(tmp_path: Path) -> None:
    """部门名称 / 填报人 / 联系电话 / 填报日期 are asked once (cover); a plan's own different
    value is reported, never silently dropped."""
    sub = make_submission(projects=1)
    sub.department_plan.filled_by = "李四"
    notes = write_workbook(str(tmp_path / "d.xlsx"), submission=sub)
    assert [(n.code, n.text) for n in notes] == [("fill-value-differs", "李四")]
    assert "张三" in notes[0].message
    sub.department.filled_by = None  # the plan's value is used when the cover has none
    write_workbook(str(tmp_path / "e.xlsx"), submission=sub)
    assert openpyxl.load_workbook(tmp_path / "e.xlsx")["填报说明"]["B9"].value == "李四"


def test_cli_fill(tmp_path: Path) -> None:
    src = tmp_path / "sub.json"
    src.write_text(make_submission(projects=2).to_json(), encoding="utf-8")
    out = tmp_path / "filled.xlsx"
    result = CliRunner().invoke(app, ["fill", str(src), "-o", str(out)])
    assert result.exit_code == 1, result.output  # 项目2's 2,8505 is not a number
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
    assert cached["D8"].value == pytest.approx(1000.5) and cached["E9"].value == pytest.approx(700.5 / 1000.5)


def test_libreoffice_prints_a_filled_workbook(filled: tuple[Path, list], tmp_path: Path) -> None:
    pdf = soffice_convert(filled[0], tmp_path / "pdf", "pdf")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_libreoffice_prints_every_department_table_page_under_its_header(tmp_path: Path) -> None:
    """阳新 (seed 004) filled and printed: each indicator table starts a page with its header,
    and a table longer than a page repeats its header (before: landscape with the title row
    repeated, the tables' later pages without their header); a workbook without a department
    plan prints no department pages (before: five pages of empty framework)."""
    from test_template import pdf_pages

    first = import_workbook(str(SAMPLES / "004_yangxin_2026.xlsx")).submission
    path = tmp_path / "yangxin.xlsx"
    write_workbook(str(path), submission=first, projects=0)
    pages = pdf_pages(soffice_convert(path, tmp_path / "pdf", "pdf"))
    framework = ("公用经费控制率", "预算执行率", "服务对象满意度", "联系部门满意度")
    table_pages = [p for p in pages if any(name in p for name in framework)]
    assert len(table_pages) >= 2
    for page in table_pages:
        assert "一级指标" in page and "三级指标" in page and "指标分类" in page, page[:300]
    assert all(f"共 {len(pages)} 页" in p for p in pages)
    projects_only = make_submission(projects=1)
    projects_only.department_plan = None
    write_workbook(str(tmp_path / "p.xlsx"), submission=projects_only, projects=0)
    pages = pdf_pages(soffice_convert(tmp_path / "p.xlsx", tmp_path / "pdf2", "pdf"))
    assert len(pages) == 2 and not any("2026年部门整体绩效目标申报表" in p for p in pages)
