"""The `vanban` command as the officer runs it: messages, exit codes, files written."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import ROOT, WORKBOOK, draft_workbook


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def broken_copy(tmp_path: Path, sheet: str, cell: str, value) -> Path:
    wb = openpyxl.load_workbook(WORKBOOK)
    wb[sheet][cell] = value
    path = tmp_path / "sai.xlsx"
    wb.save(path)
    return path


def test_build_writes_the_package_and_says_where(tmp_path):
    result = run("build", str(WORKBOOK), "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    target = tmp_path / "2018" / "3406-qd-ubnd.docx"
    assert target.exists()
    assert str(target) in result.output


def test_a_wrong_date_names_its_cell_in_vietnamese_and_writes_nothing(tmp_path):
    wb = openpyxl.load_workbook(WORKBOOK)
    ws = wb["Thông tin chung"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "Ngày ban hành")
    path = broken_copy(tmp_path, "Thông tin chung", f"B{row}", "31/02/2017")
    out = tmp_path / "out"
    result = run("build", str(path), "--out", str(out))
    assert result.exit_code == 1
    assert f"Thông tin chung!B{row}" in result.output
    assert "31/02/2017" in result.output and "không tồn tại" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_every_error_is_reported_at_once(tmp_path):
    wb = openpyxl.load_workbook(WORKBOOK)
    wb["Nhiệm vụ"]["B3"] = None
    wb["Kỳ báo cáo"]["D2"] = "ngày mai"
    path = tmp_path / "hai-loi.xlsx"
    wb.save(path)
    result = run("build", str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "Nhiệm vụ!B3" in result.output and "Kỳ báo cáo!D2" in result.output


def test_a_missing_sheet_is_named(tmp_path):
    wb = openpyxl.load_workbook(WORKBOOK)
    del wb["Điều"]
    path = tmp_path / "thieu.xlsx"
    wb.save(path)
    result = run("build", str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "Thiếu sheet “Điều”" in result.output


def test_not_a_workbook_is_one_clear_line(tmp_path):
    bogus = tmp_path / "ke-hoach.xlsx"
    bogus.write_text("không phải sổ tính")
    result = run("build", str(bogus), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "không phải là sổ tính .xlsx hợp lệ" in result.output
    assert "Traceback" not in result.output


def test_draft_without_number_and_date_leaves_blanks_for_the_registry(tmp_path):
    path = draft_workbook(tmp_path)
    result = run("build", str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    from tests.docx_text import document_lines

    files = list((tmp_path / "out" / "2018").glob("*.docx"))
    assert [f.name for f in files] == ["du-thao-qd-ubnd-2018.docx"]
    lines = document_lines(files[0])
    assert "Số:          /QĐ-UBND" in lines
    assert "Bình Phước, ngày      tháng      năm 2018" in lines


def test_python_dash_m_generator_runs():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "generator", "--help"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0 and "build" in done.stdout


def test_same_input_gives_the_same_bytes(tmp_path):
    first = tmp_path / "a"
    second = tmp_path / "b"
    assert run("build", str(WORKBOOK), "--out", str(first)).exit_code == 0
    assert run("build", str(WORKBOOK), "--out", str(second)).exit_code == 0
    a = (first / "2018" / "3406-qd-ubnd.docx").read_bytes()
    b = (second / "2018" / "3406-qd-ubnd.docx").read_bytes()
    assert a == b
    shutil.rmtree(first)


# -- vanban new-year and vanban workbook ---------------------------------------------------


def test_new_year_writes_the_rolled_workbook_and_lists_changes_and_reviews(tmp_path):
    target = tmp_path / "ke-hoach-cchc-2019.xlsx"
    result = run("new-year", str(WORKBOOK), "--year", "2019", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert "Chuyển từ năm 2018 sang năm 2019: 71 ô đã đổi." in result.output
    assert "Nhiệm vụ!E29: Quý I/2018 → Quý I/2019" in result.output
    assert "Kỳ báo cáo!E2: 15/12/2017 → 15/12/2018" in result.output
    assert "Căn cứ!A5: Căn cứ pháp lý không được tự đổi" in result.output
    # a long paragraph is shown around its two changes, not in full
    (line,) = [x for x in result.output.splitlines() if "Nội dung kế hoạch!C7:" in x]
    assert line.count("năm 2018") == 2 and line.count("năm 2019") == 2 and len(line) < 300
    assert f"Đã ghi {target}" in result.output
    assert openpyxl.load_workbook(target)["Thông tin chung"]["B5"].value == 2019


def test_new_year_never_overwrites_the_input_or_an_existing_file(tmp_path):
    source = tmp_path / "ke-hoach.xlsx"
    shutil.copy(WORKBOOK, source)
    original = source.read_bytes()
    for force in ([], ["--force"]):  # the input: never, not even with --force (a usage mistake)
        result = run("new-year", str(source), "--year", "2019", "-o", str(source), *force)
        assert result.exit_code == 2
        assert "Không ghi đè lên tệp đầu vào" in result.output and "Traceback" not in result.output
    existing = tmp_path / "2019.xlsx"
    existing.write_bytes(b"bai cua chi")
    result = run("new-year", str(source), "--year", "2019", "-o", str(existing))
    assert result.exit_code == 1 and "đã có; chưa ghi gì" in result.output
    assert existing.read_bytes() == b"bai cua chi"
    assert source.read_bytes() == original


def test_new_year_with_force_keeps_a_dated_backup(tmp_path):
    target = tmp_path / "ke-hoach-2019.xlsx"
    target.write_bytes(b"ban nam ngoai")
    result = run("new-year", str(WORKBOOK), "--year", "2019", "-o", str(target), "--force")
    assert result.exit_code == 0, result.output
    (backup,) = tmp_path.glob("ke-hoach-2019.sao-luu-*.xlsx")
    assert backup.read_bytes() == b"ban nam ngoai"
    assert f"Đã sao lưu tệp cũ thành {backup}" in result.output
    assert openpyxl.load_workbook(target)["Thông tin chung"]["B5"].value == 2019


def test_new_year_refuses_a_workbook_with_errors_and_names_the_cell(tmp_path):
    path = broken_copy(tmp_path, "Kỳ báo cáo", "D3", "31/02/2018")
    target = tmp_path / "2019.xlsx"
    result = run("new-year", str(path), "--year", "2019", "-o", str(target))
    assert result.exit_code == 1
    assert "chưa chuyển năm" in result.output and "Kỳ báo cáo!D3" in result.output
    assert not target.exists()


def test_new_year_refuses_an_earlier_year(tmp_path):
    target = tmp_path / "2017.xlsx"
    result = run("new-year", str(WORKBOOK), "--year", "2017", "-o", str(target))
    assert result.exit_code == 1
    assert "Năm mới (2017) phải sau năm của sổ tính (2018, ở Thông tin chung!B5)" in result.output
    assert not target.exists()


def test_new_year_output_must_be_an_xlsx(tmp_path):
    result = run("new-year", str(WORKBOOK), "--year", "2019", "-o", str(tmp_path / "a.xls"))
    assert result.exit_code == 2 and "phải có đuôi .xlsx" in result.output


def test_workbook_writes_an_empty_workbook_that_reports_what_is_missing(tmp_path):
    target = tmp_path / "mau-ke-hoach.xlsx"
    result = run("workbook", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(target).sheetnames[0] == "Hướng dẫn"
    again = run("workbook", "-o", str(target))
    assert again.exit_code == 1 and "đã có; chưa ghi gì" in again.output
    built = run("build", str(target), "--out", str(tmp_path / "out"))
    assert built.exit_code == 1
    assert "Thông tin chung!B3: Chưa ghi “Cơ quan ban hành”" in built.output


def test_new_year_refuses_what_check_refuses_a_duplicate_agency_code(tmp_path):
    """new-year reads through the same read-and-check entry as check and build."""
    code = openpyxl.load_workbook(WORKBOOK)["Cơ quan"]["A2"].value
    path = broken_copy(tmp_path, "Cơ quan", "A3", code)
    checked = run("check", str(path))
    assert checked.exit_code == 1 and "Cơ quan!A3" in checked.output
    target = tmp_path / "2019.xlsx"
    result = run("new-year", str(path), "--year", "2019", "-o", str(target))
    assert result.exit_code == 1, result.output
    assert "chưa chuyển năm" in result.output and "Cơ quan!A3" in result.output
    assert f"Trùng mã cơ quan “{code}”" in result.output
    assert not target.exists()


def test_out_naming_an_existing_file_is_one_vietnamese_line(tmp_path):
    from click.testing import CliRunner

    from generator.cli import main

    taken = tmp_path / "ket-qua"
    taken.write_text("tệp của người dùng", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(WORKBOOK), "--out", str(taken)])
    assert result.exit_code == 2
    assert f"Lỗi: --out {taken}: đây là một tệp, không phải thư mục" in result.output
    assert "Error" not in result.output and "Invalid value" not in result.output
    assert taken.read_text(encoding="utf-8") == "tệp của người dùng"


def test_ctrl_c_during_a_build_is_one_vietnamese_line_exit_130_and_nothing_half_written(tmp_path):
    import signal
    import subprocess
    import sys
    import zipfile

    out = tmp_path / "out"
    # Ctrl+C as at a terminal: a test run started in the background of a script (`cmd &`) ignores
    # SIGINT, and a child would inherit that; the build is started with the default disposition
    process = subprocess.Popen([sys.executable, "-m", "generator", "build", str(WORKBOOK), "--out",
                                str(out), "--dump-context", str(tmp_path / "ctx")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert process.stdout is not None
    for line in process.stdout:  # contexts are dumped one by one before anything is rendered
        if line.startswith("đã ghi ngữ cảnh"):
            process.send_signal(signal.SIGINT)
            break
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "Lỗi: Đã dừng theo yêu cầu (Ctrl+C)" in stderr
    assert "Traceback" not in stderr and "Aborted" not in stderr and "KeyboardInterrupt" not in stderr
    for path in out.rglob("*"):
        assert not path.name.endswith(".vanban.tmp"), path
        if path.suffix in (".docx", ".xlsx"):
            assert zipfile.ZipFile(path).testzip() is None  # whole, never half-written


def modules_loaded(code: str) -> set[str]:
    proc = subprocess.run([sys.executable, "-c", f"{code}\nimport sys; print(' '.join(sys.modules))"],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    return set(proc.stdout.split())


def test_help_and_version_load_no_stage_of_the_pipeline():
    """`vanban --help` answers at once: no workbook, Word or template library is imported for it."""
    for args in (["--help"], ["--version"], ["build", "--help"]):
        loaded = modules_loaded(f"from generator.cli import main\ntry:\n    main({args!r})\n"
                                "except SystemExit:\n    pass")
        assert not loaded & {"openpyxl", "docx", "docxtpl", "jinja2", "lxml", "generator.pipeline"}, args


def test_the_pipeline_does_not_depend_on_click():
    """cli.py and web/ are two front doors on the same functions; the pipeline knows neither."""
    assert "click" not in modules_loaded("import generator.pipeline")
