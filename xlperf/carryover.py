"""``xlperf template --from LAST.xlsx --year N``: next year's template pre-filled from last
year's submission, so the clerk revises instead of retyping (docs/review-loop.md).

Last year's workbook is read exactly as ``xlperf import`` reads it (any layout import
knows), then :func:`carry_forward` turns the submission into next year's:

* the same projects and indicators, every value in place (names, amounts in 万元,
  targets, 年度总体绩效目标 …), marked in the workbook as last year's until changed;
* the department form's 近两年 columns shifted by year: a 收入构成 / 支出构成 row's
  amount of year *y* is last year's 当年金额 when *y* is last year, else last year's
  column of *y*; a 年度绩效指标's 前年 / 上年 likewise from last year's 前年, 上年 and
  预期当年实现值. These are history, so they are written but not marked;
* the budget year set, the fill date left empty (the clerk's new one), region,
  department, 填报人 and 联系电话 kept (not marked).

The template is then written by :func:`xlperf.writers.template.write_workbook` with
``last_year`` set: the marks and the hidden ``_上年值`` sheet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .importer import ImportResult, import_workbook
from .model import CompositionRow, DepartmentPlan, Finding, Indicator, Submission, Target
from .writers.template import write_workbook

__all__ = ["CarryOutcome", "carry_forward", "write_carried_template"]


def _shift_amounts(row: CompositionRow, last: int, years: list[int]) -> CompositionRow:
    """*row* with its 近两年 amounts those of *years*, from last year's row (its 当年金额 is year *last*)."""
    def amount(y: int):  # noqa: ANN202 - Decimal | None
        if y == last:
            return row.current_amount
        return next((v for k, v in row.previous_amounts.items() if str(y) in k), None)

    return row.model_copy(update={"previous_amounts": {str(y): amount(y) for y in years if amount(y) is not None}})


def _shift_values(ind: Indicator, last: int, year: int) -> Indicator:
    """A 年度绩效指标 with 前年 / 上年 of *year* from last year's 前年, 上年 and 当年."""
    known: dict[int, Target | None] = {last - 2: ind.value_two_years_ago, last - 1: ind.value_last_year, last: ind.target}
    return ind.model_copy(update={"value_two_years_ago": known.get(year - 2), "value_last_year": known.get(year - 1)})


def _plan(plan: DepartmentPlan, last: int, year: int) -> DepartmentPlan:
    years = [year - 2, year - 1]
    rows = {name: [_shift_amounts(r, last, years) for r in getattr(plan, name)] for name in ("revenue", "expenditure")}
    totals = {name: _shift_amounts(getattr(plan, name), last, years) if getattr(plan, name) else None
              for name in ("revenue_total", "expenditure_total")}
    return plan.model_copy(deep=True, update={
        **rows, **totals, "previous_years": [str(y) for y in years], "fill_date": None,
        "annual_indicators": [_shift_values(i, last, year) for i in plan.annual_indicators]})


def carry_forward(last: Submission, *, year: int, last_year: int) -> Submission:
    """Last year's submission (of budget year *last_year*) as the submission of *year*
    (module doc). The input is not changed."""
    sub = last.model_copy(deep=True)
    sub.year = year
    sub.department.fill_date = None
    sub.findings = []
    if sub.department_plan is not None:
        sub.department_plan = _plan(sub.department_plan, last_year, year)
    return sub


@dataclass
class CarryOutcome:
    """``result`` the import of last year's file; ``output`` written (``None`` when not:
    ``problem`` says why, in Chinese); ``year`` and ``last_year``; ``notes`` the findings
    of writing (``fill-field-not-held`` …: what the template has no place for)."""

    result: ImportResult
    output: str | None = None
    year: int | None = None
    last_year: int | None = None
    notes: list[Finding] = field(default_factory=list)
    problem: str | None = None

    @property
    def exit_code(self) -> int:
        """2 not written; 1 written, but a value could not be (an error-severity note); else 0."""
        if self.output is None:
            return 2
        return 1 if any(n.severity == "error" for n in self.notes) else 0


def write_carried_template(source: str, output: str, *, year: int | None = None, projects: int = 0,
                           labels: dict | None = None) -> CarryOutcome:
    """Read last year's submission at *source* and write next year's template to *output*
    (atomically), pre-filled and marked. *year*: the new budget year (default last year's
    + 1); it must come after last year's. *projects*: at least this many project sheets.
    *labels*: wordings added for reading *source* (``--labels FILE``).
    Never raises for a bad input: see :class:`CarryOutcome`. Raises
    :class:`~xlperf.errors.OutputError` when *output* cannot be written."""
    result = import_workbook(source, labels=labels)
    sub = result.submission
    if sub is None:
        return CarryOutcome(result, problem="上年的报送文件无法读取")
    last_year = sub.year if sub.year is not None else (year - 1 if year is not None else None)
    if last_year is None:
        return CarryOutcome(result, problem="上年报送的预算年度无法识别，请用 --year 指定新的预算年度")
    year = year if year is not None else last_year + 1
    if year <= last_year:
        return CarryOutcome(result, year=year, last_year=last_year,
                            problem=f"新的预算年度 {year} 应晚于上年报送的年度 {last_year}")
    carried = carry_forward(sub, year=year, last_year=last_year)
    notes = write_workbook(output, submission=carried, year=year, projects=max(projects, len(carried.projects), 1),
                           last_year=last_year)
    return CarryOutcome(result, output=output, year=year, last_year=last_year, notes=notes)
