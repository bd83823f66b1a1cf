"""The merge's spool: the rows each imported file adds to the consolidated tables, kept
on disk from the moment a worker has read the file until the outputs are written, so
that the main process never holds them (its memory stays flat in the number of
submissions: docs/architecture.md).

A spool is a folder ``xlperf-merge-<pid>-<random>`` in the temporary folder
(``TMPDIR``), created by the merge (:class:`SpoolFolder`). It holds:

* ``.lock``, locked (``flock``) for as long as the merge runs: a folder whose lock can
  be taken belongs to a run that ended without cleaning up (``kill -9``, a power cut)
  and is removed by the next merge (:func:`remove_stale`);
* one file per worker process (``part-<pid>-<random>.arrows``), to which the worker
  appends, for each file it imports, one Arrow IPC stream per table that has rows
  (schema, one record batch, end of stream) and returns where each stream is
  (:class:`SpoolRef`). Nothing is rewritten: a worker killed mid-write leaves bytes no
  reference points to;
* the temporary files of the workbook writer (xlsxwriter's ``tmpdir``).

Reading a stream back (:meth:`SpoolFolder.read`) is a positioned read of its bytes,
not a memory map, so what was read is freed with the batch.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import SpoolError
from ..isolation import locked_tempdir, remove_stale_tempdirs

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["PREFIX", "SpoolFolder", "SpoolRef", "append", "refs", "remove_stale"]

PREFIX = "xlperf-merge-"


@dataclass(frozen=True, slots=True)
class SpoolRef:
    """Where one table's rows of one file are: spool file name, byte offset, length."""

    file: str
    offset: int
    length: int


def remove_stale(parent: str | None = None) -> list[str]:
    """Remove the spool folders in *parent* (default: the temporary folder) left by
    merges that ended without cleaning up (their lock is free); returns the folders
    removed. Never raises."""
    return remove_stale_tempdirs(PREFIX, parent)


class SpoolFolder:
    """The spool of one merge, in *parent* (default: the temporary folder), created
    locked after removing stale ones (module doc); removed by :meth:`close`, or when the
    object is garbage-collected or the interpreter exits, whichever comes first. Raises
    :class:`~xlperf.errors.SpoolError` when the folder cannot be created."""

    def __init__(self, parent: str | None = None) -> None:
        parent = parent or tempfile.gettempdir()
        remove_stale(parent)
        try:
            self.path, lock = locked_tempdir(PREFIX, parent)
        except OSError as exc:
            raise SpoolError(f"无法在临时文件夹 {parent} 中建立汇总用的临时文件：{exc.strerror or exc}") from exc
        self._fds: dict[str, int] = {}
        self._remove = weakref.finalize(self, _remove, self.path, lock, self._fds)

    def read(self, ref: SpoolRef) -> pa.RecordBatch:
        """The record batch at *ref*. Raises :class:`~xlperf.errors.SpoolError` when the
        spool cannot be read."""
        import pyarrow as pa

        try:
            fd = self._fds.get(ref.file)
            if fd is None:
                fd = self._fds[ref.file] = os.open(os.path.join(self.path, ref.file), os.O_RDONLY)
            data = os.pread(fd, ref.length, ref.offset)
            if len(data) != ref.length:
                raise OSError(f"{ref.file}: {len(data)} of {ref.length} bytes")
            return pa.ipc.open_stream(pa.py_buffer(data)).read_next_batch()
        except (OSError, pa.ArrowException) as exc:
            raise SpoolError(f"汇总用的临时文件 {self.path} 无法读取：{exc}") from exc

    def close(self) -> None:
        """Remove the folder and everything in it (idempotent)."""
        self._remove()


def _remove(path: str, lock: int | None, fds: dict[str, int]) -> None:
    for fd in [*fds.values(), *([lock] if lock is not None else [])]:
        with contextlib.suppress(OSError):
            os.close(fd)
    fds.clear()
    shutil.rmtree(path, ignore_errors=True)


# -- the worker side -----------------------------------------------------------------------------
class _Appender:
    """This worker process's spool file in one spool folder."""

    def __init__(self, folder: str) -> None:
        self.name = f"part-{os.getpid()}-{secrets.token_hex(4)}.arrows"
        self.fd = os.open(os.path.join(folder, self.name), os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        self.size = 0

    def write(self, data: bytes) -> int:
        """Append *data* whole; its offset."""
        offset = self.size
        view = memoryview(data)
        try:
            while view:
                n = os.write(self.fd, view)
                view = view[n:]
        except OSError:
            self.size = os.fstat(self.fd).st_size  # a part may have been written: later offsets stay right
            raise
        self.size += len(data)
        return offset


_APPENDERS: dict[str, _Appender] = {}


def append(folder: str, batches: dict[str, pa.RecordBatch]) -> tuple[str, int, tuple[int, ...]]:
    """Append *batches* (table name -> batch) to this process's file in the spool
    *folder*, one IPC stream each, one after the other in the order given; returns the
    file's name, the offset of the first stream and each stream's length (what
    :func:`refs` turns back into :class:`SpoolRef`). Raises ``OSError`` (a full disk)."""
    import pyarrow as pa

    appender = _APPENDERS.get(folder)
    if appender is None:
        appender = _APPENDERS[folder] = _Appender(folder)
    streams: list[bytes] = []
    for batch in batches.values():
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, batch.schema) as writer:
            writer.write_batch(batch)
        streams.append(sink.getvalue().to_pybytes())
    offset = appender.write(b"".join(streams))
    return appender.name, offset, tuple(len(data) for data in streams)


def refs(file: str, offset: int, lengths: tuple[int, ...]) -> list[SpoolRef]:
    """The :class:`SpoolRef` of each stream :func:`append` wrote."""
    out = []
    for length in lengths:
        out.append(SpoolRef(file, offset, length))
        offset += length
    return out
