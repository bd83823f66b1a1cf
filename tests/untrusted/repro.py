"""Builders of the fuzz campaign's reproducers (crafted files that aborted the process,
or read differently in two readers), as small stdlib-only functions: each writes one
.xlsx to a path and returns it. The two reproducers found as files are in tests/data/."""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      '<Default Extension="xml" ContentType="application/xml"/>'
      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>')
PKG_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="{target}"/></Relationships>')
WB = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{sheets}</sheets></workbook>')
SHEET_EL = '<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
WB_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
           '{rels}</Relationships>')
REL = '<Relationship Id="{id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{type}" Target="{target}"/>'
SHEET = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
         'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>')
SST = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"{attrs}>'
       '{items}</sst>')
BENIGN = '<row r="1"><c r="A1" t="inlineStr"><is><t>项目名称</t></is></c></row>'
FAR = '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
STYLES = ('<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
          '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/><numFmt numFmtId="165" formatCode="[h]:mm:ss.000"/></numFmts>'
          '<fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders>'
          '<cellXfs count="3"><xf numFmtId="164"/><xf numFmtId="164"/><xf numFmtId="165"/></cellXfs></styleSheet>')
DATA = Path(__file__).resolve().parents[1] / "data"

Entries = Sequence[tuple[str, str | bytes]]


def sheet(rows: str) -> str:
    return SHEET.format(rows=rows)


def write(path: Path, entries: Entries) -> Path:
    """*entries* (name, data) zipped in order, deflated."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            z.writestr(name, data)
    return path


def basic(rows: str = BENIGN, *, extra: Entries = (), sst: str | None = None, wb_rels: str | None = None,
          pkg_target: str = "xl/workbook.xml") -> list[tuple[str, str | bytes]]:
    """The entries of a one-sheet workbook."""
    e: list[tuple[str, str | bytes]] = [
        ("[Content_Types].xml", CT), ("_rels/.rels", PKG_RELS.format(target=pkg_target)),
        ("xl/workbook.xml", WB.format(sheets=SHEET_EL.format(name="Sheet1", i=1))),
        ("xl/_rels/workbook.xml.rels", wb_rels or WB_RELS.format(rels=REL.format(id="rId1", type="worksheet",
                                                                                  target="worksheets/sheet1.xml"))),
        ("xl/worksheets/sheet1.xml", sheet(rows))]
    if sst is not None:
        e.append(("xl/sharedStrings.xml", sst))
    return e + list(extra)


def r01(path: Path) -> Path:
    """Prefixed ``<x:c>`` cells without ``r`` up to column XFD of row 1,048,576."""
    rows = '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576">' + "<x:c/>" * 16383 + "<x:c><v>1</v></x:c></row>"
    return write(path, basic(rows))


def r02(path: Path) -> Path:
    """Two relationships with id rId1: a benign sheet and a far-cell one."""
    rels = WB_RELS.format(rels=REL.format(id="rId1", type="worksheet", target="worksheets/sheet1.xml")
                          + REL.format(id="rId1", type="worksheet", target="worksheets/sheet2.xml"))
    return write(path, basic(BENIGN, wb_rels=rels, extra=[("xl/worksheets/sheet2.xml", sheet(FAR))]))


def r03(path: Path, variant: str = "sheet") -> Path:
    """``_rels/.rels`` names /evil/workbook.xml (far cell; or a shared-string table
    declaring 10^10 entries)."""
    evil: list[tuple[str, str | bytes]] = [
        ("evil/workbook.xml", WB.format(sheets=SHEET_EL.format(name="Sheet1", i=1))),
        ("evil/_rels/workbook.xml.rels", WB_RELS.format(rels=REL.format(id="rId1", type="worksheet", target="worksheets/sheet1.xml"))),
        ("evil/worksheets/sheet1.xml", sheet(FAR if variant == "sheet" else BENIGN))]
    if variant == "sst":
        evil.append(("evil/sharedStrings.xml", SST.format(attrs=' uniqueCount="10000000000"', items="<si><t>x</t></si>")))
    return write(path, basic(BENIGN, pkg_target="/evil/workbook.xml", extra=evil))


def r04(path: Path, variant: str = "pad") -> Path:
    """uniqueCount 10^10 after 3 KB of another attribute, or with 25 leading zeros."""
    attrs = (' pad="' + "p" * 3000 + '" uniqueCount="10000000000"') if variant == "pad" else ' uniqueCount="' + "0" * 25 + '10000000000"'
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    return write(path, basic(rows, sst=SST.format(attrs=attrs, items="<si><t>项目名称</t></si>")))


def r05(path: Path) -> Path:
    """``xl\\worksheets\\sheet1.xml`` beside ``xl/worksheets/sheet1.xml``."""
    return write(path, basic(BENIGN, extra=[("xl\\worksheets\\sheet1.xml", sheet(FAR))]))


def r06(path: Path) -> Path:
    """65-character undeclared prefixes on r-less cells up to XFD1048576."""
    rnd = random.Random(1)

    def pfx() -> str:
        return "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(65))

    cells = "".join(f"<{pfx()}:c/>" for _ in range(16383))
    last = pfx()
    rows = '<row r="1"><c\tr="A1"><v>1</v></c></row><row r="1048576">' + cells + f"<{last}:c><v>1</v></{last}:c></row>"
    return write(path, basic(rows))


def r07(path: Path, variant: str = "zlib") -> Path:
    """docProps/custom.xml with a broken deflate stream (a part no reader needs)."""
    write(path, basic() + [("docProps/custom.xml", "<Properties>" + "x" * 200 + "</Properties>")])
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("docProps/custom.xml")
    off = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    if variant == "zlib":
        raw[off] = raw[off + 1] = 0xFF
    else:
        comp = zlib.compressobj(9, zlib.DEFLATED, -15).compress(b"<Properties>" + b"x" * 200)
        raw[off:off + info.compress_size] = (comp + b"\0" * info.compress_size)[:info.compress_size]
    path.write_bytes(bytes(raw))
    return path


def r08b(path: Path) -> Path:
    """``_xD800_`` (an escaped lone surrogate) in an r-less cell."""
    return write(path, basic('<row r="1"><c t="inlineStr"><is><t>备注_xD800_</t></is></c></row>'))


def fanout(path: Path, n: int = 1000) -> Path:
    """*n* sheets on one 600-cell part (r13; r20 and the 300-sheet file are the same trick)."""
    def one(ref: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t>杂</t></is></c>'

    rows = "".join(f'<row r="{r}">' + "".join(one(f"{c}{r}") for c in "ABCDEF") + "</row>" for r in range(1, 101))
    sheets = "".join(SHEET_EL.format(name=f"S{i}", i=i) for i in range(1, n + 1))
    rels = "".join(REL.format(id=f"rId{i}", type="worksheet", target="worksheets/sheet1.xml") for i in range(1, n + 1))
    e = [(k, WB.format(sheets=sheets) if k == "xl/workbook.xml" else WB_RELS.format(rels=rels) if k.endswith("workbook.xml.rels") else v)
         for k, v in basic(rows)]
    return write(path, e)


def r14(path: Path, variant: str = "bareid") -> Path:
    """A bare ``id`` beside ``r:id``, or a character reference in a Target."""
    if variant == "bareid":
        wb = WB.format(sheets='<sheet name="Sheet1" sheetId="1" r:id="rId1" id="rId2"/>')
        rels = WB_RELS.format(rels=REL.format(id="rId1", type="worksheet", target="worksheets/sheet1.xml")
                              + REL.format(id="rId2", type="worksheet", target="worksheets/sheet2.xml"))
        e = [(k, wb if k == "xl/workbook.xml" else v) for k, v in basic(BENIGN, wb_rels=rels)]
        return write(path, e + [("xl/worksheets/sheet2.xml", sheet(FAR))])
    rels = WB_RELS.format(rels=REL.format(id="rId1", type="worksheet", target="worksheets/sheet&#49;.xml"))
    return write(path, basic(BENIGN, wb_rels=rels, extra=[("xl/worksheets/sheet&#49;.xml", sheet(FAR))]))


def _one_zip(rows: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for n, d in basic(rows):
            z.writestr(n, d)
    return buf.getvalue()


def r19(path: Path) -> Path:
    """Two central directories: the classic end record points at one (far cell), a zip64
    end record at the other (benign)."""
    def split(raw: bytes) -> tuple[bytes, bytes, int]:
        eocd = raw.rfind(b"PK\x05\x06")
        n, size, off = struct.unpack("<HII", raw[eocd + 10:eocd + 20])
        return raw[:off], raw[off:off + size], n

    def reloc(cd: bytes, delta: int) -> bytes:
        out = bytearray(cd)
        i = 0
        while i < len(out):
            nl, el, cl = struct.unpack("<HHH", out[i + 28:i + 34])
            off = struct.unpack("<I", out[i + 42:i + 46])[0]
            out[i + 42:i + 46] = struct.pack("<I", off + delta)
            i += 46 + nl + el + cl
        return bytes(out)

    a_body, a_cd, na = split(_one_zip(FAR))
    b_body, b_cd, nb = split(_one_zip('<row r="1"><c r="A1" t="inlineStr"><is><t>GOOD</t></is></c></row>'))
    b_cd = reloc(b_cd, len(a_body))
    data = a_body + b_body
    cda_off = len(data)
    data += a_cd
    cdb_off = len(data)
    data += b_cd
    z64_off = len(data)
    z64 = struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, nb, nb, len(b_cd), cdb_off)
    loc = struct.pack("<4sIQI", b"PK\x06\x07", 0, z64_off, 1)
    eocd = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, na, na, len(a_cd), cda_off, 0)
    path.write_bytes(data + z64 + loc + eocd)
    return path


R21_ROWS = ('<row r="1"><c r="A1" s="1"><v>60</v></c>'  # Excel's phantom 1900-02-29
            '<c r="B1"><v>45678</v></c>'  # no s: cellXfs[0] is a date format
            '<c r="C1" s="2"><v>0.288161</v></c>'  # a duration
            '<c r="D1" s="1"><v>NaN</v></c>'  # NaN in a date-formatted cell
            '<c r="E1" t="inlineStr"><is><t>备注_xD800_</t></is></c>'  # the escape of a lone surrogate
            '<c r="F1" s="1"><v>-0</v></c>'
            '<c r="G1"><v><!-- -->74</v></c></row>')  # a comment inside a value


def r21(path: Path) -> Path:
    """Values two readers read differently (dates, durations, NaN, escapes, comments)."""
    return write(path, basic(R21_ROWS) + [("xl/styles.xml", STYLES)])


def data_file(name: str) -> Callable[[Path], Path]:
    """A builder copying tests/data/*name* (the reproducers kept as files)."""
    def copy(path: Path) -> Path:
        path.write_bytes((DATA / name).read_bytes())
        return path
    return copy


#: name -> builder, one per reproducer file of the campaign
BUILDERS: dict[str, Callable[[Path], Path]] = {
    "r01": r01, "r02": r02, "r03": r03, "r03sst": lambda p: r03(p, "sst"), "r04pad": r04,
    "r04zeros": lambda p: r04(p, "zeros"), "r05": r05, "r06": r06, "r07": r07, "r07eof": lambda p: r07(p, "eof"),
    "r08b": r08b, "r13": fanout, "r14bareid": r14, "r14entity": lambda p: r14(p, "entity"), "r19": r19, "r21": r21,
    "zip-version-14-8": data_file("zip-version-14-8.xlsx"),
    "slow-300-sheets-rless-cells": data_file("slow-300-sheets-rless-cells.xlsx"),
}


def r20(path: Path, n: int = 1000) -> Path:
    """The bundled 彭阳 sample plus *n* sheets on its one worksheet part (15 KB)."""
    import re

    src = Path(__file__).resolve().parents[2] / "samples" / "000_pengyang_2024.xlsx"
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            d = z.read(info)
            if info.filename == "xl/workbook.xml":
                m = re.search(rb"<sheet\s[^>]*/>", d)
                assert m is not None
                extra = b"".join(re.sub(rb'name="[^"]*"', b'name="S%d"' % i, m.group(0)) for i in range(n))
                d = d.replace(b"</sheets>", extra + b"</sheets>", 1)
            out.writestr(info, d)
    return path


BUILDERS["r20"] = r20


# -- reproducers of the import / merge pipeline (beyond the reader) --------------------------------
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "000_pengyang_2024.xlsx"
MARKED_CUSTOM = ('<?xml version="1.0" encoding="UTF-8"?><Properties xmlns="http://schemas.openxmlformats.org/'
                 'officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
                 'docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="备注">'
                 '<vt:lpwstr>参照 xlperf-consolidated 汇总表填写</vt:lpwstr></property></Properties>')


def _rewrite(src: Path, path: Path, change: Callable[[str, bytes], bytes | None]) -> Path:
    """*src* copied to *path* part by part, each part's bytes through *change* (``None``: left out)."""
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            data = change(info.filename, z.read(info))
            if data is not None:
                out.writestr(info, data)
    return path


def filled_template(path: Path, projects: int = 2, fill: Callable[[object], None] | None = None) -> Path:
    """The blank template filled by openpyxl: 项目1 named 法律援助项目1, or as *fill* does."""
    import openpyxl

    from xlperf.writers.template import write_template

    write_template(str(path), year=2026, projects=projects)
    wb = openpyxl.load_workbook(path)
    if fill is None:
        ws = wb["项目1"]
        for row in ws.iter_rows():
            for c in row:
                if c.value == "项目名称":
                    ws.cell(c.row, c.column + 1).value = "法律援助项目1"
    else:
        fill(wb)
    wb.save(path)
    return path


def r08(path: Path) -> Path:
    """A project name holding the escape ``_xD800_`` on a sheet with one cell without
    ``r`` (the old reader's second path turned it into a lone surrogate that crashed the
    merge and ``import --json``)."""
    filled = filled_template(path.with_suffix(".filled.xlsx"))

    def change(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet3.xml":  # 项目1
            data = data.replace("法律援助项目1".encode(), "法律援助_xD800_项目1".encode())
            data = data.replace(b'<c r="E3" ', b"<c ", 1)
        return data

    _rewrite(filled, path, change)
    filled.unlink()
    return path


HYPERLINK = '=HYPERLINK("http://x","y")'
TRAP_AMOUNTS: list[object] = [1e308, -5, 0, "１２３", "12,345.6", "十万", 1e308, 31.9]


def _trap_cover(wb: object, *, county: str = "隆德县", year: object = "２０２６年") -> None:
    c = wb["填报说明"]  # type: ignore[index]
    values = [year, "宁夏回族自治区", "固原市", county, "640425", f"{county}司法局", "张三", "0954-1234567", "2026-11-01"]
    for row, v in zip(range(3, 12), values):
        c[f"B{row}"] = v


def _trap_project(ws: object, i: int, *, name: str, amount: object, text: str | None = None) -> None:
    values = {"B3": name, "B4": "彭阳县司法局", "D4": "彭阳县司法局本级", "B5": "0101-一年期项目", "D5": "1年",
              "B6": "02-预算股", "B7": "保障法律援助案件办理，提高群众满意度。"}
    for ref, v in values.items():
        ws[ref] = text if text is not None else v  # type: ignore[index]
        if text is not None:
            ws[ref].data_type = "s"  # type: ignore[index]
    ws["D6"] = amount  # type: ignore[index]
    rows = [("援助案件数", "≥24件"), ("案件合格率", "≥95%"), ("按时办结率", "100%"), ("成本控制", "≤31.9万元"),
            ("节约费用", "≥10万元"), ("群众受益", "明显提升"), ("环境影响", "无"), ("长效机制", "长期"), ("满意度", "≥90%")]
    for r, (n, t) in zip(range(14, 23), rows):
        ws[f"C{r}"], ws[f"D{r}"] = (text, text) if text is not None else (n, t)  # type: ignore[index]


def r10_amounts(path: Path) -> Path:
    """8 projects with the amounts 1e308, -5, 0, '１２３', '12,345.6', '十万', 1e308, 31.9;
    projects 7 and 8 share one name; 年度 '２０２６年' (step 6 of the campaign)."""
    def fill(wb: object) -> None:
        _trap_cover(wb)
        for i, amount in enumerate(TRAP_AMOUNTS, start=1):
            _trap_project(wb[f"项目{i}"], i, name="重复的项目" if i in (7, 8) else f"法律援助项目{i}", amount=amount)  # type: ignore[index]

    return filled_template(path, projects=8, fill=fill)


def r10_hyperlinks(path: Path) -> Path:
    """``=HYPERLINK(...)`` typed as text into every text field."""
    def fill(wb: object) -> None:
        _trap_cover(wb, county="西吉县", year=2026)
        for i in range(1, 3):
            _trap_project(wb[f"项目{i}"], i, name=f"项目{i}", amount=31.9, text=HYPERLINK)  # type: ignore[index]

    return filled_template(path, projects=2, fill=fill)


def r11(path: Path) -> Path:
    """40,000 '长' in 项目1!C14 of a filled template (more than openpyxl would write)."""
    import re

    filled = filled_template(path.with_suffix(".filled.xlsx"))

    def change(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet3.xml":
            data = re.sub(rb'<c r="C14"[^>]*?(/>|>.*?</c>)',
                          b'<c r="C14" t="inlineStr"><is><t>' + ("长" * 40_000).encode() + b"</t></is></c>", data,
                          count=1, flags=re.S)
        return data

    _rewrite(filled, path, change)
    filled.unlink()
    return path


def r12(path: Path) -> Path:
    """The 彭阳 sample carrying the merge's marker text in its custom properties: a
    submission, never to be skipped."""
    def change(name: str, data: bytes) -> bytes | None:
        return None if name == "docProps/custom.xml" else data

    _rewrite(SAMPLE, path, change)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("docProps/custom.xml", MARKED_CUSTOM)
    return path


def flood(path: Path, sheets: int = 300) -> Path:
    """*sheets* distinct sheets of 600 junk cells each (the reader refuses sheets sharing
    one part, so this is the flood that remains: 150,000 unmapped cells)."""
    cell = '<c r="{ref}" t="inlineStr"><is><t>杂</t></is></c>'
    rows = "".join(f'<row r="{r}">' + "".join(cell.format(ref=f"{c}{r}") for c in "ABCDEF") + "</row>"
                   for r in range(1, 101))
    e = [(k, v) for k, v in basic(rows) if not k.startswith(("xl/workbook.xml", "xl/_rels", "xl/worksheets"))]
    e.append(("xl/workbook.xml", WB.format(sheets="".join(SHEET_EL.format(name=f"S{i}", i=i) for i in range(1, sheets + 1)))))
    e.append(("xl/_rels/workbook.xml.rels", WB_RELS.format(rels="".join(
        REL.format(id=f"rId{i}", type="worksheet", target=f"worksheets/sheet{i}.xml") for i in range(1, sheets + 1)))))
    e += [(f"xl/worksheets/sheet{i}.xml", sheet(rows)) for i in range(1, sheets + 1)]
    return write(path, e)


#: the pipeline reproducers: built like BUILDERS, read through import and merge
PIPELINE_BUILDERS: dict[str, Callable[[Path], Path]] = {
    "r08": r08, "r10-amounts": r10_amounts, "r10-hyperlinks": r10_hyperlinks, "r11": r11, "r12": r12, "flood": flood,
}
