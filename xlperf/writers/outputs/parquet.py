"""Parquet data files (``xlperf merge --parquet DIR``): one file per table, written with
pyarrow from the merge's record batches as they stream; amounts and numbers are
``decimal128(38, 18)``, counts and years ``int64``, text is kept whole, any number of
rows (row groups of :data:`ROW_GROUP` rows)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from ...consolidate.tables import Consolidation, Table
from .tables import write_per_table

__all__ = ["ROW_GROUP", "write", "write_table"]

ROW_GROUP = 65_536


def write(result: Consolidation, folder: str) -> list[str]:
    """Write ``overview.parquet`` … into *folder*; returns the paths (see
    :func:`~xlperf.writers.outputs.tables.write_per_table` for errors)."""
    return write_per_table(result, folder, "parquet", write_table)


def write_table(result: Consolidation, table: Table, path: str) -> None:
    """One table of *result* to the Parquet file *path*, streamed: at most
    :data:`ROW_GROUP` rows in memory. Raises ``OSError``."""
    schema = result.schema(table)
    with pq.ParquetWriter(path, schema) as writer:
        pending: list[pa.RecordBatch] = []
        rows = 0
        for batch in result.batches(table):
            pending.append(batch)
            rows += batch.num_rows
            if rows >= ROW_GROUP:
                writer.write_table(pa.Table.from_batches(pending, schema=schema))
                pending, rows = [], 0
        writer.write_table(pa.Table.from_batches(pending, schema=schema))
