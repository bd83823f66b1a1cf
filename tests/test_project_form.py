"""Project forms (seed 000 layout and the Hebei fields): percentages read exactly, messages
name fields by the standard wording of templates/labels.toml."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from helpers import make_xlsx, project_rows

from xlperf.importer import import_workbook


def test_spending_plan_fractions_read_exactly(tmp_path: Path) -> None:
    rows = project_rows("法律援助", 10)
    rows[7:7] = [["资金支出计划(%)", "3月底", "6月底", "10月底", "12月底"], [None, 0.07, 0.29, "58%", 1]]
    r = import_workbook(make_xlsx(tmp_path / "p.xlsx", {"S": rows}))
    (p,) = r.submission.projects
    assert [(c.checkpoint, c.cumulative_percent) for c in p.spending_plan] == [
        ("3月底", Decimal("7")), ("6月底", Decimal("29")), ("10月底", Decimal("58")), ("12月底", Decimal("100"))]
    assert str(p.spending_plan[0].cumulative_percent) == "7.00"  # not 7.000000000000001


def test_percent_helper() -> None:
    from xlperf.forms.common import percent

    assert percent(0.07) == Decimal("7") and percent(0.29) == Decimal("29")
    assert percent(0.1667) == Decimal("16.67") and percent(76.12) == Decimal("76.12")
    assert percent("76.12%") == Decimal("76.12") and percent("七成") is None and percent(None) is None
    assert percent(1.2) == Decimal(120) and percent(1.2, fraction_upto=1.0) == Decimal("1.2")




def test_labels_in_a_row_without_values_are_named_by_their_standard_wording(tmp_path: Path) -> None:
    rows = project_rows("法律援助", 10)
    rows[4] = ["项目属性", "项目期限", "项目主管处室"]  # three labels side by side, no value right of any
    r = import_workbook(make_xlsx(tmp_path / "p.xlsx", {"S": rows}))
    (msg,) = [f.message for f in r.report.findings if f.code == "layout-ambiguous"]
    assert msg.startswith("“项目属性”、“项目期限”、“项目主管处室”等栏目连续排列")
