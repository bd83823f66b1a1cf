"""CSV data files (``xlperf merge --csv DIR``): one file per table, UTF-8 with BOM so
Excel shows Chinese; full text, any number of rows. A text starting with ``=`` ``+``
``-`` ``@`` gets a leading ``'`` so Excel does not run it as a formula
(docs/untrusted-input.md)."""

from __future__ import annotations

import pandas as pd

from ...consolidate.tables import Consolidation
from .tables import write_per_table

__all__ = ["write"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write(result: Consolidation, folder: str) -> list[str]:
    """Write ``overview.csv`` … into *folder*; returns the paths (see
    :func:`~xlperf.writers.outputs.tables.write_per_table` for errors)."""
    return write_per_table(result, folder, "csv",
                           lambda df, tmp: _csv_safe(df).to_csv(tmp, index=False, encoding="utf-8-sig"))


def _csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        out[col] = [("'" + v) if type(v) is str and v.startswith(_FORMULA_START) else v for v in out[col]]
    return out
