"""Rolling the shipped 2018 workbook over to 2019: what moves, what never moves, what to review."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from generator.errors import VanbanError
from generator.pipeline import build, new_year
from generator.text.years import protected_spans
from generator.workbook import blank, rollover, schema
from tests.conftest import WORKBOOK
from tests.docx_text import document_lines

# (sheet, cell): (value in the 2018 workbook, value after rolling to 2019)
KNOWN_MENTIONS: dict[tuple[str, str], tuple[object, object]] = {
    ("Thông tin chung", "B5"): (2018, 2019),
    ("Thông tin chung", "B6"): (3406, None),
    ("Thông tin chung", "B8"): (datetime(2017, 12, 28), None),
    ("Thông tin chung", "B9"): (
        "Ban hành Kế hoạch cải cách hành chính Nhà nước năm 2018 trên địa bàn tỉnh Bình Phước",
        "Ban hành Kế hoạch cải cách hành chính Nhà nước năm 2019 trên địa bàn tỉnh Bình Phước"),
    ("Thông tin chung", "B19"): (
        "Cải cách hành chính Nhà nước năm 2018 trên địa bàn tỉnh Bình Phước",
        "Cải cách hành chính Nhà nước năm 2019 trên địa bàn tỉnh Bình Phước"),
    ("Điều", "A2"): (
        "Ban hành kèm theo Quyết định này Kế hoạch cải cách hành chính Nhà nước năm 2018 trên "
        "địa bàn tỉnh Bình Phước.",
        "Ban hành kèm theo Quyết định này Kế hoạch cải cách hành chính Nhà nước năm 2019 trên "
        "địa bàn tỉnh Bình Phước."),
    ("Nội dung kế hoạch", "C3"): (
        "Chủ tịch UBND tỉnh ban hành Kế hoạch cải cách hành chính Nhà nước năm 2018 trên địa "
        "bàn tỉnh, với các nội dung cụ thể như sau:",
        "Chủ tịch UBND tỉnh ban hành Kế hoạch cải cách hành chính Nhà nước năm 2019 trên địa "
        "bàn tỉnh, với các nội dung cụ thể như sau:"),
    ("Nhiệm vụ", "E2"): ("Trong năm 2018", "Trong năm 2019"),
    ("Nhiệm vụ", "E14"): ("Quý I, II/2018", "Quý I, II/2019"),
    ("Nhiệm vụ", "E29"): ("Quý I/2018", "Quý I/2019"),
    ("Nhiệm vụ", "E38"): ("Quý I/2018", "Quý I/2019"),
    ("Nhiệm vụ", "E41"): ("Quý I, II/2018", "Quý I, II/2019"),
    ("Nhiệm vụ", "B41"): (
        "Xác định Chỉ số cải cách hành chính năm 2017 của các cơ quan chuyên môn thuộc UBND "
        "tỉnh và UBND các huyện, thị xã trên địa bàn tỉnh",
        "Xác định Chỉ số cải cách hành chính năm 2018 của các cơ quan chuyên môn thuộc UBND "
        "tỉnh và UBND các huyện, thị xã trên địa bàn tỉnh"),
    ("Nhiệm vụ", "B42"): (
        "Tự chấm điểm tiêu chí, tiêu chí thành phần chỉ số cải cách hành chính nhà nước năm "
        "2017 phục vụ xác định Chỉ số cải cách hành chính năm 2017 của tỉnh",
        "Tự chấm điểm tiêu chí, tiêu chí thành phần chỉ số cải cách hành chính nhà nước năm "
        "2018 phục vụ xác định Chỉ số cải cách hành chính năm 2018 của tỉnh"),
    ("Kỳ báo cáo", "C2"): ("Kết quả thực hiện công tác cải cách hành chính quý I năm 2018",
                           "Kết quả thực hiện công tác cải cách hành chính quý I năm 2019"),
    ("Kỳ báo cáo", "C3"): (
        "Kết quả thực hiện công tác cải cách hành chính 6 tháng đầu năm 2018",
        "Kết quả thực hiện công tác cải cách hành chính 6 tháng đầu năm 2019"),
    ("Kỳ báo cáo", "D2"): (datetime(2018, 3, 5), datetime(2019, 3, 5)),
    ("Kỳ báo cáo", "E2"): (datetime(2017, 12, 15), datetime(2018, 12, 15)),
    ("Kỳ báo cáo", "F2"): (datetime(2018, 3, 14), datetime(2019, 3, 14)),
    ("Kỳ báo cáo", "E4"): (datetime(2018, 6, 15), datetime(2019, 6, 15)),
    ("Kỳ báo cáo", "D5"): (datetime(2018, 12, 1), datetime(2019, 12, 1)),
    ("Kỳ báo cáo", "F5"): (datetime(2018, 12, 14), datetime(2019, 12, 14)),
    ("Chỉ tiêu", "A6"): ("Các cơ quan, đơn vị được tích hợp chữ ký số điện tử trong năm 2018",
                         "Các cơ quan, đơn vị được tích hợp chữ ký số điện tử trong năm 2019"),
}

# Citations that must read the same after the rollover, with a cell that holds each.
KNOWN_CITATIONS: dict[str, tuple[str, str]] = {
    "Quyết định số 225/QĐ-TTg ngày 04/02/2016": ("Nội dung kế hoạch", "C2"),
    "Công văn số 4002/UBND-NC ngày 28/11/2017": ("Nhiệm vụ", "B40"),
    "Nghị định số 108/2014/NĐ-CP ngày 20/11/2014": ("Nội dung kế hoạch", "C34"),
    "Kế hoạch số 19/KH-UBND ngày 01/12/2016": ("Nhiệm vụ", "B17"),
    "Quyết định 2968/QĐ-UBND ngày 13/11/2017": ("Nội dung kế hoạch", "C55"),
    "Nghị Quyết số 18- NQ/TW ngày 25/10/2017": ("Nội dung kế hoạch", "C27"),
    "Nghị định số 92/NĐ-CP ngày 07/8/2017": ("Nội dung kế hoạch", "C20"),
    "Công văn số 2522/UBND-NC ngày 01/8/2017": ("Nhiệm vụ", "B39"),
    "TCVN ISO 9001:2008": ("Nội dung kế hoạch", "C50"),
    "giai đoạn 2016-2020": ("Nội dung kế hoạch", "C52"),
    "Chi thị số 07/CT-TTg ngày 22/5/2013": ("Nội dung kế hoạch", "C52"),
    "Tờ trình số 2909/TTr-SNV ngày 19/12/2017": ("Thông tin chung", "B11"),
}


def cell_values(wb: openpyxl.Workbook, skip: str = rollover.CHANGES_SHEET) -> dict:
    """Every non-empty cell of every sheet but `skip`, by (sheet, cell)."""
    return {
        (ws.title, cell.coordinate): cell.value
        for ws in wb.worksheets if ws.title != skip
        for row in ws.iter_rows() for cell in row if cell.value is not None
    }


def changes_sheet_rows(wb: openpyxl.Workbook) -> list[tuple]:
    ws = wb[rollover.CHANGES_SHEET]
    return [tuple(c.value for c in row) for row in ws.iter_rows(min_row=5)]


@pytest.fixture(scope="module")
def original() -> openpyxl.Workbook:
    return openpyxl.load_workbook(WORKBOOK)


@pytest.fixture(scope="module")
def rolled_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = new_year(WORKBOOK, 2019)
    path = tmp_path_factory.mktemp("nam-moi") / "ke-hoach-cchc-2019.xlsx"
    result.workbook.save(path)
    return path


@pytest.fixture(scope="module")
def rolled(rolled_path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(rolled_path)


# -- cell by cell --------------------------------------------------------------------------


@pytest.mark.parametrize("place", sorted(KNOWN_MENTIONS), ids="!".join)
def test_known_year_mentions_move(place, original, rolled):
    sheet, cell = place
    before, after = KNOWN_MENTIONS[place]
    assert original[sheet][cell].value == before
    assert rolled[sheet][cell].value == after


@pytest.mark.parametrize("citation", sorted(KNOWN_CITATIONS))
def test_known_citations_stay_word_for_word(citation, original, rolled):
    sheet, cell = KNOWN_CITATIONS[citation]
    assert citation in original[sheet][cell].value
    assert citation in rolled[sheet][cell].value


def test_the_basis_sheet_is_never_touched(original, rolled):
    ws_old, ws_new = original["Căn cứ"], rolled["Căn cứ"]
    assert ws_new.max_row == ws_old.max_row == 7
    for row in range(1, ws_old.max_row + 1):
        assert ws_new.cell(row, 1).value == ws_old.cell(row, 1).value


def test_every_citation_span_of_the_workbook_survives(original, rolled):
    def spans(wb: openpyxl.Workbook) -> dict:
        found = {}
        for (sheet, cell), value in cell_values(wb).items():
            if isinstance(value, str) and sheet != "Hướng dẫn":
                found[(sheet, cell)] = [s.text for s in protected_spans(value)]
        return found

    before, after = spans(original), spans(rolled)
    assert sum(len(v) for v in before.values()) >= 50
    assert after == before


def test_only_the_listed_cells_differ_and_the_list_says_how(original, rolled):
    old, new = cell_values(original), cell_values(rolled)
    differing = {k for k in old.keys() | new.keys() if old.get(k) != new.get(k)}
    rows = [r for r in changes_sheet_rows(rolled) if r[0] == rollover.CHANGED]
    listed = {(r[1], r[2]) for r in rows}
    assert differing == listed
    assert len(listed) == 71
    by_place = {(r[1], r[2]): (r[3], r[4]) for r in rows}
    assert by_place[("Nhiệm vụ", "E29")] == ("Quý I/2018", "Quý I/2019")
    assert by_place[("Kỳ báo cáo", "E2")] == ("15/12/2017", "15/12/2018")
    assert by_place[("Thông tin chung", "B6")] == ("3406", "(trống)")


def test_the_changes_sheet_links_every_cell_and_names_what_to_review(rolled):
    ws = rolled[rollover.CHANGES_SHEET]
    assert ws["A1"].value == "CHUYỂN SỔ TÍNH TỪ NĂM 2018 SANG NĂM 2019"
    assert rolled.active.title == rollover.CHANGES_SHEET
    for row in ws.iter_rows(min_row=5):
        link = row[2].hyperlink
        assert link is not None and link.location == f"'{row[1].value}'!{row[2].value}"
    reviews = {(r[1], r[2]): r[5] for r in changes_sheet_rows(rolled) if r[0] == rollover.REVIEW}
    for row in range(2, 8):
        assert "Căn cứ pháp lý" in reviews[("Căn cứ", f"A{row}")]
    assert "Tờ trình" in reviews[("Thông tin chung", "B11")]  # Xét đề nghị … Tờ trình số … ngày …
    assert "Người ký Quyết định" in reviews[("Thông tin chung", "B15")]
    assert "Người ký Kế hoạch" in reviews[("Thông tin chung", "B24")]
    assert "Năm 2017 nằm trong trích dẫn văn bản" in reviews[("Nhiệm vụ", "B40")]
    assert "Chủ nhật" in reviews[("Kỳ báo cáo", "D5")]  # 01/12/2019 is a Sunday


def test_formatting_validations_and_other_sheets_are_kept(original, rolled):
    assert rolled.sheetnames == [*original.sheetnames, rollover.CHANGES_SHEET]
    for name in original.sheetnames:
        old, new = original[name], rolled[name]
        assert new.freeze_panes == old.freeze_panes, name
        assert len(new.data_validations.dataValidation) == len(
            old.data_validations.dataValidation), name
        assert {k: d.width for k, d in new.column_dimensions.items()} == {
            k: d.width for k, d in old.column_dimensions.items()}, name
    assert rolled["Kỳ báo cáo"]["D2"].number_format == original["Kỳ báo cáo"]["D2"].number_format
    for cell in ("E2", "B41"):
        old, new = original["Nhiệm vụ"][cell], rolled["Nhiệm vụ"][cell]
        assert (new.alignment.vertical, new.alignment.wrap_text, new.font.b) == (
            old.alignment.vertical, old.alignment.wrap_text, old.font.b)


# -- idempotence and composition ----------------------------------------------------------


def test_rolling_the_same_input_twice_gives_the_same_workbook(rolled):
    again = new_year(WORKBOOK, 2019).workbook
    assert cell_values(again, skip="") == cell_values(rolled, skip="")


def test_rolling_the_new_workbook_to_its_own_year_changes_nothing(rolled_path, rolled):
    result = new_year(rolled_path, 2019)
    assert result.changes == ()
    assert cell_values(result.workbook, skip="") == cell_values(rolled, skip="")


def test_two_single_years_equal_one_roll_of_two_years(rolled_path, tmp_path):
    step = new_year(rolled_path, 2020)
    step.workbook.save(tmp_path / "2020.xlsx")
    stepwise = openpyxl.load_workbook(tmp_path / "2020.xlsx")
    first = new_year(WORKBOOK, 2019)
    direct = new_year(WORKBOOK, 2020)
    assert cell_values(direct.workbook) == cell_values(stepwise)
    assert direct.workbook["Thông tin chung"]["B5"].value == 2020
    assert direct.workbook["Nhiệm vụ"]["B41"].value.startswith(
        "Xác định Chỉ số cải cách hành chính năm 2019")
    # the direct roll lists each cell once, from its 2018 value to its 2020 value
    composed = {c.loc: (c.before, c.after) for c in first.changes}
    for c in step.changes:
        composed[c.loc] = (composed.get(c.loc, (c.before,))[0], c.after)
    composed = {k: v for k, v in composed.items() if v[0] != v[1]}
    assert {c.loc: (c.before, c.after) for c in direct.changes} == composed


def test_rolling_backwards_is_refused():
    with pytest.raises(VanbanError, match="phải sau năm của sổ tính"):
        new_year(WORKBOOK, 2017)


# -- the documents of 2019 -----------------------------------------------------------------


@pytest.fixture(scope="module")
def built_2019(rolled_path: Path, tmp_path_factory: pytest.TempPathFactory):
    return build(rolled_path, tmp_path_factory.mktemp("out"))


@pytest.fixture(scope="module")
def lines_2019(built_2019) -> list[str]:
    (docx,) = [w for w in built_2019.written if "bao-cao" not in w.parts and w.suffix == ".docx"]
    assert docx.name == "du-thao-qd-ubnd-2019.docx"
    return document_lines(docx)


def test_the_2019_decision_is_a_draft_of_2019(lines_2019):
    assert "Số:          /QĐ-UBND" in lines_2019
    assert "Bình Phước, ngày      tháng      năm 2019" in lines_2019
    text = "\n".join(lines_2019)
    assert "Ban hành Kế hoạch cải cách hành chính Nhà nước năm 2019 trên địa bàn tỉnh Bình " \
           "Phước" in text
    assert "Cải cách hành chính Nhà nước năm 2019 trên địa bàn tỉnh Bình Phước" in lines_2019
    assert "Quý I/2019" in lines_2019 and "Quý I, II/2019" in lines_2019
    assert "Trong năm 2019" in lines_2019 and "Trong năm 2018" not in lines_2019


def test_the_2019_decision_keeps_every_citation_of_2018(decision_docx, lines_2019, original):
    def citations(lines: list[str]) -> list[str]:
        return [s.text for line in lines for s in protected_spans(line)
                if s.kind in ("citation", "standard", "period")]

    lines_2018 = document_lines(decision_docx)
    before = citations(lines_2018)
    assert "Công văn số 4002/UBND-NC ngày 28/11/2017" in before
    assert len(before) >= 60
    # the 2018 number and date are gone from the 2019 draft; every other citation is unchanged
    assert citations(lines_2019) == [c for c in before if "3406/QĐ-UBND" not in c]
    bases = [original["Căn cứ"].cell(row, 1).value for row in range(2, 8)]
    for basis in bases:
        assert f"{basis};" in lines_2018
        assert f"{basis};" in lines_2019


def test_schema_knows_every_sheet_the_rollover_reads():
    assert rollover.CHANGES_SHEET not in schema.SHEET_ORDER


# -- a workbook of the clerk's own making ---------------------------------------------------


def test_text_dates_leap_days_comments_and_own_sheets_survive(tmp_path):
    from openpyxl.comments import Comment

    from tests.test_two_level_province import DATA

    data = {**DATA, "periods": [
        {"code": "quy-1", "name": "quý I", "summary": "Báo cáo quý I năm 2026",
         "deadline": "28/02/2026", "data_from": datetime(2024, 2, 29), "data_to": "14.03.2026"},
    ]}
    wb = blank.build_workbook(data)
    wb["Nhiệm vụ"]["F2"] = "Làm trong năm 2026"
    wb["Nhiệm vụ"]["F2"].comment = Comment("Hỏi lại Sở Tư pháp", "Chị Hoa")
    own = wb.create_sheet("Ghi chú riêng")
    own["A1"] = "Số liệu năm 2026 của tôi"
    path = tmp_path / "2026.xlsx"
    wb.save(path)
    result = new_year(path, 2028)
    new = result.workbook
    periods = new["Kỳ báo cáo"]
    assert periods["D2"].value == "28/02/2028"
    assert periods["E2"].value == datetime(2026, 2, 28)  # 29/02/2024 → 28/02/2025 → 28/02/2026
    assert periods["F2"].value == "14.03.2028"
    assert new["Nhiệm vụ"]["F2"].value == "Làm trong năm 2028"
    assert new["Nhiệm vụ"]["F2"].comment.text == "Hỏi lại Sở Tư pháp"
    assert new["Ghi chú riêng"]["A1"].value == "Số liệu năm 2026 của tôi"
    assert ("Kỳ báo cáo", "E2") in {(c.sheet, c.cell) for c in result.changes}


def test_the_2019_report_forms_say_2019_in_their_title_window_and_deadline(built_2019):
    folder = built_2019.folder
    assert folder.name == "2019"
    form = document_lines(folder / "bao-cao" / "quy-1" / "snv.docx")
    text = "\n".join(form)
    assert "Kết quả thực hiện công tác cải cách hành chính quý I năm 2019" in form
    assert "15/12/2018" in text and "14/3/2019" in text
    assert "05/3/2019" in text
    assert any(line.endswith("ngày      tháng      năm 2019") for line in form)
    # deadlines moved; "Chỉ số … năm 2018" is the previous year's index, rightly moved from 2017
    assert "Trong năm 2018" not in text and "Quý I/2018" not in text
    year_form = "\n".join(document_lines(folder / "bao-cao" / "nam" / "stp.docx"))
    assert "Kết quả thực hiện công tác cải cách hành chính năm 2019" in year_form


@pytest.mark.parametrize("year", ["2150", "9999"])
def test_new_year_to_a_year_out_of_range_is_one_vietnamese_line(tmp_path, year):
    from click.testing import CliRunner

    from generator.cli import main

    out = tmp_path / "moi.xlsx"
    result = CliRunner().invoke(main, ["new-year", str(WORKBOOK), "--year", year, "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert "năm phải từ 1990 đến 2100" in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_a_report_signer_given_is_to_be_reviewed_and_an_empty_one_is_not(rolled, tmp_path: Path) -> None:
    label = "Báo cáo tổng hợp: họ tên người ký"
    row = next(r[0].row for r in rolled["Thông tin chung"].iter_rows(min_row=2) if r[0].value == label)
    reviews = {(r[1], r[2]) for r in changes_sheet_rows(rolled) if r[0] == rollover.REVIEW}
    assert ("Thông tin chung", f"B{row}") not in reviews  # nobody named: it signs as the decision
    wb = openpyxl.load_workbook(WORKBOOK)
    wb["Thông tin chung"].cell(row, 2).value = "Trần Văn Mi"
    wb["Thông tin chung"].cell(row - 1, 2).value = "PHÓ CHỦ TỊCH"
    wb.save(tmp_path / "ky.xlsx")
    again = new_year(tmp_path / "ky.xlsx", 2019)
    assert any(r.cell == f"B{row}" and "Người ký báo cáo tổng hợp" in r.reason for r in again.reviews)
