"""The stages the import benchmarks time, each a function of one workbook path (or of a
workbook already read), shared by ``bench_import.py``, ``bench_layout.py`` and
``instructions.py``.

Anchors (what the goals are measured against): ``calamine`` (python-calamine reading every
sheet's values and merged ranges: the floor of a native reader), ``pandas+calamine`` and
``pandas+openpyxl`` (``pandas.read_excel(sheet_name=None, header=None)``: the bare grids as
DataFrames). xlperf: ``read`` (:func:`xlperf.readers.xlsx.read_workbook`), ``layout`` (the
form readers on a workbook already read: :func:`xlperf.forms.dispatch.read_sheets`),
``import`` (:func:`xlperf.importer.import_workbook`: reading, layout, review, report).
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["ANCHORS", "forget", "import_stage", "layout", "reset", "stage"]


def _calamine(path: str) -> int:
    import python_calamine as pc

    wb = pc.CalamineWorkbook.from_path(path)
    cells = 0
    for name in wb.sheet_names:
        sheet = wb.get_sheet_by_name(name)
        cells += sum(len(r) for r in sheet.to_python())
        _ = sheet.merged_cell_ranges
    return cells


def _pandas(engine: str) -> Callable[[str], int]:
    def read(path: str) -> int:
        import pandas as pd

        return len(pd.read_excel(path, sheet_name=None, engine=engine, header=None))

    return read


def _read(path: str) -> int:
    from xlperf.readers.xlsx import read_workbook

    return len(read_workbook(path).sheets)


def import_stage(path: str) -> int:
    """A whole import; the number of findings (the result must be a submission)."""
    from xlperf.importer import import_workbook

    r = import_workbook(path)
    assert r.submission is not None, (path, r.error)
    return len(r.report.findings)


ANCHORS: dict[str, Callable[[str], int]] = {
    "calamine": _calamine,
    "pandas+calamine": _pandas("calamine"),
    "pandas+openpyxl": _pandas("openpyxl"),
}


def stage(name: str) -> Callable[[str], int]:
    """The stage *name* of a path: an anchor, ``read`` or ``import``."""
    return {**ANCHORS, "read": _read, "import": import_stage}[name]


def forget() -> int:
    """Empty every ``functools`` cache of xlperf's modules (and of the copies of other
    revisions the benchmarks load: ``xlperf_base``; module functions and class
    attributes; the caches of labels and taxonomy objects go with the objects), so the
    next workbooks are read as in a fresh batch: the texts of a new file are new to the
    text caches, which repeats over the same files would otherwise find warm. Returns
    the number of caches emptied."""
    import functools
    import sys

    done = 0
    for name, module in list(sys.modules.items()):
        if not name.split(".")[0].startswith("xlperf") or module is None:  # (and a revision's copy: xlperf_base)
            continue
        for value in list(vars(module).values()):
            for fn in [value, *(vars(value).values() if isinstance(value, type) else ())]:
                if isinstance(fn, functools._lru_cache_wrapper):
                    fn.cache_clear()
                    done += 1
    return done


def reset(wb) -> None:  # noqa: ANN001 - xlperf.readers.grid.Workbook
    """Forget what a layout run marked on *wb*'s sheets (consumed cells, label indexes),
    so the form readers can read it again as if just read."""
    for sheet in wb.sheets:
        sheet.consumed = set()
        sheet.cache = {}


def layout(wb) -> int:  # noqa: ANN001 - xlperf.readers.grid.Workbook
    """The form readers on *wb* (reset first); the number of projects read."""
    from xlperf.forms.dispatch import read_sheets
    from xlperf.taxonomy import load_taxonomy

    reset(wb)
    return len(read_sheets(wb, tax=load_taxonomy()).projects)
