"""Read an .xlsx / .xlsm into :class:`~xlperf.readers.grid.Workbook`, safely: what is
checked is exactly what is read (docs/untrusted-input.md).

Order of work for one file:

1. :func:`~xlperf.readers.container.read_file`: the bytes, read once (a FIFO or a
   device is refused without blocking); the sha256 recorded is of these bytes;
2. :func:`~xlperf.readers.sniff.check_kind`: what the file is by its first bytes;
3. :class:`~xlperf.readers.container.Container`: the zip structure checked strictly
   (one directory, local headers agree, no two names for one part, sizes and ratios);
4. :class:`~xlperf.readers.parts.Package`: the workbook, its sheets, shared strings and
   styles found through the package relationships by one resolver, parsed by one XML
   parser (DTDs refused, UTF-8 only);
5. each worksheet read by :func:`~xlperf.readers.sparse.read_sheet` with the same
   parser, bounded (non-empty cells, cell elements) as it goes.

No other library reads the bytes, so no check can disagree with the reader. What
remains (a hang, memory) is bounded here and contained by the worker process the
caller runs the read in (:class:`xlperf.isolation.ContainedRunner`).

Findings while reading (each pointing at a sheet and cell), at most
:data:`MAX_READ_FINDINGS` per file (then one ``read-findings-more``):
``macros-ignored``, ``hidden-sheet``, ``hidden-rows``, ``hidden-columns``,
``excel-error-value``, ``formula-no-cached-value``, ``number-invalid``,
``number-too-large``, ``cell-repeated``, ``text-normalised``, ``sheet-extent-absurd``.

Nothing but :class:`~xlperf.errors.UnreadableWorkbook` leaves :func:`read_workbook`:
an unexpected error while reading one file becomes ``file-broken`` for that file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..cellref import cell_name
from ..errors import UnreadableWorkbook
from ..findings import finding
from ..model import Finding
from .container import Container, ContainerLimits, broken, read_file
from .grid import Sheet, Workbook
from .parts import Package
from .sniff import check_kind, check_ooxml
from .sparse import SheetData, clean_shared, read_sheet

__all__ = ["MAX_READ_FINDINGS", "ReadLimits", "read_workbook", "read_workbook_bytes"]

#: findings of one file's reading listed one by one; the rest are counted in one ``read-findings-more``
MAX_READ_FINDINGS = 1_000


@dataclass(frozen=True)
class ReadLimits:
    """Limits of one read.

    ``max_values``: non-empty cells in the whole workbook (a budget form has a few
    thousand), else ``file-too-large``; ``max_elements``: ``<c>`` elements looked at,
    empty ones included (time); ``max_shared_strings``: entries of the shared-string
    table; ``max_cells``: a sheet whose used range (rows x columns) is larger is
    reported (``sheet-extent-absurd``: stray far cells), still read sparsely;
    ``whole_below``: XML parts under this many bytes are parsed whole, larger ones in
    pieces (the same result; tests set 0 to run the piecewise path).
    """

    max_values: int = 1_000_000
    max_elements: int = 2_000_000
    max_shared_strings: int = 1_000_000
    max_cells: int = 2_000_000
    whole_below: int = 4 << 20
    container: ContainerLimits = ContainerLimits()


class _Findings(list):
    """The reading findings of one file, capped at :data:`MAX_READ_FINDINGS` (the rest
    counted in :attr:`dropped`)."""

    dropped = 0

    def append(self, item: Finding) -> None:  # type: ignore[override]
        if len(self) < MAX_READ_FINDINGS:
            super().append(item)
        else:
            self.dropped += 1

    def close(self) -> list[Finding]:
        out = list(self)
        if self.dropped:
            out.append(finding("read-findings-more", sheet=None, cell=None,
                               params={"count": self.dropped, "listed": MAX_READ_FINDINGS}))
        return out


def _sheet(sheet: Sheet, data: SheetData, findings: list[Finding]) -> None:
    """Give *sheet* what *data* read (its cells and row index as they are: built once,
    texts already normalised) and report what the cells alone do not show: texts
    normalised, numbers left out, error values, formulas without a result, cells written
    twice, hidden sheets, rows and columns."""
    name = sheet.name
    sheet.cells = cells = data.cells
    if data.grid is not None:
        sheet.grid = data.grid  # the row index Sheet.grid would build, already in order
    sheet.merged = data.merged
    sheet.hidden_rows = frozenset(data.hidden_rows)
    sheet.hidden_cols = frozenset(data.hidden_cols)
    notes: list[tuple[tuple[int, int], str, list[str] | None]] = list(data.normalised)
    notes.extend((pos, text, None) for pos, text in data.texts.items())
    for (r, c), text, changes in sorted(notes, key=lambda note: note[0]):
        if changes is not None:
            findings.append(finding("text-normalised", sheet=name, cell=cell_name(r, c),
                                    params={"changes": "；".join(changes)}, text=text))
        else:  # a number that is no finite float: digits no float holds, or NaN / inf written as such
            code = "number-too-large" if any(ch.isdigit() for ch in text) else "number-invalid"
            findings.append(finding(code, sheet=name, cell=cell_name(r, c), text=text))
    for (r, c), err in sorted(data.errors.items()):
        findings.append(finding("excel-error-value", sheet=name, cell=cell_name(r, c), params={"value": err}, text=err))
    for (r, c) in sorted(data.no_value):
        if (r, c) not in cells and (r, c) not in data.errors:
            findings.append(finding("formula-no-cached-value", sheet=name, cell=cell_name(r, c)))
    for (r, c) in sorted(data.repeated):
        findings.append(finding("cell-repeated", sheet=name, cell=cell_name(r, c)))
    if sheet.state != "visible":
        findings.append(finding("hidden-sheet", sheet=name, cell=None))
    hidden_used = sorted({r for (r, _c) in cells if r in sheet.hidden_rows}) if sheet.hidden_rows else []
    if hidden_used:
        findings.append(finding("hidden-rows", sheet=name, cell=cell_name(hidden_used[0], 0),
                                params={"rows": "、".join(str(r + 1) for r in hidden_used[:10])}))
    hidden_cols_used = sorted({c for (_r, c) in cells if c in sheet.hidden_cols}) if sheet.hidden_cols else []
    if hidden_cols_used:
        findings.append(finding("hidden-columns", sheet=name, cell=cell_name(0, hidden_cols_used[0]),
                                params={"cols": "、".join(cell_name(0, c)[:-1] for c in hidden_cols_used[:10])}))


def _read(data: bytes, path: str, limits: ReadLimits) -> Workbook:
    container = Container(data, path=path, limits=limits.container)
    check_ooxml(container)
    pkg = Package(container, whole_below=limits.whole_below)
    entries, date1904 = pkg.sheets()
    kind = "xlsm" if pkg.is_macro_enabled() else "xlsx"
    findings = _Findings()
    if kind == "xlsm":
        findings.append(finding("macros-ignored", sheet=None, cell=None))
    wb = Workbook(path=path, sha256=hashlib.sha256(data).hexdigest(), kind=kind)
    shared: list[str] | None = None
    shared_changed: dict[int, tuple[str, list[str]]] = {}
    styles = None
    values = 0
    elements = limits.max_elements
    for index, entry in enumerate(entries):
        if not entry.worksheet:
            continue
        part = container.read(entry.part)
        if part is None:
            raise broken(path, f"工作表“{entry.name}”的部件 {entry.part} 不存在", f"sheet {entry.name!r}: part {entry.part} is missing")
        if not part.strip():
            raise broken(path, f"工作表“{entry.name}”的部件 {entry.part} 是空的", f"sheet {entry.name!r}: part {entry.part} is empty")
        if shared is None:
            shared, shared_changed = clean_shared(pkg.shared_strings(limit=limits.max_shared_strings))
            styles = pkg.styles()
        assert styles is not None
        out = read_sheet(part, shared=shared, shared_changed=shared_changed, styles=styles, date1904=date1904,
                         max_values=limits.max_values - values, max_elements=elements, path=path, sheet=entry.name,
                         part=entry.part, whole_below=limits.whole_below, max_cells=limits.max_cells)
        values += len(out.cells)
        elements -= out.elements
        if out.max_row * max(out.max_col, 1) > limits.max_cells:
            findings.append(finding("sheet-extent-absurd", sheet=entry.name,
                                    cell=cell_name(max(out.max_row - 1, 0), max(out.max_col - 1, 0)),
                                    params={"rows": out.max_row, "cols": out.max_col}))
        sheet = Sheet(name=entry.name, index=index, state=entry.state)
        _sheet(sheet, out, findings)
        wb.sheets.append(sheet)
    wb.findings = findings.close()
    return wb


def read_workbook_bytes(data: bytes, path: str, *, limits: ReadLimits = ReadLimits()) -> Workbook:
    """Read the workbook whose file bytes are *data* (*path* names it in messages and in
    the result). Same contract as :func:`read_workbook`."""
    check_kind(data, path)
    try:
        return _read(data, path, limits)
    except UnreadableWorkbook:
        raise
    except MemoryError:
        raise UnreadableWorkbook("file-too-large", "文件过大，读取时内存不足，已停止读取。",
                                 "out of memory while reading; refused.", path=path) from None
    except RecursionError:
        raise broken(path, "文件结构嵌套过深", "nested too deeply") from None
    except Exception as exc:  # noqa: BLE001 - contain any reader failure to this one file
        raise broken(path, f"读取时出错（{type(exc).__name__}）", f"{type(exc).__name__}: {exc}") from None


def read_workbook(path: str, *, limits: ReadLimits = ReadLimits()) -> Workbook:
    """Read every worksheet of the workbook at *path* (see module docstring).

    Returns a :class:`Workbook` whose ``findings`` list what was noticed while reading.
    Raises :class:`~xlperf.errors.UnreadableWorkbook` (and nothing else) when the file
    cannot be read at all: missing or not a regular file, not an xlsx (``file-xls``,
    ``file-html`` ...), encrypted, ``zip-bomb``, ``xml-entities``, ``file-too-large``,
    ``file-broken``.
    """
    return read_workbook_bytes(read_file(path, limits=limits.container), path, limits=limits)
