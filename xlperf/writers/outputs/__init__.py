"""Output formats of ``xlperf merge``: a registry, so a new format is one module and one
entry here.

Each :class:`OutputFormat` names the module holding its ``write(result, target) ->
list[str]`` (the paths written; :class:`~xlperf.errors.OutputError` when one cannot be
written, every file written atomically), the command-line option that asks for it and
whether its target is a file or a folder. The CLI builds ``xlperf merge``'s options from
:data:`FORMATS` and writes the requested formats in this order; a format's module is
imported only when it is written (``xlperf --help`` loads no pyarrow). See
docs/architecture.md for a worked example.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...consolidate.tables import Consolidation

__all__ = ["FORMATS", "OutputFormat", "format_named"]


@dataclass(frozen=True)
class OutputFormat:
    """One output format: ``name`` (the option's dest and the format's name), ``flags``
    (``("--parquet",)``), ``help`` (Chinese, shown by ``--help``), ``target`` (``file`` or
    ``folder``), ``module`` (the module with ``write``), ``default`` (a target written
    unless asked otherwise, or ``None``: written only when the option is given),
    ``suffix`` (of the files a folder format writes, one per table)."""

    name: str
    flags: tuple[str, ...]
    help: str
    target: str
    module: str
    default: str | None = None
    suffix: str = ""

    def write(self, result: Consolidation, target: str) -> list[str]:
        """Write *result* to *target* with this format's module; returns the paths."""
        return import_module(self.module).write(result, target)

    def paths(self, target: str) -> list[str]:
        """The files writing to *target* creates or replaces (the merge refuses to
        overwrite one of its inputs)."""
        if self.target == "file":
            return [target]
        from ...consolidate.tables import tables

        return [os.path.join(target, f"{t.name}.{self.suffix}" if self.suffix else t.name) for t in tables()]


FORMATS: tuple[OutputFormat, ...] = (
    OutputFormat("output", ("-o", "--output"), "汇总工作簿 .xlsx（- 表示不写工作簿，例如只要 Parquet 时）", "file",
                 "xlperf.writers.outputs.xlsx",
                 default="consolidated.xlsx"),
    OutputFormat("parquet", ("--parquet",), "另存 Parquet 数据文件的文件夹", "folder", "xlperf.writers.outputs.parquet",
                 suffix="parquet"),
    OutputFormat("csv", ("--csv",), "另存 CSV 数据文件的文件夹", "folder", "xlperf.writers.outputs.csv", suffix="csv"),
    OutputFormat("parquet_dataset", ("--parquet-dataset",), "另存按 省/年度 分区的 Parquet 数据集的文件夹（全国规模，DuckDB/Spark 可直接读取）",
                 "folder", "xlperf.writers.outputs.parquet_dataset"),
    # the review copies: a module above the writers (it reads the submitted workbooks), named here only
    OutputFormat("annotate", ("--annotate",), "为每个有问题的报送文件写出审核副本（问题标注在单元格上）的文件夹",
                 "folder", "xlperf.annotate.batch"),
)


def format_named(name: str) -> OutputFormat:
    """The registered format *name*; :class:`KeyError` for another."""
    for f in FORMATS:
        if f.name == name:
            return f
    raise KeyError(name)
