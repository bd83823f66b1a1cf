"""CSV data files (``xlperf merge --csv DIR``): one file per table, UTF-8 with BOM so
Excel shows Chinese; full text, any number of rows, streamed from the merge's record
batches. A text starting with ``=`` ``+`` ``-`` ``@`` (or a tab / carriage return) gets a
leading ``'`` so Excel does not run it as a formula (docs/untrusted-input.md); amounts
are written as entered (``31.9``, ``250``), without trailing zeros."""

from __future__ import annotations

import codecs

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ...consolidate.tables import Consolidation, Table
from .tables import write_per_table

__all__ = ["write"]

_FORMULA_START = r"^[=+\-@\t\r]"


def write(result: Consolidation, folder: str) -> list[str]:
    """Write ``overview.csv`` … into *folder*; returns the paths (see
    :func:`~xlperf.writers.outputs.tables.write_per_table` for errors)."""
    return write_per_table(result, folder, "csv", _write_table)


def _csv_schema(schema: pa.Schema) -> pa.Schema:
    return pa.schema([(f.name, pa.string() if pa.types.is_decimal(f.type) else f.type) for f in schema])


def _safe(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    arrays = []
    for col in batch.columns:
        if pa.types.is_decimal(col.type):
            col = pc.replace_substring_regex(pc.cast(col, pa.string()), pattern=r"\.?0+$", replacement="")
        elif pa.types.is_string(col.type):
            col = pc.if_else(pc.match_substring_regex(col, _FORMULA_START), pc.binary_join_element_wise("'", col, ""), col)
        arrays.append(col)
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _write_table(result: Consolidation, table: Table, path: str) -> None:
    schema = _csv_schema(result.schema(table))
    with open(path, "wb") as fh:
        fh.write(codecs.BOM_UTF8)
        with pacsv.CSVWriter(fh, schema) as writer:
            for batch in result.batches(table):
                writer.write_batch(_safe(batch, schema))
