"""The benchmark's workbook sets, generated into bench/out/ (kept between runs).

* ``generated``: filled workbooks of 20 project sheets in the seed-000 (彭阳) layout, 12
  indicators each, as a clerk fills them in a spreadsheet of their own
  (:func:`make_workbook`, written with xlsxwriter);
* ``template``: the xlperf template (``xlperf template``) filled in with openpyxl, as a
  clerk fills it in Excel: the cover block, the department form (amounts, texts, the
  framework's values) and 20 project sheets of 12 indicators each (the nine standard
  二级 rows and three more in the spare rows); the department form's formulas keep no
  cached value, as openpyxl saves them (:func:`make_filled_template`);
* ``samples``: the five real samples of ``samples/``.

    python bench/workbooks.py [--files 20]     # write (or keep) both generated sets
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import xlsxwriter

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"

LEVELS = [
    ("1-产出指标", "11-数量指标", "培训次数", "≥{n}次"),
    (None, None, "宣传资料", "≥{n}00份"),
    (None, "12-质量指标", "合格率", "100%"),
    (None, "13-时效指标", "完成及时率", "≥95%"),
    (None, "14-成本指标", "项目成本", "≤{amount}万元"),
    ("2-效益指标", "21-经济效益", "挽回经济损失", "≥{n}0万元"),
    (None, "22-社会效益", "群众法治意识", "进一步提升"),
    (None, None, "矛盾纠纷化解率", "≥9{n}%"),
    (None, "23-生态效益", "无纸化办公率", "≥60%"),
    (None, "24-可持续影响", "长效机制", "持续发挥作用"),
    ("3-满意度指标", "31-服务对象满意度", "群众满意度", "≥95%"),
    (None, None, "参与人员满意度", "≥90%"),
]


def _amount(seed: int, i: int) -> float:
    return round(10 + (seed * 7 + i * 13) % 90 + 0.5, 2)


def make_workbook(path: Path, seed: int, projects: int = 20) -> None:
    """One filled workbook: *projects* sheets in the seed-000 layout."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    for i in range(projects):
        ws = wb.add_worksheet(f"项目{i + 1}")
        n = (seed + i) % 9 + 1
        amount = _amount(seed, i)
        rows: list[list[object]] = [
            ["2025年部门项目支出预算绩效目标表"], ["单位：万元"],
            ["项目名称", f"第{seed}号单位项目{i + 1}"],
            ["主管部门", "某县司法局", "实施单位", "某县司法局本级"],
            ["项目属性", "0101-一年期项目", "项目期限", "1年"],
            ["项目主管处室", "02-预算股", "项目年度金额", amount],
            ["年度总体绩效目标", f"本项目预算安排资金 {amount} 万元，用于开展普法宣传和人民调解工作，维护社会和谐稳定。"],
            ["一级指标", "二级指标", "三级指标", "绩效值"],
        ]
        for l1, l2, name, target in LEVELS:
            rows.append([l1, l2, name, target.format(n=n, amount=amount)])
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, str):
                    ws.write_string(r, c, v)
                else:
                    ws.write_number(r, c, v)
    wb.close()


# ------------------------------------------------------------------ the template, filled with openpyxl

_COVER = {"省": "宁夏回族自治区", "市": "固原市", "县(区)": "彭阳县", "行政区划代码": "640425",
          "部门名称": "彭阳县司法局", "填报人": "张三", "联系电话": "0954-7012345", "填报日期": "2026-01-15"}
_PROJECT = {"主管部门": "彭阳县司法局", "实施单位": "彭阳县司法局本级", "项目属性": "0101-一年期项目",
            "项目期限": "1年", "项目主管处室": "02-预算股"}


def _cells(ws) -> dict[str, tuple[int, int]]:  # noqa: ANN001 - openpyxl worksheet
    """Label text -> (row, col), 1-based, the first cell holding it."""
    out: dict[str, tuple[int, int]] = {}
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                out.setdefault(cell.value.strip(), (cell.row, cell.column))
    return out


def _right(ws, at: dict[str, tuple[int, int]], label: str, value: object) -> None:  # noqa: ANN001
    r, c = at[label]
    ws.cell(r, c + 1, value)


def _fill_project(ws, seed: int, i: int) -> None:  # noqa: ANN001 - openpyxl worksheet
    """A project sheet as a clerk fills it: the label block, then 12 indicators in the
    nine standard 二级 rows and the spare rows under them."""
    at = _cells(ws)
    n = (seed + i) % 9 + 1
    amount = _amount(seed, i)
    _right(ws, at, "项目名称", f"第{seed}号单位项目{i + 1}")
    for label, value in _PROJECT.items():
        _right(ws, at, label, value)
    _right(ws, at, "项目年度金额", amount)
    _right(ws, at, "年度总体绩效目标", f"本项目预算安排资金 {amount} 万元，用于开展普法宣传和人民调解工作，维护社会和谐稳定。")
    header = at["一级指标"][0]
    standard = {ws.cell(r, 2).value: r for r in range(header + 1, header + 10)}  # 二级 -> row
    spare = header + 10
    l1 = l2 = ""
    for lv1, lv2, name, target in LEVELS:
        l1, l2 = lv1 or l1, lv2 or l2
        r = standard.pop(l2, None)
        if r is None:  # a second 三级 under a 二级: a spare row, its levels chosen from the dropdowns
            r, spare = spare, spare + 1
            ws.cell(r, 1, l1)
            ws.cell(r, 2, l2)
        ws.cell(r, 3, name)
        ws.cell(r, 4, target.format(n=n, amount=amount))
        ws.cell(r, 5, "计划标准")


def _fill_department(ws, seed: int) -> None:  # noqa: ANN001 - openpyxl worksheet
    """The department form: name and contact (where the form asks for them), the amounts (the totals are the
    template's formulas), the texts, two project lines and the framework's values."""
    at = _cells(ws)
    for label, value in (("填报日期", "2026-01-15"), ("部门(单位)名称", "彭阳县司法局"), ("填报人", "张三"),
                         ("联系电话", "0954-7012345")):
        if label in at:  # templates before the cover block took them asked for them here
            _right(ws, at, label, value)
    for k, label in enumerate(("财政拨款", "财政专户管理资金", "单位资金", "人员类项目支出", "运转类项目支出", "特定目标类项目支出")):
        r, c = at[label]
        ws.cell(r, c + 1, 100.0 + seed + 10 * k)
        ws.cell(r, c + 3, 90.0 + seed + 10 * k)
        ws.cell(r, c + 4, 95.0 + seed + 10 * k)
    _right(ws, at, "部门职能概述", "1.负责全县法治宣传教育工作。\n2.负责人民调解工作的指导。")
    _right(ws, at, "年度工作任务", "1.开展普法宣传活动。\n2.化解矛盾纠纷。")
    r, c = at["项目名称"]
    for k in range(2):
        ws.cell(r + 1 + k, c, f"第{seed}号单位项目{k + 1}")
        ws.cell(r + 1 + k, c + 2, "本级特定目标")
        ws.cell(r + 1 + k, c + 3, 50.0 + k)
        ws.cell(r + 1 + k, c + 4, 50.0 + k)
        ws.cell(r + 1 + k, c + 5, "普法宣传")
    r, c = at["整体绩效总目标"]
    ws.cell(r, c + 2, "到2030年，全县法治宣传教育覆盖率达到100%。")
    ws.cell(r + 1, c + 2, "本年度开展普法宣传活动不少于20次。")
    for heading, value_col in (("长期绩效指标", 5), ("年度绩效指标", 7)):
        first = at[heading][0] + (1 if heading == "长期绩效指标" else 2)
        for r in range(first, first + 40):
            if ws.cell(r, 4).value:
                ws.cell(r, value_col, "≥95%")
                ws.cell(r, 8, "计划标准")
                ws.cell(r, 9, "基本型")


def make_filled_template(path: Path, seed: int, projects: int = 20) -> None:
    """The xlperf template of *projects* project sheets, filled with openpyxl (see the
    module doc); the blank template is written once per size into bench/out/."""
    import openpyxl

    from xlperf.writers.template import write_template

    blank = OUT / f"template-blank-{projects}.xlsx"
    if not blank.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        tmp = blank.with_name(f".{os.getpid()}.{blank.name}")
        write_template(str(tmp), year=2026, projects=projects)
        os.replace(tmp, blank)
    wb = openpyxl.load_workbook(blank)
    cover = wb.worksheets[0]
    at = _cells(cover)
    for label, value in _COVER.items():
        _right(cover, at, label, value)
    _fill_department(wb.worksheets[1], seed)
    for i, ws in enumerate(wb.worksheets[2: 2 + projects]):
        _fill_project(ws, seed, i)
    wb.save(path)


SETS = {"generated": make_workbook, "template": make_filled_template}


def ensure(kind: str, n: int) -> list[str]:
    """The paths of *n* workbooks of set *kind* (``generated``, ``template``: written when
    missing; ``samples``: the five samples, *n* ignored)."""
    if kind == "samples":
        return sorted(str(p) for p in (ROOT / "samples").glob("*.xlsx"))
    folder = OUT / f"{'import' if kind == 'generated' else kind}-{n}"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        p = folder / f"submission_{i:05d}.xlsx"
        if not p.exists():  # written aside, then renamed: two runs writing one set never mix their bytes
            tmp = p.with_name(f".{os.getpid()}.{p.name}")
            SETS[kind](tmp, i)
            os.replace(tmp, p)
        paths.append(str(p))
    return paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=20)
    args = ap.parse_args(argv)
    for kind in ("generated", "template"):
        print(kind, len(ensure(kind, args.files)), "workbooks in", Path(ensure(kind, args.files)[0]).parent)
    return 0


if __name__ == "__main__":
    sys.exit(main())
