"""National scale by simulation: ``xlperf merge`` through the Parquet path (no workbook)
at growing sizes, time and the main process's peak memory, fitted and extrapolated to
100,000 submissions (about 2,800 counties x 35 departments); and ``xlperf import
--json`` streaming at two sizes. Never run by the tests.

    python bench/bench_scale.py                          # 1,000, 5,000 and 10,000 submissions
    python bench/bench_scale.py --sizes 1000,2000 --json 100,400

Submissions are generated as in ``bench/bench_merge.py`` (the 彭阳 layout, 5-20 projects
each) but for 31 provinces x 90 counties and 35 departments, one year, into
``bench/out/national_<n>/`` (kept between runs). Each size is merged in a fresh process
doing what ``xlperf merge DIR -o - --parquet-dataset OUT`` does, timed by stage: the
import stage (discovery, contained import, flattening and spooling in the workers) and
the write stage (the partitioned Parquet dataset streamed from the spool, in the main
process). The fit is least squares, seconds = a + b x submissions, per stage; the
16-core figure divides the import stage by the worker count, scaled by the measured
efficiency of 2 workers (``bench/bench_merge.py``, ``--efficiency``), and keeps the write
stage as it is (one process).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent))

from bench_merge import generate  # noqa: E402

PROVINCE_NAMES = ["北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省", "上海市", "江苏省",
                  "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "广西壮族自治区",
                  "海南省", "重庆市", "四川省", "贵州省", "云南省", "西藏自治区", "陕西省", "甘肃省", "青海省",
                  "宁夏回族自治区", "新疆维吾尔自治区"]
DEPARTMENT_NAMES = ["司法局", "财政局", "教育局", "民政局", "卫生健康局", "农业农村局", "自然资源局", "人力资源和社会保障局",
                    "公安局", "交通运输局", "水利局", "住房和城乡建设局", "生态环境局", "文化和旅游局", "市场监督管理局",
                    "审计局", "统计局", "林业局", "应急管理局", "退役军人事务局", "医疗保障局", "体育局", "科学技术局",
                    "商务局", "发展和改革局", "工业和信息化局", "乡村振兴局", "城市管理局", "信访局", "档案局", "残疾人联合会",
                    "妇女联合会", "共青团委员会", "总工会", "机关事务服务中心"]
COUNTIES = [(p, f"{p[:2]}第{c}市", f"{p[:2]}第{c}市第{k}县") for p in PROVINCE_NAMES for c in range(1, 10) for k in range(1, 11)]

_MERGE = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from xlperf.consolidate.merge import consolidate
from xlperf.writers.outputs import parquet_dataset
with consolidate([sys.argv[2]]) as result:
    t1 = time.perf_counter()
    parquet_dataset.write(result, sys.argv[3])
    t2 = time.perf_counter()
    rows = {t.name: result.count(t) for t in __import__("xlperf.consolidate.tables", fromlist=["tables"]).tables()}
json.dump({"import": t1 - t0, "write": t2 - t1, "rows": rows,
           "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}, open(sys.argv[1], "w"))
"""

_IMPORT = r"""
import atexit, json, resource, sys, time
out, t0 = sys.argv[1], time.perf_counter()
atexit.register(lambda: json.dump({"seconds": time.perf_counter() - t0,
                                   "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}, open(out, "w")))
sys.argv = ["xlperf", "import", *sys.argv[2:]]
from xlperf.cli import app
app()
"""


def _run(code: str, *args: str) -> dict:
    with tempfile.NamedTemporaryFile("r", suffix=".json") as report:
        subprocess.run([sys.executable, "-c", code, report.name, *args], check=False, stdout=subprocess.DEVNULL)
        return json.loads(Path(report.name).read_text(encoding="utf-8"))


def _fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Least squares y = a + b x."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / (sum((x - mx) ** 2 for x in xs) or 1)
    return my - b * mx, b


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,5000,10000", help="submissions per merge, comma separated")
    ap.add_argument("--json", default="200,1000", help="files per xlperf import --json run, comma separated")
    ap.add_argument("--efficiency", type=float, default=0.9, help="speed-up of 2 workers over 1, divided by 2")
    ap.add_argument("--cores", type=int, default=16, help="the machine to extrapolate to")
    ap.add_argument("--target", type=int, default=100_000, help="submissions to extrapolate to")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"负载 {os.getloadavg()[0]:.2f}，{os.cpu_count()} 核")
    got = []
    for n in sizes:
        t = time.perf_counter()
        folder = generate(ROOT / "out" / f"national_{n}", n, counties=COUNTIES, departments=DEPARTMENT_NAMES)
        print(f"{n} 份：生成/缓存 {time.perf_counter() - t:.0f} s", flush=True)
        with tempfile.TemporaryDirectory(dir=ROOT / "out") as out:
            r = _run(_MERGE, str(folder), os.path.join(out, "ds"))
            size = sum(f.stat().st_size for f in Path(out).rglob("*.parquet"))
        r["n"], r["parquet_mb"] = n, size / 1e6
        got.append(r)
        print(json.dumps(r, ensure_ascii=False), flush=True)
    table = Table(title="全国规模模拟：xlperf merge -o - --parquet-dataset（本机）")
    for col in ("报送份数", "指标行", "导入阶段", "写入阶段", "合计", "每份", "主进程峰值内存", "Parquet"):
        table.add_column(col, justify="right")
    for r in got:
        total = r["import"] + r["write"]
        table.add_row(f"{r['n']:,}", f"{r['rows']['indicators']:,}", f"{r['import']:.0f} s", f"{r['write']:.0f} s",
                      f"{total:.0f} s", f"{total / r['n'] * 1000:.1f} ms", f"{r['maxrss_mb']:.0f} MB", f"{r['parquet_mb']:.0f} MB")
    ns = [r["n"] for r in got]
    ai, bi = _fit(ns, [r["import"] for r in got])
    aw, bw = _fit(ns, [r["write"] for r in got])
    am, bm = _fit(ns, [r["maxrss_mb"] for r in got])
    here = ai + bi * args.target + aw + bw * args.target
    workers = min(os.cpu_count() or 1, 4)
    big = ai + bi * args.target * workers / (args.cores * args.efficiency) + aw + bw * args.target
    table.add_row(f"{args.target:,}（外推）", "", f"{ai + bi * args.target:.0f} s", f"{aw + bw * args.target:.0f} s",
                  f"{here / 60:.0f} min", "", f"{am + bm * args.target:.0f} MB", "")
    Console(width=140).print(table)
    print(f"拟合：导入 {ai:.1f} s + {bi * 1000:.2f} ms/份；写入 {aw:.1f} s + {bw * 1000:.2f} ms/份；"
          f"内存 {am:.0f} MB + {bm * 1000:.1f} MB/千份")
    print(f"{args.target:,} 份：本机（{workers} 进程）约 {here / 60:.0f} 分钟；"
          f"{args.cores} 核（导入阶段按 {args.cores} 进程、效率 {args.efficiency:.0%}，写入阶段单进程）约 {big / 60:.1f} 分钟")
    json_sizes = [int(s) for s in args.json.split(",") if s]
    if json_sizes:
        files = sorted(str(p) for p in (ROOT / "out" / f"national_{max(sizes)}").glob("*.xlsx"))
        for k in json_sizes:
            with tempfile.TemporaryDirectory(dir=ROOT / "out") as out:
                r = _run(_IMPORT, *files[:k], "--json", os.path.join(out, "a.json"), "--format", "json")
                mb = os.path.getsize(os.path.join(out, "a.json")) / 1e6
            print(f"xlperf import {k} 份 --json：{r['seconds']:.1f} s，主进程峰值 {r['maxrss_mb']:.0f} MB，JSON {mb:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
