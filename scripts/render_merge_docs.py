"""Render the README picture of the 概览 sheet: ``docs/img/merge_overview.png``.

    python scripts/render_merge_docs.py

Runs ``xlperf merge samples/`` (the five bundled counties and their manifest) into a
temporary folder, prints the consolidated workbook to PDF with LibreOffice
(``soffice --headless --convert-to pdf``, its own throw-away profile so it never
disturbs a running LibreOffice) and rasterises the top of page 1, the 概览 sheet, with
``pdftoppm -png -r 100``. Needs ``soffice`` and ``pdftoppm`` (Debian/Ubuntu:
``apt-get install -y libreoffice-calc-nogui fonts-noto-cjk poppler-utils``).
Re-run it whenever the 概览 layout changes.
"""

from __future__ import annotations

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

OUT = ROOT / "docs" / "img" / "merge_overview.png"
DPI = 100
CROP_HEIGHT_IN = 6.5  # the table and the chart; the rest of the A4 page is blank


def main() -> int:
    """Render the picture; returns a process exit code (1 when a tool is missing)."""
    pdftoppm = shutil.which("pdftoppm")
    if not (shutil.which("soffice") or shutil.which("libreoffice")) or not pdftoppm:
        print("需要 soffice（LibreOffice）和 pdftoppm（poppler-utils）。", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        book = work / "consolidated.xlsx"
        write_consolidated(consolidate([str(ROOT / "samples")]), str(book))
        pdf = to_pdf(book, work)
        OUT.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([pdftoppm, "-png", "-r", str(DPI), "-f", "1", "-l", "1", "-singlefile",
                        "-x", "0", "-y", "0", "-W", str(int(11.69 * DPI)), "-H", str(int(CROP_HEIGHT_IN * DPI)),
                        str(pdf), str(OUT.with_suffix(""))],
                       check=True, capture_output=True, timeout=120)
    print(f"已生成 {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
