"""Import: a workbook file -> canonical :class:`~xlperf.model.Submission` + review
:class:`~xlperf.report.Report`.

``import_workbook`` never raises for a bad input: an unreadable file becomes an
:class:`ImportResult` with ``submission=None``, one ``file-unreadable``-class finding
and exit code 2. ``read_submission`` is the pure part (cells -> model) that tests and
the benchmark call directly.
"""

from __future__ import annotations

import gc
import os
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .cellref import cell_name
from .errors import NotATargetForm, UnreadableWorkbook
from .findings import catalog, finding
from .forms.dispatch import ParsedWorkbook, read_sheets
from .forms.labels import labels_with, load_labels, use_labels
from .forms.own_template import compute_own_formulas
from .inputs import division_code_ok, input_limits, workbook_path_problem, year_ok
from .model import Finding, Region, Source, Submission
from .readers.grid import Workbook, format_value
from .readers.xlsx import read_workbook
from .report import Report
from .review import review
from .taxonomy import load_taxonomy

__all__ = ["UNMAPPED_LISTED_PER_SHEET", "ImportResult", "ReadCells", "import_files", "import_workbook", "prepare_batch",
           "read_submission"]

#: first-generation threshold of the garbage collector while importing a batch (Python's default: 700)
BATCH_GC_THRESHOLD = (20_000, 20, 100)

#: unmapped cells listed one by one per sheet; beyond it one finding counts the rest
#: (a sheet of junk must not turn into hundreds of thousands of findings)
UNMAPPED_LISTED_PER_SHEET = 500


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
    form (``error`` a :class:`~xlperf.errors.NotATargetForm`: a 绩效自评表 …). ``cells``
    is set when :func:`import_workbook` was asked to keep them (``keep_cells=True``).
    """

    path: str
    submission: Submission | None
    report: Report
    error: UnreadableWorkbook | None = None
    cells: ReadCells | None = None

    @property
    def exit_code(self) -> int:
        """0, 1 or 2 as documented for the CLI."""
        if self.error is not None:
            return 2
        return 0 if self.report.valid else 1

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready summary: file, status, counts, total amount (万元) and findings."""
        sub = self.submission
        total = None
        if sub is not None:
            amounts = [p.annual_amount for p in sub.projects if p.annual_amount is not None]
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


def _unreadable(path: str, exc: UnreadableWorkbook) -> ImportResult:
    code = exc.code if exc.code in catalog() else "file-unreadable"
    f = finding(code, sheet=getattr(exc, "sheet", None), cell=getattr(exc, "cell", None), file=path,
                params={"message": exc.message})
    return ImportResult(path=path, submission=None, report=Report(findings=[f], stats={"errors": 1, "warnings": 0}),
                        error=exc)


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
    for sheet in wb.sheets:
        listed = 0
        consumed = sheet.consumed
        n = len(sheet.cells)
        cells += n
        if consumed.issuperset(sheet.cells):
            mapped += n
            continue  # every cell read into the model
        for (r, c), v in sorted(sheet.cells.items()):
            if (r, c) in consumed:
                mapped += 1
                continue
            reported += 1
            listed += 1
            if listed <= UNMAPPED_LISTED_PER_SHEET:
                findings.append(finding("unmapped-cell", sheet=sheet.name, cell=cell_name(r, c), text=format_value(v)))
        if listed > UNMAPPED_LISTED_PER_SHEET:
            findings.append(finding("unmapped-cells-more", sheet=sheet.name, cell=None,
                                    params={"count": listed - UNMAPPED_LISTED_PER_SHEET, "listed": UNMAPPED_LISTED_PER_SHEET}))
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
    findings.extend(_within_limits(sub))
    findings.extend(review(sub, parsed.facts))
    path = wb.path
    findings = [f if f.file else f.model_copy(update={"file": path}) for f in findings]
    sub.findings = findings
    report = Report(findings=findings, stats={
        "cells": cells, "cells_mapped": mapped, "cells_reported": reported,
        "projects": len(sub.projects), "indicators": sum(len(p.indicators) for p in sub.projects),
        "department_indicators": (len(sub.department_plan.long_term_indicators) + len(sub.department_plan.annual_indicators))
        if sub.department_plan else 0,
        "errors": sum(f.severity == "error" for f in findings),
        "warnings": sum(f.severity == "warning" for f in findings),
    })
    return sub, report, parsed


def _within_limits(sub: Submission) -> list[Finding]:
    """Keep only a year and a 行政区划代码 within ``templates/inputs.toml`` (what ``xlperf
    schema`` promises): a cover that says ``1234`` or ``6404`` is reported with the text
    as typed (``year-invalid``, ``division-code-invalid``) and the value left unknown."""
    out = []
    if sub.year is not None and not year_ok(sub.year):
        lim = input_limits()["year"]
        out.append(finding("year-invalid", sheet=None, cell=None, text=str(sub.year),
                           params={"min": lim["min"], "max": lim["max"]}))
        sub.year = None
    code = sub.region.division_code
    if code is not None:
        folded = unicodedata.normalize("NFKC", code).replace(" ", "").strip()
        if not division_code_ok(folded):
            out.append(finding("division-code-invalid", sheet=None, cell=None, text=code))
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
    *labels*: wordings added to templates/labels.toml (``--labels FILE``, read by
    :func:`xlperf.forms.extra_labels.read_labels_file`). *keep_cells*: also return what
    became of each cell (:class:`ReadCells`). A folder or a JSON file given as a workbook
    is refused with what to use instead (:func:`~xlperf.inputs.workbook_path_problem`)."""
    problem = workbook_path_problem(path)
    if problem is not None:
        return _unreadable(path, UnreadableWorkbook("file-unreadable", problem, "not a workbook", path=path))
    try:
        wb = read_workbook(path)
    except UnreadableWorkbook as exc:
        return _unreadable(path, exc)
    except MemoryError:
        return _unreadable(path, UnreadableWorkbook("file-unreadable", "文件过大，读取时内存不足。", "out of memory while reading", path=path))
    try:
        with use_labels(labels_with(labels)):
            sub, report, parsed = _read(wb, region=region, year=year)
    except NotATargetForm as exc:
        return _unreadable(path, exc)
    except Exception as exc:  # noqa: BLE001 - a form-reading bug must not stop a batch: report it for this file
        return _unreadable(path, UnreadableWorkbook(
            "import-failed",
            f"读取表格内容时程序出错（{type(exc).__name__}: {exc}），本文件未导入。请把文件发给 xlperf 维护人员。",
            f"internal error while reading the forms: {type(exc).__name__}: {exc}", path=path))
    return ImportResult(path=path, submission=sub, report=report, cells=_read_cells(wb, parsed) if keep_cells else None)


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
                 labels: dict | None = None) -> Iterator[ImportResult]:
    """Import each path in turn (one unreadable file never stops the others)."""
    for p in paths:
        yield import_workbook(os.fspath(p), region=region, year=year, labels=labels)
