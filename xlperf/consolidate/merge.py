"""Consolidate many submissions into one set of tables (``xlperf merge``).

:func:`consolidate` finds the workbooks under the given paths (:func:`discover`: names
and ``stat`` only, never a read beyond a bounded one), imports each exactly as ``xlperf
import`` does in a contained worker process (:class:`xlperf.isolation.ContainedRunner`:
memory cap, time limit per file), where its rows are flattened and spooled to disk
(:mod:`xlperf.consolidate.flatten`, :mod:`xlperf.consolidate.spool`); applies the
folder's ``manifest.csv`` (:mod:`xlperf.consolidate.manifest`), resolves duplicates and
resubmissions, and returns a :class:`~xlperf.consolidate.build.SpooledConsolidation`.
It writes nothing but its spool: the output formats of :mod:`xlperf.writers.outputs` do.

Keys: a submission is keyed by (省, 市, 县(区), 部门, 年度); a key is used only when
县(区), 部门 and 年度 are known, so two submissions of unknown origin never replace each
other. Two files with the same bytes imported (same sha256 of what was read) are
consolidated once; the later one in path order is ``duplicate``. Of two files with one
key the newer one is kept and the older is ``replaced``: newer by 填报日期 when both state
different dates, else by file modification time; when neither orders them, both are
kept and each gets a ``submission-key-conflict`` error.

The merge's own outputs are recognised by the sha256 recorded when they were written
(:mod:`xlperf.consolidate.ledger`) and skipped; an output that would overwrite an input
is refused before anything is read. A replaced file's 来源 row says in one line what the
file replacing it changed (:mod:`xlperf.consolidate.changes`, worked out in a worker). A
review copy (``xlperf review``) that the manifest does not name takes the row of the file
it is a copy of, when that file is among the inputs: so a copy written beside its
original, or a corrected copy returned into the same folder, is the same submission (the
newer wins); the copy's mark is read with a bounded read, only when a manifest leaves a
file unnamed.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from ..errors import BatchRefused, SpoolError, UnreadableWorkbook
from ..findings import finding
from ..importer import ImportResult, contained_result, import_workbook, prepare_batch
from ..isolation import DEFAULT_MEMORY_LIMIT, DEFAULT_TIME_LIMIT, ContainedRunner, Outcome, default_workers
from ..model import Finding
from ..readers.container import ContainerLimits, read_file
from . import ledger
from .build import SourceFile, SpooledConsolidation, local_time
from .flatten import FileSummary, ImportTask, import_and_spool
from .manifest import MANIFEST_NAME, Manifest, read_manifest
from .spool import SpoolFolder
from .tables import Consolidation
from ..readers.container import Container
from .changes import summary_of
from .tables import COPY_OF

__all__ = ["Discovery", "consolidate", "discover"]

# Spreadsheet files searched in folders: .xlsx / .xlsm are read; the others (.xls, WPS
# .et, .ods, .csv) are taken too, so that a submission in a format xlperf cannot read is
# listed as failed with "另存为 .xlsx" instead of being skipped without a word.
_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".et", ".ods", ".csv", ".xlsb")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LEDGER_LIMITS = ContainerLimits(max_file_size=ledger.MAX_LEDGER_BYTES)
#: modules the merge workers' fork server loads once, before forking (pyarrow: 0.25 s a
#: worker otherwise, paid again by every replaced one)
WORKER_PRELOAD = ("xlperf.consolidate.flatten", "pyarrow", "pyarrow.ipc")

Progress = Callable[[Iterable[Outcome[FileSummary]], int], Iterable[Outcome[FileSummary]]]


class Discovery(NamedTuple):
    """What :func:`discover` found: the ``files`` to merge (sorted), the ``manifests``
    (by absolute folder), ``findings`` about folders that could not be searched, and
    the merge's ``own`` outputs that were skipped."""

    files: list[str]
    manifests: dict[str, Manifest]
    findings: list[Finding]
    own: list[str]


def discover(paths: Sequence[str]) -> Discovery:
    """Files to merge under *paths* (folders searched recursively for .xlsx / .xlsm, and
    .xls / .et / .ods / .csv / .xlsb so they are reported, not skipped; files taken as
    given), sorted, without Office lock files (``~$x.xlsx``), hidden files, files reached
    twice, or the merge's own outputs (recognised by :mod:`xlperf.consolidate.ledger`);
    and the manifests found. Looks at names and ``stat`` only: a file is read (bounded,
    never blocking: a FIFO or a device is not read) only when its size is one the
    folder's ledger records. Never raises; a folder that cannot be searched is a
    ``merge-folder-unreadable`` finding."""
    files: dict[str, str] = {}
    folders: list[str] = []
    problems: list[Finding] = []
    own: list[str] = []
    ledgers: dict[str, dict[int, set[str]]] = {}

    def add(path: str) -> None:
        name = os.path.basename(path)
        if name.startswith(("~$", ".")):
            return
        if _is_own_output(path, ledgers):
            own.append(path)
            return
        files.setdefault(os.path.realpath(path), path)

    def unreadable(exc: OSError) -> None:
        problems.append(finding("merge-folder-unreadable", sheet=None, cell=None, file=exc.filename,
                                params={"folder": exc.filename, "reason": exc.strerror or str(exc)}))

    for top in paths:
        if os.path.isdir(top):
            for folder, dirs, names in os.walk(top, onerror=unreadable):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                folders.append(folder)
                for name in sorted(names):
                    if name.lower().endswith(_EXTENSIONS) and name != MANIFEST_NAME:
                        add(os.path.join(folder, name))
        else:
            folders.append(os.path.dirname(top) or ".")
            add(top)
    manifests = {}
    for folder in folders:
        key = os.path.abspath(folder)
        if key not in manifests and os.path.isfile(os.path.join(folder, MANIFEST_NAME)):
            manifests[key] = read_manifest(os.path.join(folder, MANIFEST_NAME))
    return Discovery(sorted(files.values()), manifests, problems, own)


def _is_own_output(path: str, ledgers: dict[str, dict[int, set[str]]]) -> bool:
    """Whether *path* is a file the merge wrote (its size and then its sha256 are in its
    folder's ledger). Never raises."""
    folder = os.path.dirname(os.path.abspath(path))
    if folder not in ledgers:
        try:
            ledgers[folder] = ledger.parse(read_file(os.path.join(folder, ledger.LEDGER), limits=_LEDGER_LIMITS))
        except UnreadableWorkbook:
            ledgers[folder] = {}
    recorded = ledgers[folder]
    try:
        st = os.stat(path)
    except OSError:
        return False
    if not recorded or not stat.S_ISREG(st.st_mode) or st.st_size not in recorded:
        return False
    try:
        return hashlib.sha256(read_file(path)).hexdigest() in recorded[st.st_size]
    except UnreadableWorkbook:
        return False


_COPY_OF_RE = re.compile(rb'<property\b[^>]*\bname="' + re.escape(COPY_OF.encode()) + rb'"[^>]*>\s*<vt:lpwstr>([0-9a-f]{64})</vt:lpwstr>')


def _copy_of(path: str) -> str | None:
    """The sha256 of the workbook *path* is a review copy of (docs/review-loop.md), or
    ``None``: its custom properties read through the reader's container (a bounded,
    non-blocking read; a part of at most 1 MiB). Never raises."""
    try:
        container = Container(read_file(path), path=path)
        if not 0 < container.size("docProps/custom.xml") < 1 << 20:
            return None
        m = _COPY_OF_RE.search(container.read("docProps/custom.xml") or b"")
    except Exception:  # noqa: BLE001 - anything wrong with the file: it is simply no copy
        return None
    return m.group(1).decode() if m else None


def _mtime(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def _manifest_entry(path: str, manifests: dict[str, Manifest], used: set[tuple[str, str]]):  # noqa: ANN202
    for folder in Path(os.path.abspath(path)).parents:
        man = manifests.get(str(folder))
        entry = man.lookup(path) if man else None
        if entry is not None:
            used.add((str(folder), entry.file))
            return entry, f"{man.path} 第 {entry.row} 行"
    return None, None


def _refuse_overwriting(files: list[str], outputs: Iterable[str]) -> None:
    """:class:`~xlperf.errors.BatchRefused` when an output path is one of the inputs."""
    inputs = {os.path.realpath(f): f for f in files}
    for out in outputs:
        hit = inputs.get(os.path.realpath(out))
        if hit is not None:
            raise BatchRefused(f"输出文件 {out} 就是要汇总的报送文件 {hit}，写入会覆盖它。请换一个输出文件名或文件夹，"
                               "未读取、未写入任何文件。")


def consolidate(paths: Sequence[str], *, outputs: Iterable[str] = (), progress: Progress | None = None,
                workers: int | None = None, import_fn: Callable[..., ImportResult] = import_workbook,
                memory_limit: int | None = DEFAULT_MEMORY_LIMIT, time_limit: float = DEFAULT_TIME_LIMIT,
                labels: dict | None = None, spool_dir: str | None = None) -> Consolidation:
    """Import and consolidate every submission under *paths* (module doc).

    *outputs*: the paths the caller will write (an output that is an input is refused
    with :class:`~xlperf.errors.BatchRefused` before anything is read). *progress*
    wraps the stream of finished imports (``progress(iterable, total)``, e.g. a progress
    bar). *workers*: processes (default :func:`~xlperf.isolation.default_workers`); *memory_limit*: bytes
    of address space per worker; *time_limit*: seconds per file. *import_fn* replaces
    ``import_workbook`` (tests and benchmark only; module-level, same signature).
    *labels*: wordings added to templates/labels.toml (``--labels FILE``), handed to
    every worker. *spool_dir*: where the spool folder goes (default: the temporary
    folder).

    Never raises for bad input: unreadable files are ``failed`` rows of ``sources``.
    Raises :class:`~xlperf.errors.SpoolError` when the spool cannot be written (a full
    temporary folder): the merge stops and its spool is removed. Close the result (or
    use it in a ``with``) to remove its spool.
    """
    found = discover(paths)
    _refuse_overwriting(found.files, outputs)
    spool = SpoolFolder(spool_dir)
    try:
        inputs, tasks = _inputs(found, spool.path, import_fn, labels)
        if tasks:
            n = max(1, min(workers or default_workers(), len(tasks)))
            with ContainedRunner(n, memory_limit=memory_limit, time_limit=time_limit, prepare=prepare_batch,
                                 preload=WORKER_PRELOAD) as runner:
                stream: Iterable[Outcome[FileSummary]] = runner.map(import_and_spool, tasks)
                for out in (progress(stream, len(tasks)) if progress else stream):
                    _settle(inputs[out.index], out, spool)
                _mark_duplicates(inputs)
                replaced = _resolve_keys(inputs)
                _describe_changes(runner, replaced, {t.path: t for t in tasks})
        return SpooledConsolidation(inputs, _merge_findings(found, paths, inputs), spool)
    except BaseException:
        spool.close()
        raise


def _inputs(found: Discovery, spool: str, import_fn: Callable[..., ImportResult],
            labels: dict | None) -> tuple[list[SourceFile], list[ImportTask]]:
    """One :class:`SourceFile` and one :class:`ImportTask` per file (same index)."""
    used: set[tuple[str, str]] = set()
    inputs, tasks = [], []
    originals: dict[str, str] | None = None  # sha256 -> path, worked out only when a review copy is met
    for path in found.files:
        inp = SourceFile(path, _mtime(path))
        entry, inp.manifest_row = _manifest_entry(path, found.manifests, used)
        copy_of = _copy_of(path) if entry is None and found.manifests else None
        if copy_of is not None:
            if originals is None:
                originals = _shas(found.files)
            origin = originals.get(copy_of)
            if origin is not None and origin != path:  # a review copy beside its original: the original's row
                entry, row = _manifest_entry(origin, found.manifests, set())
                inp.manifest_row = f"{row}（审核副本，沿用原文件 {origin} 的行）" if row else None
        inputs.append(inp)
        tasks.append(ImportTask(path, entry.region if entry else None, entry.year if entry else None, spool=spool,
                                import_fn=import_fn, labels=labels))
    found.findings.extend(_missing_from_manifests(found.manifests, used))
    return inputs, tasks


def _shas(files: list[str]) -> dict[str, str]:
    """sha256 -> the first of *files* with those bytes (bounded, non-blocking reads)."""
    out: dict[str, str] = {}
    for path in files:
        try:
            out.setdefault(hashlib.sha256(read_file(path)).hexdigest(), path)
        except UnreadableWorkbook:
            continue
    return out


def _describe_changes(runner: ContainedRunner, replaced: list[tuple[SourceFile, SourceFile]],
                      tasks: dict[str, ImportTask]) -> None:
    """Each replaced file's ``changes``: what the file replacing it changed, in one line,
    worked out in the contained workers (both read again, as the merge read them)."""
    pairs = [(tasks[old.path], tasks[new.path]) for old, new in replaced]
    for out in runner.map(summary_of, pairs):
        if out.value is not None:
            replaced[out.index][0].changes = out.value


def _missing_from_manifests(manifests: dict[str, Manifest], used: set[tuple[str, str]]) -> list[Finding]:
    out = [f for m in manifests.values() for f in m.findings]
    for folder, man in manifests.items():
        for entry in man.entries.values():
            if (folder, entry.file) not in used:
                out.append(finding("manifest-file-missing", sheet=os.path.basename(man.path), cell=f"A{entry.row}",
                                   file=man.path, text=entry.file, params={"row": entry.row}))
    return out


def _merge_findings(found: Discovery, paths: Sequence[str], inputs: list[SourceFile]) -> list[Finding]:
    out = list(found.findings)
    if not inputs:
        out.append(finding("merge-no-files", sheet=None, cell=None, params={"paths": "、".join(paths)}))
    return out


def _settle(inp: SourceFile, out: Outcome[FileSummary], spool: SpoolFolder) -> None:
    """Record a finished import: its summary, or (worker dead, overrun, raised) its
    failure with the finding that says why."""
    summary = out.value
    if summary is not None:
        if summary.spool_error:
            raise SpoolError(f"汇总用的临时文件夹 {os.path.dirname(spool.path)} 无法写入（{summary.spool_error}）。"
                             "请清理磁盘空间，或设置环境变量 TMPDIR 指向空间充足的文件夹后重试；未写入任何文件。")
        if summary.region is not None:  # the same names over and over: one string each, not one per file
            summary.region = tuple(None if v is None else sys.intern(v) for v in summary.region)  # type: ignore[assignment]
        if summary.spool_file is not None:
            summary.spool_file = sys.intern(summary.spool_file)
        summary.spool_tables = tuple((sys.intern(name), n) for name, n in summary.spool_tables)
        inp.summary = summary
        if summary.failure is not None:
            inp.status, inp.reason = "failed", summary.failure
        return
    result = contained_result(inp.path, out)
    inp.status, inp.reason = "failed", _chinese(out.failure or "")
    inp.extra.extend(result.report.findings)


def _chinese(failure: str) -> str:
    """The Chinese half of a worker failure (``中文 / English``, :mod:`xlperf.isolation`):
    what a person reads in xlperf's outputs is Chinese (docs/cli.md)."""
    return failure.split(" / ")[0]


def _mark_duplicates(inputs: list[SourceFile]) -> None:
    """The later of two files with the same bytes imported is ``duplicate``."""
    first_by_sha: dict[str, SourceFile] = {}
    for inp in inputs:
        sha = inp.sha256
        if sha is None:
            continue
        first = first_by_sha.setdefault(sha, inp)
        if first is not inp:
            inp.status, inp.reason = "duplicate", f"与 {first.path} 内容完全相同（sha256 相同），已跳过"
            inp.extra.append(finding("submission-duplicate", sheet=None, cell=None, file=inp.path,
                                     params={"other": first.path}))


def _key(inp: SourceFile) -> tuple | None:
    s = inp.summary
    if not inp.kept or s is None or s.region is None or not (s.region[2] and s.department and s.year):
        return None
    return (*s.region[:3], s.department, s.year)


def _newer(a: SourceFile, b: SourceFile) -> tuple[int, str]:
    """(1 if *a* is newer, -1 if older, 0 if they cannot be ordered; why)."""
    da, db = a.summary.fill_date, b.summary.fill_date  # type: ignore[union-attr]
    if da and db and _ISO_DATE.match(da) and _ISO_DATE.match(db) and da != db:
        return (1 if da > db else -1), f"填报日期 {max(da, db)} 晚于 {min(da, db)}"
    if a.mtime is not None and b.mtime is not None and a.mtime != b.mtime:
        ta, tb = sorted((local_time(a.mtime), local_time(b.mtime)))
        return (1 if a.mtime > b.mtime else -1), f"文件修改时间 {tb} 晚于 {ta}（填报日期无法比较）"
    return 0, ""


def _resolve_keys(inputs: list[SourceFile]) -> list[tuple[SourceFile, SourceFile]]:
    """Resolve resubmissions (module doc); the (replaced, replacing) pairs."""
    replaced: list[tuple[SourceFile, SourceFile]] = []
    groups: dict[tuple, list[SourceFile]] = defaultdict(list)
    for inp in inputs:
        if (key := _key(inp)) is not None:
            groups[key].append(inp)
    for members in groups.values():
        if len(members) < 2:
            continue
        tops = [a for a in members if not any(_newer(b, a)[0] > 0 for b in members if b is not a)] or members
        for old in (m for m in members if m not in tops):
            newer = sorted((b for b in members if _newer(b, old)[0] > 0), key=lambda b: b not in tops)
            newest = newer[0]
            why = _newer(newest, old)[1]
            old.status, old.reason = "replaced", f"被 {newest.path} 替代：{why}"
            old.extra.append(finding("submission-replaced", sheet=None, cell=None, file=old.path,
                                     params={"newer": f"{newest.path}（{why}）"}))
            replaced.append((old, newest))
            newest.reason = "；".join(filter(None, [newest.reason, f"替代了 {old.path}（{why}）"]))
        if len(tops) > 1:
            for t in tops:
                others = "、".join(o.path for o in tops if o is not t)
                t.reason = "；".join(filter(None, [t.reason, f"与 {others} 同一地区、部门、年度，无法判断先后，均已导入"]))
                t.extra.append(finding("submission-key-conflict", sheet=None, cell=None, file=t.path,
                                       params={"other": others}))
    return replaced
