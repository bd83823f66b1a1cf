"""Target-value parsing (绩效值 / 指标值) and amount reading.

Grammar (docs/targets.md, every form checked against the seed corpus in
``tests/data/target_corpus.tsv``):

* ``[comparator] number [unit]``: ``24 人``, ``≥95%``, ``≥ 95 %``, ``>=95%``, ``≧95%``,
  ``$\\geq 95\\%$`` (LaTeX from PDF extraction), ``≤31.9 万元``, ``=1家公司``,
  ``≥800 件/年``; no comparator means ``=``;
* ``number unit 以上 / 以下``: ``90%以上`` -> ``≥ 90 %``;
* a comparator word before the number (``不高于 / 不低于 / 大于等于 / 小于等于 / 等于 / 高于 / 低于 …``,
  templates/lists.toml ``[comparator_words]``), with an optional short subject before it
  (``满意度不低于80%``, ``大于等于5000亩`` from a 指标方向 column of words);
* ``100百分比`` -> ``100 %``;
* digits spaced apart by a scan's OCR (``≥ 9 5 %``) or grouped in thousands by a space
  (``≥ 4 200人``) are one number; a space that groups nothing (``12 5``) is *ambiguous*;
* anything else is qualitative (``进一步提升``, ``按季度发放``, ``2022年底``), kept as text;
* a number whose commas cannot be read safely (``2,8505``, ``62,905,469``,
  ``1038,8772``) is *ambiguous*: reported by the rules, never guessed.

Numbers are :class:`~decimal.Decimal`. ``value`` keeps the unit written; use
:func:`amount_in_wan` to compare money in 万元.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from .data import load_data
from .model import Target
from .text import nfkc

__all__ = ["MONEY_UNITS", "AmountReading", "ambiguity", "amount_in_wan", "parse_amount", "parse_target", "target_fields"]

# comparator spellings -> canonical
_CMP_WORDS: list[tuple[str, str]] = [
    (">=", "≥"), ("≧", "≥"), ("⩾", "≥"), ("=>", "≥"),
    ("<=", "≤"), ("≦", "≤"), ("⩽", "≤"), ("=<", "≤"),
    ("＞", ">"), ("＜", "<"), ("＝", "="),
]
_LATEX: list[tuple[str, str]] = [
    ("\\geqslant", "≥"), ("\\leqslant", "≤"), ("\\geq", "≥"), ("\\leq", "≤"),
    ("\\ge", "≥"), ("\\le", "≤"), ("\\%", "%"), ("\\,", ""), ("\\times", "×"),
]
_LATEX_TEXT_RE = re.compile(r"\\(?:text|mathrm|textrm)\s*\{([^{}]*)\}")


def _word_table(name: str) -> dict[str, str]:
    """Word -> comparator of a lists.toml table (``[comparator_words]``), longest word first."""
    table = load_data("lists.toml")[name]
    words = {w: cmp for cmp, ws in table.items() if cmp != "source" for w in ws}
    return dict(sorted(words.items(), key=lambda kv: -len(kv[0])))


_WORD_CMP = _word_table("comparator_words")
_SUFFIX_CMP = _word_table("comparator_suffixes")

# A number as typed: digits with optional commas and one decimal point.
_NUM = r"[-+]?\d[\d,]*(?:\.\d+)?|[-+]?\.\d+"
# A unit: short run of non-digit, non-operator characters, optionally "/per" parts.
_UNIT = r"[^\d\s=<>≤≥*×+,，;；:：()（）]{1,8}(?:\s*/\s*[^\d\s=<>≤≥*×+,，;；:：]{1,4})*"
_QUANT_RE = re.compile(rf"^(?P<cmp>[≥≤=<>])?\s*(?P<num>{_NUM})\s*(?P<unit>/?\s*{_UNIT})?$")
# "subject + number + 以上/以下/以内": 全年更新8期以上, 预算控制成本在240000以内
_SUFFIX_RE = re.compile(
    rf"^(?P<subject>[\u4e00-\u9fff（）()]{{0,12}}?)(?P<num>{_NUM})\s*(?P<unit>{_UNIT})??\s*(?P<suffix>{'|'.join(_SUFFIX_CMP)})$"
)
# "subject + word + number + unit": 不低于80%, 满意度大于等于90% (never after 不: 不等于 is no comparator)
_WORD_RE = re.compile(
    rf"^(?P<subject>[\u4e00-\u9fff（）()]{{0,10}}?)(?<!不)(?P<word>{'|'.join(_WORD_CMP)})\s*"
    rf"(?P<num>{_NUM})\s*(?P<unit>{_UNIT})?$"
)
# digits with spaces between them: a scan's OCR (≥ 9 5 %) or a space grouping thousands (4 200)
_SPACED_DIGITS_RE = re.compile(r"(?<![\d.])\d+(?:[ \u00a0\u2009\u202f]+\d+)+(?:\.\d+)?(?![\d.])")
_GOOD_GROUPING_RE = re.compile(r"^[-+]?\d{1,3}(,\d{3})+\.\d+$")
# Units that make a number a time expression rather than a quantity: 2022年底, 2024 年度内.
_TIME_UNIT_RE = re.compile(r"(底|内|前|后|末|初)$")
_UNIT_ALIASES = {"百分比": "%", "％": "%", "个百分点": "个百分点"}

#: units that denote money, with their factor to 万元
MONEY_UNITS: dict[str, Decimal] = {"万元": Decimal(1), "万": Decimal(1), "元": Decimal("0.0001"), "亿元": Decimal(10000)}


def _normalise(raw: str) -> str:
    s = nfkc(raw).strip()
    if "$" in s or "\\" in s:
        s = s.replace("$", "")
        s = _LATEX_TEXT_RE.sub(r"\1", s)
        for a, b in _LATEX:
            s = s.replace(a, b)
        s = s.replace("{", "").replace("}", "")
    for a, b in _CMP_WORDS:
        s = s.replace(a, b)
    return s.strip()


def _join_spaced_digits(s: str) -> tuple[str, bool]:
    """*s* with the spaces inside its numbers removed where they can be read one way only:
    every digit spaced apart (a scan's OCR: ``9 5`` -> 95, ``1 0 0`` -> 100) or groups of three
    after the first (thousands: ``4 200`` -> 4200, ``1 456.56``). Returns (text, ambiguous):
    any other space between digits (``12 5``: 125, or 12 and 5) is ambiguous."""
    if " " not in s and "\u00a0" not in s and "\u2009" not in s and "\u202f" not in s:
        return s, False
    ambiguous = False

    def join(m: re.Match[str]) -> str:
        nonlocal ambiguous
        groups = m.group().split()
        whole = [g.split(".")[0] for g in groups]
        if not (all(len(g) == 1 for g in whole) or (len(whole[0]) <= 3 and all(len(g) == 3 for g in whole[1:]))):
            ambiguous = True
        return "".join(groups)

    return _SPACED_DIGITS_RE.sub(join, s), ambiguous


def _read_number(text: str) -> tuple[Decimal | None, bool]:
    """Digits as typed -> (Decimal, ambiguous). Commas are only safe as thousands
    separators in a number that also has a decimal point (``1,295.82``)."""
    if "," in text:
        if not _GOOD_GROUPING_RE.match(text):
            return None, True
        text = text.replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None, True
    digits = len(value.as_tuple().digits)
    if digits > 15 or abs(value.adjusted()) > 15:
        return None, True  # beyond what a form holds or a JSON number keeps exactly: report, never round
    return value, False


def parse_target(raw: str | None, *, source: str | None = None) -> Target:
    """Parse a target value (绩效值 / 指标值) into a :class:`~xlperf.model.Target`.

    Never raises; ``raw`` is kept exactly as given (``None`` becomes ``""``, kind
    ``empty``). ``kind == "ambiguous"`` marks a number that must be reported.
    """
    return Target(**target_fields(raw, source=source))


def target_fields(raw: str | None, *, source: str | None = None) -> dict[str, object]:
    """The fields of :func:`parse_target`'s :class:`~xlperf.model.Target` as a dict, so
    that a model holding the target (an :class:`~xlperf.model.Indicator`) validates it
    in its own single call instead of a second one."""
    text = "" if raw is None else str(raw)
    kind, cmp, value, unit = _parse_cached(text)
    return {"raw": text, "kind": kind, "comparator": cmp, "value": value, "unit": unit, "source": source}


_Fields = tuple[str, str | None, Decimal | None, str | None]  # kind, comparator, value, unit


@lru_cache(maxsize=1 << 14)
def _parse_cached(text: str) -> _Fields:
    """(kind, comparator, value, unit) of *text*; the model is built once, by the caller."""
    s = _normalise(text)
    if not s:
        return "empty", None, None, None
    s, spaced_ambiguously = _join_spaced_digits(s)
    if spaced_ambiguously:
        return "ambiguous", None, None, None
    m = _QUANT_RE.match(s)
    if m:
        unit = (m.group("unit") or "").replace(" ", "").lstrip("/")
        cmp = m.group("cmp")
        for suffix, implied in _SUFFIX_CMP.items():
            if unit.endswith(suffix) and (not cmp or cmp == "="):
                unit, cmp = unit[: -len(suffix)], implied
                break
        if unit and _TIME_UNIT_RE.search(unit):
            return "qualitative", None, None, None
        return _quantity(cmp or "=", m.group("num"), unit)
    m = _WORD_RE.match(s)
    if m:
        return _quantity(_WORD_CMP[m.group("word")], m.group("num"), m.group("unit"))
    m = _SUFFIX_RE.match(s)
    if m:
        return _quantity(_SUFFIX_CMP[m.group("suffix")], m.group("num"), m.group("unit"))
    return "qualitative", None, None, None


def _quantity(cmp: str, num: str, unit: str | None) -> _Fields:
    unit = (unit or "").replace(" ", "").lstrip("/") or None
    unit = _UNIT_ALIASES.get(unit, unit) if unit else None
    value, ambiguous = _read_number(num)
    if ambiguous:
        return "ambiguous", cmp, None, unit
    return "quantitative", cmp, value, unit


class AmountReading(tuple):
    """``(value, ambiguous)`` from :func:`parse_amount`."""

    __slots__ = ()

    @property
    def value(self) -> Decimal | None:
        """The amount in 万元, or ``None``."""
        return self[0]

    @property
    def ambiguous(self) -> bool:
        """True when the cell holds something that cannot be read safely as a number."""
        return self[1]


#: an amount (万元) at least this large is not one a form holds: refused, never rounded
AMOUNT_LIMIT = 10**15


def parse_amount(cell: object, *, in_yuan: bool = False) -> AmountReading:  # noqa: C901 - one branch per cell type
    """Read an amount cell (万元 on every seed form) as typed.

    Numbers pass through as :class:`~decimal.Decimal` (floats via their shortest
    repr, so ``31.9`` stays ``31.9``); text such as ``"31.900000"``, ``"1,295.82"``,
    ``"25 万元"`` is read, and an amount in Chinese capital numerals (``"贰佰壹拾陆万元整"`` -> 216:
    :func:`capital_amount`); ``"2,8505"`` gives ``(None, True)``: ambiguous, report it. In 元
    written in the cell, commas grouping thousands (``1,236,000元``) are read as such: a comma
    typed for a decimal point would leave decimals finer than a 分 (docs/targets.md); so are
    they in text with no unit when *in_yuan* (its label or unit note says 元: ``项目金额（元）`` |
    ``1，080，000``), the value then still in 元 (the caller applies the unit). Empty gives ``(None, False)``. Never raises.
    """
    if cell is None or cell == "":
        return AmountReading((None, False))
    if isinstance(cell, bool):
        return AmountReading((None, True))
    if isinstance(cell, int):
        return AmountReading((Decimal(cell), False) if abs(cell) < AMOUNT_LIMIT else (None, True))
    if isinstance(cell, float):
        if cell != cell or cell in (float("inf"), float("-inf")) or abs(cell) >= AMOUNT_LIMIT:
            return AmountReading((None, True))
        return AmountReading((Decimal(repr(cell)), False))
    if isinstance(cell, Decimal):
        return AmountReading((cell, False))
    if _CAPITAL_RE.search(str(cell)):  # 贰佰壹拾陆万元整: a 大写金额 in 元
        yuan = capital_amount(str(cell))
        return AmountReading((None, True) if yuan is None else (yuan * MONEY_UNITS["元"], False))
    s, spaced_ambiguously = _join_spaced_digits(_normalise(str(cell)))
    if spaced_ambiguously:
        return AmountReading((None, True))
    factor = Decimal(1)
    m = re.search(r"\s*(万元|万|元)$", s)
    if m:
        factor = MONEY_UNITS[m.group(1)]
        s = s[: m.start()].strip()
        if m.group(1) == "元" and _GROUPED_RE.match(s):
            s = s.replace(",", "")  # 1,236,000元: a comma read as a point would leave decimals finer than a 分
    elif in_yuan and _GROUPED_RE.match(s):
        s = s.replace(",", "")  # the same, the 元 said by the label
    if not re.fullmatch(_NUM, s):
        return AmountReading((None, True))
    value, ambiguous = _read_number(s)
    return AmountReading((None if value is None else value * factor, ambiguous))


@lru_cache(maxsize=1)
def _capitals() -> dict:
    return load_data("lists.toml")["capital_numerals"]


_CAPITAL_RE = re.compile("[" + _capitals()["digits"][1:] + "".join(_capitals()["units"]) + "]")


def capital_amount(text: str) -> Decimal | None:
    """An amount in Chinese capital numerals (大写金额) in 元: ``贰佰壹拾陆万元整`` -> 2160000,
    ``壹拾贰万叁仟肆佰伍拾陆元柒角捌分`` -> 123456.78; digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟, sections
    万亿, then 元 (圆) and 角 / 分 or 整 (templates/lists.toml [capital_numerals], docs/targets.md).
    ``None`` when the text does not follow that grammar (two digits in a row, a unit twice, no 元)."""
    words = _capitals()
    s = re.sub(r"\s+", "", text)
    for p in words["prefix"]:
        s = s.removeprefix(p)
    for w in words["whole"]:
        s = s.removesuffix(w)
    cut = max(s.find(y) for y in words["yuan"])
    if cut < 0:
        return None
    integer, small = _capital_integer(s[:cut], words), s[cut + 1:]
    m = re.fullmatch(rf"(?:([{words['digits']}]){words['jiao']})?(?:零)?(?:([{words['digits']}]){words['fen']})?", small)
    if integer is None or m is None:
        return None
    jiao, fen = (words["digits"].index(g) if g else 0 for g in m.groups())
    return Decimal(integer) + Decimal(jiao) / 10 + Decimal(fen) / 100


def _capital_integer(s: str, words: dict) -> int | None:
    """The 元 part of a 大写金额: digits times 拾佰仟 within a section, sections times 万 / 亿
    (a missing leading digit before 拾 is 壹: 拾万 = 100000); ``None`` when out of grammar."""
    total = section = 0
    digit: int | None = None
    last_unit = 10 ** 9
    for ch in s:
        if ch in words["digits"]:
            d = words["digits"].index(ch)
            if digit is not None and d:
                return None  # 贰贰: two digits without a unit between them
            digit = d or None
        elif ch in words["units"]:
            unit = words["units"][ch]
            if unit >= last_unit:
                return None  # 佰 after 拾 within one section
            section += (digit or 1) * unit
            digit, last_unit = None, unit
        elif ch in words["sections"]:
            section += digit or 0
            if not section and not total:
                return None
            total = (total + section) * words["sections"][ch] if words["sections"][ch] > 10 ** 4 else \
                total + section * words["sections"][ch]
            section, digit, last_unit = 0, None, 10 ** 9
        else:
            return None
    return total + section + (digit or 0)


def amount_in_wan(target: Target) -> Decimal | None:
    """A quantitative money target in 万元 (``≤250000元`` -> 25), else ``None``."""
    if target.kind != "quantitative" or target.value is None or not target.unit:
        return None
    unit = target.unit.split("/")[0]
    factor = MONEY_UNITS.get(unit)
    return None if factor is None else target.value * factor


_COMMA_NUMBER_RE = re.compile(r"\d[\d,.]*\d")
_GROUPED_RE = re.compile(r"^\d{1,3}(,\d{3})+$")


def ambiguity(text: str) -> str:
    """What makes the number in *text* unreadable, in Chinese, for the ``ambiguous-number``
    message: the two readings of *this* value, never a generic example (docs/targets.md).

    ``2,8505`` -> 逗号后有 4 位数字 … 2.8505 … 28505; ``62,905,469`` -> a correct
    thousands grouping that a comma typed for a decimal point would also give (62.905469);
    ``629054,69`` -> 629054.69 or 62905469; more than 15 significant digits -> cannot be
    kept exactly. Never raises; a text without such a number gets a general sentence."""
    s = unicodedata.normalize("NFKC", text)
    spaced = _SPACED_DIGITS_RE.search(s)
    if spaced is not None and "," not in s:
        joined = "".join(spaced.group().split())
        return (f"数字“{spaced.group()}”中有空格，不是千分位写法（每 3 位一个空格）：可能是 {joined}，"
                "也可能是几个数字写在一起")
    m = max(_COMMA_NUMBER_RE.findall(s), key=len, default="")
    digits = m.replace(",", "").replace(".", "")
    if "," not in m:
        if len(digits.lstrip("0")) > 15:
            return f"数字“{m}”超过 15 位有效数字，无法精确保存"
        return "数字的写法无法确定"
    head, _, tail = m.partition(",")
    whole = m.replace(",", "")
    if "." in m and m.count(".") == 1 and m.index(".") < m.rindex(","):  # 1.234,56 (European)
        return f"“{m}”同时有小数点和逗号：可能是 {m.replace('.', '').replace(',', '.')}（逗号作小数点），也可能是 {whole}"
    if _GROUPED_RE.match(m):
        return (f"“{m}”按千分位读是 {whole}，但逗号也可能是误写的小数点（{head}.{m[len(head) + 1:].replace(',', '')}），"
                "两种读法相差很大；千分位只在带小数点的数字中才能确定")
    if m.count(",") == 1 and "." not in m:
        return (f"逗号前有 {len(head)} 位数字、后有 {len(tail)} 位，不是千分位写法（每 3 位一个逗号）："
                f"可能是 {head}.{tail}（逗号误作小数点），也可能是 {whole}")
    return f"“{m}”中逗号的位置不符合千分位写法（每 3 位一个逗号）：可能是 {whole}，也可能逗号表示小数点"
