"""Atomic output: write to a temporary file beside the target, then ``os.replace``.

xlsxwriter writes straight over its target; a failed close (disk full, file locked)
would leave a broken file where the good one was (GUIDE section 9). Every xlperf output
(filled template, consolidated workbook, JSON, CSV, Parquet) goes through
:func:`atomic_path`: on any failure the earlier file is untouched and the temporary
file is removed.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator

from ..errors import OutputError

__all__ = ["atomic_path", "write_text_atomic", "write_bytes_atomic"]


@contextlib.contextmanager
def atomic_path(target: str) -> Iterator[str]:
    """Yield a temporary path in the target's folder; on success move it onto *target*.

    Raises :class:`~xlperf.errors.OutputError` (with the Chinese reason) when the
    folder cannot be written or the move fails; re-raises any exception of the body.
    In every failure case the temporary file is removed and *target* is unchanged.
    """
    folder = os.path.dirname(os.path.abspath(target)) or "."
    base = os.path.basename(target)
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{base}.", suffix=".tmp", dir=folder)
        os.close(fd)
    except OSError as exc:
        raise OutputError(f"无法在 {folder} 中创建文件：{exc.strerror or exc}") from exc
    try:
        yield tmp
        if not os.path.exists(tmp) or os.path.getsize(tmp) == 0:
            raise OutputError(f"写入 {target} 失败：没有生成内容")
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _mode_for(target: str) -> int:
    """Permission bits for the new file: those of the file it replaces, else what
    ``open()`` would give (0o666 minus the umask). ``mkstemp`` creates files 0o600,
    which would hide a shared consolidated workbook from colleagues."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def write_bytes_atomic(target: str, data: bytes) -> None:
    """Write *data* to *target* atomically (see :func:`atomic_path`)."""
    with atomic_path(target) as tmp:
        try:
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise OutputError(f"写入 {target} 失败：{exc.strerror or exc}") from exc


def write_text_atomic(target: str, text: str) -> None:
    """Write UTF-8 *text* to *target* atomically (see :func:`atomic_path`)."""
    write_bytes_atomic(target, text.encode("utf-8"))
