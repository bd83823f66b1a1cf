"""The indicator taxonomy (一级 / 二级 levels, codes and aliases), loaded from data.

The levels live in ``templates/taxonomy.toml`` (installed as ``xlperf.templates``),
versioned; lists and labels in ``templates/lists.toml`` and ``templates/labels.toml``.
Normalisation maps any alias to the canonical level (docs/taxonomy.md); an unknown level
is never guessed: :meth:`Taxonomy.match_level1` / :meth:`Taxonomy.match_level2` return
``None`` and the caller keeps the text and reports it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .data import load_data
from .text import label_key

__all__ = [
    "Level",
    "LevelMatch",
    "Taxonomy",
    "load_taxonomy",
    "split_code",
]

_CODE_RE = re.compile(r"^\s*([0-9０-９]{1,4})\s*[-－—–_.、]+\s*(.*?)\s*$", re.DOTALL)


def split_code(text: str) -> tuple[str | None, str]:
    """Split a coded label: ``"11-数量指标"`` -> ``("11", "数量指标")``;
    ``"0101--一年期项目"`` -> ``("0101", "一年期项目")``; no code -> ``(None, text)``."""
    m = _CODE_RE.match(text)
    if not m or not m.group(2):
        return None, text.strip()
    code = m.group(1).translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    return code, m.group(2)


@dataclass(frozen=True)
class Level:
    """A canonical level: ``code`` ("11", or "" where no form prints one), ``name``
    (数量指标) and, for a 二级, its ``parent`` 一级 name."""

    code: str
    name: str
    parent: str | None = None

    @property
    def label(self) -> str:
        """The coded label the Ningxia form prints: ``11-数量指标`` (or the name)."""
        return f"{self.code}-{self.name}" if self.code else self.name


@dataclass(frozen=True)
class LevelMatch:
    """Result of matching level text: the ``level``, and ``conflict`` when the code and
    the name point at different levels (``31-满意度指标``, ``5-服务对象满意度``); the
    match then follows the one that is a valid level and ``conflict`` says what was odd."""

    level: Level
    conflict: str | None = None


def _name_keys(name: str) -> set[str]:
    key = label_key(name)
    keys = {key}
    if key.endswith("指标") and len(key) > 2:
        keys.add(key[:-2])
    else:
        keys.add(key + "指标")
    return keys


@dataclass
class _Tier:
    by_code: dict[str, Level] = field(default_factory=dict)
    by_name: dict[str, Level] = field(default_factory=dict)

    def add(self, level: Level, aliases: list[str]) -> None:
        if level.code:
            self.by_code[level.code] = level
        for n in [level.name, *aliases]:
            for k in _name_keys(n):
                self.by_name.setdefault(k, level)

    def __post_init__(self) -> None:
        self.match = lru_cache(maxsize=1 << 14)(self._match)  # texts repeat across rows and files

    def _match(self, text: str) -> LevelMatch | None:
        code, name = split_code(text)
        by_name = self.by_name.get(label_key(name))
        by_code = self.by_code.get(code) if code else None
        if by_code and by_name:
            if by_code == by_name:
                return LevelMatch(by_code)
            return LevelMatch(by_code, conflict=f"编码“{code}”与名称“{name}”不一致")
        if by_code:
            return LevelMatch(by_code, conflict=None if not name else f"名称“{name}”与编码“{code}”不一致")
        if by_name:
            if code:
                return LevelMatch(by_name, conflict=f"编码“{code}”与名称“{name}”不一致")
            return LevelMatch(by_name)
        return None


class Taxonomy:
    """Project-level and department-level indicator frameworks.

    Built from ``templates/taxonomy.toml``; use :func:`load_taxonomy` (cached).
    """

    def __init__(self, data: dict) -> None:
        self.version: str = data["version"]
        self.level1: list[Level] = []
        self.level2: list[Level] = []
        self._l1 = _Tier()
        self._l2 = _Tier()
        self._short: dict[tuple[str | None, str], Level] = {}
        for item in data["project"]["level1"]:
            lv = Level(item.get("code", ""), item["name"])
            self.level1.append(lv)
            self._l1.add(lv, item.get("aliases", []))
        for item in data["project"]["level2"]:
            lv = Level(item.get("code", ""), item["name"], item["parent"])
            self.level2.append(lv)
            self._l2.add(lv, item.get("aliases", []))
            for short in item.get("short", []):
                self._short[(lv.parent, label_key(short))] = lv
        self.dept_level1: list[Level] = []
        self.dept_level2: list[Level] = []
        self._d1 = _Tier()
        self._d2 = _Tier()
        self._numbered: dict[str, Level] = {}
        self._parents = {lv.name: lv for lv in self.level1}
        self._dept_parents: dict[str, Level] = {}
        for item in data["department"]["level1"]:
            lv1 = Level("", item["name"])
            self.dept_level1.append(lv1)
            self._dept_parents[lv1.name] = lv1
            self._d1.add(lv1, [])
            for n in item["level2"]:
                lv2 = Level("", n, lv1.name)
                self.dept_level2.append(lv2)
                self._d2.add(lv2, [])
            if item.get("numbered_level2"):
                self._numbered[label_key(item["numbered_level2"])] = Level("", item["numbered_level2"], lv1.name)

    # -- project level ---------------------------------------------------------------
    def match_level1(self, text: str | None) -> LevelMatch | None:
        """Match a 一级 text (``1-产出指标``, ``产出指标``) or return ``None``."""
        return self._l1.match(text) if text and text.strip() else None

    def match_level2(self, text: str | None) -> LevelMatch | None:
        """Match a 二级 text (``11-数量指标``, ``社会效益指标``) or return ``None``."""
        return self._l2.match(text) if text and text.strip() else None

    def match_level2_short(self, text: str, level1_name: str) -> LevelMatch | None:
        """Match a 二级 abbreviated to its first word (``社会``, ``服务对象``) under the 一级
        named *level1_name* (``效益指标``), or return ``None``: the abbreviation is read only
        under its own 一级 (``社会`` under ``成本指标`` is 社会成本), taxonomy.toml ``short``."""
        lv = self._short.get((level1_name, label_key(text)))
        return LevelMatch(lv) if lv is not None else None

    def level2_under(self, level1_name: str) -> list[Level]:
        """The 二级 levels of one 一级, in form order (for the dependent dropdown)."""
        return [lv for lv in self.level2 if lv.parent == level1_name]

    def standard_level2(self) -> list[Level]:
        """The coded 二级 levels the standard project form pre-fills (11 ... 31)."""
        return [lv for lv in self.level2 if lv.code]

    # -- department level ------------------------------------------------------------
    def match_dept_level1(self, text: str | None) -> LevelMatch | None:
        """Match a department-form 一级 (运行成本 ... 满意度)."""
        return self._d1.match(text) if text and text.strip() else None

    def match_dept_level2(self, text: str | None) -> LevelMatch | None:
        """Match a department-form 二级; ``核心业务产出 3`` matches 核心业务产出."""
        if not text or not text.strip():
            return None
        m = self._d2.match(text)
        if m:
            return m
        key = re.sub(r"\d+$", "", label_key(text))
        lv = self._numbered.get(key)
        return LevelMatch(lv) if lv else None

    def parent_of(self, level2: Level, *, department: bool = False) -> Level | None:
        """The 一级 a 二级 belongs to (project or department framework)."""
        return (self._dept_parents if department else self._parents).get(level2.parent or "")

    def dept_level2_under(self, level1_name: str) -> list[Level]:
        """The department 二级 levels of one department 一级, in form order."""
        return [lv for lv in self.dept_level2 if lv.parent == level1_name]


@lru_cache(maxsize=1)
def load_taxonomy() -> Taxonomy:
    """The taxonomy shipped in ``templates/taxonomy.toml`` (loaded once)."""
    return Taxonomy(load_data("taxonomy.toml"))
