"""Round trip on every sample: import -> xlperf fill (the standard template) -> import
gives back the same model, for the parts the template holds.

The template does not hold (fill reports each as ``fill-field-not-held``): Hebei
绩效指标描述 (``description``); Guangdong 实施周期指标值 (``period_target``) and 行政专户拨款
(``special_account_funds``); 项目类别 (``category``); 指标分类 on project indicators;
the department code (315002); the prose part-one goals of seed 001 (``narrative``).
部门名称, 填报人, 联系电话 and 填报日期 are asked once, on the cover: they come back as the
submission's ``department``, not as the department plan's own copy.
Level texts are written in their canonical coded form, so the canonical levels are
compared, not the words as first typed. Fill puts the first indicator of each standard
二级 in its row and the rest below, so indicators are compared as a multiset.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from helpers import SAMPLES

from xlperf.consolidate.manifest import read_manifest
from xlperf.importer import import_workbook
from xlperf.model import Project, Submission
from xlperf.writers.template import write_template

SAMPLE_FILES = sorted(SAMPLES.glob("*.xlsx"))
assert len(SAMPLE_FILES) == 5, SAMPLE_FILES  # an empty glob would parametrize nothing and pass
# the region and year a consolidator knows for each file (the documents do not all state
# them; a filled template always states its year)
MANIFEST = read_manifest(str(SAMPLES / "manifest.csv"))

PROJECT_FIELDS = ("name", "code", "competent_department", "implementing_unit", "attribute", "duration",
                  "supervising_office", "annual_amount", "annual_amount_text", "fiscal_funds", "other_funds",
                  "fund_use", "performance_target")


def _indicators(p: Project) -> Counter:
    return Counter((i.level1, i.level2, i.name, i.target.raw if i.target else None, i.value_basis) for i in p.indicators)


def _plan(sub: Submission) -> dict | None:
    plan = sub.department_plan
    if plan is None or not (plan.revenue or plan.long_term_indicators or plan.annual_indicators):
        return None
    d = plan.model_dump(exclude={"narrative", "sheet", "cells", "name", "filled_by", "phone", "fill_date", "long_term_indicators", "annual_indicators",
                                 "revenue", "expenditure", "revenue_total", "expenditure_total", "project_spending"})
    d["rows"] = [(r.item, r.current_amount, r.share_percent, dict(r.previous_amounts))
                 for r in plan.revenue + plan.expenditure]
    d["spending"] = [(p.name, p.spending_category, p.total_budget, p.annual_budget, p.purpose) for p in plan.project_spending]
    for kind in ("long_term_indicators", "annual_indicators"):
        d[kind] = Counter((i.level1, i.level2, i.name, *(t.raw if t else None for t in
                          (i.value_two_years_ago, i.value_last_year, i.target)), i.value_basis, i.indicator_class)
                          for i in getattr(plan, kind))
    return d


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=[p.stem for p in SAMPLE_FILES])
def test_fill_then_import_gives_the_same_model(sample: Path, tmp_path: Path) -> None:
    assert MANIFEST.findings == []
    entry = MANIFEST.lookup(str(sample))
    assert entry is not None and entry.region is not None and entry.year is not None, sample.name
    first = import_workbook(str(sample), region=entry.region, year=entry.year).submission
    filled = tmp_path / "filled.xlsx"
    write_template(str(filled), submission=first, year=first.year, projects=max(len(first.projects), 1))
    again = import_workbook(str(filled)).submission
    assert again.year == first.year
    assert again.department.model_dump(exclude={"code"}) == first.department.model_dump(exclude={"code"})
    assert again.region == first.region
    assert len(again.projects) == len(first.projects)
    for a, b in zip(first.projects, again.projects):
        for field in PROJECT_FIELDS:
            assert getattr(b, field) == getattr(a, field), (a.name, field)
        assert [(c.checkpoint, c.cumulative_percent) for c in b.spending_plan] == [
            (c.checkpoint, c.cumulative_percent) for c in a.spending_plan]
        assert _indicators(b) == _indicators(a), a.name
    assert _plan(again) == _plan(first)


def test_filled_template_reports_only_what_was_typed(tmp_path: Path) -> None:
    first = import_workbook(str(SAMPLE_FILES[0])).submission  # 彭阳
    filled = tmp_path / "filled.xlsx"
    write_template(str(filled), submission=first, year=first.year, projects=len(first.projects))
    r = import_workbook(str(filled))
    codes = {f.code for f in r.report.findings}
    assert "unmapped-cell" not in codes and "hidden-sheet" not in codes
    assert r.report.stats["cells"] == r.report.stats["cells_mapped"]


def test_blank_template_imports_as_an_empty_submission(tmp_path: Path) -> None:
    path = tmp_path / "blank.xlsx"
    write_template(str(path), year=2026, projects=3)
    r = import_workbook(str(path))
    assert r.submission.year == 2026
    assert r.submission.projects == [] and r.submission.department_plan is None
    assert r.report.stats["cells"] == r.report.stats["cells_mapped"]
