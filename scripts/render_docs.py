"""Render the pictures of the README section "模板 / The template" into docs/img/.

For the blank template (``xlperf template``) and a filled example (``xlperf fill`` of the
small made-up Submission below, not a seed's answers), every sheet is printed through
LibreOffice to PDF, and the first page of each sheet is rendered to PNG with pdftoppm
(100 dpi). Needs ``soffice`` (libreoffice-calc-nogui, fonts-noto-cjk) and ``pdftoppm`` /
``pdftotext`` (poppler-utils).

    python scripts/render_docs.py [--out docs/img] [--dpi 100]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from decimal import Decimal
from pathlib import Path

from xlperf.data import load_data
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
from xlperf.writers.template import write_template, write_workbook

YEAR = 2026


def _ind(level1: str, level2: str, name: str, target: str, *, level2_text: str | None = None, basis: str | None = None,
         cls: str | None = None, before: tuple[str, str] | None = None) -> Indicator:
    return Indicator(level1=level1, level1_text=level1, level2=level2, level2_text=level2_text or level2, name=name,
                     target=parse_target(target), value_basis=basis, indicator_class=cls,
                     value_two_years_ago=parse_target(before[0]) if before else None,
                     value_last_year=parse_target(before[1]) if before else None)


def example_submission() -> Submission:
    """A small, made-up submission of a fictional county justice bureau (示例县司法局)."""
    project = Project(
        name=f"{YEAR}年人民调解案件补贴经费", competent_department="示例县司法局", implementing_unit="示例县司法局本级",
        attribute="0101-一年期项目", duration="1 年", supervising_office="02-预算股", annual_amount=Decimal("12.5"),
        performance_target="本项目预算安排资金 12.5 万元，用于人民调解案件补贴，目标是及时化解矛盾纠纷。",
        spending_plan=[SpendingCheckpoint(checkpoint=c, cumulative_percent=Decimal(p))
                       for c, p in (("3月底", 20), ("6月底", 50), ("10月底", 80), ("12月底", 100))],
        indicators=[
            _ind("产出指标", "数量指标", "补贴调解案件数", "≥300 件", basis="历史标准"),
            _ind("产出指标", "数量指标", "培训调解员人次", "≥60 人次", basis="计划标准"),
            _ind("产出指标", "质量指标", "调解成功率", "≥95%", basis="行业标准"),
            _ind("产出指标", "时效指标", "补贴发放及时率", "100%", basis="计划标准"),
            _ind("产出指标", "成本指标", "案件补贴经费", "≤12.5 万元", basis="预算支出标准"),
            _ind("效益指标", "社会效益", "矛盾纠纷就地化解", "进一步提升", basis="计划标准"),
            _ind("满意度指标", "服务对象满意度", "当事人满意度", "≥90%", basis="计划标准"),
        ])
    plan = DepartmentPlan(
        name="示例县司法局", filled_by="王五", phone="0000-1234567", fill_date=f"{YEAR - 1}-10-15",
        revenue=[CompositionRow(item="财政拨款", current_amount=Decimal("500"),
                                previous_amounts={str(YEAR - 2): Decimal("460"), str(YEAR - 1): Decimal("480")})],
        expenditure=[CompositionRow(item="人员类项目支出", current_amount=Decimal("380")),
                     CompositionRow(item="运转类项目支出", current_amount=Decimal("70")),
                     CompositionRow(item="特定目标类项目支出", current_amount=Decimal("50"))],
        functions="1. 统筹推进全县法治政府建设；\n2. 指导人民调解、法律援助和社区矫正工作。",
        annual_tasks="1. 推进法治政府建设；\n2. 加强普法宣传教育。",
        project_spending=[ProjectSpending(name="人民调解案件补贴经费", spending_category="本级特定目标",
                                          total_budget=Decimal("12.5"), annual_budget=Decimal("12.5"), purpose="调解案件补贴"),
                          ProjectSpending(name="普法宣传经费", spending_category="本级特定目标",
                                          total_budget=Decimal("37.5"), annual_budget=Decimal("37.5"), purpose="普法宣传活动")],
        long_term_goal="基层矛盾纠纷化解机制健全，群众满意度持续提高。", annual_goal="及时化解矛盾纠纷，提升普法覆盖面。",
        long_term_indicators=[_ind("运行成本", "公用经费控制", "公用经费控制率", "≤100%", basis="预算支出标准", cls="基本型"),
                              _ind("履职效能", "核心业务产出", "调解纠纷案件数", "≥300 件/年", level2_text="核心业务产出 1",
                                   basis="历史标准", cls="基本型")],
        annual_indicators=[_ind("运行成本", "公用经费控制", "公用经费控制率", "≤100%", basis="预算支出标准", cls="基本型",
                                before=("98%", "99%")),
                           _ind("履职效能", "核心业务产出", "调解纠纷案件数", "≥300 件", level2_text="核心业务产出 1",
                                basis="历史标准", cls="基本型", before=("280", "290"))],
    )
    return Submission(source=Source(path="示例.json"), year=YEAR,
                      region=Region(province="示例省", city="示例市", county="示例县", division_code="000000"),
                      department=Department(name="示例县司法局", filled_by="王五", phone="0000-1234567",
                                            fill_date=f"{YEAR - 1}-10-15"),
                      department_plan=plan, projects=[project])


def soffice(*args: str) -> None:
    """Run LibreOffice headless with *args* (own profile, 5-minute timeout)."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        sys.exit("LibreOffice (soffice) is needed: apt-get install libreoffice-calc-nogui fonts-noto-cjk")
    profile = Path(tempfile.gettempdir()) / f"lo-{uuid.uuid4().hex}"
    try:
        subprocess.run([exe, f"-env:UserInstallation=file://{profile}", "--headless", *args], check=True,
                       capture_output=True, timeout=300)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def to_pdf(src: Path, outdir: Path) -> Path:
    """Print *src* through LibreOffice."""
    soffice("--convert-to", "pdf", "--outdir", str(outdir), str(src))
    return outdir / (src.stem + ".pdf")


def picture_args(doc: str) -> tuple[Path, int]:
    """The command line of a picture script: ``--out`` (created) and ``--dpi``."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--out", default="docs/img", help="folder for the PNG files")
    parser.add_argument("--dpi", type=int, default=100, help="resolution of the PNG files")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    return out, args.dpi


def first_pages(pdf: Path, titles: list[str]) -> list[int]:
    """The page number where each sheet starts: the first page (after the previous
    sheet's) whose text holds that sheet's title."""
    count = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                                                              check=True).stdout).group(1))
    found: list[int] = []
    page = 1
    for title in titles:
        while page <= count:
            text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True,
                                  text=True, check=True).stdout
            page += 1
            if title in re.sub(r"\s+", "", text):
                found.append(page - 1)
                break
        else:
            raise SystemExit(f"{pdf.name}: no page with the title {title}")
    return found


def render(pdf: Path, page: int, target: Path, dpi: int) -> None:
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(target.with_suffix(""))], check=True, timeout=120)


def main() -> None:
    out, dpi = picture_args(__doc__)
    layout = load_data("template_sheets.toml")
    titles = [layout["cover"]["title"], layout["department"]["title"], layout["project"]["title"]]
    titles = [t.format(year=YEAR) for t in titles]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        blank, filled = work / "template.xlsx", work / "filled.xlsx"
        write_template(str(blank), year=YEAR, projects=1)
        notes = write_workbook(str(filled), submission=example_submission(), projects=1)
        if notes:
            raise SystemExit("the example could not be written as given: " + "; ".join(n.message for n in notes))
        for stem, book in (("template", blank), ("filled", filled)):
            pdf = to_pdf(book, work)
            for name, page in zip(("cover", "department", "project"), first_pages(pdf, titles)):
                target = out / f"{stem}-{name}.png"
                render(pdf, page, target, dpi)
                print(f"{target} (page {page}, {target.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
