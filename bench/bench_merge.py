"""Benchmark ``xlperf merge`` against the goals, each measured against anchors of the
same run. Never run by the tests.

    python bench/bench_merge.py                      # 1,000 generated submissions, 3 runs
    python bench/bench_merge.py --big 5000           # also the main process's memory at 5,000
    python bench/bench_merge.py --quick              # 100 submissions, 1 run, a quick look

The submissions are generated once into ``bench/out/merge_<n>/`` (reused while the
generator version is the same): filled project workbooks in the 彭阳 (seed 000) layout,
5-20 projects each with 7-10 indicators, for 50 counties in 10 provinces and several
departments, with a ``manifest.csv``; about 2 % are resubmissions and 1 % byte-identical
copies, as a real batch has.

Measured, runs alternated, medians (and ranges) of ``--runs``:

* **import stage, 1 vs 2 workers** (goal: 2 workers >= 1.8x of 1): ``consolidate()`` of
  the folder (discovery, the contained import, flattening and spooling in the workers),
  nothing written;
* **anchor: import at full cores**: ``import_workbook`` of every file in a bare process
  pool of ``--workers`` processes, nothing returned but the exit code;
* **anchor: the workbook write floor**: a bare xlsxwriter ``constant_memory`` workbook of
  exactly the cells our workbook holds (same sheets and columns, typed writes, the values
  read out before the clock starts);
* **end-to-end** (goal: within 1.3x of import at full cores + write floor): ``xlperf
  merge FOLDER -o out.xlsx`` run as a command, the main process's peak resident memory
  taken at its exit (goal: under 500 MB at 5,000 submissions, flat in their number);
* our workbook write (``write_consolidated``) against the floor, and the import
  workers' peak memory.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from xlperf.consolidate.merge import consolidate  # noqa: E402
from xlperf.consolidate.tables import Consolidation, tables  # noqa: E402
from xlperf.importer import import_workbook, prepare_batch  # noqa: E402
from xlperf.isolation import default_workers  # noqa: E402
from xlperf.writers.outputs.xlsx import write_consolidated  # noqa: E402

GENERATOR_VERSION = "3"
PROVINCES = {
    "宁夏回族自治区": {"固原市": ["彭阳县", "原州区", "西吉县", "隆德县", "泾源县"], "吴忠市": ["红寺堡区", "利通区", "盐池县"]},
    "河北省": {"唐山市": ["乐亭县", "滦南县", "迁西县", "玉田县"], "保定市": ["涞水县", "阜平县"]},
    "广东省": {"广州市": ["增城区", "从化区", "花都区"], "韶关市": ["乐昌市", "南雄市"]},
    "湖北省": {"黄石市": ["阳新县", "大冶市"], "咸宁市": ["通山县", "崇阳县", "通城县"]},
    "甘肃省": {"定西市": ["通渭县", "陇西县", "渭源县"], "天水市": ["秦安县", "甘谷县"]},
    "四川省": {"南充市": ["南部县", "营山县", "蓬安县"], "达州市": ["宣汉县", "开江县"]},
    "河南省": {"周口市": ["西华县", "商水县", "沈丘县"], "信阳市": ["光山县", "新县"]},
    "湖南省": {"邵阳市": ["邵东市", "新邵县", "隆回县"], "永州市": ["祁阳市", "东安县"]},
    "江西省": {"赣州市": ["于都县", "兴国县", "瑞金市"], "吉安市": ["永丰县", "泰和县"]},
    "云南省": {"曲靖市": ["陆良县", "师宗县", "罗平县"], "昭通市": ["镇雄县", "彝良县"]},
}
DEPARTMENTS = ["司法局", "财政局", "教育局", "民政局", "卫生健康局", "农业农村局", "自然资源局", "人力资源和社会保障局"]
PROJECT_WORDS = ["法治宣传", "人民调解", "法律援助", "社区矫正", "安置帮教", "基层司法所建设", "公共法律服务", "行政复议",
                 "普法依法治理", "学校营养餐", "困难群众救助", "乡村道路养护", "农田水利", "卫生院设备购置", "就业技能培训"]
TARGETS = {
    "11-数量指标": ["{n} 人", "≥{n}件", "={n}家公司", ">{n} 件", "{n}次"],
    "12-质量指标": ["≥95%", "100%", ">90%", "≥ 95 %", "90%以上", "合格"],
    "13-时效指标": ["按季度发放", "12月底前完成", "100%", "及时"],
    "22-社会效益": ["进一步提升", "有效提升", "明显改善"],
    "24-可持续影响": ["可持续", "长期", "持续发挥作用"],
    "31-服务对象满意度": ["≥90%", ">90%", "≥95%", "不低于85%"],
}


def _amount(rng: random.Random) -> Decimal:
    """0.01 to 3,000 万元 with 0-6 decimals, as entered (0.288161, 31.9, 250)."""
    places = rng.choice([0, 1, 2, 2, 2, 4, 6])
    return Decimal(rng.randint(max(1, 10**places // 100), 3000 * 10**places)).scaleb(-places)


def _project(rng: random.Random, year: int, dept: str, i: int) -> tuple[str, Decimal, list[tuple[str, str, str, str]]]:
    word = rng.choice(PROJECT_WORDS)
    amount = _amount(rng)
    name = f"{year} 年{word}{rng.choice(['经费', '专项资金', '补助资金', '项目'])}（{i}）"
    rows = [("1-产出指标", "11-数量指标", f"{word}覆盖人数", rng.choice(TARGETS["11-数量指标"]).format(n=rng.randint(5, 900)))]
    if rng.random() < 0.5:
        rows.append(("", "", f"{word}开展次数", f"≥{rng.randint(2, 40)}次"))
    rows += [("", "12-质量指标", f"{word}完成质量", rng.choice(TARGETS["12-质量指标"])),
             ("", "13-时效指标", "资金拨付及时率", rng.choice(TARGETS["13-时效指标"])),
             ("", "14-成本指标", f"{word}成本", f"≤{amount} 万元" if rng.random() < 0.97 else f"≥{amount}万元"),
             ("2-效益指标", "21-经济效益", "", ""),
             ("", "22-社会效益", f"{word}社会效益", rng.choice(TARGETS["22-社会效益"])),
             ("", "24-可持续影响", f"{word}长效机制", rng.choice(TARGETS["24-可持续影响"])),
             ("3-满意度指标", "31-服务对象满意度", "服务对象满意度", rng.choice(TARGETS["31-服务对象满意度"]))]
    if rng.random() < 0.3:
        rows.insert(6, ("", "", f"{dept}{word}知晓率", "≥85%"))
    return name, amount, rows


def _write_submission(path: Path, rng: random.Random, *, dept: str, year: int, n_projects: int) -> None:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet(f"{year}年项目支出绩效目标")
    bold = wb.add_format({"bold": True})
    r = 0
    ws.write_string(r, 0, f"{dept} {year} 年部门项目支出预算绩效目标", bold)
    r += 2
    for i in range(1, n_projects + 1):
        name, amount, indicators = _project(rng, year, dept, i)
        ws.write_string(r, 0, f"{year} 年部门项目支出预算绩效目标表", bold)
        ws.write_string(r + 1, 0, "单位：万元")
        r += 2
        block = [("项目名称", name, None, None), ("主管部门", dept, "实施单位", f"{dept}本级"),
                 ("项目属性", "0101-一年期项目", "项目期限", "1 年"), ("项目主管处室", "02-预算股", "项目年度金额", amount),
                 ("年度总体绩效目标", f"本项目预算安排资金 {amount} 万元，主要用于{name}，保障工作顺利开展。", None, None),
                 ("一级指标", "二级指标", "三级指标", "绩效值")]
        for label, value, label2, value2 in block:
            ws.write_string(r, 0, label)
            ws.write_string(r, 1, value)
            if label2:
                ws.write_string(r, 2, label2)
                if isinstance(value2, Decimal):
                    ws.write_number(r, 3, float(value2))
                else:
                    ws.write_string(r, 3, value2)
            r += 1
        for row in indicators:
            for c, v in enumerate(row):
                if v:
                    ws.write_string(r, c, v)
            r += 1
        r += 1
    wb.close()


def generate(folder: Path, n: int, *, counties: list[tuple[str, str, str]] | None = None,
             departments: list[str] | None = None) -> Path:
    """The *n* submissions and their manifest in *folder* (cached by a marker file):
    *counties* (省, 市, 县) and *departments* in turn (default: the 50 counties of
    :data:`PROVINCES`, :data:`DEPARTMENTS`)."""
    marker = folder / f".complete-{GENERATOR_VERSION}"
    if marker.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = random.Random(20260101)
    counties = counties or [(p, c, k) for p, cities in PROVINCES.items() for c, ks in cities.items() for k in ks]
    departments = departments or DEPARTMENTS
    manifest = ["文件,省,市,县(区),行政区划代码,年度"]
    made: list[tuple[str, str, str, str, str, int]] = []
    per_year = len(counties) * len(departments)  # distinct (county, department) pairs
    for i in range(n):
        roll = rng.random()
        if made and roll < 0.01:  # a byte-identical copy sent twice
            src = rng.choice(made)
            name = f"{i:05d}_copy.xlsx"
            shutil.copy(folder / src[0], folder / name)
            manifest.append(",".join([name, *src[1:4], "", str(src[5])]))
            continue
        if made and roll < 0.03:  # a resubmission: same county, department and year, newer file
            src = rng.choice(made)
            name = f"{i:05d}_resubmitted.xlsx"
            province, city, county, dept, year = src[1:]
        else:  # every (county, department, year) once
            province, city, county = counties[i % len(counties)]
            dept = f"{county}{departments[(i // len(counties)) % len(departments)]}"
            year = 2025 + i // per_year
            name = f"{i:05d}_{county}_{dept[len(county):]}_{year}.xlsx"
        _write_submission(folder / name, rng, dept=dept, year=year, n_projects=rng.randint(5, 20))
        manifest.append(",".join([name, province, city, county, "", str(year)]))
        made.append((name, province, city, county, dept, year))
    (folder / "manifest.csv").write_text("\n".join(manifest) + "\n", encoding="utf-8-sig")
    marker.write_text("ok\n", encoding="utf-8")
    return folder


def floor_write(path: str, sheets: list[tuple[str, list[str], list[tuple]]]) -> None:
    """The same cells with nothing but xlsxwriter constant_memory and typed writes."""
    wb = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                    "strings_to_numbers": False})
    for name, header, rows in sheets:
        ws = wb.add_worksheet(name)
        for c, h in enumerate(header):
            ws.write_string(0, c, h)
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row):
                if v is None:
                    continue
                if type(v) is str:
                    ws.write_string(r, c, v)
                else:
                    ws.write_number(r, c, v)
    wb.close()


def cells(result: Consolidation) -> list[tuple[str, list[str], list[tuple]]]:
    """The cells of our workbook (its sheets and columns), numbers as floats."""
    out = []
    for table in tables():
        headers = [h for h in result.headers(table) if table.shows(h)]
        rows = [tuple(float(v) if type(v) is Decimal else v for v in row) for row in result.rows(table, headers)]
        out.append((table.sheet, headers, rows))
    return out


def _import_only(path: str) -> int:
    return import_workbook(path).exit_code


def import_anchor(paths: list[str], workers: int) -> float:
    """Seconds to import every file in a bare pool of *workers* processes (forkserver,
    prepared as xlperf's workers are), started before the clock."""
    ctx = multiprocessing.get_context("forkserver")
    with ctx.Pool(workers, initializer=prepare_batch) as pool:
        pool.map(_import_only, paths[:workers * 2])  # warm
        t = time.perf_counter()
        for _ in pool.imap_unordered(_import_only, paths, chunksize=4):
            pass
        return time.perf_counter() - t


_CLI = r"""
import atexit, json, resource, sys, time
out = sys.argv[1]
start = time.perf_counter()
def report():
    with open(out, "w") as fh:
        json.dump({"seconds": time.perf_counter() - start,
                   "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}, fh)
atexit.register(report)
sys.argv = ["xlperf", *sys.argv[2:]]
from xlperf.cli import app
app()
"""


def cli(args: list[str]) -> dict[str, float]:
    """Run ``xlperf ARGS`` as a command: its wall time (from interpreter start, imports
    included) and its main process's peak resident memory (MB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".json") as report:
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", _CLI, report.name, *args], check=False, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - t
        got = json.loads(open(report.name, encoding="utf-8").read())
    return {"seconds": wall, "maxrss_mb": got["maxrss_mb"]}


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


class WorkerPeak:
    """Peak resident set (VmHWM) of any descendant process while the benchmark runs:
    the import workers are children of the fork server, not of this process, so
    ``RUSAGE_CHILDREN`` never sees them. Linux /proc only."""

    def __init__(self) -> None:
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> WorkerPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _descendants(self) -> list[int]:
        parents: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                        parents[int(entry)] = int(fh.read().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
        me, out = os.getpid(), []
        for pid in parents:
            p, seen = pid, 0
            while p in parents and p != me and seen < 50:
                p, seen = parents[p], seen + 1
            if p == me and pid != me:
                out.append(pid)
        return out

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            for pid in self._descendants():
                try:
                    with open(f"/proc/{pid}/status", encoding="utf-8") as fh:
                        for line in fh:
                            if line.startswith("VmHWM:"):
                                self.peak_kb = max(self.peak_kb, int(line.split()[1]))
                except OSError:
                    continue


def _med(xs: list[float]) -> str:
    return f"{statistics.median(xs):.2f} s ({min(xs):.2f}-{max(xs):.2f})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="100 submissions, one run")
    ap.add_argument("--files", type=int, default=None, help="number of submissions (default 1000, --quick 100)")
    ap.add_argument("--runs", type=int, default=None, help="runs of each measurement (default 3, --quick 1)")
    ap.add_argument("--workers", type=int, default=None, help="processes at full cores (default: one per core, at most 16)")
    ap.add_argument("--big", type=int, default=0, help="also run the command end-to-end on this many submissions")
    args = ap.parse_args(argv)
    n = args.files or (100 if args.quick else 1000)
    runs = args.runs or (1 if args.quick else 3)
    workers = args.workers or default_workers()
    folder = generate(ROOT / "bench" / "out" / f"merge_{n}", n)
    paths = sorted(str(p) for p in folder.glob("*.xlsx"))
    print(f"输入 {n} 份（{folder}），满核 {workers} 进程，{runs} 轮，负载 {os.getloadavg()[0]:.2f}")
    prepare_batch()
    w1, w2, anchor, e2e, rss = [], [], [], [], []
    ours, floor = [], []
    result = None
    out = ROOT / "bench" / "out" / "merge_out"
    out.mkdir(parents=True, exist_ok=True)
    with consolidate(paths[:4], workers=2):  # the fork server, started once per process, is not what is measured
        pass
    with WorkerPeak() as workers_peak:
        for _ in range(runs):
            for k, times in ((1, w1), (2, w2)):
                t = time.perf_counter()
                with consolidate([str(folder)], workers=k):
                    pass
                times.append(time.perf_counter() - t)
            anchor.append(import_anchor(paths, workers))
            got = cli(["merge", str(folder), "-o", str(out / "e2e.xlsx")])
            e2e.append(got["seconds"])
            rss.append(got["maxrss_mb"])
    result = consolidate([str(folder)], workers=workers)
    sheets = cells(result)
    n_cells = sum(len(h) * (len(rows) + 1) for _, h, rows in sheets)
    for i in range(runs):
        t = time.perf_counter()
        floor_write(str(out / f"floor{i}.xlsx"), sheets)
        floor.append(time.perf_counter() - t)
        t = time.perf_counter()
        write_consolidated(result, str(out / f"ours{i}.xlsx"))
        ours.append(time.perf_counter() - t)
    size = os.path.getsize(out / "ours0.xlsx")
    statuses = result.sources["状态"].value_counts().to_dict()
    n_projects, n_indicators, n_findings = (result.count(t) for t in (tables()[2], tables()[3], tables()[5]))
    result.close()
    big = cli(["merge", str(generate(ROOT / "bench" / "out" / f"merge_{args.big}", args.big)), "-o",
               str(out / "big.xlsx")]) if args.big else None

    scale = statistics.median(a / b for a, b in zip(w1, w2, strict=True))
    bound = statistics.median(anchor) + statistics.median(floor)
    table = Table(title=f"xlperf merge 基准：{n} 份报送")
    table.add_column("项目")
    table.add_column("结果", justify="right")
    table.add_row("文件状态", ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
    table.add_row("项目 / 指标 / 问题 行数", f"{n_projects:,} / {n_indicators:,} / {n_findings:,}")
    table.add_row("工作簿单元格数（大小）", f"{n_cells:,}（{size / 1e6:.1f} MB）")
    table.add_row("导入阶段 1 进程", f"{_med(w1)}，{n / statistics.median(w1):.0f} 文件/秒")
    table.add_row("导入阶段 2 进程", f"{_med(w2)}，{n / statistics.median(w2):.0f} 文件/秒")
    table.add_row("2 进程 / 1 进程（逐轮比值中位数，目标 ≥ 1.8）", f"{scale:.2f}x")
    table.add_row(f"锚点：裸导入，{workers} 进程", f"{_med(anchor)}，{n / statistics.median(anchor):.0f} 文件/秒")
    table.add_row("锚点：同样单元格的 xlsxwriter 下限", _med(floor))
    table.add_row("我们的工作簿写入", f"{_med(ours)}，{statistics.median(o / f for o, f in zip(ours, floor)):.2f}x 下限")
    table.add_row("端到端 xlperf merge -o（命令）", _med(e2e))
    table.add_row("端到端 / (裸导入 + 写入下限)（目标 ≤ 1.3）", f"{statistics.median(e2e) / bound:.2f}x")
    table.add_row(f"主进程峰值内存（{n} 份）", f"{statistics.median(rss):.0f} MB")
    if big:
        table.add_row(f"主进程峰值内存（{args.big} 份，目标 < 500 MB）", f"{big['maxrss_mb']:.0f} MB（{big['seconds']:.0f} s）")
    table.add_row("导入进程峰值内存", f"{workers_peak.peak_kb / 1024:.0f} MB")
    Console(width=130).print(table)
    shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
