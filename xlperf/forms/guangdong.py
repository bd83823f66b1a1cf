"""The Guangdong summary table (项目支出绩效目标表(含转移支付项目), seed 003 增城).

One header row: 项目名称(含使用单位) | 总计 | 财政拨款 | 行政专户拨款 | 其他资金 | 绩效目标 |
绩效指标. Below it: a 合计 row, unit rows (增城区司法局, 广州市增城区法律援助中心…:
a name and amounts, no 绩效目标 nor 绩效指标) and project rows under them, each with its
indicators packed into the 绩效指标 cell (:mod:`xlperf.forms.packed`). Amounts in 万元.
The 合计 and unit rows are recorded with the projects they total, for the review to
check (``summary-total-mismatch``).
"""

from __future__ import annotations

from decimal import Decimal

from ..cellref import CellRef, cell_name
from ..facts import StatedTotal
from ..findings import finding
from ..model import Indicator, Project
from ..readers.grid import Sheet, format_value
from ..targets import parse_target
from ..taxonomy import Taxonomy
from ..text import label_key, strip_markup
from .base import FormReader, FormRun, Recognition
from .common import ParseContext, department_above, read_amount
from .indicators import LevelCarry, level_fields, report_levels
from .labels import load_labels
from .packed import parse_packed

__all__ = ["READER", "find_summary_header", "read_summary"]

_AMOUNTS = ("annual_amount", "fiscal_funds", "special_account_funds", "other_funds")


def find_summary_header(sheet: Sheet, owned: set[int]) -> int | None:
    """The row holding 项目名称(含使用单位), 总计 and 绩效指标, if any."""
    for r, hits in sorted(load_labels().index(sheet).get("guangdong_header", {}).items()):
        fields = {hit.field for _c, hit in hits if hit.inline is None}
        if r not in owned and {"name", "annual_amount", "indicators"} <= fields:
            return r
    return None


def read_summary(sheet: Sheet, header: int, *, tax: Taxonomy, ctx: ParseContext) -> tuple[list[Project], set[int]]:
    """Read the summary table under *header*. Returns projects and the rows owned."""
    labels = load_labels()
    cols: dict[str, int] = {}
    for c, v in sheet.grid[header]:
        hit = labels.match("guangdong_header", v, inline=False)
        if hit and hit.field not in cols:
            cols[hit.field] = c
            sheet.consumed.add((header, c))
    dept = department_above(sheet, header, ctx)
    projects: list[Project] = []
    units: list[tuple[str, Decimal | None, CellRef, list[Project]]] = []
    grand: tuple[Decimal | None, CellRef] | None = None
    rows = sorted(r for r in sheet.grid if r > header)
    for r in rows:
        row = {c: v for c, v in sheet.grid[r] if (r, c) not in sheet.consumed}
        name = row.get(cols["name"])
        if not isinstance(name, str) or not name.strip():
            continue
        name = name.strip()
        amounts = {}
        for fld in _AMOUNTS:
            if fld in cols and cols[fld] in row:
                amounts[fld] = (cols[fld], row[cols[fld]])
        goal = row.get(cols.get("performance_target", -1))
        packed = row.get(cols.get("indicators", -1))
        where = CellRef(sheet.name, r, cols["name"])
        if label_key(name) in ("合计", "总计"):
            grand = (_take(sheet, r, cols["name"], amounts, label=name, ctx=ctx), where)
            continue
        if goal in (None, "") and packed in (None, ""):
            units.append((name, _take(sheet, r, cols["name"], amounts, label=f"{name}（总计）", ctx=ctx), where, []))
            continue
        proj = Project(name=name, sheet=sheet.name, implementing_unit=units[-1][0] if units else None,
                       competent_department=dept[0] if dept else None)
        _read_project(sheet, r, cols, proj, dept, amounts, goal, packed, tax=tax, ctx=ctx)
        projects.append(proj)
        if units:
            units[-1][3].append(proj)
    _state_totals(projects, units, grand, ctx)
    return projects, set(rows) | {header}


def _read_project(sheet: Sheet, r: int, cols: dict[str, int], proj: Project, dept: tuple[str, str] | None,
                  amounts: dict[str, tuple[int, object]], goal: object, packed: object, *, tax: Taxonomy,
                  ctx: ParseContext) -> None:
    """A project row: its name, amounts (万元, under the column's label), 绩效目标 and
    packed 绩效指标, each cell consumed and recorded (the department line above the
    table, *dept*, recorded as its 主管部门's cell)."""
    labels = load_labels()
    proj.cells["name"] = sheet.ref(r, cols["name"])
    if dept:
        proj.cells["competent_department"] = dept[1]
    sheet.consumed.add((r, cols["name"]))
    for fld, (c, v) in amounts.items():
        sheet.consumed.add((r, c))
        proj.cells[fld] = sheet.ref(r, c)
        amount = read_amount(sheet, r, c, v, label=labels.standard["guangdong_header"][fld], ctx=ctx)
        if amount is not None:
            setattr(proj, fld, amount)
        if fld == "annual_amount":
            proj.annual_amount_text = format_value(v)
    if isinstance(goal, str) and goal.strip():
        proj.performance_target = strip_markup(goal.strip())
        proj.cells["performance_target"] = sheet.ref(r, cols["performance_target"])
        sheet.consumed.add((r, cols["performance_target"]))
    if isinstance(packed, str) and packed.strip():
        c = cols["indicators"]
        sheet.consumed.add((r, c))
        proj.indicators = _indicators(sheet, r, c, packed, tax=tax, ctx=ctx)


def _take(sheet: Sheet, r: int, name_col: int, amounts: dict[str, tuple[int, object]], *, label: str,
          ctx: ParseContext) -> Decimal | None:
    """Consume a 合计 or unit row (its name and amounts); return its 总计, read with
    :func:`read_amount` (*label*: the row's name; a number stored as text is read
    without a note there, as these rows have always been read)."""
    sheet.consumed.add((r, name_col))
    for c, _v in amounts.values():
        sheet.consumed.add((r, c))
    if "annual_amount" not in amounts:
        return None
    c, v = amounts["annual_amount"]
    return read_amount(sheet, r, c, v, label=label, ctx=ctx, text_ok=True)


def _indicators(sheet: Sheet, r: int, c: int, text: str, *, tax: Taxonomy, ctx: ParseContext) -> list[Indicator]:
    ref = sheet.ref(r, c)
    out = []
    for item in parse_packed(text, tax=tax):
        l1 = LevelCarry(item.level1_text, item.level1, ref)
        l2 = LevelCarry(item.level2_text, item.level2, ref)
        ind = Indicator(
            name=item.name, description=item.description, raw_text=item.raw, source=ref,
            level1_text=item.level1_text, level2_text=item.level2_text,
            level1_source=ref if item.level1_text else None, level2_source=ref if item.level2_text else None,
            target=parse_target(item.annual_target, source=ref) if item.annual_target else None,
            period_target=parse_target(item.period_target, source=ref) if item.period_target else None,
            **level_fields(l1, l2, tax=tax, department=False),
        )
        report_levels(l1, l2, sheet_name=sheet.name, ctx=ctx)
        if not item.parsed or (item.annual_target is None and item.period_target is None and item.description):
            ctx.findings.append(finding("packed-indicator-unparsed", sheet=sheet.name, cell=cell_name(r, c), text=item.raw))
        out.append(ind)
    return out


def _state_totals(projects: list[Project], units: list[tuple[str, Decimal | None, CellRef, list[Project]]],
                  grand: tuple[Decimal | None, CellRef] | None, ctx: ParseContext) -> None:
    """Record what the table states for the review (``summary-total-mismatch``, see
    :mod:`xlperf.review.summary`): the 合计 over every project, each unit row over the
    projects under it (the first unit may instead equal the 合计: the department row
    totalling every unit below it)."""
    if grand is not None and grand[0] is not None and projects:
        ctx.stated_totals.append(StatedTotal("合计", grand[0], grand[1], tuple(projects)))
    for i, (name, amount, where, ps) in enumerate(units):
        if amount is None or not ps:
            continue
        also = grand[0] if i == 0 and grand is not None else None
        ctx.stated_totals.append(StatedTotal(name, amount, where, tuple(ps), also_accepted=also))


def _read_into(sheet: Sheet, header: int, run: FormRun) -> set[int]:
    projects, rows = read_summary(sheet, header, tax=run.tax, ctx=run.ctx)
    run.out.projects.extend(projects)
    return rows


def _recognise(sheet: Sheet, owned: set[int]) -> Recognition | None:
    """The summary header names every column of the table: certain when found."""
    header = find_summary_header(sheet, owned)
    return None if header is None else Recognition(1.0, header)


READER = FormReader("guangdong-summary", recognise=_recognise, read=_read_into)
