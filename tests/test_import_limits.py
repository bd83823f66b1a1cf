"""A year or a 行政区划代码 outside what xlperf accepts (templates/inputs.toml) is reported
at the cell it was read from and left unknown, never kept (docs/review-rules.md)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from helpers import build_project_workbook

from xlperf.importer import import_workbook


def _with_cover(tmp_path: Path, year: object, code: str) -> str:
    path = build_project_workbook(tmp_path / "a.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("填报说明", 0)
    for r, (label, value) in enumerate((("年度", year), ("省", "宁夏回族自治区"), ("县(区)", "彭阳县"),
                                        ("行政区划代码", code), ("部门名称", "测试县司法局")), start=1):
        ws.cell(row=r, column=1, value=label)
        ws.cell(row=r, column=2, value=value)
    wb.save(path)
    return str(path)


def test_a_year_and_code_out_of_range_point_at_their_cover_cells(tmp_path: Path) -> None:
    result = import_workbook(_with_cover(tmp_path, 1234, "6404"))
    found = {f.code: f for f in result.report.findings}
    assert result.submission is not None
    assert result.submission.year == 2025  # the cover's 1234 is not kept; the titles say 2025
    assert result.submission.region.division_code is None
    year, code = found["year-invalid"], found["division-code-invalid"]
    assert (year.sheet, year.cell, year.text) == ("填报说明", "B1", "1234")
    assert (code.sheet, code.cell, code.text) == ("填报说明", "B4", "6404")


def test_a_good_cover_year_is_kept(tmp_path: Path) -> None:
    result = import_workbook(_with_cover(tmp_path, "2026年", "640425"))
    assert result.submission is not None and result.submission.year == 2026
    assert result.submission.region.division_code == "640425"
    assert not {"year-invalid", "division-code-invalid"} & {f.code for f in result.report.findings}
