"""Detect and read every form on every sheet of a workbook (any sheet names, any order,
one form per sheet or several stacked), then settle region, year and department.

Order per sheet: the template cover block (填报说明), the department-wide form
(seed 004), the Guangdong summary table (seed 003), project forms (seeds 000 / 001 /
002 and the template), prose goals (seed 001 part one); then boilerplate around them.
Region and year come from the cover block when present, else from the document:
title years (``2024 年部门项目支出预算绩效目标表``), the two 近两年 years of a
department form, the department name (``吴忠市红寺堡区司法局`` -> 吴忠市 / 红寺堡区).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..model import Department, DepartmentPlan, Finding, Project, Region
from ..readers.grid import Workbook
from ..taxonomy import Taxonomy, split_code
from .common import (
    ParseContext,
    consume_boilerplate,
    take_department_line,
)
from .cover import read_cover
from .department import find_department_form, read_department
from .guangdong import find_summary_header, read_summary
from .narrative import read_narrative
from .own_template import is_template_text, read_lists_sheet
from .project import find_project_anchors, read_projects

__all__ = ["ParsedWorkbook", "read_sheets", "region_from_name"]

_REGION_RE = re.compile(
    r"^(?P<province>[\u4e00-\u9fff]{2,9}?(?:省|自治区))?(?P<city>[\u4e00-\u9fff]{2,6}?(?:市|州|盟|地区))?"
    r"(?P<county>[\u4e00-\u9fff]{1,6}?(?:县|区|旗|市))?(?P<rest>[\u4e00-\u9fff]*)$"
)


@dataclass
class ParsedWorkbook:
    """Everything read from the sheets of one workbook, before review."""

    projects: list[Project] = field(default_factory=list)
    department_plan: DepartmentPlan | None = None
    department: Department = field(default_factory=Department)
    region: Region = field(default_factory=Region)
    year: int | None = None
    findings: list[Finding] = field(default_factory=list)
    found_form: bool = False
    template_sheets: set[str] = field(default_factory=set)  # the template's own hidden lists sheet


def region_from_name(name: str | None) -> Region:
    """Region words at the start of a department name: ``吴忠市红寺堡区司法局`` ->
    city 吴忠市, county 红寺堡区; ``彭阳县司法局`` -> county 彭阳县. Unknown parts stay None."""
    if not name:
        return Region()
    m = _REGION_RE.match(name)
    if not m or not m.group("rest"):
        return Region()
    return Region(province=m.group("province"), city=m.group("city"), county=m.group("county"))


def read_sheets(wb: Workbook, *, tax: Taxonomy) -> ParsedWorkbook:
    """Read all forms of *wb*; cells are marked consumed on its sheets."""
    out = ParsedWorkbook()
    ctx = ParseContext()
    cover = None
    prev_years: list[int] = []
    for sheet in wb.sheets:
        if not sheet.cells:
            continue
        if read_lists_sheet(sheet):
            out.template_sheets.add(sheet.name)
            continue
        found = False
        info = read_cover(sheet, ctx)
        if info is not None:
            cover = info
            found = True
        owned: set[int] = set()
        dept_rows = find_department_form(sheet)
        if dept_rows is not None:
            plan, rows = read_department(sheet, dept_rows, tax=tax, ctx=ctx)
            owned |= rows
            if out.department_plan is None and not _blank_plan(plan):
                out.department_plan = plan
            prev_years.extend(int(y) for y in plan.previous_years if y.isdigit())
            found = True
        header = find_summary_header(sheet, owned)
        if header is not None:
            projects, rows = read_summary(sheet, header, tax=tax, ctx=ctx)
            out.projects.extend(projects)
            owned |= rows
            found = True
        anchors = find_project_anchors(sheet, owned)
        if anchors:
            end = max(sheet.grid) + 1
            projects = read_projects(sheet, anchors, tax=tax, ctx=ctx, end=end)
            out.projects.extend(p for p in projects if not _blank(p))
            found = True
        if not found:
            sections = read_narrative(sheet)
            if sections:
                plan = out.department_plan or DepartmentPlan(sheet=sheet.name)
                plan.narrative.extend(sections)
                out.department_plan = plan
                found = True
        _boilerplate(sheet, ctx)
        out.found_form = out.found_form or found
    out.findings = ctx.findings
    _settle(out, ctx, cover, prev_years)
    return out


def _blank(p: Project) -> bool:
    """An empty project form (a spare sheet of the template): labels only, no values."""
    return not (p.name or p.code or p.annual_amount is not None or p.annual_amount_text or p.performance_target
                or p.competent_department or p.implementing_unit or p.fund_use
                or any(i.name or (i.target and i.target.raw) for i in p.indicators))


def _blank_plan(plan: DepartmentPlan) -> bool:
    """An empty department form (the template's, unfilled): no typed value anywhere;
    the template's 合计 / 占比 formulas compute 0 and do not count."""
    return not (plan.name or plan.filled_by or plan.phone or plan.functions or plan.annual_tasks
                or plan.long_term_goal or plan.annual_goal or plan.project_spending
                or plan.long_term_indicators or plan.annual_indicators or plan.narrative
                or any(r.current_amount is not None or any(v is not None for v in r.previous_amounts.values())
                       for r in plan.revenue + plan.expenditure))


def _boilerplate(sheet, ctx: ParseContext) -> None:  # noqa: ANN001 - Sheet
    """Consume titles, unit notes, template text and lone department lines left anywhere."""
    consumed = sheet.consumed
    if consumed.issuperset(sheet.cells):
        return  # every cell read into the model: no row has anything left
    for r, cells in sheet.grid.items():
        if all((r, c) in consumed for c, _v in cells):
            continue  # most rows: everything on them was read into the model
        consume_boilerplate(sheet, r, ctx, extra=is_template_text)
        take_department_line(sheet, r, ctx)


def _settle(out: ParsedWorkbook, ctx: ParseContext, cover, prev_years: list[int]) -> None:  # noqa: ANN001
    """Region, year and department: cover block first, then what the document says."""
    dept = Department()
    if cover is not None:
        out.region = cover.region
        out.year = cover.year
        dept = cover.department
    plan = out.department_plan
    if plan is not None:
        dept.name = dept.name or plan.name
        dept.filled_by = dept.filled_by or plan.filled_by
        dept.phone = dept.phone or plan.phone
        dept.fill_date = dept.fill_date or plan.fill_date
    if not dept.name and ctx.departments:
        (code, name), _n = Counter((c, n) for c, n, _w in ctx.departments).most_common(1)[0]
        dept.name, dept.code = name, dept.code or code
    if not dept.name:
        names = Counter(split_code(p.competent_department)[1] for p in out.projects if p.competent_department)
        if names:
            dept.name = names.most_common(1)[0][0]
    out.department = dept
    if out.year is None:
        if ctx.title_years:
            out.year = Counter(ctx.title_years).most_common(1)[0][0]
        elif prev_years:
            out.year = max(prev_years) + 1
    guess = region_from_name(dept.name)
    r = out.region
    out.region = Region(province=r.province or guess.province, city=r.city or guess.city,
                        county=r.county or guess.county, division_code=r.division_code)
