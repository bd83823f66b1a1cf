"""``xlperf review FILE``: import one workbook exactly as ``xlperf import`` does, then
write its review copy (or, ``show_read``, its show-read copy) in an isolated worker
process (docs/review-loop.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal

from ..importer import ImportResult, import_files
from ..isolation import DEFAULT_MEMORY_LIMIT, ContainedRunner
from ..model import Region
from .copy import CopyResult, CopyTask, run_copy
from .roles import cell_roles
from .sheets import CopySummary

__all__ = ["ReviewOutcome", "copy_name", "review_file", "summary_of"]

_TAGS = {False: "审核", True: "识别"}


def copy_name(source: str, *, show_read: bool = False, folder: str | None = None) -> str:
    """Where a copy goes by default: beside *source* (or in *folder*), named
    ``<name>.审核.xlsx`` (``<name>.识别.xlsx`` for the show-read copy); a macro workbook
    stays ``.xlsm``."""
    stem, ext = os.path.splitext(os.path.basename(source))
    ext = ".xlsm" if ext.lower() == ".xlsm" else ".xlsx"
    return os.path.join(folder if folder is not None else os.path.dirname(source), f"{stem}.{_TAGS[show_read]}{ext}")


def summary_of(result: ImportResult) -> CopySummary:
    """The 概况 of a review copy from an import: counts, total 项目年度金额 (万元)."""
    sub = result.submission
    if sub is None:
        return CopySummary(errors=len(result.report.errors), warnings=len(result.report.warnings))
    amounts = [p.annual_amount for p in sub.projects if p.annual_amount is not None]
    plan = sub.department_plan
    return CopySummary(
        projects=len(sub.projects), indicators=sum(len(p.indicators) for p in sub.projects),
        department_indicators=len(plan.long_term_indicators) + len(plan.annual_indicators) if plan else 0,
        total=sum(amounts, Decimal(0)) if amounts else None, amount_unread=len(sub.projects) - len(amounts),
        errors=len(result.report.errors), warnings=len(result.report.warnings))


@dataclass
class ReviewOutcome:
    """The import of the file (``result``; its ``exit_code`` as for ``xlperf import``) and
    the copy written (``copy``; ``copy.failure`` says why not), or ``copy`` ``None`` when
    the file could not be read at all."""

    result: ImportResult
    copy: CopyResult | None

    @property
    def exit_code(self) -> int:
        """2 when the file could not be read or the copy not written, else the import's 0 / 1."""
        if self.copy is None or self.copy.failure:
            return 2
        return self.result.exit_code


def review_file(path: str, *, output: str | None = None, show_read: bool = False, region: Region | None = None,
                year: int | None = None, labels: dict | None = None,
                memory_limit: int | None = DEFAULT_MEMORY_LIMIT) -> ReviewOutcome:
    """Import *path* (with *region*, *year* and *labels* as ``xlperf import`` takes them)
    and write its copy to *output* (default :func:`copy_name`). Never raises for a bad
    input or an unwritable output: see :class:`ReviewOutcome`. The original is only read;
    an *output* that is the original itself is refused."""
    target = output or copy_name(path, show_read=show_read)
    # read in a contained worker like every untrusted read (docs/untrusted-input.md)
    (result,) = import_files([path], region=region, year=year, labels=labels, keep_cells=show_read,
                             memory_limit=memory_limit)
    if result.submission is None:
        return ReviewOutcome(result, None)
    if os.path.exists(target) and os.path.samefile(target, path):
        return ReviewOutcome(result, CopyResult(target, failure="副本不能写到原文件上：原文件不做任何改动，请用 -o 指定另一个文件名"))
    if show_read:
        assert result.cells is not None
        task = CopyTask(path, target, roles=cell_roles(result.submission, result.cells))
    else:
        task = CopyTask(path, target, findings=tuple(result.report.findings), summary=summary_of(result))
    # a contained worker, so openpyxl never runs in this process
    with ContainedRunner(1, memory_limit=memory_limit) as runner:
        out = runner.run(run_copy, task)
    copy = out.value if out.value is not None else CopyResult(target, failure=(out.failure or "").split(" / ")[0])
    return ReviewOutcome(result, copy)
