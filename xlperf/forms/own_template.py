"""Recognise what the xlperf template itself writes around the forms, so that importing
a filled template reports only what the clerk typed: the cover title, headings and
instructions, and the hidden lists sheet (``_lists``) that feeds the dropdowns.

Everything is read from ``templates/template_sheets.toml`` and the taxonomy / list data the
template writer uses; a cell on the lists sheet that is not one of those values is left
to the unmapped report (nothing hidden there is dropped silently).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..data import load_data
from ..readers.grid import Sheet
from ..taxonomy import load_taxonomy
from ..text import label_key

__all__ = ["is_template_text", "read_lists_sheet"]

_NUMBERED_RE = re.compile(r"^\s*\d+\s*[.、．]\s*")


def _year_pattern(template: str) -> re.Pattern[str]:
    """*template* with its ``{year}`` / ``{last_year}`` placeholders as four digits."""
    text = re.escape(template)
    for name in ("year", "last_year"):
        text = text.replace(re.escape("{" + name + "}"), r"\d{4}")
    return re.compile("^" + text + "$")


@lru_cache(maxsize=1)
def _texts() -> tuple[frozenset[str], tuple[re.Pattern[str], ...]]:
    lay = load_data("template_sheets.toml")
    cover = lay["cover"]
    fixed = {cover["block_heading"], cover["instructions"]["heading"], *cover["instructions"]["lines"]}
    # the cover title with its year, or without one (a filled submission that states no year)
    return frozenset(label_key(t) for t in fixed), (_year_pattern(cover["title"]), _year_pattern(cover["title"].replace("{year}年", "")),
                                                   _year_pattern(lay["carried"]["note"]))


def is_template_text(text: object) -> bool:
    """A title, heading or instruction line the template writes on its cover sheet (and
    the note of a template pre-filled from last year's submission)."""
    if not isinstance(text, str):
        return False
    fixed, patterns = _texts()
    key = label_key(_NUMBERED_RE.sub("", text, count=1))
    return key in fixed or any(p.match(text.strip()) for p in patterns)


@lru_cache(maxsize=1)
def _list_words() -> frozenset[str]:
    lay = load_data("template_sheets.toml")
    tax = load_taxonomy()
    words = set(lay["workbook"]["lists_headings"].values())
    for lv in tax.level1 + tax.level2 + tax.dept_level1 + tax.dept_level2:
        words |= {lv.name, lv.label}
    for key in ("value_basis", "indicator_class", "project_attribute", "spending_category"):
        words |= set(load_data("lists.toml")[key]["values"])
    words |= {label_key(w) for w in load_data("labels.toml")["indicator_header"]["value_basis"]}
    words |= {"指标值确定依据", "指标分类", "项目属性", "支出项目类别"}
    return frozenset(label_key(w) for w in words)


def read_lists_sheet(sheet: Sheet) -> bool:
    """Consume the template's hidden lists sheet. Returns True when *sheet* is it (its
    name is the template's lists sheet, it is hidden and its row 1 holds the headings)."""
    lay = load_data("template_sheets.toml")["workbook"]
    if sheet.name != lay["lists_sheet"] or sheet.state == "visible":
        return False
    first = {label_key(v) for (r, _c), v in sheet.cells.items() if r == 0 and isinstance(v, str)}
    if not {label_key(h) for h in lay["lists_headings"].values()} <= first:
        return False
    words = _list_words()
    prefix = lay["lists_name_prefix"]
    core = re.compile(r"^核心业务产出\d+$")
    for (r, c), v in sheet.cells.items():
        if isinstance(v, str):
            k = label_key(v)
            if k in words or k.startswith(prefix) or core.match(k):
                sheet.consumed.add((r, c))
    return True
