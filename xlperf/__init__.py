"""xlperf: spreadsheet round-trip toolkit for Chinese budget performance targets (预算绩效目标)."""

from .readers.safety import check_xml_safety

# Untrusted workbooks: refuse to start without defusedxml (docs/untrusted-input.md).
check_xml_safety()

from .model import (
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
from .report import Report
from .targets import parse_amount, parse_target
from .taxonomy import load_taxonomy

__version__ = "0.1.0"

__all__ = [
    "CompositionRow",
    "Department",
    "DepartmentPlan",
    "Finding",
    "Indicator",
    "Project",
    "ProjectSpending",
    "Region",
    "Report",
    "Source",
    "SpendingCheckpoint",
    "Submission",
    "Target",
    "__version__",
    "load_taxonomy",
    "parse_amount",
    "parse_target",
]
