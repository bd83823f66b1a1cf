"""Marks the copies put on the county's own cells (openpyxl): a comment (批注) and a
highlight per cell (docs/review-loop.md).

A highlight is a conditional format (formula ``TRUE``, the colour of
``templates/review_copy.toml``), one rule per colour and sheet over all its cells, so the
cell's own fill, font and borders stay as they were underneath. A comment is appended to
a comment the cell already has, after the marker of ``[comment]``. Both can therefore be
taken off again (:func:`strip_marks`): a copy of a copy, or a returned copy reviewed
again, shows only the new review.

A mark on a cell inside a merged range goes to the range: the comment on its top-left
cell, the highlight over the whole range.
"""

from __future__ import annotations

from collections import defaultdict

from openpyxl.comments import Comment
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import PatternFill
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..cellref import cell_name
from .sheets import spec

__all__ = ["Marks", "strip_marks"]

_FORMULA = "TRUE"


def _our_fills() -> set[str]:
    s = spec()
    return {v["fill"].upper() for v in s["severity"].values()} | {r["fill"].upper() for r in s["roles"]}


def _merged_index(ws: Worksheet) -> dict[tuple[int, int], tuple[int, int, int, int]]:
    """Every cell of a merged range (0-based) -> the range (r0, c0, r1, c1)."""
    index = {}
    for rng in ws.merged_cells.ranges:
        r0, c0, r1, c1 = rng.min_row - 1, rng.min_col - 1, rng.max_row - 1, rng.max_col - 1
        if (r1 - r0 + 1) * (c1 - c0 + 1) <= 10_000:  # a range over a whole sheet is marked at its corner only
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    index[(r, c)] = (r0, c0, r1, c1)
        else:
            index[(r0, c0)] = (r0, c0, r0, c0)
    return index


class Marks:
    """The marks to put on one sheet: a comment's lines and a colour per cell."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self._merged = _merged_index(ws)
        self.lines: dict[tuple[int, int], list[str]] = defaultdict(list)
        self.colour: dict[tuple[int, int, int, int], str] = {}

    def add(self, row: int, col: int, *, line: str | None, fill: str | None) -> None:
        """Mark the cell at 0-based (*row*, *col*): a comment *line*, a *fill* colour (a
        later colour of one cell replaces an earlier one: callers add the stronger last)."""
        rng = self._merged.get((row, col), (row, col, row, col))
        if line:
            self.lines[(rng[0], rng[1])].append(line)
        if fill:
            self.colour[rng] = fill

    def apply(self) -> None:
        """Write the comments and one conditional format per colour onto the sheet."""
        c = spec()["comment"]
        for (r, col), lines in sorted(self.lines.items()):
            cell = self.ws.cell(row=r + 1, column=col + 1)
            old = cell.comment
            text = "\n".join([c["marker"], *lines])
            if old is not None and old.text.strip():
                text = old.text.rstrip() + "\n\n" + text
            n = sum(1 + len(line) * 2 // 40 for line in text.split("\n"))
            cell.comment = Comment(text, old.author if old is not None and old.author else c["author"],
                                   width=c["width"], height=min(max(n, 3) * c["line_height"], 600))
        ranges: dict[str, list[str]] = defaultdict(list)
        for (r0, c0, r1, c1), fill in sorted(self.colour.items()):
            ranges[fill].append(cell_name(r0, c0) if (r0, c0) == (r1, c1) else f"{cell_name(r0, c0)}:{cell_name(r1, c1)}")
        for fill, refs in ranges.items():
            self.ws.conditional_formatting.add(" ".join(refs), FormulaRule(
                formula=[_FORMULA], fill=PatternFill("solid", start_color=fill, end_color=fill)))
        self.ws.page_setup.cellComments = "atEnd"


def _ours(rule) -> bool:  # noqa: ANN001 - openpyxl Rule
    fill = rule.dxf.fill if rule.dxf is not None else None
    colour = (fill.fgColor.rgb if fill is not None and fill.fgColor is not None else None) or ""
    return list(rule.formula or []) == [_FORMULA] and isinstance(colour, str) and colour[-6:].upper() in _our_fills()


def strip_marks(wb: Workbook) -> None:
    """Take the marks of an earlier review off every sheet of *wb*: the part of each
    comment from the marker on (the comment goes when nothing is left) and the highlight
    rules. The earlier 审核意见 / 识别图例 sheets are removed by the caller."""
    marker = spec()["comment"]["marker"]
    for ws in wb.worksheets:
        # the cells openpyxl holds (a dict of the non-empty and styled ones): iter_rows()
        # would walk the sheet's whole extent, which a stray far cell makes huge
        for cell in list(ws._cells.values()):  # noqa: SLF001
            if cell.comment is not None and marker in cell.comment.text:
                kept = cell.comment.text.split(marker, 1)[0].rstrip()
                cell.comment = Comment(kept, cell.comment.author) if kept else None
        old = ws.conditional_formatting
        if not any(_ours(r) for cf in old for r in cf.rules):
            continue
        fresh = ConditionalFormattingList()
        for cf in old:
            for rule in cf.rules:
                if not _ours(rule):
                    fresh.add(cf.sqref, rule)
        ws.conditional_formatting = fresh
