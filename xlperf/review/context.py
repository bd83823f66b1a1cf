"""Context of the whole submission: no form found anywhere (``no-form-found``), and a
region or budget year still unknown after the cover block, the document and the
``--region`` / ``--year`` overrides (``region-unknown``, ``year-unknown``). See
docs/review-rules.md."""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import finding
from ..model import Finding, Submission
from .common import Facts
from .registry import rule


@rule("no-form-found")
def _no_form(sub: Submission, facts: Facts) -> Iterator[Finding]:
    if not facts.read.found_form:
        yield finding("no-form-found", sheet=None, cell=None)


@rule("region-unknown")
def _region(sub: Submission, facts: Facts) -> Iterator[Finding]:
    missing = [name for name, v in (("省", sub.region.province), ("市", sub.region.city), ("县", sub.region.county)) if not v]
    if missing:
        yield finding("region-unknown", sheet=None, cell=None, params={"missing": "、".join(missing)})


@rule("year-unknown")
def _year(sub: Submission, facts: Facts) -> Iterator[Finding]:
    if sub.year is None:
        yield finding("year-unknown", sheet=None, cell=None)
