"""One imported file -> the rows it adds to each consolidated table (``xlperf merge``).

This is the part of a merge that runs in the worker process next to the import
(:func:`import_and_flatten`), so it imports neither pandas nor xlsxwriter: rows are
tuples of plain Python values (``str``, ``int``, :class:`~decimal.Decimal` amounts in
万元, ``None`` for missing) in the column order of ``*_COLUMNS`` below. The column
headers are the Chinese terms of the README glossary, shared by the workbook, Parquet
and CSV outputs.

Levels are the canonical taxonomy names (``社会效益`` whether the form said
``22-社会效益`` as in 彭阳 000 or ``社会效益指标`` as in 乐亭 001); the text as written is
kept in the ``（原文）`` columns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from .cellref import parse_cell_name, split_ref
from .findings import finding
from .importer import ImportResult, import_workbook
from .model import (
    DepartmentPlan,
    Finding,
    Indicator,
    Project,
    Region,
    Submission,
    Target,
)
from .taxonomy import load_taxonomy
from .text import exceeds_cell

__all__ = [
    "DEPARTMENT_INDICATOR_COLUMNS",
    "INDICATOR_COLUMNS",
    "FileRows",
    "ImportTask",
    "department_columns",
    "import_and_flatten",
    "project_columns",
    "split_ref",
]


REGION_COLUMNS = ["省", "市", "县(区)", "行政区划代码", "部门", "年度"]
SOURCE_COLUMNS = ["来源文件", "工作表", "单元格"]

_PROJECT_FIELDS = [
    ("项目编码", "code"), ("项目名称", "name"), ("主管部门", "competent_department"),
    ("实施单位", "implementing_unit"), ("项目属性", "attribute"), ("项目期限", "duration"),
    ("项目主管处室", "supervising_office"), ("项目类别", "category"),
    ("项目年度金额（万元）", "annual_amount"), ("项目年度金额（原文）", "annual_amount_text"),
    ("财政拨款（万元）", "fiscal_funds"), ("行政专户拨款（万元）", "special_account_funds"),
    ("其他资金（万元）", "other_funds"), ("资金用途", "fund_use"),
]

INDICATOR_COLUMNS = [
    *REGION_COLUMNS, "项目编码", "项目名称", "一级指标", "二级指标", "三级指标", "绩效指标描述",
    "绩效值（原文）", "比较符", "数值", "单位", "绩效值类型", "实施周期指标值", "指标值确定依据",
    "一级指标（原文）", "二级指标（原文）", *SOURCE_COLUMNS,
]

DEPARTMENT_INDICATOR_COLUMNS = [
    *REGION_COLUMNS, "类别", "一级指标", "二级指标", "三级指标", "指标值（当年，原文）", "比较符", "数值", "单位",
    "绩效值类型", "前年（原文）", "上年（原文）", "指标值确定依据", "指标分类",
    "一级指标（原文）", "二级指标（原文）", *SOURCE_COLUMNS,
]

_KIND = {"quantitative": "定量", "qualitative": "定性", "ambiguous": "有歧义", "empty": "空"}
UNKNOWN_LEVEL1 = "未识别一级"


def project_columns() -> list[str]:
    """The 项目 table's columns: region, every project field, indicator counts per
    一级 of the taxonomy (``产出指标数`` …), source file / sheet / cell."""
    counts = [f"{lv.name}数" for lv in load_taxonomy().level1] + [f"{UNKNOWN_LEVEL1}指标数", "指标数"]
    return [*REGION_COLUMNS, *(h for h, _ in _PROJECT_FIELDS), "资金支出计划", "年度总体绩效目标", *counts,
            *SOURCE_COLUMNS]


@dataclass(frozen=True)
class ImportTask:
    """One file to import: ``path`` plus the ``region`` / ``year`` a manifest sets, and
    the import function (``xlperf.importer.import_workbook``; tests and the benchmark
    pass another module-level function with the same signature)."""

    path: str
    region: Region | None = None
    year: int | None = None
    import_fn: Callable[..., ImportResult] = import_workbook


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
    projects: list[tuple] = field(default_factory=list)
    indicators: list[tuple] = field(default_factory=list)
    department_indicators: list[tuple] = field(default_factory=list)
    departments: list[dict[str, object]] = field(default_factory=list)
    amount_total: Decimal | None = None
    amount_unread: int = 0


def import_and_flatten(task: ImportTask) -> FileRows:
    """Import ``task.path`` with ``task.import_fn`` and flatten it (runs in a worker)."""
    result = task.import_fn(task.path, region=task.region, year=task.year)
    return flatten(result)


def flatten(result: ImportResult) -> FileRows:
    """An :class:`~xlperf.importer.ImportResult` -> :class:`FileRows`."""
    sub = result.submission
    if sub is None:
        err = result.error
        reason = f"{err.message} / {err.message_en}" if err is not None else "无法读取 / unreadable"
        return FileRows(failure=reason, findings=list(result.report.findings),
                        finding_projects=[None] * len(result.report.findings))
    base = _base(sub)
    path = result.path
    rows = FileRows(region=sub.region, department=sub.department.name, year=sub.year, findings=list(result.report.findings),
                    fill_date=sub.department.fill_date or (sub.department_plan.fill_date if sub.department_plan else None))
    amounts = []
    for p in sub.projects:
        rows.projects.append(_project_row(base, p, path))
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


def _base(sub: Submission) -> tuple:
    r = sub.region
    return (r.province, r.city, r.county, r.division_code, sub.department.name, sub.year)


def _raw(t: Target | None) -> str | None:
    return t.raw if t is not None else None


def _target(t: Target | None) -> tuple:
    if t is None:
        return (None, None, None, None, None)
    return (t.raw, t.comparator, t.value, t.unit, _KIND.get(t.kind, t.kind))


def _project_row(base: tuple, p: Project, path: str) -> tuple:
    counts = dict.fromkeys((lv.name for lv in load_taxonomy().level1), 0)
    unknown = 0
    for ind in p.indicators:
        if ind.level1 in counts:
            counts[ind.level1] += 1
        else:
            unknown += 1
    plan = "；".join(f"{c.checkpoint} {c.raw if c.raw else _pct(c.cumulative_percent)}" for c in p.spending_plan) or None
    sheet, cell = split_ref(p.cells.get("name"))
    return (*base, *(getattr(p, f) for _, f in _PROJECT_FIELDS), plan, p.performance_target,
            *counts.values(), unknown, len(p.indicators), path, sheet or p.sheet, cell)


def _pct(v: Decimal | None) -> str:
    return "" if v is None else f"{v}%"


def _indicator_row(base: tuple, p: Project, ind: Indicator, path: str) -> tuple:
    sheet, cell = split_ref(ind.source)
    return (*base, p.code, p.name, ind.level1, ind.level2, ind.name, ind.description, *_target(ind.target),
            _raw(ind.period_target), ind.value_basis, ind.level1_text, ind.level2_text, path, sheet, cell)


def _dept_indicator_row(base: tuple, kind: str, ind: Indicator, path: str) -> tuple:
    sheet, cell = split_ref(ind.source)
    return (*base, kind, ind.level1, ind.level2, ind.name, *_target(ind.target), _raw(ind.value_two_years_ago),
            _raw(ind.value_last_year), ind.value_basis, ind.indicator_class, ind.level1_text, ind.level2_text,
            path, sheet, cell)


DEPARTMENT_HEAD = [*REGION_COLUMNS, "填报人", "填报日期"]
DEPARTMENT_TAIL = [
    "项目支出情况数", "项目支出情况合计（万元）", "长期目标", "长期目标截止年度", "年度目标", "整体绩效目标（文字）",
    "长期绩效指标数", "年度绩效指标数", "问题数", "来源文件", "工作表",
]


def department_columns(rows: list[dict[str, object]]) -> list[str]:
    """The 部门 table's columns for these rows: region, 填报人 / 填报日期, the 收入构成
    items (当年金额, 万元) in the order first seen, 收入合计, the 支出构成 items,
    支出合计, then :data:`DEPARTMENT_TAIL`."""
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
    revenue = [c for c in seen if c.startswith("收入：")]
    expenditure = [c for c in seen if c.startswith("支出：")]
    return [*DEPARTMENT_HEAD, *revenue, "收入合计（万元）", *expenditure, "支出合计（万元）", *DEPARTMENT_TAIL]


def _department_row(base: tuple, plan: DepartmentPlan, path: str) -> dict[str, object]:
    row: dict[str, object] = dict(zip(REGION_COLUMNS, base))
    row["填报人"] = plan.filled_by
    row["填报日期"] = plan.fill_date
    for part, items, total in (("收入", plan.revenue, plan.revenue_total), ("支出", plan.expenditure, plan.expenditure_total)):
        for item in items:
            row[f"{part}：{item.item}（万元）"] = item.current_amount
        row[f"{part}合计（万元）"] = total.current_amount if total else None
    budgets = [s.annual_budget for s in plan.project_spending if s.annual_budget is not None]
    row["项目支出情况数"] = len(plan.project_spending)
    row["项目支出情况合计（万元）"] = sum(budgets, Decimal(0)) if budgets else None
    row["长期目标"] = plan.long_term_goal
    row["长期目标截止年度"] = plan.long_term_horizon
    row["年度目标"] = plan.annual_goal
    row["整体绩效目标（文字）"] = "\n".join(
        f"{s.heading}\n{s.text}" if s.heading else s.text for s in plan.narrative) or None
    row["长期绩效指标数"] = len(plan.long_term_indicators)
    row["年度绩效指标数"] = len(plan.annual_indicators)
    row["问题数"] = None  # set by the merge, which adds its own findings
    row["来源文件"] = path
    row["工作表"] = split_ref(plan.cells.get("name"))[0] or plan.sheet
    return row


_FIELD_OF = {**{h: f for h, f in _PROJECT_FIELDS}, "年度总体绩效目标": "performance_target"}


def _too_long(rows: FileRows, path: str, projects: list[Project]) -> list[Finding]:
    """A ``text-too-long`` finding per text longer than an Excel cell holds, pointing
    at the cell it was read from where that is known."""
    def long(v: object) -> bool:
        return type(v) is str and exceeds_cell(v)

    found = []
    columns = project_columns()
    for p, row in zip(projects, rows.projects):
        for col, v in zip(columns, row):
            if long(v):
                sheet, cell = split_ref(p.cells.get(_FIELD_OF.get(col, ""))) if col in _FIELD_OF else (row[-2], row[-1])
                found.append(_long("项目", col, v, path, sheet or row[-2], cell or row[-1]))
    for table, columns, data in (("指标", INDICATOR_COLUMNS, rows.indicators),
                                 ("部门指标", DEPARTMENT_INDICATOR_COLUMNS, rows.department_indicators)):
        found.extend(_long(table, col, v, path, row[-2], row[-1]) for row in data for col, v in zip(columns, row) if long(v))
    found.extend(_long("部门", col, v, path, row.get("工作表"), None)  # type: ignore[arg-type]
                 for row in rows.departments for col, v in row.items() if long(v))
    found.extend(_long("问题", "原文", f.text, path, f.sheet, f.cell) for f in rows.findings if long(f.text))
    return found


def _long(table: str, column: str, text: str, path: str, sheet: str | None, cell: str | None) -> Finding:
    return finding("text-too-long", sheet=sheet, cell=cell, file=path, text=text[:60],
                   params={"length": len(text), "table": table, "column": column})
