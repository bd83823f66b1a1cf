"""One file per consolidated table into a folder (``overview``, ``departments``,
``projects``, ``indicators``, ``department_indicators``, ``findings``, ``sources``; the
stems are the schema's table names): what the Parquet and CSV formats share."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable

from ...consolidate.ledger import record
from ...consolidate.tables import Consolidation, Table, tables
from ...errors import OutputError, os_reason
from ..atomic import atomic_path

__all__ = ["output_failure", "write_per_table"]


def output_failure(target: str, exc: OSError) -> OutputError:
    """The :class:`~xlperf.errors.OutputError` for *exc* while writing *target*, in
    Chinese, saying what to do when the disk is full."""
    reason = os_reason(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        reason += "，请清理输出文件夹或临时文件夹（TMPDIR）所在的磁盘后重试"
    return OutputError(f"写入 {target} 失败：{reason}，原文件未改动")


def write_per_table(result: Consolidation, folder: str, ext: str,
                    write: Callable[[Consolidation, Table, str], None]) -> list[str]:
    """``write(result, table, tmp_path)`` for each table into ``folder/<table>.<ext>``,
    atomically (a failure leaves any earlier file as it was), each recorded as the
    merge's own output (:mod:`xlperf.consolidate.ledger`). Returns the paths written;
    raises :class:`~xlperf.errors.OutputError` when a file cannot be written."""
    written = []
    for table in tables():
        target = os.path.join(folder, f"{table.name}.{ext}")
        with atomic_path(target) as tmp:
            try:
                write(result, table, tmp)
            except OSError as exc:
                raise output_failure(target, exc) from None
        written.append(target)
        record([target])
    return written
