"""Benchmark: reading and importing filled 20-project workbooks, against raw calamine.

    python bench/bench_import.py                # 200 workbooks, 5 repeats
    python bench/bench_import.py --files 50 --repeats 3 [--old-rev e70d9a0] [--set-files 40]

Generates N workbooks (20 project sheets each, the seed-000 project form with 12
indicators, as a clerk fills it) into bench/out/import-N/ (kept between runs), then in
the same process and the same run measures, per repeat:

* ``calamine read``: python-calamine opening each original file and reading every
  sheet's values (``to_python``) -- the anchor (it must not read untrusted files);
* ``pandas read_excel``: ``pandas.read_excel(sheet_name=None, engine="calamine")``,
  the bare grids as DataFrames (the team's bound for a whole import);
* ``old checks`` / ``old read_workbook``: the design before docs/untrusted-input.md
  (pre-checks with zipfile and byte patterns, then calamine), imported from git
  revision ``--old-rev`` (so the cost of the new design is measured against the old in
  the same run);
* ``read_workbook``: the reading layer now (one zip read, one parser for every part);
* ``(b) canonical zip``: the design not chosen, prototyped: the same parse, the cells
  re-serialised into a canonical package in memory and read by calamine;
* ``import``: :func:`xlperf.importer.import_workbook` (reading + layout + review);
* ``import contained``: the same through :class:`xlperf.isolation.ContainedRunner`
  (one warm worker, memory cap, per-file time limit; its result pickled back);
* ``import (2 processes)``: a 2-process pool (the machine has 2 cores).

The process and the workers first call :func:`xlperf.importer.prepare_batch`, as
``xlperf import`` and ``xlperf merge``'s workers do. Each repeat is a fresh batch: xlperf's
caches are emptied and every stage warmed on two files outside the timed set (repeats over
the same files would otherwise find every text of them in the text caches, which a real
batch of new files never does); the pool and the contained worker are started anew. Reports
medians of the repeats (files/s, ms/file) and each stage's ratio to calamine.

Then the goals' anchors table (:func:`anchors_table`): on ``--set-files`` generated
workbooks, as many templates filled by openpyxl and the five samples (``bench/workbooks.py``),
raw calamine, pandas+calamine, pandas+openpyxl, xlperf's reading layer and the import,
alternated file by file; medians and ranges, and the ratios import / pandas+calamine (goal
<= 1) and import / calamine (goal <= 5) per repeat.
"""

from __future__ import annotations

import argparse
import importlib
import io
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd
import python_calamine as pc

from xlperf.cellref import cell_name
from xlperf.importer import import_workbook, prepare_batch
from xlperf.isolation import ContainedRunner
from xlperf.readers.xlsx import read_workbook
from stages import forget, stage
from workbooks import ensure

OUT = Path(__file__).resolve().parent / "out"

def ensure_files(n: int) -> list[str]:
    return ensure("generated", n)


def read_calamine(path: str) -> int:
    wb = pc.CalamineWorkbook.from_path(path)
    cells = 0
    for name in wb.sheet_names:
        sheet = wb.get_sheet_by_name(name)
        rows = sheet.to_python()
        _ = sheet.merged_cell_ranges
        cells += sum(len(r) for r in rows)
    return cells


def load_old(rev: str, name: str = "xlperf_old"):  # noqa: ANN201 - a module
    """The package as it was at git revision *rev*, importable as *name* (kept in the
    system's temporary folder, outside the repository's tree; its data files are read from
    the installed ``xlperf.templates``, so *rev* must have the same ones)."""
    commit = subprocess.run(["git", "rev-parse", "--short", rev], cwd=Path(__file__).resolve().parents[1],
                            capture_output=True, text=True, check=True).stdout.strip()
    root = Path(tempfile.gettempdir()) / f"xlperf-bench-{name}-{commit}"
    if not (root / name).exists():
        root.mkdir(parents=True, exist_ok=True)
        tar = subprocess.run(["git", "archive", commit, "xlperf"], cwd=Path(__file__).resolve().parents[1],
                             capture_output=True, check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(tar)) as t:
            t.extractall(root / "tmp", filter="data")
        (root / "tmp" / "xlperf").rename(root / name)
    sys.path.insert(0, str(root))
    return importlib.import_module(name)


def base_import(rev: str):  # noqa: ANN201 - a stage
    """The whole import as the package at *rev* does it (``import (base)``: before and after
    a change in one run)."""
    load_old(rev, "xlperf_base")
    importer = importlib.import_module("xlperf_base.importer")
    importer.prepare_batch()

    def run(path: str) -> int:
        r = importer.import_workbook(path)
        assert r.submission is not None, (path, r.error)
        return len(r.report.findings)

    return run


def old_stages(rev: str) -> dict[str, object]:
    """``old checks`` and ``old read_workbook`` of the design at *rev*."""
    load_old(rev)
    xlsx = importlib.import_module("xlperf_old.readers.xlsx")
    parts = importlib.import_module("xlperf_old.readers.parts")
    scan = importlib.import_module("xlperf_old.readers.scan")
    sniff = importlib.import_module("xlperf_old.readers.sniff")

    def checks(path: str) -> int:
        limits = xlsx.ReadLimits()
        zf = sniff.check_container(path, limits=limits.container)
        try:
            pkg = parts.Package(zf, path=path)
            pkg.check_all_parts()
            entries, _date1904 = pkg.sheets()
            for e in entries:
                data = pkg.read(e.part or "") or b""
                assert scan.scan_sheet(data, max_cells=limits.max_cells, max_elements=limits.max_scan_elements).safe, path
            return len(entries)
        finally:
            zf.close()

    return {"old checks": checks, "old read_workbook": lambda p: len(xlsx.read_workbook(p).sheets)}


_CANON_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/></Types>')
_CANON_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
               '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
               'Target="xl/workbook.xml"/></Relationships>')
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def canonical_zip(path: str) -> int:
    """Design (b), prototyped: parse as read_workbook does, write the cells as a canonical
    package (inline strings, numbers; stored, in memory), hand only that to calamine."""
    wb = read_workbook(path)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("[Content_Types].xml", _CANON_CT)
        z.writestr("_rels/.rels", _CANON_RELS)
        sheets, rels = [], []
        for i, sheet in enumerate(wb.sheets, 1):
            sheets.append(f'<sheet name="{escape(sheet.name, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>')
            rels.append(f'<Relationship Id="rId{i}" Type="{_RNS}/worksheet" Target="worksheets/sheet{i}.xml"/>')
            rows = []
            for r, line in sheet.grid.items():
                cells = []
                for c, v in line:
                    ref = cell_name(r, c)
                    if isinstance(v, str):
                        cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(v)}</t></is></c>')
                    else:
                        cells.append(f'<c r="{ref}"><v>{v!r}</v></c>')
                rows.append(f'<row r="{r + 1}">' + "".join(cells) + "</row>")
            z.writestr(f"xl/worksheets/sheet{i}.xml", f'<worksheet xmlns="{_MAIN}"><sheetData>' + "".join(rows) + "</sheetData></worksheet>")
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{_MAIN}" xmlns:r="{_RNS}"><sheets>' + "".join(sheets) + "</sheets></workbook>")
        z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   + "".join(rels) + "</Relationships>")
    buf.seek(0)
    cwb = pc.CalamineWorkbook.from_filelike(buf)
    return sum(len(cwb.get_sheet_by_index(i).to_python()) for i in range(len(wb.sheets)))


def read_pandas(path: str) -> int:
    return len(pd.read_excel(path, sheet_name=None, engine="calamine", header=None))


def read_only(path: str) -> int:
    return len(read_workbook(path).sheets)


def import_one(path: str) -> int:
    r = import_workbook(path)
    assert r.submission is not None and len(r.submission.projects) == 20, path
    return len(r.report.findings)


def timed(fn, paths: list[str]) -> float:  # noqa: ANN001
    t0 = time.perf_counter()
    for p in paths:
        fn(p)
    return time.perf_counter() - t0


def timed_pool(paths: list[str], pool: ProcessPoolExecutor) -> float:
    t0 = time.perf_counter()
    list(pool.map(import_one, paths, chunksize=8))
    return time.perf_counter() - t0


def timed_contained(paths: list[str], runner: ContainedRunner) -> float:
    t0 = time.perf_counter()
    for outcome in runner.map(import_one, paths):
        assert outcome.failure is None, outcome.failure
    return time.perf_counter() - t0


def _fresh(stages_: dict[str, object], warm: list[str]) -> None:
    """Start a repeat as a fresh batch: xlperf's caches emptied (see ``stages.forget``), each
    stage warmed on *warm* (files outside the timed set)."""
    forget()
    prepare_batch()
    for fn in stages_.values():
        for p in warm:
            fn(p)  # type: ignore[operator]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="xlperf import benchmark (see module docstring)")
    ap.add_argument("--files", type=int, default=200, help="number of 20-project workbooks")
    ap.add_argument("--repeats", type=int, default=5, help="repeats; medians are reported")
    ap.add_argument("--old-rev", default="e70d9a0", help="git revision of the old reading design")
    ap.add_argument("--set-files", type=int, default=40, help="workbooks per generated set in the anchors table")
    ap.add_argument("--base-rev", default=None, help="also time the import of the package at this git revision "
                    "(before a change) in the anchors table")
    args = ap.parse_args(argv)
    every = ensure_files(args.files + 2)
    paths, warm = every[:args.files], every[args.files:]
    prepare_batch()  # as `xlperf import` does before a batch (data loaded, collector tuned)
    stages = {"calamine read": read_calamine, "pandas read_excel": read_pandas, **old_stages(args.old_rev),
              "read_workbook": read_only, "(b) canonical zip": canonical_zip, "import": import_one}
    times: dict[str, list[float]] = {name: [] for name in stages}
    pool_t: list[float] = []
    contained_t: list[float] = []
    for _ in range(args.repeats):
        _fresh(stages, warm)
        for name, fn in stages.items():
            times[name].append(timed(fn, paths))
        with ProcessPoolExecutor(max_workers=2, initializer=prepare_batch) as pool, \
                ContainedRunner(workers=1, prepare=prepare_batch) as runner:  # as `xlperf merge`'s workers
            list(pool.map(import_one, warm * 2))  # each worker started and warmed
            list(runner.map(import_one, warm))
            contained_t.append(timed_contained(paths, runner))
            pool_t.append(timed_pool(paths, pool))
    n = len(paths)
    med = {name: statistics.median(t) for name, t in times.items()}
    med["import contained (1 worker)"] = statistics.median(contained_t)
    mc, mp = med["calamine read"], statistics.median(pool_t)
    print(f"{n} workbooks x 20 project sheets, {args.repeats} repeats, medians (python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cpus); each repeat a fresh batch (caches emptied, warmed on 2 other files)")
    print(f"{'what (1 process unless said)':<30}{'files/s':>10}{'ms/file':>10}{'x calamine':>12}")
    for name, t in med.items():
        print(f"{name:<30}{n / t:>10.1f}{t / n * 1000:>10.2f}{t / mc:>12.2f}")
    print(f"{'import (2 processes)':<30}{n / mp:>10.1f}{mp / n * 1000:>10.2f}")
    print(f"new read_workbook / old read_workbook: {med['read_workbook'] / med['old read_workbook']:.2f}x; "
          f"(b) / read_workbook: {med['(b) canonical zip'] / med['read_workbook']:.2f}x")
    print(f"import / pandas read_excel: {med['import'] / med['pandas read_excel']:.2f}x   (goal <= 1)")
    print(f"containment: {(med['import contained (1 worker)'] - med['import']) / n * 1000:+.2f} ms/file over import in-process")
    print()
    anchors_table(args.set_files, args.repeats, args.base_rev)
    return 0


SET_STAGES = ("calamine", "pandas+calamine", "pandas+openpyxl", "read", "import")


def anchors_table(files: int, repeats: int, base_rev: str | None = None) -> None:
    """The goals' anchors on the three workbook sets (``bench/workbooks.py``): per set and
    repeat (a fresh batch), the stages alternated file by file (the order rotating), so
    each stage meets the same load; medians and ranges of ms/file, and the ratios of
    import to pandas+calamine and to calamine per repeat. With *base_rev*, the import of
    the package at that revision too (``import (base)``) and the ratio of import to it."""
    fns = {name: stage(name) for name in SET_STAGES}
    if base_rev:
        fns["import (base)"] = base_import(base_rev)
    names = list(fns)
    print(f"anchors: {files} generated, {files} filled templates, the 5 samples; {repeats} repeats; "
          "ms/file median (range); ratios per repeat, median (range)")
    print(f"{'set':<10}" + "".join(f"{name:>24}" for name in names) + f"{'import/pd+cal':>20}{'import/cal':>18}"
          + (f"{'import/base':>18}" if base_rev else ""))
    warm = ensure("generated", files + 2)[files:]  # outside every timed set
    for kind in ("generated", "template", "samples"):
        paths = ensure(kind, files)
        got: dict[str, list[float]] = {name: [] for name in names}
        for _ in range(repeats):
            _fresh(fns, warm)
            spent = dict.fromkeys(names, 0.0)
            for i, p in enumerate(paths):
                for k in range(len(names)):
                    name = names[(i + k) % len(names)]
                    t0 = time.perf_counter()
                    fns[name](p)
                    spent[name] += time.perf_counter() - t0
            for name in names:
                got[name].append(spent[name] / len(paths) * 1000)
        cells = "".join(f"{_mr(got[name]):>24}" for name in names)
        ratios = [_ratio(got, "import", "pandas+calamine"), _ratio(got, "import", "calamine")]
        if base_rev:
            ratios.append(_ratio(got, "import", "import (base)"))
        print(f"{kind:<10}{cells}" + "".join(f"{r:>20}" for r in ratios), flush=True)
    print("goals: import/pd+cal <= 1 and import/cal <= 5 on every set")


def _ratio(got: dict[str, list[float]], a: str, b: str) -> str:
    """Median (range) of the per-repeat ratio of stage *a* to stage *b*."""
    return _mr([x / y for x, y in zip(got[a], got[b])])


def _mr(values: list[float], fmt: str = ".2f") -> str:
    """``median (min-max)``."""
    return f"{statistics.median(values):{fmt}} ({min(values):{fmt}}-{max(values):{fmt}})"


if __name__ == "__main__":
    sys.exit(main())
