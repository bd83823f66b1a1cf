"""The third held-out set (corpus/heldout3/): forms reconstructed from published formats of
provinces and kinds that corpus/, corpus/heldout/ and corpus/heldout2/ do not hold, built by
scripts/build_corpus.py --corpus corpus/heldout3. The set is honest - every grid has its workbook
and truth, the workbooks are what the grids say, and the truth records only texts the grid holds;
it was scored blind first (corpus/heldout3/README.md), and the reader now keeps the figures of
corpus/heldout3/floors.toml (counted per unit, scripts/score_corpus.py) and the issue's targets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import ROOT
from test_heldout import (
    set_scores,
    assert_complete_set,
    assert_rebuilt_equals_committed,
    bc,
    foreign_truth_texts,
    sheet_texts,
)

HELDOUT3 = ROOT / "corpus" / "heldout3"
GRIDS = bc.grid_files(HELDOUT3)
# a 三级 cell carrying its value in brackets at its end: 农村危房改造户数（≥270户）; a bracket inside
# the name stays with the name: 农房（含C级、D级危房）改造竣工验收合格率（100%）
_NAME_AND_BRACKETED_VALUE = re.compile(r"^(.+?)[（(]([^（）()]+)[）)]$")
# 指标方向 written in words (福建): the truth records the comparator's symbol in parts.operator
_DIRECTION_WORDS = {"大于等于": "≥", "不低于": "≥", "不少于": "≥", "小于等于": "≤", "不高于": "≤",
                    "不超过": "≤", "等于": "=", "大于": ">", "小于": "<"}


def test_every_heldout3_form_has_its_grid_workbook_and_truth() -> None:
    assert_complete_set(HELDOUT3, GRIDS, targets=10, negatives=2)


@pytest.mark.parametrize("grid", GRIDS, ids=lambda p: p.stem)
def test_rebuilt_heldout3_workbook_equals_committed_one(grid: Path, tmp_path: Path) -> None:
    assert_rebuilt_equals_committed(grid, HELDOUT3, tmp_path)


def _grid_texts(grid: Path) -> set[str]:
    """Every cell of the grid as normalised text, plus what a reader by eye takes from it: the
    name and the bracketed value of a 三级 cell, a cell joined with the one below it (a scan's
    two-line cell split over two rows), and the symbol of a 指标方向 word the grid holds."""
    texts: set[str] = set()
    for sheet in bc.read_grid(grid):
        cells = sheet_texts(sheet)
        texts |= set(cells.values())
        texts |= {top + cells[(r + 1, c)] for (r, c), top in cells.items() if (r + 1, c) in cells}
        texts |= {part for text in cells.values() if (m := _NAME_AND_BRACKETED_VALUE.match(text)) for part in m.groups()}
    texts |= {symbol for word, symbol in _DIRECTION_WORDS.items() if word in texts}
    return texts


@pytest.mark.parametrize("grid", GRIDS, ids=lambda p: p.stem)
def test_heldout3_truth_texts_are_texts_of_the_grid(grid: Path) -> None:
    """Names, goals, targets, their parts, period targets and descriptions are texts the grid holds
    (white space and NFKC aside), or taken from one as a reader by eye takes them (see _grid_texts)."""
    assert not foreign_truth_texts(HELDOUT3 / "truth" / f"{grid.stem}.toml", _grid_texts(grid))


def test_grid_texts_split_a_bracketed_value_join_a_split_cell_and_name_a_direction(tmp_path: Path) -> None:
    grid = tmp_path / "g.tsv"
    grid.write_text("#!sheet S\n农房（含C级危房）改造率（100%）\t大于等于\n享受补助\t\n幼儿人数\t\n", encoding="utf-8")
    texts = _grid_texts(grid)
    assert {"农房(含C级危房)改造率", "100%", "享受补助幼儿人数", "≥"} <= texts
    assert "≤" not in texts and "含C级危房" not in texts


@pytest.fixture(scope="module")
def scores():  # noqa: ANN201
    return set_scores("heldout3")  # floors and targets: tests/test_heldout.py, for every set


def test_heldout3_look_alikes_are_refused_and_every_target_form_exits_0(scores) -> None:
    """The blind run let the adjustment request pass with exit 0 and three target forms exit 0
    with targets unread; now each look-alike is refused and each target form is read clean."""
    assert {f.stem: f.exit_code for f in scores.files if f.kind == "negative"} == {
        f.stem: 2 for f in scores.files if f.kind == "negative"}
    assert [f.stem for f in scores.files if f.kind != "negative" and f.exit_code != 0] == []
