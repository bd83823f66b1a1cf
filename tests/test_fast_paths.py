"""The shortcuts the form layer takes for speed give exactly what the general algorithm
gives: NFKC of label keys and targets, the sections a label hit tries, the title and
signature gates (xlperf/forms/README.md "Speed")."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from xlperf.data import load_data
from xlperf.forms.common import is_signature, is_title
from xlperf.forms.labels import form_key, load_labels
from xlperf.text import label_key, nfkc

# what forms hold, and what would trip a shortcut: full-width forms, wide and invisible spaces,
# combining marks after a folded character, compatibility characters (ﬁ, ①, ㈱, ⽇), CJK
_ALPHABET = st.sampled_from(
    [chr(c) for c in (*range(0x20, 0x7F), *range(0xFF01, 0xFF5F), 0x3000, 0x00A0, 0x2003, 0x2009, 0x200B, 0xFEFF,
                      0x0301, 0x0308, 0x0338, 0x3099, 0xFB01, 0x2460, 0x3231, 0x2F00, 0xF900, 0x1E9B, 0x212B,
                      0x4E00, 0x6307, 0x6807, 0x7EE9, 0x6548, 0x76EE, 0x8868, 0x9644, 0x7B2C, 0x7F72)])


def _label_key_general(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).translate(
        dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None))


def test_nfkc_agrees_with_unicodedata_on_every_character_of_the_bmp() -> None:
    for cp in range(0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        for text in ("，" + ch, ch + "\u0301"):
            assert nfkc(text) == unicodedata.normalize("NFKC", text), hex(cp)


@settings(max_examples=3000, deadline=None)
@given(st.text(_ALPHABET, max_size=16))
def test_label_key_and_nfkc_agree_with_the_general_algorithm(text: str) -> None:
    assert nfkc(text) == unicodedata.normalize("NFKC", text)
    assert label_key.__wrapped__(text) == _label_key_general(text)


def _hits_general(text: str) -> dict:
    """Every section tried, as before the section gate."""
    labels = load_labels()
    key = form_key(text)
    if not key or not labels._could_be_label(key):
        return {}
    return {s: h for s in labels._exact if (h := labels._match(s, text, True)) is not None}


def _label_variants() -> list[str]:
    words = [w for fields in load_data("labels.toml").values() if isinstance(fields, dict)
             for ws in fields.values() if isinstance(ws, list) for w in ws if isinstance(w, str)]
    around = ["", "：", "：张三", " 2025年", "（万元）", "(元)", "1.", "一、", "（二）", "名称", "资金", "x" * 16]
    out = []
    for i, w in enumerate(words):
        out += [w + a for a in around] + [a + w for a in around] + [w[:2], w[1:], words[i - 1] + "、" + w]
    return out


def test_label_hits_try_every_section_that_can_match() -> None:
    labels = load_labels()
    texts = _label_variants() + ["本项目预算安排资金 24.5 万元，用于开展普法宣传。", "第3号单位项目1", "≥95%", "项目名称：乡村振兴"]
    checked = 0
    for text in texts:
        if text and len(text) <= 200:
            assert labels._hits(text) == _hits_general(text), text
            checked += 1
    assert checked > 1000


@settings(max_examples=2000, deadline=None)
@given(st.text(_ALPHABET, max_size=12))
def test_label_hits_of_any_text_are_those_of_every_section(text: str) -> None:
    assert load_labels()._hits(text) == _hits_general(text)


def test_title_and_signature_gates_keep_their_answers() -> None:
    assert is_title("2025年部门项目支出绩效目标表") and is_title("附表3-1") and is_title("第二部分")
    assert is_title.__wrapped__("某某县绩效目标(打捆项目)") and is_title.__wrapped__("(2024年度)")
    assert not is_title.__wrapped__("本项目预算安排资金 24.5 万元，用于开展普法宣传和人民调解工作。")
    assert is_signature.__wrapped__("填表人：张三") and is_signature.__wrapped__("项目单位（盖章）")
    assert not is_signature.__wrapped__("本项目预算安排资金 24.5 万元")
