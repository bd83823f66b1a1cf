"""The files ``xlperf merge`` wrote, recorded beside them, so that a later merge over
that folder recognises its own output by something a submission cannot forge: the
sha256 of the bytes written (a document property or a sheet name can be typed into
any workbook, and a submission carrying them must never be skipped).

Each folder an output went to holds ``.xlperf-merge-outputs`` (hidden: discovery never
takes it for a submission), one line per file written: ``<sha256> <size> <name>``, the
newest :data:`MAX_ENTRIES` kept. A copy of the output elsewhere, or a folder where the
ledger could not be written, is simply not recognised: the merge then reads the file
and lists it like any other, never skips it silently.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from collections.abc import Iterable

__all__ = ["LEDGER", "MAX_ENTRIES", "parse", "record"]

LEDGER = ".xlperf-merge-outputs"
MAX_ENTRIES = 1_000
#: a ledger larger than this is not one xlperf wrote: ignored
MAX_LEDGER_BYTES = 1 << 20


def parse(data: bytes) -> dict[int, set[str]]:
    """A ledger's bytes -> file size -> the sha256s recorded with that size (lines that
    are not ``<64 hex> <size> <name>`` are ignored)."""
    out: dict[int, set[str]] = {}
    for line in data.decode("utf-8", "replace").splitlines():
        parts = line.split(" ", 2)
        if len(parts) >= 2 and len(parts[0]) == 64 and parts[1].isdigit():
            out.setdefault(int(parts[1]), set()).add(parts[0].lower())
    return out


def _sha256(path: str) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
            size += len(block)
    return h.hexdigest(), size


def record(paths: Iterable[str]) -> None:
    """Record the files at *paths* (just written by the merge) in their folders'
    ledgers. Never raises: an output that cannot be recorded is only not recognised
    later (module doc)."""
    for path in paths:
        with contextlib.suppress(OSError):
            sha, size = _sha256(path)
            folder = os.path.dirname(os.path.abspath(path))
            ledger = os.path.join(folder, LEDGER)
            line = f"{sha} {size} {os.path.basename(path)}\n".encode()
            flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
            fd = os.open(ledger, flags, 0o644)
            try:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    continue
                os.write(fd, line)  # one short write with O_APPEND: lines of concurrent merges do not mix
                too_long = os.fstat(fd).st_size > MAX_LEDGER_BYTES // 2
            finally:
                os.close(fd)
            if too_long:
                _trim(ledger)


def _trim(ledger: str) -> None:
    """Keep the newest :data:`MAX_ENTRIES` lines (rewritten beside, then moved)."""
    with open(ledger, "rb") as fh:
        lines = fh.read(MAX_LEDGER_BYTES).splitlines(keepends=True)[-MAX_ENTRIES:]
    tmp = f"{ledger}.{os.getpid()}.tmp"
    with open(tmp, "wb") as fh:
        fh.writelines(lines)
    os.replace(tmp, ledger)
