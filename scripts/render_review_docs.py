"""Render the pictures of the README section "审核副本 / The review loop" into docs/img/.

* ``review-sheet.png``: the 审核意见 sheet of the review copy of samples/002 (红寺堡);
* ``review-cells.png`` / ``review-comments.png``: a project sheet of a review copy with its
  highlights, and the list of its comments LibreOffice prints at the end of the sheet. The
  workbook is the small made-up example of scripts/render_docs.py with four targets
  changed so that review finds something, filled by ``xlperf fill`` and then opened and
  saved by LibreOffice (the template as a clerk returns it);
* ``show-read-legend.png`` / ``show-read.png``: the show-read copy of samples/002: the
  识别图例 sheet and the first table coloured by role;
* ``carried.png``: the first project sheet of the 2025 template pre-filled from
  samples/000 (彭阳 2024) by ``xlperf template --from``.

LibreOffice 7.4 does not take the print-comments setting from an .xlsx
(``cellComments="atEnd"``), so the copies are converted to .ods, the page styles' print
setting gets ``annotations`` (the "Comments" box of Format - Page Style - Sheet), and the
.ods is printed. Needs ``soffice`` and ``pdftoppm`` / ``pdftotext`` (as scripts/render_docs.py).

    python scripts/render_review_docs.py [--out docs/img] [--dpi 100]
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from render_docs import YEAR, example_submission, picture_args, render, soffice  # noqa: E402 - the script folder is on the path now

from xlperf.annotate import review_file  # noqa: E402
from xlperf.carryover import write_carried_template  # noqa: E402
from xlperf.data import load_data  # noqa: E402
from xlperf.targets import parse_target  # noqa: E402
from xlperf.writers.template import write_workbook  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
_PRINT_RE = re.compile(rb'style:print="([^"]*)"')


def pdf_with_comments(src: Path, work: Path) -> Path:
    """*src* printed by LibreOffice with its comments listed at the end of each sheet."""
    soffice("--convert-to", "ods", "--outdir", str(work), str(src))
    ods = work / (src.stem + ".ods")
    patched = work / (src.stem + ".comments.ods")
    with zipfile.ZipFile(ods) as zin, zipfile.ZipFile(patched, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "styles.xml":
                data = _PRINT_RE.sub(lambda m: b'style:print="annotations ' + m.group(1) + b'"', data)
            zout.writestr(info, data, compress_type=zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED)
    soffice("--convert-to", "pdf", "--outdir", str(work), str(patched))
    return work / (patched.stem + ".pdf")


def page_with(pdf: Path, text: str, *, after: int = 0) -> int:
    """The first page after page *after* whose text holds *text* (spaces ignored)."""
    count = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                                                              check=True).stdout).group(1))
    for page in range(after + 1, count + 1):
        found = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True,
                               text=True, check=True).stdout
        if re.sub(r"\s+", "", text) in re.sub(r"\s+", "", found):
            return page
    raise SystemExit(f"{pdf.name}: no page after {after} with {text!r}")


def example_with_findings():  # noqa: ANN201 - Submission
    """The made-up example of scripts/render_docs.py with four targets a reviewer flags."""
    sub = example_submission()
    changed = {"案件补贴经费": "≥12000元", "当事人满意度": "较高", "调解成功率": "105%", "补贴发放及时率": ""}
    for ind in sub.projects[0].indicators:
        if ind.name in changed:
            ind.target = parse_target(changed[ind.name]) if changed[ind.name] else None
    return sub


def main() -> None:
    out, dpi = picture_args(__doc__)
    marker = load_data("review_copy.toml")["comment"]["marker"]
    project_title = load_data("template_sheets.toml")["project"]["title"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        pictures: list[tuple[str, Path, int]] = []
        # the made-up example, filled, saved by LibreOffice, reviewed
        write_workbook(str(work / "example.xlsx"), submission=example_with_findings(), projects=1)
        (work / "lo").mkdir()
        soffice("--convert-to", "xlsx", "--outdir", str(work / "lo"), str(work / "example.xlsx"))
        copy = review_file(str(work / "lo" / "example.xlsx"), output=str(work / "示例县司法局.审核.xlsx")).copy
        pdf = pdf_with_comments(Path(copy.output), work)
        sheet = page_with(pdf, project_title.format(year=YEAR))
        pictures += [("review-cells", pdf, sheet), ("review-comments", pdf, page_with(pdf, marker, after=sheet))]
        # samples/002 红寺堡: the 审核意见 sheet, and the show-read copy
        sample = work / "002_hongsibu_2025.xlsx"
        sample.write_bytes((ROOT / "samples" / sample.name).read_bytes())
        pdf = pdf_with_comments(Path(review_file(str(sample)).copy.output), work)
        pictures.append(("review-sheet", pdf, 1))
        pdf = pdf_with_comments(Path(review_file(str(sample), show_read=True).copy.output), work)
        pictures += [("show-read-legend", pdf, 1), ("show-read", pdf, 2)]
        # samples/000 彭阳 2024 carried into 2025
        outcome = write_carried_template(str(ROOT / "samples" / "000_pengyang_2024.xlsx"), str(work / "2025.xlsx"))
        pdf = pdf_with_comments(work / "2025.xlsx", work)
        pictures.append(("carried", pdf, page_with(pdf, project_title.format(year=outcome.year))))
        for name, pdf, page in pictures:
            target = out / f"{name}.png"
            render(pdf, page, target, dpi)
            print(f"{target} (page {page} of {pdf.name}, {target.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
