"""List every 绩效值 / 指标值 string of the five seed texts (samples/source/).

Used to build ``tests/data/target_corpus.tsv``: this script finds the strings; the
expected parse of each was then written and checked by eye against the seed text
(never produced by xlperf.targets). Re-run it after a seed text changes and compare:

    python scripts/extract_target_corpus.py            # prints raw<TAB>seeds
    python scripts/extract_target_corpus.py --check    # lists strings missing from the corpus

The extraction is deliberately independent of xlperf's readers: it works on the text
with simple per-seed rules, so the corpus tests the parser, not the importer.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import OrderedDict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "samples" / "source"
CORPUS = ROOT / "tests" / "data" / "target_corpus.tsv"

LEVEL_ROW = re.compile(r"^\s*\d{1,2}-.{0,6}(指标|效益|影响|满意度)$")


def _fields(line: str) -> list[str]:
    return [f.strip() for f in line.rstrip("\n").split("\t")]


LEVEL2 = re.compile(r"^\s*\d{2}-")
CMP_SPLIT = re.compile(r"\s([=<>≤≥].*)$")


def project_form(text: str) -> list[str]:
    """Seeds 000 / 002: in each indicator row (one with a coded 二级 cell such as
    ``11-数量指标``), the 三级 name is the next non-empty cell and the value is the
    first non-empty cell after it. Where name and value share one cell (002 水电费:
    ``本年度保障月份 =12个月``) the value is the part from the comparator (or after
    the last space)."""
    out = []
    for line in text.splitlines():
        cells = _fields(line)
        idx = [i for i, c in enumerate(cells) if LEVEL_ROW.match(c) and LEVEL2.match(c)]
        if not idx:
            continue
        after = [c for c in cells[idx[-1] + 1 :] if c]
        if len(after) >= 2:
            out.append(after[1])
        elif len(after) == 1:
            m = CMP_SPLIT.search(after[0])
            if m:
                out.append(m.group(1).strip())
            elif " " in after[0]:
                out.append(after[0].rsplit(" ", 1)[1])
    return [v for v in out if v]


def hebei(text: str) -> list[str]:
    """Seed 001: one cell per line, rows separated by blank lines; an indicator row
    has six cells and the fifth is 指标值."""
    out = []
    for block in re.split(r"\n\s*\n", text):
        cells = [ln.strip() for ln in block.split("\n") if ln.startswith("\t")]
        if len(cells) == 6 and cells[0] != "一级指标" and (cells[1].endswith("指标") or cells[0].endswith("指标")):
            out.append(cells[4])
    return [v for v in out if v]


def guangdong(text: str) -> list[str]:
    """Seed 003: the values after 实施周期指标值: and 年度指标值:."""
    out = []
    for m in re.finditer(r"(实施周期指标值|年度指标值)[:：]\s*(.*?)(?=[,，;；]?\s*(?:年度指标值|$|;|；\d|;\d))", text, re.MULTILINE):
        out.append(m.group(2).strip())
    return [v for v in out if v]


DEPT_LEVELS = {
    "长期绩效指标", "年度绩效指标",
    "运行成本", "公用经费控制", "在职人员控制", "项目支出成本控制",
    "管理效率", "战略管理", "预算编制", "预算执行", "绩效管理", "资产管理", "财务管理",
    "履职效能", "社会效益", "经济效益", "生态效益",
    "可持续发展能力", "体制机制改革", "人才支撑", "科技支撑",
    "满意度", "服务对象满意度", "联系部门满意度",
}
BASIS = {"计划标准", "行业标准", "历史标准", "预算支出标准", "其他标准"}


def department(text: str) -> list[str]:
    """Seed 004: in each indicator row, drop the level names (the form's framework,
    listed above) from the left; the next cell is the 三级 name and the non-empty
    cells after it, up to the 指标值确定依据 (or the row end), are values."""
    out = []
    for line in text.splitlines():
        cells = [c for c in _fields(line) if c]
        if not any(c in BASIS for c in cells) and not any(c in ("非税收入预算完成率", "事前绩效评估完成率") for c in cells):
            continue
        i = 0
        while i < len(cells) and (cells[i] in DEPT_LEVELS or re.fullmatch(r"核心业务产出\s*\d+", cells[i])):
            i += 1
        rest = cells[i + 1 :]
        for c in rest:
            if c in BASIS or c == "基本型":
                break
            out.append(c)
    return out


EXTRACTORS = {"000": project_form, "001": hebei, "002": project_form, "003": guangdong, "004": department}


def collect() -> OrderedDict[str, list[str]]:
    found: OrderedDict[str, list[str]] = OrderedDict()
    for path in sorted(SOURCE.glob("*.txt")):
        seed = path.name[:3]
        fn = EXTRACTORS.get(seed)
        if fn is None:
            continue
        for raw in fn(path.read_text(encoding="utf-8")):
            found.setdefault(raw, [])
            if seed not in found[raw]:
                found[raw].append(seed)
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="list extracted strings missing from the corpus")
    args = ap.parse_args(argv)
    found = collect()
    if args.check:
        have = set()
        for line in CORPUS.read_text(encoding="utf-8").splitlines()[1:]:
            if line.strip():
                have.add(line.split("\t")[0])
        missing = [r for r in found if r not in have]
        for r in missing:
            print(r)
        return 1 if missing else 0
    for raw, seeds in found.items():
        print(f"{raw}\t{','.join(seeds)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
