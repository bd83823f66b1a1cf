"""Cell references: ``A1`` names and ``Sheet!A1`` references, written and read back in
one place (xlperf/cellref.py)."""

from __future__ import annotations

import pytest

from xlperf.cellref import CellRef, cell_name, col_name, parse_cell_name, sheet_ref, split_ref


def test_names_round_trip() -> None:
    assert (col_name(0), col_name(25), col_name(26), col_name(16_383)) == ("A", "Z", "AA", "XFD")
    assert cell_name(11, 2) == "C12" and parse_cell_name("C12") == (11, 2)
    assert parse_cell_name("$xfd$1048576") == (1_048_575, 16_383)
    for bad in ("A0", "A-5", "XFE1", "A99999999", "12"):
        with pytest.raises(ValueError):
            parse_cell_name(bad)


def test_split_ref() -> None:
    assert split_ref(sheet_ref("第二部分 预算项目绩效目标", 4, 2)) == ("第二部分 预算项目绩效目标", "C5")
    assert split_ref(sheet_ref("it's", 0, 0)) == ("it's", "A1")
    assert split_ref("C5") == (None, "C5") and split_ref(None) == (None, None) and split_ref("") == (None, None)


def test_cellref_text_is_the_json_form() -> None:
    ref = CellRef("项目1", 11, 2)
    assert (ref.text, str(ref), ref.cell) == ("项目1!C12", "项目1!C12", "C12")
    assert CellRef("第二部分 预算项目绩效目标", 4, 2).text == "'第二部分 预算项目绩效目标'!C5"
    assert CellRef("it's", 0, 0).text == "'it''s'!A1" == sheet_ref("it's", 0, 0)
    assert CellRef(None, 0, 0).text == "A1"


def test_cellref_parse() -> None:
    for ref in (CellRef("项目1", 11, 2), CellRef("it's", 0, 0), CellRef("a b!c", 9, 27), CellRef(None, 3, 3)):
        assert CellRef.parse(ref.text) == ref
    assert CellRef.parse(None) is None and CellRef.parse("") is None
    assert CellRef.parse("项目1!not-a-cell") is None
