"""Text normalisation shared by readers, rules and writers.

Two different jobs, kept apart:

* :func:`label_key` folds a label for *matching* only (NFKC, no white space), so
  ``其中：财政    资金`` and ``其中:财政资金`` or traditional ``主管部門`` (via the
  aliases in ``templates/labels.toml``) find the same field. It never changes data.
* :func:`clean_cell_text` normalises a value that is *kept*: invisible characters
  (NBSP, zero-width), control characters, Excel's ``_x000D_`` escape, full-width digits. It returns the
  list of changes it made so the caller can report each one (docs/untrusted-input.md).
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

__all__ = ["EXCEL_TEXT_LIMIT", "clean_cell_text", "exceeds_cell", "label_key", "needs_cleaning", "nfkc", "strip_markup",
           "utf16_len"]

#: Excel's cell limit, in UTF-16 code units (a character outside the BMP counts twice).
EXCEL_TEXT_LIMIT = 32_767

_WS_RE = re.compile(r"\s+")
# Zero-width and other invisible characters seen in pasted text.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACES = {"\u00a0": " ", "\u3000": " ", "\u2002": " ", "\u2003": " ", "\u2009": " ", "\u202f": " "}
_SPACES_TABLE = str.maketrans(_SPACES)
_SPACES_RE = re.compile("[" + "".join(_SPACES) + "]")
_FULLWIDTH_TABLE = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)})
_FULLWIDTH_RE = re.compile("[\uff10-\uff19]")
_X000D_RE = re.compile(r"_x000[dDaA9]_")
# C0 / C1 control characters other than TAB, LF, CR (OOXML can carry them as _x001B_).
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# every character clean_cell_text may change: one search decides the fast path
_SPECIAL_RE = re.compile("[" + "".join(_SPACES) + "".join(map(chr, _INVISIBLE)) + _FULLWIDTH_RE.pattern[1:-1]
                         + _CONTROL_RE.pattern[1:-1] + "]|_x00")
_TAG_RE = re.compile(r"</?\s*[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")
_BLOCK_TAG_RE = re.compile(r"</\s*(p|div|li)\s*>|<\s*br\s*/?>", re.IGNORECASE)


@lru_cache(maxsize=1 << 16)
def label_key(text: str) -> str:
    """Fold *text* for label matching: NFKC, white space removed (cached).

    >>> label_key("其中：财政    资金")
    '其中:财政资金'
    """
    key = "".join(nfkc(text).split())  # str.split() and re's \s split at the same characters
    return key.translate(_INVISIBLE) if _INVISIBLE_RE.search(key) else key


def _ascii_forms() -> dict[str, str]:
    """The characters forms type in place of ASCII ones whose full compatibility
    decomposition is that one ASCII character: the full-width forms (，：（）１Ａ), the
    ideographic space, NBSP and the typographic spaces."""
    candidates = [chr(cp) for cp in (*range(0xFF01, 0xFF5F), 0x3000, 0x00A0, *range(0x2000, 0x200B), 0x202F, 0x205F)]
    out = {}
    for ch in candidates:
        folded = unicodedata.normalize("NFKD", ch)
        if folded != ch and len(folded) == 1 and folded.isascii():
            out[ch] = folded
    return out


_ASCII_FORMS = _ascii_forms()
_ASCII_FORMS_RE = re.compile("[" + re.escape("".join(_ASCII_FORMS)) + "]")
_INVISIBLE_RE = re.compile("[" + "".join(map(chr, _INVISIBLE)) + "]")


def _ascii_form(m: re.Match[str]) -> str:
    return _ASCII_FORMS[m.group()]


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, without the general algorithm for what
    Chinese forms mostly hold (it costs some 5 µs a 40-character text).

    A text already in NFKC (a quick check) is returned as it is. A text whose only other
    characters are full-width forms or wide spaces has each replaced by the one ASCII
    character it decomposes to: that leaves the text's NFKD unchanged, so when the result
    is in NFKC it is the NFKC of *text*. Anything else takes the general path."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    if _ASCII_FORMS_RE.search(text) is not None:
        folded = _ASCII_FORMS_RE.sub(_ascii_form, text)  # (str.translate with a dict is slower for CJK text)
        if unicodedata.is_normalized("NFKC", folded):
            return folded
    return unicodedata.normalize("NFKC", text)


def strip_markup(text: str) -> str:
    """Remove HTML-like markup (``<p>`` ...) from a goal text, keeping its words.

    Block ends become line breaks; entities are unescaped. Seed 000 and 004 hold
    ``<p>`` tags inside 年度总体绩效目标 / 部门职能概述.
    """
    if "<" not in text and "&" not in text:
        return text
    text = _BLOCK_TAG_RE.sub("\n", text)
    text = _TAG_RE.sub("", text)
    text = html.unescape(text)
    lines = [ln.strip() for ln in text.splitlines()]
    return "\n".join(ln for ln in lines if ln)


def needs_cleaning(text: str) -> bool:
    """True when :func:`clean_cell_text` could change more than the ends of *text*
    (one regex search; readers test a whole sheet's texts joined at once)."""
    return _SPECIAL_RE.search(text) is not None


def clean_cell_text(text: str) -> tuple[str, list[str]]:
    """Normalise a kept text value; return (clean text, changes made).

    Changes (each a short Chinese description, reported by the caller as a finding):
    invisible characters removed, control characters removed (an ``ESC`` from an
    ``_x001B_`` escape would reach the reviewer's terminal), NBSP / ideographic spaces
    made plain, ``_x000D_`` escapes removed, full-width digits made ASCII, surrounding
    white space trimmed.
    """
    if not _SPECIAL_RE.search(text):  # the common case: nothing to change but the ends
        trimmed = text.strip()
        return (trimmed if trimmed else text), []
    changes: list[str] = []
    out = text
    if "_x000" in out and _X000D_RE.search(out):
        out = _X000D_RE.sub(lambda m: "\n" if m.group(0).lower() in ("_x000d_", "_x000a_") else " ", out)
        out = out.replace("\r\n", "\n").replace("\n\n", "\n")
        changes.append("去除了 _x000D_ 转义")
    if out.isascii() and not _CONTROL_RE.search(out):  # the common case: nothing else to do
        trimmed = out.strip()
        return (trimmed if trimmed else out), changes
    stripped = out.translate(_INVISIBLE)
    if stripped != out:
        changes.append("去除了零宽字符")
        out = stripped
    if _CONTROL_RE.search(out):  # ESC sequences and the like: never into a terminal or a workbook
        out = _CONTROL_RE.sub("", out)
        changes.append("去除了控制字符")
    if _SPACES_RE.search(out):
        out = out.translate(_SPACES_TABLE)
        changes.append("不间断空格/全角空格改为普通空格")
    if _FULLWIDTH_RE.search(out):
        out = out.translate(_FULLWIDTH_TABLE)
        changes.append("全角数字改为半角数字")
    trimmed = out.strip()
    if trimmed != out and trimmed:
        out = trimmed
    return out, changes


def utf16_len(text: str) -> int:
    """Length of *text* in UTF-16 code units, the unit of Excel's cell limit."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def exceeds_cell(text: str) -> bool:
    """Whether *text* is longer than an Excel cell holds (:data:`EXCEL_TEXT_LIMIT`)."""
    return len(text) > EXCEL_TEXT_LIMIT // 2 and utf16_len(text) > EXCEL_TEXT_LIMIT
