"""The contained runner: warm workers, per-task time limit, a dead or overrunning worker
replaced without losing the other tasks (xlperf/isolation.py)."""

from __future__ import annotations

import os
import time

import pytest

from xlperf.isolation import ContainedRunner, Outcome


def task(item: str) -> object:
    """``ok:x`` returns the pid; ``raise`` raises; ``abort`` kills the process as a
    native abort does; ``sleep`` overruns; ``memory`` allocates past the cap."""
    if item == "raise":
        raise ValueError("bad input")
    if item == "abort":
        os.abort()
    if item == "sleep":
        time.sleep(30)
    if item == "memory":
        return len(bytearray(3 << 30))
    return os.getpid()


def _by_index(outcomes: list[Outcome]) -> list[Outcome]:
    return sorted(outcomes, key=lambda o: o.index)


def test_workers_are_warm_and_reused() -> None:
    with ContainedRunner(workers=1, time_limit=20) as runner:
        pids = {o.value for o in runner.map(task, ["ok"] * 5)}
        assert len(pids) == 1 and os.getpid() not in pids


def test_each_bad_task_costs_only_itself() -> None:
    items = ["ok", "raise", "abort", "ok", "sleep", "memory", "ok"]
    t0 = time.monotonic()
    with ContainedRunner(workers=2, time_limit=3, memory_limit=1 << 30) as runner:
        out = _by_index(list(runner.map(task, items)))
        after = runner.run(task, "ok")
    assert time.monotonic() - t0 < 25
    assert [o.index for o in out] == list(range(len(items)))
    ok = [o for o, item in zip(out, items) if item == "ok"]
    assert all(isinstance(o.value, int) and o.failure is None for o in ok)
    assert "ValueError: bad input" in (out[1].failure or "") and not out[1].crashed
    assert out[2].crashed and "进程意外终止" in (out[2].failure or "")
    assert out[4].timed_out and "3 秒" in (out[4].failure or "")
    assert out[5].failure and "MemoryError" in out[5].failure  # the cap turns the blow-up into an exception
    assert isinstance(after.value, int)  # the runner still works after kills and replacements


def test_a_closed_runner_refuses_work() -> None:
    runner = ContainedRunner(workers=1)
    runner.close()
    with pytest.raises(RuntimeError):
        runner.run(task, "ok")


def slow(item: str) -> object:
    """``slow:S`` sleeps S seconds then returns the pid; others as :func:`task`."""
    if item.startswith("slow:"):
        time.sleep(float(item.split(":")[1]))
        return os.getpid()
    return task(item)


def test_queued_tasks_behind_a_crash_or_overrun_run_on_the_replacement() -> None:
    """One worker, two tasks in hand at a time: the task behind a crashing or hanging one is
    not lost and not blamed; it runs on the fresh worker."""
    items = ["ok", "abort", "ok", "sleep", "ok", "ok"]
    with ContainedRunner(workers=1, time_limit=2, depth=2) as runner:
        out = _by_index(list(runner.map(slow, items)))
    assert [o.index for o in out] == list(range(len(items)))
    assert out[1].crashed and out[3].timed_out
    assert [o.failure for i, o in enumerate(out) if items[i] == "ok"] == [None] * 4
    assert len({o.value for o in out if isinstance(o.value, int)}) == 3  # three workers in turn: first, after abort, after kill


def test_time_limit_counts_from_when_the_worker_starts_the_task() -> None:
    """Queued behind a 1.5 s task, a 1.5 s task is not timed out by a 2 s limit."""
    with ContainedRunner(workers=1, time_limit=2, depth=2) as runner:
        out = _by_index(list(runner.map(slow, ["slow:1.5", "slow:1.5", "slow:1.5"])))
    assert [o.failure for o in out] == [None, None, None]


def test_in_order_yields_as_soon_as_the_prefix_is_complete() -> None:
    from xlperf.isolation import in_order

    outs = [Outcome(i) for i in (2, 0, 1, 4, 3)]
    seen = []
    for o in in_order(iter(outs)):
        seen.append(o.index)
    assert seen == [0, 1, 2, 3, 4]


def test_review_and_diff_read_the_submissions_in_contained_workers(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """`xlperf review` and `xlperf diff` read untrusted bytes like import and merge do: in a
    worker process, never in the caller. An import in the caller would meet the broken
    import_bytes patched in here; a worker process imports xlperf afresh."""
    import shutil

    import xlperf.importer
    from helpers import SAMPLES
    from xlperf.annotate.review import review_file
    from xlperf.consolidate.changes import diff_files

    def broken(*_a, **_k):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("read in the calling process")

    monkeypatch.setattr(xlperf.importer, "import_bytes", broken)
    sample = tmp_path / "a.xlsx"
    shutil.copy(SAMPLES / "000_pengyang_2024.xlsx", sample)
    outcome = review_file(str(sample))
    assert outcome.result.submission is not None and len(outcome.result.submission.projects) == 12
    assert outcome.copy is not None and outcome.copy.failure is None
    changes = diff_files(str(sample), str(sample))
    assert not changes.failures and changes.summary() == "无变化"


def test_a_worker_that_cannot_start_leaves_the_run_to_those_that_did(monkeypatch) -> None:  # noqa: ANN001
    """The system refusing a second process (EAGAIN: too many processes) must not stop a
    run that already has one worker; with none, the OSError says why."""
    import errno

    import xlperf.isolation as iso

    real = iso._Worker
    started: list[int] = []

    def second_fails(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        if started:
            raise OSError(errno.EAGAIN, "Resource temporarily unavailable")
        started.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(iso, "_Worker", second_fails)
    with ContainedRunner(2) as runner:
        pids = [o.value for o in _by_index(list(runner.map(task, ["ok", "ok", "ok"])))]
    assert len(set(pids)) == 1 and pids[0] != os.getpid()  # all on the one worker that started
    started.append(1)
    with pytest.raises(OSError):
        ContainedRunner(2)
