"""Read an indicator table (一级 / 二级 / 三级 / 绩效值 …) found by its header row.

Columns come from the header labels (``templates/labels.toml`` [indicator_header]);
each data row is then aligned by its *content*, because published tables shift:

* blank 一级 / 二级 cells (or merged ones) carry down from the rows above;
* a row shifted by a column (seed 000 ``24-可持续影响`` in the 一级 column, seed 004 rows
  one or three columns off) is realigned on its level cells and reported ``row-shifted``;
* a header one column off its data (seed 002 ``1-产出指标 | 一级指标 | …``) or a 绩效值
  column with no data while values sit elsewhere (seed 002 ``三级指标 ×5 | 绩效值``) is
  realigned and reported ``header-shifted``;
* rows whose cells are garbled around the 指标值确定依据 / 指标分类 words (seed 004) are
  read by token order (values, then 依据, then 分类) and reported ``row-shifted``;
* a 三级 name and its value in one cell (seed 002 水电费 ``本年度保障月份 =12个月``) are split
  and reported ``target-split-from-name``.

Levels resolve through the taxonomy; the canonical 一级 follows the 二级 (a 二级 has one
parent), and a 二级 under another 一级 is reported ``level2-wrong-parent``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..cellref import cell_name, col_name, split_ref
from ..data import load_data
from ..findings import finding
from ..model import Indicator
from ..readers.grid import Sheet, format_value
from ..targets import target_fields
from ..taxonomy import LevelMatch, Taxonomy
from ..text import label_key
from .common import ParseContext, is_signature, is_unit_note_or_title
from .labels import load_labels

__all__ = ["TableHeader", "find_header", "read_table"]

_LEVEL_LIKE_RE = re.compile(r"^\d{1,2}\s*[-－—]|指标$")
_CMP_SPLIT_RE = re.compile(r"^(?P<name>.+?)\s+(?P<target>[=<>≤≥≧＞＜＝].*)$")
_VALUE_ROLES = ("description", "two_years_ago", "last_year", "target")
_DOTS_RE = re.compile(r"[.。…·\s]+")


@dataclass
class TableHeader:
    """A header found at ``row`` (and sub-header rows down to ``last_row``): role ->
    column. Roles: level1, level2, name, description, target, period_target,
    value_basis, indicator_class, two_years_ago, last_year."""

    row: int
    last_row: int
    cols: dict[str, int]
    first_row: int  # a group row above the header (近两年指标值 over 前年 / 上年), else ``row``


def find_header(sheet: Sheet, row: int) -> TableHeader | None:
    """The indicator-table header at *row* (一级指标, 二级指标 and 三级指标 present), with
    the 近两年指标值 / 前年 / 上年 / 预期当年实现值 sub-header rows below it (seed 004)."""
    index = load_labels().index(sheet).get("indicator_header", {})
    cols: dict[str, int] = {}
    for c, hit in index.get(row, ()):
        if hit.inline is None and hit.field not in cols:
            cols[hit.field] = c
    if not {"level1", "level2", "name"} <= set(cols):
        return None
    first = row
    if any(hit.inline is None and hit.field == "previous_values" for _c, hit in index.get(row - 1, ())):
        first = row - 1  # the template's group row above the 年度绩效指标 header
    last = row
    for r in (row + 1, row + 2):
        found = False
        for c, hit in index.get(r, ()):
            if hit.inline is None and hit.field in ("previous_values", "two_years_ago", "last_year", "target"):
                found = True
                if hit.field == "target":
                    cols["target"] = c  # 预期当年实现值 under 指标值
                elif hit.field != "previous_values":
                    cols[hit.field] = c
        if found:
            last = r
        else:
            break
    return TableHeader(row=row, last_row=last, cols=cols, first_row=first)


@dataclass
class LevelCarry:
    text: str | None = None
    match: LevelMatch | None = None
    source: str | None = None
    reported: bool = False


@dataclass(frozen=True)
class _Vocab:
    basis: frozenset[str]
    klass: frozenset[str]


@lru_cache(maxsize=1)
def _vocab() -> _Vocab:
    """Words that anchor a garbled row: 指标值确定依据 and 指标分类 values (lists.toml)."""
    lists = load_data("lists.toml")
    return _Vocab(frozenset(label_key(v) for v in lists["value_basis"]["values"]),
                  frozenset(label_key(v) for v in lists["indicator_class"]["values"]))


def _split_name_target(text: str) -> tuple[str, str] | None:
    m = _CMP_SPLIT_RE.match(text.strip())
    if m:
        return m.group("name").strip(), m.group("target").strip()
    parts = text.strip().rsplit(maxsplit=1)
    if len(parts) == 2 and len(parts[1]) <= 8:
        return parts[0], parts[1]
    return None


def read_table(sheet: Sheet, header: TableHeader, end_row: int, *, tax: Taxonomy, ctx: ParseContext,
               department: bool = False) -> list[Indicator]:
    """Read the data rows of *header*'s table up to (not including) *end_row*.

    Returns indicators in row order; consumes the cells it maps; appends findings to
    ``ctx.findings``. ``department=True`` matches levels against the department
    framework (seed 004) instead of the project levels.
    """
    for c in _header_cells(sheet, header):
        sheet.consumed.add(c)
    match_l1 = tax.match_dept_level1 if department else tax.match_level1
    match_l2 = tax.match_dept_level2 if department else tax.match_level2
    rows = sheet.rows_between(header.last_row + 1, end_row)
    for r in rows:  # boilerplate inside the table region (单位：万元 after a table)
        for c, v in sheet.grid[r]:
            if isinstance(v, str) and is_unit_note_or_title(v):
                sheet.consumed.add((r, c))
    l1, l2 = LevelCarry(), LevelCarry()
    # a 一级 written in the header row itself (seed 002: 1-产出指标 | 一级指标 | 二级指标 …)
    for c, v in sheet.grid.get(header.row, ()):
        if (header.row, c) not in sheet.consumed:
            m = match_l1(format_value(v))
            if m:
                sheet.consumed.add((header.row, c))
                l1 = LevelCarry(format_value(v), m, sheet.ref(header.row, c))
    _align_header(sheet, header, rows, match_l2, ctx)
    cols = header.cols
    c1, c2, cn = cols["level1"], cols["level2"], cols["name"]
    role_at = {c: role for role, c in cols.items()}
    _fix_target_column(sheet, header, rows, role_at, ctx)
    shift_carry = 0
    shifted: list[tuple[int, int, int | str]] = []
    out: list[Indicator] = []
    vocab = _vocab()
    levels_of: tuple[LevelCarry | None, LevelCarry | None] = (None, None)
    levels: dict[str, str | None] = {}
    grid = sheet.grid
    consumed = sheet.consumed
    for r in rows:
        texts = [(c, v if isinstance(v, str) else format_value(v)) for c, v in grid[r] if (r, c) not in consumed]
        if not texts:
            continue
        if is_signature(texts[0][1]):
            break  # 填表人：… / 审核人：… / 备注 under the table: left to the unmapped report
        # -- leading level cells -----------------------------------------------------------
        tok1 = tok2 = None
        i = 0
        while i < len(texts) and tok2 is None:
            c, t = texts[i]
            m1 = match_l1(t) if tok1 is None else None
            m2 = match_l2(t)
            if m1 and m2:  # same word at both levels (社会效益): decide by column
                eff = c - shift_carry
                if abs(eff - c2) <= abs(eff - c1):
                    m1 = None
                else:
                    m2 = None
            if m1:
                tok1 = (c, t, m1)
            elif m2:
                tok2 = (c, t, m2)
            elif c - shift_carry in (c1, c2) and _LEVEL_LIKE_RE.search(t) and len(texts) - i > 1:
                if tok1 is None and c - shift_carry == c1:
                    tok1 = (c, t, None)  # an unknown 一级, kept as written and reported
                else:
                    tok2 = (c, t, None)
            else:
                break
            i += 1
        content = texts[i:]
        token_shift = (tok2[0] - c2) if tok2 is not None else (tok1[0] - c1) if tok1 is not None else None
        shift = _row_shift(token_shift, content[0][0] - cn if content else None, shift_carry)
        if content or token_shift is not None:
            shift_carry = shift
        # -- carry levels ----------------------------------------------------------------------
        if tok1 is not None:
            consumed.add((r, tok1[0]))
            l1 = LevelCarry(tok1[1], tok1[2], sheet.ref(r, tok1[0]))
            if tok2 is None:
                l2 = LevelCarry()
        if tok2 is not None:
            consumed.add((r, tok2[0]))
            l2 = LevelCarry(tok2[1], tok2[2], sheet.ref(r, tok2[0]))
        if not content:
            continue
        # -- map content to roles --------------------------------------------------------------
        values: dict[str, tuple[int, str]] = {}
        extras: list[tuple[int, str]] = []
        garbled = False
        for c, t in content:
            role = role_at.get(c - shift)
            if role in (None, "level1", "level2") or role in values:
                extras.append((c, t))
            else:
                values[role] = (c, t)
            if not garbled:  # a 依据 / 分类 word outside its column: the row is read by token order
                k = label_key(t)
                garbled = (k in vocab.basis and role != "value_basis") or (k in vocab.klass and role != "indicator_class")
        if garbled:
            values, extras = _token_mode(content, cols, vocab)
        if "name" not in values and "target" not in values:
            continue  # a level row without 三级 (placeholder rows are left to the unmapped report)
        name_cell = values.get("name")
        if name_cell and len(values) == 1 and _DOTS_RE.fullmatch(name_cell[1]):
            continue  # "....." placeholder row: reported as unmapped
        if department and name_cell and len(values) == 1:
            sheet.consumed.add((r, name_cell[0]))
            continue  # a framework row pre-filled by the template, no value typed: not an indicator
        if shift != 0 or garbled:
            shifted.append((r, texts[0][0], "?" if garbled else shift))
        # -- target: shifted right, or written inside the name cell ---------------------------
        if "target" not in values and extras and "target" in cols:
            right = [e for e in extras if name_cell is None or e[0] > name_cell[0]]
            if right:
                values["target"] = right[0]
                extras.remove(right[0])
                ctx.findings.append(finding("target-shifted", sheet=sheet.name, cell=cell_name(r, right[0][0]),
                                            params={"cell": cell_name(r, right[0][0])}))
        if "target" not in values and name_cell is not None:
            split = _split_name_target(name_cell[1])
            if split and ("target" not in cols or _CMP_SPLIT_RE.match(name_cell[1].strip())):
                ctx.findings.append(finding("target-split-from-name", sheet=sheet.name, cell=cell_name(r, name_cell[0]),
                                            text=name_cell[1], params={"name": split[0], "target": split[1]}))
                values["name"] = (name_cell[0], split[0])
                values["target"] = (name_cell[0], split[1])
        for c, _t in values.values():
            consumed.add((r, c))
        if levels_of[0] is not l1 or levels_of[1] is not l2:  # new level cells: their canonical levels, once
            levels_of = (l1, l2)
            levels = level_fields(l1, l2, tax=tax, department=department)
        out.append(_indicator(sheet, r, values, l1, l2, ctx, levels))
    _report_shifted_rows(sheet, shifted, rows, ctx)
    return out


def _row_shift(token_shift: int | None, content_shift: int | None, carry: int) -> int:
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


def _report_shifted_rows(sheet: Sheet, shifted: list[tuple[int, int, int | str]], rows: list[int],
                         ctx: ParseContext) -> None:
    """One ``row-shifted`` finding per run of consecutive data rows shifted alike."""
    order = {r: i for i, r in enumerate(rows)}
    run: list[tuple[int, int, int | str]] = []

    def flush() -> None:
        if run:
            first, last = run[0][0] + 1, run[-1][0] + 1
            span = f"{first}" if first == last else f"{first}–{last}"
            how = "列的位置不一致" if run[0][2] == "?" else f"整体偏移 {abs(int(run[0][2]))} 列"
            ctx.findings.append(finding("row-shifted", sheet=sheet.name, cell=cell_name(run[0][0], run[0][1]),
                                        params={"rows": span, "how": how}))

    for item in shifted:
        if run and (order[item[0]] != order[run[-1][0]] + 1 or item[2] != run[-1][2]):
            flush()
            run = []
        run.append(item)
    flush()


def _header_cells(sheet: Sheet, header: TableHeader) -> list[tuple[int, int]]:
    index = load_labels().index(sheet).get("indicator_header", {})
    return [(r, c) for r in range(header.first_row, header.last_row + 1) for c, hit in index.get(r, ())
            if hit.inline is None]


def _align_header(sheet: Sheet, header: TableHeader, rows: list[int], match_l2, ctx: ParseContext) -> None:  # noqa: ANN001
    """Shift all header columns when the data's 二级 cells sit in another column than the
    二级指标 header in most rows (seed 002: header one column right of its data)."""
    c2 = header.cols["level2"]
    offsets: dict[int, int] = {}
    for r in rows:
        for c, v in sheet.grid[r]:
            if (r, c) not in sheet.consumed and isinstance(v, str) and match_l2(v):
                offsets[c - c2] = offsets.get(c - c2, 0) + 1
                break
    if not offsets:
        return
    shift, n = max(offsets.items(), key=lambda kv: (kv[1], -abs(kv[0])))
    if shift == 0 or n * 5 < sum(offsets.values()) * 4:  # only a clear (80 %) majority moves the header
        return
    header.cols = {role: c + shift for role, c in header.cols.items()}
    ctx.findings.append(finding("header-shifted", sheet=sheet.name, cell=cell_name(header.row, c2),
                                params={"label": "二级指标", "header_col": col_name(c2),
                                        "data_col": col_name(c2 + shift)}))


def _fix_target_column(sheet: Sheet, header: TableHeader, rows: list[int], role_at: dict[int, str],
                       ctx: ParseContext) -> None:
    """A 绩效值 column empty in every data row while the values sit in another column
    right of 三级 (seed 002 ``三级指标 ×5 | 绩效值``): read values from there."""
    cols = header.cols
    if "target" not in cols or not rows:
        return
    tc, cn = cols["target"], cols["name"]
    counts: dict[int, int] = {}
    for r in rows:
        for c, _v in sheet.grid[r]:
            if c > cn:
                counts[c] = counts.get(c, 0) + 1
    if counts.get(tc, 0) > 0 or not counts:
        return
    other = [c for c in sorted(counts) if role_at.get(c) not in ("value_basis", "indicator_class", "description")]
    if not other:
        return
    best = max(other, key=lambda c: (counts[c], -c))
    if counts[best] * 2 < len(rows):
        return
    del role_at[tc]
    role_at[best] = "target"
    cols["target"] = best
    ctx.findings.append(finding("header-shifted", sheet=sheet.name, cell=cell_name(header.row, tc),
                                params={"label": "绩效值", "header_col": col_name(tc),
                                        "data_col": col_name(best)}))


def _token_mode(content: list[tuple[int, str]], cols: dict[str, int], vocab: _Vocab
                ) -> tuple[dict[str, tuple[int, str]], list[tuple[int, str]]]:
    """Garbled row: name first, then values, then 依据 and 分类 recognised by their words;
    values fill the value roles of the header from the right (当年 last)."""
    values: dict[str, tuple[int, str]] = {}
    extras: list[tuple[int, str]] = []
    rest = list(content)
    if rest:
        values["name"] = rest.pop(0)
    middle: list[tuple[int, str]] = []
    for c, t in rest:
        k = label_key(t)
        if k in vocab.basis and "value_basis" not in values:
            values["value_basis"] = (c, t)
        elif k in vocab.klass and "indicator_class" not in values:
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


def _indicator(sheet: Sheet, r: int, values: dict[str, tuple[int, str]], l1: LevelCarry, l2: LevelCarry,
               ctx: ParseContext, levels: dict[str, str | None]) -> Indicator:
    """The indicator of row *r* from its role -> (col, text) *values*, the carried level
    cells and their canonical *levels* (:func:`level_fields`, computed once per pair)."""
    fields: dict[str, object] = {"level1_text": l1.text, "level1_source": l1.source,
                                 "level2_text": l2.text, "level2_source": l2.source}
    for role, (c, t) in values.items():
        if role in _TARGET_ROLES:
            fields[_ROLE_FIELD.get(role, role)] = target_fields(t, source=sheet.ref(r, c))  # validated with the Indicator
        elif role in _TEXT_ROLES:
            fields[role] = t
    src = values.get("name") or values.get("target")
    fields["source"] = sheet.ref(r, src[0]) if src else None
    fields.update(levels)
    if not (l1.reported and l2.reported):  # the rows below a level cell have nothing new to report
        report_levels(l1, l2, sheet_name=sheet.name, ctx=ctx)
    return _validate_indicator(fields)


# Indicator.model_validate without its keyword handling (the same validator, the same
# defaults): one pydantic-core call per indicator, its target included as a dict.
_validate_indicator = Indicator.__pydantic_validator__.validate_python
_TARGET_ROLES = frozenset({"target", "period_target", "two_years_ago", "last_year"})
_TEXT_ROLES = frozenset({"name", "description", "value_basis", "indicator_class"})
_ROLE_FIELD = {"two_years_ago": "value_two_years_ago", "last_year": "value_last_year"}


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
        if l1.text and l1.match is None:
            ctx.findings.append(finding("unknown-level1", sheet=sheet_name, cell=split_ref(l1.source)[1], text=l1.text))
        elif l1.match is not None and l1.match.conflict:
            ctx.findings.append(finding("level-code-mismatch", sheet=sheet_name, cell=split_ref(l1.source)[1], text=l1.text,
                                        params={"detail": l1.match.conflict, "level": l1.match.level.label}))
    if not l2.reported:
        l2.reported = True
        if l2.text and l2.match is None:
            ctx.findings.append(finding("unknown-level2", sheet=sheet_name, cell=split_ref(l2.source)[1], text=l2.text))
        elif l2.match is not None:
            if l2.match.conflict:
                ctx.findings.append(finding("level-code-mismatch", sheet=sheet_name, cell=split_ref(l2.source)[1], text=l2.text,
                                            params={"detail": l2.match.conflict, "level": l2.match.level.label}))
            if l1.match is not None and l2.match.level.parent != l1.match.level.name:
                ctx.findings.append(finding("level2-wrong-parent", sheet=sheet_name, cell=split_ref(l2.source)[1], text=l2.text,
                                            params={"expected": l2.match.level.parent, "found": l1.text}))
