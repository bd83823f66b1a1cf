"""Read an .xlsx / .xlsm into :class:`~xlperf.readers.grid.Workbook`, safely and fast.

Values come from python-calamine (GUIDE section 8: ~4 ms for a 20-sheet workbook, with
merged ranges and sheet visibility). Before calamine sees a sheet, its XML is scanned
here for what calamine hides or cannot survive (GUIDE section 9):

* ``<!DOCTYPE`` / ``<!ENTITY`` in any part: refused (billion laughs, external entities);
* the true extent of the used range, never trusting ``<dimension>``: a stray cell at
  ``XFD1048576`` would make calamine allocate a dense 17-billion-cell range and abort
  the process, so such a sheet is read by the small sparse parser below instead;
* Excel error values (``#DIV/0!``, ``#N/A``), which calamine returns as ``""``;
* formulas without a cached value, also ``""`` from calamine;
* hidden rows and columns.

Every normalisation of a kept value (NBSP, zero-width spaces, ``_x000D_``, full-width
digits) becomes a finding naming the cell.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree.ElementTree import XMLPullParser

import python_calamine as pc

from ..errors import UnreadableWorkbook
from ..model import Finding
from ..rules.catalog import finding
from ..text import clean_cell_text
from .grid import Sheet, Workbook, cell_name, parse_cell_name
from .sniff import ContainerLimits, check_container

__all__ = ["read_workbook", "ReadLimits"]


@dataclass(frozen=True)
class ReadLimits:
    """Largest sheet handed to calamine (which allocates the dense used range):
    ``max_cells`` = rows x columns of the extent. Larger sheets are read sparsely."""

    max_cells: int = 2_000_000
    container: ContainerLimits = ContainerLimits()


_ROW_R_RE = re.compile(rb"<row\b[^>]*?\br=\"(\d+)\"")
_C_REF_RE = re.compile(rb"<c\b[^>]*?\br=\"([A-Z]{1,3})(\d+)\"")
_WIDE_COL_RE = re.compile(rb"\sr=\"[A-Z]{3}\d")
_ERR_CELL_RE = re.compile(rb"<c\b([^>]*?)\bt=\"e\"([^>]*)>(.*?)</c>", re.S)
_FORMULA_CELL_RE = re.compile(rb"<c\b([^>]*)>(\s*<f\b.*?)</c>", re.S)
_R_ATTR_RE = re.compile(rb"\br=\"([A-Z]{1,3}\d+)\"")
_V_RE = re.compile(rb"<v>(.*?)</v>", re.S)
_HIDDEN_ROW_RE = re.compile(rb"<row\b([^>]*\bhidden=\"(?:1|true)\"[^>]*)>")
_HIDDEN_COL_RE = re.compile(rb"<col\b([^>]*\bhidden=\"(?:1|true)\"[^>]*)/?>")
_MIN_MAX_RE = re.compile(rb"\bmin=\"(\d+)\"[^>]*\bmax=\"(\d+)\"")
_SHEET_ENTRY_RE = re.compile(rb"<sheet\b([^>]*)/?>")
_ATTR_RE = re.compile(rb"([\w:]+)=\"([^\"]*)\"")
_REL_RE = re.compile(rb"<Relationship\b([^>]*)/?>")


@dataclass
class _Scan:
    max_row: int = 0
    max_col: int = 0
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    no_value: set[tuple[int, int]] = field(default_factory=set)
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


def _scan_sheet(data: bytes) -> _Scan:
    """Cheap byte-level scan of one worksheet part (see module docstring)."""
    scan = _Scan()
    last = data.rfind(b"<row ")
    if last >= 0:
        m = _ROW_R_RE.match(data, last)
        if m:
            scan.max_row = int(m.group(1))
    if _WIDE_COL_RE.search(data) or last < 0:
        for m in _C_REF_RE.finditer(data):
            scan.max_col = max(scan.max_col, _col_index(m.group(1)) + 1)
            scan.max_row = max(scan.max_row, int(m.group(2)))
    else:
        scan.max_col = 702  # at most two letters: bounded, no need to count
    if b't="e"' in data:
        for m in _ERR_CELL_RE.finditer(data):
            ref = _R_ATTR_RE.search(m.group(1) + m.group(2))
            v = _V_RE.search(m.group(3))
            if ref:
                scan.errors[parse_cell_name(ref.group(1).decode())] = (v.group(1).decode("utf-8", "replace") if v else "#ERROR")
    if b"<f" in data:
        for m in _FORMULA_CELL_RE.finditer(data):
            body = m.group(2)
            v = _V_RE.search(body)
            if v is None or not v.group(1).strip():
                ref = _R_ATTR_RE.search(m.group(1))
                if ref:
                    scan.no_value.add(parse_cell_name(ref.group(1).decode()))
    if b"hidden=" in data:
        for m in _HIDDEN_ROW_RE.finditer(data):
            rr = re.search(rb"\br=\"(\d+)\"", m.group(1))
            if rr:
                scan.hidden_rows.add(int(rr.group(1)) - 1)
        for m in _HIDDEN_COL_RE.finditer(data):
            mm = _MIN_MAX_RE.search(m.group(1))
            if mm:
                lo, hi = int(mm.group(1)), min(int(mm.group(2)), 16384)
                scan.hidden_cols.update(range(lo - 1, hi))
    return scan


def _sheet_parts(blobs: dict[str, bytes]) -> dict[str, str]:
    """Map sheet name -> part name (xl/worksheets/sheetN.xml) from workbook.xml."""
    wb = blobs.get("xl/workbook.xml")
    rels = blobs.get("xl/_rels/workbook.xml.rels")
    if wb is None or rels is None:
        return {}
    targets: dict[bytes, str] = {}
    for m in _REL_RE.finditer(rels):
        attrs = dict(_ATTR_RE.findall(m.group(1)))
        tgt = attrs.get(b"Target", b"").decode("utf-8", "replace")
        tgt = tgt.lstrip("/") if tgt.startswith("/") else "xl/" + tgt
        targets[attrs.get(b"Id", b"")] = re.sub(r"/[^/]+/\.\./", "/", tgt)
    out: dict[str, str] = {}
    for m in _SHEET_ENTRY_RE.finditer(wb):
        attrs = dict(_ATTR_RE.findall(m.group(1)))
        name = attrs.get(b"name", b"").decode("utf-8", "replace")
        name = name.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
        rid = attrs.get(b"r:id") or next((v for k, v in attrs.items() if k.endswith(b":id")), b"")
        if rid in targets:
            out[name] = targets[rid]
    return out


def _shared_strings(blobs: dict[str, bytes]) -> list[str]:
    data = blobs.get("xl/sharedStrings.xml")
    if data is None:
        return []
    parser = XMLPullParser(events=("end",))
    parser.feed(data)
    out: list[str] = []
    for _, el in parser.read_events():
        if el.tag.endswith("}si"):
            out.append("".join(t.text or "" for t in el.iter() if t.tag.endswith("}t")))
            el.clear()
    return out


def _sparse_read(data: bytes, shared: list[str]) -> dict[tuple[int, int], object]:
    """Read cell values of a pathological sheet without allocating its extent."""
    cells: dict[tuple[int, int], object] = {}
    parser = XMLPullParser(events=("end",))
    parser.feed(data)
    parser.close()
    for _, el in parser.read_events():
        if not el.tag.endswith("}c"):
            continue
        ref = el.get("r")
        if not ref:
            continue
        r, c = parse_cell_name(ref)
        t = el.get("t", "n")
        v = next((x.text for x in el if x.tag.endswith("}v")), None)
        if t == "inlineStr":
            val: object = "".join(x.text or "" for x in el.iter() if x.tag.endswith("}t"))
        elif v is None:
            val = None
        elif t == "s":
            i = int(v)
            val = shared[i] if 0 <= i < len(shared) else None
        elif t in ("str", "e"):
            val = v
        elif t == "b":
            val = v == "1"
        else:
            try:
                val = float(v)
            except ValueError:
                val = v
        if val not in (None, ""):
            cells[(r, c)] = val
        el.clear()
    return cells


def _file_sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_workbook(path: str, *, limits: ReadLimits = ReadLimits()) -> Workbook:
    """Read every sheet of the workbook at *path*.

    Returns a :class:`Workbook` whose ``findings`` list what was noticed while reading
    (``hidden-sheet``, ``hidden-rows``, ``macros-ignored``, ``excel-error-value``,
    ``formula-no-cached-value``, ``text-normalised``, ``sheet-extent-absurd``).
    Raises :class:`~xlperf.errors.UnreadableWorkbook` when the file cannot be read at
    all (not an xlsx, encrypted, zip bomb, XML entities, broken XML ...).
    """
    zf = check_container(path, limits=limits.container)
    findings: list[Finding] = []
    try:
        names = zf.namelist()
        blobs: dict[str, bytes] = {}
        for n in names:
            if n.endswith((".xml", ".rels", ".vml")):
                data = blobs[n] = zf.read(n)
                if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
                    raise UnreadableWorkbook(
                        "xml-entities",
                        f"文件的 {n} 部件含有 XML 实体声明（DOCTYPE/ENTITY），可能是恶意构造的文件，已拒绝读取。",
                        f"part {n} declares XML entities (DOCTYPE/ENTITY); refused as unsafe.",
                        path=path,
                    )
        kind = "xlsm" if ("xl/vbaProject.bin" in names or b"macroEnabled" in blobs.get("[Content_Types].xml", b"")) else "xlsx"
        parts = _sheet_parts(blobs)
        scans: dict[str, tuple[_Scan, bytes]] = {}
        for sname, part in parts.items():
            if part in blobs:
                scans[sname] = (_scan_sheet(blobs[part]), blobs[part])
        shared: list[str] | None = None
        try:
            cwb = pc.CalamineWorkbook.from_path(path)
        except Exception as exc:  # calamine raises its own error classes
            raise UnreadableWorkbook(
                "file-broken",
                f"工作簿结构损坏，无法读取：{type(exc).__name__}。请在 Excel/WPS 中打开并重新保存为 .xlsx。",
                f"broken workbook structure: {exc}",
                path=path,
            ) from None
        if kind == "xlsm":
            findings.append(finding("macros-ignored", sheet=None, cell=None))
        wb = Workbook(path=path, sha256=_file_sha256(path), kind=kind, findings=findings)
        for idx, meta in enumerate(cwb.sheets_metadata):
            if str(meta.typ) not in ("SheetTypeEnum.WorkSheet",):
                continue
            state = {"SheetVisibleEnum.Visible": "visible", "SheetVisibleEnum.Hidden": "hidden",
                     "SheetVisibleEnum.VeryHidden": "veryHidden"}.get(str(meta.visible), "visible")
            scan, data = scans.get(meta.name, (_Scan(), b""))
            sheet = Sheet(name=meta.name, index=idx, state=state)
            extent = scan.max_row * max(scan.max_col, 1)
            if extent > limits.max_cells and data:
                if shared is None:
                    shared = _shared_strings(blobs)
                raw = _sparse_read(data, shared)
                merged: list[tuple[int, int, int, int]] = []
                findings.append(finding("sheet-extent-absurd", sheet=meta.name,
                                        cell=cell_name(scan.max_row - 1, max(scan.max_col - 1, 0)),
                                        params={"rows": scan.max_row, "cols": scan.max_col}))
            else:
                try:
                    csheet = cwb.get_sheet_by_name(meta.name)
                    rows = csheet.to_python(skip_empty_area=True)
                    r0, c0 = csheet.start or (0, 0)
                    merged = [(a[0], a[1], b[0], b[1]) for a, b in (csheet.merged_cell_ranges or [])]
                except Exception as exc:
                    raise UnreadableWorkbook(
                        "file-broken",
                        f"工作表“{meta.name}”内容损坏，无法读取（{type(exc).__name__}）。请在 Excel/WPS 中打开并重新保存。",
                        f"sheet {meta.name!r} is broken: {exc}",
                        path=path,
                    ) from None
                raw = {}
                for i, row in enumerate(rows):
                    for j, v in enumerate(row):
                        if v != "" and v is not None:
                            raw[(r0 + i, c0 + j)] = v
            sheet.merged = merged
            sheet.hidden_rows = frozenset(scan.hidden_rows)
            sheet.hidden_cols = frozenset(scan.hidden_cols)
            cells = sheet.cells
            for (r, c), v in raw.items():
                if isinstance(v, str):
                    clean, changes = clean_cell_text(v)
                    if "\r" in clean:
                        clean = clean.replace("\r\n", "\n").replace("\r", "\n")
                        changes.append("回车符（_x000D_）改为换行")
                    if changes:
                        findings.append(finding("text-normalised", sheet=meta.name, cell=cell_name(r, c),
                                                params={"changes": "；".join(changes)}, text=v))
                    if clean:
                        cells[(r, c)] = clean
                else:
                    cells[(r, c)] = v
            for (r, c), err in scan.errors.items():
                cells.pop((r, c), None)
                findings.append(finding("excel-error-value", sheet=meta.name, cell=cell_name(r, c),
                                        params={"value": err}, text=err))
            for (r, c) in sorted(scan.no_value):
                if (r, c) not in cells:
                    findings.append(finding("formula-no-cached-value", sheet=meta.name, cell=cell_name(r, c)))
            if state != "visible":
                findings.append(finding("hidden-sheet", sheet=meta.name, cell=None))
            hidden_used = sorted({r for (r, _c) in cells if r in sheet.hidden_rows})
            if hidden_used:
                findings.append(finding("hidden-rows", sheet=meta.name, cell=cell_name(hidden_used[0], 0),
                                        params={"rows": "、".join(str(r + 1) for r in hidden_used[:10])}))
            hidden_cols_used = sorted({c for (_r, c) in cells if c in sheet.hidden_cols})
            if hidden_cols_used:
                findings.append(finding("hidden-columns", sheet=meta.name, cell=cell_name(0, hidden_cols_used[0]),
                                        params={"cols": "、".join(cell_name(0, c)[:-1] for c in hidden_cols_used[:10])}))
            wb.sheets.append(sheet)
        return wb
    except UnreadableWorkbook:
        raise
    except (zipfile.BadZipFile, KeyError, EOFError, ValueError) as exc:
        raise UnreadableWorkbook(
            "file-broken",
            f"工作簿已损坏，无法读取（{type(exc).__name__}）。请在 Excel/WPS 中打开并重新保存为 .xlsx。",
            f"broken workbook: {exc}",
            path=path,
        ) from None
    finally:
        zf.close()
