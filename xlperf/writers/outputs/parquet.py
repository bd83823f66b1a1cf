"""Parquet data files (``xlperf merge --parquet DIR``): one file per table, written with
pyarrow; amounts stay decimals, text is kept whole, any number of rows."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ...consolidate.tables import Consolidation
from .tables import write_per_table

__all__ = ["write"]


def write(result: Consolidation, folder: str) -> list[str]:
    """Write ``overview.parquet`` … into *folder*; returns the paths (see
    :func:`~xlperf.writers.outputs.tables.write_per_table` for errors)."""
    return write_per_table(result, folder, "parquet", lambda df, tmp: pq.write_table(_arrow(df), tmp))


def _arrow(df: pd.DataFrame) -> pa.Table:
    """DataFrame of Python values -> Arrow table, column by column; a column pyarrow
    cannot type (mixed values) is stored as text rather than lost."""
    arrays = []
    for col in df.columns:
        values = list(df[col])
        try:
            arrays.append(pa.array(values))
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            arrays.append(pa.array([None if v is None else str(v) for v in values], type=pa.string()))
    return pa.Table.from_arrays(arrays, names=[str(c) for c in df.columns])
