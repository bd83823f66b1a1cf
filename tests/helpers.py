"""Shared test builders , imported by the tests as ``helpers``; the
pytest fixtures built on them are in conftest.py."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from xlperf.model import (
    CompositionRow,
    Department,
    DepartmentPlan,
    Indicator,
    Project,
    ProjectSpending,
    Region,
    Source,
    SpendingCheckpoint,
    Submission,
)
from xlperf.targets import parse_target

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
DATA = Path(__file__).resolve().parent / "data"


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

# -- template / fill builders (tests/test_template.py, tests/test_fill.py) ---------------------




def make_indicator(level1: str | None, level2: str | None, name: str, target: str, *, level1_text: str | None = None,
                   level2_text: str | None = None, value_basis: str | None = None, indicator_class: str | None = None,
                   two_years_ago: str | None = None, last_year: str | None = None) -> Indicator:
    """An indicator with canonical levels (None when unknown) and the texts as written."""
    return Indicator(level1=level1, level1_text=level1_text if level1_text is not None else level1,
                     level2=level2, level2_text=level2_text if level2_text is not None else level2,
                     name=name, target=parse_target(target), value_basis=value_basis, indicator_class=indicator_class,
                     value_two_years_ago=parse_target(two_years_ago) if two_years_ago is not None else None,
                     value_last_year=parse_target(last_year) if last_year is not None else None)


def make_submission(*, projects: int = 2) -> Submission:
    """A submission touching every field the template holds: Decimal amounts (万元), several
    indicators under one 二级, an unknown level, hostile text (``=1+1``, a URL), a department
    plan with 前年/上年 values. Values are made up for the tests, not copied from a seed."""
    ind = make_indicator
    first = Project(
        name="2026年基层法律服务专项资金", code="130225-2026-001", competent_department="101-测试县司法局",
        implementing_unit="测试县司法局本级", attribute="0101-一年期项目", duration="1 年", supervising_office="02-预算股",
        annual_amount=Decimal("31.9"), fiscal_funds=Decimal("30.5"), other_funds=Decimal("1.4"), fund_use="支付协理员工资",
        spending_plan=[SpendingCheckpoint(checkpoint="3月底", cumulative_percent=Decimal("25")),
                       SpendingCheckpoint(checkpoint="6月底", cumulative_percent=Decimal("50")),
                       SpendingCheckpoint(checkpoint="10月底", cumulative_percent=Decimal("80.5")),
                       SpendingCheckpoint(checkpoint="12月底", cumulative_percent=Decimal("100"))],
        performance_target="本项目预算安排资金 31.9 万元。\n目标是加强基层队伍建设。",
        indicators=[
            ind("产出指标", "数量指标", "协理员数量", "24 人", level1_text="1-产出指标", level2_text="11-数量指标", value_basis="计划标准"),
            ind("产出指标", "数量指标", "培训次数", "=1+1", level1_text="1-产出指标", level2_text="11-数量指标"),
            ind("产出指标", "数量指标", "http://example.com/x", "≥2 期"),
            ind("产出指标", "质量指标", "到岗率", "100%"),
            ind("产出指标", "成本指标", "工资社保费", "≤31.9 万元", value_basis="预算支出标准"),
            ind("效益指标", "社会效益", "发挥司法所职能", "进一步提升", level2_text="社会效益指标"),
            ind("满意度指标", "服务对象满意度", "协理员满意度", ">90%"),
            ind("满意度指标", "服务对象满意度", "群众满意度", "≥95%"),
            ind(None, None, "内控制度健全性", "健全", level1_text="4-管理指标", level2_text="41-内控指标"),
        ],
    )
    others = [Project(name=f"项目{i}号", annual_amount_text="2,8505" if i == 2 else None,
                      indicators=[ind("产出指标", "时效指标", f"完成及时率{i}", "100%")]) for i in range(2, projects + 1)]
    plan = DepartmentPlan(
        name="测试县司法局", filled_by="张三", phone="0954-1234567", fill_date="2026-01-15",  # as on the cover
        revenue=[CompositionRow(item="财政拨款", current_amount=Decimal("1000.5"), share_percent=Decimal("100"),
                                previous_amounts={"2024": Decimal("900"), "2025": Decimal("950.25")})],
        revenue_total=CompositionRow(item="合计", current_amount=Decimal("1000.5")),
        expenditure=[CompositionRow(item="人员类项目支出", current_amount=Decimal("700.5"), previous_amounts={"2024": Decimal("650")}),
                     CompositionRow(item="运转类项目支出", current_amount=Decimal("200"), previous_amounts={"2025": Decimal("190")}),
                     CompositionRow(item="特定目标类项目支出", current_amount=Decimal("100"))],
        expenditure_total=CompositionRow(item="合计", current_amount=Decimal("1000.5")),
        previous_years=["2024", "2025"],
        functions="1. 承担法治建设；\n2. 指导法律服务。", annual_tasks="1. 推进法治政府建设。",
        project_spending=[ProjectSpending(name="办案经费支出", spending_category="本级特定目标", total_budget=Decimal("64"),
                                          annual_budget=Decimal("60"), purpose="办理案件的工作经费"),
                          ProjectSpending(name="普法经费支出", spending_category="本级特定目标", total_budget=Decimal("40"),
                                          annual_budget=Decimal("40"), purpose="普法宣传")],
        long_term_goal="提升基层司法所办案能力。", long_term_horizon=2030, annual_goal="提升办案效率。",
        long_term_indicators=[
            ind("运行成本", "公用经费控制", "公用经费控制率", "98%", value_basis="预算支出标准", indicator_class="基本型"),
            ind("履职效能", "核心业务产出", "法律援助合格案件数", "≥800 件/年", level2_text="核心业务产出 1",
                value_basis="历史标准", indicator_class="基本型"),
            ind("满意度", "服务对象满意度", "群众满意度", "≥95%", value_basis="计划标准", indicator_class="基本型"),
            ind(None, None, "自定义指标", "完成", level1_text="其他指标", level2_text="其他"),
        ],
        annual_indicators=[
            ind("运行成本", "在职人员控制", "在职人员控制率", "92.31%", two_years_ago="91.03%", last_year="93.51%",
                value_basis="预算支出标准", indicator_class="基本型"),
            ind("履职效能", "核心业务产出", "调解纠纷案件个数", "≥2500", level2_text="核心业务产出 2",
                two_years_ago="2221", last_year="2219", value_basis="历史标准", indicator_class="基本型"),
            ind("社会效益", "社会效益", "增加司法公信力", "效果明显", two_years_ago="有效增加", last_year="效果明显",
                value_basis="计划标准", indicator_class="基本型"),
        ],
    )
    return Submission(source=Source(path="test.json"), year=2026,
                      region=Region(province="测试省", city="测试市", county="测试县", division_code="640425"),
                      department=Department(name="测试县司法局", filled_by="张三", phone="0954-1234567", fill_date="2026-01-15"),
                      department_plan=plan, projects=[first, *others])


def soffice_path() -> str:
    """The LibreOffice binary; skip the test without it, but FAIL in CI (env CI set)."""
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is required in CI but is not on PATH")
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui fonts-noto-cjk")
    return path


def soffice_convert(src: Path, outdir: Path, fmt: str, *, timeout: float = 180) -> Path:
    """Convert *src* with LibreOffice (own user profile per call, with a timeout); return the output."""
    outdir.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.gettempdir()) / f"lo-{uuid.uuid4().hex}"
    try:
        proc = subprocess.run([soffice_path(), f"-env:UserInstallation=file://{profile}", "--headless",
                               "--convert-to", fmt, "--outdir", str(outdir), str(src)],
                              capture_output=True, text=True, timeout=timeout)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    out = outdir / (src.stem + "." + fmt.split(":")[0])
    assert proc.returncode == 0 and out.exists(), f"LibreOffice failed: {proc.returncode} {proc.stdout} {proc.stderr}"
    return out

# ---------------------------------------------------------------- merge builders

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
