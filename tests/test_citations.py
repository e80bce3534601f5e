"""Legal citations found in a text and checked against Nghị định 30's names and symbols."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.checks.deadlines import parse_deadline
from generator.errors import ERROR, WARNING, Loc
from generator.text.citations import citation_problems, date_problems, find_citations
from generator.text.hygiene import text_problems

LOC = Loc("Căn cứ", "A2")
ISSUED = date(2017, 12, 28)


def codes(text: str, issued: date | None = ISSUED) -> list[str]:
    return [p.code for p in citation_problems(text, LOC, issued)]


def test_a_citation_gives_type_number_symbol_and_date():
    [c] = find_citations("Căn cứ Quyết định số 225/QĐ-TTg ngày 04/02/2016 của Thủ tướng Chính phủ")
    assert (c.doc_type, c.number, c.symbol, c.date) == ("Quyết định", "225", "QĐ-TTg", date(2016, 2, 4))
    [n] = find_citations("Nghị định số 63/2010/NĐ-CP ngày 08/6/2010")
    assert (n.number, n.year, n.symbol, n.type_abbreviation) == ("63", 2010, "NĐ-CP", "NĐ")


def test_several_citations_in_one_text_and_party_symbols():
    found = find_citations("theo Nghị quyết số 18-NQ/TW ngày 25/10/2017 và Chỉ thị số 07/CT-TTg, "
                           "Công văn số 4002/UBND-NC ngày 28/11/2017; mức độ 3,4; giai đoạn 2016-2020")
    assert [(c.doc_type, c.number_symbol) for c in found] == [
        ("Nghị quyết", "18-NQ/TW"), ("Chỉ thị", "07/CT-TTg"), ("Công văn", "4002/UBND-NC")]


def test_good_citations_have_no_problem():
    assert codes("Căn cứ Chỉ thị số 07/CT-TTg ngày 22/5/2013 của Thủ tướng Chính phủ") == []
    assert codes("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19/6/2015") == []
    assert codes("Công văn số 2522/UBND-NC ngày 01/8/2017") == []
    assert codes("Thông tư số 172/2012/TT-BTC ngày 22/10/2012") == []


def test_a_misspelt_type_is_reported_with_the_right_spelling():
    [p] = citation_problems("Thực hiện nghiêm Chi thị số 07/CT-TTg ngày 22/5/2013", LOC, ISSUED)
    assert (p.code, p.severity) == ("citation-type-spelling", WARNING)
    assert "Chỉ thị" in p.expected and p.suggestion == "sửa thành “Chỉ thị số 07/CT-TTg”"
    assert codes("theo Quyêt định số 225/QĐ-TTg") == ["citation-type-spelling"]
    assert codes("theo Nghị Quyết số 39-NQ/TW") == ["citation-type-case"]


def test_the_symbol_must_fit_the_type_and_carry_the_year_of_a_decree():
    assert codes("Quyết định số 225/CT-TTg ngày 04/02/2016") == ["citation-symbol-type"]
    [p] = citation_problems("Nghị định số 92/NĐ-CP ngày 07/8/2017", LOC, ISSUED)
    assert p.code == "citation-symbol-year" and "92/2017/NĐ-CP" in p.suggestion
    assert codes("Nghị định số 63/2011/NĐ-CP ngày 08/6/2010") == ["citation-year-mismatch"]


def test_dashes_eth_and_spaces_in_symbols():
    assert codes("Quyết định số 553/QĐ–UBND") == ["citation-symbol-dash"]
    assert codes("Quyết định số 553/QÐ-UBND") == ["citation-symbol-eth"]
    assert codes("Nghị quyết số 18- NQ/TW") == ["citation-symbol-space"]


def test_a_cited_document_cannot_be_dated_after_the_decision():
    [p] = citation_problems("Quyết định số 12/QĐ-UBND ngày 05/01/2018", LOC, ISSUED)
    assert (p.code, p.severity) == ("citation-date-after", ERROR)
    assert codes("Quyết định số 12/QĐ-UBND ngày 05/01/2018", issued=None) == []  # a draft


def test_dates_that_do_not_exist():
    [p] = date_problems("ngày 31/02/2018 và ngày 29/02/2016", LOC)
    assert (p.code, p.found, p.severity) == ("date-invalid-in-text", "31/02/2018", ERROR)

_PIECES = st.sampled_from(["Quyết định", "Chi thị", "số", " ", "/", "-", "–", "Ð", "07", "2018",
                           "ngày", "31/02/2018", "NĐ-CP", "Quý", "I,", "\n", "\u00a0", "µ", "ư"])


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES | st.text(max_size=8), max_size=12).map("".join))
def test_no_text_makes_the_checks_fail(text):
    citation_problems(text, LOC, ISSUED)
    date_problems(text, LOC)
    parse_deadline(text)
    text_problems(text, LOC, one_line=True)
    text_problems(text, LOC, symbol=True, font=".VnTimeH")
