"""Inputs that crashed or could blow up the reader: each imported in a child process
capped at 1 GB of address space (a regression fails the test instead of killing
pytest), with the exact outcome, the child's peak memory and a generous time bound
(a sanity check, not a benchmark)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from badfiles import mutated
from helpers import ROOT

from xlperf.importer import import_workbook

# case -> (exit code, finding code expected, where it points or "")
RISKY: dict[str, tuple[int, str, str]] = {
    # a dense reader would allocate 17 billion cells; read sparsely, reported
    "stray-cell-xfd1048576": (1, "sheet-extent-absurd", "Sheet1!XFD1048576"),
    "stray-cell-lowercase": (1, "sheet-extent-absurd", "Sheet1!XFD1048576"),
    # a reader reserving uniqueCount entries up front would ask for 240 GB; the count is never used
    "huge-shared-string-count": (1, "required-field-missing", ""),
    # two entries for one part (names equal ignoring case): refused, whichever a reader would pick
    "duplicate-part-names": (2, "file-broken", ""),
    # a row number past Excel's grid (some readers wrap it silently): refused
    "overflowing-row-number": (2, "file-broken", ""),
    "zip-bomb-1gb": (2, "zip-bomb", ""),
    "deep-nesting": (1, "no-form-found", ""),
}


@pytest.mark.parametrize("case", sorted(RISKY))
def test_risky_input_is_contained(case: str, build: Callable[[str], Path],
                                  import_bounded: Callable[..., list[dict[str, object]]]) -> None:
    exit_code, code, where = RISKY[case]
    [out] = import_bounded(build(case), memory_mb=1024, timeout=60)
    assert out["exit_code"] == exit_code
    found = [(c, w) for c, w, _m in out["findings"]]  # type: ignore[union-attr]
    assert any(c == code and (not where or w == where) for c, w in found), found
    assert out["max_rss_mb"] < 300  # type: ignore[operator]
    assert out["seconds"] < 30  # type: ignore[operator]


@pytest.mark.parametrize("case", ["stray-cell-xfd1048576", "stray-cell-lowercase", "huge-shared-string-count"])
def test_sheets_a_dense_reader_cannot_hold_are_read_whole(case: str, build: Callable[[str], Path],
                                                      import_bounded: Callable[..., list[dict[str, object]]]) -> None:
    [out] = import_bounded(build(case))
    assert out["python_peak_mb"] < 200  # type: ignore[operator]
    if case == "stray-cell-xfd1048576":
        assert out["projects"] == [["法律援助", "5.0"]]
        assert out["unmapped"] == {"Sheet1!XFD1048576": "x"}
    elif case == "stray-cell-lowercase":
        assert out["unmapped"] == {"Sheet1!A1": "1", "Sheet1!XFD1048576": "2"}
    else:
        assert out["projects"] == [["法律援助", "None"]]


def test_deeply_nested_cell_keeps_its_text(build: Callable[[str], Path]) -> None:
    result = import_workbook(str(build("deep-nesting")))
    texts = {f.where: f.text for f in result.report.findings if f.code == "unmapped-cell"}
    assert texts == {"Sheet1!A1": "深", "Sheet1!B1": "浅"}


def test_a_million_empty_cells_keep_the_one_value(build: Callable[[str], Path],
                                                  import_bounded: Callable[..., list[dict[str, object]]]) -> None:
    [out] = import_bounded(build("many-empty-cells"), trace=False)
    assert out["exit_code"] == 1 and out["unmapped"] == {"Sheet1!A1": "唯一的值"}
    assert out["max_rss_mb"] < 300 and out["seconds"] < 30  # type: ignore[operator]


def test_damaged_workbooks_never_crash(tmp_path: Path, import_bounded: Callable[..., list[dict[str, object]]]) -> None:
    """24 random but reproducible kinds of damage to two real workbooks: each is read
    or refused for that file (exit 0, 1 or 2); the child process never dies."""
    sources = [ROOT / "samples" / "002_hongsibu_2025.xlsx", ROOT / "samples" / "004_yangxin_2026.xlsx"]
    paths = [mutated(tmp_path / f"damaged{seed}.xlsx", source=sources[seed % 2], seed=seed) for seed in range(24)]
    results = import_bounded(*paths, trace=False, timeout=120)
    assert len(results) == 24
    for out in results:
        assert out["exit_code"] in (0, 1, 2)
        if out["exit_code"] == 2:
            [(code, _where, message)] = out["findings"]  # type: ignore[misc]
            assert code in ("file-broken", "file-truncated", "xml-entities", "file-not-ooxml"), message
            assert "读取时出错" not in message  # an expected refusal, not an unexpected exception
