"""The finding catalog: codes are kebab-case, severities valid, every code used is declared."""

from __future__ import annotations

import re

from helpers import ROOT

from xlperf.findings import catalog, finding


def test_catalog_entries_are_well_formed() -> None:
    cat = catalog()
    assert len(cat) >= 40
    for code, spec in cat.items():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code), code
        assert spec.severity in ("error", "warning"), code
        assert spec.title and spec.message, code
        assert re.search(r"[\u4e00-\u9fff]", spec.message), f"{code}: message must be Chinese"


def test_every_code_raised_in_code_is_declared() -> None:
    used = set()
    for path in (ROOT / "xlperf").rglob("*.py"):
        used |= set(re.findall(r'finding\(\s*"([a-z0-9-]+)"', path.read_text(encoding="utf-8")))
    assert used, "no finding() calls found"
    assert used <= set(catalog()), sorted(used - set(catalog()))


def test_finding_fills_the_template() -> None:
    f = finding("label-without-value", sheet="项目1", cell="B3", params={"label": "项目名称"})
    assert f.severity == "warning" and f.where == "项目1!B3"
    assert f.message == "“项目名称”右侧没有找到填写内容。"
