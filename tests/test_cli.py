"""The CLI: every command has help text; schema prints the JSON Schema."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from xlperf.cli import app

runner = CliRunner()


def test_every_command_has_help_text() -> None:
    click_app = typer.main.get_command(app)
    names = sorted(click_app.commands)  # type: ignore[attr-defined]
    assert {"template", "fill", "import", "merge", "schema"} <= set(names)
    for name in names:
        cmd = click_app.commands[name]  # type: ignore[attr-defined]
        assert (cmd.help or "").strip(), f"command {name} has no help text"
        for param in cmd.params:
            if param.param_type_name == "option":
                assert (param.help or "").strip(), f"{name} {param.opts} has no help text"
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in names:
        assert name in result.output


def test_schema_command_prints_json_schema() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["title"] == "Submission"
    assert "projects" in schema["properties"]


def test_paths_with_brackets_are_printed_as_typed(tmp_path) -> None:  # noqa: ANN001 - pytest tmp_path
    """A folder or file name like ``汇总[final]`` or ``a[/b]`` is a path, not rich markup:
    printed whole (rich would drop ``[final]`` and crash on an unmatched ``[/b]``)."""
    out = tmp_path / "模板[final].xlsx"
    result = runner.invoke(app, ["template", "-o", str(out), "--projects", "1"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    assert out.exists() and f"已生成模板：{out}" in result.output
    missing = tmp_path / "a[/b]" / "x.json"
    result = runner.invoke(app, ["fill", str(missing), "-o", str(tmp_path / "y.xlsx")], env={"COLUMNS": "400"})
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)  # no traceback
    assert f"无法读取 {missing}" in result.output


def test_merge_says_which_outputs_were_written_when_a_later_one_fails(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """The workbook is in place when the Parquet files then fail: the message says so,
    rather than claim every file was left as it was."""
    from helpers import build_project_workbook

    import xlperf.writers.outputs.parquet as parquet_output
    from xlperf.errors import OutputError

    src = tmp_path / "in"
    src.mkdir()
    build_project_workbook(src / "a.xlsx")

    def full_disk(result, folder):  # noqa: ANN001, ANN202
        raise OutputError(f"写入 {folder}/projects.parquet 失败：磁盘已满，原文件未改动")

    monkeypatch.setattr(parquet_output, "write", full_disk)
    out = tmp_path / "c.xlsx"
    result = runner.invoke(app, ["merge", str(src), "-o", str(out), "--parquet", str(tmp_path / "pq"), "--csv",
                                 str(tmp_path / "csv")], env={"COLUMNS": "400"})
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert out.exists() and not (tmp_path / "csv").exists()
    assert "磁盘已满" in result.output
    assert f"出错的文件保持原样；此前已写入：{out}。" in result.output
