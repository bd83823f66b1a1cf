"""Shared form-reading helpers: boilerplate around forms (titles, unit notes, department
lines, dates) and small cell utilities used by every form parser.

Boilerplate seen in the seeds: titles ``2024 年部门项目支出预算绩效目标表`` (000),
``1.法律援助绩效目标表`` (001), ``项目支出绩效目标表(含转移支付项目)`` (003),
``部门整体绩效目标申报表`` / ``附件 2`` (004), part headings ``第二部分`` (001);
unit notes ``单位：万元``; department lines ``315002乐亭县司法局`` (001), ``彭阳县司法局``.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from ..cellref import cell_name
from ..data import load_data
from ..facts import StatedTotal
from ..findings import finding
from ..model import Finding
from ..readers.grid import Sheet, form_date_from_serial, format_value
from ..targets import AMOUNT_LIMIT, ambiguity, parse_amount
from ..text import label_key
from .labels import form_key, load_labels

__all__ = [
    "ParseContext",
    "consume_boilerplate",
    "department_above",
    "department_line",
    "department_title",
    "filed_by",
    "is_continued",
    "is_numbering",
    "is_page_number",
    "is_serial",
    "is_signature",
    "is_total_row",
    "is_title",
    "is_unit_note",
    "is_unit_note_or_title",
    "parse_cn_date",
    "percent",
    "read_amount",
    "read_fill_date",
    "read_percent",
    "take_department_line",
    "title_year",
    "unit_of_note",
]

_TITLE_RE = re.compile(
    r"(绩效目标(申报|批复|审核|汇总)?表|.+绩效目标申报|.{2,}绩效目标)(\(.{1,12}\))?$|^附件\s*\d*$|^第[一二三四五六七八九十]+部分$"
    r"|^附?表\s*\d+([-－]\d+)?$"  # a table's number in a budget publication: 表12, 附表3-1
)
_TITLE_STARTS = ("附", "第", "表")  # every pattern of _TITLE_RE holds 绩效目标 or starts with one of these
_YEAR_RE = re.compile(r"(20\d\d)\s*年")
# the year line under a title: (2020)年度, ( 2019 年度), 2021年度) (its "(" lost with the page)
_YEAR_NOTE_RE = re.compile(r"^\(?(20\d\d)\)?年度\)?$|^\((20\d\d)年?\)$|^(预算)?年度:(20\d\d)年?$")  # 预算年度：2025 (export)
_TRAILING_YEAR_RE = re.compile(r"\(?20\d\d年度?\)?$")
_UNIT_RE = re.compile(r"^\(?(?:金额)?单位[:：]?(万元|元|亿元)\)?$")  # also bracketed: （单位：万元）
_DEPT_RE = re.compile(r"^(?P<code>\d{3,12})?\s*-?\s*(?P<name>[\u4e00-\u9fff（）()]{2,30}?(局|委员会|委|办公室|中心|院|所|厅|部|处|会|政府))(本级)?$")
_STAMP_RE = re.compile(r"\((盖章|公章|签章)\)")
_CN_DATE_RE = re.compile(r"(20\d\d)\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?")


@lru_cache(maxsize=1 << 14)
def is_title(text: object) -> bool:
    """A form title or part heading (see module docstring), also re-published with page
    noise or traditional characters (``績(jī)效目標(biāo)表``) and with a note in brackets
    (``…绩效目标表(打捆项目)``)."""
    if not isinstance(text, str) or len(text) > 120:
        return False
    key = form_key(text)
    if _YEAR_NOTE_RE.match(key):
        return True
    if "绩效目标" not in key and not key.startswith(_TITLE_STARTS):
        return False  # most texts: no pattern of _TITLE_RE can match (its search is quadratic in a long text)
    return bool(_TITLE_RE.search(key) or (key.endswith("度") and _TITLE_RE.search(_TRAILING_YEAR_RE.sub("", key))))


@lru_cache(maxsize=1 << 14)
def title_department(text: object) -> str | None:
    """The unit a title names before its year (``某县水利局2025年项目绩效目标表`` -> 某县水利局;
    a town's own form ``官地镇2025年项目绩效目标表`` -> 官地镇, a 乡镇 being its own budget unit:
    labels.toml [boilerplate] town_units), else ``None``: a place alone (``綦江区2025年度…``, a
    county's forms of many departments) names no department."""
    if not isinstance(text, str):
        return None
    m = _YEAR_RE.search(text)
    head = label_key(text[:m.start()]) if m else ""
    if not head:
        return None
    if (dept := department_line(head)) is not None:
        return dept[1]
    return head if _town_re().match(head) else None


@lru_cache(maxsize=1)
def _town_re() -> re.Pattern[str]:
    ends = "|".join(map(re.escape, load_data("labels.toml")["boilerplate"]["town_units"]))
    return re.compile(rf"^[\u4e00-\u9fff]{{1,16}}?({ends})$")


def title_year(text: object) -> int | None:
    """The year a title or its year line states (``2024 年部门项目支出预算绩效目标表``,
    ``(2024年度)``, ``预算年度：2025`` -> 2024, 2024, 2025)."""
    if not isinstance(text, str):
        return None
    m = _YEAR_RE.search(text)
    if m is None and (note := _YEAR_NOTE_RE.match(form_key(text))) is not None:  # 预算年度：2025
        return int(next(g for g in note.groups() if g and g.isdigit()))
    return int(m.group(1)) if m else None


@lru_cache(maxsize=1 << 14)
def unit_of_note(text: object) -> str | None:
    """The unit a unit note states (``单位：元`` -> 元, ``金额单位:万元`` -> 万元), else None."""
    if not isinstance(text, str) or len(text) > 20:
        return None
    m = _UNIT_RE.match(label_key(text))
    return m.group(1) if m else None


def is_unit_note(text: object) -> bool:
    """``单位：万元`` / ``单位: 元`` / ``金额单位:万元``."""
    return unit_of_note(text) is not None


@lru_cache(maxsize=1 << 14)
def is_unit_note_or_title(text: object) -> bool:
    """:func:`is_unit_note` or :func:`is_title` in one cached call (asked of every cell
    of a form)."""
    return is_unit_note(text) or is_title(text)


@lru_cache(maxsize=1 << 14)
def is_signature(text: object) -> bool:
    """A signature or note line under a form: ``填表人：张三``, ``审核人：``, ``备注：…``,
    ``填报说明：`` (starting with a word of labels.toml [boilerplate] signature; a label before
    a colon ending with a signer or an opinion, [boilerplate] signer_ends: ``部门负责人：``,
    ``单位审核意见：``, 上海 / 贵州), or a line
    ending in a place to sign or stamp, whoever signs (``项目单位（盖章）``, ``单位负责人签字：``:
    [boilerplate] signature_ends); also in traditional characters (``單位負責人：``, 貴州)."""
    if not isinstance(text, str) or len(text) > 200:
        return False
    key = form_key(text)
    words, ends, signers = _signature_words()
    return ((key.startswith(words) and any(key.startswith(w) and key[len(w):len(w) + 1] in (":", "", "(") for w in words))
            or key.rstrip(":").endswith(ends)
            or (":" in key and _signer(key.split(":", 1)[0], signers)))  # 部门负责人：, 单位审核意见：


def _signer(head: str, signers: tuple[str, ...]) -> bool:
    """*head*, the text before a colon, is a short label naming who signs (部门负责人, 单位审核意见),
    not a name holding one in brackets (某中心(负责人:张三))."""
    return len(head) <= 10 and "(" not in head and head.endswith(signers)


@lru_cache(maxsize=1)
def _signature_words() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    words = load_data("labels.toml")["boilerplate"]
    return tuple(tuple(label_key(w) for w in words[k]) for k in ("signature", "signature_ends", "signer_ends"))


def is_total_row(text: object) -> bool:
    """A table's total row (合计, 总计, 小计: labels.toml [boilerplate] total_row), written
    with or without spaces: it states a sum, it is no item of the table."""
    return isinstance(text, str) and label_key(text) in _total_words()


@lru_cache(maxsize=1)
def _total_words() -> frozenset[str]:
    return frozenset(label_key(w) for w in load_data("labels.toml")["boilerplate"]["total_row"])


def is_continued(text: object) -> bool:
    """The mark a page break leaves above a header printed again (续表, 续上表, (续): labels.toml
    [boilerplate] continued)."""
    return isinstance(text, str) and len(text) <= 12 and form_key(text) in _continued_words()


@lru_cache(maxsize=1)
def _continued_words() -> frozenset[str]:
    return frozenset(form_key(w) for w in load_data("labels.toml")["boilerplate"]["continued"])


_TITLE_ROWS = 3  # a form's title is in its first rows


def department_title(sheet: Sheet) -> tuple[int, int] | None:
    """The cell of the sheet's title (a title cell in its first rows) when it names a
    department-wide form (``部门整体支出绩效目标表``: a word of labels.toml [boilerplate]
    department_title), else ``None``; kept on the sheet."""
    if "department_title" not in sheet.cache:
        words = _department_title_words()
        sheet.cache["department_title"] = next(
            ((r, c) for r in sheet.rows_between(0, max(sheet.grid, default=0) + 1)[:_TITLE_ROWS]
             for c, v in sheet.grid[r] if is_title(v) and any(w in form_key(v) for w in words)), None)
    return sheet.cache["department_title"]  # type: ignore[return-value]


@lru_cache(maxsize=1)
def _department_title_words() -> tuple[str, ...]:
    return tuple(form_key(w) for w in load_data("labels.toml")["boilerplate"]["department_title"])


@lru_cache(maxsize=1 << 12)
def is_page_number(text: object) -> bool:
    """A page number a print or a scan leaves on its own row (``第 1 页``, ``第1页 共3页``, ``- 2 -``:
    labels.toml [boilerplate] page_number patterns, matched on the label key)."""
    if not isinstance(text, str) or len(text) > 20:
        return False
    key = label_key(text)
    return any(p.match(key) for p in _page_patterns())


@lru_cache(maxsize=1)
def _page_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in load_data("labels.toml")["boilerplate"]["page_number"])


@lru_cache(maxsize=1 << 12)
def is_serial(text: object) -> bool:
    """The heading of a table's numbering column (序号, 编号: labels.toml [boilerplate] serial)."""
    return isinstance(text, str) and label_key(text) in _serial_words()


@lru_cache(maxsize=1)
def _serial_words() -> frozenset[str]:
    return frozenset(label_key(w) for w in load_data("labels.toml")["boilerplate"]["serial"])


@lru_cache(maxsize=1 << 12)
def is_numbering(text: object) -> bool:
    """The heading of a column numbering a table's rows: 序号, or the code column of a budget
    system's export (指标代码, 编码: labels.toml [boilerplate] serial and code_column)."""
    if not isinstance(text, str):
        return False
    key = label_key(text)
    return key in _serial_words() or key in _code_words()


@lru_cache(maxsize=1)
def _code_words() -> frozenset[str]:
    return frozenset(label_key(w) for w in load_data("labels.toml")["boilerplate"]["code_column"])


@lru_cache(maxsize=1 << 14)
def department_line(text: object) -> tuple[str | None, str] | None:
    """``315002乐亭县司法局`` -> ("315002", "乐亭县司法局"); ``彭阳县司法局`` -> (None, ...)."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    m = _DEPT_RE.match(label_key(text))
    if not m:
        return None
    return m.group("code"), m.group("name")


def parse_cn_date(value: object) -> str | None:
    """A date as ISO text: a datetime cell, ``2025 年 10 月 20 日`` or ``2025-10-20``."""
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        return None
    m = _CN_DATE_RE.search(value)
    if not m:
        return None
    try:
        return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


def read_fill_date(sheet: Sheet, r: int, c: int, value: object, ctx: ParseContext) -> str:
    """The 填报日期 typed in cell (r, c) (the value cell, which is also the cell a
    reviewer is sent to), as ISO text where it reads as a date: a date cell, ``2025 年
    10 月 20 日`` / ``2025-10-20``, or a number that is an Excel date serial (``45678``,
    reported ``date-as-number`` at (r, c) with the date it was read as); anything else
    as typed. One reader for the template's cover block and the department form."""
    iso = parse_cn_date(value)
    if iso is None and (iso := form_date_from_serial(value)) is not None:
        ctx.findings.append(finding("date-as-number", sheet=sheet.name, cell=cell_name(r, c), text=format_value(value),
                                    params={"label": "填报日期", "date": iso}))
    return iso or format_value(value).strip()


@dataclass
class ParseContext:
    """What a form parser collects besides its form: findings, document facts seen on
    the way (title years, department lines) for the submission's year and department."""

    findings: list[Finding] = field(default_factory=list)
    title_years: list[int] = field(default_factory=list)
    departments: list[tuple[str | None, str, str]] = field(default_factory=list)  # (code, name, where)
    title_departments: list[tuple[str, str]] = field(default_factory=list)  # (name, where) a title names
    previous_years: list[int] = field(default_factory=list)  # the 近两年 years of department forms
    stated_totals: list[StatedTotal] = field(default_factory=list)  # totals a form states (facts for review)


def consume_boilerplate(sheet: Sheet, r: int, ctx: ParseContext, *, extra: Callable[[object], bool] | None = None) -> None:
    """Consume the titles, unit notes and page numbers of row *r* (and cells *extra* accepts),
    noting title years in *ctx*."""
    for c, v in sheet.grid.get(r, ()):
        if (r, c) in sheet.consumed:
            continue
        if extra is not None and extra(v):
            sheet.consumed.add((r, c))
        elif is_title(v):
            sheet.consumed.add((r, c))
            y = title_year(v)
            if y:
                ctx.title_years.append(y)
                if (dept := title_department(v)) is not None:
                    ctx.title_departments.append((dept, sheet.ref(r, c)))
        elif is_unit_note(v) or is_page_number(v):
            sheet.consumed.add((r, c))


_SPLIT_DIGITS_RE = re.compile(r"\d,\d|\d\s+\d")  # a comma or a space between digits: a number that may be read two ways


def read_amount(sheet: Sheet, r: int, c: int, value: object, *, label: str, ctx: ParseContext,
                text_ok: bool = False, in_yuan: bool = False) -> Decimal | None:
    """An amount cell (万元, as on every form) read as a :class:`~decimal.Decimal`,
    reporting in *ctx* whatever is not a plain number, so nothing is lost silently.

    * empty (``None`` / ``""``): ``None``, nothing reported;
    * a number: its value;
    * text that reads as a number (``"31.900000"``, ``"25 万元"``, ``"1,295.82"``): its
      value in 万元, reported ``number-stored-as-text`` unless *text_ok* (text is what the
      cell may hold there: a value typed into its label's own cell, ``项目年度金额：25``;
      the 合计 and unit rows of the Guangdong table, checked against their projects only);
    * text with a comma between digits that cannot be read safely (``"2,8505"``):
      ``None``, reported ``ambiguous-number``;
    * a number too large for an amount (``1e308``: 10^15 万元 and more): ``None``,
      reported ``amount-too-large``;
    * anything else (``"一百万"``, ``"未定"``, a date, TRUE): ``None``, reported
      ``amount-not-number``.

    *in_yuan*: the cell's label or unit note says 元, so commas grouping thousands are read
    as such (:func:`~xlperf.targets.parse_amount`); the value is then in 元, as typed.

    Findings point at (r, c) of *sheet* and name the amount by *label* (``项目年度金额``).
    """
    reading = parse_amount(value, in_yuan=in_yuan)
    if reading.value is not None:
        if isinstance(value, str) and not text_ok:
            ctx.findings.append(finding("number-stored-as-text", sheet=sheet.name, cell=cell_name(r, c), text=value))
        return reading.value
    if value is None or value == "":
        return None
    too_large = type(value) in (int, float) and abs(value) >= AMOUNT_LIMIT  # type: ignore[arg-type]
    _report_unreadable(sheet, r, c, value, label=label, code="amount-too-large" if too_large else "amount-not-number",
                       ctx=ctx)
    return None


def percent(value: object, *, fraction_upto: float = 1.5) -> Decimal | None:
    """A percentage cell (占比, 资金支出计划) in percent: text ``76.12%`` / ``76.12`` as
    typed; a number up to *fraction_upto* (in size) is a fraction (a cell formatted as %,
    or a formula) shown to 0.01 % as the form prints it, multiplied as a Decimal so 0.07
    gives 7, never 7.000000000000001; a larger number is the percent itself. ``None``
    for anything else."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        v = parse_amount(value).value
        if v is not None and abs(value) <= fraction_upto:
            return (v * 100).quantize(Decimal("0.01"))
        return v
    if isinstance(value, str):
        return parse_amount(value.strip().rstrip("%％").strip()).value
    return None


def read_percent(sheet: Sheet, r: int, c: int, value: object, *, label: str, ctx: ParseContext) -> Decimal | None:
    """A percentage cell (占比 of the 阳新 form, seed 004) read by :func:`percent`, in
    percent; what is typed but is not a percentage is reported in *ctx* at (r, c), so
    nothing is lost silently: a comma between digits (``"76,12"``) ``ambiguous-number``,
    anything else (``"七成"``) ``percent-not-number``. Empty: ``None``, nothing reported."""
    pct = percent(value)
    if pct is not None or value is None or value == "":
        return pct
    _report_unreadable(sheet, r, c, value, label=label, code="percent-not-number", ctx=ctx)
    return None


def _report_unreadable(sheet: Sheet, r: int, c: int, value: object, *, label: str, code: str,
                       ctx: ParseContext) -> None:
    """Report a typed value that is not the number its cell needs: ``ambiguous-number``
    for text with a comma or a space between digits (``"2,8505"``, ``"14 56.56"``), else *code*
    (``amount-not-number`` / ``percent-not-number``), at (r, c) of *sheet*."""
    if isinstance(value, str) and _SPLIT_DIGITS_RE.search(value):
        ctx.findings.append(finding("ambiguous-number", sheet=sheet.name, cell=cell_name(r, c), text=value,
                                    params={"label": label, "why": ambiguity(value)}))
    else:
        ctx.findings.append(finding(code, sheet=sheet.name, cell=cell_name(r, c),
                                    text=format_value(value), params={"label": label}))


def filed_by(text: object) -> str | None:
    """The department a filer line names (``填报单位：新民市大民屯镇人民政府``, ``填报单位（公章）：
    宁城县水利局``: a label of labels.toml [boilerplate] filer, a stamp note aside), else ``None``."""
    if not isinstance(text, str) or len(text) > 60:
        return None
    head, sep, rest = label_key(text).partition(":")
    if not sep or _STAMP_RE.sub("", head) not in _filer_words():
        return None
    rest = _STAMP_RE.sub("", rest)
    return rest if department_line(rest) else None


@lru_cache(maxsize=1)
def _filer_words() -> frozenset[str]:
    return frozenset(label_key(w) for w in load_data("labels.toml")["boilerplate"]["filer"])


_DEPARTMENT_FIELDS = frozenset({"competent_department", "filing_unit"})  # project labels naming the department


def take_department_line(sheet: Sheet, r: int, ctx: ParseContext, *, exclude: re.Pattern[str] | None = None
                         ) -> tuple[int, int, str] | None:
    """When the only free cell of row *r* is a department line (``315002乐亭县司法局``, or
    labelled: ``单位名称：浦江县住房和城乡建设局``, ``填报单位（公章）：宁城县水利局``, ``主管部门：衡水市教育局``),
    consume it, note it in *ctx* and return (row, col, text) (the text after a label)."""
    free = [(c, v) for c, v in sheet.grid.get(r, ()) if (r, c) not in sheet.consumed]
    if len(free) > 1:  # a labelled filer line says what it is beside a fill date or a signer (云南)
        free = [(c, v) for c, v in free if filed_by(v) is not None][:1]
    if len(free) != 1 or not isinstance(free[0][1], str):
        return None
    c, v = free[0]
    dept = department_line(v)
    if dept is None and (filer := filed_by(v)) is not None:  # 填报单位：新民市大民屯镇人民政府
        dept, v = department_line(filer), filer
    if dept is None:  # 单位名称：浦江县住房和城乡建设局, 主管部门：衡水市教育局
        labels = load_labels()
        hit = labels.match("department", v)
        if hit is None or hit.field != "name":
            hit = labels.match("project", v)
            hit = hit if hit is not None and hit.field in _DEPARTMENT_FIELDS else None
        if hit is not None and hit.inline and (dept := department_line(hit.inline)):
            v = hit.inline
    if dept is None or (exclude is not None and exclude.match(v)):
        return None
    sheet.consumed.add((r, c))
    ctx.departments.append((dept[0], dept[1], sheet.ref(r, c)))
    return r, c, v


def department_above(sheet: Sheet, header: int, ctx: ParseContext) -> tuple[str, str] | None:
    """``部门名称: 广州市增城区司法局`` above a table of projects (row *header*): (name, cell
    ref), the 主管部门 of every project in it; the cell consumed and noted in *ctx*."""
    labels = load_labels()
    found = None
    for r in sheet.rows_between(0, header):
        for c, v in sheet.grid.get(r, ()):
            hit = labels.match("department", v)
            if hit and hit.field == "name" and hit.inline:
                sheet.consumed.add((r, c))
                ctx.departments.append((None, hit.inline, sheet.ref(r, c)))
                found = (hit.inline, sheet.ref(r, c))
    return found
