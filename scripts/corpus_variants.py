"""Perturbed versions of the corpus target forms: a held-out robustness set.

    python scripts/build_corpus.py --variants DIR            # DIR/<stem>__<variant>.xlsx + .toml
    python scripts/score_corpus.py --workbooks DIR --truth DIR

Each variant changes one thing a county could have done differently and keeps the facts, so
its truth is the file's truth (copied, with a comment naming the variant; amounts stay in
万元 even where the variant states them in 元). The reader must not be tuned on these: they
test that what was learnt on the corpus is general. A variant that does not apply to a form
(no amount cell that is a plain number, no movable column …) is not written.

Variants:

* ``synonyms``: label wordings seen in real forms swapped within their role (项目名称 ->
  专项名称, 年度资金总额 -> 项目预算金额, 年度目标 -> 年度绩效目标, 指标值 -> 指标目标值 …);
* ``spaced``: label and header cells spaced out (``项 目 名 称``);
* ``label-above``: the project name under its label instead of beside it;
* ``yuan``: the annual amount and the funds cells below it in 元, the unit notes saying 元;
* ``wan-suffix``: the annual amount written as text with a 万 suffix (``5.00万``);
* ``columns``: the target column moved before the 三级 column;
* ``blank-row``: an empty row inside the indicator table (merged level cells stretch over it).
"""

from __future__ import annotations

import copy
import re
import tomllib
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from build_corpus import Cell, GridSheet, read_grid, write_atomically

# Wordings seen in real forms, by role; a label is swapped for the next one of its group.
SYNONYMS: list[list[str]] = [
    ["项目名称", "二级项目名称", "专项名称", "专项(项目)名称"],
    ["年度资金总额", "资金总额", "项目预算金额", "预算申报数"],
    ["年度目标", "年度绩效目标", "年度总体目标"],
    ["总体目标", "绩效目标"],
    ["指标值", "指标目标值", "指标值(包含数字及文字描述)"],
]
NAME_LABELS = SYNONYMS[0]
HEADER_WORDS = ["一级指标", "二级指标", "三级指标"]
_LABEL_TAIL = re.compile(r"([:：]|\s*\(万元\))$")


def _key(text: object) -> str:
    return "".join(unicodedata.normalize("NFKC", str(text)).split()) if isinstance(text, str) else ""


def _split_label(text: str) -> tuple[str, str] | None:
    """A label cell's core wording and its tail (':' or '(万元)'), when the core is a known label."""
    key = _key(text)
    tail = ""
    m = _LABEL_TAIL.search(key)
    if m:
        key, tail = key[: m.start()], key[m.start():]
    for group in SYNONYMS:
        if key in group:
            return key, tail
    return None


def _text(sheet: GridSheet, pos: tuple[int, int]) -> str | None:
    cell = sheet.cells.get(pos)
    return cell.value if cell is not None and isinstance(cell.value, str) else None


def insert_row(sheet: GridSheet, at: int) -> None:
    """Insert an empty row before row ``at`` (0-based): cells and ranges below move down, a
    merged range that spans the boundary grows by one row."""
    sheet.cells = {((r + 1 if r >= at else r), c): v for (r, c), v in sheet.cells.items()}
    merges = []
    for r0, c0, r1, c1 in sheet.merges:
        if r0 >= at:
            merges.append((r0 + 1, c0, r1 + 1, c1))
        elif r1 >= at:
            merges.append((r0, c0, r1 + 1, c1))
        else:
            merges.append((r0, c0, r1, c1))
    sheet.merges = merges
    sheet.n_rows += 1


def _merge_at(sheet: GridSheet, pos: tuple[int, int]) -> tuple[int, int, int, int] | None:
    r, c = pos
    return next((m for m in sheet.merges if m[0] <= r <= m[2] and m[1] <= c <= m[3]), None)


def _header_rows(sheet: GridSheet) -> list[int]:
    """Rows holding an indicator table header (三级指标 and a target column label)."""
    rows = []
    for r in range(sheet.n_rows):
        keys = {_key(_text(sheet, (r, c))) for c in range(64)}
        if "三级指标" in keys and keys & set(SYNONYMS[4]):
            rows.append(r)
    return rows


def synonyms(sheets: list[GridSheet], truth: dict) -> bool:
    """Swap every known label for the next wording of its group (the same swap in the whole file)."""
    changed = False
    for sheet in sheets:
        for pos, cell in sheet.cells.items():
            split = _split_label(cell.value) if isinstance(cell.value, str) else None
            if split is None:
                continue
            core, tail = split
            group = next(g for g in SYNONYMS if core in g)
            cell.value = group[(group.index(core) + 1) % len(group)] + tail
            changed = True
    return changed


def spaced(sheets: list[GridSheet], truth: dict) -> bool:
    """Space out label cells and the 一级/二级/三级 header cells (``项 目 名 称``)."""
    changed = False
    for sheet in sheets:
        for cell in sheet.cells.values():
            if isinstance(cell.value, str) and (_split_label(cell.value) or _key(cell.value) in HEADER_WORDS):
                cell.value = " ".join(_key(cell.value))
                changed = True
    return changed


def label_above(sheets: list[GridSheet], truth: dict) -> bool:
    """Put each project name in a new row under its label (spanning the label's columns and
    the value's), instead of right of it. A 项目名称 heading a column of a table of projects
    (on a row with 一级指标 / 二级指标 / 三级指标 headers) has no value beside it: left."""
    changed = False
    for sheet in sheets:
        for (r, c) in sorted(sheet.cells, reverse=True):
            if _key(_text(sheet, (r, c))) not in NAME_LABELS or (r, c + 1) not in sheet.cells:
                continue
            if any(_key(_text(sheet, (r, cc))) in HEADER_WORDS for cc in range(64)):
                continue  # a column heading of a table of projects
            value_range = _merge_at(sheet, (r, c + 1)) or (r, c + 1, r, c + 1)
            if value_range[0] != value_range[2] or _merge_at(sheet, (r, c)):
                continue  # a multi-row value or a merged label: leave it
            value = sheet.cells.pop((r, c + 1))
            if value_range in sheet.merges:
                sheet.merges.remove(value_range)
            insert_row(sheet, r + 1)
            sheet.cells[(r + 1, c)] = value
            if value_range[3] > c:
                sheet.merges.append((r + 1, c, r + 1, value_range[3]))
                sheet.merges.append((r, c, r, value_range[3]))
            changed = True
    return changed


def _amount_cells(sheets: list[GridSheet], truth: dict) -> list[tuple[GridSheet, tuple[int, int]]]:
    """The first cell equal to each truth amount (in sheet order): a number, or a text
    typed as the number (``'185.60``, ``'2,860.00``), which becomes a number."""
    units = ([truth["department"]] if "department" in truth else []) + truth.get("projects", [])
    found = []
    for unit in units:
        if "amount" not in unit:
            continue
        want = Decimal(unit["amount"])
        for sheet in sheets:
            pos = next((p for p, c in sorted(sheet.cells.items()) if _number(c) == want and p not in
                        {q for s, q in found if s is sheet}), None)
            if pos is not None:
                cell = sheet.cells[pos]
                if not cell.is_number:
                    text = _key(cell.value).replace(",", "")
                    sheet.cells[pos] = Cell(float(text), len(text.partition(".")[2]))
                found.append((sheet, pos))
                break
    return found


def _number(cell: Cell) -> Decimal | None:
    """A number cell's value, or a text cell's that is a plain number (thousands commas
    allowed, full-width digits folded)."""
    if cell.is_number:
        return Decimal(str(cell.value))
    text = _key(cell.value).replace(",", "")
    return Decimal(text) if re.fullmatch(r"\d+(\.\d+)?", text) else None


def wan_suffix(sheets: list[GridSheet], truth: dict) -> bool:
    """Write each annual amount cell as text with a 万 suffix (``5.00万``)."""
    cells = _amount_cells(sheets, truth)
    for sheet, pos in cells:
        cell = sheet.cells[pos]
        sheet.cells[pos] = Cell(f"{cell.value:.{cell.decimals}f}万")
    return bool(cells)


def yuan(sheets: list[GridSheet], truth: dict) -> bool:
    """State the amounts in 元: from each annual amount cell down its column while the cells
    are numbers, every number cell of those rows from that column rightwards ×10000 (the
    funds beside it, not a 序号 left of it); every short text saying 万元 from three rows
    above to the last of those rows (the unit note, '(万元)' labels), and every unit note
    above, says 元; a '单位：元' row on top of a sheet that had no such text."""
    cells = _amount_cells(sheets, truth)
    unnoted = []
    for sheet, (r, c) in cells:
        end = r
        while (end + 1, c) in sheet.cells and sheet.cells[(end + 1, c)].is_number:
            end += 1
        for pos, cell in list(sheet.cells.items()):
            if r <= pos[0] <= end and pos[1] >= c and cell.is_number:
                sheet.cells[pos] = Cell(float(Decimal(str(cell.value)) * 10000), max(cell.decimals - 4, 0))
        noted = False
        for pos, cell in sheet.cells.items():
            if not (isinstance(cell.value, str) and "万元" in cell.value and len(cell.value) < 20):
                continue
            if r - 3 <= pos[0] <= end or (pos[0] < r and "单位" in cell.value):
                cell.value = cell.value.replace("万元", "元")
                noted = True
        if not noted and sheet not in unnoted:
            unnoted.append(sheet)
    for sheet in unnoted:
        insert_row(sheet, 0)
        sheet.cells[(0, 0)] = Cell("单位：元")
    return bool(cells)


def columns(sheets: list[GridSheet], truth: dict) -> bool:
    """Move the target column before the 三级 column in every indicator table whose two
    columns hold no merged cell."""
    changed = False
    for sheet in sheets:
        headers = _header_rows(sheet)
        for i, h in enumerate(headers):
            end = headers[i + 1] if i + 1 < len(headers) else sheet.n_rows
            row: dict[str, int] = {}
            for c in range(64):
                if (h, c) in sheet.cells:
                    row.setdefault(_key(_text(sheet, (h, c))), c)
            name_col = row["三级指标"]
            target_col = next(row[k] for k in SYNONYMS[4] if k in row)
            if target_col != name_col + 1:
                continue
            if any(_merge_at(sheet, (r, c)) for r in range(h, end) for c in (name_col, target_col)):
                continue
            for r in range(h, end):
                a, b = sheet.cells.pop((r, name_col), None), sheet.cells.pop((r, target_col), None)
                if b is not None:
                    sheet.cells[(r, name_col)] = b
                if a is not None:
                    sheet.cells[(r, target_col)] = a
            changed = True
    return changed


def blank_row(sheets: list[GridSheet], truth: dict) -> bool:
    """Insert an empty row after the first data row of each indicator table."""
    changed = False
    for sheet in sheets:
        for h in reversed(_header_rows(sheet)):
            if h + 2 < sheet.n_rows:
                insert_row(sheet, h + 2)
                changed = True
    return changed


VARIANTS: dict[str, Callable[[list[GridSheet], dict], bool]] = {
    "synonyms": synonyms,
    "spaced": spaced,
    "label-above": label_above,
    "yuan": yuan,
    "wan-suffix": wan_suffix,
    "columns": columns,
    "blank-row": blank_row,
}


def variants_of(sheets: list[GridSheet], truth_text: str) -> dict[str, list[GridSheet]]:
    """Every variant that applies to one target form: name -> perturbed copies of the sheets."""
    truth = tomllib.loads(truth_text)
    if truth["kind"] == "negative":
        return {}
    out = {}
    for name, perturb in VARIANTS.items():
        copies = copy.deepcopy(sheets)
        if perturb(copies, truth):
            out[name] = copies
    return out


def write_variants(grids: list[Path], truth_dir: Path, folder: Path) -> list[Path]:
    """Write ``folder/<stem>__<variant>.xlsx`` and its truth ``.toml`` for every target form."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for grid in grids:
        truth_text = (truth_dir / f"{grid.stem}.toml").read_text(encoding="utf-8")
        for name, sheets in variants_of(read_grid(grid), truth_text).items():
            stem = f"{grid.stem}__{name}"
            write_atomically(sheets, folder / f"{stem}.xlsx", stem)
            (folder / f"{stem}.toml").write_text(
                f"# variant '{name}' of {grid.stem} (scripts/corpus_variants.py): same facts\n" + truth_text,
                encoding="utf-8")
            written.append(folder / f"{stem}.xlsx")
    return written
