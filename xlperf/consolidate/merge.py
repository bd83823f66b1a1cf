"""Consolidate many submissions into one set of tables (``xlperf merge``).

:func:`consolidate` finds the workbooks under the given paths, imports each exactly as
``xlperf import`` does (in isolated worker processes, see :mod:`xlperf.isolation`),
applies the folder's ``manifest.csv`` (:mod:`xlperf.consolidate.manifest`), resolves duplicates and
resubmissions, and returns a :class:`~xlperf.consolidate.tables.Consolidation` of pandas DataFrames. It
writes nothing: the output formats of :mod:`xlperf.writers.outputs` do.

Keys: a submission is keyed by (省, 市, 县(区), 部门, 年度); a key is used only when
县(区), 部门 and 年度 are known, so two submissions of unknown origin never replace each
other. The same file twice (same sha256) is imported once; the later one in path order
is ``duplicate``. Of two files with one key the newer one is kept and the older is
``replaced``: newer by 填报日期 when both state different dates, else by file
modification time; when neither orders them, both are kept and each gets a
``submission-key-conflict`` error. A replaced file's 来源 row says in one line what the
file replacing it changed (:mod:`xlperf.consolidate.changes`). A review copy
(``xlperf review``) that the manifest does not name takes the row of the file it is a copy
of, when that file is among the inputs: so a copy written beside its original, or a
corrected copy returned into the same folder, is the same submission (the newer wins).
"""

from __future__ import annotations

import os
import re
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from ..findings import finding
from ..importer import ImportResult, import_workbook, prepare_batch
from ..isolation import DEFAULT_MEMORY_LIMIT, Outcome, default_workers, run_isolated
from ..readers.xlsx import file_sha256
from .build import SourceFile, build_tables, local_time
from .changes import compare
from .flatten import FileRows, ImportTask, import_and_flatten
from .manifest import MANIFEST_NAME, Manifest, read_manifest
from .tables import COPY_OF, OUTPUT_MARK, Consolidation

__all__ = ["consolidate", "discover"]

# Spreadsheet files searched in folders: .xlsx / .xlsm are read; the others (.xls, WPS
# .et, .ods, .csv) are taken too, so that a submission in a format xlperf cannot read is
# listed as failed with "另存为 .xlsx" instead of being skipped without a word.
_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".et", ".ods", ".csv", ".xlsb")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Progress = Callable[[Iterable[Outcome[FileRows]], int], Iterable[Outcome[FileRows]]]


def discover(paths: list[str]) -> tuple[list[str], dict[str, Manifest]]:
    """Files to merge under *paths* (folders searched recursively for .xlsx / .xlsm, and
    .xls / .et / .ods / .csv / .xlsb so they are reported, not skipped;
    files taken as given), sorted, without Office lock files (``~$x.xlsx``), hidden
    files, files reached twice, or workbooks written by ``xlperf merge`` itself; and the
    manifests found (by absolute folder). Never raises."""
    files: dict[str, str] = {}
    folders: list[str] = []

    def add(path: str) -> None:
        name = os.path.basename(path)
        if not name.startswith(("~$", ".")) and not _is_own_output(path):
            files.setdefault(os.path.realpath(path), path)

    for top in paths:
        if os.path.isdir(top):
            for folder, dirs, names in os.walk(top):
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
    return sorted(files.values()), manifests


def _custom_properties(path: str) -> bytes:
    """The document's custom properties part (at most 1 MiB), or ``b""``."""
    try:
        with zipfile.ZipFile(path) as z:
            info = z.getinfo("docProps/custom.xml")
            return z.read(info) if info.file_size < 1 << 20 else b""
    except (OSError, KeyError, zipfile.BadZipFile, RuntimeError, ValueError):
        return b""


def _is_own_output(path: str) -> bool:
    return OUTPUT_MARK.encode() in _custom_properties(path)


_COPY_OF_RE = re.compile(rb'<property\b[^>]*\bname="' + re.escape(COPY_OF.encode()) + rb'"[^>]*>\s*<vt:lpwstr>([0-9a-f]{64})</vt:lpwstr>')


def _copy_of(path: str) -> str | None:
    """The sha256 of the workbook *path* is a review copy of (docs/review-loop.md), or ``None``."""
    m = _COPY_OF_RE.search(_custom_properties(path))
    return m.group(1).decode() if m else None


def _stat(path: str) -> tuple[str | None, int | None]:
    try:
        return file_sha256(path), os.stat(path).st_mtime_ns
    except OSError:
        return None, None


def _manifest_entry(path: str, manifests: dict[str, Manifest], used: set[tuple[str, str]]):  # noqa: ANN202
    for folder in Path(os.path.abspath(path)).parents:
        man = manifests.get(str(folder))
        entry = man.lookup(path) if man else None
        if entry is not None:
            used.add((str(folder), entry.file))
            return entry, f"{man.path} 第 {entry.row} 行"
    return None, None


def consolidate(paths: list[str], *, progress: Progress | None = None, workers: int | None = None,
                import_fn: Callable[..., ImportResult] = import_workbook,
                memory_limit: int | None = DEFAULT_MEMORY_LIMIT, labels: dict | None = None) -> Consolidation:
    """Import and consolidate every submission under *paths* (module doc).

    *progress* wraps the stream of finished imports (``progress(iterable, total)``, e.g.
    a progress bar). *workers*: processes (default ``min(cpu_count, 4)``; 1 = in this
    process, no isolation). *import_fn* replaces ``import_workbook`` (tests and
    benchmark only; module-level, same signature). *memory_limit*: bytes per worker.
    *labels*: wordings added to templates/labels.toml (``--labels FILE``), handed to
    every worker. Never raises for bad input: unreadable files are ``failed`` rows of ``sources``.
    """
    files, manifests = discover(paths)
    used: set[tuple[str, str]] = set()
    inputs: list[SourceFile] = []
    tasks: list[ImportTask] = []
    todo: list[SourceFile] = []
    first_by_sha: dict[str, SourceFile] = {}
    stats = {path: _stat(path) for path in files}
    path_by_sha: dict[str, str] = {}
    for path, (sha, _) in stats.items():
        if sha is not None:
            path_by_sha.setdefault(sha, path)
    for path in files:
        sha, mtime = stats[path]
        inp = SourceFile(path, sha, mtime)
        inputs.append(inp)
        entry, inp.manifest_row = _manifest_entry(path, manifests, used)
        origin = path_by_sha.get(_copy_of(path) or "") if entry is None and manifests else None
        if origin is not None and origin != path:  # a review copy beside its original: the original's row
            entry, row = _manifest_entry(origin, manifests, set())
            inp.manifest_row = f"{row}（审核副本，沿用原文件 {origin} 的行）" if row else None
        if sha is not None and sha in first_by_sha:
            first = first_by_sha[sha]
            inp.status, inp.reason = "duplicate", f"与 {first.path} 内容完全相同（sha256 相同），已跳过"
            inp.extra.append((finding("submission-duplicate", sheet=None, cell=None, file=path,
                                      params={"other": first.path}), None))
            continue
        if sha is not None:
            first_by_sha[sha] = inp
        tasks.append(ImportTask(path, entry.region if entry else None, entry.year if entry else None, import_fn, labels))
        todo.append(inp)  # todo[i] is the input of tasks[i]
    stream: Iterable[Outcome[FileRows]] = run_isolated(import_and_flatten, tasks, workers=workers or default_workers(),
                                                       memory_limit=memory_limit, prepare=prepare_batch)
    for out in (progress(stream, len(tasks)) if progress else stream):
        _settle(todo[out.index], out)
    _resolve_keys(inputs)
    manifest_findings = [f for m in manifests.values() for f in m.findings]
    for folder, man in manifests.items():
        for entry in man.entries.values():
            if (folder, entry.file) not in used:
                manifest_findings.append(finding("manifest-file-missing", sheet=os.path.basename(man.path),
                                                 cell=f"A{entry.row}", file=man.path, text=entry.file,
                                                 params={"row": entry.row}))
    if not files:
        manifest_findings.append(finding("merge-no-files", sheet=None, cell=None, params={"paths": "、".join(paths)}))
    return build_tables(inputs, manifest_findings)


def _settle(inp: SourceFile, out: Outcome[FileRows]) -> None:
    if out.value is not None and out.value.failure is None:
        inp.rows = out.value
        _project_duplicates(inp)
        return
    inp.status = "failed"
    if out.value is not None:
        inp.rows = out.value  # keeps the reader's finding (file-xls, zip-bomb ...)
        inp.reason = out.value.failure or ""
    else:
        inp.reason = _chinese(out.failure or "")
        inp.extra.append((finding("import-crashed", sheet=None, cell=None, file=inp.path,
                                  params={"reason": inp.reason}), None))


def _chinese(failure: str) -> str:
    """The Chinese half of a worker failure (``中文 / English``, :mod:`xlperf.isolation`):
    what a person reads in xlperf's outputs is Chinese (docs/cli.md)."""
    return failure.split(" / ")[0]


def _project_duplicates(inp: SourceFile) -> None:
    keys = [row.code or row.name for row in inp.rows.projects]  # type: ignore[union-attr]
    counts = Counter(k for k in keys if k)
    for key, n in counts.items():
        if n > 1:
            second = [row for row, k in zip(inp.rows.projects, keys) if k == key][1]  # type: ignore[union-attr]
            inp.extra.append((finding("project-duplicate", sheet=second.sheet, cell=second.cell, file=inp.path,
                                      params={"project": key, "count": n}), second.name))


def _key(inp: SourceFile) -> tuple | None:
    r = inp.rows
    if inp.status != "imported" or r is None or r.region is None or not (r.region.county and r.department and r.year):
        return None
    return (r.region.province, r.region.city, r.region.county, r.department, r.year)


def _newer(a: SourceFile, b: SourceFile) -> tuple[int, str]:
    """(1 if *a* is newer, -1 if older, 0 if they cannot be ordered; why)."""
    da, db = a.rows.fill_date, b.rows.fill_date  # type: ignore[union-attr]
    if da and db and _ISO_DATE.match(da) and _ISO_DATE.match(db) and da != db:
        return (1 if da > db else -1), f"填报日期 {max(da, db)} 晚于 {min(da, db)}"
    if a.mtime is not None and b.mtime is not None and a.mtime != b.mtime:
        ta, tb = sorted((local_time(a.mtime), local_time(b.mtime)))
        return (1 if a.mtime > b.mtime else -1), f"文件修改时间 {tb} 晚于 {ta}（填报日期无法比较）"
    return 0, ""


def _resolve_keys(inputs: list[SourceFile]) -> None:
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
            old.changes = compare(old.rows, newest.rows).summary()  # type: ignore[arg-type] - both imported
            old.extra.append((finding("submission-replaced", sheet=None, cell=None, file=old.path,
                                      params={"newer": f"{newest.path}（{why}）"}), None))
            newest.reason = "；".join(filter(None, [newest.reason, f"替代了 {old.path}（{why}）"]))
        if len(tops) > 1:
            for t in tops:
                others = "、".join(o.path for o in tops if o is not t)
                t.reason = "；".join(filter(None, [t.reason, f"与 {others} 同一地区、部门、年度，无法判断先后，均已导入"]))
                t.extra.append((finding("submission-key-conflict", sheet=None, cell=None, file=t.path,
                                        params={"other": others}), None))
