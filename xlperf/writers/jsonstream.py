"""JSON written as the items come (``xlperf import --json FILE`` / ``--jsonl FILE`` /
``--format json``), so that memory does not grow with the number of files.

:class:`JsonItems` writes items to an open text stream as one JSON value: an array
(``[`` at the start, ``,`` between items, ``]`` at the end), the one item itself when
``single`` (``xlperf import`` of one file writes the Submission object, not an array of
one; ``[]`` when that file gave nothing), or JSON Lines (one item per line). Each item
is serialised by the caller's *dump* (``Submission.model_dump_json``: pydantic's own
serializer). :func:`json_file` does the same into a file written atomically
(:mod:`xlperf.writers.atomic`): a failure (a full disk) stops writing that file, keeps
the earlier file as it was, and is reported when the file is closed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TextIO, TypeVar

from ..errors import OutputError
from ..model import Submission
from .atomic import atomic_path

__all__ = ["JsonItems", "dump_submission", "json_file", "tee_submissions"]

T = TypeVar("T")


def dump_submission(sub: Submission, *, indent: int | None = 2) -> str:
    """One Submission as JSON by pydantic's serializer (UTF-8 text, not escaped)."""
    return sub.model_dump_json(indent=indent)


class JsonItems:
    """Items written to *fh* as one JSON value as they come (module doc)."""

    def __init__(self, fh: TextIO, dump: Callable[[Any], str], *, single: bool = False, lines: bool = False) -> None:
        self.fh = fh
        self.dump = dump
        self.single = single
        self.lines = lines
        self.count = 0

    def add(self, item: object) -> None:
        """Write one item (``OSError`` when the stream cannot take it)."""
        text = self.dump(item)
        if self.lines:
            self.fh.write(text.replace("\n", " ") + "\n")
        elif self.single:
            if self.count:
                raise ValueError("a single JSON value holds one item")
            self.fh.write(text)
        else:
            self.fh.write(("[\n  " if not self.count else ",\n  ") + text.replace("\n", "\n  "))
        self.count += 1

    def finish(self) -> None:
        """Close the JSON value (``[]`` when no item came and it is not JSON Lines)."""
        if self.lines:
            return
        if not self.count:
            self.fh.write("[]\n")
        else:
            self.fh.write("\n" if self.single else "\n]\n")


class _FileItems(JsonItems):
    """A :class:`JsonItems` over a file written atomically; ``error`` once it failed."""

    error: str | None = None

    def add(self, item: object) -> None:
        if self.error is not None:
            return
        try:
            super().add(item)
        except OSError as exc:
            self.error = exc.strerror or str(exc)


@contextlib.contextmanager
def json_file(target: str, dump: Callable[[Any], str], *, single: bool = False, lines: bool = False) -> Iterator[JsonItems]:
    """A :class:`JsonItems` writing to *target*, moved into place when the block ends
    without error. Raises :class:`~xlperf.errors.OutputError` (the earlier *target*
    unchanged, no temporary file left) when the file could not be written; an exception
    of the block discards the file and propagates."""
    with atomic_path(target) as tmp:
        with open(tmp, "w", encoding="utf-8") as fh:
            items = _FileItems(fh, dump, single=single, lines=lines)
            yield items
            if items.error is None:
                try:
                    items.finish()
                    fh.flush()
                except OSError as exc:
                    items.error = exc.strerror or str(exc)
        if items.error is not None:
            raise OutputError(f"写入 {target} 失败：{items.error}，原文件未改动")


def tee_submissions(results: Iterable[T], sinks: list[JsonItems]) -> Iterator[T]:
    """Pass *results* (objects with a ``submission``) through, writing each one's
    Submission, when it has one, to every sink on the way."""
    for r in results:
        sub = getattr(r, "submission", None)
        if sub is not None:
            for sink in sinks:
                sink.add(sub)
        yield r
