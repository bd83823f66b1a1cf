"""The review report: findings and statistics as data (docs/review-rules.md).

A :class:`Report` is never raised and never printed by the library; the CLI renders it.
``valid`` is true when no finding has severity ``error``. ``flatten()`` gives compact
rows for test assertions, e.g. ``report.flatten(("code", "where"))`` ->
``[["cost-amount-mismatch", "项目3!D14"], ...]``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .model import Finding

__all__ = ["Report"]


@dataclass
class Report:
    """Findings of reading and checking one workbook (or a batch), with counts.

    ``stats`` keys used by xlperf: ``cells`` (non-empty cells seen), ``cells_mapped``,
    ``cells_reported`` (unmapped cells listed as findings), ``projects``,
    ``indicators``, ``errors``, ``warnings``.
    """

    findings: list[Finding] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        """True when there is no error-severity finding."""
        return not any(f.severity == "error" for f in self.findings)

    @property
    def errors(self) -> list[Finding]:
        """The error-severity findings."""
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        """The warning-severity findings."""
        return [f for f in self.findings if f.severity == "warning"]

    def codes(self) -> Counter[str]:
        """How many findings of each code."""
        return Counter(f.code for f in self.findings)

    def flatten(self, spec: Sequence[str] = ("code", "where")) -> list[list[object]]:
        """One list per finding holding the attributes named in *spec*
        (``code``, ``severity``, ``message``, ``file``, ``sheet``, ``cell``, ``text``,
        ``where``)."""
        return [[getattr(f, name) for name in spec] for f in self.findings]

    def extend(self, findings: Iterable[Finding]) -> None:
        """Add findings (keeps order)."""
        self.findings.extend(findings)
