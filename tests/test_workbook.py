"""Reading the clerks' workbook: typed values that remember their cells."""

from __future__ import annotations

from datetime import date

import openpyxl

from generator.errors import Loc
from generator.workbook.reader import read_plan
from tests.conftest import WORKBOOK


def field_row(ws, label: str) -> int:
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == label)


def test_the_shipped_workbook_reads_without_problems():
    plan, problems = read_plan(WORKBOOK)
    assert plan is not None
    assert [p.render() for p in problems] == []
    assert plan.year == 2018 and plan.general.number == 3406
    assert plan.general.issue_date == date(2017, 12, 28)
    assert len(plan.tasks) == 46 and len(plan.areas) == 7
    assert [len(a.tasks) for a in plan.areas] == [3, 7, 5, 4, 5, 11, 11]
    assert plan.general.signer.name == "Nguyễn Văn Trâm"
    assert plan.general.plan_signer.name == "Nguyễn Văn Tuấn"


def test_every_value_remembers_its_sheet_and_cell():
    plan, _ = read_plan(WORKBOOK)
    first = plan.tasks[0]
    assert first.loc("lead") == Loc("Nhiệm vụ", "C2")
    assert str(plan.tasks[13].loc("deadline")) == "Nhiệm vụ!E15"
    wb = openpyxl.load_workbook(WORKBOOK)
    row = field_row(wb["Thông tin chung"], "Số văn bản")
    assert plan.general.loc("number") == Loc("Thông tin chung", f"B{row}")
    assert plan.general.signer.loc("name") is not None


def test_dates_may_be_typed_as_text(tmp_path):
    wb = openpyxl.load_workbook(WORKBOOK)
    ws = wb["Thông tin chung"]
    ws.cell(field_row(ws, "Ngày ban hành"), 2).value = "28/12/2017"
    wb["Kỳ báo cáo"]["D2"] = "5/3/2018"
    path = tmp_path / "ngay-dang-chu.xlsx"
    wb.save(path)
    plan, problems = read_plan(path)
    assert plan is not None, [p.render() for p in problems]
    assert plan.general.issue_date == date(2017, 12, 28)
    assert plan.periods[0].deadline == date(2018, 3, 5)


def test_columns_are_found_by_header_even_when_reordered(tmp_path):
    wb = openpyxl.load_workbook(WORKBOOK)
    ws = wb["Nhiệm vụ"]
    # swap the "Cơ quan chủ trì" and "Cơ quan phối hợp" columns, headers included
    for row in range(1, ws.max_row + 1):
        c, d = ws.cell(row, 3), ws.cell(row, 4)
        c.value, d.value = d.value, c.value
    path = tmp_path / "dao-cot.xlsx"
    wb.save(path)
    plan, _ = read_plan(path)
    assert plan is not None
    assert plan.tasks[0].lead == "Sở Tư pháp"


def test_decomposed_unicode_is_read_as_composed(tmp_path):
    import unicodedata

    wb = openpyxl.load_workbook(WORKBOOK)
    wb["Nhiệm vụ"]["C2"] = unicodedata.normalize("NFD", "Sở Tư pháp")
    path = tmp_path / "nfd.xlsx"
    wb.save(path)
    plan, _ = read_plan(path)
    assert plan.tasks[0].lead == "Sở Tư pháp"


def test_a_blank_row_in_the_middle_is_skipped_with_a_warning(tmp_path):
    wb = openpyxl.load_workbook(WORKBOOK)
    ws = wb["Căn cứ"]
    ws.insert_rows(3)
    path = tmp_path / "dong-trong.xlsx"
    wb.save(path)
    plan, problems = read_plan(path)
    assert plan is not None and len(plan.bases) == 6
    assert [(p.code, str(p.loc)) for p in problems] == [("blank-row", "Căn cứ!A3")]
