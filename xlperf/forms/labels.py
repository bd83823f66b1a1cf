"""Find labels in cells, by their wording or by their word parts, all from
``templates/labels.toml`` (docs/forms.md "Labels").

A cell is a label of a field when its folded key (:func:`form_key`) is one of the field's
wordings (``项目名称``; ``主管部門`` and ``总 体 目 标`` fold to a listed wording), or when
its parts fit the field's ``[parts]`` rule (``专项资金名称`` ends with 名称 and holds
专项: a project name). A project label numbered as an item of a list (``1.财政拨款``, ``(二)其他资金``) is the label
after its number; a heading of two labels joined by 、 (``单位名称、项目名称``) is the project name
when one of them names it, else the first that names a field. A label may carry its value in the same cell after a separator
(``项目期限 1年``, ``部门名称: 广州市增城区司法局``, ``资金总额: 250``). A unit written in
the label (``项目预算金额 (万元)``) is kept on the hit for the amount reader.

The labels in force are the built-in ones, plus the wordings of a ``--labels FILE``
while :func:`use_labels` is active (:func:`load_labels` returns them).
"""

from __future__ import annotations

import contextlib
import contextvars
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from ..data import load_data
from ..readers.grid import Sheet
from ..text import label_key

__all__ = ["LabelHit", "Labels", "form_key", "labels_with", "load_labels", "outline_item", "use_labels"]

# Noise of re-published pages, dropped from label keys only (never from data): "?" runs
# where characters were lost (绩???效), "*" masks and OCR stars (一*级), and the pinyin a
# mirror site writes after traditional characters (預(yù)算, 績(jī)效; a lost "(" leaves "jī)").
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_MASK_RE = re.compile(r"[?？*＊]+")
_PINYIN_RE = re.compile(rf"\([a-z]*[{_TONED}][a-z]*\)|^[a-z]*[{_TONED}][a-z]*\)")
_TRAILING_NOTE_RE = re.compile(r"(\([^()]*\))+$")
_UNIT_NOTE_RE = re.compile(r"\((万元|元|亿元)\)")
# the outline number a list of items writes before each label: 1.财政拨款, 一、预算资金, (二)其他资金;
# read in the sections whose labels are listed so (the funds of a project form), as are headings of
# two fields in one column (单位名称、项目名称)
_NUMBERED_SECTIONS = frozenset({"project"})
_OUTLINE_RE = re.compile(r"^(\d{1,2}[、.]|[一二三四五六七八九十]{1,3}[、.]|\((\d{1,2}|[一二三四五六七八九十]{1,3})\))(?=.)")


@lru_cache(maxsize=1 << 16)
def form_key(text: str) -> str:
    """The key a label is matched by: :func:`xlperf.text.label_key` (NFKC, no white
    space), the page noise above dropped, traditional characters folded to simplified.

    >>> form_key("績(jī)效目標(biāo)")
    '绩效目标'
    """
    key = label_key(text)
    if "?" in key or "*" in key:
        key = _MASK_RE.sub("", key)
    if ")" in key:
        key = _PINYIN_RE.sub("", key)
    if not _traditional().isdisjoint(key):
        import zhconv  # loaded only when a traditional character is met

        key = zhconv.convert(key, "zh-hans")
    return key


def outline_item(text: str) -> str | None:
    """The key of a text numbered as an item of an outline (``一、产出指标``, ``（一）数量指标``,
    ``1.财政拨款``) after its number; ``None`` when it carries no outline number."""
    key = form_key(text)
    m = _OUTLINE_RE.match(key)
    return key[m.end():] if m else None


@lru_cache(maxsize=1)
def _traditional() -> frozenset[str]:
    """The characters zhconv folds to another simplified character."""
    import zhconv

    table = zhconv.zhconv.getdict("zh-hans")
    return frozenset(k for k, v in table.items() if len(k) == 1 and v != k)


@dataclass(frozen=True)
class LabelHit:
    """A label found in a cell: its section and field in labels.toml, the label key,
    ``inline`` (the value written in the same cell after the label) if any, ``unit``
    (万元 / 元 / 亿元) when the label states one (``项目预算金额(万元)``), and ``joined``, the
    column of the label's second part when a converter split it over two cells (``项 目`` |
    ``名 称``)."""

    section: str
    field: str
    label: str
    inline: str | None = None
    unit: str | None = None
    joined: int | None = None  # the column of a label's second part (a scan's `项 目` | `名 称`)


@dataclass(frozen=True)
class _Parts:
    """One word-part rule (labels.toml ``[parts.<section>.<field>]``)."""

    field: str
    ends: tuple[str, ...]
    any: tuple[str, ...]
    not_: tuple[str, ...]
    max: int

    def fits(self, key: str) -> bool:
        """Whether a folded label *key* is this rule's: at most ``max`` characters, ending in
        one of ``ends``, holding one of ``any`` (each when given) and none of ``not_``."""
        return (len(key) <= self.max and (not self.ends or key.endswith(self.ends))
                and (not self.any or any(w in key for w in self.any))
                and not any(w in key for w in self.not_))


_NOT_LABEL_SECTIONS = {"parts"}
_SPLIT_PART_MAX = 8  # a part of a label split over two cells: two to four characters, spaced (`项 目`)


class Labels:
    """Label lookup over the sections of ``labels.toml`` (wordings and part rules)."""

    def __init__(self, data: dict) -> None:
        self.data = data
        self._exact: dict[str, dict[str, str]] = {}
        self._prefix: dict[str, dict[str, list[tuple[str, str]]]] = {}
        self._parts: dict[str, list[_Parts]] = {}
        self.standard: dict[str, dict[str, str]] = {}
        for section, fields in data.items():
            if section in _NOT_LABEL_SECTIONS or not isinstance(fields, dict):
                continue
            ex = self._exact.setdefault(section, {})
            pre = self._prefix.setdefault(section, {})
            self.standard[section] = {}
            for fld, words in fields.items():
                if not isinstance(words, list):
                    continue
                self.standard[section][fld] = words[0]
                for w in words:
                    k = form_key(w)
                    ex.setdefault(k, fld)
                    pre.setdefault(k[0], []).append((k, fld))
            for entries in pre.values():  # longest label first, indexed by first character
                entries.sort(key=lambda t: -len(t[0]))
        for section, rules in data.get("parts", {}).items():
            self._parts[section] = [
                _Parts(fld, tuple(map(form_key, r.get("ends", ()))), tuple(map(form_key, r.get("any", ()))),
                       tuple(map(form_key, r.get("not", ()))), int(r.get("max", 12)))
                for fld, r in rules.items()]
        # cheap gates: a key starting otherwise than every wording and fitting no part
        # rule's ending or required word is no label (most cell texts, in one lookup)
        self._any_first = frozenset(ch for pre in self._prefix.values() for ch in pre)
        self._part_ends = tuple({e for rules in self._parts.values() for p in rules for e in p.ends})
        self._part_words = tuple({w for rules in self._parts.values() for p in rules if not p.ends for w in p.any})
        # the first parts of a project wording split over two cells (`项目` of 项目名称): each part 2-4 characters
        self._split_heads = frozenset(k[:i] for k in self._exact.get("project", {}) for i in range(2, min(len(k) - 1, 4) + 1)
                                      if len(k) - i <= 4)
        # what a section's _match needs (_sections): a wording of it (whole, without a note in
        # brackets, or starting the key), a part rule's ending or word, an outline number
        self._sections_of: dict[str, list[str]] = {}
        for section, ex in self._exact.items():
            for k in ex:
                self._sections_of.setdefault(k, []).append(section)
        self._word_sizes = tuple(sorted({len(k) for k in self._sections_of}))
        self._part_gates = {section: (max(p.max for p in rules), tuple(e for p in rules for e in p.ends),
                                      tuple(w for p in rules if not p.ends for w in p.any),
                                      any(not p.ends and not p.any for p in rules))
                            for section, rules in self._parts.items() if rules}
        self._cached = lru_cache(maxsize=1 << 16)(self._match)
        self._hits_cached = lru_cache(maxsize=1 << 16)(self._hits)

    def match(self, section: str, text: object, *, inline: bool = True) -> LabelHit | None:
        """The label of *section* that *text* is, or starts with followed by a separator
        (white space or a colon) and a value. ``None`` when it is no label."""
        if not isinstance(text, str) or not text or len(text) > 200:
            return None
        return self._cached(section, text, inline)

    def _field_of(self, section: str, key: str) -> tuple[str, str | None] | None:
        """(field, unit) of a whole label key of *section*, by wording then by parts."""
        key = key.rstrip(":")
        fld = self._exact.get(section, {}).get(key)
        if fld is not None:
            return fld, None
        unit = _UNIT_NOTE_RE.search(key)
        core = _TRAILING_NOTE_RE.sub("", key).rstrip(":") if key.endswith(")") else key
        if core != key:
            fld = self._exact.get(section, {}).get(core)
            if fld is not None:
                return fld, unit.group(1) if unit else None
        for rule in self._parts.get(section, ()):
            if core and rule.fits(core):
                return rule.field, unit.group(1) if unit else None
        if section not in _NUMBERED_SECTIONS:
            return None
        outline = _OUTLINE_RE.match(key)
        if outline is not None:  # a numbered item of a list (the funds): the label after its number
            return self._field_of(section, key[outline.end():])
        if "、" in key and len(key) <= 12:  # a heading of two fields in one column (单位名称、项目名称, 云南)
            fields = [f for part in key.split("、") if part and (f := self._field_of(section, part))]
            return next((f for f in fields if f[0] == "name"), fields[0] if fields else None)
        return None

    def _match(self, section: str, text: str, inline: bool) -> LabelHit | None:
        key = form_key(text)
        if not key:
            return None
        whole = self._field_of(section, key)
        if whole is not None:
            return LabelHit(section, whole[0], key.rstrip(":"), unit=whole[1])
        if not inline:
            return None
        for k, fld in self._prefix.get(section, {}).get(key[0], ()):
            if key.startswith(k) and len(key) > len(k):
                value = _after_label(text, len(k))
                if value is not None:
                    return LabelHit(section, fld, k, value)
        colon = key.find(":")
        if 0 < colon < len(key) - 1:  # "<label by its parts>: value"
            head = self._field_of(section, key[:colon])
            if head is not None:
                value = _after_label(text, colon)
                if value is not None:
                    return LabelHit(section, head[0], key[:colon], value, head[1])
        return None

    def truncated(self, section: str, key: str) -> frozenset[str]:
        """The fields of *section* one of whose wordings *key* is the start of (a label the
        page cut to its first characters: ``年度`` of 年度目标 / 年度资金总额); empty when
        *key* is shorter than two characters or a whole label itself."""
        if len(key) < 2 or len(key) > 4 or key in self._exact.get(section, {}):
            return frozenset()
        return frozenset(f for k, f in self._prefix.get(section, {}).get(key[0], ()) if k.startswith(key) and k != key)

    def hits(self, text: str) -> dict[str, LabelHit]:
        """Every section *text* is a label of (inline values allowed), cached by text."""
        return self._hits_cached(text)

    def _could_be_label(self, key: str) -> bool:
        if (outline := _OUTLINE_RE.match(key)) is not None:
            key = key[outline.end():]
        if key[0] in self._any_first:
            return True
        core = key.split(":", 1)[0]
        core = _TRAILING_NOTE_RE.sub("", core) if core.endswith(")") else core
        return len(core) <= 16 and (core.endswith(self._part_ends) or any(w in core for w in self._part_words))

    def _sections(self, key: str) -> list[str]:
        """The sections (in their order) whose :meth:`_match` may find a label in *key*; the
        others cannot: the key is none of their wordings (whole or without a note in
        brackets), starts with none, fits none of their part rules' gates (length, ending,
        word), has no colon after its first character and, outside the numbered sections,
        no outline number or 、. Most texts (goals, names, values) need no section tried."""
        if 0 < key.find(":") < len(key) - 1:
            return list(self._exact)  # "<label>: value": any section's label may head it
        whole = key.rstrip(":")
        core = _TRAILING_NOTE_RE.sub("", whole).rstrip(":") if whole.endswith(")") else whole
        of = self._sections_of
        found = {*of.get(whole, ()), *of.get(core, ())}
        n = len(key)
        for size in self._word_sizes:
            if size >= n:
                break
            found.update(of.get(key[:size], ()))
        for section, (longest, ends, words, always) in self._part_gates.items():
            if core and len(core) <= longest and (always or core.endswith(ends) or any(w in core for w in words)):
                found.add(section)
        if _OUTLINE_RE.match(whole) is not None or ("、" in whole and len(whole) <= 12):
            found.update(_NUMBERED_SECTIONS)
        return [section for section in self._exact if section in found] if found else []

    def _hits(self, text: str) -> dict[str, LabelHit]:
        key = form_key(text)
        if not key or not self._could_be_label(key):
            return {}  # no label of any section starts like it or fits a part rule
        out = {}
        for section in self._sections(key):
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
            hits_of, split_heads = self._hits_cached, self._split_heads
            for r, cells in sheet.grid.items():
                c0, v0 = cells[0]
                if (len(cells) > 1 and isinstance(v0, str) and 0 < len(v0) <= _SPLIT_PART_MAX
                        and form_key(v0) in split_heads and not hits_of(v0)):
                    for section, hit in self._split_label(v0, cells[1]).items():  # `项 目` | `名 称` (a scan's converter)
                        idx.setdefault(section, {})[r] = [(c0, hit)]
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

    def _split_label(self, text: str, after: tuple[int, object]) -> dict[str, LabelHit]:
        """A project wording a converter split over a row's first two cells (`项 目` | `名 称`): the
        first part starts a wording, the second, no label itself, completes it; the hit notes the
        second part's column."""
        c2, v2 = after
        if not isinstance(v2, str) or len(v2) > _SPLIT_PART_MAX or self._hits_cached(v2):
            return {}
        key = form_key(text) + form_key(v2)
        fld = self._exact.get("project", {}).get(key)
        return {} if fld is None else {"project": LabelHit("project", fld, key, joined=c2)}

    def with_words(self, extra: dict) -> Labels:
        """These labels plus the wordings of *extra* (a labels.toml-shaped dict, checked
        by :func:`xlperf.forms.extra_labels.check_labels`), added after the built-in ones."""
        merged: dict = {sec: (dict(fields) if isinstance(fields, dict) else fields) for sec, fields in self.data.items()}
        for section, fields in extra.items():
            target = merged.setdefault(section, {})
            for fld, words in fields.items():
                target[fld] = [*target.get(fld, []), *words]
        return Labels(merged)


_SEP_RE = re.compile(r"^[\s:：]+")


def _after_label(text: str, n_key_chars: int) -> str | None:
    """The value after the first *n_key_chars* key characters of *text*, when a
    separator (space or colon) follows them; else ``None`` (not an inline label)."""
    norm = unicodedata.normalize("NFKC", text)
    seen = 0
    i = 0
    while i < len(norm) and seen < n_key_chars:
        if not norm[i].isspace() and form_key(norm[i]):
            seen += 1
        i += 1
    rest = norm[i:]
    m = _SEP_RE.match(rest)
    if not m:
        return None
    value = rest[m.end():].strip()
    return value or None


@lru_cache(maxsize=1)
def _builtin() -> Labels:
    return Labels(load_data("labels.toml"))


_WITH: dict[str, Labels] = {}


def labels_with(extra: dict | None) -> Labels | None:
    """The built-in labels plus the wordings of *extra* (checked by
    :func:`xlperf.forms.extra_labels.check_labels`), built once per distinct *extra* in a
    process (a merge worker builds them for its first file); ``None`` for no extra."""
    if not extra:
        return None
    key = repr(sorted((s, sorted((f, tuple(w)) for f, w in fields.items())) for s, fields in extra.items()))
    if key not in _WITH:
        _WITH[key] = _builtin().with_words(extra)
    return _WITH[key]


_ACTIVE: contextvars.ContextVar[Labels | None] = contextvars.ContextVar("xlperf_labels", default=None)


def load_labels() -> Labels:
    """The labels in force: ``templates/labels.toml`` (loaded once), with the wordings
    of a ``--labels FILE`` while :func:`use_labels` is active."""
    return _ACTIVE.get() or _builtin()


@contextlib.contextmanager
def use_labels(labels: Labels | None) -> Iterator[None]:
    """Read with *labels* (``None``: the built-in ones) inside the ``with`` block."""
    token = _ACTIVE.set(labels)
    try:
        yield
    finally:
        _ACTIVE.reset(token)
