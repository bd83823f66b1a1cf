"""What every form reader shares: the :class:`FormReader` entry a form module declares,
the :class:`ParsedWorkbook` the readers fill, and :class:`FormRun`, the state of reading
one workbook. The registry of readers is :mod:`xlperf.forms.registry`; the walk over the
sheets is :mod:`xlperf.forms.dispatch`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..facts import ReadFacts
from ..model import Department, DepartmentPlan, Finding, Project, Region
from ..readers.grid import Sheet
from ..taxonomy import Taxonomy
from .common import ParseContext

__all__ = ["FormReader", "FormRun", "ParsedWorkbook"]


@dataclass
class ParsedWorkbook:
    """Everything read from the sheets of one workbook, before review: the model parts
    (projects, department plan, department, region, year), the findings of reading,
    ``facts`` for the review (:class:`~xlperf.facts.ReadFacts`), ``template_sheets``
    (the template's own hidden lists sheet, whose ``hidden-sheet`` note is dropped) and
    ``cover`` (what the template's cover block said, if it was found)."""

    projects: list[Project] = field(default_factory=list)
    department_plan: DepartmentPlan | None = None
    department: Department = field(default_factory=Department)
    region: Region = field(default_factory=Region)
    year: int | None = None
    findings: list[Finding] = field(default_factory=list)
    facts: ReadFacts = field(default_factory=ReadFacts)
    template_sheets: set[str] = field(default_factory=set)
    cover: Any = None  # forms.cover.CoverInfo (kept untyped here: cover.py builds on this module)


@dataclass
class FormRun:
    """The state of reading one workbook, handed to every reader: the taxonomy, the
    context collecting findings and document facts, and the workbook read so far."""

    tax: Taxonomy
    ctx: ParseContext
    out: ParsedWorkbook


@dataclass(frozen=True)
class FormReader:
    """One kind of form, as the registry lists it.

    ``find(sheet, owned_rows)`` recognises the form on a sheet and returns an anchor (a
    header row, the label rows, ...) or ``None``; rows already owned by an earlier form
    on the sheet are passed so a reader can skip them. ``read(sheet, anchor, run)``
    reads the form into ``run.out`` (marking the cells it maps consumed) and returns the
    rows it now owns. A ``fallback`` reader is tried only on a sheet where no other form
    was found (prose goals).
    """

    name: str
    find: Callable[[Sheet, set[int]], object | None]
    read: Callable[[Sheet, Any, FormRun], set[int]]
    fallback: bool = False
