"""Score how well ``xlperf import`` reads the real-forms corpus, against the facts read by eye.

    python scripts/score_corpus.py                     # a table per file, then the overall figures
    python scripts/score_corpus.py --json score.json   # the same figures for tools
    python scripts/score_corpus.py --details           # and, per file, what was missed or read wrong
    python scripts/score_corpus.py --workbooks DIR --truth DIR   # the variants of build_corpus.py --variants DIR
    python scripts/score_corpus.py --pooled            # indicators pooled over a file's units (earlier rounds)

Every workbook of corpus/workbooks/ (built by scripts/build_corpus.py) is imported with
``xlperf.importer.import_workbook`` and compared with corpus/truth/<stem>.toml (format in
corpus/README.md). Names and texts are compared normalised: NFKC, all white space removed.

Figures, per file and overall (counts, and the ratio overall):

* projects found: a truth project (or department plan) matched by normalised name to a read
  project (or the read department plan), one to one, in order; ``name_variants`` also match;
* amounts right: of the truth units with an amount, those whose matched unit read the same
  amount, exact ``Decimal`` equality in 万元 (a department plan: its 收入 or 支出 合计);
* goals read: of the truth units with a goal, those whose matched unit's goal is equal, or
  contains the truth goal's first 20 characters;
* indicator recall: expected indicators (one per truth row; one per recipient value where the
  row has ``targets``) with a read indicator of the same 三级 name and target text, one to
  one, **in the unit the truth puts the row in**: only the indicators of the read unit matched
  to that truth unit (above) count, so a row read under the wrong project, or under a project
  when the truth puts it in the department plan, is a miss; a truth unit not found recalls
  nothing. A truth row without a target expects none read; where the truth gives ``parts``
  (separate operator / value / unit columns) a read target with that comparator, value and
  unit also counts. ``--pooled`` counts as earlier rounds did, pooling a file's rows over every
  unit read (a misattributed row then counts), to compare with the scores those rounds recorded;
* level accuracy: of the recalled indicators whose truth gives a level, those whose canonical
  一级 and 二级 equal the truth's where it gives them;
* spurious rows: read indicators that match no truth row of their unit even by name alone
  (every indicator of a read unit matched to no truth unit), over all read indicators (0 when
  none was read);
* unmapped cells: the number of ``unmapped-cell`` findings;
* negatives refused: a negative file imported with exit code 2 and a ``not-a-target-form``
  finding; target forms read: a target file not refused (exit code 0 or 1).

Exit code 0, or 2 when a truth file is malformed or a workbook is missing.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tomllib
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORKBOOKS = ROOT / "corpus" / "workbooks"
TRUTH = ROOT / "corpus" / "truth"

KINDS = ("project", "department", "regional-transfer", "negative")
_FILE_KEYS = {"kind", "note", "why", "projects", "department"}
_UNIT_KEYS = {"name", "name_variants", "name_note", "unit", "amount", "amount_text", "amount_note", "goal",
              "goal_note", "long_term_goal", "recipients", "note", "indicators"}
_INDICATOR_KEYS = {"level1", "level2", "name", "target", "parts", "period_target", "targets", "grades",
                   "description", "weight", "note"}
_PART_KEYS = {"operator", "value", "unit"}
GOAL_PREFIX = 20

# figure name -> True when higher is better (a floor), False when lower is better (a ceiling)
FIGURES = {
    "projects_found": True,
    "amounts_right": True,
    "goals_read": True,
    "indicator_recall": True,
    "level_accuracy": True,
    "spurious_rows": False,
    "unmapped_cells": False,
    "negatives_refused": True,
    "target_forms_read": True,
}


class TruthError(ValueError):
    """A truth file that breaks the format (names the file and the key)."""


def norm(text: object) -> str:
    """NFKC with all white space removed; ``None`` is the empty string."""
    if text is None:
        return ""
    return "".join(unicodedata.normalize("NFKC", str(text)).split())


@dataclass(frozen=True)
class Expected:
    """One expected indicator: a 三级 name and its target text (``None``: no target)."""

    name: str
    target: str | None
    level1: str | None = None
    level2: str | None = None
    parts: dict[str, str] | None = None


@dataclass
class TruthUnit:
    """A project (or the department plan) of a truth file; amount in 万元."""

    kind: str  # "project" or "department"
    names: list[str]
    amount: Decimal | None
    goal: str | None
    expected: list[Expected]


@dataclass
class Truth:
    """The facts of one corpus file."""

    stem: str
    kind: str
    units: list[TruthUnit] = field(default_factory=list)


def _check_keys(table: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise TruthError(f"{where}: unknown key(s) {', '.join(unknown)}")


def _amount(value: object, where: str) -> Decimal | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TruthError(f"{where}: amount must be a decimal string in 万元, not {value!r}")
    try:
        return Decimal(value)
    except InvalidOperation:
        raise TruthError(f"{where}: amount {value!r} is not a decimal") from None


def _unit(table: dict[str, Any], kind: str, where: str) -> TruthUnit:
    _check_keys(table, _UNIT_KEYS, where)
    if not isinstance(table.get("name"), str) or not table["name"].strip():
        raise TruthError(f"{where}: a name is required")
    expected: list[Expected] = []
    for i, row in enumerate(table.get("indicators", []), 1):
        at = f"{where} indicator {i}"
        _check_keys(row, _INDICATOR_KEYS, at)
        if not isinstance(row.get("name"), str):
            raise TruthError(f"{at}: a 三级 name is required")
        parts = row.get("parts")
        if parts is not None:
            _check_keys(parts, _PART_KEYS, f"{at} parts")
        levels = {"level1": row.get("level1"), "level2": row.get("level2")}
        if "targets" in row:
            if "target" in row:
                raise TruthError(f"{at}: give target or targets, not both")
            expected += [Expected(row["name"], value, **levels) for _, value in sorted(row["targets"].items())]
        else:
            expected.append(Expected(row["name"], row.get("target"), parts=parts, **levels))
    return TruthUnit(kind, [table["name"], *table.get("name_variants", [])],
                     _amount(table.get("amount"), where), table.get("goal"), expected)


def load_truth(path: Path) -> Truth:
    """Read one truth file. Raises :class:`TruthError` for unknown keys, a missing name, a
    non-decimal amount, or a negative file with projects."""
    where = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise TruthError(f"{where}: not valid TOML: {exc}") from None
    _check_keys(data, _FILE_KEYS, where)
    kind = data.get("kind")
    if kind not in KINDS:
        raise TruthError(f"{where}: kind must be one of {', '.join(KINDS)}")
    truth = Truth(path.stem, kind)
    if kind == "negative":
        if "projects" in data or "department" in data or not data.get("why"):
            raise TruthError(f"{where}: a negative file records only kind and why")
        return truth
    if "department" in data:
        truth.units.append(_unit(data["department"], "department", f"{where} [department]"))
    for i, table in enumerate(data.get("projects", []), 1):
        truth.units.append(_unit(table, "project", f"{where} [[projects]] {i}"))
    if not truth.units:
        raise TruthError(f"{where}: a target form needs a [department] or [[projects]]")
    return truth


@dataclass
class ReadUnit:
    """What xlperf read as one project or as the department plan."""

    kind: str
    names: list[str]
    amounts: list[Decimal]
    goal: str | None
    indicators: list[Any] = field(default_factory=list)


def _read_units(submission: Any) -> list[ReadUnit]:
    """The read units, each with its indicators (the department plan's annual and long-term ones)."""
    units: list[ReadUnit] = []
    if submission is None:
        return units
    plan = submission.department_plan
    if plan is not None:
        totals = [row.current_amount for row in (plan.revenue_total, plan.expenditure_total)
                  if row is not None and row.current_amount is not None]
        units.append(ReadUnit("department", [n for n in (plan.name, submission.department.name) if n],
                              [Decimal(str(a)) for a in totals], plan.annual_goal,
                              [*plan.annual_indicators, *plan.long_term_indicators]))
    for project in submission.projects:
        amounts = [Decimal(str(project.annual_amount))] if project.annual_amount is not None else []
        units.append(ReadUnit("project", [project.name] if project.name else [], amounts, project.performance_target,
                              list(project.indicators)))
    return units


def _target_ok(exp: Expected, target: Any) -> bool:
    raw = norm(target.raw) if target is not None else ""
    if exp.target is None:
        return raw == ""
    if raw == norm(exp.target):
        return True
    if exp.parts is None or target is None:
        return False
    value = exp.parts.get("value")
    try:
        same_value = target.value is not None and Decimal(str(target.value)) == Decimal(value)
    except (InvalidOperation, TypeError):
        same_value = raw == norm(value)
    return (same_value
            and ("operator" not in exp.parts or norm(target.comparator) == norm(exp.parts["operator"]))
            and ("unit" not in exp.parts or norm(target.unit) == norm(exp.parts["unit"])))


def _goal_ok(truth_goal: str, read_goal: str | None) -> bool:
    want, got = norm(truth_goal), norm(read_goal)
    return bool(got) and (got == want or want[:GOAL_PREFIX] in got)


@dataclass
class FileScore:
    """The figures of one corpus file: (right, out of) pairs, counts, the exit code."""

    stem: str
    kind: str
    exit_code: int
    error_codes: list[str]
    units_read: int = 0
    projects_found: tuple[int, int] = (0, 0)
    amounts_right: tuple[int, int] = (0, 0)
    goals_read: tuple[int, int] = (0, 0)
    indicator_recall: tuple[int, int] = (0, 0)
    level_accuracy: tuple[int, int] = (0, 0)
    spurious_rows: tuple[int, int] = (0, 0)
    unmapped_cells: int = 0
    negatives_refused: tuple[int, int] = (0, 0)
    target_forms_read: tuple[int, int] = (0, 0)
    # what went wrong, for --details: lines of text in truth order
    details: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: pairs as ``[right, total]``, plus the detail lines."""
        out: dict[str, Any] = {"file": self.stem, "kind": self.kind, "exit_code": self.exit_code,
                               "error_codes": self.error_codes, "units_read": self.units_read}
        for name in FIGURES:
            value = getattr(self, name)
            out[name] = list(value) if isinstance(value, tuple) else value
        out["details"] = self.details
        return out


def score_file(truth: Truth, result: Any, *, pooled: bool = False) -> FileScore:
    """Compare one import result (an ``xlperf.importer.ImportResult``) with its truth; indicators
    are counted in the unit the truth puts them in, or over all units with ``pooled``."""
    findings = result.report.findings
    codes = sorted({f.code for f in findings if f.severity == "error"})
    refused = result.exit_code == 2 and any(f.code == "not-a-target-form" for f in findings)
    units = _read_units(result.submission)
    fs = FileScore(truth.stem, truth.kind, result.exit_code, codes, units_read=len(units),
                   unmapped_cells=sum(1 for f in findings if f.code == "unmapped-cell"))
    if truth.kind == "negative":
        fs.negatives_refused = (int(refused), 1)
    else:
        fs.target_forms_read = (int(result.exit_code != 2), 1)

    free = list(units)
    matched: list[tuple[TruthUnit, ReadUnit | None]] = []
    found = amounts = amounts_total = goals = goals_total = 0
    for unit in truth.units:
        wanted = {norm(n) for n in unit.names}
        match = next((u for u in free if u.kind == unit.kind and wanted & {norm(n) for n in u.names}), None)
        matched.append((unit, match))
        if match is not None:
            free.remove(match)
            found += 1
        else:
            fs.details.append(f"{unit.kind} not found: {unit.names[0]}")
        if unit.amount is not None:
            amounts_total += 1
            ok = match is not None and unit.amount in match.amounts
            amounts += int(ok)
            if match is not None and not ok:
                fs.details.append(f"amount of {unit.names[0]}: want {unit.amount}, read {[str(a) for a in match.amounts]}")
        if unit.goal is not None:
            goals_total += 1
            ok = match is not None and _goal_ok(unit.goal, match.goal)
            goals += int(ok)
            if match is not None and not ok:
                fs.details.append(f"goal of {unit.names[0]}: read {_short(match.goal)}")
    fs.details += [f"read {u.kind} matching no truth unit: {u.names[0] if u.names else '(no name)'}" for u in free]
    fs.projects_found = (found, len(truth.units))
    fs.amounts_right = (amounts, amounts_total)
    fs.goals_read = (goals, goals_total)

    read = [i for u in units for i in u.indicators]
    if pooled:  # one group: every expected row against every read row
        groups = [([e for unit in truth.units for e in unit.expected], list(read))]
    else:  # a truth unit's rows against its matched unit's rows only; unmatched read units are all spurious
        groups = [(unit.expected, list(match.indicators) if match is not None else []) for unit, match in matched]
        groups.append(([], [i for u in free for i in u.indicators]))
    expected = [e for exp, _ in groups for e in exp]
    recalled: list[tuple[Expected, Any]] = []
    unused: list[Any] = []
    missed_lines: list[str] = []
    for group_expected, group_read in groups:
        group_recalled, group_unused, lines = _match_rows(group_expected, group_read)
        recalled += group_recalled
        unused += group_unused
        missed_lines += lines
    fs.indicator_recall = (len(recalled), len(expected))
    with_levels = [(e, i) for e, i in recalled if e.level1 or e.level2]
    right = sum(1 for e, i in with_levels
                if (e.level1 is None or i.level1 == e.level1) and (e.level2 is None or i.level2 == e.level2))
    fs.level_accuracy = (right, len(with_levels))
    fs.details += [f"level of {e.name}: want {e.level1}/{e.level2}, read {i.level1}/{i.level2}" for e, i in with_levels
                   if not ((e.level1 is None or i.level1 == e.level1) and (e.level2 is None or i.level2 == e.level2))]
    fs.details += missed_lines
    fs.details += [f"spurious row: {_short(i.name)} = {_short(i.target.raw if i.target else None)}" for i in unused]
    fs.spurious_rows = (len(unused), len(read))
    return fs


def _match_rows(expected: list[Expected], read: list[Any]) -> tuple[list[tuple[Expected, Any]], list[Any], list[str]]:
    """Match expected rows to read rows one to one by name and target: the recalled pairs, the
    read rows matching no expected row even by name (spurious; a row read with a wrong target is
    wrong, not spurious) and a detail line per expected row missed."""
    unused = list(read)
    recalled: list[tuple[Expected, Any]] = []
    missed: list[Expected] = []
    for exp in expected:
        hit = next((i for i in unused if norm(i.name) == norm(exp.name) and _target_ok(exp, i.target)), None)
        if hit is None:
            missed.append(exp)
        else:
            unused.remove(hit)
            recalled.append((exp, hit))
    lines = []
    for exp in missed:
        hit = next((i for i in unused if norm(i.name) == norm(exp.name)), None)
        if hit is not None:
            unused.remove(hit)
            lines.append(f"target of {exp.name}: want {exp.target!r}, read {_short(hit.target.raw if hit.target else None)}")
        else:
            lines.append(f"indicator not read: {exp.name} = {exp.target!r}")
    return recalled, unused, lines


def _short(text: str | None, limit: int = 40) -> str:
    """A read text for a detail line: quoted, cut to ``limit`` characters."""
    if text is None:
        return "None"
    return repr(text if len(text) <= limit else text[:limit] + "…")


@dataclass
class Scores:
    """All file scores (sorted by file) and their sums."""

    files: list[FileScore]

    def total(self, name: str) -> tuple[int, int] | int:
        """The sum of one figure over all files."""
        values = [getattr(f, name) for f in self.files]
        if isinstance(values[0], tuple):
            return (sum(v[0] for v in values), sum(v[1] for v in values))
        return sum(values)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: per file and overall, pairs as ``[right, total]`` plus overall ratios."""
        overall: dict[str, Any] = {}
        for name in FIGURES:
            value = self.total(name)
            overall[name] = list(value) if isinstance(value, tuple) else value
            r = ratio(name, value)
            if r is not None and isinstance(value, tuple):
                overall[f"{name}_ratio"] = round(r, 4)
        return {"files": [f.as_dict() for f in self.files], "overall": overall}


def ratio(name: str, value: tuple[int, int] | int) -> float | None:
    """A figure as one number: right/total (``None`` when there is nothing to count; spurious
    rows 0.0 when nothing was read), or the count itself."""
    if not isinstance(value, tuple):
        return float(value)
    right, total = value
    if total == 0:
        return 0.0 if name == "spurious_rows" else None
    return right / total


def score(*, workbooks: Path = WORKBOOKS, truth_dir: Path = TRUTH, pooled: bool = False) -> Scores:
    """Import every corpus workbook and score it against its truth file (indicators per unit, or
    ``pooled`` over a file's units).

    Raises :class:`TruthError` for a malformed truth file and ``FileNotFoundError`` for a
    truth file without its workbook (run scripts/build_corpus.py)."""
    from xlperf.importer import import_workbook

    files = []
    for path in sorted(truth_dir.glob("*.toml")):
        truth = load_truth(path)
        book = workbooks / f"{path.stem}.xlsx"
        if not book.is_file():
            raise FileNotFoundError(f"{book} is missing: run python scripts/build_corpus.py")
        files.append(score_file(truth, import_workbook(str(book)), pooled=pooled))
    return Scores(files)


_COLUMNS = [("projects_found", "found"), ("amounts_right", "amount"), ("goals_read", "goal"),
            ("indicator_recall", "recall"), ("level_accuracy", "levels"), ("spurious_rows", "spurious"),
            ("unmapped_cells", "unmapped"), ("negatives_refused", "refused")]
_LABELS = {"projects_found": "projects found", "amounts_right": "amounts right", "goals_read": "goals read",
           "indicator_recall": "indicator recall", "level_accuracy": "level accuracy",
           "spurious_rows": "spurious rows", "unmapped_cells": "unmapped cells",
           "negatives_refused": "negatives refused", "target_forms_read": "target forms read (not refused)"}


def _pair(value: tuple[int, int] | int) -> str:
    if isinstance(value, tuple):
        return "-" if value[1] == 0 else f"{value[0]}/{value[1]}"
    return str(value)


def floors_toml(scores: Scores) -> str:
    """Today's figures as the text of corpus/floors.toml: overall and per file, each ratio cut
    to 4 decimals towards the safe side (a floor down, a ceiling up); figures with nothing to
    count are left out."""
    def figures(get: Any) -> list[str]:
        lines = []
        for name, higher_better in FIGURES.items():
            value = get(name)
            r = ratio(name, value)
            if r is None:
                continue
            if not isinstance(value, tuple):
                lines.append(f"{name} = {value}")
                continue
            cut = math.floor(r * 10_000) / 10_000 if higher_better else math.ceil(r * 10_000) / 10_000
            lines.append(f"{name} = {cut}")
        return lines

    out = [FLOORS_HEADER, "[overall]", *figures(scores.total)]
    for f in scores.files:
        out += ["", f'[files."{f.stem}"]', *figures(lambda name, f=f: getattr(f, name))]
    return "\n".join(out) + "\n"


FLOORS_HEADER = """# What scripts/score_corpus.py reached on a set of forms (corpus/, or a held-out set with
# --workbooks/--truth), kept from falling by tests/test_corpus_score.py (tests/test_heldout.py,
# tests/test_heldout2.py, tests/test_heldout3.py, tests/test_heldout4.py).
# Ratios (right / total); spurious_rows and unmapped_cells are ceilings (lower is better),
# every other figure a floor. Written by
#     python scripts/score_corpus.py [--workbooks DIR --truth DIR] --write-floors FILE
# after the reader improved: review the diff, no figure may get worse.
"""


def render(scores: Scores) -> str:
    """The plain-text report: one row per file, then the overall figures (deterministic)."""
    stem_w = max(len(f.stem) for f in scores.files)
    head = f"{'file':<{stem_w}}  {'kind':<17} exit " + " ".join(f"{label:>8}" for _, label in _COLUMNS) + "  errors"
    lines = [head, "-" * len(head)]
    for f in scores.files:
        cells = " ".join(f"{_pair(getattr(f, name)):>8}" for name, _ in _COLUMNS)
        lines.append(f"{f.stem:<{stem_w}}  {f.kind:<17} {f.exit_code:>4} {cells}  {','.join(f.error_codes) or '-'}")
    lines += ["", "overall"]
    for name in FIGURES:
        value = scores.total(name)
        r = ratio(name, value)
        shown = "n/a" if r is None else (f"{100 * r:5.1f} %" if isinstance(value, tuple) else "")
        lines.append(f"  {_LABELS[name]:<32} {_pair(value):>8}  {shown}".rstrip())
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command line: print the table (and write ``--json``); 2 on a bad truth file or missing workbook."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--details", action="store_true", help="also list, per file, what was missed or read wrong")
    parser.add_argument("--workbooks", type=Path, default=WORKBOOKS, metavar="DIR",
                        help="the workbooks to score (default corpus/workbooks)")
    parser.add_argument("--truth", type=Path, default=TRUTH, metavar="DIR",
                        help="their truth files (default corpus/truth); for variants the same DIR")
    parser.add_argument("--write-floors", type=Path, metavar="FILE",
                        help="write today's figures as floors/ceilings (corpus/floors.toml)")
    parser.add_argument("--pooled", action="store_true",
                        help="count indicators over all of a file's units, as rounds before the per-unit count did")
    args = parser.parse_args(argv)
    if args.pooled and args.write_floors:
        parser.error("floors follow the per-unit count: --pooled cannot write them")
    try:
        scores = score(workbooks=args.workbooks, truth_dir=args.truth, pooled=args.pooled)
    except (TruthError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(render(scores))
    if args.details:
        for f in scores.files:
            if f.details:
                sys.stdout.write(f"\n{f.stem}\n" + "".join(f"  {line}\n" for line in f.details))
    if args.json:
        _write(args.json, json.dumps(scores.as_dict(), ensure_ascii=False, indent=1) + "\n")
    if args.write_floors:
        _write(args.write_floors, floors_toml(scores))
    return 0


def _write(path: Path, text: str) -> None:
    """Write a text file atomically (a temporary file in the same folder, then a rename)."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


if __name__ == "__main__":
    sys.exit(main())
