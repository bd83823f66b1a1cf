"""The sixth held-out set (corpus/heldout6/): forms reconstructed from published formats of
province, level and kind combinations the earlier sets do not hold, built by
scripts/build_corpus.py --corpus corpus/heldout6. It is blind: it has no floors and is not in
tests/test_heldout.py's HELDOUT_SETS (corpus/heldout6/README.md records its first score). This
module keeps it honest - every grid has its workbook and truth, the workbooks are what the grids
say, and the truth records only texts the grid holds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import ROOT
from test_heldout import (
    assert_complete_set,
    assert_rebuilt_equals_committed,
    bc,
    foreign_truth_texts,
    sheet_texts,
)

HELDOUT6 = ROOT / "corpus" / "heldout6"
GRIDS = bc.grid_files(HELDOUT6)
# a label and its value in one cell: 单位名称：新县农业农村局
_LABEL_AND_VALUE = re.compile(r"^[^：:]{2,12}[：:](.+)$")


def test_every_heldout6_form_has_its_grid_workbook_and_truth() -> None:
    assert_complete_set(HELDOUT6, GRIDS, targets=8, negatives=2)


@pytest.mark.parametrize("grid", GRIDS, ids=lambda p: p.stem)
def test_rebuilt_heldout6_workbook_equals_committed_one(grid: Path, tmp_path: Path) -> None:
    assert_rebuilt_equals_committed(grid, HELDOUT6, tmp_path)


def _grid_texts(grid: Path) -> set[str]:
    """Every cell of the grid as normalised text, plus what a reader by eye takes from it: the
    value part of a ``label：value`` cell, and a value joined with the unit in the cell on its
    right (指标值 ``≥2.3`` and 计量单位 ``万亩``)."""
    texts: set[str] = set()
    for sheet in bc.read_grid(grid):
        cells = sheet_texts(sheet)
        texts |= set(cells.values())
        texts |= {m.group(1) for text in cells.values() if (m := _LABEL_AND_VALUE.match(text))}
        texts |= {text + cells[(r, c + 1)] for (r, c), text in cells.items() if (r, c + 1) in cells}
    return texts


@pytest.mark.parametrize("grid", GRIDS, ids=lambda p: p.stem)
def test_heldout6_truth_texts_are_texts_of_the_grid(grid: Path) -> None:
    """Names, goals and targets are texts the grid holds (white space and NFKC aside), or taken
    from one as a reader by eye takes them (see _grid_texts)."""
    assert not foreign_truth_texts(HELDOUT6 / "truth" / f"{grid.stem}.toml", _grid_texts(grid))
