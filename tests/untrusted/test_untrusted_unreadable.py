"""Files that cannot be read at all: identified by their first bytes or refused before
parsing, each with one finding saying what the file is and how to fix it (Chinese for
the clerk, English in the error), exit code 2, never a traceback."""

from __future__ import annotations

import re
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xlperf.cli import app
from xlperf.importer import import_workbook

# case -> (finding code, words the Chinese message must hold)
UNREADABLE: dict[str, tuple[str, tuple[str, ...]]] = {
    "billion-laughs-shared-strings": ("xml-entities", ("xl/sharedStrings.xml", "DOCTYPE/ENTITY", "已拒绝读取")),
    "billion-laughs-workbook": ("xml-entities", ("xl/workbook.xml", "DOCTYPE/ENTITY")),
    "external-entity": ("xml-entities", ("xl/worksheets/sheet1.xml", "DOCTYPE/ENTITY")),
    "zip-bomb-1gb": ("zip-bomb", ("xl/worksheets/sheet1.xml", "1024 MB", "压缩炸弹")),
    "zip-bomb-forged-size": ("zip-bomb", ("xl/worksheets/sheet1.xml", "1024 MB", "压缩炸弹")),
    "encrypted-xlsx": ("file-encrypted", ("打开密码", "另存为 .xlsx")),
    "real-xls": ("file-xls", ("Excel 97-2003（.xls）", "另存为 .xlsx")),
    "xls-renamed-xlsx": ("file-xls", ("Excel 97-2003（.xls）", "扩展名被改成了 .xlsx", "另存为 .xlsx")),
    "wps-et": ("file-et", ("WPS 表格（.et）", "另存为 .xlsx")),
    "html-renamed-xlsx": ("file-html", ("网页（HTML）", "另存为 .xlsx")),
    "csv-renamed-xlsx": ("file-csv", ("文本/CSV", "另存为 .xlsx")),
    "empty-file": ("file-empty", ("0 字节",)),
    "truncated-zip": ("file-truncated", ("不完整", "重新获取")),
    "no-content-types": ("file-not-ooxml", ("[Content_Types].xml",)),
    "row-past-1048576": ("file-broken", ("第 99999999 行", "A1:XFD1048576", "重新保存")),
    "garbage-refs": ("file-broken", ("第 -3 行", "A1:XFD1048576")),
    "overflowing-row-number": ("file-broken", ("第 99999999999 行",)),
    "missing-sheet-part": ("file-broken", ("项目2", "xl/worksheets/sheet2.xml", "不存在")),
    "missing-relationship": ("file-broken", ("幽灵", "没有对应的部件")),
    "non-utf8-part": ("file-broken", ("xl/worksheets/sheet1.xml", "GBK", "UTF-8")),
    "utf16-part": ("file-broken", ("xl/worksheets/sheet1.xml", "UTF-16")),
    "empty-sheet-part": ("file-broken", ("xl/worksheets/sheet1.xml", "是空的")),
    "duplicate-part-names": ("file-broken", ("重名",)),
}

runner = CliRunner()


@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_unreadable_file_is_one_finding_and_exit_2(case: str, build: Callable[[str], Path]) -> None:
    path = build(case)
    code, words = UNREADABLE[case]
    result = import_workbook(str(path))
    assert result.exit_code == 2
    assert result.submission is None
    assert result.error is not None and result.error.code == code
    assert re.search(r"[A-Za-z]{4,} [a-z]{2,}", result.error.message_en)  # English too, for logs
    assert result.error.path == str(path)
    assert [(f.code, f.severity, f.file) for f in result.report.findings] == [(code, "error", str(path))]
    message = result.report.findings[0].message
    for word in words:
        assert word in message, (word, message)


@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_cli_import_exits_2_without_traceback(case: str, build: Callable[[str], Path]) -> None:
    path = build(case)
    result = runner.invoke(app, ["import", str(path), "--format", "json"])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert f'"code": "{UNREADABLE[case][0]}"' in result.output


def test_one_unreadable_file_never_stops_the_others(build: Callable[[str], Path]) -> None:
    paths = [build("empty-file"), build("merged-levels"), build("zip-bomb-forged-size"), build("real-xls")]
    result = runner.invoke(app, ["import", *map(str, paths), "--format", "json"])
    assert result.exit_code == 2
    assert result.output.count('"status": "failed"') == 3
    assert result.output.count('"status": "imported"') == 1


@pytest.mark.parametrize("case", ["zip-bomb-1gb", "zip-bomb-forged-size", "billion-laughs-shared-strings"])
def test_bombs_are_refused_before_anything_is_inflated(case: str, build: Callable[[str], Path]) -> None:
    path = build(case)
    tracemalloc.start()
    try:
        result = import_workbook(str(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.exit_code == 2
    assert peak < 200 * 1024 * 1024  # a 1 GB part was never inflated (in practice: a few MB)


def test_english_messages_name_the_fix(build: Callable[[str], Path]) -> None:
    assert "save it as .xlsx" in import_workbook(str(build("xls-renamed-xlsx"))).error.message_en  # type: ignore[union-attr]
    assert "password" in import_workbook(str(build("encrypted-xlsx"))).error.message_en  # type: ignore[union-attr]
    assert "truncated" in import_workbook(str(build("truncated-zip"))).error.message_en  # type: ignore[union-attr]


def test_damaged_part_read_while_identifying_the_file_is_refused(tmp_path: Path) -> None:
    """A zip whose ``mimetype`` part (read to tell .ods from other zips) fails its CRC:
    ``file-truncated`` for that file, never a ``BadZipFile`` escaping the importer."""
    import zipfile

    path = tmp_path / "坏的.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", "<office:document-content/>")
    data = bytearray(path.read_bytes())
    at = data.index(b"application/vnd.oasis")
    data[at] ^= 0x01  # one stored byte of mimetype flipped: its CRC no longer matches
    path.write_bytes(bytes(data))
    result = import_workbook(str(path))
    assert result.exit_code == 2 and result.submission is None
    assert [(f.code, f.file) for f in result.report.findings] == [("file-truncated", str(path))]
    assert "不完整" in result.report.findings[0].message
