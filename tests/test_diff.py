"""xlperf diff OLD NEW: what a resubmission changed, as data (the rows of the CHANGES
table), as a table, as JSON and as a workbook; and the one line a replaced submission's
来源 row carries in xlperf merge (docs/review-loop.md)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from helpers import SAMPLES, make_indicator, make_submission
from typer.testing import CliRunner

from xlperf.cli import app
from xlperf.consolidate.changes import diff_files
from xlperf.consolidate.merge import consolidate
from xlperf.consolidate.tables import CHANGES, SOURCES
from xlperf.model import Project, Submission
from xlperf.writers.template import write_workbook

SAMPLE_FILES = sorted(SAMPLES.glob("*.xlsx"))
assert len(SAMPLE_FILES) == 5


def _resubmitted(old: Submission) -> Submission:
    """*old* with one change of each kind (made-up values)."""
    new = old.model_copy(deep=True)
    first = new.projects[0]
    first.name = "2026年基层法律服务专项资金（调整）"  # same 项目编码
    first.annual_amount = Decimal("35")
    first.indicators = [i for i in first.indicators if i.name != "群众满意度"]
    next(i for i in first.indicators if i.name == "到岗率").target = make_indicator(None, None, "x", "≥98%").target
    first.indicators.append(make_indicator("产出指标", "时效指标", "完成时限", "2026年12月底前"))
    new.projects.append(Project(name="新增项目甲", annual_amount=Decimal("10"),
                                indicators=[make_indicator("产出指标", "数量指标", "宣传场次", "≥5场")]))
    plan = new.department_plan
    plan.expenditure[2].current_amount = Decimal("110")
    next(i for i in plan.annual_indicators if i.name == "在职人员控制率").value_last_year = \
        make_indicator(None, None, "x", "93.6%").target
    return new


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("diff")
    old = make_submission(projects=3)
    write_workbook(str(folder / "初报.xlsx"), submission=old, year=old.year)
    new = _resubmitted(old)
    write_workbook(str(folder / "重报.xlsx"), submission=new, year=new.year)
    return folder / "初报.xlsx", folder / "重报.xlsx"


def _rows(changes) -> set[tuple]:  # noqa: ANN001
    return {(r.change, r.project, r.name, r.field, r.old, r.new) for r in changes.rows}


def test_each_change_of_a_resubmission(pair: tuple[Path, Path]) -> None:
    changes = diff_files(str(pair[0]), str(pair[1]))
    assert changes.failures == []
    code = "130225-2026-001"
    assert _rows(changes) == {
        ("项目名称变化", code, None, "项目名称", "2026年基层法律服务专项资金", "2026年基层法律服务专项资金（调整）"),
        ("金额变化", code, None, "项目年度金额（万元）", "31.9", "35"),
        ("指标值变化", code, "到岗率", "绩效值", "100%", "≥98%"),
        ("删除指标", code, "群众满意度", "绩效值", "≥95%", None),
        ("新增指标", code, "完成时限", "绩效值", None, "2026年12月底前"),
        ("新增项目", "新增项目甲", None, "项目年度金额（万元）", None, "10"),
        ("部门金额变化", "部门整体", None, "支出：特定目标类项目支出（万元）", "100", "110"),
        ("部门金额变化", "部门整体", None, "支出合计（万元）", "1000.5", "1010.5"),
        ("指标值变化", "部门整体（年度）", "在职人员控制率", "上年（原文）", "93.51%", "93.6%"),
    }
    amount = next(r for r in changes.rows if r.change == "金额变化")
    assert amount.difference == Decimal("3.1") and amount.old_where == "项目1!D6" and amount.new_where == "项目1!D6"
    assert next(r for r in changes.rows if r.name == "到岗率").level2 == "质量指标"
    assert changes.summary() == ("新增项目 1 个、项目名称变化 1 个、金额变化 1 个、新增指标 1 个、删除指标 1 个、"
                                 "指标值变化 2 个、部门金额变化 2 个；项目年度金额合计 31.9 → 45 万元")


def test_the_same_target_written_otherwise_is_no_change(tmp_path: Path) -> None:
    old = make_submission(projects=1)
    new = old.model_copy(deep=True)
    next(i for i in new.projects[0].indicators if i.name == "协理员满意度").target = \
        make_indicator(None, None, "x", "> 90 %").target
    for sub, name in ((old, "a.xlsx"), (new, "b.xlsx")):
        write_workbook(str(tmp_path / name), submission=sub, year=sub.year)
    changes = diff_files(str(tmp_path / "a.xlsx"), str(tmp_path / "b.xlsx"))
    assert changes.rows == [] and changes.summary() == "无变化"


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=[p.stem for p in SAMPLE_FILES])
def test_a_sample_against_itself_has_no_change(sample: Path) -> None:
    changes = diff_files(str(sample), str(sample))
    assert changes.rows == [] and changes.summary() == "无变化" and changes.subjects[0] == changes.subjects[1]


def test_projects_match_by_code_else_by_name(tmp_path: Path) -> None:
    """乐亭 (seed 001) states 项目编码: a renamed project stays the same project."""
    old = make_submission(projects=2)
    new = old.model_copy(deep=True)
    new.projects[0].code = None  # read without a code now: found by name
    new.projects[1].name = "项目2号（改名）"  # no code: a different project
    for sub, name in ((old, "a.xlsx"), (new, "b.xlsx")):
        write_workbook(str(tmp_path / name), submission=sub, year=sub.year)
    rows = _rows(diff_files(str(tmp_path / "a.xlsx"), str(tmp_path / "b.xlsx")))
    assert {(r[0], r[1]) for r in rows} == {("删除项目", "项目2号"), ("新增项目", "项目2号（改名）")}


def test_cli_diff_table_json_and_workbook(pair: tuple[Path, Path], tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["diff", str(pair[0]), str(pair[1])])
    assert result.exit_code == 0, result.output
    assert "指标值变化 2 个" in result.output and "变更：初报.xlsx → 重报.xlsx" in result.output
    result = runner.invoke(app, ["diff", str(pair[0]), str(pair[1]), "--json"])
    data = json.loads(result.stdout)
    assert data["counts"]["金额变化"] == 1 and data["new_total"] == 45
    assert {c["change"] for c in data["changes"]} >= {"新增项目", "删除指标"}
    out = tmp_path / "变更.xlsx"
    result = runner.invoke(app, ["diff", str(pair[0]), str(pair[1]), "-o", str(out)])
    assert result.exit_code == 0
    ws = openpyxl.load_workbook(out)[CHANGES.sheet]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == CHANGES.headers and len(rows) == 1 + len(data["changes"])
    amount = next(r for r in rows if r[0] == "金额变化")
    assert amount[CHANGES.headers.index("差额（万元）")] == pytest.approx(3.1)
    assert runner.invoke(app, ["merge", str(tmp_path), "--dry-run"]).exit_code == 2  # the diff workbook is no submission


def test_cli_diff_of_an_unreadable_file(pair: tuple[Path, Path], tmp_path: Path) -> None:
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 600)
    result = CliRunner().invoke(app, ["diff", str(pair[0]), str(bad)])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_merge_says_what_the_replacing_submission_changed(pair: tuple[Path, Path], tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    old, new = folder / "a_初报.xlsx", folder / "b_重报.xlsx"
    old.write_bytes(pair[0].read_bytes())
    new.write_bytes(pair[1].read_bytes())
    import os
    os.utime(old, (1_700_000_000, 1_700_000_000))  # the same 填报日期: the file time orders them
    result = consolidate([str(folder)], workers=1)
    sources = result.sources.set_index(SOURCES.header("file"))
    assert sources.loc[str(old), SOURCES.header("status")] == "replaced"
    assert sources.loc[str(old), SOURCES.header("changes")] == diff_files(str(old), str(new)).summary()
    assert sources.loc[str(new), SOURCES.header("changes")] is None


def test_an_amount_read_at_last_is_one_change(tmp_path: Path) -> None:
    """项目2号's 2,8505 (unreadable) corrected to 2.8505: one row, the amount as typed before."""
    old = make_submission(projects=2)
    new = old.model_copy(deep=True)
    new.projects[1].annual_amount, new.projects[1].annual_amount_text = Decimal("2.8505"), None
    for sub, name in ((old, "a.xlsx"), (new, "b.xlsx")):
        write_workbook(str(tmp_path / name), submission=sub, year=sub.year)
    changes = diff_files(str(tmp_path / "a.xlsx"), str(tmp_path / "b.xlsx"))
    assert _rows(changes) == {("金额变化", "项目2号", None, "项目年度金额（万元）", "2,8505", "2.8505")}
    assert changes.rows[0].difference is None and changes.rows[0].new_where == "项目2!D6"
