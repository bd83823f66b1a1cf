"""Benchmark: the form layer alone (layout), on workbooks already read.

    python bench/bench_layout.py                       # 40 generated, 40 templates, the samples; 5 repeats
    python bench/bench_layout.py --files 20 --repeats 3 --sets generated

Per set (``bench/workbooks.py``) the workbooks are read once (:func:`xlperf.readers.xlsx.
read_workbook`); each repeat is a fresh batch (xlperf's caches emptied, warmed on two
generated workbooks outside the set), then times per workbook ``layout`` (the form readers:
:func:`xlperf.forms.dispatch.read_sheets`) and ``layout+review`` (the importer's part after
reading: :func:`xlperf.importer.read_submission`), each read's marks reset first. Prints
medians and ranges of ms per workbook and per indicator row read. For instruction counts
(not drifting with the machine's load) see ``bench/instructions.py``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from stages import forget, layout, reset
from workbooks import ensure

from xlperf.importer import prepare_batch, read_submission
from xlperf.readers.xlsx import read_workbook


def _review(wb) -> int:  # noqa: ANN001 - xlperf.readers.grid.Workbook
    reset(wb)
    return len(read_submission(wb)[1].findings)


STAGES = {"layout": layout, "layout+review": _review}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=40, help="workbooks per generated set")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--sets", default="generated,template,samples")
    args = ap.parse_args(argv)
    warm = [read_workbook(p) for p in ensure("generated", args.files + 2)[args.files:]]
    print(f"{args.repeats} repeats, each a fresh batch; ms per workbook, median (range); µs per indicator row")
    for kind in args.sets.split(","):
        books = [read_workbook(p) for p in ensure(kind, args.files)]
        prepare_batch()
        rows = sum(len(p.indicators) for p in read_submission(books[0])[0].projects) if kind != "samples" else None
        got: dict[str, list[float]] = {name: [] for name in STAGES}
        for _ in range(args.repeats):
            for name, fn in STAGES.items():
                forget()
                prepare_batch()
                for wb in warm:
                    fn(wb)
                t0 = time.perf_counter()
                for wb in books:
                    fn(wb)
                got[name].append((time.perf_counter() - t0) / len(books) * 1000)
        for name, ms in got.items():
            med = statistics.median(ms)
            per_row = f"{med * 1000 / rows:8.1f} µs/row" if rows else ""
            print(f"{kind:<10}{name:<15}{med:8.2f} ({min(ms):.2f}-{max(ms):.2f}) ms  {per_row}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
