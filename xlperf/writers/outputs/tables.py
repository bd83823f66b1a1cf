"""One file per consolidated table into a folder (``overview``, ``departments``,
``projects``, ``indicators``, ``department_indicators``, ``findings``, ``sources``; the
stems are the schema's table names): what the Parquet and CSV formats share."""

from __future__ import annotations

import os
from collections.abc import Callable

import pandas as pd

from ...consolidate.tables import Consolidation
from ..atomic import atomic_path, write_failed

__all__ = ["write_per_table"]


def write_per_table(result: Consolidation, folder: str, ext: str, write: Callable[[pd.DataFrame, str], None]) -> list[str]:
    """``write(df, tmp_path)`` for each table into ``folder/<table>.<ext>``, atomically
    (a failure leaves any earlier file as it was). Returns the paths written; raises
    :class:`~xlperf.errors.OutputError` when a file cannot be written."""
    written = []
    for _, table, df in result.sheets():
        target = os.path.join(folder, f"{table}.{ext}")
        with atomic_path(target) as tmp:
            try:
                write(df, tmp)
            except OSError as exc:
                raise write_failed(target, exc) from exc
        written.append(target)
    return written
