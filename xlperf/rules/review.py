"""Review rules (审核要点, GUIDE section 5). Placeholder."""

from __future__ import annotations

from ..model import Finding, Submission

__all__ = ["review"]


def review(sub: Submission) -> list[Finding]:
    return []
