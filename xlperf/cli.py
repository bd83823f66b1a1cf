"""The ``xlperf`` command line: parse options, call one library function, render.

Exit codes (every command): 0 = done, no error-severity finding; 1 = done, with
error-severity findings; 2 = an input could not be read at all, or a usage error.
Everything a person reads is Chinese (:mod:`xlperf.clihelp` for the framework's own
words, :mod:`xlperf.render` for results); option values are checked once, the same on
every command, by the shared options below (:mod:`xlperf.inputs`). Each command has one
example block (its ``epilog``). Conventions: docs/cli.md.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console

from .clihelp import ChineseCommand, ChineseGroup
from .errors import InputError
from .model import Region

app = typer.Typer(
    name="xlperf",
    cls=ChineseGroup,
    help="预算绩效目标表格工具：生成标准模板、导入审核、多县汇总。",
    epilog="""
    xlperf template -o 模板.xlsx --year 2026     # 空白模板，发给各部门填写
    xlperf import 彭阳县司法局.xlsx               # 导入一份报送并审核
    xlperf merge 收件箱/ -o 汇总.xlsx             # 汇总文件夹中的全部报送
    xlperf import -h                             # 每个命令的说明和示例
    """,
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


# -- shared options: checked once, the same on every command -------------------------------

def _checked(check, value):  # noqa: ANN001, ANN202 - an inputs.* check inside an option callback
    if value is None:
        return None
    try:
        return check(value)
    except InputError as exc:
        raise typer.BadParameter(str(exc)) from None


def _year(value: str | None) -> int | None:
    from .inputs import check_year

    return _checked(check_year, value)


def _region(value: str | None) -> Region | None:
    from .inputs import parse_region

    return _checked(parse_region, value)


def _workbook_out(value: Path | None) -> Path | None:
    from .inputs import check_output

    return _checked(lambda v: check_output(v, kind="workbook"), value)


def _json_out(value: Path | None) -> Path | None:
    from .inputs import check_output

    return _checked(lambda v: check_output(v, kind="json", what="--json"), value)


def _folder_out(value: Path | None) -> Path | None:
    from .inputs import check_output

    return _checked(lambda v: check_output(v, kind="folder", what="数据文件夹"), value)


def _projects(value: int) -> int:
    if not 1 <= value <= 200:
        raise typer.BadParameter(f"项目表张数 {value} 不在 1-200 之间。")
    return value


RegionOpt = Annotated[Region | None, typer.Option(
    "--region", metavar="省/市/县[/代码]", parser=str, callback=_region,
    help="报送地区，覆盖文件中识别的地区：省/市/县[/行政区划代码]，如 宁夏回族自治区/固原市/彭阳县/640425；不知道的部分留空")]
YearOpt = Annotated[int | None, typer.Option(
    "--year", metavar="年度", parser=str, callback=_year, help="预算年度，覆盖文件中识别的年度（1990-2100），如 2025")]


LabelsOpt = Annotated[Path | None, typer.Option(
    "--labels", metavar="写法.toml", help="补充栏目写法的 TOML 文件（格式同 templates/labels.toml）")]


def _labels(path: Path | None) -> dict | None:
    """The wordings of ``--labels FILE``; a bad file is a Chinese message and exit code 2."""
    from .forms.extra_labels import LabelsFileError, read_labels_file

    if path is None:
        return None
    try:
        return read_labels_file(str(path))
    except LabelsFileError as exc:
        raise _fail(exc.message) from None


def _fail(message: str) -> typer.Exit:
    """Print *message* (plain text, never markup) to stderr; the Exit(2) to raise."""
    err.print(message, style="red", markup=False)
    return typer.Exit(2)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        out.print(f"xlperf {version('xlperf')}", markup=False)
        raise typer.Exit(0)


@app.callback()
def _main(version: Annotated[bool, typer.Option("--version", "-V", callback=_version, is_eager=True,
                                                help="显示版本号并退出")] = False) -> None:
    """预算绩效目标表格工具：生成标准模板、导入审核、多县汇总。"""


# -- commands ------------------------------------------------------------------------------

@app.command("schema", cls=ChineseCommand, epilog="""
    xlperf schema > xlperf.schema.json   # 保存，供其他系统校验导出的 JSON
    """)
def schema_cmd() -> None:
    """打印标准 JSON 的 JSON Schema：一份报送（对象）或多份报送（数组）。"""
    from .schema import output_schema

    out.print_json(json.dumps(output_schema(), ensure_ascii=False))


@app.command("template", cls=ChineseCommand, epilog="""
    xlperf template                              # 明年的模板，10 张项目表
    xlperf template -o 模板.xlsx --year 2026 --projects 20
    xlperf template --from 上年.xlsx --year 2026 -o 新模板.xlsx   # 用上年报送预填
    """)
def template_cmd(
    output: Annotated[Path, typer.Option("-o", "--output", metavar="文件.xlsx", callback=_workbook_out,
                                         help="输出的空白模板 .xlsx 文件")] = Path("绩效目标申报模板.xlsx"),
    year: Annotated[int | None, typer.Option("--year", metavar="年度", parser=str, callback=_year,
                                             help="预算年度（1990-2100，用于封面和近两年列标题），默认明年；"
                                                  "用 --from 时默认上年报送的下一年")] = None,
    projects: Annotated[int, typer.Option("--projects", metavar="张数", callback=_projects,
                                          help="项目表的张数（1-200）")] = 10,
    last: Annotated[Path | None, typer.Option(
        "--from", metavar="上年.xlsx",
        help="上年的报送文件：把其中的项目、指标和部门整体目标预先填入新模板（标为上年内容，改动后标记消失）")] = None,
    labels_file: LabelsOpt = None,
) -> None:
    """生成标准空白模板：填报说明、部门整体绩效目标申报表、项目支出绩效目标表（带下拉选项）。

    退出码：0 已生成；1 已生成，但有内容未能写入；2 无法生成（--from 的文件无法读取、年度不对或无法写入）。
    """
    from .errors import XlperfError
    from .writers.template import write_template

    if last is not None:
        raise typer.Exit(_template_from(last, output, year=year, projects=projects, labels=_labels(labels_file)))
    try:
        write_template(str(output), year=year, projects=projects)
    except (XlperfError, ValueError) as exc:
        raise _fail(str(exc)) from None
    out.print(f"已生成模板：{output}（{projects} 张项目表）", markup=False)


def _template_from(last: Path, output: Path, *, year: int | None, projects: int, labels: dict | None) -> int:
    """``xlperf template --from``: next year's template pre-filled; returns the exit code."""
    from .carryover import write_carried_template
    from .errors import XlperfError
    from .render import print_carry_over

    try:
        outcome = write_carried_template(str(last), str(output), year=year, projects=projects, labels=labels)
    except (OSError, XlperfError, ValueError) as exc:
        err.print(f"无法写入 {output}：{exc}", style="red", markup=False)
        return 2
    print_carry_over(outcome, console=out, err=err)
    return outcome.exit_code


@app.command("fill", cls=ChineseCommand, epilog="""
    xlperf import 报送.xlsx --json 报送.json      # 先导出标准 JSON
    xlperf fill 报送.json -o 标准格式.xlsx        # 再写成标准模板格式
    """)
def fill_cmd(
    submission_json: Annotated[Path, typer.Argument(metavar="报送.json", help="标准 JSON（xlperf import --json 的输出）")],
    output: Annotated[Path, typer.Option("-o", "--output", metavar="文件.xlsx", callback=_workbook_out,
                                         help="输出的已填写工作簿 .xlsx")] = Path("filled.xlsx"),
) -> None:
    """把标准 JSON 填入标准模板（与空白模板同一格式）；不能按原样写入的内容逐条列出。

    退出码：0 全部写入；1 有错误级问题（如金额无法读作数字）；2 JSON 无法读取或文件无法写入。
    """
    from .errors import XlperfError
    from .inputs import read_submission_json
    from .render import print_findings
    from .writers.template import write_workbook

    try:
        sub, warnings = read_submission_json(submission_json)
    except InputError as exc:
        raise _fail(str(exc)) from None
    for w in warnings:
        err.print(f"注意：{w}", style="yellow", markup=False)
    try:
        notes = write_workbook(str(output), submission=sub, projects=len(sub.projects))
    except (XlperfError, ValueError) as exc:
        raise _fail(str(exc)) from None
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


@app.command("import", cls=ChineseCommand, epilog="""
    xlperf import 彭阳县司法局.xlsx               # 概况和审核问题
    xlperf import 收件箱/*.xlsx --json 报送.json  # 标准 JSON（多个文件为数组）
    xlperf import 收件箱/*.xlsx --jsonl 报送.jsonl  # 每行一份报送（JSON Lines）
    xlperf import a.xlsx --format json > 审核.json   # 全部问题，JSON 格式
    xlperf import 红寺堡.xlsx --year 2025 --region 宁夏回族自治区/吴忠市/红寺堡区
    """)
def import_cmd(
    files: Annotated[list[Path], typer.Argument(metavar="文件", help="要导入的 .xlsx/.xlsm 文件（可多个）")],
    json_out: Annotated[Path | None, typer.Option("--json", metavar="文件.json", callback=_json_out,
                                                  help="把标准 JSON 写入此文件（多个文件时为数组）")] = None,
    jsonl_out: Annotated[Path | None, typer.Option("--jsonl", metavar="文件.jsonl", callback=_json_out,
                                                   help="把标准 JSON 写入此文件，每行一份报送（JSON Lines）")] = None,
    fmt: Annotated[Literal["table", "json"], typer.Option("--format", metavar="table|json",
                                                          help="输出格式：table（表格，默认）或 json")] = "table",
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
        results = progress_iter(import_files([str(f) for f in files], region=region, year=year, labels=labels),
                                total=len(files), label="导入", console=err)
        results = (codes.append(r.exit_code) or r for r in tee_submissions(results, sinks))
        if fmt == "json":
            stdout = JsonItems(sys.stdout, lambda d: json.dumps(d, ensure_ascii=False, indent=2), single=len(files) == 1)
            for r in results:
                stdout.add(r.to_dict())
            stdout.finish()
        else:
            print_import_summary(results, console=out)
    if failures:
        raise _fail("\n".join(failures))
    raise typer.Exit(max(codes))


def _collect_output_error(failures: list[str]):  # noqa: ANN202 - an ExitStack callback
    """Keep an :class:`~xlperf.errors.OutputError` of a closing output file as a message."""
    from .errors import OutputError

    def _exit(exc_type, exc, tb) -> bool:  # noqa: ANN001
        if isinstance(exc, OutputError):
            failures.append(str(exc))
            return True
        return False

    return _exit


@app.command("review", cls=ChineseCommand, epilog="""
    xlperf review 红寺堡.xlsx                    # 写出 红寺堡.审核.xlsx
    xlperf review 红寺堡.xlsx -o 退回/红寺堡.xlsx
    xlperf review 新省份.xlsx --show-read        # 写出 新省份.识别.xlsx 核对
    xlperf review 新省份.xlsx --show-read --labels 新写法.toml
    """)
def review_cmd(
    file: Annotated[Path, typer.Argument(metavar="报送.xlsx", help="要审核的报送文件 .xlsx/.xlsm（只读取，不做任何改动）")],
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", metavar="文件.xlsx", callback=_workbook_out,
        help="副本的文件名；默认写在原文件旁：<名称>.审核.xlsx（--show-read 时为 <名称>.识别.xlsx）")] = None,
    show_read: Annotated[bool, typer.Option(
        "--show-read", help="改为写出识别副本：每个单元格按导入时读作什么（标签、字段值、一级、二级、三级、指标值、未读取）标色")] = False,
    region: RegionOpt = None,
    year: YearOpt = None,
    labels_file: LabelsOpt = None,
) -> None:
    """写出带审核意见的副本，退回给填报单位：每个问题在其单元格上加批注并标色（红色错误、黄色警告），
    第一张表“审核意见”列出全部问题和概况。原文件不做任何改动。

    退出码：0 无错误；1 有错误级问题；2 文件无法读取或副本无法写入。
    """
    from .annotate import review_file
    from .importer import prepare_batch
    from .render import print_review

    labels = _labels(labels_file)
    prepare_batch()
    outcome = review_file(str(file), output=str(output) if output else None, show_read=show_read,
                          region=region, year=year, labels=labels)
    print_review(outcome, console=out, err=err)
    raise typer.Exit(outcome.exit_code)


@app.command("diff", cls=ChineseCommand, epilog="""
    xlperf diff 司法局_初报.xlsx 司法局_重报.xlsx
    xlperf diff 初报.xlsx 重报.xlsx -o 变更.xlsx
    xlperf diff 初报.xlsx 重报.xlsx --json > 变更.json
    """)
def diff_cmd(
    old: Annotated[Path, typer.Argument(metavar="原报送.xlsx", help="原来的报送文件")],
    new: Annotated[Path, typer.Argument(metavar="新报送.xlsx", help="重新报送的文件")],
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出全部变更（到标准输出），不显示表格")] = False,
    output: Annotated[Path | None, typer.Option("-o", "--output", metavar="文件.xlsx", callback=_workbook_out,
                                                help="另存变更表工作簿 .xlsx")] = None,
    labels_file: LabelsOpt = None,
) -> None:
    """比较同一部门的两次报送：新增和删除的项目、金额变化、新增和删除的指标、指标值变化、部门整体表的金额。
    项目按项目编码（没有时按项目名称）对应，指标按一级、二级、三级指标对应。

    退出码：0 比较完成（有无变化都是 0）；2 有文件无法读取，或 -o 的文件无法写入（原文件不变）。
    """
    from .consolidate.changes import diff_files
    from .consolidate.tables import CHANGES
    from .errors import OutputError
    from .importer import prepare_batch
    from .render import print_changes, print_findings
    from .writers.outputs.xlsx import write_tables

    labels = _labels(labels_file)
    prepare_batch()
    changes = diff_files(str(old), str(new), labels=labels)
    if changes.failures:
        print_findings(changes.failures, console=err, title="无法读取")
        raise typer.Exit(2)
    if as_json:
        sys.stdout.write(json.dumps(changes.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        print_changes(changes, console=out)
    if output is not None:
        try:
            write_tables(str(output), [(CHANGES.sheet, CHANGES.name, changes.frame())],
                         properties={"title": "预算绩效目标变更对比", "subject": f"{old.name} → {new.name}",
                                     "comments": "xlperf diff"})
        except OutputError as exc:
            raise _fail(str(exc)) from None
        err.print(f"已写入变更表：{output}", markup=False)


def merge_cmd(
    paths: Annotated[list[Path], typer.Argument(metavar="文件或文件夹", help="报送文件或文件夹（递归查找 .xlsx/.xlsm）")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只审核并报告，不写任何文件")] = False,
    labels_file: LabelsOpt = None,
    **targets: Path | None,
) -> None:
    """把多个部门、多个县的报送汇总成一个工作簿（概览、部门、项目、指标、问题、来源）。

    每个文件在独立的工作进程中读取（有内存上限和时间上限）。
    退出码：0 无错误；1 有错误级问题；2 有文件无法读取（一个文件也读不出时不写任何文件），或无法写入。
    """
    from .consolidate.merge import consolidate
    from .errors import XlperfError
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
            raise _fail(str(exc)) from None
        with result:
            if not result.any_imported:
                print_merge_summary(result, console=out, output=None)
                raise _fail(f"在 {'、'.join(str(p) for p in paths)} 中没有读出任何报送，未写入任何文件（原有的汇总文件保持不变）。")
            written: list[str] = []  # outputs already in place when a later one fails
            folders: list[str] = []  # folder outputs, with how many files each got
            try:
                for fmt, target in chosen:
                    files = fmt.write(result, target)
                    written.append(target if fmt.target == "file" else f"{target}（{fmt.name}）")
                    if fmt.target == "folder":
                        folders.append(f"{target}（{fmt.name}，{len(files)} 个文件）")
            except XlperfError as exc:
                err.print(str(exc), style="red", markup=False)
                done = f"；此前已写入：{'、'.join(written)}" if written else ""
                raise _fail(f"出错的文件保持原样{done}。") from None
            main_output = next((t for fmt, t in chosen if fmt is FORMATS[0]), None)
            print_merge_summary(result, console=out, output=main_output)
            if folders:
                out.print(f"已写入文件夹：{'、'.join(folders)}", markup=False)
    raise typer.Exit(result.exit_code)


def _merge_workbook_out(value: Path | None) -> Path | None:
    """merge's ``-o``: a workbook path, or ``-`` for none (a Parquet-only merge)."""
    return value if value is not None and str(value) == "-" else _workbook_out(value)


def _with_format_options(fn):  # noqa: ANN001, ANN202 - the merge command
    """Give *fn* one option per registered output format (``-o``, ``--parquet DIR``,
    ``--csv DIR`` …), declared from :data:`xlperf.writers.outputs.FORMATS`."""
    from .writers.outputs import FORMATS

    sig = inspect.signature(fn, eval_str=True)
    params = [p for p in sig.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
    options = []
    for fmt in FORMATS:
        default = Path(fmt.default) if fmt.default else None
        file = fmt.target == "file"
        option = typer.Option(*fmt.flags, help=fmt.help, metavar="文件.xlsx" if file else "文件夹",
                              callback=_merge_workbook_out if file else _folder_out)
        options.append(inspect.Parameter(
            fmt.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default,
            annotation=Annotated[Path if default else Path | None, option]))
    params = [params[0], *options, *params[1:]]  # the paths, the outputs, then the other options
    fn.__signature__ = sig.replace(parameters=params)
    return fn


app.command("merge", cls=ChineseCommand, epilog="""
    xlperf merge 收件箱/ -o 汇总.xlsx             # 一个文件夹（含子文件夹）
    xlperf merge 收件箱/ 补报/张三.xlsx -o 汇总.xlsx --csv 数据/
    xlperf merge 收件箱/ --dry-run                # 只审核，不写文件
    """)(_with_format_options(merge_cmd))


def main() -> None:  # pragma: no cover - console entry point
    """Console entry point."""
    app()


if __name__ == "__main__":  # python -m xlperf.cli (the tests' pseudo-terminal runs)
    main()
