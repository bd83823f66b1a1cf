"""A list of the workbook's projects (项目支出绩效目标汇总表) beside their forms: one row per project
(序号 | 项目名称 | 预算金额 | 年度绩效目标（摘要） | 备注), a 合计 row, on a sheet of its own before
one sheet per project (江苏 county workbooks; docs/forms.md "A list of the workbook's projects").

It is no project form: its rows repeat the projects the other sheets hold. A header row naming
a 项目名称 column and an amount or goal column (labels of templates/labels.toml [project]) with
no indicator column on it, and not a department form's 项目支出情况 list, over two or more rows naming a project,
is a listing. It is read after every sheet (:func:`check_listings`): a row naming a project read
elsewhere is that project's stated amount (its cells consumed, the amount recorded as a
:class:`~xlperf.facts.StatedTotal` for the review's ``summary-total-mismatch``), the 合计 row
the total of the listed projects. What the listing says that no form repeats (a project without
its form, the goal summaries, the 备注) stays in the unmapped report.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..cellref import CellRef
from ..facts import StatedTotal
from ..model import Project
from ..readers.grid import Sheet, format_value
from ..targets import parse_amount
from ..text import label_key
from .base import FormReader, FormRun, Recognition
from .common import is_serial, is_signature, is_total_row
from .funds import amount_factor
from .labels import load_labels

__all__ = ["READER", "Listing", "check_listings", "find_listing"]

_LISTED = ("annual_amount", "performance_target")


@dataclass(frozen=True)
class Listing:
    """A list of projects on ``sheet``: its header ``row``, the columns of the name, of the
    numbering (序号) and of the amount (and the unit its heading states), its project ``rows``
    and its 合计 row (``None``: none written)."""

    sheet: Sheet
    row: int
    name_col: int
    serial_col: int | None
    amount_col: int | None
    unit: str | None
    rows: tuple[int, ...]
    total_row: int | None


def find_listing(sheet: Sheet, owned: set[int]) -> Listing | None:
    """The first listing header of *sheet* outside *owned* rows with its project rows, or ``None``."""
    index = load_labels().index(sheet)
    for r, hits in sorted(index.get("project", {}).items()):
        if len(hits) < 2:
            continue  # a listing's header names two columns at least
        cols = {h.field: (c, h) for c, h in reversed(hits) if h.inline is None}
        if "name" not in cols or not any(f in cols for f in _LISTED) or r in owned:
            continue  # most rows of labels: one label and its value
        if r in index.get("indicator_header", {}) or any(
                h.field == "project_spending" for _c, h in index.get("department", {}).get(r, ())):
            continue  # an indicator table's header; a department form's 项目支出情况 list
        listing = _rows(sheet, r, cols)
        if listing is not None:
            return listing
    return None


def _rows(sheet: Sheet, r: int, cols: dict) -> Listing | None:  # noqa: ANN001 - field -> (col, LabelHit)
    """The project rows under the header at *r*: a text in the name column on each, up to a
    合计 or signature row or a row without one; ``None`` for fewer than two (one project laid
    out as headings over its values is a project form)."""
    name_col = cols["name"][0]
    amount = cols.get("annual_amount")
    rows, total = [], None
    for rr in sheet.rows_between(r + 1, max(sheet.grid) + 1):
        cells = dict(sheet.grid[rr])
        first = next((v for _c, v in sheet.grid[rr] if isinstance(v, str) and v.strip()), None)
        if is_total_row(first):
            total = rr
            break
        name = cells.get(name_col)
        if is_signature(first) or not isinstance(name, str) or not name.strip() or load_labels().hits(name):
            break
        rows.append(rr)
    if len(rows) < 2:
        return None
    serial = next((c for c, v in sheet.grid[r] if c < name_col and is_serial(v)), None)
    return Listing(sheet, r, name_col, serial, amount[0] if amount else None, amount[1].unit if amount else None,
                   tuple(rows), total)


def _recognise(sheet: Sheet, owned: set[int]) -> Recognition | None:
    """Certain at a listing header (more than a project form, whose labels it shows too)."""
    listing = find_listing(sheet, owned)
    return None if listing is None else Recognition(0.9, listing)


def _read_into(sheet: Sheet, listing: Listing, run: FormRun) -> set[int]:
    """The header's labels consumed; the rows are matched with the projects once every sheet
    is read (:func:`check_listings`). Owns the header, the project rows and the 合计 row."""
    for c, _h in load_labels().index(sheet)["project"][listing.row]:
        sheet.consumed.add((listing.row, c))
    if listing.serial_col is not None:
        sheet.consumed.add((listing.row, listing.serial_col))
    run.out.listings.append(listing)
    return {listing.row, *listing.rows, *([listing.total_row] if listing.total_row is not None else [])}


def check_listings(run: FormRun) -> None:
    """Every listing's rows matched by name with the projects read: the row's name and amount
    consumed, the amount stated for the project; the 合计 stated for the listed projects."""
    by_name: dict[str, Project] = {}
    for p in run.out.projects:
        by_name.setdefault(label_key(p.name or ""), p)
    for listing in run.out.listings:
        sheet = listing.sheet
        listed: list[Project] = []
        for r in listing.rows:
            project = by_name.get(label_key(format_value(sheet.cells.get((r, listing.name_col)))))
            if project is None:
                continue  # a project without its form: left to the unmapped report
            listed.append(project)
            sheet.consumed.add((r, listing.name_col))
            if (r, listing.serial_col) in sheet.cells:
                sheet.consumed.add((r, listing.serial_col))
            _state(run, listing, r, project.name or "", (project,))
        if listing.total_row is not None and listed:
            label_col = next(c for c, v in sheet.grid[listing.total_row] if is_total_row(v))
            sheet.consumed.add((listing.total_row, label_col))
            _state(run, listing, listing.total_row, "合计", tuple(listed))


def _state(run: FormRun, listing: Listing, r: int, label: str, projects: tuple[Project, ...]) -> None:
    """The amount of row *r* (in 万元) stated for *projects*, its cell consumed."""
    c = listing.amount_col
    value = listing.sheet.cells.get((r, c)) if c is not None else None
    amount = parse_amount(value).value if value is not None else None
    if amount is None:
        return
    listing.sheet.consumed.add((r, c))
    amount *= amount_factor(listing.sheet, r, value, listing.unit, (listing.row, c))
    run.ctx.stated_totals.append(StatedTotal(label, amount, CellRef(listing.sheet.name, r, c), projects))


READER = FormReader("project-list", recognise=_recognise, read=_read_into)
