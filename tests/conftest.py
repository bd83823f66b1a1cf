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


def make_xlsx(path: Path, sheets: dict[str, list[list[object]]], *, merges: dict[str, list[tuple[int, int, int, int]]] | None = None,
              hidden: tuple[str, ...] = ()) -> str:
    """Write a small workbook: rows of cells per sheet (``None`` = empty), merged ranges
    (r0, c0, r1, c1) whose first cell carries the value, hidden sheets by name. Strings
    are written as strings (no formula / URL conversion), numbers as numbers."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        merged = set()
        for r0, c0, r1, c1 in (merges or {}).get(name, []):
            ws.merge_range(r0, c0, r1, c1, rows[r0][c0] if rows[r0][c0] is not None else "")
            merged |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v is None or (r, c) in merged:
                    continue
                if isinstance(v, str):
                    ws.write_string(r, c, v)
                else:
                    ws.write_number(r, c, v)
        if name in hidden:
            ws.hide()
    wb.close()
    return str(path)


def project_rows(name: str, amount: object, *, labels: dict[str, str] | None = None) -> list[list[object]]:
    """A project form in the seed-000 layout (label block + indicator table), with label
    wordings overridable (``{"主管部门": "主管部門"}``)."""
    lab = {k: k for k in ("项目名称", "主管部门", "实施单位", "项目属性", "项目期限", "项目主管处室", "项目年度金额",
                          "年度总体绩效目标", "一级指标", "二级指标", "三级指标", "绩效值")}
    lab.update(labels or {})
    return [
        ["2025 年部门项目支出预算绩效目标表"],
        ["单位：万元"],
        [lab["项目名称"], name],
        [lab["主管部门"], "测试县司法局", lab["实施单位"], "测试县司法局本级"],
        [lab["项目属性"], "0101-一年期项目", lab["项目期限"], "1年"],
        [lab["项目主管处室"], "02-预算股", lab["项目年度金额"], amount],
        [lab["年度总体绩效目标"], "<p>保障工作顺利开展。</p>"],
        [lab["一级指标"], lab["二级指标"], lab["三级指标"], lab["绩效值"]],
        ["1-产出指标", "11-数量指标", "培训次数", "≥4次"],
        [None, None, "宣传册", "≥500份"],
        [None, "12-质量指标", "合格率", "100%"],
        [None, "13-时效指标", "完成时间", "年度内"],
        [None, "14-成本指标", "项目成本", "≤10万元"],
        ["2-效益指标", "22-社会效益", "群众法治意识", "进一步提升"],
        ["3-满意度指标", "31-服务对象满意度", "群众满意度", "≥95%"],
    ]
