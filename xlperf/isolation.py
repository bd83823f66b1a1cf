"""Run one function over many inputs in worker processes, containing crashes.

Submissions are untrusted (docs/untrusted-input.md): one workbook can make a reader allocate
gigabytes, or abort the interpreter from native code (python-calamine on a cell at
``XFD1048576``). ``xlperf merge`` therefore imports each file in a worker process of a
:class:`concurrent.futures.ProcessPoolExecutor` whose initializer caps the worker's
address space (``RLIMIT_AS``, default 2 GiB): a blow-up becomes a ``MemoryError`` or a
dead worker, never a dead batch.

When a worker dies the pool is broken and every task in flight fails with
``BrokenProcessPool``. At most ``workers`` tasks are in flight, so the culprit is one
of them: each is re-run alone in a fresh one-worker pool (an innocent one then simply
succeeds; the culprit fails again and is reported as crashed), and a new pool takes the
remaining tasks. The outcome of every task is therefore the same whatever the timing.

Workers are started with ``forkserver`` (``spawn`` where that does not exist): a clean
process that has not inherited the caller's threads or memory.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["DEFAULT_MEMORY_LIMIT", "Outcome", "default_workers", "run_isolated"]

T = TypeVar("T")
R = TypeVar("R")

#: Address-space cap per worker process, bytes.
DEFAULT_MEMORY_LIMIT = 2 * 1024**3


@dataclass(frozen=True)
class Outcome(Generic[R]):
    """What became of task ``index``: its ``value``, or ``failure`` (Chinese / English
    reason) when the function raised or its worker process died (``crashed`` true)."""

    index: int
    value: R | None = None
    failure: str | None = None
    crashed: bool = False


def default_workers() -> int:
    """``min(os.cpu_count(), 4)``: import is CPU-bound, more processes only add memory."""
    return max(1, min(os.cpu_count() or 1, 4))


def _init_worker(limit: int | None, prepare: Callable[[], None] | None) -> None:
    """Pool initializer: cap the address space, then run the caller's *prepare*."""
    _limit_memory(limit)
    if prepare is not None:
        prepare()


def _limit_memory(limit: int | None) -> None:
    """Cap this worker's address space at *limit* bytes (Unix)."""
    if limit is None:
        return
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows: no rlimits
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _raised(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return f"导入时程序出错（{text}） / import raised {text}"


def _crash_reason(limit: int | None) -> str:
    cap = f"{limit / 1024**3:g} GiB" if limit else "无"
    return (f"进程意外终止，可能超出内存上限 {cap} 或程序崩溃 / "
            f"worker process died (memory limit {cap.replace('无', 'none')} or a native crash)")


def run_isolated(fn: Callable[[T], R], items: Sequence[T], *, workers: int,
                 memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
                 prepare: Callable[[], None] | None = None) -> Iterator[Outcome[R]]:
    """Yield one :class:`Outcome` per item of *items*, in completion order (collect by
    ``index`` for a deterministic result).

    *fn* must be picklable (a module-level function) and so must items and results.
    ``workers == 1`` runs in this process, without isolation (for debugging and for
    callers that are already isolated). *prepare* (picklable, no arguments) runs once
    in each worker process before its first task (not in this process). Exceptions raised by *fn* become failures;
    nothing is raised for a task.
    """
    if workers <= 1:
        for i, item in enumerate(items):
            try:
                yield Outcome(i, value=fn(item))
            except Exception as exc:  # noqa: BLE001 - one bad input never stops the batch
                yield Outcome(i, failure=_raised(exc))
        return
    ctx = _context()
    pending = deque(range(len(items)))
    while pending:
        size = min(workers, len(pending))
        suspects: list[int] = []
        with ProcessPoolExecutor(size, mp_context=ctx, initializer=_init_worker,
                                 initargs=(memory_limit, prepare)) as pool:
            inflight: dict[Future[R], int] = {}
            while (pending or inflight) and not suspects:
                while pending and len(inflight) < size:
                    i = pending.popleft()
                    try:
                        inflight[pool.submit(fn, items[i])] = i
                    except BrokenProcessPool:
                        pending.appendleft(i)
                        break
                if not inflight:
                    break
                done, _ = wait(inflight, return_when=FIRST_COMPLETED)
                for fut in sorted(done, key=inflight.__getitem__):
                    i = inflight.pop(fut)
                    try:
                        value = fut.result()
                    except BrokenProcessPool:
                        suspects.append(i)
                    except Exception as exc:  # noqa: BLE001
                        yield Outcome(i, failure=_raised(exc))
                    else:
                        yield Outcome(i, value=value)
            suspects.extend(inflight.values())
        for i in sorted(suspects):
            yield _alone(fn, items[i], i, ctx=ctx, memory_limit=memory_limit, prepare=prepare)


def _alone(fn: Callable[[T], R], item: T, index: int, *, ctx: multiprocessing.context.BaseContext,
           memory_limit: int | None, prepare: Callable[[], None] | None) -> Outcome[R]:
    """Re-run one suspect in its own one-worker pool."""
    with ProcessPoolExecutor(1, mp_context=ctx, initializer=_init_worker, initargs=(memory_limit, prepare)) as pool:
        try:
            return Outcome(index, value=pool.submit(fn, item).result())
        except BrokenProcessPool:
            return Outcome(index, failure=_crash_reason(memory_limit), crashed=True)
        except Exception as exc:  # noqa: BLE001
            return Outcome(index, failure=_raised(exc))
