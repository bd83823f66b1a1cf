"""Parquet data files (``xlperf merge --parquet DIR``): one file per table, written with
pyarrow from the merge's record batches as they stream; amounts and numbers are
``decimal128(38, 18)``, counts and years ``int64``, text is kept whole, any number of
rows (row groups of :data:`ROW_GROUP` rows, memory about one row group)."""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
import pyarrow.parquet as pq

from ...consolidate.tables import Consolidation, Table
from .tables import write_per_table

__all__ = ["ROW_GROUP", "RowGroups", "write", "write_table"]

#: rows per row group (about 16 MB of indicator rows: what the writer holds at most)
ROW_GROUP = 16_384
#: batches gathered before they are compacted into one
COMPACT_EVERY = 64


def write(result: Consolidation, folder: str) -> list[str]:
    """Write ``overview.parquet`` … into *folder*; returns the paths (see
    :func:`~xlperf.writers.outputs.tables.write_per_table` for errors)."""
    return write_per_table(result, folder, "parquet", write_table)


class RowGroups:
    """Record batches gathered into row groups of :data:`ROW_GROUP` rows, each handed to
    *flush* as a table. The merge's batches are small (one file's rows) and each carries
    its own buffers, so every :data:`COMPACT_EVERY` batches the gathered rows are copied
    into one compact batch: memory stays at about one row group of plain data."""

    def __init__(self, schema: pa.Schema, flush: Callable[[pa.Table], None]) -> None:
        self.schema = schema
        self.flush = flush
        self.pending: list[pa.RecordBatch] = []
        self.rows = 0
        self.written = 0

    def add(self, batch: pa.RecordBatch) -> None:
        """Gather *batch*; a full row group is flushed."""
        self.pending.append(batch)
        self.rows += batch.num_rows
        if self.rows >= ROW_GROUP:
            self.close()
        elif len(self.pending) >= COMPACT_EVERY:
            self.pending = pa.Table.from_batches(self.pending, schema=self.schema).combine_chunks().to_batches()

    def close(self) -> None:
        """Flush what is gathered as a row group (an empty table if nothing ever was)."""
        if self.pending or not self.written:
            self.flush(pa.Table.from_batches(self.pending, schema=self.schema))
            self.written += 1
        self.pending, self.rows = [], 0


def write_table(result: Consolidation, table: Table, path: str) -> None:
    """One table of *result* to the Parquet file *path*, streamed (:class:`RowGroups`).
    Raises ``OSError``."""
    schema = result.schema(table)
    with pq.ParquetWriter(path, schema) as writer:
        groups = RowGroups(schema, writer.write_table)
        for batch in result.batches(table):
            groups.add(batch)
        groups.close()
