"""Find labels in cells: exact labels (``项目名称``), traditional variants (``主管部門``),
spaced variants (``其中：财政    资金``) and labels with their value in the same cell
(``项目期限 1年``, ``部门名称: 广州市增城区司法局``), all from ``templates/labels.toml``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from ..data import load_data
from ..readers.grid import Sheet
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
        self._prefix: dict[str, dict[str, list[tuple[str, str, str]]]] = {}
        self._cached = lru_cache(maxsize=1 << 16)(self._match)
        self._hits_cached = lru_cache(maxsize=1 << 16)(self._hits)
        self.standard: dict[str, dict[str, str]] = {}
        for section, fields in data.items():
            ex = self._exact.setdefault(section, {})
            pre = self._prefix.setdefault(section, {})
            self.standard[section] = {}
            for fld, words in fields.items():
                if not isinstance(words, list):
                    continue
                self.standard[section][fld] = words[0]
                for w in words:
                    k = label_key(w)
                    ex.setdefault(k, (fld, k))
                    pre.setdefault(k[0], []).append((k, fld, w))
            for entries in pre.values():  # longest label first, indexed by first character
                entries.sort(key=lambda t: -len(t[0]))
        # the first characters of every section's labels (exact ones included): a text
        # starting otherwise is no label, which rules out most cell texts in one lookup
        self._any_first = frozenset(ch for pre in self._prefix.values() for ch in pre)

    def match(self, section: str, text: object, *, inline: bool = True) -> LabelHit | None:
        """The label of *section* that *text* is, or starts with followed by a separator
        (white space or a colon) and a value. ``None`` when it is no label."""
        if not isinstance(text, str) or not text or len(text) > 200:
            return None
        return self._cached(section, text, inline)

    def _match(self, section: str, text: str, inline: bool) -> LabelHit | None:
        key = label_key(text)
        hit = self._exact.get(section, {}).get(key)
        if hit is None and key.endswith((":", "：")):
            hit = self._exact.get(section, {}).get(key[:-1])
        if hit:
            return LabelHit(section, hit[0], hit[1])
        if not inline or not key:
            return None
        for k, fld, _w in self._prefix.get(section, {}).get(key[0], ()):
            if key.startswith(k) and len(key) > len(k):
                value = _after_label(text, len(k))
                if value is not None:
                    return LabelHit(section, fld, k, value)
        return None

    def hits(self, text: str) -> dict[str, LabelHit]:
        """Every section *text* is a label of (inline values allowed), cached by text."""
        return self._hits_cached(text)

    def _hits(self, text: str) -> dict[str, LabelHit]:
        key = label_key(text)
        if not key or key[0] not in self._any_first:
            return {}  # no label of any section starts like it
        out = {}
        for section in self._exact:
            hit = self._match(section, text, True)
            if hit is not None:
                out[section] = hit
        return out

    def index(self, sheet: Sheet) -> dict[str, dict[int, list[tuple[int, LabelHit]]]]:
        """Section -> row -> [(col, hit)] for every label cell of *sheet*, built in one
        pass over its cells and kept on the sheet (detectors then look at labels only)."""
        idx = sheet.cache.get("labels")
        if idx is None:
            idx = {}
            hits_of = self._hits_cached
            for r, cells in sheet.grid.items():
                for c, v in cells:
                    if isinstance(v, str) and 0 < len(v) <= 200:
                        hits = hits_of(v)
                        if not hits:
                            continue  # most cells: no label of any section
                        for section, hit in hits.items():
                            rows = idx.get(section)
                            if rows is None:
                                rows = idx[section] = {}
                            row = rows.get(r)
                            if row is None:
                                rows[r] = [(c, hit)]
                            else:
                                row.append((c, hit))
            sheet.cache["labels"] = idx
        return idx  # type: ignore[return-value]


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
