"""Import of the five bundled samples, checked against facts read off the seed texts by
eye (samples/source/*.txt), never against what the code under test produced."""

from __future__ import annotations

from decimal import Decimal

import pytest
from helpers import SAMPLES

from xlperf.importer import ImportResult, import_workbook
from xlperf.model import Indicator, Project

FILES = {
    "pengyang": "000_pengyang_2024.xlsx",
    "laoting": "001_laoting_2022.xlsx",
    "hongsibu": "002_hongsibu_2025.xlsx",
    "zengcheng": "003_zengcheng_2024.xlsx",
    "yangxin": "004_yangxin_2026.xlsx",
}


@pytest.fixture(scope="module")
def imported() -> dict[str, ImportResult]:
    return {k: import_workbook(str(SAMPLES / f)) for k, f in FILES.items()}


def _project(r: ImportResult, name: str) -> Project:
    matches = [p for p in r.submission.projects if p.name == name]
    assert matches, f"no project {name!r}"
    return matches[0]


def _indicator(p: Project, name: str) -> Indicator:
    matches = [i for i in p.indicators if i.name == name]
    assert matches, f"no indicator {name!r} in {p.name}"
    return matches[0]


def _codes_at(r: ImportResult, code: str) -> list[str]:
    return [f.where for f in r.report.findings if f.code == code]


@pytest.mark.parametrize("key", list(FILES))
def test_nothing_lost(imported: dict[str, ImportResult], key: str) -> None:
    r = imported[key]
    st = r.report.stats
    assert st["cells"] == st["cells_mapped"] + st["cells_reported"]
    unmapped = [f for f in r.report.findings if f.code == "unmapped-cell"]
    assert len(unmapped) == st["cells_reported"]
    assert all(f.sheet and f.cell and f.text for f in unmapped)


# ---------------------------------------------------------------- 彭阳 (seed 000)
def test_pengyang(imported: dict[str, ImportResult]) -> None:
    r = imported["pengyang"]
    s = r.submission
    assert s.year == 2024  # title: 2024 年部门项目支出预算绩效目标表
    assert s.department.name == "彭阳县司法局"
    assert s.region.county == "彭阳县"
    assert len(s.projects) == 12
    assert sum(p.annual_amount for p in s.projects) == Decimal("494.56")
    p = s.projects[0]
    assert p.name == "2024 年“司法协理”基层服务专项计划资金"
    assert p.annual_amount == Decimal("31.9")
    assert (p.competent_department, p.implementing_unit) == ("彭阳县司法局", "彭阳县司法局本级")
    assert (p.attribute, p.duration, p.supervising_office) == ("0101-一年期项目", "1 年", "02-预算股")
    assert len(p.indicators) == 7  # 21-经济效益 and 23-生态效益 are left empty
    ind = _indicator(p, "司法协理员数量")
    assert (ind.level1, ind.level2, ind.level2_code, ind.level2_text) == ("产出指标", "数量指标", "11", "11-数量指标")
    assert (ind.target.raw, ind.target.comparator, ind.target.value, ind.target.unit) == ("24 人", "=", 24, "人")
    assert ind.source.endswith("!C21")
    cost = _indicator(p, "司法协理员工资社保费")
    assert (cost.target.comparator, cost.target.value, cost.target.unit) == ("≤", Decimal("31.9"), "万元")
    assert _indicator(p, "司法协理员满意度").target.raw == ">90%"
    # <p> markup removed, text kept
    p2 = s.projects[1]
    assert p2.performance_target.startswith("本项目预算安排资金 35 万元") and "<p>" not in p2.performance_target
    # three cost indicators summing to the amount: no mismatch
    p3 = s.projects[2]
    assert [i.target.raw for i in p3.indicators if i.level2 == "成本指标"] == ["52 万元", "10 万元", "12 万元"]
    assert _project(r, "普法与依法治理工作经费").attribute == "0101--一年期项目"  # as typed
    assert sum(len(p.indicators) for p in s.projects) == 96
    assert r.report.valid
    # the 24-可持续影响 row written one column left (法治政府… project) is realigned and reported
    p5 = _project(r, "法治政府、行政复议、公共法律服务、法律援助工作经费")
    sustain = _indicator(p5, "推进彭阳县法治政府建设持续发展")
    assert (sustain.level2, sustain.target.raw) == ("可持续影响", "可持续")
    assert len(_codes_at(r, "row-shifted")) == 1


# ---------------------------------------------------------------- 乐亭 (seed 001, Hebei)
def test_laoting(imported: dict[str, ImportResult]) -> None:
    r = imported["laoting"]
    s = r.submission
    assert (s.department.name, s.department.code) == ("乐亭县司法局", "315002")
    assert len(s.projects) == 12
    assert sum(p.annual_amount for p in s.projects) == Decimal("122.06")
    p = s.projects[0]
    assert (p.code, p.name, p.annual_amount, p.fiscal_funds, p.other_funds) == (
        "13022522P000R24100085", "法律援助", Decimal("5.00"), Decimal("5.00"), None)
    assert p.fund_use == "主要用于公共法律服务中心房租、法律宣传及其他办案业务费用。"
    assert [(c.checkpoint, c.cumulative_percent) for c in p.spending_plan] == [
        ("3月底", 25), ("6月底", 50), ("10月底", 75), ("12月底", 100)]
    assert p.performance_target.startswith("1.完善三级公共法律服务阵地建设") and "\n2.完成法律援助案件" in p.performance_target
    first = p.indicators[0]
    assert (first.level1, first.level2, first.name, first.description, first.target.raw, first.value_basis) == (
        "产出指标", "数量指标", "法律援助案件受理数（件)", "法律援助案件受理数（件)", "≥396件", "年初工作安排")
    social = _indicator(p, "促进社会和谐稳定")
    assert (social.level2_text, social.level2, social.level2_code) == ("社会效益指标", "社会效益", "22")
    satis = _indicator(p, "服务对象满意度")
    assert (satis.level2_text, satis.level2, satis.target.value) == ("服务对象满意度指标", "服务对象满意度", 95)
    assert all(len(q.indicators) == 7 for q in s.projects)
    assert _project(r, "社区矫正").code == "13022522P000R2410007H"  # "社区矫正 " with a trailing space in the seed
    p2 = _project(r, "法制建设")
    assert _indicator(p2, "行政案件处理率").target.unit == "%"  # 100百分比
    assert _indicator(p2, "项目持续发挥作用期限").description == "项目持续发挥作\n用期限"
    headings = [n.heading for n in s.department_plan.narrative]
    assert headings == ["一、总体绩效目标", "二、分项绩效目标", "三、工作保障措施"]
    assert r.report.valid


# ---------------------------------------------------------------- 红寺堡 (seed 002, messy)
def test_hongsibu_reads_the_mess(imported: dict[str, ImportResult]) -> None:
    r = imported["hongsibu"]
    s = r.submission
    assert len(s.projects) == 24
    assert s.region.city == "吴忠市" and s.region.county == "红寺堡区"
    amounts = [p.annual_amount for p in s.projects if p.annual_amount is not None]
    assert len(amounts) == 22 and sum(amounts) == Decimal("881.749746")  # 2,8505 and 62,905,469 are not guessed
    legal = _project(r, "法律援助案件补助资金")
    assert legal.annual_amount == Decimal("5.3756")
    # a project name on the row above its label; the label's cell holds the department
    corr = _project(r, "社区矫正工作经费")
    assert corr.annual_amount is None and corr.annual_amount_text == "2,8505"
    assert corr.competent_department == "223-吴忠市红寺堡区司法局"
    # traditional 主管部門 and 绩效价值 header variants
    assert _project(r, "全区业务装备费").competent_department == "223-吴忠市红寺堡区司法局"
    review = _project(r, "行政复议场所规范化建设试点项目")
    assert _indicator(review, "购买设备数量").target.raw == "<1台"
    # LaTeX targets from PDF extraction
    aid = _project(r, "全区法律援助案件补贴")
    t = _indicator(aid, "法律援助办结率").target
    assert (t.raw, t.comparator, t.value, t.unit) == ("$\\geq 98\\%$", "≥", 98, "%")
    # name and value in one cell (水电费)
    water = _project(r, "水电费")
    assert water.annual_amount == 10
    assert _indicator(water, "本年度保障月份").target.raw == "=12个月"
    # the 绩效值 column holds nothing while values sit under the repeated 三级指标 header
    mediation = _project(r, "全区人民调解案件补贴")
    assert _indicator(mediation, "人民调解化解矛盾纠纷数").target.raw == "≥1000件"


def test_hongsibu_findings(imported: dict[str, ImportResult]) -> None:
    r = imported["hongsibu"]
    by_code: dict[str, list] = {}
    for f in r.report.findings:
        by_code.setdefault(f.code, []).append(f)
    # the cost mismatch of 法律援助案件补助资金: 5.3756 万元 vs ≥33756元
    cost = [f for f in by_code["cost-amount-mismatch"] if f.text == "≥33756元"]
    assert len(cost) == 1 and cost[0].where == "表3!D12" and cost[0].severity == "error"
    # comma-decimal amounts, reported not guessed
    amb = {f.text for f in by_code["ambiguous-number"]}
    assert {"2,8505", "62,905,469", "=629054,69元"} <= amb
    # 31-满意度指标 placed under 2-效益指标
    wrong = [f for f in by_code["level2-wrong-parent"] if f.text == "31-满意度指标"]
    assert len(wrong) == 1 and wrong[0].sheet == "表16"
    assert not r.report.valid


# ---------------------------------------------------------------- 增城 (seed 003, Guangdong)
def test_zengcheng(imported: dict[str, ImportResult]) -> None:
    r = imported["zengcheng"]
    s = r.submission
    assert s.department.name == "广州市增城区司法局"
    assert (s.region.city, s.region.county) == ("广州市", "增城区")
    assert len(s.projects) == 12
    assert sum(p.annual_amount for p in s.projects) == Decimal("1295.82")  # = 合计
    assert not [f for f in r.report.findings if f.code == "summary-total-mismatch"]
    units = {p.implementing_unit for p in s.projects}
    assert units == {"增城区司法局", "广州市增城区法律援助中心(广州市增城区“12348”法律服务热线)"}
    p = s.projects[0]
    assert (p.name, p.annual_amount, p.fiscal_funds) == ("增城区司法局政风行风建设经费", Decimal("63.60"), Decimal("63.60"))
    assert len(p.indicators) == 5
    first = p.indicators[0]
    assert (first.level1, first.level2, first.name) == ("产出指标", "时效指标", "项目按时完成率(%)")
    assert (first.period_target.raw, first.target.raw) == ("行政复议案件办结率(%)", "100%")
    second = p.indicators[1]
    assert (second.level2, second.target.raw, second.target.comparator) == ("服务对象满意度", "不高于15%", "≤")
    assert sum(len(q.indicators) for q in s.projects) == 38
    # the unparseable tail is kept and reported
    assert any(i.raw_text and i.raw_text.startswith("4-社会效益指标:维护民权") for i in p.indicators)
    assert any(f.code == "packed-indicator-unparsed" for f in r.report.findings)


# ---------------------------------------------------------------- 阳新 (seed 004, department form)
def test_yangxin_department_plan(imported: dict[str, ImportResult]) -> None:
    r = imported["yangxin"]
    s = r.submission
    plan = s.department_plan
    assert s.year == 2026  # the two 近两年 columns are 2024 and 2025
    assert (s.department.name, s.department.filled_by, s.department.phone, s.department.fill_date) == (
        "阳新县司法局", "邹静宜", "18062918978", "2025-10-20")
    rev = {row.item: row for row in plan.revenue}
    assert rev["财政拨款"].current_amount == Decimal("1932.41")
    assert rev["财政拨款"].previous_amounts == {"2024": 1834, "2025": 1865}
    assert plan.revenue_total.current_amount == Decimal("1932.41")
    exp = [(row.item, row.current_amount, row.share_percent) for row in plan.expenditure]
    assert exp == [("人员类项目支出", Decimal("1470.89"), Decimal("76.12")),
                   ("运转类项目支出", Decimal("218.72"), Decimal("11.32")),
                   ("特定目标类项目支出", Decimal("242.8"), Decimal("12.56"))]
    assert sum(row.current_amount for row in plan.expenditure) == plan.expenditure_total.current_amount
    assert [ps.annual_budget for ps in plan.project_spending] == [64, 10, 5, 10, 40, Decimal("45.8"), 23, 45]
    assert sum(ps.annual_budget for ps in plan.project_spending) == Decimal("242.8")
    assert plan.project_spending[1].name == "法律援助经费支出"
    assert plan.long_term_horizon == 2030
    assert plan.annual_goal.startswith("提升办案效率")
    assert "5、加强社会主义法治文化建设" in plan.annual_goal
    assert len(plan.long_term_indicators) == 40 and len(plan.annual_indicators) == 40
    core = [i for i in plan.long_term_indicators if i.level2 == "核心业务产出"]
    assert [i.target.raw for i in core] == ["≥800 件/年", "≥2500 起/年", "≥400 人/年", "≥500 人/年", "≥100 次/年"]
    staff = [i for i in plan.annual_indicators if i.name == "在职人员控制率"][0]
    assert (staff.value_two_years_ago.raw, staff.value_last_year.raw, staff.target.raw, staff.value_basis) == (
        "91.03%", "93.51%", "92.31%", "预算支出标准")
    legal = [i for i in plan.annual_indicators if i.name == "法律援助合格案件数"][0]
    assert (legal.value_two_years_ago.raw, legal.value_last_year.raw, legal.target.raw) == ("1364", "1544", "≥800 件")
    # the totals checks pass on 阳新 (docs/review-rules.md)
    codes = {f.code for f in r.report.findings}
    assert not codes & {"dept-total-mismatch", "dept-share-sum", "dept-share-mismatch", "dept-project-spending-mismatch"}


def test_region_and_year_overrides() -> None:
    from xlperf.model import Region

    r = import_workbook(str(SAMPLES / FILES["hongsibu"]), region=Region(province="宁夏回族自治区"), year=2025)
    s = r.submission
    assert (s.region.province, s.region.city, s.region.county, s.year) == ("宁夏回族自治区", "吴忠市", "红寺堡区", 2025)
    assert not {"region-unknown", "year-unknown"} & {f.code for f in r.report.findings}
