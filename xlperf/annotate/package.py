"""The package level of a copy written by openpyxl: what the original holds that the
copy does not, and the formulas' cached values (docs/review-loop.md).

openpyxl keeps values, styles, merged cells, standard data validations and conditional
formats, comments, defined names, protection and hidden sheets, but not every part of a
package (shapes and pictures of the drawing layer, form controls, slicers, threaded
comments …) nor every ``<extLst>`` extension (Excel 2010 data validations that list
another sheet, data bars, sparklines …). Rather than trust a list of what it drops, the
two packages are compared: :func:`inventory` counts the parts of each content type, the
objects on each sheet's drawing layer (pictures, shapes and text boxes, charts …) and the
extensions of each sheet, :func:`dropped` names what the copy has fewer of, in Chinese
where ``templates/review_copy.toml`` ``[kept]`` knows the kind.

openpyxl also writes a formula without the value Excel cached for it, which an import of
the copy would report as ``formula-no-cached-value``: :func:`cached_values` reads them
from the original and :func:`restore_cached_values` puts them back.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from xml.sax.saxutils import escape

from ..cellref import cell_name, parse_cell_name
from ..data import load_data
from ..findings import finding
from ..model import Finding
from ..readers.container import Container, part_key, read_file
from ..readers.parts import Package, iter_elements, parse_part, tags

__all__ = ["Inventory", "cached_values", "dropped", "inventory", "restore_cached_values"]

_TYPES = "[Content_Types].xml"
# a formula cell as openpyxl writes it: <c r="D9" s="3"><f>SUM(D6:D8)</f><v /></c>
_FORMULA_CELL_RE = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"((?: [a-z]+="[^"]*")*)>(<f(?: [^>]*)?(?:/>|>[^<]*</f>))<v ?/>')
# an <extLst> entry, in any namespace prefix: <ext uri="{...}"> / <x:ext uri="{...}">
_EXT_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?ext\s[^>]*?\buri\s*=\s*[\"']([^\"']{1,100})[\"']")
_ANCHORS = frozenset(("twoCellAnchor", "oneCellAnchor", "absoluteAnchor"))
_ANCHOR_PARTS = frozenset(("from", "to", "pos", "ext", "clientData"))


@dataclass
class Inventory:
    """What one package holds: ``parts`` per content type (with the part names),
    ``objects`` on the drawing layer per (sheet name, kind: ``pic``, ``sp``,
    ``graphicFrame`` …) and ``extensions`` per (sheet name, extension URI)."""

    parts: dict[str, list[str]] = field(default_factory=dict)
    objects: Counter[tuple[str, str]] = field(default_factory=Counter)
    extensions: Counter[tuple[str, str]] = field(default_factory=Counter)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _open(data: bytes | str, path: str) -> Package:
    """The checked package of *data* (a file's path, or a package's bytes)."""
    raw = read_file(data) if isinstance(data, str) else data
    return Package(Container(raw, path=path))


def _content_types(pkg: Package) -> dict[str, list[str]]:
    """Part names by content type ([Content_Types].xml: overrides, else the default of the extension)."""
    defaults: dict[str, str] = {}
    overrides: dict[str, str] = {}
    data = pkg.container.read(_TYPES)
    if data:
        for el in parse_part(data, path=pkg.path, part=_TYPES).iter():
            if _local(el.tag) == "Default":
                defaults[el.get("Extension", "").lower()] = el.get("ContentType", "")
            elif _local(el.tag) == "Override":
                overrides[part_key(el.get("PartName", ""))] = el.get("ContentType", "")
    out: dict[str, list[str]] = {}
    for key in pkg.container.names():
        if key == part_key(_TYPES) or key.endswith("/"):
            continue
        kind = overrides.get(key) or defaults.get(key.rpartition(".")[2] if "." in key.rpartition("/")[2] else "", "")
        out.setdefault(kind, []).append(pkg.container.display(key))
    return out


def _drawing_objects(pkg: Package, sheet: str, part: str, counts: Counter[tuple[str, str]]) -> None:
    """Count the objects of the drawings sheet part *part* refers to, by the kind of the
    first element inside each anchor (``pic``, ``sp``, ``graphicFrame`` …)."""
    for typ, target in pkg.relationships(part).values():
        data = pkg.container.read(target) if target and typ.endswith("/drawing") else None
        if not data:
            continue
        for anchor in parse_part(data, path=pkg.path, part=target):
            if _local(anchor.tag) in _ANCHORS:
                kind = next((_local(c.tag) for c in anchor if _local(c.tag) not in _ANCHOR_PARTS), None)
                if kind:
                    counts[(sheet, kind)] += 1


def inventory(data: bytes | str, *, path: str) -> Inventory:
    """The :class:`Inventory` of the package at *data* (a path, or the bytes of one);
    *path* names it in errors. Raises :class:`~xlperf.errors.UnreadableWorkbook` for a
    broken package (the original was read by the import first, so only a bug does)."""
    pkg = _open(data, path)
    inv = Inventory(parts=_content_types(pkg))
    entries, _ = pkg.sheets()
    for e in entries:
        body = pkg.container.read(e.part) or b""
        for uri in _EXT_RE.findall(body):
            inv.extensions[(e.name, uri.decode("ascii", "replace").upper())] += 1
        _drawing_objects(pkg, e.name, e.part, inv.objects)
    for uri in _EXT_RE.findall(pkg.container.read(pkg.workbook_part) or b""):
        inv.extensions[("", uri.decode("ascii", "replace").upper())] += 1
    return inv


@lru_cache(maxsize=1)
def _kept() -> dict:
    return load_data("review_copy.toml")["kept"]


def _part_name(content_type: str) -> str:
    kinds = _kept()["parts"]
    for key, name in kinds.items():
        if key in content_type:
            return name
    return f"部件（{content_type or '未知类型'}）"


def _ignored(name: str, ignore: tuple[str, ...]) -> bool:
    return any(token in name for token in ignore)


def dropped(original: Inventory, copy: Inventory) -> list[Finding]:
    """``review-copy-dropped`` findings, one per kind, for what *original* holds more of
    than *copy*: parts by content type and sheet extensions by URI (``[kept] ignore``:
    what Excel rebuilds by itself, never reported)."""
    ignore = tuple(_kept()["ignore"])
    lost: dict[str, tuple[int, list[str]]] = {}

    def add(what: str, n: int, detail: list[str]) -> None:
        count, before = lost.get(what, (0, []))
        lost[what] = (count + n, before + detail)

    for kind, names in original.parts.items():
        names = [p for p in names if not _ignored(p, ignore)]
        kept = set(copy.parts.get(kind, []))
        n = len(names) - len(kept)
        if n > 0 and not _ignored(kind, ignore):
            add(_part_name(kind), n, [p for p in names if p not in kept] or names)
    objects = _kept()["objects"]
    for (sheet, kind), n in sorted(original.objects.items()):
        n -= copy.objects.get((sheet, kind), 0)
        if n > 0:
            add(objects.get(kind, f"绘图对象 {kind}"), n, [f"工作表“{sheet}”"])
    exts = _kept()["extensions"]
    for (sheet, uri), n in sorted(original.extensions.items()):
        n -= copy.extensions.get((sheet, uri), 0)
        if n > 0 and not _ignored(uri, ignore):
            add(exts.get(uri, f"扩展内容 {uri}"), n, [f"工作表“{sheet}”" if sheet else "工作簿"])
    out = []
    for what, (count, detail) in lost.items():
        shown = list(dict.fromkeys(detail))
        text = "、".join(shown[:8]) + ("等" if len(shown) > 8 else "")
        out.append(finding("review-copy-dropped", sheet=None, cell=None, params={"what": what, "count": count, "detail": text}))
    return out


def _formula_values(data: bytes, *, path: str, part: str) -> dict[str, tuple[str, str]]:
    """``A1`` -> (the cell's type ``n`` / ``str`` / ``b`` / ``e``, its ``<v>`` text) of
    every formula cell of one worksheet part that has a cached value."""
    out: dict[str, tuple[str, str]] = {}
    row = -1
    c_tags, f_tags, v_tags = tags("c"), tags("f"), tags("v")
    for el, _depth in iter_elements(data, tags("row"), path=path, part=part):
        r = el.get("r")
        row = int(r) - 1 if r and r.isdigit() else row + 1
        col = -1
        for c in el:
            if c.tag not in c_tags:
                continue
            try:
                row, col = parse_cell_name(c.get("r", "")) if c.get("r") else (row, col + 1)
            except ValueError:
                col += 1
            has_f = any(child.tag in f_tags for child in c)
            v = next((child for child in c if child.tag in v_tags), None)
            if has_f and v is not None and v.text is not None:
                out[cell_name(row, col)] = (c.get("t", "n"), v.text)
    return out


def cached_values(path: str) -> dict[str, dict[str, tuple[str, str]]]:
    """The cached value of every formula cell of the workbook at *path*: sheet name ->
    ``A1`` -> (the cell's type, the ``<v>`` text)."""
    pkg = _open(path, path)
    out: dict[str, dict[str, tuple[str, str]]] = {}
    for e in pkg.sheets()[0]:
        data = pkg.container.read(e.part) if e.worksheet else None
        if data:
            values = _formula_values(data, path=path, part=e.part)
            if values:
                out[e.name] = values
    return out


def restore_cached_values(data: bytes, cached: dict[str, dict[str, tuple[str, str]]], *, path: str) -> bytes:
    """The package *data* (as openpyxl wrote it) with each formula cell's cached value
    put back from *cached* (:func:`cached_values` of the original). Parts are copied as
    they are, in order; only worksheets with formulas are rewritten."""
    if not cached:
        return data
    pkg = _open(data, path)
    parts = {part_key(e.part): cached[e.name] for e in pkg.sheets()[0] if e.name in cached}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info)
            values = parts.get(part_key(info.filename))
            if values:
                body = _FORMULA_CELL_RE.sub(lambda m, v=values: _with_value(m, v), body)
            zout.writestr(info, body)
    return out.getvalue()


def _with_value(m: re.Match[bytes], values: dict[str, tuple[str, str]]) -> bytes:
    ref, attrs, formula = m.group(1).decode(), m.group(2), m.group(3)
    cached = values.get(ref)
    if cached is None:
        return m.group(0)
    kind, text = cached
    if kind in ("str", "b", "e") and b' t="' not in attrs:
        attrs += f' t="{kind}"'.encode()
    return b'<c r="' + m.group(1) + b'"' + attrs + b">" + formula + b"<v>" + escape(text).encode() + b"</v>"
