"""Where a label's value sits: in the label's cell after a separator, right of the label, or
below it when the label heads a column (docs/forms.md "Labels"). Shared by the project and
department readers."""

from __future__ import annotations

from ..readers.grid import Sheet
from .common import is_unit_note_or_title
from .labels import load_labels

__all__ = ["cell_at", "is_label", "value_below", "value_right"]

_LABEL_SECTIONS = ("project", "indicator_header", "department")


def is_label(text: object) -> bool:
    """A label of a project form, a department form or an indicator table header."""
    labels = load_labels()
    return isinstance(text, str) and any(labels.match(s, text, inline=False) for s in _LABEL_SECTIONS)


def cell_at(sheet: Sheet, r: int, c: int) -> tuple[int, int] | None:
    """The cell holding what (r, c) shows: itself when it has a value, else the top-left of
    the merged range covering it (a text merged over both halves of a row), else None."""
    if (r, c) in sheet.cells:
        return r, c
    for r0, c0, r1, c1 in sheet.merged:
        if r0 <= r <= r1 and c0 <= c <= c1 and (r0, c0) in sheet.cells:
            return r0, c0
    return None


def value_right(sheet: Sheet, r: int, span_end: int, label_cols: set[int]) -> tuple[int, object] | None:
    """First non-empty, unconsumed cell of row *r* right of *span_end* (the label's cell or
    merged range), unless a label (a column of *label_cols*) or a unit note comes first."""
    for cc, v in sheet.grid.get(r, ()):
        if cc <= span_end or (r, cc) in sheet.consumed:
            continue
        if cc in label_cols or is_unit_note_or_title(v):
            return None
        if isinstance(v, str) and not v.strip():
            continue
        return cc, v
    return None


def value_below(sheet: Sheet, r: int, c: int, stop: int) -> tuple[int, int, object] | None:
    """The value under the label at (r, c) (below its merged range), when it lies before row
    *stop*, is not consumed, not blank and not itself a label."""
    span = sheet.merged_span(r, c)
    below = (span[2] if span else r) + 1
    if below >= stop:
        return None
    at = cell_at(sheet, below, c)
    if at is None or (at in sheet.consumed and at == (below, c)):
        return None  # (a text merged under several headings is the value of each)
    v = sheet.cells[at]
    if (isinstance(v, str) and not v.strip()) or is_label(v):
        return None
    return at[0], at[1], v
