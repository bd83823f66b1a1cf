"""xlperf review: the review copy (findings as comments and highlights, the 审核意见 sheet
first) and the show-read copy (cells coloured by what import took them for), on every
sample and on the template filled and re-saved by LibreOffice: read back with openpyxl,
and imported again to the same data (docs/review-loop.md)."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from helpers import SAMPLES, make_submission, make_xlsx, project_rows, soffice_convert
from typer.testing import CliRunner

from xlperf.annotate import copy_name, review_file
from xlperf.annotate.copy import CopyTask, run_copy
from xlperf.cellref import parse_cell_name
from xlperf.cli import app
from xlperf.data import load_data
from xlperf.importer import import_workbook
from xlperf.model import Finding, Submission
from xlperf.writers.template import write_workbook

SAMPLE_FILES = sorted(SAMPLES.glob("*.xlsx"))
assert len(SAMPLE_FILES) == 5
SPEC = load_data("review_copy.toml")
FILL = {k: v["fill"] for k, v in SPEC["severity"].items()}
MARKER = SPEC["comment"]["marker"]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _data(sub: Submission) -> dict:
    """The model without where it was read from (path, hash, sheet list)."""
    return sub.model_dump(mode="json", exclude={"source", "findings"})


def _findings(fs: list[Finding]) -> list[tuple]:
    return [(f.code, f.severity, f.sheet, f.cell, f.message, f.text) for f in fs]


def _fills_at(ws, row: int, col: int) -> set[str]:
    """The fill colours of the highlight rules (formula TRUE) covering a 0-based cell."""
    out = set()
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            if rule.formula == ["TRUE"] and any((rng.min_row <= row + 1 <= rng.max_row and rng.min_col <= col + 1 <= rng.max_col)
                                               for rng in cf.sqref.ranges):
                out.add(rule.dxf.fill.fgColor.rgb[-6:])
    return out


def _top_left(ws, row: int, col: int) -> tuple[int, int]:
    for rng in ws.merged_cells.ranges:
        if rng.min_row <= row + 1 <= rng.max_row and rng.min_col <= col + 1 <= rng.max_col:
            return rng.min_row - 1, rng.min_col - 1
    return row, col


def check_review_copy(original: Path, copy: Path, expected_findings: list[Finding]) -> None:
    """Every finding with a cell is on its cell; the 审核意见 sheet lists every finding."""
    wb = openpyxl.load_workbook(copy)
    assert wb.sheetnames[0] == SPEC["review_sheet"]["name"] and wb.active.title == wb.sheetnames[0]
    assert [ws.sheet_view.tabSelected for ws in wb.worksheets].count(True) == 1
    placed = 0
    for f in expected_findings:
        if not (f.sheet and f.cell):
            continue
        ws = wb[f.sheet]
        r, c = _top_left(ws, *parse_cell_name(f.cell))
        comment = ws.cell(row=r + 1, column=c + 1).comment
        assert comment is not None and MARKER in comment.text, (f.code, f.where)
        assert f"{f.code}：{f.message}" in comment.text
        fills = _fills_at(ws, *parse_cell_name(f.cell))
        assert FILL["error"] in fills if f.severity == "error" else fills & {FILL["error"], FILL["warning"]}, (f.code, f.where)
        placed += 1
    sheet = wb.worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows(max_col=5)]
    header = rows.index(SPEC["review_sheet"]["columns"])
    listed = [r for r in rows[header + 1:] if r[0] in ("错误", "警告")]
    own = [r for r in listed if r[1] != "review-copy-dropped"]
    assert len(own) == len(expected_findings)
    assert sorted((r[1], r[2]) for r in own) == sorted((f.code, f.message) for f in expected_findings)
    words = [r[0] for r in own]
    assert words == sorted(words, key=lambda w: w != "错误")  # errors first
    for row, r in enumerate(rows[header + 1:], start=header + 2):
        link = sheet.cell(row=row, column=4).hyperlink
        if r[3] and "!" in str(r[3]):
            assert link is not None and link.location == r[3]
    assert placed == sum(1 for f in expected_findings if f.sheet and f.cell)


@pytest.fixture(scope="module")
def sample_copies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path, object]]:
    out = {}
    folder = tmp_path_factory.mktemp("copies")
    for sample in SAMPLE_FILES:
        src = folder / sample.name
        src.write_bytes(sample.read_bytes())
        before = _sha(src)
        outcome = review_file(str(src))
        assert _sha(src) == before  # the original is only read
        out[sample.stem] = (src, Path(copy_name(str(src))), outcome)
    return out


@pytest.mark.parametrize("stem", [p.stem for p in SAMPLE_FILES])
def test_review_copy_of_each_sample(stem: str, sample_copies: dict) -> None:
    src, copy, outcome = sample_copies[stem]
    assert outcome.copy is not None and outcome.copy.failure is None, outcome.copy
    assert copy.name == f"{src.stem}.审核.xlsx" and copy.exists()
    assert outcome.copy.notes == ()  # the samples hold nothing openpyxl drops
    check_review_copy(src, copy, outcome.result.report.findings)
    assert outcome.exit_code == outcome.result.exit_code


@pytest.mark.parametrize("stem", [p.stem for p in SAMPLE_FILES])
def test_review_copy_imports_to_the_same_data(stem: str, sample_copies: dict) -> None:
    src, copy, outcome = sample_copies[stem]
    again = import_workbook(str(copy))
    assert _data(again.submission) == _data(outcome.result.submission)
    assert _findings(again.report.findings) == _findings(outcome.result.report.findings)
    assert again.report.stats["cells_reported"] == outcome.result.report.stats["cells_reported"]


def test_review_copy_summary_and_a_known_finding(sample_copies: dict) -> None:
    """红寺堡 (seed 002): 24 projects, the 成本指标 of 表3 that disagrees with its amount."""
    _src, copy, outcome = sample_copies["002_hongsibu_2025"]
    ws = openpyxl.load_workbook(copy).worksheets[0]
    summary = {ws.cell(row=r, column=2).value: ws.cell(row=r, column=3).value for r in range(6, 13)}
    assert summary["项目数"] == 24 and summary["项目指标数"] == 215 and summary["金额未识别项目数"] == 2
    assert summary["错误"] == len(outcome.result.report.errors)
    cost = [f for f in outcome.result.report.findings if f.code == "cost-amount-mismatch"][0]
    table = openpyxl.load_workbook(copy)[cost.sheet]
    assert "cost-amount-mismatch" in table[cost.cell].comment.text


def test_show_read_copy_colours_every_cell_by_role(tmp_path: Path) -> None:
    src = tmp_path / "000.xlsx"
    src.write_bytes((SAMPLES / "000_pengyang_2024.xlsx").read_bytes())
    outcome = review_file(str(src), show_read=True)
    assert outcome.copy.failure is None and Path(outcome.copy.output).name == "000.识别.xlsx"
    result = import_workbook(str(src), keep_cells=True)
    fills = {r["key"]: r["fill"] for r in SPEC["roles"]}
    wb = openpyxl.load_workbook(outcome.copy.output)
    assert wb.sheetnames[0] == SPEC["legend_sheet"]["name"]
    p = result.submission.projects[0]
    ind = p.indicators[0]
    sheet, name_cell = p.cells["name"].split("!")
    ws = wb[sheet]
    expect = {p.cells["name"]: "field", p.cells["name_label"]: "label", ind.source: "level3",
              ind.level2_source: "level2", ind.level1_source: "level1", ind.target.source: "target"}
    for ref, role in expect.items():
        _, cell = ref.split("!")
        assert _fills_at(ws, *parse_cell_name(cell)) == {fills[role]}, (ref, role)
    assert ws[name_cell].comment.text.endswith("读作：项目名称")
    unmapped = [f for f in result.report.findings if f.code == "unmapped-cell"]
    assert unmapped and all(_fills_at(wb[f.sheet], *parse_cell_name(f.cell)) == {fills["unmapped"]} for f in unmapped)
    legend = wb.worksheets[0]
    counts = {row[1].value: row[3].value for row in legend.iter_rows(min_row=6, max_row=12)}
    assert counts["未读取"] == len(unmapped)
    assert sum(counts.values()) == result.report.stats["cells"]
    again = import_workbook(outcome.copy.output)
    assert _data(again.submission) == _data(result.submission)
    assert _findings(again.report.findings) == _findings(result.report.findings)


@pytest.fixture(scope="module")
def lo_filled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template filled by xlperf fill, then opened and saved by LibreOffice (its
    formulas' cached values written by LibreOffice)."""
    folder = tmp_path_factory.mktemp("lo")
    sub = make_submission()
    write_workbook(str(folder / "filled.xlsx"), submission=sub, year=sub.year)
    return soffice_convert(folder / "filled.xlsx", folder / "lo", "xlsx")


def test_review_copy_of_the_template_filled_by_libreoffice(lo_filled: Path, tmp_path: Path) -> None:
    out = tmp_path / "退回.xlsx"
    outcome = review_file(str(lo_filled), output=str(out))
    assert outcome.copy.failure is None and out.exists()
    original = outcome.result
    assert original.report.findings  # the made-up submission holds errors (2,8505) and warnings
    check_review_copy(lo_filled, out, original.report.findings)
    again = import_workbook(str(out))
    assert _data(again.submission) == _data(original.submission)
    assert _findings(again.report.findings) == _findings(original.report.findings)
    assert "formula-no-cached-value" not in again.report.codes()
    # the template's 合计 / 占比 formulas keep their cached values
    cached = openpyxl.load_workbook(out, data_only=True)["部门整体绩效目标"]
    formulas = openpyxl.load_workbook(out)["部门整体绩效目标"]
    cells = [c for row in formulas.iter_rows() for c in row if c.data_type == "f"]
    assert cells and all(cached[c.coordinate].value is not None for c in cells)
    # validations, protection and the hidden lists sheet are kept
    wb = openpyxl.load_workbook(out)
    assert wb["_lists"].sheet_state == "hidden" and wb["项目1"].protection.sheet
    assert len(wb["项目1"].data_validations.dataValidation) == len(
        openpyxl.load_workbook(lo_filled)["项目1"].data_validations.dataValidation)


def test_libreoffice_prints_the_comments_of_a_review_copy(lo_filled: Path, tmp_path: Path) -> None:
    outcome = review_file(str(lo_filled), output=str(tmp_path / "c.xlsx"))
    wb = openpyxl.load_workbook(outcome.copy.output)
    assert all(ws.page_setup.cellComments == "atEnd" for ws in wb.worksheets if any(
        c.comment for row in ws.iter_rows() for c in row))
    pdf = soffice_convert(Path(outcome.copy.output), tmp_path / "pdf", "pdf")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_a_second_review_replaces_the_first(sample_copies: dict, tmp_path: Path) -> None:
    _src, copy, outcome = sample_copies["002_hongsibu_2025"]
    again = review_file(str(copy), output=str(tmp_path / "twice.xlsx"))
    wb = openpyxl.load_workbook(again.copy.output)
    assert [n for n in wb.sheetnames if n.startswith("审核意见")] == ["审核意见"]
    texts = [c.comment.text for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.comment]
    assert texts and all(t.count(MARKER) == 1 for t in texts)
    rules = [r for ws in wb.worksheets for cf in ws.conditional_formatting for r in cf.rules if r.formula == ["TRUE"]]
    first = [r for ws in openpyxl.load_workbook(copy).worksheets for cf in ws.conditional_formatting for r in cf.rules]
    assert len(rules) == len(first)
    assert _findings(import_workbook(again.copy.output).report.findings) == _findings(outcome.result.report.findings)


def test_a_comment_already_on_the_cell_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "c.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("项目")
    for r, row in enumerate(project_rows("项目甲", "2,8505")):
        for c, v in enumerate(row):
            if v is not None:
                ws.write_string(r, c, v) if isinstance(v, str) else ws.write_number(r, c, v)
    ws.write_comment("D6", "县里的说明：金额待定")
    wb.close()
    outcome = review_file(str(path))
    codes = {f.code for f in outcome.result.report.findings if f.where == "项目!D6"}
    assert codes  # the unreadable amount
    text = openpyxl.load_workbook(outcome.copy.output)["项目"]["D6"].comment.text
    assert text.startswith("县里的说明：金额待定\n\n" + MARKER) and all(code in text for code in codes)
    again = review_file(outcome.copy.output, output=str(tmp_path / "again.xlsx"))  # the county's part survives
    assert openpyxl.load_workbook(again.copy.output)["项目"]["D6"].comment.text == text


def test_what_openpyxl_cannot_keep_is_reported(tmp_path: Path) -> None:
    png = tmp_path / "dot.png"
    png.write_bytes(base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="))
    path = tmp_path / "rich.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("项目1")
    for r, row in enumerate(project_rows("项目甲", 10)):
        for c, v in enumerate(row):
            if v is not None:
                ws.write(r, c, v)
    ws.insert_image("G2", str(png))
    ws.insert_textbox("G10", "说明文字")
    ws.conditional_format("D6", {"type": "data_bar", "data_bar_2010": True})
    other = wb.add_worksheet("其他")
    other.write_column(0, 0, [1, 2, 3])
    other.add_sparkline("C1", {"range": "其他!A1:A3"})
    wb.close()
    outcome = review_file(str(path))
    notes = {f.message.split("（")[0]: f for f in outcome.copy.notes}
    assert set(notes) == {"原文件中的图片文件", "原文件中的图片", "原文件中的形状或文本框", "原文件中的迷你图",
                          "原文件中的条件格式"}
    assert "工作表“其他”" in notes["原文件中的迷你图"].message
    rows = [[c.value for c in r] for r in openpyxl.load_workbook(outcome.copy.output).worksheets[0].iter_rows(max_col=5)]
    assert sum(r[1] == "review-copy-dropped" for r in rows) == 5
    again = import_workbook(outcome.copy.output)  # the notes are not findings of the submission
    assert _findings(again.report.findings) == _findings(outcome.result.report.findings)


def test_submitted_text_stays_text_in_the_copy(tmp_path: Path) -> None:
    rows = project_rows("=HYPERLINK(\"http://x\",\"点\")", 10)
    rows[0] = rows[0] + [None] * 6 + ["=1+1"]
    path = make_xlsx(tmp_path / "h.xlsx", {"项目": rows})
    outcome = review_file(str(path))
    wb = openpyxl.load_workbook(outcome.copy.output)
    assert wb["项目"]["B3"].data_type == "s" and wb["项目"]["B3"].value.startswith("=HYPERLINK")
    listed = [r for r in wb.worksheets[0].iter_rows(max_col=5) if r[1].value == "unmapped-cell"]
    assert listed and all(r[4].data_type == "s" for r in listed)
    assert any(r[4].value == "=1+1" for r in listed)


def test_own_sheet_is_recognised_by_structure_only(tmp_path: Path) -> None:
    """Text a clerk adds to the 审核意见 sheet is reported; a county's own sheet of that
    name is read as before and the added sheet takes the next name."""
    path = make_xlsx(tmp_path / "s.xlsx", {"审核意见": [["局领导审核意见", "同意"]], "项目": project_rows("项目甲", 10)})
    outcome = review_file(str(path))
    wb = openpyxl.load_workbook(outcome.copy.output)
    assert wb.sheetnames == ["审核意见2", "审核意见", "项目"]
    sheet = wb["审核意见2"]
    sheet.cell(row=sheet.max_row + 2, column=1).value = "县里补充：已核实"
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    again = import_workbook(str(edited))
    extra = [f for f in again.report.findings if f.code == "unmapped-cell" and f.sheet == "审核意见2"]
    assert [f.text for f in extra] == ["县里补充：已核实"]
    assert {f.text for f in again.report.findings if f.code == "unmapped-cell" and f.sheet == "审核意见"} == {"局领导审核意见", "同意"}


def test_the_original_is_never_the_output(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "a.xlsx", {"项目": project_rows("项目甲", 10)})
    before = _sha(Path(path))
    outcome = review_file(path, output=path)
    assert outcome.exit_code == 2 and "原文件" in outcome.copy.failure and _sha(Path(path)) == before


def test_cli_review(tmp_path: Path) -> None:
    src = tmp_path / "红寺堡.xlsx"
    src.write_bytes((SAMPLES / "002_hongsibu_2025.xlsx").read_bytes())
    result = CliRunner().invoke(app, ["review", str(src)])
    assert result.exit_code == 1, result.output
    assert "已写入审核副本" in result.output and (tmp_path / "红寺堡.审核.xlsx").exists()
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"not a workbook")
    result = CliRunner().invoke(app, ["review", str(bad)])
    assert result.exit_code == 2 and not (tmp_path / "坏.审核.xlsx").exists()
    assert "Traceback" not in result.output
    result = CliRunner().invoke(app, ["review", str(src), "-o", str(src / "x.xlsx")])  # a file is no folder
    assert result.exit_code == 2 and "未写入副本" in result.output


def test_a_copy_that_cannot_be_written_is_a_failure_not_a_crash(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "a.xlsx", {"项目": project_rows("项目甲", 10)})
    result = run_copy(CopyTask(path, str(Path(path) / "x.xlsx")))  # a file is no folder
    assert result.failure and result.marked == 0


def test_merge_annotate_writes_a_copy_per_file_with_findings(tmp_path: Path) -> None:
    inbox = tmp_path / "收件箱"
    for sub in ("甲", "乙"):
        (inbox / sub).mkdir(parents=True)
    for sample in SAMPLE_FILES:
        (inbox / "甲" / sample.name).write_bytes(sample.read_bytes())
    (inbox / "甲" / "manifest.csv").write_bytes((SAMPLES / "manifest.csv").read_bytes())
    # another county's file of the same name in another folder
    (inbox / "乙" / "002_hongsibu_2025.xlsx").write_bytes(make_xlsx_bytes(tmp_path))
    out = tmp_path / "副本"
    result = CliRunner().invoke(app, ["merge", str(inbox), "-o", str(tmp_path / "c.xlsx"), "--annotate", str(out)])
    assert result.exit_code == 1, result.output
    assert "annotate，5 个文件" in result.output
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.xlsx"))
    assert written == ["乙/002_hongsibu_2025.审核.xlsx", "甲/000_pengyang_2024.审核.xlsx", "甲/002_hongsibu_2025.审核.xlsx",
                       "甲/003_zengcheng_2024.审核.xlsx", "甲/004_yangxin_2026.审核.xlsx"]  # 乐亭 has no finding
    merged = openpyxl.load_workbook(tmp_path / "c.xlsx")["问题"]
    rows = [[c.value for c in r] for r in merged.iter_rows(min_row=2)]
    head = [c.value for c in merged[1]]
    pengyang = [Finding(code=r[head.index("代码")], severity="error" if r[head.index("级别")] == "错误" else "warning",
                        message=r[head.index("说明")], sheet=r[head.index("工作表")], cell=r[head.index("单元格")])
                for r in rows if r[head.index("文件")].endswith("甲/000_pengyang_2024.xlsx")]
    copy = out / "甲" / "000_pengyang_2024.审核.xlsx"
    listed = [(r[1].value, r[3].value) for r in openpyxl.load_workbook(copy).worksheets[0].iter_rows(max_col=5)
              if r[0].value in ("错误", "警告")]
    assert sorted(code for code, _ in listed) == sorted(f.code for f in pengyang)
    assert "region-unknown" not in {code for code, _ in listed}  # the manifest gives the region
    check_review_copy(inbox / "甲" / "000_pengyang_2024.xlsx", copy, pengyang)


def make_xlsx_bytes(tmp_path: Path) -> bytes:
    path = make_xlsx(tmp_path / "乙.xlsx", {"项目": project_rows("乙县项目", "2,8505")})
    return Path(path).read_bytes()


def test_merge_dry_run_writes_no_copy(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.xlsx").write_bytes((SAMPLES / "002_hongsibu_2025.xlsx").read_bytes())
    result = CliRunner().invoke(app, ["merge", str(tmp_path / "in"), "--dry-run", "--annotate", str(tmp_path / "out")])
    assert result.exit_code == 1 and not (tmp_path / "out").exists()


def test_a_copy_beside_its_original_is_the_same_submission(tmp_path: Path) -> None:
    """The default copy lies beside the original: a merge of that folder counts the
    submission once (the copy, newer, replaces the original; nothing changed), with the
    original's manifest row."""
    src = tmp_path / "000_pengyang_2024.xlsx"
    src.write_bytes((SAMPLES / src.name).read_bytes())
    lines = (SAMPLES / "manifest.csv").read_text(encoding="utf-8-sig").splitlines()
    (tmp_path / "manifest.csv").write_text("\n".join([lines[0], *(x for x in lines if x.startswith(src.name))]),
                                           encoding="utf-8")
    import os
    os.utime(src, (1_700_000_000, 1_700_000_000))
    copy = review_file(str(src)).copy.output
    from xlperf.consolidate.merge import consolidate
    from xlperf.consolidate.tables import SOURCES
    result = consolidate([str(tmp_path)], workers=1)
    rows = result.sources.set_index(SOURCES.header("file"))
    assert rows.loc[str(src), SOURCES.header("status")] == "replaced"
    assert rows.loc[str(src), SOURCES.header("changes")] == "无变化"
    assert rows.loc[copy, SOURCES.header("status")] == "imported"
    assert "审核副本" in rows.loc[copy, SOURCES.header("region_basis")]
    assert len(result.projects) == 12 and "manifest-file-missing" not in set(result.findings["代码"])


def test_show_read_then_a_labels_file_reads_the_new_wording(tmp_path: Path) -> None:
    """The loop the show-read copy is for: a label import does not know shows red next to
    its value; with the wording in a --labels file it shows grey and the value green."""
    rows = project_rows("项目甲", 10)
    rows[2] = ["课题名称", "项目甲"]  # a wording of 项目名称 the labels do not hold
    path = make_xlsx(tmp_path / "新省份.xlsx", {"表": rows})
    fills = {r["key"]: r["fill"] for r in SPEC["roles"]}
    first = review_file(path, show_read=True)
    ws = openpyxl.load_workbook(first.copy.output)["表"]
    assert _fills_at(ws, 2, 0) == {fills["unmapped"]}
    labels = tmp_path / "labels.toml"
    labels.write_text('[project]\nname = ["课题名称"]\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["review", path, "--show-read", "--labels", str(labels), "-o", str(tmp_path / "2.xlsx")])
    assert result.exit_code in (0, 1), result.output
    ws = openpyxl.load_workbook(tmp_path / "2.xlsx")["表"]
    assert _fills_at(ws, 2, 0) == {fills["label"]} and _fills_at(ws, 2, 1) == {fills["field"]}
    assert ws["B3"].comment.text.endswith("读作：项目名称")
