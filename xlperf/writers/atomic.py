"""Atomic output: write to a temporary file beside the target, then ``os.replace``.

xlsxwriter writes straight over its target; a failed close (disk full, file locked)
would leave a broken file where the good one was (docs/untrusted-input.md). Every xlperf output
(filled template, consolidated workbook, JSON, CSV, Parquet) goes through
:func:`atomic_path`: on any failure the earlier file is untouched and the temporary
file is removed. The temporary file is locked while it is written; one left beside the
target by a process that was killed (``kill -9``, a power cut) has a free lock and is
removed the next time that target is written.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
from collections.abc import Iterator

from ..errors import OutputError, os_reason
from ..isolation import lock_fd, lock_file

__all__ = ["atomic_path", "write_bytes_atomic", "write_failed", "write_text_atomic"]


def _create_beside(folder: str, base: str) -> tuple[str, int]:
    """A new, empty temporary file in *folder*: ``.<base>.<random>.tmp``, created with
    the usual permissions (0666 less the umask, as ``open`` would give the target), and
    the descriptor holding its lock (module doc)."""
    for _ in range(100):
        tmp = os.path.join(folder, f".{base}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        lock_fd(fd)
        return tmp, fd
    raise FileExistsError(f"no free temporary name in {folder}")


def _remove_stale(folder: str, base: str) -> None:
    """Remove temporary files of *base* in *folder* that no live process holds."""
    pattern = re.compile(rf"\.{re.escape(base)}\.[0-9a-f]{{12}}\.tmp")
    with contextlib.suppress(OSError):
        for name in os.listdir(folder):
            if pattern.fullmatch(name):
                path = os.path.join(folder, name)
                fd = lock_file(path)
                if fd is not None:
                    os.close(fd)
                    with contextlib.suppress(OSError):
                        os.unlink(path)


def _fsync(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(target: str) -> Iterator[str]:
    """Yield a temporary path in the target's folder; on success flush it to disk and
    move it onto *target*.

    Raises :class:`~xlperf.errors.OutputError` (with the Chinese reason) when the
    folder cannot be written, nothing was written, or the flush or the move fails (disk
    full, file locked, read-only folder); re-raises any exception of the body as is.
    In every failure case the temporary file is removed and *target* is unchanged.
    """
    folder = os.path.dirname(os.path.abspath(target)) or "."
    base = os.path.basename(target)
    try:
        os.makedirs(folder, exist_ok=True)
        _remove_stale(folder, base)
        tmp, held = _create_beside(folder, base)
    except OSError as exc:
        raise OutputError(f"无法在 {folder} 中创建文件：{os_reason(exc)}") from exc
    try:
        yield tmp
        if not os.path.exists(tmp) or os.path.getsize(tmp) == 0:
            raise OutputError(f"写入 {target} 失败：没有生成内容")
        try:
            _fsync(tmp)
            with contextlib.suppress(FileNotFoundError):  # a replaced file keeps its permissions
                os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
            os.replace(tmp, target)
        except OSError as exc:
            raise write_failed(target, exc) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    finally:
        os.close(held)


def write_failed(target: str, exc: BaseException) -> OutputError:
    """The :class:`~xlperf.errors.OutputError` for a writer that failed on *target*: an
    operating-system error with its Chinese reason (``磁盘空间已满``), anything else (a
    spreadsheet library's own error) named as such; either way the earlier file is intact."""
    reason = os_reason(exc) if isinstance(exc, OSError) else f"生成文件时出错（{exc}）"
    return OutputError(f"写入 {target} 失败：{reason}，原文件未改动")


def write_bytes_atomic(target: str, data: bytes) -> None:
    """Write *data* to *target* atomically (see :func:`atomic_path`).

    Raises :class:`~xlperf.errors.OutputError` on any write failure (disk full ...);
    the earlier *target*, if any, is then unchanged.
    """
    with atomic_path(target) as tmp:
        try:
            with open(tmp, "wb") as fh:
                fh.write(data)  # atomic_path fsyncs the file before moving it into place
        except OSError as exc:
            raise write_failed(target, exc) from exc


def write_text_atomic(target: str, text: str) -> None:
    """Write UTF-8 *text* to *target* atomically (see :func:`write_bytes_atomic`)."""
    write_bytes_atomic(target, text.encode("utf-8"))
