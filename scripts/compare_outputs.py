"""Equivalence check for restructures: the same inputs through two checkouts, outputs compared.

    python scripts/compare_outputs.py inputs DIR                  # build the input set once
    python scripts/compare_outputs.py dump DIR OUT [--python PY]  # run one checkout over it
    python scripts/compare_outputs.py diff OUT_A OUT_B            # exit 1 and list what differs

``inputs`` writes into ``DIR``: the five samples (and their manifest), the corpus workbooks of
other provinces (``corpus/workbooks``, where the checkout has them), the untrusted suite
(``tests/untrusted/badfiles.py``, as ``scripts/make_bad_files.py`` writes it), the small
workbooks of ``tests/helpers.py``, a blank and a filled template, 30 workbooks of
``bench/workbooks.py``'s generator, a few fill-date variants, the held-out forms
(``corpus/heldout*/workbooks``), the corpus variants (``scripts/build_corpus.py --variants``) and
the template filled with openpyxl (and re-saved by LibreOffice, where it is installed). Build it once and point
both checkouts at the same files: the sha256 and paths in the outputs then agree.

``dump`` drives a checkout only through its command line (``xlperf import``, ``merge``,
``template``, ``fill``), run by ``--python`` (that checkout's virtual environment; default:
this interpreter), so it works across any rearrangement of the package. It writes into
``OUT``: ``submissions.json`` (``import --json``), ``findings.json`` (code, severity, sheet,
cell, text, message per file, from ``import --format json``), and for ``merge samples/`` and
``merge`` of the whole input folder the consolidated workbook read back with openpyxl plus the
Parquet and CSV files read back; and the template and filled workbooks written by that
checkout, read back cell by cell (values, merged ranges, data validations).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = "import sys; from xlperf.cli import app; sys.argv[0] = 'xlperf'; app()"


# ------------------------------------------------------------------ inputs


def build_inputs(folder: Path) -> None:
    """Write the input set into *folder* (see the module doc)."""
    sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "untrusted"), str(ROOT / "bench"), str(ROOT / "scripts")]
    import openpyxl
    from workbooks import make_workbook  # type: ignore[import-not-found]
    from helpers import build_project_workbook, make_submission  # type: ignore[import-not-found]
    from make_bad_files import write_bad_files  # type: ignore[import-not-found]

    folder.mkdir(parents=True, exist_ok=True)
    samples = folder / "samples"
    shutil.copytree(ROOT / "samples", samples, dirs_exist_ok=True, ignore=shutil.ignore_patterns("source"))
    write_bad_files(folder / "bad")
    if (ROOT / "corpus" / "workbooks").is_dir():  # the real forms of other provinces
        shutil.copytree(ROOT / "corpus" / "workbooks", folder / "corpus", dirs_exist_ok=True)
    built = folder / "built"
    built.mkdir(exist_ok=True)
    build_project_workbook(built / "project_default.xlsx")
    build_project_workbook(built / "project_formula_text.xlsx", department="彭阳县司法局", year=2024,
                           projects=[("=HYPERLINK(\"x\")", 3.5, [("1-产出指标", "11-数量指标", "+1", "≥2 期")])])
    (built / "submission.json").write_text(make_submission(projects=3).model_dump_json(indent=2), encoding="utf-8")
    run_cli(sys.executable, ["template", "-o", str(built / "template_blank.xlsx"), "--year", "2026", "--projects", "2"])
    run_cli(sys.executable, ["fill", str(built / "submission.json"), "-o", str(built / "template_filled.xlsx")])
    _date_variants(built / "template_filled.xlsx", built, openpyxl)
    _total_variant(ROOT / "samples" / "003_zengcheng_2024.xlsx", built / "zengcheng_total_off.xlsx", openpyxl)
    bench = folder / "bench"
    bench.mkdir(exist_ok=True)
    for i in range(30):
        make_workbook(bench / f"submission_{i:05d}.xlsx", i, projects=3 + i % 5)
    _more_forms(folder)


def _more_forms(folder: Path) -> None:
    """The held-out forms, the corpus variants, and the template filled with openpyxl (as
    ``bench/workbooks.py`` fills it) and re-saved by LibreOffice where it is installed."""
    from workbooks import make_filled_template  # type: ignore[import-not-found]

    for heldout in sorted((ROOT / "corpus").glob("heldout*/workbooks")):
        shutil.copytree(heldout, folder / heldout.parent.name, dirs_exist_ok=True)
    if (ROOT / "corpus" / "grids").is_dir():
        subprocess.run([sys.executable, str(ROOT / "scripts" / "build_corpus.py"), "--variants", str(folder / "variants")],
                       check=True, capture_output=True)
        for truth in (folder / "variants").glob("*.toml"):
            truth.unlink()
    filled = folder / "filled"
    filled.mkdir(exist_ok=True)
    for i in range(3):
        make_filled_template(filled / f"template_openpyxl_{i}.xlsx", i, projects=2 + i)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice:
        with tempfile.TemporaryDirectory() as profile:
            subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "xlsx",
                            "--outdir", str(filled / "libreoffice"), str(filled / "template_openpyxl_1.xlsx")],
                           check=True, capture_output=True, timeout=300)


def _date_variants(filled: Path, out: Path, openpyxl) -> None:  # noqa: ANN001 - module
    """The filled template with 填报日期 typed as an Excel serial on the cover and on the
    department form, and as a Chinese date text: the fill-date readers' three paths."""
    for name, value in (("date_serial", 45678), ("date_text", "2025 年 10 月 20 日")):
        wb = openpyxl.load_workbook(filled)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.value.replace(" ", "").startswith("填报日期"):
                        ws.cell(row=cell.row, column=cell.column + 1, value=value)
        wb.save(out / f"filled_{name}.xlsx")


def _total_variant(source: Path, out: Path, openpyxl) -> None:  # noqa: ANN001 - module
    """The Guangdong summary table with its 合计 and first unit row one 万元 off: the
    stated totals the review checks (``summary-total-mismatch``)."""
    wb = openpyxl.load_workbook(source)
    ws = wb.worksheets[0]
    changed = 0
    for row in ws.iter_rows():
        name = row[0].value
        if changed < 2 and isinstance(name, str) and (name.strip() == "合计" or name.strip().endswith("司法局")):
            amount = row[1]
            if isinstance(amount.value, (int, float)) or (isinstance(amount.value, str) and amount.value.strip()):
                amount.value = float(str(amount.value).replace(",", "")) + 1
                changed += 1
    wb.save(out)


# ------------------------------------------------------------------ dump


def run_cli(python: str, args: list[str]) -> subprocess.CompletedProcess[str]:
    """Run ``xlperf ARGS`` with *python*, from a neutral folder (``python -c`` puts the
    working directory first on ``sys.path``: run from a checkout, it would import that
    checkout's package whatever *python* is); exit codes 0-2 are results, others fail."""
    with tempfile.TemporaryDirectory() as neutral:
        proc = subprocess.run([python, "-c", CLI, *args], capture_output=True, text=True, cwd=neutral,
                              env={**os.environ, "COLUMNS": "200"})
    if proc.returncode not in (0, 1, 2):
        raise SystemExit(f"xlperf {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return proc


def _workbooks(folder: Path) -> list[str]:
    exts = {".xlsx", ".xlsm", ".xls", ".et"}
    return sorted(str(p) for p in folder.rglob("*") if p.suffix in exts and p.is_file())


def _read_xlsx(path: Path) -> dict[str, object]:
    """Every sheet's cell values (typed), merged ranges, data validations and state."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    out: dict[str, object] = {"sheets": wb.sheetnames, "defined_names": sorted(wb.defined_names)}
    for ws in wb.worksheets:
        cells = {c.coordinate: [type(c.value).__name__, str(c.value)] for row in ws.iter_rows() for c in row
                 if c.value is not None}
        dvs = sorted((str(dv.sqref), dv.type or "", dv.formula1 or "", dv.formula2 or "", dv.prompt or "",
                      dv.error or "") for dv in ws.data_validations.dataValidation)
        out[ws.title] = {"state": ws.sheet_state, "cells": cells, "merged": sorted(str(m) for m in ws.merged_cells.ranges),
                         "validations": dvs, "protected": bool(ws.protection.sheet), "freeze": str(ws.freeze_panes)}
    return out


def _read_tables(folder: Path) -> dict[str, object]:
    import pandas as pd

    out: dict[str, object] = {}
    for p in sorted(folder.iterdir()):
        if p.suffix == ".parquet":
            df = pd.read_parquet(p)
            out[p.name] = {"dtypes": [str(t) for t in df.dtypes], "columns": list(df.columns),
                           "rows": json.loads(df.to_json(orient="values", force_ascii=False, date_format="iso"))}
        elif p.suffix == ".csv":
            out[p.name] = p.read_bytes().decode("utf-8-sig").split("\n")
    return out


def dump(inputs: Path, out: Path, python: str) -> None:
    """Run the checkout of *python* over *inputs*, write the comparable outputs to *out*."""
    out.mkdir(parents=True, exist_ok=True)
    work = out / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    files = _workbooks(inputs)
    proc = run_cli(python, ["import", *files, "--json", str(work / "subs.json"), "--format", "json"])
    results = json.loads(proc.stdout)
    findings = {r["file"]: {"status": r["status"], "projects": r["projects"], "indicators": r["indicators"],
                            "total_amount": r["total_amount"], "errors": r["errors"], "warnings": r["warnings"],
                            "findings": [{k: f.get(k) for k in ("code", "severity", "sheet", "cell", "text", "message")}
                                         for f in r["findings"]]} for r in results}
    (out / "findings.json").write_text(json.dumps(findings, ensure_ascii=False, indent=1, sort_keys=False), encoding="utf-8")
    subs = json.loads((work / "subs.json").read_text(encoding="utf-8"))
    (out / "submissions.json").write_text(json.dumps(subs, ensure_ascii=False, indent=1, sort_keys=False), encoding="utf-8")
    merged: dict[str, object] = {}
    for name, target in (("samples", inputs / "samples"), ("all", inputs)):
        book, data = work / f"merge_{name}.xlsx", work / f"data_{name}"
        proc = run_cli(python, ["merge", str(target), "-o", str(book), "--parquet", str(data), "--csv", str(data)])
        merged[name] = {"exit": proc.returncode, "workbook": _read_xlsx(book), "data": _read_tables(data)}
    (out / "merge.json").write_text(json.dumps(merged, ensure_ascii=False, indent=1, sort_keys=False), encoding="utf-8")
    written: dict[str, object] = {}
    run_cli(python, ["template", "-o", str(work / "template.xlsx"), "--year", "2026", "--projects", "3"])
    written["template"] = _read_xlsx(work / "template.xlsx")
    for sub in [inputs / "built" / "submission.json", *sorted((inputs / "samples").glob("*.xlsx"))]:
        src = sub
        if sub.suffix == ".xlsx":
            src = work / f"{sub.stem}.json"
            run_cli(python, ["import", str(sub), "--json", str(src)])
        proc = run_cli(python, ["fill", str(src), "-o", str(work / f"filled_{sub.stem}.xlsx")])
        written[f"fill {sub.name}"] = {"exit": proc.returncode, "stdout": proc.stdout.replace(str(work), "WORK"),
                                       "workbook": _read_xlsx(work / f"filled_{sub.stem}.xlsx")}
    (out / "written.json").write_text(json.dumps(written, ensure_ascii=False, indent=1, sort_keys=False), encoding="utf-8")


def diff(a: Path, b: Path) -> int:
    """Unified diff of the dumps; 0 when identical."""
    import difflib

    status = 0
    for name in ("submissions.json", "findings.json", "merge.json", "written.json"):
        left = (a / name).read_text(encoding="utf-8").splitlines()
        right = (b / name).read_text(encoding="utf-8").splitlines()
        lines = list(difflib.unified_diff(left, right, f"{a}/{name}", f"{b}/{name}", n=4, lineterm=""))
        if lines:
            status = 1
            print("\n".join(lines))
        else:
            print(f"{name}: identical")
    return status


def main(argv: list[str] | None = None) -> int:
    """Command line entry (see the module doc)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("inputs", help="build the input set")
    p.add_argument("dir", type=Path)
    p = sub.add_parser("dump", help="run a checkout over the input set")
    p.add_argument("inputs", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--python", default=sys.executable, help="the checkout's interpreter (its venv's python)")
    p = sub.add_parser("diff", help="compare two dumps")
    p.add_argument("a", type=Path)
    p.add_argument("b", type=Path)
    args = parser.parse_args(argv)
    if args.cmd == "inputs":
        build_inputs(args.dir.resolve())
        return 0
    if args.cmd == "dump":
        dump(args.inputs.resolve(), args.out.resolve(), args.python)
        return 0
    return diff(args.a, args.b)


if __name__ == "__main__":
    sys.exit(main())
