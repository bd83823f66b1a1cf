"""Help pages and usage errors read in one language, with examples, at a terminal's width.

Before: no command showed an example; typer/click's English (``Usage:``, ``Options``,
``Show this message and exit.``, ``[default: …]``) stood beside the Chinese descriptions;
Python type names leaked (``<list[Path]>``, ``<int range>``); ``--format`` did not list
its choices; no ``-h``, no ``--version``; a wrong option answered ``Error: No such option``.
"""

from __future__ import annotations

import re
from importlib.metadata import version

import pytest
import typer
from rich.cells import cell_len
from typer.testing import CliRunner

from xlperf.cli import app

runner = CliRunner()
COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
ENGLISH = ("Usage", "Options", "Arguments", "Commands", "Show this message", "[default", "[required]", "Error",
           "Try '", "Missing", "Invalid value")
TYPE_NAMES = re.compile(r"<(list|int|str|path|Path|bool|float)[^>]*>|\b(INTEGER|TEXT|PATH)\b")


def help_of(*args: str, columns: int = 80) -> str:
    result = runner.invoke(app, [*args, "-h"], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    assert result.output == runner.invoke(app, [*args, "--help"], env={"COLUMNS": str(columns)}).output
    return result.output


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_is_chinese_with_examples_and_no_type_names(command: str) -> None:
    out = help_of(*([command] if command else []))
    assert out.startswith("用法：xlperf")
    assert not [w for w in ENGLISH if w in out], out
    assert not TYPE_NAMES.search(out), out
    examples = out.split("示例：", 1)[1].strip().splitlines()
    assert examples and all(line.strip().startswith("xlperf") for line in examples), out
    if command:
        assert any(line.strip().startswith(f"xlperf {command}") for line in examples)
    assert "显示本帮助并退出" in out


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_fits_an_80_column_terminal(command: str) -> None:
    out = help_of(*([command] if command else []), columns=80)
    assert max(cell_len(line) for line in out.splitlines()) <= 80, out


def test_format_lists_its_choices_and_version() -> None:
    assert "--format table|json" in help_of("import")
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"xlperf {version('xlperf')}"


@pytest.mark.parametrize("args, says", [
    (["import"], "缺少参数 文件"),
    (["import", "a.xlsx", "--bogus"], "没有选项 --bogus"),
    (["import", "a.xlsx", "--format", "xml"], "“xml”不是可选的值，只能是 table、json"),
    (["import", "a.xlsx", "--year"], "选项 --year 后面要写一个值"),
    (["template", "--projects", "abc"], "--projects 的值不正确：应为整数"),
    (["template", "--projects", "0"], "项目表张数 0 不在 1-200 之间"),
    (["frob"], "没有命令“frob”"),
])
def test_usage_errors_are_chinese(args: list[str], says: str) -> None:
    result = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert says in result.output, result.output
    assert not [w for w in ENGLISH if w in result.output], result.output
    assert "Traceback" not in result.output


def test_every_command_added_later_gets_the_chinese_pages() -> None:
    """A command registered with a plain ``@app.command`` (as other modules may add) is
    given the Chinese help and errors too."""
    from xlperf.clihelp import ChineseCommand

    group = typer.main.get_command(app)
    assert all(isinstance(cmd, ChineseCommand) for cmd in group.commands.values())  # type: ignore[attr-defined]
    extra = typer.Typer(cls=type(group))

    @extra.command("x")
    def _x() -> None:
        """说明。"""

    @extra.command("y")
    def _y() -> None:
        """说明。"""

    out = runner.invoke(extra, ["x", "-h"]).output
    assert out.startswith("用法：") and "显示本帮助并退出" in out
