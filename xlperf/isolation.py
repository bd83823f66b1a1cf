"""Run one function over many untrusted inputs in warm worker processes, containing
crashes, hangs and memory blow-ups.

Submissions are untrusted (docs/untrusted-input.md): one workbook can make a reader
allocate gigabytes, run for minutes, or abort the interpreter from native code (before the
one-parser reader, python-calamine did on a cell at ``XFD1048576``). Every read of a
submission (``xlperf import`` and ``xlperf merge``) therefore runs in a
:class:`ContainedRunner` worker: a process started once and reused, with an address-space
cap (``RLIMIT_AS``, default 2 GiB) and a wall-clock limit per task. A worker whose task
overruns is killed and replaced (``timed_out``); one that dies (a native abort, the memory
cap) is replaced (``crashed``); either way only that task fails, and the tasks queued
behind it go to the replacement.

Each worker is given up to ``depth`` tasks at a time (default 2), so it starts the next
one the moment it answers the last, while this process is still reading that answer: the
pool never waits on its caller. A task's time limit counts from when its worker started
it (when the previous answer arrived), not from when it was queued.

Workers are started with ``forkserver`` (``spawn`` where that does not exist): clean
processes that have not inherited the caller's threads or memory. They ignore ``SIGINT``
(a Ctrl-C in the terminal reaches the whole process group: the caller decides and stops
them). Each holds a lifeline, a pipe whose other end only the caller has: a thread of
the worker waits on it and ends the worker the moment the caller is gone, however it
ended (``kill -9`` included) and whatever the worker is busy with. The fork server lives
as long as any process holds its own pipe, the workers included, so it ends right
after them; on Linux a worker is also killed when the fork server ends.

:func:`sigterm_raises` turns ``SIGTERM`` into an exception in the caller, so that its
``finally`` blocks (workers stopped, temporary files removed) run when the batch is
stopped by a service manager or ``kill``.

Temporary folders of a run (:func:`locked_tempdir`: the merge's spool, the fork
server's socket folder) carry a lock held by the process that made them; a folder whose
lock is free was left by a run that was killed, and :func:`remove_stale_tempdirs`
removes it at the next run.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import multiprocessing.util
import os
import shutil
import signal
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

__all__ = ["DEFAULT_MEMORY_LIMIT", "DEFAULT_TIME_LIMIT", "ContainedRunner", "Outcome", "Terminated", "default_workers",
           "in_order", "lock_fd", "lock_file", "locked_tempdir", "remove_stale_tempdirs", "sigterm_raises"]

T = TypeVar("T")
R = TypeVar("R")

#: Address-space cap per worker process, bytes.
DEFAULT_MEMORY_LIMIT = 2 * 1024**3

#: Wall-clock limit of one task of a :class:`ContainedRunner`, seconds (a budget form
#: imports in milliseconds; the largest real workbooks in about a second).
DEFAULT_TIME_LIMIT = 60.0

#: Worker processes by default at most (:func:`default_workers`).
MAX_WORKERS = 16

#: Tasks handed to one worker at a time (the one it runs and the next).
DEFAULT_DEPTH = 2


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
    """One worker per core, at most :data:`MAX_WORKERS`: import is CPU-bound and a
    worker holds about 150 MB, so a 16-core machine runs 16 (2.4 GB) and a laptop its
    cores."""
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


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


# -- temporary folders owned by a live process ---------------------------------------------------
_LOCK = ".lock"
_ORPHAN_AGE = 3600  # seconds: a folder without its lock file (a run killed while creating it)

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: stale folders are not detected
    fcntl = None  # type: ignore[assignment]


def lock_fd(fd: int) -> bool:
    """Take an exclusive ``flock`` on the open descriptor *fd* (released when it is
    closed or its process ends, however it ends); ``False`` when another process holds
    one."""
    if fcntl is None:  # pragma: no cover
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def lock_file(path: str) -> int | None:
    """An open descriptor of *path* (created if missing) holding an exclusive lock
    (:func:`lock_fd`), or ``None`` when another process holds it. Raises ``OSError``."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    if lock_fd(fd):
        return fd
    os.close(fd)
    return None


def locked_tempdir(prefix: str, parent: str | None = None) -> tuple[str, int | None]:
    """A new folder ``<parent>/<prefix><pid>-<random>`` (default parent: the temporary
    folder) and the descriptor of the lock this process holds on it for as long as the
    descriptor is open. Raises ``OSError``."""
    path = tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=parent)
    return path, lock_file(os.path.join(path, _LOCK))


def remove_stale_tempdirs(prefix: str, parent: str | None = None) -> list[str]:
    """Remove the folders named *prefix*… in *parent* (default: the temporary folder) that were
    made by :func:`locked_tempdir` in a process that is gone (their lock is free);
    returns those removed. Never raises."""
    removed: list[str] = []
    try:
        entries = [e for e in os.scandir(parent or tempfile.gettempdir())
                   if e.name.startswith(prefix) and e.is_dir(follow_symlinks=False)]
    except OSError:
        return removed
    for entry in entries:
        lock = os.path.join(entry.path, _LOCK)
        try:
            if os.path.exists(lock):
                fd = lock_file(lock)
                if fd is None:
                    continue  # its process is running
                os.close(fd)
            elif time.time() - entry.stat(follow_symlinks=False).st_mtime < _ORPHAN_AGE:
                continue  # being created right now
        except OSError:
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(entry.path)
    return removed


_MP_PREFIX = "xlperf-mp-"
_mp_folder: str | None = None
#: bytes a Unix socket path may have (``sun_path``), and what the fork server's socket adds
#: under our folder (``/xlperf-mp-<pid>-<8>/pymp-<8>/listener-<8>``)
_SOCKET_PATH_MAX, _SOCKET_TAIL = 107, 64


def _mp_parent() -> str:
    """The temporary folder, or ``/tmp`` when that path is too long for the fork server's
    socket to sit inside our folder there."""
    base = tempfile.gettempdir()
    if len(os.fsencode(base)) + _SOCKET_TAIL <= _SOCKET_PATH_MAX or not os.path.isdir("/tmp"):
        return base
    return "/tmp"


def _own_multiprocessing_tempdir() -> None:
    """Put multiprocessing's temporary folder (the fork server's socket) inside a
    :func:`locked_tempdir` of this process, so that a run killed with ``kill -9`` leaves
    nothing the next run cannot recognise and remove; removed at exit."""
    global _mp_folder
    if _mp_folder is not None:
        return
    parent = _mp_parent()
    remove_stale_tempdirs(_MP_PREFIX, parent)
    try:
        folder, fd = locked_tempdir(_MP_PREFIX, parent)
    except OSError:
        _mp_folder = ""
        return
    _mp_folder = folder
    previous = tempfile.tempdir
    tempfile.tempdir = folder
    try:
        multiprocessing.util.get_temp_dir()  # created now, inside: returns the existing one if there is one
    finally:
        tempfile.tempdir = previous

    def _remove() -> None:
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(folder, ignore_errors=True)

    # after multiprocessing's own clean-up of its folder (priority -100) at exit
    multiprocessing.util.Finalize(None, _remove, exitpriority=-101)


def _context(preload: Sequence[str] = ()) -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" not in methods:  # pragma: no cover - Windows, old macOS
        return multiprocessing.get_context("spawn")
    _own_multiprocessing_tempdir()
    ctx = multiprocessing.get_context("forkserver")
    if preload:  # takes effect when the fork server starts (once per process)
        ctx.set_forkserver_preload(list(preload))
    return ctx


def _raised(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return f"导入时程序出错（{text}） / import raised {text}"


def _crash_reason(limit: int | None) -> str:
    cap = f"{limit / 1024**3:g} GiB" if limit else "无"
    return (f"进程意外终止，可能超出内存上限 {cap} 或程序崩溃 / "
            f"worker process died (memory limit {cap.replace('无', 'none')} or a native crash)")


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


def _hold(lifeline: multiprocessing.connection.Connection) -> None:
    """Wait on *lifeline* until the runner's end of it closes (the runner's process is
    gone), then end this worker at once."""
    try:
        lifeline.recv()
    except BaseException:  # noqa: BLE001, S110 - EOF: the runner is gone; anything else: the same
        pass
    os._exit(1)


def _serve(conn: multiprocessing.connection.Connection, lifeline: multiprocessing.connection.Connection,
           limit: int | None, prepare: Callable[[], None] | None) -> None:
    """A :class:`ContainedRunner` worker: die with the runner (its lifeline) and with its
    parent, ignore Ctrl-C, cap memory, prepare, then run ``(fn, item)`` tasks in the
    order received until the pipe closes, answering ``("ok", value)`` or ``("raised",
    reason)`` for each."""
    threading.Thread(target=_hold, args=(lifeline,), daemon=True, name="xlperf-lifeline").start()
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
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
        except (OSError, EOFError):
            return  # the runner is gone
        except Exception as exc:  # noqa: BLE001 - a result that cannot be pickled
            conn.send(("raised", _raised(exc)))


class _Worker:
    """One worker process of a :class:`ContainedRunner`, its pipe and the tasks sent to
    it: ``queue`` in the order sent, the first one running since ``started``."""

    def __init__(self, ctx: multiprocessing.context.BaseContext, limit: int | None,
                 prepare: Callable[[], None] | None) -> None:
        self.conn, child = ctx.Pipe()
        lifeline, self.lifeline = ctx.Pipe(duplex=False)  # the worker reads; only this process can write
        self.proc = ctx.Process(target=_serve, args=(child, lifeline, limit, prepare), daemon=True)
        self.proc.start()
        child.close()
        lifeline.close()
        self.queue: deque[tuple[int, Any]] = deque()
        self.started = 0.0

    def stop(self, *, kill: bool) -> None:
        """End the worker: close its pipe (it exits) or, with *kill*, SIGKILL it."""
        if kill and self.proc.is_alive():
            self.proc.kill()
        self.conn.close()
        self.lifeline.close()
        self.proc.join(5)
        if self.proc.is_alive():  # pragma: no cover - a worker ignoring the closed pipe
            self.proc.kill()
            self.proc.join()


class ContainedRunner:
    """Warm worker processes running tasks contained (see module docstring). Use as a
    context manager, or call :meth:`close`.

    *workers* processes, each capped at *memory_limit* bytes of address space
    (``None``: no cap), running *prepare* once (picklable, no arguments); each task may
    run *time_limit* seconds of wall-clock time; *depth* tasks are handed to a worker at
    a time. *preload* names modules the fork server imports once before forking workers
    (it applies when the fork server of this process starts). Functions, items and
    results must be picklable. Costs about 0.4 ms per task over a call in-process for an
    ImportResult of a 20-sheet workbook (``bench/bench_import.py``); starting a worker
    costs what importing xlperf does, paid once, and again only for a worker killed or
    dead. When the system refuses a process after the first (``EAGAIN``: a process
    limit), the run goes on with the workers that started; raises :class:`OSError` when
    not even one starts.
    """

    def __init__(self, workers: int = 1, *, memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
                 time_limit: float = DEFAULT_TIME_LIMIT, prepare: Callable[[], None] | None = None,
                 depth: int = DEFAULT_DEPTH, preload: Sequence[str] = ()) -> None:
        self._ctx = _context(preload)
        self._limit = memory_limit
        self._prepare = prepare
        self.time_limit = time_limit
        self.depth = max(1, depth)
        self._workers: list[_Worker] = []
        try:
            for _ in range(max(1, workers)):
                try:
                    self._workers.append(_Worker(self._ctx, memory_limit, prepare))
                except OSError:
                    if not self._workers:  # not one process: the caller says why
                        raise
                    break  # the system allows no more processes: the run goes on with those started
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> ContainedRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop every worker (idempotent); a worker with a task in hand is killed."""
        workers, self._workers = self._workers, []
        for w in workers:
            w.stop(kill=bool(w.queue))

    def run(self, fn: Callable[[T], R], item: T) -> Outcome[R]:
        """Run one task; its :class:`Outcome` (index 0). Never raises for the task."""
        [outcome] = list(self.map(fn, [item]))
        return outcome

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[Outcome[R]]:
        """Yield one :class:`Outcome` per item, in completion order (collect by
        ``index``, or see :func:`in_order`). *items* is consumed as workers take tasks.
        Nothing is raised for a task."""
        if not self._workers:
            raise RuntimeError("ContainedRunner is closed")
        for k, w in enumerate(self._workers):  # tasks of an earlier map left unread: their answers would be misread
            if w.queue:
                self._workers[k] = self._replace(w, kill=True)
        source = enumerate(items)
        retry: deque[tuple[int, Any]] = deque()  # tasks taken back from a replaced worker, first

        def next_task() -> tuple[int, Any] | None:
            return retry.popleft() if retry else next(source, None)

        while True:
            for k in range(len(self._workers)):
                yield from self._hand_out(k, fn, next_task, retry)
            busy = [w for w in self._workers if w.queue]
            if not busy:
                return
            wait_for = min(w.started for w in busy) + self.time_limit - time.monotonic()
            multiprocessing.connection.wait([w.conn for w in busy] + [w.proc.sentinel for w in busy],
                                            timeout=max(0.0, wait_for))
            for k in range(len(self._workers)):
                if self._workers[k].queue:
                    yield from self._collect(k, retry)

    def _hand_out(self, k: int, fn: Callable[[T], R], next_task: Callable[[], tuple[int, Any] | None],
                  retry: deque[tuple[int, Any]]) -> Iterator[Outcome[R]]:
        """Top worker *k* up to ``depth`` tasks."""
        w = self._workers[k]
        while len(w.queue) < self.depth:
            task = next_task()
            if task is None:
                return
            try:
                w.conn.send((fn, task[1]))
            except (OSError, ValueError):  # the worker died: its own tasks are settled by _collect
                retry.appendleft(task)
                if not w.queue:
                    self._workers[k] = self._replace(w, kill=True)
                    w = self._workers[k]
                    continue
                return
            except Exception as exc:  # noqa: BLE001 - an item that cannot be pickled
                yield Outcome(task[0], failure=_raised(exc))
                continue
            if not w.queue:
                w.started = time.monotonic()
            w.queue.append(task)

    def _collect(self, k: int, retry: deque[tuple[int, Any]]) -> Iterator[Outcome[Any]]:
        """The outcomes worker *k* has now: every answer waiting in its pipe, then a death
        or an overrun of the task it is running (the tasks behind it go back to *retry*)."""
        w = self._workers[k]
        dead = False
        while w.queue and w.conn.poll():
            try:
                status, payload = w.conn.recv()
            except (EOFError, OSError):
                dead = True
                break
            except Exception as exc:  # noqa: BLE001 - a result that cannot be unpickled here
                index, _ = w.queue.popleft()
                w.started = time.monotonic()
                yield Outcome(index, failure=_raised(exc))
                continue
            index, _ = w.queue.popleft()
            w.started = time.monotonic()
            yield Outcome(index, value=payload) if status == "ok" else Outcome(index, failure=payload)
        if not w.queue:
            return
        if dead or not w.proc.is_alive():
            outcome = Outcome(w.queue[0][0], failure=_crash_reason(self._limit), crashed=True)
        elif time.monotonic() >= w.started + self.time_limit:
            outcome = Outcome(w.queue[0][0], failure=_timeout_reason(self.time_limit), timed_out=True)
        else:
            return
        w.queue.popleft()
        retry.extendleft(reversed(w.queue))
        w.queue.clear()
        self._workers[k] = self._replace(w, kill=True)
        yield outcome

    def _replace(self, w: _Worker, *, kill: bool) -> _Worker:
        w.queue.clear()
        w.stop(kill=kill)
        return _Worker(self._ctx, self._limit, self._prepare)


def in_order(outcomes: Iterable[Outcome[R]]) -> Iterator[Outcome[R]]:
    """*outcomes* (each index once, from 0) re-ordered by index: each is yielded as soon
    as every earlier one has been; at most the outcomes finished out of order are held."""
    held: dict[int, Outcome[R]] = {}
    nxt = 0
    for o in outcomes:
        held[o.index] = o
        while nxt in held:
            yield held.pop(nxt)
            nxt += 1
    yield from (held[i] for i in sorted(held))


class Terminated(BaseException):  # noqa: N818 - named as the signal's effect, like KeyboardInterrupt
    """Raised in the main thread on ``SIGTERM`` inside :func:`sigterm_raises`."""


@contextlib.contextmanager
def sigterm_raises() -> Iterator[None]:
    """Within the block, ``SIGTERM`` raises :class:`Terminated` in the main thread (as
    Ctrl-C raises ``KeyboardInterrupt``), so ``finally`` blocks and context managers
    clean up; the previous handler is restored after. A no-op outside the main thread."""
    def _raise(signum: int, frame: object) -> None:
        raise Terminated(signum)

    try:
        previous = signal.signal(signal.SIGTERM, _raise)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
