"""Taxonomy as data: aliases normalise to one canonical level; unknown stays unknown."""

from __future__ import annotations

import pytest

from xlperf.data import load_data
from xlperf.taxonomy import load_taxonomy, split_code

TAX = load_taxonomy()


@pytest.mark.parametrize(
    "text, name, code",
    [
        ("1-产出指标", "产出指标", "1"),
        ("产出指标", "产出指标", "1"),
        ("2-效益指标", "效益指标", "2"),
        ("效益指标", "效益指标", "2"),
        ("3-满意度指标", "满意度指标", "3"),
        ("满意度指标", "满意度指标", "3"),
    ],
)
def test_level1_aliases(text: str, name: str, code: str) -> None:
    m = TAX.match_level1(text)
    assert m is not None and (m.level.name, m.level.code, m.conflict) == (name, code, None)


@pytest.mark.parametrize(
    "text, name, code",
    [
        ("11-数量指标", "数量指标", "11"),
        ("数量指标", "数量指标", "11"),
        ("14-成本指标", "成本指标", "14"),
        ("社会效益指标", "社会效益", "22"),  # docs/taxonomy.md: 社会效益指标 = 22-社会效益
        ("22-社会效益", "社会效益", "22"),
        ("可持续影响指标", "可持续影响", "24"),
        ("服务对象满意度指标", "服务对象满意度", "31"),
        ("社会公众或服务对象满意度指标", "服务对象满意度", "31"),
        ("31-服务对象满意度", "服务对象满意度", "31"),
        ("环境效益", "生态效益", "23"),  # older name
        ("23-生态效益", "生态效益", "23"),
    ],
)
def test_level2_aliases(text: str, name: str, code: str) -> None:
    m = TAX.match_level2(text)
    assert m is not None and (m.level.name, m.level.code, m.conflict) == (name, code, None)


def test_level2_parents() -> None:
    assert TAX.match_level2("13-时效指标").level.parent == "产出指标"
    assert TAX.match_level2("24-可持续影响").level.parent == "效益指标"
    assert [lv.code for lv in TAX.standard_level2()] == ["11", "12", "13", "14", "21", "22", "23", "24", "31"]


def test_code_name_conflicts_are_flagged_not_guessed() -> None:
    m = TAX.match_level2("31-满意度指标")  # seed 002: a 二级 written with a 一级 name
    assert m is not None and m.level.code == "31" and m.conflict
    m = TAX.match_level2("5-服务对象满意度")  # seed 003: wrong code, known name
    assert m is not None and m.level.code == "31" and m.conflict


@pytest.mark.parametrize("text", ["", "经费保障", "99-不存在", "绩效值"])
def test_unknown_levels(text: str) -> None:
    assert TAX.match_level1(text) is None
    assert TAX.match_level2(text) is None


def test_department_framework() -> None:
    # seed 004 阳新
    assert TAX.match_dept_level1("运行成本").level.name == "运行成本"
    assert TAX.match_dept_level2("公用经费控制").level.parent == "运行成本"
    assert TAX.match_dept_level2("核心业务产出 3").level.name == "核心业务产出"
    assert TAX.match_dept_level2("联系部门满意度").level.parent == "满意度"
    assert [lv.name for lv in TAX.dept_level1] == ["运行成本", "管理效率", "履职效能", "社会效益", "可持续发展能力", "满意度"]


def test_split_code() -> None:
    assert split_code("0101--一年期项目") == ("0101", "一年期项目")
    assert split_code("223-吴忠市红寺堡区司法局") == ("223", "吴忠市红寺堡区司法局")
    assert split_code("数量指标") == (None, "数量指标")


def test_data_files_are_versioned_and_complete() -> None:
    assert load_data("taxonomy.toml")["version"]
    lists = load_data("lists.toml")
    for name in ("value_basis", "indicator_class", "project_attribute", "spending_category"):
        assert lists[name]["values"], name
        assert lists[name]["source"], name
