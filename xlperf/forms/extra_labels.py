"""A reviewer's own label wordings (``--labels FILE``): a TOML file in the format of
``templates/labels.toml`` whose wordings are added to the built-in ones, checked before
any workbook is read (README "New wordings").

    [project]
    name = ["课题名称"]            # a form that names the project 课题名称

Only wordings can be added: a section and field must be ones labels.toml has, each value a
list of texts. Anything else is a :class:`LabelsFileError` with a Chinese message naming
the file and the key.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from ..data import load_data
from ..errors import XlperfError

__all__ = ["LabelsFileError", "read_labels_file"]

_MAX_WORDING = 60


class LabelsFileError(XlperfError):
    """A ``--labels`` file that cannot be used; ``message`` says why in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_labels_file(path: str) -> dict[str, dict[str, list[str]]]:
    """The wordings of the labels file at *path*: section -> field -> wordings, checked
    against templates/labels.toml. Raises :class:`LabelsFileError`."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LabelsFileError(f"栏目写法文件 {path} 不存在。") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelsFileError(f"栏目写法文件 {path} 无法读取（{exc}），请保存为 UTF-8 编码的 TOML 文件。") from None
    except tomllib.TOMLDecodeError as exc:
        raise LabelsFileError(f"栏目写法文件 {path} 不是有效的 TOML：{exc}。") from None
    return check_labels(data, where=path)


def check_labels(data: dict, *, where: str) -> dict[str, dict[str, list[str]]]:
    """*data* checked as added wordings (see the module doc); returns it."""
    builtin = {s: f for s, f in load_data("labels.toml").items() if s != "parts" and isinstance(f, dict)}
    for section, fields in data.items():
        if section not in builtin or not isinstance(fields, dict):
            raise LabelsFileError(f"栏目写法文件 {where}：没有 [{section}] 这一部分，可用的部分有："
                                  f"{'、'.join(sorted(builtin))}（只能添加写法，不能修改 [parts] 规则）。")
        for fld, words in fields.items():
            if fld not in builtin[section]:
                raise LabelsFileError(f"栏目写法文件 {where}：[{section}] 中没有栏目 {fld}，可用的有："
                                      f"{'、'.join(builtin[section])}。")
            if not isinstance(words, list) or not words or not all(
                    isinstance(w, str) and w.strip() and len(w) <= _MAX_WORDING for w in words):
                raise LabelsFileError(f"栏目写法文件 {where}：[{section}] {fld} 应为写法的列表，"
                                      f"如 {fld} = [\"新的写法\"]（每个写法是不超过 {_MAX_WORDING} 个字的文字）。")
    return data
