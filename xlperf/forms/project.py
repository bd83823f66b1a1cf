"""Read project forms (项目支出绩效目标表): the label/value block and its indicator table.

Layouts read (all found by labels, several per sheet or one per sheet):

* the Ningxia three-tier sheet (seed 000 彭阳, 002 红寺堡) and the xlperf template;
* the Hebei variant (seed 001 乐亭): 项目编码, 预算规模及资金用途 with 预算数 / 其中：财政资金 /
  其他资金 and the 资金用途 text on the next row, 资金支出计划（%）with checkpoint headers
  and values on the next row, a numbered 绩效目标 text.

Seed 002 shifts are read where certain and reported otherwise: a project name on the
row above (or below) its label while the label's value cell holds the department
(``project-name-shifted``); a value written on the row below its label
(``value-below-label``); a value that does not fit its label (``value-implausible``);
labels in a row with no values beside them (``layout-ambiguous``).
"""

from __future__ import annotations

import datetime as _dt
import re

from ..cellref import cell_name
from ..findings import finding
from ..model import Project, SpendingCheckpoint
from ..readers.grid import Sheet, format_value
from ..taxonomy import Taxonomy
from ..text import strip_markup
from .base import FormReader, FormRun
from .common import (
    ParseContext,
    consume_boilerplate,
    department_line,
    is_title,
    is_unit_note,
    is_unit_note_or_title,
    percent,
    read_amount,
    take_department_line,
)
from .indicators import find_header, read_table
from .labels import LabelHit, load_labels

__all__ = ["READER", "find_project_anchors", "read_projects"]

_TEXT_FIELDS = ("name", "code", "competent_department", "implementing_unit", "attribute", "duration",
                "supervising_office", "category", "fund_use", "performance_target")
_AMOUNT_FIELDS = ("annual_amount", "fiscal_funds", "special_account_funds", "other_funds")
# the standard wording of each field's label, for messages (labels.toml [project], first word)
_LABEL = {f: w for f, w in load_labels().standard["project"].items() if f in _TEXT_FIELDS + _AMOUNT_FIELDS}
# What a value must look like to be read under its label (else reported, not assigned).
_PLAUSIBLE: dict[str, tuple[re.Pattern[str], str]] = {
    "attribute": (re.compile(r"^\d{2,4}\s*-|项目"), "项目属性（如 0101-一年期项目）"),
    "duration": (re.compile(r"\d\s*(年|个月|月|天)|^(一|二|三|四|五|十)?年"), "项目期限（如 1年）"),
    "supervising_office": (re.compile(r"(股|处|科|室|办|组)$"), "主管处室（如 02-预算股）"),
}
_UNITLIKE_RE = re.compile(r"^\d{2,}\s*-.*(局|委|办|院|中心|政府)(本级)?$")


def find_project_anchors(sheet: Sheet, skip_rows: set[int]) -> list[int]:
    """Rows holding a 项目名称 label (exact or with its value inline), in order."""
    anchors = []
    for r, hits in sorted(load_labels().index(sheet).get("project", {}).items()):
        if r not in skip_rows and any(h.field == "name" and (r, c) not in sheet.consumed for c, h in hits):
            anchors.append(r)
    return anchors


def _lone_text(sheet: Sheet, r: int) -> tuple[int, str] | None:
    """The single text cell of row *r* when it has exactly one that is not boilerplate
    nor a label (a candidate project name displaced from its label)."""
    labels = load_labels()
    cells = [(c, v) for c, v in sheet.grid.get(r, ()) if (r, c) not in sheet.consumed and not is_unit_note(v)]
    if len(cells) != 1 or not isinstance(cells[0][1], str):
        return None
    c, v = cells[0]
    if is_title(v) or labels.match("project", v) or labels.match("indicator_header", v, inline=False):
        return None
    return c, v


def _block_start(sheet: Sheet, anchor: int, floor: int) -> int:
    """Walk up from *anchor* over title / unit / department / lone-text rows."""
    r = anchor - 1
    rows = sheet.grid
    while r >= floor:
        if r not in rows:  # jump to the next non-empty row above
            above = sheet.rows_between(floor, r)
            r = above[-1] if above else floor - 1
            continue
        cells = [v for c, v in rows[r] if (r, c) not in sheet.consumed]
        if not cells or all(is_title(v) or is_unit_note(v) or department_line(v) for v in cells) or _lone_text(sheet, r):
            r -= 1
            continue
        break
    return r + 1


def read_projects(sheet: Sheet, anchors: list[int], *, tax: Taxonomy, ctx: ParseContext, end: int) -> list[Project]:
    """Read one project per anchor row; each block runs to the next block's first row."""
    starts = []
    floor = 0
    for a in anchors:
        starts.append(_block_start(sheet, a, floor))
        floor = a + 1
    projects = []
    for i, a in enumerate(anchors):
        stop = starts[i + 1] if i + 1 < len(anchors) else end
        projects.append(_read_block(sheet, starts[i], a, stop, tax=tax, ctx=ctx))
    return projects


def _boilerplate(sheet: Sheet, start: int, anchor: int, ctx: ParseContext
                 ) -> tuple[list[tuple[int, int, str]], tuple[int, int, str] | None]:
    """Consume titles, unit notes and department lines above the anchor; return the
    lone text rows there (name candidates) as (row, col, text), and the department line
    (Hebei ``315002乐亭县司法局`` above each table: the table's 主管部门) if any."""
    lone = []
    dept_line = None
    for r in sheet.rows_between(start, anchor):
        consume_boilerplate(sheet, r, ctx)
        hit = _lone_text(sheet, r)
        if hit is None:
            continue
        taken = take_department_line(sheet, r, ctx, exclude=_UNITLIKE_RE)
        if taken is not None:
            dept_line = taken
        else:
            lone.append((r, hit[0], hit[1]))
    # a department line sharing its row with the unit note (" | 315002乐亭县司法局 | 单位：万元")
    for r in sheet.rows_between(start, anchor):
        taken = take_department_line(sheet, r, ctx, exclude=_UNITLIKE_RE)
        if taken is not None:
            dept_line = taken
    return lone, dept_line


def _value_right(sheet: Sheet, r: int, span_end: int, row_hits: dict[int, LabelHit]) -> tuple[int, object] | None:
    """First non-empty, unconsumed, non-label cell of row *r* right of *span_end* (its
    label's cell or merged range) before the next label
    (*row_hits*: the project labels of row *r*, column -> hit)."""
    for cc, v in sheet.grid.get(r, ()):
        if cc <= span_end or (r, cc) in sheet.consumed:
            continue
        if cc in row_hits or is_unit_note(v):
            return None
        return cc, v
    return None


def _next_is_label(sheet: Sheet, r: int, c: int) -> bool:
    """True when the next non-empty cell right of (r, c) is another label."""
    nxt = next(((cc, v) for cc, v in sheet.grid.get(r, ()) if cc > c), None)
    return nxt is not None and load_labels().match("project", nxt[1]) is not None


def _read_block(sheet: Sheet, start: int, anchor: int, stop: int, *, tax: Taxonomy, ctx: ParseContext) -> Project:
    labels = load_labels()
    lone_above, dept_line = _boilerplate(sheet, start, anchor, ctx)
    proj = Project(sheet=sheet.name)
    header = None
    header_row = stop
    index = labels.index(sheet)
    header_rows = index.get("indicator_header", {})
    for r in sheet.rows_between(anchor, stop):
        if r not in header_rows:
            continue  # no 一级指标 / 二级指标 / 三级指标 label on the row: no header there
        header = find_header(sheet, r)
        if header:
            header_row = r
            break
    raw: dict[str, tuple[int, int, object]] = {}
    label_cells: dict[str, tuple[int, int]] = {}
    project_labels = index.get("project", {})  # what labels.match("project", v) says, per cell
    for r in sheet.rows_between(anchor, header_row):
        cells = sheet.grid.get(r, ())
        row_hits = dict(project_labels.get(r, ()))
        hits: list[tuple[int, LabelHit]] = []
        for c, v in cells:
            if (r, c) in sheet.consumed:
                continue
            hit = row_hits.get(c)
            if hit:
                hits.append((c, hit))
            elif is_unit_note_or_title(v):
                sheet.consumed.add((r, c))
        if len(hits) >= 3 and all(_next_is_label(sheet, r, c) for c, _h in hits[:-1]):
            ctx.findings.append(finding("layout-ambiguous", sheet=sheet.name, cell=cell_name(r, hits[0][0]),
                                        params={"detail": "、".join(f"“{_LABEL.get(h.field, h.label)}”" for _c, h in hits)
                                                + "等栏目连续排列，填写内容不在各自右侧"}))
        for c, hit in hits:
            sheet.consumed.add((r, c))
            label_cells.setdefault(hit.field, (r, c))
            if hit.field == "spending_plan":
                proj.spending_plan = _spending_plan(sheet, r, c)
                continue
            if hit.field == "budget_and_use":
                below = _lone_text(sheet, r + 1) if r + 1 < header_row else None
                if below:
                    raw.setdefault("fund_use", (r + 1, below[0], below[1]))
                    sheet.consumed.add((r + 1, below[0]))
                continue
            if hit.inline is not None:
                raw.setdefault(hit.field, (r, c, hit.inline))
                continue
            span = sheet.merged_span(r, c)
            val = _value_right(sheet, r, span[3] if span else c, row_hits)
            if val is not None:
                raw.setdefault(hit.field, (r, val[0], val[1]))
                sheet.consumed.add((r, val[0]))
    if "competent_department" not in raw and "competent_department" not in label_cells and dept_line is not None:
        raw["competent_department"] = dept_line  # the form has no 主管部门 label: its department line
    _resolve_fields(sheet, proj, raw, label_cells, lone_above, header_row, ctx)
    if header is not None:
        proj.indicators = read_table(sheet, header, stop, tax=tax, ctx=ctx)
    return proj


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


def _resolve_fields(sheet: Sheet, proj: Project, raw: dict[str, tuple[int, int, object]],
                    label_cells: dict[str, tuple[int, int]], lone_above: list[tuple[int, int, str]],
                    header_row: int, ctx: ParseContext) -> None:
    """Check each raw value against its label, handle the seed-002 shifts, set fields."""
    # a value written below its label (年度总体绩效目标 with the text on the next row)
    for fld in ("performance_target", "name"):
        if fld not in raw and fld in label_cells:
            lr, lc = label_cells[fld]
            below = _lone_text(sheet, lr + 1) if lr + 1 < header_row else None
            if below and (fld != "name" or not lone_above):
                raw[fld] = (lr + 1, below[0], below[1])
                sheet.consumed.add((lr + 1, below[0]))
                if fld != "name":
                    ctx.findings.append(finding("value-below-label", sheet=sheet.name, cell=cell_name(lr + 1, below[0]),
                                                params={"label": _LABEL[fld]}))
                else:
                    ctx.findings.append(finding("project-name-shifted", sheet=sheet.name, cell=cell_name(lr + 1, below[0]),
                                                text=below[1], params={"found": "（空）"}))
                    raw["_name_shifted"] = raw[fld]
    # the project name on the row above its label, the label's cell holding a unit
    name = raw.get("name")
    name_text = format_value(name[2]) if name else ""
    if "_name_shifted" not in raw and (name is None or _UNITLIKE_RE.match(name_text)) and lone_above:
        r, c, text = lone_above[-1]
        sheet.consumed.add((r, c))
        ctx.findings.append(finding("project-name-shifted", sheet=sheet.name, cell=cell_name(r, c), text=text,
                                    params={"found": name_text or "（空）"}))
        if name is not None and "competent_department" not in raw:
            raw["competent_department"] = name
        elif name is not None:
            sheet.consumed.discard((name[0], name[1]))  # the displaced value stays reported
        raw["name"] = (r, c, text)
    raw.pop("_name_shifted", None)
    _set_fields(sheet, proj, raw, label_cells, ctx)


def _set_fields(sheet: Sheet, proj: Project, raw: dict[str, tuple[int, int, object]],
                label_cells: dict[str, tuple[int, int]], ctx: ParseContext) -> None:
    """Set each field from its raw value (amounts in 万元; a text Excel turned into a
    date, or one that does not fit its label, reported) and record the label cells."""
    for fld, (r, c, value) in raw.items():
        ref = sheet.ref(r, c)
        if fld in _AMOUNT_FIELDS:
            amount = read_amount(sheet, r, c, value, label=_LABEL[fld], ctx=ctx, text_ok=label_cells.get(fld) == (r, c))
            if amount is not None:
                setattr(proj, fld, amount)
            if fld == "annual_amount":
                proj.annual_amount_text = format_value(value)
            proj.cells[fld] = ref
            continue
        text = format_value(value).strip()
        if isinstance(value, (_dt.date, _dt.time)) and fld in _TEXT_FIELDS:  # Excel turned the typed text into a date
            ctx.findings.append(finding("date-where-text-expected", sheet=sheet.name, cell=cell_name(r, c),
                                        params={"label": _LABEL[fld], "date": text}))
            setattr(proj, fld, text)
            proj.cells[fld] = ref
            continue
        if fld in _PLAUSIBLE and not _PLAUSIBLE[fld][0].search(text):
            sheet.consumed.discard((r, c))
            ctx.findings.append(finding("value-implausible", sheet=sheet.name, cell=cell_name(r, c), text=text,
                                        params={"label": _LABEL[fld], "expected": _PLAUSIBLE[fld][1]}))
            continue
        if fld == "performance_target":
            text = strip_markup(text)
        if fld in _TEXT_FIELDS:
            setattr(proj, fld, text)
            proj.cells[fld] = ref
    for fld, (r, c) in label_cells.items():
        proj.cells.setdefault(f"{fld}_label", sheet.ref(r, c))


def _blank(p: Project) -> bool:
    """An empty project form (a spare sheet of the template): labels only, no values."""
    return not (p.name or p.code or p.annual_amount is not None or p.annual_amount_text or p.performance_target
                or p.competent_department or p.implementing_unit or p.fund_use
                or any(i.name or (i.target and i.target.raw) for i in p.indicators))


def _find(sheet: Sheet, owned: set[int]) -> list[int] | None:
    return find_project_anchors(sheet, owned) or None


def _read_into(sheet: Sheet, anchors: list[int], run: FormRun) -> set[int]:
    """Every project form from the anchors to the end of the sheet; empty ones (spare
    template sheets) are dropped, their labels stay consumed."""
    projects = read_projects(sheet, anchors, tax=run.tax, ctx=run.ctx, end=max(sheet.grid) + 1)
    run.out.projects.extend(p for p in projects if not _blank(p))
    return set()


READER = FormReader("project", find=_find, read=_read_into)
