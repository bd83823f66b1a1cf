"""Read project forms (项目支出绩效目标表): the label/value block and its indicator table.

Layouts read (all found by labels, several per sheet or one per sheet; docs/forms.md):

* the Ningxia three-tier sheet (seed 000 彭阳, 002 红寺堡) and the xlperf template;
* the Hebei variant (seed 001 乐亭): 项目编码, 预算规模及资金用途 with 预算数 / 其中：财政资金 /
  其他资金 and the 资金用途 text on the next row, 资金支出计划（%）with checkpoint headers
  and values on the next row, a numbered 绩效目标 text;
* the forms of other provinces: labels by their parts, values right of or below their
  labels (:mod:`.project_fields`), amounts in 元 or with a 万 suffix (:mod:`.funds`), and a
  table without a 项目名称 label named by its title (``1、<name>绩效目标表``,
  ``<unit>_<name>项目支出绩效目标批复表``).

Seed 002 shifts are read where certain and reported otherwise: a project name on the
row above (or below) its label while the label's value cell holds the department
(``project-name-shifted``); a value written on the row below its label
(``value-below-label``); a value that does not fit its label (``value-implausible``);
labels in a row with no values beside them (``layout-ambiguous``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..cellref import cell_name
from ..data import load_data
from ..findings import finding
from ..model import Project, SpendingCheckpoint
from ..readers.grid import Sheet, format_value
from ..taxonomy import Taxonomy
from .base import FormReader, FormRun, Recognition
from .common import (
    ParseContext,
    consume_boilerplate,
    department_line,
    filed_by,
    is_signature,
    is_title,
    is_unit_note,
    percent,
    take_department_line,
)
from .department import is_department_sheet
from .indicators import TableHeader, find_header, merge_period_table, read_indicator_table, repeats_header
from .indicators.horizontal import find_horizontal, read_horizontal
from .labels import form_key, load_labels
from .project_fields import Found, collect_labels
from .project_stack import ANNUAL, is_umbrella_row, sheet_department_line, table_period
from .project_values import UNITLIKE_RE, lone_text, resolve_fields

__all__ = ["READER", "find_project_anchors", "read_projects"]

_TITLE_SUFFIX_RE = re.compile(r"(项目)?(支出)?(预算)?绩效目标(申报|批复|审核)?表(\(.*\))?$")
_NUMBERING_RE = re.compile(r"^\s*\d{1,3}\s*[、.．]\s*")


def _headers(sheet: Sheet, skip_rows: set[int]) -> list[TableHeader]:
    """The indicator-table headers of the sheet, in row order."""
    rows = load_labels().index(sheet).get("indicator_header", {})
    return [h for r in sorted(rows) if r not in skip_rows and (h := find_header(sheet, r)) is not None]


def find_project_anchors(sheet: Sheet, skip_rows: set[int]) -> list[int]:
    """Rows holding a 项目名称 label (exact, by its parts, or with its value inline), and
    the header rows of indicator tables no such label comes before (a table named by its
    title), in order. A header printed again after a page break (the previous table's header
    cell for cell, no title between: 内蒙古 续表) continues its table, no new form."""
    names = [r for r, hits in sorted(load_labels().index(sheet).get("project", {}).items())
             if r not in skip_rows and any(h.field == "name" and (r, c) not in sheet.consumed for c, h in hits)]
    anchors = list(names)
    prev: TableHeader | None = None
    for h in _headers(sheet, skip_rows):
        after = -1 if prev is None else prev.row
        if not any(after < n < h.row for n in names) and not (
                prev is not None and repeats_header(sheet, h.row, prev) and not _title_between(sheet, prev.row, h.row)
        ) and not (prev is not None and _other_period(sheet, prev, h)):
            anchors.append(h.row)
        prev = h
    return sorted(set(anchors))


def _other_period(sheet: Sheet, prev: TableHeader, header: TableHeader) -> bool:
    """*header* is the table of the other period of the project above (陕西: the 实施期 table,
    then the 年度 one, no 项目名称 between): both tables say their period and they differ."""
    first, second = table_period(sheet, prev, -1), table_period(sheet, header, prev.row)
    return first is not None and second is not None and first != second


def _title_between(sheet: Sheet, top: int, bottom: int) -> bool:
    """A form title on a row between *top* and *bottom* (邯郸: the next table's title)."""
    return any(is_title(v) for r in sheet.rows_between(top + 1, bottom) for _c, v in sheet.grid[r])


def _block_start(sheet: Sheet, anchor: int, floor: int) -> int:
    """Walk up from *anchor* over title / unit / department / lone-text rows and rows of
    project labels (部门(单位)名称 above 项目名称)."""
    r = anchor - 1
    rows = sheet.grid
    project = load_labels().index(sheet).get("project", {})
    while r >= floor:
        if r not in rows:  # jump to the next non-empty row above
            above = sheet.rows_between(floor, r)
            r = above[-1] if above else floor - 1
            continue
        cells = [v for c, v in rows[r] if (r, c) not in sheet.consumed]
        if is_umbrella_row(sheet, r):
            break  # the 一级项目 above its 二级项目: no row of theirs
        if (not cells or all(is_title(v) or is_unit_note(v) or department_line(v) or filed_by(v) for v in cells)
                or lone_text(sheet, r) or r in project or (r == anchor - 1 and _prose_row(cells))):
            r -= 1
            continue
        break
    return r + 1


def _prose_row(cells: list[object]) -> bool:
    """One or two long texts and nothing else: goal texts whose label the page lost."""
    return 0 < len(cells) <= 2 and all(isinstance(v, str) and len(v.strip()) >= 15 and not is_title(v) for v in cells)


def read_projects(sheet: Sheet, anchors: list[int], *, tax: Taxonomy, ctx: ParseContext, end: int
                  ) -> list[tuple[Project, range]]:
    """Read one project per anchor row; each block runs to the next block's first row.
    Returns each project with the rows its block spans."""
    starts = []
    floor = 0
    for a in anchors:
        starts.append(_block_start(sheet, a, floor))
        floor = a + 1
    out = []
    line = sheet_department_line(sheet, starts[0], ctx) if starts else None
    for i, a in enumerate(anchors):
        stop = starts[i + 1] if i + 1 < len(anchors) else end
        project, line = _read_block(sheet, starts[i], a, stop, tax=tax, ctx=ctx, line=line)
        out.append((project, range(starts[i], stop)))
    return out


def _boilerplate(sheet: Sheet, start: int, anchor: int, ctx: ParseContext
                 ) -> tuple[list[tuple[int, int, str]], tuple[int, int, str] | None, tuple[int, int, str] | None]:
    """Consume titles, unit notes and department lines above the anchor; return the lone
    text rows there (name candidates) as (row, col, text), the department line (Hebei
    ``315002乐亭县司法局`` above each table: the table's 主管部门) and the last title."""
    lone = []
    dept_line = None
    title = None
    for r in sheet.rows_between(start, anchor):
        for c, v in sheet.grid[r]:
            if (r, c) not in sheet.consumed and is_title(v):
                title = (r, c, str(v))
        consume_boilerplate(sheet, r, ctx)
        hit = lone_text(sheet, r)
        if hit is None:
            continue
        taken = take_department_line(sheet, r, ctx, exclude=UNITLIKE_RE)
        if taken is not None:
            dept_line = taken
        else:
            lone.append((r, hit[0], hit[1]))
    # a department line sharing its row with the unit note (" | 315002乐亭县司法局 | 单位：万元")
    for r in sheet.rows_between(start, anchor):
        taken = take_department_line(sheet, r, ctx, exclude=UNITLIKE_RE)
        if taken is not None:
            dept_line = taken
    return lone, dept_line, title


def _read_block(sheet: Sheet, start: int, anchor: int, stop: int, *, tax: Taxonomy, ctx: ParseContext,
                line: tuple[int, int, str] | None) -> tuple[Project, tuple[int, int, str] | None]:
    """One project block; *line* is the department line above it (a block above, or the sheet's),
    its 主管部门 where the block states none. Returns the project and the department line in
    force below it (the block's own, else *line*)."""
    header, header_row = _first_header(sheet, anchor, stop)
    lone_above, dept_line, title = _boilerplate(sheet, start, anchor, ctx)
    dept_line = dept_line or line
    proj = Project(sheet=sheet.name)
    # the labels from the block's first row: above the 项目名称 too (主管部门 first, 新疆), and above
    # a table named by its title (the other rows above are boilerplate, read by _boilerplate)
    labelled = load_labels().index(sheet).get("project", {})
    rows = [r for r in sheet.rows_between(start, anchor) if r in labelled] + sheet.rows_between(anchor, header_row)
    found = collect_labels(sheet, rows, header_row, ctx)
    table_end = stop if header is None else _label_block_after(sheet, header, stop)
    if table_end < stop:  # the labels printed after the table (黑龙江)
        found.absorb(collect_labels(sheet, sheet.rows_between(table_end, stop), stop, ctx))
    if "spending_plan" in found.label_cells:
        r, c = found.label_cells["spending_plan"]
        sheet.consumed.add((r, c))
        proj.spending_plan = _spending_plan(sheet, r, c)
    if "budget_and_use" in found.label_cells:
        r, c = found.label_cells["budget_and_use"]
        sheet.consumed.add((r, c))
        below = lone_text(sheet, r + 1) if r + 1 < header_row else None
        if below:
            found.raw.setdefault("fund_use", (r + 1, below[0], below[1]))
            sheet.consumed.add((r + 1, below[0]))
    raw = found.raw
    _filing_unit(sheet, found)
    if "competent_department" not in raw and "competent_department" not in found.label_cells and dept_line is not None:
        raw["competent_department"] = dept_line  # the form has no 主管部门 label: its department line
    _unit_as_department(sheet, found)
    if "name" not in raw and "name" not in found.label_cells and title is not None:
        _name_from_title(sheet, title, raw)
    if header_row == anchor and "performance_target" not in raw and "long_term_goal" not in raw:
        _unlabelled_goals(sheet, header_row, raw, ctx)
    resolve_fields(sheet, proj, found, lone_above, header_row, ctx)
    if header is not None:
        proj.indicators = read_indicator_table(sheet, header, table_end, tax=tax, ctx=ctx)
        _period_table(sheet, proj, header, table_end, stop, tax=tax, ctx=ctx)
    elif (across := find_horizontal(sheet, anchor, stop)) is not None:  # 一级 / 二级 / 三级 / 指标值 rows (云南)
        proj.indicators = read_horizontal(sheet, across, tax=tax, ctx=ctx)
    return proj, dept_line


def _filing_unit(sheet: Sheet, found: Found) -> None:
    """The unit that files the form (申报单位, 单位名称) is its 主管部门 where no 主管部门 label is
    written; beside one, the label and its value are left to the unmapped report."""
    if "filing_unit" not in found.raw:
        return
    r, c, value = found.raw.pop("filing_unit")
    label = found.label_cells.pop("filing_unit")
    if "competent_department" in found.raw or "competent_department" in found.label_cells:
        sheet.consumed.difference_update({(r, c), label})
        return
    found.raw["competent_department"] = (r, c, value)
    found.label_cells["competent_department"] = label


def _unit_as_department(sheet: Sheet, found: Found) -> None:
    """A form with no 主管部门 label, no filing unit and no department line names its department by
    the project's own unit (项目单位, 甘肃 基建: labels.toml [boilerplate] department_units); it
    stays the ``implementing_unit`` too."""
    if "competent_department" in found.raw or "competent_department" in found.label_cells \
            or "implementing_unit" not in found.raw:
        return
    label = found.label_cells["implementing_unit"]
    key = re.sub(r"\(.*\)$", "", form_key(str(sheet.cells.get(label, "")))).rstrip(":")
    if key in _department_units():
        found.raw["competent_department"] = found.raw["implementing_unit"]
        found.label_cells["competent_department"] = label


@lru_cache(maxsize=1)
def _department_units() -> frozenset[str]:
    return frozenset(form_key(w) for w in load_data("labels.toml")["boilerplate"]["department_units"])


def _period_table(sheet: Sheet, proj: Project, header: TableHeader, table_end: int, stop: int, *, tax: Taxonomy,
                  ctx: ParseContext) -> None:
    """The table of the block's other period under its first one (陕西: 实施期 then 年度, each
    with its goal): the 年度 values are the targets, the period's values of the same 三级 their
    ``period_target`` (:func:`~xlperf.forms.indicators.merge_period_table`)."""
    other, _row = _first_header(sheet, table_end, stop)
    if other is None:
        return
    first, second = table_period(sheet, header, -1), table_period(sheet, other, header.last_row)
    if first is None or second is None or first == second:
        return
    more = read_indicator_table(sheet, other, _label_block_after(sheet, other, stop), tax=tax, ctx=ctx)
    annual, period = (proj.indicators, more) if first == ANNUAL else (more, proj.indicators)
    proj.indicators = merge_period_table(annual, period)


def _label_block_after(sheet: Sheet, header: TableHeader, stop: int) -> int:
    """The row a label block printed after the indicator table starts at (黑龙江 prints the table
    first, then 项目基本情况 / 主管部门 / 项目资金 / 年度绩效目标): the first row under the table
    whose first cell, in the table's first column or left of it, is a project label; *stop*
    when there is none (the table runs to the end of the block)."""
    index = load_labels().index(sheet).get("project", {})
    under = sorted(r for r in index if header.last_row < r < stop)  # most tables: no label under them
    first = min([*header.cols.values(), *([] if header.block is None else [header.block])])
    for r in under:
        c0, v0 = sheet.grid[r][0]
        if c0 <= first and any(c == c0 for c, _h in index[r]) and not is_signature(v0):
            return r  # (项目单位（盖章）is a place to stamp, no label)
    return stop


def _unlabelled_goals(sheet: Sheet, header_row: int, raw: dict[str, tuple[int, int, object]],
                      ctx: ParseContext) -> None:
    """Goal texts on the row above a table, their label lost with the page (东莞 批复表):
    one text is the goal; two side by side are the period goal (left) and the year's
    (right), as the blocks of the table below are ordered; reported ``goal-unlabelled``."""
    above = sheet.rows_between(0, header_row)
    if not above:
        return
    r = above[-1]
    cells = [(c, v) for c, v in sheet.grid[r] if (r, c) not in sheet.consumed]
    if not _prose_row([v for _c, v in cells]):
        return
    fields = ("performance_target",) if len(cells) == 1 else ("long_term_goal", "performance_target")
    for fld, (c, v) in zip(fields, cells):
        raw[fld] = (r, c, v)
        sheet.consumed.add((r, c))
    ctx.findings.append(finding("goal-unlabelled", sheet=sheet.name, cell=cell_name(r, cells[-1][0])))


def _first_header(sheet: Sheet, anchor: int, stop: int) -> tuple[TableHeader | None, int]:
    header_rows = load_labels().index(sheet).get("indicator_header", {})
    for r in sheet.rows_between(anchor, stop):
        if r in header_rows and (header := find_header(sheet, r)) is not None:
            return header, r
    return None, stop


def _name_from_title(sheet: Sheet, title: tuple[int, int, str], raw: dict[str, tuple[int, int, object]]) -> None:
    """A table without a 项目名称 label is named by its title: ``1、<name>绩效目标表`` gives
    <name>; ``<unit>_<name>项目支出绩效目标批复表`` gives <name>, <unit> its 实施单位."""
    r, c, text = title
    text = _NUMBERING_RE.sub("", text).strip()
    cut = next((i for i in range(len(text))  # at a character, not inside the page's pinyin noise
                if "\u4e00" <= text[i] <= "\u9fff" and _TITLE_SUFFIX_RE.fullmatch(form_key(text[i:]))), None)
    name = text[:cut].strip() if cut else ""
    if not name:
        return
    unit, sep, rest = name.partition("_")
    if sep and rest and department_line(unit):
        raw.setdefault("implementing_unit", (r, c, unit.strip()))
        name = rest.strip()
    raw["name"] = (r, c, name)


def _spending_plan(sheet: Sheet, r: int, c: int) -> list[SpendingCheckpoint]:
    """资金支出计划: checkpoint headers right of the label, cumulative % on the next row."""
    plan = []
    below = dict(sheet.grid.get(r + 1, ()))
    for cc, v in sheet.grid.get(r, ()):
        if cc <= c or not isinstance(v, str) or not re.search(r"月|季度|年底", v):
            continue
        sheet.consumed.add((r, cc))
        raw = below.get(cc)
        pct = None
        if raw is not None:
            sheet.consumed.add((r + 1, cc))
            pct = percent(raw, fraction_upto=1.0)
        plan.append(SpendingCheckpoint(checkpoint=v.strip(), cumulative_percent=pct,
                                       raw=None if raw is None else format_value(raw)))
    if all(cp.raw is None for cp in plan):
        return []  # the checkpoint headers alone (an unfilled template): no plan
    return plan


def _blank(p: Project) -> bool:
    """An empty project form (a spare sheet of the template): labels only, no values."""
    return not (p.name or p.code or p.annual_amount is not None or p.annual_amount_text or p.performance_target
                or p.competent_department or p.implementing_unit or p.fund_use
                or any(i.name or (i.target and i.target.raw) for i in p.indicators))


def _recognise(sheet: Sheet, owned: set[int]) -> Recognition | None:
    """Project forms: confident with a 项目名称 label (more with each other project label
    of its block), less for a table named only by its title."""
    anchors = find_project_anchors(sheet, owned)
    if not anchors:
        return None
    index = load_labels().index(sheet).get("project", {})
    fields = {h.field for r, hits in index.items() if r not in owned for _c, h in hits}
    named = "name" in fields
    if not named and is_department_sheet(sheet, owned):
        return None  # the department's own form: its table is the department's (department.py)
    score = min(1.0, (0.6 if named else 0.5) + 0.05 * len(fields))
    return Recognition(score, anchors)


def _read_into(sheet: Sheet, anchors: list[int], run: FormRun) -> set[int]:
    """Every project form from the anchors to the end of the sheet; empty ones (spare
    template sheets) are dropped, their labels stay consumed. Owns the blocks' rows."""
    projects = read_projects(sheet, anchors, tax=run.tax, ctx=run.ctx, end=max(sheet.grid) + 1)
    run.out.projects.extend(p for p, _rows in projects if not _blank(p))
    return {r for _p, rows in projects for r in sheet.rows_between(rows.start, rows.stop)}


READER = FormReader("project", recognise=_recognise, read=_read_into)
