"""Facts a form reader saw on the grid that review rules need but the canonical model
does not hold (so the JSON stays as it is): whether any form was found, and the totals a
form states over its projects (the 合计 and unit rows of the Guangdong summary table,
seed 003 增城; see docs/forms.md), and the values a pre-filled template carried over from
last year's submission (docs/review-loop.md).

Form readers record them (:mod:`xlperf.forms`), the importer hands them to the review
(:func:`xlperf.review.review`), rules read them; nothing here is written out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .cellref import CellRef
from .model import Project

__all__ = ["CarriedValue", "ReadFacts", "StatedTotal"]


@dataclass(frozen=True)
class StatedTotal:
    """A total (万元) a form states for a group of projects: ``label`` (合计, or the unit
    row's name), ``amount`` as read, ``where`` its cell, ``projects`` those it totals,
    ``also_accepted`` another amount that counts as agreeing (the first unit row of the
    Guangdong table may be the department row totalling every unit, i.e. equal 合计)."""

    label: str
    amount: Decimal
    where: CellRef
    projects: tuple[Project, ...]
    also_accepted: Decimal | None = None


@dataclass(frozen=True)
class CarriedValue:
    """A value ``xlperf template --from`` wrote from last year's submission: ``where`` the
    cell, ``last`` the value as carried (text), ``unchanged`` whether the cell still holds
    it (docs/review-loop.md)."""

    where: CellRef
    last: str
    unchanged: bool


@dataclass
class ReadFacts:
    """What the form readers of one workbook saw: ``found_form`` (any form on any sheet),
    ``stated_totals`` in the order the forms state them, and ``carried`` the values a
    pre-filled template carried over, in its record's order."""

    found_form: bool = False
    stated_totals: list[StatedTotal] = field(default_factory=list)
    carried: list[CarriedValue] = field(default_factory=list)
