"""Read an .xlsx / .xlsm into :class:`~xlperf.readers.grid.Workbook`, safely and fast.

Order of work for one file (docs/untrusted-input.md):

1. :func:`~xlperf.readers.sniff.check_container`: what the file is by its first
   bytes; zip sizes, ratios and structure, before anything is inflated;
2. :meth:`~xlperf.readers.parts.Package.check_all_parts`: every XML part refused if
   it declares a DTD or entities (billion laughs, external entities) or is not UTF-8;
3. the workbook's sheet list, read by xlperf (defusedxml), not by calamine;
4. per worksheet, :func:`~xlperf.readers.scan.scan_sheet` decides: python-calamine
   (~4 ms for a 20-sheet workbook, merged ranges for free) when the sheet's extent is
   proven small, else the sparse reader (:mod:`xlperf.readers.sparse`), which is
   always safe. A sheet calamine fails on is read again by the sparse reader; a shared
   string table whose declared ``uniqueCount`` would make calamine reserve gigabytes
   keeps calamine away from the whole workbook.

Findings while reading (each pointing at a sheet and cell): ``macros-ignored``,
``hidden-sheet``, ``hidden-rows``, ``hidden-columns``, ``excel-error-value``,
``formula-no-cached-value``, ``number-invalid``, ``text-normalised``,
``sheet-extent-absurd``, ``read-fallback``.

Nothing but :class:`~xlperf.errors.UnreadableWorkbook` leaves :func:`read_workbook`:
an unexpected error while reading one file becomes ``file-broken`` for that file.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass

import python_calamine as pc

from ..cellref import cell_name
from ..errors import UnreadableWorkbook
from ..findings import finding
from ..model import Finding
from ..text import clean_cell_text, needs_cleaning
from .grid import Sheet, Workbook
from .parts import Package, SheetEntry, Styles, broken
from .scan import SheetScan, scan_sheet
from .sniff import ContainerLimits, check_container
from .sparse import SheetData, read_sheet_sparse

__all__ = ["ReadLimits", "file_sha256", "read_workbook"]

_SI_RE = re.compile(rb"<(?:[^\s<>/:=\"']{1,64}:)?si[\s/>]")
_UNIQUE_COUNT_RE = re.compile(rb"\suniqueCount\s*=\s*[\"']\s*([0-9]{1,20})")
_FATAL = (KeyboardInterrupt, SystemExit, GeneratorExit)


@dataclass(frozen=True)
class ReadLimits:
    """Limits of one read.

    ``max_cells``: the dense extent (rows x columns) python-calamine may allocate for
    one sheet (32 bytes a cell: 2,000,000 cells = 64 MB); larger sheets are read
    sparsely. ``max_scan_elements``: ``<c>`` / ``<row>`` elements the pre-scan lists
    before leaving a sheet to the sparse reader. ``max_values``: non-empty cells in the
    whole workbook (a budget form has a few thousand), else ``file-too-large``.
    ``max_shared_strings``: entries of the shared-string table read sparsely.
    ``use_calamine=False`` reads every sheet with the sparse reader (a second opinion;
    the tests run each case through both paths).
    """

    max_cells: int = 2_000_000
    max_scan_elements: int = 2_000_000
    max_values: int = 1_000_000
    max_shared_strings: int = 1_000_000
    use_calamine: bool = True
    container: ContainerLimits = ContainerLimits()


def file_sha256(path: str) -> str:
    """Hex sha256 of the file at *path*, read in 1 MiB blocks. Raises ``OSError``."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class _Sparse:
    """Shared strings and styles, parsed once, only when a sheet is read sparsely."""

    def __init__(self, pkg: Package, limits: ReadLimits) -> None:
        self._pkg = pkg
        self._limits = limits
        self._shared: list[str] | None = None
        self._styles: Styles | None = None

    def read(self, data: bytes, entry: SheetEntry, *, date1904: bool, max_values: int) -> SheetData:
        """Read one worksheet part with the sparse reader (shared strings and styles are
        loaded on first use); at most *max_values* non-empty cells."""
        if self._shared is None:
            self._shared = self._pkg.shared_strings(limit=self._limits.max_shared_strings)
            self._styles = self._pkg.styles()
        assert self._styles is not None
        return read_sheet_sparse(data, shared=self._shared, styles=self._styles, date1904=date1904,
                                 max_values=max_values, path=self._pkg.path, sheet=entry.name, part=entry.part or "")


def _calamine_unsafe(pkg: Package) -> str | None:
    """Why python-calamine must not open this workbook at all, or ``None``.

    calamine reserves ``uniqueCount`` entries for the shared strings before reading
    them (a declared 10^10 aborts the process), so the declared count must be near
    the real one.
    """
    data = pkg.read("xl/sharedStrings.xml")
    if not data:
        return None
    m = _UNIQUE_COUNT_RE.search(data, 0, 2048)
    if m is None:
        return None
    declared = int(m.group(1))
    if declared <= 100_000:  # a reservation of at most a few MB
        return None
    actual = sum(1 for _ in _SI_RE.finditer(data))
    if declared > 2 * actual:
        return f"共享字符串表声明 {declared} 条，实际只有 {actual} 条"
    return None


def _open_calamine(path: str, pkg: Package, entries: list[SheetEntry]) -> tuple[pc.CalamineWorkbook | None, str | None]:
    """The calamine workbook, or ``None`` and the reason (for a ``read-fallback``)."""
    reason = _calamine_unsafe(pkg)
    if reason:
        return None, reason
    try:
        cwb = pc.CalamineWorkbook.from_path(path)
        names = [m.name for m in cwb.sheets_metadata]
    except BaseException as exc:  # noqa: BLE001 - CalamineError, or a Rust panic (BaseException)
        if isinstance(exc, _FATAL):
            raise
        return None, f"{type(exc).__name__}: {str(exc)[:120]}"
    if names != [e.name for e in entries]:
        return None, "工作表目录与内容不一致"
    return cwb, None


def _calamine_sheet(cwb: pc.CalamineWorkbook, index: int, scan: SheetScan) -> SheetData:
    """Values and merged ranges of sheet *index* from calamine; the rest from *scan*."""
    csheet = cwb.get_sheet_by_index(index)
    rows = csheet.to_python(skip_empty_area=True)
    r0, c0 = csheet.start or (0, 0)
    out = SheetData(errors=scan.errors, no_value=scan.no_value, hidden_rows=scan.hidden_rows,
                    hidden_cols=scan.hidden_cols, max_row=scan.max_row, max_col=scan.max_col, row_major=True)
    out.merged = [(a[0], a[1], b[0], b[1]) for a, b in (csheet.merged_cell_ranges or [])]
    cells = out.cells
    r = r0
    for row in rows:  # row by row, left to right: the order SheetData.row_major promises
        c = c0
        for v in row:
            if v != "" and v is not None:
                cells[(r, c)] = v
            c += 1
        r += 1
    return out


def _read_sheet(entry: SheetEntry, index: int, pkg: Package, cwb: pc.CalamineWorkbook | None, sparse: _Sparse,
                *, date1904: bool, limits: ReadLimits, budget: int, findings: list[Finding]) -> SheetData:
    """One worksheet through calamine or the sparse reader (see module docstring)."""
    assert entry.part is not None
    data = pkg.read(entry.part)
    if data is None:
        raise broken(pkg.path, f"工作表“{entry.name}”的部件 {entry.part} 不存在", f"sheet {entry.name!r}: part {entry.part} is missing")
    if not data.strip():
        raise broken(pkg.path, f"工作表“{entry.name}”的部件 {entry.part} 是空的", f"sheet {entry.name!r}: part {entry.part} is empty")
    scan = scan_sheet(data, max_cells=limits.max_cells, max_elements=limits.max_scan_elements)
    same_part = (entry.calamine_part or "").lower() == entry.part.lower()
    if scan.safe and cwb is not None and same_part:
        try:
            return _calamine_sheet(cwb, index, scan)
        except BaseException as exc:  # noqa: BLE001 - CalamineError or a Rust panic: read it again, safely
            if isinstance(exc, _FATAL):
                raise
            findings.append(finding("read-fallback", sheet=entry.name, cell=None, params={
                "detail": f"工作表“{entry.name}”的内部结构不规范（{type(exc).__name__}: {str(exc)[:120]}）"}))
    out = sparse.read(data, entry, date1904=date1904, max_values=budget)
    if out.max_row * max(out.max_col, 1) > limits.max_cells:
        findings.append(finding("sheet-extent-absurd", sheet=entry.name,
                                cell=cell_name(max(out.max_row - 1, 0), max(out.max_col - 1, 0)),
                                params={"rows": out.max_row, "cols": out.max_col}))
    return out


def _cleaned(sheet: Sheet, data: SheetData, findings: list[Finding]) -> None:
    """Move *data* into *sheet* (its cells and, in the same pass, its row index
    :attr:`~xlperf.readers.grid.Sheet.grid`), normalising text and reporting what
    calamine hides."""
    name = sheet.name
    sheet.merged = data.merged
    sheet.hidden_rows = frozenset(data.hidden_rows)
    sheet.hidden_cols = frozenset(data.hidden_cols)
    errors = data.errors
    cells = sheet.cells
    _clean_cells(sheet, data, findings)
    for (r, c), err in sorted(errors.items()):
        findings.append(finding("excel-error-value", sheet=name, cell=cell_name(r, c), params={"value": err}, text=err))
    for (r, c) in sorted(data.no_value):
        if (r, c) not in cells and (r, c) not in data.errors:
            findings.append(finding("formula-no-cached-value", sheet=name, cell=cell_name(r, c)))
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


def _clean_cells(sheet: Sheet, data: SheetData, findings: list[Finding]) -> None:
    """Fill *sheet*'s cells and row index from *data*, cell by cell: texts normalised
    (:func:`_clean_text`; only their ends trimmed when no text of the sheet needs more),
    error cells left to the caller, non-finite numbers reported (``number-invalid``)."""
    name = sheet.name
    cells = sheet.cells
    joined = "\n".join([v for v in data.cells.values() if isinstance(v, str)])
    # the common case, decided in one search: nothing to normalise but the ends
    plain = "\r" not in joined and not needs_cleaning(joined)
    errors = data.errors
    grid: dict[int, list[tuple[int, object]]] = {}
    line: list[tuple[int, object]] = []
    last = -1
    for key, v in (data.cells.items() if data.row_major else sorted(data.cells.items())):
        if errors and key in errors:
            continue  # reported by the caller
        if isinstance(v, str):
            if plain:
                v = v.strip() or v  # as clean_cell_text: spaces alone are kept as typed
            else:
                v = _clean_text(v, name, key, findings)
                if not v:
                    continue
        elif isinstance(v, float) and not math.isfinite(v):
            findings.append(finding("number-invalid", sheet=name, cell=cell_name(*key), text=repr(v)))
            continue
        cells[key] = v
        if key[0] != last:
            last = key[0]
            line = grid[last] = []
        line.append((key[1], v))
    sheet.grid = grid  # the row index Sheet.grid would build, already in order


def _clean_text(v: str, sheet: str, key: tuple[int, int], findings: list[Finding]) -> str:
    """*v* normalised (:func:`~xlperf.text.clean_cell_text`, ``_x000D_`` carriage returns
    made line breaks), a ``text-normalised`` finding when anything changed."""
    clean, changes = clean_cell_text(v)
    if "\r" in clean:
        clean = clean.replace("\r\n", "\n").replace("\r", "\n")
        changes.append("回车符（_x000D_）改为换行")
    if changes:
        findings.append(finding("text-normalised", sheet=sheet, cell=cell_name(*key),
                                params={"changes": "；".join(changes)}, text=v))
    return clean


def _read(path: str, pkg: Package, limits: ReadLimits) -> Workbook:
    pkg.check_all_parts()
    entries, date1904 = pkg.sheets()
    content_types = pkg.read("[Content_Types].xml") or b""
    kind = "xlsm" if (pkg.has("xl/vbaProject.bin") or b"macroEnabled" in content_types) else "xlsx"
    findings: list[Finding] = []
    if kind == "xlsm":
        findings.append(finding("macros-ignored", sheet=None, cell=None))
    cwb, why = _open_calamine(path, pkg, entries) if limits.use_calamine else (None, None)
    if why:
        findings.append(finding("read-fallback", sheet=None, cell=None, params={"detail": f"工作簿的内部结构不规范（{why}）"}))
    wb = Workbook(path=path, sha256=file_sha256(path), kind=kind, findings=findings)
    sparse = _Sparse(pkg, limits)
    values = 0
    for index, entry in enumerate(entries):
        if entry.part is None:
            raise broken(path, f"工作表“{entry.name}”在工作簿目录中没有对应的部件", f"sheet {entry.name!r} has no part")
        if not entry.worksheet:
            continue
        data = _read_sheet(entry, index, pkg, cwb, sparse, date1904=date1904, limits=limits,
                           budget=limits.max_values - values, findings=findings)
        values += len(data.cells)
        if values > limits.max_values:
            raise UnreadableWorkbook("file-too-large", f"工作簿的非空单元格超过 {limits.max_values} 个，超出上限，已拒绝读取。",
                                     f"the workbook holds more than {limits.max_values} non-empty cells; refused.", path=path)
        sheet = Sheet(name=entry.name, index=index, state=entry.state)
        _cleaned(sheet, data, findings)
        wb.sheets.append(sheet)
    return wb


def read_workbook(path: str, *, limits: ReadLimits = ReadLimits()) -> Workbook:
    """Read every worksheet of the workbook at *path* (see module docstring).

    Returns a :class:`Workbook` whose ``findings`` list what was noticed while reading.
    Raises :class:`~xlperf.errors.UnreadableWorkbook` (and nothing else) when the file
    cannot be read at all: not an xlsx (``file-xls``, ``file-html`` ...), encrypted,
    ``zip-bomb``, ``xml-entities``, ``file-too-large``, ``file-broken``.
    """
    zf = check_container(path, limits=limits.container)
    try:
        return _read(path, Package(zf, path=path), limits)
    except UnreadableWorkbook:
        raise
    except MemoryError:
        raise UnreadableWorkbook("file-too-large", "文件过大，读取时内存不足，已停止读取。",
                                 "out of memory while reading; refused.", path=path) from None
    except Exception as exc:  # noqa: BLE001 - contain any reader failure to this one file
        raise broken(path, f"读取时出错（{type(exc).__name__}）", f"{type(exc).__name__}: {exc}") from None
    finally:
        zf.close()
