"""The sixth held-out set (corpus/heldout6/): forms reconstructed from published formats of
province, level and kind combinations the earlier sets do not hold, built by
scripts/build_corpus.py --corpus corpus/heldout6. It is no longer blind (corpus/heldout6/README.md
records its first score and the score after the rules that closed its classes); its floors and
the issue's targets are kept by tests/test_heldout.py (HELDOUT_SETS). This module keeps it
honest - every grid has its workbook and truth, the workbooks are what the grids
say, and the truth records only texts the grid holds."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import ROOT
from test_heldout import (
    assert_complete_set,
    assert_rebuilt_equals_committed,
    bc,
    foreign_truth_texts,
)

# what a reader by eye takes from a grid: the same as for the fifth set
from test_heldout5 import _grid_texts

HELDOUT6 = ROOT / "corpus" / "heldout6"
GRIDS = bc.grid_files(HELDOUT6)


def test_every_heldout6_form_has_its_grid_workbook_and_truth() -> None:
    assert_complete_set(HELDOUT6, GRIDS, targets=8, negatives=2)


@pytest.mark.parametrize("grid", GRIDS, ids=lambda p: p.stem)
def test_rebuilt_heldout6_workbook_equals_committed_one(grid: Path, tmp_path: Path) -> None:
    assert_rebuilt_equals_committed(grid, HELDOUT6, tmp_path)


@pytest.mark.parametrize("grid", GRIDS, ids=lambda p: p.stem)
def test_heldout6_truth_texts_are_texts_of_the_grid(grid: Path) -> None:
    """Names, goals and targets are texts the grid holds (white space and NFKC aside), or taken
    from one as a reader by eye takes them (test_heldout5._grid_texts)."""
    assert not foreign_truth_texts(HELDOUT6 / "truth" / f"{grid.stem}.toml", _grid_texts(grid))
