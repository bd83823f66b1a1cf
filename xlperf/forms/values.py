"""Where a label's value sits: in the label's cell after a separator, right of the label, or
below it when the label heads a column (docs/forms.md "Labels"). Shared by the project and
department readers."""

from __future__ import annotations

import re

from ..readers.grid import Sheet
from .common import is_unit_note_or_title
from .labels import load_labels

__all__ = ["cell_at", "goal_items", "is_label", "value_below", "value_right"]

_LABEL_SECTIONS = ("project", "indicator_header", "department")
# an item of a goal split into rows: 目标1, 目标一, 目标（2）： (alone in its cell, or before its text)
# a numbered item of a goal written line by line (1.…, 1、…, （1）…, 一是…, 一、…, ①…)
_LIST_ITEM_RE = re.compile(r"^\s*(?:(\d{1,2}[、.．)）](?!\d))|([(（]\d{1,2}[)）])|([一二三四五六七八九十]{1,3}是)|"
                           r"([一二三四五六七八九十]{1,3}、)|([(（][一二三四五六七八九十]{1,3}[)）])|([①-⑳]))\s*\S")
_GOAL_ITEM_RE = re.compile(r"^\s*目标\s*[(（]?([0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})[)）]?\s*([:：.、]\s*|$)")


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


def goal_items(sheet: Sheet, r: int, c: int) -> tuple[str, list[tuple[int, int]]] | None:
    """A goal written as items, one row each, for the goal label at (r, c): the items start right
    of the label (the label merged down over them, 浙江) or on the row below (the label a heading
    row, 天津) and run while each row holds an item - an item label with its text right of it
    (目标1 | text), an item label before its text in one cell (``目标1：…``), or a numbered text
    alone on its row (``1.…``, ``（2）…``, ``二是…``). Returns the texts joined by line breaks (item
    labels dropped, numbers kept as written) and the cells they take, or ``None`` unless two
    items (or one 目标1 | text pair) follow the label."""
    texts: list[str] = []
    cells: list[tuple[int, int]] = []
    first = [(cc, v) for cc, v in sheet.grid.get(r, ()) if cc > c and not (isinstance(v, str) and not v.strip())]
    rr = r if first and (_goal_item(first[0][1]) is not None or _numbered(first[:1]) is not None) else r + 1
    pairs, style = 0, None
    while rr in sheet.grid:
        row = [(cc, v) for cc, v in sheet.grid[rr] if cc >= c + (rr == r) and (rr, cc) not in sheet.consumed
               and not (isinstance(v, str) and not v.strip())]
        after = _goal_item(row[0][1]) if row else None
        if after:  # 目标1：text in one cell
            texts.append(after)
            cells.append((rr, row[0][0]))
        elif after == "" and len(row) >= 2 and isinstance(row[1][1], str):  # 目标1 | text
            texts.append(row[1][1].strip())
            cells += [(rr, row[0][0]), (rr, row[1][0])]
            pairs += 1
        elif (kind := _numbered(row)) is not None and style in (None, (row[0][0], kind)):  # 1.text alone on its row
            style = (row[0][0], kind)  # the next lines are numbered alike, in the same column (not 三、项目绩效指标)
            texts.append(str(row[0][1]).strip())
            cells.append((rr, row[0][0]))
        else:
            break
        rr += 1
    return ("\n".join(texts), cells) if len(texts) >= 2 or pairs else None


def _goal_item(text: object) -> str | None:
    """The text after a goal item's label (``目标1：…`` -> …, ``目标1`` -> ""), ``None`` when *text*
    is no goal item."""
    m = _GOAL_ITEM_RE.match(text) if isinstance(text, str) else None
    return None if m is None else text[m.end():].strip()


def _numbered(row: list[tuple[int, object]]) -> int | None:
    """The kind of numbering (which alternative of the list-item pattern) when *row* (its
    non-empty cells) is one text numbered as a list item: ``1.…``, ``（2）…``, ``二是…``; else ``None``."""
    m = _LIST_ITEM_RE.match(row[0][1]) if len(row) == 1 and isinstance(row[0][1], str) else None
    return None if m is None else m.lastindex or 0
