"""The two indicator tables of the department sheet (seed 004 阳新): 长期绩效指标 and
年度绩效指标, pre-filled with the standard framework rows of ``template_sheets.toml``.

长期绩效指标: header row B 一级指标 | C 二级指标 | D 三级指标 | E:G 指标值 | H 指标值确定依据 |
I 指标分类. 年度绩效指标: a group row (近两年指标值 over E:F), then the header row
B 一级指标 | C 二级指标 | D 三级指标 | E 前年 | F 上年 | G 预期当年实现值 | H 指标值确定依据 |
I 指标分类. Both: framework rows (一级 / 二级 written on every row, 三级 pre-filled or blank
for the clerk to name), then spare rows with dropdowns.

Fill placement (:func:`place_department_indicators`): an indicator fills the framework row
with the same (一级, 二级, 三级); else a framework row with the same (一级, 二级) and a blank
三级 (核心业务产出 N keeps its number); else a spare row, in submission order.
"""

from __future__ import annotations

from ...cellref import cell_name
from ...model import DepartmentPlan, Indicator, Target
from ...taxonomy import Taxonomy
from ...text import label_key
from .base import SheetWriter

__all__ = ["place_department_indicators", "write_indicator_tables"]



def _levels(ind: Indicator, taxonomy: Taxonomy) -> tuple[str | None, str | None, str, str]:
    """(一级 name, 二级 key, 一级 text to write, 二级 text to write) of a department indicator.

    Known levels are written by their canonical names; 核心业务产出 N keeps its number;
    unknown levels are written as written.
    """
    t1 = ind.level1_text or ind.level1 or ""
    t2 = ind.level2_text or ind.level2 or ""
    m1 = taxonomy.match_dept_level1(ind.level1 or ind.level1_text)
    m2 = taxonomy.match_dept_level2(t2)
    l1 = m1.level.name if m1 else None
    if m2 is None:
        return l1, None, (l1 or t1), t2
    canon = label_key(m2.level.name)
    written = label_key(t2)
    numbered = written != canon and written.startswith(canon) and written[len(canon):].isdigit()
    text2 = t2.strip() if numbered else m2.level.name
    return l1, (written if numbered else canon), (l1 or t1), text2


def place_department_indicators(indicators: list[Indicator], rows: list[tuple[str, str, str]], *,
                                taxonomy: Taxonomy) -> tuple[list[Indicator | None], list[Indicator]]:
    """Assign *indicators* to the framework *rows* (一级, 二级, 三级) or to spare rows.

    Returns ``(assigned, spare)``: ``assigned[i]`` is the indicator for ``rows[i]`` or
    ``None``; ``spare`` keeps submission order.
    """
    assigned: list[Indicator | None] = [None] * len(rows)
    keys = [(l1, label_key(l2), label_key(l3)) for l1, l2, l3 in rows]
    left: list[Indicator] = []
    for ind in indicators:  # pass 1: same 一级, 二级 and 三级
        l1, k2, _, _ = _levels(ind, taxonomy)
        k3 = label_key(ind.name or "")
        i = next((i for i, k in enumerate(keys) if k3 and assigned[i] is None and k == (l1, k2, k3)), None)
        if i is None:
            left.append(ind)
        else:
            assigned[i] = ind
    spare: list[Indicator] = []
    for ind in left:  # pass 2: a framework row whose 三级 is left for the department to name
        l1, k2, _, _ = _levels(ind, taxonomy)
        i = next((i for i, k in enumerate(keys) if not k[2] and assigned[i] is None and k[:2] == (l1, k2)), None)
        if i is None:
            spare.append(ind)
        else:
            assigned[i] = ind
    return assigned, spare


def _raw(t: Target | None) -> str | None:
    return t.raw if t is not None else None


def write_indicator_tables(sw: SheetWriter, row: int, plan: DepartmentPlan | None) -> list[tuple[int, int, int]]:
    """Write 长期绩效指标 then 年度绩效指标 from *row*; returns each table's (first row,
    last header row, last row), 0-based. The blank template leaves ``spare_rows`` blank
    rows under each framework, a filled plan ``keep_blank`` after its own extra rows."""
    long_term = _table(sw, row, plan.long_term_indicators if plan else [], annual=False, filled=plan is not None)
    return [long_term, _table(sw, long_term[2] + 1, plan.annual_indicators if plan else [], annual=True,
                              filled=plan is not None)]


def _table(sw: SheetWriter, row: int, indicators: list[Indicator], *, annual: bool, filled: bool) -> tuple[int, int, int]:
    book = sw.book
    lay = book.spec.section("department")
    msgs = lay["messages"]
    spec = lay["annual" if annual else "long_term"]
    header = [book.spec.label(ref) for ref in spec["header"]]
    fw = book.spec.framework(core_rows=lay["core_output_rows"])
    assigned, spare = place_department_indicators(indicators, fw, taxonomy=book.taxonomy)
    n_spare = len(spare) + lay["keep_blank"] if filled else lay["spare_rows"]
    head = row + 1 if annual else row
    end = head + len(fw) + n_spare
    title = book.spec.label("department.annual_indicators" if annual else "department.long_term_indicators")
    sw.label(row, 0, title, fmt="section", last_row=end)
    if annual:  # group row: 近两年指标值 over 前年 / 上年
        for c in (1, 2, 3, 6, 7, 8):
            sw.label(row, c, "")
        sw.label(row, 4, book.spec.label(spec["group"]), last_col=5)
    # value columns: (first col, last col, header index)
    values = [(4, 4, 3), (5, 5, 4), (6, 6, 5), (7, 7, 6), (8, 8, 7)] if annual else [(4, 6, 3), (7, 7, 4), (8, 8, 5)]
    for c, text in enumerate(header[:3]):
        sw.label(head, 1 + c, text)
    for c0, c1, h in values:
        sw.label(head, c0, header[h], last_col=c1)
    sw.min_height(head, 24)
    first = head + 1
    for i, (l1, l2, l3) in enumerate(fw):
        r = first + i
        sw.label(r, 1, l1, fmt="fixed")
        sw.label(r, 2, l2, fmt="fixed")
        ind = assigned[i]
        if l3:
            sw.label(r, 3, l3, fmt="fixed")
        else:
            sw.put(r, 3, ind.name if ind else None, fmt="cell", field=header[2])
            sw.validate(r, 3, r, 3, kind="text", title=header[2], message=msgs["level3"])
        _values(sw, r, ind, values, header, annual)
    spare_first = first + len(fw)
    for j in range(n_spare):
        r = spare_first + j
        ind = spare[j] if j < len(spare) else None
        _, _, t1, t2 = _levels(ind, book.taxonomy) if ind else (None, None, None, None)
        sw.put(r, 1, t1, fmt="cell", field=header[0])
        sw.put(r, 2, t2, fmt="cell", field=header[1])
        sw.put(r, 3, ind.name if ind else None, fmt="cell", field=header[2])
        _values(sw, r, ind, values, header, annual)
    sw.validate(spare_first, 1, end, 1, kind="level1:dept", title=header[0], message=msgs["level1"])
    sw.validate(spare_first, 2, end, 2, kind="level2:dept", title=header[1], message=msgs["level2"],
                level1_cell=f"$B{spare_first + 1}")
    sw.validate(spare_first, 3, end, 3, kind="text", title=header[2], message=msgs["level3"])
    kinds = (["text", "text", "text"] if annual else ["text"]) + ["list:value_basis", "list:indicator_class"]
    keys = (["two_years_ago", "last_year", "current"] if annual else ["target"]) + ["value_basis", "indicator_class"]
    for (c0, c1, h), kind, key in zip(values, kinds, keys):
        sw.validate(first, c0, end, c1, kind=kind, title=header[h], message=msgs[key])
    return row, head, end


def _values(sw: SheetWriter, r: int, ind: Indicator | None, values: list[tuple[int, int, int]], header: list[str],
            annual: bool) -> None:
    """The value cells of one row; fields this table has no column for become notes."""
    if ind is None:
        data: list[str | None] = [None] * len(values)
    elif annual:
        data = [_raw(ind.value_two_years_ago), _raw(ind.value_last_year), _raw(ind.target), ind.value_basis,
                ind.indicator_class]
    else:
        data = [_raw(ind.target), ind.value_basis, ind.indicator_class]
    for i, ((c0, c1, h), value) in enumerate(zip(values, data)):
        history = annual and i < 2  # 前年 / 上年: last year's history, not values to revise
        sw.put(r, c0, value, fmt="cell", field=header[h], last_col=c1, carry=not history)
    if ind is None:
        return
    spec = sw.book.spec
    lost = {"indicator_header.description": ind.description, "indicator_header.period_target": _raw(ind.period_target)}
    if not annual:
        lost |= {"indicator_header.two_years_ago": _raw(ind.value_two_years_ago),
                 "indicator_header.last_year": _raw(ind.value_last_year)}
    for ref, value in lost.items():
        if value not in (None, ""):
            sw.book.note("fill-field-not-held", sheet=sw.name, cell=cell_name(r, 3),
                         params={"field": f"{ind.name or ''}的{spec.label(ref)}"}, text=value)
