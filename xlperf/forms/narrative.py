"""Prose goals on a sheet of their own (seed 001 part one: 一、总体绩效目标 / 二、分项绩效目标 /
三、工作保障措施, one paragraph per row): read as headed sections of the department plan."""

from __future__ import annotations

import re

from ..model import DepartmentPlan, NarrativeSection
from ..readers.grid import Sheet, format_value
from .base import FormReader, FormRun, Recognition
from .common import is_title

__all__ = ["READER", "read_narrative"]

_HEADING_RE = re.compile(r"^[一二三四五六七八九十]+、\s*\S{2,20}$")


def read_narrative(sheet: Sheet) -> list[NarrativeSection]:
    """Sections of a prose sheet: every text cell sits in one column and at least one
    cell is a numbered heading (``一、总体绩效目标``). Returns [] for other sheets."""
    cols = {c for (_r, c) in sheet.cells}
    if len(cols) != 1 or not any(isinstance(v, str) and _HEADING_RE.match(v.strip()) for v in sheet.cells.values()):
        return []
    sections: list[NarrativeSection] = []
    heading: str | None = None
    lines: list[str] = []
    first_ref: str | None = None

    def flush() -> None:
        if lines:
            sections.append(NarrativeSection(heading=heading, text="\n".join(lines), source=first_ref))

    for (r, c), v in sorted(sheet.cells.items()):
        text = format_value(v).strip()
        if _HEADING_RE.match(text):
            flush()
            heading, lines, first_ref = text, [], None
            sheet.consumed.add((r, c))
        elif is_title(text):  # a title or a part heading (第一部分)
            sheet.consumed.add((r, c))
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


def _read_into(sheet: Sheet, sections: list[NarrativeSection], run: FormRun) -> set[int]:
    plan = run.out.department_plan or DepartmentPlan(sheet=sheet.name)
    plan.narrative.extend(sections)
    run.out.department_plan = plan
    return set()


READER = FormReader("narrative", recognise=_recognise, read=_read_into, fallback=True)
