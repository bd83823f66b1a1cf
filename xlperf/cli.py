"""The ``xlperf`` command line: parse options, call one library function, render.

Exit codes (every command): 0 = done, no error-severity finding; 1 = done, with
error-severity findings; 2 = an input could not be read at all (or a usage error).
Messages are in Chinese for clerks; ``--help`` on every command.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from .consolidate.tables import SOURCES
from .model import Region

app = typer.Typer(
    name="xlperf",
    help="预算绩效目标表格工具：生成标准模板、导入审核、多县汇总。\n\n"
    "Spreadsheet round-trip toolkit for Chinese budget performance targets (预算绩效目标).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _region(value: str | None) -> Region | None:
    """``省/市/县[/代码]`` -> Region; empty parts stay unknown."""
    if not value:
        return None
    parts = [p.strip() or None for p in value.replace("／", "/").split("/")]
    parts += [None] * (4 - len(parts))
    return Region(province=parts[0], city=parts[1], county=parts[2], division_code=parts[3])


RegionOpt = Annotated[
    str | None,
    typer.Option("--region", help="报送地区，覆盖文件中识别的地区：省/市/县[/行政区划代码]，如 宁夏/固原市/彭阳县/640425"),
]
YearOpt = Annotated[int | None, typer.Option("--year", help="预算年度，覆盖文件中识别的年度，如 2025")]
LabelsOpt = Annotated[Path | None, typer.Option("--labels", help="补充栏目写法的 TOML 文件（格式同 templates/labels.toml）")]


def _labels(path: Path | None) -> dict | None:
    """The wordings of ``--labels FILE``; a bad file is a Chinese message and exit code 2."""
    from .forms.extra_labels import LabelsFileError, read_labels_file

    if path is None:
        return None
    try:
        return read_labels_file(str(path))
    except LabelsFileError as exc:
        err.print(exc.message, style="red", markup=False)
        raise typer.Exit(2) from None


@app.command("schema")
def schema_cmd() -> None:
    """打印标准 JSON 的 JSON Schema（Submission）。Print the JSON Schema of the canonical JSON."""
    from .model import Submission

    out.print_json(json.dumps(Submission.model_json_schema(), ensure_ascii=False))


@app.command("template")
def template_cmd(
    output: Annotated[Path, typer.Option("-o", "--output", help="输出的空白模板 .xlsx 文件")] = Path("绩效目标申报模板.xlsx"),
    year: Annotated[int | None, typer.Option("--year", help="预算年度（用于封面和近两年列标题），默认明年")] = None,
    projects: Annotated[int, typer.Option("--projects", min=1, max=200, help="项目表的张数")] = 10,
) -> None:
    """生成标准空白模板：填报说明、部门整体绩效目标申报表、项目支出绩效目标表（带下拉选项）。"""
    from .errors import XlperfError
    from .writers.template import write_template

    try:
        write_template(str(output), year=year, projects=projects)
    except (OSError, XlperfError, ValueError) as exc:
        err.print(f"无法写入 {output}：{exc}", style="red", markup=False)
        raise typer.Exit(2) from None
    out.print(f"已生成模板：{output}（{projects} 张项目表）", markup=False)


@app.command("fill")
def fill_cmd(
    submission_json: Annotated[Path, typer.Argument(help="标准 JSON（xlperf import --json 的输出）")],
    output: Annotated[Path, typer.Option("-o", "--output", help="输出的已填写工作簿 .xlsx")] = Path("filled.xlsx"),
) -> None:
    """把标准 JSON 填入标准模板（与空白模板同一格式）。Write a canonical Submission into the template."""
    from pydantic import ValidationError

    from .errors import XlperfError
    from .model import Submission
    from .render import print_findings
    from .writers.template import write_workbook

    try:
        text = submission_json.read_text(encoding="utf-8")
        data = json.loads(text)
        if isinstance(data, list):
            if len(data) != 1:
                err.print(f"{submission_json} 含 {len(data)} 份报送，fill 一次只填一份。", style="red", markup=False)
                raise typer.Exit(2)
            data = data[0]
        sub = Submission.model_validate(data)
    except (OSError, json.JSONDecodeError, ValidationError) as exc:
        err.print(f"无法读取 {submission_json}：{exc}", style="red", markup=False)
        raise typer.Exit(2) from None
    try:
        notes = write_workbook(str(output), submission=sub, year=sub.year, projects=max(len(sub.projects), 1))
    except (OSError, XlperfError, ValueError) as exc:
        err.print(f"无法写入 {output}：{exc}", style="red", markup=False)
        raise typer.Exit(2) from None
    print_findings(notes, console=err, limit=30, title="未按原样写入的内容",
                   more_hint="这些内容在标准 JSON 中完整保留")
    out.print(f"已填写：{output}（{len(sub.projects)} 个项目）", markup=False)
    raise typer.Exit(1 if any(n.severity == "error" for n in notes) else 0)


@contextlib.contextmanager
def _stoppable() -> Iterator[None]:
    """Ctrl-C or SIGTERM (``kill``): workers stopped and temporary files removed by the
    library's clean-up, then one line instead of a traceback; exit 130 / 143."""
    from .isolation import Terminated, sigterm_raises

    try:
        with sigterm_raises():
            yield
    except (KeyboardInterrupt, Terminated) as exc:
        err.print("已中断：工作进程已停止，临时文件已删除，未完成的输出文件未写入（原文件保持原样）。", style="red", markup=False)
        raise typer.Exit(143 if isinstance(exc, Terminated) else 130) from None


@app.command("import")
def import_cmd(
    files: Annotated[list[Path], typer.Argument(help="要导入的 .xlsx/.xlsm 文件（可多个）")],
    json_out: Annotated[Path | None, typer.Option("--json", help="把标准 JSON 写入此文件（多个文件时为数组）")] = None,
    jsonl_out: Annotated[Path | None, typer.Option("--jsonl", help="把标准 JSON 写入此文件，每行一份报送（JSON Lines）")] = None,
    fmt: Annotated[str, typer.Option("--format", help="输出格式：table（表格）或 json")] = "table",
    region: RegionOpt = None,
    year: YearOpt = None,
    labels_file: LabelsOpt = None,
) -> None:
    """导入已填写或公开发布的工作簿，生成标准数据和审核报告（指向单元格）。

    每个文件在独立的工作进程中读取：一个文件出错、卡住或占用过多内存，只影响它自己。
    退出码：0 无错误；1 有错误级问题；2 有文件无法读取，或 --json/--jsonl 文件无法写入（原文件不变）。
    """
    from .importer import import_files, prepare_batch
    from .render import print_import_summary, progress_iter
    from .writers.jsonstream import JsonItems, dump_submission, json_file, tee_submissions

    if fmt not in ("table", "json"):
        err.print("--format 只能是 table 或 json", style="red", markup=False)
        raise typer.Exit(2)
    labels = _labels(labels_file)
    prepare_batch()
    codes = [0]
    failures: list[str] = []
    with _stoppable(), contextlib.ExitStack() as stack:
        sinks = []
        for target, lines in ((json_out, False), (jsonl_out, True)):
            if target is not None:
                dump = dump_submission if not lines else functools.partial(dump_submission, indent=None)
                cm = json_file(str(target), dump, single=len(files) == 1 and not lines, lines=lines)
                stack.push(_collect_output_error(failures))
                sinks.append(stack.enter_context(cm))
        results = progress_iter(import_files([str(f) for f in files], region=_region(region), year=year, labels=labels),
                                total=len(files), label="导入", console=err)
        results = (codes.append(r.exit_code) or r for r in tee_submissions(results, sinks))
        if fmt == "json":
            stdout = JsonItems(sys.stdout, lambda d: json.dumps(d, ensure_ascii=False, indent=2), single=len(files) == 1)
            for r in results:
                stdout.add(r.to_dict())
            stdout.finish()
        else:
            print_import_summary(results, console=out)
    for failure in failures:
        err.print(failure, style="red", markup=False)
    raise typer.Exit(2 if failures else max(codes))


def _collect_output_error(failures: list[str]):  # noqa: ANN202 - an ExitStack callback
    """Keep an :class:`~xlperf.errors.OutputError` of a closing output file as a message."""
    from .errors import OutputError

    def _exit(exc_type, exc, tb) -> bool:  # noqa: ANN001
        if isinstance(exc, OutputError):
            failures.append(str(exc))
            return True
        return False

    return _exit


def merge_cmd(
    paths: Annotated[list[Path], typer.Argument(help="报送文件或文件夹（递归查找 .xlsx/.xlsm）")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只审核并报告，不写任何文件")] = False,
    labels_file: LabelsOpt = None,
    **targets: Path | None,
) -> None:
    """把多个部门、多个县的报送汇总成一个工作簿（概览、部门、项目、指标、问题、来源）。

    每个文件在独立的工作进程中读取（有内存上限和时间上限）。
    退出码：0 无错误；1 有错误级问题；2 有文件无法读取，或无法写入。
    """
    from .consolidate.merge import consolidate
    from .errors import OutputError, XlperfError
    from .render import print_merge_summary, progress_iter
    from .writers.outputs import FORMATS

    labels = _labels(labels_file)
    chosen = [(fmt, str(targets[fmt.name])) for fmt in FORMATS
              if not dry_run and targets.get(fmt.name) is not None and str(targets[fmt.name]) != "-"]
    with _stoppable():
        try:
            result = consolidate([str(p) for p in paths], outputs=[q for fmt, t in chosen for q in fmt.paths(t)],
                                 progress=lambda it, n: progress_iter(it, total=n, label="汇总", console=err),
                                 labels=labels)
        except XlperfError as exc:
            err.print(str(exc), style="red", markup=False)
            raise typer.Exit(2) from None
        with result:
            if result.count(SOURCES) == 0:
                err.print(f"在 {'、'.join(str(p) for p in paths)} 中没有找到 .xlsx / .xlsm 报送文件，未写入任何文件。",
                          style="red", markup=False)
                raise typer.Exit(2)
            written: list[str] = []  # outputs already in place when a later one fails
            try:
                for fmt, target in chosen:
                    fmt.write(result, target)
                    written.append(target if fmt.target == "file" else f"{target}（{fmt.name}）")
            except (OutputError, XlperfError) as exc:
                err.print(str(exc), style="red", markup=False)
                done = f"；此前已写入：{'、'.join(written)}" if written else ""
                err.print(f"出错的文件保持原样{done}。", markup=False)
                raise typer.Exit(2) from None
            main_output = next((t for fmt, t in chosen if fmt is FORMATS[0]), None)
            print_merge_summary(result, console=out, output=main_output)
    raise typer.Exit(result.exit_code)


def _with_format_options(fn):  # noqa: ANN001, ANN202 - the merge command
    """Give *fn* one option per registered output format (``-o``, ``--parquet DIR``,
    ``--csv DIR`` …), declared from :data:`xlperf.writers.outputs.FORMATS`."""
    from .writers.outputs import FORMATS

    sig = inspect.signature(fn, eval_str=True)
    params = [p for p in sig.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
    options = []
    for fmt in FORMATS:
        default = Path(fmt.default) if fmt.default else None
        options.append(inspect.Parameter(
            fmt.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default,
            annotation=Annotated[Path if default else Path | None, typer.Option(*fmt.flags, help=fmt.help)]))
    params = [params[0], *options, *params[1:]]  # the paths, the outputs, then the other options
    fn.__signature__ = sig.replace(parameters=params)
    return fn


app.command("merge")(_with_format_options(merge_cmd))


def main() -> None:  # pragma: no cover - console entry point
    """Console entry point."""
    app()
