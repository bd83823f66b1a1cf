"""One data row of an indicator table, aligned by its content (see the package doc).

A row arrives as its free cells ``[(col, text), ...]``; the steps here find its leading
level cells, its shift against the header, the role of each remaining cell, and repair
what a published table garbles. Cells are ``(col, text)`` pairs; *values* map a role
(``name``, ``target``, ``value_basis`` …) to the cell holding it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from ...data import load_data
from ...taxonomy import LevelMatch
from ...text import label_key

__all__ = ["LevelToken", "RowRoles", "Vocab", "leading_levels", "map_roles", "row_shift", "split_bracketed",
           "split_name_target", "take_shifted_target", "vocab"]

_LEVEL_LIKE_RE = re.compile(r"^\d{1,2}\s*[-－—]|指标$")
_CMP_SPLIT_RE = re.compile(r"^(?P<name>.+?)\s+(?P<target>[=<>≤≥≧＞＜＝].*)$")
# a 三级 ending in its value in brackets (山西: 农村危房改造户数（≥270户）; a bracket of the name's own
# before it stays with the name: 农房（含C级、D级危房）改造合格率（100%）)
_BRACKETED_RE = re.compile(r"^(?P<name>.+?)\s*[（(](?P<target>[^（）()]+)[）)]\s*$")
_VALUE_ROLES = ("description", "two_years_ago", "last_year", "target")

Cell = tuple[int, str]
LevelToken = tuple[int, str, LevelMatch | None]  # (col, text, match; None: unknown level kept as written)


@dataclass(frozen=True)
class Vocab:
    """Words that anchor a garbled row: 指标值确定依据 and 指标分类 values (label keys);
    and ``nature``, the 定量 / 定性 words a 指标性质 column may hold instead of comparators."""

    basis: frozenset[str]
    klass: frozenset[str]
    nature: frozenset[str]


@lru_cache(maxsize=1)
def vocab() -> Vocab:
    """The :class:`Vocab` of templates/lists.toml (value_basis, indicator_class, indicator_nature)."""
    lists = load_data("lists.toml")
    return Vocab(*(frozenset(label_key(v) for v in lists[k]["values"])
                   for k in ("value_basis", "indicator_class", "indicator_nature")))


def leading_levels(texts: list[Cell], match_l1: Callable[[str], LevelMatch | None],
                   match_l2: Callable[[str], LevelMatch | None], c1: int | None, c2: int | None, carry: int,
                   short_l2: Callable[[str, LevelMatch | None], LevelMatch | None] | None = None,
                   l1: LevelMatch | None = None) -> tuple[LevelToken | None, LevelToken | None, int]:
    """The 一级 and 二级 cells at the start of a row, and how many cells they take.

    A table without a 一级 (or 二级) column has no such cells (*c1* / *c2* ``None``): a
    flat list's 三级 named 服务对象满意度 stays a 三级. A word known at both levels
    (社会效益) is decided by the column it sits in (after the shift *carry* of the rows
    above); a level-like text (``24-…``, ``…指标``) in the 一级 / 二级 column with more
    cells after it is an unknown level, kept as written. In a tree's one level column
    (*c1* == *c2*) a word of both levels alone on its row is the 一级, else the 二级.
    A 二级 abbreviated to its first word (社会) in the 二级 column, with more cells after it,
    is read by *short_l2* under the row's 一级 (or the carried *l1*).
    """
    tok1 = tok2 = None
    i = 0
    while (c1 is not None or c2 is not None) and i < len(texts) and tok2 is None:
        c, t = texts[i]
        m1 = match_l1(t) if tok1 is None and c1 is not None else None
        m2 = match_l2(t) if c2 is not None else None
        if m1 and m2 and bool(m1.conflict) != bool(m2.conflict):  # 3-满意度指标: the reading whose code agrees
            m1, m2 = (None, m2) if m1.conflict else (m1, None)
        if m1 and m2 and c1 == c2:  # a tree's column (满意度指标 at both levels): a 一级 stands alone on its row
            m1, m2 = (m1, None) if len(texts) == 1 else (None, m2)
        if m1 and m2:  # same word at both levels (社会效益): decide by column
            eff = c - carry
            if abs(eff - c2) <= abs(eff - c1):
                m1 = None
            else:
                m2 = None
        if m1:
            tok1 = (c, t, m1)
        elif m2:
            tok2 = (c, t, m2)
        elif (short_l2 is not None and c - carry == c2 and len(texts) - i > 1
              and (m2 := short_l2(t, tok1[2] if tok1 is not None else l1)) is not None):
            tok2 = (c, t, m2)
        elif c - carry in (c1, c2) and _LEVEL_LIKE_RE.search(t) and len(texts) - i > 1:
            if tok1 is None and c - carry == c1:
                tok1 = (c, t, None)
            else:
                tok2 = (c, t, None)
        else:
            break
        i += 1
    return tok1, tok2, i


def row_shift(token_shift: int | None, content_shift: int | None, carry: int) -> int:
    """How far a row sits from the header's columns. The 三级 name follows the level
    cells; its column (``content_shift``) is trusted when it agrees with the level cells
    or with the rows above, or lies left of the 三级 column; a name column right of the
    header with level cells in place means an empty 三级 (shift 0)."""
    if content_shift is None:
        return token_shift or 0
    if content_shift == 0:
        return 0
    if content_shift == token_shift or content_shift < 0 or content_shift == carry:
        return content_shift
    if token_shift is not None and token_shift > 0:
        return token_shift
    return 0


@dataclass
class RowRoles:
    """A row's cells by role (``values``), the cells no role took (``extras``) and
    whether it was read by token order (``garbled``)."""

    values: dict[str, Cell]
    extras: list[Cell]
    garbled: bool


def map_roles(content: list[Cell], role_at: dict[int, str], shift: int, cols: dict[str, int]) -> RowRoles:
    """Each cell to the role of its (shifted) column. A 依据 / 分类 word outside its
    column means the row is garbled (seed 004): it is then read by token order."""
    words = vocab()
    values: dict[str, Cell] = {}
    extras: list[Cell] = []
    garbled = False
    for c, t in content:
        role = role_at.get(c - shift)
        if role in (None, "level1", "level2") or role in values:
            extras.append((c, t))
        else:
            values[role] = (c, t)
        if not garbled:
            k = label_key(t)
            garbled = (k in words.basis and role != "value_basis") or (k in words.klass and role != "indicator_class")
    if garbled:
        values, extras = _token_mode(content, cols, words)
    return RowRoles(values, extras, garbled)


def _token_mode(content: list[Cell], cols: dict[str, int], words: Vocab) -> tuple[dict[str, Cell], list[Cell]]:
    """Garbled-row token mode: name first, then values, then 依据 and 分类 recognised by
    their words; values fill the value roles of the header from the right (当年 last)."""
    values: dict[str, Cell] = {}
    extras: list[Cell] = []
    rest = list(content)
    if rest:
        values["name"] = rest.pop(0)
    middle: list[Cell] = []
    for c, t in rest:
        k = label_key(t)
        if k in words.basis and "value_basis" not in values:
            values["value_basis"] = (c, t)
        elif k in words.klass and "indicator_class" not in values:
            values["indicator_class"] = (c, t)
        elif "value_basis" in values or "indicator_class" in values:
            extras.append((c, t))
        else:
            middle.append((c, t))
    roles = [r for r in _VALUE_ROLES if r in cols and r != "description"] or ["target"]
    for role, cell in zip(reversed(roles), reversed(middle)):
        values[role] = cell
    extras.extend(middle[: max(0, len(middle) - len(roles))])
    return values, extras


def take_shifted_target(roles: RowRoles, cols: dict[str, int]) -> Cell | None:
    """Target shifted right: no value in the 绩效值 column but a cell right of the 三级
    takes its place (reported ``target-shifted`` by the caller). Returns that cell."""
    values = roles.values
    if "target" in values or not roles.extras or "target" not in cols:
        return None
    name_cell = values.get("name")
    right = [e for e in roles.extras if name_cell is None or e[0] > name_cell[0]]
    if not right:
        return None
    values["target"] = right[0]
    roles.extras.remove(right[0])
    return right[0]


def split_bracketed(text: str) -> tuple[str, str] | None:
    """A 三级 and its value in brackets at its end (``农村危房改造户数（≥270户）`` -> (name, ``≥270户``)),
    as a table without a value column writes them; ``None`` when *text* does not end so."""
    m = _BRACKETED_RE.match(text.strip())
    if not m or not m.group("target").strip() or _is_unit(m.group("target")):
        return None  # a unit of measure in brackets (路面修复里程（公里）, 优良中等路率（%）) is no value
    return m.group("name").strip(), m.group("target").strip()


@lru_cache(maxsize=1)
def _units() -> frozenset[str]:
    return frozenset(label_key(v) for v in load_data("lists.toml")["measure_units"]["values"])


def _is_unit(text: str) -> bool:
    """*text* is a unit of measure (templates/lists.toml ``measure_units``), or a rate of them (元/亩)."""
    units = _units()
    return all(label_key(part) in units for part in re.split(r"[/／]", text.strip()))


def split_name_target(text: str, *, has_target_column: bool) -> tuple[str, str] | None:
    """Name/target split: a 三级 and its value in one cell (seed 002 水电费 ``本年度保障
    月份 =12个月``) -> (name, target). With a 绩效值 column only a comparator marks the
    split; without one, a short last word is the value too. ``None``: no split."""
    text = text.strip()
    m = _CMP_SPLIT_RE.match(text)
    if m:
        return m.group("name").strip(), m.group("target").strip()
    if has_target_column:
        return None
    parts = text.rsplit(maxsplit=1)
    if len(parts) == 2 and len(parts[1]) <= 8:
        return parts[0], parts[1]
    return None
