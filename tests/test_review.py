"""The review package: every rule registered once, listed in the run order and declared in
the catalog; the level names the rules use come from templates/taxonomy.toml; rules run on
a model built in the test, no workbook involved."""

from __future__ import annotations

from decimal import Decimal

from helpers import make_indicator

from xlperf.facts import ReadFacts
from xlperf.findings import catalog
from xlperf.model import Project, Region, Source, Submission
from xlperf.review import ORDER, RULES, review
from xlperf.review.common import rule_levels


def test_every_rule_is_ordered_and_declared() -> None:
    assert sorted(ORDER) == sorted(RULES) and len(set(ORDER)) == len(ORDER)
    assert set(RULES) <= set(catalog())


def test_review_level_names_come_from_the_taxonomy() -> None:
    lv = rule_levels()  # the values these rules hard-coded before reading taxonomy.toml
    assert lv["output_level2"] == ("数量指标", "质量指标", "时效指标", "成本指标")
    assert lv["level1_required"] == ("产出指标", "效益指标", "满意度指标")
    assert lv["cost_level2"] == ("成本指标", "经济成本", "社会成本", "生态环境成本")
    assert lv["output_not_cost"] == ("数量指标", "质量指标", "时效指标")
    assert lv["satisfaction_level2"] == ("服务对象满意度",)
    assert (lv["suggest_satisfaction"], lv["suggest_cost"]) == (("31-服务对象满意度",), ("14-成本指标",))


def _submission(**kw: object) -> Submission:
    project = Project(name="法律援助", competent_department="测试县司法局", annual_amount=Decimal("10"),
                      performance_target="保障法律援助。", sheet="项目1", cells={"name": "项目1!B3"},
                      indicators=[make_indicator("产出指标", "数量指标", "案件数", "≥100件"),
                                  make_indicator("产出指标", "质量指标", "合格率", "100%"),
                                  make_indicator("产出指标", "时效指标", "办结时间", "年度内"),
                                  make_indicator("产出指标", "成本指标", "经费", "≤10万元"),
                                  make_indicator("效益指标", "社会效益", "法治意识", "提升"),
                                  make_indicator("满意度指标", "服务对象满意度", "满意度", "≥95%")])
    return Submission(source=Source(path="t.json"), year=2025, region=Region(province="测试省", city="测试市", county="测试县"),
                      projects=[project], **kw)


def test_context_rules_run_first_and_last() -> None:
    sub = _submission()
    assert review(sub) == []
    sub.year = None
    sub.region = Region(county="测试县")
    codes = [f.code for f in review(sub, ReadFacts(found_form=False))]
    assert codes == ["no-form-found", "region-unknown", "year-unknown"]


def test_a_blank_template_does_not_pass(tmp_path) -> None:  # noqa: ANN001 - pytest tmp_path
    """Before: ``xlperf import`` of an unfilled ``xlperf template`` said 通过, exit 0."""
    from typer.testing import CliRunner

    from xlperf.cli import app
    from xlperf.importer import import_workbook
    from xlperf.writers.template import write_template

    blank = tmp_path / "blank.xlsx"
    write_template(str(blank), year=2026, projects=3)
    r = import_workbook(str(blank))
    assert [f.code for f in r.report.errors] == ["submission-empty"] and r.exit_code == 1
    assert "空白模板" in r.report.errors[0].message and "项目名称、主管部门" in r.report.errors[0].message
    result = CliRunner().invoke(app, ["import", str(blank)], env={"COLUMNS": "200"})
    assert result.exit_code == 1 and "通过" not in result.output and "submission-empty" in result.output


def test_projects_with_every_required_field_empty_are_an_empty_submission() -> None:
    """Projects read from rows holding only placeholders or indicators, no department content."""
    empty = Project(name="*", competent_department="/", sheet="项目1",
                    indicators=[make_indicator("产出指标", "数量指标", "案件数", "≥100件")])
    sub = Submission(source=Source(path="x.xlsx"), year=2026, projects=[empty, Project(sheet="项目2")])
    found = [f for f in review(sub) if f.code == "submission-empty"]
    assert len(found) == 1 and found[0].severity == "error"
    assert not [f for f in review(_submission()) if f.code == "submission-empty"]  # one field filled is enough
    no_form = review(Submission(source=Source(path="x.xlsx")), ReadFacts(found_form=False))
    assert "submission-empty" not in {f.code for f in no_form}  # no-form-found says it already
