"""The consolidated workbook as a consolidator prints and reads it: printed by LibreOffice
(the pages looked at as text and glyph sizes), read by pandas.

Before: 部门 / 项目 / 指标 / 部门指标 / 来源 printed at 25-47 % on one page width, 问题
at about 5 pt with 说明 and 原文 cut off; 概览's 合计 row was one more county to pandas."""

from __future__ import annotations

import re
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from helpers import SAMPLES, soffice_convert

from xlperf.consolidate.merge import consolidate
from xlperf.writers.outputs.xlsx import write_consolidated

SHEETS = ("概览", "部门", "项目", "指标", "部门指标", "问题", "来源")


@pytest.fixture(scope="module")
def merged(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201 - (result, workbook, pdf)
    work = tmp_path_factory.mktemp("print")
    result = consolidate([str(SAMPLES)], workers=1)
    book = work / "汇总.xlsx"
    write_consolidated(result, str(book))
    return result, book, soffice_convert(book, work / "pdf", "pdf")


def _pages(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return out.split("\f")[:-1]


def _lines(page: str) -> list[str]:
    return [line for line in page.splitlines() if line.strip()]


def _glyph_heights(pdf: Path, page: int) -> list[float]:
    """Heights (points) of the words of one page that hold a Chinese character."""
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    words = re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<', html)
    return [float(y1) - float(y0) for y0, y1, w in words if re.search(r"[\u4e00-\u9fff]", w)]


def test_overview_totals_are_not_a_county_to_pandas(merged) -> None:  # noqa: ANN001
    result, book, _ = merged
    df = pd.read_excel(book, sheet_name="概览", engine="openpyxl")
    assert len(df) == len(result.overview) == 5 and "合计" not in set(df["省"].astype(str))
    total = sum(v for v in result.overview["项目年度金额合计（万元）"] if v is not None)
    assert df["项目年度金额合计（万元）"].sum() == pytest.approx(float(total))  # once, not twice
    assert df["项目数"].sum() == 60
    with zipfile.ZipFile(book) as z:  # the 合计 is still on the sheet, as a text box under the table
        drawings = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/drawings/drawing"))
    assert "合计（5 个县区）" in drawings and f"项目年度金额合计 {Decimal(str(total)).normalize():f} 万元" in drawings


def test_every_sheet_prints_readably_with_page_numbers_and_headers(merged) -> None:  # noqa: ANN001
    _, _, pdf = merged
    pages = _pages(pdf)
    n = len(pages)
    for i, page in enumerate(pages, start=1):
        assert f"第 {i} 页，共 {n} 页" in page
        head = page.strip().splitlines()[0]
        assert head.startswith("预算绩效目标汇总") and head.split()[-1] in SHEETS, head
    by_sheet: dict[str, list[int]] = {}
    for i, page in enumerate(pages, start=1):
        by_sheet.setdefault(page.strip().splitlines()[0].split()[-1], []).append(i)
    assert set(by_sheet) == set(SHEETS)
    for sheet, numbers in by_sheet.items():  # glyphs at 60 % or more of 11 pt (before: down to about 3 pt)
        heights = [h for p in numbers[:3] for h in _glyph_heights(pdf, p)]
        assert heights and min(heights) >= 6.0, (sheet, min(heights))


def test_findings_fit_one_page_width_with_wrapped_text(merged) -> None:  # noqa: ANN001
    result, _, pdf = merged
    pages = [p for p in _pages(pdf) if p.strip().splitlines()[0].split()[-1] == "问题"]
    for page in pages:  # every column on every page: the header row repeats, nothing runs onto another page
        header = "".join(_lines(page)[1:3])
        assert all(h in header for h in ("级别", "说明", "原文", "文件状态")), header
    text = re.sub(r"\s+", "", "".join(pages))
    ambiguous = list(result.findings[result.findings["代码"] == "ambiguous-number"]["说明"])
    tail = "请改为不带逗号的数字。"  # a message's last words: printed, not cut off at the column's edge
    assert len(ambiguous) >= 3 and all(m.endswith(tail) for m in ambiguous)
    assert text.count(tail) == len(ambiguous)


def test_wide_sheets_print_over_pages_repeating_the_county(merged) -> None:  # noqa: ANN001
    _, book, pdf = merged
    pages = [p for p in _pages(pdf) if p.strip().splitlines()[0].split()[-1] == "指标"]
    assert len(pages) > 2
    for page in pages:
        assert "县(区)" in "".join(_lines(page)[1:3])  # the county column on every page of the row band
    import openpyxl

    ws = openpyxl.load_workbook(book)["指标"]
    assert ws.print_title_rows == "$1:$1" and ws.print_title_cols == "$A:$A" and ws.page_setup.pageOrder == "overThenDown"
