"""Parse the packed 绩效指标 cell of the Guangdong summary table (seed 003 增城).

Every indicator of a project sits in one text cell::

    1、1-产出指标:13-时效指标:项目按时完成率(%)：实施周期指标值:行政复议案件办结率(%)，年度指标值:100%;
    2、3-满意度指标:5-服务对象满意度,对项目实施方案合理性的满意度;实施周期指标值:…，年度指标值:不高于15%;

Items start with ``N、`` (or, in the seed, with a bare level such as ``4-社会效益指标:``
after a ``;``); separators are irregular (``:`` ``：`` ``,`` ``，`` ``;`` ``；``). Within an
item: 一级, 二级, the 三级 name, then ``实施周期指标值`` and ``年度指标值``. Text after the
name that is not a value becomes the 绩效指标描述. Anything that cannot be read is kept
(``raw_text``) and reported by the caller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..taxonomy import LevelMatch, Taxonomy

__all__ = ["PackedItem", "parse_packed"]

_ITEM_START_RE = re.compile(r"^\s*(\d{1,2})\s*[、.．]\s*")
_LEVEL_START_RE = re.compile(r"^\s*\d{1,2}\s*-\s*\S+?(指标|效益|影响|满意度)")
_KEY_RE = re.compile(r"(实施周期指标值|年度指标值)\s*[:：]")
_SEP_RE = re.compile(r"[:：,，;；]")
_TRAIL_RE = re.compile(r"^[\s,，;；:：]+|[\s,，;；:：]+$")


@dataclass
class PackedItem:
    """One parsed item: level texts and matches, name, description, the two targets
    (raw text or None) and the item text as written (``raw``). ``parsed`` is False when
    neither a level nor a target could be found."""

    raw: str
    level1_text: str | None
    level1: LevelMatch | None
    level2_text: str | None
    level2: LevelMatch | None
    name: str | None
    description: str | None
    period_target: str | None
    annual_target: str | None

    @property
    def parsed(self) -> bool:
        """False when neither a level nor a target value could be found in the item."""
        return bool(self.level1_text or self.level2_text or self.period_target or self.annual_target)


def _items(text: str) -> list[str]:
    """Split on ``;`` into segments and group them into items (see module doc)."""
    items: list[str] = []
    for seg in re.split(r"[;；]", text):
        s = seg.strip()
        if not s:
            continue
        starts = bool(_ITEM_START_RE.match(s)) and not s.startswith(("实施周期", "年度指标"))
        if starts or not items or (_LEVEL_START_RE.match(s) and not _KEY_RE.match(s)):
            items.append(s)
        else:
            items[-1] = items[-1] + ";" + s
    return items


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    t = _TRAIL_RE.sub("", text)
    return t or None


def _level_tokens(tokens: list[str], tax: Taxonomy) -> tuple[int, tuple[str, LevelMatch | None] | None,
                                                              tuple[str, LevelMatch | None] | None]:
    """Leading level tokens: returns (count, level1, level2)."""
    lv1 = lv2 = None
    n = 0
    for tok in tokens[:2]:
        m1 = tax.match_level1(tok)
        m2 = tax.match_level2(tok)
        level_like = bool(_LEVEL_START_RE.match(tok)) or bool(m1) or bool(m2)
        if not level_like:
            break
        nxt_is_level = n + 1 < len(tokens) and bool(_LEVEL_START_RE.match(tokens[n + 1]) or tax.match_level2(tokens[n + 1]))
        if lv1 is None and lv2 is None and (m1 and not m1.conflict or (nxt_is_level and (m1 or not m2))):
            lv1 = (tok, m1)
        elif lv2 is None:
            lv2 = (tok, m2)
        else:
            break
        n += 1
    return n, lv1, lv2


def parse_packed(text: str, *, tax: Taxonomy) -> list[PackedItem]:
    """All items of a packed 绩效指标 cell, in order. Never raises."""
    out: list[PackedItem] = []
    for item in _items(text):
        body = _ITEM_START_RE.sub("", item, count=1)
        keys = list(_KEY_RE.finditer(body))
        head = body[: keys[0].start()] if keys else body
        period = annual = None
        for i, k in enumerate(keys):
            end = keys[i + 1].start() if i + 1 < len(keys) else len(body)
            value = _clean(body[k.end():end])
            if k.group(1) == "实施周期指标值":
                period = value
            else:
                annual = value
        tokens = [t.strip() for t in _SEP_RE.split(head) if t.strip()]
        n, lv1, lv2 = _level_tokens(tokens, tax)
        rest = tokens[n:]
        name = rest[0] if rest else None
        description = "，".join(rest[1:]) or None
        out.append(PackedItem(
            raw=item.strip(),
            level1_text=lv1[0] if lv1 else None, level1=lv1[1] if lv1 else None,
            level2_text=lv2[0] if lv2 else None, level2=lv2[1] if lv2 else None,
            name=name, description=description, period_target=period, annual_target=annual,
        ))
    return out
