"""`vanban check`, `--annotate` and `vanban fix-encoding` as the clerk runs them."""

from __future__ import annotations

import unicodedata
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.styles import Font

from generator.cli import main
from tests.conftest import WORKBOOK

TCVN3 = "Céng hßa x· héi chñ nghÜa ViÖt Nam"
VNI = "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam"
UNICODE = "Cộng hòa xã hội chủ nghĩa Việt Nam"


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def copy_with(tmp_path: Path, name: str = "so-tinh.xlsx", **cells: object) -> Path:
    """The shipped workbook with cells replaced; keys are "Sheet!B5" spelt as Sheet__B5."""
    wb = openpyxl.load_workbook(WORKBOOK)
    for key, value in cells.items():
        sheet, cell = key.split("__")
        wb[sheet.replace("_", " ")][cell] = value
    path = tmp_path / name
    wb.save(path)
    return path


def values(path: Path) -> dict[tuple[str, str], object]:
    wb = openpyxl.load_workbook(path)
    return {(ws.title, c.coordinate): c.value for ws in wb.worksheets for row in ws.iter_rows()
            for c in row if c.value is not None}


def no_traceback(result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


def test_the_shipped_workbook_passes_with_its_warnings_listed():
    result = run("check", WORKBOOK)
    assert result.exit_code == 0, result.output
    assert "[cảnh báo] Nội dung kế hoạch!C52: Tên loại văn bản “Chi thị” viết sai chính tả." in result.output
    assert "gợi ý: sửa thành “Chỉ thị số 07/CT-TTg”" in result.output
    assert "Nội dung kế hoạch!C20" in result.output and "92/2017/NĐ-CP" in result.output
    assert "Thông tin chung!B24" in result.output
    assert result.output.rstrip().splitlines()[-1].startswith("Kết quả: 0 lỗi, ")


def test_strict_makes_the_warnings_block():
    result = run("check", WORKBOOK, "--strict")
    assert result.exit_code == 1
    assert "[lỗi] Nội dung kế hoạch!C52" in result.output


def test_information_alone_never_blocks_even_when_strict(tmp_path):
    wb = openpyxl.load_workbook(WORKBOOK)
    ws = wb["Thông tin chung"]
    ws["B24"] = ws["B15"].value  # the same signer: the seed's warnings about the signer go away
    for sheet in ("Nội dung kế hoạch", "Nhiệm vụ"):  # the seed's citation slips go too
        for row in wb[sheet].iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.value = (cell.value.replace("Chi thị", "Chỉ thị").replace("Nghị Quyết", "Nghị quyết")
                                  .replace("- NQ/TW", "-NQ/TW").replace("92/NĐ-CP", "92/2017/NĐ-CP"))
    wb["Nơi nhận"]["A8"] = unicodedata.normalize("NFD", "Bưu điện tỉnh")
    wb["Kỳ báo cáo"]["D5"] = datetime(2018, 11, 30)  # the year's report due on a Friday, not Saturday
    path = tmp_path / "chi-thong-tin.xlsx"
    wb.save(path)
    result = run("check", path, "--strict")
    assert result.exit_code == 0, result.output
    assert "[thông tin] Nơi nhận!A8" in result.output
    assert "0 lỗi, 0 cảnh báo, 1 thông tin" in result.output


def test_an_error_exits_1_and_names_the_cell(tmp_path):
    path = copy_with(tmp_path, Nhiệm_vụ__E2="Quý V/2018")
    result = run("check", path)
    assert result.exit_code == 1
    assert "[lỗi] Nhiệm vụ!E2: Thời gian hoàn thành không hợp lệ" in result.output
    assert "đang ghi: «Quý V/2018»" in result.output
    no_traceback(result)


def test_build_runs_the_same_checks_and_prints_warnings(tmp_path):
    result = run("build", WORKBOOK, "--out", tmp_path)
    assert result.exit_code == 0
    assert "Nội dung kế hoạch!C52" in result.output
    strict = run("build", WORKBOOK, "--out", tmp_path / "strict", "--strict")
    assert strict.exit_code == 1
    assert not (tmp_path / "strict").exists()


@pytest.mark.parametrize("args", [
    ["check", "--khong-co"],
    ["check", WORKBOOK, "--annotate", WORKBOOK],
    ["check", WORKBOOK, "--annotate", "ket-qua.txt"],
    ["fix-encoding", WORKBOOK],
    ["fix-encoding", WORKBOOK, "-o", WORKBOOK],
])
def test_usage_mistakes_exit_2_and_write_nothing(args):
    before = WORKBOOK.read_bytes()
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert WORKBOOK.read_bytes() == before


def test_the_input_is_refused_as_output_through_another_spelling(tmp_path):
    path = copy_with(tmp_path)
    other = tmp_path / "." / "so-tinh.xlsx"
    result = run("check", path, "--annotate", other)
    assert result.exit_code == 2
    assert "ghi đè" in result.output


@pytest.mark.parametrize("make", ["empty", "text", "zip", "one-empty-sheet", "lock", "xls"])
def test_nasty_files_give_one_message_and_exit_1(tmp_path, make):
    path = tmp_path / ("~$so-tinh.xlsx" if make == "lock" else "so-tinh.xls" if make == "xls"
                       else "so-tinh.xlsx")
    if make == "empty" or make == "lock" or make == "xls":
        path.write_bytes(b"")
    elif make == "text":
        path.write_text("Số liệu kế hoạch", encoding="utf-8")
    elif make == "zip":
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("xl/workbook.xml", "<workbook>không đầy đủ")
    else:
        openpyxl.Workbook().save(path)
    result = run("check", path)
    assert result.exit_code == 1, result.output
    no_traceback(result)
    assert path.name in result.output or "Thiếu sheet" in result.output


def test_annotate_marks_cells_lists_problems_and_keeps_her_data(tmp_path):
    path = copy_with(tmp_path, Nhiệm_vụ__E2="Quý V/2018")
    wb = openpyxl.load_workbook(path)
    wb["Nhiệm vụ"]["E2"].comment = openpyxl.comments.Comment("ghi chú của chị Lan", "Lan")
    wb.save(path)
    before_bytes = path.read_bytes()
    out = tmp_path / "danh-dau.xlsx"
    result = run("check", path, "--annotate", out)
    assert result.exit_code == 1
    assert f"Đã ghi {out}" in result.output
    assert path.read_bytes() == before_bytes  # the original is not touched
    marked = openpyxl.load_workbook(out)
    assert marked.sheetnames[0] == "Kết quả kiểm tra"
    assert marked.sheetnames[1:] == openpyxl.load_workbook(path).sheetnames
    # her data: every value of every sheet unchanged, nothing added to her sheets
    original = values(path)
    copied = {k: v for k, v in values(out).items() if k[0] != "Kết quả kiểm tra"}
    assert copied == original
    cell = marked["Nhiệm vụ"]["E2"]
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")  # red: an error
    assert cell.comment.text.startswith("ghi chú của chị Lan")  # her note is kept, ours follows
    assert "Thời gian hoàn thành không hợp lệ" in cell.comment.text
    warned = marked["Nội dung kế hoạch"]["C52"]
    assert warned.fill.fgColor.rgb.endswith("FFEB9C")  # yellow: a warning
    assert "Chỉ thị" in warned.comment.text
    listing = marked["Kết quả kiểm tra"]
    rows = list(listing.iter_rows(min_row=4, values_only=True))
    places = [r[2] for r in rows]
    assert "Nhiệm vụ!E2" in places and "Nội dung kế hoạch!C52" in places
    link = listing.cell(4 + places.index("Nhiệm vụ!E2"), 3).hyperlink
    assert link.location == "'Nhiệm vụ'!E2"
    assert "1 lỗi" in listing["A1"].value


def test_annotate_replaces_the_list_of_an_annotated_copy(tmp_path):
    first = tmp_path / "lan-1.xlsx"
    second = tmp_path / "lan-2.xlsx"
    assert run("check", WORKBOOK, "--annotate", first).exit_code == 0
    assert run("check", first, "--annotate", second).exit_code == 0
    assert openpyxl.load_workbook(second).sheetnames.count("Kết quả kiểm tra") == 1


def legacy_workbook(tmp_path: Path) -> Path:
    wb = openpyxl.load_workbook(WORKBOOK)
    wb["Nhiệm vụ"]["B5"] = TCVN3
    wb["Nhiệm vụ"]["B5"].font = Font(name=".VnTime")
    wb["Nơi nhận"]["A8"] = VNI
    wb["Nơi nhận"]["A8"].font = Font(name="VNI-Times")
    path = tmp_path / "ma-cu.xlsx"
    wb.save(path)
    return path


def test_check_reports_legacy_text_with_its_conversion(tmp_path):
    result = run("check", legacy_workbook(tmp_path))
    assert result.exit_code == 1
    assert "[lỗi] Nhiệm vụ!B5: Văn bản gõ bằng bảng mã cũ" in result.output
    assert "[lỗi] Nơi nhận!A8: Văn bản gõ bằng bảng mã cũ" in result.output
    assert UNICODE in result.output and "vanban fix-encoding" in result.output


def test_fix_encoding_writes_a_corrected_copy_and_lists_every_change(tmp_path):
    path = legacy_workbook(tmp_path)
    before = path.read_bytes()
    out = tmp_path / "da-sua.xlsx"
    result = run("fix-encoding", path, "-o", out)
    assert result.exit_code == 0, result.output
    assert f"Nhiệm vụ!B5: «{TCVN3}» → «{UNICODE}»" in result.output
    assert f"Nơi nhận!A8: «{VNI}» → «{UNICODE}»" in result.output
    assert "2 ô được sửa" in result.output
    assert path.read_bytes() == before
    fixed = openpyxl.load_workbook(out)
    assert fixed["Nhiệm vụ"]["B5"].value == UNICODE
    assert fixed["Nhiệm vụ"]["B5"].font.name == "Times New Roman"
    assert fixed["Nơi nhận"]["A8"].value == UNICODE
    # every other cell is as it was
    original = values(path)
    changed = {k for k, v in values(out).items() if original.get(k) != v}
    assert changed == {("Nhiệm vụ", "B5"), ("Nơi nhận", "A8")}
    again = run("check", out)
    assert again.exit_code == 0, again.output
    assert "bảng mã cũ" not in again.output


def test_fix_encoding_on_a_clean_workbook_writes_nothing(tmp_path):
    out = tmp_path / "khong-can.xlsx"
    result = run("fix-encoding", WORKBOOK, "-o", out)
    assert result.exit_code == 0
    assert "Không có ô nào cần chuyển mã" in result.output
    assert not out.exists()


def test_fix_encoding_of_a_broken_file_is_one_message(tmp_path):
    bogus = tmp_path / "hong.xlsx"
    bogus.write_text("không phải sổ tính")
    result = run("fix-encoding", bogus, "-o", tmp_path / "ra.xlsx")
    assert result.exit_code == 1
    no_traceback(result)
    assert "không phải là sổ tính .xlsx hợp lệ" in result.output


def test_an_existing_copy_is_kept_unless_forced_and_then_backed_up(tmp_path):
    out = tmp_path / "danh-dau.xlsx"
    out.write_bytes(b"ban cu")
    refused = run("check", WORKBOOK, "--annotate", out)
    assert refused.exit_code == 1 and "đã có" in refused.output
    assert out.read_bytes() == b"ban cu"
    forced = run("check", WORKBOOK, "--annotate", out, "--force")
    assert forced.exit_code == 0, forced.output
    [backup] = tmp_path.glob("danh-dau.sao-luu-*.xlsx")
    assert backup.read_bytes() == b"ban cu"
    assert openpyxl.load_workbook(out).sheetnames[0] == "Kết quả kiểm tra"
    again = run("check", WORKBOOK, "--annotate", WORKBOOK, "--force")
    assert again.exit_code == 2  # the checked workbook itself: never, even with --force


def test_a_workbook_corrected_under_the_same_name_is_checked_again(tmp_path):
    """One process (the web page) checks a workbook, the clerk corrects it and saves it under the
    same name: the second check reads the new bytes, it does not repeat the first one's errors."""
    path = copy_with(tmp_path, Thông_tin_chung__B5="x")  # the plan year
    first = run("check", path)
    assert first.exit_code == 1 and "Thông tin chung!B5" in first.output
    copy_with(tmp_path)  # the clerk puts the year back, same file name
    second = run("check", path)
    assert second.exit_code == 0, second.output
    assert "Thông tin chung!B5" not in second.output
    path.write_bytes(b"")  # and a file emptied by a failed copy is refused, not remembered
    assert "là tệp rỗng (0 byte)" in run("check", path).output
