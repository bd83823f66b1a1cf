"""Benchmark: end-to-end import of filled 20-project workbooks vs raw calamine reading.

    python bench/bench_import.py                # 200 workbooks, 5 repeats
    python bench/bench_import.py --files 50 --repeats 3

Generates N workbooks (20 project sheets each, the seed-000 project form with 12
indicators, as a clerk fills it) into bench/out/import-N/ (kept between runs), then in
the same process and the same run measures, per repeat:

* ``calamine``: python-calamine opening each file and reading every sheet's values
  (``to_python``) -- the floor a reader cannot beat;
* ``safety checks``: only the checks docs/untrusted-input.md requires before calamine may open a submission
  (:func:`~xlperf.readers.sniff.check_container`, every XML part inflated and checked for
  DTDs / encodings, the sheet list read with defusedxml, each sheet's extent pre-scan);
* ``read_workbook``: the whole reading layer (the checks, calamine, text cleaning,
  error cells, hidden rows) without layout;
* ``import``: :func:`xlperf.importer.import_workbook` (the above + layout detection +
  target parsing + review rules + report);
* ``import x2``: the same over a 2-process pool (the machine has 2 cores).

The process and the pool's workers first call :func:`xlperf.importer.prepare_batch`, as
``xlperf import`` and ``xlperf merge``'s workers do (so calamine is measured under the
same garbage-collector settings).

Reports medians of the repeats (files/s and ms/file), each stage's ratio to calamine
and the ratio import/calamine. Targets: at least 100 workbooks/s on 2 cores;
within 2.5x of raw calamine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import python_calamine as pc
import xlsxwriter

from xlperf.cellref import cell_name
from xlperf.importer import import_workbook, prepare_batch
from xlperf.readers.parts import Package
from xlperf.readers.scan import scan_sheet
from xlperf.readers.sniff import check_container
from xlperf.readers.xlsx import ReadLimits, read_workbook

OUT = Path(__file__).resolve().parent / "out"

LEVELS = [
    ("1-产出指标", "11-数量指标", "培训次数", "≥{n}次"),
    (None, None, "宣传资料", "≥{n}00份"),
    (None, "12-质量指标", "合格率", "100%"),
    (None, "13-时效指标", "完成及时率", "≥95%"),
    (None, "14-成本指标", "项目成本", "≤{amount}万元"),
    ("2-效益指标", "21-经济效益", "挽回经济损失", "≥{n}0万元"),
    (None, "22-社会效益", "群众法治意识", "进一步提升"),
    (None, None, "矛盾纠纷化解率", "≥9{n}%"),
    (None, "23-生态效益", "无纸化办公率", "≥60%"),
    (None, "24-可持续影响", "长效机制", "持续发挥作用"),
    ("3-满意度指标", "31-服务对象满意度", "群众满意度", "≥95%"),
    (None, None, "参与人员满意度", "≥90%"),
]


def make_workbook(path: Path, seed: int, projects: int = 20) -> None:
    """One filled workbook: *projects* sheets in the seed-000 layout."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    for i in range(projects):
        ws = wb.add_worksheet(f"项目{i + 1}")
        n = (seed + i) % 9 + 1
        amount = round(10 + (seed * 7 + i * 13) % 90 + 0.5, 2)
        rows: list[list[object]] = [
            ["2025年部门项目支出预算绩效目标表"], ["单位：万元"],
            ["项目名称", f"第{seed}号单位项目{i + 1}"],
            ["主管部门", "某县司法局", "实施单位", "某县司法局本级"],
            ["项目属性", "0101-一年期项目", "项目期限", "1年"],
            ["项目主管处室", "02-预算股", "项目年度金额", amount],
            ["年度总体绩效目标", f"本项目预算安排资金 {amount} 万元，用于开展普法宣传和人民调解工作，维护社会和谐稳定。"],
            ["一级指标", "二级指标", "三级指标", "绩效值"],
        ]
        for l1, l2, name, target in LEVELS:
            rows.append([l1, l2, name, target.format(n=n, amount=amount)])
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, str):
                    ws.write_string(r, c, v)
                else:
                    ws.write_number(r, c, v)
    wb.close()


def ensure_files(n: int) -> list[str]:
    folder = OUT / f"import-{n}"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        p = folder / f"submission_{i:05d}.xlsx"
        if not p.exists():
            make_workbook(p, i)
        paths.append(str(p))
    return paths


def read_calamine(path: str) -> int:
    wb = pc.CalamineWorkbook.from_path(path)
    cells = 0
    for name in wb.sheet_names:
        sheet = wb.get_sheet_by_name(name)
        rows = sheet.to_python()
        _ = sheet.merged_cell_ranges
        cells += sum(len(r) for r in rows)
    return cells


def safety_checks(path: str) -> int:
    """The pre-checks of :func:`~xlperf.readers.xlsx.read_workbook`, nothing else."""
    limits = ReadLimits()
    zf = check_container(path, limits=limits.container)
    try:
        pkg = Package(zf, path=path)
        pkg.check_all_parts()
        entries, _date1904 = pkg.sheets()
        for e in entries:
            data = pkg.read(e.part or "") or b""
            assert scan_sheet(data, max_cells=limits.max_cells, max_elements=limits.max_scan_elements).safe, path
        return len(entries)
    finally:
        zf.close()


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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="xlperf import benchmark (see module docstring)")
    ap.add_argument("--files", type=int, default=200, help="number of 20-project workbooks")
    ap.add_argument("--repeats", type=int, default=5, help="repeats; medians are reported")
    args = ap.parse_args(argv)
    paths = ensure_files(args.files)
    prepare_batch()  # as `xlperf import` does before a batch (data loaded, collector tuned)
    import_one(paths[0])  # warm caches (taxonomy, labels, catalog) before timing
    read_calamine(paths[0])
    stages = {"calamine read": read_calamine, "safety checks": safety_checks, "read_workbook": read_only,
              "import": import_one}
    times: dict[str, list[float]] = {name: [] for name in stages}
    pool_t: list[float] = []
    with ProcessPoolExecutor(max_workers=2, initializer=prepare_batch) as pool:  # as `xlperf merge`'s workers
        list(pool.map(import_one, paths[:4]))  # warm the workers
        for _ in range(args.repeats):
            for name, fn in stages.items():
                times[name].append(timed(fn, paths))
            pool_t.append(timed_pool(paths, pool))
    n = len(paths)
    med = {name: statistics.median(t) for name, t in times.items()}
    mc, mi, mp = med["calamine read"], med["import"], statistics.median(pool_t)
    print(f"{n} workbooks x 20 project sheets, {args.repeats} repeats, medians (python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cpus)")
    print(f"{'what (1 process unless said)':<30}{'files/s':>10}{'ms/file':>10}{'x calamine':>12}")
    for name, t in med.items():
        print(f"{name:<30}{n / t:>10.1f}{t / n * 1000:>10.2f}{t / mc:>12.2f}")
    print(f"{'import (2 processes)':<30}{n / mp:>10.1f}{mp / n * 1000:>10.2f}")
    print(f"ratio import/calamine (1 proc): {mi / mc:.2f}x   (target <= 2.5x)")
    print(f"import on 2 cores: {n / mp:.0f} workbooks/s   (target >= 100)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
