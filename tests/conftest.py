"""Shared test builders (GUIDE section 7: builders in conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


# ---------------------------------------------------------------- merge (issue 6) builders

#: A full indicator set in the 彭阳 (seed 000) form: (一级, 二级, 三级, 绩效值).
STANDARD_INDICATORS = [
    ("1-产出指标", "11-数量指标", "培训人次", "≥100人"),
    ("", "12-质量指标", "培训合格率", "≥95%"),
    ("", "13-时效指标", "完成时间", "2025年12月底前"),
    ("", "14-成本指标", "培训经费", "≤{amount}万元"),
    ("2-效益指标", "22-社会效益", "群众法治意识", "进一步提升"),
    ("", "24-可持续影响", "长效机制", "持续发挥作用"),
    ("3-满意度指标", "31-服务对象满意度", "参训人员满意度", "≥90%"),
]


def build_project_workbook(path: Path, *, department: str = "测试县司法局", year: int = 2025,
                           projects: list[tuple[str, float, list[tuple[str, str, str, str]] | None]] | None = None,
                           as_text: bool = True) -> Path:
    """A small filled workbook in the 彭阳 (seed 000) project layout, written with openpyxl:
    title, 单位：万元, the label block (项目名称 … 年度总体绩效目标), then 一级 / 二级 / 三级 /
    绩效值 per project. *projects*: (项目名称, 项目年度金额 万元, indicators or None for
    :data:`STANDARD_INDICATORS`). Every text cell is stored as a string (never a formula),
    so a 三级 like ``=HYPERLINK(...)`` reaches the importer as typed."""
    import openpyxl

    projects = projects if projects is not None else [("法治宣传经费", 12.5, None), ("人民调解经费", 8.25, None)]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = f"{year}年项目支出绩效目标"
    rows: list[list[object]] = [[f"{department} {year} 年部门项目支出预算绩效目标"], []]
    for name, amount, indicators in projects:
        rows += [[f"{year} 年部门项目支出预算绩效目标表"], ["单位：万元"],
                 ["项目名称", name], ["主管部门", department, "实施单位", f"{department}本级"],
                 ["项目属性", "0101-一年期项目", "项目期限", "1 年"],
                 ["项目主管处室", "02-预算股", "项目年度金额", amount],
                 ["年度总体绩效目标", f"本项目预算安排资金 {amount} 万元，用于{name}。"],
                 ["一级指标", "二级指标", "三级指标", "绩效值"]]
        for l1, l2, l3, value in indicators if indicators is not None else STANDARD_INDICATORS:
            rows.append([l1, l2, l3, value.format(amount=amount)])
        rows.append([])
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value in ("", None):
                continue
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str) and as_text:
                cell.data_type = "s"  # never a formula, whatever the text starts with
    wb.save(path)
    return Path(path)


def write_manifest(folder: Path, rows: list[tuple[str, ...]], *, bom: bool = True, encoding: str = "utf-8") -> Path:
    """``manifest.csv`` (文件,省,市,县(区),行政区划代码,年度) in *folder*."""
    lines = ["文件,省,市,县(区),行政区划代码,年度", *(",".join(r) for r in rows)]
    data = ("\n".join(lines) + "\n").encode(encoding)
    if bom and encoding == "utf-8":
        data = b"\xef\xbb\xbf" + data
    path = folder / "manifest.csv"
    path.write_bytes(data)
    return path
