"""The canonical model: JSON round trip is the identity; the stable keys exist."""

from __future__ import annotations

import json
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from xlperf.model import (
    CompositionRow,
    Department,
    DepartmentPlan,
    Finding,
    Indicator,
    Project,
    ProjectSpending,
    Region,
    Source,
    SpendingCheckpoint,
    Submission,
    Target,
)
from xlperf.targets import parse_target

text = st.text(min_size=0, max_size=20)
opt_text = st.none() | text
# amounts of at most 15 significant digits: the precision the JSON number keeps exactly
amounts = st.none() | st.decimals(min_value=-10**9, max_value=10**9, places=6, allow_nan=False, allow_infinity=False)

targets = st.builds(
    Target,
    raw=text,
    kind=st.sampled_from(["quantitative", "qualitative", "ambiguous", "empty"]),
    comparator=st.none() | st.sampled_from(["≥", "≤", "=", ">", "<"]),
    value=amounts,
    unit=opt_text,
    source=opt_text,
)
indicators = st.builds(
    Indicator,
    level1=opt_text, level1_code=opt_text, level1_text=opt_text,
    level2=opt_text, level2_code=opt_text, level2_text=opt_text,
    name=opt_text, description=opt_text,
    target=st.none() | targets, period_target=st.none() | targets,
    value_basis=opt_text, indicator_class=opt_text,
    value_two_years_ago=st.none() | targets, value_last_year=st.none() | targets,
    source=opt_text,
)
projects = st.builds(
    Project,
    name=opt_text, code=opt_text, competent_department=opt_text, implementing_unit=opt_text,
    annual_amount=amounts, fiscal_funds=amounts, other_funds=amounts,
    spending_plan=st.lists(st.builds(SpendingCheckpoint, checkpoint=text, cumulative_percent=amounts), max_size=4),
    performance_target=opt_text,
    indicators=st.lists(indicators, max_size=4),
    cells=st.dictionaries(text, text, max_size=3),
)
rows = st.builds(CompositionRow, item=text, current_amount=amounts, share_percent=amounts,
                 previous_amounts=st.dictionaries(st.sampled_from(["2024", "2025"]), amounts))
plans = st.builds(
    DepartmentPlan,
    name=opt_text, revenue=st.lists(rows, max_size=3), revenue_total=st.none() | rows,
    project_spending=st.lists(st.builds(ProjectSpending, name=text, annual_budget=amounts), max_size=3),
    long_term_horizon=st.none() | st.integers(2000, 2100),
    annual_indicators=st.lists(indicators, max_size=3),
)
submissions = st.builds(
    Submission,
    source=st.builds(Source, path=text, sha256=opt_text),
    region=st.builds(Region, province=opt_text, city=opt_text, county=opt_text, division_code=opt_text),
    year=st.none() | st.integers(1990, 2100),
    department=st.builds(Department, name=opt_text),
    department_plan=st.none() | plans,
    projects=st.lists(projects, max_size=3),
    findings=st.lists(st.builds(Finding, code=text, severity=st.sampled_from(["error", "warning"]), message=text,
                                sheet=opt_text, cell=opt_text), max_size=3),
)


@settings(max_examples=150, deadline=None)
@given(submissions)
def test_json_round_trip_is_identity(sub: Submission) -> None:
    again = Submission.from_json(sub.to_json())
    assert again == sub
    assert again.to_json() == sub.to_json()


def test_stable_json_keys() -> None:
    sub = Submission(
        source=Source(path="x.xlsx"),
        region=Region(county="彭阳县"),
        year=2024,
        department=Department(name="彭阳县司法局"),
        projects=[
            Project(
                name="律师值班费",
                annual_amount=Decimal("5.22"),
                indicators=[
                    Indicator(level1="产出指标", level2="数量指标", name="工作日值班律师人数",
                              target=parse_target("≥95%"), source="项目1!C12")
                ],
            )
        ],
    )
    data = json.loads(sub.to_json())
    assert data["year"] == 2024
    assert data["region"]["county"] == "彭阳县"
    assert data["department"]["name"] == "彭阳县司法局"
    p = data["projects"][0]
    assert p["name"] == "律师值班费"
    assert p["annual_amount"] == 5.22 and isinstance(p["annual_amount"], float)  # a JSON number
    ind = p["indicators"][0]
    assert (ind["level1"], ind["level2"], ind["name"], ind["source"]) == ("产出指标", "数量指标", "工作日值班律师人数", "项目1!C12")
    assert ind["target"] == {"raw": "≥95%", "kind": "quantitative", "comparator": "≥", "value": 95, "unit": "%", "source": None}


def test_schema_has_the_stable_keys() -> None:
    schema = Submission.model_json_schema()
    props = schema["properties"]
    assert {"year", "region", "department", "projects", "findings"} <= set(props)
    defs = schema["$defs"]
    assert {"level1", "level2", "name", "target", "source"} <= set(defs["Indicator"]["properties"])
    assert {"raw", "comparator", "value", "unit"} <= set(defs["Target"]["properties"])
