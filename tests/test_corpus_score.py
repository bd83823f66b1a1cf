"""The real-forms corpus scored (scripts/score_corpus.py) must not fall below corpus/floors.toml,
and the scoring itself must count what its doc says (checked on small hand-made results)."""

from __future__ import annotations

import sys
import tomllib
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers import ROOT

CORPUS = ROOT / "corpus"
EPSILON = 1e-9


if str(ROOT / "scripts") not in sys.path:  # the corpus scripts are run as scripts, not installed
    sys.path.insert(0, str(ROOT / "scripts"))
import score_corpus as sc  # noqa: E402

FLOORS = tomllib.loads((CORPUS / "floors.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def scores():
    return sc.score()


def _check(name: str, value, limit: float, where: str) -> str | None:
    """A message when ``value`` broke its floor (or ceiling), else None."""
    r = sc.ratio(name, value)
    if r is None:
        return f"{where} {name}: nothing to count any more (floor {limit})"
    if sc.FIGURES[name] and r < limit - EPSILON:
        return f"{where} {name} fell to {r:.4f} ({value}), floor {limit}"
    if not sc.FIGURES[name] and r > limit + EPSILON:
        return f"{where} {name} rose to {r:.4f} ({value}), ceiling {limit}"
    return None


def test_every_corpus_file_has_its_source_grid_workbook_and_truth() -> None:
    stems = {p.stem for p in (CORPUS / "source").glob("*.txt")}
    assert len(stems) == 17
    for folder, suffix in (("grids", ".tsv"), ("workbooks", ".xlsx"), ("truth", ".toml")):
        assert {p.stem for p in (CORPUS / folder).glob(f"*{suffix}")} == stems, folder
    assert set(FLOORS["files"]) == stems


def test_overall_figures_keep_their_floors(scores) -> None:
    broken = [m for name, limit in FLOORS["overall"].items()
              if (m := _check(name, scores.total(name), limit, "overall"))]
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize("stem", sorted(FLOORS["files"]))
def test_file_figures_keep_their_floors(scores, stem: str) -> None:
    f = next(f for f in scores.files if f.stem == stem)
    broken = [m for name, limit in FLOORS["files"][stem].items()
              if (m := _check(name, getattr(f, name), limit, stem))]
    assert not broken, "\n".join(broken) + "\n" + "\n".join(f.details)


def test_floors_file_is_what_the_script_writes_for_today(scores) -> None:
    """floors.toml holds no figure the reader never reached (a floor above today fails above),
    and nothing is left out: it equals today's figures (raise it with --write-floors)."""
    today = tomllib.loads(sc.floors_toml(scores))
    for stem, figures in FLOORS["files"].items():
        assert set(figures) == set(today["files"][stem]), stem
    assert set(FLOORS["overall"]) == set(today["overall"])


def test_render_is_deterministic(scores) -> None:
    text = sc.render(scores)
    assert text == sc.render(sc.score())
    assert text.splitlines()[0].startswith("file")
    assert "  indicator recall" in text


# ------------------------------------------------------------------ the scoring on hand-made results
def _target(raw: str | None, comparator=None, value=None, unit=None):
    return None if raw is None else SimpleNamespace(raw=raw, comparator=comparator, value=value, unit=unit)


def _indicator(name: str, raw: str | None, level1=None, level2=None, **parts):
    return SimpleNamespace(name=name, target=_target(raw, **parts), level1=level1, level2=level2)


def _result(projects=(), plan=None, findings=(), exit_code=1):
    submission = SimpleNamespace(projects=list(projects), department_plan=plan,
                                 department=SimpleNamespace(name=None))
    return SimpleNamespace(submission=submission, exit_code=exit_code,
                           report=SimpleNamespace(findings=[SimpleNamespace(code=c, severity=s) for c, s in findings]))


def _project(name, amount=None, goal=None, indicators=()):
    return SimpleNamespace(name=name, annual_amount=amount, performance_target=goal, indicators=list(indicators))


def _truth(tmp_path: Path, text: str):
    path = tmp_path / "x.toml"
    path.write_text(text, encoding="utf-8")
    return sc.load_truth(path)


def test_scoring_counts_names_amounts_goals_targets_and_levels(tmp_path: Path) -> None:
    truth = _truth(tmp_path, """kind = "project"
[[projects]]
name = "项目 甲"
amount = "6.30"
goal = "一二三四五六七八九十一二三四五六七八九十后面的文字"
indicators = [
  { level1 = "产出指标", level2 = "数量指标", name = "人数", target = "63人" },
  { level1 = "产出指标", level2 = "质量指标", name = "合格率", target = "=100%", parts = { operator = "=", value = "100", unit = "%" } },
  { name = "无值", note = "cut" },
  { name = "区域", targets = { "甲县" = "1个", "乙县" = "2个" } },
]
""")
    read = _project("项目甲", Decimal("6.3"), "一二三四五六七八九十一二三四五六七八九十(改写过的结尾)", [
        _indicator("人 数", "63 人", "产出指标", "数量指标"),
        _indicator("合格率", "100", "产出指标", "数量指标", comparator="=", value=100, unit="%"),
        _indicator("无值", None),
        _indicator("区域", "2个"),
        _indicator("区域", "9个"),
        _indicator("多出来的", "1"),
    ])
    fs = sc.score_file(truth, _result([read], findings=[("unmapped-cell", "warning"), ("x-error", "error")]))
    assert fs.projects_found == (1, 1)
    assert fs.amounts_right == (1, 1)
    assert fs.goals_read == (1, 1)
    assert fs.indicator_recall == (4, 5)  # 区域/甲县 1个 was read as 9个
    assert fs.level_accuracy == (1, 2)  # 合格率 read under 数量指标
    assert fs.spurious_rows == (1, 6)  # 多出来的; 区域 = 9个 is a wrong target, not spurious
    assert fs.unmapped_cells == 1
    assert fs.error_codes == ["x-error"]
    assert fs.target_forms_read == (1, 1)


def test_scoring_wrong_amount_other_goal_missing_project(tmp_path: Path) -> None:
    truth = _truth(tmp_path, """kind = "project"
[[projects]]
name = "甲"
amount = "5"
goal = "目标"
[[projects]]
name = "乙"
name_variants = ["单位_乙"]
amount = "1"
""")
    fs = sc.score_file(truth, _result([_project("甲", Decimal("50"), "别的"), _project("丙", Decimal("1"))]))
    assert fs.projects_found == (1, 2)
    assert fs.amounts_right == (0, 2)
    assert fs.goals_read == (0, 1)
    fs = sc.score_file(truth, _result([_project("单位_乙", Decimal("1"))]))
    assert fs.projects_found == (1, 2) and fs.amounts_right == (1, 2)


def test_scoring_department_plan_and_negatives(tmp_path: Path) -> None:
    truth = _truth(tmp_path, 'kind = "department"\n[department]\nname = "某局"\namount = "10"\nindicators = []\n')
    total = SimpleNamespace(current_amount=Decimal("10"))
    plan = SimpleNamespace(name="某局", revenue_total=None, expenditure_total=total, annual_goal=None,
                           annual_indicators=[], long_term_indicators=[])
    fs = sc.score_file(truth, _result(plan=plan))
    assert (fs.projects_found, fs.amounts_right) == ((1, 1), (1, 1))
    fs = sc.score_file(truth, _result([_project("某局", Decimal("10"))]))
    assert fs.projects_found == (0, 1)  # a department form read as a project is not its plan

    negative = _truth(tmp_path, 'kind = "negative"\nwhy = "自评表"\n')
    refused = _result(findings=[("not-a-target-form", "error")], exit_code=2)
    assert sc.score_file(negative, refused).negatives_refused == (1, 1)
    read_as_form = _result([_project("自评", None, None, [_indicator("a", "1")])])
    fs = sc.score_file(negative, read_as_form)
    assert fs.negatives_refused == (0, 1) and fs.spurious_rows == (1, 1)


def test_an_indicator_counts_only_in_the_unit_the_truth_puts_it_in(tmp_path: Path) -> None:
    """A row read right but under another project (or under a project when the truth puts it in
    the department plan) is a miss and a spurious row; ``pooled`` counts it as earlier rounds did."""
    truth = _truth(tmp_path, """kind = "project"
[[projects]]
name = "甲"
indicators = [ { name = "人数", target = "63人" }, { name = "合格率", target = "100%" } ]
[[projects]]
name = "乙"
indicators = [ { name = "里程", target = "5公里" } ]
""")
    result = _result([_project("甲", indicators=[_indicator("人数", "63人")]),
                      _project("乙", indicators=[_indicator("合格率", "100%")]),
                      _project("丙", indicators=[_indicator("里程", "5公里")])])
    fs = sc.score_file(truth, result)
    assert fs.projects_found == (2, 2)
    assert fs.indicator_recall == (1, 3)
    assert fs.spurious_rows == (2, 3)  # 合格率 under 乙, 里程 under the unmatched 丙
    assert sc.score_file(truth, result, pooled=True).indicator_recall == (3, 3)

    dept = _truth(tmp_path, 'kind = "department"\n[department]\nname = "某局"\n'
                            'indicators = [ { name = "人数", target = "63人" } ]\n')
    plan = SimpleNamespace(name="某局", revenue_total=None, expenditure_total=None, annual_goal=None,
                           annual_indicators=[], long_term_indicators=[])
    fs = sc.score_file(dept, _result([_project(None, indicators=[_indicator("人数", "63人")])], plan=plan))
    assert (fs.projects_found, fs.indicator_recall, fs.spurious_rows) == ((1, 1), (0, 1), (1, 1))


@pytest.mark.parametrize("text", [
    'kind = "project"\n[[projects]]\nname = "a"\nammount = "1"\n',
    'kind = "project"\n[[projects]]\nname = "a"\namount = 1.5\n',
    'kind = "negative"\nwhy = "x"\n[[projects]]\nname = "a"\n',
    'kind = "form"\n',
    'kind = "project"\n[[projects]]\nname = "a"\nindicators = [ { name = "b", target = "1", targets = { "x" = "1" } } ]\n',
    'kind = "project"\n[[projects]]\nname = "a"\nindicators = [ { name = "b", 目标 = "1" } ]\n',
])
def test_bad_truth_files_are_refused_with_their_name(tmp_path: Path, text: str) -> None:
    with pytest.raises(sc.TruthError, match="x.toml"):
        _truth(tmp_path, text)


# Truth texts that are not one run of the page text: the 东莞 goals are two PDF fragments each.
TRUTH_NOT_IN_PAGE = {("dongguan_gonganju_2020_project", "goal"), ("dongguan_gonganju_2020_project", "long_term_goal")}


@pytest.mark.parametrize("path", sorted((CORPUS / "truth").glob("*.toml")), ids=lambda p: p.stem)
def test_truth_texts_are_written_as_the_page_has_them(path: Path) -> None:
    """Names, goals, targets and their parts appear in the page text (white space aside):
    the truth records what the page says, not a tidied version."""
    page = sc.norm((CORPUS / "source" / f"{path.stem}.txt").read_text(encoding="utf-8").split("\n---\n", 1)[1])
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    units = ([data["department"]] if "department" in data else []) + data.get("projects", [])
    texts = []
    for unit in units:
        texts += [(k, unit[k]) for k in ("name", "goal", "long_term_goal") if k in unit]
        texts += [("name_variants", v) for v in unit.get("name_variants", [])]
        for row in unit.get("indicators", []):
            texts += [(k, row[k]) for k in ("name", "period_target", "description") if k in row]
            if "parts" in row:  # separate columns: the joined text is not on the page, each part is
                texts += [("parts", v) for v in row["parts"].values()]
            elif "target" in row:
                texts.append(("target", row["target"]))
            texts += [("targets", v) for v in {**row.get("targets", {}), **row.get("grades", {})}.values()]
    foreign = [(k, t) for k, t in texts if sc.norm(t) not in page and (path.stem, k) not in TRUTH_NOT_IN_PAGE]
    assert not foreign
