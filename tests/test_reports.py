"""The report forms: one per reporting agency and period, pre-filled from the plan, laid out as ND 30 asks."""

from __future__ import annotations

import re
import subprocess
from datetime import date

import openpyxl
import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm

from generator.pipeline import build
from generator.text import vn
from generator.workbook.blank import build_workbook, save_workbook
from tests.conftest import need_tool, office_env
from tests.docx_text import document_lines
from tests.seed_appendix import DEPARTMENT_GROUPS, DISTRICT_GROUPS, expected_roles, seed_tasks

ROMAN = re.compile(r"^[IVX]+$")


@pytest.fixture(scope="module")
def forms(built_2018):
    return built_2018.folder / "bao-cao"


def table_with(doc, head: str):
    return next(t for t in doc.tables if t.rows[0].cells[0].text == "STT"
                and head in [c.text for c in t.rows[0].cells])


def task_rows(path) -> list[tuple[str, ...]]:
    """(ref, text, role, deadline, result, level, note) of every task row, area rows left out."""
    doc = Document(str(path))
    table = table_with(doc, "Vai trò")
    rows = []
    for row in table.rows[1:]:
        cells = [c.text for c in row.cells]
        if ROMAN.match(cells[0]):
            continue
        rows.append(tuple(cells))
    return rows


def area_rows(path) -> list[str]:
    table = table_with(Document(str(path)), "Vai trò")
    return [row.cells[0].text for row in table.rows[1:] if ROMAN.match(row.cells[0].text)]


def expected_rows(led: list[str], coordinated: list[str]) -> list[tuple[str, str, str, str]]:
    """The seed's rows in form order: by area, the led tasks then the coordinated ones."""
    by_ref = {t.ref: t for t in seed_tasks()}
    order = [t.ref for t in seed_tasks()]
    rows = []
    for area in dict.fromkeys(ref.split(".")[0] for ref in order):
        for refs, role in ((led, "Chủ trì"), (coordinated, "Phối hợp")):
            for ref in order:
                if ref.split(".")[0] == area and ref in refs:
                    rows.append((ref, by_ref[ref].text, role, by_ref[ref].deadline))
    return rows


def roles_only(rows):
    return [(ref, text, role.split(" (")[0], deadline) for ref, text, role, deadline, *_ in rows]


# -- which forms exist ---------------------------------------------------------------------------


def test_one_form_per_reporting_agency_and_period(built_2018, forms):
    plan = built_2018.plan
    reporting = [a for a in plan.agencies if a.reports]
    assert len(reporting) == 32
    for period in ("quy-1", "6-thang", "quy-3", "nam"):
        files = sorted(p.name for p in (forms / period).iterdir())
        assert files == sorted(f"{vn.slug(a.code)}.docx" for a in reporting)
    assert not (forms / "quy-1" / "baobp.docx").exists()  # Báo Bình Phước does not report


def test_index_workbook_lists_every_form(forms):
    wb = openpyxl.load_workbook(forms / "danh-sach-bao-cao.xlsx")
    ws = wb.active
    header = [c.value for c in ws[1]]
    assert header == ["Mã cơ quan", "Cơ quan", "Kỳ báo cáo", "Hạn gửi", "Số nhiệm vụ chủ trì",
                      "Số nhiệm vụ phối hợp", "Tệp"]
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width >= 40
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert len(rows) == 128
    snv = next(r for r in rows if r[0] == "SNV" and r[2] == "quý I")
    assert snv[1] == "Sở Nội vụ" and snv[3].date() == date(2018, 3, 5)
    assert snv[4:] == [17, 24, "quy-1/snv.docx"]  # named as coordinator of 7 group-led tasks
    for row in rows:
        assert (forms / row[6]).exists()


# -- row by row against the seed ------------------------------------------------------------------


def test_so_tu_phap_form_lists_its_tasks_as_the_seed_gives_them(forms):
    rows = task_rows(forms / "quy-1" / "stp.docx")
    led, coordinated = expected_roles("Sở Tư pháp", *DEPARTMENT_GROUPS)
    assert rows[0][:3] == ("I.1", seed_tasks()[0].text, "Chủ trì")
    assert roles_only(rows) == expected_rows(led, coordinated)
    assert all(result == "" and level == "" for *_, result, level, _note in rows)


def test_so_noi_vu_form_rows_and_role_words(forms):
    path = forms / "quy-1" / "snv.docx"
    rows = task_rows(path)
    led, coordinated = expected_roles("Sở Nội vụ", *DEPARTMENT_GROUPS)
    assert roles_only(rows) == expected_rows(led, coordinated)
    by_ref = {r[0]: r for r in rows}
    # "Sở Nội vụ thẩm định" in the support cell of III.3: the role word is kept
    assert by_ref["III.3"][2] == "Phối hợp (thẩm định)"
    assert by_ref["VII.7"][3] == "Hàng quý, 6 tháng và năm hoặc đột xuất"
    assert area_rows(path) == ["I", "II", "III", "IV", "V", "VI", "VII"]


def test_a_district_gets_every_district_group_task(forms):
    rows = task_rows(forms / "quy-1" / "locninh.docx")
    led, coordinated = expected_roles(*DISTRICT_GROUPS)
    assert roles_only(rows) == expected_rows(led, coordinated)
    assert "III.5" in [r[0] for r in rows if r[2] == "Chủ trì"]


def test_a_department_gets_every_department_group_task(forms):
    rows = task_rows(forms / "nam" / "sxd.docx")
    led, coordinated = expected_roles("Sở Xây dựng", *DEPARTMENT_GROUPS)
    assert roles_only(rows) == expected_rows(led, coordinated)


def test_header_number_date_title_data_window_and_addressee(forms):
    lines = document_lines(forms / "quy-1" / "snv.docx")
    assert lines[:2] == ["UBND TỈNH BÌNH PHƯỚC", "SỞ NỘI VỤ"]
    assert "Số:          /BC-SNV" in lines
    assert "Bình Phước, ngày      tháng      năm 2018" in lines
    title = lines.index("BÁO CÁO")
    assert lines[title + 1] == "Kết quả thực hiện công tác cải cách hành chính quý I năm 2018"
    assert lines[title + 2] == "(Số liệu tính từ ngày 15/12/2017 đến ngày 14/3/2018)"
    assert "Kính gửi: Ủy ban nhân dân tỉnh Bình Phước." in lines
    opening = next(line for line in lines if line.startswith("Thực hiện Quyết định số"))
    assert "3406/QĐ-UBND ngày 28 tháng 12 năm 2017" in opening
    # the Sở Nội vụ does not report to the UBND tỉnh through itself; others do
    assert "gửi về UBND tỉnh trước ngày 05/3/2018" in opening
    justice = document_lines(forms / "quy-1" / "stp.docx")
    assert "gửi về UBND tỉnh (qua Sở Nội vụ để tổng hợp) trước ngày 05/3/2018" in next(
        line for line in justice if line.startswith("Thực hiện Quyết định số"))
    year_end = document_lines(forms / "nam" / "snv.docx")
    assert "Kết quả thực hiện công tác cải cách hành chính năm 2018" in year_end
    assert any("trước ngày 01/12/2018" in line for line in year_end)


def test_roman_parts_targets_and_responsibilities(forms):
    lines = document_lines(forms / "quy-1" / "snv.docx")
    parts = [line for line in lines if re.match(r"^[IVX]+\. [A-ZĐ]", line)]
    assert parts == ["I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", "II. KẾT QUẢ THỰC HIỆN NHIỆM VỤ ĐƯỢC GIAO",
                     "III. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU CỦA KẾ HOẠCH", "IV. KHÓ KHĂN, VƯỚNG MẮC",
                     "V. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI", "VI. ĐỀ XUẤT, KIẾN NGHỊ"]
    assert "Mục VI.2 (Sở Nội vụ):" in lines
    assert any(line.startswith("d) Chủ trì, phối hợp các cơ quan, đơn vị có liên quan tham mưu")
               for line in lines)
    assert any("Mức độ hoàn thành" in line and "Hoàn thành đúng hạn" in line for line in lines)
    doc = Document(str(forms / "quy-1" / "snv.docx"))
    targets = table_with(doc, "Kết quả đạt được")
    texts = [row.cells[1].text for row in targets.rows[1:]]
    assert "Hồ sơ TTHC quá hạn giải quyết cho người dân, tổ chức đều có văn bản xin lỗi" in texts
    assert "Cán bộ, công chức cấp xã đạt chuẩn theo quy định" not in texts  # districts only
    assert all(row.cells[3].text == "" for row in targets.rows[1:])
    district = Document(str(forms / "quy-1" / "locninh.docx"))
    district_targets = [r.cells[1].text for r in table_with(district, "Kết quả đạt được").rows[1:]]
    assert "Cán bộ, công chức cấp xã đạt chuẩn theo quy định" in district_targets
    assert "Trên đây là báo cáo kết quả thực hiện công tác cải cách hành chính quý I năm 2018 của "\
           "Sở Nội vụ./." in lines


def test_signature_blocks_by_agency_kind(forms):
    department = document_lines(forms / "quy-1" / "snv.docx")
    assert "GIÁM ĐỐC" in department and not any(line.startswith("TM.") for line in department)
    # a report with a Kính gửi line: "Như trên" first (ND 30); the Sở Nội vụ is no recipient of
    # its own form, every other form goes through it
    recipients = department.index("Nơi nhận:")
    assert department[recipients + 1:recipients + 3] == ["- Như trên;", "- Lưu: VT."]
    justice = document_lines(forms / "quy-1" / "stp.docx")
    recipients = justice.index("Nơi nhận:")
    assert justice[recipients + 1:recipients + 4] == [
        "- Như trên;", "- Sở Nội vụ (để tổng hợp);", "- Lưu: VT."]
    district = document_lines(forms / "quy-1" / "locninh.docx")
    assert district[:2] == ["ỦY BAN NHÂN DÂN", "HUYỆN LỘC NINH"]
    assert "Số:          /BC-UBND" in district
    # địa danh of a district's report is the district's own (column Địa danh of Cơ quan)
    assert "Lộc Ninh, ngày      tháng      năm 2018" in district
    signer = district.index("TM. ỦY BAN NHÂN DÂN")
    assert district[signer + 1] == "CHỦ TỊCH"
    office = document_lines(forms / "quy-1" / "vpubnd.docx")
    assert "CHÁNH VĂN PHÒNG" in office


# -- layout, as for the decision package ----------------------------------------------------------


def rule_mm(cell) -> tuple[float, float]:
    """(rule length, cell text width) of the rule paragraph in a header cell, in mm."""
    width = cell.width
    for p in cell.paragraphs:
        ppr = p._p.pPr
        if ppr is not None and ppr.find(qn("w:pBdr")) is not None:
            fmt = p.paragraph_format
            inner = width - Mm(3.8)
            return (inner - fmt.left_indent - fmt.right_indent) / Mm(1), inner / Mm(1)
    raise AssertionError("no rule in the cell")


@pytest.mark.parametrize("name", ["snv", "stp", "locninh", "sldtbxh", "bqlkkt"])
def test_the_rule_under_the_agency_is_a_third_to_a_half_of_its_name(forms, name):
    doc = Document(str(forms / "quy-1" / f"{name}.docx"))
    cell = doc.tables[0].rows[0].cells[0]
    bold = [p.text for p in cell.paragraphs if p.style.name == "Issuer" and p.text]
    widest = max(vn.text_width_mm(line, 13, bold=True) for line in bold)
    length, inner = rule_mm(cell)
    assert widest <= inner + 0.5, bold  # every line fits the column: no line wraps
    assert widest / 3 <= length <= widest / 2, (bold, length, widest)
    assert len([p for p in cell.paragraphs if p._p.pPr is not None
                and p._p.pPr.find(qn("w:pBdr")) is not None]) == 1


def test_every_form_keeps_the_layout_rules(built_2018, forms):
    agencies = {vn.slug(a.code): a for a in built_2018.plan.agencies}
    paths = sorted(forms.glob("*/*.docx"))
    assert len(paths) == 128
    for path in paths:
        agency = agencies[path.stem]
        doc = Document(str(path))
        section = doc.sections[0]
        assert len(doc.sections) == 1 and section.orientation == WD_ORIENT.PORTRAIT, path
        assert (section.page_width.twips, section.page_height.twips) == (11906, 16838), path
        cell = doc.tables[0].rows[0].cells[0]
        bold = [p.text for p in cell.paragraphs if p.style.name == "Issuer" and p.text]
        assert " ".join(bold) == vn.upper_vn(agency.name), path
        widest = max(vn.text_width_mm(line, 13, bold=True) for line in bold)
        length, inner = rule_mm(cell)
        assert widest / 3 <= length <= widest / 2 or widest > inner, (path, bold)
        lines = document_lines(path)
        assert f"Số:          /BC-{agency.abbr}" in lines, path
        assert "BÁO CÁO" in lines and "Nơi nhận:" in lines and "- Lưu: VT." in lines, path
        assert vn.upper_vn(agency.head_title) in lines, path
        text = "\n".join(lines)
        assert "{{" not in text and "{%" not in text, path
        width = (section.page_width - section.left_margin - section.right_margin) / 635
        for table in doc.tables[1:]:
            grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
            assert sum(grid) <= width, path


def test_a4_portrait_margins_page_numbers_and_fonts(forms):
    doc = Document(str(forms / "quy-1" / "snv.docx"))
    for s in doc.sections:
        assert s.orientation == WD_ORIENT.PORTRAIT
        assert (s.page_width.twips, s.page_height.twips) == (11906, 16838)
        assert Mm(20) <= s.top_margin <= Mm(25) and Mm(20) <= s.bottom_margin <= Mm(25)
        assert Mm(30) <= s.left_margin <= Mm(35) and Mm(15) <= s.right_margin <= Mm(20)
        assert s.different_first_page_header_footer and "PAGE" in s.header._element.xml
    for style in doc.styles:
        font = getattr(style, "font", None)
        if font is not None and font.name is not None:
            assert font.name == "Times New Roman", style.name
    header = doc.tables[0]
    left = header.rows[0].cells[0]
    assert all(r.bold or (r.bold is None and p.style.font.bold)
               for p in left.paragraphs if p.style.name == "Issuer" for r in p.runs if r.text)
    assert not any(r.bold for p in left.paragraphs if p.style.name == "Issuer Parent"
                   for r in p.runs)


def test_task_table_repeats_its_header_fits_the_page_and_bolds_areas(forms):
    doc = Document(str(forms / "quy-1" / "snv.docx"))
    table = table_with(doc, "Vai trò")
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert [c.text for c in table.rows[0].cells] == [
        "STT", "Nội dung nhiệm vụ", "Vai trò", "Thời hạn", "Kết quả thực hiện", "Mức độ hoàn thành",
        "Ghi chú"]
    grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    section = doc.sections[0]
    assert sum(grid) <= (section.page_width - section.left_margin - section.right_margin) / 635
    for row in table.rows[1:]:
        if ROMAN.match(row.cells[0].text):
            assert row.cells[1]._tc.tcPr.find(qn("w:gridSpan")).get(qn("w:val")) == "6"
            assert all(run.bold for p in row.cells[1].paragraphs for run in p.runs if run.text)


def test_reports_build_the_same_bytes_twice(tmp_path, forms):
    from tests.conftest import WORKBOOK

    again = build(WORKBOOK, tmp_path)
    for name in ("quy-1/snv.docx", "danh-sach-bao-cao.xlsx"):
        assert (again.folder / "bao-cao" / name).read_bytes() == (forms / name).read_bytes(), name


# -- a two-level province, built in code ----------------------------------------------------------


def two_level_province() -> dict[str, object]:
    dept = {"kind": "sở-ban-ngành", "parent": "UBND tỉnh Hòa Sơn", "head_title": "GIÁM ĐỐC",
            "reports": "Có"}
    commune = {"kind": "cấp xã", "head_title": "CHỦ TỊCH", "on_behalf": "ỦY BAN NHÂN DÂN",
               "abbr": "UBND", "reports": "Có"}
    return {
        "general": {
            "issuer": "ỦY BAN NHÂN DÂN\nTỈNH HÒA SƠN", "place": "Hòa Sơn", "year": 2026,
            "symbol": "QĐ-UBND", "summary": "Ban hành Kế hoạch cải cách hành chính năm 2026",
            "authority": "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH", "signer_title": "CHỦ TỊCH",
            "signer_name": "Trần Văn A", "plan_title": "Cải cách hành chính năm 2026 tỉnh Hòa Sơn",
            "issued_by": "Chủ tịch UBND tỉnh Hòa Sơn", "plan_signer_title": "CHỦ TỊCH",
            "plan_signer_name": "Trần Văn A", "appendix_title": "NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH",
            "report_to": "UBND tỉnh (qua Sở Nội vụ)", "report_addressee": "Ủy ban nhân dân tỉnh Hòa Sơn",
        },
        "bases": [{"text": "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16/6/2025"}],
        "articles": [{"text": "Ban hành kèm theo Quyết định này Kế hoạch cải cách hành chính năm 2026."}],
        "recipients": [{"text": "Như Điều 2"}],
        "outline": [
            {"level": 1, "heading": "TỔ CHỨC THỰC HIỆN"},
            {"level": 2, "heading": "UBND cấp xã"},
            {"level": 3, "text": "Báo cáo định kỳ hằng quý về Sở Nội vụ."},
        ],
        "tasks": [
            {"area": "Cải cách thủ tục hành chính", "text": "Số hóa hồ sơ thủ tục hành chính",
             "lead": "UBND cấp xã", "support": "Sở Nội vụ", "deadline": "Trong năm 2026"},
            {"area": "Cải cách thủ tục hành chính", "text": "Rà soát quy định",
             "lead": "Các sở, ban, ngành, UBND cấp huyện", "support": "UBND các xã, phường",
             "deadline": "Quý II/2026"},
            {"area": "Chính quyền số", "text": "Triển khai chữ ký số", "lead": "Sở Nội vụ",
             "support": "Các cơ quan, đơn vị có liên quan", "deadline": "Quý III/2026"},
        ],
        "agencies": [
            {"code": "SNV", "name": "Sở Nội vụ", "abbr": "SNV", **dept},
            {"code": "STC", "name": "Sở Tài chính", "abbr": "STC", **dept},
            {"code": "PTP", "name": "Ủy ban nhân dân phường Tân Phong", **commune},
            {"code": "XLH", "name": "Ủy ban nhân dân xã Lộc Hòa", **commune},
        ],
        "periods": [
            {"code": "quy-1", "name": "quý I",
             "summary": "Kết quả thực hiện công tác cải cách hành chính quý I năm 2026",
             "deadline": date(2026, 3, 5)},
        ],
        "targets": [{"text": "Hồ sơ được số hóa", "value": "100%", "agencies": "UBND cấp xã"}],
    }


@pytest.fixture(scope="module")
def two_level(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hoa-son")
    path = save_workbook(build_workbook(two_level_province()), folder / "hoa-son.xlsx")
    return build(path, folder / "out")


def test_a_two_level_province_gets_its_forms(two_level):
    forms = two_level.folder / "bao-cao" / "quy-1"
    assert sorted(p.name for p in forms.iterdir()) == ["ptp.docx", "snv.docx", "stc.docx", "xlh.docx"]
    lines = document_lines(forms / "ptp.docx")
    assert lines[:2] == ["ỦY BAN NHÂN DÂN", "PHƯỜNG TÂN PHONG"]
    assert "Tân Phong, ngày      tháng      năm 2026" in lines  # the ward's own place
    assert "TM. ỦY BAN NHÂN DÂN" in lines
    # no data window in this period: no line for it
    assert not any(line.startswith("(Số liệu") for line in lines)
    assert not any("Bình Phước" in line or "huyện" in line.lower() for line in lines)
    rows = task_rows(forms / "ptp.docx")
    assert [(r[0], r[2]) for r in rows] == [("I.1", "Chủ trì"), ("I.2", "Phối hợp")]
    assert "Mục I.1 (UBND cấp xã):" in lines and "a) Báo cáo định kỳ hằng quý về Sở Nội vụ." in lines
    assert "Hồ sơ được số hóa" in lines
    department = [(r[0], r[2]) for r in task_rows(forms / "stc.docx")]
    assert department == [("I.2", "Chủ trì")]
    assert "Kế hoạch không đặt chỉ tiêu định lượng riêng cho Sở Tài chính." in document_lines(
        forms / "stc.docx")
    assert [(r[0], r[2]) for r in task_rows(forms / "snv.docx")] == [
        ("I.2", "Chủ trì"), ("I.1", "Phối hợp"), ("II.1", "Chủ trì")]


def test_a_workbook_without_the_place_column_uses_the_plans_place(tmp_path):
    from tests.conftest import WORKBOOK

    wb = openpyxl.load_workbook(WORKBOOK)
    ws = wb["Cơ quan"]
    column = next(c for c in range(1, ws.max_column + 1) if ws.cell(1, c).value == "Địa danh")
    ws.delete_cols(column)
    path = tmp_path / "cu.xlsx"
    wb.save(path)
    result = build(path, tmp_path / "out")
    lines = document_lines(result.folder / "bao-cao" / "quy-1" / "stp.docx")
    assert "Bình Phước, ngày      tháng      năm 2018" in lines
    # a district without the column is dated at its own place, read from its name
    lines = document_lines(result.folder / "bao-cao" / "quy-1" / "locninh.docx")
    assert "Lộc Ninh, ngày      tháng      năm 2018" in lines


def test_a_ward_registered_by_its_name_gets_the_peoples_committee_form(tmp_path):
    data = two_level_province()
    data["agencies"].append({"code": "PTB", "name": "Phường Trấn Biên", "kind": "cấp xã",
                             "reports": "Có"})
    data["agencies"].append({"code": "P15", "name": "UBND phường 15", "kind": "cấp xã",
                             "reports": "Có"})
    path = save_workbook(build_workbook(data), tmp_path / "phuong.xlsx")
    result = build(path, tmp_path / "out")
    lines = document_lines(result.folder / "bao-cao" / "quy-1" / "ptb.docx")
    assert lines[:2] == ["ỦY BAN NHÂN DÂN", "PHƯỜNG TRẤN BIÊN"]
    assert "Số:          /BC-UBND" in lines
    assert "Trấn Biên, ngày      tháng      năm 2026" in lines
    signer = lines.index("TM. ỦY BAN NHÂN DÂN")
    assert lines[signer + 1] == "CHỦ TỊCH"
    assert "Trên đây là báo cáo kết quả thực hiện công tác cải cách hành chính quý I năm 2026 của "\
           "Ủy ban nhân dân phường Trấn Biên./." in lines
    numbered = document_lines(result.folder / "bao-cao" / "quy-1" / "p15.docx")
    assert numbered[:2] == ["ỦY BAN NHÂN DÂN", "PHƯỜNG 15"]
    assert "Phường 15, ngày      tháng      năm 2026" in numbered  # a number is no place alone


def test_an_agency_without_tasks_says_so(tmp_path):
    data = two_level_province()
    data["agencies"].append({"code": "SYT", "name": "Sở Y tế", "kind": "khác", "abbr": "SYT",
                             "head_title": "GIÁM ĐỐC", "reports": "Có"})
    path = save_workbook(build_workbook(data), tmp_path / "x.xlsx")
    result = build(path, tmp_path / "out")
    lines = document_lines(result.folder / "bao-cao" / "quy-1" / "syt.docx")
    assert "Phụ lục Kế hoạch không giao nhiệm vụ cụ thể cho Sở Y tế." in lines


# -- in a real LibreOffice ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_pdfs(forms, two_level, tmp_path_factory):
    """A few forms converted in one soffice call (all ~130 would take minutes)."""
    soffice = need_tool("soffice")
    outdir = tmp_path_factory.mktemp("report-pdf")
    sample = [forms / "quy-1" / "snv.docx", forms / "nam" / "locninh.docx",
              two_level.folder / "bao-cao" / "quy-1" / "ptp.docx"]
    staged = []
    for index, path in enumerate(sample):  # distinct names: the PDFs land in one folder
        target = outdir / f"{index}-{path.stem}.docx"
        target.write_bytes(path.read_bytes())
        staged.append(target)
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{outdir / 'lo-profile'}", "--headless",
         "--convert-to", "pdf", "--outdir", str(outdir), *map(str, staged)],
        check=True, capture_output=True, timeout=300, env=office_env(),
    )
    pdfs = [p.with_suffix(".pdf") for p in staged]
    assert all(p.exists() for p in pdfs)
    return pdfs


def pdf_text(pdf, *args: str) -> str:
    pdftotext = need_tool("pdftotext")
    return subprocess.run([pdftotext, *args, str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_forms_open_as_a4_portrait_with_their_vietnamese_title(sample_pdfs):
    from tests.test_pdf import page_sizes

    for pdf in sample_pdfs:
        sizes = page_sizes(pdf)
        assert sizes and all((round(w), round(h)) == (595, 842) for w, h in sizes), pdf.name
        text = pdf_text(pdf, "-layout")
        assert "BÁO CÁO" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
        assert "Kết quả thực hiện công tác cải cách hành chính" in re.sub(r"\s+", " ", text)
    assert "SỞ NỘI VỤ" in pdf_text(sample_pdfs[0])
    assert "HUYỆN LỘC NINH" in pdf_text(sample_pdfs[1])


def test_measured_name_width_matches_the_printed_one(sample_pdfs):
    # the rule under the name is chosen from a computed width: check it against LibreOffice's
    xml = pdf_text(sample_pdfs[0], "-bbox", "-f", "1", "-l", "1")
    words = re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]+)<', xml)
    sized = [(float(x0), float(y), float(x1), w) for x0, y, x1, w in words]
    so = next(i for i, w in enumerate(sized) if w[3] == "SỞ" and sized[i + 1][3] == "NỘI")
    printed_mm = (sized[so + 2][2] - sized[so][0]) * 25.4 / 72
    assert sized[so + 2][3] == "VỤ"
    assert abs(printed_mm - vn.text_width_mm("SỞ NỘI VỤ", 13, bold=True)) < 0.06 * printed_mm


def test_the_plans_closing_paragraph_is_no_agencys_responsibility(tmp_path):
    # "11. Bưu điện tỉnh" is part VI's last section; the plan's closing paragraph after it is a
    # paragraph of the part (level 1 without heading): if Bưu điện reports, its form quotes its own
    # paragraph and not the closing one, which the Kế hoạch still prints, unnumbered, last
    from tests.conftest import WORKBOOK

    wb = openpyxl.load_workbook(WORKBOOK)
    ws = wb["Cơ quan"]
    headers = [c.value for c in ws[1]]
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, headers.index("Mã") + 1).value == "BUUDIEN":
            ws.cell(row, headers.index("Báo cáo") + 1).value = "Có"
    path = tmp_path / "buu-dien.xlsx"
    wb.save(path)
    result = build(path, tmp_path / "out")
    lines = document_lines(result.folder / "bao-cao" / "quy-1" / "buudien.docx")
    assert "Mục VI.11 (Bưu điện tỉnh):" in lines
    assert any(line.startswith("Phối hợp với Trung tâm Hành chính công") for line in lines)
    assert not any("Căn cứ các nội dung của Kế hoạch này" in line for line in lines)
    package = document_lines(result.folder / "3406-qd-ubnd.docx")
    closing = next(i for i, line in enumerate(package) if line.startswith("Căn cứ các nội dung của Kế"))
    assert package[closing - 1].startswith("Phối hợp với Trung tâm Hành chính công")
    assert package[closing].endswith("./.")
    assert package[closing - 2] == "11. Bưu điện tỉnh"


def test_sections_after_a_paragraph_of_the_part_go_on_counting(tmp_path):
    from dataclasses import replace

    from generator.plan.model import OutlineItem
    from generator.workbook.reader import read_plan
    from tests.conftest import WORKBOOK

    plan, _ = read_plan(WORKBOOK)
    rows = [(1, "MỤC ĐÍCH", ""), (2, "Sở Nội vụ", ""), (3, "", "Điểm một."), (1, "", "Đoạn của phần."),
            (0, "", "Đoạn nối tiếp."), (2, "Sở Tư pháp", ""), (3, "", "Điểm một."), (1, "NỘI DUNG", "")]
    outline = tuple(OutlineItem(level, heading, text) for level, heading, text in rows)
    numbered = replace(plan, outline=outline).numbered_outline
    assert [(n.label, n.path) for n in numbered] == [
        ("I.", "I"), ("1.", "I.1"), ("a)", "I.1.a"), ("", "I"), ("", "I"), ("2.", "I.2"),
        ("a)", "I.2.a"), ("II.", "II")]
