"""The submission block of the template's cover sheet (填报说明): 年度, 省, 市, 县(区),
行政区划代码, 部门名称, 填报人, 联系电话, 填报日期, each label with its value right of it."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Department, Region
from ..readers.grid import Sheet, format_value
from .base import FormReader, FormRun, Recognition
from .common import ParseContext, read_fill_date
from .labels import load_labels

__all__ = ["READER", "CoverInfo", "find_cover", "read_cover"]


@dataclass
class CoverInfo:
    """Region, budget year and department as filled on the cover; ``cells`` the value
    cells read (``Sheet!A1`` by field: ``year``, ``province`` … ``fill_date``)."""

    region: Region
    year: int | None
    department: Department
    cells: dict[str, str] = field(default_factory=dict)


def find_cover(sheet: Sheet, owned: set[int]) -> dict[str, tuple[int, int, object]] | None:
    """The cover block's labels on *sheet*: field -> (row, col of the label, value right
    of it), when there are at least 年度, 省 or 县(区), and 部门名称, each label alone in
    its cell. ``None`` otherwise."""
    found: dict[str, tuple[int, int, object]] = {}
    for r, hits in load_labels().index(sheet).get("cover", {}).items():
        for c, hit in hits:
            if hit.inline is None and hit.field not in found:
                found[hit.field] = (r, c, sheet.cells.get((r, c + 1)))
    if not ({"year", "department"} <= set(found) and ({"province", "county"} & set(found))):
        return None
    return found


def read_cover(sheet: Sheet, found: dict[str, tuple[int, int, object]], ctx: ParseContext) -> CoverInfo:
    """Read the cover block whose labels :func:`find_cover` found; consumes the labels
    and their values."""
    values: dict[str, str | None] = {}
    cells: dict[str, str] = {}
    fill_date = None
    for fld, (r, c, v) in found.items():
        sheet.consumed.add((r, c))
        if v in (None, ""):
            values[fld] = None
            continue
        sheet.consumed.add((r, c + 1))
        cells[fld] = sheet.ref(r, c + 1)
        values[fld] = format_value(v).strip()
        if fld == "fill_date":
            fill_date = read_fill_date(sheet, r, c + 1, v, ctx)
    year = None
    if values.get("year"):
        digits = "".join(ch for ch in values["year"] if ch.isdigit())
        year = int(digits[:4]) if len(digits) >= 4 else None
    return CoverInfo(
        region=Region(province=values.get("province"), city=values.get("city"), county=values.get("county"),
                      division_code=values.get("division_code")),
        year=year,
        department=Department(name=values.get("department"), filled_by=values.get("filled_by"),
                              phone=values.get("phone"), fill_date=fill_date),
        cells=cells,
    )


def _read_into(sheet: Sheet, found: dict[str, tuple[int, int, object]], run: FormRun) -> set[int]:
    run.out.cover = read_cover(sheet, found, run.ctx)
    return set()


def _recognise(sheet: Sheet, owned: set[int]) -> Recognition | None:
    found = find_cover(sheet, owned)
    return None if found is None else Recognition(1.0, found)


READER = FormReader("cover", recognise=_recognise, read=_read_into)
