"""Write one copy of a submitted workbook (runs in an isolated worker process: openpyxl
reads the whole untrusted workbook into memory; docs/untrusted-input.md).

:func:`write_copy` loads the original with openpyxl, takes off an earlier review's
sheets and marks, puts the new marks on (findings: :class:`CopyTask` ``findings``; or what
import took each cell for: ``roles``), adds the 审核意见 or 识别图例 sheet first, writes
the package to memory, puts back the formulas' cached values, compares it with the
original (what openpyxl could not keep becomes ``review-copy-dropped`` findings, listed
on the 审核意见 sheet) and writes the copy atomically. The original is only read.
"""

from __future__ import annotations

import hashlib
import io
import os
import warnings
from dataclasses import dataclass, field

import openpyxl
from openpyxl.packaging.custom import StringProperty
from openpyxl.workbook.workbook import Workbook

from ..cellref import parse_cell_name
from ..consolidate.ledger import record
from ..consolidate.tables import COPY_OF, OUTPUT_MARK
from ..errors import OutputError
from ..model import Finding
from ..readers.grid import Sheet
from ..forms.own_sheets import own_sheet
from ..writers.atomic import write_bytes_atomic
from .marks import Marks, strip_marks
from .package import cached_values, dropped, inventory, restore_cached_values
from .roles import CellRoles
from .sheets import CopySummary, add_legend_sheet, add_review_sheet, spec

__all__ = ["CopyResult", "CopyTask", "run_copy", "write_copy"]


@dataclass(frozen=True)
class CopyTask:
    """One copy to write: ``source`` (read only), ``output``; for the review copy the
    ``findings`` and ``summary``; for the show-read copy the ``roles`` of the cells
    (:func:`xlperf.annotate.roles.cell_roles`)."""

    source: str
    output: str
    findings: tuple[Finding, ...] = ()
    summary: CopySummary = field(default_factory=CopySummary)
    roles: CellRoles | None = None


@dataclass(frozen=True)
class CopyResult:
    """A copy written: ``output``, ``marked`` (findings or role cells marked on a cell),
    ``listed`` (rows of the 审核意见 sheet), ``roles`` (cells per role key, show-read copy)
    and ``notes``, the ``review-copy-dropped`` findings of what the copy could not keep;
    or ``failure``, why no copy was written (Chinese)."""

    output: str
    marked: int = 0
    listed: int = 0
    roles: dict[str, int] = field(default_factory=dict)
    notes: tuple[Finding, ...] = ()
    failure: str | None = None


def _load(task: CopyTask) -> Workbook:
    macros = task.output.lower().endswith(".xlsm")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "extension is not supported": reported by comparing the packages instead
        return openpyxl.load_workbook(task.source, keep_vba=macros, rich_text=True, keep_links=True)


def _remove_own_sheets(wb: Workbook) -> None:
    """Remove the 审核意见 / 识别图例 sheets of an earlier copy (recognised as import
    recognises them)."""
    for ws in list(wb.worksheets):
        top = ws.iter_rows(max_row=60, max_col=10)  # the header of either sheet is near the top, within A:E
        grid = Sheet(name=ws.title, cells={(c.row - 1, c.column - 1): c.value for row in top for c in row
                                           if c.value not in (None, "")})
        found = own_sheet(grid)
        if found is not None and found[0].kind in ("review", "legend"):
            wb.remove(ws)


def _order(findings: tuple[Finding, ...], sheets: list[str]) -> list[Finding]:
    """Errors first; each in workbook order: file-wide, then by sheet, row, column."""
    index = {name: i for i, name in enumerate(sheets)}

    def key(f: Finding) -> tuple:
        try:
            rc = parse_cell_name(f.cell) if f.cell else (-1, -1)
        except ValueError:
            rc = (-1, -1)
        return (f.severity != "error", index.get(f.sheet or "", -1) if f.sheet else -2, *rc)

    return sorted(findings, key=key)


def _mark_findings(wb: Workbook, findings: list[Finding]) -> int:
    """A comment and a highlight on every finding's cell; returns how many were marked."""
    words = {k: v["word"] for k, v in spec()["severity"].items()}
    fills = {k: v["fill"] for k, v in spec()["severity"].items()}
    worksheets = {ws.title: ws for ws in wb.worksheets}  # not chart sheets
    marks: dict[str, Marks] = {}
    marked = 0
    for f in sorted(findings, key=lambda f: f.severity == "error"):  # the stronger colour last
        if not (f.sheet and f.cell) or f.sheet not in worksheets:
            continue
        try:
            r, c = parse_cell_name(f.cell)
        except ValueError:
            continue
        sheet_marks = marks.setdefault(f.sheet, Marks(worksheets[f.sheet]))
        sheet_marks.add(r, c, line=f"{words.get(f.severity, f.severity)} {f.code}：{f.message}", fill=fills.get(f.severity))
        marked += 1
    for m in marks.values():
        m.apply()
    return marked


def _mark_roles(wb: Workbook, roles: CellRoles) -> tuple[int, dict[str, int]]:
    """Each cell coloured by its role, a comment naming the field of a value cell;
    returns (cells marked, count per role)."""
    fills = {r["key"]: r["fill"] for r in spec()["roles"]}
    prefix = spec()["legend_sheet"]["comment_prefix"]
    counts: dict[str, int] = {}
    marked = 0
    for ws in wb.worksheets:
        cells = roles.get(ws.title)
        if not cells:
            continue
        sheet_marks = Marks(ws)
        for (r, c), (role, name) in sorted(cells.items()):
            sheet_marks.add(r, c, line=f"{prefix}{name}" if role == "field" and name else None, fill=fills.get(role))
            counts[role] = counts.get(role, 0) + 1
            marked += 1
        sheet_marks.apply()
    return marked, counts


def _mark_copy_of(wb: Workbook, source: str) -> None:
    """Record in the document properties which workbook this is a review copy of (its sha256)."""
    if COPY_OF in wb.custom_doc_props.names:
        del wb.custom_doc_props[COPY_OF]
    with open(source, "rb") as fh:
        sha = hashlib.file_digest(fh, "sha256").hexdigest()
    wb.custom_doc_props.append(StringProperty(name=COPY_OF, value=sha))


def _select_first(wb: Workbook) -> None:
    """Make the added first sheet the one open, and the only one selected."""
    for ws in wb.worksheets:
        for view in ws.views.sheetView:
            view.tabSelected = False
    wb.active = 0
    wb.worksheets[0].views.sheetView[0].tabSelected = True
    for view in wb.views:
        view.firstSheet = 0
        view.activeTab = 0


def _save(wb: Workbook, task: CopyTask, cached: dict) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return restore_cached_values(buffer.getvalue(), cached, path=task.output)


def write_copy(task: CopyTask) -> CopyResult:
    """Write the copy of ``task.source`` to ``task.output`` (module doc). Raises
    :class:`~xlperf.errors.OutputError` when the copy cannot be written (the earlier file
    at ``output``, if any, is then unchanged); anything openpyxl raises on a workbook it
    cannot handle passes through to the worker's caller."""
    cached = cached_values(task.source)
    wb = _load(task)
    _remove_own_sheets(wb)
    strip_marks(wb)
    sheets = [ws.title for ws in wb.worksheets]
    name = os.path.basename(task.source)
    if task.roles is not None:
        marked, counts = _mark_roles(wb, task.roles)
        add_legend_sheet(wb, file_name=name, counts=counts)
        wb.custom_doc_props.append(StringProperty(name="xlperf", value=OUTPUT_MARK))
        findings: list[Finding] = []
    else:
        counts = {}
        _mark_copy_of(wb, task.source)
        findings = _order(task.findings, sheets)
        marked = _mark_findings(wb, findings)
        sheet = add_review_sheet(wb, file_name=name, findings=findings, summary=task.summary)
    _select_first(wb)
    data = _save(wb, task, cached)
    notes = dropped(inventory(task.source, path=task.source), inventory(data, path=task.output))
    if notes and task.roles is None:
        wb.remove(sheet)
        add_review_sheet(wb, file_name=name, findings=notes + findings, summary=task.summary)
        _select_first(wb)
        data = _save(wb, task, cached)
    write_bytes_atomic(task.output, data)
    if task.roles is not None:  # the show-read copy is no submission: recorded, so merge skips it
        record([task.output])
    return CopyResult(output=task.output, marked=marked, listed=len(findings) + len(notes) if task.roles is None else 0,
                      roles=counts, notes=tuple(notes))


def run_copy(task: CopyTask) -> CopyResult:
    """:func:`write_copy`, with every failure of this one copy returned as
    ``CopyResult.failure`` (the function the worker processes run)."""
    try:
        return write_copy(task)
    except OutputError as exc:
        return CopyResult(task.output, failure=str(exc))
    except MemoryError:
        return CopyResult(task.output, failure="工作簿过大，生成副本时内存不足，未写入副本")
    except Exception as exc:  # noqa: BLE001 - openpyxl on an odd workbook: this copy only
        return CopyResult(task.output, failure=f"openpyxl 无法处理这个工作簿（{type(exc).__name__}: {str(exc)[:200]}），未写入副本")
