"""A merge that is stopped (kill -9, SIGTERM, Ctrl-C) or runs out of disk leaves nothing
behind: no worker process, no temporary file (xlperf's, multiprocessing's or
xlsxwriter's); what a killed run left is removed by the next run. Messages are one
Chinese line, never a traceback."""

from __future__ import annotations

import errno
import gc
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from helpers import SAMPLES, build_project_workbook
from typer.testing import CliRunner

import xlperf.render
from xlperf.cli import app
from xlperf.consolidate.merge import consolidate
from xlperf.consolidate.spool import PREFIX, SpoolFolder
from xlperf.errors import OutputError
from xlperf.isolation import lock_file, locked_tempdir, remove_stale_tempdirs
from xlperf.writers.atomic import write_text_atomic
from xlperf.writers.outputs import xlsx

HERE = Path(__file__).resolve().parent

_KILLED_MERGE = r"""
import sys
sys.path[:0] = [sys.argv[3], sys.argv[4]]
import tempfile
tempfile.tempdir = sys.argv[2]
from pipeline_helpers import slow_import
from xlperf.consolidate.merge import consolidate
consolidate([sys.argv[1]], workers=2, import_fn=slow_import)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is gone for our purpose
        return Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _folder(tmp_path: Path, n: int = 3) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    for i in range(n):
        build_project_workbook(src / f"f{i}.xlsx", projects=[(f"项目{i}", i + 1, None)])
    return src


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc (Linux) to watch the workers")
def test_kill_9_leaves_no_worker_and_the_next_run_removes_its_files(tmp_path: Path) -> None:
    src = _folder(tmp_path)
    tmp = Path(tempfile.mkdtemp(prefix="xt", dir="/tmp"))  # short: the fork server's socket sits in it
    try:
        _kill_9(src, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _kill_9(src: Path, tmp: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_MERGE, str(src), str(tmp), str(HERE), str(HERE.parent)])
    pids = src / "pids"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(pids.glob("*")) if pids.exists() else []) < 2:
        time.sleep(0.1)
    workers = [int(p.name) for p in pids.glob("*")]
    assert len(workers) == 2, "the workers never started"
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.1)
    assert not [w for w in workers if _alive(w)]  # before: four processes outlived a kill -9 by 50 s and more
    left = sorted(p.name.split("-")[1] for p in tmp.iterdir())
    assert left == ["merge", "mp"]  # the spool and multiprocessing's folder, each with a lock nobody holds
    SpoolFolder(str(tmp)).close()  # the next merge
    remove_stale_tempdirs("xlperf-mp-", str(tmp))  # the next run's fork server start does this
    assert list(tmp.iterdir()) == []


def test_a_folder_held_by_a_live_process_is_kept(tmp_path: Path) -> None:
    live, fd = locked_tempdir(PREFIX, str(tmp_path))
    try:
        assert remove_stale_tempdirs(PREFIX, str(tmp_path)) == []
        assert os.path.isdir(live)
    finally:
        os.close(fd)  # type: ignore[arg-type]
    assert remove_stale_tempdirs(PREFIX, str(tmp_path)) == [live]


def test_a_temporary_output_left_by_a_killed_run_is_removed_when_the_target_is_written_again(tmp_path: Path) -> None:
    stale = tmp_path / ".out.json.0123456789ab.tmp"
    stale.write_text("half", encoding="utf-8")
    busy = tmp_path / ".out.json.ba9876543210.tmp"
    held = lock_file(str(busy))  # another run writing the same target right now
    try:
        write_text_atomic(str(tmp_path / "out.json"), "{}")
        assert not stale.exists() and busy.exists()
    finally:
        os.close(held)  # type: ignore[arg-type]
    assert sorted(p.name for p in tmp_path.iterdir()) == [busy.name, "out.json"]


def test_sigterm_stops_the_merge_with_one_line_and_nothing_left(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = _folder(tmp_path, 4)
    mine = f"{PREFIX}{os.getpid()}-"
    before = {p for p in Path(tempfile.gettempdir()).iterdir() if p.name.startswith(mine)}

    def terminated_after_one(items, **_kw):  # noqa: ANN001, ANN202 - a service manager stopping the run
        for i, item in enumerate(items):
            if i == 1:
                os.kill(os.getpid(), signal.SIGTERM)
            yield item

    monkeypatch.setattr(xlperf.render, "progress_iter", terminated_after_one)
    out = tmp_path / "out.xlsx"
    res = CliRunner().invoke(app, ["merge", str(src), "-o", str(out)])
    assert res.exit_code == 143, res.output
    assert "已中断" in res.output and "Traceback" not in res.output
    assert not out.exists()
    assert {p for p in Path(tempfile.gettempdir()).iterdir() if p.name.startswith(mine)} == before  # its spool is gone
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # the handler was the command's only


_NO_SIGXFSZ = "import signal, resource, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN)"


def _limited(limit: int):  # noqa: ANN202 - a preexec_fn
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_full_temporary_folder_stops_the_merge_with_a_message(tmp_path: Path) -> None:
    """No file may grow past 20 KB, as on a full disk: the spool cannot take the rows.
    Before: a Python traceback, exit 1, and xlsxwriter's files left in TMPDIR."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    out = tmp_path / "out" / "c.xlsx"
    env = dict(os.environ, TMPDIR=str(tmp), PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run([shutil.which("xlperf") or "xlperf", "merge", str(SAMPLES), "-o", str(out)], env=env,
                          preexec_fn=_limited(20_000), capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "临时文件夹" in proc.stderr and "文件超出大小上限" in proc.stderr and "TMPDIR" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert list(tmp.iterdir()) == [] and not out.exists()


class _DiskFullAfter(xlsx._QuietAfterError):  # noqa: SLF001 - the output file of the workbook writer
    """The output disk fills up after 4 KB of the workbook."""

    def _write(self, data: object) -> int:
        if self.tell() > 4096:
            raise OSError(errno.ENOSPC, "No space left on device")
        return super()._write(data)


def test_a_full_output_disk_is_one_message_without_a_second_traceback(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: the zip writer's own clean-up (ZipFile.__del__) failed again and printed
    'Exception ignored in ... ZipFile.__del__' with a second traceback."""
    result = consolidate([str(SAMPLES)], workers=1)
    out = tmp_path / "c.xlsx"
    out.write_bytes(b"the earlier output")
    unraisable: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    monkeypatch.setattr(xlsx, "_QuietAfterError", _DiskFullAfter)
    with pytest.raises(OutputError, match="磁盘空间已满"):
        xlsx.write_consolidated(result, str(out))
    gc.collect()
    assert unraisable == []
    assert out.read_bytes() == b"the earlier output"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.xlsx"]
    result.close()
