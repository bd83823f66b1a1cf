"""Builders of the untrusted-submission suite: one small generator per bad file.

Every file is made here, from code, in a few milliseconds (no opaque binary blobs):
raw OOXML parts zipped by hand when the badness is in the XML or the zip, xlsxwriter
(typed ``write_string`` / ``write_number`` calls only) for realistic forms, and a
minimal OLE compound-file writer for encrypted .xlsx and real .xls.

Used by ``tests/untrusted/`` and by ``scripts/make_bad_files.py`` (which writes one
file per case into a folder, :data:`CASES`). Each builder takes the target path and
returns it.
"""

from __future__ import annotations

import datetime as _dt
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from xml.sax.saxutils import escape, quoteattr

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

__all__ = [
    "CASES",
    "INDICATORS",
    "INJECTIONS",
    "PROJECT",
    "Case",
    "cell",
    "mutated",
    "ole_bytes",
    "project_workbook",
    "raw_xlsx",
    "sheet_xml",
]

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_NO_PARTS: Mapping[str, bytes | str] = MappingProxyType({})

# ------------------------------------------------------------------ raw OOXML


def cell(ref: str, value: object, *, t: str | None = None, s: int | None = None, formula: str | None = None) -> str:
    """One ``<c>`` element. *value*: ``str`` -> inline string (unless *t* says
    otherwise), number -> ``<v>``, ``None`` -> no value. *formula* adds an ``<f>``."""
    attrs = f' r="{ref}"' if ref else ""
    if s is not None:
        attrs += f' s="{s}"'
    body = f"<f>{escape(formula)}</f>" if formula is not None else ""
    if isinstance(value, str) and t is None:
        return f'<c{attrs} t="inlineStr">{body}<is><t xml:space="preserve">{escape(value)}</t></is></c>'
    if t is not None:
        attrs += f' t="{t}"'
    if value is not None:
        body += f"<v>{escape(str(value))}</v>"
    return f"<c{attrs}>{body}</c>"


def sheet_xml(rows: str, *, dimension: str | None = None, merges: Sequence[str] = (), cols: str = "",
              prefix: str = "") -> str:
    """A worksheet part around raw ``<row>`` XML; *merges* are ``A1:B2`` refs."""
    dim = f"<dimension ref={quoteattr(dimension)}/>" if dimension else ""
    merge = ""
    if merges:
        merge = f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges) + "</mergeCells>"
    cols_xml = f"<cols>{cols}</cols>" if cols else ""
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">{dim}{cols_xml}<sheetData>{rows}</sheetData>{merge}</worksheet>')


def _content_types(n_sheets: int, *, macro: bool, shared: bool) -> str:
    main = ("application/vnd.ms-excel.sheet.macroEnabled.main+xml" if macro
            else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")
    over = [f'<Override PartName="/xl/workbook.xml" ContentType="{main}"/>']
    over += [f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
             'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
             for i in range(1, n_sheets + 1)]
    if shared:
        over.append('<Override PartName="/xl/sharedStrings.xml" '
                    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
    if macro:
        over.append('<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>')
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>' + "".join(over) + "</Types>")


def raw_xlsx(path: Path, sheets: Sequence[tuple[str, str]], *, states: Mapping[str, str] = _NO_PARTS,
             shared_strings: str | None = None, replace: Mapping[str, bytes | str] = _NO_PARTS,
             omit: Iterable[str] = (), macro: bool = False) -> Path:
    """Zip an .xlsx by hand: *sheets* are (name, worksheet XML) in order; *states*
    name -> ``hidden``; *replace* overrides or adds any part (bytes kept as is);
    *omit* leaves parts out; *macro* makes it an .xlsm with a (dummy) VBA project."""
    wb_sheets = "".join(
        f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"'
        + (f' state="{states[name]}"' if name in states else "") + "/>"
        for i, (name, _xml) in enumerate(sheets, start=1))
    parts: dict[str, bytes | str] = {
        "[Content_Types].xml": _content_types(len(sheets), macro=macro, shared=shared_strings is not None),
        "_rels/.rels": (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG_REL}">'
                        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
                            f"<sheets>{wb_sheets}</sheets></workbook>"),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG_REL}">'
            + "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                      for i in range(1, len(sheets) + 1))
            + (f'<Relationship Id="rIdS" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>' if shared_strings else "")
            + "</Relationships>"),
    }
    for i, (_name, xml) in enumerate(sheets, start=1):
        parts[f"xl/worksheets/sheet{i}.xml"] = xml
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = shared_strings
    if macro:
        parts["xl/vbaProject.bin"] = ole_bytes({"VBA/dir": b"\x01" * 64, "PROJECT": b'ID="{00000000}"\r\n'})
    parts.update(replace)
    skip = set(omit)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            if name not in skip:
                zf.writestr(name, data)
    return path


def _one_sheet(path: Path, rows: str, **kwargs: object) -> Path:
    return raw_xlsx(path, [("Sheet1", sheet_xml(rows, **kwargs))])  # type: ignore[arg-type]


# ------------------------------------------------------------------ OLE compound files
_FREE, _END, _FAT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


def ole_bytes(streams: Mapping[str, bytes]) -> bytes:
    """A minimal valid OLE compound file (CFB v3, 512-byte sectors) holding *streams*
    at its root, each padded to 4,096 bytes so no mini stream is needed. Names with a
    ``/`` are kept flat (``VBA/dir`` is one name): enough for directory sniffing."""
    sector = 512
    body = bytearray()
    fat: list[int] = []
    entries = []
    for name, data in streams.items():
        data = data.ljust(max(4096, -(-len(data) // sector) * sector), b"\x00")
        start = len(fat)
        n = len(data) // sector
        fat += [start + i + 1 for i in range(n - 1)] + [_END]
        entries.append((name, start, len(data)))
        body += data
    n_entries = len(entries) + 1
    dir_sectors = -(-n_entries * 128 // sector)
    dir_start = len(fat)
    fat += [dir_start + i + 1 for i in range(dir_sectors - 1)] + [_END]
    fat_sectors = 1
    while len(fat) + fat_sectors > fat_sectors * (sector // 4):
        fat_sectors += 1
    fat_start = len(fat)
    fat += [_FAT] * fat_sectors
    fat += [_FREE] * (fat_sectors * (sector // 4) - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = name.replace("/", "_").encode("utf-16-le") + b"\x00\x00" if name else b""
        return struct.pack("<64sHBBIII16sIQQIII", raw, len(raw), kind, 1, _FREE, right, child, b"\x00" * 16, 0, 0, 0,
                           start, size, 0)

    directory = entry("Root Entry", 5, 1 if entries else _FREE, _FREE, _END, 0)
    for i, (name, start, size) in enumerate(entries, start=1):
        directory += entry(name, 2, _FREE, i + 1 if i < len(entries) else _FREE, start, size)
    directory = directory.ljust(dir_sectors * sector, b"\x00")
    difat = [fat_start + i for i in range(fat_sectors)] + [_FREE] * (109 - fat_sectors)
    header = struct.pack("<8s16sHHHHH6sIIIIIIIII", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\x00" * 16, 0x3E, 3,
                         0xFFFE, 9, 6, b"\x00" * 6, 0, fat_sectors, dir_start, 0, 4096, _END, 0, _END, 0)
    header += struct.pack("<109I", *difat)
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
    return header + bytes(body) + directory + fat_bytes


def _biff_workbook() -> bytes:
    """A BIFF8 ``Workbook`` stream: BOF (0x0809) then EOF (0x000A)."""
    bof = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x0206)
    return bof + struct.pack("<HH", 0x000A, 0)


# ------------------------------------------------------------------ realistic forms (xlsxwriter)
PROJECT: Mapping[str, object] = MappingProxyType({
    "项目名称": "2024 年全区法律援助案件补助经费",
    "主管部门": "彭阳县司法局",
    "实施单位": "彭阳县司法局本级",
    "项目属性": "0101-一年期项目",
    "项目期限": "1 年",
    "项目主管处室": "02-预算股",
    "项目年度金额": 31.9,
    "年度总体绩效目标": "保障法律援助案件办理，提高群众满意度。",
})
INDICATORS: tuple[tuple[str, str, str, str], ...] = (
    ("1-产出指标", "11-数量指标", "法律援助案件数", "≥396 件"),
    ("1-产出指标", "12-质量指标", "案件办结率", "100%"),
    ("1-产出指标", "13-时效指标", "补助发放及时率", "100%"),
    ("1-产出指标", "14-成本指标", "案件补助经费", "≤31.9 万元"),
    ("2-效益指标", "22-社会效益", "群众法律意识", "进一步提升"),
    ("2-效益指标", "24-可持续影响", "法律援助持续开展", "长期"),
    ("3-满意度指标", "31-服务对象满意度", "受援人满意度", "≥95%"),
)
#: Strings a spreadsheet would turn into formulas or links (docs/untrusted-input.md).
INJECTIONS: tuple[str, ...] = ('=HYPERLINK("http://example.com","x")', "+1", "-1", "@SUM(1)",
                               "http://example.com/a", "mailto:someone@example.com")


@dataclass(frozen=True)
class _Form:
    fields: Mapping[str, object]
    indicators: Sequence[tuple[str, str, str, object]]


def _write(ws: object, row: int, col: int, value: object, fmt: object = None) -> None:
    """Typed writes only: a string is never a formula or a link."""
    if isinstance(value, str):
        ws.write_string(row, col, value, fmt)  # type: ignore[attr-defined]
    elif isinstance(value, (_dt.date, _dt.datetime)):
        ws.write_datetime(row, col, value if isinstance(value, _dt.datetime) else  # type: ignore[attr-defined]
                          _dt.datetime.combine(value, _dt.time()), fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, fmt)  # type: ignore[attr-defined]


def project_workbook(path: Path, *, fields: Mapping[str, object] = PROJECT,
                     indicators: Sequence[tuple[str, str, str, object]] = INDICATORS, merge_levels: bool = False,
                     hide_indicator_rows: Sequence[int] = (), hidden_sheet: bool = False, code: str | None = None,
                     cover: Mapping[str, object] | None = None) -> Path:
    """A Ningxia-style project sheet (as seed 000): title, 单位：万元, the label/value
    block, the 一级/二级/三级/绩效值 table. *merge_levels* merges each run of equal
    一级 / 二级 cells down (only the first keeps the text); *hide_indicator_rows* hides
    those indicator rows (0-based); *hidden_sheet* adds a hidden second project sheet;
    *code* adds a 项目编码 row under 项目名称; *cover* adds the template cover block (label -> value)."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    if cover is not None:
        ws0 = wb.add_worksheet("填报说明")
        for i, (label, value) in enumerate(cover.items()):
            _write(ws0, i, 0, label)
            _write(ws0, i, 1, value, date_fmt if isinstance(value, _dt.date) else None)
    _project_sheet(wb, "项目1", _Form(fields, indicators), merge_levels=merge_levels,
                   hide=hide_indicator_rows, code=code, date_fmt=date_fmt)
    if hidden_sheet:
        ws = _project_sheet(wb, "项目2", _Form({**fields, "项目名称": "隐藏表中的项目"}, indicators[:3] + indicators[-1:]),
                            merge_levels=False, hide=(), code=None, date_fmt=date_fmt)
        ws.hide()
    wb.close()
    return path


def _project_sheet(wb: xlsxwriter.Workbook, name: str, form: _Form, *, merge_levels: bool, hide: Sequence[int],
                   code: str | None, date_fmt: object) -> object:
    ws = wb.add_worksheet(name)
    f = dict(form.fields)
    _write(ws, 0, 0, "2024 年部门项目支出预算绩效目标表")
    _write(ws, 1, 3, "单位：万元")
    row = 2
    layout = (("项目名称", None), ("项目编码", None), ("主管部门", "实施单位"), ("项目属性", "项目期限"),
              ("项目主管处室", "项目年度金额"), ("年度总体绩效目标", None))
    if code is not None:
        f["项目编码"] = code
    else:
        layout = tuple(pair for pair in layout if pair[0] != "项目编码")
    for left, right in layout:
        for col, label in ((0, left), (2, right)):
            if label is None:
                continue
            _write(ws, row, col, label)
            value = f.get(label)
            _write(ws, row, col + 1, value, date_fmt if isinstance(value, _dt.date) else None)
        row += 1
    for col, label in enumerate(("一级指标", "二级指标", "三级指标", "绩效值")):
        _write(ws, row, col, label)
    row += 1
    first = row
    prev: list[object] = [None, None]
    for i, (l1, l2, l3, target) in enumerate(form.indicators):
        r = first + i
        for col, value in ((0, l1), (1, l2)):
            if not merge_levels or value != prev[col]:
                _write(ws, r, col, value)
        prev = [l1, l2]
        _write(ws, r, 2, l3)
        _write(ws, r, 3, target)
        if i in hide:
            ws.set_row(r, None, None, {"hidden": True})
    if merge_levels:
        for col in (0, 1):
            start = 0
            rows = form.indicators
            for i in range(1, len(rows) + 1):
                if i == len(rows) or rows[i][col] != rows[start][col] or (col == 1 and rows[i][0] != rows[start][0]):
                    if i - start > 1:
                        ws.merge_range(first + start, col, first + i - 1, col, None)
                        _write(ws, first + start, col, rows[start][col])
                    start = i
    return ws


# ------------------------------------------------------------------ the cases
_SST_HEAD = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}"'
_LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
           + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
           + "]>")


def billion_laughs_shared(path: Path) -> Path:
    """sharedStrings.xml declaring the classic billion-laughs entities, used in A1."""
    sst = ('<?xml version="1.0" encoding="UTF-8"?>' + _LAUGHS
           + f'<sst xmlns="{_MAIN}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>')
    return raw_xlsx(path, [("Sheet1", sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'))], shared_strings=sst)


def billion_laughs_workbook(path: Path) -> Path:
    """workbook.xml declaring the billion-laughs entities in a sheet name."""
    wb = ('<?xml version="1.0" encoding="UTF-8"?>' + _LAUGHS
          + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets><sheet name="&lol9;" sheetId="1" r:id="rId1"/></sheets></workbook>')
    return raw_xlsx(path, [("Sheet1", sheet_xml(""))], replace={"xl/workbook.xml": wb})


def external_entity(path: Path) -> Path:
    """A sheet with an external entity reading /etc/passwd into A1."""
    xml = sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>').replace(
        "?>\n", '?>\n<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n', 1)
    return raw_xlsx(path, [("Sheet1", xml)])


def _write_zip(path: Path, entries: Sequence[tuple[str, bytes, int, int]]) -> None:
    """A zip written field by field: (name, raw-deflate data, crc32, expanded size) each."""
    out = bytearray()
    central = bytearray()
    for name, data, crc, size in entries:
        raw = name.encode("utf-8")
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x800, 8, 0, 0x21, crc, len(data), size, len(raw), 0) + raw + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x800, 8, 0, 0x21, crc, len(data), size,
                               len(raw), 0, 0, 0, 0, 0, offset) + raw
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), len(out), 0)
    path.write_bytes(bytes(out + central + end))


def _deflate(data: bytes) -> tuple[str, bytes, int, int]:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return ("", c.compress(data) + c.flush(), zlib.crc32(data), len(data))


def zip_bomb(path: Path) -> Path:
    """A 1 MB zip whose sheet part really expands to 1 GB of zeros, CRC and sizes true.

    Made in about 0.4 s: the 8 MB block of zeros is deflated once with a full flush
    (which resets the compressor) and its output repeated 128 times. The check must
    refuse it before inflating anything."""
    raw_xlsx(path, [("Sheet1", sheet_xml(""))], omit=("xl/worksheets/sheet1.xml",))
    with zipfile.ZipFile(path) as zf:
        parts = [(n, *_deflate(zf.read(n))[1:]) for n in zf.namelist()]
    chunk = bytes(8 << 20)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(128):
        crc = zlib.crc32(chunk, crc)
    bomb = block * 128 + comp.flush()
    _write_zip(path, [*parts, ("xl/worksheets/sheet1.xml", bomb, crc, 128 * len(chunk))])
    return path


def zip_bomb_forged(path: Path) -> Path:
    """A small zip whose sheet part *declares* 1 GB (central directory and local header
    forged): the declared size alone must be refused. Instant to make."""
    raw_xlsx(path, [("Sheet1", sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>'))])
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    pos = 0
    while (pos := data.find(b"PK\x01\x02", pos)) >= 0:  # central directory entries
        n = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46: pos + 46 + n]) == name:
            struct.pack_into("<I", data, pos + 24, 1 << 30)
        pos += 4
    path.write_bytes(bytes(data))
    return path


def stray_cell(path: Path) -> Path:
    """Project-like values in A1:B3 and one stray cell at XFD1048576."""
    rows = ('<row r="1">' + cell("A1", "项目名称") + cell("B1", "法律援助") + "</row>"
            '<row r="2">' + cell("A2", "项目年度金额") + cell("B2", 5) + "</row>"
            '<row r="1048576">' + cell("XFD1048576", "x") + "</row>")
    return _one_sheet(path, rows, dimension="A1:XFD1048576")


def stray_cell_lowercase(path: Path) -> Path:
    """The stray cell written ``xfd1048576`` (python-calamine reads lower case too)."""
    rows = '<row r="1">' + cell("A1", 1) + '</row><row r="1048576">' + cell("xfd1048576", 2) + "</row>"
    return _one_sheet(path, rows)


def dimension_lies(path: Path) -> Path:
    """1,000 rows of values under ``<dimension ref="A1:A2"/>``."""
    rows = "".join(f'<row r="{i}">{cell(f"A{i}", i)}{cell(f"B{i}", f"第{i}行")}</row>' for i in range(1, 1001))
    return _one_sheet(path, rows, dimension="A1:A2")


def ragged_no_dimension(path: Path) -> Path:
    """No ``<dimension>``; rows of 1, 5 and 3 cells, one row without ``r`` attributes."""
    rows = ('<row r="1">' + cell("A1", "a") + "</row>"
            '<row r="2">' + "".join(cell(f"{c}2", i) for i, c in enumerate("ABCDE", 1)) + "</row>"
            "<row>" + cell("", "x") + cell("", "y") + cell("", "z") + "</row>")
    return _one_sheet(path, rows)


def encrypted_xlsx(path: Path) -> Path:
    """An OLE file with the EncryptionInfo / EncryptedPackage streams of an .xlsx saved with a password."""
    path.write_bytes(ole_bytes({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00", "EncryptedPackage": b"\x00" * 16}))
    return path


def real_xls(path: Path) -> Path:
    """An OLE file with a BIFF8 ``Workbook`` stream (an Excel 97-2003 .xls)."""
    path.write_bytes(ole_bytes({"Workbook": _biff_workbook()}))
    return path


def html_renamed(path: Path) -> Path:
    """An HTML table saved with an .xlsx name (what "导出 Excel" buttons often give)."""
    path.write_text("<html><head><meta charset='utf-8'></head><body><table><tr><td>项目名称</td><td>x</td></tr>"
                    "</table></body></html>", encoding="utf-8")
    return path


def csv_renamed(path: Path) -> Path:
    """A GBK CSV with an .xlsx name."""
    path.write_bytes("项目名称,项目年度金额\n法律援助,5\n".encode("gbk"))
    return path


def empty_file(path: Path) -> Path:
    """0 bytes."""
    path.write_bytes(b"")
    return path


def truncated_zip(path: Path) -> Path:
    """A valid project workbook cut in half (a download that stopped)."""
    project_workbook(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def no_content_types(path: Path) -> Path:
    """A zip of xl/ parts without [Content_Types].xml."""
    return raw_xlsx(path, [("Sheet1", sheet_xml('<row r="1">' + cell("A1", 1) + "</row>"))], omit=("[Content_Types].xml",))


def macro_workbook(path: Path) -> Path:
    """An .xlsm: macro-enabled content type and a vbaProject.bin."""
    return raw_xlsx(path, [("项目1", sheet_xml('<row r="1">' + cell("A1", "项目名称") + cell("B1", "法律援助") + "</row>"))],
                    macro=True)


def formulas_and_errors(path: Path) -> Path:
    """B2 a formula without cached value, B3 a formula with one (3), B4 #DIV/0!, B5 #N/A
    (from a formula), B6 #REF!, B7 a string formula whose cached result is empty."""
    rows = ('<row r="2">' + cell("A2", "无缓存") + cell("B2", None, formula="SUM(1,2)") + "</row>"
            '<row r="3">' + cell("A3", "有缓存") + cell("B3", 3, formula="SUM(1,2)") + "</row>"
            '<row r="4">' + cell("A4", "除零") + cell("B4", "#DIV/0!", t="e") + "</row>"
            '<row r="5">' + cell("A5", "无值") + cell("B5", "#N/A", t="e", formula="NA()") + "</row>"
            '<row r="6">' + cell("A6", "引用") + cell("B6", "#REF!", t="e") + "</row>"
            '<row r="7">' + cell("A7", "空串") + '<c r="B7" t="str"><f>IF(1,"","x")</f><v></v></c>' + "</row>")
    return _one_sheet(path, rows)


def merged_levels(path: Path) -> Path:
    """The project sheet with 一级 / 二级 merged down over their indicators."""
    return project_workbook(path, merge_levels=True)


def hidden_rows_and_sheet(path: Path) -> Path:
    """Indicator rows 2 and 3 hidden; a second, hidden project sheet."""
    return project_workbook(path, hide_indicator_rows=(1, 2), hidden_sheet=True)


def fullwidth_nbsp(path: Path) -> Path:
    """Full-width digits, NBSP, zero-width spaces and _x000D_ in kept values."""
    fields = {**PROJECT, "项目名称": "法律援助\u00a0经费\u200b", "项目期限": "１ 年",
              "年度总体绩效目标": "第一行_x000D_\n第二行"}
    inds = list(INDICATORS)
    inds[0] = ("1-产出指标", "11-数量指标", "法律援助案件数", "≥３９６件")
    return project_workbook(path, fields=fields, indicators=inds)


def leading_zero_code(path: Path) -> Path:
    """项目编码 ``01001`` stored as text."""
    return project_workbook(path, code="01001")


def long_cell(path: Path) -> Path:
    """A 40,000-character 年度总体绩效目标 (over Excel's 32,767: written as raw XML,
    since xlsxwriter would truncate it)."""
    text = ("保障法律援助" * 7000)[:40_000]
    rows = ('<row r="1">' + cell("A1", "项目名称") + cell("B1", "法律援助") + "</row>"
            '<row r="2">' + cell("A2", "项目年度金额") + cell("B2", 5) + "</row>"
            '<row r="3">' + cell("A3", "年度总体绩效目标") + cell("B3", text) + "</row>"
            '<row r="4">' + "".join(cell(f"{c}4", v) for c, v in zip("ABCD", ("一级指标", "二级指标", "三级指标", "绩效值"))) + "</row>"
            '<row r="5">' + "".join(cell(f"{c}5", v) for c, v in zip("ABCD", INDICATORS[0])) + "</row>")
    return _one_sheet(path, rows)


def formula_injection(path: Path) -> Path:
    """Injection strings as the project name, the goal, and 三级 / 绩效值 texts."""
    inds = [(l1, l2, f"{name}{i}" if i >= len(INJECTIONS) else INJECTIONS[i], target)
            for i, (l1, l2, name, target) in enumerate(INDICATORS)]
    inds[1] = (inds[1][0], inds[1][1], inds[1][2], "+1")
    inds[2] = (inds[2][0], inds[2][1], inds[2][2], "-1")
    fields = {**PROJECT, "项目名称": INJECTIONS[0], "年度总体绩效目标": INJECTIONS[4]}
    return project_workbook(path, fields=fields, indicators=inds)


def typed_values(path: Path) -> Path:
    """Numbers as text (项目年度金额 ``31.9``), a 项目期限 Excel turned into a date, and a
    cover whose 填报日期 is a bare date serial (45678 = 2025-01-21)."""
    fields = {**PROJECT, "项目年度金额": "31.9", "项目期限": _dt.date(2025, 1, 2)}
    cover = {"年度": 2025, "省": "宁夏回族自治区", "市": "固原市", "县(区)": "彭阳县", "部门名称": "彭阳县司法局",
             "填报人": "张三", "填报日期": 45678}
    return project_workbook(path, fields=fields, cover=cover)


def huge_shared_count(path: Path) -> Path:
    """sharedStrings.xml declaring uniqueCount 10^10 for two strings (python-calamine
    reserves room for the declared count: a Rust abort)."""
    sst = _SST_HEAD + ' count="10000000000" uniqueCount="10000000000"><si><t>项目名称</t></si><si><t>法律援助</t></si></sst>'
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    return raw_xlsx(path, [("Sheet1", sheet_xml(rows))], shared_strings=sst)


def many_empty_cells(path: Path, *, rows: int = 1000) -> Path:
    """A million empty ``<c/>`` elements (*rows* x 1,000 columns, styled, no value) and one value."""
    cols = [xl_col_to_name(i) for i in range(1000)]
    rows = "".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}" s="0"/>' for c in cols) + "</row>" for r in range(1, rows + 1))
    rows = rows.replace('<c r="A1" s="0"/>', cell("A1", "唯一的值"), 1)
    return _one_sheet(path, rows)


def huge_row_number(path: Path) -> Path:
    """A cell ``A99999999`` (past row 1,048,576)."""
    return _one_sheet(path, '<row r="1">' + cell("A1", 1) + "</row>" + '<row r="99999999">' + cell("A99999999", 2) + "</row>")


def garbage_refs(path: Path) -> Path:
    """Cell references ``A-5`` and ``1A`` and a row ``r="-3"``."""
    return _one_sheet(path, '<row r="-3">' + cell("A-5", 1) + cell("1A", 2) + "</row>")


def overflow_row(path: Path) -> Path:
    """Row 99,999,999,999 (python-calamine wraps it to row 1,215,752,190 silently)."""
    return _one_sheet(path, '<row r="99999999999"><c><v>1</v></c></row>')


def deep_nesting(path: Path) -> Path:
    """A cell whose inline string nests 100,000 ``<r>`` elements, then a normal cell."""
    deep = "<r>" * 100_000 + "<t>深</t>" + "</r>" * 100_000
    rows = f'<row r="1"><c r="A1" t="inlineStr"><is>{deep}</is></c>{cell("B1", "浅")}</row>'
    return _one_sheet(path, rows)


def missing_sheet_part(path: Path) -> Path:
    """workbook.xml lists two sheets; the second's part is not in the zip."""
    return raw_xlsx(path, [("项目1", sheet_xml('<row r="1">' + cell("A1", 1) + "</row>")), ("项目2", sheet_xml(""))],
                    omit=("xl/worksheets/sheet2.xml",))


def missing_relationship(path: Path) -> Path:
    """workbook.xml points at a relationship id the .rels part does not have."""
    wb = (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
          '<sheet name="Sheet1" sheetId="1" r:id="rId1"/><sheet name="幽灵" sheetId="2" r:id="rId9"/></sheets></workbook>')
    return raw_xlsx(path, [("Sheet1", sheet_xml('<row r="1">' + cell("A1", 1) + "</row>"))], replace={"xl/workbook.xml": wb})


def non_utf8(path: Path) -> Path:
    """A sheet part declared and encoded as GBK."""
    xml = sheet_xml('<row r="1">' + cell("A1", "项目名称") + "</row>").replace('encoding="UTF-8"', 'encoding="GBK"')
    return raw_xlsx(path, [("Sheet1", xml)], replace={"xl/worksheets/sheet1.xml": xml.encode("gbk")})


def utf16_sheet(path: Path) -> Path:
    """A sheet part in UTF-16 (python-calamine reads it as an empty sheet)."""
    xml = sheet_xml('<row r="1">' + cell("A1", "项目名称") + "</row>").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    return raw_xlsx(path, [("Sheet1", xml)], replace={"xl/worksheets/sheet1.xml": xml.encode("utf-16")})


def empty_sheet_part(path: Path) -> Path:
    """A 0-byte sheet part."""
    return raw_xlsx(path, [("Sheet1", "")], replace={"xl/worksheets/sheet1.xml": b""})


def duplicate_part(path: Path) -> Path:
    """Two zip entries for the sheet, differing only in case: a harmless one for Python's
    zipfile, a stray-cell one python-calamine might pick (it looks names up ignoring case)."""
    raw_xlsx(path, [("Sheet1", sheet_xml('<row r="1">' + cell("A1", 1) + "</row>"))])
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("XL/WORKSHEETS/SHEET1.XML", sheet_xml('<row r="1048576">' + cell("XFD1048576", 1) + "</row>"))
    return path


def markup_and_control(path: Path) -> Path:
    """Cells a terminal or rich would act on: rich markup (``[/red]`` crashed the table
    renderer, ``[link=…]`` makes a hyperlink) and an ESC sequence sent as ``_x001B_``."""
    rows = ('<row r="1">' + cell("A1", "[/red] 闭合标签 [bold]x") + cell("B1", "[link=file:///etc/passwd]点我[/link]")
            + cell("C1", "_x001B_]0;pwned_x0007_标题_x001B_[2J") + "</row>")
    return _one_sheet(path, rows)


def mutated(path: Path, *, source: Path, seed: int) -> Path:
    """*source* with one XML part damaged at random (deterministic per *seed*): bytes
    flipped, cut short, a span repeated, numbers in attributes made 0 / -1 / huge, or
    cell references garbled. For checking that no damage crashes the reader."""
    import random
    import re

    rnd = random.Random(seed)
    with zipfile.ZipFile(source) as zin:
        parts = {n: zin.read(n) for n in zin.namelist()}
    name = rnd.choice(sorted(n for n in parts if n.endswith((".xml", ".rels"))))
    data = bytearray(parts[name])
    mode = rnd.choice(["flip", "cut", "repeat", "numbers", "refs"])
    if mode == "flip":
        for _ in range(rnd.randint(1, 20)):
            data[rnd.randrange(len(data))] = rnd.randrange(256)
    elif mode == "cut":
        data = data[: rnd.randrange(len(data))]
    elif mode == "repeat":
        i = rnd.randrange(len(data))
        j = min(len(data), i + rnd.randint(1, 2000))
        data = data[:j] + data[i:j] * rnd.randint(1, 50) + data[j:]
    elif mode == "numbers":
        data = bytearray(re.sub(rb'"(\d+)"', lambda m: b'"' + str(rnd.choice([0, -1, 10 ** rnd.randint(5, 20)])).encode() + b'"'
                                if rnd.random() < 0.3 else m.group(0), bytes(data)))
    else:
        data = bytearray(bytes(data).replace(b'r="', b'r="Z', rnd.randint(1, 50)))
    parts[name] = bytes(data)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for n, d in parts.items():
            zout.writestr(n, d)
    return path


@dataclass(frozen=True)
class Case:
    """One bad file: its builder, the file name to write, the finding code importing it
    must report (``""``: none in particular) and the exit code of ``xlperf import``
    (2 unreadable; 1 read, with error findings, often because it is not a form)."""

    name: str
    build: Callable[[Path], Path]
    filename: str
    code: str
    exit_code: int


CASES: tuple[Case, ...] = (
    Case("billion-laughs-shared-strings", billion_laughs_shared, "billion_laughs_sst.xlsx", "xml-entities", 2),
    Case("billion-laughs-workbook", billion_laughs_workbook, "billion_laughs_workbook.xlsx", "xml-entities", 2),
    Case("external-entity", external_entity, "xxe.xlsx", "xml-entities", 2),
    Case("zip-bomb-1gb", zip_bomb, "zip_bomb_1gb.xlsx", "zip-bomb", 2),
    Case("zip-bomb-forged-size", zip_bomb_forged, "zip_bomb_forged.xlsx", "zip-bomb", 2),
    Case("stray-cell-xfd1048576", stray_cell, "stray_cell.xlsx", "sheet-extent-absurd", 1),
    Case("stray-cell-lowercase", stray_cell_lowercase, "stray_cell_lowercase.xlsx", "sheet-extent-absurd", 1),
    Case("dimension-lies", dimension_lies, "dimension_lies.xlsx", "", 1),
    Case("ragged-no-dimension", ragged_no_dimension, "ragged.xlsx", "", 1),
    Case("encrypted-xlsx", encrypted_xlsx, "encrypted.xlsx", "file-encrypted", 2),
    Case("real-xls", real_xls, "legacy.xls", "file-xls", 2),
    Case("xls-renamed-xlsx", real_xls, "legacy_renamed.xlsx", "file-xls", 2),
    Case("wps-et", real_xls, "wps_table.et", "file-et", 2),
    Case("html-renamed-xlsx", html_renamed, "html_renamed.xlsx", "file-html", 2),
    Case("csv-renamed-xlsx", csv_renamed, "csv_renamed.xlsx", "file-csv", 2),
    Case("empty-file", empty_file, "empty.xlsx", "file-empty", 2),
    Case("truncated-zip", truncated_zip, "truncated.xlsx", "file-truncated", 2),
    Case("no-content-types", no_content_types, "no_content_types.xlsx", "file-not-ooxml", 2),
    Case("xlsm", macro_workbook, "macro.xlsm", "macros-ignored", 1),
    Case("formulas-and-errors", formulas_and_errors, "formulas_errors.xlsx", "formula-no-cached-value", 1),
    Case("merged-levels", merged_levels, "merged_levels.xlsx", "", 0),
    Case("hidden-rows-and-sheet", hidden_rows_and_sheet, "hidden.xlsx", "hidden-rows", 1),
    Case("fullwidth-nbsp", fullwidth_nbsp, "fullwidth_nbsp.xlsx", "text-normalised", 0),
    Case("leading-zero-code", leading_zero_code, "leading_zero_code.xlsx", "", 0),
    Case("long-cell-40000", long_cell, "long_cell.xlsx", "", 1),
    Case("formula-injection", formula_injection, "formula_injection.xlsx", "", 0),
    Case("typed-values", typed_values, "typed_values.xlsx", "number-stored-as-text", 0),
    Case("huge-shared-string-count", huge_shared_count, "huge_sst_count.xlsx", "required-field-missing", 1),
    Case("many-empty-cells", many_empty_cells, "many_empty_cells.xlsx", "", 1),
    Case("row-past-1048576", huge_row_number, "row_past_limit.xlsx", "file-broken", 2),
    Case("garbage-refs", garbage_refs, "garbage_refs.xlsx", "file-broken", 2),
    Case("overflowing-row-number", overflow_row, "overflow_row.xlsx", "file-broken", 2),
    Case("deep-nesting", deep_nesting, "deep_nesting.xlsx", "", 1),
    Case("missing-sheet-part", missing_sheet_part, "missing_sheet_part.xlsx", "file-broken", 2),
    Case("missing-relationship", missing_relationship, "missing_relationship.xlsx", "file-broken", 2),
    Case("non-utf8-part", non_utf8, "gbk_part.xlsx", "file-broken", 2),
    Case("utf16-part", utf16_sheet, "utf16_part.xlsx", "file-broken", 2),
    Case("empty-sheet-part", empty_sheet_part, "empty_sheet_part.xlsx", "file-broken", 2),
    Case("duplicate-part-names", duplicate_part, "duplicate_parts.xlsx", "file-broken", 2),
    Case("markup-and-control-characters", markup_and_control, "markup_control.xlsx", "text-normalised", 1),
)
