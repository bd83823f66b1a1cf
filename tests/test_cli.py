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
