"""A province after the 2025 reorganisation: no district level, its own legal bases, a new year."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from generator.pipeline import build, new_year
from generator.workbook import blank, rollover, schema
from tests.docx_text import document_lines

PROVINCE = "Đồng Nai"
BASES = [
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16/6/2025",
    "Căn cứ Nghị quyết số 202/2025/QH15 ngày 12/6/2025 của Quốc hội về việc sắp xếp đơn vị "
    "hành chính cấp tỉnh",
    "Căn cứ Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ ban hành Chương trình tổng thể "
    "cải cách hành chính nhà nước giai đoạn 2021-2030",
]
SUMMARY = "Ban hành Kế hoạch cải cách hành chính nhà nước năm {} trên địa bàn tỉnh Đồng Nai"
TITLE = "Cải cách hành chính nhà nước năm {} trên địa bàn tỉnh Đồng Nai"


def _agency(code: str, name: str, kind: str, head: str, on_behalf: str = "") -> dict[str, object]:
    return {"code": code, "name": name, "kind": kind, "parent": "UBND tỉnh Đồng Nai",
            "head_title": head, "on_behalf": on_behalf, "abbr": code, "reports": schema.YES}


DATA: dict[str, object] = {
    schema.GENERAL.key: {
        "issuer": "ỦY BAN NHÂN DÂN\nTỈNH ĐỒNG NAI",
        "place": PROVINCE,
        "year": 2026,
        "number": 15,
        "symbol": "QĐ-UBND",
        "issue_date": date(2025, 12, 26),
        "summary": SUMMARY.format(2026),
        "authority": "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH",
        "proposal": "Xét đề nghị của Giám đốc Sở Nội vụ tại Tờ trình số 512/TTr-SNV ngày 15/12/2025",
        "signer_prefix": "KT.",
        "signer_on_behalf": "CHỦ TỊCH",
        "signer_title": "PHÓ CHỦ TỊCH",
        "signer_name": "Lê Thị Hoa",
        "drafter": "NC",
        "plan_title": TITLE.format(2026),
        "issued_by": "Chủ tịch UBND tỉnh Đồng Nai",
        "plan_signer_prefix": "KT.",
        "plan_signer_on_behalf": "CHỦ TỊCH",
        "plan_signer_title": "PHÓ CHỦ TỊCH",
        "plan_signer_name": "Lê Thị Hoa",
        "appendix_title": "NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH",
        "report_to": "UBND tỉnh (qua Sở Nội vụ)",
        "report_addressee": "Ủy ban nhân dân tỉnh Đồng Nai",
    },
    schema.BASES.key: [{"text": text} for text in BASES],
    schema.ARTICLES.key: [
        {"text": "Ban hành kèm theo Quyết định này Kế hoạch cải cách hành chính nhà nước năm "
                 "2026 trên địa bàn tỉnh Đồng Nai."},
        {"text": "Chánh Văn phòng UBND tỉnh, Giám đốc các sở, ban, ngành, Chủ tịch UBND các xã, "
                 "phường chịu trách nhiệm thi hành Quyết định này kể từ ngày ký."},
    ],
    schema.RECIPIENTS.key: [{"text": "Như Điều 2"}, {"text": "Bộ Nội vụ"},
                            {"text": "Sở Nội vụ", "copies": 2}],
    schema.OUTLINE.key: [
        {"level": 1, "heading": "MỤC ĐÍCH, YÊU CẦU"},
        {"level": 0, "text": "Triển khai Kế hoạch cải cách hành chính năm 2026 của tỉnh sau sắp "
                             "xếp theo Nghị quyết số 202/2025/QH15 ngày 12/6/2025 của Quốc hội; "
                             "nâng cao Chỉ số cải cách hành chính năm 2025 của tỉnh."},
        {"level": 1, "heading": "TỔ CHỨC THỰC HIỆN"},
        {"level": 2, "text": "UBND các xã, phường báo cáo trước ngày 05/3/2026."},
    ],
    schema.TASKS.key: [
        {"area": "Cải cách thể chế", "text": "Rà soát văn bản quy phạm pháp luật của tỉnh",
         "lead": "Sở Tư pháp", "support": "UBND cấp xã", "deadline": "Quý II/2026"},
        {"area": "Cải cách thủ tục hành chính",
         "text": "Công khai thủ tục hành chính tại Trung tâm Phục vụ hành chính công các xã, phường",
         "lead": "UBND cấp xã", "deadline": "Trong năm 2026"},
    ],
    schema.AGENCIES.key: [
        _agency("SNV", "Sở Nội vụ", "sở-ban-ngành", "GIÁM ĐỐC"),
        _agency("STP", "Sở Tư pháp", "sở-ban-ngành", "GIÁM ĐỐC"),
        _agency("TRANBIEN", "Ủy ban nhân dân phường Trấn Biên", "cấp xã", "CHỦ TỊCH",
                "ỦY BAN NHÂN DÂN"),
        _agency("PHUOCTAN", "Ủy ban nhân dân xã Phước Tân", "cấp xã", "CHỦ TỊCH",
                "ỦY BAN NHÂN DÂN"),
    ],
    schema.PERIODS.key: [
        {"code": "quy-1", "name": "quý I", "summary": "Báo cáo cải cách hành chính quý I năm 2026",
         "deadline": date(2026, 3, 5), "data_from": date(2025, 12, 15),
         "data_to": date(2026, 3, 14)},
        {"code": "nam", "name": "năm", "summary": "Báo cáo cải cách hành chính năm 2026",
         "deadline": date(2026, 12, 1), "data_from": date(2025, 12, 15),
         "data_to": date(2026, 12, 14)},
    ],
    schema.TARGETS.key: [
        {"text": "Thủ tục hành chính được công khai", "value": "100%", "agencies": "UBND cấp xã"},
    ],
}


@pytest.fixture(scope="module")
def workbook_2026(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return blank.save_workbook(blank.build_workbook(DATA),
                               tmp_path_factory.mktemp("tinh") / "ke-hoach-2026.xlsx")


@pytest.fixture(scope="module")
def rolled_2027(workbook_2026: Path) -> rollover.Rollover:
    return new_year(workbook_2026, 2027)


@pytest.fixture(scope="module")
def lines(rolled_2027: rollover.Rollover, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = tmp_path_factory.mktemp("nam-moi")
    rolled_2027.workbook.save(folder / "ke-hoach-2027.xlsx")
    result = build(folder / "ke-hoach-2027.xlsx", folder / "out")
    (docx,) = [w for w in result.written if "bao-cao" not in w.parts]  # the forms are below
    return document_lines(docx)


def test_the_registry_has_no_district_level(workbook_2026):
    ws = openpyxl.load_workbook(workbook_2026)[schema.AGENCIES.name]
    kinds = {ws.cell(r, 3).value for r in range(2, ws.max_row + 1)}
    assert kinds == {"sở-ban-ngành", "cấp xã"}


def test_the_rolled_plan_is_a_draft_of_2027_with_the_same_bases(rolled_2027):
    wb = rolled_2027.workbook
    general = wb[schema.GENERAL.name]
    assert general["B5"].value == 2027 and general["B6"].value is None
    assert [wb["Căn cứ"].cell(r, 1).value for r in range(2, 5)] == BASES
    tasks = wb[schema.TASKS.name]
    assert [tasks.cell(r, 5).value for r in (2, 3)] == ["Quý II/2027", "Trong năm 2027"]
    text = wb[schema.OUTLINE.name]["C3"].value
    assert "Nghị quyết số 202/2025/QH15 ngày 12/6/2025 của Quốc hội" in text
    assert "Chỉ số cải cách hành chính năm 2026 của tỉnh" in text
    periods = wb[schema.PERIODS.name]
    assert periods["E2"].value.date() == date(2026, 12, 15)


def test_the_2027_documents_name_the_province_and_the_year(lines):
    assert "ỦY BAN NHÂN DÂN" in lines and "TỈNH ĐỒNG NAI" in lines
    assert "Số:          /QĐ-UBND" in lines
    assert "Đồng Nai, ngày      tháng      năm 2027" in lines
    assert TITLE.format(2027) in lines
    assert any(SUMMARY.format(2027) in line for line in lines)
    for basis in BASES:
        assert f"{basis};" in lines
    assert "Xét đề nghị của Giám đốc Sở Nội vụ tại Tờ trình số 512/TTr-SNV ngày 15/12/2025." in lines
    assert "KT. CHỦ TỊCH" in lines and "PHÓ CHỦ TỊCH" in lines


def test_nothing_in_the_documents_assumes_districts_or_another_province(lines):
    text = "\n".join(lines)
    for word in ("huyện", "thị xã", "Bình Phước"):
        assert not re.search(word, text, re.IGNORECASE), word
    # the only 2026 left is the index of the year before, which moved from 2025
    assert re.findall(r".{40}2026", text) == ["nâng cao Chỉ số cải cách hành chính năm 2026"]
