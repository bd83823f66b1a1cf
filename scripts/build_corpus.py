"""Build the real-forms corpus workbooks (corpus/workbooks/*.xlsx) from their hand-made grids.

    python scripts/build_corpus.py                        # every grid -> corpus/workbooks/<stem>.xlsx
    python scripts/build_corpus.py corpus/grids/x.tsv     # only the grids named
    python scripts/build_corpus.py --variants DIR         # perturbed target forms + their truth (scripts/corpus_variants.py)
    python scripts/build_corpus.py --corpus corpus/heldout  # another set laid out the same way: DIR/grids -> DIR/workbooks

Each grid (corpus/grids/<stem>.tsv) is a hand transcription of one page text of
corpus/source/ into the cells the county's published workbook would have. The grid format
(also described in corpus/README.md):

* UTF-8 text; a line is a row, a TAB separates cells; an empty line is an empty row;
* ``#!sheet NAME`` starts a sheet (the first row line must follow one); any other line
  starting with ``#`` is a comment for the reviewer and is not a row;
* a cell that is exactly ``<`` belongs to the merged range of the cell on its left, ``^`` to
  the merged range of the cell above; every range must be a rectangle whose top-left cell
  holds its value (or nothing);
* escapes inside a cell: ``\\n`` line break, ``\\t`` TAB, ``\\s`` space (to make a space at the
  end of a cell visible), ``\\\\`` backslash, ``\\<`` ``\\^`` ``\\#`` ``\\'`` the character itself;
* a cell that is a plain decimal number (``6.30``, ``500``, no sign other than ``-``, no
  leading zero) is written as a number, as Excel stores a typed number, shown with the
  decimals written (``6.30`` displays as 6.30); a leading ``'`` keeps it text (as in Excel);
  everything else (``≥90%``, ``4623 万``, ``100%``) is text.

Nothing here is read back by xlperf: scripts/score_corpus.py compares what xlperf imports
from these workbooks with the facts read by eye in corpus/truth/.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter

ROOT = Path(__file__).resolve().parents[1]
GRIDS = ROOT / "corpus" / "grids"
WORKBOOKS = ROOT / "corpus" / "workbooks"
TRUTH = ROOT / "corpus" / "truth"

MERGE_LEFT = "<"
MERGE_UP = "^"
_NUMBER_RE = re.compile(r"^-?(0|[1-9]\d*)(\.(\d+))?$")
_ESCAPES = {"n": "\n", "t": "\t", "s": " ", "\\": "\\", "<": "<", "^": "^", "#": "#", "'": "'"}
# Fixed document properties, so that rebuilding an unchanged grid gives the same bytes.
_CREATED = _dt.datetime(2026, 1, 1)


class GridError(ValueError):
    """A grid file that breaks the format: names the file, line and cell."""


@dataclass
class Cell:
    """One non-empty cell: its text, or its number (``float``) with the decimals written."""

    value: str | float
    decimals: int = 0

    @property
    def is_number(self) -> bool:
        """True when the grid wrote a plain number."""
        return isinstance(self.value, float)


@dataclass
class GridSheet:
    """A sheet of a grid: cells by (row, col), 0-based; merged ranges as (r0, c0, r1, c1)."""

    name: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    n_rows: int = 0


def decode_cell(raw: str, *, where: str) -> Cell | None:
    """One grid cell (``raw`` as between TABs) as a :class:`Cell`, ``None`` when empty.

    Raises :class:`GridError` for an unknown escape."""
    forced_text = raw.startswith("'")
    if forced_text:
        raw = raw[1:]
    out = []
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\":
            nxt = raw[i + 1 : i + 2]
            if nxt not in _ESCAPES:
                raise GridError(f"{where}: unknown escape \\{nxt} in {raw!r}")
            out.append(_ESCAPES[nxt])
            i += 2
            continue
        out.append(ch)
        i += 1
    text = "".join(out)
    if text == "":
        return None
    m = _NUMBER_RE.match(text)
    if m and not forced_text:
        return Cell(float(text), len(m.group(3) or ""))
    return Cell(text)


def parse_grid(text: str, *, name: str = "<grid>") -> list[GridSheet]:
    """Parse a grid file's text into its sheets (see the module doc for the format).

    Raises :class:`GridError` (with file, line and cell) for a row before the first
    ``#!sheet``, a merge marker with nothing to join, or a merged range that is not a
    rectangle anchored at its top-left cell."""
    sheets: list[GridSheet] = []
    markers: dict[tuple[int, int], str] = {}
    row = 0
    for lineno, line in enumerate(text.split("\n"), 1):
        if line.startswith("#!sheet"):
            if sheets:
                _close_sheet(sheets[-1], markers, name)
            title = line[len("#!sheet"):].strip()
            if not title or len(title) > 31 or set(title) & set("[]:*?/\\") or title in {s.name for s in sheets}:
                raise GridError(f"{name}:{lineno}: {title!r} cannot be a sheet name (1-31 characters, "
                                "none of [ ] : * ? / \\, not twice)")
            sheets.append(GridSheet(title))
            markers, row = {}, 0
            continue
        if line.startswith("#"):
            continue
        if not sheets:
            if line.strip():
                raise GridError(f"{name}:{lineno}: a row before the first '#!sheet' line")
            continue
        sheet = sheets[-1]
        for col, raw in enumerate(line.split("\t")):
            where = f"{name}:{lineno} column {col + 1}"
            if raw in (MERGE_LEFT, MERGE_UP):
                markers[(row, col)] = raw
                continue
            cell = decode_cell(raw, where=where)
            if cell is not None:
                sheet.cells[(row, col)] = cell
        row += 1
        sheet.n_rows = row
    if sheets:
        _close_sheet(sheets[-1], markers, name)
    return sheets


def _close_sheet(sheet: GridSheet, markers: dict[tuple[int, int], str], name: str) -> None:
    """Turn the ``<`` / ``^`` markers of one sheet into checked rectangular ranges."""
    parent: dict[tuple[int, int], tuple[int, int]] = {}

    def root(pos: tuple[int, int]) -> tuple[int, int]:
        while pos in parent:
            pos = parent[pos]
        return pos

    for (r, c), mark in sorted(markers.items()):
        target = (r, c - 1) if mark == MERGE_LEFT else (r - 1, c)
        if target[0] < 0 or target[1] < 0:
            raise GridError(f"{name}: sheet {sheet.name!r} row {r + 1} column {c + 1}: {mark!r} has no cell to join")
        parent[(r, c)] = root(target)
    groups: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for pos in parent:
        groups.setdefault(root(pos), []).append(pos)
    for anchor, members in sorted(groups.items()):
        cells = [anchor, *members]
        r0 = min(r for r, _ in cells)
        c0 = min(c for _, c in cells)
        r1 = max(r for r, _ in cells)
        c1 = max(c for _, c in cells)
        if anchor != (r0, c0) or len(set(cells)) != (r1 - r0 + 1) * (c1 - c0 + 1):
            raise GridError(f"{name}: sheet {sheet.name!r}: merged range at row {anchor[0] + 1} column "
                            f"{anchor[1] + 1} is not a rectangle anchored at its top-left cell")
        sheet.merges.append((r0, c0, r1, c1))


def read_grid(path: Path) -> list[GridSheet]:
    """Parse one grid file (see :func:`parse_grid`)."""
    path = path.resolve()
    name = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    return parse_grid(path.read_text(encoding="utf-8"), name=name)


def _display_width(text: str) -> int:
    """Rough column width of the longest line of a cell: a CJK character counts two."""
    return max((sum(2 if ord(ch) > 0x2E80 else 1 for ch in line) for line in text.split("\n")), default=0)


def write_workbook(sheets: list[GridSheet], target: Path, *, title: str) -> None:
    """Write the sheets with xlsxwriter: typed writes (no formula or URL conversion),
    merged ranges, wrapped text for multi-line cells, fixed document properties."""
    wb = xlsxwriter.Workbook(str(target),
                             {"strings_to_formulas": False, "strings_to_urls": False,
                              "strings_to_numbers": False, "in_memory": True})
    wb.set_properties({"title": title, "created": _CREATED,
                       "comments": "rebuilt from corpus/grids by scripts/build_corpus.py"})
    base = {"font_name": "SimSun", "font_size": 10, "valign": "vcenter", "border": 1}
    formats: dict[tuple[bool, int], object] = {}

    def fmt(wrap: bool, decimals: int) -> object:
        key = (wrap, decimals)
        if key not in formats:
            props = dict(base, text_wrap=wrap)
            if decimals:
                props["num_format"] = "0." + "0" * decimals
            formats[key] = wb.add_format(props)
        return formats[key]

    for sheet in sheets:
        ws = wb.add_worksheet(sheet.name)
        merged_at = {(r0, c0): (r1, c1) for r0, c0, r1, c1 in sheet.merges}
        widths: dict[int, int] = {}
        for (r, c), cell in sheet.cells.items():
            if (r, c) not in merged_at:
                text = cell.value if isinstance(cell.value, str) else f"{cell.value:.{cell.decimals}f}"
                widths[c] = max(widths.get(c, 0), _display_width(text))
        for c in range(max([*widths, *(c1 for *_, c1 in sheet.merges)], default=-1) + 1):
            ws.set_column(c, c, min(40, max(8, widths.get(c, 8) + 2)))
        for (r0, c0), (r1, c1) in sorted(merged_at.items()):
            cell = sheet.cells.get((r0, c0))
            ws.merge_range(r0, c0, r1, c1, "", fmt(cell is not None and not cell.is_number, cell.decimals if cell else 0))
        for (r, c), cell in sorted(sheet.cells.items()):
            text = cell.value if isinstance(cell.value, str) else ""
            # a merged cell wraps its text; so does a long or multi-line one
            f = fmt((r, c) in merged_at and not cell.is_number or "\n" in text or len(text) > 20, cell.decimals)
            if cell.is_number:
                ws.write_number(r, c, cell.value, f)
            else:
                ws.write_string(r, c, text, f)
    wb.close()


def build_one(grid: Path, folder: Path) -> Path:
    """Build ``folder/<stem>.xlsx`` from one grid file (see :func:`write_atomically`)."""
    out = folder / f"{grid.stem}.xlsx"
    write_atomically(read_grid(grid), out, grid.stem)
    return out


def write_atomically(sheets: list[GridSheet], out: Path, title: str) -> None:
    """Write a workbook to a temporary file in the same folder and move it into place, so a
    failure never leaves a half-written workbook."""
    fd, tmp = tempfile.mkstemp(prefix=f".{out.stem}.", suffix=".xlsx", dir=out.parent)
    os.close(fd)
    try:
        write_workbook(sheets, Path(tmp), title=title)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def grid_files(corpus: Path | None = None) -> list[Path]:
    """Every grid of the corpus (or of another set with the same layout, ``corpus/grids``), sorted by name."""
    return sorted(((corpus / "grids") if corpus else GRIDS).glob("*.tsv"))


def main(argv: list[str] | None = None) -> int:
    """Command line: build every workbook (exit 0), or report grid errors (exit 2)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("grids", nargs="*", type=Path, help="grid files (default: all of corpus/grids)")
    parser.add_argument("--variants", type=Path, metavar="DIR",
                        help="write perturbed versions of the target forms and their truth to DIR instead")
    parser.add_argument("--corpus", type=Path, metavar="DIR",
                        help="a set laid out as corpus/ (DIR/grids, DIR/truth): build DIR/workbooks (default corpus/)")
    args = parser.parse_args(argv)
    if args.variants:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from corpus_variants import write_variants

        truth = args.corpus / "truth" if args.corpus else TRUTH
        for path in write_variants([g.resolve() for g in args.grids] or grid_files(args.corpus), truth, args.variants):
            print(path)
        return 0
    workbooks = args.corpus.resolve() / "workbooks" if args.corpus else WORKBOOKS
    workbooks.mkdir(parents=True, exist_ok=True)
    status = 0
    for grid in args.grids or grid_files(args.corpus):
        try:
            out = build_one(grid.resolve(), workbooks)
        except GridError as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = 2
            continue
        print(out.relative_to(ROOT) if out.is_relative_to(ROOT) else out)
    return status


if __name__ == "__main__":
    sys.exit(main())
