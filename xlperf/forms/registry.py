"""The form readers of every sheet.

Each entry is a :class:`~xlperf.forms.base.FormReader` declared at the end of its own
module. On each sheet every reader says how confidently it recognises its form
(:class:`~xlperf.forms.base.Recognition`); the most confident reads first, then the
others are asked again about the rows it left (a department form owns its sheet; the
Guangdong table owns the rows under its header; a project form its blocks). Equal
scores go in the order below. A fallback reader (prose goals) is tried only on a sheet
where nothing else was found.

To add a form: write ``xlperf/forms/<name>.py`` ending in ``READER = FormReader(...)``
and list it here (see ``xlperf/forms/README.md``). A new wording of a known form is
data only: ``templates/labels.toml``.
"""

from __future__ import annotations

from . import cover, department, guangdong, narrative, project, project_list, project_table, refusal
from .base import FormReader

__all__ = ["REGISTRY"]

REGISTRY: tuple[FormReader, ...] = (
    refusal.READER,      # a 绩效自评表, a scoring rubric, an allocation table: not a target form
    cover.READER,        # the template's cover block (填报说明): region, year, department
    department.READER,   # the department-wide form (seed 004 阳新, the template's 部门整体绩效目标)
    guangdong.READER,    # the Guangdong summary table (seed 003 增城)
    project_table.READER,  # several projects in one flat table (a county's 部门项目支出绩效目标表)
    project_list.READER,  # a list of the workbook's projects (汇总表) beside their forms: checked, not read
    project.READER,      # project forms (seeds 000, 001, 002 and the template), stacked or one per sheet
    narrative.READER,    # prose goals on a sheet of their own (seed 001 part one): fallback
)
