"""Layouts the fifth held-out set showed (docs/forms.md, docs/review-rules.md), one general rule
per test. Small grids built here, never the held-out files (corpus/heldout5/)."""

from __future__ import annotations

from pathlib import Path

from helpers import make_xlsx
from test_layout_classes3 import TABLE, _codes, _read  # the same small form and readers

from xlperf.importer import import_workbook

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

