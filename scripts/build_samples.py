"""Rebuild the bundled sample workbooks (samples/*.xlsx) from the seed texts.

    python scripts/build_samples.py            # writes samples/*.xlsx and samples/manifest.csv

The five seed texts in samples/source/ are text extracted from the published documents
(see samples/source/SEEDS.md). Each workbook keeps the layout the seed was published in,
mess included (the mess is the test):

* a TAB is a cell boundary; a line is a row; a blank line is an empty row;
* seed 001 (Hebei, extracted from Word) puts one cell per line and separates rows with
  blank lines; a line without a leading TAB that follows a cell line continues that cell
  (multi-line cells such as the numbered 绩效目标), after a blank line it is a paragraph;
* blanks that carry a 一级 / 二级 down inside an indicator table become merged cells, as in
  the originals;
* a cell that is a plain number (``31.900000``, ``42.33``) is written as a number, as it
  would be in Excel; anything else (``2,8505``, ``100%``, ``≥95%``) as the text typed;
* extraction artefacts that are not cell content are dropped: ``[bookmark: _Toc…]``
  anchors, Markdown heading marks (``## ``), bold marks (``**``) and list bullets (``- ``).

Nothing here is read back by xlperf's code: the tests compare what xlperf imports from
these workbooks with facts read off the seed text by eye.
"""

from __future__ import annotations

import csv
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "samples" / "source"
OUT = ROOT / "samples"

_NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")
_BOOKMARK_RE = re.compile(r"\[bookmark: [^\]]*\]")


@dataclass
class Sheet:
    """Rows of cells as text, plus merged ranges (r0, c0, r1, c1)."""

    name: str
    rows: list[list[str]] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)


@dataclass
class Sample:
    file: str
    seed: str
    province: str
    city: str
    county: str
    division_code: str
    year: int
    sheets: list[Sheet]


def _clean(text: str) -> str:
    text = _BOOKMARK_RE.sub("", text)
    text = re.sub(r"^#+\s*", "", text)
    text = text.replace("**", "")
    text = re.sub(r"^-\s+", "", text)
    return text.strip()


def tab_rows(text: str) -> list[list[str]]:
    """Seeds 000, 002, 003, 004: a line is a row, a TAB a cell boundary."""
    rows = []
    for line in text.split("\n"):
        cells = [_clean(c) for c in line.rstrip("\r").split("\t")]
        while cells and not cells[-1]:
            cells.pop()
        rows.append(cells)
    while rows and not rows[0]:
        rows.pop(0)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def hebei_rows(text: str) -> list[list[str]]:
    """Seed 001 part two: one cell per line, rows separated by blank lines. Rows start in
    column B (the leading TAB of every line is the empty first column)."""
    rows: list[list[str]] = []
    current: list[str] | None = None
    prev_blank = True
    for line in text.split("\n"):
        line = line.rstrip("\r")
        if line == "" or (not line.startswith("\t") and not line.strip()):
            if current is not None:
                rows.append(current)
                current = None
            prev_blank = True
            continue
        if line.startswith("\t"):
            if current is None:
                current = [""]
            current.append(_clean(line[1:]))
        elif current is not None and not prev_blank:
            current[-1] = (current[-1] + "\n" + _clean(line)).strip()
        else:
            if current is not None:
                rows.append(current)
            rows.append([_clean(line)])
            current = None
        prev_blank = False
    if current is not None:
        rows.append(current)
    out: list[list[str]] = []
    for r in rows:
        if not any(r) and out and not any(out[-1]) and len(r) <= 1:
            continue  # collapse runs of blank paragraphs
        out.append(r)
    return out


def prose_rows(text: str) -> list[list[str]]:
    """Seed 001 part one: one paragraph per row in column A; runs of blank lines collapse."""
    rows: list[list[str]] = []
    for line in text.split("\n"):
        t = _clean(line)
        if not t:
            if rows and rows[-1]:
                rows.append([])
            continue
        rows.append([t])
    while rows and not rows[-1]:
        rows.pop()
    return rows


def carry_down_merges(rows: list[list[str]]) -> list[tuple[int, int, int, int]]:
    """Merge the blank 一级 / 二级 cells of each indicator table into the cell above.

    A table starts at a header row holding 一级指标 and 二级指标 and runs over the
    following rows that have content; within it a blank cell in the 一级 or 二级 column
    under a non-blank data cell joins that cell's merged range.
    """
    merges = []
    r = 0
    while r < len(rows):
        row = rows[r]
        if "一级指标" in row and "二级指标" in row:
            cols = [row.index("一级指标"), row.index("二级指标")]
            end = r + 1
            while end < len(rows) and any(rows[end]) and not ("一级指标" in rows[end] and "二级指标" in rows[end]):
                end += 1
            for col in cols:
                origin = None
                for i in range(r + 1, end):
                    cell = rows[i][col] if col < len(rows[i]) else ""
                    has_right = any(rows[i][col + 1 :])
                    if cell:
                        if origin is not None and i - 1 > origin:
                            merges.append((origin, col, i - 1, col))
                        origin = i
                    elif not has_right:
                        if origin is not None and i - 1 > origin:
                            merges.append((origin, col, i - 1, col))
                        origin = None
                if origin is not None and end - 1 > origin:
                    merges.append((origin, col, end - 1, col))
            r = end
        else:
            r += 1
    return merges


def _seed(prefix: str) -> str:
    path = next(SOURCE.glob(f"{prefix}_*.txt"))
    return path.read_text(encoding="utf-8")


def build() -> list[Sample]:
    """The five samples: layout as published, region and year of each seed."""
    samples = []

    rows = tab_rows(_seed("000"))
    samples.append(Sample("000_pengyang_2024.xlsx", "000", "宁夏回族自治区", "固原市", "彭阳县", "640425", 2024, [Sheet("2024年项目支出绩效目标", rows, carry_down_merges(rows))]))

    text = _seed("001")
    part2 = text.index("第二部分")
    prose = prose_rows(text[:part2])
    tables = hebei_rows(text[part2:])
    samples.append(Sample("001_laoting_2022.xlsx", "001", "河北省", "唐山市", "乐亭县", "130225", 2022, [Sheet("第一部分 部门整体绩效目标", prose),
                                      Sheet("第二部分 预算项目绩效目标", tables, carry_down_merges(tables))]))

    # 红寺堡: one sheet per published table (blocks start at the form title)
    rows = tab_rows(_seed("002"))
    blocks: list[list[list[str]]] = []
    for row in rows:
        if row and row[0].startswith("部门项目支出预算绩效目标表"):
            blocks.append([])
        if blocks:
            blocks[-1].append(row)
        elif any(row):
            blocks.append([row])
    sheets = []
    for i, block in enumerate(blocks, 1):
        while block and not any(block[-1]):
            block.pop()
        sheets.append(Sheet(f"表{i}", block, carry_down_merges(block)))
    samples.append(Sample("002_hongsibu_2025.xlsx", "002", "宁夏回族自治区", "吴忠市", "红寺堡区", "640303", 2025, sheets))

    rows = tab_rows(_seed("003"))
    samples.append(Sample("003_zengcheng_2024.xlsx", "003", "广东省", "广州市", "增城区", "440118", 2024, [Sheet("项目支出绩效目标表", rows, [], {5: 40, 6: 80})]))

    rows = tab_rows(_seed("004"))
    samples.append(Sample("004_yangxin_2026.xlsx", "004", "湖北省", "黄石市", "阳新县", "420222", 2026, [Sheet("部门整体绩效目标申报表", rows, carry_down_merges(rows))]))
    return samples


def write(sample: Sample, folder: Path) -> Path:
    """Write one sample workbook (typed writes, no formula or URL conversion)."""
    path = folder / sample.file
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False})
    wrap = wb.add_format({"text_wrap": True, "valign": "top", "font_name": "SimSun"})
    for sheet in sample.sheets:
        ws = wb.add_worksheet(sheet.name[:31])
        ws.set_column(0, 12, 18, wrap)
        for col, width in sheet.widths.items():
            ws.set_column(col, col, width, wrap)
        merged_cells = {(r, c) for r0, c, r1, _ in sheet.merges for r in range(r0, r1 + 1)}
        for r, row in enumerate(sheet.rows):
            for c, value in enumerate(row):
                if (r, c) in merged_cells or value == "":
                    continue
                if _NUMBER_RE.match(value):
                    ws.write_number(r, c, float(value), wrap)
                else:
                    ws.write_string(r, c, value, wrap)
        for r0, c0, r1, c1 in sheet.merges:
            value = sheet.rows[r0][c0]
            ws.merge_range(r0, c0, r1, c1, value, wrap)
    wb.set_properties({"title": sample.file, "comments": f"rebuilt from seed {sample.seed} by scripts/build_samples.py"})
    wb.close()
    return path


def main() -> int:
    samples = build()
    for s in samples:
        print(write(s, OUT).relative_to(ROOT))
    with (OUT / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["文件", "省", "市", "县(区)", "行政区划代码", "年度"])
        for s in samples:
            w.writerow([s.file, s.province, s.city, s.county, s.division_code, s.year])
    print("samples/manifest.csv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
