"""Hostile or wrong files: one Vietnamese line, exit code 1, checked before any parser runs."""

from __future__ import annotations

import resource
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.errors import VanbanError
from generator.workbook import filecheck
from generator.workbook.filecheck import Limits, inspect_workbook
from generator.workbook.reader import read_plan
from tests.conftest import ROOT, WORKBOOK
from tests.xlsx_files import (
    BILLION_LAUGHS,
    MAIN,
    SHARED_CELL,
    XXE,
    deflate_zeros,
    minimal_xlsx,
    raw_zip,
    rewrite_members,
    sheet_xml,
    workbook_copy,
)


def refused(path: Path, tmp_path: Path) -> str:
    """Run `vanban build` on a file: it must fail with exit code 1, one line, nothing written."""
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(path), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Lỗi: ")
    assert not out.exists()
    return lines[0]


def ole2(path: Path, streams: list[str]) -> Path:
    """A compound file (what .xls and password-protected .xlsx are) with the named streams."""
    header = bytearray(512)
    header[:8] = filecheck.OLE2_MAGIC
    header[24:34] = struct.pack("<HHHH", 0x3E, 3, 0xFFFE, 9) + b"\x06\x00"
    struct.pack_into("<I", header, 48, 0)  # the directory starts in sector 0
    entries = bytearray()
    for i, name in enumerate(["Root Entry", *streams]):
        entry = bytearray(128)
        encoded = name.encode("utf-16-le")
        entry[: len(encoded)] = encoded
        struct.pack_into("<HB", entry, 64, len(encoded) + 2, 5 if i == 0 else 2)
        entries += entry
    entries += bytes(-len(entries) % 512)
    path.write_bytes(bytes(header) + bytes(entries) + bytes(4096))
    return path


def deflated(text: str) -> tuple[bytes, int, int]:
    data = text.encode()
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    return comp.compress(data) + comp.flush(), len(data), zlib.crc32(data)


def bomb(path: Path, declared: int, inflates_to: int) -> Path:
    """A workbook whose sheet inflates to `inflates_to` zero bytes and declares `declared`."""
    members = []
    for name, text in (("[Content_Types].xml", "<Types/>"),
                       ("xl/workbook.xml", f'<workbook xmlns="{MAIN}"/>')):
        data, size, crc = deflated(text)
        members.append((name, data, size, crc))
    members.append(("xl/worksheets/sheet1.xml", deflate_zeros(inflates_to), declared, 0))
    return raw_zip(path, members)


# -- not a workbook at all ----------------------------------------------------------------------


def test_a_text_file_renamed_xlsx(tmp_path):
    path = tmp_path / "ke-hoach.xlsx"
    path.write_text("Lĩnh vực;Nhiệm vụ\nCải cách thể chế;Rà soát\n", encoding="utf-8")
    line = refused(path, tmp_path)
    assert "ke-hoach.xlsx không phải là sổ tính .xlsx hợp lệ" in line and "CSV" in line


def test_a_png_renamed_xlsx(tmp_path):
    path = tmp_path / "anh.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    assert "đây là ảnh PNG" in refused(path, tmp_path)


def test_a_word_document_given_for_a_workbook(tmp_path):
    path = tmp_path / "quyet-dinh.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    assert "đây là văn bản Word" in refused(path, tmp_path)


def test_an_opendocument_spreadsheet(tmp_path):
    path = tmp_path / "ke-hoach.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    assert ".ods" in refused(path, tmp_path)


def test_an_empty_file(tmp_path):
    path = tmp_path / "rong.xlsx"
    path.write_bytes(b"")
    assert "rong.xlsx là tệp rỗng" in refused(path, tmp_path)


def test_a_directory(tmp_path):
    folder = tmp_path / "so-tinh.xlsx"
    folder.mkdir()
    assert "là một thư mục" in refused(folder, tmp_path)


def test_a_device_is_not_read(tmp_path):
    # /dev/zero would never end: it is refused before a byte is read
    assert "không phải là một tệp bình thường" in refused(Path("/dev/zero"), tmp_path)


def test_a_missing_file(tmp_path):
    assert "Không tìm thấy tệp sổ tính" in refused(tmp_path / "khong-co.xlsx", tmp_path)


def test_excels_lock_file(tmp_path):
    lock = tmp_path / "~$ke-hoach.xlsx"
    lock.write_bytes(b"\x0bNguyen Van A" + bytes(150))  # what Excel leaves while a file is open
    assert "tệp khóa tạm của Excel" in refused(lock, tmp_path)


def test_a_truncated_workbook(tmp_path):
    data = WORKBOOK.read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    assert "không phải là sổ tính .xlsx hợp lệ" in refused(path, tmp_path)


def test_a_workbook_with_another_extension(tmp_path):
    path = tmp_path / "ke-hoach.zip"
    shutil.copy(WORKBOOK, path)
    assert "chỉ đọc được sổ tính Excel .xlsx" in refused(path, tmp_path)


# -- Excel files we cannot or will not read -----------------------------------------------------


@pytest.mark.parametrize("name", ["ke-hoach.xls", "ke-hoach.xlsx"])
def test_an_old_xls_workbook(tmp_path, name):
    path = ole2(tmp_path / name, ["Workbook", "\x05SummaryInformation"])
    assert "Excel 97–2003 (.xls)" in refused(path, tmp_path)


def test_a_password_protected_workbook(tmp_path):
    path = ole2(tmp_path / "mat-khau.xlsx",
                ["EncryptionInfo", "EncryptedPackage", "\x06DataSpaces"])
    line = refused(path, tmp_path)
    assert "mat-khau.xlsx có mật khẩu, hãy bỏ mật khẩu" in line


def test_a_macro_enabled_workbook_is_read_without_its_macros(tmp_path):
    source = workbook_copy(tmp_path)
    with zipfile.ZipFile(source) as z:
        types = z.read("[Content_Types].xml").decode()
    types = types.replace("spreadsheetml.sheet.main+xml", "sheet.macroEnabled.main+xml").replace(
        "application/vnd.openxmlformats-officedocument.sheet.macroEnabled.main+xml",
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    path = rewrite_members(source, tmp_path / "ke-hoach.xlsm", {
        "[Content_Types].xml": types,
        "xl/vbaProject.bin": b"Attribute VB_Name = \"Module1\"\nSub AutoOpen()\nShell \"calc\"\nEnd Sub",
    })
    result = CliRunner().invoke(main, ["build", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "ke-hoach.xlsm có macro; chương trình chỉ đọc dữ liệu trong các ô, không chạy macro" \
        in result.output
    assert (tmp_path / "out" / "2018" / "3406-qd-ubnd.docx").exists()


# -- zip bombs ----------------------------------------------------------------------------------


def test_a_sheet_declaring_gigabytes_is_refused_without_unpacking(tmp_path):
    path = bomb(tmp_path / "bom.xlsx", declared=0xF000_0000, inflates_to=0xF000_0000)
    assert path.stat().st_size < 5_000_000
    line = refused(path, tmp_path)
    assert "bom.xlsx bị từ chối: tệp xl/worksheets/sheet1.xml bên trong giải nén ra quá lớn" in line


def test_a_sheet_that_lies_about_its_size_is_stopped_at_the_declared_size(tmp_path):
    path = bomb(tmp_path / "noi-doi.xlsx", declared=1000, inflates_to=1024 * 1024 * 1024)
    assert "tệp nén bị hỏng" in refused(path, tmp_path)


def test_a_highly_compressed_sheet_is_refused(tmp_path):
    xml = sheet_xml(body=" " * (8 * 1024 * 1024))
    path = minimal_xlsx(tmp_path / "nen.xlsx", {"Nhiệm vụ": xml})
    line = refused(path, tmp_path)
    assert "giải nén ra quá lớn" in line and "nén không quá 200 lần" in line


def test_too_many_members_and_too_much_in_total_are_refused(tmp_path):
    members = len(zipfile.ZipFile(WORKBOOK).namelist())
    with pytest.raises(VanbanError, match=f"chứa {members} tệp bên trong, quá giới hạn 10"):
        inspect_workbook(WORKBOOK, Limits(members=10))
    with pytest.raises(VanbanError, match="giải nén ra quá lớn"):
        inspect_workbook(WORKBOOK, Limits(total_bytes=100_000))
    with pytest.raises(VanbanError, match=r"quá lớn \(0 MB\)"):
        inspect_workbook(WORKBOOK, Limits(file_bytes=1000))


# -- XML attacks --------------------------------------------------------------------------------


def entity_workbook(path: Path, payload: str = BILLION_LAUGHS) -> Path:
    return minimal_xlsx(path, {"Căn cứ": sheet_xml(body=SHARED_CELL)}, shared_strings=payload)


@pytest.mark.parametrize("payload", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "xxe"])
def test_entities_in_shared_strings_are_refused(tmp_path, payload):
    path = entity_workbook(tmp_path / "thuc-the.xlsx", payload)
    line = refused(path, tmp_path)
    assert "tệp xl/sharedStrings.xml bên trong có khai báo DOCTYPE/thực thể XML" in line


def test_entities_in_a_sheet_are_refused(tmp_path):
    xml = ('<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
           f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&x;'
           "</t></is></c></row></sheetData></worksheet>")
    path = minimal_xlsx(tmp_path / "xxe.xlsx", {"Căn cứ": xml})
    assert "xl/worksheets/sheet1.xml bên trong có khai báo DOCTYPE" in refused(path, tmp_path)


def test_openpyxl_itself_parses_with_defusedxml(tmp_path):
    # the second line of defence, should a file ever reach openpyxl unchecked
    import defusedxml

    assert openpyxl.DEFUSEDXML is True
    path = entity_workbook(tmp_path / "lol.xlsx")
    with pytest.raises(ValueError, match="could not read strings") as caught:
        openpyxl.load_workbook(path)
    cause = caught.value.__cause__ or caught.value.__context__
    assert isinstance(cause, defusedxml.DefusedXmlException)


def test_a_broken_sheet_xml_names_the_member(tmp_path):
    path = minimal_xlsx(tmp_path / "hong.xlsx", {"Căn cứ": "<worksheet><sheetData></worksheet>"})
    line = refused(path, tmp_path)
    assert "tệp xl/worksheets/sheet1.xml bên trong bị hỏng" in line and "dòng 1" in line


# -- sizes of what is inside --------------------------------------------------------------------


def test_a_sheet_with_too_many_rows(tmp_path):
    rows = "".join(f'<row r="{r}"/>' for r in range(1, 100_002))
    path = minimal_xlsx(tmp_path / "nhieu-dong.xlsx", {"Hướng dẫn": sheet_xml([["x"]]),
                                                       "Nhiệm vụ": sheet_xml(body=rows)})
    line = refused(path, tmp_path)
    assert "Sheet “Nhiệm vụ” của nhieu-dong.xlsx có hơn 100.000 dòng" in line


def test_too_many_cells(tmp_path):
    with pytest.raises(VanbanError, match=r"ô có dữ liệu hoặc định dạng, quá giới hạn 100 ô"):
        inspect_workbook(WORKBOOK, Limits(cells=100))


def test_an_over_long_shared_text_is_refused_at_its_cell_not_cut(tmp_path):
    # openpyxl would cut it to 32,767 characters without a word: the rest of the text is lost
    shared = (f'<sst xmlns="{MAIN}" count="2" uniqueCount="2"><si><t>Nội dung</t></si>'
              f'<si><r><t>{"x" * 20_000}</t></r><r><t>{"y" * 20_000}</t></r></si></sst>')
    body = ('<row r="1"><c r="B1" t="s"><v>0</v></c></row>'
            '<row r="5"><c r="A5" t="s"><v>0</v></c><c r="B5" t="s"><v>1</v></c></row>')
    path = minimal_xlsx(tmp_path / "dai.xlsx", {"Nhiệm vụ": sheet_xml(body=body)}, shared)
    line = refused(path, tmp_path)
    assert "Nhiệm vụ!B5: ô dài 40.000 ký tự, quá giới hạn 32.767 ký tự" in line


def test_an_over_long_inline_text_is_refused_at_its_cell(tmp_path):
    path = minimal_xlsx(tmp_path / "dai.xlsx", {"Căn cứ": sheet_xml([["Căn cứ"], ["y" * 33_000]])})
    assert "Căn cứ!A2: ô dài 33.000 ký tự" in refused(path, tmp_path)


def test_a_workbook_missing_every_sheet_names_them_all(tmp_path):
    path = minimal_xlsx(tmp_path / "trong.xlsx", {"Sheet1": sheet_xml([["a"]])})
    _, problems = read_plan(path)
    missing = {p.loc.sheet for p in problems if p.code == "missing-sheet"}
    assert missing == {"Thông tin chung", "Căn cứ", "Điều", "Nơi nhận", "Nội dung kế hoạch",
                       "Nhiệm vụ", "Cơ quan", "Kỳ báo cáo", "Chỉ tiêu"}


def test_the_shipped_workbook_passes_the_gate():
    inspection = inspect_workbook(WORKBOOK)
    assert not inspection.macros
    assert inspection.rows["Nhiệm vụ"] == 47


# -- bounded memory, with the real command --------------------------------------------------------


def _limit_memory() -> None:
    limit = 1536 * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


@pytest.mark.parametrize("kind", ["bomb", "liar", "laughs"])
def test_hostile_files_are_refused_within_a_memory_cap(tmp_path, kind):
    if kind == "bomb":
        path = bomb(tmp_path / "x.xlsx", declared=0xF000_0000, inflates_to=0xF000_0000)
    elif kind == "liar":
        path = bomb(tmp_path / "x.xlsx", declared=2000, inflates_to=2 * 1024 * 1024 * 1024)
    else:
        path = entity_workbook(tmp_path / "x.xlsx")
    done = subprocess.run(
        [sys.executable, "-m", "generator", "build", str(path), "--out", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=300, preexec_fn=_limit_memory, cwd=ROOT,
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("Lỗi: x.xlsx") and "Traceback" not in done.stderr
    assert "MemoryError" not in done.stderr


def test_the_security_doc_states_the_limits_in_force():
    doc = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    limits = filecheck.LIMITS
    for text in (
        f"{limits.file_bytes // filecheck.MB} MB", f"{limits.members:,}",
        f"{limits.member_bytes // filecheck.MB} MB", f"{limits.total_bytes // filecheck.MB} MB",
        f"{limits.ratio_floor // filecheck.MB} MB packed more than {limits.ratio} times",
        f"more than {limits.rows:,} rows", f"more than {limits.cells:,} cells",
        f"more than {limits.cell_chars:,} characters",
    ):
        assert text in doc, text


def strict_copy(source: Path, target: Path) -> Path:
    """The workbook as Excel's "Strict Open XML Spreadsheet" names its parts' namespaces."""
    strict = {
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main":
            b"http://purl.oclc.org/ooxml/spreadsheetml/main",
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships":
            b"http://purl.oclc.org/ooxml/officeDocument/relationships",
    }
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            for old, new in strict.items():
                data = data.replace(old, new)
            dst.writestr(info, data)
    return target


def test_a_strict_open_xml_workbook_is_named_as_such(tmp_path):
    line = refused(strict_copy(WORKBOOK, tmp_path / "strict.xlsx"), tmp_path)
    assert "strict.xlsx được lưu dạng “Bảng tính Strict Open XML”" in line
    assert "“Sổ làm việc Excel (*.xlsx)”" in line
