"""The zip container of a submitted workbook: the file read once into memory, its zip
structure checked strictly, each part inflated once, bounded (docs/untrusted-input.md).

Two zip readers can see two different files in one zip (two central directories, a
local header that names another file than its directory entry, entries that overlap).
xlperf reads every part it uses through this one class, so there is only one view;
and it refuses a zip on which readers could disagree, so that what it reports is what
Excel shows:

* exactly one end-of-central-directory record, whose counts and offset agree with the
  directory :mod:`zipfile` read (a zip64 record pointing elsewhere is refused);
* every local header agrees with its directory entry (name, method, and the sizes and
  CRC unless a data descriptor follows); no two entries' data overlap; all lie before
  the central directory;
* no two part names that are equal ignoring case and ``\\`` / ``/`` (OPC part names
  are case-insensitive; some zip readers map ``\\`` to ``/``);
* only stored / deflated entries, none encrypted, sizes and ratios within
  :class:`ContainerLimits`.

:meth:`Container.read` inflates a part with :mod:`zlib` straight from the bytes in
memory, stopping at the declared size, and checks length and CRC-32.
Every failure is an :class:`~xlperf.errors.UnreadableWorkbook`.
"""

from __future__ import annotations

import errno
import io
import os
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass

from ..errors import UnreadableWorkbook

__all__ = ["Container", "ContainerLimits", "part_key", "read_file"]

_EOCD = b"PK\x05\x06"
_EOCD_STRUCT = struct.Struct("<4sHHHHIIH")
_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_OK_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError,
               struct.error, zlib.error, UnicodeError, KeyError, IndexError, OverflowError)


@dataclass(frozen=True)
class ContainerLimits:
    """Limits checked before anything is inflated. Sizes in bytes.

    Defaults: a file of at most 100 MB; 200 MB expanded in all, 100 MB for one part, a
    compression ratio of 200:1 for any part larger than 1 MB (real sheets compress
    5-20:1), 10,000 parts.
    """

    max_file_size: int = 100 * 1024 * 1024
    max_total_uncompressed: int = 200 * 1024 * 1024
    max_part_uncompressed: int = 100 * 1024 * 1024
    max_ratio: float = 200.0
    ratio_floor: int = 1024 * 1024
    max_parts: int = 10_000


def _fail(code: str, zh: str, en: str, path: str) -> UnreadableWorkbook:
    return UnreadableWorkbook(code, zh, en, path=path)


def broken(path: str, zh: str, en: str) -> UnreadableWorkbook:
    """The ``file-broken`` error with *zh* / *en* as the reason and the fix appended."""
    return UnreadableWorkbook("file-broken", f"工作簿已损坏：{zh}。请在 Excel/WPS 中打开并重新保存为 .xlsx 后再报送。",
                              f"broken workbook: {en}", path=path)


def read_file(path: str, *, limits: ContainerLimits = ContainerLimits()) -> bytes:
    """The bytes of the regular file at *path*, read once (the sha256 recorded and every
    check are of these bytes).

    The file is opened with ``O_NONBLOCK`` and checked with ``fstat`` before anything is
    read, so a FIFO, a device (``/dev/zero``) or a symlink to one is refused at once
    instead of blocking or never ending. Raises ``file-missing``, ``file-unreadable``
    (not a regular file, permission ...), ``file-too-large`` (over
    ``limits.max_file_size``).
    """
    name = os.path.basename(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise _fail("file-missing", f"找不到文件 {name}。", f"File not found: {name}.", path) from None
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a FIFO without a writer, a socket
            raise _not_regular(name, path) from None
        raise _fail("file-unreadable", f"无法打开文件 {name}：{exc.strerror}。", f"Cannot open {name}: {exc}.", path) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _not_regular(name, path)
        if st.st_size > limits.max_file_size:
            raise _too_big(name, path, st.st_size, limits.max_file_size)
        chunks = []
        got = 0
        while True:
            chunk = os.read(fd, max(1 << 20, st.st_size - got + 1))
            if not chunk:
                break
            got += len(chunk)
            if got > limits.max_file_size:  # the file grew while being read
                raise _too_big(name, path, got, limits.max_file_size)
            chunks.append(chunk)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    except OSError as exc:
        raise _fail("file-unreadable", f"无法读取文件 {name}：{exc.strerror}。", f"Cannot read {name}: {exc}.", path) from None
    finally:
        os.close(fd)


def _not_regular(name: str, path: str) -> UnreadableWorkbook:
    return _fail("file-unreadable", f"{name} 不是普通文件（可能是管道、设备或指向它们的链接），已拒绝读取。",
                 f"{name} is not a regular file (a FIFO, a device or a link to one); refused.", path)


def _too_big(name: str, path: str, size: int, limit: int) -> UnreadableWorkbook:
    return _fail("file-too-large", f"{name} 有 {size // (1024 * 1024)} MB，超过 {limit // (1024 * 1024)} MB 的上限，已拒绝读取。",
                 f"{name} is {size} bytes, over the limit of {limit}; refused.", path)


def part_key(name: str) -> str:
    """The key a part is looked up by: ``\\`` made ``/``, no leading ``/``, lower case
    (OPC part names compare case-insensitively)."""
    return name.replace("\\", "/").lstrip("/").lower()


class Container:
    """A checked zip in memory (see module docstring); *path* is used in messages only.

    Raises ``file-truncated`` (no readable zip directory), ``file-broken`` (a zip
    readers could read differently, bad method, damaged entry), ``file-encrypted`` or
    ``zip-bomb``.
    """

    def __init__(self, data: bytes, *, path: str, limits: ContainerLimits = ContainerLimits()) -> None:
        self.path = path
        self.name = os.path.basename(path)
        self._data = data
        self._limits = limits
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
        except _ZIP_ERRORS as exc:
            if isinstance(exc, NotImplementedError):  # zipfile refuses the zip's version ("zip file version 14.8")
                raise broken(path, f"zip 结构使用了不支持的版本或特性（{exc}）", f"unsupported zip feature: {exc}") from None
            raise self._truncated("") from None
        try:
            self._parts = self._check(zf)
        except UnreadableWorkbook:
            raise
        except _ZIP_ERRORS as exc:
            raise broken(path, f"zip 结构异常（{type(exc).__name__}）", f"zip structure: {exc}") from None
        finally:
            zf.close()

    def _truncated(self, part: str) -> UnreadableWorkbook:
        where = f"（部件 {part} 的数据无法解压或校验失败）" if part else ""
        return _fail("file-truncated", f"{self.name} 文件已损坏或不完整{where}（可能下载/拷贝中断），请重新获取原文件。",
                     f"{self.name} is a damaged or truncated zip{f' (part {part})' if part else ''}; get the file again.",
                     self.path)

    # -- structure -----------------------------------------------------------------------
    def _check(self, zf: zipfile.ZipFile) -> dict[str, tuple[zipfile.ZipInfo, int]]:
        data, path, name, limits = self._data, self.path, self.name, self._limits
        infos = zf.infolist()
        start_dir = getattr(zf, "start_dir", None)
        if start_dir is None or not 0 <= start_dir <= len(data):
            raise broken(path, "zip 文件的目录位置无效", "the central directory is not inside the file")
        # From the directory on (or the last 64 KB, where readers look for the end record)
        # there must be exactly one end record, and it must end the file: an end record
        # hidden in another's comment, or bytes after the last one, let readers differ.
        lo = min(start_dir, max(0, len(data) - (65_535 + _EOCD_STRUCT.size)))
        eocd = data.rfind(_EOCD, lo)
        if data.count(_EOCD, lo) != 1:
            raise broken(path, "zip 文件含有多个目录结束记录", "more than one end-of-central-directory record")
        _sig, disk, _disk_cd, n_disk, n_total, cd_size, cd_offset, comment = _EOCD_STRUCT.unpack_from(data, eocd)
        if eocd + _EOCD_STRUCT.size + comment != len(data):
            raise broken(path, "zip 文件的目录结束记录之后还有多余的数据", "bytes after the end-of-central-directory record")
        if disk not in (0, 0xFFFF) or n_disk != n_total:
            raise broken(path, "zip 文件分卷或目录记录不一致", "multi-disk zip or inconsistent entry counts")
        if (n_total != 0xFFFF and n_total != len(infos)) or (cd_offset != 0xFFFFFFFF and cd_offset != start_dir):
            raise broken(path, "zip 文件含有两个互相矛盾的目录", "two central directories that disagree")
        if len(infos) > limits.max_parts:
            raise _fail("zip-bomb", f"{name} 内含 {len(infos)} 个部件，超出上限，已拒绝读取。",
                        f"{name} holds {len(infos)} parts, over the limit; refused.", path)
        parts: dict[str, tuple[zipfile.ZipInfo, int]] = {}
        spans: list[tuple[int, int]] = []
        total = 0
        for info in infos:
            self._check_sizes(info)
            total += info.file_size
            if info.flag_bits & 0x1:
                raise _fail("file-encrypted", f"{name} 的部件经过加密，无法读取。请在 Excel/WPS 中取消密码后“另存为 .xlsx”再报送。",
                            f"{name}: part {info.filename} is encrypted; save the workbook as .xlsx without a password.", path)
            if info.compress_type not in _OK_METHODS:
                raise broken(path, f"部件 {info.filename} 使用了 Excel 不用的压缩方式", f"part {info.filename} uses method {info.compress_type}")
            start = self._local_header(info)
            spans.append((info.header_offset, start + info.compress_size))
            if info.filename.endswith("/"):
                continue  # a folder entry holds no part
            key = part_key(info.filename)
            if key in parts:
                raise broken(path, f"内有重名的部件 {info.filename}（大小写或斜杠不同也算重名）",
                             f"two parts named {info.filename!r} (ignoring case and slashes)")
            parts[key] = (info, start)
        if total > limits.max_total_uncompressed:
            raise _fail("zip-bomb", f"{name} 解压后共 {total // (1024 * 1024)} MB，超出上限，已拒绝读取。",
                        f"{name} expands to {total} bytes in all, over the limit; refused.", path)
        spans.sort()
        end = 0
        for lo, hi in spans:
            if lo < end:
                raise broken(path, "zip 文件中的部件互相重叠", "zip entries overlap")
            end = hi
        if end > start_dir:
            raise broken(path, "zip 文件中的部件与目录重叠", "zip entries overlap the central directory")
        return parts

    def _check_sizes(self, info: zipfile.ZipInfo) -> None:
        limits = self._limits
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.max_part_uncompressed or (info.file_size > limits.ratio_floor and ratio > limits.max_ratio):
            raise _fail(
                "zip-bomb",
                f"{self.name} 的部件 {info.filename} 解压后 {info.file_size // (1024 * 1024)} MB（压缩比 {ratio:.0f}:1），疑似压缩炸弹，已拒绝读取。",
                f"{self.name}: part {info.filename} expands to {info.file_size} bytes (ratio {ratio:.0f}:1); refused as a zip bomb.",
                self.path,
            )

    def _local_header(self, info: zipfile.ZipInfo) -> int:
        """Check *info*'s local header against its directory entry; return where its data starts."""
        data = self._data
        off = info.header_offset
        sig, _ver, flags, method, _t, _d, crc, csize, usize, nlen, elen = _LOCAL.unpack_from(data, off)
        raw_name = data[off + _LOCAL.size: off + _LOCAL.size + nlen]
        local_name = raw_name.decode("utf-8" if flags & 0x800 else "cp437")
        agree = sig == b"PK\x03\x04" and local_name == info.orig_filename and method == info.compress_type
        if agree and not flags & 0x8:  # no data descriptor: the local sizes and CRC are the real ones
            agree = crc == info.CRC and (csize == info.compress_size or csize == 0xFFFFFFFF) \
                and (usize == info.file_size or usize == 0xFFFFFFFF)
        if not agree:
            raise broken(self.path, f"部件 {info.filename} 的本地文件头与目录不一致", f"local header of {info.filename} disagrees with the directory")
        start = off + _LOCAL.size + nlen + elen
        if start + info.compress_size > len(self._data):
            raise broken(self.path, f"部件 {info.filename} 超出文件末尾", f"part {info.filename} runs past the end of the file")
        return start

    # -- parts ---------------------------------------------------------------------------
    def names(self) -> list[str]:
        """The part keys (see :func:`part_key`), in directory order."""
        return list(self._parts)

    def has(self, name: str) -> bool:
        """True when the container holds part *name* (compared as :func:`part_key`)."""
        return part_key(name) in self._parts

    def size(self, name: str) -> int:
        """The declared expanded size of part *name* (0 when there is none)."""
        entry = self._parts.get(part_key(name))
        return entry[0].file_size if entry else 0

    def read(self, name: str) -> bytes | None:
        """The bytes of part *name*, inflated now (callers read each part once), or
        ``None`` when there is no such part. Raises ``file-truncated`` when the data is
        damaged: bad deflate stream, wrong length or CRC-32."""
        entry = self._parts.get(part_key(name))
        if entry is None:
            return None
        info, start = entry
        raw = self._data[start: start + info.compress_size]
        try:
            if info.compress_type == zipfile.ZIP_STORED:
                out, complete = raw, True
            else:
                d = zlib.decompressobj(-15)
                out = d.decompress(raw, info.file_size + 1)
                complete = d.eof
        except zlib.error:
            raise self._truncated(info.filename) from None
        if not complete or len(out) != info.file_size or zlib.crc32(out) != info.CRC:
            raise self._truncated(info.filename)
        return out

    def display(self, name: str) -> str:
        """Part *name* as the zip spells it (for messages), or *name* when there is none."""
        entry = self._parts.get(part_key(name))
        return entry[0].filename if entry else name
