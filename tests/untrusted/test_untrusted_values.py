"""Readable but untrusted files: what is read, what is normalised, what is reported.

Every test here runs twice (fixture ``reader``): with each part parsed whole, and
parsed in pieces (the way large parts are read); both must give the same result.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from badfiles import CASES, INDICATORS, INJECTIONS, cell, raw_xlsx, sheet_xml
from typer.testing import CliRunner

import xlperf.importer
from xlperf.cli import app
from xlperf.importer import ImportResult, import_workbook
from xlperf.readers.grid import Workbook
from xlperf.readers.xlsx import ReadLimits, read_workbook, read_workbook_bytes

runner = CliRunner()
CASE_BY_NAME = {case.name: case for case in CASES}
_SPARSE = ReadLimits(whole_below=0)


@pytest.fixture(params=["whole", "pieces"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], Workbook]:
    """``reader(path)`` -> Workbook through one reader path; import_workbook in this
    process uses the same path for the test (the CLI imports in a worker process, which
    reads parts of this size whole)."""
    if request.param == "pieces":
        monkeypatch.setattr(xlperf.importer, "read_workbook_bytes", functools.partial(read_workbook_bytes, limits=_SPARSE))
        return functools.partial(read_workbook, limits=_SPARSE)
    return read_workbook  # type: ignore[return-value]


def _imported(path: Path) -> ImportResult:
    result = import_workbook(str(path))
    assert result.submission is not None, result.report.findings
    return result


def _reading(result: ImportResult, *codes: str) -> list[tuple[str, str, str | None]]:
    return [(f.code, f.where, f.text) for f in result.report.findings if f.code in codes]


def test_dimension_that_lies_is_ignored(reader: Callable[[Path], Workbook], build: Callable[[str], Path]) -> None:
    wb = reader(build("dimension-lies"))
    cells = wb.sheets[0].cells
    assert len(cells) == 2000
    assert [cells[(r, 0)] for r in range(1000)] == [float(i) for i in range(1, 1001)]
    assert cells[(999, 1)] == "第1000行"


def test_ragged_rows_without_dimension(reader: Callable[[Path], Workbook], build: Callable[[str], Path]) -> None:
    wb = reader(build("ragged-no-dimension"))
    assert wb.sheets[0].cells == {(0, 0): "a", (1, 0): 1.0, (1, 1): 2.0, (1, 2): 3.0, (1, 3): 4.0, (1, 4): 5.0,
                                  (2, 0): "x", (2, 1): "y", (2, 2): "z"}


def test_formulas_and_error_values_are_findings_with_the_cell(reader: Callable[[Path], Workbook],
                                                             build: Callable[[str], Path]) -> None:
    path = build("formulas-and-errors")
    wb = reader(path)
    cells = wb.sheets[0].cells
    assert cells[(2, 1)] == 3.0  # the cached value of a formula is used
    assert (1, 1) not in cells and (3, 1) not in cells and (6, 1) not in cells  # never None or "#DIV/0!" text
    assert [(f.code, f.where, f.text) for f in wb.findings] == [
        ("excel-error-value", "Sheet1!B4", "#DIV/0!"),
        ("excel-error-value", "Sheet1!B5", "#N/A"),
        ("excel-error-value", "Sheet1!B6", "#REF!"),
        ("formula-no-cached-value", "Sheet1!B2", None),
    ]  # B7: a formula whose cached result is "" is not a problem
    result = import_workbook(str(path))
    assert result.exit_code == 1
    assert {f.severity for f in result.report.findings if f.code in ("excel-error-value", "formula-no-cached-value")} == {"error"}
    [div0] = [f for f in result.report.findings if f.where == "Sheet1!B4"]
    assert "#DIV/0!" in div0.message and "修正公式" in div0.message


def test_merged_levels_carry_down(reader: Callable[[Path], Workbook], build: Callable[[str], Path]) -> None:
    path = build("merged-levels")
    sheet = reader(path).sheets[0]
    assert (8, 0, 11, 0) in sheet.merged and (12, 0, 13, 0) in sheet.merged  # 1-产出指标, 2-效益指标 merged down
    assert (8, 1) in sheet.cells and (9, 0) not in sheet.cells
    result = _imported(path)
    [project] = result.submission.projects  # type: ignore[union-attr]
    got = [(i.level1_code, i.level2_code, i.name, i.target.raw if i.target else None) for i in project.indicators]
    assert got == [(l1.split("-")[0], l2.split("-")[0], name, target) for l1, l2, name, target in INDICATORS]
    assert result.exit_code == 0


def test_hidden_rows_and_sheets_are_read_with_a_warning(reader: Callable[[Path], Workbook],
                                                        build: Callable[[str], Path]) -> None:
    result = _imported(build("hidden-rows-and-sheet"))
    assert _reading(result, "hidden-rows", "hidden-sheet") == [("hidden-rows", "项目1!A10", None), ("hidden-sheet", "项目2", None)]
    messages = {f.code: f.message for f in result.report.findings}
    assert "第 10、11 行" in messages["hidden-rows"] and "“项目2”是隐藏的" in messages["hidden-sheet"]
    assert all(f.severity == "warning" for f in result.report.findings if f.code.startswith("hidden"))
    names = [p.name for p in result.submission.projects]  # type: ignore[union-attr]
    assert names == ["2024 年全区法律援助案件补助经费", "隐藏表中的项目"]
    assert [i.name for i in result.submission.projects[0].indicators][1:3] == ["案件办结率", "补助发放及时率"]  # type: ignore[union-attr]


def test_fullwidth_nbsp_zero_width_and_x000d_are_normalised_and_listed(reader: Callable[[Path], Workbook],
                                                                      build: Callable[[str], Path]) -> None:
    result = _imported(build("fullwidth-nbsp"))
    [project] = result.submission.projects  # type: ignore[union-attr]
    assert project.name == "法律援助 经费"
    assert project.duration == "1 年"
    assert project.performance_target == "第一行\n第二行"
    assert project.indicators[0].target.raw == "≥396件"  # type: ignore[union-attr]
    assert project.indicators[0].target.value == Decimal(396)  # type: ignore[union-attr]
    changes = {f.where: f.message for f in result.report.findings if f.code == "text-normalised"}
    assert set(changes) == {"项目1!B3", "项目1!D5", "项目1!B7", "项目1!D9"}
    assert "去除了零宽字符" in changes["项目1!B3"] and "不间断空格" in changes["项目1!B3"]
    assert "全角数字改为半角数字" in changes["项目1!D5"] and "全角数字改为半角数字" in changes["项目1!D9"]
    assert "_x000D_" in changes["项目1!B7"]
    assert result.exit_code == 0


def test_carriage_return_escape_becomes_a_line_break(reader: Callable[[Path], Workbook], tmp_path: Path) -> None:
    path = raw_xlsx(tmp_path / "cr.xlsx", [("Sheet1", sheet_xml(
        '<row r="1">' + cell("A1", "第一行_x000D_\n第二行") + cell("B1", "a\u00a0b") + "</row>"))])
    wb = reader(path)
    assert wb.sheets[0].cells == {(0, 0): "第一行\n第二行", (0, 1): "a b"}
    assert [(f.code, f.where) for f in wb.findings] == [("text-normalised", "Sheet1!A1"), ("text-normalised", "Sheet1!B1")]
    assert "回车符（_x000D_）改为换行" in wb.findings[0].message


def test_numbers_and_dates_where_text_is_expected(reader: Callable[[Path], Workbook], build: Callable[[str], Path]) -> None:
    result = _imported(build("typed-values"))
    sub = result.submission
    assert sub is not None
    assert _reading(result, "date-as-number", "date-where-text-expected", "number-stored-as-text") == [
        ("date-as-number", "填报说明!B7", "45678"),
        ("date-where-text-expected", "项目1!D5", None),
        ("number-stored-as-text", "项目1!D6", "31.9"),
    ]
    assert sub.department.fill_date == "2025-01-21"
    assert sub.projects[0].duration == "2025-01-02"
    assert sub.projects[0].annual_amount == Decimal("31.9")
    messages = {f.code: f.message for f in result.report.findings}
    assert "2025-01-21" in messages["date-as-number"] and "项目期限" in messages["date-where-text-expected"]


def test_leading_zero_code_stays_text(reader: Callable[[Path], Workbook], build: Callable[[str], Path],
                                      tmp_path: Path) -> None:
    path = build("leading-zero-code")
    result = _imported(path)
    assert result.submission.projects[0].code == "01001"  # type: ignore[union-attr]
    out = tmp_path / "out.json"
    assert runner.invoke(app, ["import", str(path), "--json", str(out)]).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["projects"][0]["code"] == "01001"


def test_a_40000_character_cell_is_kept_whole(reader: Callable[[Path], Workbook], build: Callable[[str], Path],
                                              tmp_path: Path) -> None:
    path = build("long-cell-40000")
    result = _imported(path)
    goal = result.submission.projects[0].performance_target  # type: ignore[union-attr]
    assert goal is not None and len(goal) == 40_000 and goal.startswith("保障法律援助")
    out = tmp_path / "out.json"
    assert runner.invoke(app, ["import", str(path), "--json", str(out)]).exit_code == 1  # a cut-down form: required fields missing
    assert json.loads(out.read_text(encoding="utf-8"))["projects"][0]["performance_target"] == goal


def test_formula_injection_strings_stay_plain_text(reader: Callable[[Path], Workbook], build: Callable[[str], Path],
                                                   tmp_path: Path) -> None:
    path = build("formula-injection")
    result = _imported(path)
    [project] = result.submission.projects  # type: ignore[union-attr]
    assert project.name == INJECTIONS[0] and project.performance_target == INJECTIONS[4]
    assert [i.name for i in project.indicators][:6] == list(INJECTIONS)
    assert [i.target.raw for i in project.indicators][1:3] == ["+1", "-1"]  # type: ignore[union-attr]
    out = tmp_path / "out.json"
    cli = runner.invoke(app, ["import", str(path), "--json", str(out), "--format", "json"])
    assert cli.exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["projects"][0]["name"] == INJECTIONS[0]
    assert [i["name"] for i in data["projects"][0]["indicators"]][:6] == list(INJECTIONS)
    assert [i["target"]["raw"] for i in data["projects"][0]["indicators"]][1:3] == ["+1", "-1"]


def test_xlsm_is_read_with_a_macro_warning(reader: Callable[[Path], Workbook], build: Callable[[str], Path]) -> None:
    path = build("xlsm")
    wb = reader(path)
    assert wb.kind == "xlsm"
    assert wb.sheets[0].cells == {(0, 0): "项目名称", (0, 1): "法律援助"}
    result = _imported(path)
    [first] = [f for f in result.report.findings if f.code == "macros-ignored"]
    assert first.severity == "warning" and "宏不会被执行" in first.message
    assert result.submission.projects[0].name == "法律援助"  # type: ignore[union-attr]


def test_values_that_are_not_numbers_are_reported_not_kept(reader: Callable[[Path], Workbook], tmp_path: Path) -> None:
    rows = '<row r="1">' + cell("A1", "NaN", t="n") + cell("B1", "1e999", t="n") + cell("C1", 2.5) + "</row>"
    wb = reader(raw_xlsx(tmp_path / "nan.xlsx", [("Sheet1", sheet_xml(rows))]))
    assert wb.sheets[0].cells == {(0, 2): 2.5}
    assert wb.sheets[0].grid == {0: [(2, 2.5)]}  # the row index agrees (built with the cells)
    assert [(f.code, f.where, f.severity) for f in wb.findings] == [("number-invalid", "Sheet1!A1", "error"),
                                                                     ("number-too-large", "Sheet1!B1", "error")]


def test_dates_read_the_same_on_both_paths(reader: Callable[[Path], Workbook], tmp_path: Path) -> None:
    styles = ('<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              '<numFmts count="1"><numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>'
              '<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="176"/><xf numFmtId="46"/></cellXfs></styleSheet>')
    rows = ('<row r="1">' + cell("A1", 45678, s=1) + cell("B1", 45678.5, s=2) + cell("C1", 0.5, s=1)
            + cell("D1", 1.5, s=3) + cell("E1", 45678, s=0) + cell("F1", "2024-01-02T00:00:00", t="d") + "</row>")
    wb = reader(raw_xlsx(tmp_path / "dates.xlsx", [("Sheet1", sheet_xml(rows))], replace={"xl/styles.xml": styles}))
    assert wb.sheets[0].cells == {(0, 0): _dt.date(2025, 1, 21), (0, 1): _dt.datetime(2025, 1, 21, 12), (0, 2): _dt.time(12),
                                  (0, 3): _dt.timedelta(days=1.5), (0, 4): 45678.0, (0, 5): _dt.datetime(2024, 1, 2)}


@pytest.mark.parametrize("case", ["merged-levels", "typed-values", "formula-injection", "hidden-rows-and-sheet",
                                  "formulas-and-errors"])
def test_the_same_file_imported_twice_gives_identical_results(case: str, reader: Callable[[Path], Workbook],
                                                              build: Callable[[str], Path], tmp_path: Path) -> None:
    path = build(case)
    first, second = import_workbook(str(path)), import_workbook(str(path))
    assert first.to_dict() == second.to_dict()
    assert first.submission.model_dump() == second.submission.model_dump()  # type: ignore[union-attr]
    outs = [tmp_path / "a.json", tmp_path / "b.json"]
    for out in outs:
        assert runner.invoke(app, ["import", str(path), "--json", str(out)]).exit_code == CASE_BY_NAME[case].exit_code
    assert outs[0].read_bytes() == outs[1].read_bytes()


def test_markup_and_control_characters_reach_no_terminal(reader: Callable[[Path], Workbook],
                                                         build: Callable[[str], Path]) -> None:
    path = build("markup-and-control-characters")
    wb = reader(path)
    assert wb.sheets[0].cells == {(0, 0): "[/red] 闭合标签 [bold]x", (0, 1): "[link=file:///etc/passwd]点我[/link]",
                                  (0, 2): "]0;pwned标题[2J"}
    [control] = wb.findings
    assert (control.code, control.where) == ("text-normalised", "Sheet1!C1") and "去除了控制字符" in control.message
    result = runner.invoke(app, ["import", str(path)], env={"COLUMNS": "400"})  # the table: rich would read markup
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "[/red]" in result.output and "[link=file:///etc/passwd]" in result.output
    assert "\x1b" not in result.output and "\x07" not in result.output


@pytest.mark.parametrize("neighbour", ["x", "a\u00a0b"])  # plain: one-search fast path; NBSP: per-cell cleaning
def test_a_cell_of_spaces_is_kept_whatever_else_the_sheet_holds(reader: Callable[[Path], Workbook], tmp_path: Path,
                                                                neighbour: str) -> None:
    """A cell holding only spaces is kept as typed (then reported unmapped by import),
    the same on a sheet that needs no cleaning and on one that does."""
    path = raw_xlsx(tmp_path / "spaces.xlsx", [("Sheet1", sheet_xml('<row r="1">' + cell("A1", "   ") + cell("B1", neighbour)
                                                                      + "</row>"))])
    cells = reader(path).sheets[0].cells
    assert cells[(0, 0)] == "   "
    assert cells[(0, 1)] == neighbour.replace("\u00a0", " ")
