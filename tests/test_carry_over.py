"""xlperf template --from LAST.xlsx --year N: next year's template pre-filled from last
year's submission (the samples, in their own layouts, and the template round trip), read
back through import: the same projects and indicators, the 近两年 columns shifted, each
carried value marked, and carried-over-unchanged while a project is left as it was
(docs/review-loop.md)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from helpers import SAMPLES, make_submission
from typer.testing import CliRunner

from xlperf.carryover import carry_forward, write_carried_template
from xlperf.cli import app
from xlperf.consolidate.manifest import read_manifest
from xlperf.data import load_data
from xlperf.importer import import_workbook
from xlperf.model import Submission
from xlperf.writers.template import write_workbook

SAMPLE_FILES = sorted(SAMPLES.glob("*.xlsx"))
assert len(SAMPLE_FILES) == 5
MANIFEST = read_manifest(str(SAMPLES / "manifest.csv"))
CARRIED = load_data("template_sheets.toml")["carried"]


def _projects(sub: Submission) -> list[tuple]:
    """What carries over of each project: its fields and its indicators (a multiset)."""
    return [(p.name, p.competent_department, p.implementing_unit, p.annual_amount, p.annual_amount_text,
             p.performance_target, Counter((i.level1, i.level2, i.name, i.target.raw if i.target else None)
                                           for i in p.indicators)) for p in sub.projects]


def _carried_cells(path: Path) -> dict[tuple[str, str], object]:
    ws = openpyxl.load_workbook(path)[CARRIED["sheet"]]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == CARRIED["headings"] and ws.sheet_state == "hidden"
    return {(sheet, cell): value for sheet, cell, value in rows[1:]}


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=[p.stem for p in SAMPLE_FILES])
def test_each_sample_carries_into_next_year(sample: Path, tmp_path: Path) -> None:
    last_year = MANIFEST.lookup(str(sample)).year
    out = tmp_path / "next.xlsx"
    outcome = write_carried_template(str(sample), str(out), year=last_year + 1)
    assert outcome.output == str(out) and outcome.last_year == last_year, outcome.problem
    last = import_workbook(str(sample)).submission
    now = import_workbook(str(out))
    assert now.submission.year == last_year + 1
    assert _projects(now.submission) == _projects(last)
    unchanged = [f for f in now.report.findings if f.code == "carried-over-unchanged"]
    sheets = {sheet for sheet, _cell in _carried_cells(out)}  # each project's sheet, the department form's if carried
    assert len(unchanged) == len(sheets) >= len(last.projects)
    assert {f.sheet for f in unchanged} == sheets
    assert {f.cell for f in unchanged} >= {p.cells["name"].split("!")[1] for p in now.submission.projects}
    assert now.report.stats["cells_reported"] == 0  # the note, the hidden sheet: nothing unmapped
    assert "hidden-sheet" not in now.report.codes()


def test_a_revised_project_is_no_longer_reported(tmp_path: Path) -> None:
    out = tmp_path / "2025.xlsx"
    write_carried_template(str(SAMPLES / "000_pengyang_2024.xlsx"), str(out))
    carried = _carried_cells(out)
    wb = openpyxl.load_workbook(out)
    name_cell = wb["项目1"]["B3"]
    assert carried[("项目1", "B3")] == name_cell.value  # the record is what was written
    rules = [r for cf in wb["项目1"].conditional_formatting for r in cf.rules if "B3" in str(cf.sqref)]
    assert rules and f"{CARRIED['sheet']}!$C$" in rules[0].formula[0] and rules[0].formula[0].startswith("$B$3=")
    wb["项目1"]["D6"] = 40  # the clerk types this year's amount
    wb.save(tmp_path / "revised.xlsx")
    findings = import_workbook(str(tmp_path / "revised.xlsx")).report.findings
    flagged = {f.sheet for f in findings if f.code == "carried-over-unchanged"}
    assert "项目1" not in flagged and "项目2" in flagged and len(flagged) == 11


def test_the_department_form_shifts_its_previous_years(tmp_path: Path) -> None:
    """阳新 (seed 004, 2026): 2027's 近两年 are 2025 (last year's 2025 column) and 2026
    (last year's 当年金额); an annual indicator's 前年 / 上年 are last year's 上年 / 当年."""
    out = tmp_path / "2027.xlsx"
    outcome = write_carried_template(str(SAMPLES / "004_yangxin_2026.xlsx"), str(out), year=2027)
    assert outcome.exit_code == 0
    last = import_workbook(str(SAMPLES / "004_yangxin_2026.xlsx")).submission.department_plan
    now = import_workbook(str(out)).submission.department_plan
    assert now.previous_years == ["2025", "2026"]
    for before, after in zip(last.revenue + last.expenditure, now.revenue + now.expenditure, strict=True):
        assert after.item == before.item and after.current_amount == before.current_amount
        assert after.previous_amounts.get("2026") == before.current_amount
        assert after.previous_amounts.get("2025") == before.previous_amounts.get("2025")
    for before, after in zip(last.annual_indicators, now.annual_indicators, strict=True):
        assert after.name == before.name and after.target.raw == before.target.raw
        raw = [t.raw if t else None for t in (after.value_two_years_ago, after.value_last_year)]
        assert raw == [before.value_last_year.raw if before.value_last_year else None, before.target.raw]
    carried = _carried_cells(out)
    ws = openpyxl.load_workbook(out)["部门整体绩效目标"]
    marked = {cell for sheet, cell in carried if sheet == "部门整体绩效目标"}
    items = {r.item for r in last.revenue + last.expenditure}
    rows = [c.row for c in ws["C"] if c.value in items]
    assert len(rows) == len(items)
    for r in rows:  # 当年金额 marked; the 近两年 amounts written but not marked: history, not to revise
        assert (f"D{r}" in marked) == (ws[f"D{r}"].value is not None), r
        assert f"F{r}" not in marked and f"G{r}" not in marked and ws[f"G{r}"].value == ws[f"D{r}"].value, r


def test_the_template_round_trip_carries_over(tmp_path: Path) -> None:
    sub = make_submission()
    write_workbook(str(tmp_path / "2026.xlsx"), submission=sub, year=sub.year)
    result = CliRunner().invoke(app, ["template", "--from", str(tmp_path / "2026.xlsx"), "-o", str(tmp_path / "2027.xlsx")])
    assert result.exit_code in (0, 1), result.output
    assert "已生成 2027 年模板" in result.output
    last = import_workbook(str(tmp_path / "2026.xlsx")).submission
    now = import_workbook(str(tmp_path / "2027.xlsx"))
    assert now.submission.year == 2027 and _projects(now.submission) == _projects(last)
    assert now.submission.department.fill_date is None and now.submission.department.name == last.department.name
    assert sum(f.code == "carried-over-unchanged" for f in now.report.findings) == len(last.projects) + 1


def test_carry_forward_by_year() -> None:
    last = make_submission()  # 2026; 在职人员控制率: 前年 91.03%, 上年 93.51%, 当年 92.31%
    two_later = carry_forward(last, year=2028, last_year=2026)
    ind = next(i for i in two_later.department_plan.annual_indicators if i.name == "在职人员控制率")
    assert ind.value_two_years_ago.raw == "92.31%" and ind.value_last_year is None and ind.target.raw == "92.31%"
    row = two_later.department_plan.revenue[0]
    assert row.previous_amounts == {"2026": Decimal("1000.5")} and two_later.department_plan.previous_years == ["2026", "2027"]
    assert last.department_plan.annual_indicators[0].value_last_year.raw == "93.51%"  # the input is not changed


def test_what_cannot_be_carried_over(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"PK\x03\x04 broken")
    result = runner.invoke(app, ["template", "--from", str(bad), "-o", str(tmp_path / "o.xlsx")])
    assert result.exit_code == 2 and "未生成模板" in result.output and not (tmp_path / "o.xlsx").exists()
    result = runner.invoke(app, ["template", "--from", str(SAMPLES / "000_pengyang_2024.xlsx"), "--year", "2024",
                                 "-o", str(tmp_path / "o.xlsx")])
    assert result.exit_code == 2 and "应晚于" in result.output
    result = runner.invoke(app, ["template", "--from", str(SAMPLES / "001_laoting_2022.xlsx"), "-o", str(tmp_path / "o.xlsx")])
    assert result.exit_code == 2 and "--year" in result.output  # 乐亭 states no year
    assert "Traceback" not in result.output
