"""Small fixes around `vanban collect` and the engine: an unknown agency code typed in "Nhập tay",
a folder of scans only, docxtpl's replacements on a prepared template, usage errors in Vietnamese."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.errors import VanbanError
from generator.pipeline import collect
from generator.render.engine import PreparedTemplate, UnsupportedValue
from generator.render.renderer import make_environment
from tests.conftest import ROOT, WORKBOOK

# the smallest PDF a reader opens: the collector only looks at the name, but the file is a real one
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


def scans(folder: Path, count: int) -> Path:
    folder.mkdir()
    for number in range(1, count + 1):
        (folder / f"scan-{number}.pdf").write_bytes(PDF)
    return folder


def test_an_unknown_agency_typed_by_hand_is_a_warning_at_its_cell_and_not_counted(tmp_path: Path) -> None:
    out = tmp_path / "out"
    tracking = out / "2018" / "tong-hop" / "quy-1" / "tong-hop.xlsx"
    tracking.parent.mkdir(parents=True)
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "Nhập tay"
    sheet.append(["Mã cơ quan", "Mã nhiệm vụ", "Mức độ hoàn thành", "Kết quả thực hiện", "Ghi chú"])
    sheet.append(["SYT", "I.1", "Hoàn thành", "Báo cáo giấy", ""])  # row 2: a real agency
    sheet.append(["SYTT", "I.1", "Chưa thực hiện", "Gõ nhầm mã", ""])  # row 3: a typo
    wb.save(tracking)

    result = collect([scans(tmp_path / "returned", 1)], WORKBOOK, out, period="quy-1")

    unknown = [p for p in result.problems if p.code == "collect-unknown-agency"]
    assert len(unknown) == 1
    assert str(unknown[0].loc) == "tong-hop.xlsx: Nhập tay!A3"
    assert "Mã cơ quan SYTT không có trong sheet Cơ quan" in unknown[0].message
    assert "chưa tính dòng nhập tay này" in unknown[0].message
    assert unknown[0].suggestion == "có phải SYT?"
    data = json.loads((result.folder / "tong-hop.json").read_text(encoding="utf-8"))
    task = {t["code"]: t for t in data["tasks"]}["I.1"]
    assert task["agencies"]["SYT"]["file"] == "nhập tay"
    assert "SYTT" not in task["agencies"]
    assert "SYTT" not in json.dumps(data["receipts"])
    # the clerk sees it in the tracking workbook's problems sheet too
    problems = openpyxl.load_workbook(tracking)["Vấn đề"]
    assert any("SYTT" in str(cell.value) for row in problems.iter_rows() for cell in row)


def test_scans_only_without_a_period_names_the_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(VanbanError) as caught:
        collect([scans(tmp_path / "returned", 7)], WORKBOOK, out)
    message = caught.value.message
    assert "\n" not in message
    assert ("Chỉ có tệp PDF hoặc ảnh chụp (scan-1.pdf, scan-2.pdf, scan-3.pdf, scan-4.pdf, scan-5.pdf "
            "và 2 tệp khác), không xác định được kỳ báo cáo; hãy chọn kỳ bằng --period.") in message
    assert not out.exists()


def test_a_few_scans_are_all_named(tmp_path: Path) -> None:
    with pytest.raises(VanbanError, match=r"\(scan-1\.pdf, scan-2\.pdf\), không xác định"):
        collect([scans(tmp_path / "returned", 2)], WORKBOOK, tmp_path / "out")


@pytest.mark.parametrize("method", ["replace_pic", "replace_media", "replace_embedded", "replace_zipname"])
def test_docxtpl_replacements_are_refused_on_a_prepared_template(tmp_path: Path, method: str) -> None:
    d = docx.Document()
    d.add_paragraph("Xin chào {{ name }}")
    path = tmp_path / "mau.docx"
    d.save(str(path))
    prepared = PreparedTemplate(path, make_environment())
    with pytest.raises(UnsupportedValue) as caught:
        getattr(prepared, method)("dummy.png", str(tmp_path / "anh.png"))
    message = str(caught.value)
    assert f"Mẫu đã chuẩn bị (PreparedTemplate) không hỗ trợ {method}" in message
    assert "Hãy dùng DocxTemplate của docxtpl cho mẫu này" in message


# -- usage mistakes of the command line: Vietnamese, exit code 2 (docs/collect.md, README) ----------

def test_collect_without_forms_is_one_vietnamese_line_with_exit_code_2() -> None:
    vanban = Path(sys.executable).with_name("vanban")  # the installed command, as the clerk runs it
    done = subprocess.run([str(vanban), "collect"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == ("Lỗi: Thiếu đối số FORMS. Cách dùng: vanban collect [TÙY CHỌN] FORMS...; "
                           "xem «vanban collect --help».\n")


@pytest.mark.parametrize(("args", "said"), [
    (["collect"], "Lỗi: Thiếu đối số FORMS."),
    (["collect", "--period"], "Lỗi: Tùy chọn --period cần một giá trị."),
    (["build", "--outt", "x"], "Lỗi: Không có tùy chọn --outt; có phải --out?"),
    (["--bogus"], "Lỗi: Không có tùy chọn --bogus."),
    (["buil"], "Lỗi: Không có lệnh buil; có phải build?"),
    (["serve", "--port", "abc"],
     "Lỗi: Giá trị «abc» của --port không hợp lệ; cần một số nguyên từ 0 đến 65535."),
    (["pdf", "--timeout", "abc"], "Lỗi: Giá trị «abc» của --timeout không hợp lệ; cần một số từ 1 trở lên."),
    (["check", "a.xlsx", "b.xlsx"], "Lỗi: Thừa đối số: b.xlsx."),
    (["build", "--force=1"], "Lỗi: Tùy chọn --force không nhận giá trị."),
    (["pdf", "x.pdf"], "Lỗi: Chỉ ghi tên tệp khi dùng --check."),  # the command's own message, kept
])
def test_usage_mistakes_of_every_command_are_said_in_vietnamese(args: list[str], said: str) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert result.output.startswith(said), result.output
    assert len(result.output.splitlines()) == 1
    for english in ("Error", "Usage:", "Missing", "No such", "Invalid value", "Try '"):
        assert english not in result.output


def test_a_period_the_workbook_does_not_have_is_a_data_mistake_exit_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["collect", str(scans(tmp_path / "returned", 1)), "--workbook",
                                       str(WORKBOOK), "--out", str(tmp_path / "out"), "--period", "quy-9"])
    assert result.exit_code == 1, result.output
    assert result.output == ("Lỗi: Không có kỳ báo cáo «quy-9» trong sổ tính; các kỳ: quy-1, 6-thang, quy-3, "
                             "nam.\n")
    assert not (tmp_path / "out").exists()
