"""Benchmark ``xlperf merge``: import rate, consolidated write time against the floor,
peak memory. Never run by the tests.

    python bench/bench_merge.py             # 1,000 generated submissions
    python bench/bench_merge.py --quick     # 100 submissions, for a quick look

The submissions are generated once into ``bench/out/merge_<n>/`` (reused while the
generator version is the same): filled project workbooks in the 彭阳 (seed 000)
layout, 5-20 projects each with 7-10 indicators, for 50 counties in 10 provinces and
several departments, with a ``manifest.csv``; about 2 % are resubmissions and 1 %
byte-identical copies, as a real batch has.

Reported (medians of ``--runs``):

* import rate: files / second of ``consolidate()`` over the folder (discovery, sha256,
  the isolated import in ``workers`` processes, flattening, the tables);
* write: ``write_consolidated()`` against the floor, a bare xlsxwriter constant_memory
  workbook of exactly the same cells (same sheets, ``write_string`` / ``write_number``,
  values extracted before the clock starts), run alternately in the same process;
* peak memory: maximum resident set of this process and of any worker
  (``resource.getrusage``).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
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

from xlperf.consolidate.merge import consolidate
from xlperf.consolidate.tables import Consolidation
from xlperf.isolation import default_workers  # noqa: E402
from xlperf.writers.outputs.xlsx import write_consolidated

GENERATOR_VERSION = "2"
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


def generate(folder: Path, n: int) -> Path:
    """The *n* submissions and their manifest in *folder* (cached by a marker file)."""
    marker = folder / f".complete-{GENERATOR_VERSION}"
    if marker.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = random.Random(20260101)
    counties = [(p, c, k) for p, cities in PROVINCES.items() for c, ks in cities.items() for k in ks]
    manifest = ["文件,省,市,县(区),行政区划代码,年度"]
    made: list[tuple[str, str, str, str, str, int]] = []
    per_year = len(counties) * len(DEPARTMENTS)  # distinct (county, department) pairs
    for i in range(n):
        roll = rng.random()
        if made and roll < 0.01:  # a byte-identical copy sent twice
            src = rng.choice(made)
            name = f"{i:04d}_copy.xlsx"
            shutil.copy(folder / src[0], folder / name)
            manifest.append(",".join([name, *src[1:4], "", str(src[5])]))
            continue
        if made and roll < 0.03:  # a resubmission: same county, department and year, newer file
            src = rng.choice(made)
            name = f"{i:04d}_resubmitted.xlsx"
            province, city, county, dept, year = src[1:]
        else:  # every (county, department, year) once
            province, city, county = counties[i % len(counties)]
            dept = f"{county}{DEPARTMENTS[(i // len(counties)) % len(DEPARTMENTS)]}"
            year = 2025 + i // per_year
            name = f"{i:04d}_{county}_{dept[len(county):]}_{year}.xlsx"
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
    out = []
    for name, _, df in result.sheets():
        rows = [tuple(float(v) if type(v) is Decimal else v for v in row) for row in df.itertuples(index=False, name=None)]
        out.append((name, [str(c) for c in df.columns], rows))
    return out


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


class WorkerPeak:
    """Peak resident set (VmHWM) of any other process of this user running python while
    the benchmark runs: the import workers are children of the forkserver, not of this
    process, so ``RUSAGE_CHILDREN`` never sees them. Linux /proc only."""

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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="100 submissions instead of 1,000")
    ap.add_argument("--files", type=int, default=None, help="number of submissions (default 1000, --quick 100)")
    ap.add_argument("--runs", type=int, default=3, help="write runs (medians)")
    ap.add_argument("--import-runs", type=int, default=None, help="consolidate runs (default: --runs; 1 with --quick)")
    ap.add_argument("--workers", type=int, default=None, help="import processes (default min(cpu, 4))")
    args = ap.parse_args(argv)
    n = args.files or (100 if args.quick else 1000)
    import_runs = args.import_runs or (1 if args.quick else args.runs)
    workers = args.workers or default_workers()
    folder = ROOT / "bench" / "out" / f"merge_{n}"
    t = time.perf_counter()
    generate(folder, n)
    print(f"输入 {n} 份（{folder}，生成/缓存 {time.perf_counter() - t:.1f} s），导入进程 {workers} 个")

    import_times = []
    result = None
    with WorkerPeak() as workers_peak:
        for _ in range(import_runs):
            t = time.perf_counter()
            result = consolidate([str(folder)], workers=workers)
            import_times.append(time.perf_counter() - t)
    assert result is not None
    sheets = cells(result)
    n_cells = sum(len(h) * (len(rows) + 1) for _, h, rows in sheets)
    ours, floor = [], []
    with tempfile.TemporaryDirectory(dir=ROOT / "bench" / "out") as tmp:
        for i in range(args.runs):
            t = time.perf_counter()
            floor_write(os.path.join(tmp, f"floor{i}.xlsx"), sheets)
            floor.append(time.perf_counter() - t)
            t = time.perf_counter()
            write_consolidated(result, os.path.join(tmp, f"ours{i}.xlsx"))
            ours.append(time.perf_counter() - t)
        size = os.path.getsize(os.path.join(tmp, "ours0.xlsx"))
    statuses = result.sources["状态"].value_counts().to_dict()
    rate = n / statistics.median(import_times)
    ratio = statistics.median(o / f for o, f in zip(ours, floor, strict=True))
    table = Table(title=f"xlperf merge 基准：{n} 份报送")
    table.add_column("项目")
    table.add_column("结果", justify="right")
    table.add_row("文件状态", ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
    table.add_row("项目 / 指标 / 问题 行数", f"{len(result.projects):,} / {len(result.indicators):,} / {len(result.findings):,}")
    table.add_row("单元格数（工作簿大小）", f"{n_cells:,}（{size / 1e6:.1f} MB）")
    table.add_row(f"导入速度（{import_runs} 次中位数，{workers} 进程）",
                  f"{rate:.1f} 文件/秒（{statistics.median(import_times):.1f} s）")
    table.add_row(f"汇总工作簿写入（{args.runs} 次中位数）", f"{statistics.median(ours):.2f} s")
    table.add_row("同样单元格的 xlsxwriter 下限", f"{statistics.median(floor):.2f} s")
    table.add_row("写入耗时比（逐次比值中位数，目标 ≤ 1.3）", f"{ratio:.2f}x")
    table.add_row("峰值内存：主进程 / 最大导入进程（目标 < 1 GB）",
                  f"{_maxrss_mb():.0f} MB / {workers_peak.peak_kb / 1024:.0f} MB")
    Console(width=120).print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
