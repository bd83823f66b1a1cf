"""The Guangdong summary table (seed 003 增城 layout, cut down): unreadable amounts are
reported with the clerk-facing labels; the stated totals are checked by the review."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from helpers import make_xlsx

from xlperf.importer import import_workbook


def _findings(result, code: str) -> list[tuple[str, str]]:  # noqa: ANN001 - ImportResult
    return [(f.where, f.message) for f in result.report.findings if f.code == code]


def _guangdong_rows(unit_total: object, project_total: object) -> list[list[object]]:
    return [
        ["项目支出绩效目标表(含转移支付项目)"],
        ["部门名称: 测试区司法局", None, None, None, None, None, "单位：万元"],
        ["项目名称(含使用单位)", "总计", "财政拨款", "行政专户拨款", "其他资金", "绩效目标", "绩效指标"],
        ["测试区司法局", unit_total, unit_total],
        ["法律援助经费", project_total, project_total, None, None, "保障法律援助工作。",
         "一级指标:产出指标;二级指标:数量指标;三级指标:援助案件;指标值:≥100件"],
    ]


def test_guangdong_unreadable_amounts_reported_with_chinese_labels(tmp_path: Path) -> None:
    r = import_workbook(make_xlsx(tmp_path / "g.xlsx", {"表": _guangdong_rows("待定", "十万")}))
    (p,) = r.submission.projects
    assert (p.name, p.annual_amount, p.fiscal_funds) == ("法律援助经费", None, None)
    assert _findings(r, "amount-not-number") == [
        ("表!B4", "“测试区司法局（总计）”应填写金额（万元），实际是“待定”。"),  # a unit row's 总计 was dropped
        ("表!B5", "“总计”应填写金额（万元），实际是“十万”。"),
        ("表!C5", "“财政拨款”应填写金额（万元），实际是“十万”。"),  # the column's label, not fiscal_funds
    ]




def test_guangdong_totals_that_disagree_are_reported(tmp_path: Path) -> None:
    rows = _guangdong_rows(12, 10)
    rows.insert(3, ["合计", 11, 11])
    r = import_workbook(make_xlsx(tmp_path / "g.xlsx", {"表": rows}))
    assert r.submission.projects[0].annual_amount == Decimal(10)
    assert _findings(r, "summary-total-mismatch") == [
        ("表!A4", "“合计”合计 11.0 万元，与明细之和 10.0 万元不一致。"),
        ("表!A5", "“测试区司法局”合计 12.0 万元，与明细之和 10.0 万元不一致。"),
    ]


def test_guangdong_first_unit_may_total_like_the_grand_total(tmp_path: Path) -> None:
    rows = _guangdong_rows(10, 10)
    rows.insert(3, ["合计", 10, 10])
    r = import_workbook(make_xlsx(tmp_path / "g.xlsx", {"表": rows}))
    assert _findings(r, "summary-total-mismatch") == []
