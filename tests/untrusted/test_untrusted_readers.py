"""Reader internals on untrusted input: the start-up XML safety check, sniffing, and
the two ways of parsing a part (whole, in pieces) agreeing on every readable file."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import olefile
import pytest
from badfiles import (
    CASES,
    cell,
    many_empty_cells,
    ole_bytes,
    raw_xlsx,
    real_xls,
    sheet_xml,
)
from helpers import ROOT

from xlperf.importer import import_workbook
from xlperf.readers.sniff import sniff_kind
from xlperf.readers.xlsx import ReadLimits, read_workbook


def _python(code: str, *, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False,
                          env={**os.environ, **(env or {})})


def test_startup_refuses_openpyxl_without_defusedxml() -> None:
    proc = _python("import xlperf", env={"OPENPYXL_DEFUSEDXML": "False"})
    assert proc.returncode != 0
    assert "XmlSafetyError" in proc.stderr and "OPENPYXL_DEFUSEDXML" in proc.stderr and "请删除该环境变量" in proc.stderr


def test_startup_refuses_a_missing_defusedxml() -> None:
    proc = _python("import sys; sys.modules['defusedxml'] = None; import xlperf")
    assert proc.returncode != 0
    assert "XmlSafetyError" in proc.stderr and "pip install defusedxml" in proc.stderr


def test_openpyxl_in_this_installation_refuses_billion_laughs(build: Callable[[str], Path]) -> None:
    path = build("billion-laughs-shared-strings")
    code = ("import resource; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
            "import xlperf, openpyxl, openpyxl.xml\n"
            "assert openpyxl.xml.DEFUSEDXML is True\n"
            "try:\n"
            f"    openpyxl.load_workbook({str(path)!r})\n"
            "except Exception as exc:\n"
            "    print(type(exc.__cause__ or exc.__context__ or exc).__name__)\n")
    proc = _python(code)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "EntitiesForbidden"


def test_ole_builder_makes_compound_files_olefile_reads(tmp_path: Path) -> None:
    path = real_xls(tmp_path / "a.xls")
    assert olefile.isOleFile(str(path))
    with olefile.OleFileIO(str(path)) as ole:
        assert ole.listdir() == [["Workbook"]]
        assert ole.openstream("Workbook").read(4) == b"\x09\x08\x10\x00"
    with olefile.OleFileIO(ole_bytes({"EncryptionInfo": b"x", "EncryptedPackage": b"y"})) as ole:
        assert sorted(e[0] for e in ole.listdir()) == ["EncryptedPackage", "EncryptionInfo"]


@pytest.mark.parametrize(("head", "kind"), [
    (b"%PDF-1.7\n", "pdf"),
    (b"Rar!\x1a\x07\x01\x00", "rar"),
    (b"MIME-Version: 1.0\r\nContent-Type: multipart/related", "html"),
    (b'<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?><Workbook '
     b'xmlns="urn:schemas-microsoft-com:office:spreadsheet">', "xml2003"),
    ("项目名称,金额\n法律援助,5\n".encode("gbk"), "csv"),
    ("项目名称\t金额\n法律援助\t5\n项".encode()[:-1], "csv"),  # a character cut at the end of the head
    (b"", "empty"),
])
def test_sniff_kind(head: bytes, kind: str) -> None:
    assert sniff_kind(head) == kind


def test_sniff_names_other_formats(tmp_path: Path) -> None:
    pdf = tmp_path / "表.xlsx"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    result = import_workbook(str(pdf))
    assert result.error is not None and result.error.code == "file-not-xlsx" and "PDF 文件" in result.error.message


def test_zip_with_a_method_excel_does_not_use_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "lzma.xlsx"
    with zipfile.ZipFile(raw_xlsx(tmp_path / "src.xlsx", [("Sheet1", sheet_xml(""))])) as src, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_LZMA) as dst:
        for name in src.namelist():
            dst.writestr(name, src.read(name))
    result = import_workbook(str(path))
    assert result.error is not None and result.error.code == "file-broken" and "压缩方式" in result.error.message


def test_lower_case_doctype_is_refused(tmp_path: Path) -> None:
    xml = sheet_xml('<row r="1">' + cell("A1", 1) + "</row>").replace("?>\n", "?>\n<!doctype worksheet>", 1)
    result = import_workbook(str(raw_xlsx(tmp_path / "dt.xlsx", [("Sheet1", xml)])))
    assert result.error is not None and result.error.code == "xml-entities"


_READABLE = [case for case in CASES if case.code in ("", "sheet-extent-absurd", "macros-ignored", "formula-no-cached-value",
                                                     "hidden-rows", "text-normalised", "number-stored-as-text")]
_SAMPLE_FILES = sorted((ROOT / "samples").glob("*.xlsx"))
assert len(_SAMPLE_FILES) == 5, _SAMPLE_FILES  # an empty glob would parametrize nothing and pass


@pytest.mark.parametrize("path", _SAMPLE_FILES, ids=lambda p: p.name)
def test_both_reader_paths_agree_on_the_samples(path: Path) -> None:
    _same(path)


@pytest.mark.parametrize("case", [c for c in _READABLE if not c.name.startswith("many-empty")], ids=lambda c: c.name)
def test_both_reader_paths_agree_on_the_suite(case: object, tmp_path: Path) -> None:
    _same(case.build(tmp_path / case.filename))  # type: ignore[attr-defined]


def test_both_reader_paths_agree_on_empty_cells(tmp_path: Path) -> None:
    _same(many_empty_cells(tmp_path / "empty.xlsx", rows=20))  # the million-cell case, smaller


def _same(path: Path) -> None:
    fast = read_workbook(str(path))
    slow = read_workbook(str(path), limits=ReadLimits(whole_below=0))  # every part parsed in pieces
    assert [(s.name, s.state, s.cells, sorted(s.merged), s.hidden_rows, s.hidden_cols) for s in fast.sheets] == \
           [(s.name, s.state, s.cells, sorted(s.merged), s.hidden_rows, s.hidden_cols) for s in slow.sheets]
    assert [(f.code, f.where, f.message) for f in fast.findings] == [(f.code, f.where, f.message) for f in slow.findings]
