"""The consolidator's manifest: which county sent which file (``xlperf merge``).

A folder of submissions may hold ``manifest.csv`` with one row per file::

    文件,省,市,县(区),行政区划代码,年度
    000_pengyang_2024.xlsx,宁夏回族自治区,固原市,彭阳县,640425,2024

(see ``samples/manifest.csv``). ``文件`` is the file's path relative to the manifest's
folder (``/`` or ``\\`` separated); the other cells, when filled, override the region
and budget year the workbook states (the published documents do not all state province
or year: 乐亭 001 and 增城 003 give neither). Empty cells leave the workbook's own value.

Encoding: UTF-8 with or without BOM; a file Excel saved as GBK/GB18030 is read too,
with a ``manifest-not-utf8`` warning. A bad row is a finding (``manifest-row-invalid``),
never an exception; an unreadable manifest is a ``manifest-unreadable`` finding and the
folder is merged without it.
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from dataclasses import dataclass, field

from ..cellref import cell_name
from ..errors import os_reason
from ..findings import finding
from ..inputs import division_code_ok, year_ok
from ..model import Finding, Region

__all__ = ["MANIFEST_NAME", "Manifest", "ManifestEntry", "read_manifest"]

MANIFEST_NAME = "manifest.csv"
_MAX_BYTES = 16 * 1024 * 1024  # a manifest is a few KB; refuse anything absurd

# header as written (folded) -> field
_HEADERS = {
    "文件": "file", "文件名": "file",
    "省": "province", "省份": "province", "省(区、市)": "province",
    "市": "city", "地市": "city", "市(州)": "city",
    "县(区)": "county", "县": "county", "区县": "county", "县区": "county", "县(市、区)": "county",
    "行政区划代码": "division_code", "区划代码": "division_code",
    "年度": "year", "预算年度": "year", "年份": "year",
}
_YEAR_RE = re.compile(r"^(\d{4})(?:\.0)?\s*年?$")


@dataclass(frozen=True)
class ManifestEntry:
    """One manifest row: the file it names (as written), the region and year it sets
    (``None`` where the cells are empty or invalid) and its CSV line (header = 1)."""

    file: str
    region: Region | None
    year: int | None
    row: int


@dataclass
class Manifest:
    """A read ``manifest.csv``: ``path``, its ``entries`` by normalised relative path,
    and the ``findings`` about it (file = the manifest's path, sheet ``manifest.csv``,
    cell = column letter + CSV line)."""

    path: str
    entries: dict[str, ManifestEntry] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def folder(self) -> str:
        """The folder the ``文件`` paths are relative to."""
        return os.path.dirname(os.path.abspath(self.path))

    def lookup(self, file_path: str) -> ManifestEntry | None:
        """The entry naming *file_path* (any path to the file), or ``None``. Matches the
        relative path exactly, then ignoring letter case (manifests are typed by hand)."""
        rel = os.path.relpath(os.path.abspath(file_path), self.folder)
        if rel.startswith(".."):
            return None
        key = _key(rel)
        entry = self.entries.get(key)
        if entry is None:
            folded = key.casefold()
            entry = next((e for k, e in self.entries.items() if k.casefold() == folded), None)
        return entry


def _key(path: str) -> str:
    path = unicodedata.normalize("NFC", path.strip()).replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def _fold_header(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("\ufeff", "").replace(" ", "").strip()


def _decode(data: bytes) -> tuple[str, bool]:
    """Bytes -> text; the flag says the file was not UTF-8 (GB18030 used instead)."""
    try:
        return data.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        return data.decode("gb18030"), True


def read_manifest(path: str) -> Manifest:
    """Read one ``manifest.csv`` (module doc). Never raises for bad content: an
    unreadable file gives a Manifest with no entries and one finding."""
    man = Manifest(path=path)
    sheet = os.path.basename(path)

    def unreadable(reason: str) -> Manifest:
        man.findings.append(finding("manifest-unreadable", sheet=sheet, cell=None, file=path, params={"reason": reason}))
        return man

    try:
        if os.path.getsize(path) > _MAX_BYTES:
            return unreadable(f"文件超过 {_MAX_BYTES // 1024 // 1024} MB")
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        return unreadable(os_reason(exc))
    try:
        text, legacy = _decode(data)
    except UnicodeDecodeError:
        return unreadable("编码无法识别，请另存为“CSV UTF-8”")
    if legacy:
        man.findings.append(finding("manifest-not-utf8", sheet=sheet, cell=None, file=path))
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        return unreadable(f"不是有效的 CSV：{exc}")
    if not rows:
        return unreadable("文件是空的")
    columns = {_HEADERS[h]: i for i, h in reversed(list(enumerate(_fold_header(c) for c in rows[0]))) if h in _HEADERS}
    if "file" not in columns:
        return unreadable("第 1 行缺少“文件”列（应为 文件,省,市,县(区),行政区划代码,年度）")

    def bad(line: int, col: str, detail: str, text: str | None = None) -> None:
        man.findings.append(finding("manifest-row-invalid", sheet=sheet, cell=cell_name(line - 1, columns[col]),
                                    file=path, text=text, params={"row": line, "detail": detail}))

    for line, row in enumerate(rows[1:], start=2):
        values = {f: (row[i].strip() if i < len(row) else "") for f, i in columns.items()}
        if not any(values.values()):
            continue  # blank line
        name = values["file"]
        if not name:
            bad(line, "file", "没有填写“文件”，本行忽略")
            continue
        key = _key(name)
        if key in man.entries:
            bad(line, "file", f"文件“{name}”已在第 {man.entries[key].row} 行列出，本行忽略", name)
            continue
        year = None
        if values.get("year"):
            m = _YEAR_RE.match(unicodedata.normalize("NFKC", values["year"]))
            if m and year_ok(int(m.group(1))):
                year = int(m.group(1))
            else:
                bad(line, "year", f"年度“{values['year']}”不是四位年份，已忽略，年度按工作簿内容识别", values["year"])
        code = values.get("division_code") or None
        if code is not None and not division_code_ok(unicodedata.normalize("NFKC", code)):
            bad(line, "division_code", f"行政区划代码“{code}”应为 6、9 或 12 位数字，已忽略", code)
            code = None
        parts = {f: values.get(f) or None for f in ("province", "city", "county")}
        region = Region(**parts, division_code=code) if any(parts.values()) or code else None
        man.entries[key] = ManifestEntry(file=name, region=region, year=year, row=line)
    return man
