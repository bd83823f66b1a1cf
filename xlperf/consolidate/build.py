"""The consolidated tables of ``xlperf merge``, streamed from the spool.

:class:`SpooledConsolidation` is the :class:`~xlperf.consolidate.tables.Consolidation`
a merge returns: the merge's per-file results (:class:`SourceFile`, each with the
:class:`~xlperf.consolidate.flatten.FileSummary` its worker returned) in memory, the
rows of 项目, 指标, 部门指标, 部门 and 问题 in the spool (:mod:`xlperf.consolidate.spool`),
read back one file at a time, in input order, when an output asks for them. 概览 and
来源 are built from the summaries. Values: ``str``, ``int``, :class:`~decimal.Decimal`
(amounts in 万元) or ``None``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from ..model import Finding
from .flatten import FileSummary
from .spool import SpoolFolder
from .tables import (
    DEPARTMENTS,
    FINDINGS,
    OVERVIEW,
    SOURCES,
    Consolidation,
    Table,
    department_columns,
    record_batch,
)

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["STATUS_ZH", "SourceFile", "SpooledConsolidation", "local_time"]

STATUS_ZH = {"imported": "已导入", "replaced": "已被替代", "duplicate": "重复", "failed": "无法读取"}
_SEVERITY_ZH = {"error": "错误", "warning": "警告"}
_CHUNK = 10_000  # rows per batch of the tables built in memory
#: the tables whose row counts each file's summary carries (a field of FileSummary by table name)
_COUNTED = frozenset({"projects", "indicators", "department_indicators", "departments"})


def local_time(ns: int) -> str:
    """A file time (ns since the epoch) as local ``YYYY-MM-DD HH:MM:SS``; a time no
    calendar date holds (past the year 9999: some file systems and archives allow it)
    as ``约公元 11476 年（超出范围）``."""
    try:
        return datetime.fromtimestamp(ns / 1e9).strftime("%Y-%m-%d %H:%M:%S")
    except (ValueError, OverflowError, OSError):
        year = 1970 + math.floor(ns / 1e9 / 31_556_952)
        return f"约公元 {year} 年（超出范围）"


@dataclass(slots=True)
class SourceFile:
    """One input file as the merge sees it: ``path``, modification time (ns), the
    manifest row that set its region / year, its :class:`FileSummary` once imported
    (``None`` when its worker died or overran), ``status`` (imported / replaced /
    duplicate / failed) and the ``reason``; ``extra`` are the merge's own findings
    about it (duplicate, replaced, key conflict, crashed); ``changes`` what the file
    that replaced it changed (one line, for the 来源 sheet)."""


    path: str
    mtime: int | None
    manifest_row: str | None = None
    summary: FileSummary | None = None
    status: str = "imported"
    reason: str = ""
    extra: list[Finding] = field(default_factory=list)
    changes: str | None = None  # a replaced file: what its replacement changed, in one line


    @property
    def sha256(self) -> str | None:
        """sha256 of the bytes imported (``None`` when nothing was read)."""
        return self.summary.sha256 if self.summary is not None else None

    @property
    def kept(self) -> bool:
        """Whether the file's rows are consolidated."""
        return self.status == "imported" and self.summary is not None and self.summary.failure is None

    @property
    def listed(self) -> bool:
        """Whether its own findings are listed in 问题 (a duplicate's are its twin's)."""
        return self.summary is not None and self.status != "duplicate"

    def counts(self) -> tuple[int, int]:
        """(errors, warnings) among its findings listed in 问题."""
        s = self.summary
        own = (s.errors, s.warnings) if s is not None and self.listed else (0, 0)
        extra_errors = sum(f.severity == "error" for f in self.extra)
        return own[0] + extra_errors, own[1] + len(self.extra) - extra_errors

    def finding_count(self) -> int:
        """Its rows in 问题."""
        return (self.summary.findings if self.listed else 0) + len(self.extra)  # type: ignore[union-attr]


def _merge_finding_row(f: Finding, inp: SourceFile | None) -> tuple:
    s = inp.summary if inp is not None else None
    region = s.region[:3] if s is not None and s.region is not None else (None, None, None)
    return FINDINGS.row(_SEVERITY_ZH.get(f.severity, f.severity), f.code, f.message, *region,
                        s.department if s is not None else None, None, f.file, f.sheet, f.cell, f.text,
                        STATUS_ZH[inp.status] if inp is not None else None)


class SpooledConsolidation(Consolidation):
    """The consolidation of *inputs* (in input order) plus the merge's own findings that
    belong to no input file (manifest problems, no files found), their rows in *spool*
    (module doc). ``scratch`` is a folder for the writers' temporary files, removed by
    :meth:`close`."""

    def __init__(self, inputs: list[SourceFile], merge_findings: list[Finding], spool: SpoolFolder | None) -> None:
        self._inputs = inputs
        self._merge_findings = merge_findings
        self._spool = spool
        self.scratch = spool.path if spool is not None else None
        self._kept = [i for i in inputs if i.kept]
        self._department_headers = department_columns(dict.fromkeys(i.summary.department_headers)  # type: ignore[union-attr]
                                                      for i in self._kept if i.summary.department_headers)  # type: ignore[union-attr]
        self._overview = _overview(self._kept)
        failed = any(i.status == "failed" for i in inputs) or not inputs
        errors = any(i.counts()[0] for i in self._kept) or any(f.severity == "error" for f in merge_findings)
        self.exit_code = 2 if failed else (1 if errors else 0)

    def close(self) -> None:
        """Remove the spool (idempotent)."""
        if self._spool is not None:
            self._spool.close()
            self._spool = None

    def headers(self, table: Table) -> list[str]:
        """The column headers of *table* (部门's item columns as the submissions hold them)."""
        return self._department_headers if table.name == DEPARTMENTS.name else table.headers

    def count(self, table: Table) -> int:
        """How many rows *table* has (without reading the spool). Raises KeyError for a table
        not consolidated."""
        name = table.name
        if name == OVERVIEW.name:
            return len(self._overview)
        if name == SOURCES.name:
            return len(self._inputs)
        if name == FINDINGS.name:
            return sum(i.finding_count() for i in self._inputs) + len(self._merge_findings)
        if name not in _COUNTED:
            raise KeyError(name)
        return sum(getattr(i.summary, name) for i in self._kept)

    def batches(self, table: Table) -> Iterator[pa.RecordBatch]:
        """*table*'s rows as Arrow record batches: 概览, 来源, 问题 and 部门 built here, the
        other tables read back from the spool, file by file, for the kept files only."""
        name = table.name
        if name == OVERVIEW.name:
            yield from _chunks(table, self._overview)
        elif name == SOURCES.name:
            yield from _chunks(table, (_source_row(i) for i in self._inputs))
        elif name == FINDINGS.name:
            yield from self._findings()
        elif name == DEPARTMENTS.name:
            yield from self._departments()
        else:
            for inp in self._kept:
                ref = inp.summary.ref(name)  # type: ignore[union-attr]
                if ref is not None:
                    yield self._read(ref)

    def _read(self, ref: object) -> pa.RecordBatch:
        if self._spool is None:
            raise RuntimeError("the consolidation is closed")
        return self._spool.read(ref)  # type: ignore[arg-type]

    def _departments(self) -> Iterator[pa.RecordBatch]:
        """Each kept file's 部门 row on the union of item columns, with its 问题数."""
        import pyarrow as pa

        schema = self.schema(DEPARTMENTS)
        count_header = DEPARTMENTS.header("findings_count")
        for inp in self._kept:
            ref = inp.summary.ref(DEPARTMENTS.name)  # type: ignore[union-attr]
            if ref is None:
                continue
            batch = self._read(ref)
            arrays = []
            for f in schema:
                if f.name == count_header:
                    arrays.append(pa.array([inp.finding_count()] * batch.num_rows, type=f.type))
                elif f.name in batch.schema.names:
                    arrays.append(batch.column(f.name).cast(f.type))
                else:
                    arrays.append(pa.nulls(batch.num_rows, type=f.type))
            yield pa.RecordBatch.from_arrays(arrays, schema=schema)

    def _findings(self) -> Iterator[pa.RecordBatch]:
        """Per input in order: its own findings (spooled) then the merge's about it; then
        the merge's findings that belong to no input."""
        import pyarrow as pa

        status_type = pa.string()
        for inp in self._inputs:
            ref = inp.summary.ref(FINDINGS.name) if inp.listed else None  # type: ignore[union-attr]
            if ref is not None:
                batch = self._read(ref)
                yield batch.append_column(FINDINGS.header("file_status"),
                                          pa.array([STATUS_ZH[inp.status]] * batch.num_rows, type=status_type))
            if inp.extra:
                yield record_batch(FINDINGS, FINDINGS.headers, [_merge_finding_row(f, inp) for f in inp.extra])
        if self._merge_findings:
            yield from _chunks(FINDINGS, (_merge_finding_row(f, None) for f in self._merge_findings))


def _chunks(table: Table, rows: Iterable[Sequence[object]]) -> Iterator[pa.RecordBatch]:
    """Python rows of *table* as record batches of at most :data:`_CHUNK` rows."""
    chunk: list[Sequence[object]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == _CHUNK:
            yield record_batch(table, table.headers, chunk)
            chunk = []
    if chunk:
        yield record_batch(table, table.headers, chunk)


def _source_row(inp: SourceFile) -> tuple:
    s = inp.summary if inp.summary is not None and inp.summary.failure is None else None
    region = s.region if s is not None and s.region is not None else (None,) * 4
    return SOURCES.row(inp.path, inp.sha256, inp.status, STATUS_ZH[inp.status], inp.reason or None, *region,
                       s.department if s else None, s.year if s else None, s.fill_date if s else None,
                       local_time(inp.mtime) if inp.mtime is not None else None,
                       inp.manifest_row or ("工作簿内容" if s else None),
                       s.projects if s else 0, s.indicators if s else 0, s.department_indicators if s else 0,
                       *inp.counts(), inp.changes)



def _overview(kept: list[SourceFile]) -> list[tuple]:
    acc: dict[tuple, dict] = {}
    for inp in kept:
        s = inp.summary
        key = s.region[:3] if s.region is not None else (None, None, None)  # type: ignore[union-attr]
        a = acc.setdefault(key, {"depts": set(), "projects": 0, "amount": None, "unread": 0, "ind": 0, "dind": 0,
                                 "errors": 0, "warnings": 0})
        a["depts"].add(s.department)  # type: ignore[union-attr]
        a["projects"] += s.projects  # type: ignore[union-attr]
        if s.amount_total is not None:  # type: ignore[union-attr]
            a["amount"] = (a["amount"] or Decimal(0)) + s.amount_total  # type: ignore[union-attr]
        a["unread"] += s.amount_unread  # type: ignore[union-attr]
        a["ind"] += s.indicators  # type: ignore[union-attr]
        a["dind"] += s.department_indicators  # type: ignore[union-attr]
        errors, warnings = inp.counts()
        a["errors"] += errors
        a["warnings"] += warnings
    order = sorted(acc, key=lambda k: tuple(x or "" for x in k))
    return [OVERVIEW.row(*k, len(acc[k]["depts"]), acc[k]["projects"], acc[k]["amount"], acc[k]["unread"],
                         acc[k]["ind"], acc[k]["dind"], acc[k]["errors"], acc[k]["warnings"]) for k in order]
