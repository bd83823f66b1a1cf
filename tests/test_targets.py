"""Target-value parsing against the seed corpus and the table of docs/targets.md."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

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
    ],
)
def test_documented_targets(raw: str, cmp: str, value: str, unit: str) -> None:
    t = parse_target(raw)
    assert (t.kind, t.comparator, t.value, t.unit) == ("quantitative", cmp, Decimal(value), unit)


@pytest.mark.parametrize("raw", ["进一步提升", "按季度发放", "严格控制在预算内", "2022年底", "每天 1 人", "=是"])
def test_qualitative(raw: str) -> None:
    t = parse_target(raw)
    assert t.kind == "qualitative" and t.value is None and t.comparator is None


@pytest.mark.parametrize("raw", ["2,8505", "62,905,469", "=629054,69元", "1038,8772万元"])
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
        ("2,8505", None, True),
        ("62,905,469", None, True),
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
