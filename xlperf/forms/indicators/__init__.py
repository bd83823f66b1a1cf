"""Indicator tables (一级 / 二级 / 三级 / 绩效值 …), read in small named steps.

* :mod:`.header` finds the header row and its columns (templates/labels.toml
  [indicator_header]) and repairs it against the data: ``header-shifted`` when the 二级
  cells sit in another column than their header (seed 002), or the 绩效值 column is empty
  while the values sit elsewhere; each repair returns an aligned copy, the header found
  is never changed;
* :mod:`.levels` carries 一级 / 二级 down over blank or merged cells and resolves them in
  the taxonomy (the 二级 decides the 一级), reporting unknown levels, code/name conflicts
  and a 二级 under another 一级 (``level2-wrong-parent``);
* :mod:`.rows` aligns each data row by its content: leading level cells, the row's shift
  (``row-shifted``), its cells mapped to roles, a garbled row read by token order, a value
  right of its column (``target-shifted``) or inside the 三级 cell
  (``target-split-from-name``);
* :mod:`.split` joins back the second lines a scan's converter split off a row (西藏);
* :mod:`.table` walks the rows: :func:`read_table`;
* :mod:`.horizontal` reads indicators laid out one per column (云南: 一级 / 二级 / 三级 / 指标值
  rows) where a block has no header row;
* :mod:`.blocks` reads side-by-side 中期 / 年度 blocks as one list:
  :func:`read_indicator_table` (the entry point form readers call).

The layouts behind each repair are described in docs/forms.md.
"""

from __future__ import annotations

from .blocks import merge_period_table, read_indicator_table
from .header import TableHeader, find_header, repeats_header
from .levels import LevelCarry, level_fields, report_levels
from .table import level_text, read_table

__all__ = ["LevelCarry", "TableHeader", "find_header", "level_fields", "level_text", "merge_period_table",
           "read_indicator_table", "read_table", "repeats_header", "report_levels"]
