"""Instructions per workbook of each import stage, counted by valgrind (callgrind): a count
that does not drift with the load of a shared machine, so changes are decided by it.

    python bench/instructions.py                                  # every set and stage, 10 files
    python bench/instructions.py --sets generated --stages read,layout,import --files 5

For each workbook set (``bench/workbooks.py``: generated, template, samples) and stage
(``bench/stages.py``: the anchors calamine, pandas+calamine, pandas+openpyxl; xlperf's
read, layout, review and import) a child process runs under ``valgrind --tool=callgrind``,
warms the stage on the set's first two files (the samples: on two generated ones) as a
batch warms its modules, data files and caches, then
runs it once over *--files* workbooks inside ``sys.call_tracing``, the only region counted
(``--toggle-collect=sys_call_tracing``). Prints millions of instructions per workbook and
the ratios to calamine and pandas+calamine. About a minute per set and stage.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
STAGES = ("calamine", "pandas+calamine", "pandas+openpyxl", "read", "layout", "review", "import")


def child(kind: str, name: str, files: int) -> None:
    """Run stage *name* over the set *kind* inside ``sys.call_tracing`` (the counted region)."""
    sys.path.insert(0, str(HERE))
    import stages
    import workbooks

    from xlperf.importer import prepare_batch

    paths = workbooks.ensure(kind, max(files + 2, 5))
    if kind == "samples":  # warmed on two generated workbooks: each sample's texts new to the caches
        warm, measured = workbooks.ensure("generated", max(files + 2, 5))[:2], paths
    else:
        warm, measured = paths[:2], paths[2:files + 2]
    prepare_batch()
    if name in ("layout", "review"):
        from xlperf.importer import read_submission
        from xlperf.readers.xlsx import read_workbook

        books = [read_workbook(p) for p in measured]
        warm_books = [read_workbook(p) for p in warm]
        if name == "layout":
            def fn(wb):  # noqa: ANN001, ANN202
                return stages.layout(wb)
        else:  # layout, model and review: the importer's part after reading
            def fn(wb):  # noqa: ANN001, ANN202
                stages.reset(wb)
                return read_submission(wb)
        for wb in warm_books:
            fn(wb)
        items = books
    else:
        fn = stages.stage(name)
        for p in warm:
            fn(p)
        items = measured
    sys.call_tracing(lambda: [fn(x) for x in items], ())
    print(f"FILES {len(items)}")


def count(kind: str, name: str, files: int) -> float:
    """Instructions per workbook of stage *name* on set *kind*."""
    proc = subprocess.run(
        ["valgrind", "--tool=callgrind", "--collect-atstart=no", "--toggle-collect=sys_call_tracing",
         "--callgrind-out-file=/dev/null", sys.executable, __file__, "--child", kind, name, str(files)],
        capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"}, check=False)
    collected = re.search(r"Collected : (\d+)", proc.stderr)
    n = re.search(r"FILES (\d+)", proc.stdout)
    if proc.returncode or not collected or not n:
        raise SystemExit(f"{kind} {name}: valgrind run failed\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return int(collected.group(1)) / int(n.group(1))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", default="generated,template,samples")
    ap.add_argument("--stages", default=",".join(STAGES))
    ap.add_argument("--files", type=int, default=10, help="workbooks counted per generated set")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return 0
    names = [s for s in args.stages.split(",") if s]
    print(f"{'set':<11}{'stage':<17}{'M instr/workbook':>18}{'x calamine':>12}{'x pandas+cal':>14}")
    for kind in args.sets.split(","):
        got: dict[str, float] = {}
        for name in names:
            got[name] = count(kind, name, args.files)
            cal, pdc = got.get("calamine"), got.get("pandas+calamine")
            print(f"{kind:<11}{name:<17}{got[name] / 1e6:>18.2f}"
                  f"{got[name] / cal if cal else float('nan'):>12.2f}{got[name] / pdc if pdc else float('nan'):>14.2f}",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
