"""Broken workbooks, each the shipped one with one mistake: the check names the cell and the kind."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Font

from generator.checks.plan import check_workbook
from generator.errors import ERROR, INFO, WARNING
from tests.conftest import WORKBOOK

Edit = Callable[[openpyxl.Workbook], None]


def broken(tmp_path: Path, edit: Edit, name: str = "sai.xlsx") -> Path:
    wb = openpyxl.load_workbook(WORKBOOK)
    edit(wb)
    path = tmp_path / name
    wb.save(path)
    return path


def put(sheet: str, cell: str, value: object, font: str | None = None) -> Edit:
    def edit(wb: openpyxl.Workbook) -> None:
        wb[sheet][cell] = value
        if font:
            wb[sheet][cell].font = Font(name=font)
    return edit


def general(label: str, value: object) -> Edit:
    def edit(wb: openpyxl.Workbook) -> None:
        ws = wb["Thông tin chung"]
        row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == label)
        ws.cell(row, 2).value = value
    return edit


def chain(*edits: Edit) -> Edit:
    def edit(wb: openpyxl.Workbook) -> None:
        for e in edits:
            e(wb)
    return edit


def merge(sheet: str, area: str) -> Edit:
    return lambda wb: wb[sheet].merge_cells(area)


def clear_row(sheet: str, row: int) -> Edit:
    def edit(wb: openpyxl.Workbook) -> None:
        for cell in wb[sheet][row]:
            cell.value = None
    return edit


BASIS_A5 = ("Căn cứ Quyết định số 225/QĐ-TTg ngày 04/02/2016 của Thủ tướng Chính phủ phê duyệt Kế "
            "hoạch cải cách hành chính Nhà nước giai đoạn 2016 - 2020")

# (what is wrong, the edit, the cell named, the kind of message, its severity)
CASES = [
    ("a date that does not exist", general("Ngày ban hành", "31/02/2017"),
     "Thông tin chung!B8", "bad-date", ERROR),
    ("a year in words", general("Năm kế hoạch", "hai nghìn"), "Thông tin chung!B5", "bad-year", ERROR),
    ("a two-digit year", general("Năm kế hoạch", 18), "Thông tin chung!B5", "bad-year", ERROR),
    ("a number in words", general("Số văn bản", "ba"), "Thông tin chung!B6", "bad-int", ERROR),
    ("number zero", general("Số văn bản", 0), "Thông tin chung!B6", "number-range", ERROR),
    ("a required field left empty", general("Địa danh", None), "Thông tin chung!B4", "required", ERROR),
    ("an en dash in the symbol", general("Ký hiệu văn bản", "QĐ–UBND"),
     "Thông tin chung!B7", "symbol-dash", ERROR),
    ("an eth in the symbol", general("Ký hiệu văn bản", "QÐ-UBND"),
     "Thông tin chung!B7", "symbol-eth", ERROR),
    ("spaces in the symbol", general("Ký hiệu văn bản", "QĐ - UBND"),
     "Thông tin chung!B7", "symbol-space", ERROR),
    ("issued after the plan year", general("Ngày ban hành", datetime(2019, 1, 15)),
     "Thông tin chung!B8", "issue-date-after-year", ERROR),
    ("issued long before the plan year", general("Ngày ban hành", "28/12/2015"),
     "Thông tin chung!B8", "issue-date-year", WARNING),
    ("the plan signed under another title",
     chain(general("Kế hoạch: họ tên người ký", "Nguyễn Văn Trâm"),
           general("Kế hoạch: chức vụ người ký", "PHÓ CHỦ TỊCH")),
     "Thông tin chung!B23", "signer-title-mismatch", WARNING),
    ("a line break in a one-line field", general("Địa danh", "Bình\nPhước"),
     "Thông tin chung!B4", "line-break", WARNING),
    ("a blank row in the middle of the tasks", clear_row("Nhiệm vụ", 10),
     "Nhiệm vụ!A10", "blank-row", WARNING),
    ("the area column merged over two tasks", merge("Nhiệm vụ", "A2:A3"),
     "Nhiệm vụ!A3", "merged-cell", ERROR),
    ("an error value where a lead agency is expected", put("Nhiệm vụ", "C5", "#REF!"),
     "Nhiệm vụ!C5", "formula-error", ERROR),
    ("a formula never calculated", put("Nhiệm vụ", "E5", '="Quý I/"&"2018"'),
     "Nhiệm vụ!E5", "formula-no-value", ERROR),
    ("TCVN3 text in a .VnTime cell", put("Nhiệm vụ", "B5", "Céng hßa x· héi chñ nghÜa ViÖt Nam",
                                         font=".VnTime"),
     "Nhiệm vụ!B5", "legacy-encoding", ERROR),
    ("VNI text in a Times New Roman cell",
     put("Nội dung kế hoạch", "C6", "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", font="Times New Roman"),
     "Nội dung kế hoạch!C6", "legacy-encoding", ERROR),
    ("decomposed Unicode", put("Căn cứ", "A2", unicodedata.normalize(
        "NFD", "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19/6/2015")),
     "Căn cứ!A2", "not-nfc", INFO),
    ("a non-breaking space", put("Nơi nhận", "A8", "Bưu điện\u00a0tỉnh"), "Nơi nhận!A8", "nbsp", INFO),
    ("double spaces", put("Nơi nhận", "A8", "Bưu  điện tỉnh "), "Nơi nhận!A8", "extra-spaces", INFO),
    ("an eth for Đ in a text", put("Nhiệm vụ", "C45", "Ðài phát thanh và truyền hình"),
     "Nhiệm vụ!C45", "eth", WARNING),
    ("VIQR typing", put("Điều", "A2", "Ban ha`nh ke^m theo Quye^'t ddi.nh na`y Ke^' hoa.ch"),
     "Điều!A2", "viqr", WARNING),
    ("a zero-width space", put("Nhiệm vụ", "D5", "Sở\u200b Tư pháp"), "Nhiệm vụ!D5", "invisible-char",
     WARNING),
    ("a misspelt document type in a basis",
     put("Căn cứ", "A4", "Căn cứ Chỉ thi số 07/CT-TTg ngày 22/5/2013 của Thủ tướng Chính phủ"),
     "Căn cứ!A4", "citation-type-spelling", WARNING),
    ("a basis dated after the decision",
     put("Căn cứ", "A5", BASIS_A5.replace("04/02/2016", "04/02/2018")),
     "Căn cứ!A5", "citation-date-after", ERROR),
    ("a symbol of another document type", put("Căn cứ", "A5", BASIS_A5.replace("/QĐ-TTg", "/CT-TTg")),
     "Căn cứ!A5", "citation-symbol-type", WARNING),
    ("a date in a text that does not exist", put("Căn cứ", "A5", BASIS_A5.replace("04/02", "31/02")),
     "Căn cứ!A5", "date-invalid-in-text", ERROR),
    ("the symbol's year differs from the date's",
     put("Nhiệm vụ", "B5", "Thực hiện Nghị định số 63/2011/NĐ-CP ngày 08/6/2010 của Chính phủ"),
     "Nhiệm vụ!B5", "citation-year-mismatch", WARNING),
    ("a deadline in no known form", put("Nhiệm vụ", "E2", "Sớm nhất có thể"),
     "Nhiệm vụ!E2", "deadline-unknown", WARNING),
    ("a deadline in the next year", put("Nhiệm vụ", "E2", "Quý I/2019"),
     "Nhiệm vụ!E2", "deadline-outside-year", WARNING),
    ("a fifth quarter", put("Nhiệm vụ", "E2", "Quý V/2018"), "Nhiệm vụ!E2", "deadline-invalid", ERROR),
    ("a duplicate agency code", put("Cơ quan", "A3", "snv"), "Cơ quan!A3", "duplicate-agency-code", ERROR),
    ("another agency's name as an alias", put("Cơ quan", "H3", "Sở Nội vụ"),
     "Cơ quan!H3", "duplicate-agency-name", ERROR),
    ("an agency code with marks and spaces", put("Cơ quan", "A3", "SỞ TP"), "Cơ quan!A3", "code-chars",
     WARNING),
    ("an agency kind not in the list", put("Cơ quan", "C2", "sở"), "Cơ quan!C2", "bad-choice", ERROR),
    ("a yes/no column in words", put("Cơ quan", "I2", "chắc chắn"), "Cơ quan!I2", "bad-bool", ERROR),
    ("a duplicate period code", put("Kỳ báo cáo", "A3", "quy-1"), "Kỳ báo cáo!A3",
     "duplicate-period-code", ERROR),
    ("a data window ending before it starts", put("Kỳ báo cáo", "F2", datetime(2017, 12, 1)),
     "Kỳ báo cáo!F2", "period-data-order", ERROR),
    ("a report due in another year", put("Kỳ báo cáo", "D2", datetime(2019, 3, 5)),
     "Kỳ báo cáo!D2", "period-outside-year", WARNING),
    ("an outline level that does not exist", put("Nội dung kế hoạch", "A6", 5),
     "Nội dung kế hoạch!A6", "bad-level", ERROR),
    ("a point directly under a part", put("Nội dung kế hoạch", "A5", 3),
     "Nội dung kế hoạch!A5", "outline-level-skip", WARNING),
    ("zero copies for a recipient", put("Nơi nhận", "B10", 0), "Nơi nhận!B10", "copies-range", ERROR),
    ("a renamed column header", put("Nhiệm vụ", "E1", "Hạn"), "Nhiệm vụ!1", "missing-column", ERROR),
]


@pytest.fixture(scope="module")
def seed_findings() -> set[tuple[str, str]]:
    """What the shipped workbook already reports (its own slips), to tell the new mistake apart."""
    return {(str(p.loc), p.code) for p in check_workbook(WORKBOOK).problems}


@pytest.mark.parametrize(("edit", "where", "code", "severity"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_mistake_is_named_at_its_cell(tmp_path, seed_findings, edit, where, code, severity):
    result = check_workbook(broken(tmp_path, edit))
    hits = [p for p in result.problems if p.code == code and (str(p.loc), code) not in seed_findings]
    assert [str(p.loc) for p in hits] == [where], [p.render() for p in result.problems]
    assert hits[0].severity == severity
    assert hits[0].message  # said in words, not only a code
    if severity == ERROR:
        assert result.plan is None  # an error blocks the build


def test_the_shipped_workbook_reports_the_seed_slips_and_no_error():
    result = check_workbook(WORKBOOK)
    assert result.errors == ()
    assert result.plan is not None
    found = {(str(p.loc), p.code) for p in result.problems}
    assert ("Nội dung kế hoạch!C52", "citation-type-spelling") in found
    assert ("Nội dung kế hoạch!C53", "citation-type-spelling") in found
    assert ("Nội dung kế hoạch!C20", "citation-symbol-year") in found
    assert ("Thông tin chung!B24", "signer-mismatch") in found
    chi_thi = next(p for p in result.problems if str(p.loc) == "Nội dung kế hoạch!C52")
    assert chi_thi.found.startswith("Chi thị số 07/CT-TTg")
    assert "Chỉ thị" in chi_thi.expected and "Chỉ thị số 07/CT-TTg" in chi_thi.suggestion
    year = next(p for p in result.problems if p.code == "citation-symbol-year")
    assert "92/2017/NĐ-CP" in year.suggestion
    # the seed's numbering slips (h) then l), 10 then 13) cannot happen: numbers are generated
    assert not any("số thứ tự" in p.message.lower() and p.severity == ERROR for p in result.problems)


def test_every_problem_is_found_in_one_run(tmp_path):
    path = broken(tmp_path, chain(
        general("Ngày ban hành", "31/02/2017"),
        put("Cơ quan", "A3", "SNV"),
        put("Nhiệm vụ", "E2", "Quý I/2019"),
        put("Nhiệm vụ", "B5", "Tµi chÝnh", font=".VnTime"),
    ))
    found = {(str(p.loc), p.code) for p in check_workbook(path).problems}
    assert {("Thông tin chung!B8", "bad-date"), ("Cơ quan!A3", "duplicate-agency-code"),
            ("Nhiệm vụ!E2", "deadline-outside-year"), ("Nhiệm vụ!B5", "legacy-encoding")} <= found


def test_an_empty_articles_sheet_is_an_error(tmp_path):
    def edit(wb):
        wb["Điều"].delete_rows(2, wb["Điều"].max_row)
    result = check_workbook(broken(tmp_path, edit))
    assert [(str(p.loc), p.severity) for p in result.problems if p.code == "no-articles"] == [
        ("Điều", ERROR)]


def test_a_missing_sheet_is_named(tmp_path):
    def edit(wb):
        del wb["Kỳ báo cáo"]
    result = check_workbook(broken(tmp_path, edit))
    assert [str(p.loc) for p in result.problems if p.code == "missing-sheet"] == ["Kỳ báo cáo"]


def _with_cached_error(path: Path, sheet_index: int, cell: str, formula: str) -> None:
    """Rewrite one cell of a saved workbook as Excel leaves a broken formula: =… cached #REF!."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    name = f"xl/worksheets/sheet{sheet_index}.xml"
    xml = parts[name].decode("utf-8")
    old = re.search(rf'<c r="{cell}"[^>]*>.*?</c>', xml)
    assert old is not None
    style = re.search(r' s="(\d+)"', old.group())
    new = f'<c r="{cell}"{style.group() if style else ""} t="e"><f>{formula}</f><v>#REF!</v></c>'
    xml = xml.replace(old.group(), new)
    parts[name] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)


def test_a_formula_whose_value_is_ref_error_names_the_formula(tmp_path):
    path = broken(tmp_path, lambda wb: None)
    sheets = openpyxl.load_workbook(path).sheetnames
    _with_cached_error(path, sheets.index("Nhiệm vụ") + 1, "C6", "'Cơ quan'!#REF!")
    hits = [p for p in check_workbook(path).problems if p.code == "formula-error"]
    assert [str(p.loc) for p in hits] == ["Nhiệm vụ!C6"]
    assert "#REF!" in hits[0].found and "Cơ quan" in hits[0].found


def test_strict_turns_warnings_into_errors_but_not_information(tmp_path):
    strict = check_workbook(WORKBOOK, strict=True)
    assert strict.plan is None
    assert {p.code for p in strict.errors} >= {"signer-mismatch", "citation-type-spelling"}
    path = broken(tmp_path, put("Nơi nhận", "A8", "Bưu điện\u00a0tỉnh"))
    nbsp = [p for p in check_workbook(path, strict=True).problems if p.code == "nbsp"]
    assert [p.severity for p in nbsp] == [INFO]


def test_problems_come_in_workbook_order():
    locs = [p.loc for p in check_workbook(WORKBOOK).problems]
    order = ["Thông tin chung", "Nội dung kế hoạch", "Nhiệm vụ", "Kỳ báo cáo"]
    assert [order.index(loc.sheet) for loc in locs] == sorted(order.index(loc.sheet) for loc in locs)


def test_an_empty_agency_code_is_reported_first_without_its_cascade(tmp_path):
    def edit(wb):
        wb["Cơ quan"]["A2"] = None  # the Sở Nội vụ's row cannot be read

    result = check_workbook(broken(tmp_path, edit))
    errors = [p for p in result.problems if p.severity == ERROR]
    assert [(str(p.loc), p.code) for p in errors] == [("Cơ quan!A2", "required")]
    assert "Chưa ghi “Mã”" in errors[0].message
    assert not any(p.code == "unknown-agency" for p in result.problems)
    [note] = [p for p in result.problems if p.code == "cascade-held-back"]
    assert "sheet Cơ quan còn lỗi" in note.message


def test_a_missing_sheet_is_listed_first(tmp_path):
    def edit(wb):
        del wb["Kỳ báo cáo"]
        wb["Nhiệm vụ"]["C2"] = "Sở Nội vu"  # and a cell error in an earlier sheet

    result = check_workbook(broken(tmp_path, edit))
    assert result.problems[0].code == "missing-sheet"
    assert "Kỳ báo cáo" in result.problems[0].message


def test_a_report_deadline_on_a_weekend_is_a_warning_at_its_cell():
    result = check_workbook(WORKBOOK)  # the 2018 plan: the year's report is due "trước 01/12/2018"
    [weekend] = [p for p in result.problems if p.code == "period-weekend"]
    assert weekend.severity == WARNING and str(weekend.loc) == "Kỳ báo cáo!D5"
    assert "Thứ Bảy" in weekend.message and weekend.found == "01/12/2018"
