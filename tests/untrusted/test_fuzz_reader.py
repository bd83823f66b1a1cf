"""The fuzzer (scripts/fuzz_reader.py), a bounded run: a few hundred mutated real
workbooks, a fixed seed, each read and imported whole in a contained worker, and two
merges of 20 cases with every output written. Every case must be read or refused with a
message; never an exception, an internal error, a crash or a hang. The long run is by
command: ``python scripts/fuzz_reader.py --cases 10000 --seed 1``."""

from __future__ import annotations

import random
import sys

import pytest
from helpers import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import fuzz_reader  # noqa: E402

SEED = 20261129


def test_bounded_fuzz_run_has_no_defect() -> None:
    counts = fuzz_reader.run(300, SEED, workers=2, time_limit=20, merge_every=150, merge_size=20)
    classes = fuzz_reader.summary(counts)
    assert classes.pop("merged", 0) == 2, counts
    assert sum(classes.values()) == 300
    assert not set(classes) & set(fuzz_reader.BAD), {k: v for k, v in counts.items() if k.startswith(fuzz_reader.BAD)}
    assert classes.get("read", 0) > 50 and classes.get("refused", 0) > 50, counts  # the mutations bite, not all fatal


def test_mutations_are_a_function_of_the_seed() -> None:
    seed = fuzz_reader.seed_workbooks()[0]
    assert fuzz_reader.mutate(seed, random.Random("1:5")) == fuzz_reader.mutate(seed, random.Random("1:5"))


def test_the_harness_reports_what_escapes_the_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    import xlperf.readers.xlsx

    def boom(*_a: object, **_k: object) -> None:
        raise ValueError("escaped")

    monkeypatch.setattr(xlperf.readers.xlsx, "read_workbook_bytes", boom)
    assert fuzz_reader.check_case(b"PK") == "exception:ValueError: escaped"


def test_the_harness_reports_what_escapes_the_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    import xlperf.consolidate.flatten

    def boom(*_a: object, **_k: object) -> None:
        raise ValueError("escaped")

    monkeypatch.setattr(xlperf.consolidate.flatten, "batches_of", boom)
    seed = fuzz_reader.seed_workbooks()[0]
    assert fuzz_reader.check_case(seed) == "pipeline-exception:ValueError: escaped"
