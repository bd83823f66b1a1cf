"""What import took each cell for (``xlperf review --show-read``), from what import
returned: the model's source cells, the cells the form readers consumed and the cells they
left (:class:`~xlperf.importer.ReadCells`). Forms are not read again here.

Roles (``templates/review_copy.toml`` ``[[roles]]``): ``label`` a consumed cell that is no
value of the model (labels, headers, titles, unit notes; the label cells a project
records as ``<field>_label``); ``field`` the value of a named field (a project's
``cells``, the department plan's, the template cover block's) or a
consumed cell on a model row right of the row's own cell (a 收入构成 row's amounts, an
indicator's 指标值确定依据); ``level1`` / ``level2`` / ``level3`` / ``target`` an
indicator's cells; ``unmapped`` a non-empty cell nothing consumed. A cell holding several
(the Guangdong packed indicator cell) takes the last of level1, level2, target, level3.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from ..cellref import CellRef
from ..data import load_data
from ..importer import ReadCells
from ..model import Indicator, Submission

__all__ = ["CellRoles", "cell_roles", "role_keys"]

_LABEL = "_label"  # a project's cells key of a label cell: "name_label"

#: sheet name -> (row, col) -> (role key, the field's Chinese name or None)
CellRoles = dict[str, dict[tuple[int, int], tuple[str, str | None]]]


def role_keys() -> list[str]:
    """The role keys in the legend's order."""
    return [r["key"] for r in load_data("review_copy.toml")["roles"]]


@lru_cache(maxsize=1)
def _field_names() -> dict[str, dict[str, str]]:
    """Chinese field names by section (``project``, ``department``, ``cover``) and key:
    the standard wording of templates/labels.toml."""
    labels = load_data("labels.toml")
    return {section: {k: v[0] for k, v in labels[section].items() if isinstance(v, list) and v}
            for section in ("project", "department", "cover")}


class _Roles:
    def __init__(self, cells: ReadCells) -> None:
        self.cells = cells
        self.out: CellRoles = {name: {} for name in cells.filled}

    def put(self, ref: str | None, role: str, name: str | None = None) -> None:
        at = CellRef.parse(ref)
        if at is None or at.sheet not in self.out or (at.row, at.col) not in self.cells.filled[at.sheet]:
            return
        self.out[at.sheet][(at.row, at.col)] = (role, name)

    def row_after(self, ref: str | None, name: str) -> None:
        """The consumed cells right of *ref* on its row: values of that model row."""
        at = CellRef.parse(ref)
        if at is None or at.sheet not in self.out:
            return
        for r, c in self.cells.consumed[at.sheet]:
            if r == at.row and c > at.col:
                self.put_at(at.sheet, r, c, "field", name)

    def put_at(self, sheet: str, r: int, c: int, role: str, name: str | None) -> None:
        self.out[sheet][(r, c)] = (role, name)


def _indicator_rows(sub: Submission) -> Iterator[Indicator]:
    for p in sub.projects:
        yield from p.indicators
    if sub.department_plan is not None:
        yield from sub.department_plan.long_term_indicators + sub.department_plan.annual_indicators


def cell_roles(sub: Submission, cells: ReadCells) -> CellRoles:
    """Every non-empty cell's role (module doc), by sheet and 0-based (row, col)."""
    roles = _Roles(cells)
    for sheet, filled in cells.filled.items():
        consumed = cells.consumed[sheet]
        for rc in filled:
            roles.put_at(sheet, *rc, "label" if rc in consumed else "unmapped", None)
    names = _field_names()
    plan = sub.department_plan
    if plan is not None:
        for row in plan.revenue + ([plan.revenue_total] if plan.revenue_total else []):
            roles.row_after(row.source, f"收入构成：{row.item}")
        for row in plan.expenditure + ([plan.expenditure_total] if plan.expenditure_total else []):
            roles.row_after(row.source, f"支出构成：{row.item}")
        for ps in plan.project_spending:
            roles.put(ps.source, "field", f"项目支出情况：{ps.name}")
            roles.row_after(ps.source, f"项目支出情况：{ps.name}")
        for section in plan.narrative:
            roles.put(section.source, "field", section.heading or "部门整体绩效目标（文字）")
        for key, ref in plan.cells.items():
            roles.put(ref, "field", names["department"].get(key, key))
    for ind in _indicator_rows(sub):
        roles.row_after(ind.source, f"指标“{ind.name or ''}”")
    for p in sub.projects:
        for key, ref in p.cells.items():
            if key.endswith(_LABEL):
                roles.put(ref, "label")
            else:
                roles.put(ref, "field", names["project"].get(key, key))
    for key, ref in cells.cover.items():
        roles.put(ref, "field", names["cover"].get(key, key))
    for ind in _indicator_rows(sub):
        roles.put(ind.level1_source, "level1")
        roles.put(ind.level2_source, "level2")
        for t in (ind.target, ind.period_target, ind.value_two_years_ago, ind.value_last_year):
            if t is not None:
                roles.put(t.source, "target")
        roles.put(ind.source, "level3")
    return roles.out
