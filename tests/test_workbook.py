"""Reading the clerks' workbook: typed values that remember their cells."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest

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


def test_a_number_in_a_text_cell_is_read_as_excel_shows_it(tmp_path):
    wb = openpyxl.load_workbook(WORKBOOK)
    ws = wb["Chỉ tiêu"]
    ws["B2"], ws["B3"], ws["B4"] = 1, 0.8, 1250000  # typed "100%", "80%", "1.250.000"
    ws["B2"].number_format = ws["B3"].number_format = "0%"
    ws["B4"].number_format = "#,##0"
    path = tmp_path / "phan-tram.xlsx"
    wb.save(path)
    plan, problems = read_plan(path)
    assert plan is not None, [p.render() for p in problems]
    assert [t.value for t in plan.targets[:3]] == ["100%", "80%", "1.250.000"]


def test_a_month_typed_in_a_text_cell_is_read_as_the_month(tmp_path):
    from datetime import datetime

    from generator.checks.deadlines import MONTH, parse_deadline

    wb = openpyxl.load_workbook(WORKBOOK)
    ws = wb["Nhiệm vụ"]
    ws["E2"] = datetime(2018, 6, 1)  # "6/2018" typed in Excel, shown "Jun-18"
    ws["E2"].number_format = "mmm-yy"
    path = tmp_path / "thang.xlsx"
    wb.save(path)
    plan, problems = read_plan(path)
    assert plan is not None, [p.render() for p in problems]
    assert plan.tasks[0].deadline == "Tháng 6/2018"
    deadline = parse_deadline(plan.tasks[0].deadline)
    assert (deadline.kind, deadline.due) == (MONTH, date(2018, 6, 30))


def test_a_date_cell_showing_no_day_is_an_error_at_the_cell(tmp_path):
    from datetime import datetime

    wb = openpyxl.load_workbook(WORKBOOK)
    wb["Kỳ báo cáo"]["D2"] = datetime(2018, 3, 1)
    wb["Kỳ báo cáo"]["D2"].number_format = "mm/yyyy"
    path = tmp_path / "han-gui-thang.xlsx"
    wb.save(path)
    plan, problems = read_plan(path)
    assert plan is None
    [problem] = [p for p in problems if p.code == "month-only-date"]
    assert str(problem.loc) == "Kỳ báo cáo!D2"
    assert "Tháng 3/2018" in problem.render() and "không có ngày" in problem.render()


def test_two_sheets_matching_one_name_is_an_error_naming_both(tmp_path):
    wb = openpyxl.load_workbook(WORKBOOK)
    stale = wb.copy_worksheet(wb["Nhiệm vụ"])
    stale.title = "Nhiệm vụ "
    wb.move_sheet(stale, -(len(wb.sheetnames) - 1))  # the stale copy first in the tab order
    path = tmp_path / "hai-sheet.xlsx"
    wb.save(path)
    plan, problems = read_plan(path)
    assert plan is None
    [problem] = [p for p in problems if p.code == "duplicate-sheet"]
    assert "“Nhiệm vụ ”" in problem.message and "“Nhiệm vụ”" in problem.message


def test_a_duplicated_field_row_is_an_error_at_both_cells(tmp_path):
    wb = openpyxl.load_workbook(WORKBOOK)
    ws = wb["Thông tin chung"]
    row = field_row(ws, "Ngày ban hành")
    extra = ws.max_row + 1
    ws.cell(extra, 1).value, ws.cell(extra, 2).value = "Ngày ban hành", "01/01/2018"
    path = tmp_path / "hai-dong.xlsx"
    wb.save(path)
    plan, problems = read_plan(path)
    assert plan is None
    assert sorted(str(p.loc) for p in problems if p.code == "duplicate-field") == sorted(
        [f"Thông tin chung!A{row}", f"Thông tin chung!A{extra}"])


def test_a_duplicated_column_header_is_an_error_at_both_cells(tmp_path):
    wb = openpyxl.load_workbook(WORKBOOK)
    ws = wb["Nhiệm vụ"]
    extra = ws.max_column + 1
    ws.cell(1, extra).value = "Cơ quan chủ trì"
    ws.cell(2, extra).value = "Sở Nội vụ"
    path = tmp_path / "hai-cot.xlsx"
    wb.save(path)
    plan, problems = read_plan(path)
    assert plan is None
    letter = openpyxl.utils.get_column_letter(extra)
    assert sorted(str(p.loc) for p in problems if p.code == "duplicate-column") == [
        "Nhiệm vụ!C1", f"Nhiệm vụ!{letter}1"]


@pytest.mark.parametrize("typed", [2118, 9999, 1899])
def test_a_year_outside_the_accepted_range_is_an_error_saying_the_range(tmp_path, typed):
    wb = openpyxl.load_workbook(WORKBOOK)
    ws = wb["Thông tin chung"]
    row = field_row(ws, "Năm kế hoạch")
    ws.cell(row, 2).value = typed
    path = tmp_path / "nam.xlsx"
    wb.save(path)
    plan, problems = read_plan(path)
    assert plan is None
    [problem] = [p for p in problems if p.code == "bad-year"]
    assert str(problem.loc) == f"Thông tin chung!B{row}"
    assert "năm phải từ 1990 đến 2100" in problem.message


def test_a_date_outside_the_accepted_range_is_an_error_at_the_cell(tmp_path):
    from datetime import datetime

    wb = openpyxl.load_workbook(WORKBOOK)
    wb["Kỳ báo cáo"]["E2"] = datetime(1899, 12, 15)  # a data window from 1899
    wb["Kỳ báo cáo"]["D3"] = "05/6/2118"
    path = tmp_path / "ngay.xlsx"
    wb.save(path)
    plan, problems = read_plan(path)
    assert plan is None
    found = {str(p.loc): p.message for p in problems if p.code == "bad-date"}
    assert sorted(found) == ["Kỳ báo cáo!D3", "Kỳ báo cáo!E2"]
    assert all("năm phải từ 1990 đến 2100" in m for m in found.values())
