"""How project blocks stack on one sheet beyond one 项目名称 per form (docs/forms.md "Blocks on
one sheet"): the budget system's 一级项目 above its 二级项目 (河北 市级), the department line
above every block (预算单位：… over the blocks), and two tables of one project for two periods
(陕西: the 实施期 table, then the 年度 one); and a project's indicator table on a sheet of its
own after (辽宁) or before (海南) the sheet naming the project (:func:`join_table_sheets`).
"""

from __future__ import annotations

import re

from ..cellref import split_ref
from ..model import Project
from ..readers.grid import Sheet
from ..text import label_key
from .common import ParseContext, consume_boilerplate, take_department_line
from .indicators import TableHeader
from .labels import load_labels

__all__ = ["PERIOD", "ANNUAL", "is_umbrella_row", "join_table_sheets", "sheet_department_line", "table_period"]

PERIOD, ANNUAL = "period", "annual"
# the words naming a table's period: the whole implementation period, or the year
_PERIOD_WORDS = ("实施期", "实施周期", "中期", "长期", "全周期")
_ANNUAL_WORDS = ("年度", "当年", "本年")
_GOALS = {"performance_target": ANNUAL, "long_term_goal": PERIOD}
# a sheet's title that heads a part of a form, naming no project: 三、项目绩效指标, 绩效目标表
_HEADING_RE = re.compile(r"(指标|绩效目标)(表)?$")


def is_umbrella_row(sheet: Sheet, r: int) -> bool:
    """Row *r* states the budget system's 一级项目, the fund above the 二级项目 that are the
    projects (河北 市级: 一级项目名称 | … | 一级项目编码, 一级项目预算数 | … | 其中：财政资金): its
    leftmost project label is a 一级项目 one (labels.toml [parts.project.parent_project]) and it
    names no project (甘肃 writes 一级项目名称 beside the 二级项目名称: that row is the project's)."""
    rows = sheet.cache.get("umbrella_rows")
    if rows is None:  # once per sheet: most have no 一级项目 label at all
        rows = sheet.cache["umbrella_rows"] = frozenset(
            row for row, hits in load_labels().index(sheet).get("project", {}).items()
            if min(hits, key=lambda hit: hit[0])[1].field == "parent_project" and not any(h.field == "name" for _c, h in hits))
    return r in rows


def sheet_department_line(sheet: Sheet, end: int, ctx: ParseContext) -> tuple[int, int, str] | None:
    """The department line above the first project block (rows before *end*): a department
    written alone on its row, plain (``衡水市教育局``) or labelled (``预算单位：衡水市教育局``,
    ``主管部门：…``, ``单位名称：…``), a unit note beside it aside. It is the 主管部门 of every
    block below that states none (:func:`xlperf.forms.common.take_department_line`; consumed);
    the last such line wins. ``None`` when there is none."""
    line = None
    for r in sheet.rows_between(0, end):
        consume_boilerplate(sheet, r, ctx)
        taken = take_department_line(sheet, r, ctx)
        if taken is not None:
            line = taken
    return line


def table_period(sheet: Sheet, header: TableHeader, top: int) -> str | None:
    """Which period an indicator table is for, where the form says it (:data:`PERIOD`,
    :data:`ANNUAL` or ``None``): its own label left of its header (the vertical 实施期绩效指标 /
    年度绩效指标 of 陕西 forms), else the nearest goal label above it, below row *top*
    (实施期绩效目标 is the period's, 年度绩效目标 the year's)."""
    first = min(header.cols.values())
    for c, v in sheet.grid.get(header.row, ()):
        if c < first and isinstance(v, str) and (said := _period_of(label_key(v))) is not None:
            return said
    goals = load_labels().index(sheet).get("project", {})
    for r in reversed(sheet.rows_between(top + 1, header.row)):
        for _c, hit in goals.get(r, ()):
            if hit.field in _GOALS:
                return _period_of(hit.label) or _GOALS[hit.field]
    return None


def _period_of(key: str) -> str | None:
    """The period a label's key names: a 实施期 / 中期 / 长期 word, else a 年度 word."""
    if any(w in key for w in _PERIOD_WORDS):
        return PERIOD
    if any(w in key for w in _ANNUAL_WORDS):
        return ANNUAL
    return None


def join_table_sheets(projects: list[Project], ctx: ParseContext) -> list[Project]:
    """A project form in two sheets (辽宁: 项目基本情况 names the project, its amount and goal; the
    next sheet holds only a title and the indicator table; 海南: the table's sheet first): a
    project read with indicators and nothing else, next to a project of another sheet without
    indicators (right after it, else right before it), is that project's table when it is
    unnamed, named by a heading taken from no label (the sheet's title, ``三、项目绩效指标``,
    ``绩效指标表``) or by the same project's name again. Its indicators join that project and the
    name finding of the title is dropped. Returns the projects kept."""
    kept: list[Project] = []
    for p in projects:
        prev = kept[-1] if kept else None
        if prev is not None and _table_of(p, prev):
            _join(p, prev, ctx)
            continue
        kept.append(p)
    out: list[Project] = []
    for i, p in enumerate(kept):  # the table's sheet before the sheet naming the project
        nxt = kept[i + 1] if i + 1 < len(kept) else None
        if nxt is not None and _table_of(p, nxt):
            _join(p, nxt, ctx)
            continue
        out.append(p)
    return out


def _table_of(p: Project, other: Project) -> bool:
    """*p* holds only an indicator table that is *other*'s: another sheet's project without one."""
    return (other.sheet != p.sheet and not other.indicators and bool(p.indicators)
            and (set(p.cells) <= {"name"} and (not p.name or bool(_HEADING_RE.search(label_key(p.name))))
                 or (p.name == other.name and set(p.cells) <= {"name", "name_label"})))


def _join(p: Project, into: Project, ctx: ParseContext) -> None:
    """*p*'s indicators join *into*; the name finding of *p*'s title is dropped."""
    into.indicators = p.indicators
    cell = split_ref(p.cells["name"])[1] if p.cells else None
    ctx.findings[:] = [f for f in ctx.findings if not (
        f.code == "project-name-shifted" and f.sheet == p.sheet and f.cell == cell)]
