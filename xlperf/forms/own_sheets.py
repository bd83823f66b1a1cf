"""Sheets xlperf itself adds to a county's workbook, recognised so that the workbook
imports to the same data with them (docs/review-loop.md):

* ``审核意见``, put first in the review copy (``xlperf review``), and ``识别图例``, put
  first in the show-read copy (``--show-read``); their words are in
  ``templates/review_copy.toml``;
* ``_上年值``, the hidden sheet of a template pre-filled from last year's submission
  (``xlperf template --from``; ``templates/template_sheets.toml`` ``[carried]``), which
  records every carried value: 工作表 | 单元格 | 上年值.

A sheet is recognised by its name (the review copy's sheet may carry a number, ``审核意见2``,
when the county's workbook already had a sheet of that name) and its header row, starting
in column A. Only cells that fit the sheet's structure are consumed: its fixed words, the
summary labels with the number right of each, and table rows whose key cells are known
words (a severity word and a catalog code; a role's name; a sheet of the workbook and a
cell name). Anything else a clerk types there stays for the unmapped report, so nothing is
hidden by the name of a sheet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..cellref import CellRef, parse_cell_name
from ..data import load_data
from ..facts import CarriedValue
from ..findings import catalog
from ..readers.grid import Sheet, Workbook, format_value
from .base import FormRun

__all__ = ["OwnSheet", "compare_carried", "own_sheet", "read_own_sheet"]

_SUMMARY_VALUE_RE = re.compile(r"^(—|-?\d+(\.\d+)?)$")


@dataclass(frozen=True)
class OwnSheet:
    """The structure of one added sheet: ``kind`` (``review``, ``legend`` or
    ``carried``), its ``name``, ``fixed`` texts consumed wherever they stand, ``prefixes``
    of texts consumed by their start (``文件：``), summary ``labels`` (each consumed with
    the number or ``—`` right of it), the ``header`` row and ``keys``: for each key column,
    the words a table row must hold there (``None``: checked by the caller)."""

    kind: str
    name: str
    fixed: frozenset[str]
    prefixes: tuple[str, ...]
    labels: frozenset[str]
    header: tuple[str, ...]
    keys: tuple[tuple[int, frozenset[str] | None], ...]

    def named(self, sheet_name: str) -> bool:
        """True when *sheet_name* is this sheet's name (the review sheets: or it plus a number)."""
        if self.kind == "carried":
            return sheet_name == self.name
        return sheet_name == self.name or re.fullmatch(re.escape(self.name) + r"\d{1,3}", sheet_name) is not None


@lru_cache(maxsize=1)
def _specs() -> tuple[OwnSheet, ...]:
    data = load_data("review_copy.toml")
    review, legend = data["review_sheet"], data["legend_sheet"]
    words = frozenset(s["word"] for s in data["severity"].values())
    carried = load_data("template_sheets.toml")["carried"]
    return (
        OwnSheet("review", review["name"], frozenset((review["title"], review["intro"], review["summary_heading"],
                                                       review["no_findings"])),
                 (review["file_prefix"],), frozenset(review["summary"].values()), tuple(review["columns"]),
                 ((0, words), (1, frozenset(catalog())))),
        OwnSheet("legend", legend["name"], frozenset((legend["title"], legend["intro"])), (legend["file_prefix"],),
                 frozenset(), tuple(legend["columns"]), ((1, frozenset(r["name"] for r in data["roles"])),)),
        OwnSheet("carried", carried["sheet"], frozenset(), (), frozenset(), tuple(carried["headings"]),
                 ((0, None), (1, None))),
    )


def _header_row(sheet: Sheet, header: tuple[str, ...]) -> int | None:
    """The first row holding exactly *header* from column A, or ``None``."""
    want = [(c, h) for c, h in enumerate(header)]
    for r, cells in sheet.grid.items():
        if [(c, format_value(v).strip()) for c, v in cells] == want:
            return r
    return None


def own_sheet(sheet: Sheet) -> tuple[OwnSheet, int] | None:
    """The added sheet *sheet* is (its structure and header row), or ``None``. Consumes
    nothing (the review copy asks it of a sheet it is about to replace)."""
    for spec in _specs():
        if spec.named(sheet.name):
            row = _header_row(sheet, spec.header)
            if row is not None:
                return spec, row
    return None


def read_own_sheet(sheet: Sheet, run: FormRun, wb: Workbook) -> bool:
    """Consume what fits the structure of an added sheet; True when *sheet* is one. The
    carried values of a ``_上年值`` sheet go to ``run.out.facts.carried`` (compared with
    the workbook by :func:`compare_carried`)."""
    found = own_sheet(sheet)
    if found is None:
        return False
    spec, header = found
    width = len(spec.header)
    names = {s.name for s in wb.sheets}
    for r, cells in sheet.grid.items():
        row = dict(cells)
        if r == header:
            sheet.consumed.update((r, c) for c in row)
            continue
        if r > header and spec.kind == "carried":
            ref = _carried_ref(row, names)
            if ref is not None:
                sheet.consumed.update((r, c) for c in row if c < width)
                run.out.facts.carried.append(CarriedValue(ref, format_value(row[2]), unchanged=False))
                continue
        elif r > header and all(format_value(row.get(c)).strip() in (words or ()) for c, words in spec.keys):
            sheet.consumed.update((r, c) for c in row if c < width)
            continue
        _consume_words(sheet, spec, r, row)
    return True


def _consume_words(sheet: Sheet, spec: OwnSheet, r: int, row: dict[int, object]) -> None:
    """The fixed texts, prefixed lines and summary labels (with their value) on row *r*."""
    for c, v in row.items():
        text = format_value(v).strip()
        if text in spec.fixed or (isinstance(v, str) and spec.prefixes and text.startswith(spec.prefixes)):
            sheet.consumed.add((r, c))
        elif text in spec.labels:
            sheet.consumed.add((r, c))
            right = row.get(c + 1)
            if right is not None and _SUMMARY_VALUE_RE.match(format_value(right).strip()):
                sheet.consumed.add((r, c + 1))


def _carried_ref(row: dict[int, object], sheet_names: set[str]) -> CellRef | None:
    sheet, cell = row.get(0), row.get(1)
    if not isinstance(sheet, str) or sheet not in sheet_names or not isinstance(cell, str) or 2 not in row:
        return None
    try:
        r, c = parse_cell_name(cell.strip())
    except ValueError:
        return None
    return CellRef(sheet, r, c)


def compare_carried(wb: Workbook, run: FormRun) -> None:
    """Set ``unchanged`` on each carried value of ``run.out.facts``: whether its cell in
    *wb* still holds last year's value (both as text, numbers without a spurious ``.0``:
    the carried sheet holds the number itself, so a number compares by value)."""
    sheets = {s.name: s for s in wb.sheets}
    out = []
    for cv in run.out.facts.carried:
        sheet = sheets.get(cv.where.sheet or "")
        now = sheet.cells.get((cv.where.row, cv.where.col)) if sheet else None
        out.append(CarriedValue(cv.where, cv.last, unchanged=now is not None and format_value(now).strip() == cv.last.strip()))
    run.out.facts.carried = out
