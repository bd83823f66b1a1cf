"""pytest fixtures; the builders they use live in helpers.py (imported by tests as ``helpers``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import ROOT, make_submission

from xlperf.model import Submission


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture()
def submission() -> Submission:
    return make_submission()
