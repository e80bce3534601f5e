"""How one cell's text is typed: invisible characters, symbols, spaces, NFC."""

from __future__ import annotations

import unicodedata

from generator.errors import ERROR, INFO, WARNING, Loc
from generator.text.hygiene import text_problems

LOC = Loc("Nhiệm vụ", "B5")


def kinds(text: str, **kw) -> list[tuple[str, str]]:
    return [(p.code, p.severity) for p in text_problems(text, LOC, **kw)]


def test_clean_unicode_text_has_nothing_to_say():
    assert kinds("Cộng hòa xã hội chủ nghĩa Việt Nam", font="Times New Roman") == []


def test_information_for_what_the_program_normalises_itself():
    assert kinds(unicodedata.normalize("NFD", "Bình Phước")) == [("not-nfc", INFO)]
    assert kinds(" Bình Phước") == [("extra-spaces", INFO)]
    assert kinds("Bình\u00a0Phước") == [("nbsp", INFO)]


def test_a_unicode_text_in_a_legacy_font_is_only_a_note():
    assert kinds("Sở Nội vụ", font=".VnTime") == [("legacy-font", INFO)]


def test_symbols_are_checked_character_by_character():
    assert kinds("QĐ-UBND", symbol=True) == []
    assert kinds("QĐ—UBND", symbol=True) == [("symbol-dash", ERROR)]
    [problem] = text_problems("QĐ -UBND", LOC, symbol=True)
    assert problem.suggestion == "sửa thành “QĐ-UBND”"


def test_line_breaks_only_matter_in_one_line_fields():
    assert kinds("ỦY BAN NHÂN DÂN\nTỈNH BÌNH PHƯỚC") == []
    assert kinds("Bình\nPhước", one_line=True) == [("line-break", WARNING)]
