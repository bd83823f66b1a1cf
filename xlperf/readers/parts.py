"""The parts of an .xlsx package, read safely: every XML part checked for DTDs,
entities and encodings before any parser sees it; the workbook's sheet list, styles
and shared strings parsed with ``defusedxml`` (SAX, so memory stays flat however big
or deeply nested the part).

Part names are looked up case-insensitively, as python-calamine (Rust ``zip``) does;
:func:`~xlperf.readers.sniff.check_container` has already refused duplicate names.
Every failure here is an :class:`~xlperf.errors.UnreadableWorkbook`.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from xml.sax import SAXException
from xml.sax.handler import ContentHandler

import defusedxml.sax
from defusedxml import DefusedXmlException

from ..errors import UnreadableWorkbook

__all__ = ["Package", "SheetEntry", "Styles", "broken", "entities", "parse_xml", "unescape_ooxml"]

_CHUNK = 1 << 20
_CACHE_PART = 4 << 20  # parts read once for the checks are kept for the reader ...
_CACHE_TOTAL = 32 << 20  # ... up to this much in all
_DTD_RE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_DECL_ENCODING_RE = re.compile(rb"^<\?xml[^>]{0,200}?\bencoding\s*=\s*[\"']([^\"']{1,40})[\"']")
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_OOXML_ESCAPE_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_DATE_BUILTIN = frozenset(range(14, 23)) | frozenset(range(27, 37)) | {45, 47} | frozenset(range(50, 59))
_DURATION_BUILTIN = frozenset({46})
_FMT_QUOTED_RE = re.compile(r'"[^"]*"|\\.|_.|\*.')
_FMT_BRACKET_RE = re.compile(r"\[([^\]]*)\]")


def broken(path: str, zh: str, en: str) -> UnreadableWorkbook:
    """The ``file-broken`` error with *zh* / *en* as the reason and the fix appended."""
    return UnreadableWorkbook("file-broken", f"工作簿已损坏：{zh}。请在 Excel/WPS 中打开并重新保存为 .xlsx 后再报送。",
                              f"broken workbook: {en}", path=path)


def entities(path: str, part: str) -> UnreadableWorkbook:
    """The ``xml-entities`` error for *part*: a DTD or entity declaration, refused."""
    return UnreadableWorkbook("xml-entities", f"文件的 {part} 部件含有 XML 实体声明（DOCTYPE/ENTITY），可能是恶意构造的文件，已拒绝读取。",
                              f"part {part} declares XML entities (DOCTYPE/ENTITY); refused as unsafe.", path=path)


def unescape_ooxml(text: str) -> str:
    """Undo OOXML's ``_xHHHH_`` escapes (``_x000D_`` -> CR), as python-calamine does."""
    if "_x" not in text:
        return text
    return _OOXML_ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), text)


def local(qname: str) -> str:
    """``x:c`` -> ``c``."""
    return qname.rpartition(":")[2]


def parse_xml(data: bytes, handler: ContentHandler, *, path: str, part: str) -> None:
    """Run *handler* over *data* with defusedxml's SAX parser (DTDs forbidden).

    Raises ``file-broken`` for malformed XML and ``xml-entities`` for a DTD; any
    :class:`~xlperf.errors.UnreadableWorkbook` raised by the handler passes through.
    """
    try:
        defusedxml.sax.parseString(data, handler, forbid_dtd=True)
    except DefusedXmlException:
        raise entities(path, part) from None
    except (SAXException, ValueError, UnicodeError) as exc:
        raise broken(path, f"{part} 部件不是合法的 XML（{type(exc).__name__}）", f"{part}: {exc}") from None


@dataclass(frozen=True)
class SheetEntry:
    """One ``<sheet>`` of workbook.xml: its name, visibility (``visible`` | ``hidden`` |
    ``veryHidden``), the part xlperf reads (``part``, resolved; ``None`` when the
    relationship is missing), the part python-calamine reads (``calamine_part``, its
    own simpler resolution) and whether it is a worksheet (not a chart sheet)."""

    name: str
    state: str
    part: str | None
    calamine_part: str | None
    worksheet: bool


@dataclass(frozen=True)
class Styles:
    """What a cell's style index says about its number: ``kinds[s]`` is ``date``,
    ``duration`` or ``number`` (python-calamine's rules for built-in and custom formats)."""

    kinds: tuple[str, ...] = ()

    def kind(self, s: int) -> str:
        """The kind of style *s* (``number`` when out of range)."""
        return self.kinds[s] if 0 <= s < len(self.kinds) else "number"


def _format_kind(code: str) -> str:
    """``date``, ``duration`` or ``number`` for a custom format code (``yyyy"年"m"月"``)."""
    code = _FMT_QUOTED_RE.sub("", code)
    duration = False
    for inner in _FMT_BRACKET_RE.findall(code):
        if inner and set(inner.lower()) <= set("hms"):
            duration = True
    code = _FMT_BRACKET_RE.sub("", code)
    if duration:
        return "duration"
    return "date" if any(ch in "dmyhsDMYHS" for ch in code) else "number"


class _Collect(ContentHandler):
    """SAX handler calling *on_start(local_name, attrs)* for every element."""

    def __init__(self, on_start: Callable[[str, dict[str, str]], None]) -> None:
        super().__init__()
        self._on_start = on_start

    def startElement(self, name: str, attrs) -> None:  # noqa: N802, ANN001 - SAX API
        self._on_start(local(name), dict(attrs.items()))


class _SharedStrings(ContentHandler):
    """``<si>`` texts: the ``<t>`` runs, phonetic ``<rPh>`` runs left out."""

    def __init__(self, limit: int, path: str) -> None:
        super().__init__()
        self.out: list[str] = []
        self._parts: list[str] | None = None
        self._in_t = False
        self._phonetic = 0
        self._limit = limit
        self._path = path

    def startElement(self, name: str, attrs) -> None:  # noqa: N802, ANN001
        tag = local(name)
        if tag == "si":
            self._parts = []
        elif tag == "rPh":
            self._phonetic += 1
        elif tag == "t" and self._parts is not None and not self._phonetic:
            self._in_t = True

    def endElement(self, name: str) -> None:  # noqa: N802
        tag = local(name)
        if tag == "si" and self._parts is not None:
            if len(self.out) >= self._limit:
                raise UnreadableWorkbook("file-too-large", f"共享字符串超过 {self._limit} 条，超出上限，已拒绝读取。",
                                         f"more than {self._limit} shared strings; refused.", path=self._path)
            self.out.append(unescape_ooxml("".join(self._parts)))
            self._parts = None
        elif tag == "rPh":
            self._phonetic -= 1
        elif tag == "t":
            self._in_t = False

    def characters(self, content: str) -> None:
        if self._in_t and self._parts is not None:
            self._parts.append(content)


class Package:
    """An open, checked .xlsx zip: part lookup, DTD / encoding checks, workbook structure.

    *zf* comes from :func:`~xlperf.readers.sniff.check_container`; *path* is used in
    error messages only.
    """

    def __init__(self, zf: zipfile.ZipFile, *, path: str) -> None:
        self._zf = zf
        self.path = path
        self._infos = {info.filename.lower(): info for info in zf.infolist()}
        self._cache: dict[str, bytes] = {}  # checked parts up to _CACHE_PART bytes, at most _CACHE_TOTAL in all
        self._cached = 0

    def has(self, name: str) -> bool:
        """True when the package holds part *name* (any case)."""
        return name.lower() in self._infos

    def read(self, name: str) -> bytes | None:
        """The bytes of part *name* (any case), checked (see :meth:`check_part`); ``None``
        when there is no such part. Raises ``file-broken`` when it cannot be inflated."""
        info = self._infos.get(name.lower())
        if info is None:
            return None
        if name.lower() in self._cache:
            return self._cache[name.lower()]
        try:
            data = self._zf.read(info)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
            raise broken(self.path, f"部件 {info.filename} 无法解压（{type(exc).__name__}）", f"{info.filename}: {exc}") from None
        if name.lower().endswith(_XML_SUFFIXES):
            self.check_part(info.filename, data, first=True)  # the first bytes, and DTDs anywhere
        return data

    def check_part(self, name: str, data: bytes, *, first: bool) -> None:
        """Refuse a DTD or entity declaration anywhere in *data* (``xml-entities``) and,
        when *first* (the part's first bytes), any encoding but UTF-8 (``file-broken``:
        Excel always writes UTF-8; python-calamine reads a UTF-16 sheet as empty)."""
        if first:
            body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
            if body.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in body[:64]:
                raise broken(self.path, f"部件 {name} 是 UTF-16 编码，不是 Excel 使用的 UTF-8", f"{name} is not UTF-8")
            m = _DECL_ENCODING_RE.match(body.lstrip())
            if m and m.group(1).lower().replace(b"-", b"").replace(b"_", b"") != b"utf8":
                enc = m.group(1).decode("ascii", "replace")
                raise broken(self.path, f"部件 {name} 的编码是 {enc}，不是 Excel 使用的 UTF-8", f"{name} is encoded as {enc}, not UTF-8")
        if _DTD_RE.search(data):
            raise entities(self.path, name)

    def check_all_parts(self) -> None:
        """Check every XML part (see :meth:`check_part`), one at a time, streaming;
        small parts are kept so that :meth:`read` does not inflate them again. A part
        of at most one chunk is inflated in one call (the same checks in the same order
        as the streaming loop, without its per-chunk overhead)."""
        for key, info in self._infos.items():
            if not key.endswith(_XML_SUFFIXES):
                continue
            try:
                if info.file_size <= _CHUNK and self._cached + info.file_size <= _CACHE_TOTAL:
                    # zipfile stops at the declared size and checks the CRC, as the loop's one read would
                    data = self._zf.read(info)
                    self.check_part(info.filename, data, first=True)  # the first bytes, and DTDs anywhere
                    self._cache[key] = data
                    self._cached += info.file_size
                    continue
                with self._zf.open(info) as fh:
                    tail = b""
                    first = True
                    keep = info.file_size <= _CACHE_PART and self._cached + info.file_size <= _CACHE_TOTAL
                    chunks = []
                    while chunk := fh.read(_CHUNK):
                        # the first chunk: its first bytes and DTDs in it; later ones: DTDs across the seam
                        self.check_part(info.filename, chunk if first else tail + chunk, first=first)
                        first = False
                        tail = chunk[-16:]
                        if keep:
                            chunks.append(chunk)
                    if keep:
                        self._cache[key] = b"".join(chunks)
                        self._cached += info.file_size
            except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
                raise broken(self.path, f"部件 {info.filename} 无法解压（{type(exc).__name__}）", f"{info.filename}: {exc}") from None

    # -- workbook structure ------------------------------------------------------------
    def sheets(self) -> tuple[list[SheetEntry], bool]:
        """The sheets of workbook.xml in order, and whether the workbook uses the 1904
        date system. Raises ``file-broken`` when workbook.xml is missing or malformed."""
        wb = self.read("xl/workbook.xml")
        if wb is None:
            raise broken(self.path, "缺少 xl/workbook.xml 部件", "xl/workbook.xml is missing")
        rels_data = self.read("xl/_rels/workbook.xml.rels") or b"<Relationships/>"
        rels: dict[str, tuple[str, str]] = {}

        def on_rel(tag: str, attrs: dict[str, str]) -> None:
            if tag == "Relationship" and "Id" in attrs:
                rels.setdefault(attrs["Id"], (attrs.get("Target", ""), attrs.get("Type", "")))

        parse_xml(rels_data, _Collect(on_rel), path=self.path, part="xl/_rels/workbook.xml.rels")
        raw: list[tuple[str, str, str | None]] = []
        date1904 = [False]

        def on_wb(tag: str, attrs: dict[str, str]) -> None:
            if tag == "sheet":
                rid = next((v for k, v in attrs.items() if ":" in k and local(k) == "id"), None)
                raw.append((attrs.get("name", ""), attrs.get("state", "visible"), rid))
            elif tag == "workbookPr":
                date1904[0] = attrs.get("date1904", "") in ("1", "true")

        parse_xml(wb, _Collect(on_wb), path=self.path, part="xl/workbook.xml")
        entries = []
        for name, state, rid in raw:
            target, typ = rels.get(rid or "", ("", ""))
            part = cal = None
            if target:
                part = posixpath.normpath(target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target))
                cal = target[1:] if target.startswith("/xl/") else target if target.startswith("xl/") else f"xl/{target}"
            worksheet = typ.endswith("/worksheet") or (not typ and part is not None and "/worksheets/" in part)
            entries.append(SheetEntry(name=name, state=state if state in ("hidden", "veryHidden") else "visible",
                                      part=part, calamine_part=cal, worksheet=worksheet))
        return entries, date1904[0]

    def styles(self) -> Styles:
        """Number-format kinds of the ``cellXfs`` styles (for dates on the sparse path)."""
        data = self.read("xl/styles.xml")
        if not data:
            return Styles()
        custom: dict[str, str] = {}
        kinds: list[str] = []
        in_xfs = [False]

        def on_style(tag: str, attrs: dict[str, str]) -> None:
            if tag == "numFmt":
                custom[attrs.get("numFmtId", "")] = attrs.get("formatCode", "")
            elif tag == "cellXfs":
                in_xfs[0] = True
            elif tag in ("cellStyleXfs", "cellStyles", "dxfs"):
                in_xfs[0] = False
            elif tag == "xf" and in_xfs[0]:
                fid = attrs.get("numFmtId", "0")
                if fid in custom:
                    kinds.append(_format_kind(custom[fid]))
                else:
                    n = int(fid) if fid.isdigit() else 0
                    kinds.append("date" if n in _DATE_BUILTIN else "duration" if n in _DURATION_BUILTIN else "number")

        parse_xml(data, _Collect(on_style), path=self.path, part="xl/styles.xml")
        return Styles(tuple(kinds))

    def shared_strings(self, *, limit: int) -> list[str]:
        """The shared-string table (at most *limit* entries, else ``file-too-large``)."""
        data = self.read("xl/sharedStrings.xml")
        if not data:
            return []
        handler = _SharedStrings(limit, self.path)
        parse_xml(data, handler, path=self.path, part="xl/sharedStrings.xml")
        return handler.out
