"""Identify a submitted file by its first bytes, before any parser sees it.

Encrypted .xlsx, real .xls, WPS .et, HTML or CSV renamed .xlsx all fail inside a zip
library as "not a zip file"; :func:`check_kind` says what the file really is, in
Chinese and English, by raising :class:`~xlperf.errors.UnreadableWorkbook`. OLE
compound files (``D0CF11E0``) are told apart by their directory entries, read with
``olefile``: ``EncryptionInfo`` / ``EncryptedPackage`` is a password-protected .xlsx,
``Workbook`` / ``Book`` a real .xls. :func:`check_ooxml` tells a zip that is no
workbook (.xlsb, .ods, .docx) once its directory has been checked
(:class:`~xlperf.readers.container.Container`).
"""

from __future__ import annotations

import codecs
import os

import olefile

from ..errors import UnreadableWorkbook
from .container import Container

__all__ = ["check_kind", "check_ooxml", "sniff_kind"]

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_MAGIC = (  # other formats clerks send instead of a workbook
    (b"%PDF", "pdf"),
    (b"Rar!\x1a\x07", "rar"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x1f\x8b", "gzip"),
)
_KIND_ZH = {"pdf": "PDF 文件", "rar": "RAR 压缩包", "7z": "7z 压缩包", "gzip": "gzip 压缩包",
            "xml2003": "Excel 2003 XML 表格", "xml": "XML 文件", "unknown": "无法识别的格式"}


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


def _ole_kind(data: bytes) -> str:
    """``encrypted`` (an .xlsx with an open password), ``xls`` (BIFF workbook), ``doc``
    (Word) or ``ole``, from the compound file's directory (read with olefile from the
    file's bytes)."""
    try:
        with olefile.OleFileIO(data) as ole:
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


def _refuse_ole(data: bytes, path: str, name: str) -> UnreadableWorkbook:
    ole = _ole_kind(data)
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


def _refuse_kind(kind: str, data: bytes, path: str, name: str) -> UnreadableWorkbook:
    if kind == "empty":
        return _fail("file-empty", f"{name} 是空文件（0 字节），请重新导出后再报送。", f"{name} is empty (0 bytes).", path)
    if kind == "ole":
        return _refuse_ole(data, path, name)
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


def check_kind(data: bytes, path: str) -> None:
    """Refuse *data* (the bytes of *path*) unless it starts as a zip: an empty file, an
    encrypted .xlsx, a real .xls, .et, HTML, CSV, PDF ... each get their own code and
    message (see :func:`sniff_kind`). Raises :class:`~xlperf.errors.UnreadableWorkbook`."""
    kind = "empty" if not data else sniff_kind(data[:4096])
    if kind != "zip":
        raise _refuse_kind(kind, data, path, os.path.basename(path))


def check_ooxml(container: Container) -> None:
    """Refuse a zip that is not an .xlsx / .xlsm: ``file-xlsb``, ``file-ods``,
    ``file-not-ooxml`` (a .docx, another archive)."""
    path, name = container.path, container.name
    names = container.names()
    if container.has("xl/workbook.bin"):
        raise _fail("file-xlsb", f"{name} 是 Excel 二进制工作簿（.xlsb），请在 Excel 中“另存为 .xlsx”后再报送。",
                    f"{name} is an Excel binary workbook (.xlsb); save it as .xlsx.", path)
    if container.has("[content_types].xml") and any(n.startswith("xl/") for n in names):
        return
    if container.has("mimetype") and container.size("mimetype") < 200 \
            and b"opendocument.spreadsheet" in (container.read("mimetype") or b""):
        raise _fail("file-ods", f"{name} 是 OpenDocument 表格（.ods，WPS/LibreOffice 格式），请用 WPS 或 LibreOffice 打开后“另存为 .xlsx”再报送。",
                    f"{name} is an OpenDocument spreadsheet (.ods); save it as .xlsx.", path)
    what = "Word 文档（.docx）" if any(n.startswith("word/") for n in names) else "其他压缩包"
    raise _fail("file-not-ooxml",
                f"{name} 是 zip 压缩包但不是 Excel 工作簿（缺少 [Content_Types].xml 或 xl/ 部件，可能是{what}）。请报送 .xlsx 工作簿。",
                f"{name} is a zip but not an Excel workbook ([Content_Types].xml or xl/ missing).", path)
