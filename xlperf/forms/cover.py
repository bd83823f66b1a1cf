"""The submission block of the template's cover sheet (填报说明): 年度, 省, 市, 县(区),
行政区划代码, 部门名称, 填报人, 联系电话, 填报日期, each label with its value right of it."""

from __future__ import annotations

from dataclasses import dataclass

from ..cellref import cell_name
from ..findings import finding
from ..model import Department, Region
from ..readers.grid import Sheet, form_date_from_serial, format_value
from .common import ParseContext, parse_cn_date
from .labels import load_labels

__all__ = ["CoverInfo", "read_cover"]


@dataclass
class CoverInfo:
    """Region, budget year and department as filled on the cover."""

    region: Region
    year: int | None
    department: Department


def read_cover(sheet: Sheet, ctx: ParseContext) -> CoverInfo | None:
    """Read the cover block if *sheet* has one (at least 年度, 省 or 县(区), and 部门名称
    labels, each with its value directly right). Returns ``None`` otherwise."""
    labels = load_labels()
    found: dict[str, tuple[int, int, object]] = {}
    for r, hits in labels.index(sheet).get("cover", {}).items():
        for c, hit in hits:
            if hit.inline is None and hit.field not in found:
                found[hit.field] = (r, c, sheet.cells.get((r, c + 1)))
    if not ({"year", "department"} <= set(found) and ({"province", "county"} & set(found))):
        return None
    values: dict[str, str | None] = {}
    for fld, (r, c, v) in found.items():
        sheet.consumed.add((r, c))
        if v not in (None, ""):
            sheet.consumed.add((r, c + 1))
            values[fld] = format_value(v).strip()
        else:
            values[fld] = None
    fill_date = values.get("fill_date")
    if "fill_date" in found and found["fill_date"][2] not in (None, ""):
        r, c, raw = found["fill_date"]
        fill_date = parse_cn_date(raw) or fill_date
        if (serial := form_date_from_serial(raw)) is not None:
            fill_date = serial
            ctx.findings.append(finding("date-as-number", sheet=sheet.name, cell=cell_name(r, c + 1), text=format_value(raw),
                                        params={"label": "填报日期", "date": serial}))
    year = None
    if values.get("year"):
        digits = "".join(ch for ch in values["year"] if ch.isdigit())
        year = int(digits[:4]) if len(digits) >= 4 else None
    return CoverInfo(
        region=Region(province=values.get("province"), city=values.get("city"), county=values.get("county"),
                      division_code=values.get("division_code")),
        year=year,
        department=Department(name=values.get("department"), filled_by=values.get("filled_by"),
                              phone=values.get("phone"),
                              fill_date=fill_date),
    )
