"""The CLI: every command has help text; schema prints the JSON Schema."""

from __future__ import annotations

import json

import jsonschema
import typer
from helpers import SAMPLES
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


def test_schema_describes_both_outputs_with_the_limits(tmp_path) -> None:  # noqa: ANN001 - pytest tmp_path
    """Before: one Submission only, no ``$schema`` / ``$id``, no limits; ``import --json`` of
    several files writes an array, which that schema rejected."""
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].startswith("urn:xlperf:schema:submission:")
    jsonschema.Draft202012Validator.check_schema(schema)
    check = jsonschema.Draft202012Validator(schema)
    one, two = (SAMPLES / "000_pengyang_2024.xlsx"), (SAMPLES / "004_yangxin_2026.xlsx")
    for args, name in (([one], "one.json"), ([one, two], "two.json")):
        runner.invoke(app, ["import", *map(str, args), "--json", str(tmp_path / name)])
        data = json.loads((tmp_path / name).read_text(encoding="utf-8"))
        assert isinstance(data, list) == (len(args) > 1)
        assert list(check.iter_errors(data)) == [], name
    sub = json.loads((tmp_path / "one.json").read_text(encoding="utf-8"))
    for bad in ({"year": 1}, {"year": 2101}, {"region": {"division_code": "abc"}}, {"region": {"division_code": "12"}},
                {"projects": [{"annual_amount": "31.9"}]}):
        assert not check.is_valid({**sub, **bad}), bad
    assert check.is_valid({**sub, "year": 2025, "region": {"division_code": "640425"}})
    year = schema["$defs"]["Submission"]["properties"]["year"]["anyOf"][0]
    assert (year["minimum"], year["maximum"]) == (1990, 2100)
    assert "万元" in schema["$defs"]["Project"]["properties"]["annual_amount"]["anyOf"][0]["description"]


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
