"""Several projects in ONE flat table (部门项目支出绩效目标表, the summary a county department
publishes with its budget; docs/forms.md "Several projects in one table").

One header row names the project columns (项目名称, 项目金额, 年度绩效目标, 单位名称 …: the
labels of templates/labels.toml [project], and a 部门/单位名称 column as the 主管部门) left of
an indicator table's columns (一级 / 二级 / 三级 / 指标值, read by :mod:`.indicators`). Each
project's cells are merged down over its indicator rows (四川-style county tables) or
repeated on every row (a budget system's export, 湖南-style); a row whose project name
differs from the one above starts the next project. A 合计 row ends the table; its amount
is recorded as a total over the projects for the review (``summary-total-mismatch``). A
``部门名称：…`` line above the table is the 主管部门 of projects without a unit column.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..cellref import CellRef
from ..facts import StatedTotal
from ..model import Project
from ..readers.grid import Sheet, format_value
from ..taxonomy import Taxonomy
from ..text import label_key, strip_markup
from .base import FormReader, FormRun, Recognition
from .common import ParseContext, department_above, department_line, is_serial, is_signature, is_total_row, read_amount
from .funds import amount_factor
from .indicators import TableHeader, find_header, read_indicator_table
from .labels import load_labels

__all__ = ["READER", "ProjectTable", "find_project_table"]

_TEXT_FIELDS = ("name", "code", "competent_department", "implementing_unit", "attribute", "duration", "category",
                "performance_target", "long_term_goal")
_AMOUNT_FIELDS = ("annual_amount", "period_amount", "fiscal_funds", "special_account_funds", "other_funds")


@dataclass(frozen=True)
class ProjectTable:
    """A table of several projects: its header ``row``, the indicator ``header`` (reading
    only the indicator columns), the project columns ``cols`` (field -> column), the unit
    each amount column's label states (``units``), and the 序号 column if any."""

    row: int
    header: TableHeader
    cols: dict[str, int]
    units: dict[str, str | None]
    serial: int | None


def find_project_table(sheet: Sheet, owned: set[int]) -> ProjectTable | None:
    """The first row that is an indicator-table header AND names a 项目名称 column left of
    the indicator columns, with its project columns; ``None`` when the sheet has none."""
    index = load_labels().index(sheet)
    project_rows = index.get("project", {})
    for r in sorted(index.get("indicator_header", {})):
        if r in owned or r not in project_rows:
            continue
        hits = [(c, h) for c, h in project_rows[r] if h.inline is None]
        if not any(h.field == "name" for _c, h in hits) or (header := find_header(sheet, r)) is None:
            continue
        first = min(header.cols.values())
        cols: dict[str, int] = {}
        units: dict[str, str | None] = {}
        for c, h in hits:
            if c < first and h.field in _TEXT_FIELDS + _AMOUNT_FIELDS and h.field not in cols:
                cols[h.field], units[h.field] = c, h.unit
        if "name" not in cols:
            continue
        for c, h in index.get("department", {}).get(r, ()):
            if c < first and h.field == "name" and h.inline is None and c not in cols.values():
                cols.setdefault("competent_department", c)  # 单位名称: the unit the project belongs to
        last = max(c for c, _v in sheet.grid[r])
        only = frozenset(range(first, max(last, max(header.cols.values())) + 1))
        serial = next((c for c, v in sheet.grid[r] if c < first and is_serial(v)), None)
        return ProjectTable(r, replace(header, only=only), cols, units, serial)
    return None


def read_project_table(sheet: Sheet, table: ProjectTable, *, tax: Taxonomy, ctx: ParseContext
                       ) -> tuple[list[Project], set[int]]:
    """Read every project of *table*. Returns the projects and the rows owned (the header
    and the data rows up to the 合计 or signature row that ends the table)."""
    for c in (*table.cols.values(), *(() if table.serial is None else (table.serial,))):
        sheet.consumed.add((table.row, c))
    dept = department_above(sheet, table.row, ctx)
    groups, end, total_row, unit_rows = _groups(sheet, table, ctx)
    projects = []
    for i, start in enumerate(groups):
        stop = groups[i + 1] if i + 1 < len(groups) else end
        unit = next((u for r, u in reversed(unit_rows) if r < start), None)
        proj = _project(sheet, table, sheet.rows_between(start, stop), unit or dept, ctx)
        proj.indicators = read_indicator_table(sheet, table.header, stop, tax=tax, ctx=ctx, first_row=start)
        projects.append(proj)
    if total_row is not None:
        _stated_total(sheet, table, total_row, projects, ctx)
    return projects, {table.row, *sheet.rows_between(table.header.row, end), *([total_row] if total_row else [])}


def _groups(sheet: Sheet, table: ProjectTable, ctx: ParseContext
            ) -> tuple[list[int], int, int | None, list[tuple[int, tuple[str, str]]]]:
    """The first row of each project (a name differing from the one above), the row the
    table ends at, its 合计 row if any, and its unit rows: a department alone on its row in
    the name column (单位名称、项目名称 over 泸西县教育体育局 then its projects, 云南), the
    主管部门 of the projects below it (row, (name, cell ref)), consumed and noted in *ctx*."""
    name_col = table.cols["name"]
    starts: list[int] = []
    units: list[tuple[int, tuple[str, str]]] = []
    current = None
    end = max(sheet.grid) + 1
    for r in sheet.rows_between(table.header.last_row + 1, end):
        first = next((v for _c, v in sheet.grid[r] if isinstance(v, str) and v.strip()), None)
        if is_total_row(first):
            return starts, r, r, units
        if is_signature(first):
            return starts, r, None, units
        name = dict(sheet.grid[r]).get(name_col)
        if len(sheet.grid[r]) == 1 and "competent_department" not in table.cols and (dept := department_line(name)):
            sheet.consumed.add((r, name_col))
            ctx.departments.append((dept[0], dept[1], sheet.ref(r, name_col)))
            units.append((r, (str(name).strip(), sheet.ref(r, name_col))))
            current = None
        elif isinstance(name, str) and name.strip() and label_key(name) != current:
            starts.append(r)
            current = label_key(name)
    return starts, end, None, units


def _project(sheet: Sheet, table: ProjectTable, rows: list[int], dept: tuple[str, str] | None,
             ctx: ParseContext) -> Project:
    """A project from its rows' project columns: each field from its first cell, the same
    text repeated below it consumed with it (an export repeats it on every row)."""
    proj = Project(sheet=sheet.name)
    labels = load_labels().standard["project"]
    for fld, c in table.cols.items():
        cells = [(r, v) for r in rows for cc, v in sheet.grid[r] if cc == c and format_value(v).strip()]
        if not cells:
            if fld == "competent_department":  # the column asks for the unit: never taken from elsewhere
                proj.cells[f"{fld}_label"] = sheet.ref(table.row, c)
            continue
        r, value = cells[0]
        for rr, v in cells:
            if format_value(v).strip() == format_value(value).strip():
                sheet.consumed.add((rr, c))
        proj.cells[fld] = sheet.ref(r, c)
        proj.cells[f"{fld}_label"] = sheet.ref(table.row, c)
        if fld in _AMOUNT_FIELDS:
            amount = read_amount(sheet, r, c, value, label=labels.get(fld, fld), ctx=ctx)
            if amount is not None:
                setattr(proj, fld, amount * amount_factor(sheet, r, value, table.units.get(fld), (table.row, c)))
            if fld == "annual_amount":
                proj.annual_amount_text = format_value(value).strip()
            continue
        text = format_value(value).strip()
        setattr(proj, fld, strip_markup(text) if fld in ("performance_target", "long_term_goal") else text)
    if proj.competent_department is None and dept is not None:
        proj.competent_department, proj.cells["competent_department"] = dept
    if table.serial is not None:
        for r in rows:
            if dict(sheet.grid[r]).get(table.serial) is not None:
                sheet.consumed.add((r, table.serial))
    return proj


def _stated_total(sheet: Sheet, table: ProjectTable, r: int, projects: list[Project], ctx: ParseContext) -> None:
    """The 合计 row: its label consumed, its amount (in the amount column) recorded as the
    total of every project of the table."""
    row = dict(sheet.grid[r])
    label_col = next(c for c, v in sheet.grid[r] if is_total_row(v))
    sheet.consumed.add((r, label_col))
    c = table.cols.get("annual_amount")
    if c is None or c not in row or not projects:
        return
    sheet.consumed.add((r, c))
    amount = read_amount(sheet, r, c, row[c], label="合计", ctx=ctx, text_ok=True)
    if amount is not None:
        amount *= amount_factor(sheet, r, row[c], table.units.get("annual_amount"), (table.row, c))
        ctx.stated_totals.append(StatedTotal("合计", amount, CellRef(sheet.name, r, label_col), tuple(projects)))


def _recognise(sheet: Sheet, owned: set[int]) -> Recognition | None:
    """Certain at a header naming both the projects and their indicators."""
    table = find_project_table(sheet, owned)
    return None if table is None else Recognition(1.0, table)


def _read_into(sheet: Sheet, table: ProjectTable, run: FormRun) -> set[int]:
    projects, rows = read_project_table(sheet, table, tax=run.tax, ctx=run.ctx)
    run.out.projects.extend(projects)
    return rows


READER = FormReader("project-table", recognise=_recognise, read=_read_into)
