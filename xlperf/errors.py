"""Exceptions: only for "cannot go on". Everything else is a Finding (docs/review-rules.md)."""

from __future__ import annotations

import errno

__all__ = ["BatchRefused", "InputError", "NotATargetForm", "OutputError", "SpoolError", "UnreadableWorkbook", "XlperfError",
           "os_reason"]


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


class InputError(XlperfError):
    """What a user gave cannot be used: an option value (``--year 1``), a path (a folder
    where a file is needed, ``-o t.csv`` for a workbook) or the JSON given to ``xlperf
    fill``. ``str(exc)`` is the Chinese message naming the option or file and the field,
    and saying what to do; the CLI prints it and exits with code 2."""


#: errno -> the Chinese reason a clerk reads (``[Errno 2] No such file or directory`` is not for them)
_OS_REASONS = {
    errno.ENOENT: "找不到该文件或文件夹",
    errno.EACCES: "没有访问权限",
    errno.EPERM: "没有访问权限",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.ENOTDIR: "路径中有一级不是文件夹",
    errno.ENOSPC: "磁盘空间已满",
    errno.EDQUOT: "磁盘配额已用完",
    errno.EFBIG: "文件超出大小上限",
    errno.EROFS: "所在位置是只读的",
    errno.ENAMETOOLONG: "文件名太长",
    errno.EEXIST: "文件已存在",
    errno.EBUSY: "文件正被其他程序使用",
    errno.ETXTBSY: "文件正被其他程序使用",
    errno.EMFILE: "同时打开的文件太多",
    errno.EIO: "读写磁盘出错",
    errno.EINVAL: "文件名或路径不正确",
    errno.EAGAIN: "系统暂时不能再启动进程（进程数已达上限）",
    errno.ENOMEM: "内存不足",
}


def os_reason(exc: OSError) -> str:
    """The Chinese reason of an operating-system error (``磁盘空间已满``), without the
    ``[Errno 28]`` prefix or the English strerror; an errno not in the table gives the
    system's own text (``strerror``), else the exception's text."""
    reason = _OS_REASONS.get(exc.errno) if exc.errno is not None else None
    if reason is None and getattr(exc, "winerror", None) == 32:  # Windows: file locked by Excel
        reason = "文件正被其他程序（如 Excel）打开"
    return reason or exc.strerror or str(exc)


class SpoolError(XlperfError):
    """A merge cannot keep its rows in the temporary folder (full, not writable): the
    whole merge stops, nothing is written (the message says which folder and why)."""


class BatchRefused(XlperfError):
    """A merge refused before reading anything (an output would overwrite one of its
    inputs); the message says which and what to do."""
