"""The consolidated tables of ``xlperf merge`` as pandas DataFrames.

:func:`build_tables` turns the merge's per-file results (:class:`SourceFile`, named rows
from :mod:`xlperf.consolidate.flatten`) into a
:class:`~xlperf.consolidate.tables.Consolidation`, one DataFrame per sheet, with the
columns of the schema (:mod:`xlperf.consolidate.tables`); cells hold ``str``, ``int``,
:class:`~decimal.Decimal` (amounts in 万元) or ``None`` (``dtype=object``, so nothing is
turned into a float NaN).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import pandas as pd

from ..model import Finding
from .flatten import FileRows
from .tables import (
    DEPARTMENT_INDICATORS,
    FINDINGS,
    INDICATORS,
    OVERVIEW,
    SOURCES,
    Consolidation,
    Table,
    department_columns,
    projects_table,
)

__all__ = ["STATUS_ZH", "SourceFile", "build_tables", "local_time"]

STATUS_ZH = {"imported": "已导入", "replaced": "已被替代", "duplicate": "重复", "failed": "无法读取"}
_SEVERITY_ZH = {"error": "错误", "warning": "警告"}


def local_time(ns: int) -> str:
    """A file time (ns since the epoch) as local ``YYYY-MM-DD HH:MM:SS``."""
    return datetime.fromtimestamp(ns / 1e9).strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class SourceFile:
    """One input file as the merge sees it: ``path``, ``sha256``, modification time
    (ns), the manifest row that set its region / year, its :class:`FileRows` once
    imported, ``status`` (imported / replaced / duplicate / failed) and the ``reason``;
    ``extra`` are the merge's own findings about it, each with the 项目名称 it concerns;
    ``changes`` what the file that replaced it changed (one line, for the 来源 sheet)."""

    path: str
    sha256: str | None
    mtime: int | None
    manifest_row: str | None = None
    rows: FileRows | None = None
    status: str = "imported"
    reason: str = ""
    extra: list[tuple[Finding, str | None]] = field(default_factory=list)  # the merge's findings, with 项目名称
    changes: str | None = None  # a replaced file: what its replacement changed, in one line

    def findings(self) -> list[tuple[Finding, str | None]]:
        """Every finding of this file with the project it points into (or ``None``)."""
        own = list(zip(self.rows.findings, self.rows.finding_projects, strict=True)) if self.rows else []
        return own + self.extra


def _frame(rows: Iterable[tuple] | Iterable[list], table: Table | list[str]) -> pd.DataFrame:
    columns = table.headers if isinstance(table, Table) else table
    return pd.DataFrame(list(rows), columns=columns, dtype=object)


def build_tables(inputs: list[SourceFile], merge_findings: list[Finding]) -> Consolidation:
    """The :class:`Consolidation` of *inputs* (in input order) plus the merge's own
    findings that belong to no input file (manifest problems, no files found)."""
    kept = [i for i in inputs if i.status == "imported" and i.rows is not None]
    finding_rows, per_file = [], {}
    for inp in inputs:
        pairs = inp.findings()
        per_file[inp.path] = [f for f, _ in pairs]
        finding_rows.extend(_finding_row(f, inp, project) for f, project in pairs)
    finding_rows.extend(_finding_row(f, None, None) for f in merge_findings)
    dept_rows = []
    for inp in kept:
        for row in inp.rows.departments:  # type: ignore[union-attr]
            dept_rows.append({**row, "问题数": len(per_file[inp.path])})
    dept_cols = department_columns(dept_rows)
    counted = [f for i in kept for f in per_file[i.path]] + merge_findings
    failed = any(i.status == "failed" for i in inputs) or not inputs
    return Consolidation(
        overview=_overview(kept, per_file),
        departments=_frame(([r.get(c) for c in dept_cols] for r in dept_rows), dept_cols),
        projects=_frame((row for i in kept for row in i.rows.projects), projects_table()),  # type: ignore[union-attr]
        indicators=_frame((row for i in kept for row in i.rows.indicators), INDICATORS),  # type: ignore[union-attr]
        department_indicators=_frame((row for i in kept for row in i.rows.department_indicators),  # type: ignore[union-attr]
                                     DEPARTMENT_INDICATORS),
        findings=_frame(finding_rows, FINDINGS),
        sources=_frame((_source_row(i, per_file[i.path]) for i in inputs), SOURCES),
        exit_code=2 if failed else (1 if any(f.severity == "error" for f in counted) else 0),
    )


def _region(inp: SourceFile | None) -> tuple:
    r = inp.rows if inp is not None else None
    if r is None or r.region is None:
        return (None, None, None, None)
    return (r.region.province, r.region.city, r.region.county, r.department)


def _finding_row(f: Finding, inp: SourceFile | None, project: str | None) -> tuple:
    return FINDINGS.row(_SEVERITY_ZH.get(f.severity, f.severity), f.code, f.message, *_region(inp), project, f.file,
                        f.sheet, f.cell, f.text, STATUS_ZH[inp.status] if inp is not None else None)


def _counts(fs: list[Finding]) -> tuple[int, int]:
    """(errors, warnings) among *fs*."""
    return sum(f.severity == "error" for f in fs), sum(f.severity == "warning" for f in fs)


def _source_row(inp: SourceFile, fs: list[Finding]) -> tuple:
    r = inp.rows if inp.status != "failed" else None
    region = r.region if r is not None and r.region is not None else None
    return SOURCES.row(inp.path, inp.sha256, inp.status, STATUS_ZH[inp.status], inp.reason or None,
                       *((region.province, region.city, region.county, region.division_code) if region else (None,) * 4),
                       r.department if r else None, r.year if r else None, r.fill_date if r else None,
                       local_time(inp.mtime) if inp.mtime is not None else None,
                       inp.manifest_row or ("工作簿内容" if r else None),
                       len(r.projects) if r else 0, len(r.indicators) if r else 0,
                       len(r.department_indicators) if r else 0, *_counts(fs), inp.changes)


def _overview(kept: list[SourceFile], per_file: dict[str, list[Finding]]) -> pd.DataFrame:
    acc: dict[tuple, dict] = {}
    for inp in kept:
        r = inp.rows
        key = (r.region.province, r.region.city, r.region.county)  # type: ignore[union-attr]
        a = acc.setdefault(key, {"depts": set(), "projects": 0, "amount": None, "unread": 0, "ind": 0, "dind": 0,
                                 "errors": 0, "warnings": 0})
        a["depts"].add(r.department)
        a["projects"] += len(r.projects)
        if r.amount_total is not None:
            a["amount"] = (a["amount"] or Decimal(0)) + r.amount_total
        a["unread"] += r.amount_unread
        a["ind"] += len(r.indicators)
        a["dind"] += len(r.department_indicators)
        errors, warnings = _counts(per_file[inp.path])
        a["errors"] += errors
        a["warnings"] += warnings
    order = sorted(acc, key=lambda k: tuple(x or "" for x in k))
    return _frame((OVERVIEW.row(*k, len(acc[k]["depts"]), acc[k]["projects"], acc[k]["amount"], acc[k]["unread"],
                                acc[k]["ind"], acc[k]["dind"], acc[k]["errors"], acc[k]["warnings"]) for k in order),
                  OVERVIEW)
