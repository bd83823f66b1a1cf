"""Partitioned Parquet (``xlperf merge --parquet-dataset DIR``): each table as a
Hive-partitioned dataset by 省 and 年度, the layout DuckDB, Spark, Polars and pyarrow read
as it is, for merges of a whole country (README, national scale)::

    DIR/indicators/省=宁夏回族自治区/年度=2025/part-0.parquet
    DIR/projects/省=河北省/年度=2024/part-0.parquet
    DIR/findings/省=广东省/part-0.parquet            (问题 and 概览 have no 年度 column)

Every table is partitioned by the columns it has of (省, 年度); the partition columns are
then in the path, not in the files (readers add them back: DuckDB
``read_parquet('DIR/indicators/**/*.parquet', hive_partitioning = true)``). A row whose
省 or 年度 is unknown goes under ``省=__HIVE_DEFAULT_PARTITION__`` (read back as NULL). A
``/`` or ``\\`` in a submitted 省 becomes ``／`` (a value never makes a folder of its own),
and 省 are written as they are, not percent-encoded.
Types as in :mod:`xlperf.writers.outputs.parquet`; the rows stream from the spool.

Each table's dataset is written to a temporary folder beside it and then moved into
place: a failure leaves the earlier dataset of that table as it was.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from ...consolidate.tables import Consolidation, Table, tables
from .parquet import ROW_GROUP, RowGroups
from .tables import output_failure

__all__ = ["NULL_PARTITION", "PARTITION_BY", "write"]

#: the partition columns, in path order, of each table that has them
PARTITION_BY = ("省", "年度")
#: the folder name of an unknown value (Hive's, read back as NULL)
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
#: rows gathered in all partitions together before the largest is written as a row group
PENDING_ROWS = 2 * ROW_GROUP


def write(result: Consolidation, folder: str) -> list[str]:
    """Write each table of *result* as ``folder/<table>/…`` (module doc); returns the
    table folders. Raises :class:`~xlperf.errors.OutputError` when one cannot be written."""
    written = []
    for table in tables():
        target = os.path.join(folder, table.name)
        tmp = os.path.join(folder, f".{table.name}.{secrets.token_hex(6)}.tmp")
        try:
            os.makedirs(tmp)
            _write_table(result, table, tmp)
            _swap(tmp, target)
        except OSError as exc:
            raise output_failure(target, exc) from None
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        written.append(target)
    return written


def _segment(name: str, value: object) -> str:
    """The folder name of one partition value (module doc)."""
    if value is None:
        return f"{name}={NULL_PARTITION}"
    text = str(value).replace("/", "／").replace("\\", "／")
    return f"{name}={text if text.strip('.') else NULL_PARTITION}"


def _write_table(result: Consolidation, table: Table, tmp: str) -> None:
    """Stream the table's batches into one Parquet file per partition (writers kept
    open, each gathering its row groups: :class:`~xlperf.writers.outputs.parquet.RowGroups`;
    past :data:`PENDING_ROWS` gathered in all, the largest is written out)."""
    schema = result.schema(table)
    keys = [k for k in PARTITION_BY if k in schema.names]
    data_schema = pa.schema([f for f in schema if f.name not in keys])
    parts: dict[tuple, tuple[pq.ParquetWriter, RowGroups]] = {}
    try:
        for batch in result.batches(table):
            values = list(zip(*(batch.column(k).to_pylist() for k in keys))) if keys else [()] * batch.num_rows
            data = batch.select(data_schema.names)
            for part in dict.fromkeys(values):
                rows = data.filter(pa.array([v == part for v in values])) if len(set(values)) > 1 else data
                if part not in parts:
                    folder = os.path.join(tmp, *(_segment(k, v) for k, v in zip(keys, part)))
                    os.makedirs(folder, exist_ok=True)
                    writer = pq.ParquetWriter(os.path.join(folder, "part-0.parquet"), data_schema)
                    parts[part] = (writer, RowGroups(data_schema, writer.write_table))
                parts[part][1].add(rows)
            while sum(g.rows for _, g in parts.values()) > PENDING_ROWS:  # many partitions: a budget for them all
                max((g for _, g in parts.values()), key=lambda g: g.rows).close()
        if not parts:  # no rows at all: an empty file keeps the schema
            pq.write_table(data_schema.empty_table(), os.path.join(tmp, "part-0.parquet"))
        for _, groups in parts.values():
            groups.close()
    finally:
        for writer, _ in parts.values():
            writer.close()


def _swap(tmp: str, target: str) -> None:
    """Move the dataset *tmp* onto *target* (the earlier one removed after)."""
    old = None
    if os.path.exists(target):
        old = f"{target}.{secrets.token_hex(6)}.old"
        os.replace(target, old)
    try:
        os.replace(tmp, target)
    except OSError:
        if old is not None:
            with contextlib.suppress(OSError):
                os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
