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

__all__ = ["FormReader", "FormRun", "ParsedWorkbook", "Recognition", "Refusal"]


@dataclass(frozen=True)
class Recognition:
    """How confidently a reader recognises its form on a sheet: ``score`` from 0 (not
    at all) to 1 (certain), and the ``anchor`` its ``read`` starts from (header rows,
    label rows …). Scores compare readers on one sheet: the most confident reads first."""

    score: float
    anchor: object


@dataclass(frozen=True)
class Refusal:
    """A sheet recognised as something other than a target form: ``kind`` (its Chinese
    name: 绩效自评表 …), ``evidence`` (the words seen), ``sheet`` and ``cell`` of the first."""

    kind: str
    evidence: tuple[str, ...]
    sheet: str
    cell: str


@dataclass
class ParsedWorkbook:
    """Everything read from the sheets of one workbook, before review: the model parts
    (projects, department plan, department, region, year), the findings of reading,
    ``facts`` for the review (:class:`~xlperf.facts.ReadFacts`), ``template_sheets``
    (the template's own hidden lists sheet, whose ``hidden-sheet`` note is dropped) and
    ``cover`` (what the template's cover block said, if it was found), ``refusals`` (sheets that
    are no target form) and ``listings`` (lists of the workbook's projects, checked against the
    projects once every sheet is read)."""

    projects: list[Project] = field(default_factory=list)
    department_plan: DepartmentPlan | None = None
    department: Department = field(default_factory=Department)
    region: Region = field(default_factory=Region)
    year: int | None = None
    findings: list[Finding] = field(default_factory=list)
    facts: ReadFacts = field(default_factory=ReadFacts)
    template_sheets: set[str] = field(default_factory=set)
    refusals: list[Refusal] = field(default_factory=list)  # sheets that are no target form
    listings: list[Any] = field(default_factory=list)  # forms.project_list.Listing: lists of the projects
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

    ``recognise(sheet, owned_rows)`` says how confidently the form is on a sheet: a
    :class:`Recognition` (score and anchor) or ``None``; rows already owned by a form read
    on the sheet are passed so a reader can skip them. ``read(sheet, anchor, run)`` reads
    the form into ``run.out`` (marking the cells it maps consumed) and returns the rows
    it now owns. A ``fallback`` reader is tried only on a sheet where no other form was
    found (prose goals). Readers below :data:`MIN_SCORE` are not read.
    """

    name: str
    recognise: Callable[[Sheet, set[int]], Recognition | None]
    read: Callable[[Sheet, Any, FormRun], set[int]]
    fallback: bool = False


#: the least score a reader must reach for its form to be read
MIN_SCORE = 0.5
