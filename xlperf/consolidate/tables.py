"""The one schema of the consolidated tables (``xlperf merge``): each table's sheet name,
data-file stem and columns as (field identifier, Chinese header, kind), the named row
type built from them, the Arrow type of each kind, and :class:`Consolidation`, the
interface through which every output format reads the tables as a stream.

Used by the flattening (rows), the table building, every output format, the CLI's
summary and the tests; nothing else defines a column. Headers are the Chinese terms of
the README glossary (the workbook, Parquet and CSV all use them); field identifiers are
the glossary's English identifiers. Kinds: ``text``; ``amount`` (:class:`~decimal.Decimal`
in 万元); ``number`` (a target's value, Decimal); ``count`` and ``year`` (``int``).
Cells hold ``str``, ``int``, ``Decimal`` or ``None``, never a float NaN. In Arrow (the
merge's spool, Parquet) text is ``string``, counts and years ``int64``, amounts and
numbers ``decimal128(38, 18)``: exact for anything a form holds (15 significant digits,
below 10^16), rounded half-even past 18 decimals.

A column marked ``workbook=False`` is left out of the consolidated workbook's sheet
(it repeats a value the 项目 or 来源 sheet holds, and every cell costs write time);
Parquet and CSV keep every column.

The 项目 table has one count column per 一级 of the taxonomy (``产出指标数`` …), so its
schema is built from templates/taxonomy.toml (:func:`projects_table`); the 部门 table has
one column per 收入构成 / 支出构成 item its rows hold (:func:`department_columns`), so
its rows are dicts keyed by header.

:data:`OUTPUT_MARK` is the document property that marks a workbook xlperf wrote that is no
submission (the consolidated workbook, the diff workbook, the show-read copy), for people
and other tools; merge recognises its own outputs by the sha256 recorded when they were
written (:mod:`xlperf.consolidate.ledger`), never by a property a file can carry. :data:`CHANGES` is the table of ``xlperf diff`` (docs/review-loop.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property, lru_cache
from itertools import repeat
from typing import TYPE_CHECKING, Any, NamedTuple

from ..taxonomy import load_taxonomy

if TYPE_CHECKING:  # the schema itself needs neither pandas nor pyarrow: imported when used
    import pandas as pd
    import pyarrow as pa

__all__ = [
    "CHANGES",
    "COPY_OF",
    "DEPARTMENTS",
    "DEPARTMENTS_HEAD",
    "DEPARTMENTS_TAIL",
    "DEPARTMENT_INDICATORS",
    "FINDINGS",
    "INDICATORS",
    "OUTPUT_MARK",
    "OVERVIEW",
    "PROJECT_FIELDS",
    "SOURCES",
    "Column",
    "Consolidation",
    "Table",
    "arrow_schema",
    "department_columns",
    "plain_decimal",
    "projects_table",
    "python_rows",
    "record_batch",
    "tables",
]

#: Custom document property value that marks a workbook written by ``xlperf merge`` (and the
#: other outputs that are no submission).
OUTPUT_MARK = "xlperf-consolidated"

#: Custom document property of a review copy (``xlperf review``): the sha256 of the workbook
#: it is a copy of. Merge gives a copy lying beside its original the original's manifest row.
COPY_OF = "xlperf-copy-of"


@dataclass(frozen=True)
class Column:
    """One column: ``field`` (English identifier, the named row's attribute), ``header``
    (Chinese, as written in every output) and ``kind`` (see the module doc)."""

    field: str
    header: str
    kind: str = "text"
    workbook: bool = True


@dataclass(frozen=True)
class Table:
    """One consolidated table: ``name`` (the data-file stem and the Excel table name,
    ``projects``), ``sheet`` (the workbook sheet, ``项目``) and its ``columns``."""

    name: str
    sheet: str
    columns: tuple[Column, ...]

    @property
    def headers(self) -> list[str]:
        """The Chinese headers in column order."""
        return [c.header for c in self.columns]

    @property
    def workbook_headers(self) -> list[str]:
        """The headers of the columns the consolidated workbook shows (module doc)."""
        return [c.header for c in self.columns if c.workbook]

    def shows(self, header: str) -> bool:
        """Whether the consolidated workbook shows the column *header* (module doc;
        a 部门 item column: yes)."""
        return all(c.workbook for c in self.columns if c.header == header)

    def kind(self, header: str) -> str:
        """The kind of the column *header*; ``amount`` for a header not in the schema
        (the 部门 table's 收入构成 / 支出构成 item columns)."""
        return self.kinds.get(header, "amount")

    def header(self, field: str) -> str:
        """The header of the column *field*; :class:`KeyError` for an unknown field."""
        for c in self.columns:
            if c.field == field:
                return c.header
        raise KeyError(field)

    @cached_property
    def row(self) -> type[tuple]:
        """The named row type of this table: a NamedTuple whose fields are the columns'
        identifiers in order (``row.sheet``, ``row.cell`` …)."""
        return _row_type(self.name, tuple(c.field for c in self.columns))

    @cached_property
    def kinds(self) -> dict[str, str]:
        """Header -> kind of every column (see :meth:`kind`)."""
        return {c.header: c.kind for c in self.columns}


@lru_cache(maxsize=None)
def _row_type(name: str, fields: tuple[str, ...]) -> type[tuple]:
    cls_name = "".join(part.title() for part in name.split("_")) + "Row"
    return NamedTuple(cls_name, [(f, Any) for f in fields])  # type: ignore[return-value]


def _cols(*spec: tuple[str, str] | tuple[str, str, str]) -> tuple[Column, ...]:
    return tuple(Column(*s) for s in spec)


def _not_in_workbook(cols: tuple[Column, ...], *fields: str) -> tuple[Column, ...]:
    return tuple(Column(c.field, c.header, c.kind, workbook=False) if c.field in fields else c for c in cols)


REGION = _cols(("province", "省"), ("city", "市"), ("county", "县(区)"), ("division_code", "行政区划代码"),
               ("department", "部门"), ("year", "年度", "year"))
#: an indicator row's region in the workbook: 县(区) and 部门 (with 项目名称 and 来源文件 enough to
#: filter and to find the row; 省, 市, 行政区划代码 and 年度 are on the 项目 and 来源 sheets)
_INDICATOR_REGION = _not_in_workbook(REGION, "province", "city", "division_code", "year")
#: where a row was read from: the file, sheet and cell
SOURCE_CELL = _cols(("source_file", "来源文件"), ("sheet", "工作表"), ("cell", "单元格"))

#: the project fields copied from :class:`~xlperf.model.Project` (identifier = attribute)
PROJECT_FIELDS = _cols(
    ("code", "项目编码"), ("name", "项目名称"), ("competent_department", "主管部门"),
    ("implementing_unit", "实施单位"), ("attribute", "项目属性"), ("duration", "项目期限"),
    ("supervising_office", "项目主管处室"), ("category", "项目类别"),
    ("annual_amount", "项目年度金额（万元）", "amount"), ("annual_amount_text", "项目年度金额（原文）"),
    ("fiscal_funds", "财政拨款（万元）", "amount"), ("special_account_funds", "行政专户拨款（万元）", "amount"),
    ("other_funds", "其他资金（万元）", "amount"), ("fund_use", "资金用途"),
    ("period_amount", "中期资金总额（万元）", "amount"), ("long_term_goal", "中期目标"),
)
UNKNOWN_LEVEL1 = "未识别一级"

_TARGET = _cols(("comparator", "比较符"), ("value", "数值", "number"), ("unit", "单位"), ("target_kind", "绩效值类型"))

INDICATORS = Table("indicators", "指标", (
    *_INDICATOR_REGION, Column("project_code", "项目编码", workbook=False), *_cols(("project_name", "项目名称"), ("level1", "一级指标"),
                    ("level2", "二级指标"), ("name", "三级指标"), ("description", "绩效指标描述"),
                    ("target_raw", "绩效值（原文）")),
    *_TARGET, *_cols(("period_target_raw", "实施周期指标值"), ("recipient", "补助区域"), ("weight", "指标权重"),
                     ("grades", "评价标准"), ("value_basis", "指标值确定依据"),
                     ("level1_text", "一级指标（原文）"), ("level2_text", "二级指标（原文）"), ("name_text", "三级指标（原文）")),
    *SOURCE_CELL))

DEPARTMENT_INDICATORS = Table("department_indicators", "部门指标", (
    *_INDICATOR_REGION, *_cols(("category", "类别"), ("level1", "一级指标"), ("level2", "二级指标"), ("name", "三级指标"),
                    ("target_raw", "指标值（当年，原文）")),
    *_TARGET, *_cols(("value_two_years_ago_raw", "前年（原文）"), ("value_last_year_raw", "上年（原文）"),
                     ("value_basis", "指标值确定依据"), ("indicator_class", "指标分类"),
                     ("level1_text", "一级指标（原文）"), ("level2_text", "二级指标（原文）"), ("name_text", "三级指标（原文）")),
    *SOURCE_CELL))

FINDINGS = Table("findings", "问题", _cols(
    ("severity", "级别"), ("code", "代码"), ("message", "说明"), ("province", "省"), ("city", "市"),
    ("county", "县(区)"), ("department", "部门"), ("project_name", "项目名称"), ("file", "文件"), ("sheet", "工作表"),
    ("cell", "单元格"), ("text", "原文"), ("file_status", "文件状态")))

SOURCES = Table("sources", "来源", _cols(
    ("file", "文件"), ("sha256", "sha256"), ("status", "状态"), ("status_text", "状态说明"), ("reason", "原因"),
    ("province", "省"), ("city", "市"), ("county", "县(区)"), ("division_code", "行政区划代码"), ("department", "部门"),
    ("year", "年度", "year"), ("fill_date", "填报日期"), ("modified", "修改时间"), ("region_basis", "地区年度依据"),
    ("projects", "项目数", "count"), ("indicators", "项目指标数", "count"),
    ("department_indicators", "部门指标数", "count"), ("errors", "错误", "count"), ("warnings", "警告", "count"),
    ("changes", "变更摘要")))

#: What a resubmission changed (``xlperf diff OLD NEW``): one row per change. ``project``
#: is the 项目编码 or 项目名称 (``部门整体（长期）`` / ``部门整体（年度）`` / ``部门整体`` for the
#: department plan), ``field`` the column that changed, ``old`` / ``new`` its values as
#: text, ``difference`` new - old in 万元 for an amount, ``old_where`` / ``new_where`` the
#: cells (``项目3!B3``).
CHANGES = Table("changes", "变更", _cols(
    ("change", "变更"), ("project", "项目"), ("level1", "一级指标"), ("level2", "二级指标"), ("name", "三级指标"),
    ("field", "栏目"), ("old", "原值"), ("new", "新值"), ("difference", "差额（万元）", "amount"),
    ("old_where", "原位置"), ("new_where", "新位置")))

OVERVIEW = Table("overview", "概览", _cols(
    ("province", "省"), ("city", "市"), ("county", "县(区)"), ("departments", "部门数", "count"),
    ("projects", "项目数", "count"), ("amount_total", "项目年度金额合计（万元）", "amount"),
    ("amount_unread", "金额未识别项目数", "count"), ("indicators", "项目指标数", "count"),
    ("department_indicators", "部门指标数", "count"), ("errors", "错误", "count"), ("warnings", "警告", "count")))

DEPARTMENTS_HEAD = (*REGION, *_cols(("filled_by", "填报人"), ("fill_date", "填报日期")))
DEPARTMENTS_TAIL = _cols(
    ("project_spending_count", "项目支出情况数", "count"), ("project_spending_total", "项目支出情况合计（万元）", "amount"),
    ("long_term_goal", "长期目标"), ("long_term_horizon", "长期目标截止年度", "year"), ("annual_goal", "年度目标"),
    ("narrative", "整体绩效目标（文字）"), ("long_term_indicator_count", "长期绩效指标数", "count"),
    ("annual_indicator_count", "年度绩效指标数", "count"), ("findings_count", "问题数", "count"),
    ("source_file", "来源文件"), ("sheet", "工作表"))
REVENUE_TOTAL = Column("revenue_total", "收入合计（万元）", "amount")
EXPENDITURE_TOTAL = Column("expenditure_total", "支出合计（万元）", "amount")
#: the 部门 table's fixed columns; the item columns between them vary (:func:`department_columns`)
DEPARTMENTS = Table("departments", "部门", (*DEPARTMENTS_HEAD, REVENUE_TOTAL, EXPENDITURE_TOTAL, *DEPARTMENTS_TAIL))


# The named row types, at module level so rows pickle across the merge's worker processes.
OverviewRow = OVERVIEW.row
IndicatorsRow = INDICATORS.row
DepartmentIndicatorsRow = DEPARTMENT_INDICATORS.row
FindingsRow = FINDINGS.row
SourcesRow = SOURCES.row
ChangesRow = CHANGES.row


def __getattr__(name: str) -> object:
    """``ProjectsRow``: the 项目 table's row type, built from the taxonomy on first use."""
    if name == "ProjectsRow":
        return projects_table().row
    raise AttributeError(name)


def composition_header(part: str, item: str) -> str:
    """The 部门 column of one 收入构成 / 支出构成 item (*part* ``收入`` or ``支出``),
    its 当年金额 in 万元: ``收入：财政拨款（万元）``."""
    return f"{part}：{item}（万元）"


@lru_cache(maxsize=1)
def projects_table() -> Table:
    """The 项目 table: region, every project field, 资金支出计划, 年度总体绩效目标, an
    indicator count per 一级 of the taxonomy (``level1_count_0`` … ``产出指标数`` …), the
    count under no known 一级 and the total, then the source file / sheet / cell."""
    counts = tuple(Column(f"level1_count_{i}", f"{lv.name}数", "count") for i, lv in enumerate(load_taxonomy().level1))
    return Table("projects", "项目", (
        *REGION, *PROJECT_FIELDS, Column("spending_plan", "资金支出计划"),
        Column("performance_target", "年度总体绩效目标"), *counts,
        Column("unknown_level1_count", f"{UNKNOWN_LEVEL1}指标数", "count"),
        Column("indicator_count", "指标数", "count"), *SOURCE_CELL))


def department_columns(rows: Iterable[dict[str, object]]) -> list[str]:
    """The 部门 table's headers for these rows (dicts keyed by header): region, 填报人 /
    填报日期, the 收入构成 items in the order first seen, 收入合计, the 支出构成 items,
    支出合计, then :data:`DEPARTMENTS_TAIL`."""
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
    revenue = [c for c in seen if c.startswith("收入：")]
    expenditure = [c for c in seen if c.startswith("支出：")]
    return [*(c.header for c in DEPARTMENTS_HEAD), *revenue, REVENUE_TOTAL.header, *expenditure,
            EXPENDITURE_TOTAL.header, *(c.header for c in DEPARTMENTS_TAIL)]


class Consolidation:
    """The consolidated tables, read as a stream (the merge keeps their rows on disk,
    so an output never needs them all in memory); every output format reads them
    through this interface only.

    Tables (:func:`tables`): ``overview`` 概览 (per 省/市/县), ``departments`` 部门 (per
    department-wide plan), ``projects`` 项目, ``indicators`` 指标, ``department_indicators``
    部门指标, ``findings`` 问题 (every finding of every file and of the merge), ``sources``
    来源 (every input file; ``状态`` is imported / replaced / duplicate / failed).
    ``exit_code``: 0 no error, 1 error-severity findings in what was consolidated, 2 some
    input could not be read (or none was found).

    An implementation gives :meth:`headers`, :meth:`count` and :meth:`batches`; rows and
    DataFrames (convenient for small merges and tests) are built from those. Close it
    (or use it as a context manager) to remove what it keeps on disk.
    """

    exit_code: int = 0

    def headers(self, table: Table) -> list[str]:
        """The table's columns (the schema's; the 部门 table's item columns vary)."""
        raise NotImplementedError

    def count(self, table: Table) -> int:
        """Rows of the table."""
        raise NotImplementedError

    def batches(self, table: Table) -> Iterator[pa.RecordBatch]:
        """The rows as Arrow record batches with :meth:`schema`, in order."""
        raise NotImplementedError

    def schema(self, table: Table) -> pa.Schema:
        """The Arrow schema of the table's batches (:func:`arrow_schema`)."""
        return arrow_schema(table, self.headers(table))

    def rows(self, table: Table, headers: Sequence[str] | None = None) -> Iterator[tuple]:
        """The rows as tuples of Python values (``str``, ``int``, ``Decimal`` in its
        plain form, ``None``), of the columns *headers* (default: all)."""
        wanted = list(headers) if headers is not None else self.headers(table)
        for batch in self.batches(table):
            yield from python_rows(batch, wanted)

    def frame(self, table: Table) -> pd.DataFrame:
        """The whole table as a DataFrame of Python values (``dtype=object``)."""
        import pandas as pd

        headers = self.headers(table)
        return pd.DataFrame(list(self.rows(table, headers)), columns=headers, dtype=object)

    overview = property(lambda self: self.frame(OVERVIEW), doc="概览 as a DataFrame")
    departments = property(lambda self: self.frame(DEPARTMENTS), doc="部门 as a DataFrame")
    projects = property(lambda self: self.frame(projects_table()), doc="项目 as a DataFrame")
    indicators = property(lambda self: self.frame(INDICATORS), doc="指标 as a DataFrame")
    department_indicators = property(lambda self: self.frame(DEPARTMENT_INDICATORS), doc="部门指标 as a DataFrame")
    findings = property(lambda self: self.frame(FINDINGS), doc="问题 as a DataFrame")
    sources = property(lambda self: self.frame(SOURCES), doc="来源 as a DataFrame")

    @property
    def any_imported(self) -> bool:
        """True when at least one input was read (状态 ``imported``): with none, there is
        nothing to consolidate and ``xlperf merge`` writes no file, so an earlier
        consolidated workbook is never replaced by an empty one (a mistyped folder)."""
        status = SOURCES.header("status")
        return any(row[0] == "imported" for row in self.rows(SOURCES, [status]))

    def sheets(self) -> list[tuple[str, str, pd.DataFrame]]:
        """(sheet name, table name, DataFrame) in workbook order (small merges, tests)."""
        return [(t.sheet, t.name, self.frame(t)) for t in tables()]

    def close(self) -> None:
        """Release what the tables keep on disk (idempotent)."""

    def __enter__(self) -> Consolidation:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- Arrow ------------------------------------------------------------------------------------------
#: decimal type of amounts and numbers: 20 digits before the point, 18 after
DECIMAL_PRECISION, DECIMAL_SCALE = 38, 18
_QUANTUM = Decimal(1).scaleb(-DECIMAL_SCALE)


@lru_cache(maxsize=None)
def _arrow_type(kind: str) -> pa.DataType:
    import pyarrow as pa

    if kind in ("amount", "number"):
        return pa.decimal128(DECIMAL_PRECISION, DECIMAL_SCALE)
    if kind in ("count", "year"):
        return pa.int64()
    return pa.string()


def arrow_schema(table: Table, headers: Sequence[str] | None = None) -> pa.Schema:
    """The Arrow schema of *table* (of the columns *headers*, default all; a header not
    in the schema is a 部门 item column, an amount)."""
    return _schema(table, tuple(headers if headers is not None else table.headers))


@lru_cache(maxsize=256)
def _schema(table: Table, headers: tuple[str, ...]) -> pa.Schema:
    import pyarrow as pa

    return pa.schema([(h, _arrow_type(table.kind(h))) for h in headers])


def _array(values: Sequence[object], t: pa.DataType) -> pa.Array:
    """One column of Python values as an Arrow array of type *t*; a value the type cannot
    take as it is (a decimal with more than 18 places, a non-string in a text column, a
    lone surrogate) is converted, never dropped."""
    import pyarrow as pa

    try:
        return pa.array(values, type=t)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, UnicodeError, TypeError, ValueError):
        pass
    if pa.types.is_decimal(t):
        return pa.array([None if v is None else Decimal(str(v)).quantize(_QUANTUM) for v in values], type=t)
    if pa.types.is_integer(t):
        return pa.array([v if v is None or type(v) is int else int(str(v)) for v in values], type=t)
    return pa.array([None if v is None else str(v).encode("utf-8", "surrogatepass").decode("utf-8", "replace")
                     for v in values], type=t)


def record_batch(table: Table, headers: Sequence[str], rows: Sequence[Sequence[object]],
                 columns: Sequence[Sequence[object]] | None = None) -> pa.RecordBatch:
    """Python *rows* (values in the order of *headers*) as an Arrow record batch of
    :func:`arrow_schema`; *columns*: the same values column by column, when the caller
    has them already (``list(zip(*rows))``)."""
    import pyarrow as pa

    schema = arrow_schema(table, headers)
    if columns is None:
        columns = list(zip(*rows)) if rows else [()] * len(headers)
    arrays = [_array(col, f.type) for col, f in zip(columns, schema)]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def plain_decimal(value: Decimal) -> Decimal:
    """*value* without trailing zeros and never in exponent form: ``31.900`` -> ``31.9``,
    ``250`` stays ``250``, ``5.0`` -> ``5`` (decimals as entered, for display)."""
    d = value.normalize()
    return d.quantize(Decimal(1)) if d.as_tuple().exponent > 0 else d  # type: ignore[operator]


def python_rows(batch: pa.RecordBatch, headers: Sequence[str]) -> Iterator[tuple]:
    """The rows of *batch* as tuples of Python values, of the columns *headers* (a
    column the batch does not have is ``None``); decimals in :func:`plain_decimal` form."""
    import pyarrow as pa

    n = batch.num_rows
    columns: list[Iterable[object]] = []
    names = batch.schema.names
    for h in headers:
        if h not in names:
            columns.append(repeat(None, n))
            continue
        arr = batch.column(names.index(h))
        values = arr.to_pylist()
        if pa.types.is_decimal(arr.type):
            values = [None if v is None else plain_decimal(v) for v in values]
        columns.append(values)
    return zip(*columns) if columns else iter([()] * n)


def tables() -> tuple[Table, ...]:
    """Every table in workbook order (the 部门 table's columns vary: see
    :func:`department_columns`)."""
    return (OVERVIEW, DEPARTMENTS, projects_table(), INDICATORS, DEPARTMENT_INDICATORS,
            FINDINGS, SOURCES)
