"""Level carry: the 一级 / 二级 cells an indicator row sits under, carried down over blank
or merged cells, resolved in the taxonomy and reported once per level cell."""

from __future__ import annotations

from dataclasses import dataclass

from ...cellref import split_ref
from ...findings import finding
from ...taxonomy import LevelMatch, Taxonomy
from ..common import ParseContext

__all__ = ["LevelCarry", "level_fields", "report_levels"]


@dataclass
class LevelCarry:
    """The level cell rows below it sit under: its ``text`` as written, its taxonomy
    ``match`` (``None``: unknown), ``source`` (``Sheet!A1``) and whether it has been
    ``reported`` (its findings are raised once, at its first indicator)."""

    text: str | None = None
    match: LevelMatch | None = None
    source: str | None = None
    reported: bool = False


def level_fields(l1: LevelCarry, l2: LevelCarry, *, tax: Taxonomy, department: bool) -> dict[str, str | None]:
    """Canonical level fields from the carried level cells: the 二级 decides the 一级
    (a 二级 has one parent); a 一级 alone gives the 一级. Unknown levels give None."""
    out: dict[str, str | None] = {}
    if l2.match is not None:
        lv = l2.match.level
        out["level2"], out["level2_code"] = lv.name, lv.code or None
        parent = tax.parent_of(lv, department=department)
        out["level1"] = lv.parent
        out["level1_code"] = (parent.code or None) if parent else None
    elif l1.match is not None:
        out["level1"], out["level1_code"] = l1.match.level.name, l1.match.level.code or None
    return out


def report_levels(l1: LevelCarry, l2: LevelCarry, *, sheet_name: str | None, ctx: ParseContext) -> None:
    """Report unknown levels, code/name conflicts and a 二级 under the wrong 一级, once
    per level cell (the carries remember what they reported)."""
    if l1.reported and l2.reported:
        return  # the rows below a level cell: nothing new
    if not l1.reported:
        l1.reported = True
        _report_cell(l1, "unknown-level1", sheet_name, ctx)
    if not l2.reported:
        l2.reported = True
        _report_cell(l2, "unknown-level2", sheet_name, ctx)
        if l2.match is not None and l1.match is not None and l2.match.level.parent != l1.match.level.name:
            ctx.findings.append(finding("level2-wrong-parent", sheet=sheet_name, cell=split_ref(l2.source)[1],
                                        text=l2.text, params={"expected": l2.match.level.parent, "found": l1.text}))


def _report_cell(carry: LevelCarry, unknown: str, sheet_name: str | None, ctx: ParseContext) -> None:
    """*unknown* (``unknown-level1`` / ``-level2``) for a level not in the taxonomy, or
    ``level-code-mismatch`` when its code and name disagree."""
    if carry.text and carry.match is None:
        ctx.findings.append(finding(unknown, sheet=sheet_name, cell=split_ref(carry.source)[1], text=carry.text))
    elif carry.match is not None and carry.match.conflict:
        ctx.findings.append(finding("level-code-mismatch", sheet=sheet_name, cell=split_ref(carry.source)[1],
                                    text=carry.text,
                                    params={"detail": carry.match.conflict, "level": carry.match.level.label}))
