"""Start-up check that XML from submissions is parsed safely (docs/untrusted-input.md).

openpyxl expands billion-laughs entities unless ``defusedxml`` is installed (and the
``OPENPYXL_DEFUSEDXML`` environment variable is not set to anything but ``True``);
xlperf's own reader refuses any DTD before its parser sees a part. :func:`check_xml_safety` runs when
``xlperf`` is imported and fails loudly, before any file is read, when either is
missing. It does not import openpyxl (slow to import): it checks the same two
conditions openpyxl checks, and openpyxl's own flag when openpyxl is already loaded.
"""

from __future__ import annotations

import os
import sys

from ..errors import XlperfError

__all__ = ["XmlSafetyError", "check_xml_safety"]


class XmlSafetyError(XlperfError):
    """XML from untrusted files could not be parsed safely in this installation."""


def check_xml_safety() -> None:
    """Raise :class:`XmlSafetyError` unless defusedxml is importable and openpyxl would use it.

    Conditions (openpyxl 3.1 ``openpyxl/xml/__init__.py``): ``import defusedxml``
    works and ``OPENPYXL_DEFUSEDXML`` is unset or ``"True"``; when ``openpyxl.xml``
    is already imported, its ``DEFUSEDXML`` flag must be true.
    """
    try:
        import defusedxml.ElementTree  # noqa: F401
        import defusedxml.sax  # noqa: F401
    except ImportError as exc:
        raise XmlSafetyError(
            "缺少 defusedxml：没有它，读取恶意构造的工作簿（XML 实体炸弹）可能耗尽内存。"
            "请执行 pip install defusedxml（或重新安装 xlperf）后再运行。\n"
            f"defusedxml is not installed ({exc}); xlperf refuses to read untrusted workbooks without it: "
            "pip install defusedxml"
        ) from exc
    env = os.environ.get("OPENPYXL_DEFUSEDXML", "True")
    openpyxl_xml = sys.modules.get("openpyxl.xml")
    flag = getattr(openpyxl_xml, "DEFUSEDXML", True) if openpyxl_xml is not None else True
    if env != "True" or not flag:
        raise XmlSafetyError(
            f"环境变量 OPENPYXL_DEFUSEDXML={env!r} 关闭了 openpyxl 的 XML 安全防护，"
            "读取恶意构造的工作簿可能耗尽内存。请删除该环境变量后再运行。\n"
            f"OPENPYXL_DEFUSEDXML={env!r} turns off openpyxl's defusedxml protection; unset it."
        )
