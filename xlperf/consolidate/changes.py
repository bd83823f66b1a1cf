"""What a resubmission changed (``xlperf diff OLD NEW``, and the 来源 row of a submission
``xlperf merge`` replaced): the two submissions' rows of the consolidated tables
(:class:`~xlperf.consolidate.flatten.FileRows`) compared, as rows of the
:data:`~xlperf.consolidate.tables.CHANGES` table (docs/review-loop.md).

Matching: projects by 项目编码 where both have one, the rest by 项目名称 (in order when a
key is repeated); indicators of a matched project, and the department plan's, by
一级 / 二级 / 三级 (the canonical levels, or the text as written when unknown).
Compared: a project's amounts (项目年度金额, 财政拨款, 行政专户拨款, 其他资金; an amount that
could not be read compares, and shows, as typed) and its name when matched by code; an indicator's target (the
same comparator, number and unit count as unchanged however written, else the text
without spaces) and 实施周期指标值; the department form's amounts in 万元 (each 收入构成 /
支出构成 item, the totals, 项目支出情况合计) and its indicators' targets and 前年 / 上年.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

import pandas as pd

from ..cellref import quoted_sheet
from ..findings import finding
from ..importer import import_files
from ..model import Finding
from .flatten import FileRows, ImportTask, flatten
from .tables import CHANGES, DEPARTMENT_INDICATORS, INDICATORS, projects_table

__all__ = ["KINDS", "Changes", "compare", "diff_files", "summary_of"]

T = TypeVar("T")

#: the change kinds, in the order a summary counts them
KINDS = {
    "project_added": "新增项目", "project_removed": "删除项目", "project_renamed": "项目名称变化",
    "amount_changed": "金额变化", "indicator_added": "新增指标", "indicator_removed": "删除指标",
    "target_changed": "指标值变化", "department_changed": "部门金额变化",
}
_AMOUNT_FIELDS = ("annual_amount", "annual_amount_text", "fiscal_funds", "special_account_funds", "other_funds")
_SPACE_RE = re.compile(r"\s+")
_DEPARTMENT = "部门整体"


def _pair(old: Sequence[T], new: Sequence[T], keys: Sequence[Callable[[T], object]]) -> tuple[list[tuple[T, T]], list[T], list[T]]:
    """Pair *old* and *new* key by key (a key of ``None`` never pairs; a repeated key pairs
    in order); returns (pairs, old unpaired, new unpaired), each in input order."""
    left, right = list(range(len(old))), list(range(len(new)))
    pairs: list[tuple[int, int]] = []
    for key in keys:
        waiting: dict[object, list[int]] = {}
        for j in right:
            k = key(new[j])
            if k is not None:
                waiting.setdefault(k, []).append(j)
        matched_left = []
        for i in left:
            k = key(old[i])
            if k is not None and waiting.get(k):
                pairs.append((i, waiting[k].pop(0)))
                matched_left.append(i)
        used = {j for _, j in pairs}
        left = [i for i in left if i not in matched_left]
        right = [j for j in right if j not in used]
    return [(old[i], new[j]) for i, j in sorted(pairs)], [old[i] for i in left], [new[j] for j in right]


def _text(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, Decimal):
        return format(v.normalize(), "f")
    return str(v)


def _where(row: Any) -> str | None:
    if row is None or not row.sheet:
        return None
    if not row.cell:
        return row.sheet
    return f"{quoted_sheet(row.sheet)}!{row.cell}"


def _field_at(row: Any, cells: dict[str, str], name: str) -> str | None:
    """The cell of field *name* of a project row when known, else the row's (its name cell)."""
    return cells.get("annual_amount" if name == "annual_amount_text" else name) or _where(row)


def _same_target(a: Any, b: Any) -> bool:
    if a.target_kind == b.target_kind == "定量" and (a.comparator, a.value, a.unit) == (b.comparator, b.value, b.unit):
        return True
    return _SPACE_RE.sub("", a.target_raw or "") == _SPACE_RE.sub("", b.target_raw or "")


def _level_key(row: Any) -> tuple:
    return (row.level1 or row.level1_text, row.level2 or row.level2_text, (row.name or "").strip())


@dataclass
class Changes:
    """The changes from ``old`` to ``new`` (paths): ``rows`` of the CHANGES table (named
    rows), the project amount totals (万元, ``None`` when no amount was read), ``subjects``
    (department and year of each, as text: two different ones are worth a warning) and
    ``failures``, the findings of a file that could not be read (then no rows)."""

    old: str
    new: str
    rows: list[tuple] = field(default_factory=list)
    old_total: Decimal | None = None
    new_total: Decimal | None = None
    subjects: tuple[str, str] = ("", "")
    failures: list[Finding] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """How many rows of each change kind (the Chinese word), in :data:`KINDS` order."""
        out = dict.fromkeys(KINDS.values(), 0)
        for row in self.rows:
            out[row.change] += 1
        return {k: n for k, n in out.items() if n}

    def summary(self) -> str:
        """One line: ``新增项目 1 个、金额变化 2 个、指标值变化 4 个；项目年度金额合计 494.56 → 500.06 万元``,
        or ``无变化``."""
        parts = [f"{kind} {n} 个" for kind, n in self.counts().items()]
        if not parts:
            return "无变化"
        line = "、".join(parts)
        if self.old_total != self.new_total:
            line += f"；项目年度金额合计 {_text(self.old_total) or '—'} → {_text(self.new_total) or '—'} 万元"
        return line

    def frame(self) -> pd.DataFrame:
        """The rows as a DataFrame with the CHANGES headers (cells str, Decimal or None)."""
        return pd.DataFrame(self.rows, columns=CHANGES.headers, dtype=object)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: the files, totals (万元), counts, summary and every row (by field)."""
        return {"old": self.old, "new": self.new, "old_total": _json(self.old_total), "new_total": _json(self.new_total),
                "summary": self.summary(), "counts": self.counts(), "subjects": list(self.subjects),
                "changes": [{k: _json(v) for k, v in row._asdict().items()} for row in self.rows],
                "failures": [f.model_dump() for f in self.failures]}


def _json(v: object) -> object:
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


class _Builder:
    def __init__(self) -> None:
        self.rows: list[tuple] = []

    def add(self, kind: str, project: str | None, *, ind: Any = None, field_name: str | None = None, old: object = None,
            new: object = None, old_row: Any = None, new_row: Any = None, old_where: str | None = None,
            new_where: str | None = None) -> None:
        """One CHANGES row; where: *old_where* / *new_where*, else the cell of *old_row* / *new_row*."""
        diff = new - old if isinstance(old, Decimal) and isinstance(new, Decimal) else None
        self.rows.append(CHANGES.row(
            change=KINDS[kind], project=project, level1=(ind.level1 or ind.level1_text) if ind is not None else None,
            level2=(ind.level2 or ind.level2_text) if ind is not None else None, name=ind.name if ind is not None else None,
            field=field_name, old=_text(old), new=_text(new), difference=diff,
            old_where=old_where or _where(old_row), new_where=new_where or _where(new_row)))


def _project_key(row: Any) -> str | None:
    return row.code or row.name


def _indicators_by_project(rows: FileRows) -> list[list[Any]]:
    """The indicator rows of each project row, in order (flatten writes them project by project)."""
    out, at = [], 0
    for p in rows.projects:
        out.append(rows.indicators[at: at + p.indicator_count])
        at += p.indicator_count
    return out


def _compare_indicators(b: _Builder, project: str | None, old: list[Any], new: list[Any], *,
                        table: Any = INDICATORS, extra: Iterable[str] = ()) -> None:
    """Indicators added, removed, or with another target (or another value in the *extra* columns of *table*)."""
    pairs, removed, added = _pair(old, new, [_level_key])
    for row in removed:
        b.add("indicator_removed", project, ind=row, field_name="绩效值", old=row.target_raw, old_row=row)
    for row in added:
        b.add("indicator_added", project, ind=row, field_name="绩效值", new=row.target_raw, new_row=row)
    for a, z in pairs:
        if not _same_target(a, z):
            b.add("target_changed", project, ind=a, field_name="绩效值", old=a.target_raw, new=z.target_raw, old_row=a, new_row=z)
        for name in extra:
            before, after = getattr(a, name), getattr(z, name)
            if _SPACE_RE.sub("", before or "") != _SPACE_RE.sub("", after or ""):
                b.add("target_changed", project, ind=a, field_name=table.header(name), old=before, new=after,
                      old_row=a, new_row=z)


def _compare_projects(b: _Builder, old: FileRows, new: FileRows) -> None:
    old_ind = dict(zip(map(id, old.projects), _indicators_by_project(old)))
    new_ind = dict(zip(map(id, new.projects), _indicators_by_project(new)))
    old_cells = dict(zip(map(id, old.projects), old.project_cells))
    new_cells = dict(zip(map(id, new.projects), new.project_cells))
    table = projects_table()
    pairs, removed, added = _pair(old.projects, new.projects, [lambda p: p.code, lambda p: p.name])
    for p in removed:
        b.add("project_removed", _project_key(p), field_name=table.header("annual_amount"), old=p.annual_amount, old_row=p)
    for p in added:
        b.add("project_added", _project_key(p), field_name=table.header("annual_amount"), new=p.annual_amount, new_row=p)
    for a, z in pairs:
        key = _project_key(z)
        if a.code and a.code == z.code and (a.name or "") != (z.name or ""):
            b.add("project_renamed", key, field_name=table.header("name"), old=a.name, new=z.name, old_row=a, new_row=z)
        for name in _AMOUNT_FIELDS:
            before, after = getattr(a, name), getattr(z, name)
            if name == "annual_amount_text":
                if a.annual_amount is not None or z.annual_amount is not None:
                    continue  # the text matters only where neither amount could be read
            elif name == "annual_amount":  # an amount that could not be read shows as typed
                before = before if before is not None else a.annual_amount_text
                after = after if after is not None else z.annual_amount_text
            if before != after:
                b.add("amount_changed", key, field_name=table.header(name), old=before, new=after,
                      old_where=_field_at(a, old_cells.get(id(a), {}), name),
                      new_where=_field_at(z, new_cells.get(id(z), {}), name))
        _compare_indicators(b, key, old_ind[id(a)], new_ind[id(z)], extra=("period_target_raw",))


def _compare_department(b: _Builder, old: FileRows, new: FileRows) -> None:
    before = old.departments[0] if old.departments else {}
    after = new.departments[0] if new.departments else {}
    for header in dict.fromkeys([*before, *after]):
        if header.endswith("（万元）") and before.get(header) != after.get(header):
            b.add("department_changed", _DEPARTMENT, field_name=header, old=before.get(header), new=after.get(header))
    for category in dict.fromkeys(r.category for r in [*old.department_indicators, *new.department_indicators]):
        _compare_indicators(b, f"{_DEPARTMENT}（{category}）",
                            [r for r in old.department_indicators if r.category == category],
                            [r for r in new.department_indicators if r.category == category],
                            table=DEPARTMENT_INDICATORS, extra=("value_two_years_ago_raw", "value_last_year_raw"))


def compare(old: FileRows, new: FileRows, *, old_path: str = "", new_path: str = "") -> Changes:
    """The :class:`Changes` from the rows of *old* to those of *new* (module doc)."""
    b = _Builder()
    _compare_projects(b, old, new)
    _compare_department(b, old, new)
    return Changes(old_path, new_path, rows=b.rows, old_total=old.amount_total, new_total=new.amount_total,
                   subjects=(_subject(old), _subject(new)))


def _subject(rows: FileRows) -> str:
    """``彭阳县司法局 2024年`` (``部门未知`` / ``年度未知`` where not read)."""
    return f"{rows.department or '部门未知'} {f'{rows.year}年' if rows.year else '年度未知'}"


def summary_of(pair: tuple[ImportTask, ImportTask]) -> str:
    """The one-line summary of what the second file of *pair* changed from the first,
    each imported as the merge imports it (its manifest region and year, the added
    wordings): the 来源 row of a replaced file. Runs in a merge worker (untrusted bytes)."""
    rows = []
    for task in pair:
        extra = {"labels": task.labels} if task.labels else {}
        rows.append(flatten(task.import_fn(task.path, region=task.region, year=task.year, **extra)))
    return compare(rows[0], rows[1]).summary()


def diff_files(old: str, new: str, *, labels: dict | None = None) -> Changes:
    """Import *old* and *new* exactly as ``xlperf import`` does (with the added wordings
    *labels*) and :func:`compare` them.
    Never raises for a bad input: a file that cannot be read gives ``failures`` (its
    findings, e.g. ``file-xls``) and no rows."""
    rows = []
    failures: list[Finding] = []
    # both read in contained workers like every untrusted read (docs/untrusted-input.md)
    for path, result in zip((old, new), import_files([old, new], labels=labels)):
        if result.submission is None:
            failures.extend(result.report.findings or [finding("file-unreadable", sheet=None, cell=None, file=path,
                                                                params={"message": path})])
        rows.append(flatten(result))
    if failures:
        return Changes(old, new, failures=failures)
    return compare(rows[0], rows[1], old_path=old, new_path=new)
