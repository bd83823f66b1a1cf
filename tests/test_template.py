"""`xlperf template`: the blank workbook, read back with openpyxl (never byte-compared).

The layout contract the importer relies on: every label holds exactly the words of
labels.toml (= the seeds' words), its input is directly right of it and unlocked, each
indicator table starts with a header row; dropdowns come from the hidden ``_lists`` sheet.
"""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from helpers import soffice_convert
from openpyxl.cell.cell import MergedCell
from typer.testing import CliRunner

from xlperf.cli import app
from xlperf.data import load_data
from xlperf.taxonomy import load_taxonomy
from xlperf.writers.template import write_template
from xlperf.writers.template.sheets import load_template_sheets

LABELS = load_data("labels.toml")
TAX = load_taxonomy()
LAYOUT = load_template_sheets()
SHEETS = ["填报说明", "部门整体绩效目标", "项目1", "项目2", "项目3", "_lists"]


def first(section: str, key: str) -> str:
    return LABELS[section][key][0]


@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "模板.xlsx"
    write_template(str(path), year=2026, projects=3)
    return path


@pytest.fixture(scope="module")
def wb(blank: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(blank)


def dv_at(ws, coord: str):
    """The data validation covering *coord*, or None."""
    found = [dv for dv in ws.data_validations.dataValidation if coord in dv.sqref]
    assert len(found) <= 1, f"{ws.title}!{coord} has {len(found)} validations"
    return found[0] if found else None


def assert_label_and_input(ws, coord: str, words: str) -> None:
    cell = ws[coord]
    assert cell.value == words, f"{ws.title}!{coord}: {cell.value!r} != {words!r}"
    assert cell.protection.locked, f"{ws.title}!{coord} label must be locked"
    right = ws.cell(row=cell.row, column=cell.column + 1)
    assert not right.protection.locked, f"{ws.title}!{right.coordinate} (right of {words}) must be unlocked"
    assert right.value is None or ws.title == "填报说明"


def test_sheet_names_order_and_visibility(wb: openpyxl.Workbook) -> None:
    assert wb.sheetnames == SHEETS
    assert wb["_lists"].sheet_state == "hidden"
    assert all(wb[n].sheet_state == "visible" for n in SHEETS[:-1])
    assert wb.active.title == "填报说明"


def test_cover_submission_block(wb: openpyxl.Workbook) -> None:
    ws = wb["填报说明"]
    assert ws["A1"].value == "2026年预算绩效目标申报表（标准模板）"
    keys = ["year", "province", "city", "county", "division_code", "department", "filled_by", "phone", "fill_date"]
    words = ["年度", "省", "市", "县(区)", "行政区划代码", "部门名称", "填报人", "联系电话", "填报日期"]
    for row, (key, word) in enumerate(zip(keys, words), start=3):
        assert first("cover", key) == word
        assert_label_and_input(ws, f"A{row}", word)
        dv = dv_at(ws, f"B{row}")
        assert dv is not None and dv.prompt, f"B{row} needs an input message"
    assert ws["B3"].value == 2026
    assert ws["A12"].value is None and ws["A13"].value == "填写说明"
    assert "下拉列表" in "".join(str(ws.cell(row=r, column=1).value) for r in range(15, 26))


def test_project_label_block(wb: openpyxl.Workbook) -> None:
    ws = wb["项目2"]
    assert ws["A1"].value == "2026年部门项目支出预算绩效目标表"
    assert ws["E2"].value == "单位：万元"
    expected = {"A3": "项目名称", "A4": "主管部门", "C4": "实施单位", "A5": "项目属性", "C5": "项目期限",
                "A6": "项目主管处室", "C6": "项目年度金额", "A7": "年度总体绩效目标", "A8": "项目编码",
                "A9": "财政资金", "C9": "其他资金", "A10": "资金用途"}
    for coord, words in expected.items():
        assert_label_and_input(ws, coord, words)
    for key, coord in {"name": "A3", "competent_department": "A4", "implementing_unit": "C4", "attribute": "A5",
                       "duration": "C5", "supervising_office": "A6", "annual_amount": "C6", "performance_target": "A7",
                       "code": "A8", "fiscal_funds": "A9", "other_funds": "C9", "fund_use": "A10"}.items():
        assert ws[coord].value == first("project", key)
    # 资金支出计划: label over two rows, checkpoints as headers, cumulative % below
    assert ws["A11"].value == first("project", "spending_plan") == "资金支出计划(%)"
    assert [ws.cell(row=11, column=c).value for c in range(2, 6)] == ["3月底", "6月底", "10月底", "12月底"]
    for c in "BCDE":
        assert not ws[f"{c}12"].protection.locked and ws[f"{c}12"].value is None
        dv = dv_at(ws, f"{c}12")
        assert (dv.type, dv.operator or "between", dv.formula1, dv.formula2) == ("decimal", "between", "0", "100")


def test_project_indicator_table(wb: openpyxl.Workbook) -> None:
    ws = wb["项目1"]
    assert [ws.cell(row=13, column=c).value for c in range(1, 6)] == ["一级指标", "二级指标", "三级指标", "绩效值", "指标值确定依据"]
    standard = [(ws.cell(row=r, column=1).value, ws.cell(row=r, column=2).value) for r in range(14, 23)]
    assert standard == [("1-产出指标", "11-数量指标"), ("1-产出指标", "12-质量指标"), ("1-产出指标", "13-时效指标"),
                        ("1-产出指标", "14-成本指标"), ("2-效益指标", "21-经济效益"), ("2-效益指标", "22-社会效益"),
                        ("2-效益指标", "23-生态效益"), ("2-效益指标", "24-可持续影响"), ("3-满意度指标", "31-服务对象满意度")]
    for r in range(14, 23):
        assert ws.cell(row=r, column=1).protection.locked and ws.cell(row=r, column=2).protection.locked
        assert all(not ws.cell(row=r, column=c).protection.locked for c in (3, 4, 5))
    for r in range(23, 38):  # 15 spare rows, every cell an input
        assert all(not ws.cell(row=r, column=c).protection.locked and ws.cell(row=r, column=c).value is None
                   for c in range(1, 6)), r
    assert ws.max_row == 37


def test_department_layout(wb: openpyxl.Workbook) -> None:
    ws = wb["部门整体绩效目标"]
    assert ws["A1"].value == "2026年部门整体绩效目标申报表"
    for coord, words in {"A13": "部门职能概述", "A14": "年度工作任务"}.items():
        assert_label_and_input(ws, coord, words)
    # 部门名称 / 填报人 / 联系电话 / 填报日期 are asked once, on the cover: not here again
    asked = {"填报日期", "部门(单位)名称", "部门名称", "填报人", "联系电话"}
    assert not [c.coordinate for row in ws.iter_rows() for c in row if c.value in asked]
    assert ws["G2"].value == "单位：万元"
    fixed = {"A3": "部门总体资金情况", "F3": "近两年收支金额", "B4": "总体资金情况", "D4": "当年金额", "E4": "占比",
             "F4": "2024年", "G4": "2025年", "B5": "收入构成", "C5": "财政拨款", "C6": "财政专户管理资金",
             "C7": "单位资金", "C8": "合计", "B9": "支出构成", "C9": "人员类项目支出", "C10": "运转类项目支出",
             "C11": "特定目标类项目支出", "C12": "合计", "A15": "项目支出情况", "B15": "项目名称", "D15": "支出项目类别",
             "E15": "项目总预算", "F15": "项目本年度预算", "G15": "项目主要支出方向和用途", "A31": "整体绩效总目标",
             "A33": "长期绩效指标", "B33": "一级指标", "C33": "二级指标", "D33": "三级指标", "E33": "指标值",
             "H33": "指标值确定依据", "I33": "指标分类"}
    for coord, words in fixed.items():
        assert ws[coord].value == words, coord
    for coord in ("C5", "C6", "C7", "C9", "C10", "C11"):  # amounts right of each composition item
        assert not ws.cell(row=ws[coord].row, column=4).protection.locked
    for r in range(16, 31):  # 15 blank 项目支出情况 rows
        assert all(not ws.cell(row=r, column=c).protection.locked for c in range(2, 10))
    assert_label_and_input(ws, "B31", "长期目标(截止2030年)")
    assert_label_and_input(ws, "B32", "年度目标")


def test_department_framework_rows(wb: openpyxl.Workbook) -> None:
    ws = wb["部门整体绩效目标"]
    fw = LAYOUT.framework(core_rows=5)
    assert len(fw) == 40
    assert fw[0] == ("运行成本", "公用经费控制", "公用经费控制率")
    assert fw[-1] == ("满意度", "联系部门满意度", "联系部门满意度")
    assert ("履职效能", "核心业务产出 1", "") in fw and ("管理效率", "财务管理", "资金使用合规性") in fw
    long_rows = [tuple(ws.cell(row=r, column=c).value or "" for c in (2, 3, 4)) for r in range(34, 74)]
    assert long_rows == fw
    # 年度绩效指标: group row 84, header row 85 (前年 / 上年 in the header row itself), framework from 86
    assert ws["A84"].value == "年度绩效指标" and ws["E84"].value == "近两年指标值"
    assert [ws.cell(row=85, column=c).value for c in range(2, 10)] == [
        "一级指标", "二级指标", "三级指标", "前年", "上年", "预期当年实现值", "指标值确定依据", "指标分类"]
    annual_rows = [tuple(ws.cell(row=r, column=c).value or "" for c in (2, 3, 4)) for r in range(86, 126)]
    assert annual_rows == fw
    for r in range(86, 126):
        l3 = ws.cell(row=r, column=4)
        assert l3.protection.locked == bool(l3.value), f"D{r}: a named 三级 is fixed, a blank one is an input"
        assert all(not ws.cell(row=r, column=c).protection.locked for c in range(5, 10))
    for r in range(126, 136):  # 10 spare rows
        assert all(not ws.cell(row=r, column=c).protection.locked and ws.cell(row=r, column=c).value is None
                   for c in range(2, 10))
    assert ws.max_row == 135


def test_years_follow_the_year_option(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_template(str(path), year=2031, projects=1)
    wb = openpyxl.load_workbook(path)
    ws = wb["部门整体绩效目标"]
    assert (ws["F4"].value, ws["G4"].value) == ("2029年", "2030年")
    assert ws["B31"].value == "长期目标(截止2035年)"
    assert wb["项目1"]["A1"].value == "2031年部门项目支出预算绩效目标表"
    assert wb["填报说明"]["B3"].value == 2031
    assert wb.sheetnames == ["填报说明", "部门整体绩效目标", "项目1", "_lists"]


def test_share_and_totals_are_formulas(wb: openpyxl.Workbook) -> None:
    ws = wb["部门整体绩效目标"]
    assert ws["D8"].value == "=SUM(D5:D7)" and ws["F8"].value == "=SUM(F5:F7)" and ws["G8"].value == "=SUM(G5:G7)"
    assert ws["D12"].value == "=SUM(D9:D11)"
    assert ws["E5"].value == "=IF(N($D$8)=0,0,N(D5)/$D$8)"
    assert ws["E10"].value == "=IF(N($D$12)=0,0,N(D10)/$D$12)"
    assert "%" in ws["E5"].number_format
    assert all(ws[c].protection.locked for c in ("D8", "E5", "E12"))


def _lists_values(wb: openpyxl.Workbook, ref: str) -> list[str]:
    sheet, _, rng = ref.replace("'", "").lstrip("=").partition("!")
    cells = wb[sheet][rng.replace("$", "")]
    if not isinstance(cells, tuple):  # a one-cell range
        return [cells.value]
    return [row[0].value for row in cells if row[0].value is not None]


def test_list_validations_reference_the_hidden_sheet(wb: openpyxl.Workbook) -> None:
    n = 0
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            if dv.type == "list":
                n += 1
                assert not dv.formula1.startswith('"'), f"inline list in {ws.title}!{dv.sqref}"
                assert "_lists!" in dv.formula1, dv.formula1
    assert n >= 20
    ws = wb["项目1"]
    level1 = dv_at(ws, "A23")
    assert level1.type == "list" and level1.errorStyle in (None, "stop")
    assert _lists_values(wb, level1.formula1) == [lv.label for lv in TAX.level1]
    level2 = dv_at(ws, "B23")
    assert level2.formula1 == "INDIRECT(VLOOKUP($A23,_lists!$A$2:$B$5,2,FALSE))"
    assert level2.errorStyle in (None, "stop") and str(level2.sqref) == "B23:B37"
    basis = dv_at(ws, "E14")
    assert basis.errorStyle == "warning" and _lists_values(wb, basis.formula1) == load_data("lists.toml")["value_basis"]["values"]
    attr = dv_at(ws, "B5")
    assert attr.errorStyle == "warning" and _lists_values(wb, attr.formula1) == ["0101-一年期项目"]
    assert dv_at(ws, "A14") is None  # the standard rows' levels are fixed, not dropdowns
    dept = wb["部门整体绩效目标"]
    assert _lists_values(wb, dv_at(dept, "D16").formula1)[0] == "本级特定目标"
    assert _lists_values(wb, dv_at(dept, "I34").formula1) == ["基本型"]
    assert _lists_values(wb, dv_at(dept, "B128").formula1) == [lv.name for lv in TAX.dept_level1]
    assert dv_at(dept, "C128").formula1 == "INDIRECT(VLOOKUP($B126,_lists!$G$2:$H$7,2,FALSE))"


@pytest.mark.parametrize("tier, level1s", [("A2:B5", [lv.label for lv in TAX.level1]),
                                           ("G2:H7", [lv.name for lv in TAX.dept_level1])])
def test_dependent_level2_names_resolve(wb: openpyxl.Workbook, tier: str, level1s: list[str]) -> None:
    """VLOOKUP(一级) -> a defined name -> that 一级's 二级 list, checked for every 一级."""
    lookup = wb["_lists"][tier]
    assert [row[0].value for row in lookup] == level1s
    for text, name in ((row[0].value, row[1].value) for row in lookup):
        assert name.isascii() and name.replace("_", "").isalnum()
        values = _lists_values(wb, wb.defined_names[name].attr_text)
        if tier.startswith("A"):
            assert values == [lv.label for lv in TAX.level2_under(TAX.match_level1(text).level.name)]
        elif text == "履职效能":
            assert values[:2] == ["核心业务产出 1", "核心业务产出 2"] and len(values) == 20
        else:
            assert values == [lv.name for lv in TAX.dept_level2_under(text)]


def test_amount_and_percent_validations(wb: openpyxl.Workbook) -> None:
    ws = wb["项目1"]
    for coord in ("D6", "B9", "D9"):
        dv = dv_at(ws, coord)
        assert (dv.type, dv.operator, dv.formula1) == ("decimal", "greaterThanOrEqual", "0"), coord
        assert "万元" in dv.error and dv.prompt
    dept = wb["部门整体绩效目标"]
    for coord in ("D5", "F6", "G11", "E16", "F30"):
        dv = dv_at(dept, coord)
        assert (dv.type, dv.operator, dv.formula1) == ("decimal", "greaterThanOrEqual", "0"), coord


def test_every_input_cell_has_an_input_message(wb: openpyxl.Workbook) -> None:
    count = 0
    for ws in wb.worksheets[:-1]:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell, MergedCell) or cell.protection.locked:
                    continue
                dv = dv_at(ws, cell.coordinate)
                assert dv is not None and dv.prompt and dv.promptTitle, f"{ws.title}!{cell.coordinate}"
                assert dv.type in (None, "list", "decimal", "whole", "textLength")
                if dv.type is not None:
                    assert dv.error, f"{ws.title}!{cell.coordinate}: error message"
                count += 1
    assert count > 500


def test_protection_print_and_panes(wb: openpyxl.Workbook) -> None:
    panes = {"填报说明": "A2", "部门整体绩效目标": "B3", "项目1": "A3"}
    for name, pane in panes.items():
        ws = wb[name]
        assert ws.protection.sheet is True and ws.protection.password is None
        assert int(ws.page_setup.paperSize) == 9
        if name != "部门整体绩效目标":
            assert ws.sheet_properties.pageSetUpPr.fitToPage
            assert (ws.page_setup.fitToWidth or 1) == 1 and int(ws.page_setup.fitToHeight) == 0
        assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"
        assert ws.freeze_panes == pane
        assert ws["A1"].font.name == "宋体"
        assert ws.column_dimensions["A"].width >= (10 if name == "部门整体绩效目标" else 15)
    assert wb["项目1"].print_title_rows == "$13:$13"  # the indicator header on every printed page
    dept = wb["部门整体绩效目标"]
    assert dept.page_setup.orientation == "portrait"
    # each indicator table starts a page, at a scale at which it fits one page (its header on top)
    assert [b.id for b in dept.row_breaks.brk] == [32, 83]
    assert 60 <= int(dept.page_setup.scale) <= 100


def test_workbook_structure_is_locked(wb: openpyxl.Workbook, blank: Path) -> None:
    """Sheets cannot be unhidden, deleted or added (Excel, WPS): the hidden _lists sheet
    the dropdowns read stays in place. No password: a clerk is not locked out."""
    assert wb.security is not None and wb.security.lockStructure
    assert not wb.security.workbookPassword
    with zipfile.ZipFile(blank) as z:  # where the schema puts it: right after workbookPr
        assert '<workbookPr defaultThemeVersion="124226"/><workbookProtection lockStructure="1"/>' in z.read(
            "xl/workbook.xml").decode()
    assert wb["_lists"].sheet_state == "hidden"


def test_cli_template(tmp_path: Path) -> None:
    out = tmp_path / "cli.xlsx"
    result = CliRunner().invoke(app, ["template", "-o", str(out), "--year", "2026", "--projects", "2"])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["填报说明", "部门整体绩效目标", "项目1", "项目2", "_lists"]
    assert (wb["部门整体绩效目标"]["F4"].value, wb["部门整体绩效目标"]["G4"].value) == ("2024年", "2025年")


def test_cli_template_unwritable_target(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = CliRunner().invoke(app, ["template", "-o", str(blocker / "sub" / "t.xlsx")])
    assert result.exit_code == 2
    assert "无法在" in result.output and "路径中有一级不是文件夹" in result.output and "Errno" not in result.output


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        write_template("/tmp/never.xlsx", year=12, projects=1)
    with pytest.raises(ValueError):
        write_template("/tmp/never.xlsx", year=2026, projects=-1)


# -- LibreOffice: a real spreadsheet client opens, re-saves and prints the template -------------

def _validations(wb: openpyxl.Workbook) -> dict[tuple[str, str], tuple[str, str, str, str | None]]:
    """(sheet, cell) -> (type, formula1, error style, input message), with LibreOffice's
    spelling differences folded (it merges equal validations into one multi-range)."""
    out = {}
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            f1 = (dv.formula1 or "").replace("'", "").replace(",FALSE)", ",0)") if dv.type else ""
            for rng in dv.sqref.ranges:
                for row in ws.iter_rows(min_row=rng.min_row, max_row=rng.max_row, min_col=rng.min_col, max_col=rng.max_col):
                    for cell in row:
                        out[(ws.title, cell.coordinate)] = (dv.type or "any", f1, dv.errorStyle or "stop", dv.prompt)
    return out


def test_libreoffice_resave_keeps_dropdowns(blank: Path, tmp_path: Path) -> None:
    resaved = soffice_convert(blank, tmp_path / "lo", "xlsx")
    before, after = openpyxl.load_workbook(blank), openpyxl.load_workbook(resaved)
    assert after.sheetnames == before.sheetnames
    assert _validations(after) == _validations(before)
    ws = after["项目1"]
    assert ws["A13"].value == "一级指标" and ws["B22"].value == "31-服务对象满意度"
    assert ws.protection.sheet and not ws["B3"].protection.locked
    assert after["_lists"].sheet_state == "hidden"
    assert after["部门整体绩效目标"]["F4"].value == "2024年"


def test_libreoffice_evaluates_the_dependent_dropdown(blank: Path, tmp_path: Path) -> None:
    """Evaluate each 二级 list formula in LibreOffice for each 一级 and compare the lists."""
    wb = openpyxl.load_workbook(blank)
    check = wb.create_sheet("check")
    # the formulas exactly as the validations hold them, with the 一级 cell moved to column A
    proj = dv_at(wb["项目1"], "B23").formula1.replace("$A23", "$A{row}")
    dept = dv_at(wb["部门整体绩效目标"], "C128").formula1.replace("$B126", "$A{row}")
    cases = [(lv.label, proj, [l2.label for l2 in TAX.level2_under(lv.name)]) for lv in TAX.level1]
    cases += [(lv.name, dept, [l2.name for l2 in TAX.dept_level2_under(lv.name)]) for lv in TAX.dept_level1
              if lv.name != "履职效能"]
    for i, (level1, formula, expected) in enumerate(cases, start=1):
        check.cell(row=i, column=1, value=level1)
        for k in range(1, 9):
            check.cell(row=i, column=1 + k, value=f'=IFERROR(INDEX({formula.format(row=i)},{k}),"")')
    src = tmp_path / "check.xlsx"
    wb.save(src)
    values = openpyxl.load_workbook(soffice_convert(src, tmp_path / "lo", "xlsx"), data_only=True)["check"]
    for i, (level1, _, expected) in enumerate(cases, start=1):
        got = [values.cell(row=i, column=1 + k).value for k in range(1, 9)]
        assert [v for v in got if v] == expected, level1


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page of *pdf* (poppler's pdftotext, layout kept)."""
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return out.split("\f")[:-1]


def test_libreoffice_prints_the_template(blank: Path, tmp_path: Path) -> None:
    """Printed by LibreOffice: page numbers on every page, the department sheet one page
    wide, each indicator table on its own page under its header (before: the title row
    repeated, the 长期 / 年度 tables ran over pages without their header)."""
    pdf = soffice_convert(blank, tmp_path / "pdf", "pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 20_000
    pages = pdf_pages(pdf)
    assert all(f"第 {i} 页，共 {len(pages)} 页" in page for i, page in enumerate(pages, start=1))
    framework = [p for p in pages if "公用经费控制率" in p]  # the first framework row of both tables
    assert len(framework) == 2
    for page in framework:
        assert "一级指标" in page and "三级指标" in page and "指标分类" in page  # the header, to the last column
        assert "联系部门满意度" in page  # the table's last framework row: the table fits its page
    assert "长期绩效指标" in framework[0] and "预期当年实现值" in framework[1]
    assert len(pages) == 1 + 3 + 3  # cover, department (top part, two tables), three project sheets


def test_a_template_filled_by_a_script_is_not_failed_for_its_own_formulas(blank: Path, tmp_path: Path) -> None:
    """openpyxl (a script filling the template) saves formulas without results. Before: 14
    formula-no-cached-value errors for the template's own 合计 / 占比; now they are computed
    as the formulas would, with one warning. A formula of the clerk's own stays an error."""
    from decimal import Decimal

    from xlperf.importer import import_workbook

    wb = openpyxl.load_workbook(blank)
    ws = wb["部门整体绩效目标"]
    ws["D5"], ws["D6"], ws["F5"] = 800, 200.5, 700  # 财政拨款, 财政专户管理资金 (当年), 财政拨款 (2024)
    ws["D9"], ws["D10"] = 600, 400.5  # 人员类, 运转类
    wb["项目1"]["B3"], wb["项目1"]["D6"] = "测试项目", 10
    path = tmp_path / "script.xlsx"
    wb.save(path)
    r = import_workbook(str(path))
    codes = [f.code for f in r.report.findings]
    assert "formula-no-cached-value" not in codes and codes.count("formula-computed") == 1
    computed = next(f for f in r.report.findings if f.code == "formula-computed")
    assert "14 个单元格" in computed.message and "收入构成合计 1000.5 万元" in computed.message
    plan = r.submission.department_plan
    assert plan.revenue_total.current_amount == Decimal("1000.5") and plan.revenue_total.previous_amounts["2024"] == 700
    assert plan.expenditure_total.current_amount == Decimal("1000.5")
    assert [row.share_percent for row in plan.revenue] == [Decimal("79.96"), Decimal("20.04")]  # 单位资金: nothing typed
    assert "dept-total-mismatch" not in codes and "dept-share-sum" not in codes
    ws["K20"] = "=1+1"  # a formula of the clerk's own, not the template's
    wb.save(path)
    codes = [(f.code, f.where) for f in import_workbook(str(path)).report.findings]
    assert ("formula-no-cached-value", "部门整体绩效目标!K20") in codes
