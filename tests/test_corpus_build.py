"""The corpus workbooks (corpus/workbooks/) are what scripts/build_corpus.py makes of the grids
(corpus/grids/): rebuilt, they hold the same sheets, cell values and merged ranges as the
committed files and as the grid says (read back with openpyxl, never compared as bytes)."""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import openpyxl
import pytest
from helpers import ROOT


if str(ROOT / "scripts") not in sys.path:  # the corpus scripts are run as scripts, not installed
    sys.path.insert(0, str(ROOT / "scripts"))
import build_corpus as bc  # noqa: E402

GRIDS = sorted((ROOT / "corpus" / "grids").glob("*.tsv"))


def _contents(path: Path) -> list[tuple[str, dict[tuple[int, int], object], list[str]]]:
    wb = openpyxl.load_workbook(path)
    out = []
    for ws in wb.worksheets:
        values = {(c.row - 1, c.column - 1): c.value for row in ws.iter_rows() for c in row if c.value is not None}
        out.append((ws.title, values, sorted(str(r) for r in ws.merged_cells.ranges)))
    return out


def _from_grid(grid: Path) -> list[tuple[str, dict[tuple[int, int], object], list[str]]]:
    out = []
    for sheet in bc.read_grid(grid):
        values = {pos: cell.value for pos, cell in sheet.cells.items()}
        merges = sorted(f"{openpyxl.utils.get_column_letter(c0 + 1)}{r0 + 1}:{openpyxl.utils.get_column_letter(c1 + 1)}{r1 + 1}"
                        for r0, c0, r1, c1 in sheet.merges)
        out.append((sheet.name, values, merges))
    return out


def test_there_is_a_grid_per_corpus_file() -> None:
    assert len(GRIDS) == 17


@pytest.mark.parametrize("grid", GRIDS, ids=lambda p: p.stem)
def test_rebuilt_workbook_equals_committed_one_and_its_grid(grid: Path, tmp_path: Path) -> None:
    rebuilt = _contents(bc.build_one(grid, tmp_path))
    committed = _contents(ROOT / "corpus" / "workbooks" / f"{grid.stem}.xlsx")
    assert rebuilt == committed, "corpus/workbooks is stale: run python scripts/build_corpus.py"
    assert rebuilt == _from_grid(grid)


def test_grid_cells_numbers_escapes_and_merges() -> None:
    sheets = bc.parse_grid("#!sheet 表1\n# a comment\n标题\t<\t<\n6.30\t'007\t≥90%\n"
                           "总体\\n目标\t\\sx\\s\t\\<\n^\t500\t0.5\n", name="t.tsv")
    (s,) = sheets
    assert s.name == "表1"
    assert s.cells[(0, 0)].value == "标题"
    assert (s.cells[(1, 0)].value, s.cells[(1, 0)].decimals) == (6.3, 2)
    assert s.cells[(1, 1)].value == "007" and s.cells[(1, 2)].value == "≥90%"
    assert s.cells[(2, 0)].value == "总体\n目标" and s.cells[(2, 1)].value == " x " and s.cells[(2, 2)].value == "<"
    assert s.cells[(3, 1)].value == 500.0 and s.cells[(3, 2)].value == 0.5
    assert sorted(s.merges) == [(0, 0, 0, 2), (2, 0, 3, 0)]


@pytest.mark.parametrize("text", [
    "a\tb\n",  # a row before the first sheet
    "#!sheet s\n<\tb\n",  # nothing on the left to join
    "#!sheet s\na\t<\nb\t^\n",  # an L-shaped range
    "#!sheet s\na\n^\t<\n",  # three cells of a square
    "#!sheet s\na\\x\n",  # unknown escape
    "#!sheet a/b\nx\n",  # not a sheet name Excel accepts
    "#!sheet s\nx\n#!sheet s\ny\n",  # the same sheet twice
])
def test_bad_grids_are_refused_with_their_name(text: str) -> None:
    with pytest.raises(bc.GridError, match="bad.tsv"):
        bc.parse_grid(text, name="bad.tsv")


def _page(stem: str) -> str:
    text = (ROOT / "corpus" / "source" / f"{stem}.txt").read_text(encoding="utf-8").split("\n---\n", 1)[1]
    return _norm(text)


def _norm(text: str) -> str:
    """NFKC, all white space removed (as the scoring compares texts)."""
    return "".join(unicodedata.normalize("NFKC", text).split())


# Grid cells that are not one run of the page text, each for a reason the grid's header says.
NOT_IN_PAGE = {
    ("chengdexian_minzhengju_2022_department", "9.2022年救助信息系统购置绩效目标表"): "sharing-site chunk marker removed",
    ("chengdexian_minzhengju_2022_department", "20.2022年惠民殡葬、无名尸管理10.5万绩效目标表"): "sharing-site chunk marker removed",
    ("handan_kunnanqunzhongjiuzhu_2019_project", "按服務(wù)對(duì)象滿意度評(píng)價(jià)"): "sharing-site chunk marker removed",
    ("dongguan_gonganju_2020_project", "件精神,我局机关对60台符合相关条件的车辆进行\n报废更新"): "PDF lines interleaved",
    ("dongguan_gonganju_2020_project", "精神,我局机关对20台符合相关条件的车辆进行报废\n更新"): "PDF lines interleaved",
    ("dongguan_gonganju_2020_project", "预算(或投\n资规模)控\n制指标"): "PDF lines interleaved",
    ("dongguan_gonganju_2020_project", "预算(或投资\n规模)控制指\n标"): "PDF lines interleaved",
    ("unknown-province_canlian_2019_regional-transfer", "服务对象\n满意度指标"): "column-major page: split by a 三级 name",
}


@pytest.mark.parametrize("grid", GRIDS, ids=lambda p: p.stem)
def test_grid_cells_are_the_page_text(grid: Path) -> None:
    """Every cell of a grid is a run of its page text (white space aside): the grids rebuild
    cell boundaries, they do not reword. The few exceptions are listed with their reason."""
    page = _page(grid.stem)
    foreign = []
    for sheet in bc.read_grid(grid):
        for cell in sheet.cells.values():
            text = cell.value if isinstance(cell.value, str) else f"{cell.value:.{cell.decimals}f}"
            if _norm(text) not in page and (grid.stem, text) not in NOT_IN_PAGE:
                foreign.append(text)
    assert not foreign
