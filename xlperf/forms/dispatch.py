"""Read every form on every sheet of a workbook (any sheet names, any order, one form
per sheet or several stacked), then settle region, year and department.

Per sheet: the template's hidden lists sheet and the sheets xlperf adds to a workbook
(:mod:`xlperf.forms.own_sheets`) are recognised and set aside; otherwise the
readers of :data:`~xlperf.forms.registry.REGISTRY` are tried in order, then the
boilerplate left around the forms (titles, unit notes, the template's own text, lone
department lines) is consumed. What stays unconsumed is reported by the importer.
"""

from __future__ import annotations

from ..readers.grid import Sheet, Workbook
from ..taxonomy import Taxonomy
from .base import MIN_SCORE, FormRun, ParsedWorkbook
from .common import ParseContext, consume_boilerplate, take_department_line
from .own_sheets import compare_carried, read_own_sheet
from .own_template import is_template_text, read_lists_sheet
from .project_list import check_listings
from .project_stack import join_table_sheets
from .registry import REGISTRY
from .settle import settle

__all__ = ["ParsedWorkbook", "read_sheets"]


def read_sheets(wb: Workbook, *, tax: Taxonomy) -> ParsedWorkbook:
    """Read all forms of *wb*; cells are marked consumed on its sheets."""
    ctx = ParseContext()
    run = FormRun(tax=tax, ctx=ctx, out=ParsedWorkbook())
    for sheet in wb.sheets:
        if not sheet.cells:
            continue
        if read_lists_sheet(sheet) or read_own_sheet(sheet, run, wb):
            run.out.template_sheets.add(sheet.name)
            continue
        found = _read_forms(sheet, run)
        _boilerplate(sheet, ctx)
        run.out.facts.found_form = run.out.facts.found_form or found
    run.out.projects = join_table_sheets(run.out.projects, ctx)
    check_listings(run)
    run.out.findings = ctx.findings
    run.out.facts.stated_totals = ctx.stated_totals
    compare_carried(wb, run)
    settle(run.out, ctx)
    return run.out


def _read_forms(sheet: Sheet, run: FormRun) -> bool:
    """Read the forms of *sheet*, the most confidently recognised first (each reader
    once; a fallback reader only where no other form was recognised); True when a
    target form was read."""
    found = False
    owned: set[int] = set()
    done: set[int] = set()  # read, or not recognised (owning more rows never makes a form appear)
    while True:
        best = _most_confident(sheet, owned, done, fallback=False)
        if best is None and not found:
            best = _most_confident(sheet, owned, done, fallback=True)
        if best is None:
            return found
        i, anchor = best
        done.add(i)
        refused = len(run.out.refusals)
        owned |= REGISTRY[i].read(sheet, anchor, run)
        found = found or len(run.out.refusals) == refused


def _most_confident(sheet: Sheet, owned: set[int], done: set[int], *, fallback: bool) -> tuple[int, object] | None:
    """(registry index, anchor) of the reader most sure of its form on *sheet* (the first
    on a tie), among the fallback readers or the others; readers not recognising their
    form join *done*."""
    best: tuple[float, int, object] | None = None
    for i, reader in enumerate(REGISTRY):
        if i in done or reader.fallback != fallback:
            continue
        rec = reader.recognise(sheet, owned)
        if rec is None or rec.score < MIN_SCORE:
            done.add(i)
        elif best is None or rec.score > best[0]:
            best = (rec.score, i, rec.anchor)
    return None if best is None else (best[1], best[2])


def _boilerplate(sheet: Sheet, ctx: ParseContext) -> None:
    """Consume titles, unit notes, template text and lone department lines left anywhere."""
    consumed = sheet.consumed
    if consumed.issuperset(sheet.cells):
        return  # every cell read into the model: no row has anything left
    for r, cells in sheet.grid.items():
        if all((r, c) in consumed for c, _v in cells):
            continue  # most rows: everything on them was read into the model
        consume_boilerplate(sheet, r, ctx, extra=is_template_text)
        take_department_line(sheet, r, ctx)
