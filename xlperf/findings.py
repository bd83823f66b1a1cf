"""The finding catalog (``templates/rules.toml``): code -> severity, title, message.

Code anywhere in xlperf raises a finding only through :func:`finding`, so every code
is declared once, as data, with its severity and Chinese message template.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from .data import load_data
from .model import Finding

__all__ = ["RuleSpec", "catalog", "finding"]


@dataclass(frozen=True)
class RuleSpec:
    """One catalog entry: ``code``, ``severity`` (error | warning), ``title`` and the
    ``message`` template (``str.format`` placeholders)."""

    code: str
    severity: str
    title: str
    message: str


@lru_cache(maxsize=1)
def catalog() -> dict[str, RuleSpec]:
    """All finding specs by code, loaded once from ``templates/rules.toml``."""
    data = load_data("rules.toml")
    return {code: RuleSpec(code, d["severity"], d["title"], d["message"]) for code, d in data.items()}


class _Params(dict):
    def __missing__(self, key: str) -> str:  # a missing placeholder shows as itself
        return "{" + key + "}"


_NO_PARAMS: Mapping[str, object] = MappingProxyType({})


def finding(code: str, *, sheet: str | None, cell: str | None, text: str | None = None, file: str | None = None,
            params: Mapping[str, object] = _NO_PARAMS) -> Finding:
    """Build the :class:`~xlperf.model.Finding` for catalog *code*.

    ``params`` fill the message template (``{"label": "项目名称"}``); ``text`` (the offending text as typed) is
    also available to the template as ``{text}``. Raises :class:`KeyError` for a code
    not in the catalog: a programming error, caught by the catalog test.
    """
    spec = catalog()[code]
    values = _Params({k: ("" if v is None else v) for k, v in params.items()})
    values.setdefault("text", "" if text is None else _short(text))
    values.setdefault("sheet", sheet or "")
    return Finding(code=code, severity=spec.severity, message=spec.message.format_map(values),  # type: ignore[arg-type]
                   file=file, sheet=sheet, cell=cell, text=text)


def _short(text: str, limit: int = 60) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"
