"""Target-value parsing against the seed corpus and the table of docs/targets.md."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import SAMPLES

from xlperf.targets import amount_in_wan, parse_amount, parse_target

CORPUS = Path(__file__).resolve().parent / "data" / "target_corpus.tsv"


def _corpus() -> list[dict[str, str]]:
    with CORPUS.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


ROWS = _corpus()


def test_corpus_is_the_seed_corpus() -> None:
    # every 绩效值 / 指标值 string of the five seeds, extracted by scripts/extract_target_corpus.py
    assert len(ROWS) == 267
    seeds = {s for r in ROWS for s in r["seeds"].split(",")}
    assert seeds == {"000", "001", "002", "003", "004"}


@pytest.mark.parametrize("row", ROWS, ids=[r["raw"][:20] for r in ROWS])
def test_seed_corpus(row: dict[str, str]) -> None:
    t = parse_target(row["raw"])
    assert t.raw == row["raw"]
    assert t.kind == row["kind"]
    assert (t.comparator or "") == row["comparator"]
    assert ("" if t.value is None else str(t.value)) == row["value"]
    assert (t.unit or "") == row["unit"]


@pytest.mark.parametrize(
    "raw, cmp, value, unit",
    [
        # the docs/targets.md table, plus the spellings it lists
        ("24 人", "=", "24", "人"),
        ("≥95%", "≥", "95", "%"),
        ("≥ 95 %", "≥", "95", "%"),
        ("$\\geq 95\\%$", "≥", "95", "%"),
        (">=95%", "≥", "95", "%"),
        ("≧95%", "≥", "95", "%"),
        ("＞＝９５％", "≥", "95", "%"),  # full-width forms
        (">90%", ">", "90", "%"),
        ("≤31.9 万元", "≤", "31.9", "万元"),
        ("=1家公司", "=", "1", "家公司"),
        ("315000 元", "=", "315000", "元"),
        ("90%以上", "≥", "90", "%"),
        ("不高于15%", "≤", "15", "%"),
        ("不低于 80 %", "≥", "80", "%"),
        ("不少于50次", "≥", "50", "次"),
        ("不超过 10 万元", "≤", "10", "万元"),
        ("5次以下", "≤", "5", "次"),
        ("100百分比", "=", "100", "%"),
        ("<=2%", "≤", "2", "%"),
        # a direction written as words (指标方向 columns of 福建 county forms, or typed in the cell)
        ("大于等于5000亩", "≥", "5000", "亩"),
        ("大于或等于 95%", "≥", "95", "%"),
        ("小于等于1260元/亩", "≤", "1260", "元/亩"),
        ("等于100%", "=", "100", "%"),
        ("等于或大于 95%", "≥", "95", "%"),
        ("满意度大于等于90%", "≥", "90", "%"),
        # digits spaced by a scan's OCR, or grouped in thousands by a space
        ("≥ 9 5 %", "≥", "95", "%"),
        ("1 0 0 %", "=", "100", "%"),
        ("≥ 4 200人", "≥", "4200", "人"),
        ("1 800元/生·年", "=", "1800", "元/生·年"),
    ],
)
def test_documented_targets(raw: str, cmp: str, value: str, unit: str) -> None:
    t = parse_target(raw)
    assert (t.kind, t.comparator, t.value, t.unit) == ("quantitative", cmp, Decimal(value), unit)


@pytest.mark.parametrize("raw", ["进一步提升", "按季度发放", "严格控制在预算内", "2022年底", "每天 1 人", "=是", "不等于0"])
def test_qualitative(raw: str) -> None:
    t = parse_target(raw)
    assert t.kind == "qualitative" and t.value is None and t.comparator is None


@pytest.mark.parametrize("raw", ["2,8505", "62,905,469", "=629054,69元", "1038,8772万元", "≥12 5人", "14 56.5万元"])
def test_ambiguous_numbers_are_not_guessed(raw: str) -> None:
    t = parse_target(raw)
    assert t.kind == "ambiguous" and t.value is None


def test_empty_target() -> None:
    assert parse_target(None).kind == "empty"
    assert parse_target("  ").kind == "empty"


@pytest.mark.parametrize(
    "cell, value, ambiguous",
    [
        (31.9, Decimal("31.9"), False),
        ("31.900000", Decimal("31.900000"), False),
        (25, Decimal(25), False),
        ("1,295.82", Decimal("1295.82"), False),
        ("25 万元", Decimal("25"), False),
        ("250000元", Decimal("25.0000"), False),
        ("1 456.56", Decimal("1456.56"), False),  # a space grouping thousands (a scan's converter)
        ("14 56.56", None, True),  # a space that groups nothing: two numbers, or one: reported
        ("2,8505", None, True),
        ("62,905,469", None, True),
        # in 元 the commas group thousands: read as a decimal point they would leave more than two
        # decimals, finer than a 分 (天津: 1,236,000元); in 万元 a comma may be a mistyped point
        ("1,236,000元", Decimal("123.6000"), False),
        ("2,850元", Decimal("0.2850"), False),
        ("62,905,469万元", None, True),
        ("1236,000元", None, True),
        ("待定", None, True),
        ("", None, False),
        (None, None, False),
    ],
)
def test_parse_amount(cell: object, value: Decimal | None, ambiguous: bool) -> None:
    got = parse_amount(cell)
    assert got.value == value and got.ambiguous is ambiguous


def test_money_in_wan() -> None:
    # docs/targets.md: ≤250000元 against an amount of 25 万元 compares in one unit
    assert amount_in_wan(parse_target("≤250000元")) == Decimal(25)
    assert amount_in_wan(parse_target("≤31.9 万元")) == Decimal("31.9")
    assert amount_in_wan(parse_target("≥95%")) is None
    assert amount_in_wan(parse_target("=130000元/期")) == Decimal(13)


def test_ambiguous_number_says_what_is_ambiguous_about_this_value() -> None:
    """Before: every ambiguous-number message said 千分位 and the example 2,8505, also for
    62,905,469, which is a correct thousands grouping."""
    from xlperf.importer import import_workbook
    from xlperf.targets import ambiguity

    assert ambiguity("2,8505") == ("逗号前有 1 位数字、后有 4 位，不是千分位写法（每 3 位一个逗号）："
                                   "可能是 2.8505（逗号误作小数点），也可能是 28505")
    grouped = ambiguity("62,905,469")
    assert "按千分位读是 62905469" in grouped and "62.905469" in grouped and "2,8505" not in grouped
    assert "629054.69" in ambiguity("=629054,69元") and "62905469" in ambiguity("=629054,69元")
    assert "1234.56" in ambiguity("1.234,56")
    assert "15 位" in ambiguity("12345678901234567")
    assert "125" in ambiguity("≥12 5人") and "空格" in ambiguity("≥12 5人")
    r = import_workbook(str(SAMPLES / "002_hongsibu_2025.xlsx"))
    messages = {f.text: f.message for f in r.report.findings if f.code == "ambiguous-number"}
    assert set(messages) == {"2,8505", "62,905,469", "=629054,69元"}
    assert "2.8505" in messages["2,8505"] and "2,8505" not in messages["62,905,469"].replace("“62,905,469”", "")
    assert len(set(messages.values())) == 3  # three values, three explanations
