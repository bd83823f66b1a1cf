"""The data files of ``templates/`` (installed as the ``xlperf.templates`` package):
taxonomy.toml, lists.toml, labels.toml, rules.toml, template_sheets.toml.

Data, not code: the levels and aliases, list values, label wordings, the finding catalog
and the template's sheets are edited there, never as literals in modules.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

__all__ = ["load_data"]


@cache
def load_data(name: str) -> dict:
    """Read one TOML data file from ``templates/`` (e.g. ``"labels.toml"``), once.

    The returned dict is shared: callers must not modify it.
    Raises :class:`FileNotFoundError` when the package data is missing.
    """
    text = resources.files("xlperf.templates").joinpath(name).read_text(encoding="utf-8")
    return tomllib.loads(text)
