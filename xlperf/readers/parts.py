"""The parts of an .xlsx package xlperf reads, found and parsed one way only.

Every part is located by one resolver (:func:`resolve`) from the package's
relationships, the way Excel does: ``_rels/.rels`` names the workbook part (its
``officeDocument``), the workbook's relationships name its sheets, shared strings and
styles. Every XML part is parsed by one parser (:func:`parse_part`: the C
ElementTree over expat, told the bytes are UTF-8) after two byte checks that decide
what that parser can see: the part is UTF-8 (no UTF-16 byte order mark, no other
declared encoding) and holds no ``<!DOCTYPE`` / ``<!ENTITY`` (without a DTD no entity
can be declared, so only XML's five predefined entities and character references
remain; expat refuses surrogates and other non-characters in those).

Elements are matched by namespace and local name: the SpreadsheetML main namespace
(transitional or strict), the package-relationships namespace; an element in any other
namespace is not read. Relationship ids are the ``r:id`` attribute in the
officeDocument relationships namespace. A relationship part with two relationships of
one id, a sheet whose relationship is missing or points outside the package, and two
sheets on one part are refused (``file-broken``): Excel never writes them, and each
has been used to make two readers see two different workbooks.

Source of the rules: ECMA-376 Part 2 (Open Packaging Conventions) section 9.3 for
relationships and part names; docs/untrusted-input.md for why each refusal exists.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote

from ..errors import UnreadableWorkbook
from .container import Container, broken

__all__ = ["MAIN_NS", "Package", "SheetEntry", "Styles", "entities", "iter_elements", "parse_part", "rich_text", "tags",
           "unescape_ooxml", "wrong_root"]

MAIN_NS = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main", "http://purl.oclc.org/ooxml/spreadsheetml/main")
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_R_NS = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
         "http://purl.oclc.org/ooxml/officeDocument/relationships")
_RID = tuple("{%s}id" % ns for ns in _R_NS)
_REL_TAG = "{%s}Relationship" % _REL_NS
_OFFICE_DOCUMENT = "/officeDocument"

_DTD_RE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_DECL_ENCODING_RE = re.compile(rb"^<\?xml[^>]{0,200}?\bencoding\s*=\s*[\"']([^\"']{1,40})[\"']")
_OOXML_ESCAPE_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_DATE_BUILTIN = frozenset(range(14, 23)) | frozenset(range(27, 37)) | {45, 47} | frozenset(range(50, 59))
_DURATION_BUILTIN = frozenset({46})
_FMT_QUOTED_RE = re.compile(r'"[^"]*"|\\.|_.|\*.')
_FMT_BRACKET_RE = re.compile(r"\[([^\]]*)\]")
_CHUNK = 1 << 20
_WHOLE_LIMIT = 16 << 20  # workbook, relationships and styles parts are parsed whole: real ones are a few KB


def tags(local: str) -> frozenset[str]:
    """The ElementTree tags of SpreadsheetML element *local* (``c`` -> ``{main}c``, both namespaces)."""
    return frozenset("{%s}%s" % (ns, local) for ns in MAIN_NS)


def entities(path: str, part: str) -> UnreadableWorkbook:
    """The ``xml-entities`` error for *part*: a DTD or entity declaration, refused."""
    return UnreadableWorkbook("xml-entities", f"文件的 {part} 部件含有 XML 实体声明（DOCTYPE/ENTITY），可能是恶意构造的文件，已拒绝读取。",
                              f"part {part} declares XML entities (DOCTYPE/ENTITY); refused as unsafe.", path=path)


def unescape_ooxml(text: str) -> str:
    """Undo OOXML's ``_xHHHH_`` escapes (``_x000D_`` -> CR). An escape of a UTF-16
    surrogate (``_xD800_``) is kept as written: it is no character, and a lone
    surrogate could not be written to any UTF-8 output."""
    if "_x" not in text:
        return text
    return _OOXML_ESCAPE_RE.sub(_unescape_one, text)


def _unescape_one(m: re.Match[str]) -> str:
    code = int(m.group(1), 16)
    return m.group(0) if 0xD800 <= code <= 0xDFFF else chr(code)


def _check_bytes(data: bytes, *, path: str, part: str) -> None:
    """Refuse what the parser must not see: not UTF-8 (``file-broken``), a DTD (``xml-entities``)."""
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    if body.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in body[:64]:
        raise broken(path, f"部件 {part} 是 UTF-16 编码，不是 Excel 使用的 UTF-8", f"{part} is not UTF-8")
    m = _DECL_ENCODING_RE.match(body.lstrip())
    if m and m.group(1).lower().replace(b"-", b"").replace(b"_", b"") != b"utf8":
        enc = m.group(1).decode("ascii", "replace")
        raise broken(path, f"部件 {part} 的编码是 {enc}，不是 Excel 使用的 UTF-8", f"{part} is encoded as {enc}, not UTF-8")
    if _DTD_RE.search(data):
        raise entities(path, part)


def _not_xml(path: str, part: str, exc: Exception) -> UnreadableWorkbook:
    return broken(path, f"{part} 部件不是合法的 XML（{exc}）", f"{part}: {exc}")


def parse_part(data: bytes, *, path: str, part: str) -> ET.Element:
    """The whole tree of XML part *part* (see module docstring). For parts read whole
    (workbook, relationships, styles) and small sheets; large ones use
    :func:`iter_elements`. Raises ``file-broken`` / ``xml-entities``."""
    _check_bytes(data, path=path, part=part)
    parser = ET.XMLParser(encoding="utf-8")
    try:
        parser.feed(data)
        return parser.close()
    except ET.ParseError as exc:
        raise _not_xml(path, part, exc) from None


def iter_elements(data: bytes, wanted: frozenset[str], *, path: str, part: str, root: frozenset[str] | None = None,
                  whole_below: int = 4 << 20, max_elements: int = 20_000_000) -> Iterator[tuple[ET.Element, int]]:
    """Yield ``(element, depth)`` for every element whose tag is in *wanted* and that is
    not inside another wanted element, in document order, once it is complete; depth 0
    is the root, whose tag must be in *root* (when given, else ``file-broken``).

    A part smaller than *whole_below* bytes is parsed whole (C speed). A larger one is
    parsed in 1 MB pieces and every finished element is dropped from the tree once
    read, so memory is one wanted element at a time; there *max_elements* bounds the
    elements of the part (``file-too-large``). The caller must not keep a yielded
    element. Same parser and checks as :func:`parse_part`, same elements either way.
    """
    if len(data) < whole_below:
        tree = parse_part(data, path=path, part=part)
        if root is not None and tree.tag not in root:
            raise wrong_root(path, part, tree.tag)
        yield from _walk(tree, wanted)
        return
    _check_bytes(data, path=path, part=part)
    # the same parser settings as parse_part (``_parser``: the one way to give a pull parser its encoding)
    pull = ET.XMLPullParser(events=("start", "end"), _parser=ET.XMLParser(encoding="utf-8"))
    stack: list[ET.Element] = []
    inside = 0  # open wanted elements: their content is kept until they end
    count = 0
    try:
        for i in range(0, len(data), _CHUNK):
            pull.feed(data[i: i + _CHUNK])
            for event, el in pull.read_events():
                if event == "start":
                    if not stack and root is not None and el.tag not in root:
                        raise wrong_root(path, part, el.tag)
                    stack.append(el)
                    count += 1
                    if el.tag in wanted:
                        inside += 1
                    continue
                stack.pop()
                if el.tag in wanted:
                    inside -= 1
                    if inside:
                        continue  # a wanted element inside another: part of the outer one
                    yield el, len(stack)
                elif inside:
                    continue
                if stack:
                    del stack[-1][-1]  # el is its parent's last child: drop it
            if count > max_elements:
                raise UnreadableWorkbook("file-too-large", f"部件 {part} 的元素过多，超出上限，已拒绝读取。",
                                         f"part {part} holds more than {max_elements} elements; refused.", path=path)
        pull.close()
    except ET.ParseError as exc:
        raise _not_xml(path, part, exc) from None


def wrong_root(path: str, part: str, tag: str) -> UnreadableWorkbook:
    """``file-broken``: *part* is not the kind of XML expected (its root element is *tag*)."""
    return broken(path, f"部件 {part} 不是所需的 SpreadsheetML 内容（根元素 {tag[:80]}）", f"{part}: unexpected root element {tag[:80]!r}")


def _walk(root: ET.Element, wanted: frozenset[str]) -> Iterator[tuple[ET.Element, int]]:
    """Wanted elements of a whole tree in document order, iteratively (a part nested a
    million deep costs no recursion)."""
    stack: list[tuple[ET.Element, int]] = [(root, 0)]
    while stack:
        el, depth = stack.pop()
        if el.tag in wanted:
            yield el, depth
            continue
        if len(el):
            stack.extend((child, depth + 1) for child in reversed(el))


@dataclass(frozen=True)
class SheetEntry:
    """One ``<sheet>`` of the workbook part: its name, visibility (``visible`` |
    ``hidden`` | ``veryHidden``), its part (resolved) and whether it is a worksheet
    (not a chart sheet or dialog sheet)."""

    name: str
    state: str
    part: str
    worksheet: bool


@dataclass(frozen=True)
class Styles:
    """What a cell's style index says about its number: ``kinds[s]`` is ``date``,
    ``duration`` or ``number`` (from the number format of ``cellXfs[s]``)."""

    kinds: tuple[str, ...] = ()

    def kind(self, s: int) -> str:
        """The kind of style *s* (``number`` when out of range)."""
        return self.kinds[s] if 0 <= s < len(self.kinds) else "number"


def format_kind(code: str) -> str:
    """``date``, ``duration`` or ``number`` for a custom format code (``yyyy"年"m"月"``):
    quoted text and escapes ignored; an elapsed-time bracket (``[h]``, ``[mm]``) makes a
    duration; else any of ``d m y h s`` a date (the rule of openpyxl's
    ``is_date_format`` / ``is_timedelta_format``)."""
    code = _FMT_QUOTED_RE.sub("", code)
    duration = False
    for inner in _FMT_BRACKET_RE.findall(code):
        if inner and set(inner.lower()) <= set("hms"):
            duration = True
    code = _FMT_BRACKET_RE.sub("", code)
    if duration:
        return "duration"
    return "date" if any(ch in "dmyhsDMYHS" for ch in code) else "number"


class Package:
    """A checked container's parts, found through the package relationships.

    :attr:`workbook_part` is the workbook (``_rels/.rels``' officeDocument; without any
    ``_rels/.rels``, ``xl/workbook.xml``); its
    relationships give :meth:`sheets`, the shared strings and the styles. Shared
    strings of *whole_below* bytes or more are parsed in pieces. Raises
    ``file-broken`` for a package without a workbook or with ambiguous relationships.
    """

    def __init__(self, container: Container, *, whole_below: int = 4 << 20) -> None:
        self.container = container
        self.whole_below = whole_below
        self.path = container.path
        rels = self.relationships("")
        office = [target for typ, target in rels.values() if typ.endswith(_OFFICE_DOCUMENT)]
        if not container.has("_rels/.rels"):
            office = ["xl/workbook.xml"]  # no package relationships at all: where every producer puts the workbook
        if len(office) != 1 or office[0] is None:
            raise broken(self.path, "_rels/.rels 没有指明唯一的工作簿部件", "_rels/.rels names no single workbook part")
        self.workbook_part: str = container.display(office[0])
        self._wb_rels = self.relationships(self.workbook_part)

    def read(self, part: str, *, what: str) -> bytes:
        """The bytes of *part*; ``file-broken`` naming *what* when it is missing."""
        data = self.container.read(part)
        if data is None:
            raise broken(self.path, f"缺少{what}部件 {part}", f"{what}: part {part} is missing")
        return data

    def _small(self, part: str | None) -> bytes | None:
        """The bytes of a part parsed whole (``None`` when missing); ``file-too-large``
        past 16 MB."""
        if not part or not self.container.has(part):
            return None
        if self.container.size(part) > _WHOLE_LIMIT:
            raise UnreadableWorkbook("file-too-large", f"部件 {part} 超过 {_WHOLE_LIMIT >> 20} MB，超出上限，已拒绝读取。",
                                     f"part {part} is over {_WHOLE_LIMIT >> 20} MB; refused.", path=self.path)
        return self.container.read(part)

    def resolve(self, source: str, target: str) -> str | None:
        """The part a relationship of part *source* (``""``: the package) points at, as
        a part key, or ``None`` when it is outside the package (an external link, a
        path climbing above the root). A target starting with ``/`` is from the
        package root, else from *source*'s folder; ``\\`` counts as ``/``;
        ``%``-escapes are undone."""
        target = unquote(target.strip().replace("\\", "/"))
        if not target or "://" in target or target.startswith("//"):
            return None
        base = "" if target.startswith("/") else posixpath.dirname(source)
        joined = posixpath.normpath(posixpath.join(base, target.lstrip("/")))
        if joined in (".", "..") or joined.startswith(("../", "/")):
            return None
        return joined.lower()

    def relationships(self, source: str) -> dict[str, tuple[str, str | None]]:
        """``{id: (type, part)}`` of part *source*'s relationships (``""``: the package's
        ``_rels/.rels``); empty when it has none. Two relationships with one id are
        refused (``file-broken``)."""
        folder, name = posixpath.split(source)
        rels_part = self.container.display(posixpath.join(folder, "_rels", name + ".rels"))
        data = self._small(rels_part)
        if data is None:
            return {}
        out: dict[str, tuple[str, str | None]] = {}
        for el, _depth in _walk(parse_part(data, path=self.path, part=rels_part), frozenset({_REL_TAG})):
            rid = el.get("Id", "")
            if rid in out:
                raise broken(self.path, f"{rels_part} 中有两个编号为 {rid[:40]} 的关系", f"{rels_part}: two relationships with id {rid[:40]!r}")
            external = el.get("TargetMode", "") == "External"
            out[rid] = (el.get("Type", ""), None if external else self.resolve(source, el.get("Target", "")))
        return out

    def _related(self, suffix: str, default: str) -> str | None:
        """The part the workbook's relationship of a type ending in *suffix* points at;
        without one, part *default* beside the workbook part (``styles.xml``: where
        Excel puts it, and where hand-made files that leave out the relationship
        have it). Two such relationships are refused."""
        found = [part for typ, part in self._wb_rels.values() if typ.endswith(suffix) and part]
        if len(found) > 1:
            raise broken(self.path, f"工作簿有多个 {suffix[1:]} 部件", f"the workbook has more than one {suffix[1:]} part")
        return self.container.display(found[0] if found else posixpath.join(posixpath.dirname(self.workbook_part), default))

    def sheets(self) -> tuple[list[SheetEntry], bool]:
        """The sheets of the workbook in order, and whether it uses the 1904 date system.
        Raises ``file-broken`` when the workbook part is missing or malformed, a sheet
        has no relationship or shares its part with another sheet."""
        data = self._small(self.workbook_part)
        if data is None:
            raise broken(self.path, f"缺少工作簿部件 {self.workbook_part}", f"workbook part {self.workbook_part} is missing")
        root = parse_part(data, path=self.path, part=self.workbook_part)
        entries: list[SheetEntry] = []
        date1904 = False
        by_part: dict[str, str] = {}
        names: set[str] = set()
        for el, _depth in _walk(root, tags("sheet") | tags("workbookPr")):
            if el.tag in _WORKBOOK_PR:
                date1904 = el.get("date1904", "") in ("1", "true")
                continue
            name = el.get("name", "")
            rid = next((el.get(k) for k in _RID if k in el.attrib), None)
            typ, part = self._wb_rels.get(rid or "", ("", None))
            if part is None:
                raise broken(self.path, f"工作表“{name[:40]}”在工作簿目录中没有对应的部件", f"sheet {name[:40]!r} has no part")
            part = self.container.display(part)
            if part in by_part:
                raise broken(self.path, f"工作表“{name[:40]}”与“{by_part[part][:40]}”指向同一个部件 {part}",
                             f"sheets {name[:40]!r} and {by_part[part][:40]!r} share part {part}")
            if name.lower() in names:
                raise broken(self.path, f"有两个名为“{name[:40]}”的工作表", f"two sheets named {name[:40]!r}")
            by_part[part] = name
            names.add(name.lower())
            state = el.get("state", "visible")
            entries.append(SheetEntry(name=name, state=state if state in ("hidden", "veryHidden") else "visible",
                                      part=part, worksheet=typ.endswith("/worksheet")))
        return entries, date1904

    def is_macro_enabled(self) -> bool:
        """True for an .xlsm: the workbook holds a VBA project part."""
        return any(typ.endswith("/vbaProject") for typ, _part in self._wb_rels.values()) or self.container.has("xl/vbaProject.bin")

    def styles(self) -> Styles:
        """Number-format kinds of the ``cellXfs`` styles (dates and durations)."""
        part = self._related("/styles", "styles.xml")
        data = self._small(part)
        if not data:
            return Styles()
        custom: dict[str, str] = {}
        xfs: ET.Element | None = None
        root = parse_part(data, path=self.path, part=part or "")
        for el, depth in _walk(root, _NUM_FMT | _CELL_XFS):
            if el.tag in _NUM_FMT and depth == 2:  # styleSheet/numFmts/numFmt; a dxf's numFmt formats no cell
                custom[el.get("numFmtId", "")] = el.get("formatCode", "")
            elif el.tag in _CELL_XFS and depth == 1 and xfs is None:
                xfs = el
        kinds: list[str] = []
        for xf in (xfs if xfs is not None else ()):
            if xf.tag not in _XF:
                continue
            fid = xf.get("numFmtId", "0")
            if fid in custom:
                kinds.append(format_kind(custom[fid]))
            else:
                n = int(fid) if fid.isdigit() and len(fid) < 6 else 0
                kinds.append("date" if n in _DATE_BUILTIN else "duration" if n in _DURATION_BUILTIN else "number")
        return Styles(tuple(kinds))

    def shared_strings(self, *, limit: int) -> list[str]:
        """The shared-string table (at most *limit* entries, else ``file-too-large``):
        each ``<si>``'s text runs, phonetic runs (``<rPh>``) left out, ``_xHHHH_``
        escapes undone (:func:`unescape_ooxml`)."""
        part = self._related("/sharedStrings", "sharedstrings.xml")
        data = self.container.read(part) if part else None
        if data is None:
            return []
        out: list[str] = []
        sst = parse_part(data, path=self.path, part=part or "") if len(data) < self.whole_below else None
        if sst is not None and sst.tag not in _SST:
            raise wrong_root(self.path, part or "", sst.tag)
        items = ((si, 1) for si in sst if si.tag in _SI) if sst is not None else \
            iter_elements(data, _SI, path=self.path, part=part or "", root=_SST, whole_below=0)
        for si, depth in items:
            if depth != 1:  # sst/si
                continue
            if len(out) >= limit:
                raise UnreadableWorkbook("file-too-large", f"共享字符串超过 {limit} 条，超出上限，已拒绝读取。",
                                         f"more than {limit} shared strings; refused.", path=self.path)
            out.append(rich_text(si))
        return out


def rich_text(el: ET.Element) -> str:
    """The text of an ``<si>`` or ``<is>`` element: every ``<t>`` in it (runs ``<r><t>``
    however nested), phonetic runs (``<rPh>``) left out, ``_xHHHH_`` escapes undone."""
    if len(el) == 1 and el[0].tag in _T:
        text = el[0].text or ""
    else:
        pieces = []
        for child in el:
            if child.tag in _T:
                pieces.append(child.text or "")
            elif child.tag not in _RPH:
                pieces.extend(t.text or "" for t in child.iter() if t.tag in _T)  # iterative: any depth
        text = "".join(pieces)
    return unescape_ooxml(text) if "_x" in text else text


_WORKBOOK_PR = tags("workbookPr")
_NUM_FMT = tags("numFmt")
_CELL_XFS = tags("cellXfs")
_XF = tags("xf")
_SI = tags("si")
_SST = tags("sst")
_T = tags("t")
_RPH = tags("rPh")
