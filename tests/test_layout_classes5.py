"""Layouts the fifth held-out set showed (docs/forms.md, docs/review-rules.md), one general rule
per test. Small grids built here, never the held-out files (corpus/heldout5/)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from helpers import make_xlsx
from test_layout_classes3 import TABLE, _codes, _read  # the same small form and readers

from xlperf.importer import import_workbook
from xlperf.targets import parse_amount

BARE = [["项目名称", "老旧小区改造"], ["年度资金总额", 95.6], ["年度绩效目标", "完成12个小区改造，居民满意度90%以上"]]


def test_a_form_without_a_department_label_takes_the_department_it_names(tmp_path: Path) -> None:
    # a filer line under the table, sharing its row with the fill date
    r = _read(tmp_path, [*BARE, *TABLE, ["填报单位（盖章）：某县住房和城乡建设局", None, None, "填报日期：2025年1月"]])
    (p,) = r.submission.projects
    assert p.competent_department == "某县住房和城乡建设局" and "required-field-missing" not in _codes(r)
    assert p.cells["competent_department"] == "S!A9"
    # a cover sheet naming the filing unit, the project on its own sheet
    path = make_xlsx(tmp_path / "c.xlsx", {"封面": [["2025年度项目支出绩效目标申报"], ["申报单位（盖章）：某县水利局"]],
                                           "项目": [*BARE, *TABLE]})
    r = import_workbook(path)
    (p,) = r.submission.projects
    assert p.competent_department == "某县水利局" and p.cells["competent_department"] == "封面!A2"
    assert "required-field-missing" not in _codes(r)
    # a town's own form: the title names the town (a 乡镇 is its own budget unit)
    r = _read(tmp_path, [["某某镇2025年项目绩效目标表"], *BARE, *TABLE])
    assert r.submission.projects[0].competent_department == "某某镇"
    # a title naming only a place (a county's forms of many departments) names no department: still asked
    r = _read(tmp_path, [["某某区2025年度项目绩效目标表"], *BARE, *TABLE])
    assert r.submission.projects[0].competent_department is None and "required-field-missing" in _codes(r)
    # nothing names the department: the finding stays
    r = _read(tmp_path, [*BARE, *TABLE])
    assert "required-field-missing" in _codes(r)
    # a 主管部门 label left empty is asked for, whatever else the form names
    r = _read(tmp_path, [["主管部门", None], *BARE, *TABLE, ["填报单位：某县水利局"]])
    assert r.submission.projects[0].competent_department is None and "required-field-missing" in _codes(r)


def _rows(project) -> list[tuple[str | None, str | None, str | None, str | None]]:
    return [(i.level1, i.level2, i.name, i.target.raw if i.target else None) for i in project.indicators]


TREE_ROWS = [["产出指标", None, None], ["　数量指标", "改造小区个数", "≥12个"], ["　质量指标", "验收合格率", "100%"],
             ["效益指标", None, None], ["　社会效益指标", "受益居民户数", "≥1.02万户"],
             ["满意度指标", None, None], ["　服务对象满意度指标", "居民满意度", "≥90%"]]
TREE_READ = [("产出指标", "数量指标", "改造小区个数", "≥12个"), ("产出指标", "质量指标", "验收合格率", "100%"),
             ("效益指标", "社会效益", "受益居民户数", "≥1.02万户"), ("满意度指标", "服务对象满意度", "居民满意度", "≥90%")]


def test_one_column_holding_the_levels_as_a_tree(tmp_path: Path) -> None:
    # 一级 alone on its row, its 二级 rows under it (indented), each with its 三级 beside: a level
    # column whatever its heading says
    for heading in ("绩效指标", "指标类别"):
        r = _read(tmp_path, [*NAMED5, [heading, "三级指标", "指标值"], *TREE_ROWS])
        (p,) = r.submission.projects
        assert _rows(p) == TREE_READ, heading
        assert not {"level1-without-indicator", "target-missing", "level2-wrong-parent"} & set(_codes(r)), heading


NAMED5 = [["项目名称", "老旧小区改造"], ["主管部门", "某县住建局"], ["年度资金总额", 95.6],
          ["年度绩效目标", "完成12个小区改造，居民满意度90%以上"]]


def test_a_column_of_level2_names_under_another_heading_is_the_level2(tmp_path: Path) -> None:
    # 一级指标 | 指标类型 | 绩效指标内容 | 指标值: the 二级 headed 指标类型, the 三级 a sentence beside it,
    # the value column filled for some rows only
    table = [["一级指标", "指标类型", "绩效指标内容", "指标值"],
             ["产出指标", "数量指标", "全年改造老旧小区不少于12个", "≥12个"], [None, "质量指标", "工程验收合格率达到100%", None],
             ["满意度指标", "服务对象满意度指标", "居民满意度不低于90%", "≥90%"]]
    r = _read(tmp_path, [*NAMED5, *table])
    (p,) = r.submission.projects
    assert _rows(p) == [("产出指标", "数量指标", "全年改造老旧小区不少于12个", "≥12个"),
                        ("产出指标", "质量指标", "工程验收合格率达到100%", None),
                        ("满意度指标", "服务对象满意度", "居民满意度不低于90%", "≥90%")]


def test_a_grouping_column_before_the_levels_is_no_indicator_content(tmp_path: Path) -> None:
    # 部门职能 | 一级 | 二级 | 三级 | 指标值: each function merged over its rows; the first row of a
    # group keeps its 三级 and target, the function text is reported, never read as an indicator
    table = [["部门职能", "一级指标", "二级指标", "三级指标", "指标值"],
             ["职能一：老旧小区改造", "产出指标", "数量指标", "改造小区个数", "≥12个"],
             [None, None, "质量指标", "验收合格率", "100%"],
             ["职能二：物业服务监管", "产出指标", "数量指标", "检查物业小区数", "≥50个"],
             [None, "满意度指标", "服务对象满意度指标", "居民满意度", "≥90%"],
             ["填表人：张伟", None, "联系电话：0551-1234567", "审核人：", None]]  # a sign-off row ends the table
    r = _read(tmp_path, [*NAMED5, *table], [(5, 0, 6, 0), (7, 0, 8, 0), (5, 1, 6, 1)])
    (p,) = r.submission.projects
    assert _rows(p) == [("产出指标", "数量指标", "改造小区个数", "≥12个"), ("产出指标", "质量指标", "验收合格率", "100%"),
                        ("产出指标", "数量指标", "检查物业小区数", "≥50个"),
                        ("满意度指标", "服务对象满意度", "居民满意度", "≥90%")]
    assert "level2-wrong-parent" not in _codes(r)
    unmapped = {f.cell for f in r.report.findings if f.code == "unmapped-cell"}
    assert {"A6", "A8"} <= unmapped  # the functions are reported, not dropped


def test_indicators_laid_out_horizontally_one_per_column(tmp_path: Path) -> None:
    # rows 一级 / 二级 / 三级 / 指标值, one indicator per column; a level merged over its columns
    across = [["一级指标", "产出指标", None, "效益指标", "满意度指标"],
              ["二级指标", "数量指标", "质量指标", "社会效益指标", "服务对象满意度指标"],
              ["三级指标", "改造小区个数", "验收合格率", "受益居民户数", "居民满意度"],
              ["指标值", "≥12个", "100%", "≥1.02万户", "≥90%"]]
    r = _read(tmp_path, [*NAMED5, *across], [(4, 1, 4, 2)])
    (p,) = r.submission.projects
    assert _rows(p) == [("产出指标", "数量指标", "改造小区个数", "≥12个"), ("产出指标", "质量指标", "验收合格率", "100%"),
                        ("效益指标", "社会效益", "受益居民户数", "≥1.02万户"),
                        ("满意度指标", "服务对象满意度", "居民满意度", "≥90%")]
    assert p.indicators[1].source == "S!C7" and p.indicators[1].target.source == "S!C8"
    assert not {"no-indicator-read", "unmapped-cell", "level1-without-indicator"} & set(_codes(r))


def test_an_amount_in_chinese_capital_numerals_is_read_into_wan_yuan(tmp_path: Path) -> None:
    # 大写金额 as on a cheque or a 财政 document: an amount in 元, read into 万元, the text kept
    assert parse_amount("贰佰壹拾陆万元整") == (Decimal(216), False)
    assert parse_amount("人民币壹拾贰万叁仟肆佰伍拾陆元柒角捌分") == (Decimal("12.345678"), False)
    assert parse_amount("拾万元整") == (Decimal(10), False)
    assert parse_amount("壹亿零伍拾万元") == (Decimal(10050), False)
    assert parse_amount("贰贰万元整") == (None, True)  # not a numeral: reported, never guessed
    rows = [["项目名称", "老旧小区改造"], ["主管部门", "某县住建局"], ["项目金额", "玖拾伍万陆仟元整"],
            ["年度绩效目标", "完成12个小区改造，居民满意度90%以上"], *TABLE]
    r = _read(tmp_path, rows)
    (p,) = r.submission.projects
    assert p.annual_amount == Decimal("95.6") and p.annual_amount_text == "玖拾伍万陆仟元整"
    assert "amount-not-number" not in _codes(r)


def test_an_ex_ante_assessment_is_refused(tmp_path: Path) -> None:
    # 事前绩效评估表: a proposed project's assessment quoting its name and amount, the 要点 naming
    # 产出指标 / 效益指标; never read as the project's targets
    rows = [["项目事前绩效评估表"], ["项目名称", "老旧小区改造", "申请金额（万元）", 95.6],
            ["评估内容", "评估要点", "评估结论", "分值"],
            ["立项必要性", "是否符合发展规划；是否属于公共财政支持范围", "必要", 20],
            ["绩效目标合理性", "产出指标、效益指标是否明确、可衡量", "基本合理", 20],
            ["综合评估结论", "予以支持。"], ["评估人员：", "李明", "评估日期：", "2025年3月"]]
    r = _read(tmp_path, rows)
    assert r.exit_code == 2 and r.submission is None and "not-a-target-form" in _codes(r)
    # a target form noting its assessment's conclusion stays a target form
    r = _read(tmp_path, [*NAMED5, ["事前绩效评估结论", "予以支持"], *TABLE])
    assert r.submission.projects[0].name == "老旧小区改造" and "not-a-target-form" not in _codes(r)


def test_a_unit_column_left_blank_is_asked_for_not_filled_from_elsewhere(tmp_path: Path) -> None:
    # an export with a 单位名称 column asks each project's unit: a blank cell is not filled from the
    # filer line under the table
    head = ["单位名称", "项目名称", "项目金额（元）", "年度目标", "一级指标", "二级指标", "三级指标", "指标值"]
    a = [None, "学前教育幼儿资助", 356800, "资助幼儿446人"]
    rows = [head, [*a, "产出指标", "数量指标", "资助人数", "≥446人"],
            [*a, "满意度指标", "服务对象满意度指标", "家长满意度", "≥95%"], ["填报单位：某市教育局"]]
    r = _read(tmp_path, rows)
    (p,) = r.submission.projects
    assert p.competent_department is None and "required-field-missing" in _codes(r)
