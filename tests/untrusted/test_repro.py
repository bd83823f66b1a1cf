"""Every reproducer of the fuzz campaign ends with a clean per-file result: read, or
refused with a message naming the file. Each is read in a contained worker (1 GiB
address space, 30 s), so a regression to a native abort or a hang fails its test
instead of killing pytest. Before the one-parser reader, r01-r06, r14 and r19 aborted
the process (exit 134) and the 300-sheet file took ~29 s."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
from pathlib import Path

import pytest
from repro import BUILDERS

from xlperf.errors import UnreadableWorkbook
from xlperf.isolation import ContainedRunner
from xlperf.readers.xlsx import read_workbook

# name -> ("ok", {cell: value} checked on the first sheet) | (error code, words of the message)
EXPECTED: dict[str, tuple[str, object]] = {
    "r01": ("ok", {"A1": 1.0, "XFD1048576": 1.0}),  # read sparsely, reported as sheet-extent-absurd
    "r02": ("file-broken", "两个编号为 rId1 的关系"),
    "r03": ("ok", {"A1": 1.0, "XFD1048576": 1.0}),  # _rels/.rels is followed: /evil/workbook.xml is the workbook
    "r03sst": ("ok", {"A1": "项目名称"}),  # a declared uniqueCount is never used
    "r04pad": ("ok", {"A1": "项目名称"}),
    "r04zeros": ("ok", {"A1": "项目名称"}),
    "r05": ("file-broken", "重名的部件"),
    "r06": ("file-broken", "不是合法的 XML"),  # undeclared namespace prefixes
    "r07": ("ok", {"A1": "项目名称"}),  # the damaged part is not one a workbook needs
    "r07eof": ("ok", {"A1": "项目名称"}),
    "r08b": ("ok", {"A1": "备注_xD800_"}),  # kept literal: no lone surrogate leaves the reader
    "r13": ("file-broken", "指向同一个部件"),
    "r14bareid": ("ok", {"A1": "项目名称"}),  # r:id is the relationship, a bare id is not
    "r14entity": ("ok", {"A1": "项目名称"}),  # worksheets/sheet&#49;.xml is worksheets/sheet1.xml
    "r19": ("file-broken", "两个互相矛盾的目录"),
    "r20": ("file-broken", "指向同一个部件"),
    "r21": ("ok", {"A1": 60.0, "B1": _dt.date(2025, 1, 21), "C1": _dt.timedelta(days=0.288161), "E1": "备注_xD800_",
                   "F1": _dt.time(0, 0), "G1": _dt.date(1900, 3, 14)}),  # G1: serial 74, style 0 a date
    "zip-version-14-8": ("file-broken", "不支持的版本"),
    "slow-300-sheets-rless-cells": ("file-broken", "指向同一个部件"),
}


def read_one(path: str) -> dict[str, object]:
    """What the reader makes of *path* (run in the contained worker)."""
    from xlperf.cellref import cell_name

    try:
        wb = read_workbook(path)
    except UnreadableWorkbook as exc:
        return {"code": exc.code, "message": exc.message, "path": exc.path}
    cells = {cell_name(r, c): v for (r, c), v in wb.sheets[0].cells.items()} if wb.sheets else {}
    return {"code": "ok", "cells": cells, "findings": [(f.code, f.where) for f in wb.findings], "sha256": wb.sha256}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("repro")
    paths = {name: str(build(folder / f"{name}.xlsx")) for name, build in BUILDERS.items()}
    with ContainedRunner(workers=2, memory_limit=1 << 30, time_limit=30) as runner:
        done = {o.index: o for o in runner.map(read_one, list(paths.values()))}
    return {name: (done[i], paths[name]) for i, name in enumerate(paths)}


def test_every_reproducer_has_an_expectation() -> None:
    assert set(EXPECTED) == set(BUILDERS)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_reproducer_ends_cleanly(name: str, outcomes: dict[str, object]) -> None:
    outcome, path = outcomes[name]  # type: ignore[misc]
    assert outcome.failure is None, outcome.failure  # no abort, no hang, no other exception
    got = outcome.value
    code, expected = EXPECTED[name]
    assert got["code"] == code, got
    if code == "ok":
        cells = got["cells"]
        for ref, value in expected.items():  # type: ignore[union-attr]
            assert cells.get(ref) == value, (ref, cells.get(ref))
        assert got["sha256"] == hashlib.sha256(Path(path).read_bytes()).hexdigest()
        json.dumps(got["cells"], ensure_ascii=False, default=str).encode("utf-8")  # valid Unicode throughout
    else:
        assert expected in got["message"] and got["path"] == path, got


def test_far_cells_are_reported(outcomes: dict[str, object]) -> None:
    for name in ("r01", "r03"):
        assert ("sheet-extent-absurd", "Sheet1!XFD1048576") in outcomes[name][0].value["findings"]  # type: ignore[index]


def test_nan_in_a_date_cell_is_reported(outcomes: dict[str, object]) -> None:
    value = outcomes["r21"][0].value  # type: ignore[index]
    assert "D1" not in value["cells"] and ("number-invalid", "Sheet1!D1") in value["findings"]


@pytest.mark.parametrize("kind", ["fifo", "dev-zero-link", "directory"])
def test_special_files_are_refused_without_blocking(kind: str, tmp_path: Path) -> None:
    path = tmp_path / f"{kind}.xlsx"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero-link":
        path.symlink_to("/dev/zero")
    else:
        path.mkdir()
    with ContainedRunner(workers=1, time_limit=10) as runner:
        outcome = runner.run(read_one, str(path))
    assert outcome.failure is None, outcome.failure
    assert outcome.value["code"] == "file-unreadable", outcome.value  # type: ignore[index]
    assert "不是普通文件" in outcome.value["message"] or "无法" in outcome.value["message"]  # type: ignore[index]
