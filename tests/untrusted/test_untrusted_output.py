"""Outputs go through atomic_path: a failure (disk full, read-only folder, a writer that
dies half-way) leaves the earlier file intact and no temporary file behind.

Disk full is simulated by making ``os.replace``, ``os.fsync`` or the write itself raise
``OSError(ENOSPC)``; a read-only folder by ``chmod 555`` plus an ``os.open`` that
refuses (the suite may run as root, which ignores permission bits)."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import xlsxwriter
from typer.testing import CliRunner

from xlperf.cli import app
from xlperf.errors import OutputError
from xlperf.readers.xlsx import read_workbook
from xlperf.writers import atomic
from xlperf.writers.atomic import atomic_path, write_text_atomic

runner = CliRunner()
OLD = '{"old": "这份旧文件必须保持原样"}'


def _disk_full(*_args: object, **_kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    (out / "result.json").write_text(OLD, encoding="utf-8")
    return out


def _left(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("failing", ["replace", "fsync", "write"])
def test_disk_full_leaves_the_old_file_and_no_temp(failing: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = folder / "result.json"
    if failing == "write":
        real_open = open

        class _Half:  # writes half, then the disk is full
            def __init__(self, fh: object) -> None:
                self._fh = fh

            def __enter__(self) -> _Half:
                return self

            def __exit__(self, *exc: object) -> None:
                self._fh.close()  # type: ignore[attr-defined]

            def write(self, data: bytes) -> int:
                self._fh.write(data[: len(data) // 2])  # type: ignore[attr-defined]
                _disk_full()
                return 0

        monkeypatch.setattr(atomic, "open", lambda p, m="r", *a, **k: _Half(real_open(p, m, *a, **k)), raising=False)
    else:
        monkeypatch.setattr(os, failing, _disk_full)
    with pytest.raises(OutputError) as info:
        write_text_atomic(str(target), '{"new": 1}' * 1000)
    assert "原文件未改动" in str(info.value) and str(target) in str(info.value)
    assert target.read_text(encoding="utf-8") == OLD
    assert _left(folder) == ["result.json"]


def _refuse_in(folder: Path) -> Callable[..., int]:
    real = os.open

    def fake(path: str | os.PathLike[str], flags: int, *args: object, **kwargs: object) -> int:
        if os.path.dirname(os.path.abspath(path)) == str(folder) and flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    return fake


@pytest.fixture
def read_only(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder.chmod(0o555)
    monkeypatch.setattr(os, "open", _refuse_in(folder))
    try:
        yield folder
    finally:
        folder.chmod(0o755)


def test_read_only_folder(read_only: Path) -> None:
    target = read_only / "result.json"
    with pytest.raises(OutputError) as info:
        write_text_atomic(str(target), "{}")
    assert "无法在" in str(info.value) and "创建文件" in str(info.value)
    assert target.read_text(encoding="utf-8") == OLD
    with pytest.raises(OutputError):
        write_text_atomic(str(read_only / "new.json"), "{}")
    assert _left(read_only) == ["result.json"]


def test_a_writer_dying_half_way_leaves_the_old_workbook(tmp_path: Path) -> None:
    target = tmp_path / "汇总.xlsx"
    wb = xlsxwriter.Workbook(str(target))
    wb.add_worksheet("概览").write_string(0, 0, "旧的汇总")
    wb.close()
    with pytest.raises(RuntimeError, match="boom"), atomic_path(str(target)) as tmp:
        new = xlsxwriter.Workbook(tmp)
        new.add_worksheet("概览").write_string(0, 0, "新的汇总")
        raise RuntimeError("boom")
    assert read_workbook(str(target)).sheets[0].cells == {(0, 0): "旧的汇总"}
    assert _left(tmp_path) == ["汇总.xlsx"]


def test_disk_full_on_an_xlsxwriter_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "汇总.xlsx"
    wb = xlsxwriter.Workbook(str(target))
    wb.add_worksheet("概览").write_string(0, 0, "旧的汇总")
    wb.close()
    monkeypatch.setattr(os, "replace", _disk_full)
    with pytest.raises(OutputError), atomic_path(str(target)) as tmp:
        new = xlsxwriter.Workbook(tmp)
        new.add_worksheet("概览").write_string(0, 0, "新的汇总")
        new.close()
    monkeypatch.undo()
    assert read_workbook(str(target)).sheets[0].cells == {(0, 0): "旧的汇总"}
    assert _left(tmp_path) == ["汇总.xlsx"]


def test_success_replaces_with_the_usual_permissions(folder: Path) -> None:
    # a replaced file keeps its own mode (not the default one, so this tells them apart)
    target = folder / "result.json"
    target.chmod(0o640)
    write_text_atomic(str(target), '{"new": 1}')
    assert target.read_text(encoding="utf-8") == '{"new": 1}'
    assert target.stat().st_mode & 0o777 == 0o640
    # a new file gets what ``open`` would give it (0666 less the umask), not a temp file's 0600
    umask = os.umask(0)
    os.umask(umask)
    fresh = folder / "new.json"
    write_text_atomic(str(fresh), '{"new": 2}')
    assert fresh.read_text(encoding="utf-8") == '{"new": 2}'
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask
    assert _left(folder) == ["new.json", "result.json"]


def test_cli_import_json_on_a_full_disk(folder: Path, build: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch) -> None:
    target = folder / "result.json"
    monkeypatch.setattr(os, "replace", _disk_full)
    result = runner.invoke(app, ["import", str(build("merged-levels")), "--json", str(target)])
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    assert "原文件未改动" in result.output
    assert target.read_text(encoding="utf-8") == OLD
    assert _left(folder) == ["result.json"]


def test_cli_import_json_into_a_read_only_folder(read_only: Path, build: Callable[[str], Path]) -> None:
    result = runner.invoke(app, ["import", str(build("merged-levels")), "--json", str(read_only / "result.json")])
    assert result.exit_code == 2 and "无法在" in result.output
    assert (read_only / "result.json").read_text(encoding="utf-8") == OLD
    assert _left(read_only) == ["result.json"]
