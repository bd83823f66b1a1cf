"""Import survives what clerks really send: shifted blocks, label variants, stacked
tables, any sheet names and order, merged and carried-down levels, notes around tables."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from helpers import make_xlsx, project_rows

from xlperf.importer import import_workbook


def _offset(rows: list[list[object]], dr: int, dc: int) -> list[list[object]]:
    return [[] for _ in range(dr)] + [[None] * dc + list(r) for r in rows]


def test_project_form_found_by_labels_anywhere(tmp_path: Path) -> None:
    rows = _offset(project_rows("普法宣传经费", 10), 3, 2)  # inserted rows and columns
    rows.append([])
    rows.append([None, None, "填表人：张三", None, "审核人：李四"])  # a signature line under the table
    path = make_xlsx(tmp_path / "a.xlsx", {"随便的名字": rows})
    r = import_workbook(path)
    (p,) = r.submission.projects
    assert (p.name, p.annual_amount, p.competent_department, p.implementing_unit) == (
        "普法宣传经费", Decimal(10), "测试县司法局", "测试县司法局本级")
    assert p.performance_target == "保障工作顺利开展。"
    assert p.cells["name"] == "随便的名字!D6"
    assert [i.name for i in p.indicators] == ["培训次数", "宣传册", "合格率", "完成时间", "项目成本", "群众法治意识", "群众满意度"]
    carried = p.indicators[1]
    assert (carried.level1, carried.level2, carried.target.raw) == ("产出指标", "数量指标", "≥500份")
    assert p.indicators[1].source == "随便的名字!E13"
    # the signature is kept in the report, not lost
    unmapped = {f.text for f in r.report.findings if f.code == "unmapped-cell"}
    assert unmapped == {"填表人：张三", "审核人：李四"}
    assert r.report.valid


def test_label_variants(tmp_path: Path) -> None:
    rows = project_rows("法律援助经费", 25, labels={
        "主管部门": "主管部門",  # traditional (seed 002)
        "项目年度金额": "年度资金总额",
        "项目名称": "项 目 名 称",  # spaces inside a label
        "绩效值": "绩效价值",  # seed 002
    })
    r = import_workbook(make_xlsx(tmp_path / "v.xlsx", {"Sheet1": rows}))
    (p,) = r.submission.projects
    assert (p.name, p.competent_department, p.annual_amount) == ("法律援助经费", "测试县司法局", Decimal(25))
    assert [i.target.raw for i in p.indicators][:2] == ["≥4次", "≥500份"]


def test_label_with_value_in_the_same_cell(tmp_path: Path) -> None:
    rows = project_rows("水电费", 10)
    rows[3] = ["主管部门", "测试县司法局", "实施单位 测试县司法局本级"]
    rows[5] = ["项目主管处室", "02-预算股", "项目年度金额 10"]
    r = import_workbook(make_xlsx(tmp_path / "i.xlsx", {"S": rows}))
    (p,) = r.submission.projects
    assert (p.implementing_unit, p.annual_amount) == ("测试县司法局本级", Decimal(10))


def test_stacked_tables_any_sheet_order_hidden_sheet(tmp_path: Path) -> None:
    stacked = project_rows("项目甲", 1) + [[], []] + project_rows("项目乙", 2)
    path = make_xlsx(tmp_path / "s.xlsx", {"附表": project_rows("项目丙", 3), "汇总": stacked, "备用": project_rows("项目丁", 4)},
                     hidden=("备用",))
    r = import_workbook(path)
    names = [p.name for p in r.submission.projects]
    assert names == ["项目丙", "项目甲", "项目乙", "项目丁"]
    assert [len(p.indicators) for p in r.submission.projects] == [7, 7, 7, 7]
    hidden = [f for f in r.report.findings if f.code == "hidden-sheet"]
    assert [f.sheet for f in hidden] == ["备用"]
    assert r.report.stats["cells"] == r.report.stats["cells_mapped"]


def test_merged_levels(tmp_path: Path) -> None:
    rows = project_rows("合并单元格", 10)
    # 一级 1-产出指标 merged over the five 产出 rows, 11-数量指标 over its two rows
    path = make_xlsx(tmp_path / "m.xlsx", {"S": rows}, merges={"S": [(8, 0, 12, 0), (8, 1, 9, 1)]})
    r = import_workbook(path)
    (p,) = r.submission.projects
    assert [(i.level1, i.level2) for i in p.indicators[:5]] == [
        ("产出指标", "数量指标"), ("产出指标", "数量指标"), ("产出指标", "质量指标"), ("产出指标", "时效指标"), ("产出指标", "成本指标")]


def test_unknown_level_kept_and_reported(tmp_path: Path) -> None:
    rows = project_rows("未知指标", 10)
    rows[13] = ["2-效益指标", "25-文化效益", "文化活动", "≥2场"]
    r = import_workbook(make_xlsx(tmp_path / "u.xlsx", {"S": rows}))
    (p,) = r.submission.projects
    ind = [i for i in p.indicators if i.name == "文化活动"][0]
    assert (ind.level2, ind.level2_text, ind.level1) == (None, "25-文化效益", "效益指标")
    f = [f for f in r.report.findings if f.code == "unknown-level2"]
    assert len(f) == 1 and f[0].where == "S!B14" and f[0].severity == "error"


def test_review_rules_point_at_cells(tmp_path: Path) -> None:
    rows = project_rows("规则测试", 25)
    rows[12] = [None, "14-成本指标", "项目成本", "≥300000元"]  # wrong comparator, 30 万元 vs 25 万元
    rows[14] = ["3-满意度指标", "31-服务对象满意度", "群众满意度", "很满意"]
    rows[10] = [None, "12-质量指标", "合格率", "120%"]
    rows[6] = ["年度总体绩效目标", "/"]  # placeholder counts as empty
    r = import_workbook(make_xlsx(tmp_path / "r.xlsx", {"P": rows}))
    flat = r.report.flatten(("code", "where"))
    assert ["cost-amount-mismatch", "P!D13"] in flat
    assert ["cost-comparator", "P!D13"] in flat
    assert ["satisfaction-qualitative", "P!D15"] in flat
    assert ["percent-over-100", "P!D11"] in flat
    assert ["required-field-missing", "P!B7"] in flat
    assert not r.report.valid and r.exit_code == 1


def test_unreadable_file_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "x.xlsx"
    bad.write_text("项目名称,金额\n测试,1\n", encoding="utf-8")
    r = import_workbook(str(bad))
    assert r.exit_code == 2 and r.submission is None
    assert r.report.findings[0].code == "file-csv"
    assert "另存为 .xlsx" in r.report.findings[0].message


def test_unmapped_cells_are_capped_per_sheet_but_counted(tmp_path: Path) -> None:
    from xlperf.importer import UNMAPPED_LISTED_PER_SHEET

    junk = [[f"杂项{r}-{c}" for c in range(10)] for r in range(60)]  # 600 cells that are no form
    r = import_workbook(make_xlsx(tmp_path / "j.xlsx", {"杂项": junk, "表": project_rows("项目", 1)}))
    listed = [f for f in r.report.findings if f.code == "unmapped-cell"]
    more = [f for f in r.report.findings if f.code == "unmapped-cells-more"]
    assert len(listed) == UNMAPPED_LISTED_PER_SHEET
    assert len(more) == 1 and "另有 100 个单元格" in more[0].message
    assert r.report.stats["cells_reported"] == 600


def test_a_layout_bug_is_reported_for_that_file_only(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from xlperf import importer

    def boom(*args, **kwargs):  # noqa: ANN002, ANN003
        raise RuntimeError("simulated")

    monkeypatch.setattr(importer, "read_sheets", boom)  # a bug in reading the forms
    r = import_workbook(make_xlsx(tmp_path / "b.xlsx", {"表": project_rows("项目", 1)}))
    assert r.exit_code == 2 and r.submission is None
    assert r.report.findings[0].code == "import-failed" and "simulated" in r.report.findings[0].message


def test_absurdly_long_numbers_are_not_rounded() -> None:
    from xlperf.targets import parse_amount, parse_target

    assert parse_amount("1" * 400).value is None and parse_amount("1" * 400).ambiguous
    assert parse_target("≥" + "9" * 40 + "元").kind == "ambiguous"
    assert parse_amount(123456789012.34).value == Decimal("123456789012.34")  # 14 digits: kept exactly
