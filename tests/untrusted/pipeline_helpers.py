"""Import functions for the pipeline tests, at module level so that worker processes can
import them (they replace ``import_workbook`` through ``consolidate(import_fn=...)``)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from xlperf.importer import import_workbook
from xlperf.model import Region


def slow_import(path: str, *, region: Region | None = None, year: int | None = None):  # noqa: ANN201
    """Note this worker's pid beside the file, then take 60 s (a batch to be stopped)."""
    (Path(path).parent / "pids").mkdir(exist_ok=True)
    (Path(path).parent / "pids" / str(os.getpid())).write_text("", encoding="utf-8")
    time.sleep(60)
    return import_workbook(path, region=region, year=year)


def swapping_import(path: str, *, region: Region | None = None, year: int | None = None):  # noqa: ANN201
    """Before reading ``victim.xlsx``, replace it (atomically) by a copy of ``other.xlsx``:
    a file replaced while the merge runs."""
    if os.path.basename(path) == "victim.xlsx":
        folder = os.path.dirname(path)
        shutil.copy(os.path.join(folder, "other.xlsx"), os.path.join(folder, ".swap"))
        os.replace(os.path.join(folder, ".swap"), path)
    return import_workbook(path, region=region, year=year)
