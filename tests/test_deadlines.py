"""Deadlines as the clerks write them, read into a kind and a due date."""

from __future__ import annotations

from datetime import date

import pytest

from generator.checks import deadlines as d
from generator.checks.deadlines import parse_deadline


@pytest.mark.parametrize(("text", "kind", "due"), [
    ("Quý I/2018", d.QUARTER, date(2018, 3, 31)),
    ("Quý I, II/2018", d.QUARTER, date(2018, 6, 30)),
    ("quý IV năm 2018", d.QUARTER, date(2018, 12, 31)),
    ("Quý 3/2018", d.QUARTER, date(2018, 9, 30)),
    ("Tháng 6/2018", d.MONTH, date(2018, 6, 30)),
    ("Tháng 2/2020", d.MONTH, date(2020, 2, 29)),
    ("6 tháng đầu năm 2018", d.HALF_YEAR, date(2018, 6, 30)),
    ("Trước ngày 30/6/2018", d.DATE, date(2018, 6, 30)),
    ("15/11/2018", d.DATE, date(2018, 11, 15)),
    ("Trong năm 2018", d.YEAR, date(2018, 12, 31)),
    ("Năm 2018.", d.YEAR, date(2018, 12, 31)),
    ("Thường xuyên trong năm", d.CONTINUOUS, None),
    ("Thường xuyên", d.CONTINUOUS, None),
    ("Hàng quý, 6 tháng và năm", d.PERIODIC, None),
    ("Hàng quý, 6 tháng và năm hoặc đột xuất", d.PERIODIC, None),
    ("Định kỳ hoặc đột xuất", d.PERIODIC, None),
    ("Khi có văn bản của Bộ Nội vụ", d.ON_EVENT, None),
    ("Theo yêu cầu của UBND tỉnh", d.ON_EVENT, None),
])
def test_known_forms_give_their_kind_and_date(text, kind, due):
    parsed = parse_deadline(text)
    assert (parsed.kind, parsed.due) == (kind, due)


@pytest.mark.parametrize(("text", "reason"), [
    ("Quý V/2018", "quý I đến quý IV"),
    ("Tháng 13/2018", "từ 1 đến 12"),
    ("Trước ngày 31/02/2018", "31/02/2018 không tồn tại"),
])
def test_impossible_deadlines_say_why(text, reason):
    parsed = parse_deadline(text)
    assert parsed.kind == d.INVALID and reason in parsed.reason


def test_unknown_forms_are_unknown_and_years_are_kept():
    assert parse_deadline("Sớm nhất có thể").kind == d.UNKNOWN
    assert parse_deadline("").kind == d.UNKNOWN
    assert parse_deadline("Thường xuyên trong năm 2019").years == (2019,)
    assert parse_deadline("Quý I, II/2018").kind_name == "theo quý"
