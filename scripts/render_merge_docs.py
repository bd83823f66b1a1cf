"""Render the README pictures of the consolidated workbook as it prints.

    python scripts/render_merge_docs.py

Runs ``xlperf merge samples/`` (the five bundled counties and their manifest) into a
temporary folder, prints the consolidated workbook to PDF with LibreOffice
(``soffice --headless --convert-to pdf``, its own throw-away profile so it never
disturbs a running LibreOffice) and rasterises pages with ``pdftoppm -png -r 100``:

* ``docs/img/merge_overview.png`` – the top of the 概览 page (table, 合计, chart);
* ``docs/img/merge-findings.png`` – the first 问题 page (one page wide, 说明 wrapped);
* ``docs/img/merge-indicators-1.png`` / ``-2.png`` – the first two 指标 pages, side by
  side on paper (the second repeats 县(区) and the header row).

Pages are found by the sheet name the page header prints at its right. Needs ``soffice``
and ``pdftoppm`` (Debian/Ubuntu: ``apt-get install -y libreoffice-calc-nogui
fonts-noto-cjk poppler-utils``). Re-run it whenever the consolidated layout changes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from render_docs import to_pdf  # noqa: E402 - same folder: LibreOffice printing with a throw-away profile

from xlperf.consolidate.merge import consolidate
from xlperf.writers.outputs.xlsx import write_consolidated

IMG = ROOT / "docs" / "img"
DPI = 100
A4_LANDSCAPE_IN = (11.69, 8.27)
OVERVIEW_HEIGHT_IN = 6.6  # the table, the 合计 and the chart; the rest of the page is blank


def sheet_pages(pdf: Path) -> dict[str, list[int]]:
    """Sheet name -> its page numbers, from the name the page header prints at its right."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True, timeout=120).stdout
    pages: dict[str, list[int]] = {}
    for number, page in enumerate(text.split("\f")[:-1], start=1):
        lines = [line for line in page.splitlines() if line.strip()]
        if lines:
            pages.setdefault(lines[0].split()[-1], []).append(number)
    return pages


def rasterise(pdftoppm: str, pdf: Path, page: int, target: Path, *, height_in: float = A4_LANDSCAPE_IN[1]) -> None:
    subprocess.run([pdftoppm, "-png", "-r", str(DPI), "-f", str(page), "-l", str(page), "-singlefile",
                    "-x", "0", "-y", "0", "-W", str(int(A4_LANDSCAPE_IN[0] * DPI)), "-H", str(int(height_in * DPI)),
                    str(pdf), str(target.with_suffix(""))], check=True, capture_output=True, timeout=120)
    print(f"已生成 {target.relative_to(ROOT)}（第 {page} 页）")


def main() -> int:
    """Render the pictures; returns a process exit code (1 when a tool is missing)."""
    pdftoppm = shutil.which("pdftoppm")
    if not (shutil.which("soffice") or shutil.which("libreoffice")) or not pdftoppm or not shutil.which("pdftotext"):
        print("需要 soffice（LibreOffice）、pdftoppm 和 pdftotext（poppler-utils）。", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        book = work / "consolidated.xlsx"
        os.chdir(ROOT)  # file paths as a consolidator types them: samples/…
        write_consolidated(consolidate(["samples"]), str(book))
        pdf = to_pdf(book, work)
        pages = sheet_pages(pdf)
        IMG.mkdir(parents=True, exist_ok=True)
        rasterise(pdftoppm, pdf, pages["概览"][0], IMG / "merge_overview.png", height_in=OVERVIEW_HEIGHT_IN)
        rasterise(pdftoppm, pdf, pages["问题"][0], IMG / "merge-findings.png")
        for i, page in enumerate(pages["指标"][:2], start=1):
            rasterise(pdftoppm, pdf, page, IMG / f"merge-indicators-{i}.png")
        print("各表页数：" + "，".join(f"{name} {len(numbers)}" for name, numbers in pages.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
