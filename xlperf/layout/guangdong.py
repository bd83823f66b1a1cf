"""The Guangdong summary table (seed 003 增城). Placeholder."""

from __future__ import annotations

from ..model import Project
from ..readers.grid import Sheet
from ..taxonomy import Taxonomy
from .common import ParseContext

__all__ = ["find_summary_header", "read_summary"]


def find_summary_header(sheet: Sheet, owned: set[int]) -> int | None:
    return None


def read_summary(sheet: Sheet, header: int, *, tax: Taxonomy, ctx: ParseContext) -> tuple[list[Project], set[int]]:
    raise NotImplementedError
