"""The canonical model of a budget performance target submission (预算绩效目标).

Every reader produces these objects and every writer consumes them. The model holds
every field any of the five seed documents shows (see ``samples/source/``):

* project-level three-tier sheet (seed 000 彭阳, 002 红寺堡): :class:`Project`
  with :class:`Indicator` rows (一级 / 二级 / 三级 / 绩效值);
* Hebei variant (seed 001 乐亭): 项目编码, 财政资金 / 其他资金, 资金用途,
  资金支出计划 (:class:`SpendingCheckpoint`), 绩效指标描述, 指标值确定依据;
* Guangdong variant (seed 003 增城): 财政拨款 / 行政专户拨款 / 其他资金 and the
  two targets 实施周期指标值 (``period_target``) and 年度指标值 (``target``);
* department-wide form (seed 004 阳新): :class:`DepartmentPlan`.

Units: every amount is a :class:`~decimal.Decimal` in 万元 (10,000 yuan) unless its
name says otherwise. In JSON, amounts and target values are JSON numbers.

JSON keys other tools rely on (never rename): ``year``, ``region.county``,
``department.name``, ``projects[].name``, ``projects[].annual_amount``,
``projects[].indicators[].level1`` / ``.level2`` / ``.name`` / ``.source``,
``.target.raw`` / ``.comparator`` / ``.value`` / ``.unit``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

__all__ = [
    "SCHEMA_VERSION",
    "Amount",
    "Comparator",
    "CompositionRow",
    "Department",
    "DepartmentPlan",
    "Finding",
    "Indicator",
    "NarrativeSection",
    "Project",
    "ProjectSpending",
    "Region",
    "Severity",
    "Source",
    "SpendingCheckpoint",
    "Submission",
    "Target",
]

SCHEMA_VERSION = "1.0"


def _decimal_to_json(value: Decimal) -> int | float:
    """Decimal -> JSON number. Integral values become ints, others floats.

    Exact for decimals of at most 15 significant digits, which covers every amount
    in 万元 and every target number seen in the seeds.
    """
    if value == value.to_integral_value() and abs(value) < Decimal(10) ** 15:
        return int(value)
    return float(value)


#: A decimal amount or number; a JSON number on the wire.
Amount = Annotated[Decimal, PlainSerializer(_decimal_to_json, return_type=int | float, when_used="json")]

Comparator = Literal["≥", "≤", "=", ">", "<"]
Severity = Literal["error", "warning"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class Finding(_Model):
    """One review finding: data, never an exception (docs/review-rules.md).

    ``code`` is a stable kebab-case identifier (see :mod:`xlperf.findings`),
    ``message`` is Chinese a clerk understands, ``sheet`` and ``cell`` (A1 style)
    point at the cell concerned; ``file`` is set once the finding leaves its workbook.
    ``text`` holds the offending text as typed, when there is one.
    """

    code: str
    severity: Severity
    message: str
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    text: str | None = None

    @property
    def where(self) -> str:
        """``Sheet!A1`` (or the sheet, or ``""``) for messages."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or ""


class Source(_Model):
    """Where a submission was read from: path as given and the file's sha256."""

    path: str
    sha256: str | None = None
    sheets: list[str] = Field(default_factory=list)


class Region(_Model):
    """Province / city / county and the 行政区划代码 (``division_code``) where known."""

    province: str | None = None
    city: str | None = None
    county: str | None = None
    division_code: str | None = None


class Department(_Model):
    """The submitting department (部门名称), e.g. 彭阳县司法局; ``code`` when printed (315002)."""

    name: str | None = None
    code: str | None = None
    filled_by: str | None = None  # 填报人
    phone: str | None = None  # 联系电话
    fill_date: str | None = None  # 填报日期, ISO yyyy-mm-dd when it could be read as a date


class Target(_Model):
    """A target value (绩效值 / 指标值), parsed per docs/targets.md.

    ``raw`` is always the text as typed. ``kind`` is ``quantitative`` (comparator,
    number and unit known), ``qualitative`` (text such as 进一步提升), ``ambiguous``
    (a number that cannot be read safely, e.g. ``2,8505``: reported, never guessed)
    or ``empty``. ``value`` is in the unit written (``unit``), never converted; use
    :func:`xlperf.targets.amount_in_wan` to compare money in 万元.
    """

    raw: str
    kind: Literal["quantitative", "qualitative", "ambiguous", "empty"] = "qualitative"
    comparator: Comparator | None = None
    value: Amount | None = None
    unit: str | None = None
    source: str | None = None  # "Sheet!D12"


class Indicator(_Model):
    """One 三级 indicator row with its 一级 / 二级 levels.

    ``level1`` / ``level2`` are canonical names from the taxonomy (产出指标, 数量指标)
    or ``None`` when the text could not be matched (then a finding says so);
    ``*_code`` are the taxonomy codes (1, 11) and ``*_text`` the text as written
    (11-数量指标, 数量指标, 1.1数量指标; ``name_text`` only where an outline number was
    dropped from the 三级: 1.1.1 城区道路清扫保洁面积). ``source`` is the cell of the 三级 name.
    Department indicators (seed 004) also carry 前年 / 上年 values. A target written
    in separate columns (指标性质 | 指标值 | 计量单位, 重庆 巴南) is one ``target`` whose
    ``raw`` joins the parts in that order (``=100%``). A 区域绩效目标表 with one target
    column per recipient gives one indicator per recipient value, ``recipient`` naming it
    (docs/forms.md "One target column per recipient").
    """

    level1: str | None = None
    level1_code: str | None = None
    level1_text: str | None = None
    level2: str | None = None
    level2_code: str | None = None
    level2_text: str | None = None
    name: str | None = None  # 三级指标
    name_text: str | None = None  # the 三级 as written when an outline number was dropped (1.1.1 城区道路清扫保洁面积)
    description: str | None = None  # 绩效指标描述 (Hebei)
    target: Target | None = None  # 绩效值 / 指标值 / 年度指标值 / 预期当年实现值
    period_target: Target | None = None  # 实施周期指标值 (Guangdong)
    value_basis: str | None = None  # 指标值确定依据
    indicator_class: str | None = None  # 指标分类
    value_two_years_ago: Target | None = None  # 前年 (department annual indicators)
    value_last_year: Target | None = None  # 上年
    source: str | None = None
    level1_source: str | None = None
    level2_source: str | None = None
    raw_text: str | None = None  # the packed text an indicator was parsed from (Guangdong)
    weight: str | None = None  # 指标权重 / 权重 / 分值 as written (重庆 巴南: 10)
    grades: dict[str, str] = Field(default_factory=dict)  # 评价标准 优 / 良 / 中 / 差 (河北 邯郸); target = 优
    recipient: str | None = None  # 补助区域: the recipient a 区域目标值 column is for (福建 龙岩: 新罗区)


class SpendingCheckpoint(_Model):
    """One column of 资金支出计划 (seed 001): checkpoint (3月底) and cumulative percent."""

    checkpoint: str
    cumulative_percent: Amount | None = None
    raw: str | None = None


class Project(_Model):
    """A spending project (项目支出) and its indicators. Amounts in 万元.

    ``cells`` maps a field name to the cell it was read from ("项目1!B5"), so every
    finding can point at a cell. ``*_text`` fields keep an amount as typed when it
    could not be read as a number (``2,8505``).
    """

    name: str | None = None  # 项目名称
    code: str | None = None  # 项目编码 (Hebei)
    competent_department: str | None = None  # 主管部门
    implementing_unit: str | None = None  # 实施单位 / 使用单位
    attribute: str | None = None  # 项目属性
    duration: str | None = None  # 项目期限
    supervising_office: str | None = None  # 项目主管处室
    category: str | None = None  # 项目类别
    annual_amount: Amount | None = None  # 项目年度金额 / 预算数 / 总计, 万元
    annual_amount_text: str | None = None
    fiscal_funds: Amount | None = None  # 财政拨款 / 其中：财政资金, 万元
    special_account_funds: Amount | None = None  # 行政专户拨款, 万元
    other_funds: Amount | None = None  # 其他资金, 万元
    fund_use: str | None = None  # 资金用途
    spending_plan: list[SpendingCheckpoint] = Field(default_factory=list)  # 资金支出计划
    performance_target: str | None = None  # 年度总体绩效目标 / 绩效目标 (markup removed)
    long_term_goal: str | None = None  # 中期目标 / 长期目标 beside the annual one
    period_amount: Amount | None = None  # 中期资金总额 beside 年度资金总额, 万元
    indicators: list[Indicator] = Field(default_factory=list)
    sheet: str | None = None
    cells: dict[str, str] = Field(default_factory=dict)


class CompositionRow(_Model):
    """A 收入构成 / 支出构成 row (seed 004): 当年金额, 占比 (percent), 近两年 by year. 万元."""

    item: str
    current_amount: Amount | None = None
    share_percent: Amount | None = None
    previous_amounts: dict[str, Amount | None] = Field(default_factory=dict)  # {"2024": 1834}
    source: str | None = None


class ProjectSpending(_Model):
    """A 项目支出情况 row (seed 004). Budgets in 万元."""

    name: str
    spending_category: str | None = None  # 支出项目类别
    total_budget: Amount | None = None  # 项目总预算
    annual_budget: Amount | None = None  # 项目本年度预算
    purpose: str | None = None  # 项目主要支出方向和用途
    source: str | None = None


class NarrativeSection(_Model):
    """Prose goals with a heading (seed 001 part one: 一、总体绩效目标 ...)."""

    heading: str | None = None
    text: str
    source: str | None = None


class DepartmentPlan(_Model):
    """The department-wide plan (部门整体绩效目标申报表, seed 004 阳新). Amounts in 万元."""

    name: str | None = None  # 部门(单位)名称
    filled_by: str | None = None  # 填报人
    phone: str | None = None  # 联系电话
    fill_date: str | None = None  # 填报日期
    revenue: list[CompositionRow] = Field(default_factory=list)  # 收入构成, without 合计
    revenue_total: CompositionRow | None = None
    expenditure: list[CompositionRow] = Field(default_factory=list)  # 支出构成, without 合计
    expenditure_total: CompositionRow | None = None
    previous_years: list[str] = Field(default_factory=list)  # the two 近两年 column years
    functions: str | None = None  # 部门职能概述
    annual_tasks: str | None = None  # 年度工作任务
    project_spending: list[ProjectSpending] = Field(default_factory=list)  # 项目支出情况
    long_term_goal: str | None = None  # 长期目标
    long_term_horizon: int | None = None  # 长期目标 截止 year (2030)
    annual_goal: str | None = None  # 年度目标
    long_term_indicators: list[Indicator] = Field(default_factory=list)  # 长期绩效指标
    annual_indicators: list[Indicator] = Field(default_factory=list)  # 年度绩效指标
    narrative: list[NarrativeSection] = Field(default_factory=list)  # prose goals (seed 001)
    sheet: str | None = None
    cells: dict[str, str] = Field(default_factory=dict)


class Submission(_Model):
    """One submitted workbook read into the canonical model.

    ``year`` is the budget year (预算年度); ``findings`` are the review findings of
    reading and checking it (see :class:`xlperf.report.Report`).
    """

    schema_version: str = SCHEMA_VERSION
    taxonomy_version: str | None = None
    source: Source
    region: Region = Field(default_factory=Region)
    year: int | None = None
    department: Department = Field(default_factory=Department)
    department_plan: DepartmentPlan | None = None
    projects: list[Project] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)

    def to_json(self, *, indent: int | None = 2) -> str:
        """Canonical JSON text (UTF-8 safe, Chinese kept as is)."""
        return self.model_dump_json(indent=indent)

    @classmethod
    def from_json(cls, text: str | bytes) -> Submission:
        """Parse canonical JSON; raises :class:`pydantic.ValidationError` on bad input."""
        return cls.model_validate_json(text)
