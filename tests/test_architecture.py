"""The shape of the package (docs/architecture.md): the import-linter layer contracts of
pyproject.toml hold, no function in forms/ or review/ is over 60 lines, no module imports
another module's private name, every package is installed, and the code cites the
repository's docs rather than documents a reader of the repository does not have."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from helpers import ROOT

PACKAGE = ROOT / "xlperf"
MAX_FUNCTION_LINES = 60


def _modules(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def test_import_layers_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert re.search(r"Contracts: (\d+) kept, 0 broken", proc.stdout), proc.stdout[-1000:]


def test_no_long_functions_in_forms_and_review() -> None:
    long = []
    for path in _modules(PACKAGE / "forms") + _modules(PACKAGE / "review"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                if n > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({n} lines)")
    assert long == []


def test_no_private_names_imported_across_modules() -> None:
    found = []
    for path in _modules(PACKAGE) + _modules(ROOT / "tests") + _modules(ROOT / "scripts") + _modules(ROOT / "bench"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("xlperf")):
                found += [f"{path.relative_to(ROOT)}: {a.name}" for a in node.names
                          if a.name.startswith("_") and not a.name.startswith("__")]
    assert found == []


def test_every_package_is_installed() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in PACKAGE.rglob("__init__.py")}
    assert found | {"xlperf.templates"} == listed


def test_code_cites_the_repository_docs() -> None:
    pattern = re.compile(r"GUIDE|\bissues? \d+|\bissue #?\d+", re.IGNORECASE)
    cited = []
    for path in [*_modules(PACKAGE), *(p for p in _modules(ROOT / "tests") if p.name != Path(__file__).name),
                 *_modules(ROOT / "scripts"), *_modules(ROOT / "bench"), *(ROOT / "templates").glob("*.toml"),
                 ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "xlperf").rglob("README.md")]:
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                cited.append(f"{path.relative_to(ROOT)}:{i}: {line.strip()[:80]}")
    assert cited == []
    for path in _modules(PACKAGE):
        for doc in re.findall(r"docs/[\w./-]+\.md", path.read_text(encoding="utf-8")):
            assert (ROOT / doc).exists(), f"{path.relative_to(ROOT)} cites {doc}, which does not exist"
