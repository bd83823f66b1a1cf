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
