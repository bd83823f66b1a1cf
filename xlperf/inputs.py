"""What a user gives xlperf, checked once for every command (docs/cli.md).

* option values: :func:`check_year` (``--year``), :func:`parse_region` (``--region
  省/市/县[/代码]``), :func:`check_division_code`, :func:`check_output` (``-o`` and the
  other output paths: a folder or a wrong suffix is refused before anything runs);
* the JSON a clerk gives ``xlperf fill``: :func:`read_submission_json` (UTF-8 with or
  without BOM, GBK read with a warning, a workbook or a folder recognised and named, a
  wrong shape explained field by field in Chinese).

The limits are data (``templates/inputs.toml``): the same year range and 行政区划代码
pattern hold for the options, the template's cell validations, ``manifest.csv`` and the
JSON Schema of ``xlperf schema``. Every refusal is an :class:`~xlperf.errors.InputError`
whose text names the option or file (and the field) and says what to do.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from .data import load_data
from .errors import InputError, os_reason
from .model import Region, Submission

__all__ = ["MAX_JSON_BYTES", "check_division_code", "check_output", "check_year", "division_code_ok",
           "input_limits", "parse_region", "read_submission_json", "workbook_path_problem", "year_ok"]

#: a submission's JSON is a few hundred KB; anything far larger is not one
MAX_JSON_BYTES = 256 * 1024 * 1024

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"


@lru_cache(maxsize=1)
def input_limits() -> dict:
    """``templates/inputs.toml``: ``year`` (min, max), ``division_code`` (pattern,
    lengths, example), ``region`` (separators, parts, example), ``outputs`` (suffixes)."""
    return load_data("inputs.toml")


def year_ok(year: int) -> bool:
    """True when *year* is a budget year xlperf accepts (inputs.toml ``[year]``)."""
    lim = input_limits()["year"]
    return lim["min"] <= year <= lim["max"]


def division_code_ok(code: str) -> bool:
    """True when *code* is a 行政区划代码 of 6, 9 or 12 digits (inputs.toml)."""
    return re.fullmatch(input_limits()["division_code"]["pattern"], code) is not None


def check_year(value: int | str, *, what: str = "--year") -> int:
    """A budget year from an option or a cell: ``2025``, ``"2025"``, ``"２０２５年"``.

    Raises :class:`InputError` naming *what* for anything that is not a whole year
    within inputs.toml's range (``1``, ``0``, ``"明年"``)."""
    lim = input_limits()["year"]
    text = unicodedata.normalize("NFKC", str(value)).strip().removesuffix("年").strip()
    if not text.isdigit() or not year_ok(int(text)):
        raise InputError(f"{what} 的值“{value}”不是有效的预算年度：请写 {lim['min']}-{lim['max']} 之间的四位年份，如 2026。")
    return int(text)


def check_division_code(value: str, *, what: str = "行政区划代码") -> str:
    """A 行政区划代码 as digits (full-width digits and spaces folded): ``"640425"``.

    Raises :class:`InputError` naming *what* unless it is 6, 9 or 12 digits."""
    code = unicodedata.normalize("NFKC", value).strip().replace(" ", "")
    if not division_code_ok(code):
        spec = input_limits()["division_code"]
        lengths = "、".join(str(n) for n in spec["lengths"])
        raise InputError(f"{what}“{value}”不正确：行政区划代码是 {lengths} 位数字，如 {spec['example']}。")
    return code


def parse_region(value: str, *, what: str = "--region") -> Region:
    """``省/市/县[/行政区划代码]`` -> :class:`~xlperf.model.Region`.

    Parts may be separated by ``/`` or, as typed by hand, ``,`` ``，`` ``、`` (inputs.toml);
    an empty part stays unknown (``宁夏//彭阳县``). Raises :class:`InputError` naming
    *what* for more than four parts, nothing but separators, a name that is a number
    (``宁夏/640425``: the code goes fourth) or an invalid code."""
    spec = input_limits()["region"]
    text = unicodedata.normalize("NFKC", value).strip()
    seps = "".join(re.escape(unicodedata.normalize("NFKC", s)) for s in spec["separators"])
    parts = [p.strip() for p in re.split(f"[{seps}]", text)]
    hint = f"请写成 省/市/县/行政区划代码，如 {spec['example']}；不知道的部分留空，如 宁夏回族自治区//彭阳县。"
    if len(parts) > len(spec["parts"]):
        raise InputError(f"{what} 的值“{value}”有 {len(parts)} 段，最多 {len(spec['parts'])} 段（{'/'.join(spec['parts'])}）。{hint}")
    if not any(parts):
        raise InputError(f"{what} 的值“{value}”是空的。{hint}")
    names = parts[:3] + [""] * (3 - len(parts[:3]))
    for label, name in zip(spec["parts"], names):
        if name and re.fullmatch(r"[\d\s]+", name):
            raise InputError(f"{what} 的{label}“{name}”是数字，不是地名：行政区划代码写在第 4 段。{hint}")
    code = check_division_code(parts[3], what=f"{what} 的行政区划代码") if len(parts) == 4 and parts[3] else None
    return Region(province=names[0] or None, city=names[1] or None, county=names[2] or None, division_code=code)


def check_output(path: str | os.PathLike[str], *, kind: str, what: str = "-o") -> Path:
    """An output path for *kind*: ``workbook`` or ``json`` (a file; suffixes from inputs.toml
    ``[outputs]``) or ``folder`` (a folder, created when missing).

    Raises :class:`InputError` naming *what* when the path is an existing folder or its
    suffix is not one *kind* takes (``-o t.csv`` for a workbook: xlperf would otherwise
    write an .xlsx under a .csv name), or, for a folder, when the path is a file."""
    p = Path(path)
    if kind == "folder":
        if p.exists() and not p.is_dir():
            raise InputError(f"{what} 给的“{p}”是一个文件，这里要的是存放数据文件的文件夹（不存在时会新建）。")
        return p
    suffixes = input_limits()["outputs"][kind]
    if p.is_dir():
        raise InputError(f"{what} 给的“{p}”是一个文件夹，请给出文件名，如 {p / ('汇总' + suffixes[0])}。")
    if p.suffix.lower() not in suffixes:
        shown = p.suffix or "（没有扩展名）"
        raise InputError(f"{what} 的文件“{p}”扩展名是 {shown}，这里只能写 {'、'.join(suffixes)} 文件，如 {p.with_suffix(suffixes[0]).name}。")
    return p


def workbook_path_problem(path: str) -> str | None:
    """Why *path*, given where a workbook is expected (``xlperf import``, a file given to
    ``xlperf merge``), is not one and what to do instead, in Chinese; ``None`` when it
    may be one (the reader then checks the file itself). Recognised: a folder (use
    ``xlperf merge``) and a JSON file (use ``xlperf fill``). Never raises."""
    if os.path.isdir(path):
        return (f"{path} 是文件夹，不是工作簿。要汇总文件夹中的全部报送，请用 xlperf merge {path} -o 汇总.xlsx；"
                f"要逐个导入，请写出其中的文件，如 {os.path.join(path, '*.xlsx')}。")
    if path.lower().endswith(".json"):
        try:
            with open(path, "rb") as fh:
                head = fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
        except OSError:
            return None
        if head[:1] in (b"{", b"["):
            return (f"{path} 是标准 JSON 文件，不是工作簿，无需导入。要把它写成工作簿，请用 "
                    f"xlperf fill {path} -o 工作簿.xlsx。")
    return None


# -- the JSON of xlperf fill ---------------------------------------------------------------

def read_submission_json(path: str | os.PathLike[str]) -> tuple[Submission, list[str]]:
    """Read the canonical JSON of one submission (``xlperf import --json``) for ``fill``.

    Returns ``(submission, warnings)``; *warnings* are Chinese notes the caller shows
    (a GBK file read as GB18030). Accepts UTF-8 with or without BOM, one Submission
    object or an array holding exactly one. Raises :class:`InputError` naming the file
    (and the field) when it is a folder, missing, unreadable, a workbook, not JSON, not
    one submission, of the wrong shape, or states a year outside inputs.toml's range.
    """
    p = Path(path)
    data = _read_bytes(p)
    text, warnings = _decode(p, data)
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{p} 不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列附近格式有误。"
                         "请用 xlperf import 工作簿.xlsx --json 报送.json 重新生成，或用文本编辑器检查该处。") from None
    obj = _one_submission(p, obj)
    try:
        sub = Submission.model_validate(obj)
    except ValidationError as exc:
        raise InputError(_shape_message(p, exc)) from None
    if sub.year is not None and not year_ok(sub.year):
        check_year(sub.year, what=f"{p} 中的 year（年度）")
    return sub, warnings


def _read_bytes(p: Path) -> bytes:
    if p.is_dir():
        raise InputError(f"{p} 是一个文件夹。xlperf fill 需要一个标准 JSON 文件（xlperf import 工作簿.xlsx --json 报送.json 的输出）。")
    try:
        size = p.stat().st_size
        if size > MAX_JSON_BYTES:
            raise InputError(f"{p} 有 {size // (1024 * 1024)} MB，不是一份报送的标准 JSON（通常不到 1 MB）。")
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"无法读取 {p}：{os_reason(exc)}。") from None
    if data.startswith(_ZIP):
        raise InputError(f"{p} 是 Excel 工作簿（.xlsx），不是标准 JSON。要把它填入标准模板，先导出："
                         f"xlperf import {p} --json 报送.json，再 xlperf fill 报送.json -o 新工作簿.xlsx。")
    if data.startswith(_OLE):
        raise InputError(f"{p} 是旧版 Excel（.xls）或加密的 Office 文件，不是标准 JSON。")
    if not data.strip():
        raise InputError(f"{p} 是空文件，没有任何内容。")
    return data


def _decode(p: Path, data: bytes) -> tuple[str, list[str]]:
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise InputError(f"{p} 的文字编码无法识别（既不是 UTF-8 也不是 GBK），不是 xlperf 写出的标准 JSON。"
                         "请另存为 UTF-8 编码后再试。") from None
    return text, [f"{p} 不是 UTF-8 编码，已按 GBK（GB18030）读取；请核对写入的中文是否正确，并把文件另存为 UTF-8。"]


def _one_submission(p: Path, obj: object) -> dict:
    if isinstance(obj, list):
        if len(obj) != 1:
            raise InputError(f"{p} 含 {len(obj)} 份报送，xlperf fill 一次只填一份："
                             "请对每个工作簿分别 xlperf import 工作簿.xlsx --json 报送.json。")
        obj = obj[0]
    if not isinstance(obj, dict):
        raise InputError(f"{p} 的内容不是一份报送（应为 JSON 对象 {{…}}，含 year、region、projects 等），"
                         "请用 xlperf import 工作簿.xlsx --json 报送.json 生成。")
    return obj


# pydantic error type -> what is wrong, in Chinese
_ERROR_TEXT = {
    "missing": "缺少这一项", "extra_forbidden": "不是标准 JSON 的字段（拼写是否有误？）",
    "string_type": "应为文字", "int_type": "应为整数", "int_parsing": "应为整数",
    "int_from_float": "应为整数", "decimal_type": "应为数字", "decimal_parsing": "应为数字",
    "float_type": "应为数字", "float_parsing": "应为数字", "finite_number": "应为有限的数字",
    "decimal_max_digits": "数字位数太多", "list_type": "应为数组 […]", "dict_type": "应为对象 {…}",
    "model_type": "应为对象 {…}", "model_attributes_type": "应为对象 {…}", "literal_error": "取值不在允许的范围内",
    "bool_type": "应为 true 或 false", "none_required": "应为空（null）",
}
# JSON key -> labels.toml section naming its fields
_SECTIONS = {"projects": "project", "indicators": "indicator_header", "long_term_indicators": "indicator_header",
             "annual_indicators": "indicator_header", "department_plan": "department", "department": "department",
             "region": "cover", "project_spending": "project_spending_header"}
_MAX_LISTED = 8


def _shape_message(p: Path, exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    lines = [f"{p} 的内容与标准 JSON 的格式不符（{len(errors)} 处）："]
    for e in errors[:_MAX_LISTED]:
        what = _ERROR_TEXT.get(e["type"], "取值不正确")
        given = "" if e["type"] == "missing" else f"，现为 {_short(e.get('input'))}"
        lines.append(f"  {_json_path(e['loc'])}{_field_name(e['loc'])}：{what}{given}")
    if len(errors) > _MAX_LISTED:
        lines.append(f"  ……另有 {len(errors) - _MAX_LISTED} 处")
    lines.append("标准 JSON 由 xlperf import 工作簿.xlsx --json 报送.json 生成，格式见 xlperf schema。")
    return "\n".join(lines)


def _json_path(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "（整个文件）"


def _field_name(loc: tuple) -> str:
    """The Chinese label of the field at *loc* (``（项目年度金额）``), when labels.toml has one."""
    keys = [k for k in loc if isinstance(k, str)]
    if not keys:
        return ""
    if keys == ["year"]:
        section = "cover"
    else:
        section = next((_SECTIONS[k] for k in reversed(keys[:-1]) if k in _SECTIONS), None)
    labels = load_data("labels.toml").get(section or "", {}).get(keys[-1])
    return f"（{labels[0]}）" if labels else ""


def _short(value: object, limit: int = 40) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else f"“{value}”"
    return text if len(text) <= limit else text[: limit - 1] + "…"
