"""Every bad input of vanban collect: one Vietnamese line naming the file, exit code 1, nothing
written, the returned files untouched."""

from __future__ import annotations

import json
import re
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from generator.cli import main
from tests.conftest import WORKBOOK
from tests.xlsx_files import deflate_zeros, raw_zip, rewrite_members
from tools import make_example_forms as fill


@pytest.fixture(scope="module")
def forms(built_2018) -> Path:
    return built_2018.folder / "bao-cao" / "quy-1"


def filled(forms: Path, code: str, when: datetime = datetime(2018, 3, 2)) -> bytes:
    doc = Document(str(forms / f"{code}.docx"))
    first = fill.task_codes(doc)[0]
    fill.fill_row(doc, first, "Đã triển khai", "HT")
    fill.saved(doc, when)
    return fill.to_bytes(doc)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["collect", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def refused(folder: Path, out: Path, *messages: str) -> str:
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    code, output = run(str(folder), "--out", str(out))
    assert code == 1, output
    assert "Traceback" not in output
    for message in messages:
        assert message in output, output
    assert not out.exists()  # nothing written
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before  # nothing changed
    return output


def with_property(data: bytes, name: str, value: str, tmp: Path) -> bytes:
    source, target = tmp / "src.docx", tmp / "dst.docx"
    source.write_bytes(data)
    with zipfile.ZipFile(source) as z:
        custom = z.read("docProps/custom.xml").decode("utf-8")
    custom = re.sub(rf'(name="vanban.{name}"><vt:lpwstr>)[^<]*', rf"\g<1>{value}", custom)
    rewrite_members(source, target, {"docProps/custom.xml": custom})
    return target.read_bytes()


def returned(tmp_path: Path, files: dict[str, bytes]) -> Path:
    folder = tmp_path / "returned"
    folder.mkdir(exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def test_a_form_of_another_year(forms: Path, tmp_path: Path) -> None:
    bad = with_property(filled(forms, "snv"), "year", "2019", tmp_path)
    folder = returned(tmp_path, {"snv.docx": bad, "stp.docx": filled(forms, "stp")})
    output = refused(folder, tmp_path / "out", "snv.docx là báo cáo của kế hoạch 3406/QĐ-UBND năm 2019")
    assert "stp.docx" not in output


def test_a_form_of_a_draft_plan_says_so(forms: Path, tmp_path: Path) -> None:
    bad = with_property(filled(forms, "snv"), "plan", "/QĐ-UBND", tmp_path)
    output = refused(returned(tmp_path, {"snv.docx": bad}), tmp_path / "out",
                     "snv.docx là báo cáo của kế hoạch dự thảo (chưa có số, ký hiệu QĐ-UBND) năm 2018, "
                     "không phải kế hoạch 3406/QĐ-UBND năm 2018 của sổ tính")
    assert "--workbook" not in output  # the page shows this message too


def test_a_form_of_another_plan(forms: Path, tmp_path: Path) -> None:
    bad = with_property(filled(forms, "snv"), "plan", "12/KH-UBND", tmp_path)
    refused(returned(tmp_path, {"snv.docx": bad}), tmp_path / "out",
            "snv.docx là báo cáo của kế hoạch 12/KH-UBND năm 2018")


def test_a_form_of_an_agency_not_in_the_registry(forms: Path, tmp_path: Path) -> None:
    bad = with_property(filled(forms, "snv"), "agency", "SOXYZ", tmp_path)
    refused(returned(tmp_path, {"snv.docx": bad}), tmp_path / "out",
            "snv.docx là báo cáo của cơ quan mã «SOXYZ», không có trong sheet Cơ quan")


def test_a_form_whose_task_table_was_edited_away(forms: Path, tmp_path: Path) -> None:
    doc = Document(str(forms / "snv.docx"))
    table = fill.task_table(doc)._tbl
    table.getparent().remove(table)
    refused(returned(tmp_path, {"snv.docx": fill.to_bytes(doc)}), tmp_path / "out",
            "snv.docx: không tìm thấy bảng nhiệm vụ")


def test_a_form_that_matches_nothing(tmp_path: Path) -> None:
    doc = Document()
    doc.add_paragraph("Báo cáo tình hình")
    refused(returned(tmp_path, {"khac.docx": fill.to_bytes(doc)}), tmp_path / "out",
            "khac.docx không có thông tin nhận dạng của vanban")


def test_a_form_without_properties_is_matched_by_its_header(forms: Path, tmp_path: Path) -> None:
    source, target = tmp_path / "a.docx", tmp_path / "b.docx"
    source.write_bytes(filled(forms, "sgddt"))
    rewrite_members(source, target, {"docProps/custom.xml": None})
    folder = returned(tmp_path, {"gui-lai.docx": target.read_bytes()})
    code, output = run(str(folder), "--out", str(tmp_path / "out"))
    assert code == 0, output
    assert "1 cơ quan đã gửi" in output
    data = json.loads((tmp_path / "out" / "2018" / "tong-hop" / "quy-1" / "tong-hop.json")
                      .read_text(encoding="utf-8"))
    assert data["received"] == ["SGDDT"]


def test_a_form_without_properties_whose_own_name_is_not_recognised(forms: Path, tmp_path: Path) -> None:
    # the header still names the province's People's Committee above the agency: that body does not
    # report, so the form must not be filed under it
    source, target = tmp_path / "a.docx", tmp_path / "b.docx"
    source.write_bytes(filled(forms, "snv"))
    with zipfile.ZipFile(source) as z:
        body = z.read("word/document.xml").decode("utf-8")
    assert "SỞ NỘI VỤ" in body and "UBND TỈNH BÌNH PHƯỚC" in body
    rewrite_members(source, target, {"docProps/custom.xml": None,
                                     "word/document.xml": body.replace("SỞ NỘI VỤ", "SỞ NV")})
    refused(returned(tmp_path, {"gui-lai.docx": target.read_bytes()}), tmp_path / "out",
            "gui-lai.docx không có thông tin nhận dạng của vanban và không xác định được cơ quan")


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@pytest.mark.parametrize("name, data, message", [
    ("hong.docx", b"PK\x03\x04" + b"\0" * 40, "hong.docx không phải là văn bản Word .docx hợp lệ"),
    ("rong.docx", b"", "rong.docx là tệp rỗng"),
    ("mat-khau.docx", OLE2 + "EncryptedPackage".encode("utf-16-le"), "mat-khau.docx có mật khẩu"),
    ("that-ra-pdf.docx", b"%PDF-1.4\n",
     "that-ra-pdf.docx không phải là văn bản Word .docx hợp lệ (đây là tệp PDF)"),
])
def test_broken_and_protected_files(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    refused(returned(tmp_path, {name: data}), tmp_path / "out", message)


def test_entities_and_a_zip_bomb_are_refused(forms: Path, tmp_path: Path) -> None:
    laughs = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
              '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
              '<w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>')
    source = tmp_path / "src.docx"
    source.write_bytes(filled(forms, "snv"))
    rewrite_members(source, tmp_path / "thuc-the.docx", {"word/document.xml": laughs})
    folder = returned(tmp_path, {"thuc-the.docx": (tmp_path / "thuc-the.docx").read_bytes()})
    refused(folder, tmp_path / "out", "thuc-the.docx bị từ chối", "DOCTYPE")

    size = 300 * 1024 * 1024
    bomb = raw_zip(tmp_path / "bom.docx", [("word/document.xml", deflate_zeros(size), size, 0)])
    folder2 = tmp_path / "bomb"
    folder2.mkdir()
    (folder2 / "bom.docx").write_bytes(bomb.read_bytes())
    refused(folder2, tmp_path / "out2", "bom.docx bị từ chối", "giải nén ra quá lớn")


def test_an_empty_folder_and_a_missing_path(tmp_path: Path) -> None:
    empty = tmp_path / "rong"
    empty.mkdir()
    refused(empty, tmp_path / "out", "Không có báo cáo nào (.docx, .doc, .odt, .zip) trong")
    code, output = run(str(tmp_path / "khong-co"), "--out", str(tmp_path / "out"))
    assert code == 1 and "Không tìm thấy" in output and "khong-co" in output


def test_two_forms_of_one_agency_the_newer_wins(forms: Path, tmp_path: Path) -> None:
    old = filled(forms, "snv", datetime(2018, 3, 1))
    doc = Document(str(forms / "snv.docx"))
    fill.fill_row(doc, fill.task_codes(doc)[0], "Bản sửa lại", "Đang thực hiện")
    fill.saved(doc, datetime(2018, 3, 4))
    folder = returned(tmp_path, {"snv.docx": old, "snv-sua-lai.docx": fill.to_bytes(doc)})
    code, output = run(str(folder), "--out", str(tmp_path / "out"))
    assert code == 0, output
    assert ("Có 2 báo cáo của SNV cho kỳ quý I: dùng tệp mới nhất snv-sua-lai.docx, bỏ qua snv.docx"
            in output)


def test_a_pdf_or_a_scan_is_named_and_the_rest_consolidated(forms: Path, tmp_path: Path) -> None:
    folder = returned(tmp_path, {"snv.docx": filled(forms, "snv"), "stp.pdf": b"%PDF-1.4\n",
                                 "scan-stc.jpg": b"\xff\xd8\xff\xe0"})
    code, output = run(str(folder), "--out", str(tmp_path / "out"))
    assert code == 0, output
    for name in ("stp.pdf", "scan-stc.jpg"):
        assert f"[cảnh báo] {name}: Không đọc được tệp PDF hoặc ảnh chụp; hãy nhập kết quả" in output


def test_forms_in_a_zip_and_a_hostile_zip(forms: Path, tmp_path: Path) -> None:
    archive = tmp_path / "bao-cao.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("quy-1/snv.docx", filled(forms, "snv"))
        z.writestr("quy-1/stp.docx", filled(forms, "stp"))
    code, output = run(str(archive), "--out", str(tmp_path / "out"))
    assert code == 0, output
    assert "Kỳ quý I: 2 báo cáo; 2 cơ quan đã gửi" in output
    inner = tmp_path / "inner.docx"
    inner.write_bytes(b"PK\x03\x04" + b"\0" * 40)
    bad = tmp_path / "hong.zip"
    with zipfile.ZipFile(bad, "w") as z:
        z.write(inner, "hong.docx")
    folder = tmp_path / "zips"
    folder.mkdir()
    (folder / "hong.zip").write_bytes(bad.read_bytes())
    refused(folder, tmp_path / "out2", "hong.zip/hong.docx không phải là văn bản Word .docx hợp lệ")


def test_forms_of_several_periods_need_a_period(built_2018, tmp_path: Path) -> None:
    base = built_2018.folder / "bao-cao"
    folder = returned(tmp_path, {"q1.docx": (base / "quy-1" / "snv.docx").read_bytes(),
                                 "q3.docx": (base / "quy-3" / "snv.docx").read_bytes()})
    refused(folder, tmp_path / "out",
            "Các báo cáo thuộc nhiều kỳ (quy-1, quy-3); hãy chọn một kỳ bằng --period")
    code, output = run(str(folder), "--period", "quy-3", "--out", str(tmp_path / "out"), "--workbook",
                       str(WORKBOOK))
    assert code == 0, output
    assert "Kỳ quý III: 1 báo cáo" in output
