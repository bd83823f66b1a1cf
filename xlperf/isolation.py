"""Run one function over many inputs in worker processes, containing crashes.

Submissions are untrusted (docs/untrusted-input.md): one workbook can make a reader
allocate gigabytes, run for minutes, or abort the interpreter from native code (before the
one-parser reader, python-calamine did on a cell at ``XFD1048576``). ``xlperf merge``
therefore imports each file in a worker process of a
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

:class:`ContainedRunner` is the warm variant for reading untrusted files one task at a
time (``xlperf import`` and merge's reads): worker processes started once and reused,
each with the address-space cap, and a wall-clock limit per task. A worker whose task
overruns is killed and replaced; one that dies (a native abort, the memory cap) is
replaced; either way only that task fails, and the other workers never stop.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

__all__ = ["DEFAULT_MEMORY_LIMIT", "DEFAULT_TIME_LIMIT", "ContainedRunner", "Outcome", "default_workers", "run_isolated"]

T = TypeVar("T")
R = TypeVar("R")

#: Address-space cap per worker process, bytes.
DEFAULT_MEMORY_LIMIT = 2 * 1024**3

#: Wall-clock limit of one task of a :class:`ContainedRunner`, seconds (a budget form
#: imports in milliseconds; the largest real workbooks in about a second).
DEFAULT_TIME_LIMIT = 60.0


@dataclass(frozen=True)
class Outcome(Generic[R]):
    """What became of task ``index``: its ``value``, or ``failure`` (Chinese / English
    reason) when the function raised, its worker process died (``crashed`` true) or it
    ran past its time limit (``timed_out`` true; the worker was killed)."""

    index: int
    value: R | None = None
    failure: str | None = None
    crashed: bool = False
    timed_out: bool = False


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


def _timeout_reason(limit: float) -> str:
    return f"处理超过 {limit:g} 秒仍未完成，已停止 / task ran past its time limit of {limit:g} s and was stopped"


def _die_with_parent() -> None:
    """Linux: SIGKILL this process when its parent ends (a killed batch leaves no worker)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


def _serve(conn: multiprocessing.connection.Connection, limit: int | None, prepare: Callable[[], None] | None) -> None:
    """A :class:`ContainedRunner` worker: cap memory, prepare, then run ``(fn, item)``
    tasks until the pipe closes, answering ``("ok", value)`` or ``("raised", reason)``."""
    _die_with_parent()
    _limit_memory(limit)
    if prepare is not None:
        prepare()
    while True:
        try:
            fn, item = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[str, Any] = ("ok", fn(item))
        except Exception as exc:  # noqa: BLE001 - one bad input never stops the worker
            reply = ("raised", _raised(exc))
        try:
            conn.send(reply)
        except Exception as exc:  # noqa: BLE001 - a result that cannot be pickled
            conn.send(("raised", _raised(exc)))


class _Worker:
    """One worker process of a :class:`ContainedRunner` and its pipe."""

    def __init__(self, ctx: multiprocessing.context.BaseContext, limit: int | None,
                 prepare: Callable[[], None] | None) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child, limit, prepare), daemon=True)
        self.proc.start()
        child.close()
        self.task: tuple[int, float] | None = None  # (index, deadline) of the task in flight

    def stop(self, *, kill: bool) -> None:
        """End the worker: close its pipe (it exits) or, with *kill*, SIGKILL it."""
        if kill and self.proc.is_alive():
            self.proc.kill()
        self.conn.close()
        self.proc.join(5)
        if self.proc.is_alive():  # pragma: no cover - a worker ignoring the closed pipe
            self.proc.kill()
            self.proc.join()


class ContainedRunner:
    """Warm worker processes that run one task each at a time, contained (see module
    docstring). Use as a context manager, or call :meth:`close`.

    *workers* processes, each capped at *memory_limit* bytes of address space
    (``None``: no cap), running *prepare* once (picklable, no arguments); each task may
    run *time_limit* seconds of wall-clock time. Functions, items and results must be
    picklable. Costs about 0.4 ms per task over a call in-process for an ImportResult of a
    20-sheet workbook (``bench/bench_import.py``); starting a worker costs what importing
    xlperf does, paid once, and again only for a worker killed or dead.
    """

    def __init__(self, workers: int = 1, *, memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
                 time_limit: float = DEFAULT_TIME_LIMIT, prepare: Callable[[], None] | None = None) -> None:
        self._ctx = _context()
        self._limit = memory_limit
        self._prepare = prepare
        self.time_limit = time_limit
        self._workers = [_Worker(self._ctx, memory_limit, prepare) for _ in range(max(1, workers))]

    def __enter__(self) -> ContainedRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop every worker (idempotent)."""
        for w in self._workers:
            w.stop(kill=w.task is not None)
        self._workers = []

    def run(self, fn: Callable[[T], R], item: T) -> Outcome[R]:
        """Run one task; its :class:`Outcome` (index 0). Never raises for the task."""
        [outcome] = list(self.map(fn, [item]))
        return outcome

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[Outcome[R]]:
        """Yield one :class:`Outcome` per item, in completion order (collect by
        ``index``), at most one task per worker at a time. Nothing is raised for a task."""
        if not self._workers:
            raise RuntimeError("ContainedRunner is closed")
        pending = deque(enumerate(items))
        while True:
            for k, w in enumerate(self._workers):
                while w.task is None and pending:
                    i, item = pending.popleft()
                    try:
                        w.conn.send((fn, item))
                    except (OSError, ValueError):  # the worker died while idle: a fresh one takes the task
                        w = self._workers[k] = self._replace(w, kill=True)
                        pending.appendleft((i, item))
                        continue
                    except Exception as exc:  # noqa: BLE001 - an item that cannot be pickled
                        yield Outcome(i, failure=_raised(exc))
                        continue
                    w.task = (i, time.monotonic() + self.time_limit)
            busy = [w for w in self._workers if w.task is not None]
            if not busy:
                return
            wait_for = min(w.task[1] for w in busy if w.task) - time.monotonic()
            multiprocessing.connection.wait([w.conn for w in busy] + [w.proc.sentinel for w in busy],
                                            timeout=max(0.0, wait_for))
            for k, w in enumerate(self._workers):
                if w.task is not None and (outcome := self._collect(k, w)) is not None:
                    yield outcome

    def _collect(self, k: int, w: _Worker) -> Outcome[Any] | None:
        """The outcome of worker *k*'s task if it has one now (an answer, a death, an overrun)."""
        assert w.task is not None
        index, deadline = w.task
        if w.conn.poll():
            try:
                status, payload = w.conn.recv()
            except (EOFError, OSError):
                self._workers[k] = self._replace(w, kill=True)
                return Outcome(index, failure=_crash_reason(self._limit), crashed=True)
            except Exception as exc:  # noqa: BLE001 - a result that cannot be unpickled here
                w.task = None
                return Outcome(index, failure=_raised(exc))
            w.task = None
            return Outcome(index, value=payload) if status == "ok" else Outcome(index, failure=payload)
        if not w.proc.is_alive():
            self._workers[k] = self._replace(w, kill=False)
            return Outcome(index, failure=_crash_reason(self._limit), crashed=True)
        if time.monotonic() >= deadline:
            self._workers[k] = self._replace(w, kill=True)
            return Outcome(index, failure=_timeout_reason(self.time_limit), timed_out=True)
        return None

    def _replace(self, w: _Worker, *, kill: bool) -> _Worker:
        w.stop(kill=kill)
        return _Worker(self._ctx, self._limit, self._prepare)
