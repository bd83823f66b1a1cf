"""xlperf merge: the consolidated workbook, read back with openpyxl.

Expected counts come from importing each sample on its own (``import_workbook``) and
from facts read off the seeds by eye (samples/source/SEEDS.md).
"""

from __future__ import annotations

import gc
import os
import pickle
import shutil
import stat
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from helpers import SAMPLES, build_project_workbook, write_manifest
from openpyxl.utils.cell import range_boundaries
from typer.testing import CliRunner

from xlperf.cli import app
from xlperf.consolidate.manifest import read_manifest
from xlperf.consolidate.merge import consolidate, discover
from xlperf.consolidate.tables import INDICATORS, department_columns, projects_table, tables
from xlperf.errors import OutputError, UnreadableWorkbook
from xlperf.importer import import_workbook
from xlperf.isolation import ContainedRunner
from xlperf.model import Region
from xlperf.writers.outputs.csv import write as write_csv
from xlperf.writers.outputs.parquet import write as write_parquet
from xlperf.writers.outputs.xlsx import TRUNCATION_MARK, write_consolidated

SHEETS = [t.sheet for t in tables()]
INJECTION = ['=HYPERLINK("http://example.com","x")', "+1", "-1", "@SUM(1)", "http://example.com/a", "mailto:a@b.cn"]


# ---------------------------------------------------------------- helpers (module level: workers import them)

PYTHON_GC_THRESHOLD = 700  # Python's first-generation default: a batch-ready process collects less eagerly

def crashing_import(path: str, *, region: Region | None = None, year: int | None = None):  # noqa: ANN201
    """Kills its worker process for a file named *crash*: a native crash, as calamine's abort."""
    if "crash" in os.path.basename(path):
        os._exit(3)
    return import_workbook(path, region=region, year=year)


def hogging_import(path: str, *, region: Region | None = None, year: int | None = None):  # noqa: ANN201
    """Asks for 8 GiB for a file named *hog*: past the worker's address-space limit."""
    if "hog" in os.path.basename(path):
        bytearray(8 * 1024**3)
    return import_workbook(path, region=region, year=year)


def batch_ready_import(path: str, *, region: Region | None = None, year: int | None = None):  # noqa: ANN201
    """import_workbook, refusing to run in a worker that prepare_batch did not set up."""
    if gc.get_threshold()[0] <= PYTHON_GC_THRESHOLD or gc.get_freeze_count() == 0:
        raise RuntimeError(f"worker not prepared: threshold {gc.get_threshold()}, frozen {gc.get_freeze_count()}")
    return import_workbook(path, region=region, year=year)


def gc_state(_item: int) -> tuple[tuple[int, int, int], int]:
    return gc.get_threshold(), gc.get_freeze_count()


def raise_threshold() -> None:
    gc.set_threshold(12_345, 6, 7)


def dated_import(path: str, *, region: Region | None = None, year: int | None = None):  # noqa: ANN201
    """import_workbook, then the 填报日期 a department form would state (by file name)."""
    result = import_workbook(path, region=region, year=year)
    dates = {"early": "2025-10-20", "late": "2025-11-01"}
    for word, date in dates.items():
        if word in os.path.basename(path):
            result.submission.department.fill_date = date
    return result


def sheet_rows(ws) -> list[dict[str, object]]:  # noqa: ANN001 - openpyxl worksheet
    """The table on *ws* as dicts by header (rows below the table ref are ignored)."""
    ((_, ref),) = ws.tables.items()
    _, _, _, last = range_boundaries(ref)
    values = list(ws.iter_rows(min_row=1, max_row=last, values_only=True))
    header = values[0]
    return [dict(zip(header, row)) for row in values[1:] if any(v is not None for v in row)]


def all_values(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def tiny_folder(folder: Path, files: dict[str, list] | None = None) -> Path:
    """A folder with small project workbooks, all of 测试县司法局 / 2025 unless the manifest says otherwise."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, projects in (files or {"a.xlsx": [("法治宣传经费", 12.5, None)]}).items():
        build_project_workbook(folder / name, projects=projects)
    return folder


# ---------------------------------------------------------------- the five real counties

@pytest.fixture(scope="module")
def merged(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    out = tmp_path_factory.mktemp("merged") / "consolidated.xlsx"
    result = consolidate([str(SAMPLES)], workers=2)
    write_consolidated(result, str(out))
    wb = openpyxl.load_workbook(out)
    return result, out, {name: sheet_rows(wb[name]) for name in SHEETS}, wb


def test_sheets_are_tables_with_filters_and_frozen_header(merged) -> None:  # noqa: ANN001
    _, _, rows, wb = merged
    assert wb.sheetnames == SHEETS
    for name in SHEETS:
        ws = wb[name]
        ((_, ref),) = ws.tables.items()
        min_col, min_row, _, max_row = range_boundaries(ref)
        assert (min_col, min_row) == (1, 1), name
        assert max_row == max(len(rows[name]), 1) + 1, name
        assert ws.freeze_panes == "A2", name
    assert wb.properties.created.year == 2000  # fixed: no timestamp of the run


def test_headers_are_the_schema(merged, tmp_path: Path) -> None:  # noqa: ANN001
    """Every output's columns are the schema's headers (the 部门 items vary between forms); the
    workbook leaves out the columns the schema marks as repeats (指标 / 部门指标: 省, 市, 代码, 年度)."""
    result, _, _, wb = merged
    assert SHEETS == ["概览", "部门", "项目", "指标", "部门指标", "问题", "来源"]
    write_parquet(result, str(tmp_path / "pq"))
    for table in tables():
        header = [c.value for c in next(wb[table.sheet].iter_rows(max_row=1))]
        parquet = list(pd.read_parquet(tmp_path / "pq" / f"{table.name}.parquet").columns)
        if table.name == "departments":
            assert header == parquet == department_columns(merged[2]["部门"])
            assert set(table.headers) <= set(header)
        else:
            assert parquet == table.headers, table.name
            assert header == table.workbook_headers == [h for h in table.headers if table.shows(h)], table.name
    assert "产出指标数" in projects_table().headers  # one count per 一级 of the taxonomy
    assert "省" not in INDICATORS.workbook_headers and len(INDICATORS.workbook_headers) == 23
    assert {"县(区)", "部门", "项目名称", "来源文件", "工作表", "单元格"} <= set(INDICATORS.workbook_headers)


def test_counts_equal_what_import_gives_per_file(merged) -> None:  # noqa: ANN001
    result, _, rows, _ = merged
    imported = [import_workbook(str(p)) for p in sorted(SAMPLES.glob("*.xlsx"))]
    subs = [r.submission for r in imported]
    assert len(rows["项目"]) == sum(len(s.projects) for s in subs) == 60
    assert len(rows["指标"]) == sum(len(p.indicators) for s in subs for p in s.projects)
    assert len(rows["部门指标"]) == sum(r.report.stats["department_indicators"] for r in imported) == 80
    assert len(rows["来源"]) == 5 and {r["状态"] for r in rows["来源"]} == {"imported"}
    per_county = Counter(r["县(区)"] for r in rows["项目"])
    assert per_county == {"彭阳县": 12, "乐亭县": 12, "红寺堡区": 24, "增城区": 12}
    overview = {r["县(区)"]: r for r in rows["概览"]}
    assert overview["红寺堡区"]["项目数"] == 24 and overview["阳新县"]["部门指标数"] == 80
    assert overview["彭阳县"]["项目年度金额合计（万元）"] == pytest.approx(494.56)
    assert len(result.projects) == 60 and len(result.indicators) == len(rows["指标"])


def test_manifest_gives_every_region_and_year(merged) -> None:  # noqa: ANN001
    _, _, rows, _ = merged
    got = {(r["省"], r["市"], r["县(区)"], r["行政区划代码"], r["年度"]) for r in rows["来源"]}
    assert got == {
        ("宁夏回族自治区", "固原市", "彭阳县", "640425", 2024), ("河北省", "唐山市", "乐亭县", "130225", 2022),
        ("宁夏回族自治区", "吴忠市", "红寺堡区", "640303", 2025), ("广东省", "广州市", "增城区", "440118", 2024),
        ("湖北省", "黄石市", "阳新县", "420222", 2026),
    }
    assert not [r for r in rows["问题"] if r["代码"] in ("region-unknown", "year-unknown")]


def test_yangxin_department_row(merged) -> None:  # noqa: ANN001
    _, _, rows, _ = merged
    (row,) = [r for r in rows["部门"] if r["县(区)"] == "阳新县"]
    assert row["部门"] == "阳新县司法局" and row["年度"] == 2026 and row["填报日期"] == "2025-10-20"
    assert row["项目支出情况数"] == 8
    assert row["项目支出情况合计（万元）"] == pytest.approx(242.8)
    assert row["收入：财政拨款（万元）"] == pytest.approx(1932.41) and row["收入合计（万元）"] == pytest.approx(1932.41)
    assert row["支出：特定目标类项目支出（万元）"] == pytest.approx(242.8)
    assert row["支出合计（万元）"] == pytest.approx(1932.41)
    kinds = Counter(r["类别"] for r in rows["部门指标"])
    assert set(kinds) == {"长期", "年度"} and sum(kinds.values()) == 80


def test_levels_are_canonical_across_provinces(merged) -> None:  # noqa: ANN001
    _, _, rows, _ = merged
    laoting = [r for r in rows["指标"] if r["县(区)"] == "乐亭县" and r["二级指标（原文）"] == "社会效益指标"]
    pengyang = [r for r in rows["指标"] if r["县(区)"] == "彭阳县" and r["二级指标（原文）"] == "22-社会效益"]
    assert laoting and pengyang
    assert {r["二级指标"] for r in laoting} == {r["二级指标"] for r in pengyang} == {"社会效益"}
    assert {r["一级指标"] for r in laoting + pengyang} == {"效益指标"}
    satisfied = {r["二级指标"] for r in rows["指标"] if r["一级指标"] == "满意度指标"}
    assert satisfied == {"服务对象满意度"}


def test_hongsibu_findings_listed(merged) -> None:  # noqa: ANN001
    _, _, rows, _ = merged
    hong = [r for r in rows["问题"] if r["县(区)"] == "红寺堡区"]
    assert {r["文件"] for r in hong} == {str(SAMPLES / "002_hongsibu_2025.xlsx")}
    cost = [r for r in hong if r["代码"] == "cost-amount-mismatch"]
    assert [(r["项目名称"], r["工作表"], r["单元格"]) for r in cost if "33756" in r["说明"]] == [
        ("法律援助案件补助资金", "表3", "D12")]
    ambiguous = " ".join(f"{r['说明']} {r['原文']}" for r in hong if r["代码"] == "ambiguous-number")
    assert "2,8505" in ambiguous and "62,905,469" in ambiguous
    amounts = {r["原文"]: (r["工作表"], r["单元格"]) for r in hong if r["代码"] == "ambiguous-number"}
    assert amounts["2,8505"] == ("表6", "D6") and amounts["62,905,469"] == ("表24", "D6")
    assert any(r["代码"] == "level2-wrong-parent" and r["级别"] == "错误" for r in hong)
    assert all(r["单元格"] for r in cost)


def test_amounts_are_numbers_with_the_decimals_entered(merged) -> None:  # noqa: ANN001
    _, _, _, wb = merged
    ws = wb["项目"]
    header = [c.value for c in ws[1]]
    col = header.index("项目年度金额（万元）")
    cells = [ws.cell(row=r, column=col + 1) for r in range(2, ws.max_row + 1)]
    formats = {c.value: c.number_format for c in cells if c.value is not None}
    assert formats[31.9] == "0.0"
    assert all(isinstance(v, (int, float)) for v in formats)
    name_col = header.index("项目名称")
    by_name = {ws.cell(row=r, column=name_col + 1).value: ws.cell(row=r, column=col + 1) for r in range(2, ws.max_row + 1)}
    assert by_name["法律援助"].value == 5 and by_name["法律援助"].number_format == "0"  # 乐亭: entered as 5


def test_consolidation_is_deterministic(merged, tmp_path: Path) -> None:  # noqa: ANN001
    """Same cells whether the folder or its files (in any order) are given, in-process or in workers;
    the folder's manifest applies to files given one by one too."""
    _, first, _, _ = merged
    again = tmp_path / "again.xlsx"
    files = [str(p) for p in sorted(SAMPLES.glob("*.xlsx"), reverse=True)]
    write_consolidated(consolidate(files, workers=1), str(again))
    assert all_values(first) == all_values(again)


# ---------------------------------------------------------------- untrusted text

def test_formula_injection_comes_out_as_plain_text(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    indicators = [("1-产出指标", "11-数量指标", INJECTION[0], "≥1个"), ("", "12-质量指标", INJECTION[1], "100%"),
                  ("", "13-时效指标", INJECTION[2], "及时"), ("", "14-成本指标", INJECTION[3], "≤10万元"),
                  ("2-效益指标", "22-社会效益", INJECTION[4], "提升"), ("3-满意度指标", "31-服务对象满意度", INJECTION[5], "≥90%")]
    build_project_workbook(src / "inject.xlsx", projects=[("注入测试", 10, indicators)])
    out = tmp_path / "c.xlsx"
    result = consolidate([str(src)], workers=1)
    write_consolidated(result, str(out))
    ws = openpyxl.load_workbook(out)["指标"]
    col = [c.value for c in ws[1]].index("三级指标") + 1
    cells = [ws.cell(row=r, column=col) for r in range(2, 2 + len(INJECTION))]
    assert [c.value for c in cells] == INJECTION
    assert [c.data_type for c in cells] == ["s"] * len(INJECTION)
    assert not ws._hyperlinks  # noqa: SLF001 - openpyxl keeps a sheet's links here
    # CSV for Excel: a leading ' so no formula runs; Parquet keeps the text exactly
    write_csv(result, str(tmp_path / "csv"))
    write_parquet(result, str(tmp_path / "pq"))
    csv = pd.read_csv(tmp_path / "csv" / "indicators.csv", encoding="utf-8-sig", dtype=str)
    assert list(csv["三级指标"]) == ["'" + s if s[0] in "=+-@" else s for s in INJECTION]
    assert list(pd.read_parquet(tmp_path / "pq" / "indicators.parquet")["三级指标"]) == INJECTION


LONG_TEXT = "全面提升法治宣传覆盖面。" * 3500  # 42,000 characters


def long_goal_import(path: str, *, region: Region | None = None, year: int | None = None):  # noqa: ANN201
    """A 年度总体绩效目标 longer than an Excel cell holds (the reader itself stops at the
    cell limit, so the seam stands in for text joined from several cells or from JSON)."""
    result = import_workbook(path, region=region, year=year)
    result.submission.projects[0].performance_target = LONG_TEXT
    return result


def test_text_longer_than_a_cell_is_marked_not_cut_silently(tmp_path: Path) -> None:
    src = tiny_folder(tmp_path / "in")
    out = tmp_path / "c.xlsx"
    result = consolidate([str(src)], workers=1, import_fn=long_goal_import)
    write_consolidated(result, str(out))
    write_parquet(result, str(tmp_path / "pq"))
    write_csv(result, str(tmp_path / "csv"))
    wb = openpyxl.load_workbook(out)
    ws = wb["项目"]
    col = [c.value for c in ws[1]].index("年度总体绩效目标") + 1
    assert ws.cell(row=2, column=col).value == LONG_TEXT[:32000] + TRUNCATION_MARK
    (f,) = [r for r in sheet_rows(wb["问题"]) if r["代码"] == "text-too-long"]
    assert "42000" in f["说明"] and "年度总体绩效目标" in f["说明"] and f["级别"] == "错误"
    assert f["工作表"] == "2025年项目支出绩效目标" and f["单元格"] == "B9"
    assert pd.read_parquet(tmp_path / "pq" / "projects.parquet")["年度总体绩效目标"][0] == LONG_TEXT
    assert pd.read_csv(tmp_path / "csv" / "projects.csv", encoding="utf-8-sig")["年度总体绩效目标"][0] == LONG_TEXT
    assert result.exit_code == 1


# ---------------------------------------------------------------- keys, duplicates, resubmissions

def _statuses(result) -> dict[str, str]:  # noqa: ANN001
    return {os.path.basename(p): s for p, s in zip(result.sources["文件"], result.sources["状态"])}


def test_duplicate_and_replaced_by_mtime(tmp_path: Path) -> None:
    src = tiny_folder(tmp_path / "in", {"v1.xlsx": [("法治宣传经费", 12.5, None)],
                                        "v2.xlsx": [("法治宣传经费", 13.5, None), ("人民调解经费", 8, None)]})
    shutil.copy(src / "v2.xlsx", src / "v2_copy.xlsx")
    write_manifest(src, [(n, "宁夏回族自治区", "固原市", "测试县", "640499", "2025") for n in ("v1.xlsx", "v2.xlsx")])
    os.utime(src / "v1.xlsx", (1_700_000_000, 1_700_000_000))
    os.utime(src / "v2.xlsx", (1_700_086_400, 1_700_086_400))
    result = consolidate([str(src)], workers=1)
    assert _statuses(result) == {"v1.xlsx": "replaced", "v2.xlsx": "imported", "v2_copy.xlsx": "duplicate"}
    out = tmp_path / "c.xlsx"
    write_consolidated(result, str(out))
    wb = openpyxl.load_workbook(out)
    sources = {os.path.basename(r["文件"]): r for r in sheet_rows(wb["来源"])}
    assert "文件修改时间" in sources["v1.xlsx"]["原因"] and "v2.xlsx" in sources["v1.xlsx"]["原因"]
    assert "v1.xlsx" in sources["v2.xlsx"]["原因"]
    assert "v2.xlsx" in sources["v2_copy.xlsx"]["原因"]
    codes = {(os.path.basename(r["文件"]), r["代码"]) for r in sheet_rows(wb["问题"])}
    assert {("v1.xlsx", "submission-replaced"), ("v2_copy.xlsx", "submission-duplicate")} <= codes
    projects = sheet_rows(wb["项目"])
    assert [(r["项目名称"], r["项目年度金额（万元）"]) for r in projects] == [("法治宣传经费", 13.5), ("人民调解经费", 8)]
    assert {r["县(区)"] for r in projects} == {"测试县"}


def test_fill_date_orders_resubmissions_before_mtime(tmp_path: Path) -> None:
    src = tiny_folder(tmp_path / "in", {"early.xlsx": [("甲", 1, None)], "late.xlsx": [("乙", 2, None)]})
    write_manifest(src, [(n, "湖北省", "黄石市", "测试县", "", "2026") for n in ("early.xlsx", "late.xlsx")])
    os.utime(src / "early.xlsx", (1_800_000_000, 1_800_000_000))  # newer file, older 填报日期
    os.utime(src / "late.xlsx", (1_700_000_000, 1_700_000_000))
    result = consolidate([str(src)], workers=1, import_fn=dated_import)
    assert _statuses(result) == {"early.xlsx": "replaced", "late.xlsx": "imported"}
    reason = result.sources.set_index("状态").loc["replaced", "原因"]
    assert "填报日期 2025-11-01 晚于 2025-10-20" in reason
    assert list(result.projects["项目名称"]) == ["乙"]


def test_undatable_key_clash_is_a_conflict_and_both_kept(tmp_path: Path) -> None:
    src = tiny_folder(tmp_path / "in", {"x.xlsx": [("甲", 1, None)], "y.xlsx": [("乙", 2, None)]})
    for name in ("x.xlsx", "y.xlsx"):
        os.utime(src / name, (1_700_000_000, 1_700_000_000))
    result = consolidate([str(src)], workers=1)
    assert _statuses(result) == {"x.xlsx": "imported", "y.xlsx": "imported"}
    conflicts = result.findings[result.findings["代码"] == "submission-key-conflict"]
    assert sorted(os.path.basename(f) for f in conflicts["文件"]) == ["x.xlsx", "y.xlsx"]
    assert set(conflicts["级别"]) == {"错误"}
    assert sorted(result.projects["项目名称"]) == ["乙", "甲"]
    assert result.exit_code == 1


def test_unknown_origin_never_replaces(tmp_path: Path) -> None:
    """No year known: the key is incomplete, so two files stay two submissions."""
    src = tmp_path / "in"
    src.mkdir()
    for name, project in (("p.xlsx", "甲"), ("q.xlsx", "乙")):
        build_project_workbook(src / name, projects=[(project, 1, None)])
    result = consolidate([str(src)], workers=1, import_fn=_no_year_import)
    assert set(result.sources["状态"]) == {"imported"}
    assert not (result.findings["代码"] == "submission-key-conflict").any()


def _no_year_import(path: str, *, region: Region | None = None, year: int | None = None):  # noqa: ANN202
    result = import_workbook(path, region=region, year=year)
    result.submission.year = None
    return result


def test_duplicate_project_in_one_submission_warns(tmp_path: Path) -> None:
    src = tiny_folder(tmp_path / "in", {"d.xlsx": [("法治宣传经费", 1, None), ("法治宣传经费", 2, None)]})
    result = consolidate([str(src)], workers=1)
    dup = result.findings[result.findings["代码"] == "project-duplicate"]
    assert len(dup) == 1 and set(dup["级别"]) == {"警告"}
    assert "法治宣传经费" in dup["说明"].iloc[0] and "2 次" in dup["说明"].iloc[0]
    assert len(result.projects) == 2  # reported, not dropped


# ---------------------------------------------------------------- isolation

def test_crashed_worker_is_contained(tmp_path: Path) -> None:
    src = tiny_folder(tmp_path / "in", {"a.xlsx": [("甲", 1, None)], "crash.xlsx": [("乙", 2, None)],
                                        "z.xlsx": [("丙", 3, None)]})
    write_manifest(src, [(n, "宁夏回族自治区", "固原市", c, "", "2025")
                         for n, c in (("a.xlsx", "一县"), ("crash.xlsx", "二县"), ("z.xlsx", "三县"))])
    result = consolidate([str(src)], workers=2, import_fn=crashing_import)
    assert _statuses(result) == {"a.xlsx": "imported", "crash.xlsx": "failed", "z.xlsx": "imported"}
    row = result.sources[result.sources["状态"] == "failed"].iloc[0]
    assert "进程意外终止" in row["原因"] and "worker" not in row["原因"]  # what a person reads is Chinese
    crashed = result.findings[result.findings["代码"] == "import-crashed"]
    assert [os.path.basename(f) for f in crashed["文件"]] == ["crash.xlsx"]
    assert sorted(result.projects["项目名称"]) == ["丙", "甲"]
    assert result.exit_code == 2


def test_memory_blowup_is_contained_by_the_worker_limit(tmp_path: Path) -> None:
    src = tiny_folder(tmp_path / "in", {"hog.xlsx": [("甲", 1, None)], "ok.xlsx": [("乙", 2, None)]})
    result = consolidate([str(src)], workers=2, import_fn=hogging_import, memory_limit=1024**3)
    assert _statuses(result) == {"hog.xlsx": "failed", "ok.xlsx": "imported"}
    assert "MemoryError" in result.sources.set_index("状态").loc["failed", "原因"]
    assert list(result.projects["项目名称"]) == ["乙"]


def test_contained_runner_prepares_each_worker_not_the_caller() -> None:
    before = gc.get_threshold()
    with ContainedRunner(2, prepare=raise_threshold) as runner:
        outcomes = sorted(runner.map(gc_state, [0, 1, 2]), key=lambda o: o.index)
    assert [o.value[0] for o in outcomes] == [(12_345, 6, 7)] * 3
    assert gc.get_threshold() == before


def test_merge_workers_are_prepared_for_a_batch(tmp_path: Path) -> None:
    src = tiny_folder(tmp_path / "in", {"a.xlsx": [("甲", 1, None)], "b.xlsx": [("乙", 2, None)]})
    write_manifest(src, [(n, "宁夏回族自治区", "固原市", c, "", "2025") for n, c in (("a.xlsx", "一县"), ("b.xlsx", "二县"))])
    result = consolidate([str(src)], workers=2, import_fn=batch_ready_import)
    assert _statuses(result) == {"a.xlsx": "imported", "b.xlsx": "imported"}


def test_prepare_batch_loads_the_data_and_tunes_the_collector() -> None:
    code = ("import gc; from xlperf.importer import prepare_batch; "
            "from xlperf.taxonomy import load_taxonomy; prepare_batch(); "
            f"print(gc.get_threshold()[0] > {PYTHON_GC_THRESHOLD}, gc.get_freeze_count() > 1000, "
            "load_taxonomy.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "True", "1"]


def test_unreadable_file_is_listed_and_the_batch_goes_on(tmp_path: Path) -> None:
    src = tiny_folder(tmp_path / "in")
    (src / "b.xlsx").write_text("项目名称,金额\n甲,1\n", encoding="utf-8")
    result = consolidate([str(src)], workers=1)
    assert _statuses(result) == {"a.xlsx": "imported", "b.xlsx": "failed"}
    failed = result.sources[result.sources["状态"] == "failed"].iloc[0]
    assert "CSV" in failed["原因"]
    assert "file-csv" in set(result.findings["代码"]) and result.exit_code == 2


def test_import_results_cross_process_boundaries() -> None:
    err = UnreadableWorkbook("file-xls", "这是旧版 .xls 文件。", "an old .xls file", path="x.xls")
    back = pickle.loads(pickle.dumps(err))
    assert (back.code, back.message, back.message_en, back.path) == ("file-xls", "这是旧版 .xls 文件。", "an old .xls file", "x.xls")
    result = import_workbook(str(SAMPLES / "004_yangxin_2026.xlsx"))
    assert pickle.loads(pickle.dumps(result)).submission == result.submission


# ---------------------------------------------------------------- output

def test_failed_write_leaves_the_earlier_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tiny_folder(tmp_path / "in")
    result = consolidate([str(src)], workers=1)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "c.xlsx"
    write_consolidated(result, str(out))
    before = out.read_bytes()
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~mask  # not mkstemp's 0o600: colleagues can open it

    def broken_close(self) -> None:  # noqa: ANN001
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(xlsxwriter.Workbook, "close", broken_close)
    with pytest.raises(OutputError, match="磁盘空间已满"):
        write_consolidated(result, str(out))
    assert out.read_bytes() == before
    assert sorted(p.name for p in out_dir.iterdir()) == [".xlperf-merge-outputs", "c.xlsx"]  # no temporary file left


def test_big_sheets_continue_on_numbered_sheets(tmp_path: Path) -> None:
    src = tiny_folder(tmp_path / "in", {"a.xlsx": [(f"项目{i}", i, None) for i in range(1, 5)]})
    result = consolidate([str(src)], workers=1)
    assert len(result.indicators) == 28
    out = tmp_path / "c.xlsx"
    write_consolidated(result, str(out), max_rows=11)
    wb = openpyxl.load_workbook(out)
    parts = [n for n in wb.sheetnames if n.startswith("指标")]
    assert parts == ["指标", "指标 (2)", "指标 (3)"]
    got = [r for n in parts for r in sheet_rows(wb[n])]
    assert [r["三级指标"] for r in got] == list(result.indicators["三级指标"])
    assert len({t for n in parts for t in wb[n].tables}) == 3


def test_data_files_hold_every_table(merged, tmp_path: Path) -> None:  # noqa: ANN001
    result = merged[0]
    pq_files = write_parquet(result, str(tmp_path / "pq"))
    csv_files = write_csv(result, str(tmp_path / "csv"))
    assert [Path(p).name for p in pq_files] == [f"{t.name}.parquet" for t in tables()]
    projects = pd.read_parquet(tmp_path / "pq" / "projects.parquet")
    assert len(projects) == 60
    assert Decimal(str(projects.loc[projects["项目名称"] == "法律援助", "项目年度金额（万元）"].iloc[0])) == 5
    raw = (tmp_path / "csv" / "indicators.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert len(pd.read_csv(tmp_path / "csv" / "indicators.csv", encoding="utf-8-sig")) == len(result.indicators)
    assert len(csv_files) == 7


# ---------------------------------------------------------------- discovery, manifest, CLI

def test_discover_skips_lock_files_and_our_own_output(merged, tmp_path: Path) -> None:  # noqa: ANN001
    """Our own output is recognised by the sha256 recorded when it was written, beside it;
    a copy elsewhere (or anything merely carrying the marker) is listed like any file."""
    src = tiny_folder(tmp_path / "in")
    (src / "~$a.xlsx").write_bytes(b"lock")
    write_consolidated(merged[0], str(src / "consolidated.xlsx"))
    (src / "sub").mkdir()
    build_project_workbook(src / "sub" / "b.xlsm")
    shutil.copy(merged[1], src / "sub" / "copied_consolidated.xlsx")
    (src / "notes.txt").write_text("x", encoding="utf-8")
    found = discover([str(src), str(src / "a.xlsx")])
    assert [os.path.relpath(f, src) for f in found.files] == [
        "a.xlsx", os.path.join("sub", "b.xlsm"), os.path.join("sub", "copied_consolidated.xlsx")]
    assert found.own == [str(src / "consolidated.xlsx")]
    (src / "consolidated.xlsx").write_bytes((src / "consolidated.xlsx").read_bytes() + b"x")  # changed since: a file like any
    assert os.path.join(str(src), "consolidated.xlsx") in discover([str(src)]).files


def test_manifest_rows_and_problems(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    path = write_manifest(folder, [
        ("a.xlsx", "河北省", "唐山市", "乐亭县", "130225", "2022"),
        ("", "河北省", "", "", "", ""),
        ("sub\\b.xlsx", "", "", "滦南县", "1302", "二〇二二"),
        ("a.xlsx", "河北省", "唐山市", "迁安市", "", "2022"),
    ], bom=False)
    man = read_manifest(str(path))
    a = man.lookup(str(folder / "a.xlsx"))
    assert a is not None and a.region == Region(province="河北省", city="唐山市", county="乐亭县", division_code="130225")
    assert a.year == 2022 and a.row == 2
    b = man.lookup(str(folder / "sub" / "b.xlsx"))
    assert b is not None and b.region == Region(county="滦南县") and b.year is None
    problems = [(f.code, f.cell) for f in man.findings]
    assert problems == [("manifest-row-invalid", "A3"), ("manifest-row-invalid", "F4"),
                        ("manifest-row-invalid", "E4"), ("manifest-row-invalid", "A5")]
    gbk = write_manifest(tmp_path, [("a.xlsx", "河北省", "唐山市", "乐亭县", "130225", "2022")], encoding="gb18030")
    man = read_manifest(str(gbk))
    assert [f.code for f in man.findings] == ["manifest-not-utf8"]
    assert man.lookup(str(tmp_path / "a.xlsx")).region.county == "乐亭县"  # type: ignore[union-attr]
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "manifest.csv").write_text("名称,省\nx,y\n", encoding="utf-8")
    assert [f.code for f in read_manifest(str(tmp_path / "bad" / "manifest.csv")).findings] == ["manifest-unreadable"]


def test_manifest_naming_a_missing_file_is_reported(tmp_path: Path) -> None:
    src = tiny_folder(tmp_path / "in")
    write_manifest(src, [("a.xlsx", "宁夏回族自治区", "固原市", "测试县", "", "2025"),
                         ("gone.xlsx", "宁夏回族自治区", "固原市", "别县", "", "2025")])
    result = consolidate([str(src)], workers=1)
    missing = result.findings[result.findings["代码"] == "manifest-file-missing"]
    assert list(missing["原文"]) == ["gone.xlsx"]
    assert result.sources["省"].iloc[0] == "宁夏回族自治区"


def test_cli_merge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tiny_folder(tmp_path / "in")
    runner = CliRunner()
    out = tmp_path / "c.xlsx"
    res = runner.invoke(app, ["merge", str(src), "-o", str(out), "--parquet", str(tmp_path / "pq")])
    assert res.exit_code == 0, res.output
    assert out.exists() and (tmp_path / "pq" / "indicators.parquet").exists()
    assert "汇总概览" in res.output and str(out) in res.output
    dry = tmp_path / "dry.xlsx"
    res = runner.invoke(app, ["merge", str(src), "-o", str(dry), "--dry-run"])
    assert res.exit_code == 0 and not dry.exists()
    monkeypatch.chdir(tmp_path)  # `-o -`: Parquet only, no workbook (not even one named "-")
    res = runner.invoke(app, ["merge", str(src), "-o", "-", "--parquet", str(tmp_path / "only")])
    assert res.exit_code == 0 and (tmp_path / "only" / "projects.parquet").exists() and not (tmp_path / "-").exists()
    assert "详见汇总工作簿" not in res.output  # no workbook was written to look in
    (tmp_path / "empty").mkdir()
    res = runner.invoke(app, ["merge", str(tmp_path / "empty"), "-o", str(tmp_path / "e.xlsx")])
    assert res.exit_code == 2 and not (tmp_path / "e.xlsx").exists()


def test_cli_merge_summary_prints_submitted_region_text_literally(tmp_path: Path) -> None:
    """Region names are submitted text (a manifest or a cover block): rich markup in them is
    printed as typed, never interpreted; numbers are right-aligned."""
    src = tiny_folder(tmp_path / "in")
    write_manifest(src, [("a.xlsx", "[red]某省", "[link=file:///etc/passwd]某市[/link]", "某县[/bold]", "", "2025")])
    res = CliRunner().invoke(app, ["merge", str(src), "--dry-run"], env={"COLUMNS": "400"})
    assert res.exit_code == 0, res.output
    assert "[red]某省" in res.output and "[link=file:///etc/passwd]某市[/link]" in res.output
    assert "某县[/bold]" in res.output
    row = next(line for line in res.output.splitlines() if "某县" in line)
    cells = row.strip("│").split("│")
    assert cells[4].strip() == "1" and cells[5].strip() == "12.5"  # 项目数, 金额合计
    assert cells[5].startswith("   ") and cells[5].endswith("12.5 ")  # right-aligned


def test_parquet_dataset_is_hive_partitioned_by_province_and_year(merged, tmp_path: Path) -> None:  # noqa: ANN001
    """The national-scale layout: DIR/<table>/省=…/年度=…/part-0.parquet, read as it is by
    any Hive-partitioning reader (pyarrow here; DuckDB and Spark the same way)."""
    import pyarrow.dataset as ds

    from xlperf.writers.outputs.parquet_dataset import write as write_dataset

    result = merged[0]
    folders = write_dataset(result, str(tmp_path / "ds"))
    assert [Path(f).name for f in folders] == [t.name for t in tables()]
    assert (tmp_path / "ds" / "indicators" / "省=宁夏回族自治区" / "年度=2025" / "part-0.parquet").is_file()
    data = ds.dataset(tmp_path / "ds" / "projects", format="parquet", partitioning="hive").to_table().to_pandas()
    assert len(data) == 60 and set(data["省"]) == {"宁夏回族自治区", "河北省", "广东省"}
    per_year = data.groupby(["省", "年度"])["项目年度金额（万元）"].sum().map(float).round(2).to_dict()
    assert per_year[("宁夏回族自治区", 2024)] == 494.56 and per_year[("广东省", 2024)] == 1295.82
    indicators = ds.dataset(tmp_path / "ds" / "indicators", format="parquet", partitioning="hive").to_table()
    assert indicators.num_rows == len(result.indicators)
    write_dataset(result, str(tmp_path / "ds"))  # again: the earlier dataset replaced, nothing left beside
    assert sorted(p.name for p in (tmp_path / "ds").iterdir()) == sorted(t.name for t in tables())


def test_every_read_field_reaches_the_merged_tables() -> None:
    """Nothing read is dropped by consolidation: a project's 中期目标 and 中期资金总额, an
    indicator's 补助区域 (one row per recipient of a 区域绩效目标表), 权重 and 评价标准 each
    have a column in the merged tables (docs/forms.md)."""
    from xlperf.consolidate.flatten import flatten
    from xlperf.importer import ImportResult
    from xlperf.model import Department, Indicator, Project, Source, Submission, Target
    from xlperf.report import Report

    ind = Indicator(level1="产出指标", level2="数量指标", name="补助人数", name_text="1.1.1补助人数", target=Target(raw="≥100人"),
                    weight="10", grades={"优": "≥100人", "良": "≥90人"}, recipient="新罗区", source="表!C5")
    p = Project(name="项目甲", annual_amount=Decimal("12.5"), period_amount=Decimal("40"),
                long_term_goal="三年完成改造", indicators=[ind], cells={"name": "表!B2"})
    sub = Submission(source=Source(path="a.xlsx"), department=Department(name="某局"), projects=[p])
    rows = flatten(ImportResult(path="a.xlsx", submission=sub, report=Report()))
    project = dict(zip(projects_table().headers, rows.projects[0]))
    indicator = dict(zip(INDICATORS.headers, rows.indicators[0]))
    assert project["中期资金总额（万元）"] == Decimal("40") and project["中期目标"] == "三年完成改造"
    assert indicator["补助区域"] == "新罗区" and indicator["指标权重"] == "10"
    assert indicator["评价标准"] == "优：≥100人；良：≥90人"
    assert indicator["三级指标（原文）"] == "1.1.1补助人数"
