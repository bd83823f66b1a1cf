"""The department-wide form (部门整体绩效目标申报表, seed 004 阳新, and the template's
部门整体绩效目标 sheet), found by its labels.

Sections read: 部门(单位)名称 / 填报人 / 联系电话 / 填报日期; 部门总体资金情况 with the
收入构成 and 支出构成 rows (当年金额, 占比, 近两年收支金额 by year, 合计); 部门职能概述;
年度工作任务 (or the MoF form's 年度主要任务 table, :mod:`.department_tasks`); 项目支出情况
(项目名称 | 支出项目类别 | 项目总预算 | 项目本年度预算 | 项目主要支出方向和用途); 整体绩效总目标
(长期目标 with its 截止 year, 年度目标, also a ``年度目标:`` heading followed by numbered
lines); 长期绩效指标 and 年度绩效指标 tables (the latter with 前年 / 上年 / 预期当年实现值),
read by :mod:`xlperf.forms.indicators` against the department framework, or the project
one where the table's level cells name it (the MoF form). Amounts in 万元; 占比 in percent.

A sheet holding a department form is owned by it whole (the seeds and the template
never stack project forms under a department form).
"""

from __future__ import annotations

import re

from ..model import CompositionRow, DepartmentPlan, ProjectSpending
from ..readers.grid import Sheet, format_value
from ..targets import parse_amount
from ..taxonomy import Taxonomy
from ..text import label_key, strip_markup
from .base import FormReader, FormRun, Recognition
from .common import (
    ParseContext,
    department_title,
    is_title,
    is_unit_note,
    read_amount,
    read_fill_date,
    read_percent,
)
from .indicators import TableHeader, find_header, read_indicator_table
from .department_tasks import read_tasks
from .funds import amount_factor
from .labels import load_labels
from .values import goal_items, value_below, value_right

__all__ = ["READER", "find_department_form", "is_department_sheet", "names_project", "read_department"]

_STRONG = {"name", "revenue", "expenditure", "functions", "long_term_indicators", "annual_indicators",
           "project_spending", "funding_overview", "overview_header", "budget_total", "annual_tasks", "overall_goal"}
_HORIZON_RE = re.compile(r"截[止至]\s*(20\d\d)")
_YEAR_HEAD_RE = re.compile(r"^(20\d\d)\s*年?$")
_NUMBERED_RE = re.compile(r"^\s*\d+\s*[、.．]")


def find_department_form(sheet: Sheet) -> set[int] | None:
    """The rows of *sheet* when it holds a department form (two or more of its section
    labels: 部门(单位)名称, 收入构成, 支出构成, 部门职能概述, 项目支出情况, 长期绩效指标 …)."""
    seen = {hit.field for hits in load_labels().index(sheet).get("department", {}).values()
            for _c, hit in hits if hit.field in _STRONG}
    if len(seen) < 2:
        return None
    return set(sheet.grid)


def read_department(sheet: Sheet, rows: set[int], *, tax: Taxonomy, ctx: ParseContext) -> tuple[DepartmentPlan, set[int]]:
    """Read the department form on *sheet*. Returns the plan and the rows it owns."""
    labels = load_labels()
    plan = DepartmentPlan(sheet=sheet.name)
    grid = sheet.grid
    hits: dict[str, list[tuple[int, int, str | None]]] = {}
    for r, cells in grid.items():
        for c, v in cells:
            if (r, c) in sheet.consumed or not isinstance(v, str):
                continue
            key = label_key(v)
            hit = None if key.startswith("长期目标") else labels.match("department", v)
            if hit is None and key.startswith("长期目标"):
                hits.setdefault("long_term_goal", []).append((r, c, None))
                _horizon(plan, v)
                sheet.consumed.add((r, c))
                continue
            if hit is None:
                continue
            if hit.field in ("revenue", "expenditure", "total"):  # consumed with their rows
                if hit.field != "total":
                    hits.setdefault(hit.field, []).append((r, c, hit.inline))
                continue
            hits.setdefault(hit.field, []).append((r, c, hit.inline))
            sheet.consumed.add((r, c))
    # -- simple label / value fields -------------------------------------------------------
    for fld in ("name", "filled_by", "phone", "functions", "annual_tasks"):
        for r, c, inline in hits.get(fld, [])[:1]:
            if fld == "annual_tasks" and inline is None and read_tasks(sheet, r, c, plan, ctx):
                continue  # the MoF form's task table (任务名称 | 主要内容 | 预算金额)
            val = inline if inline is not None else _right(sheet, r, c)
            if val is None:
                continue
            text = strip_markup(format_value(val[1] if isinstance(val, tuple) else val)).strip()
            setattr(plan, fld, text)
            plan.cells[fld] = sheet.ref(r, val[0]) if isinstance(val, tuple) else sheet.ref(r, c)
    for r, c, inline in hits.get("fill_date", [])[:1]:
        vc, val = (c, inline) if inline is not None else (_right(sheet, r, c) or (None, None))
        if val is not None:
            plan.fill_date = read_fill_date(sheet, r, vc, val, ctx)
            plan.cells["fill_date"] = sheet.ref(r, vc)
    _composition(sheet, plan, hits, ctx)
    _project_spending(sheet, plan, hits, ctx)
    _goals(sheet, plan, hits)
    _budget_total(sheet, plan, hits, ctx)
    # -- indicator tables ------------------------------------------------------------------
    headers = []
    for r in sorted(grid):
        h = find_header(sheet, r)
        if h is not None:
            headers.append(h)
    last = max(grid) + 1
    for i, h in enumerate(headers):
        end = headers[i + 1].first_row if i + 1 < len(headers) else last
        inds = read_indicator_table(sheet, h, end, tax=tax, ctx=ctx, department=True)
        if _is_annual(h, hits):
            plan.annual_indicators.extend(inds)
        else:
            plan.long_term_indicators.extend(inds)
    return plan, rows


def _is_annual(header: TableHeader, hits: dict) -> bool:
    """An annual table: it has 前年 / 上年 columns (seed 004), or no 长期绩效指标 label is
    the nearest table label above it (a department form with one flat list, 重庆 巴南)."""
    if "two_years_ago" in header.cols or "last_year" in header.cols:
        return True
    above = [(r, fld) for fld in ("long_term_indicators", "annual_indicators") for r, _c, _i in hits.get(fld, [])
             if r <= header.row]
    return not above or max(above)[1] != "long_term_indicators"


def _is_any_label(text: str) -> bool:
    labels = load_labels()
    return any(labels.match(sec, text, inline=False) for sec in ("department", "indicator_header", "project"))


def _horizon(plan: DepartmentPlan, text: str) -> None:
    m = _HORIZON_RE.search(text)
    if m and plan.long_term_horizon is None:
        plan.long_term_horizon = int(m.group(1))


def _right(sheet: Sheet, r: int, c: int) -> tuple[int, object] | None:
    """The first unconsumed non-label cell right of (r, c) on its row; consumed."""
    labels = load_labels()
    for cc, v in sheet.grid.get(r, ()):
        if cc <= c or (r, cc) in sheet.consumed:
            continue
        if labels.match("department", v, inline=False):
            return None
        if is_unit_note(v) or is_title(v):
            continue
        sheet.consumed.add((r, cc))
        return cc, v
    return None


def _composition(sheet: Sheet, plan: DepartmentPlan, hits: dict, ctx: ParseContext) -> None:
    """收入构成 / 支出构成 rows under the 当年金额 / 占比 / 近两年收支金额 headers."""
    grid = sheet.grid
    if "current_amount" not in hits:
        return
    hr, cur_col, _ = hits["current_amount"][0]
    share_col = hits["share"][0][1] if "share" in hits else None
    year_cols: dict[int, str] = {}
    if "previous_amounts" in hits:
        pr, pc, _ = hits["previous_amounts"][0]
        for rr in (pr, pr + 1):
            for c, v in grid.get(rr, ()):
                m = _YEAR_HEAD_RE.match(label_key(format_value(v)))
                if c >= pc and m and (rr, c) not in sheet.consumed:
                    year_cols[c] = m.group(1)
                    sheet.consumed.add((rr, c))
    plan.previous_years = [year_cols[c] for c in sorted(year_cols)]
    markers = sorted([(r, c, fld) for fld in ("revenue", "expenditure") for r, c, _ in hits.get(fld, [])])
    stop_rows = [r for fld in ("functions", "annual_tasks", "project_spending", "overall_goal") for r, _c, _ in hits.get(fld, [])]
    last = max(grid) + 1
    for i, (r0, c0, fld) in enumerate(markers):
        sheet.consumed.add((r0, c0))
        end = markers[i + 1][0] if i + 1 < len(markers) else min([r for r in stop_rows if r > r0], default=last)
        item_col = c0 + 1
        for r in sheet.rows_between(r0, end):
            row = dict(grid.get(r, ()))
            item = row.get(item_col)
            if not isinstance(item, str) or (r, item_col) in sheet.consumed:
                continue
            sheet.consumed.add((r, item_col))
            entry = CompositionRow(item=item.strip(), source=sheet.ref(r, item_col))
            if cur_col in row:
                sheet.consumed.add((r, cur_col))
                entry.current_amount = read_amount(sheet, r, cur_col, row[cur_col], label=f"{entry.item}（当年金额）", ctx=ctx)
            if share_col is not None and share_col in row:
                sheet.consumed.add((r, share_col))
                entry.share_percent = read_percent(sheet, r, share_col, row[share_col], label=f"{entry.item}（占比）",
                                                   ctx=ctx)
            if entry.current_amount is None and entry.share_percent == 0:
                entry.share_percent = None  # the template's 占比 formula over an empty amount
            for c, year in year_cols.items():
                if c in row:
                    sheet.consumed.add((r, c))
                    entry.previous_amounts[year] = read_amount(sheet, r, c, row[c], label=f"{entry.item}（{year}年）", ctx=ctx)
            if entry.current_amount is None and entry.share_percent is None and not any(
                    v is not None for v in entry.previous_amounts.values()):
                continue  # an item name the template writes, nothing typed beside it
            if label_key(item) == "合计":
                if fld == "revenue":
                    plan.revenue_total = entry
                else:
                    plan.expenditure_total = entry
            elif fld == "revenue":
                plan.revenue.append(entry)
            else:
                plan.expenditure.append(entry)


def _budget_total(sheet: Sheet, plan: DepartmentPlan, hits: dict, ctx: ParseContext) -> None:
    """The department's total budget stated by itself (预算支出总额 over the 基本支出 /
    项目支出 columns, 泸县; 区级支出预算总量 beside the name, 巴南; else the 资金总额 heading of
    its funds over their values, 广西): the expenditure total, unless 支出构成 gave one. Its
    value is right of the label, or below it as a header."""
    if plan.expenditure_total is not None:
        return
    for r, c, inline in (hits.get("budget_total") or hits.get("funds_total", []))[:1]:
        label = format_value(sheet.cells[(r, c)]).strip()
        unit = load_labels().match("department", label)
        if inline is not None:
            at = (r, c, inline)
        else:
            span = sheet.merged_span(r, c)
            right = value_right(sheet, r, span[3] if span else c, set())
            at = (r, right[0], right[1]) if right and parse_amount(right[1]).value is not None else \
                value_below(sheet, r, c, max(sheet.grid) + 1)
        if at is None:
            return
        sheet.consumed.add((at[0], at[1]))
        amount = read_amount(sheet, at[0], at[1], at[2], label=label, ctx=ctx, text_ok=True)
        if amount is not None:
            amount *= amount_factor(sheet, at[0], at[2], unit.unit if unit else None, (r, c))
        plan.expenditure_total = CompositionRow(item=label_key(label), current_amount=amount,
                                                source=sheet.ref(at[0], at[1]))


def _project_spending(sheet: Sheet, plan: DepartmentPlan, hits: dict, ctx: ParseContext) -> None:
    """项目支出情况: header cells on the label's row, one project per row below."""
    labels = load_labels()
    grid = sheet.grid
    for r0, c0, _ in hits.get("project_spending", [])[:1]:
        cols: dict[str, int] = {}
        for c, v in grid.get(r0, ()):
            hit = labels.match("project_spending_header", v, inline=False)
            if hit and c > c0:
                cols[hit.field] = c
                sheet.consumed.add((r0, c))
        if "name" not in cols:
            return
        for r in sheet.rows_between(r0 + 1, max(grid) + 1):
            row = dict(grid[r])
            if any(labels.match("department", v, inline=False) or label_key(format_value(v)).startswith("长期目标")
                   for v in row.values()):
                break
            name = row.get(cols["name"])
            if isinstance(name, str) and name.strip():
                item = ProjectSpending(name=name.strip(), source=sheet.ref(r, cols["name"]))
                sheet.consumed.add((r, cols["name"]))
                for fld in ("spending_category", "purpose"):
                    if fld in cols and cols[fld] in row:
                        setattr(item, fld, format_value(row[cols[fld]]).strip())
                        sheet.consumed.add((r, cols[fld]))
                for fld in ("total_budget", "annual_budget"):
                    if fld in cols and cols[fld] in row:
                        label = f"{item.name}（{labels.standard['project_spending_header'][fld]}）"
                        setattr(item, fld, read_amount(sheet, r, cols[fld], row[cols[fld]], label=label, ctx=ctx))
                        sheet.consumed.add((r, cols[fld]))
                plan.project_spending.append(item)


def _goals(sheet: Sheet, plan: DepartmentPlan, hits: dict) -> None:
    """长期目标 / 年度目标: the value right of the label, or below it (the 整体绩效总目标
    header row), or the numbered lines under a ``年度目标:`` heading."""
    grid = sheet.grid
    end = max(grid) + 1
    for fld in ("long_term_goal", "annual_goal"):
        texts = []
        for r, c, inline in hits.get(fld, []):
            if inline:
                texts.append(inline)
                continue
            items = goal_items(sheet, r, c)  # 目标1 | text, 目标2 | text … (浙江)
            if items is not None:
                sheet.consumed.update(items[1])
                texts.append(items[0])
                continue
            val = _right(sheet, r, c)
            if val is not None:
                texts.append(format_value(val[1]).strip())
                continue
            below = dict(grid.get(r + 1, ()))
            if (c in below and (r + 1, c) not in sheet.consumed and isinstance(below[c], str)
                    and not _NUMBERED_RE.match(below[c]) and not _is_any_label(below[c])):
                sheet.consumed.add((r + 1, c))
                texts.append(below[c].strip())
                continue
            lines: list[str] = []
            prev = r
            for rr in sheet.rows_between(r + 1, end):
                if lines and rr != prev + 1:
                    break  # an empty row between them ends the numbered lines
                prev = rr
                cells = [(cc, v) for cc, v in grid[rr] if (rr, cc) not in sheet.consumed]
                if not cells:
                    if lines:
                        break
                    continue
                if len(cells) == 1 and isinstance(cells[0][1], str) and _NUMBERED_RE.match(cells[0][1]):
                    lines.append(cells[0][1].strip())
                    sheet.consumed.add((rr, cells[0][0]))
                    continue
                break
            if lines:
                texts.append("\n".join(lines))
        if texts:
            setattr(plan, fld, strip_markup("\n".join(texts)))


def _blank_plan(plan: DepartmentPlan) -> bool:
    """An empty department form (the template's, unfilled): no typed value anywhere;
    the template's 合计 / 占比 formulas compute 0 and do not count."""
    return not (plan.name or plan.filled_by or plan.phone or plan.functions or plan.annual_tasks
                or plan.long_term_goal or plan.annual_goal or plan.project_spending
                or plan.long_term_indicators or plan.annual_indicators or plan.narrative
                or any(r.current_amount is not None or any(v is not None for v in r.previous_amounts.values())
                       for r in plan.revenue + plan.expenditure))


def _read_into(sheet: Sheet, rows: set[int], run: FormRun) -> set[int]:
    """The first department form that holds anything is the submission's plan; the
    近两年 years of every one are noted (a hint at the budget year)."""
    plan, owned = read_department(sheet, rows, tax=run.tax, ctx=run.ctx)
    if run.out.department_plan is None and not _blank_plan(plan):
        run.out.department_plan = plan
    run.ctx.previous_years.extend(int(y) for y in plan.previous_years if y.isdigit())
    return owned


def _recognise(sheet: Sheet, owned: set[int]) -> Recognition | None:
    """A quarter of certainty per department-only sign the sheet shows: a section (部门(单位)名称,
    收入构成, 部门职能概述, 预算支出总额, 当年整体绩效目标 …), a title naming the department-wide
    form (部门整体支出绩效目标表), or a department named with no project named anywhere on the
    sheet (a form of the department itself, 湖南 and 宁夏 乡镇 forms whose goal is a plain
    年度绩效目标). Two make a department form, so a project form whose 绩效指标 are headed
    年度绩效指标, or whose 部门(单位)名称 names its department above its 项目名称, is not one."""
    index = load_labels().index(sheet).get("department", {})
    seen = {hit.field for r, hits in index.items() if r not in owned
            for _c, hit in hits if hit.field in _STRONG or (hit.field == "annual_goal" and "整体" in hit.label)}
    if not seen:
        return None  # (a title alone is no department form)
    title = department_title(sheet)
    if title is not None and title[0] not in owned and not any(c == title[1] for c, _h in index.get(title[0], ())):
        seen.add("title")  # (a title that is itself a section label, 部门整体绩效目标, counts once)
    if not names_project(sheet, owned) and any(
            hit.field == "name" and hit.inline is None for r, hits in index.items() if r not in owned for _c, hit in hits):
        seen.add("no-project")  # (a line 单位名称：… above a table names who files it, not its form)
    if len(seen) < 2:
        return None
    return Recognition(min(1.0, 0.25 * len(seen)), set(sheet.grid) - owned)


def names_project(sheet: Sheet, owned: set[int]) -> bool:
    """A project name label (项目名称, 二级项目名称 …, by wording or parts) on the sheet outside
    *owned* rows."""
    return any(h.field == "name" for r, hits in load_labels().index(sheet).get("project", {}).items() if r not in owned
               for _c, h in hits)


def is_department_sheet(sheet: Sheet, owned: set[int]) -> bool:
    """The sheet shows a department-wide form and names no project: a table on it is the
    department's, never a project named by its title (:mod:`.project` asks)."""
    return not names_project(sheet, owned) and _recognise(sheet, owned) is not None


READER = FormReader("department", recognise=_recognise, read=_read_into)
