"""One project sheet (项目1 … 项目N): the project-level three-tier form of seed 000 彭阳.

TemplateSheets (1-based rows, columns A..E; see ``templates/template_sheets.toml`` [project]):

* row 1 title ``YYYY年部门项目支出预算绩效目标表``, row 2 ``单位：万元`` in E2;
* rows 3-7 the label block of seed 000, input directly right of each label
  (项目名称 A3 → B3:E3; 主管部门 A4 → B4, 实施单位 C4 → D4:E4; 项目属性 A5 → B5,
  项目期限 C5 → D5:E5; 项目主管处室 A6 → B6, 项目年度金额 C6 → D6:E6 (万元);
  年度总体绩效目标 A7 → B7:E7);
* rows 8-10 the optional Hebei fields of seed 001 (项目编码 A8 → B8:E8; 财政资金 A9 → B9,
  其他资金 C9 → D9:E9; 资金用途 A10 → B10:E10);
* rows 11-12 资金支出计划(%) (A11:A12): checkpoints 3月底 / 6月底 / 10月底 / 12月底 in
  B11:E11, cumulative percent (0-100) below them in B12:E12;
* row 13 the indicator header 一级指标 | 二级指标 | 三级指标 | 绩效值 | 指标值确定依据, printed at
  the top of every page;
* rows 14-22 the nine standard 二级 rows (11-数量指标 … 31-服务对象满意度), 一级 written on
  every row; then spare rows (15 in the blank template) with dropdowns.

Fill placement (:func:`place_project_indicators`): the first indicator of a standard
二级 goes into its row, every other indicator into the spare rows in submission order,
with its 一级 / 二级 written (canonical labels, or the text as written when unknown).
"""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from ...cellref import cell_name
from ...model import Indicator, Project
from ...taxonomy import Level, Taxonomy
from ...text import label_key
from .base import Book, SheetWriter, input_format

__all__ = ["place_project_indicators", "write_project_sheet"]

_COLS = 5  # A..E


def place_project_indicators(indicators: list[Indicator], *, taxonomy: Taxonomy) -> tuple[list[Indicator | None], list[Indicator]]:
    """Split *indicators* into the nine standard 二级 rows and the spare rows.

    Returns ``(standard, spare)``: ``standard[i]`` is the indicator for
    ``taxonomy.standard_level2()[i]`` or ``None``; ``spare`` keeps submission order. An
    indicator takes a standard row when its canonical ``level2`` is that row's 二级, the
    row is still free, and its 一级 is that 二级's parent (or absent).
    """
    standard_levels = taxonomy.standard_level2()
    index = {lv.name: i for i, lv in enumerate(standard_levels)}
    standard: list[Indicator | None] = [None] * len(standard_levels)
    spare: list[Indicator] = []
    for ind in indicators:
        i = index.get(ind.level2) if ind.level2 else None
        if i is not None and standard[i] is None:
            parent = standard_levels[i].parent
            if ind.level1 == parent or (ind.level1 is None and not (ind.level1_text or "").strip()):
                standard[i] = ind
                continue
        spare.append(ind)
    return standard, spare


def _level_text(canonical: str | None, written: str | None, levels: dict[str, Level]) -> str | None:
    """The canonical coded label (``11-数量指标``) of a known level, else the text as written."""
    if canonical and canonical in levels:
        return levels[canonical].label
    return written if written is not None else canonical


def _project_value(project: Project, key: str) -> object:
    value = getattr(project, key)
    if key == "annual_amount" and value is None:
        return project.annual_amount_text  # an amount that could not be read: kept as typed
    return value


def write_project_sheet(book: Book, ws: Worksheet, *, year: int | None, project: Project | None) -> None:
    """Write one project sheet onto *ws*: blank when *project* is None, else filled.

    Amounts are written as numbers (万元), target values as their raw text; fields the
    form does not hold (项目类别, 行政专户拨款, 绩效指标描述, 实施周期指标值, 指标分类,
    前年 / 上年) become ``fill-field-not-held`` findings in ``book.notes``.
    """
    lay = book.spec.section("project")
    tax = book.taxonomy
    sw = SheetWriter(book, ws)
    sw.setup(widths=lay["widths"], freeze_rows=lay["freeze_rows"])
    sw.label(0, 0, book.spec.title("project", year), fmt="title", last_col=_COLS - 1)
    sw.min_height(0, 30)
    sw.label(1, _COLS - 1, book.spec.section("workbook")["unit_note"], fmt="unit")

    row = lay["first_row"] - 1
    for fields, height in book.spec.project_rows():
        col = 0
        for f in fields:
            sw.label(row, col, f.label)
            value = _project_value(project, f.key) if project else None
            sw.put(row, col + 1, value, fmt=input_format(f.kind), field=f.label, last_col=col + f.span)
            sw.validate(row, col + 1, row, col + f.span, kind=f.kind, title=f.label, message=f.message)
            col += 1 + f.span
        if height:
            sw.min_height(row, height)
        row += 1
    row = _spending_plan(sw, row, project)
    _indicator_table(sw, row, project, tax)
    sw.finish()
    if project is not None:
        for key in ("category", "special_account_funds"):
            value = getattr(project, key)
            if value not in (None, ""):
                book.note("fill-field-not-held", sheet=sw.name, cell=None,
                          params={"field": book.spec.label(f"project.{key}")}, text=str(value))


def _spending_plan(sw: SheetWriter, row: int, project: Project | None) -> int:
    """资金支出计划(%): label over two rows, checkpoint headers, cumulative % below. Returns the next row."""
    book = sw.book
    lay = book.spec.section("project")
    label = book.spec.label("project.spending_plan")
    checkpoints = book.spec.list_values("spending_checkpoints")
    sw.label(row, 0, label, last_row=row + 1)
    values: dict[str, object] = {}
    if project is not None:
        keys = {label_key(c): c for c in checkpoints}
        for cp in project.spending_plan:
            target = keys.get(label_key(cp.checkpoint))
            value = cp.cumulative_percent if cp.cumulative_percent is not None else cp.raw
            if target is None or target in values:
                book.note("fill-field-not-held", sheet=sw.name, cell=cell_name(row, 0),
                          params={"field": f"{label} {cp.checkpoint}"}, text=str(value))
            else:
                values[target] = value
    for i, cp in enumerate(checkpoints[: _COLS - 1]):
        sw.label(row, 1 + i, cp)
        sw.put(row + 1, 1 + i, values.get(cp), fmt="number", field=f"{label} {cp}")
    sw.validate(row + 1, 1, row + 1, len(checkpoints[: _COLS - 1]), kind="percent", title=label,
                message=lay["messages"]["spending_plan"])
    return row + 2


def _indicator_table(sw: SheetWriter, row: int, project: Project | None, tax: Taxonomy) -> None:
    """Header row, the nine standard 二级 rows, then spare rows (grown to fit)."""
    book = sw.book
    lay = book.spec.section("project")["indicators"]
    msgs = lay["messages"]
    header = [book.spec.label(ref) for ref in lay["header"]]
    for c, text in enumerate(header):
        sw.label(row, c, text)
    sw.min_height(row, 24)
    sw.ws.repeat_rows(row)  # printed at the top of every page the table runs on
    first = row + 1
    lv1 = {lv.name: lv for lv in tax.level1}
    lv2 = {lv.name: lv for lv in tax.level2}
    standard_levels = tax.standard_level2()
    standard, spare = place_project_indicators(project.indicators if project else [], taxonomy=tax)
    for i, level in enumerate(standard_levels):
        r = first + i
        sw.label(r, 0, lv1[level.parent].label, fmt="fixed")
        sw.label(r, 1, level.label, fmt="fixed")
        _indicator_values(sw, r, standard[i], header)
    spare_first = first + len(standard_levels)
    n_spare = max(lay["spare_rows"], len(spare) + lay["keep_blank"])
    for j in range(n_spare):
        r = spare_first + j
        ind = spare[j] if j < len(spare) else None
        sw.put(r, 0, _level_text(ind.level1, ind.level1_text, lv1) if ind else None, fmt="cell", field=header[0])
        sw.put(r, 1, _level_text(ind.level2, ind.level2_text, lv2) if ind else None, fmt="cell", field=header[1])
        _indicator_values(sw, r, ind, header)
    last = spare_first + n_spare - 1
    sw.validate(spare_first, 0, last, 0, kind="level1:proj", title=header[0], message=msgs["level1"])
    sw.validate(spare_first, 1, last, 1, kind="level2:proj", title=header[1], message=msgs["level2"],
                level1_cell=f"$A{spare_first + 1}")
    sw.validate(first, 2, last, 2, kind="text", title=header[2], message=msgs["name"])
    sw.validate(first, 3, last, 3, kind="text", title=header[3], message=msgs["target"])
    sw.validate(first, 4, last, 4, kind="list:value_basis", title=header[4], message=msgs["value_basis"])


def _indicator_values(sw: SheetWriter, r: int, ind: Indicator | None, header: list[str]) -> None:
    """三级 | 绩效值 (raw text) | 指标值确定依据 of one row; fields the form lacks become notes."""
    sw.put(r, 2, ind.name if ind else None, fmt="cell", field=header[2])
    sw.put(r, 3, ind.target.raw if ind and ind.target else None, fmt="cell", field=header[3])
    sw.put(r, 4, ind.value_basis if ind else None, fmt="cell", field=header[4])
    if ind is None:
        return
    spec = sw.book.spec
    lost = {"indicator_header.description": ind.description,
            "indicator_header.period_target": ind.period_target.raw if ind.period_target else None,
            "indicator_header.indicator_class": ind.indicator_class,
            "indicator_header.two_years_ago": ind.value_two_years_ago.raw if ind.value_two_years_ago else None,
            "indicator_header.last_year": ind.value_last_year.raw if ind.value_last_year else None}
    for ref, value in lost.items():
        if value not in (None, ""):
            sw.book.note("fill-field-not-held", sheet=sw.name, cell=cell_name(r, 2),
                         params={"field": f"{ind.name or ''}的{spec.label(ref)}"}, text=str(value))
