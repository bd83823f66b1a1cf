"""Terminal rendering for the CLI (rich): summaries, findings, progress.

Library code never prints; the CLI calls these with the objects the library returns.
Numbers, codes, cell references and file names never break across lines
(:func:`xlperf.lines.wrap`). A terminal at least :data:`WIDE` columns wide gets tables
when they fit; a narrower one (80 columns is common) a compact form: per file a line or
two, and one entry per finding (``错误 表6!D6 message（code）``) wrapped under itself.
Submitted text is printed as text, never as rich markup.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import TypeVar

from rich.console import Console
from rich.text import Text
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from .consolidate.tables import OVERVIEW, SOURCES, Consolidation
from .lines import cell_len, wrap

__all__ = ["print_carry_over", "print_changes", "print_findings", "print_import_summary", "print_merge_summary", "print_review",
           "progress_iter"]

T = TypeVar("T")

#: the narrowest terminal that gets tables (when they fit); narrower ones get the compact form
WIDE = 120
_SEVERITY = {"error": ("错误", "red"), "warning": ("警告", "yellow")}
_INDENT = 2


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


def _severity(code: str) -> tuple[str, str]:
    return _SEVERITY.get(code, (code, ""))


def _print_wrapped(console: Console, text: str, *, indent: int = 0, hang: int = 2, style: str = "",
                   lead: tuple[str, str] | None = None) -> None:
    """*text* wrapped to the console width, indented by *indent*, continuation lines by
    *hang* more; *lead* (word, style) colours the first word of the first line."""
    width = max(console.width - indent - hang, 20)
    for n, line in enumerate(wrap(text, width)):
        pad = " " * (indent + (hang if n else 0))
        out = Text(pad)
        if n == 0 and lead and line.startswith(lead[0]):
            out.append(lead[0], style=lead[1])
            out.append(line[len(lead[0]):], style=style)
        else:
            out.append(line, style=style)
        console.print(out, soft_wrap=True)


def _table_fits(columns: list[list[str]], width: int) -> bool:
    """True when a rich table of *columns* (header first, then values) fits *width*
    without wrapping a cell (borders and padding: 3 columns each, plus 1)."""
    return sum(max(cell_len(v) for v in col) for col in columns) + 3 * len(columns) + 1 <= width


def print_findings(findings: list, *, console: Console, limit: int = 500,  # noqa: ANN001 - Finding
                   title: str = "审核问题", more_hint: str = "用 --format json 查看全部",
                   counts: tuple[int, int] | None = None) -> None:
    """Findings (at most *limit*): a table on a wide terminal when it fits with the
    message column at least 40 columns wide, else one entry per finding, grouped by file
    when they come from several. *counts*: (all findings, errors among them) when
    *findings* holds only the first ones (a stream of files)."""
    if not findings:
        return
    shown = findings[:limit]
    total, errors = counts if counts is not None else (len(findings), sum(f.severity == "error" for f in findings))
    heading = f"{title}（错误 {errors} 条，警告 {total - errors} 条）"
    if not (console.width >= WIDE and _findings_table(shown, console, heading)):
        console.print(Text(heading, style="bold"), soft_wrap=True)
        files = {f.file for f in shown}
        last = object()
        for f in shown:
            if len(files) > 1 and f.file != last:
                _print_wrapped(console, f"文件：{os.path.basename(f.file or '') or '（汇总）'}", indent=_INDENT, style="bold")
                last = f.file
            word, colour = _severity(f.severity)
            _print_wrapped(console, f"{word} {f.where or '—'}  {f.message}（{f.code}）", indent=_INDENT * (1 + (len(files) > 1)),
                           hang=5, lead=(word, colour))
    if total > limit:
        console.print(f"……另有 {total - limit} 条未显示（{more_hint}）。", markup=False)


def _findings_table(findings: list, console: Console, heading: str) -> bool:  # noqa: ANN001 - Finding
    """The findings as a table whose message column is pre-wrapped (so numbers never
    split); False, printing nothing, when the other columns leave it under 40 columns."""
    rows = [(_severity(f.severity), f.code, os.path.basename(f.file or ""), f.where) for f in findings]
    fixed = [["级别", *(r[0][0] for r in rows)], ["代码", *(r[1] for r in rows)], ["文件", *(r[2] for r in rows)],
             ["位置", *(r[3] for r in rows)]]
    room = console.width - (sum(max(cell_len(v) for v in col) for col in fixed) + 3 * 5 + 1)
    if room < 40:
        return False
    t = Table(title=heading, show_lines=False, expand=False)
    for col in ("级别", "代码", "文件", "位置"):
        t.add_column(col, no_wrap=True)
    t.add_column("说明", no_wrap=True, max_width=room)
    for ((word, colour), code, file, where), f in zip(rows, findings):
        t.add_row(Text(word, style=colour), Text(code), Text(file), Text(where), Text("\n".join(wrap(f.message, room))))
    console.print(t)
    return True


def print_import_summary(results: Iterable, *, console: Console, limit: int = 500) -> None:  # noqa: ANN001 - ImportResult
    """Per file: status, region, year, projects, indicators, total amount (万元), errors,
    warnings (a table when wide enough, else two lines a file); then the first *limit*
    findings. *results* is consumed once and only these are kept (a stream of any length)."""
    rows = []
    findings: list = []
    n_findings = n_errors = 0
    for r in results:
        d = r.to_dict()
        sub = r.submission
        region = "" if sub is None else "/".join(x for x in (sub.region.province, sub.region.city, sub.region.county) if x)
        status = ("无法读取", "red") if r.error else (("通过", "green") if r.report.valid else ("有错误", "red"))
        rows.append((os.path.basename(r.path), status, region or "—", str(sub.year) if sub and sub.year else "—",
                     str(d["projects"]), str(d["indicators"]), _amount(d["total_amount"]), str(d["errors"]), str(d["warnings"])))
        findings.extend(r.report.findings[:max(0, limit - len(findings))])
        n_findings += len(r.report.findings)
        n_errors += sum(f.severity == "error" for f in r.report.findings)
    headers = ("文件", "状态", "地区", "年度", "项目数", "指标数", "项目金额合计（万元）", "错误", "警告")
    columns = [[h, *(row[i] if i != 1 else row[1][0] for row in rows)] for i, h in enumerate(headers)]
    if console.width >= WIDE and _table_fits(columns, console.width):
        t = Table(title="导入结果")
        for i, h in enumerate(headers):
            t.add_column(h, no_wrap=True, justify="right" if i >= 4 else "left")
        for row in rows:
            t.add_row(*(Text(v[0], style=v[1]) if isinstance(v, tuple) else Text(v) for v in row))
        console.print(t)
    else:
        console.print(Text("导入结果", style="bold"), soft_wrap=True)
        for file, (status, colour), region, year, projects, indicators, amount, errors, warnings in rows:
            _print_wrapped(console, f"{file}  {status}", indent=_INDENT, lead=None)
            _print_wrapped(console, f"地区 {region}；年度 {year}；项目 {projects} 个，指标 {indicators} 个；"
                                    f"项目金额合计 {amount} 万元；错误 {errors} 条，警告 {warnings} 条", indent=_INDENT * 2)
    print_findings(findings, console=console, limit=limit, counts=(n_findings, n_errors))


def print_merge_summary(result: Consolidation, *, console: Console, output: str | None) -> None:
    """The 概览 of a consolidation (a table when wide enough, else a line per county; nothing
    when no file was consolidated), the files not consolidated and why, and where the
    workbook was written (*output*; ``None`` when none was: the findings are then not said
    to be in it)."""
    df = result.overview
    values = [["" if v is None or v != v else str(v) for v in row] for row in df.itertuples(index=False)]
    headers = [str(c) for c in df.columns]
    columns = [[h, *(row[i] for row in values)] for i, h in enumerate(headers)]
    if not values:
        pass  # nothing consolidated: no empty 概览 heading
    elif console.width >= WIDE and _table_fits(columns, console.width):
        t = Table(title="汇总概览")
        for i, h in enumerate(headers):
            numeric = df[df.columns[i]].map(lambda v: isinstance(v, (int, float, Decimal))).any()
            t.add_column(h, no_wrap=True, justify="right" if numeric else "left")
        for row in values:  # region names are submitted text: Text, never markup
            t.add_row(*(Text(v) for v in row))
        console.print(t)
    else:
        console.print(Text("汇总概览", style="bold"), soft_wrap=True)
        kinds = {c.header: c.kind for c in OVERVIEW.columns}
        n_region = 3  # 省, 市, 县(区): the county named first, its figures after
        for row in values:
            place = "/".join(v for v in row[:n_region] if v) or "（地区未知）"
            figures = "，".join(f"{h.removesuffix('（万元）')} {v}{' 万元' if kinds.get(h) == 'amount' else ''}"
                               for h, v in zip(headers[n_region:], row[n_region:]) if v != "")
            _print_wrapped(console, f"{place}：{figures}", indent=_INDENT)
    sources = result.sources
    status = SOURCES.header("status")
    failed = sources[sources[status] == "failed"]
    others = sources[sources[status] != "imported"]
    if len(others):
        console.print(Text("未汇总或被替代的文件", style="bold"), soft_wrap=True)
        shown = [SOURCES.header(f) for f in ("file", "status_text", "reason")]
        for path, text, reason in others[shown].itertuples(index=False, name=None):
            _print_wrapped(console, f"{path}  {text}：{reason or ''}", indent=_INDENT, hang=4)
    where = "（详见汇总工作簿“问题”表）" if output else ""  # no workbook written: point at nothing
    console.print(f"文件 {len(sources)} 个，其中无法读取 {len(failed)} 个；问题 {len(result.findings)} 条{where}。",
                  markup=False)
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
        title = f"变更：{os.path.basename(changes.old)} → {os.path.basename(changes.new)}"
        headers = ("变更", "项目", "指标", "栏目", "原值", "新值", "差额（万元）")
        rows = [(row.change or "", row.project or "", "/".join(x for x in (row.level1, row.level2, row.name) if x),
                 row.field or "", row.old or "", row.new or "", _amount(row.difference) if row.difference is not None else "")
                for row in changes.rows[:limit]]
        columns = [[h, *(r[i] for r in rows)] for i, h in enumerate(headers)]
        if console.width >= WIDE and _table_fits(columns, console.width):
            t = Table(title=title)
            for i, h in enumerate(headers):
                t.add_column(h, no_wrap=True, justify="right" if i == len(headers) - 1 else "left")
            for r in rows:  # submitted text: Text, never markup
                t.add_row(*(Text(v) for v in r))
            console.print(t)
        else:
            console.print(Text(title, style="bold"), soft_wrap=True)
            for change, project, indicator, field, old, new, diff in rows:
                where = " / ".join(x for x in (project, indicator, field) if x)
                delta = f"（差额 {diff} 万元）" if diff else ""
                _print_wrapped(console, f"{change}  {where}：{old or '—'} → {new or '—'}{delta}", indent=_INDENT, hang=4)
        if len(changes.rows) > limit:
            console.print(f"……另有 {len(changes.rows) - limit} 条未显示（用 --json 或 -o 查看全部）。", markup=False)
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
