"""``xlperf merge --annotate DIR``: the review copy of every consolidated file that has
findings, written into *DIR* (docs/review-loop.md).

An output format of the merge (:data:`xlperf.writers.outputs.FORMATS`): :func:`write`
takes the :class:`~xlperf.consolidate.tables.Consolidation`, so each copy lists the
findings the merge reported for its file (the manifest's region removes
``region-unknown``; ``submission-replaced``, ``project-duplicate`` … are there too) with
the counts of the 来源 sheet. Files that could not be read, and duplicates of another
file, get no copy. Copies keep the input folders' layout below their common folder
(``收件箱/甲县/司法局.xlsx`` -> ``DIR/甲县/司法局.审核.xlsx``) and are written by isolated
worker processes, one file at a time each.
"""

from __future__ import annotations

import os
from decimal import Decimal

from ..consolidate.tables import FINDINGS, SOURCES, Consolidation, projects_table
from ..errors import OutputError
from ..findings import catalog
from ..isolation import ContainedRunner, default_workers
from ..model import Finding
from .copy import CopyResult, CopyTask, run_copy
from .review import copy_name
from .sheets import CopySummary, spec

__all__ = ["annotation_tasks", "write"]

_ANNOTATED = ("imported", "replaced")


def _findings(result: Consolidation) -> dict[str, list[Finding]]:
    """The merge's findings by file, back as :class:`~xlperf.model.Finding`."""
    words = {v["word"]: k for k, v in spec()["severity"].items()}
    cols = [FINDINGS.header(f) for f in ("severity", "code", "message", "file", "sheet", "cell", "text")]
    out: dict[str, list[Finding]] = {}
    for severity, code, message, file, sheet, cell, text in result.findings[cols].itertuples(index=False, name=None):
        if file is None:
            continue
        level = catalog()[code].severity if code in catalog() else words.get(severity, "warning")
        out.setdefault(file, []).append(Finding(code=code, severity=level, message=message, file=file, sheet=sheet,
                                                cell=cell, text=text))
    return out


def _amounts(result: Consolidation) -> dict[str, tuple[Decimal | None, int]]:
    """(total 项目年度金额 in 万元, projects without one) by source file."""
    table = projects_table()
    df = result.projects[[table.header("annual_amount"), table.header("source_file")]]
    out: dict[str, tuple[Decimal | None, int]] = {}
    for amount, file in df.itertuples(index=False, name=None):
        total, unread = out.get(file, (None, 0))
        if amount is None:
            unread += 1
        else:
            total = amount if total is None else total + amount
        out[file] = (total, unread)
    return out


def annotation_tasks(result: Consolidation, folder: str) -> list[CopyTask]:
    """One :class:`~xlperf.annotate.copy.CopyTask` per consolidated file with findings."""
    by_file = _findings(result)
    amounts = _amounts(result)
    cols = [SOURCES.header(f) for f in ("file", "status", "projects", "indicators", "department_indicators")]
    files = [row for row in result.sources[cols].itertuples(index=False, name=None)
             if row[1] in _ANNOTATED and by_file.get(row[0])]
    if not files:
        return []
    root = os.path.commonpath([os.path.dirname(os.path.abspath(f[0])) for f in files])
    tasks = []
    for path, _status, projects, indicators, dept_indicators in files:
        fs = by_file[path]
        total, unread = amounts.get(path, (None, 0))
        summary = CopySummary(projects=projects, indicators=indicators, department_indicators=dept_indicators,
                              total=total, amount_unread=unread, errors=sum(f.severity == "error" for f in fs),
                              warnings=sum(f.severity == "warning" for f in fs))
        below = os.path.relpath(os.path.dirname(os.path.abspath(path)), root)
        tasks.append(CopyTask(path, copy_name(path, folder=os.path.normpath(os.path.join(folder, below))),
                              findings=tuple(fs), summary=summary))
    return tasks


def write(result: Consolidation, folder: str, *, workers: int | None = None) -> list[str]:
    """Write the review copies into *folder* (module doc); returns the paths written.
    Every copy that can be written is; then :class:`~xlperf.errors.OutputError` names
    those that could not (each copy is atomic: a failed one leaves no file behind)."""
    tasks = annotation_tasks(result, folder)
    done: list[CopyResult | None] = [None] * len(tasks)
    failures: dict[int, str] = {}
    with ContainedRunner(max(1, min(workers or default_workers(), len(tasks)))) as runner:
        for out in runner.map(run_copy, tasks) if tasks else ():
            if out.value is not None and out.value.failure is None:
                done[out.index] = out.value
            else:
                failures[out.index] = out.value.failure if out.value is not None else (out.failure or "").split(" / ")[0]
    written = [r.output for r in done if r is not None]
    if failures:
        lines = "；".join(f"{tasks[i].source}（{why}）" for i, why in sorted(failures.items()))
        raise OutputError(f"已写入审核副本 {len(written)} 份；以下文件未能写出审核副本：{lines}")
    return written
