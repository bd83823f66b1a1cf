"""Region, budget year and department of a workbook, settled after every form is read.

The template's cover block (填报说明) wins where it says something; otherwise what the
document says: the department form's 部门(单位)名称 / 填报人 / 联系电话 / 填报日期, the
department line most often written above forms (``315002乐亭县司法局``), else the most
common 主管部门 of the projects; the year most titles state (``2024 年部门项目支出预算
绩效目标表``), else the year after the department form's 近两年; region words at the start
of the department name (``吴忠市红寺堡区司法局`` -> 吴忠市 / 红寺堡区). A project whose form has
no 主管部门 label takes the department the document names (cover, department form, a department
or filer line, a title naming a unit); where nothing names one it stays empty and is asked for.
See docs/forms.md and docs/review-rules.md.
"""

from __future__ import annotations

import re
from collections import Counter

from ..inputs import year_ok
from ..model import Department, Region
from ..taxonomy import split_code
from .base import ParsedWorkbook
from .common import ParseContext

__all__ = ["region_from_name", "settle"]

_REGION_RE = re.compile(
    r"^(?P<province>[\u4e00-\u9fff]{2,9}?(?:省|自治区))?(?P<city>[\u4e00-\u9fff]{2,6}?(?:市|州|盟|地区))?"
    r"(?P<county>[\u4e00-\u9fff]{1,6}?(?:县|区|旗|市))?(?P<rest>[\u4e00-\u9fff]*)$"
)


def region_from_name(name: str | None) -> Region:
    """Region words at the start of a department name: ``吴忠市红寺堡区司法局`` ->
    city 吴忠市, county 红寺堡区; ``彭阳县司法局`` -> county 彭阳县. Unknown parts stay None."""
    if not name:
        return Region()
    m = _REGION_RE.match(name)
    if not m or not m.group("rest"):
        return Region()
    return Region(province=m.group("province"), city=m.group("city"), county=m.group("county"))


def settle(out: ParsedWorkbook, ctx: ParseContext) -> None:
    """Set ``out.region``, ``out.year`` and ``out.department`` (see the module doc)."""
    dept = Department()
    cover = out.cover
    if cover is not None:
        out.region = cover.region
        out.year = cover.year if cover.year is not None and year_ok(cover.year) else None  # else reported on import
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
    _unlabelled_departments(out, ctx)
    if not dept.name:
        names = Counter(split_code(p.competent_department)[1] for p in out.projects if p.competent_department)
        if names:
            dept.name = names.most_common(1)[0][0]
    out.department = dept
    if out.year is None:
        if titled := [y for y in ctx.title_years if year_ok(y)]:
            out.year = Counter(titled).most_common(1)[0][0]
        elif ctx.previous_years:
            out.year = max(ctx.previous_years) + 1
    guess = region_from_name(dept.name)
    r = out.region
    out.region = Region(province=r.province or guess.province, city=r.city or guess.city,
                        county=r.county or guess.county, division_code=r.division_code)


def _named_department(out: ParsedWorkbook, ctx: ParseContext) -> tuple[str, str | None] | None:
    """The department the document names, with the cell naming it: the cover's 部门名称, the
    department form's 部门(单位)名称, the most common department or filer line, the most common
    unit a title names; ``None`` when nothing names one."""
    if out.cover is not None and out.cover.department.name:
        return out.cover.department.name, out.cover.cells.get("department")
    plan = out.department_plan
    if plan is not None and plan.name:
        return plan.name, plan.cells.get("name")
    if ctx.departments:
        (_code, name), _n = Counter((c, n) for c, n, _w in ctx.departments).most_common(1)[0]
        return name, next(w for _c, n, w in ctx.departments if n == name)
    if ctx.title_departments:
        name, _n = Counter(n for n, _w in ctx.title_departments).most_common(1)[0]
        return name, next(w for n, w in ctx.title_departments if n == name)
    return None


def _unlabelled_departments(out: ParsedWorkbook, ctx: ParseContext) -> None:
    """A project read from a form with no 主管部门 label (nothing asks for it there) takes the
    department the document names (:func:`_named_department`), its cell noted; a label left
    empty stays empty (the form asks, the finding stays)."""
    todo = [p for p in out.projects if not p.competent_department and "competent_department" not in p.cells
            and "competent_department_label" not in p.cells]
    if not todo or (named := _named_department(out, ctx)) is None:
        return
    name, where = named
    for p in todo:
        p.competent_department = name
        if where:
            p.cells["competent_department"] = where
