"""Every reproducer of the fuzz campaign through the whole pipeline: ``xlperf import``
gives each file a clean result (read, or refused with a message; exit 0 / 1 / 2; never a
traceback) and ``xlperf merge`` lists each as a row of 来源 (``failed`` with its reason when
it cannot be read) and completes the batch, its outputs written. The special files
(FIFO, /dev/zero, a far-future mtime, a file replaced while the merge runs, an output
onto an input) are here too."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections import Counter
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from helpers import SAMPLES, build_project_workbook, write_manifest
from pipeline_helpers import swapping_import
from repro import BUILDERS, PIPELINE_BUILDERS
from test_repro import EXPECTED
from typer.testing import CliRunner

from xlperf.cli import app
from xlperf.consolidate.build import local_time
from xlperf.consolidate.merge import consolidate
from xlperf.importer import MAX_FINDINGS_PER_FILE
from xlperf.writers.outputs.csv import write as write_csv
from xlperf.writers.outputs.parquet import write as write_parquet
from xlperf.writers.outputs.xlsx import write_consolidated

runner = CliRunner()
ALL = {**BUILDERS, **PIPELINE_BUILDERS}
#: the reproducers refused as unreadable (exit 2 for the file, ``failed`` in a merge)
REFUSED = {name: code for name, (code, _) in EXPECTED.items() if code != "ok"}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reproducers")
    for name, build in ALL.items():
        build(out / f"{name}.xlsx")
    return out


def _name(path: str) -> str:
    return Path(path).stem


def test_import_gives_every_reproducer_a_clean_result(folder: Path) -> None:
    files = sorted(str(p) for p in folder.glob("*.xlsx"))
    res = runner.invoke(app, ["import", *files, "--format", "json", "--json", str(folder.parent / "all.json")])
    assert res.exit_code == 2, res.output[-2000:]  # some files cannot be read
    assert "Traceback" not in res.output
    results = {_name(d["file"]): d for d in json.loads(res.stdout)}
    assert set(results) == set(ALL)
    for name, d in results.items():
        codes = [f["code"] for f in d["findings"]]
        if name in REFUSED:
            assert d["status"] == "failed" and codes == [REFUSED[name]], (name, codes)
            assert d["findings"][0]["message"] and d["findings"][0]["file"].endswith(f"{name}.xlsx")
        else:
            assert d["status"] == "imported", (name, codes)
        assert len(d["findings"]) <= MAX_FINDINGS_PER_FILE + 1, name
    subs = json.loads((folder.parent / "all.json").read_text(encoding="utf-8"))  # valid UTF-8 JSON throughout
    assert len(subs) == len(ALL) - len(REFUSED)
    assert "法律援助_xD800_项目1" in {p["name"] for s in subs for p in s["projects"]}  # kept literally (r08)


def test_import_table_output_survives_every_reproducer(folder: Path) -> None:
    """The table prints findings holding submitted text (r08b: an escape of a surrogate)."""
    files = sorted(str(p) for p in folder.glob("*.xlsx") if p.stem != "flood")  # its 2,001 would fill the 500 shown
    res = runner.invoke(app, ["import", *files], env={"COLUMNS": "200"})
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "备注_xD800_" in res.output


def test_findings_are_capped_per_file_in_total(folder: Path) -> None:
    """300 junk sheets: 150,000 unmapped cells were 150,303 findings (and a 2.8 GB merge
    for three such files); now 2,000 listed, the rest counted in one finding."""
    res = runner.invoke(app, ["import", str(folder / "flood.xlsx"), "--format", "json"])
    d = json.loads(res.stdout)
    codes = Counter(f["code"] for f in d["findings"])
    assert len(d["findings"]) == MAX_FINDINGS_PER_FILE + 1
    (more,) = [f for f in d["findings"] if f["code"] == "findings-more"]
    assert "其中错误 0 条" in more["message"] and "已列出 2000 条" in more["message"]
    assert codes["unmapped-cell"] == 1996 and codes["no-form-found"] == 1
    assert d["errors"] == 1  # the one error kept first: exit code 1, as without the cap
    assert res.exit_code == 1


def test_amount_traps_are_findings_at_their_cells(folder: Path) -> None:
    res = runner.invoke(app, ["import", str(folder / "r10-amounts.xlsx"), "--format", "json"])
    d = json.loads(res.stdout)
    where = {(f["code"], f["sheet"], f["cell"]) for f in d["findings"]}
    assert {("amount-too-large", "项目1", "D6"), ("amount-too-large", "项目7", "D6"),
            ("amount-negative", "项目2", "D6"), ("amount-not-number", "项目6", "D6")} <= where
    too_large = next(f for f in d["findings"] if f["code"] == "amount-too-large")
    assert "超出金额能表示的范围" in too_large["message"]  # before: "应填写金额……实际是“1e+308”"
    assert d["total_amount"] == pytest.approx(0 + 123 + 12345.6 + 31.9)  # -5 left out


def test_merge_lists_every_reproducer_and_completes(folder: Path, tmp_path: Path) -> None:
    src = tmp_path / "in"
    shutil.copytree(folder, src)
    for sample in SAMPLES.glob("*.xlsx"):
        shutil.copy(sample, src / sample.name)
    with consolidate([str(src)], workers=2) as result:
        sources = result.sources.set_index(result.sources["文件"].map(_name))
        for name in ALL:
            row = sources.loc[name]
            if name in REFUSED:
                assert row["状态"] == "failed" and row["原因"], name
            else:
                assert row["状态"] in ("imported", "replaced"), (name, row["状态"], row["原因"])
        # marker text in its properties: a submission like any (here the same county as 彭阳's sample: one replaces the other)
        assert sources.loc["r12", "状态"] in ("imported", "replaced")
        findings = result.findings
        failed_codes = set(findings.loc[findings["文件状态"] == "无法读取", "代码"])
        assert set(REFUSED.values()) <= failed_codes
        overview = result.overview.set_index("县(区)")
        assert overview.loc["隆德县", "项目年度金额合计（万元）"] == pytest.approx(0 + 123 + 12345.6 + 31.9)  # -5 not summed
        assert overview.loc["隆德县", "金额未识别项目数"] == 4  # 1e308 twice, 十万, -5
        paths = [*write_parquet(result, str(tmp_path / "pq")), *write_csv(result, str(tmp_path / "csv"))]
        write_consolidated(result, str(tmp_path / "c.xlsx"))
        assert result.exit_code == 2
    wb = openpyxl.load_workbook(tmp_path / "c.xlsx", read_only=True)
    assert wb["来源"].max_row == len(ALL) + 5 + 1
    assert len(pd.read_parquet(tmp_path / "pq" / "sources.parquet")) == len(ALL) + 5 and len(paths) == 14


def test_special_files_are_refused_not_read(tmp_path: Path) -> None:
    """A FIFO or a link to /dev/zero named .xlsx hung the merge (discovery opened every
    file); now each is a failed row with its reason and the batch completes."""
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SAMPLES / "000_pengyang_2024.xlsx", src / "a.xlsx")
    os.mkfifo(src / "pipe.xlsx")
    (src / "zero.xlsx").symlink_to("/dev/zero")
    (src / "gone.xlsx").symlink_to(src / "nowhere.xlsx")
    with consolidate([str(src)], workers=1) as result:
        status = dict(zip(result.sources["文件"].map(_name), zip(result.sources["状态"], result.sources["原因"])))
    assert status["a"][0] == "imported"
    for name in ("pipe", "zero"):
        assert status[name][0] == "failed" and "不是普通文件" in status[name][1], status[name]
    assert status["gone"][0] == "failed" and "找不到" in status["gone"][1]


def test_a_modification_time_past_the_year_9999(tmp_path: Path) -> None:
    """Some file systems (tmpfs, btrfs, NTFS shares) keep such times; merge died on them."""
    assert local_time(300_000_000_000 * 10**9) == "约公元 11476 年（超出范围）"
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SAMPLES / "000_pengyang_2024.xlsx", src / "a.xlsx")
    far = 300_000_000_000 * 10**9
    try:
        os.utime(src / "a.xlsx", ns=(far, far))
    except OverflowError:  # pragma: no cover - a platform without 64-bit times
        pytest.skip("no 64-bit file times here")
    with consolidate([str(src)], workers=1) as result:
        modified = result.sources["修改时间"].iloc[0]
        assert result.sources["状态"].iloc[0] == "imported"
    kept = os.stat(src / "a.xlsx").st_mtime_ns  # ext4 clamps to 2446: then a date is shown
    assert modified == local_time(kept)


def test_a_file_replaced_during_the_merge_is_recorded_as_imported(tmp_path: Path) -> None:
    """victim.xlsx is replaced by a copy of other.xlsx between discovery and its import:
    the sha256 recorded is of the bytes imported, so it is a duplicate of other.xlsx, and
    other.xlsx (the genuine file) stays consolidated. Before: the sha256 of discovery
    was recorded and the genuine file was dropped as 'replaced'."""
    src = tmp_path / "in"
    src.mkdir()
    build_project_workbook(src / "other.xlsx", projects=[("其他县项目", 5, None)])
    build_project_workbook(src / "victim.xlsx", projects=[("本县项目", 7, None)])
    write_manifest(src, [("other.xlsx", "宁夏回族自治区", "固原市", "彭阳县", "", "2025"),
                         ("victim.xlsx", "宁夏回族自治区", "固原市", "彭阳县", "", "2025")])
    genuine = hashlib.sha256((src / "other.xlsx").read_bytes()).hexdigest()
    with consolidate([str(src)], workers=1, import_fn=swapping_import) as result:
        rows = {_name(r["文件"]): r for r in result.sources.to_dict("records")}
        assert list(result.projects["项目名称"]) == ["其他县项目"]
    assert rows["other"]["状态"] == "imported" and rows["victim"]["状态"] == "duplicate"
    assert rows["victim"]["sha256"] == rows["other"]["sha256"] == genuine


def test_an_output_onto_an_input_is_refused_before_reading(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SAMPLES / "000_pengyang_2024.xlsx", src / "a.xlsx")
    before = (src / "a.xlsx").read_bytes()
    res = runner.invoke(app, ["merge", str(src), "-o", str(src / "a.xlsx")])
    assert res.exit_code == 2 and "覆盖" in res.output and "Traceback" not in res.output
    assert (src / "a.xlsx").read_bytes() == before
    (src / "b.csv").write_text("项目名称\n甲\n", encoding="utf-8")  # a submission a --csv folder would overwrite?
    res = runner.invoke(app, ["merge", str(src), "--dry-run", "--csv", str(src)])
    assert res.exit_code != 2 or "覆盖" not in res.output  # --dry-run writes nothing: nothing to refuse
    (src / "projects.csv").write_text("项目名称\n甲\n", encoding="utf-8")
    res = runner.invoke(app, ["merge", str(src), "-o", str(tmp_path / "c.xlsx"), "--csv", str(src)])
    assert res.exit_code == 2 and "projects.csv" in res.output


def test_a_rerun_onto_its_own_output_is_no_input(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SAMPLES / "000_pengyang_2024.xlsx", src / "a.xlsx")
    for _ in range(2):
        res = runner.invoke(app, ["merge", str(src), "-o", str(src / "汇总.xlsx")])
        assert res.exit_code in (0, 1), res.output
    wb = openpyxl.load_workbook(src / "汇总.xlsx", read_only=True)
    assert [r[0] for r in wb["来源"].iter_rows(min_row=2, values_only=True)] == [str(src / "a.xlsx")]


def test_the_show_read_copy_is_recorded_so_merge_skips_it(tmp_path: Path) -> None:
    """The show-read copy (xlperf review --show-read) is no submission: recorded beside it
    when written, so a merge of the folder skips it; a review copy is a submission."""
    from xlperf.annotate import review_file
    from xlperf.consolidate.merge import discover

    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SAMPLES / "000_pengyang_2024.xlsx", src / "a.xlsx")
    shown = review_file(str(src / "a.xlsx"), show_read=True)
    reviewed = review_file(str(src / "a.xlsx"))
    found = discover([str(src)])
    assert found.own == [shown.copy.output]
    assert sorted(found.files) == sorted([str(src / "a.xlsx"), reviewed.copy.output])
