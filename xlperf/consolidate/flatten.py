"""One imported file -> the rows it adds to each consolidated table (``xlperf merge``),
spooled to disk in the worker process that imported it.

:func:`import_and_spool` runs in the worker next to the import: it flattens the
:class:`~xlperf.importer.ImportResult` into the named rows of the schema
(:mod:`xlperf.consolidate.tables`; plain Python values: ``str``, ``int``,
:class:`~decimal.Decimal` amounts in 万元, ``None`` for missing; the 部门 row a dict keyed
by header, its item columns vary), turns each table's rows into one Arrow record batch,
appends them to the spool (:mod:`xlperf.consolidate.spool`) and returns only a small
:class:`FileSummary`: what the merge needs to decide the file's status and to count.

Levels are the canonical taxonomy names (``社会效益`` whether the form said
``22-社会效益`` as in 彭阳 000 or ``社会效益指标`` as in 乐亭 001); the text as written is
kept in the ``（原文）`` columns.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from ..cellref import split_ref
from ..errors import os_reason
from ..findings import finding
from ..importer import ImportResult, import_workbook
from ..model import DepartmentPlan, Finding, Indicator, Project, Region, Submission, Target
from ..taxonomy import load_taxonomy
from ..text import EXCEL_TEXT_LIMIT, exceeds_cell
from . import spool
from .spool import SpoolRef
from .tables import (
    DEPARTMENT_INDICATORS,
    DEPARTMENTS,
    DEPARTMENTS_HEAD,
    DEPARTMENTS_TAIL,
    EXPENDITURE_TOTAL,
    FINDINGS,
    INDICATORS,
    PROJECT_FIELDS,
    IndicatorsRow,
    REVENUE_TOTAL,
    Table,
    composition_header,
    projects_table,
    record_batch,
)

__all__ = ["FINDING_HEADERS", "FileRows", "FileSummary", "ImportTask", "batches_of", "flatten", "import_and_spool"]

_KIND = {"quantitative": "定量", "qualitative": "定性", "ambiguous": "有歧义", "empty": "空"}
_REGION_FIELDS = ("province", "city", "county", "division_code", "department", "year")
_SEVERITY_ZH = {"error": "错误", "warning": "警告"}
#: the 问题 columns a file's findings are spooled with (文件状态 is added when written: the
#: status is known only once every file is imported)
FINDING_HEADERS = FINDINGS.headers[:-1]
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ$"


@dataclass(frozen=True)
class ImportTask:
    """One file to import: ``path`` plus the ``region`` / ``year`` a manifest sets, the
    spool folder its rows go to, and the import function
    (``xlperf.importer.import_workbook``; tests and the benchmark pass another
    module-level function with the same signature)."""

    path: str
    region: Region | None = None
    year: int | None = None
    spool: str = ""
    import_fn: Callable[..., ImportResult] = import_workbook
    labels: dict | None = None  # wordings added by --labels FILE (plain data: it crosses to the workers)


@dataclass
class FileRows:
    """What one file adds to the consolidation, in memory (in the worker).

    ``failure`` is the reason (Chinese / English) when the file could not be read; then
    ``region`` … are ``None`` and there are no rows. ``departments`` are dicts because
    the 收入构成 / 支出构成 items vary between forms. Amounts in 万元.
    """

    failure: str | None = None
    region: Region | None = None
    department: str | None = None
    year: int | None = None
    fill_date: str | None = None
    findings: list[Finding] = field(default_factory=list)
    finding_projects: list[str | None] = field(default_factory=list)  # 项目名称 per finding, when it has one
    projects: list[tuple] = field(default_factory=list)  # projects_table().row
    project_cells: list[dict[str, str]] = field(default_factory=list)  # per project: field -> Sheet!A1 (xlperf diff)
    indicators: list[tuple] = field(default_factory=list)  # INDICATORS.row
    department_indicators: list[tuple] = field(default_factory=list)  # DEPARTMENT_INDICATORS.row
    departments: list[dict[str, object]] = field(default_factory=list)
    amount_total: Decimal | None = None
    amount_unread: int = 0


@dataclass(slots=True)
class FileSummary:
    """What the merge keeps in memory of one imported file (its rows are in the spool).

    ``failure``: why the file could not be read (Chinese / English), else ``None``;
    ``sha256`` of the bytes imported; ``region`` (省, 市, 县(区), 行政区划代码), ``department``,
    ``year``, ``fill_date`` as consolidated; row counts per table, ``errors`` /
    ``warnings`` among its findings; ``amount_total`` (万元, ``None`` when no amount was
    read) and ``amount_unread`` (projects whose amount could not be read);
    ``department_headers``: the columns of its 部门 row; where its rows are in the spool:
    ``spool_file``, ``spool_offset`` and ``spool_tables`` (the streams in order: table
    name, length; :meth:`ref`); ``spool_error``: the spool could not be written (the
    merge stops). Small on purpose: the merge holds one per submission.
    """

    failure: str | None = None
    sha256: str | None = None
    region: tuple[str | None, str | None, str | None, str | None] | None = None
    department: str | None = None
    year: int | None = None
    fill_date: str | None = None
    projects: int = 0
    indicators: int = 0
    department_indicators: int = 0
    departments: int = 0
    findings: int = 0
    errors: int = 0
    warnings: int = 0
    amount_total: Decimal | None = None
    amount_unread: int = 0
    department_headers: tuple[str, ...] = ()
    spool_file: str | None = None
    spool_offset: int = 0
    spool_tables: tuple[tuple[str, int], ...] = ()
    spool_error: str | None = None

    def ref(self, table: str) -> SpoolRef | None:
        """Where the rows of *table* (a table name) are in the spool, if it has any."""
        offset = self.spool_offset
        for name, length in self.spool_tables:
            if name == table:
                return SpoolRef(self.spool_file, offset, length)  # type: ignore[arg-type]
            offset += length
        return None


def import_and_spool(task: ImportTask) -> FileSummary:
    """Import ``task.path`` with ``task.import_fn``, flatten it and spool its rows into
    ``task.spool`` (runs in a worker). A spool that cannot be written (a full disk) is
    ``spool_error``, not an exception: it concerns the merge, not this file."""
    extra = {"labels": task.labels} if task.labels else {}
    result = task.import_fn(task.path, region=task.region, year=task.year, **extra)
    rows = flatten(result)
    batches, long_texts = batches_of(rows, task.path)
    summary = _summary(rows, result.sha256)
    summary.findings += len(long_texts)
    summary.errors += sum(f.severity == "error" for f in long_texts)
    try:
        summary.spool_file, summary.spool_offset, lengths = spool.append(task.spool, batches)  # type: ignore[arg-type]
        summary.spool_tables = tuple(zip(batches, lengths))
    except OSError as exc:
        summary.spool_error = os_reason(exc)
    return summary


def flatten(result: ImportResult) -> FileRows:
    """An :class:`~xlperf.importer.ImportResult` -> :class:`FileRows` (with a
    ``project-duplicate`` warning per project named twice in the submission)."""
    sub = result.submission
    if sub is None:
        err = result.error
        reason = err.message if err is not None else "无法读取"  # what a person reads is Chinese (docs/cli.md)
        return FileRows(failure=reason, findings=list(result.report.findings),
                        finding_projects=[None] * len(result.report.findings))
    base = _base(sub)
    path = result.path
    rows = FileRows(region=sub.region, department=sub.department.name, year=sub.year, findings=list(result.report.findings),
                    fill_date=sub.department.fill_date or (sub.department_plan.fill_date if sub.department_plan else None))
    amounts = []
    for p in sub.projects:
        rows.projects.append(_project_row(base, p, path))
        rows.project_cells.append({k: v for k, v in p.cells.items() if not k.endswith("_label")})
        rows.indicators.extend(_indicator_row(base, p, ind, path) for ind in p.indicators)
        if p.annual_amount is not None and p.annual_amount >= 0:  # a negative one is amount-negative: not summed
            amounts.append(p.annual_amount)
        else:
            rows.amount_unread += 1
    rows.amount_total = sum(amounts, Decimal(0)) if amounts else None
    plan = sub.department_plan
    if plan is not None:
        rows.departments.append(_department_row(base, plan, path))
        for kind, items in (("长期", plan.long_term_indicators), ("年度", plan.annual_indicators)):
            rows.department_indicators.extend(_dept_indicator_row(base, kind, ind, path) for ind in items)
    rows.finding_projects = _finding_projects(rows.findings, sub.projects)
    _project_duplicates(rows, path)
    return rows


def _project_duplicates(rows: FileRows, path: str) -> None:
    """A ``project-duplicate`` warning for each project key (项目编码, else 项目名称) met
    more than once, at the second occurrence; both rows stay."""
    keys = [row.code or row.name for row in rows.projects]
    for key, n in Counter(k for k in keys if k).items():
        if n > 1:
            second = [row for row, k in zip(rows.projects, keys) if k == key][1]
            rows.findings.append(finding("project-duplicate", sheet=second.sheet, cell=second.cell, file=path,
                                         params={"project": key, "count": n}))
            rows.finding_projects.append(second.name)


def _row_of(cell: str | None) -> int | None:
    """The 0-based row of a cell name (``C12`` -> 11), ``None`` for anything else."""
    if not cell:
        return None
    digits = cell.lstrip(_LETTERS)
    if not digits.isdigit() or len(digits) == len(cell):
        return None
    return int(digits) - 1


def _rows_of(p: Project, sheets: set[str]) -> dict[str, tuple[int, int]]:
    """Sheet -> (first row, last row) (0-based) of the cells a project was read from, on
    the *sheets* asked for: its fields' cells and its first and last indicator's (an
    indicator table runs in row order, so the rows between are the project's too)."""
    refs = [*p.cells.values()]
    for ind in (p.indicators[0], p.indicators[-1]) if p.indicators else ():
        refs += [ind.source, ind.level1_source, ind.level2_source, ind.target.source if ind.target else None]
    spans: dict[str, tuple[int, int]] = {}
    for ref in refs:
        sheet, cell = split_ref(ref)
        if sheet not in sheets or (row := _row_of(cell)) is None:
            continue
        lo, hi = spans.get(sheet, (row, row))  # type: ignore[arg-type]
        spans[sheet] = (min(lo, row), max(hi, row))  # type: ignore[index]
    return spans


def _finding_projects(findings: list[Finding], projects: list[Project]) -> list[str | None]:
    """The project each finding points into: the project whose rows on that sheet hold
    the finding's cell (the latest-starting one when blocks overlap), else ``None``.
    Row spans are worked out only for the sheets findings point at, and only when some
    finding points at a cell."""
    located = [(f.sheet, _row_of(f.cell)) if f.sheet and f.cell else (None, None) for f in findings]
    sheets = {sheet for sheet, row in located if row is not None}
    if not sheets or not projects:
        return [None] * len(findings)
    spans = [(_rows_of(p, sheets), p.name) for p in projects]  # type: ignore[arg-type]
    out: list[str | None] = []
    for sheet, row in located:
        name = None
        if row is not None:
            best = -1
            for by_sheet, pname in spans:
                lo, hi = by_sheet.get(sheet, (0, -1))  # type: ignore[arg-type]
                if lo <= row <= hi and lo > best:
                    best, name = lo, pname
        out.append(name)
    return out


def _summary(rows: FileRows, sha256: str | None) -> FileSummary:
    r = rows.region
    return FileSummary(
        failure=rows.failure, sha256=sha256,
        region=(r.province, r.city, r.county, r.division_code) if r is not None else None,
        department=rows.department, year=rows.year, fill_date=rows.fill_date,
        projects=len(rows.projects), indicators=len(rows.indicators),
        department_indicators=len(rows.department_indicators), departments=len(rows.departments),
        findings=len(rows.findings), errors=sum(f.severity == "error" for f in rows.findings),
        warnings=sum(f.severity == "warning" for f in rows.findings),
        amount_total=rows.amount_total, amount_unread=rows.amount_unread,
        department_headers=tuple(rows.departments[0]) if rows.departments else ())


def batches_of(rows: FileRows, path: str) -> tuple[dict[str, object], list[Finding]]:
    """Each table's rows of the file *path* as one record batch, by table name (tables
    without rows left out), and the ``text-too-long`` findings found on the way (already
    in the findings batch): what :func:`import_and_spool` spools."""
    out: dict[str, object] = {}
    long_texts: list[Finding] = []
    for table, data in ((projects_table(), rows.projects), (INDICATORS, rows.indicators),
                        (DEPARTMENT_INDICATORS, rows.department_indicators)):
        if data:
            columns = list(zip(*data))
            long_texts += _too_long(table, data, columns, path, rows.project_cells if table.name == "projects" else None)
            out[table.name] = record_batch(table, table.headers, data, columns)
    for row in rows.departments:
        long_texts += [_long("部门", col, v, path, row.get("工作表"), None)  # type: ignore[arg-type]
                       for col, v in row.items() if type(v) is str and exceeds_cell(v)]
        out[DEPARTMENTS.name] = record_batch(DEPARTMENTS, list(row), [list(row.values())])
    long_texts += [_long("问题", "原文", f.text, path, f.sheet, f.cell) for f in rows.findings
                   if f.text and exceeds_cell(f.text)]
    findings = rows.findings + long_texts
    projects = rows.finding_projects + [None] * len(long_texts)
    if findings:
        region = (rows.region.province, rows.region.city, rows.region.county) if rows.region else (None, None, None)
        out[FINDINGS.name] = record_batch(FINDINGS, FINDING_HEADERS, [
            (_SEVERITY_ZH.get(f.severity, f.severity), f.code, f.message, *region, rows.department, project, f.file,
             f.sheet, f.cell, f.text) for f, project in zip(findings, projects, strict=True)])
    return out, long_texts


def _base(sub: Submission) -> dict[str, object]:
    """The region columns every row starts with, by field."""
    r = sub.region
    return dict(zip(_REGION_FIELDS, (r.province, r.city, r.county, r.division_code, sub.department.name, sub.year)))


def _raw(t: Target | None) -> str | None:
    return t.raw if t is not None else None


def _target(t: Target | None) -> dict[str, object]:
    """The target columns of a row: 原文, 比较符, 数值, 单位, 绩效值类型."""
    if t is None:
        return dict.fromkeys(("target_raw", "comparator", "value", "unit", "target_kind"))
    return {"target_raw": t.raw, "comparator": t.comparator, "value": t.value, "unit": t.unit,
            "target_kind": _KIND.get(t.kind, t.kind)}


def _source(path: str, ref: str | None) -> dict[str, object]:
    sheet, cell = split_ref(ref)
    return {"source_file": path, "sheet": sheet, "cell": cell}


def _project_row(base: dict[str, object], p: Project, path: str) -> tuple:
    counts = dict.fromkeys((lv.name for lv in load_taxonomy().level1), 0)
    unknown = 0
    for ind in p.indicators:
        if ind.level1 in counts:
            counts[ind.level1] += 1
        else:
            unknown += 1
    plan = "；".join(f"{c.checkpoint} {c.raw if c.raw else _pct(c.cumulative_percent)}" for c in p.spending_plan) or None
    sheet, cell = split_ref(p.cells.get("name"))
    return projects_table().row(
        **base, **{c.field: getattr(p, c.field) for c in PROJECT_FIELDS}, spending_plan=plan,
        performance_target=p.performance_target, **{f"level1_count_{i}": n for i, n in enumerate(counts.values())},
        unknown_level1_count=unknown, indicator_count=len(p.indicators), source_file=path, sheet=sheet or p.sheet,
        cell=cell)


def _pct(v: Decimal | None) -> str:
    return "" if v is None else f"{v}%"


def _indicator_row(base: dict[str, object], p: Project, ind: Indicator, path: str) -> tuple:
    t = ind.target
    sheet, cell = split_ref(ind.source)
    return IndicatorsRow(
        **base, project_code=p.code, project_name=p.name, level1=ind.level1, level2=ind.level2, name=ind.name,
        description=ind.description, target_raw=t.raw if t else None, comparator=t.comparator if t else None,
        value=t.value if t else None, unit=t.unit if t else None, target_kind=_KIND.get(t.kind, t.kind) if t else None,
        period_target_raw=_raw(ind.period_target), recipient=ind.recipient, weight=ind.weight,
        grades="；".join(f"{g}：{v}" for g, v in ind.grades.items()) or None, value_basis=ind.value_basis,
        level1_text=ind.level1_text, level2_text=ind.level2_text, name_text=ind.name_text, source_file=path,
        sheet=sheet, cell=cell)


def _dept_indicator_row(base: dict[str, object], kind: str, ind: Indicator, path: str) -> tuple:
    return DEPARTMENT_INDICATORS.row(
        **base, category=kind, level1=ind.level1, level2=ind.level2, name=ind.name, **_target(ind.target),
        value_two_years_ago_raw=_raw(ind.value_two_years_ago), value_last_year_raw=_raw(ind.value_last_year),
        value_basis=ind.value_basis, indicator_class=ind.indicator_class, level1_text=ind.level1_text,
        level2_text=ind.level2_text, name_text=ind.name_text, **_source(path, ind.source))


def _department_row(base: dict[str, object], plan: DepartmentPlan, path: str) -> dict[str, object]:
    """The 部门 row, keyed by header (:data:`~xlperf.consolidate.tables.DEPARTMENTS_HEAD`,
    an item column per 收入构成 / 支出构成 item, the totals, ``DEPARTMENTS_TAIL``)."""
    head = {**base, "filled_by": plan.filled_by, "fill_date": plan.fill_date}
    row: dict[str, object] = {c.header: head[c.field] for c in DEPARTMENTS_HEAD}
    for part, items, total, total_col in (("收入", plan.revenue, plan.revenue_total, REVENUE_TOTAL),
                                          ("支出", plan.expenditure, plan.expenditure_total, EXPENDITURE_TOTAL)):
        for item in items:
            row[composition_header(part, item.item)] = item.current_amount
        row[total_col.header] = total.current_amount if total else None
    budgets = [s.annual_budget for s in plan.project_spending if s.annual_budget is not None]
    tail = {
        "project_spending_count": len(plan.project_spending),
        "project_spending_total": sum(budgets, Decimal(0)) if budgets else None,
        "long_term_goal": plan.long_term_goal, "long_term_horizon": plan.long_term_horizon,
        "annual_goal": plan.annual_goal,
        "narrative": "\n".join(f"{s.heading}\n{s.text}" if s.heading else s.text for s in plan.narrative) or None,
        "long_term_indicator_count": len(plan.long_term_indicators),
        "annual_indicator_count": len(plan.annual_indicators),
        "findings_count": None,  # set by the merge, which adds its own findings
        "source_file": path, "sheet": split_ref(plan.cells.get("name"))[0] or plan.sheet,
    }
    row.update((c.header, tail[c.field]) for c in DEPARTMENTS_TAIL)
    return row


def _too_long(table: Table, data: list[tuple], columns: list[tuple], path: str,
              cells: list[dict[str, str]] | None) -> list[Finding]:
    """A ``text-too-long`` finding per text longer than an Excel cell holds, pointing at
    the cell it was read from where that is known (*cells*: a project's field -> cell),
    else at the row's source cell. Column by column (*columns*: the rows' values by
    column): a column whose longest text is under half the limit (every real one) is
    passed after one length scan."""
    found = []
    for col, values in zip(table.columns, columns):
        if col.kind != "text":
            continue
        try:
            longest = max(map(len, filter(None, values)), default=0)
        except TypeError:  # a value that is not text
            longest = EXCEL_TEXT_LIMIT
        if longest <= EXCEL_TEXT_LIMIT // 2:
            continue
        for k, (row, v) in enumerate(zip(data, values)):
            if type(v) is str and exceeds_cell(v):
                sheet, cell = split_ref(cells[k].get(col.field)) if cells is not None else (None, None)
                found.append(_long(table.sheet, col.header, v, path, sheet or row.sheet, cell or row.cell))
    return found


def _long(table: str, column: str, text: str, path: str, sheet: str | None, cell: str | None) -> Finding:
    return finding("text-too-long", sheet=sheet, cell=cell, file=path, text=text[:60],
                   params={"length": len(text), "table": table, "column": column})
