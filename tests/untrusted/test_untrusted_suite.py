"""The whole suite as a consolidator would meet it: scripts/make_bad_files.py writes one
file per case, and importing every file in one bounded child process gives each case's
expected exit code and finding, in bounded memory."""

from __future__ import annotations

import os
import resource
import runpy
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from badfiles import CASES
from helpers import ROOT


@pytest.fixture(scope="module")
def bad_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder scripts/make_bad_files.py writes (built once for this module)."""
    folder = tmp_path_factory.mktemp("bad")
    script = runpy.run_path(str(ROOT / "scripts" / "make_bad_files.py"))
    assert script["main"]([str(folder)]) == 0
    return folder


def test_make_bad_files_writes_one_file_per_case(bad_folder: Path,
                                                  import_bounded: Callable[..., list[dict[str, object]]]) -> None:
    names = sorted(p.name for p in bad_folder.iterdir())
    assert names == sorted([c.filename for c in CASES] + ["cases.tsv"])
    rows = (bad_folder / "cases.tsv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "file\tcase\texpected_finding\texpected_exit_code" and len(rows) == len(CASES) + 1

    results = import_bounded(*(bad_folder / c.filename for c in CASES), memory_mb=1024, timeout=120, trace=False)
    assert len(results) == len(CASES)
    for case, out in zip(CASES, results):
        codes = {code for code, _where, _message in out["findings"]}  # type: ignore[union-attr]
        assert out["exit_code"] == case.exit_code, (case.name, sorted(codes))
        assert not case.code or case.code in codes, (case.name, sorted(codes))
        assert out["seconds"] < 30, case.name  # type: ignore[operator]
    assert results[-1]["max_rss_mb"] < 400  # the whole suite, one process  # type: ignore[operator]


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def test_cli_import_table_over_every_bad_file(bad_folder: Path) -> None:
    """``xlperf import`` (the table a reviewer reads) over the whole folder, in a child
    capped at 1 GB: exit 2, every file listed, no traceback."""
    files = [bad_folder / c.filename for c in CASES]
    proc = subprocess.run([sys.executable, "-c", "from xlperf.cli import app; app()", "import", *map(str, files)],
                          capture_output=True, text=True, timeout=120, check=False, preexec_fn=_cap_memory,
                          env={**os.environ, "COLUMNS": "300"})
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert "Traceback" not in proc.stdout + proc.stderr
    for case in CASES:
        assert case.filename in proc.stdout, case.filename
