"""What a clerk sees in a real terminal: run through a pseudo-terminal of a given size
(no COLUMNS variable: the width comes from the terminal itself, as for a person).

Before, at 80 columns ``xlperf import samples/002_hongsibu_2025.xlsx`` printed 347 lines,
``881.7497`` / ``46`` split across lines, codes and file names broken."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from helpers import SAMPLES

from xlperf.importer import import_workbook
from xlperf.lines import cell_len, wrap

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def run_in_terminal(args: list[str], *, columns: int, rows: int = 40) -> list[str]:
    """Run ``xlperf *args`` with a pseudo-terminal of *columns* × *rows* as its stdout
    and stderr; return the lines it printed, colour codes removed."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["TERM"] = "xterm-256color"
    proc = subprocess.Popen([sys.executable, "-m", "xlperf.cli", *args], stdin=slave, stdout=slave, stderr=slave,
                            env=env, close_fds=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(master)
    text = _ANSI.sub("", b"".join(chunks).decode("utf-8", "replace")).replace("\r\n", "\n")
    lines = [line.rsplit("\r", 1)[-1] for line in text.split("\n")]  # a progress bar redraws its line
    return [line for line in lines if line.strip()]


def test_an_80_column_terminal_gets_a_compact_report_with_nothing_split() -> None:
    lines = run_in_terminal(["import", str(SAMPLES / "002_hongsibu_2025.xlsx")], columns=80)
    assert max(cell_len(line) for line in lines) <= 80, max(lines, key=cell_len)
    r = import_workbook(str(SAMPLES / "002_hongsibu_2025.xlsx"))
    assert len(lines) <= 3 * len(r.report.findings), len(lines)  # before: 347 lines for 53 findings
    text = "\n".join(lines)
    assert "881.749746" in text and "002_hongsibu_2025.xlsx" in text  # numbers and file names whole
    for f in r.report.findings:  # every code and cell reference on one line
        assert any(f"（{f.code}）" in line for line in lines), f.code
        assert any(f.where in line for line in lines), f.where
    assert "┃" not in text  # no table squeezed into 80 columns


def test_a_wide_terminal_gets_tables() -> None:
    lines = run_in_terminal(["import", str(SAMPLES / "000_pengyang_2024.xlsx"), str(SAMPLES / "003_zengcheng_2024.xlsx")],
                            columns=180)
    assert max(cell_len(line) for line in lines) <= 180
    text = "\n".join(lines)
    assert "┃ 文件" in text and "1295.82" in text and "494.56" in text


def test_merge_summary_at_80_columns() -> None:
    lines = run_in_terminal(["merge", str(SAMPLES), "--dry-run"], columns=80)
    assert max(cell_len(line) for line in lines) <= 80
    text = "\n".join(lines)
    assert "881.749746 万元" in text and "1295.82 万元" in text


@pytest.mark.parametrize("text, width", [
    ("“项目年度金额”的“2,8505”无法确定数值：逗号前有 1 位数字，可能是 2.8505，也可能是 28505。", 20),
    ("警告 表14!H8  指标表的“绩效值”列与数据不对齐（表头在 H 列，数据在 E 列），已按数据所在列读取。（header-shifted）", 30),
    ("第一行\n第二行很长很长很长很长很长很长", 8),
])
def test_wrap_keeps_numbers_codes_and_references_whole(text: str, width: int) -> None:
    lines = wrap(text, width)
    assert all(cell_len(line) <= width for line in lines)
    for token in re.findall(r"[!-~]+|\S+![A-Z]+\d+", text):
        assert any(token in line for line in lines), token
    assert not any(line.lstrip().startswith(tuple("，。；：、）")) for line in lines)
    assert "".join("".join(lines).split()) == "".join(text.split())  # nothing lost


def test_module_entry_point_exists() -> None:
    assert (Path(__file__).parents[1] / "xlperf" / "cli.py").read_text(encoding="utf-8").count('__name__ == "__main__"') == 1
