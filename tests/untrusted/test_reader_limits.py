"""The reader's own bounds and refusals: the per-file findings cap, the cell and element
budgets, cells written twice, and the zip and package ambiguities it refuses."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from badfiles import cell, raw_xlsx, sheet_xml

from xlperf.cellref import cell_name
from xlperf.errors import UnreadableWorkbook
from xlperf.readers.xlsx import MAX_READ_FINDINGS, ReadLimits, read_workbook


def _errors(n: int) -> str:
    return "".join(f'<row r="{r + 1}"><c r="A{r + 1}" t="e"><v>#DIV/0!</v></c></row>' for r in range(n))


def test_findings_of_one_file_are_capped(tmp_path: Path) -> None:
    wb = read_workbook(str(raw_xlsx(tmp_path / "e.xlsx", [("Sheet1", sheet_xml(_errors(MAX_READ_FINDINGS + 500)))])))
    assert len(wb.findings) == MAX_READ_FINDINGS + 1
    assert {f.code for f in wb.findings[:-1]} == {"excel-error-value"}
    last = wb.findings[-1]
    assert last.code == "read-findings-more" and "500" in last.message and str(MAX_READ_FINDINGS) in last.message


def test_cell_elements_are_budgeted(tmp_path: Path) -> None:
    rows = '<row r="1">' + "<c/>" * 2000 + "</row>"
    path = raw_xlsx(tmp_path / "c.xlsx", [("Sheet1", sheet_xml(rows))])
    assert read_workbook(str(path)).sheets[0].cells == {}
    with pytest.raises(UnreadableWorkbook) as err:
        read_workbook(str(path), limits=ReadLimits(max_elements=1000))
    assert err.value.code == "file-too-large" and "Sheet1" in err.value.message


@pytest.mark.parametrize("whole_below", [0, 4 << 20])
def test_non_empty_cells_are_budgeted(tmp_path: Path, whole_below: int) -> None:
    rows = "".join(f'<row r="{r}">' + cell(f"A{r}", r) + "</row>" for r in range(1, 101))
    path = raw_xlsx(tmp_path / "v.xlsx", [("S1", sheet_xml(rows)), ("S2", sheet_xml(rows))])
    assert len(read_workbook(str(path), limits=ReadLimits(max_values=200, whole_below=whole_below)).sheets) == 2
    with pytest.raises(UnreadableWorkbook) as err:
        read_workbook(str(path), limits=ReadLimits(max_values=150, whole_below=whole_below))
    assert err.value.code == "file-too-large" and "S2" in err.value.message


def test_a_cell_written_twice_keeps_the_later_and_says_so(tmp_path: Path) -> None:
    rows = '<row r="1">' + cell("B1", "先") + '</row><row r="1">' + cell("A1", 1) + cell("B1", "后") + "</row>"
    wb = read_workbook(str(raw_xlsx(tmp_path / "twice.xlsx", [("Sheet1", sheet_xml(rows))])))
    assert wb.sheets[0].cells == {(0, 0): 1.0, (0, 1): "后"}
    assert list(wb.sheets[0].grid[0]) == [(0, 1.0), (1, "后")]  # the row index in column order all the same
    assert [(f.code, f.where) for f in wb.findings] == [("cell-repeated", "Sheet1!B1")]


def test_two_sheets_of_one_name_are_refused(tmp_path: Path) -> None:
    xml = sheet_xml('<row r="1">' + cell("A1", 1) + "</row>")
    with pytest.raises(UnreadableWorkbook) as err:
        read_workbook(str(raw_xlsx(tmp_path / "n.xlsx", [("项目1", xml), ("项目1", xml)])))
    assert err.value.code == "file-broken" and "两个名为“项目1”的工作表" in err.value.message


def test_a_local_header_naming_another_part_is_refused(tmp_path: Path) -> None:
    path = raw_xlsx(tmp_path / "l.xlsx", [("Sheet1", sheet_xml('<row r="1">' + cell("A1", 1) + "</row>"))])
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    name_at = info.header_offset + 30
    assert data[name_at:name_at + len(info.filename)] == info.filename.encode()
    data[name_at + len("xl/worksheets/s")] = ord("S")  # the local header says xl/worksheets/Sheet1.xml
    path.write_bytes(bytes(data))
    with pytest.raises(UnreadableWorkbook) as err:
        read_workbook(str(path))
    assert err.value.code == "file-broken" and "本地文件头与目录不一致" in err.value.message


def test_a_far_cell_costs_nothing(tmp_path: Path) -> None:
    rows = '<row r="1">' + cell("A1", 1) + '</row><row r="1048576">' + cell("XFD1048576", 2) + "</row>"
    wb = read_workbook(str(raw_xlsx(tmp_path / "far.xlsx", [("Sheet1", sheet_xml(rows))])))
    assert wb.sheets[0].cells == {(0, 0): 1.0, (1_048_575, 16_383): 2.0}
    assert [(f.code, f.cell) for f in wb.findings] == [("sheet-extent-absurd", cell_name(1_048_575, 16_383))]


def test_bytes_after_the_end_record_are_refused(tmp_path: Path) -> None:
    path = raw_xlsx(tmp_path / "t.xlsx", [("Sheet1", sheet_xml('<row r="1">' + cell("A1", 1) + "</row>"))])
    path.write_bytes(path.read_bytes() + b"PK\x05\x06" + bytes(18))  # a second end record, after the first
    with pytest.raises(UnreadableWorkbook) as err:
        read_workbook(str(path))
    assert err.value.code == "file-broken"


def test_a_package_without_relationships_reads_the_usual_workbook(tmp_path: Path) -> None:
    path = raw_xlsx(tmp_path / "r.xlsx", [("Sheet1", sheet_xml('<row r="1">' + cell("A1", "有") + "</row>"))],
                    omit=("_rels/.rels",))
    assert read_workbook(str(path)).sheets[0].cells == {(0, 0): "有"}
