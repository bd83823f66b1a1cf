"""What a clerk gives the command line: checked once, the same on every command, answered
in Chinese naming the file and field, never a traceback (docs/cli.md).

Each test says what a user saw before."""

from __future__ import annotations

import json
import os
from pathlib import Path

import openpyxl
import pytest
from helpers import SAMPLES, build_project_workbook, make_submission
from typer.testing import CliRunner

from xlperf.cli import app
from xlperf.errors import InputError
from xlperf.inputs import check_output, check_year, parse_region, read_submission_json
from xlperf.model import Region

runner = CliRunner()
WIDE = {"COLUMNS": "200"}


def run(*args: str):  # noqa: ANN201 - click Result
    return runner.invoke(app, list(args), env=WIDE)


def no_traceback(result) -> None:  # noqa: ANN001
    assert "Traceback" not in result.output and "Error:" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


# -- (1) merge writes nothing when nothing could be read ------------------------------------

def test_merge_of_a_mistyped_folder_keeps_the_earlier_workbook(tmp_path: Path) -> None:
    """Before: ``xlperf merge sampels -o keep.xlsx`` exited 2 but replaced a good keep.xlsx
    (106 KB, 5 counties) by an empty one (21 KB, 0 projects)."""
    keep = tmp_path / "keep.xlsx"
    assert run("merge", str(SAMPLES), "-o", str(keep)).exit_code == 1
    before = keep.read_bytes()
    pq = tmp_path / "pq"
    result = run("merge", str(tmp_path / "sampels"), "-o", str(keep), "--parquet", str(pq))
    assert result.exit_code == 2
    no_traceback(result)
    assert keep.read_bytes() == before and not pq.exists()
    assert "没有读出任何报送，未写入任何文件" in result.output and "找不到" in result.output
    # nothing was written, so nothing points at a workbook or shows an empty 概览
    assert "详见汇总工作簿" not in result.output and "汇总概览" not in result.output
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "a.xlsx").write_bytes(b"not a workbook")
    assert run("merge", str(folder), "-o", str(keep)).exit_code == 2
    assert keep.read_bytes() == before


# -- (5) fill given the wrong file ------------------------------------------------------------

@pytest.fixture()
def sub_json(tmp_path: Path) -> Path:
    path = tmp_path / "sub.json"
    path.write_text(make_submission(projects=1).to_json(), encoding="utf-8")
    return path


def test_fill_of_a_workbook_says_what_it_is_and_what_to_do(tmp_path: Path) -> None:
    """Before: ``xlperf fill t.xlsx -o x.xlsx`` printed a UnicodeDecodeError traceback, exit 1."""
    result = run("fill", str(SAMPLES / "000_pengyang_2024.xlsx"), "-o", str(tmp_path / "x.xlsx"))
    assert result.exit_code == 2
    no_traceback(result)
    assert "是 Excel 工作簿（.xlsx），不是标准 JSON" in result.output and "xlperf import" in result.output
    assert not (tmp_path / "x.xlsx").exists()


def test_fill_reads_bom_and_gbk_json(tmp_path: Path, sub_json: Path) -> None:
    """Before: a UTF-8 BOM was refused; a GBK file (Notepad's ANSI on Chinese Windows) gave a traceback."""
    text = sub_json.read_text(encoding="utf-8")
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = run("fill", str(bom), "-o", str(tmp_path / "a.xlsx"))
    assert result.exit_code == 0, result.output
    gbk = tmp_path / "gbk.json"
    gbk.write_bytes(text.encode("gb18030"))
    result = run("fill", str(gbk), "-o", str(tmp_path / "b.xlsx"))
    assert result.exit_code == 0, result.output
    assert "不是 UTF-8 编码，已按 GBK" in result.output
    assert openpyxl.load_workbook(tmp_path / "b.xlsx")["项目1"]["B3"].value == "2026年基层法律服务专项资金"
    noise = tmp_path / "noise.json"
    noise.write_bytes(bytes(range(128, 256)) * 4)
    result = run("fill", str(noise), "-o", str(tmp_path / "c.xlsx"))
    assert result.exit_code == 2 and "编码无法识别" in result.output
    no_traceback(result)


# -- (6) messages in Chinese naming file and field --------------------------------------------

def test_wrong_shape_json_is_explained_field_by_field(tmp_path: Path, sub_json: Path) -> None:
    """Before: a raw English pydantic dump ("1 validation error for Submission ... Input should be ...")."""
    data = json.loads(sub_json.read_text(encoding="utf-8"))
    data["projects"][0]["annual_amount"] = "三十万"
    data["projects"][0]["colour"] = "red"
    data["year"] = "明年"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = run("fill", str(bad), "-o", str(tmp_path / "x.xlsx"))
    assert result.exit_code == 2
    no_traceback(result)
    out = result.output
    assert str(bad) in out and "projects[0].annual_amount（项目年度金额）：应为数字，现为 “三十万”" in out
    assert "projects[0].colour：不是标准 JSON 的字段" in out and "year（年度）：应为整数" in out
    assert "validation error" not in out and "Input should be" not in out
    broken = tmp_path / "broken.json"
    broken.write_text('{"year": 2026,\n "projects": [}', encoding="utf-8")
    result = run("fill", str(broken), "-o", str(tmp_path / "x.xlsx"))
    assert result.exit_code == 2 and "不是有效的 JSON：第 2 行" in result.output
    bad_year = tmp_path / "year.json"
    bad_year.write_text(json.dumps({**json.loads(sub_json.read_text(encoding="utf-8")), "year": 1}), encoding="utf-8")
    result = run("fill", str(bad_year), "-o", str(tmp_path / "x.xlsx"))
    assert result.exit_code == 2 and "year（年度）" in result.output and "1990-2100" in result.output


def test_os_errors_are_chinese_and_name_the_path(tmp_path: Path) -> None:
    """Before: ``无法读取 x：[Errno 2] No such file or directory: 'x'``, ``Is a directory``."""
    result = run("fill", str(tmp_path / "none.json"), "-o", str(tmp_path / "x.xlsx"))
    assert result.exit_code == 2 and f"无法读取 {tmp_path / 'none.json'}：找不到该文件或文件夹" in result.output
    assert "Errno" not in result.output
    result = run("fill", str(tmp_path), "-o", str(tmp_path / "x.xlsx"))
    assert result.exit_code == 2 and "是一个文件夹" in result.output
    result = run("template", "-o", str(tmp_path))
    assert result.exit_code == 2 and "是一个文件夹，请给出文件名" in result.output
    no_traceback(result)


def test_import_of_a_folder_suggests_merge_and_of_json_suggests_fill(tmp_path: Path, sub_json: Path) -> None:
    """Before: a folder gave "Is a directory"; ``import x.json`` advised re-saving it in Excel.
    One bad input never stops the others."""
    good = build_project_workbook(tmp_path / "good.xlsx")
    result = run("import", str(tmp_path), str(sub_json), str(good), "--format", "json")
    assert result.exit_code == 2
    reports = {Path(r["file"]).name: r for r in json.loads(result.output)}
    folder = reports[tmp_path.name]["findings"][0]["message"]
    assert "是文件夹，不是工作簿" in folder and f"xlperf merge {tmp_path}" in folder
    js = reports["sub.json"]["findings"][0]["message"]
    assert "是标准 JSON 文件" in js and "xlperf fill" in js and "另存" not in js
    assert reports["good.xlsx"]["status"] == "imported" and reports["good.xlsx"]["projects"] >= 1


def test_merge_speaks_one_language(tmp_path: Path) -> None:
    """Before: 原因 ``找不到文件 sampels。 / File not found: sampels.`` (Chinese and English mixed)."""
    from xlperf.consolidate.merge import consolidate

    result = consolidate([str(tmp_path / "nope.xlsx")], workers=1)
    reasons = result.sources["原因"].tolist()
    assert reasons and all(r and not any("a" <= ch.lower() <= "z" for ch in r.replace("nope.xlsx", "")) for r in reasons)


# -- (8) options checked once, the same on every command ---------------------------------------

@pytest.mark.parametrize("value, message", [
    ("a/b/c/d/e", "有 5 段，最多 4 段"),
    ("宁夏/固原市/彭阳县/abc", "行政区划代码“abc”不正确"),
    ("宁夏/固原市/彭阳县/12", "行政区划代码“12”不正确"),
    ("宁夏/640425", "是数字，不是地名"),
    ("//", "是空的"),
])
def test_bad_region_is_refused_on_import(value: str, message: str) -> None:
    """Before: ``a/b/c/d/e`` accepted (e dropped); a code ``abc`` or ``12`` stored."""
    result = run("import", str(SAMPLES / "000_pengyang_2024.xlsx"), "--region", value)
    assert result.exit_code == 2
    no_traceback(result)
    assert "错误：" in result.output and message in result.output and "--region" in result.output


def test_region_separated_by_commas_is_split() -> None:
    """Before: ``宁夏,固原市,彭阳县`` landed whole in 省."""
    assert parse_region("宁夏,固原市,彭阳县") == Region(province="宁夏", city="固原市", county="彭阳县")
    assert parse_region("宁夏回族自治区，固原市、彭阳县/６４０４２５") == Region(
        province="宁夏回族自治区", city="固原市", county="彭阳县", division_code="640425")
    assert parse_region("宁夏//彭阳县") == Region(province="宁夏", county="彭阳县")
    result = run("import", str(SAMPLES / "000_pengyang_2024.xlsx"), "--region", "宁夏回族自治区,固原市,彭阳县", "--format", "json")
    assert result.exit_code in (0, 1)
    assert "region-unknown" not in result.output


@pytest.mark.parametrize("command", [["import", str(SAMPLES / "000_pengyang_2024.xlsx")], ["template"]])
@pytest.mark.parametrize("year", ["1", "0", "12345", "明年", "2101"])
def test_year_is_checked_the_same_on_every_command(tmp_path: Path, command: list[str], year: str) -> None:
    """Before: ``import --year 1`` accepted while ``template --year 0`` was refused."""
    os.chdir(tmp_path)
    result = run(*command, "--year", year)
    assert result.exit_code == 2
    no_traceback(result)
    assert "不是有效的预算年度" in result.output and "1990-2100" in result.output
    assert not list(tmp_path.iterdir())


def test_output_suffix_is_checked(tmp_path: Path) -> None:
    """Before: ``template -o t.csv`` silently wrote an xlsx named t.csv."""
    for args in (["template", "-o", str(tmp_path / "t.csv")],
                 ["merge", str(SAMPLES), "-o", str(tmp_path / "汇总.xls")],
                 ["fill", str(tmp_path / "x.json"), "-o", str(tmp_path / "t")],
                 ["import", str(SAMPLES / "000_pengyang_2024.xlsx"), "--json", str(tmp_path / "out.xlsx")]):
        result = run(*args)
        assert result.exit_code == 2, args
        assert "扩展名" in result.output and "只能写" in result.output, result.output
        no_traceback(result)
    assert not list(tmp_path.iterdir())


def test_checks_are_one_library_function() -> None:
    assert check_year("２０２５年") == 2025
    with pytest.raises(InputError, match="--year"):
        check_year(1)
    with pytest.raises(InputError, match="扩展名是 .csv"):
        check_output("t.csv", kind="workbook")
    with pytest.raises(InputError, match="含 2 份报送"):
        read_submission_json(_write(Path(os.environ.get("TMPDIR", "/tmp")) / "xlperf-two.json", "[{}, {}]"))


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_no_worker_process_is_a_chinese_message_not_an_internal_error(monkeypatch) -> None:  # noqa: ANN001
    """The system refusing every worker process (a process limit) is said in Chinese
    with exit 2, not as an internal error or a traceback."""
    import errno

    import xlperf.isolation as iso

    def refused(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    monkeypatch.setattr(iso, "_Worker", refused)
    result = run("import", str(SAMPLES / "000_pengyang_2024.xlsx"))
    no_traceback(result)
    assert result.exit_code == 2
    assert "系统拒绝了操作" in result.output and "内部错误" not in result.output
    assert "进程数已达上限" in result.output and "Resource" not in result.output
