"""The sheets of the standard workbook (the template), read from ``templates/template_sheets.toml``.

What goes where is data: the label block rows, column widths, input kinds and messages, the
department framework rows (seed 004 阳新) and the cover instructions live in
``template_sheets.toml``; label *words* come from ``labels.toml`` (the first label of a field is
the standard wording, or a named alias the loader checks); list values from
``lists.toml``. This module resolves those three files into one :class:`TemplateSheets`; it
imports no spreadsheet library.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...cellref import parse_cell_name
from ...data import load_data
from ...text import label_key

__all__ = ["InputField", "TemplateSheets", "load_template_sheets"]

#: Input kinds a field may have in template_sheets.toml (``list:<key>`` names a lists.toml list).
KINDS = ("text", "longtext", "code", "amount", "percent", "year", "division_code")
_MAX_MESSAGE = 255  # Excel's limit for a validation input message


@dataclass(frozen=True)
class InputField:
    """One label and its input cell(s).

    ``key`` is the labels.toml key (and the model attribute it holds), ``label`` the words
    written in the label cell, ``kind`` the input kind (``text``, ``amount`` …, or
    ``list:project_attribute``), ``span`` the number of merged input columns directly right
    of the label, ``message`` the Chinese input message.
    """

    key: str
    label: str
    kind: str
    span: int
    message: str


@dataclass(frozen=True)
class TemplateSheets:
    """``template_sheets.toml`` with the label words and list values it refers to.

    ``data`` is the parsed template_sheets.toml, ``labels`` labels.toml, ``lists`` lists.toml
    (treat all three as read-only). Raises :class:`ValueError` from :func:`load_template_sheets`
    when a label reference, an input kind or a message is invalid.
    """

    data: dict
    labels: dict
    lists: dict

    # -- words ------------------------------------------------------------------------
    def label(self, ref: str) -> str:
        """The label words for ``"section.key"`` (first label) or ``"section.key:alias"``.

        Raises :class:`ValueError` when the key is unknown or the alias is not one of the
        field's labels in labels.toml.
        """
        path, _, alias = ref.partition(":")
        section, _, key = path.partition(".")
        choices = self.labels.get(section, {}).get(key)
        if not choices:
            raise ValueError(f"template_sheets.toml: 未知的栏目 {path!r}")
        if not alias:
            return choices[0]
        if label_key(alias) not in {label_key(c) for c in choices}:
            raise ValueError(f"template_sheets.toml: {alias!r} 不是 labels.toml 中 {path} 的写法")
        return alias

    def title(self, section: str, year: int | None) -> str:
        """The title of *section* (``"cover"``, ``"project"``, ``"department"``) for *year*;
        without a year (a submission that states none) the title leaves the year out
        rather than invent one: ``部门项目支出预算绩效目标表``."""
        template = self.data[section]["title"]
        return template.format(year=year) if year is not None else template.replace("{year}年", "")

    def composition_columns(self) -> tuple[int, int, int, tuple[int, ...]]:
        """0-based columns of the 部门总体资金情况 block: (item label, 当年金额, 占比, the
        two 近两年 years), from ``[department.composition]``."""
        c = self.data["department"]["composition"]
        col = lambda letters: parse_cell_name(f"{letters}1")[1]  # noqa: E731
        return col(c["item"]), col(c["current"]), col(c["share"]), tuple(col(x) for x in c["previous"])

    def section(self, name: str) -> dict:
        """One top-level table of template_sheets.toml (``"project"``, ``"department"`` …)."""
        return self.data[name]

    def list_values(self, key: str) -> list[str]:
        """Values of a lists.toml list (``"value_basis"`` …)."""
        return list(self.lists[key]["values"])

    def list_open(self, key: str) -> bool:
        """True when the list accepts other values (warning-style validation)."""
        return bool(self.lists[key].get("open", False))

    # -- field blocks -----------------------------------------------------------------
    def cover_fields(self) -> list[InputField]:
        """The submission block of the cover sheet, in order (one field per row)."""
        return [self._field("cover", f, 1, f["message"]) for f in self.data["cover"]["fields"]]

    def project_rows(self) -> list[tuple[list[InputField], float | None]]:
        """The project label block: per row, its fields and the row height (or None)."""
        msgs = self.data["project"]["messages"]
        rows = []
        for row in self.data["project"]["rows"]:
            cells = [self._field("project", c, int(c["span"]), msgs[c["key"]]) for c in row["cells"]]
            rows.append((cells, row.get("height")))
        return rows

    def framework(self, *, core_rows: int) -> list[tuple[str, str, str]]:
        """The department framework rows (一级, 二级, 三级), with *core_rows* numbered
        核心业务产出 rows (blank 三级) between the 管理效率 and 社会效益 rows (seed 004)."""
        fw = self.data["department"]["framework"]
        fmt = self.data["department"]["core_output_format"]
        core = [(fw["core_level1"], fmt.format(n=n), "") for n in range(1, core_rows + 1)]
        return [tuple(r) for r in fw["before_core"]] + core + [tuple(r) for r in fw["after_core"]]

    def _field(self, section: str, spec: dict, span: int, message: str) -> InputField:
        kind = spec["kind"]
        if kind not in KINDS and not (kind.startswith("list:") and kind[5:] in self.lists):
            raise ValueError(f"template_sheets.toml: 未知的输入类型 {kind!r}")
        if len(message) > _MAX_MESSAGE:
            raise ValueError(f"template_sheets.toml: {spec['key']} 的提示超过 {_MAX_MESSAGE} 字")
        return InputField(spec["key"], self.label(f"{section}.{spec['key']}"), kind, span, message)


def load_template_sheets() -> TemplateSheets:
    """Read template_sheets.toml, labels.toml and lists.toml from ``templates/`` and check them.

    Raises :class:`ValueError` when a label reference, kind or message is invalid and
    :class:`FileNotFoundError` when the package data is missing.
    """
    spec = TemplateSheets(load_data("template_sheets.toml"), load_data("labels.toml"), load_data("lists.toml"))
    spec.cover_fields()
    spec.project_rows()
    for ref in (*spec.data["project"]["indicators"]["header"], *spec.data["department"]["long_term"]["header"],
                *spec.data["department"]["annual"]["header"], spec.data["department"]["annual"]["group"]):
        spec.label(ref)
    for section in ("project", "department"):
        for msg in (*spec.data[section]["messages"].values(),
                    *spec.data[section].get("indicators", {}).get("messages", {}).values()):
            if len(msg) > _MAX_MESSAGE:
                raise ValueError(f"template_sheets.toml: [{section}] 的提示超过 {_MAX_MESSAGE} 字")
    return spec
