"""Terminal rendering for the CLI (rich): summary tables, findings, progress.

Library code never prints; the CLI calls these with the objects the library returns.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import TypeVar

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from .consolidate.tables import SOURCES, Consolidation

__all__ = ["print_carry_over", "print_changes", "print_findings", "print_import_summary", "print_merge_summary", "print_review",
           "progress_iter"]

T = TypeVar("T")

_SEVERITY = {"error": "[red]错误[/red]", "warning": "[yellow]警告[/yellow]"}


def progress_iter(items: Iterable[T], *, total: int, label: str, console: Console) -> Iterator[T]:
    """Yield *items* with a progress bar on *console* when there is more than one and
    the console is a terminal (quiet in pipes and tests)."""
    if total <= 1 or not console.is_terminal:
        yield from items
        return
    with Progress(TextColumn(f"{label}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task(label, total=total)
        for item in items:
            yield item
            bar.advance(task)


def _amount(v: Decimal | float | None) -> str:
    if v is None:
        return "—"
    return format(Decimal(str(v)).normalize(), "f")


def print_findings(findings: list, *, console: Console, limit: int = 500,  # noqa: ANN001 - Finding
                   title: str = "审核问题", more_hint: str = "用 --format json 查看全部") -> None:
    """Findings as a table: severity, code, file, cell, message (at most *limit* rows)."""
    if not findings:
        return
    t = Table(title=title, show_lines=False, expand=False)
    for col in ("级别", "代码", "文件", "位置", "说明"):
        t.add_column(col, overflow="fold")
    for f in findings[:limit]:
        t.add_row(_SEVERITY.get(f.severity, f.severity), f.code, escape(os.path.basename(f.file or "")), escape(f.where),
                  escape(f.message))  # submitted text is never rich markup
    console.print(t)
    if len(findings) > limit:
        console.print(f"……另有 {len(findings) - limit} 条未显示（{more_hint}）。")


def print_import_summary(results: list, *, console: Console) -> None:  # noqa: ANN001 - ImportResult
    """Per file: projects, indicators, total amount (万元), errors, warnings; then findings."""
    t = Table(title="导入结果")
    for col in ("文件", "状态", "地区", "年度", "项目数", "指标数", "项目金额合计（万元）", "错误", "警告"):
        t.add_column(col, overflow="fold")
    findings = []
    for r in results:
        d = r.to_dict()
        sub = r.submission
        region = "" if sub is None else "/".join(x for x in (sub.region.province, sub.region.city, sub.region.county) if x)
        status = "[red]无法读取[/red]" if r.error else ("[green]通过[/green]" if r.report.valid else "[red]有错误[/red]")
        t.add_row(escape(os.path.basename(r.path)), status, escape(region) or "—", str(sub.year) if sub and sub.year else "—",
                  str(d["projects"]), str(d["indicators"]), _amount(d["total_amount"]), str(d["errors"]), str(d["warnings"]))
        findings.extend(r.report.findings)
    console.print(t)
    print_findings(findings, console=console)


def print_merge_summary(result: Consolidation, *, console: Console, output: str | None) -> None:
    """The 概览 table of a consolidation and where it was written."""
    df = result.overview
    t = Table(title="汇总概览")
    for col in df.columns:
        numeric = df[col].map(lambda v: isinstance(v, (int, float, Decimal))).any()  # object columns: look at the values
        t.add_column(str(col), overflow="fold", justify="right" if numeric else "left")
    for row in df.itertuples(index=False):  # region names are submitted text: escaped, never markup
        t.add_row(*["" if v is None or v != v else escape(str(v)) for v in row])
    console.print(t)
    sources = result.sources
    status = SOURCES.header("status")
    failed = sources[sources[status] == "failed"]
    others = sources[sources[status] != "imported"]
    if len(others):
        t = Table(title="未汇总或被替代的文件")
        for col in ("文件", "状态", "原因"):
            t.add_column(col, overflow="fold")
        shown = [SOURCES.header(f) for f in ("file", "status_text", "reason")]
        for path, text, reason in others[shown].itertuples(index=False, name=None):
            t.add_row(escape(str(path)), escape(str(text)), escape(str(reason or "")))
        console.print(t)
    console.print(f"文件 {len(sources)} 个，其中无法读取 {len(failed)} 个；问题 {len(result.findings)} 条（详见汇总工作簿“问题”表）。")
    if output:
        console.print(f"已写入汇总工作簿：{output}", markup=False)


def print_review(outcome, *, console: Console, err: Console) -> None:  # noqa: ANN001 - annotate.ReviewOutcome
    """What ``xlperf review`` did: the copy written (or why not) and what it could not keep."""
    from .data import load_data

    result, copy = outcome.result, outcome.copy
    if copy is None:
        print_findings(result.report.findings, console=err, title="无法读取")
        return
    if copy.failure:
        err.print(f"{result.path}：未写入副本：{copy.failure}", style="red", markup=False)
        return
    d = result.to_dict()
    if copy.roles:
        names = {r["key"]: r["name"] for r in load_data("review_copy.toml")["roles"]}
        counts = "、".join(f"{name} {copy.roles[k]}" for k, name in names.items() if k in copy.roles)
        console.print(f"已写入识别副本：{copy.output}（{counts}）", markup=False)
    else:
        console.print(f"已写入审核副本：{copy.output}（错误 {d['errors']} 个、警告 {d['warnings']} 个；"
                      f"{copy.marked} 个标注在单元格上，“审核意见”表共 {copy.listed} 行）", markup=False)
    print_findings(list(copy.notes), console=err, title="副本未能保留的内容（请以原文件为准）")


def print_changes(changes, *, console: Console, limit: int = 500) -> None:  # noqa: ANN001 - consolidate.changes.Changes
    """``xlperf diff``: a row per change (变更, 项目, 指标, 栏目, 原值 → 新值, 差额) and the one-line summary."""
    if changes.rows:
        t = Table(title=f"变更：{os.path.basename(changes.old)} → {os.path.basename(changes.new)}")
        for col in ("变更", "项目", "指标", "栏目", "原值", "新值", "差额（万元）"):
            t.add_column(col, overflow="fold")
        for row in changes.rows[:limit]:  # submitted text: escaped, never markup
            indicator = "/".join(x for x in (row.level1, row.level2, row.name) if x)
            t.add_row(*(escape(x or "") for x in (row.change, row.project, indicator, row.field, row.old, row.new)),
                      _amount(row.difference) if row.difference is not None else "")
        console.print(t)
        if len(changes.rows) > limit:
            console.print(f"……另有 {len(changes.rows) - limit} 条未显示（用 --json 或 -o 查看全部）。")
    if changes.subjects[0] != changes.subjects[1]:
        console.print(f"注意：两个文件不是同一部门、同一年度的报送（{changes.subjects[0]} / {changes.subjects[1]}）。",
                      style="yellow", markup=False)
    console.print(f"{changes.old} → {changes.new}：{changes.summary()}", markup=False)


def print_carry_over(outcome, *, console: Console, err: Console) -> None:  # noqa: ANN001 - carryover.CarryOutcome
    """``xlperf template --from``: the template written from last year's submission (or why not)."""
    result = outcome.result
    if outcome.output is None:
        if result.submission is None:
            print_findings(result.report.findings, console=err, title="无法读取")
        err.print(f"未生成模板：{outcome.problem}。", style="red", markup=False)
        return
    sub = result.submission
    n = sum(len(p.indicators) for p in sub.projects)
    plan = "和部门整体绩效目标" if sub.department_plan is not None else ""
    console.print(f"已生成 {outcome.year} 年模板：{outcome.output}（从 {outcome.last_year} 年报送 {result.path} 结转 "
                  f"{len(sub.projects)} 个项目、{n} 个指标{plan}；浅蓝色单元格是上年内容，改动后标记消失）", markup=False)
    print_findings(outcome.notes, console=err, limit=30, title="未按原样写入的内容", more_hint="上年报送文件中仍完整保留")
