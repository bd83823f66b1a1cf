"""The second held-out set (corpus/heldout2/): forms reconstructed from published formats of
provinces and kinds that neither corpus/ nor corpus/heldout/ holds, built by
scripts/build_corpus.py --corpus corpus/heldout2. The set is honest (every grid has its workbook
and truth, the workbooks are what the grids say, and the truth records only texts the grid
holds); it was scored blind first (corpus/heldout2/README.md), and the reader now keeps the
figures of corpus/heldout2/floors.toml and the issue's targets."""

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
    grid_cells,
)

HELDOUT2 = ROOT / "corpus" / "heldout2"
GRIDS = bc.grid_files(HELDOUT2)
# a cell that holds a label and its value together: 项目名称：黑土地保护利用项目
_LABEL_AND_VALUE = re.compile(r"^[^:：]{2,12}[:：](.+)$")


def test_every_heldout2_form_has_its_grid_workbook_and_truth() -> None:
    assert len(GRIDS) >= 12
    assert_complete_set(HELDOUT2, GRIDS, targets=10, negatives=2)


@pytest.mark.parametrize("grid", GRIDS, ids=lambda p: p.stem)
def test_rebuilt_heldout2_workbook_equals_committed_one(grid: Path, tmp_path: Path) -> None:
    assert_rebuilt_equals_committed(grid, HELDOUT2, tmp_path)


def _texts_with_label_values(grid: Path) -> set[str]:
    """Every cell of the grid as normalised text, plus the value part of a label：value cell."""
    cells = grid_cells(grid)
    return cells | {m.group(1) for c in cells if (m := _LABEL_AND_VALUE.match(c))}


@pytest.mark.parametrize("grid", GRIDS, ids=lambda p: p.stem)
def test_heldout2_truth_texts_are_cells_of_the_grid(grid: Path) -> None:
    """Names, goals, targets and their parts are texts the grid holds (white space and NFKC aside;
    a name may be the value part of a 项目名称：… cell): the truth was read from the grid, not made up."""
    assert not foreign_truth_texts(HELDOUT2 / "truth" / f"{grid.stem}.toml", _texts_with_label_values(grid))


def test_heldout2_label_and_value_cell_is_split_at_its_colon() -> None:
    assert _LABEL_AND_VALUE.match("项目名称：黑土地保护利用项目").group(1) == "黑土地保护利用项目"
    assert _LABEL_AND_VALUE.match("≥95%") is None
