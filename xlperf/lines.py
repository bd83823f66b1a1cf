"""Chinese text in terminal lines: wrapped by display width, never inside a number.

A terminal shows a Chinese character in two columns; rich and click wrap by words
separated by spaces, so a Chinese sentence is one long "word" folded at any character,
which splits ``881.749746`` or ``表6!D6`` across lines. :func:`wrap` breaks between Chinese
characters or at spaces and keeps together what a reader must see whole (docs/cli.md).
"""

from __future__ import annotations

import re

from rich.cells import cell_len

__all__ = ["cell_len", "wrap"]

#: what is never broken: a cell reference (``表6!D6``, ``'项目 1'!C12``), a file name, a
#: bracketed note (``[默认：table]``), a run of ASCII (numbers, codes, options, paths)
_TOKEN = re.compile(r"[^\s，。；：、（）“”]+![A-Z]{1,3}\d+|[^\s，。；：、（）“”]+\.(?:xlsx|xlsm|xls|et|ods|csv|json)\b"
                    r"|\[[^\]]*\]|[!-~]+|\s+|.")
#: Chinese punctuation that never starts a line, and that never ends one
_NO_LINE_START = frozenset("，。；：、）》」”！？")
_NO_LINE_END = frozenset("（《「“")


def wrap(text: str, width: int) -> list[str]:
    """*text* as lines of at most *width* display columns (a line holding one unbreakable
    token longer than *width* is longer). Existing line breaks are kept; no line starts
    with closing punctuation (the character before it comes along)."""
    out: list[str] = []
    for para in text.split("\n"):
        out.extend(_wrap_line(para, max(width, 1)) or [""])
    return out


def _wrap_line(text: str, width: int) -> list[str]:
    lines: list[str] = []
    line: list[str] = []  # the tokens of the line being filled
    for token in _TOKEN.findall(text):
        if cell_len("".join(line)) + cell_len(token) <= width or not "".join(line).strip():
            line.append(token)
            continue
        carry: list[str] = []
        if token in _NO_LINE_START:  # the token before closing punctuation goes along (and its own)
            while len(line) > 1 and not line[-1].isspace() and (not carry or carry[0] in _NO_LINE_START):
                carry.insert(0, line.pop())
        while len(line) > 1 and line[-1] in _NO_LINE_END:
            carry.insert(0, line.pop())  # opening punctuation goes with what it opens
        lines.append("".join(line).rstrip())
        line = [*carry, token] if carry or not token.isspace() else []
    if "".join(line).strip():
        lines.append("".join(line).rstrip())
    return lines
