"""Review (审核): the rules run over a read :class:`~xlperf.model.Submission`, one module
per subject, every rule registered with ``@rule("code")`` and run in
:data:`~xlperf.review.registry.ORDER`. Codes, severities and Chinese messages are data
(``templates/rules.toml``); what each rule checks and why: docs/review-rules.md; how to
add one: ``xlperf/review/README.md``.
"""

from __future__ import annotations

# the rule modules register their rules on import
from . import carried, context, cost, department, empty, funding, levels, required, summary, targets, yielded  # noqa: F401
from .registry import ORDER, RULES, review, rule

__all__ = ["ORDER", "RULES", "review", "rule"]
