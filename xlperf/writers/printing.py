"""A4 printing of the workbooks xlperf writes (the template and the consolidated workbook).

A sheet is set up as a person would print it (docs/cli.md, "Printing"): A4, the margins
below, page numbers in the footer (``第 3 页，共 7 页``), the header row(s) repeated on
every page, and a scale at which the text stays readable: the columns fit the page width
at no less than :data:`MIN_SCALE` percent, wide text columns wrapping instead of
shrinking the page.

Column widths are in characters of the default font's digit, so their printed size depends
on the font a client has: Excel and WPS draw 宋体 (SimSun: 11-point digits 5.5 points wide),
LibreOffice without SimSun substitutes DejaVu Sans (7 points). :func:`column_points` uses
the wider, so a scale computed here fits the page in every client (Excel prints with some
room to spare).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from xlsxwriter.worksheet import Worksheet

__all__ = ["MIN_SCALE", "column_points", "printable_size", "scale_to_fit", "setup_page", "text_height"]

A4_POINTS = (595.3, 841.9)  # width, height (portrait)
MARGINS = {"left": 0.5, "right": 0.5, "top": 0.6, "bottom": 0.6}  # inches
HEADER_FOOTER = 0.3  # inches from the edge
MIN_SCALE = 60  # percent: below this an 11-point font prints under 7 points
MAX_ROW_HEIGHT = 409  # points, Excel's limit
LINE_HEIGHT = 14.5  # points a wrapped line of an 11-point font takes
FOOTER = "&C第 &P 页，共 &N 页"


#: printed points per character of column width, and the padding xlsxwriter adds (5 of 7 pixels)
_POINTS_PER_CHAR = 7.0
_PADDING = 5 / 7


def column_points(width: float) -> float:
    """Printed width in points, at 100 %, of a column *width* characters wide (xlsxwriter's
    ``set_column`` unit), for the widest client font (module doc)."""
    return (width + _PADDING) * _POINTS_PER_CHAR


def printable_size(*, landscape: bool) -> tuple[float, float]:
    """(width, height) in points inside the margins of an A4 page."""
    w, h = A4_POINTS[::-1] if landscape else A4_POINTS
    return w - 72 * (MARGINS["left"] + MARGINS["right"]), h - 72 * (MARGINS["top"] + MARGINS["bottom"])


def scale_to_fit(widths: Sequence[float], *, landscape: bool, sections: Sequence[float] = ()) -> int:
    """The print scale in percent (:data:`MIN_SCALE`-100) at which columns of *widths*
    (characters) fit the page width and each of *sections* (heights in points, each
    starting on a new page) fits one page height, as far as the minimum allows."""
    page_w, page_h = printable_size(landscape=landscape)
    need = [page_w / sum(column_points(w) for w in widths)] + [page_h / h for h in sections if h > 0]
    return max(MIN_SCALE, min(100, math.floor(min(need) * 100)))


def setup_page(ws: Worksheet, *, landscape: bool, repeat: tuple[int, int] | None = None, scale: int | None = None,
               breaks: Sequence[int] = (), footer: str = FOOTER, header: str | None = None) -> None:
    """A4 *landscape* or portrait, centred, margins, *footer* (page numbers) and *header*
    (xlsxwriter's ``&L`` / ``&C`` / ``&R`` codes), rows *repeat* (first, last; 0-based)
    printed at the top of every page, manual page *breaks* before the given rows;
    *scale* percent, or fitted to one page width."""
    ws.set_paper(9)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.center_horizontally()
    ws.set_margins(**MARGINS)
    ws.set_footer(footer, {"margin": HEADER_FOOTER})
    if header:
        ws.set_header(header, {"margin": HEADER_FOOTER})
    if repeat is not None:
        ws.repeat_rows(*repeat)
    if breaks:
        ws.set_h_pagebreaks(list(breaks))
    if scale is not None:
        ws.set_print_scale(scale)
    else:
        ws.fit_to_pages(1, 0)


def text_height(text: str | None, *, width: float, minimum: float) -> float:
    """Row height in points for *text* wrapped in a column (or merged columns) *width*
    characters wide: a Chinese character counts two, as Excel and WPS draw 宋体 (LibreOffice's
    narrower substitute needs fewer lines, never more); at least *minimum*, at most
    Excel's 409. The clients do not fit row heights to wrapped text on opening a file
    (LibreOffice never, Excel not in merged cells), so the writers set them."""
    if not text:
        return minimum
    per_line = max(int(width) - 1, 4)
    lines = sum(max(1, math.ceil(sum(2 if ord(ch) > 0x2E7F else 1 for ch in ln) / per_line)) for ln in text.split("\n"))
    return float(min(max(minimum, lines * LINE_HEIGHT + 6), MAX_ROW_HEIGHT))
