"""Differential test: xlperf's reader against openpyxl (a reference reader) on
Hypothesis-generated sheets: shared and inline strings, numbers, booleans, dates,
times and durations by style, cells and rows without ``r``. Every generated cell must
read to the same value. Known, documented differences are kept out of the generator:
Excel's phantom 1900-02-29 (serial 60: openpyxl reads 1900-02-28, xlperf keeps the
number) and ``_xHHHH_`` escapes (openpyxl keeps them, xlperf undoes them as Excel does).
"""

from __future__ import annotations

import datetime as _dt
import io
import zipfile
from xml.sax.saxutils import escape

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlperf.readers.xlsx import ReadLimits, read_workbook_bytes

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
       '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
       '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>')
# style 0 General, 1 a built-in date (14), 2 a custom date-time, 3 a duration, 4 a built-in time (21), 5 0.00
_STYLES = (f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{_MAIN}"><numFmts count="2">'
           '<numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot; hh:mm:ss"/>'
           '<numFmt numFmtId="165" formatCode="[h]:mm:ss"/></numFmts>'
           '<fonts count="1"><font><sz val="11"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
           '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs><cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14"/>'
           '<xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="21"/><xf numFmtId="2"/></cellXfs></styleSheet>')
_EPOCH = _dt.datetime(1899, 12, 30)

_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp", "Cf", "Co", "Cn")),
                min_size=1, max_size=12).filter(lambda s: "_x" not in s and s == s.strip())
_seconds = st.integers(0, 86_399)
_days = st.integers(1, 2_958_464).filter(lambda d: d != 60)
# (kind, payload): what is written and what both readers must give
_value = st.one_of(
    st.tuples(st.just("shared"), _text),
    st.tuples(st.just("inline"), _text),
    st.tuples(st.just("number"), st.floats(allow_nan=False, allow_infinity=False)),
    st.tuples(st.just("int"), st.integers(-10**15, 10**15)),
    st.tuples(st.just("bool"), st.booleans()),
    st.tuples(st.just("date"), st.tuples(_days, st.sampled_from([1, 2]), _seconds)),
    st.tuples(st.just("time"), _seconds),
    st.tuples(st.just("duration"), st.integers(0, 10**7)),
    st.tuples(st.just("fixed"), st.floats(-1e9, 1e9)),
)
_rows = st.dictionaries(st.integers(0, 60), st.dictionaries(st.integers(0, 30), _value, min_size=1, max_size=8),
                        min_size=1, max_size=12)


def _cell(ref: str | None, kind: str, payload: object, shared: list[str]) -> tuple[str, object]:
    """The ``<c>`` element and the value expected from it."""
    r = f' r="{ref}"' if ref else ""
    if kind == "shared":
        shared.append(payload)  # type: ignore[arg-type]
        return f'<c{r} t="s"><v>{len(shared) - 1}</v></c>', payload
    if kind == "inline":
        return f'<c{r} t="inlineStr"><is><t>{escape(payload)}</t></is></c>', payload  # type: ignore[arg-type]
    if kind in ("number", "int"):
        return f"<c{r}><v>{payload!r}</v></c>", float(payload)  # type: ignore[arg-type]
    if kind == "fixed":
        return f'<c{r} s="5"><v>{payload!r}</v></c>', payload
    if kind == "bool":
        return f'<c{r} t="b"><v>{int(payload)}</v></c>', payload  # type: ignore[call-overload]
    if kind == "date":
        days, style, secs = payload  # type: ignore[misc]
        serial = days + (secs / 86_400 if style == 2 else 0)
        base = _EPOCH + _dt.timedelta(days=days + (1 if days < 60 else 0), seconds=secs if style == 2 else 0)
        return f'<c{r} s="{style}"><v>{serial!r}</v></c>', base
    if kind == "time":
        return f'<c{r} s="4"><v>{payload / 86_400!r}</v></c>', (_dt.datetime.min + _dt.timedelta(seconds=payload)).time()  # type: ignore[operator]
    return f'<c{r} s="3"><v>{payload / 86_400!r}</v></c>', _dt.timedelta(seconds=payload)  # type: ignore[operator]


def _workbook(rows: dict[int, dict[int, tuple[str, object]]], drop_refs: list[bool]) -> tuple[bytes, dict[tuple[int, int], object]]:
    shared: list[str] = []
    expected: dict[tuple[int, int], object] = {}
    xml_rows = []
    flags = iter(drop_refs * 1000)
    prev_row = -1
    for r in sorted(rows):
        row_ref = "" if (r == prev_row + 1 and next(flags)) else f' r="{r + 1}"'
        prev_row = r
        cells = []
        prev_col = -1
        for c in sorted(rows[r]):
            name = openpyxl.utils.get_column_letter(c + 1) + str(r + 1)
            ref = None if (c == prev_col + 1 and next(flags)) else name
            prev_col = c
            xml, value = _cell(ref, *rows[r][c], shared)
            cells.append(xml)
            expected[(r, c)] = value
        xml_rows.append(f"<row{row_ref}>" + "".join(cells) + "</row>")
    sheet = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}"><sheetData>' + "".join(xml_rows) + "</sheetData></worksheet>"
    sst = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}" count="{len(shared)}" uniqueCount="{len(shared)}">'
           + "".join(f"<si><t>{escape(s)}</t></si>" for s in shared) + "</sst>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_R}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{_MAIN}" xmlns:r="{_R}"><sheets><sheet name="表" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{_PKG}">'
                   f'<Relationship Id="rId1" Type="{_R}/worksheet" Target="worksheets/sheet1.xml"/>'
                   f'<Relationship Id="rId2" Type="{_R}/sharedStrings" Target="sharedStrings.xml"/>'
                   f'<Relationship Id="rId3" Type="{_R}/styles" Target="styles.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        z.writestr("xl/sharedStrings.xml", sst)
        z.writestr("xl/styles.xml", _STYLES)
    return buf.getvalue(), expected


def _same(value: object) -> object:
    """One spelling for both readers: numbers as float, whole-day dates as datetime."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
        return _dt.datetime(value.year, value.month, value.day)
    return value


@pytest.mark.filterwarnings("ignore:Workbook contains no default style")  # openpyxl, on the minimal styles part
@settings(max_examples=120, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rows=_rows, drop_refs=st.lists(st.booleans(), min_size=1, max_size=8), pieces=st.booleans())
def test_reader_agrees_with_openpyxl(rows: dict[int, dict[int, tuple[str, object]]], drop_refs: list[bool], pieces: bool) -> None:
    data, expected = _workbook(rows, drop_refs)
    ours = read_workbook_bytes(data, "gen.xlsx", limits=ReadLimits(whole_below=0 if pieces else 4 << 20)).sheets[0].cells
    ref_ws = openpyxl.load_workbook(io.BytesIO(data), data_only=True).worksheets[0]
    theirs = {(r - 1, c - 1): cell.value for (r, c), cell in ref_ws._cells.items() if cell.value not in (None, "")}
    assert {k: _same(v) for k, v in ours.items()} == {k: _same(v) for k, v in theirs.items()}
    assert {k: _same(v) for k, v in ours.items()} == {k: _same(v) for k, v in expected.items()}
