"""A project form's values checked against their labels and set on the
:class:`~xlperf.model.Project`: the seed-002 shifts (a name above or below its label, a
value below its label), values that cannot belong to their label, amounts in 万元 (a form
in 元 converted, docs/forms.md "Amounts")."""

from __future__ import annotations

import datetime as _dt
import re

from ..cellref import cell_name
from ..findings import finding
from ..model import Project
from ..readers.grid import Sheet, format_value
from ..targets import MONEY_UNITS
from ..text import strip_markup
from .common import ParseContext, is_signature, is_title, is_unit_note, read_amount
from .funds import amount_factor
from .labels import load_labels
from .project_fields import Found

__all__ = ["UNITLIKE_RE", "lone_text", "resolve_fields"]

_TEXT_FIELDS = ("name", "code", "competent_department", "implementing_unit", "attribute", "duration",
                "supervising_office", "category", "fund_use", "performance_target", "long_term_goal")
_AMOUNT_FIELDS = ("annual_amount", "period_amount", "fiscal_funds", "special_account_funds", "other_funds")
# the standard wording of each field's label, for messages (labels.toml [project], first word)
_LABEL = {f: w for f, w in load_labels().standard["project"].items() if f in _TEXT_FIELDS + _AMOUNT_FIELDS}
# What a value must look like to be read under its label (else reported, not assigned).
_PLAUSIBLE: dict[str, tuple[re.Pattern[str], str]] = {
    "attribute": (re.compile(r"^\d{2,4}\s*-|项目"), "项目属性（如 0101-一年期项目）"),
    # 1年, 3个月; or the dates it runs between: 2025.01-2025.12, 2024年3月至2025年12月 (湖北, 河南)
    "duration": (re.compile(r"\d\s*(年|个月|月|天)|^(一|二|三|四|五|十)?年|20\d\d\s*[./-]\s*\d{1,2}"), "项目期限（如 1年）"),
    "supervising_office": (re.compile(r"(股|处|科|室|办|组)$"), "主管处室（如 02-预算股）"),
}
UNITLIKE_RE = re.compile(r"^\d{2,}\s*-.*(局|委|办|院|中心|政府)(本级)?$")


def lone_text(sheet: Sheet, r: int) -> tuple[int, str] | None:
    """The single text cell of row *r* when it has exactly one that is not boilerplate
    nor a label (a candidate project name displaced from its label)."""
    labels = load_labels()
    cells = [(c, v) for c, v in sheet.grid.get(r, ()) if (r, c) not in sheet.consumed and not is_unit_note(v)]
    if len(cells) != 1 or not isinstance(cells[0][1], str):
        return None
    c, v = cells[0]
    if is_title(v) or is_signature(v) or labels.match("project", v) or labels.match("indicator_header", v, inline=False):
        return None
    return c, v


def resolve_fields(sheet: Sheet, proj: Project, found: Found, lone_above: list[tuple[int, int, str]],
                   header_row: int, ctx: ParseContext) -> None:
    """Check each raw value against its label, handle the seed-002 shifts, set fields."""
    raw, label_cells = found.raw, found.label_cells
    # a value written below its label (年度总体绩效目标 with the text on the next row)
    for fld in ("performance_target", "name"):
        if fld not in raw and fld in label_cells:
            lr, lc = label_cells[fld]
            below = lone_text(sheet, lr + 1) if lr + 1 < header_row and lr not in found.header_rows else None
            if below:
                raw[fld] = (lr + 1, below[0], below[1])
                sheet.consumed.add((lr + 1, below[0]))
                if fld != "name":
                    ctx.findings.append(finding("value-below-label", sheet=sheet.name, cell=cell_name(lr + 1, below[0]),
                                                params={"label": _LABEL[fld]}))
                else:
                    ctx.findings.append(finding("project-name-shifted", sheet=sheet.name, cell=cell_name(lr + 1, below[0]),
                                                text=below[1], params={"found": "（空）"}))
                    raw["_name_shifted"] = raw[fld]
    # the project name on the row above its label, the label's cell holding a unit
    name = raw.get("name")
    name_text = format_value(name[2]) if name else ""
    if "_name_shifted" not in raw and (name is None or UNITLIKE_RE.match(name_text)) and lone_above:
        r, c, text = lone_above[-1]
        sheet.consumed.add((r, c))
        ctx.findings.append(finding("project-name-shifted", sheet=sheet.name, cell=cell_name(r, c), text=text,
                                    params={"found": name_text or "（空）"}))
        if name is not None and "competent_department" not in raw:
            raw["competent_department"] = name
        elif name is not None:
            sheet.consumed.discard((name[0], name[1]))  # the displaced value stays reported
        raw["name"] = (r, c, text)
    raw.pop("_name_shifted", None)
    _set_fields(sheet, proj, found, ctx)


def _set_fields(sheet: Sheet, proj: Project, found: Found, ctx: ParseContext) -> None:
    """Set each field from its raw value (amounts in 万元; a text Excel turned into a
    date, or one that does not fit its label, reported) and record the label cells."""
    for fld, (r, c, value) in found.raw.items():
        ref = sheet.ref(r, c)
        if fld in _AMOUNT_FIELDS:
            _set_amount(sheet, proj, found, fld, (r, c, value), ctx)
            continue
        text = format_value(value).strip()
        if isinstance(value, (_dt.date, _dt.time)) and fld in _TEXT_FIELDS:  # Excel turned the typed text into a date
            ctx.findings.append(finding("date-where-text-expected", sheet=sheet.name, cell=cell_name(r, c),
                                        params={"label": _LABEL[fld], "date": text}))
            setattr(proj, fld, text)
            proj.cells[fld] = ref
            continue
        if fld in _PLAUSIBLE and not _PLAUSIBLE[fld][0].search(text):
            sheet.consumed.discard((r, c))
            ctx.findings.append(finding("value-implausible", sheet=sheet.name, cell=cell_name(r, c), text=text,
                                        params={"label": _LABEL[fld], "expected": _PLAUSIBLE[fld][1]}))
            continue
        if fld in ("performance_target", "long_term_goal"):
            text = strip_markup(text)
        if fld in _TEXT_FIELDS:
            setattr(proj, fld, text)
            proj.cells[fld] = ref
    for fld, (r, c) in found.label_cells.items():
        proj.cells.setdefault(f"{fld}_label", sheet.ref(r, c))


def _set_amount(sheet: Sheet, proj: Project, found: Found, fld: str, cell: tuple[int, int, object],
                ctx: ParseContext) -> None:
    """An amount field in 万元: read as typed, converted from the unit its cell, label or
    unit note states; an amount added up from its parts is set as added up."""
    r, c, value = cell
    total = found.totals.get(fld)
    if total is not None:
        amount = total.total * amount_factor(sheet, r, None, found.units.get(fld), found.label_cells.get(fld))
        text = format_value(total.total)
    else:
        text_ok = found.label_cells.get(fld) == (r, c) or (isinstance(value, str) and bool(re.search(r"[万元]\s*$", value)))
        factor = amount_factor(sheet, r, value, found.units.get(fld), found.label_cells.get(fld))
        amount = read_amount(sheet, r, c, value, label=_LABEL[fld], ctx=ctx, text_ok=text_ok,
                             in_yuan=factor == MONEY_UNITS["元"])
        if amount is not None:
            amount = amount * factor
        text = format_value(value)
    if amount is not None:
        setattr(proj, fld, amount)
    if fld == "annual_amount":
        proj.annual_amount_text = text
    proj.cells[fld] = sheet.ref(r, c)
