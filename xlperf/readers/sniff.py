"""Identify a submitted file by its first bytes and check its zip container, before
any parser sees it (docs/untrusted-input.md).

Encrypted .xlsx, real .xls, WPS .et, HTML or CSV renamed .xlsx all fail inside a zip
library as "not a zip file"; :func:`check_container` says what the file really is, in
Chinese and English, by raising :class:`~xlperf.errors.UnreadableWorkbook`. OLE
compound files (``D0CF11E0``) are told apart by their directory entries, read with
``olefile``: ``EncryptionInfo`` / ``EncryptedPackage`` is a password-protected .xlsx,
``Workbook`` / ``Book`` a real .xls.

A zip is opened only after its declared sizes and compression ratios are checked (zip
bombs), and only when two zip readers cannot see two different files in it: xlperf
checks the parts with Python's ``zipfile`` and python-calamine reads them with Rust's
``zip`` crate, which looks names up case-insensitively; so duplicate names (in any
case), a second end-of-central-directory record, encrypted entries and compression
methods other than stored/deflated are refused.
"""

from __future__ import annotations

import codecs
import os
import zipfile
import zlib
from dataclasses import dataclass

import olefile

from ..errors import UnreadableWorkbook

__all__ = ["ContainerLimits", "check_container", "sniff_kind"]

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_EOCD = b"PK\x05\x06"
_MAGIC = (  # other formats clerks send instead of a workbook
    (b"%PDF", "pdf"),
    (b"Rar!\x1a\x07", "rar"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x1f\x8b", "gzip"),
)
_KIND_ZH = {"pdf": "PDF 文件", "rar": "RAR 压缩包", "7z": "7z 压缩包", "gzip": "gzip 压缩包",
            "xml2003": "Excel 2003 XML 表格", "xml": "XML 文件", "unknown": "无法识别的格式"}
_OK_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


@dataclass(frozen=True)
class ContainerLimits:
    """Limits checked before parsing. Sizes in bytes.

    Defaults: 200 MB expanded in all, 100 MB for one part, a compression ratio of 200:1
    for any part larger than 1 MB (real sheets compress 5-20:1), 10,000 parts.
    """

    max_total_uncompressed: int = 200 * 1024 * 1024
    max_part_uncompressed: int = 100 * 1024 * 1024
    max_ratio: float = 200.0
    ratio_floor: int = 1024 * 1024
    max_parts: int = 10_000


def _fail(code: str, zh: str, en: str, path: str) -> UnreadableWorkbook:
    return UnreadableWorkbook(code, zh, en, path=path)


def sniff_kind(head: bytes) -> str:
    """Name the kind of file from its first bytes: ``zip``, ``ole``, ``html``,
    ``xml2003`` (Excel 2003 XML), ``xml``, ``pdf``, ``rar``, ``7z``, ``gzip``,
    ``csv``/``text``, ``empty`` or ``unknown``."""
    if not head:
        return "empty"
    if head.startswith(_ZIP):
        return "zip"
    if head.startswith(_OLE):
        return "ole"
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    probe = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if probe.startswith((b"<!doctype html", b"<html", b"<table", b"<meta", b"<head", b"mime-version:")):
        return "html"
    if probe.startswith(b"<"):
        if b"urn:schemas-microsoft-com:office:spreadsheet" in probe:
            return "xml2003"
        if b"<html" in probe[:1024]:
            return "html"
        return "xml"
    text = None
    for enc in ("utf-8", "gb18030"):
        try:  # an incremental decoder: a character cut at the end of *head* is fine
            text = codecs.getincrementaldecoder(enc)().decode(head, final=False)
            break
        except UnicodeDecodeError:
            continue
    if text is None or "\x00" in text:
        return "unknown"
    if any(sep in text for sep in (",", "\t", "，")) and "\n" in text:
        return "csv"
    return "text"


def _ole_kind(path: str) -> str:
    """``encrypted`` (an .xlsx with an open password), ``xls`` (BIFF workbook), ``doc``
    (Word) or ``ole``, from the compound file's directory (read with olefile)."""
    try:
        with olefile.OleFileIO(path) as ole:
            names = {"/".join(entry) for entry in ole.listdir(streams=True, storages=True)}
    except Exception:  # noqa: BLE001 - a damaged directory: say only "OLE", never crash
        return "ole"
    if {"EncryptionInfo", "EncryptedPackage"} & names:
        return "encrypted"
    if {"Workbook", "Book"} & names:
        return "xls"
    if "WordDocument" in names:
        return "doc"
    return "ole"


def _renamed(name: str, real: str) -> str:
    """``（扩展名被改成了 .xlsx）`` when the name does not end with the real extension."""
    ext = os.path.splitext(name)[1].lower()
    return f"（扩展名被改成了 {ext}）" if ext and ext != real else ""


def _refuse_ole(path: str, name: str) -> UnreadableWorkbook:
    ole = _ole_kind(path)
    if ole == "encrypted":
        return _fail(
            "file-encrypted",
            f"{name} 设置了打开密码（已加密），无法读取。请在 Excel/WPS 中取消密码后“另存为 .xlsx”再报送。",
            f"{name} is a password-protected (encrypted) workbook; remove the password and save it as .xlsx.",
            path,
        )
    if ole == "xls" and name.lower().endswith(".et"):
        return _fail(
            "file-et",
            f"{name} 是 WPS 表格（.et）格式，请在 WPS 中“另存为 .xlsx”后再报送。",
            f"{name} is a WPS .et spreadsheet; save it as .xlsx.",
            path,
        )
    if ole == "xls":
        return _fail(
            "file-xls",
            f"{name} 是旧版 Excel 97-2003（.xls）格式{_renamed(name, '.xls')}，请在 Excel/WPS 中“另存为 .xlsx”后再报送。",
            f"{name} is a legacy Excel 97-2003 .xls workbook; open it in Excel or WPS and save it as .xlsx.",
            path,
        )
    what = "Word 97-2003 文档（.doc）" if ole == "doc" else "OLE 复合文档"
    return _fail("file-ole", f"{name} 是{what}，不是 Excel 工作簿，请另存为 .xlsx 后再报送。",
                 f"{name} is an OLE compound file ({ole}), not an .xlsx workbook; save it as .xlsx.", path)


def _refuse_kind(kind: str, path: str, name: str) -> UnreadableWorkbook:
    if kind == "empty":
        return _fail("file-empty", f"{name} 是空文件（0 字节），请重新导出后再报送。", f"{name} is empty (0 bytes).", path)
    if kind == "ole":
        return _refuse_ole(path, name)
    ext = os.path.splitext(name)[1].lower() or "（无）"
    if kind == "html":
        return _fail("file-html", f"{name} 实际是网页（HTML）文件，扩展名为 {ext}。请用 Excel 打开后“另存为 .xlsx”。",
                     f"{name} is an HTML page named {ext}; open it in Excel and save it as .xlsx.", path)
    if kind in ("csv", "text"):
        return _fail("file-csv", f"{name} 实际是文本/CSV 文件，扩展名为 {ext}。请用 Excel 打开后“另存为 .xlsx”。",
                     f"{name} is a text/CSV file named {ext}; open it in Excel and save it as .xlsx.", path)
    what = _KIND_ZH.get(kind, _KIND_ZH["unknown"])
    return _fail("file-not-xlsx", f"{name} 不是 Excel 工作簿（.xlsx），而是{what}。请用 Excel/WPS 打开原表格后“另存为 .xlsx”。",
                 f"{name} is not an .xlsx workbook ({kind}); save the workbook as .xlsx.", path)


def _check_zip_structure(zf: zipfile.ZipFile, path: str, name: str, limits: ContainerLimits) -> None:
    """Sizes, ratios, part count, duplicate names, entry encryption and methods."""
    infos = zf.infolist()
    if len(infos) > limits.max_parts:
        raise _fail("zip-bomb", f"{name} 内含 {len(infos)} 个部件，超出上限，已拒绝读取。",
                    f"{name} holds {len(infos)} parts, over the limit; refused.", path)
    total = 0
    seen: set[str] = set()
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.max_part_uncompressed or (info.file_size > limits.ratio_floor and ratio > limits.max_ratio):
            raise _fail(
                "zip-bomb",
                f"{name} 的部件 {info.filename} 解压后 {info.file_size // (1024 * 1024)} MB（压缩比 {ratio:.0f}:1），疑似压缩炸弹，已拒绝读取。",
                f"{name}: part {info.filename} expands to {info.file_size} bytes (ratio {ratio:.0f}:1); refused as a zip bomb.",
                path,
            )
        key = info.filename.lower()
        if key in seen:
            raise _fail("file-broken", f"{name} 内有重名的部件 {info.filename}，结构异常，已拒绝读取。请在 Excel/WPS 中打开并重新保存为 .xlsx。",
                        f"{name} holds two parts named {info.filename!r}; refused.", path)
        seen.add(key)
        if info.flag_bits & 0x1:
            raise _fail("file-encrypted", f"{name} 的部件经过加密，无法读取。请在 Excel/WPS 中取消密码后“另存为 .xlsx”再报送。",
                        f"{name}: part {info.filename} is encrypted; save the workbook as .xlsx without a password.", path)
        if info.compress_type not in _OK_METHODS:
            raise _fail("file-broken", f"{name} 的部件 {info.filename} 使用了 Excel 不用的压缩方式，已拒绝读取。请在 Excel/WPS 中打开并重新保存为 .xlsx。",
                        f"{name}: part {info.filename} uses compression method {info.compress_type}; refused.", path)
    if total > limits.max_total_uncompressed:
        raise _fail("zip-bomb", f"{name} 解压后共 {total // (1024 * 1024)} MB，超出上限，已拒绝读取。",
                    f"{name} expands to {total} bytes in all, over the limit; refused.", path)
    if "xl/workbook.bin" in seen:
        raise _fail("file-xlsb", f"{name} 是 Excel 二进制工作簿（.xlsb），请在 Excel 中“另存为 .xlsx”后再报送。",
                    f"{name} is an Excel binary workbook (.xlsb); save it as .xlsx.", path)
    if "[content_types].xml" not in seen or not any(n.startswith("xl/") for n in seen):
        if "mimetype" in seen and b"opendocument.spreadsheet" in zf.read(
                next(i for i in infos if i.filename.lower() == "mimetype"))[:200]:
            raise _fail("file-ods", f"{name} 是 OpenDocument 表格（.ods，WPS/LibreOffice 格式），请用 WPS 或 LibreOffice 打开后“另存为 .xlsx”再报送。",
                        f"{name} is an OpenDocument spreadsheet (.ods); save it as .xlsx.", path)
        what = "Word 文档（.docx）" if any(n.startswith("word/") for n in seen) else "其他压缩包"
        raise _fail("file-not-ooxml",
                    f"{name} 是 zip 压缩包但不是 Excel 工作簿（缺少 [Content_Types].xml 或 xl/ 部件，可能是{what}）。请报送 .xlsx 工作簿。",
                    f"{name} is a zip but not an Excel workbook ([Content_Types].xml or xl/ missing).", path)


def _single_directory(path: str, size: int) -> bool:
    """True when the file's tail holds exactly one end-of-central-directory record
    (the comment is at most 64 KB), so every zip reader finds the same directory."""
    with open(path, "rb") as fh:
        fh.seek(max(0, size - (65_535 + 22)))
        return fh.read().count(_EOCD) == 1


def check_container(path: str, *, limits: ContainerLimits = ContainerLimits()) -> zipfile.ZipFile:
    """Open *path* as an xlsx/xlsm zip after checking what it is and how big it expands.

    Returns the open :class:`zipfile.ZipFile` (the caller closes it).
    Raises :class:`~xlperf.errors.UnreadableWorkbook` with codes ``file-missing``,
    ``file-unreadable``, ``file-empty``, ``file-encrypted``, ``file-xls``, ``file-et``,
    ``file-ole``, ``file-html``, ``file-csv``, ``file-not-xlsx``, ``file-truncated``,
    ``file-not-ooxml``, ``file-broken`` (a zip two readers could read differently) or
    ``zip-bomb``; messages in Chinese (``message``) and English (``message_en``).
    """
    name = os.path.basename(path)
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except FileNotFoundError:
        raise _fail("file-missing", f"找不到文件 {name}。", f"File not found: {name}.", path) from None
    except OSError as exc:
        raise _fail("file-unreadable", f"无法打开文件 {name}：{exc.strerror}。", f"Cannot open {name}: {exc}.", path) from None
    kind = "empty" if size == 0 else sniff_kind(head)
    if kind != "zip":
        raise _refuse_kind(kind, path, name)
    truncated = _fail("file-truncated", f"{name} 文件已损坏或不完整（可能下载/拷贝中断），请重新获取原文件。",
                      f"{name} is a damaged or truncated zip; get the file again.", path)
    try:
        if not _single_directory(path, size):
            raise truncated
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError):
        raise truncated from None
    try:
        _check_zip_structure(zf, path, name, limits)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, zlib.error):
        zf.close()  # a part read to identify the file is damaged (bad CRC, bad deflate data)
        raise truncated from None
    except BaseException:
        zf.close()
        raise
    return zf
