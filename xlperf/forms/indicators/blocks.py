"""Side-by-side blocks of one indicator table (二级 / 三级 / 指标值 written twice): a 中期
or 长期 block beside the 年度 one, read as one list of indicators (docs/forms.md
"Side-by-side blocks").

The 年度 block's value is the ``target``; the other block's value of the same 三级 is its
``period_target``; a 三级 only in the other block has a ``period_target`` and no target.
Which block is which comes from the header (中期 / 长期 / 实施周期 words); where the header
does not say, the left block is the period and the right the year, as every form seen
orders them (安徽 中期 | 年度, 广东 东莞 批复表, 广东 增城 实施周期 then 年度), reported
``target-columns-assumed``. A 年度 block with no value at all while the other has values
(a one-year project filling only the left half, 安徽 太和) gives its values as the targets,
reported ``target-from-period-columns``.
"""

from __future__ import annotations

from ...cellref import cell_name
from ...findings import finding
from ...model import Indicator
from ...readers.grid import Sheet
from ...taxonomy import Taxonomy
from ...text import label_key
from ..common import ParseContext
from .header import TableHeader, split_blocks
from .table import read_table

__all__ = ["merge_period_table", "read_indicator_table"]


def read_indicator_table(sheet: Sheet, header: TableHeader, end_row: int, *, tax: Taxonomy, ctx: ParseContext,
                         department: bool = False, first_row: int | None = None) -> list[Indicator]:
    """The indicators of *header*'s table (one block, or side-by-side blocks merged),
    rows from *first_row* (default: under the header) up to *end_row*; see
    :func:`~xlperf.forms.indicators.table.read_table`."""
    blocks = split_blocks(header)
    if len(blocks) == 1:
        return read_table(sheet, header, end_row, tax=tax, ctx=ctx, department=department, first_row=first_row)
    left, right = blocks
    left_period = "period_target" in left.cols or "period_target" not in right.cols
    period_h, annual_h = (left, right) if left_period else (right, left)
    if "period_target" not in period_h.cols and "period_target" not in annual_h.cols:
        tc = annual_h.cols.get("target", annual_h.cols["name"])
        ctx.findings.append(finding("target-columns-assumed", sheet=sheet.name, cell=cell_name(header.row, tc)))
    period = [_as_period(i) for i in read_table(sheet, period_h, end_row, tax=tax, ctx=ctx, department=department,
                                                first_row=first_row)]
    annual = read_table(sheet, annual_h, end_row, tax=tax, ctx=ctx, department=department, first_row=first_row)
    if not any(_has_value(i.target) for i in annual) and any(_has_value(i.period_target) for i in period):
        tc = annual_h.cols.get("target", annual_h.cols["name"])
        ctx.findings.append(finding("target-from-period-columns", sheet=sheet.name, cell=cell_name(header.row, tc)))
        names = {label_key(i.name or "") for i in period}
        return [i.model_copy(update={"target": i.period_target, "period_target": None}) for i in period] + \
            [i for i in annual if label_key(i.name or "") not in names]
    return _merge(annual, period)


def _as_period(ind: Indicator) -> Indicator:
    """A period block's indicator: its value is the period target."""
    if ind.period_target is not None or ind.target is None:
        return ind
    return ind.model_copy(update={"period_target": ind.target, "target": None})


def _has_value(target: object) -> bool:
    return target is not None and bool(getattr(target, "raw", "").strip())


def merge_period_table(annual: list[Indicator], period: list[Indicator]) -> list[Indicator]:
    """Two tables of one project, one per period (陕西: the 实施期 table above the 年度 one): the
    年度 indicators, each with the period value of the same 三级 as its ``period_target``, then
    the 三级 only the period table has (``period_target`` and no target)."""
    return _merge(annual, [_as_period(i) for i in period])


def _merge(annual: list[Indicator], period: list[Indicator]) -> list[Indicator]:
    """The 年度 indicators with the period value of the same 三级, then the 三级 only the
    period block has."""
    by_name = {label_key(i.name or ""): i for i in annual if i.name}
    out = list(annual)
    for p in period:
        a = by_name.get(label_key(p.name or ""))
        if a is not None and a.period_target is None:
            a.period_target = p.period_target
        else:
            out.append(p)
    return out
