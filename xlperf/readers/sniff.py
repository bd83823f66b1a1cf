"""Identify a submitted file by its first bytes and check its zip container, before
any parser sees it (GUIDE section 9).

Encrypted .xlsx, real .xls, WPS .et, HTML or CSV renamed .xlsx all fail inside a zip
library as "not a zip file"; :func:`check_container` says what the file really is, in
Chinese and English, by raising :class:`~xlperf.errors.UnreadableWorkbook`. A zip is
opened only after its declared sizes and compression ratios are checked (zip bombs).
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass

from ..errors import UnreadableWorkbook

__all__ = ["ContainerLimits", "check_container", "sniff_kind"]

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")


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
    """Name the kind of file from its first bytes: ``zip``, ``ole``, ``html``, ``xml``,
    ``csv``/``text``, ``empty`` or ``unknown``."""
    if not head:
        return "empty"
    if head.startswith(_ZIP):
        return "zip"
    if head.startswith(_OLE):
        return "ole"
    probe = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if probe.startswith((b"<!doctype html", b"<html", b"<table", b"<meta", b"<head")):
        return "html"
    if probe.startswith(b"<?xml") or probe.startswith(b"<"):
        return "xml"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = head.decode("gb18030")
        except UnicodeDecodeError:
            return "unknown"
    if "\x00" in text:
        return "unknown"
    if any(sep in text for sep in (",", "\t", "，")) and "\n" in text:
        return "csv"
    return "text"


def _ole_kind(path: str) -> str:
    """Tell an encrypted OOXML (EncryptionInfo stream) from a real .xls or WPS .et."""
    with open(path, "rb") as fh:
        data = fh.read(1 << 20)
    u16 = lambda s: s.encode("utf-16-le")  # noqa: E731 - directory entries are UTF-16
    if u16("EncryptionInfo") in data or u16("EncryptedPackage") in data:
        return "encrypted"
    if u16("Workbook") in data or u16("Book") in data:
        return "et" if path.lower().endswith(".et") else "xls"
    return "ole"


def check_container(path: str, *, limits: ContainerLimits = ContainerLimits()) -> zipfile.ZipFile:
    """Open *path* as an xlsx/xlsm zip after checking what it is and how big it expands.

    Returns the open :class:`zipfile.ZipFile` (the caller closes it).
    Raises :class:`~xlperf.errors.UnreadableWorkbook` with codes ``file-empty``,
    ``file-encrypted``, ``file-xls``, ``file-et``, ``file-ole``, ``file-html``,
    ``file-csv``, ``file-not-xlsx``, ``file-truncated``, ``file-not-ooxml``,
    ``zip-bomb``, ``file-missing``.
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
    if kind == "empty":
        raise _fail("file-empty", f"{name} 是空文件（0 字节），请重新导出后再报送。", f"{name} is empty (0 bytes).", path)
    if kind == "ole":
        ole = _ole_kind(path)
        if ole == "encrypted":
            raise _fail(
                "file-encrypted",
                f"{name} 设置了打开密码（已加密），无法读取。请在 Excel/WPS 中取消密码后另存为 .xlsx 再报送。",
                f"{name} is a password-protected (encrypted) workbook; remove the password and save as .xlsx.",
                path,
            )
        if ole == "et":
            raise _fail(
                "file-et",
                f"{name} 是 WPS 表格（.et）格式，请在 WPS 中“另存为 .xlsx”后再报送。",
                f"{name} is a WPS .et spreadsheet; save it as .xlsx.",
                path,
            )
        if ole == "xls":
            raise _fail(
                "file-xls",
                f"{name} 是旧版 Excel 97-2003（.xls）格式，请在 Excel/WPS 中“另存为 .xlsx”后再报送。",
                f"{name} is a legacy Excel 97-2003 .xls workbook; save it as .xlsx.",
                path,
            )
        raise _fail("file-ole", f"{name} 是 OLE 复合文档，不是 .xlsx 工作簿，请另存为 .xlsx。",
                    f"{name} is an OLE compound file, not an .xlsx workbook.", path)
    if kind == "html":
        raise _fail("file-html", f"{name} 实际是网页（HTML）文件，只是扩展名为 .xlsx。请用 Excel 打开后“另存为 .xlsx”。",
                    f"{name} is an HTML page renamed to .xlsx; open it in Excel and save as .xlsx.", path)
    if kind in ("csv", "text"):
        raise _fail("file-csv", f"{name} 实际是文本/CSV 文件，只是扩展名为 .xlsx。请用 Excel 打开后“另存为 .xlsx”。",
                    f"{name} is a text/CSV file renamed to .xlsx; open it in Excel and save as .xlsx.", path)
    if kind != "zip":
        raise _fail("file-not-xlsx", f"{name} 不是 Excel 工作簿（.xlsx），无法识别其格式。",
                    f"{name} is not an .xlsx workbook (unrecognised format).", path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, OSError):
        raise _fail("file-truncated", f"{name} 文件已损坏或不完整（可能下载/拷贝中断），请重新获取原文件。",
                    f"{name} is a damaged or truncated zip; get the file again.", path) from None
    try:
        infos = zf.infolist()
        if len(infos) > limits.max_parts:
            raise _fail("zip-bomb", f"{name} 内含 {len(infos)} 个部件，超出上限，已拒绝读取。",
                        f"{name} holds {len(infos)} parts, over the limit; refused.", path)
        total = 0
        for info in infos:
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > limits.max_part_uncompressed or (
                info.file_size > limits.ratio_floor and ratio > limits.max_ratio
            ):
                raise _fail(
                    "zip-bomb",
                    f"{name} 的部件 {info.filename} 解压后 {info.file_size // (1024 * 1024)} MB（压缩比 {ratio:.0f}:1），疑似压缩炸弹，已拒绝读取。",
                    f"{name}: part {info.filename} expands to {info.file_size} bytes (ratio {ratio:.0f}:1); refused as a zip bomb.",
                    path,
                )
        if total > limits.max_total_uncompressed:
            raise _fail("zip-bomb", f"{name} 解压后共 {total // (1024 * 1024)} MB，超出上限，已拒绝读取。",
                        f"{name} expands to {total} bytes in all, over the limit; refused.", path)
        names = set(zf.namelist())
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
            what = "Word 文档（.docx）" if any(n.startswith("word/") for n in names) else "其他压缩包"
            raise _fail("file-not-ooxml",
                        f"{name} 是 zip 压缩包但不是 Excel 工作簿（缺少 [Content_Types].xml 或 xl/ 部件，可能是{what}）。",
                        f"{name} is a zip but not an Excel workbook ([Content_Types].xml or xl/ missing).", path)
    except UnreadableWorkbook:
        zf.close()
        raise
    return zf
