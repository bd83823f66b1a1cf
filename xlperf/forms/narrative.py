"""Prose goals on a sheet of their own (seed 001 part one: 一、总体绩效目标 / 二、分项绩效目标 /
三、工作保障措施, one paragraph per row; 河北 承德县 部门预算绩效文本 with its table of
contents): read as headed sections of the department plan.

The text under a 总体绩效目标 heading is the plan's ``annual_goal`` where the plan has none;
a document title naming the department before its year (``承德县民政局2022年部门预算绩效文本``)
names the plan. Contents lines (a text and its page number in the next column) are the
document's structure, consumed like titles."""

from __future__ import annotations

import re

from ..model import DepartmentPlan, NarrativeSection
from ..readers.grid import Sheet, format_value
from .base import FormReader, FormRun, Recognition
from .common import department_line, is_title
from .labels import form_key

__all__ = ["READER", "read_narrative"]

_HEADING_RE = re.compile(r"^[一二三四五六七八九十]+、\s*\S{2,20}$")
_OVERALL = "总体绩效目标"
_TITLE_UNIT_RE = re.compile(r"^(?P<unit>.{2,30}?)(20\d\d)年")
_CONTENTS = ("目录",)


def _text_column(sheet: Sheet) -> int | None:
    """The one column holding the prose: every other cell is a page number."""
    cols = {c for (_r, c), v in sheet.cells.items() if not _page_number(v)}
    return next(iter(cols)) if len(cols) == 1 else None


def _page_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v < 10_000


def read_narrative(sheet: Sheet) -> list[NarrativeSection]:
    """Sections of a prose sheet: every text cell sits in one column (page numbers aside)
    and at least one cell is a numbered heading (``一、总体绩效目标``). Returns [] for
    other sheets."""
    col = _text_column(sheet)
    if col is None or not any(isinstance(v, str) and _HEADING_RE.match(v.strip()) for v in sheet.cells.values()):
        return []
    sections: list[NarrativeSection] = []
    heading: str | None = None
    lines: list[str] = []
    first_ref: str | None = None

    def flush() -> None:
        if lines:
            sections.append(NarrativeSection(heading=heading, text="\n".join(lines), source=first_ref))

    for r, cells in sheet.grid.items():
        if len(cells) > 1 or cells[0][0] != col:  # a contents line: the entry and its page number
            sheet.consumed.update((r, c) for c, v in cells if c == col or _page_number(v))
            continue
        c, v = cells[0]
        text = format_value(v).strip()
        if _HEADING_RE.match(text):
            flush()
            heading, lines, first_ref = text, [], None
        elif is_title(text) or form_key(text) in _CONTENTS:  # a title, a part heading (第一部分), 目录
            pass
        else:
            lines.append(text)
            first_ref = first_ref or sheet.ref(r, c)
        sheet.consumed.add((r, c))
    flush()
    return sections


def _recognise(sheet: Sheet, owned: set[int]) -> Recognition | None:
    """The sections of a prose sheet (read while recognising it: a sheet of headings
    only gives none, and is then no form)."""
    sections = read_narrative(sheet)
    return Recognition(0.5, sections) if sections else None


def _title_unit(sheet: Sheet) -> str | None:
    """The department a document title names before its year, if any."""
    for (_r, _c), v in sorted(sheet.cells.items())[:5]:
        m = _TITLE_UNIT_RE.match(form_key(v)) if isinstance(v, str) else None
        if m and department_line(m.group("unit")):
            return department_line(m.group("unit"))[1]  # type: ignore[index]
    return None


def _read_into(sheet: Sheet, sections: list[NarrativeSection], run: FormRun) -> set[int]:
    plan = run.out.department_plan or DepartmentPlan(sheet=sheet.name)
    plan.narrative.extend(sections)
    overall = next((s for s in sections if s.heading and _OVERALL in form_key(s.heading)), None)
    if overall is not None and plan.annual_goal is None:
        plan.annual_goal = overall.text
        plan.cells.setdefault("annual_goal", overall.source or "")
    plan.name = plan.name or _title_unit(sheet)
    run.out.department_plan = plan
    return set()


READER = FormReader("narrative", recognise=_recognise, read=_read_into, fallback=True)
