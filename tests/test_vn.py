"""Vietnamese conventions: numbering, dates, symbols, name keys, slugs and closings."""

import re
import unicodedata
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.text.vn import (
    LETTERS,
    clean_text,
    closing,
    date_as_shown,
    date_short,
    date_words,
    format_number,
    letter,
    local_time,
    month_text,
    name_key,
    nfc,
    number_symbol,
    parse_date,
    roman,
    slug,
    some_files,
    strip_controls,
    strip_diacritics,
    two_digit_day,
    upper_vn,
)

VIETNAMESE_ALPHABET = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)
names = st.text(alphabet=VIETNAMESE_ALPHABET + " ,-.", max_size=40)


class TestRoman:
    @pytest.mark.parametrize(
        ("n", "expected"),
        [(1, "I"), (4, "IV"), (6, "VI"), (9, "IX"), (14, "XIV"), (40, "XL"), (1994, "MCMXCIV")],
    )
    def test_writes_roman_numerals(self, n: int, expected: str) -> None:
        assert roman(n) == expected

    @pytest.mark.parametrize("n", [0, -1])
    def test_refuses_numbers_below_one(self, n: int) -> None:
        with pytest.raises(ValueError, match="La Mã"):
            roman(n)


class TestLetter:
    def test_has_the_twenty_three_point_letters_of_nd30(self) -> None:
        assert "".join(LETTERS) == "abcdđeghiklmnopqrstuvxy"

    @pytest.mark.parametrize(
        ("n", "expected"),
        [(1, "a"), (4, "d"), (5, "đ"), (6, "e"), (7, "g"), (9, "i"), (10, "k"), (23, "y")],
    )
    def test_numbers_points_with_vietnamese_letters(self, n: int, expected: str) -> None:
        assert letter(n) == expected

    def test_continues_with_two_letters_after_y(self) -> None:
        assert [letter(n) for n in (24, 25, 28, 46, 47)] == ["aa", "ab", "ađ", "ay", "ba"]

    def test_refuses_zero(self) -> None:
        with pytest.raises(ValueError):
            letter(0)


class TestDates:
    def test_pads_days_below_ten(self) -> None:
        assert two_digit_day(5) == "05"
        assert two_digit_day(28) == "28"

    def test_pads_only_january_and_february(self) -> None:
        assert [month_text(m) for m in (1, 2, 3, 10, 12)] == ["01", "02", "3", "10", "12"]

    @pytest.mark.parametrize(
        ("d", "expected"),
        [
            (date(2017, 12, 28), "ngày 28 tháng 12 năm 2017"),
            (date(2019, 1, 5), "ngày 05 tháng 01 năm 2019"),
            (date(2019, 2, 5), "ngày 05 tháng 02 năm 2019"),
            (date(2019, 6, 5), "ngày 05 tháng 6 năm 2019"),
            (date(2018, 3, 15), "ngày 15 tháng 3 năm 2018"),
        ],
    )
    def test_writes_the_date_line(self, d: date, expected: str) -> None:
        assert date_words(d) == expected

    def test_leaves_day_and_month_blank_for_a_draft(self) -> None:
        assert date_words(None, 2018) == "ngày      tháng      năm 2018"

    def test_leaves_the_year_blank_too_when_unknown(self) -> None:
        assert date_words(None) == "ngày      tháng      năm       "

    @pytest.mark.parametrize(
        ("d", "expected"),
        [
            (date(2017, 12, 28), "28/12/2017"),
            (date(2018, 3, 5), "05/3/2018"),
            (date(2016, 2, 4), "04/02/2016"),
            (date(2015, 6, 19), "19/6/2015"),
            (date(2016, 12, 1), "01/12/2016"),
        ],
    )
    def test_writes_short_dates_as_cited(self, d: date, expected: str) -> None:
        assert date_short(d) == expected


class TestNumberSymbol:
    @pytest.mark.parametrize(
        ("number", "expected"),
        [
            (3406, "3406/QĐ-UBND"),
            (5, "05/QĐ-UBND"),
            ("5", "05/QĐ-UBND"),
            (" 3406 ", "3406/QĐ-UBND"),
            (10, "10/QĐ-UBND"),
            (5.0, "05/QĐ-UBND"),
        ],
    )
    def test_joins_number_and_symbol(self, number: int | str, expected: str) -> None:
        assert number_symbol(number, "QĐ-UBND") == expected

    def test_keeps_a_number_with_letters(self) -> None:
        assert number_symbol("30c", "NQ-CP") == "30c/NQ-CP"

    @pytest.mark.parametrize("number", [None, "", "  "])
    def test_leaves_the_number_blank_for_a_draft(self, number: str | None) -> None:
        assert "Số: " + number_symbol(number, "QĐ-UBND") == "Số:          /QĐ-UBND"

    def test_does_not_double_the_slash(self) -> None:
        assert number_symbol(12, "/KH-UBND") == "12/KH-UBND"


class TestParseDate:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("28/12/2017", date(2017, 12, 28)),
            ("5/3/2018", date(2018, 3, 5)),
            ("05/03/2018", date(2018, 3, 5)),
            ("05-03-2018", date(2018, 3, 5)),
            ("05.03.2018", date(2018, 3, 5)),
            ("  04/02/2016 ", date(2016, 2, 4)),
            ("04/02/2016\u00a0", date(2016, 2, 4)),
            (date(2019, 1, 5), date(2019, 1, 5)),
            (datetime(2019, 1, 5, 10, 30), date(2019, 1, 5)),
        ],
    )
    def test_reads_dates(self, value: object, expected: date) -> None:
        assert parse_date(value) == expected

    @pytest.mark.parametrize("value", [None, "", "   "])
    def test_reads_empty_cells_as_none(self, value: object) -> None:
        assert parse_date(value) is None

    def test_says_when_a_date_does_not_exist(self) -> None:
        with pytest.raises(ValueError) as error:
            parse_date("31/02/2018")
        assert str(error.value) == "Ngày 31/02/2018 không tồn tại"

    @pytest.mark.parametrize("value", ["28 tháng 12", "2017-12-28", "28/12-2017", "abc", 43097])
    def test_says_which_form_it_needs(self, value: object) -> None:
        with pytest.raises(ValueError) as error:
            parse_date(value)
        assert str(error.value) == f"Không đọc được ngày: {value}; cần dạng dd/mm/yyyy"


class TestCleanText:
    def test_normalises_to_nfc(self) -> None:
        decomposed = unicodedata.normalize("NFD", "Nguyễn")
        assert nfc(decomposed) == "Nguyễn"
        assert clean_text(decomposed) == "Nguyễn"

    def test_collapses_spaces_and_keeps_line_breaks(self) -> None:
        text = "  Sở\u00a0Nội \t vụ \r\n  tỉnh   Bình Phước \n"
        assert clean_text(text) == "Sở Nội vụ\ntỉnh Bình Phước"


class TestNameKey:
    @pytest.mark.parametrize(
        ("a", "b"),
        [
            ("hòa", "hoà"),
            ("thủy", "thuỷ"),
            ("khỏe", "khoẻ"),
            ("Sở Tài nguyên  và Môi trường", "sở tài nguyên và môi trường"),
            ("SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG", "Sở Tài nguyên và Môi trường"),
            ("Ðồng Xoài", "Đồng Xoài"),
            ("Ủy ban nhân dân", "Uỷ ban nhân dân"),
            ("Sở Tài nguyên-Môi trường", "Sở Tài nguyên – Môi trường"),
            ("UBND tỉnh,Sở Y tế", "UBND tỉnh , Sở Y tế"),
        ],
    )
    def test_matches_names_however_typed(self, a: str, b: str) -> None:
        assert name_key(a) == name_key(b)
        assert name_key(unicodedata.normalize("NFD", a)) == name_key(b)

    @pytest.mark.parametrize(
        ("a", "b"),
        [
            ("Sở Y tế", "Sở Y tá"),
            ("Đồng Xoài", "Dồng Xoài"),
            ("hòa", "hoa"),
            ("hòa", "họa"),
            ("Sở Nội vụ", "Sở Nội vũ"),
            ("hòa", "hoa2"),
        ],
    )
    def test_keeps_different_words_apart(self, a: str, b: str) -> None:
        assert name_key(a) != name_key(b)

    @given(names)
    def test_ignores_normal_form_and_case(self, s: str) -> None:
        key = name_key(s)
        assert name_key(unicodedata.normalize("NFD", s)) == key
        assert name_key(unicodedata.normalize("NFC", s)) == key
        assert name_key(s.upper()) == key
        assert name_key(s.lower()) == key


class TestSlug:
    def test_strips_diacritics(self) -> None:
        assert strip_diacritics("Đồng Xoài") == "Dong Xoai"
        assert strip_diacritics("Nguyễn Thị Thuý") == "Nguyen Thi Thuy"

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("3406/QĐ-UBND", "3406-qd-ubnd"),
            ("Sở Nội vụ", "so-noi-vu"),
            ("  Kế hoạch -- CCHC năm 2018! ", "ke-hoach-cchc-nam-2018"),
            ("", "van-ban"),
            ("...", "van-ban"),
            ("..", "van-ban"),
            ("CON", "con-x"),
            ("lpt1", "lpt1-x"),
            ("Nul", "nul-x"),
        ],
    )
    def test_makes_safe_file_names(self, text: str, expected: str) -> None:
        assert slug(text) == expected

    def test_truncates_without_a_trailing_hyphen(self) -> None:
        assert slug("Sở Nội vụ tỉnh", max_len=7) == "so-noi"

    @given(st.text(), st.integers(min_value=1, max_value=120))
    def test_always_gives_a_safe_slug(self, text: str, max_len: int) -> None:
        result = slug(text, max_len=max_len)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", result)
        assert len(result) <= max_len
        assert result not in {"con", "prn", "aux", "nul", "com1", "lpt1"}


class TestUpperAndClosing:
    def test_uppercases_vietnamese(self) -> None:
        assert upper_vn("Sở Nội vụ đồng ý") == "SỞ NỘI VỤ ĐỒNG Ý"
        assert upper_vn(unicodedata.normalize("NFD", "ủy ban")) == "ỦY BAN"

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("kể từ ngày ký./.", "kể từ ngày ký./."),
            ("kể từ ngày ký.", "kể từ ngày ký./."),
            ("kể từ ngày ký", "kể từ ngày ký./."),
            ("kể từ ngày ký;  ", "kể từ ngày ký./."),
            ("kể từ ngày ký, ", "kể từ ngày ký./."),
            ("kể từ ngày ký./../.", "kể từ ngày ký./."),
        ],
    )
    def test_ends_the_body_with_one_closing_mark(self, text: str, expected: str) -> None:
        assert closing(text) == expected


class TestProperties:
    @given(st.dates(min_value=date(1000, 1, 1)))
    def test_reads_back_short_dates(self, d: date) -> None:
        assert parse_date(date_short(d)) == d

    def test_numbers_without_collisions(self) -> None:
        assert len({roman(n) for n in range(1, 201)}) == 200
        assert len({letter(n) for n in range(1, 201)}) == 200


@pytest.mark.parametrize(("value", "number_format", "shown"), [
    (1, "0%", "100%"),
    (0.8, "0%", "80%"),
    (0.805, "0.0%", "80,5%"),
    (0.075, "0.00%", "7,50%"),
    (1250000, "#,##0", "1.250.000"),
    (1234.5, '#,##0.00 "đồng"', "1.234,50 đồng"),
    (2.5, "0.0", "2,5"),
    (2.5, "General", "2,5"),
    (0.1 + 0.2, "General", "0,3"),
    (12, '0 "người"', "12 người"),
    (-3, "#,##0;(#,##0)", "(3)"),
    (0, '0;-0;"-"', "-"),
    (5, "[Red]0", "5"),
    (42, "@", "42"),
    (7, None, "7"),
])
def test_a_number_prints_as_excel_shows_it_in_vietnamese(value, number_format, shown):
    assert format_number(value, number_format) == shown


@pytest.mark.parametrize(("number_format", "shown"), [
    ("mmm-yy", "Tháng 6/2018"),
    ("[$-409]mmm-yy;@", "Tháng 6/2018"),
    ("mm/yyyy", "Tháng 6/2018"),
    ("dd/mm/yyyy", "01/6/2018"),
    ("d-mmm-yy", "01/6/2018"),
    ("yyyy", "Năm 2018"),
])
def test_a_date_prints_the_parts_its_format_shows(number_format, shown):
    assert date_as_shown(date(2018, 6, 1), number_format) == shown


def test_bidi_marks_are_control_characters():
    assert strip_controls("Sở\u200f Nội\u200e vụ") == ("Sở Nội vụ", "\u200f\u200e")


def test_a_moment_in_utc_is_shown_on_the_clock_in_vietnam() -> None:

    assert local_time(datetime(2018, 3, 5, 20, 30, tzinfo=UTC)) == datetime(2018, 3, 6, 3, 30)
    assert local_time(datetime(2018, 3, 5, 20, 30)) == datetime(2018, 3, 5, 20, 30)  # already local


def test_a_list_of_files_names_the_first_five_then_counts_the_rest() -> None:
    assert some_files(["a.pdf", "b.pdf"]) == "a.pdf, b.pdf"
    names = [f"{i}.pdf" for i in range(1, 8)]
    assert some_files(names) == "1.pdf, 2.pdf, 3.pdf, 4.pdf, 5.pdf và 2 tệp khác"
