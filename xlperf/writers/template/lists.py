"""The hidden lists sheet (``_lists``): every dropdown list, referenced by range.

Lists are never written inline in a validation (an inline list over 255 characters
corrupts the file). TemplateSheets of the sheet, one list per column, a heading in row 1 and the
values from row 2:

* project 一级 labels (``1-产出指标`` …) and, beside them, the ASCII name of each one's
  二级 list (``lv2_proj_1`` …); then one column per project 一级 with its 二级 labels,
  each a workbook-level defined name;
* the same for the department framework (``lv2_dept_1`` … for 运行成本 …);
* the lists.toml lists: 指标值确定依据, 指标分类, 项目属性, 支出项目类别.

The dependent 二级 dropdown is ``=INDIRECT(VLOOKUP(<一级 cell>, <lookup table>, 2, FALSE))``:
the 一级 text is mapped to a valid Excel name through the lookup table, because
``1-产出指标`` itself cannot be a name.
"""

from __future__ import annotations

from xlsxwriter.utility import quote_sheetname, xl_range_abs
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ...taxonomy import Taxonomy
from .base import ListRefs
from .sheets import TemplateSheets

__all__ = ["LIST_KEYS", "write_lists_sheet"]

#: lists.toml lists offered as dropdowns, with the heading written above each.
LIST_KEYS = (("value_basis", "指标值确定依据"), ("indicator_class", "指标分类"),
             ("project_attribute", "项目属性"), ("spending_category", "支出项目类别"))


def _tiers(spec: TemplateSheets, taxonomy: Taxonomy) -> dict[str, tuple[str, list[tuple[str, list[str]]]]]:
    """tier -> (heading, [(一级 text, [二级 texts])]) for the project and department frameworks."""
    dept = spec.section("department")
    proj = [(lv1.label, [lv2.label for lv2 in taxonomy.level2_under(lv1.name)]) for lv1 in taxonomy.level1]
    depts = []
    for lv1 in taxonomy.dept_level1:
        names = [lv2.name for lv2 in taxonomy.dept_level2_under(lv1.name)]
        if lv1.name == dept["framework"]["core_level1"]:
            names = [dept["core_output_format"].format(n=n) for n in range(1, dept["core_output_choices"] + 1)]
        depts.append((lv1.name, names))
    heads = spec.section("workbook")["lists_headings"]
    return {"proj": (heads["proj"], proj), "dept": (heads["dept"], depts)}


def write_lists_sheet(wb: Workbook, ws: Worksheet, *, spec: TemplateSheets, taxonomy: Taxonomy) -> ListRefs:
    """Fill the (already added) lists sheet *ws*, hide it, define the 二级 names.

    Returns the :class:`ListRefs` the validations use. Values are written with
    ``write_string``; the sheet is hidden (state ``hidden``) and protected.
    """
    sheet = quote_sheetname(ws.get_name())
    ranges: dict[str, str] = {}
    lookups: dict[str, str] = {}
    col = 0

    def column(heading: str, values: list[str]) -> str:
        nonlocal col
        ws.write_string(0, col, heading)
        for i, v in enumerate(values, start=1):
            ws.write_string(i, col, v)
        ref = f"{sheet}!{xl_range_abs(1, col, max(len(values), 1), col)}"
        col += 1
        return ref

    prefix = spec.section("workbook")["lists_name_prefix"]
    for tier, (heading, levels) in _tiers(spec, taxonomy).items():
        names = [f"{prefix}{tier}_{i}" for i in range(1, len(levels) + 1)]
        first = col
        ranges[f"{tier}_level1"] = column(heading, [lv1 for lv1, _ in levels])
        column(spec.section("workbook")["lists_headings"]["lookup"], names)
        lookups[tier] = f"{sheet}!{xl_range_abs(1, first, len(levels), first + 1)}"
        for name, (lv1, lv2s) in zip(names, levels):
            wb.define_name(name, "=" + column(lv1, lv2s))
    for key, heading in LIST_KEYS:
        ranges[key] = column(heading, spec.list_values(key))
    ws.set_column(0, col, 18)
    ws.hide()
    ws.protect()
    return ListRefs(ranges=ranges, lookups=lookups)
