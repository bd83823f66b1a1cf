"""Exceptions: only for "cannot go on". Everything else is a Finding (docs/review-rules.md)."""

from __future__ import annotations

import errno

__all__ = ["BatchRefused", "NotATargetForm", "OutputError", "SpoolError", "UnreadableWorkbook", "XlperfError", "os_reason"]


def os_reason(exc: OSError) -> str:
    """*exc* as a reason for a message: a full disk (or a file-size limit) said in
    Chinese, anything else as the system says it."""
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return f"磁盘空间不足（{reason}）"
    return reason


class XlperfError(Exception):
    """Base class of xlperf's own exceptions."""


class UnreadableWorkbook(XlperfError):
    """A file that cannot be read at all (exit code 2 for that file).

    ``code`` is a stable kebab-case finding code (``file-encrypted``, ``zip-bomb`` ...),
    ``message`` says in Chinese what the file is and what to do, ``message_en`` the same
    in English. ``path`` is the file as given.
    """

    def __init__(self, code: str, message: str, message_en: str, *, path: str | None = None) -> None:
        super().__init__(f"{code}: {message_en}")
        self.code = code
        self.message = message
        self.message_en = message_en
        self.path = path

    def __reduce__(self) -> tuple[object, ...]:
        # Pickle by the constructor's own arguments: an ImportResult holding this error
        # crosses a process boundary in ``xlperf merge`` (the default reduce passes only
        # ``args`` back to ``__init__``, which needs three).
        return (_rebuild_unreadable, (self.code, self.message, self.message_en, self.path))


def _rebuild_unreadable(code: str, message: str, message_en: str, path: str | None) -> UnreadableWorkbook:
    return UnreadableWorkbook(code, message, message_en, path=path)


class NotATargetForm(UnreadableWorkbook):
    """A workbook that was read but holds no target form, only something else (a 绩效自评表,
    a scoring rubric, an allocation table): refused like an unreadable file (exit code 2,
    ``failed`` in a merge), the finding pointing at ``sheet`` / ``cell`` of the evidence."""

    def __init__(self, message: str, message_en: str, *, sheet: str | None = None, cell: str | None = None,
                 path: str | None = None) -> None:
        super().__init__("not-a-target-form", message, message_en, path=path)
        self.sheet = sheet
        self.cell = cell

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_refused, (self.message, self.message_en, self.sheet, self.cell, self.path))


def _rebuild_refused(message: str, message_en: str, sheet: str | None, cell: str | None,
                     path: str | None) -> NotATargetForm:
    return NotATargetForm(message, message_en, sheet=sheet, cell=cell, path=path)


class OutputError(XlperfError):
    """An output could not be written; any earlier file at the target is left intact."""


class SpoolError(XlperfError):
    """A merge cannot keep its rows in the temporary folder (full, not writable): the
    whole merge stops, nothing is written (the message says which folder and why)."""


class BatchRefused(XlperfError):
    """A merge refused before reading anything (an output would overwrite one of its
    inputs); the message says which and what to do."""
