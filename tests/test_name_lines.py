"""Header lines of an agency's name: measured widths, where a long name breaks, sentence case."""

from __future__ import annotations

import pytest

from generator.text import vn

COLUMN_MM = 64.2  # the report header's left column less its cell margins


def test_widths_follow_times_new_roman_bold():
    # 43 mm is the width of "ỦY BAN NHÂN DÂN" at 13 pt bold (the decision's issuer rule is sized on it)
    assert vn.text_width_mm("ỦY BAN NHÂN DÂN", 13, bold=True) == pytest.approx(43.2, abs=0.5)
    assert vn.text_width_mm("SỞ NỘI VỤ", 13, bold=True) < vn.text_width_mm("SỞ TƯ PHÁP", 13, bold=True)
    assert vn.text_width_mm("Sở", 13) < vn.text_width_mm("SỞ", 13)
    assert vn.text_width_mm("A", 13, bold=True) > vn.text_width_mm("A", 12, bold=True)


@pytest.mark.parametrize("name, lines", [
    ("Sở Nội vụ", ["Sở Nội vụ"]),
    ("Sở Kế hoạch và Đầu tư", ["Sở Kế hoạch và Đầu tư"]),
    ("Ủy ban nhân dân huyện Lộc Ninh", ["Ủy ban nhân dân", "huyện Lộc Ninh"]),
    ("Ủy ban nhân dân phường Tân Phong", ["Ủy ban nhân dân", "phường Tân Phong"]),
    ("Sở Văn hóa, Thể thao và Du lịch", ["Sở Văn hóa, Thể thao", "và Du lịch"]),
    ("Sở Thông tin và Truyền thông", ["Sở Thông tin", "và Truyền thông"]),
    ("Ban Quản lý Khu kinh tế tỉnh", ["Ban Quản lý", "Khu kinh tế tỉnh"]),
])
def test_a_long_name_breaks_where_the_models_break_it(name, lines):
    assert vn.name_lines(name, COLUMN_MM) == lines
    assert all(vn.text_width_mm(vn.upper_vn(line), 13, bold=True) <= COLUMN_MM for line in lines)


def test_a_name_too_long_for_two_lines_still_gives_two_balanced_lines():
    name = "Ban Chỉ đạo xây dựng Đề án thành lập Trường Cao đẳng đa ngành tỉnh Bình Phước"
    first, second = vn.name_lines(name, COLUMN_MM)
    assert f"{first} {second}" == name and first and second


def test_lower_first_keeps_abbreviations():
    assert vn.lower_first("Kết quả thực hiện") == "kết quả thực hiện"
    assert vn.lower_first("UBND tỉnh") == "UBND tỉnh"
    assert vn.lower_first("Đ") == "đ" and vn.lower_first("") == ""
