"""Find labels in cells: exact labels (``项目名称``), traditional variants (``主管部門``),
spaced variants (``其中：财政    资金``) and labels with their value in the same cell
(``项目期限 1年``, ``部门名称: 广州市增城区司法局``), all from ``templates/labels.toml``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from ..taxonomy import load_data
from ..text import label_key

__all__ = ["LabelHit", "Labels", "load_labels"]


@dataclass(frozen=True)
class LabelHit:
    """A label found in a cell: its section and field in labels.toml, the label key, and
    ``inline`` (the value written in the same cell after the label) if any."""

    section: str
    field: str
    label: str
    inline: str | None = None


class Labels:
    """Label lookup for one section of ``labels.toml`` (or several)."""

    def __init__(self, data: dict) -> None:
        self._exact: dict[str, dict[str, tuple[str, str]]] = {}
        self._prefix: dict[str, list[tuple[str, str, str]]] = {}
        self.standard: dict[str, dict[str, str]] = {}
        for section, fields in data.items():
            ex = self._exact.setdefault(section, {})
            pre = self._prefix.setdefault(section, [])
            self.standard[section] = {}
            for fld, words in fields.items():
                if not isinstance(words, list):
                    continue
                self.standard[section][fld] = words[0]
                for w in words:
                    k = label_key(w)
                    ex.setdefault(k, (fld, k))
                    pre.append((k, fld, w))
            pre.sort(key=lambda t: -len(t[0]))

    def match(self, section: str, text: object, *, inline: bool = True) -> LabelHit | None:
        """The label of *section* that *text* is, or starts with followed by a separator
        (white space or a colon) and a value. ``None`` when it is no label."""
        if not isinstance(text, str) or not text:
            return None
        key = label_key(text)
        hit = self._exact.get(section, {}).get(key)
        if hit is None and key.endswith((":", "：")):
            hit = self._exact.get(section, {}).get(key[:-1])
        if hit:
            return LabelHit(section, hit[0], hit[1])
        if not inline:
            return None
        for k, fld, _w in self._prefix.get(section, ()):
            if key.startswith(k) and len(key) > len(k):
                value = _after_label(text, len(k))
                if value is not None:
                    return LabelHit(section, fld, k, value)
        return None

    def is_label(self, text: object, sections: tuple[str, ...]) -> bool:
        """True when *text* is exactly a label of any of *sections*."""
        if not isinstance(text, str):
            return False
        key = label_key(text)
        return any(key in self._exact.get(s, {}) for s in sections)


_SEP_RE = re.compile(r"^[\s:：]+")


def _after_label(text: str, n_key_chars: int) -> str | None:
    """The value after the first *n_key_chars* non-space characters of *text*, when a
    separator (space or colon) follows them; else ``None`` (not an inline label)."""
    norm = unicodedata.normalize("NFKC", text)
    seen = 0
    i = 0
    while i < len(norm) and seen < n_key_chars:
        if not norm[i].isspace():
            seen += 1
        i += 1
    rest = norm[i:]
    m = _SEP_RE.match(rest)
    if not m:
        return None
    value = rest[m.end():].strip()
    return value or None


@lru_cache(maxsize=1)
def load_labels() -> Labels:
    """The labels of ``templates/labels.toml`` (loaded once)."""
    return Labels(load_data("labels.toml"))
