"""Forms of other provinces, one class of layout per test (docs/forms.md): labels by their
word parts and their value right or below, amounts in 元 or added up from their parts,
indicator tables typed by role (flat lists, operator/unit/weight columns, side-by-side
中期/年度 blocks, one column per recipient, grades), older frameworks, what is not a target
form. Small grids built here, not the corpus files."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from helpers import make_xlsx
from typer.testing import CliRunner

from xlperf.cli import app
from xlperf.forms.labels import form_key
from xlperf.importer import import_workbook

TABLE = [["一级指标", "二级指标", "三级指标", "指标值"],
         ["产出指标", "数量指标", "开展送戏进万村", "≥70村"],
         [None, "质量指标", "活动完成率", "≥95%"],
         ["效益指标", "社会效益指标", "群众文化权益", "明显"],
         ["满意度指标", "服务对象满意度指标", "受益人满意程度", "≥90%"]]


def _read(tmp_path: Path, rows: list[list[object]], merges: list[tuple[int, int, int, int]] | None = None, **kw):
    return import_workbook(make_xlsx(tmp_path / "f.xlsx", {"S": rows}, merges={"S": merges or []}), **kw)


def _codes(result) -> list[str]:
    return [f.code for f in result.report.findings]


def test_form_key_folds_spacing_noise_and_traditional_characters() -> None:
    assert form_key("总 体\n目 标") == "总体目标"
    assert form_key("績(jī)效目標(biāo)") == "绩效目标"
    assert form_key("绩????效??目???标") == "绩效目标"
    assert form_key("一*级项目名称") == "一级项目名称"
    assert form_key("长度(km)") == "长度(km)"  # a unit in brackets is no pinyin


def test_labels_by_word_parts_values_below_headings_and_a_wan_suffix(tmp_path: Path) -> None:
    rows = [["项目支出绩效目标表"],
            ["专项资金名称", "农村文化建设"],
            ["项目资金", "中期资金总额:", "100", "年度资金总额:", "4623 万"],
            ["项目绩效目标", "长期目标", None, "年度目标"],
            [None, "持续改善文化生活", None, "完成送戏进万村 70 场"],
            *TABLE]
    (p,) = _read(tmp_path, rows, [(3, 0, 4, 0)]).submission.projects
    assert p.name == "农村文化建设"
    assert p.annual_amount == Decimal(4623) and p.annual_amount_text == "4623 万" and p.period_amount == 100
    assert p.performance_target == "完成送戏进万村 70 场" and p.long_term_goal == "持续改善文化生活"
    assert [i.name for i in p.indicators][:2] == ["开展送戏进万村", "活动完成率"]


def test_spaced_noisy_and_traditional_labels(tmp_path: Path) -> None:
    rows = [["項目名稱", "特困家庭再扶助"], ["项目预算金额 (万元)", 5652],
            ["年 度 总 体 目 标", "保障基本生活"], *TABLE]
    r = _read(tmp_path, rows)
    (p,) = r.submission.projects
    assert (p.name, p.annual_amount, p.performance_target) == ("特困家庭再扶助", Decimal(5652), "保障基本生活")
    rows[2][0] = "绩?????效??目???标"
    assert _read(tmp_path, rows).submission.projects[0].performance_target == "保障基本生活"


def test_amount_in_yuan_by_the_unit_note_and_by_the_heading(tmp_path: Path) -> None:
    rows = [["单位：元"], ["项目名称", "雾炮车服务"], ["年度资金总额", 2500000], ["年度目标", "改善空气质量"], *TABLE]
    (p,) = _read(tmp_path, rows).submission.projects
    assert p.annual_amount == Decimal(250) and p.annual_amount_text == "2500000"
    rows = [["项目名称", "雾炮车服务"], ["资金情况(元)", "资金总额:", 50000], ["年度目标", "改善空气质量"], *TABLE]
    assert _read(tmp_path, rows).submission.projects[0].annual_amount == Decimal(5)


def test_total_added_up_from_its_parts_is_reported(tmp_path: Path) -> None:
    rows = [["项目名称", "特困家庭再扶助"],
            ["项目资金(万元)", "年度资金总额", "金额(万元)"],
            [None, "(一)财政拨款小计", 6.3], [None, "1、一般公共预算", 6.3], [None, "(二)自有资金小计", 1],
            ["年度目标", "达到老有所养的目标"], *TABLE]
    r = _read(tmp_path, rows, [(1, 0, 4, 0)])
    (p,) = r.submission.projects
    assert p.annual_amount == Decimal("7.3")  # (一) + (二), the 1、 line is inside (一)
    assert "amount-from-items" in _codes(r)


def test_flat_list_with_operator_unit_and_weight_columns(tmp_path: Path) -> None:
    rows = [["部门(单位)名称", "重庆市巴南区一品街道办事处", "区级支出预算总量", 3724.39],
            ["当年整体绩效目标", "预算收支平衡"],
            ["绩效指标", "指标名称", "指标权重", "计量单位", "指标性质", "指标值"],
            [None, "预算执行率", 10, "%", "=", 100],
            [None, "基层保障有效性", 10, None, None, "有效保障"],
            [None, "服务对象满意度", 5, "%", None, 95]]
    r = _read(tmp_path, rows)
    plan = r.submission.department_plan
    assert plan.name == "重庆市巴南区一品街道办事处" and plan.expenditure_total.current_amount == Decimal("3724.39")
    assert plan.annual_goal == "预算收支平衡"
    got = [(i.name, i.target.raw, i.target.comparator, i.weight) for i in plan.annual_indicators]
    assert got == [("预算执行率", "=100%", "=", "10"), ("基层保障有效性", "有效保障", None, "10"),
                   ("服务对象满意度", "95%", "=", "5")]  # a flat list: 服务对象满意度 stays a 三级
    assert r.exit_code == 0


def test_side_by_side_period_and_annual_blocks(tmp_path: Path) -> None:
    rows = [["东莞市公安局_公务用车购置项目支出绩效目标批复表"],
            ["一级指标", "二级指标", "三级指标", "指标值", "二级指标", "三级指标", "指标值"],
            ["预期产出指标", "数量指标", "旧车报废数量", "60", "数量指标", "新车采购数量", "20辆"],
            [None, "质量指标", "合格率", "100%", "质量指标", "合格率", "98%"],
            ["效果指标", "社会效益指标", "维护费用减少率", "≥5%", "社会效益指标", "维护费用减少率", None]]
    r = _read(tmp_path, rows)
    (p,) = r.submission.projects
    assert (p.name, p.implementing_unit) == ("公务用车购置", "东莞市公安局")
    got = {i.name: (i.target.raw if i.target else None, i.period_target.raw if i.period_target else None, i.level1)
           for i in p.indicators}
    assert got == {"新车采购数量": ("20辆", None, "产出指标"), "合格率": ("98%", "100%", "产出指标"),
                   "维护费用减少率": (None, "≥5%", "效益指标"), "旧车报废数量": (None, "60", "产出指标")}
    assert "target-columns-assumed" in _codes(r)


def test_annual_block_left_empty_gives_the_other_blocks_values(tmp_path: Path) -> None:
    rows = [["项目名称", "城管执法车辆维修燃油费"], ["年度资金总额", 340], ["年度目标", "保障出勤"],
            ["一级指标", "二级指标", "三级指标", "指标值", "二级指标", "三级指标", "指标值"],
            ["产出指标", "数量指标", "修理车辆数", "≥90辆", "数量指标", None, None]]
    r = _read(tmp_path, rows)
    (i,) = r.submission.projects[0].indicators
    assert (i.name, i.target.raw, i.period_target) == ("修理车辆数", "≥90辆", None)
    assert "target-from-period-columns" in _codes(r)


def test_one_target_column_per_recipient(tmp_path: Path) -> None:
    rows = [["项目名称", "民族发展专项资金"], ["资金总额:", 55], ["总体目标", "促进民族乡村发展"],
            ["一级指标", "二级指标", "三级指标", "区域目标值", None, None],
            [None, None, None, "新罗区", "上杭县", "漳平市"],
            ["产出指标", "数量目标", "道路硬化里程", "≥2公里", "≥3公里", None]]
    (p,) = _read(tmp_path, rows, [(3, 3, 3, 5)]).submission.projects
    assert [(i.recipient, i.target.raw, i.level2) for i in p.indicators] == [
        ("新罗区", "≥2公里", "数量指标"), ("上杭县", "≥3公里", "数量指标")]


def test_grades_the_first_is_the_target(tmp_path: Path) -> None:
    rows = [["1、困难群众救助补助绩效目标表"], ["绩效目标", "保障基本生活"],
            ["绩效指标分类", "绩效指标", "绩效指标描述", "绩效指标评价标准", None, None, None, "评价标准确定依据"],
            [None, None, None, "优", "良", "中", "差", None],
            ["产出指标", "救助覆盖率", "应救尽救", "100%", "90%", "85%", "85%", "按标准评价"]]
    (p,) = _read(tmp_path, rows, [(2, 3, 2, 6)]).submission.projects
    (i,) = p.indicators
    assert p.name == "困难群众救助补助" and p.performance_target == "保障基本生活"
    assert (i.name, i.target.raw, i.grades, i.level1) == ("救助覆盖率", "100%", {"优": "100%", "良": "90%", "中": "85%",
                                                                            "差": "85%"}, "产出指标")


def test_rows_under_the_table_and_blank_cells_are_no_indicators(tmp_path: Path) -> None:
    rows = [["项目名称", "雾炮车服务"], ["年度资金总额", 250], ["年度目标", "改善空气质量"], *TABLE,
            [None, "生态效益指标", " ", " "],
            ["其他需说明的问题", None], ["主管部门审核意见", "同意"]]
    r = _read(tmp_path, rows)
    assert [i.name for i in r.submission.projects[0].indicators] == [row[2] for row in TABLE[1:]]


def test_older_frameworks_are_aliases_not_wrong_parents(tmp_path: Path) -> None:
    rows = [["项目名称", "博物馆免费开放"], ["预算申报数", "20万元"], ["年度绩效目标", "提高免费开放服务水平"],
            ["一级指标", "二级指标", "三级指标", "指标目标值"],
            ["项目完成指标", "数量指标", "免费开放天数", "=300天"],
            ["成本指标", "经济成本指标", "资金使用效率", "=100%"],
            ["项目效益指标(30分)", "社会效益\n指标", "接待观众人数", "=30000人次"],
            ["满意度指标", "满意度指标", "服务对象满意度", "≥99%"]]
    r = _read(tmp_path, rows)
    got = [(i.level1, i.level2) for i in r.submission.projects[0].indicators]
    assert got == [("产出指标", "数量指标"), ("成本指标", "经济成本"), ("效益指标", "社会效益"),
                   ("满意度指标", "服务对象满意度")]
    assert not {"level2-wrong-parent", "unknown-level1", "unknown-level2"} & set(_codes(r))
    assert r.submission.projects[0].annual_amount == 20


def test_self_evaluation_is_refused_with_exit_code_2(tmp_path: Path) -> None:
    rows = [["项目支出绩效自评表"], ["项目名称", "村级补助"],
            ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
            ["产出指标(50分)", "数量指标", "补助村数量", "=8个", 8, 8, 8]]
    r = _read(tmp_path, rows)
    assert r.exit_code == 2 and r.submission is None
    (f,) = r.report.findings
    assert (f.code, f.sheet, f.cell) == ("not-a-target-form", "S", "E3") and "绩效自评表" in f.message


def test_department_form_cut_before_its_tables_is_an_error(tmp_path: Path) -> None:
    rows = [["2024年县级部门整体支出绩效目标申报表"], ["预算部门:文化部门"],
            ["总体资金情况(万元)", "预算支出\n总额", "基本支出"], [None, None, "合计"], [None, 1695.55, 1478.75]]
    r = _read(tmp_path, rows, [(2, 0, 4, 0), (2, 1, 3, 1)])
    plan = r.submission.department_plan
    assert plan.name == "文化部门" and plan.expenditure_total.current_amount == Decimal("1695.55")
    assert "no-indicator-read" in _codes(r) and r.exit_code == 1


def test_project_form_with_an_annual_indicators_label_is_not_a_department_form(tmp_path: Path) -> None:
    rows = [["项目名称", "雾炮车服务"], ["年度资金总额", 250], ["年度目标", "改善空气质量"],
            ["年度绩效指标", *TABLE[0]], *[[None, *row] for row in TABLE[1:]]]
    r = _read(tmp_path, rows)
    assert r.submission.department_plan is None and len(r.submission.projects[0].indicators) == 4


def test_labels_file_adds_a_wording_and_a_bad_one_exits_2(tmp_path: Path) -> None:
    book = make_xlsx(tmp_path / "f.xlsx", {"S": [["课题名称", "农村文化建设"], ["年度资金总额", 5],
                                                 ["年度目标", "送戏进万村"], *TABLE]})
    assert import_workbook(book).submission.projects[0].name is None
    good = tmp_path / "labels.toml"
    good.write_text('[project]\nname = ["课题名称"]\n', encoding="utf-8")
    run = CliRunner().invoke(app, ["import", book, "--labels", str(good), "--format", "json"])
    out = json.loads(run.stdout)
    assert out["projects"] == 1 and out["status"] == "imported" and run.exit_code in (0, 1)
    bad = tmp_path / "bad.toml"
    bad.write_text('[project]\nnam = ["课题名称"]\n', encoding="utf-8")
    run = CliRunner().invoke(app, ["import", book, "--labels", str(bad)])
    assert run.exit_code == 2 and "没有栏目 nam" in run.stderr


def test_merge_hands_the_labels_to_its_workers_and_lists_a_refused_file(tmp_path: Path) -> None:
    from xlperf.consolidate.merge import consolidate

    make_xlsx(tmp_path / "a.xlsx", {"S": [["课题名称", "农村文化建设"], ["年度资金总额", 5], ["年度目标", "送戏"], *TABLE]})
    make_xlsx(tmp_path / "b.xlsx", {"S": [["项目名称", "村级补助"], ["三级指标", "年度指标值", "实际完成值", "得分"],
                                          ["补助村数量", "=8个", 8, 8]]})
    result = consolidate([str(tmp_path)], workers=2, labels={"project": {"name": ["课题名称"]}})
    rows = {Path(f).name: (s, reason, n) for f, s, reason, n in
            zip(result.sources["文件"], result.sources["状态"], result.sources["原因"], result.sources["项目数"])}
    assert rows["a.xlsx"][0] == "imported" and rows["a.xlsx"][2] == 1  # 课题名称 read in the worker
    assert rows["b.xlsx"][0] == "failed" and "绩效自评表" in rows["b.xlsx"][1]
    assert result.exit_code == 2
