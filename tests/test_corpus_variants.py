"""The perturbed corpus forms (scripts/build_corpus.py --variants): each changes what its doc says
and nothing of the facts; the scoring reads them like the corpus."""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
import pytest
from helpers import ROOT

if str(ROOT / "scripts") not in sys.path:  # the corpus scripts are run as scripts, not installed
    sys.path.insert(0, str(ROOT / "scripts"))
import build_corpus as bc  # noqa: E402
import corpus_variants as cv  # noqa: E402
import score_corpus as sc  # noqa: E402


@pytest.fixture(scope="module")
def variants(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("variants")
    cv.write_variants(bc.grid_files(), ROOT / "corpus" / "truth", folder)
    return folder


def _rows(path: Path) -> list[list[object]]:
    ws = openpyxl.load_workbook(path).worksheets[0]
    return [[c.value for c in row if c.value is not None] for row in ws.iter_rows()]


def test_every_target_form_has_variants_and_no_negative_has(variants: Path) -> None:
    stems = {p.name.split("__")[0] for p in variants.glob("*.xlsx")}
    truth = {p.stem: p.read_text(encoding="utf-8") for p in (ROOT / "corpus" / "truth").glob("*.toml")}
    targets = {s for s, t in truth.items() if 'kind = "negative"' not in t}
    # no known label wording and no amount cell: 邯郸 (traditional characters), 承德县 (prose)
    assert stems == targets - {"handan_kunnanqunzhongjiuzhu_2019_project", "chengdexian_minzhengju_2022_department"}
    for path in variants.glob("*.toml"):
        stem, name = path.stem.split("__")
        assert name in cv.VARIANTS
        first, rest = path.read_text(encoding="utf-8").split("\n", 1)
        assert first.startswith(f"# variant '{name}'") and rest == truth[stem]


def test_yuan_states_the_amounts_in_yuan(variants: Path) -> None:
    rows = _rows(variants / "zhaohua_weijianju_2021_project__yuan.xlsx")
    assert ["项目资金(元)", "年度资金总额", "金额(元)"] in rows
    assert ["   (一)财政拨款小计", 63000] in rows and ["       2、政府性基金", 0] in rows
    rows = _rows(variants / "huaibei_wenlvti_2025_project__yuan.xlsx")
    assert rows[0] == ["单位：元"] and ["项目资金", "年度资金总额:", 50000] in rows


def test_wan_suffix_label_above_synonyms_spaced_columns_blank_row(variants: Path) -> None:
    rows = _rows(variants / "huaibei_wenlvti_2025_project__wan-suffix.xlsx")
    assert ["项目资金", "年度资金总额:", "5.00万"] in rows
    rows = _rows(variants / "unknown-tianjin_chengshiguanliwei_2020_project__label-above.xlsx")
    i = rows.index(["项目名称"])
    assert rows[i + 1] == ["疫情期间区域病媒防治环境卫生清洁等费用"]
    rows = _rows(variants / "huaibei_wenlvti_2025_project__synonyms.xlsx")
    assert ["二级项目名称", "农村文化建设配套补助经费"] in rows and ["项目资金", "资金总额:", 5] in rows
    assert ["绩", "一级", "二级指标", "三级指标", "指标目标值"] in rows
    rows = _rows(variants / "huaibei_wenlvti_2025_project__spaced.xlsx")
    assert ["项 目 名 称", "农村文化建设配套补助经费"] in rows
    rows = _rows(variants / "zhaohua_weijianju_2021_project__columns.xlsx")
    assert ["绩效指标", "一级指标", "二级指标", "指标值(包含数字及文字描述)", "三级指标"] in rows
    rows = _rows(variants / "huaibei_wenlvti_2025_project__blank-row.xlsx")
    i = rows.index(["绩", "一级", "二级指标", "三级指标", "指标值"])
    assert rows[i + 2] == [] and rows[i + 3] == ["质量指标", "送戏进万村活动完成率", "≥95%"]


def test_variants_are_scored_like_the_corpus(variants: Path) -> None:
    scores = sc.score(workbooks=variants, truth_dir=variants)
    assert len(scores.files) == len(list(variants.glob("*.xlsx")))
    assert all(f.kind != "negative" for f in scores.files)
