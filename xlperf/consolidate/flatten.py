"""One imported file -> the rows it adds to each consolidated table (``xlperf merge``).

This is the part of a merge that runs in the worker process next to the import
(:func:`import_and_flatten`), so it imports neither pandas nor xlsxwriter: rows are the
named rows of the schema (:mod:`xlperf.consolidate.tables`) holding plain Python values
(``str``, ``int``, :class:`~decimal.Decimal` amounts in 万元, ``None`` for missing); the
部门 rows are dicts keyed by header (their item columns vary).

Levels are the canonical taxonomy names (``社会效益`` whether the form said
``22-社会效益`` as in 彭阳 000 or ``社会效益指标`` as in 乐亭 001); the text as written is
kept in the ``（原文）`` columns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from ..cellref import parse_cell_name, split_ref
from ..findings import finding
from ..importer import ImportResult, import_workbook
from ..model import DepartmentPlan, Finding, Indicator, Project, Region, Submission, Target
from ..taxonomy import load_taxonomy
from ..text import exceeds_cell
from .tables import (
    DEPARTMENT_INDICATORS,
    DEPARTMENTS_HEAD,
    DEPARTMENTS_TAIL,
    EXPENDITURE_TOTAL,
    INDICATORS,
    PROJECT_FIELDS,
    REVENUE_TOTAL,
    composition_header,
    projects_table,
)

__all__ = ["FileRows", "ImportTask", "import_and_flatten"]

_KIND = {"quantitative": "定量", "qualitative": "定性", "ambiguous": "有歧义", "empty": "空"}
_REGION_FIELDS = ("province", "city", "county", "division_code", "department", "year")


@dataclass(frozen=True)
class ImportTask:
    """One file to import: ``path`` plus the ``region`` / ``year`` a manifest sets, and
    the import function (``xlperf.importer.import_workbook``; tests and the benchmark
    pass another module-level function with the same signature)."""

    path: str
    region: Region | None = None
    year: int | None = None
    import_fn: Callable[..., ImportResult] = import_workbook
    labels: dict | None = None  # wordings added by --labels FILE (plain data: it crosses to the workers)


@dataclass
class FileRows:
    """What one file adds to the consolidation.

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


def import_and_flatten(task: ImportTask) -> FileRows:
    """Import ``task.path`` with ``task.import_fn`` and flatten it (runs in a worker)."""
    extra = {"labels": task.labels} if task.labels else {}
    result = task.import_fn(task.path, region=task.region, year=task.year, **extra)
    return flatten(result)


def flatten(result: ImportResult) -> FileRows:
    """An :class:`~xlperf.importer.ImportResult` -> :class:`FileRows`."""
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
        if p.annual_amount is not None:
            amounts.append(p.annual_amount)
        else:
            rows.amount_unread += 1
    rows.amount_total = sum(amounts, Decimal(0)) if amounts else None
    plan = sub.department_plan
    if plan is not None:
        rows.departments.append(_department_row(base, plan, path))
        for kind, items in (("长期", plan.long_term_indicators), ("年度", plan.annual_indicators)):
            rows.department_indicators.extend(_dept_indicator_row(base, kind, ind, path) for ind in items)
    rows.findings.extend(_too_long(rows, path, sub.projects))
    rows.finding_projects = _finding_projects(rows.findings, sub.projects)
    return rows


def _rows_of(p: Project) -> dict[str, tuple[int, int]]:
    """Sheet -> (first row, last row) (0-based) of the cells a project was read from."""
    refs = [*p.cells.values()]
    for ind in p.indicators:
        refs += [ind.source, ind.level1_source, ind.level2_source, ind.target.source if ind.target else None]
    spans: dict[str, tuple[int, int]] = {}
    for ref in refs:
        sheet, cell = split_ref(ref)
        if sheet is None or cell is None:
            continue
        try:
            row, _ = parse_cell_name(cell)
        except ValueError:
            continue
        lo, hi = spans.get(sheet, (row, row))
        spans[sheet] = (min(lo, row), max(hi, row))
    return spans


def _finding_projects(findings: list[Finding], projects: list[Project]) -> list[str | None]:
    """The project each finding points into: the project whose rows on that sheet hold
    the finding's cell (the latest-starting one when blocks overlap), else ``None``."""
    spans = [(_rows_of(p), p.name) for p in projects]
    out: list[str | None] = []
    for f in findings:
        name = None
        if f.sheet and f.cell:
            try:
                row, _ = parse_cell_name(f.cell)
            except ValueError:
                row = -1
            best = -1
            for sheets, pname in spans:
                lo, hi = sheets.get(f.sheet, (0, -1))
                if lo <= row <= hi and lo > best:
                    best, name = lo, pname
        out.append(name)
    return out


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
    return INDICATORS.row(**base, project_code=p.code, project_name=p.name, level1=ind.level1, level2=ind.level2,
                          name=ind.name, description=ind.description, **_target(ind.target),
                          period_target_raw=_raw(ind.period_target), value_basis=ind.value_basis,
                          level1_text=ind.level1_text, level2_text=ind.level2_text, **_source(path, ind.source))


def _dept_indicator_row(base: dict[str, object], kind: str, ind: Indicator, path: str) -> tuple:
    return DEPARTMENT_INDICATORS.row(
        **base, category=kind, level1=ind.level1, level2=ind.level2, name=ind.name, **_target(ind.target),
        value_two_years_ago_raw=_raw(ind.value_two_years_ago), value_last_year_raw=_raw(ind.value_last_year),
        value_basis=ind.value_basis, indicator_class=ind.indicator_class, level1_text=ind.level1_text,
        level2_text=ind.level2_text, **_source(path, ind.source))


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


def _too_long(rows: FileRows, path: str, projects: list[Project]) -> list[Finding]:
    """A ``text-too-long`` finding per text longer than an Excel cell holds, pointing
    at the cell it was read from where that is known."""
    def long(v: object) -> bool:
        return type(v) is str and exceeds_cell(v)

    found = []
    read_from = {c.field for c in PROJECT_FIELDS} | {"performance_target"}  # fields with a cell of their own
    columns = projects_table().columns
    for p, row in zip(projects, rows.projects):
        for col, v in zip(columns, row):
            if long(v):
                sheet, cell = split_ref(p.cells.get(col.field)) if col.field in read_from else (row.sheet, row.cell)
                found.append(_long("项目", col.header, v, path, sheet or row.sheet, cell or row.cell))
    for table, data in ((INDICATORS, rows.indicators), (DEPARTMENT_INDICATORS, rows.department_indicators)):
        found.extend(_long(table.sheet, col.header, v, path, row.sheet, row.cell)
                     for row in data for col, v in zip(table.columns, row) if long(v))
    found.extend(_long("部门", col, v, path, row.get("工作表"), None)  # type: ignore[arg-type]
                 for row in rows.departments for col, v in row.items() if long(v))
    found.extend(_long("问题", "原文", f.text, path, f.sheet, f.cell) for f in rows.findings if long(f.text))
    return found


def _long(table: str, column: str, text: str, path: str, sheet: str | None, cell: str | None) -> Finding:
    return finding("text-too-long", sheet=sheet, cell=cell, file=path, text=text[:60],
                   params={"length": len(text), "table": table, "column": column})
