"""Fixtures of the untrusted-submission suite: build a bad file by case name, and run
the riskiest imports in a child process with a memory ceiling, so that a regression
fails a test instead of killing pytest (a Rust abort in python-calamine cannot be
caught in-process)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from badfiles import CASES

CASE_BY_NAME = {case.name: case for case in CASES}

_CHILD = r"""
import json, resource, sys, time, tracemalloc
limit = int(sys.argv[1]) << 20
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
trace = sys.argv[2] == "trace"
from xlperf.importer import import_workbook


def hwm_mb():
    # VmHWM: this process's own resident peak. ru_maxrss would also count the forked
    # parent (Linux keeps it across execve), i.e. the whole pytest run so far.
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) >> 10
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10


out = []
for path in sys.argv[3:]:
    start = time.monotonic()
    if trace:
        tracemalloc.start()
    result = import_workbook(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    sub = result.submission
    out.append({
        "exit_code": result.exit_code,
        "findings": [[f.code, f.where, f.message] for f in result.report.findings],
        "unmapped": {f.where: f.text for f in result.report.findings if f.code == "unmapped-cell"},
        "projects": [[p.name, str(p.annual_amount)] for p in sub.projects] if sub else None,
        "seconds": time.monotonic() - start,
        "python_peak_mb": peak >> 20,
        "max_rss_mb": hwm_mb(),
    })
print(json.dumps(out, ensure_ascii=False))
"""


@pytest.fixture
def build(tmp_path: Path) -> Callable[[str], Path]:
    """``build("stray-cell-xfd1048576")`` -> the path of that case's file in tmp_path."""

    def _build(name: str) -> Path:
        case = CASE_BY_NAME[name]
        return case.build(tmp_path / case.filename)

    return _build


def _import_bounded(*paths: Path, memory_mb: int = 1024, timeout: float = 60, trace: bool = True) -> list[dict[str, object]]:
    """``import_workbook`` of each path in turn, in one child process whose address
    space is capped at *memory_mb*; the child must exit cleanly (no abort, no
    MemoryError traceback) within *timeout* seconds (a sanity bound, not a benchmark).

    Per path: ``exit_code``, ``findings`` ([code, where, message]), ``unmapped``
    (where -> text), ``projects`` ([name, annual amount]), ``seconds``,
    ``python_peak_mb`` (tracemalloc, 0 unless *trace*: it slows big files down) and
    ``max_rss_mb`` (the child's resident peak, VmHWM, Rust included)."""
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(memory_mb), "trace" if trace else "plain", *map(str, paths)],
                          capture_output=True,
                          text=True, timeout=timeout, check=False)
    assert proc.returncode == 0, f"child died with {proc.returncode}: {proc.stderr[-3000:]}"
    return json.loads(proc.stdout)


@pytest.fixture
def import_bounded() -> Callable[..., list[dict[str, object]]]:
    """The bounded child-process import (see :func:`_import_bounded`)."""
    return _import_bounded
