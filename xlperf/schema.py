"""The JSON Schema of xlperf's canonical JSON (``xlperf schema``).

``xlperf import --json`` writes one :class:`~xlperf.model.Submission` object for one file
and an array of them for several; the schema accepts exactly these two shapes
(``oneOf``). Beyond the model's types it states the limits xlperf enforces, from the one
definition in ``templates/inputs.toml`` (:mod:`xlperf.inputs`): ``year`` within the
budget-year range, ``region.division_code`` 6, 9 or 12 digits; amounts are JSON numbers
of at most 15 significant digits (docs/targets.md), money in 万元. Types are described as
written (serialization mode): amounts are numbers, never strings.
"""

from __future__ import annotations

from .data import load_data
from .model import SCHEMA_VERSION, Submission

__all__ = ["SCHEMA_ID", "output_schema"]

SCHEMA_ID = f"urn:xlperf:schema:submission:{SCHEMA_VERSION}"
_DRAFT = "https://json-schema.org/draft/2020-12/schema"

#: (model, field) of the amounts in 万元; every other amount keeps the unit written (a target's value)
_WAN = {("Project", f) for f in ("annual_amount", "fiscal_funds", "special_account_funds", "other_funds")} | {
    ("CompositionRow", "current_amount"), ("CompositionRow", "previous_amounts"),
    ("ProjectSpending", "total_budget"), ("ProjectSpending", "annual_budget")}
_NUMBER = {"type": "number", "description": "十进制数，最多 15 位有效数字"}


def output_schema() -> dict:
    """The schema of ``xlperf import --json``'s output: a Submission or an array of
    Submissions, with ``$schema``, ``$id`` and the limits of the module doc."""
    sub = Submission.model_json_schema(mode="serialization")
    defs = sub.pop("$defs")
    defs["Submission"] = sub
    for name, model in defs.items():
        for field, prop in model.get("properties", {}).items():
            _amount(name, field, prop)
    limits = load_data("inputs.toml")
    year = limits["year"]
    sub["properties"]["year"]["anyOf"][0].update(minimum=year["min"], maximum=year["max"])
    sub["properties"]["year"]["description"] = f"预算年度（{year['min']}-{year['max']}），未知时为 null"
    code = defs["Region"]["properties"]["division_code"]
    code["anyOf"][0]["pattern"] = limits["division_code"]["pattern"]
    code["description"] = "行政区划代码：6 位（县级）、9 位或 12 位数字，未知时为 null"
    return {
        "$schema": _DRAFT,
        "$id": SCHEMA_ID,
        "title": "xlperf 标准 JSON",
        "description": "xlperf import --json 的输出：一个文件时为一份报送（Submission 对象），"
                       "多个文件时为报送的数组。金额为数字，单位万元（绩效值的 value 按所写单位）。",
        "oneOf": [{"$ref": "#/$defs/Submission"},
                  {"type": "array", "items": {"$ref": "#/$defs/Submission"}}],
        "$defs": defs,
    }


def _amount(model: str, field: str, prop: dict) -> None:
    """Replace pydantic's ``integer | number`` of an amount (also a mapping's values, 近两年
    by year) by one number type saying its unit."""
    for schema in (prop, prop.get("additionalProperties")):
        alts = schema.get("anyOf") if isinstance(schema, dict) else None
        if not alts or {"integer", "number"} - {a.get("type") for a in alts}:
            continue
        number = {**_NUMBER, "description": _NUMBER["description"] + ("，单位万元" if (model, field) in _WAN else "")}
        rest = [a for a in alts if a.get("type") not in ("integer", "number")]
        del schema["anyOf"]
        if rest:
            schema["anyOf"] = [number, *rest]
        else:
            schema.update(number)
