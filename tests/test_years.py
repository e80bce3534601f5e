"""Year mentions in plan text move to the new year; legal citations, standards and periods never do."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from generator.text.years import move_years, protected_spans, shift_date


def moved(text: str, source: int = 2018, years: int = 1) -> str:
    return move_years(text, source, years)[0]


@pytest.mark.parametrize(("before", "after"), [
    ("Trong năm 2018", "Trong năm 2019"),
    ("Quý I/2018", "Quý I/2019"),
    ("Quý I, II/2018", "Quý I, II/2019"),
    ("quý III - IV/2018", "quý III - IV/2019"),
    ("6 tháng đầu năm 2018", "6 tháng đầu năm 2019"),
    ("Kết quả thực hiện công tác cải cách hành chính quý I năm 2018",
     "Kết quả thực hiện công tác cải cách hành chính quý I năm 2019"),
    ("Xác định Chỉ số cải cách hành chính năm 2017 của các cơ quan",
     "Xác định Chỉ số cải cách hành chính năm 2018 của các cơ quan"),
    ("Tháng 12/2017", "Tháng 12/2018"),
    ("tháng 6, 7/2018", "tháng 6, 7/2019"),
    ("hoàn thành trước ngày 05/3/2018", "hoàn thành trước ngày 05/3/2019"),
    ("từ ngày 15/12/2017 đến ngày 14/03/2018", "từ ngày 15/12/2018 đến ngày 14/03/2019"),
    ("ngày 05 tháng 3 năm 2018", "ngày 05 tháng 3 năm 2019"),
    ("đến 2018", "đến 2019"),
    ("trong các năm 2017, 2018", "trong các năm 2018, 2019"),
    ("năm học 2017-2018", "năm học 2018-2019"),
    ("NĂM 2018", "NĂM 2019"),
])
def test_mentions_of_the_plan_year_and_the_year_before_move(before, after):
    assert moved(before) == after


@pytest.mark.parametrize("citation", [
    "Quyết định số 225/QĐ-TTg ngày 04/02/2016",
    "Nghị định số 108/2014/NĐ-CP ngày 20/11/2014",
    "Kế hoạch số 19/KH-UBND ngày 01/12/2016",
    "Công văn số 4002/UBND-NC ngày 28/11/2017",
    "Tờ trình số 2909/TTr-SNV ngày 19/12/2017",
    "Quyết định 2968/QĐ-UBND ngày 13/11/2017",
    "Nghị Quyết số 18- NQ/TW ngày 25/10/2017",
    "Nghị quyết 39-NQ/TW ngày 17/4/2017",
    "Nghị định số 92/NĐ-CP ngày 07/8/2017",
    "Chi thị số 26/CT-TTg ngày 05/9/2017",
    "Chỉ thị ngày 05/9/2017",
    "Kế hoạch số 19 ngày 01/12/2017",
    "Thông tư số 172/2018/TT-BTC ngày 22/10/2018",
    "Luật số 77/2015/QH13 ngày 19/6/2017",
    "Luật Tổ chức chính quyền địa phương ngày 19/6/2017",
    "Luật Ban hành văn bản quy phạm pháp luật năm 2017",
    "Nghị định số 30/2018/NĐ-CP ngày 05 tháng 3 năm 2018",
    "TCVN ISO 9001:2018",
    "giai đoạn 2016-2020",
    "giai đoạn 2011 - 2020",
    "giai đoạn 2016 -2020",
    "giai đoạn 2018-2020",
])
def test_citations_standards_and_periods_never_move(citation):
    text = f"Thực hiện {citation} trong năm 2018;"
    assert moved(text) == f"Thực hiện {citation} trong năm 2019;"


def test_a_year_that_is_neither_the_plan_year_nor_the_year_before_stays():
    assert moved("năm 2016, năm 2019, Quý I/2020, ngày 01/01/2015") == (
        "năm 2016, năm 2019, Quý I/2020, ngày 01/01/2015")


def test_years_left_in_citations_are_reported_with_their_kind():
    text = ("Công văn số 4002/UBND-NC ngày 28/11/2017, TCVN ISO 9001:2018, giai đoạn 2018-2020 "
            "và mã 2018")
    _new, left = move_years(text, 2018)
    assert [(x.year, x.kind) for x in left] == [
        (2017, "citation"), (2018, "standard"), (2018, "period"), (2018, "other")]
    assert left[0].context == "Công văn số 4002/UBND-NC ngày 28/11/2017"


def test_29_february_becomes_28_february_in_a_common_year():
    assert moved("hạn 29/02/2020", source=2020) == "hạn 28/02/2021"
    assert moved("ngày 29 tháng 02 năm 2020", source=2020) == "ngày 28 tháng 02 năm 2021"
    assert shift_date(date(2020, 2, 29), 1) == date(2021, 2, 28)
    assert shift_date(date(2019, 2, 28), 1) == date(2020, 2, 28)


def test_a_date_that_does_not_exist_is_left_for_a_person():
    new, left = move_years("hạn 31/02/2018", 2018)
    assert new == "hạn 31/02/2018"
    assert [x.kind for x in left] == ["other"]


def test_text_in_decomposed_unicode_is_matched_and_only_rewritten_when_a_year_moves():
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Trong năm 2018")
    assert moved(nfd) == "Trong năm 2019"
    untouched = unicodedata.normalize("NFD", "Thường xuyên")
    assert moved(untouched) is untouched


def test_spans_found_in_the_seed_sentence():
    text = ("Thực hiện nghiêm Chi thị số 07/CT-TTg ngày 22/5/2013 của Thủ tướng Chính phủ về việc "
            "đẩy mạnh thực hiện Chương trình tổng thể cải cách hành chính Nhà nước giai đoạn "
            "2011-2020; Quyết định số 225/QĐ-TTg ngày 04/02/2016")
    assert [(s.kind, s.text) for s in protected_spans(text)] == [
        ("citation", "Chi thị số 07/CT-TTg ngày 22/5/2013"),
        ("period", "giai đoạn 2011-2020"),
        ("citation", "Quyết định số 225/QĐ-TTg ngày 04/02/2016"),
    ]


# -- properties ----------------------------------------------------------------------------

_TYPES = st.sampled_from(["Quyết định", "Nghị định", "Thông tư", "Công văn", "Kế hoạch",
                          "Chỉ thị", "Chi thị", "Nghị quyết", "Tờ trình", "Thông báo"])
_SYMBOLS = st.sampled_from(["QĐ-TTg", "QĐ-UBND", "NĐ-CP", "TT-BTC", "UBND-NC", "KH-UBND",
                            "CT-TTg", "NQ/TW", "TTr-SNV", "TB-VPUBND"])
_YEARS = st.integers(2010, 2030)


@st.composite
def citations(draw: st.DrawFn) -> str:
    year = draw(_YEARS)
    number = draw(st.integers(1, 9999))
    with_year = draw(st.booleans())
    symbol = f"{number}/{year}/{draw(_SYMBOLS)}" if with_year else f"{number}/{draw(_SYMBOLS)}"
    so = "số " if draw(st.booleans()) else ""
    day, month = draw(st.integers(1, 28)), draw(st.integers(1, 12))
    when = draw(st.sampled_from([f" ngày {day:02d}/{month}/{year}",
                                 f" ngày {day:02d} tháng {month} năm {year}", ""]))
    return f"{draw(_TYPES)} {so}{symbol}{when}"


@given(citation=citations(), source=_YEARS, years=st.integers(1, 5))
def test_no_citation_ever_changes(citation, source, years):
    text = f"Tiếp tục thực hiện {citation} của UBND tỉnh trong năm {source};"
    assert moved(text, source, years) == (
        f"Tiếp tục thực hiện {citation} của UBND tỉnh trong năm {source + years};")


@given(text=st.text(alphabet=st.sampled_from(list("abcđ ơ,.;/-:0123456789năm")), max_size=60),
       source=_YEARS)
def test_text_without_the_moving_years_is_returned_unchanged(text, source):
    assume(str(source) not in text and str(source - 1) not in text)
    assert moved(text, source) == text


@pytest.mark.parametrize("text", [
    "Quyết định số 225/QĐ–TTg ngày 04/02/2017 của Thủ tướng Chính phủ",  # an en dash in the symbol
    "Quyết định số 2968/QÐ-UBND ngày 13 tháng 11 năm 2017",  # an eth that looks like Đ
    "Nghị quyết số 18- NQ/TW ngày 25/10/2017 của Ban Chấp hành Trung ương",
    "Chỉ thị số 07/CT-TTg ngày 22.5.2017",
    "Chi thị số 26/CT-TTg, ngày 05/9/2016",  # a misspelt type the checks still recognise
])
def test_what_the_checks_read_as_a_citation_the_rollover_leaves_as_it_is(text: str) -> None:
    from generator.text.citations import find_citations

    cited = find_citations(text)
    assert len(cited) == 1 and cited[0].date is not None
    assert moved(text, 2017) == text
    assert moved(text, 2016) == text
