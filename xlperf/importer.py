"""Import: a workbook file -> canonical :class:`~xlperf.model.Submission` + review
:class:`~xlperf.report.Report`.

``import_workbook`` never raises for a bad input: an unreadable file becomes an
:class:`ImportResult` with ``submission=None``, one ``file-unreadable``-class finding
and exit code 2. ``read_submission`` is the pure part (cells -> model) that tests and
the benchmark call directly. ``import_files`` runs ``import_workbook`` for many files in
contained worker processes (:class:`xlperf.isolation.ContainedRunner`): a file that
crashes, hangs or exhausts memory becomes an unreadable result of its own
(``import-crashed``, ``import-timeout``) and the others go on.

Findings per file are bounded (docs/untrusted-input.md): the reader lists at most
1,000, ``unmapped-cell`` at most :data:`UNMAPPED_LISTED_PER_SHEET` per sheet, and the
whole file at most :data:`MAX_FINDINGS_PER_FILE` (errors first), the rest counted in
one ``findings-more``.
"""

from __future__ import annotations

import gc
import hashlib
import os
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .cellref import cell_name, split_ref
from .errors import NotATargetForm, UnreadableWorkbook
from .findings import catalog, finding
from .forms.cover import CoverInfo
from .forms.dispatch import ParsedWorkbook, read_sheets
from .forms.labels import labels_with, load_labels, use_labels
from .isolation import DEFAULT_MEMORY_LIMIT, DEFAULT_TIME_LIMIT, ContainedRunner, Outcome, default_workers, in_order
from .forms.own_template import compute_own_formulas
from .inputs import division_code_ok, input_limits, workbook_path_problem, year_ok
from .model import Finding, Region, Source, Submission
from .readers.container import read_file
from .readers.grid import Workbook, format_value
from .readers.xlsx import read_workbook_bytes
from .report import Report
from .review import review
from .taxonomy import load_taxonomy

__all__ = ["MAX_FINDINGS_PER_FILE", "UNMAPPED_LISTED_PER_SHEET", "ImportResult", "ReadCells", "contained_result",
           "import_bytes", "import_files", "import_workbook", "prepare_batch", "read_submission"]

#: first-generation threshold of the garbage collector while importing a batch (Python's default: 700)
BATCH_GC_THRESHOLD = (20_000, 20, 100)

#: unmapped cells listed one by one per sheet; beyond it one finding counts the rest
#: (a sheet of junk must not turn into hundreds of thousands of findings)
UNMAPPED_LISTED_PER_SHEET = 500

#: findings of one file listed one by one, errors first; the rest are counted in one
#: ``findings-more`` (a workbook of a thousand junk sheets must not flood a merge)
MAX_FINDINGS_PER_FILE = 2_000

#: modules the import workers' fork server loads once, before forking
WORKER_PRELOAD = ("xlperf.importer",)


@dataclass(frozen=True)
class ReadCells:
    """What import did with each cell, by sheet name, 0-based ``(row, col)``: ``filled``
    the non-empty cells read, ``consumed`` those the form readers took (into the model, or
    as labels, titles and the template's own text; the rest were reported as
    ``unmapped-cell``), and ``cover`` the template cover block's value cells (``Sheet!A1``
    by field: ``year``, ``province`` … ``fill_date``), which the model holds without a
    cell. The hook behind ``xlperf review --show-read`` (docs/review-loop.md)."""

    filled: dict[str, frozenset[tuple[int, int]]]
    consumed: dict[str, frozenset[tuple[int, int]]]
    cover: dict[str, str]


@dataclass
class ImportResult:
    """The outcome of importing one file.

    ``submission`` is ``None`` when the file could not be read at all (``error`` says
    why); ``report`` holds every finding (with ``file`` set) and the stats.
    ``exit_code``: 0 no error-severity finding, 1 some, 2 unreadable or not a target
    form (``error`` a :class:`~xlperf.errors.NotATargetForm`: a 绩效自评表 …). ``sha256``
    is of the bytes read (``None`` when the file could not be read at all): what was
    imported, even if the file changes afterwards. ``cells`` is set when
    :func:`import_workbook` was asked to keep them (``keep_cells=True``).
    """

    path: str
    submission: Submission | None
    report: Report
    error: UnreadableWorkbook | None = None
    sha256: str | None = None
    cells: ReadCells | None = None

    @property
    def exit_code(self) -> int:
        """0, 1 or 2 as documented for the CLI."""
        if self.error is not None:
            return 2
        return 0 if self.report.valid else 1

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready summary: file, status, counts, total amount (万元; negative amounts,
        reported ``amount-negative``, left out) and findings."""
        sub = self.submission
        total = None
        if sub is not None:
            amounts = [p.annual_amount for p in sub.projects if p.annual_amount is not None and p.annual_amount >= 0]
            total = float(sum(amounts)) if amounts else None
        return {
            "file": self.path,
            "status": "failed" if self.error else "imported",
            "projects": len(sub.projects) if sub else 0,
            "indicators": sum(len(p.indicators) for p in sub.projects) if sub else 0,
            "total_amount": total,
            "errors": len(self.report.errors),
            "warnings": len(self.report.warnings),
            "findings": [f.model_dump() for f in self.report.findings],
        }


def _unreadable(path: str, exc: UnreadableWorkbook, *, sha256: str | None = None,
                found: Finding | None = None) -> ImportResult:
    code = exc.code if exc.code in catalog() else "file-unreadable"
    f = found or finding(code, sheet=getattr(exc, "sheet", None), cell=getattr(exc, "cell", None), file=path,
                         params={"message": exc.message})
    return ImportResult(path=path, submission=None, report=Report(findings=[f], stats={"errors": 1, "warnings": 0}),
                        error=exc, sha256=sha256)


def _cap(findings: list[Finding]) -> list[Finding]:
    """At most :data:`MAX_FINDINGS_PER_FILE` findings, errors first (so a capped file
    keeps its exit code), each kind in order; the rest counted in one ``findings-more``."""
    if len(findings) <= MAX_FINDINGS_PER_FILE:
        return findings
    errors = [f for f in findings if f.severity == "error"]
    keep = errors[:MAX_FINDINGS_PER_FILE]
    keep += [f for f in findings if f.severity != "error"][:MAX_FINDINGS_PER_FILE - len(keep)]
    kept = {id(f) for f in keep}
    dropped_errors = len(errors) - sum(f.severity == "error" for f in keep)
    dropped = len(findings) - len(keep)
    return [f for f in findings if id(f) in kept] + [finding(
        "findings-more", sheet=None, cell=None,
        params={"count": dropped, "errors": dropped_errors, "warnings": dropped - dropped_errors,
                "listed": MAX_FINDINGS_PER_FILE})]


def _refused(refusal, path: str) -> NotATargetForm:  # noqa: ANN001 - forms.base.Refusal
    """The exception refusing a workbook that is no target form (docs/forms.md)."""
    words = "、".join(refusal.evidence)
    return NotATargetForm(
        f"这是{refusal.kind}（工作表“{refusal.sheet}”有“{words}”等栏目），未导入。请报送绩效目标申报表。",
        f"not a performance target form but a {refusal.kind} (sheet {refusal.sheet}: {words}); not imported",
        sheet=refusal.sheet, cell=refusal.cell, path=path)


def read_submission(wb: Workbook, *, region: Region | None = None, year: int | None = None) -> tuple[Submission, Report]:
    """Cells -> Submission (+ Report). Every non-empty cell ends up either mapped into
    the model or listed as an ``unmapped-cell`` finding; ``report.stats`` counts both.

    *region* / *year* override what the workbook says (cover block or document).
    Raises :class:`~xlperf.errors.NotATargetForm` for a workbook whose sheets hold no
    target form but a 绩效自评表, a scoring rubric or an allocation table.
    """
    sub, report, _ = _read(wb, region=region, year=year)
    return sub, report


def _read(wb: Workbook, *, region: Region | None, year: int | None) -> tuple[Submission, Report, ParsedWorkbook]:
    tax = load_taxonomy()
    parsed = read_sheets(wb, tax=tax)
    if parsed.refusals and not parsed.facts.found_form:
        raise _refused(parsed.refusals[0], wb.path)
    findings: list[Finding] = [f for f in wb.findings
                               if not (f.code == "hidden-sheet" and f.sheet in parsed.template_sheets)] + parsed.findings
    plan = parsed.department_plan
    if parsed.template_sheets and plan is not None:  # our template: its own formulas
        sheet = next((s for s in wb.sheets if s.name == plan.sheet), None)
        if sheet is not None:
            findings = compute_own_formulas(plan, sheet, findings)
    cells = mapped = reported = 0
    budget = MAX_FINDINGS_PER_FILE  # unmapped cells listed in the whole file
    for sheet in wb.sheets:
        listed = 0
        consumed = sheet.consumed
        n = len(sheet.cells)
        cells += n
        if consumed.issuperset(sheet.cells):
            mapped += n
            continue  # every cell read into the model
        unmapped = 0
        for (r, c), v in sorted(sheet.cells.items()):
            if (r, c) in consumed:
                continue
            unmapped += 1
            if listed < UNMAPPED_LISTED_PER_SHEET and budget > 0:
                listed += 1
                budget -= 1
                findings.append(finding("unmapped-cell", sheet=sheet.name, cell=cell_name(r, c), text=format_value(v)))
        mapped += n - unmapped
        reported += unmapped
        if (unlisted := unmapped - listed) > 0:
            findings.append(finding("unmapped-cells-more", sheet=sheet.name, cell=None,
                                    params={"count": unlisted, "listed": listed}))
    sub = Submission(
        taxonomy_version=tax.version,
        source=Source(path=wb.path, sha256=wb.sha256, sheets=[s.name for s in wb.sheets]),
        region=parsed.region,
        year=parsed.year,
        department=parsed.department,
        department_plan=parsed.department_plan,
        projects=parsed.projects,
    )
    if region is not None:
        sub.region = Region(**{k: v for k, v in {**sub.region.model_dump(), **region.model_dump(exclude_none=True)}.items()})
    if year is not None:
        sub.year = year
    findings.extend(_within_limits(sub, parsed.cover))
    findings.extend(review(sub, parsed.facts))
    path = wb.path
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    findings = [f if f.file else f.model_copy(update={"file": path}) for f in _cap(findings)]
    sub.findings = findings
    report = Report(findings=findings, stats={
        "cells": cells, "cells_mapped": mapped, "cells_reported": reported,
        "projects": len(sub.projects), "indicators": sum(len(p.indicators) for p in sub.projects),
        "department_indicators": (len(sub.department_plan.long_term_indicators) + len(sub.department_plan.annual_indicators))
        if sub.department_plan else 0,
        "errors": errors, "warnings": warnings,  # all of them, also those past the cap
    })
    return sub, report, parsed


def _within_limits(sub: Submission, cover: CoverInfo | None) -> list[Finding]:
    """Keep only a year and a 行政区划代码 within ``templates/inputs.toml`` (what ``xlperf
    schema`` promises): a cover that says ``1234`` or ``6404`` is reported at its cell with
    the text as typed (``year-invalid``, ``division-code-invalid``) and the value left
    unknown (a cover year out of range gives way to the titles' year when they state one:
    :func:`~xlperf.forms.settle.settle`)."""
    out = []
    cells = cover.cells if cover is not None else {}
    lim = input_limits()["year"]
    for bad in (cover.year if cover is not None else None, sub.year):
        if bad is not None and not year_ok(bad):
            sheet, cell = split_ref(cells.get("year"))
            out.append(finding("year-invalid", sheet=sheet, cell=cell, text=str(bad),
                               params={"min": lim["min"], "max": lim["max"]}))
            break
    if sub.year is not None and not year_ok(sub.year):
        sub.year = None
    code = sub.region.division_code
    if code is not None:
        folded = unicodedata.normalize("NFKC", code).replace(" ", "").strip()
        if not division_code_ok(folded):
            sheet, cell = split_ref(cells.get("division_code"))
            out.append(finding("division-code-invalid", sheet=sheet, cell=cell, text=code))
            folded = None
        sub.region = sub.region.model_copy(update={"division_code": folded})
    return out


def _read_cells(wb: Workbook, parsed: ParsedWorkbook) -> ReadCells:
    """The :class:`ReadCells` of a workbook whose forms have been read."""
    cover = parsed.cover.cells if parsed.cover is not None else {}
    return ReadCells(filled={s.name: frozenset(s.cells) for s in wb.sheets},
                     consumed={s.name: frozenset(s.consumed) for s in wb.sheets}, cover=dict(cover))


def import_workbook(path: str, *, region: Region | None = None, year: int | None = None,
                    labels: dict | None = None, keep_cells: bool = False) -> ImportResult:
    """Read and review one workbook file. Never raises for bad input (see module doc).
    The file is read once (:func:`~xlperf.readers.container.read_file`: a FIFO or a
    device is refused, not read); ``sha256`` and ``submission.source.sha256`` are of those
    bytes. *labels*: wordings added to templates/labels.toml (``--labels FILE``, read by
    :func:`xlperf.forms.extra_labels.read_labels_file`). *keep_cells*: also return what
    became of each cell (:class:`ReadCells`). A folder or a JSON file given as a workbook
    is refused with what to use instead (:func:`~xlperf.inputs.workbook_path_problem`)."""
    problem = workbook_path_problem(path)
    if problem is not None:
        return _unreadable(path, UnreadableWorkbook("file-unreadable", problem, "not a workbook", path=path))
    try:
        data = read_file(path)
    except UnreadableWorkbook as exc:
        return _unreadable(path, exc)
    except MemoryError:
        return _unreadable(path, UnreadableWorkbook("file-unreadable", "文件过大，读取时内存不足。", "out of memory while reading",
                                                    path=path))
    return import_bytes(data, path, region=region, year=year, labels=labels, keep_cells=keep_cells)


def import_bytes(data: bytes, path: str, *, region: Region | None = None, year: int | None = None,
                 labels: dict | None = None, keep_cells: bool = False) -> ImportResult:
    """:func:`import_workbook` of the file whose bytes are *data* (*path* names it in
    messages and the result; the fuzzer calls this). Never raises for bad input."""
    sha = hashlib.sha256(data).hexdigest()
    try:
        wb = read_workbook_bytes(data, path)
    except UnreadableWorkbook as exc:
        return _unreadable(path, exc, sha256=sha)
    except MemoryError:
        return _unreadable(path, UnreadableWorkbook("file-unreadable", "文件过大，读取时内存不足。", "out of memory while reading",
                                                    path=path), sha256=sha)
    try:
        with use_labels(labels_with(labels)):
            sub, report, parsed = _read(wb, region=region, year=year)
    except NotATargetForm as exc:
        return _unreadable(path, exc, sha256=sha)
    except Exception as exc:  # noqa: BLE001 - a form-reading bug must not stop a batch: report it for this file
        return _unreadable(path, UnreadableWorkbook(
            "import-failed",
            f"读取表格内容时程序出错（{type(exc).__name__}: {exc}），本文件未导入。请把文件发给 xlperf 维护人员。",
            f"internal error while reading the forms: {type(exc).__name__}: {exc}", path=path), sha256=sha)
    return ImportResult(path=path, submission=sub, report=report, sha256=sha,
                        cells=_read_cells(wb, parsed) if keep_cells else None)


def contained_result(path: str, outcome: Outcome[ImportResult]) -> ImportResult:
    """The :class:`ImportResult` of a contained import of *path*: the worker's own, or,
    when the worker died (``import-crashed``), ran past its time limit
    (``import-timeout``) or raised (``import-failed``), an unreadable result saying so."""
    if outcome.value is not None:
        return outcome.value
    reason = (outcome.failure or "").split(" / ")[0]
    if outcome.timed_out:
        code, params = "import-timeout", {"reason": reason}
    elif outcome.crashed:
        code, params = "import-crashed", {"reason": reason}
    else:
        code, params = "import-failed", {"message": f"{reason}，本文件未导入。请把文件发给 xlperf 维护人员。"}
    found = finding(code, sheet=None, cell=None, file=path, params=params)
    return _unreadable(path, UnreadableWorkbook(code, found.message, outcome.failure or code, path=path), found=found)


def _import_task(task: tuple[str, Region | None, int | None, dict | None, bool]) -> ImportResult:
    path, region, year, labels, keep_cells = task
    return import_workbook(path, region=region, year=year, labels=labels, keep_cells=keep_cells)


def prepare_batch() -> None:
    """Ready this process for importing many workbooks: load the data files (taxonomy,
    labels, rule catalog) now, then tune the garbage collector. Process-wide, so only
    entry points call it (``xlperf import``, the worker processes of ``xlperf merge``,
    ``bench/bench_import.py``); importing the package never does.

    An import allocates tens of thousands of short-lived objects and frees them by
    reference counting (it makes no reference cycles), yet every 700 allocations the
    collector walked the young objects, and now and then everything loaded. py-spy put
    the collector at ~7 % of an import. ``gc.freeze()`` moves what is loaded so far
    (modules, the data above, pydantic's schemas) out of its walks and
    :data:`BATCH_GC_THRESHOLD` makes the walks rarer: -4 % instructions per workbook
    (valgrind, ``bench/bench_import.py`` workbooks), more in wall time.
    """
    load_taxonomy()
    load_labels()
    catalog()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*BATCH_GC_THRESHOLD)


def import_files(paths: Iterable[str], *, region: Region | None = None, year: int | None = None,
                 labels: dict | None = None, workers: int | None = None, time_limit: float = DEFAULT_TIME_LIMIT,
                 memory_limit: int | None = DEFAULT_MEMORY_LIMIT, keep_cells: bool = False) -> Iterator[ImportResult]:
    """Import each path in a contained worker process (module doc), yielding the
    results in the order of *paths* as they are ready; one file that cannot be read,
    crashes its worker or runs past *time_limit* seconds never stops the others.

    *labels*: wordings added to templates/labels.toml (plain data: it crosses to the
    workers). *workers*: processes (default :func:`~xlperf.isolation.default_workers`, never more than
    files); *memory_limit*: bytes of address space per worker; *keep_cells*: each result
    also says what became of each cell (:class:`ReadCells`, as :func:`import_workbook`).
    Only the results not yet yielded are held, so memory does not grow with the number
    of files.
    """
    paths = [os.fspath(p) for p in paths]
    if not paths:
        return
    n = max(1, min(workers or default_workers(), len(paths)))
    with ContainedRunner(n, memory_limit=memory_limit, time_limit=time_limit, prepare=prepare_batch,
                         preload=WORKER_PRELOAD) as runner:
        for outcome in in_order(runner.map(_import_task, ((p, region, year, labels, keep_cells) for p in paths))):
            yield contained_result(paths[outcome.index], outcome)
