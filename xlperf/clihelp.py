"""The command line's own words in Chinese: help pages, usage errors, ``-h``, examples.

typer (with its bundled click) writes ``Usage:``, ``Options``, ``Show this message and
exit.``, ``[default: …]`` and its error messages (``Missing argument 'FILES...'``) in
English. The command classes here write the same pages in Chinese, so a clerk reads one
language:

* :class:`ChineseCommand` – help page: ``用法：``, ``参数`` / ``选项`` sections, the
  command's examples (its ``epilog``, printed line by line under ``示例：``);
* :class:`ChineseGroup` – the ``xlperf`` group: the ``命令`` section, and :meth:`main`
  that turns every usage error into ``错误：…`` plus the usage line and where to find help
  (exit code 2) and an unexpected exception into one Chinese line, never a traceback.

Every command registered on a :class:`ChineseGroup` is given the Chinese pages, also one
added with a plain ``@app.command``. docs/cli.md describes the conventions.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from .errors import os_reason
from .lines import cell_len, wrap

__all__ = ["ChineseCommand", "ChineseGroup", "usage_error_text"]

_click = typer.core._click  # the click bundled with typer: its exception classes
_HELP_TEXT = "显示本帮助并退出"
_EXTRA = (("[default: ", "[默认："), ("[required]", "[必填]"), ("; required]", "；必填]"), ("default: ", "默认："))


def _chinese_records(records: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out = []
    for term, text in records:
        for en, zh in _EXTRA:
            text = text.replace(en, zh)
        out.append((term, text))
    return out


def _format_params(cmd: Any, ctx: Any, formatter: Any) -> None:
    """The 参数 and 选项 sections of *cmd*'s help page."""
    args, opts = [], []
    for param in cmd.get_params(ctx):
        if param.param_type_name == "argument":  # its name as the usage shows it, no Python type
            if not param.hidden:
                name = (param.metavar or param.name) + ("..." if param.nargs != 1 else "")
                args.append((name, (param.help or "") + ("  [必填]" if param.required else "")))
        elif (record := param.get_help_record(ctx)) is not None:
            opts.append(record)
    for title, records in (("参数", args), ("选项", opts)):
        if records:
            _section(formatter, title, _chinese_records(records))


def _section(formatter: Any, title: str, rows: list[tuple[str, str]]) -> None:
    """A titled list of (term, help), aligned and wrapped by display width (a Chinese
    character takes two columns; click counts one), never inside a number or option."""
    formatter.write_paragraph()
    formatter.write(f"{'':>{formatter.current_indent}}{title}：\n")
    indent = formatter.current_indent + formatter.indent_increment
    first = min(max(cell_len(t) for t, _ in rows), 26) + 2
    avail = max(formatter.width - indent - first, 20)
    for term, text in rows:
        lines = wrap(text, avail) or [""]
        pad = first - cell_len(term)
        if pad < 2:  # a long term: its help starts on the next line
            formatter.write(f"{'':>{indent}}{term}\n")
            formatter.write(f"{'':>{indent + first}}{lines[0]}\n")
        else:
            formatter.write(f"{'':>{indent}}{term}{'':>{pad}}{lines[0]}\n")
        for line in lines[1:]:
            formatter.write(f"{'':>{indent + first}}{line}\n")


def _join_lines(paragraph: str) -> str:
    """A docstring paragraph as one line: lines joined by a space, or by nothing between
    two Chinese characters (a space there would show in the text)."""
    out = ""
    for line in (ln.strip() for ln in paragraph.splitlines()):
        if out and line and not (ord(out[-1]) > 0x2E7F and ord(line[0]) > 0x2E7F):
            out += " "
        out += line
    return out


def _format_text(cmd: Any, formatter: Any) -> None:
    """The command's help text, each paragraph wrapped by display width."""
    if not cmd.help:
        return
    indent = formatter.current_indent + formatter.indent_increment
    for para in inspect.cleandoc(cmd.help).partition("\f")[0].split("\n\n"):
        formatter.write_paragraph()
        for line in wrap(_join_lines(para), max(formatter.width - indent, 20)):
            formatter.write(f"{'':>{indent}}{line}\n")


def _format_examples(cmd: Any, formatter: Any) -> None:
    """The command's ``epilog`` as 示例：, one line each (click would re-wrap them)."""
    if not cmd.epilog:
        return
    formatter.write_paragraph()
    formatter.write(f"{'':>{formatter.current_indent}}示例：\n")
    for line in cmd.epilog.strip().splitlines():
        formatter.write(f"{'':>{formatter.current_indent + formatter.indent_increment}}{line.strip()}\n")


def _usage_pieces(cmd: Any, ctx: Any) -> list[str]:
    """``[选项]`` then each argument as ``文件...`` (required) or ``[文件]`` (optional)."""
    pieces = ["[选项]"] if any(p.param_type_name == "option" for p in cmd.get_params(ctx)) else []
    for p in cmd.get_params(ctx):
        if p.param_type_name == "argument":
            name = p.metavar or p.name
            name += "..." if p.nargs != 1 else ""
            pieces.append(name if p.required else f"[{name}]")
    return pieces


class _ChinesePages:
    """What a command and the group share: the page as plain text (typer would switch to its
    English rich panels when a markup mode is set), the help text wrapped by display width,
    the examples, ``-h, --help  显示本帮助并退出``."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        """Usage, help text, 参数 / 选项 (/ 命令), examples."""
        self.format_usage(ctx, formatter)  # type: ignore[attr-defined]
        self.format_help_text(ctx, formatter)
        self.format_options(ctx, formatter)  # type: ignore[attr-defined]
        self.format_epilog(ctx, formatter)

    def format_help_text(self, ctx: Any, formatter: Any) -> None:
        """The help text, wrapped by display width."""
        _format_text(self, formatter)

    def format_epilog(self, ctx: Any, formatter: Any) -> None:
        """The examples."""
        _format_examples(self, formatter)

    def get_help_option(self, ctx: Any) -> Any:
        """click's help option with the Chinese help text."""
        opt = super().get_help_option(ctx)  # type: ignore[misc]
        if opt is not None:
            opt.help = _HELP_TEXT
        return opt


class ChineseCommand(_ChinesePages, TyperCommand):
    """A typer command whose help page is in Chinese and ends with its examples."""

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        """``用法：xlperf import [选项] 文件...``"""
        formatter.write_usage(ctx.command_path, " ".join(_usage_pieces(self, ctx)), prefix="用法：")

    def format_options(self, ctx: Any, formatter: Any) -> None:
        """参数 and 选项, with ``[默认：…]`` / ``[必填]``."""
        _format_params(self, ctx, formatter)


class ChineseGroup(_ChinesePages, TyperGroup):
    """The ``xlperf`` group: Chinese help and errors for itself and every command on it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.context_settings.setdefault("help_option_names", ["-h", "--help"])  # inherited by every command
        for name, cmd in list(self.commands.items()):  # a command added without cls=ChineseCommand
            if type(cmd) is TyperCommand:
                chinese = ChineseCommand.__new__(ChineseCommand)
                chinese.__dict__.update(cmd.__dict__)  # the same command, with the Chinese pages
                self.commands[name] = chinese

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        """``用法：xlperf [选项] 命令 [参数]...``"""
        formatter.write_usage(ctx.command_path, "[选项] 命令 [参数]...", prefix="用法：")

    def format_options(self, ctx: Any, formatter: Any) -> None:
        """选项, then 命令 (each command's first help line)."""
        _format_params(self, ctx, formatter)
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit=200)))
        if rows:
            _section(formatter, "命令", rows)

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None, **extra: Any) -> Any:
        """Run the command line; exits with the command's code (0, 1, 2), with 2 after a
        usage error (printed in Chinese) and 130 after Ctrl-C. An unexpected exception is
        one Chinese line on stderr and exit code 2, never a traceback."""
        extra.pop("standalone_mode", None)
        try:
            rv = super().main(args=args, prog_name=prog_name, standalone_mode=False, **extra)
        except _click.exceptions.NoArgsIsHelpError as exc:  # ``xlperf`` alone: the help, as a usage error
            _click.echo(exc.ctx.get_help())
            sys.exit(2)
        except _click.exceptions.UsageError as exc:
            _click.echo(usage_error_text(exc), err=True)
            sys.exit(2)
        except (typer.Abort, KeyboardInterrupt):
            _click.echo("已中止。", err=True)
            sys.exit(130)
        except _click.exceptions.ClickException as exc:
            _click.echo(f"错误：{exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except OSError as exc:  # the system refused something (no process, no memory, a folder): say what
            where = f"（{exc.filename}）" if exc.filename else ""
            _click.echo(f"错误：系统拒绝了操作{where}：{os_reason(exc)}。请关闭其他程序后重试。", err=True)
            sys.exit(2)
        except Exception as exc:  # noqa: BLE001 - the last guard: a clerk never sees a traceback
            _click.echo(f"xlperf 内部错误（{type(exc).__name__}：{exc}）。请把所用的命令和文件发给 xlperf 维护人员。", err=True)
            sys.exit(2)
        sys.exit(rv if isinstance(rv, int) else 0)


def usage_error_text(exc: Any) -> str:
    """A click usage error as Chinese lines: the usage, ``错误：…`` and where to find help."""
    ctx = exc.ctx
    lines = []
    if ctx is not None:
        lines.append(ctx.get_usage())
    lines.append(f"错误：{_usage_message(exc)}")
    if ctx is not None:
        lines.append(f"查看帮助：{ctx.command_path} -h")
    return "\n".join(lines)


def _param_name(exc: Any) -> str:
    hint = getattr(exc, "param_hint", None)
    if hint is None and getattr(exc, "param", None) is not None:
        hint = exc.param.get_error_hint()
    if isinstance(hint, (list, tuple)):
        hint = " / ".join(hint)
    return (hint or "").replace("'", "")


def _usage_message(exc: Any) -> str:
    ex = _click.exceptions
    if isinstance(exc, ex.MissingParameter):
        kind = "参数" if (exc.param_type or getattr(exc.param, "param_type_name", "")) == "argument" else "选项"
        return f"缺少{kind} {_param_name(exc)}。"
    if isinstance(exc, ex.BadParameter):
        name, text = _param_name(exc), exc.message
        if m := re.search(r"'(.*)' is not one of (.*)\.$", text):
            choices = "、".join(v.strip().strip("'") for v in m.group(2).split(","))
            text = f"“{m.group(1)}”不是可选的值，只能是 {choices}。"
        elif m := re.search(r"'(.*)' is not a valid (integer|float)", text):
            text = f"“{m.group(1)}”不是数字。"
        elif "valid integer" in text:  # typer's own conversion (pydantic)
            text = "应为整数。"
        # our own checks already name the option (xlperf.inputs): do not say it twice
        named = any(text.startswith(n) for n in name.split(" / "))
        return text if named else f"{name} 的值不正确：{text}"
    if isinstance(exc, ex.NoSuchOption):
        guess = f"（是不是 {'、'.join(sorted(exc.possibilities))}？）" if exc.possibilities else ""
        return f"没有选项 {exc.option_name}{guess}。"
    if isinstance(exc, ex.BadOptionUsage):
        if "requires" in exc.message:
            return f"选项 {exc.option_name} 后面要写一个值。"
        if "does not take a value" in exc.message:
            return f"选项 {exc.option_name} 后面不能写值。"
    text = exc.message
    if m := re.match(r"Got unexpected extra arguments? \((.*)\)", text):
        return f"多余的参数：{m.group(1)}（路径中有空格时请加引号）。"
    if m := re.match(r"No such command '(.*)'", text):
        names = "、".join(exc.ctx.command.list_commands(exc.ctx)) if exc.ctx else ""
        return f"没有命令“{m.group(1)}”。可用的命令：{names}。"
    if text.startswith("Missing command"):
        return "缺少命令。"
    return text
