"""The standard workbook: ``xlperf template`` (blank) and ``xlperf fill`` (a Submission).

One writer for both. Sheets, in order (names from ``templates/template_sheets.toml``):

1. ``填报说明`` – cover: title, the submission block (年度, 省, 市, 县(区), 行政区划代码,
   部门名称, 填报人, 联系电话, 填报日期: labels A3..A11, inputs B3..B11), then the
   instructions;
2. ``部门整体绩效目标`` – the department-wide form of seed 004 阳新
   (:mod:`.department`); a filled workbook has it only when the submission has a
   department plan (no pages of empty framework to print);
3. ``项目1`` … ``项目N`` – the project form of seed 000 彭阳 (:mod:`.project`); a
   filled workbook has one per project, none for a submission without projects;
4. ``_lists`` – hidden: the dropdown lists (:mod:`.lists`);
5. ``_上年值`` – hidden, only in a template pre-filled from last year's submission
   (``last_year``): the values carried over, each cell marked while unchanged
   (:mod:`.carried`).

Labels are locked, inputs unlocked, every sheet protected without a password, and the
workbook's structure locked (``_lists`` cannot be unhidden or deleted); every input has an
input message and a validation. 部门名称, 填报人, 联系电话 and 填报日期 are asked once, on
the cover. Submitted values are written with typed calls (``write_string`` /
``write_number``) into a workbook opened with ``strings_to_formulas``,
``strings_to_urls`` and ``strings_to_numbers`` off, through
:func:`~xlperf.writers.atomic.atomic_path`.
"""

from __future__ import annotations

import datetime

import xlsxwriter.exceptions

from ...inputs import input_limits, year_ok
from ...model import Finding, Submission
from ...taxonomy import load_taxonomy
from ..atomic import atomic_path, write_failed
from .base import Book, LockedWorkbook, SheetWriter, input_format
from .carried import write_carried_sheet
from .department import write_department_sheet
from .lists import write_lists_sheet
from .project import write_project_sheet
from .sheets import load_template_sheets

__all__ = ["write_template", "write_workbook"]

_NOTE = {"text_wrap": True, "valign": "top", "bold": True, "border": 1}


def _year(submission: Submission | None, year: int | None) -> int | None:
    """The budget year to write: *year* when given; else a blank template's next calendar
    year, a submission's own year, or ``None`` when the submission states none (never
    invented). Raises :class:`ValueError` outside templates/inputs.toml's range."""
    if year is None:
        year = datetime.date.today().year + 1 if submission is None else submission.year
    if year is not None and not year_ok(year):
        lim = input_limits()["year"]
        raise ValueError(f"年度 {year} 不在 {lim['min']}-{lim['max']} 之间")
    return year


def write_workbook(path: str, *, submission: Submission | None = None, year: int | None = None,
                   projects: int = 10, last_year: int | None = None) -> list[Finding]:
    """Write the standard workbook to *path* (atomically); return the findings of writing.

    * ``submission`` None: the blank template (cover, department sheet, ``projects``
      project sheets, lists); else the submission filled in: the cover from ``year`` /
      ``region`` / ``department``, the department sheet only when it has a
      ``department_plan`` (or is a pre-filled template), one project sheet per project.
    * ``year``: budget year for titles, the two 近两年 headers (year-2, year-1) and the
      长期目标 horizon (year+4); default ``submission.year`` (``None`` stays unknown:
      titles without a year, a ``fill-year-unknown`` finding), for a blank template the
      next calendar year.
    * ``projects``: at least this many project sheets.
    * ``last_year``: the *submission* is last year's, carried over into the template of
      ``year``: its values are marked as last year's until changed (:mod:`.carried`) and
      the cover says so (``xlperf template --from``).

    The workbook's structure is locked (sheets cannot be unhidden, deleted or added; no
    password) and every sheet is set up for A4 (docs/cli.md). The findings
    (``fill-text-too-long``, ``fill-field-not-held``, ``fill-total-recomputed``,
    ``fill-amount-not-number``, ``fill-year-unknown``, ``fill-value-differs``; see
    ``templates/rules.toml``) list every value that is not in the workbook as given: a
    text over 32,767 characters is replaced by an explicit marker, never cut. Raises
    :class:`ValueError` for a year outside templates/inputs.toml's range or a negative
    ``projects``, :class:`~xlperf.errors.OutputError` when *path* cannot be written (an
    earlier file at *path* is then left intact).
    """
    year = _year(submission, year)
    if projects < 0:
        raise ValueError("项目表张数不能为负数")
    spec = load_template_sheets()
    taxonomy = load_taxonomy()
    wbl = spec.section("workbook")
    subs_projects = submission.projects if submission is not None else []
    n_projects = max(projects, len(subs_projects))
    plan = submission.department_plan if submission is not None else None
    with atomic_path(path) as tmp:
        wb = LockedWorkbook(tmp, {"strings_to_formulas": False, "strings_to_urls": False,
                                  "strings_to_numbers": False,
                                  "default_format_properties": {"font_name": wbl["font_name"],
                                                                "font_size": wbl["font_size"]}})
        cover = wb.add_worksheet(wbl["cover_sheet"])
        with_dept = submission is None or plan is not None or last_year is not None
        dept = wb.add_worksheet(wbl["department_sheet"]) if with_dept else None
        sheets = [wb.add_worksheet(f"{wbl['project_sheet_prefix']}{i}") for i in range(1, n_projects + 1)]
        lists = wb.add_worksheet(wbl["lists_sheet"])
        refs = write_lists_sheet(wb, lists, spec=spec, taxonomy=taxonomy)
        book = Book(wb=wb, spec=spec, taxonomy=taxonomy, lists=refs, carried=[] if last_year is not None else None)
        _write_cover(book, cover, year=year, submission=submission, last_year=last_year)
        if dept is not None:
            write_department_sheet(book, dept, year=year, plan=plan)
        for i, ws in enumerate(sheets):
            write_project_sheet(book, ws, year=year, project=subs_projects[i] if i < len(subs_projects) else None)
        if book.carried is not None:
            write_carried_sheet(book)
        cover.activate()
        wb.set_properties({"title": spec.title("cover", year), "creator": "xlperf"})
        try:
            wb.close()
        except (OSError, xlsxwriter.exceptions.XlsxWriterException) as exc:
            raise write_failed(path, exc) from exc
    return book.notes


def write_template(path: str, *, submission: Submission | None = None, year: int | None = None,
                   projects: int = 10) -> list[Finding]:
    """Write the blank template (``submission`` None) or a filled workbook to *path*.

    The one writer behind ``xlperf template`` and ``xlperf fill``: same arguments, sheets,
    return value (the findings of writing, as data) and errors as :func:`write_workbook`.
    """
    return write_workbook(path, submission=submission, year=year, projects=projects)


def _cover_values(book: Book, sheet: str, year: int | None, submission: Submission | None) -> dict[str, object]:
    """The submission block's values. The department's 名称 / 填报人 / 联系电话 / 填报日期
    are asked once, here: a department plan's own different value is noted, not lost."""
    if submission is None:
        return {"year": year}
    region, dep, plan = submission.region, submission.department, submission.department_plan
    values: dict[str, object] = {"year": year, "province": region.province, "city": region.city,
                                 "county": region.county, "division_code": region.division_code}
    for key, attr in (("department", "name"), ("filled_by", "filled_by"), ("phone", "phone"), ("fill_date", "fill_date")):
        kept = getattr(dep, attr) or (getattr(plan, attr) if plan is not None else None)
        values[key] = kept
        own = getattr(plan, attr) if plan is not None else None
        if own and kept and own != kept:
            book.note("fill-value-differs", sheet=book.spec.section("workbook")["department_sheet"], cell=None,
                      params={"field": book.spec.label(f"department.{attr}"), "kept": kept}, text=own)
    if year is None:
        book.note("fill-year-unknown", sheet=sheet, cell=None, params={})
    if dep.code:
        book.note("fill-field-not-held", sheet=sheet, cell=None, params={"field": "部门编码"}, text=dep.code)
    return values


def _write_cover(book: Book, ws, *, year: int | None, submission: Submission | None, last_year: int | None) -> None:
    """填报说明: title, submission block (labels A3.., inputs B3..), the carried-over note
    of a pre-filled template, instructions."""
    lay = book.spec.section("cover")
    sw = SheetWriter(book, ws)
    sw.setup(widths=lay["widths"], freeze_rows=lay["freeze_rows"])
    sw.label(0, 0, book.spec.title("cover", year), fmt="title", last_col=1)
    sw.min_height(0, 30)
    sw.label(1, 0, lay["block_heading"], fmt="heading", last_col=1)
    values = _cover_values(book, sw.name, year, submission)
    row = lay["first_row"] - 1
    for f in book.spec.cover_fields():
        sw.label(row, 0, f.label)
        sw.put(row, 1, values.get(f.key), fmt=input_format(f.kind), field=f.label, carry=False)  # type: ignore[arg-type]
        sw.validate(row, 1, row, 1, kind=f.kind, title=f.label, message=f.message)
        row += 1
    if last_year is not None:
        note = book.spec.section("carried")["note"].format(last_year=last_year, year=year)
        book.fmt.setdefault("carried", book.wb.add_format({**_NOTE, "bg_color": "#" + book.spec.section("carried")["fill"]}))
        row += 1
        sw.label(row, 0, note, fmt="carried", last_col=1)
    row += 1
    inst = lay["instructions"]
    sw.label(row, 0, inst["heading"], fmt="heading", last_col=1)
    for i, line in enumerate(inst["lines"], start=1):
        row += 1
        sw.label(row, 0, f"{i}. {line}", fmt="plain", last_col=1)
    sw.finish()
