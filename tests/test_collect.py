"""vanban collect: returned forms, filled as agencies fill them, read back and consolidated."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

from generator.cli import main
from generator.collect import status as st
from generator.collect.forms import Source, read_form
from generator.pipeline import build, collect, load_checked
from tests.conftest import WORKBOOK, need_tool, office_env, reports_only
from tests.xlsx_files import rewrite_members
from tools import make_example_forms as fill

# -- the golden small plan: 8 tasks, 4 reporting agencies, counts worked out by hand ------------

GOLDEN_TASKS = [  # area, task, lead, support, deadline
    ("Cải cách thể chế", "Rà soát văn bản quy phạm pháp luật", "Sở Nội vụ", "", "Trước ngày 28/02/2018"),
    ("Cải cách thể chế", "Ban hành quy chế phối hợp", "Sở Nội vụ", "", "Trước ngày 14/3/2018"),
    ("Cải cách thể chế", "Kiểm tra công tác pháp chế", "Sở Tư pháp", "", "Trước ngày 15/3/2018"),
    ("Cải cách thể chế", "Tuyên truyền pháp luật", "Sở Tư pháp", "", "Thường xuyên trong năm"),
    ("Cải cách tài chính công", "Giao quyền tự chủ tài chính", "Sở Tài chính", "", "Trước ngày 10/3/2018"),
    ("Cải cách tài chính công", "Hướng dẫn cơ chế khoán chi", "Sở Tài chính", "Sở Nội vụ", "Tháng 3/2018"),
    ("Cải cách tài chính công", "Sắp xếp đơn vị sự nghiệp", "Sở Nội vụ, Sở Tài chính", "",
     "Trước ngày 01/3/2018"),
    ("Cải cách tài chính công", "Tổng kết cơ chế tự chủ", "Sở Tư pháp", "", "Trong năm 2018"),
]
# agency → {task: status as typed}; SYT reports but sends nothing
GOLDEN_ANSWERS = {
    "SNV": {"I.1": "HT", "I.2": "Đang thực hiện", "II.2": "Đang thực hiện", "II.3": "Đã hoàn thành"},
    "STP": {"I.3": "hoàn thành 100%", "I.4": "Thường xuyên", "II.4": ""},
    "STC": {"II.1": "Hoàn thành quá hạn", "II.2": "chua thuc hien", "II.3": "dang thuc hien"},
}
GOLDEN_AREAS = [  # worked out by hand from the table above (docs/collect.md explains the model)
    {"code": "I", "total": 4, "due": 2, "done": 2, "done_due": 1, "done_on_time": 2, "done_late": 0,
     "in_progress": 1, "not_started": 0, "recurring": 1, "unknown": 0, "overdue": 1,
     "rate": 50.0, "rate_all": 50.0},
    {"code": "II", "total": 4, "due": 2, "done": 1, "done_due": 1, "done_on_time": 0, "done_late": 1,
     "in_progress": 1, "not_started": 1, "recurring": 0, "unknown": 1, "overdue": 1,
     "rate": 50.0, "rate_all": 25.0},
]


def golden_workbook(folder: Path) -> Path:
    wb = openpyxl.load_workbook(WORKBOOK)
    ws = wb["Nhiệm vụ"]
    ws.delete_rows(2, ws.max_row)
    for row in GOLDEN_TASKS:
        ws.append([*row, None])
    reports_only(wb, "SNV", "STP", "STC", "SYT")
    path = folder / "nho.xlsx"
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def golden(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("golden")
    workbook = golden_workbook(root)
    built = build(workbook, root / "out")
    forms = built.folder / "bao-cao" / "quy-1"
    returned = root / "returned"
    returned.mkdir()
    styles = {"SNV": "tracked", "STP": "split", "STC": "control"}
    for code, answers in GOLDEN_ANSWERS.items():
        doc = Document(str(forms / f"{code.lower()}.docx"))
        for task, status in answers.items():
            fill.fill_row(doc, task, f"Kết quả {task} của {code}. Đã báo cáo UBND tỉnh", status,
                          how=styles[code])
        # STP saves after the deadline (5/3/2018): late
        fill.saved(doc, datetime(2018, 3, 9, 10) if code == "STP" else datetime(2018, 3, 2, 15))
        (returned / f"{code.lower()}.docx").write_bytes(fill.to_bytes(doc))
    out = root / "out"
    result = collect([returned], workbook, out)
    data = json.loads((result.folder / "tong-hop.json").read_text(encoding="utf-8"))
    return {"workbook": workbook, "returned": returned, "out": out, "result": result, "json": data,
            "forms": forms}


def test_golden_counts_and_rates_with_both_denominators(golden: dict) -> None:
    data = golden["json"]
    areas = [{k: a[k] for k in GOLDEN_AREAS[0]} for a in data["areas"]]
    assert areas == GOLDEN_AREAS
    assert data["totals"]["total"] == 8 and data["totals"]["due"] == 4 and data["totals"]["done"] == 3
    assert data["plan_rate"] == 50.0  # 2 done of 4 due
    assert data["plan_rate_all"] == 37.5  # 3 done of 8


def test_golden_tasks_lead_decides_and_disagreement_listed(golden: dict) -> None:
    tasks = {t["code"]: t for t in golden["json"]["tasks"]}
    assert (tasks["I.1"]["status"], tasks["I.1"]["timeliness"]) == ("done", "on_time")
    assert (tasks["I.2"]["status"], tasks["I.2"]["timeliness"]) == ("in_progress", "late")  # due 14/3
    assert (tasks["I.3"]["status"], tasks["I.3"]["timeliness"]) == ("done", "on_time")
    assert (tasks["I.4"]["status"], tasks["I.4"]["timeliness"]) == ("recurring", "within")
    assert (tasks["II.1"]["status"], tasks["II.1"]["timeliness"]) == ("done", "late")
    # the lead (STC) decides; the coordinator's other answer is kept and listed
    assert (tasks["II.2"]["status"], tasks["II.2"]["timeliness"]) == ("not_started", "not_due")
    assert tasks["II.2"]["agencies"]["SNV"] == {
        "role": "coordinator", "status": "in_progress", "status_text": "Đang thực hiện",
        "result": "Kết quả II.2 của SNV. Đã báo cáo UBND tỉnh", "note": "", "file": "snv.docx"}
    assert tasks["II.2"]["disagreements"] == ["SNV"]
    # two leads: one done, one in progress → in progress, and both answers kept
    assert tasks["II.3"]["lead"] == ["SNV", "STC"] and tasks["II.3"]["status"] == "in_progress"
    assert tasks["II.4"]["status"] == "unknown"


def test_golden_receipt_late_and_missing(golden: dict) -> None:
    data = golden["json"]
    assert data["period"]["code"] == "quy-1"
    assert sorted(data["received"]) == ["SNV", "STC", "STP"]
    assert data["late"] == ["STP"]
    assert data["missing"] == ["SYT"]
    receipts = {r["agency"]: r for r in data["receipts"]}
    assert receipts["STP"] == {"agency": "STP", "received": "2018-03-09", "date_source": "file",
                               "file": "stp.docx", "late": True}


def test_tracking_workbook_is_readable_by_a_clerk(golden: dict) -> None:
    wb = openpyxl.load_workbook(golden["result"].folder / "tong-hop.xlsx")
    assert wb.sheetnames == ["Tổng hợp", "Nhiệm vụ", "Chi tiết", "Cơ quan", "Tiếp nhận", "Nhập tay",
                             "Chưa gửi, trễ hạn", "Vấn đề"]
    summary = wb["Tổng hợp"]
    assert summary.freeze_panes == "A2" and summary.auto_filter.ref
    last = [c.value for c in summary[summary.max_row]]
    assert last[1] == "Cả kế hoạch" and last[2:5] == [8, 4, 3] and last[-2:] == [50.0, 37.5]
    details = wb["Chi tiết"]
    rows = [[c.value for c in r] for r in details.iter_rows(min_row=2)]
    coordinator = ["II.2", "SNV", "Sở Nội vụ", "phối hợp", "Đang thực hiện", "đang thực hiện"]
    assert coordinator in [r[:6] for r in rows]
    absent = [[c.value for c in r][:3] for r in wb["Chưa gửi, trễ hạn"].iter_rows(min_row=2)]
    assert absent == [["SYT", "Sở Y tế", "chưa gửi báo cáo"], ["STP", "Sở Tư pháp", "gửi trễ hạn"]]
    problems = [[c.value for c in r] for r in wb["Vấn đề"].iter_rows(min_row=2)]
    empty = [p for p in problems if "II.4" in p[4]]
    assert empty and empty[0][1:4] == ["stp.docx", 2, 6]  # file, table, row


def test_a_second_run_over_unchanged_forms_rewrites_nothing(golden: dict) -> None:
    before = {p: p.stat().st_mtime_ns for p in golden["result"].folder.iterdir()}
    again = collect([golden["returned"]], golden["workbook"], golden["out"])
    assert again.written == ()
    assert {p: p.stat().st_mtime_ns for p in golden["result"].folder.iterdir()} == before


def test_clerk_entries_are_kept_between_runs(golden: dict, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(golden["out"], out)
    path = out / "2018" / "tong-hop" / "quy-1" / "tong-hop.xlsx"
    wb = openpyxl.load_workbook(path)
    receipt = wb["Tiếp nhận"]
    for row in receipt.iter_rows(min_row=2):
        if row[0].value == "STP":
            row[2].value = "04/03/2018"  # the clerk's register says it came on time
    wb["Nhập tay"].append(["SYT", "I.1", "Hoàn thành", "Báo cáo giấy, nhập tay", ""])
    wb.save(path)
    result = collect([golden["returned"]], golden["workbook"], out)
    data = json.loads((result.folder / "tong-hop.json").read_text(encoding="utf-8"))
    assert data["late"] == [] and data["missing"] == []
    assert {r["agency"]: r["date_source"] for r in data["receipts"]}["STP"] == "clerk"
    tasks = {t["code"]: t for t in data["tasks"]}
    assert tasks["I.1"]["agencies"]["SYT"]["file"] == "nhập tay"
    assert len(result.backups) == 1  # the edited workbook is kept beside the new one
    kept = openpyxl.load_workbook(path)
    assert ["SYT", "I.1", "Hoàn thành", "Báo cáo giấy, nhập tay", None] in \
        [[c.value for c in r] for r in kept["Nhập tay"].iter_rows(min_row=2)]


def test_clerk_entries_saved_by_libreoffice_calc_are_kept(golden: dict, tmp_path: Path) -> None:
    # a clerk on LibreOffice types the register's date and a paper report's row, and saves as .xlsx
    soffice = need_tool("soffice")
    out = tmp_path / "out"
    shutil.copytree(golden["out"], out)
    path = out / "2018" / "tong-hop" / "quy-1" / "tong-hop.xlsx"
    wb = openpyxl.load_workbook(path)
    row = next(r for r in wb["Tiếp nhận"].iter_rows(min_row=2) if r[0].value == "STP")
    row[2].value = datetime(2018, 3, 4)
    wb["Nhập tay"].append(["SYT", "I.1", "Hoàn thành", "Báo cáo giấy, nhập tay", ""])
    typed = tmp_path / "typed" / "tong-hop.xlsx"
    typed.parent.mkdir()
    wb.save(typed)
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(tmp_path / "calc"),
                    str(typed)], capture_output=True, timeout=240, env=office_env())
    by_calc = tmp_path / "calc" / "tong-hop.xlsx"
    if not by_calc.is_file():
        message = "LibreOffice Calc is not installed (apt-get install libreoffice-calc-nogui)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    saved = by_calc.read_bytes()
    assert saved != typed.read_bytes()  # written anew by Calc
    path.write_bytes(saved)
    result = collect([golden["returned"]], golden["workbook"], out)
    data = json.loads((result.folder / "tong-hop.json").read_text(encoding="utf-8"))
    assert data["late"] == [] and data["missing"] == []  # the register's date counts: on time
    assert {r["agency"]: r["date_source"] for r in data["receipts"]}["STP"] == "clerk"
    assert {t["code"]: t for t in data["tasks"]}["I.1"]["agencies"]["SYT"]["file"] == "nhập tay"
    assert [b.read_bytes() for b in result.backups] == [saved]  # Calc's file is kept as it was
    kept = openpyxl.load_workbook(path)
    assert ["SYT", "I.1", "Hoàn thành", "Báo cáo giấy, nhập tay", None] in \
        [[c.value for c in r] for r in kept["Nhập tay"].iter_rows(min_row=2)]
    assert {p.name: p.value for p in kept.custom_doc_props}["vanban.period"] == "quy-1"


@pytest.mark.parametrize("typed", ["31/2/2018", "hôm qua"])
def test_a_received_date_the_clerk_mistyped_is_named_by_its_cell(golden: dict, tmp_path: Path,
                                                                  typed: str) -> None:
    out = tmp_path / "out"
    shutil.copytree(golden["out"], out)
    path = out / "2018" / "tong-hop" / "quy-1" / "tong-hop.xlsx"
    wb = openpyxl.load_workbook(path)
    row = next(r for r in wb["Tiếp nhận"].iter_rows(min_row=2) if r[0].value == "STP")
    row[2].value = typed
    wb.save(path)
    before = {p.name: p.read_bytes() for p in path.parent.iterdir()}
    result = CliRunner().invoke(main, ["collect", str(golden["returned"]), "--workbook",
                                       str(golden["workbook"]), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, ValueError)
    assert f"tong-hop.xlsx: Tiếp nhận!C{row[0].row}: ngày nhận «{typed}» không đọc được" in result.output
    assert {p.name: p.read_bytes() for p in path.parent.iterdir()} == before  # nothing written


def test_a_form_saved_late_in_the_evening_utc_is_received_the_next_day_in_vietnam(
        golden: dict, tmp_path: Path) -> None:
    # Word records the save in UTC: 18:00Z on 5/3 (the deadline) is 01:00 on 6/3 in Vietnam: late
    returned = tmp_path / "returned"
    shutil.copytree(golden["returned"], returned)
    form = returned / "stc.docx"
    with zipfile.ZipFile(form) as z:
        core = z.read("docProps/core.xml").decode("utf-8")
    core = re.sub(r"(<dcterms:modified[^>]*>)[^<]*", r"\g<1>2018-03-05T18:00:00Z", core)
    rewrite_members(form, tmp_path / "stc.docx", {"docProps/core.xml": core})
    shutil.move(tmp_path / "stc.docx", form)
    result = collect([returned], golden["workbook"], tmp_path / "out")
    data = json.loads((result.folder / "tong-hop.json").read_text(encoding="utf-8"))
    stc = {r["agency"]: r for r in data["receipts"]}["STC"]
    assert stc["received"] == "2018-03-06" and "STC" in data["late"], stc


def test_the_report_and_the_reminder_are_signed_as_the_workbook_says(golden: dict, tmp_path: Path) -> None:
    from tests.docx_text import document_lines

    wb = openpyxl.load_workbook(golden["workbook"])
    sheet = wb["Thông tin chung"]
    rows = {row[0].value: row[0].row for row in sheet.iter_rows(min_row=2)}
    for label, value in (("Báo cáo tổng hợp: quyền hạn ký", "TM."),
                         ("Báo cáo tổng hợp: ký thay mặt cho", "ỦY BAN NHÂN DÂN"),
                         ("Báo cáo tổng hợp: chức vụ người ký", "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"),
                         ("Báo cáo tổng hợp: họ tên người ký", "Trần Văn Mi")):
        sheet.cell(rows[label], 2).value = value
    workbook = tmp_path / "ky-rieng.xlsx"
    wb.save(workbook)
    result = collect([golden["returned"]], workbook, tmp_path / "out")
    for name in ("bao-cao-tong-hop.docx", "don-doc.docx"):
        lines = document_lines(result.folder / name)
        end = lines.index("TM. ỦY BAN NHÂN DÂN")
        assert lines[end:end + 2] == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"], name
        assert "Trần Văn Mi" in lines[end:] and "Nguyễn Văn Trâm" not in lines, name
    # half a signature is refused at its cell
    name_row = rows["Báo cáo tổng hợp: họ tên người ký"]
    sheet.cell(name_row, 2).value = None
    wb.save(workbook)
    run = CliRunner().invoke(main, ["check", str(workbook)])
    assert run.exit_code == 1, run.output
    assert (f"Thông tin chung!B{name_row}: Đã ghi chữ ký của báo cáo tổng hợp nhưng thiếu họ tên "
            "người ký") in run.output, run.output


def test_returned_files_are_never_changed(golden: dict) -> None:
    files = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in golden["returned"].iterdir()}
    collect([golden["returned"]], golden["workbook"], golden["out"])
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in golden["returned"].iterdir()} == files


# -- the window edges -------------------------------------------------------------------------


@pytest.mark.parametrize("code, edge", [("quy-1", date(2018, 3, 14)), ("6-thang", date(2018, 6, 14)),
                                        ("quy-3", date(2018, 9, 14)), ("nam", date(2018, 12, 14))])
def test_status_at_each_window_edge(code: str, edge: date) -> None:
    plan, _ = load_checked(WORKBOOK)
    period = next(p for p in plan.periods if p.code == code)
    window = st.Window(period.data_from, period.data_to)
    assert window.last == edge
    going = st.Answer(st.IN_PROGRESS)
    done = st.Answer(st.DONE)
    on_edge, after = edge, date(edge.year, edge.month, edge.day + 1)
    assert st.is_due(on_edge, window) and not st.is_due(after, window)
    assert st.timeliness(going, on_edge, window) == st.LATE
    assert st.timeliness(going, after, window) == st.NOT_DUE
    assert st.timeliness(done, on_edge, window) == st.ON_TIME
    assert st.timeliness(st.Answer(st.DONE, said_late=True), on_edge, window) == st.LATE
    # a task not yet due cannot have been finished late, whatever the agency wrote
    assert st.timeliness(st.Answer(st.DONE, said_late=True), after, window) == st.ON_TIME
    assert st.timeliness(st.Answer(st.DONE, said_late=True), None, window) == st.ON_TIME
    assert st.timeliness(going, None, window) == st.WITHIN
    assert st.timeliness(None, on_edge, window) == st.LATE  # not reported, deadline passed


@pytest.mark.parametrize("text, completion, late", [
    ("HT", st.DONE, False), ("Đã hoàn thành", st.DONE, False), ("hoàn thành 100%", st.DONE, False),
    ("HOÀN THÀNH", st.DONE, False), ("hoan thanh", st.DONE, False), ("Hoàn thành quá hạn", st.DONE, True),
    ("HT trễ hạn", st.DONE, True), ("Hoàn thành đúng hạn", st.DONE, False),
    ("hoàn thành 60%", st.IN_PROGRESS, False), ("Đang thực hiện", st.IN_PROGRESS, False),
    ("dang thuc hien", st.IN_PROGRESS, False), ("Chưa hoàn thành", st.IN_PROGRESS, False),
    ("Chưa thực hiện", st.NOT_STARTED, False), ("chua trien khai", st.NOT_STARTED, False),
    ("Thường xuyên", st.RECURRING, False), ("Thực hiện thường xuyên", st.RECURRING, False),
    ("HTQH", st.DONE, True), ("Hoàn thành chậm", st.DONE, True), ("Hoàn thành (100%)", st.DONE, False),
    ("Hoàn thành, không chậm trễ", st.DONE, False), ("Hoàn thành đúng hạn, không quá hạn", st.DONE, False),
    ("Đã hoàn thành ngày 10/3/2018 theo kế hoạch", st.DONE, False),
])
def test_status_spellings(text: str, completion: str, late: bool) -> None:
    assert st.read_answer(text) == st.Answer(completion, late)


@pytest.mark.parametrize("text", ["Tốt", "xem báo cáo kèm theo", "?", "Không rõ",
                                  "Hoàn thành một phần", "Hoàn thành 1/2 nội dung",
                                  "Hoàn thành chưa đạt yêu cầu", "Hoàn thành không đạt",
                                  "Hoàn thành\nĐang thực hiện"])
def test_status_that_cannot_be_read_is_never_guessed(text: str) -> None:
    assert st.read_answer(text) is None


# -- the edits agencies make, read by our reader as by docx2python --------------------------


@pytest.fixture(scope="module")
def snv_form(built_2018) -> Path:
    return built_2018.folder / "bao-cao" / "quy-1" / "snv.docx"


EDITS = ["plain", "tracked", "split", "control", "comment", "added-row", "deleted-row", "merged",
         "moved"]


def edited(form: Path, edit: str) -> tuple[bytes, list[str]]:
    doc = Document(str(form))
    codes = fill.task_codes(doc)
    how = edit if edit in fill.TYPERS else "plain"
    for code in codes:
        fill.fill_row(doc, code, f"Kết quả {code}. Số liệu kèm theo", "Đang thực hiện", how=how)
    if edit == "comment":
        fill.comment_on(doc, codes[0], "Bổ sung số liệu")
    elif edit == "added-row":
        fill.add_row_after(doc, codes[0], "Thêm một dòng kết quả")
    elif edit == "deleted-row":
        fill.delete_row(doc, codes[1])
    elif edit == "merged":
        fill.merge_notes(doc, codes[0], codes[1], "Ghi chú chung hai dòng")
    elif edit == "moved":
        fill.move_targets_first(doc)
    return fill.to_bytes(doc), codes


@pytest.mark.parametrize("edit", EDITS)
def test_each_edit_reads_back(snv_form: Path, edit: str) -> None:
    data, codes = edited(snv_form, edit)
    form = read_form(Source("snv.docx", data, None))
    rows = {r.code: r for r in form.tasks}
    expected = [c for c in codes if not (edit == "deleted-row" and c == codes[1])]
    assert list(rows) == expected
    first = rows[codes[0]]
    assert first.status == "Đang thực hiện"
    if edit == "split":
        assert first.result == f"Kết quả {codes[0]}.\nSố liệu kèm theo"
    elif edit == "added-row":
        assert first.result == f"Kết quả {codes[0]}. Số liệu kèm theo\nThêm một dòng kết quả"
    else:
        assert first.result == f"Kết quả {codes[0]}. Số liệu kèm theo"
    if edit == "merged":
        assert first.note == "Ghi chú chung hai dòng" and rows[codes[1]].note == ""
    assert form.tracked == (edit == "tracked")
    assert form.properties["vanban.agency"] == "SNV"


@pytest.mark.parametrize("edit", EDITS)
def test_our_reader_reads_the_cells_docx2python_reads(snv_form: Path, edit: str, tmp_path: Path) -> None:
    """docx2python, the well-kept reader, is the reference for every cell of every task row."""
    from docx2python import docx2python

    data, _ = edited(snv_form, edit)
    path = tmp_path / "form.docx"
    path.write_bytes(data)
    ours = {r.code: (r.result, r.status, r.note) for r in read_form(Source("f", data, None)).tasks}
    with docx2python(path, duplicate_merged_cells=False) as d2p:
        tables = [t for t in d2p.body if t and any("Mức độ hoàn thành" in "".join(c) for c in t[0])]
    theirs = {}
    for row in tables[0][1:]:
        cells = ["\n".join(p for p in cell if p).strip() for cell in row]
        if len(cells) == 7 and cells[0] in ours:
            theirs[cells[0]] = (cells[4], cells[5], cells[6])
    if edit == "added-row":  # ours joins the added row to the task above; compare the rest
        first = next(iter(ours))
        ours[first] = (ours[first][0].split("\n")[0], *ours[first][1:])
    assert ours == theirs


# -- the reader's single pass reads what its general walk reads -----------------------------
# read_document reads a form in one pass over the elements that matter when it can, and declines
# (leaving it to the general walk, which the test above holds to docx2python) the shapes that pass
# does not read; either way the form must read the same, cell by cell and paragraph by paragraph.

_NS = f'xmlns:w="{fill.W}" xmlns:v="urn:schemas-microsoft-com:vml"'


def _xml(markup: str):
    """An element from WordprocessingML markup written with the w: and v: prefixes."""
    from docx.oxml import parse_xml

    return parse_xml(re.sub(r"^<([\w:]+)", rf"<\1 {_NS}", markup, count=1))


def _result_cell(doc, code: str):
    return fill.task_row(doc, code).cells[4]


def _shape_breaks(doc, codes):  # tab stops, tabs, line breaks, a non-breaking hyphen and space
    p = _result_cell(doc, codes[0]).paragraphs[0]._p
    p.insert(0, _xml('<w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>'))
    p.append(_xml('<w:r><w:t>Một</w:t><w:tab/><w:t>hai</w:t><w:br/><w:t>ba</w:t><w:cr/>'
                  '<w:t>bốn</w:t><w:noBreakHyphen/><w:t>năm\u00a0sáu</w:t></w:r>'))


def _shape_nested_table(doc, codes):  # a small table typed inside a result cell
    table = _result_cell(doc, codes[0]).add_table(rows=2, cols=2)
    for i, cell in enumerate(table._cells):
        cell.text = f"Số liệu {i}"


def _shape_text_box(doc, codes):  # a text box (VML) in a paragraph of the body
    doc.paragraphs[-1]._p.append(_xml(
        '<w:r><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>Trong khung</w:t></w:r></w:p>'
        '</w:txbxContent></v:textbox></v:shape></w:pict></w:r>'))


def _shape_grid_before(doc, codes):  # a row that starts one grid column in
    tr = fill.task_row(doc, codes[1])._tr
    tr.insert(0, _xml('<w:trPr><w:gridBefore w:val="1"/></w:trPr>'))


def _shape_span_change(doc, codes):  # a merge across columns, and a former span kept by Word
    tc = _result_cell(doc, codes[0])._tc
    pr = tc.get_or_add_tcPr()
    pr.append(_xml('<w:gridSpan w:val="2"/>'))
    pr.append(_xml('<w:tcPrChange w:id="7" w:author="A"><w:tcPr><w:gridSpan w:val="3"/></w:tcPr>'
                   '</w:tcPrChange>'))


def _shape_links_and_fields(doc, codes):  # a hyperlink and a simple field around runs
    p = _result_cell(doc, codes[0]).paragraphs[0]._p
    p.append(_xml('<w:hyperlink><w:r><w:t>liên kết</w:t></w:r></w:hyperlink>'))
    p.append(_xml('<w:fldSimple w:instr="PAGE"><w:r><w:t>3</w:t></w:r></w:fldSimple>'))


def _shape_inserted_only(doc, codes):  # Track Changes with words added, none deleted
    _result_cell(doc, codes[0]).paragraphs[0]._p.append(_xml(
        '<w:ins w:id="1" w:author="A"><w:r><w:t>thêm vào</w:t></w:r></w:ins>'))


def _shape_wrapped_blocks(doc, codes):  # a content control around a body paragraph and a row
    p = doc.paragraphs[-1]._p
    sdt = _xml('<w:sdt><w:sdtPr/><w:sdtContent/></w:sdt>')
    p.addprevious(sdt)
    sdt[1].append(p)
    tr = fill.task_row(doc, codes[0])._tr
    row_sdt = _xml('<w:sdt><w:sdtPr/><w:sdtContent/></w:sdt>')
    tr.addprevious(row_sdt)
    row_sdt[1].append(tr)


def _shape_empty_paragraphs(doc, codes):  # empty paragraphs around the text of a cell
    cell = _result_cell(doc, codes[0])
    cell.add_paragraph("")
    cell.add_paragraph("Đoạn cuối")
    cell.add_paragraph("")


SHAPES = {  # name: (edit, read in one pass)
    "breaks": (_shape_breaks, True), "nested-table": (_shape_nested_table, False),
    "text-box": (_shape_text_box, False), "grid-before": (_shape_grid_before, True),
    "span-change": (_shape_span_change, True), "links-fields": (_shape_links_and_fields, True),
    "inserted-only": (_shape_inserted_only, True), "wrapped-blocks": (_shape_wrapped_blocks, True),
    "empty-paragraphs": (_shape_empty_paragraphs, True),
}


def _read_both_ways(data: bytes) -> tuple[list, list, bool]:
    from lxml import etree

    from generator.collect import reader
    from generator.workbook.filecheck import inspect_document

    xml = inspect_document(data, "f.docx")["word/document.xml"]

    def blocks(doc: reader.Document) -> list:
        return [(doc.tracked, doc.properties)] + [
            b if isinstance(b, str) else
            (b.number, [[(c.column, c.span, c.continued, c.text) for c in r.cells] for r in b.rows])
            for b in doc.blocks]

    root = etree.fromstring(xml, reader._PARSER)
    one_pass = next(root.iter(*reader._HIDDEN_TAGS), None) is None and \
        reader._fast_blocks(next(root.iterchildren(reader._BODY))) is not None
    return blocks(reader.read_document(xml)), blocks(reader.read_document(xml, single_pass=False)), one_pass


@pytest.mark.parametrize("edit", EDITS)
def test_the_single_pass_reads_each_edit_as_the_general_walk(snv_form: Path, edit: str) -> None:
    data, _ = edited(snv_form, edit)
    fast, general, one_pass = _read_both_ways(data)
    assert fast == general
    assert one_pass == (edit != "tracked")  # deleted text is left to the general walk


@pytest.mark.parametrize("shape", SHAPES)
def test_the_single_pass_reads_each_shape_as_the_general_walk(snv_form: Path, shape: str) -> None:
    doc = Document(str(snv_form))
    codes = fill.task_codes(doc)
    for code in codes:
        fill.fill_row(doc, code, f"Kết quả {code}", "Hoàn thành", note="Ghi chú")
    make, expected_one_pass = SHAPES[shape]
    make(doc, codes)
    fast, general, one_pass = _read_both_ways(fill.to_bytes(doc))
    assert fast == general
    assert one_pass == expected_one_pass
    if shape == "breaks":
        cells = [c[3] for t in fast[1:] if isinstance(t, tuple) for r in t[1] for c in r]
        assert f"Kết quả {codes[0]}Một hai\nba\nbốn-năm sáu" in cells


def test_the_single_pass_reads_a_form_saved_by_libreoffice_as_the_general_walk(
        snv_form: Path, tmp_path: Path) -> None:
    soffice = need_tool("soffice")
    data, _ = edited(snv_form, "split")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "snv.docx").write_bytes(data)
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(tmp_path / "out"),
                    str(tmp_path / "in" / "snv.docx")], check=True, capture_output=True, timeout=240,
                   env=office_env())
    fast, general, one_pass = _read_both_ways((tmp_path / "out" / "snv.docx").read_bytes())
    assert fast == general
    assert one_pass
    from generator.collect import reader
    if reader._fastdocx is not None:  # built wherever CI runs (test_collect_fast_reader checks it)
        xml = zipfile.ZipFile(tmp_path / "out" / "snv.docx").read("word/document.xml")
        by_tokenizer = reader._fastdocx.blocks(xml, reader.Cell, reader.Row, reader.Table, 2)
        assert by_tokenizer is not None  # LibreOffice's XML is read by the tokenizer, not expat


def test_a_form_saved_by_libreoffice_and_an_odt_read_alike(snv_form: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    soffice = need_tool("soffice")
    data, codes = edited(snv_form, "tracked")
    (tmp_path / "snv.docx").write_bytes(data)
    (tmp_path / "stp.docx").write_bytes(edited(snv_form.parent / "stp.docx", "plain")[0])
    converted, returned = tmp_path / "converted", tmp_path / "returned"
    returned.mkdir()
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "odt", "--outdir", str(converted), str(tmp_path / "snv.docx"),
                    str(tmp_path / "stp.docx")], check=True, capture_output=True, timeout=240,
                   env=office_env())
    shutil.copy(converted / "snv.odt", returned)
    with zipfile.ZipFile(returned / "nop-lai.zip", "w") as z:  # an .odt sent inside a .zip
        z.write(converted / "stp.odt", "stp.odt")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    result = collect([returned], WORKBOOK, tmp_path / "out", "quy-1")  # converted by LibreOffice
    tasks = {t["code"]: t for t in json.loads((result.folder / "tong-hop.json").read_text("utf-8"))["tasks"]}
    answer = tasks[codes[0]]["agencies"]["SNV"]
    assert answer["status"] == "in_progress"
    assert answer["result"] == f"Kết quả {codes[0]}. Số liệu kèm theo"
    assert answer["file"] == "snv.odt"
    stp = next(t["agencies"]["STP"] for t in tasks.values() if "STP" in t["agencies"])
    assert stp["file"] == "nop-lai.zip/stp.odt"  # named as the clerk sees it, not by a temporary copy
    assert list(scratch.iterdir()) == []  # the copies taken out of the .zip are gone


# -- the command line -----------------------------------------------------------------------


def test_cli_collect_prints_the_summary(golden: dict, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["collect", str(golden["returned"]), "--workbook",
                                  str(golden["workbook"]), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Kỳ quý I: 3 báo cáo; 3 cơ quan đã gửi, 1 trễ hạn, 1 chưa gửi." in result.output
    assert "Hoàn thành 2/4 nhiệm vụ đến hạn (50,0%), 3/8 nhiệm vụ của kế hoạch." in result.output


def test_a_changed_task_warns_only_on_the_forms_that_list_it(golden: dict, tmp_path: Path) -> None:
    """Sở Tư pháp's task text changed after the forms went out: its form is read with a warning
    naming the file; Sở Nội vụ's and Sở Tài chính's forms, which do not list the task, are not."""
    wb = openpyxl.load_workbook(golden["workbook"])
    ws = wb["Nhiệm vụ"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 2).value == "Tuyên truyền pháp luật")
    ws.cell(row, 2).value = "Tuyên truyền, phổ biến pháp luật"
    workbook = tmp_path / "sua.xlsx"
    wb.save(workbook)
    result = collect([golden["returned"]], workbook, tmp_path / "out")
    changed = [str(p.loc) for p in result.problems if p.code == "collect-task-list-changed"]
    assert changed == ["stp.docx"]


# -- the report draft, its charts and the reminder ----------------------------------------------


def docx_tables(path: Path) -> list[list[list[str]]]:
    doc = Document(str(path))
    return [[[c.text for c in row.cells] for row in table.rows] for table in doc.tables]


def test_report_and_reminder_pass_lint(golden: dict) -> None:
    from generator.pipeline import lint_paths

    folder = golden["result"].folder
    files = [folder / "bao-cao-tong-hop.docx", folder / "don-doc.docx"]
    assert [f.name for f in files if f.is_file()] == ["bao-cao-tong-hop.docx", "don-doc.docx"]
    assert lint_paths(files, None) == []


def test_a_chart_gives_a_name_that_takes_two_lines_the_room_of_two_lines(golden: dict) -> None:
    import struct

    from generator.collect.summary import CHART_TITLES, DPI, chart_data, chart_png

    labels, rows = chart_data(golden["result"].consolidation)["chart_agencies"]

    def height(names: list[str]) -> int:  # the PNG's height in pixels, from its header
        return struct.unpack(">I", chart_png(names, rows, CHART_TITLES["chart_agencies"])[20:24])[0]

    one_line = height(["Sở Nông nghiệp và Phát triển nông thôn", *labels[1:]])  # 38 letters: one line
    assert one_line == height(list(labels))
    longer = ["Ban Quản lý các khu công nghiệp và khu kinh tế tỉnh", *labels[1:]]  # 51 letters: two
    # every bar is spaced for two lines (3.5 mm more each), not only that one
    assert height(longer) - one_line >= 0.95 * 3.5 * len(labels) * DPI / 25.4


def test_each_chart_is_in_the_report_and_its_table_holds_the_same_numbers(golden: dict) -> None:
    import zipfile

    from generator.collect.summary import CHART_TITLES, chart_data, chart_png

    path = golden["result"].folder / "bao-cao-tong-hop.docx"
    with zipfile.ZipFile(path) as z:
        media = {z.read(n) for n in z.namelist() if n.startswith("word/media/")}
    data = chart_data(golden["result"].consolidation)
    assert len(media) == len(data) == 2
    for name, (labels, rows) in data.items():
        assert chart_png(labels, rows, CHART_TITLES[name]) in media  # the very chart of these numbers
    tables = docx_tables(path)
    by_area = next(t for t in tables if t[0][:3] == ["TT", "Lĩnh vực", "Tổng số"])
    labels, rows = data["chart_areas"]
    for row, label, counts in zip(by_area[1:], labels, rows, strict=False):
        assert label.startswith(row[0] + ". ") and row[1] in label
        assert [int(v) for v in row[2:8]] == [counts.total, counts.done, counts.in_progress,
                                              counts.not_started, counts.recurring, counts.unknown]
    assert by_area[-1][1:] == ["Cả kế hoạch", "8", "3", "2", "1", "1", "1", "50,0%"]
    by_agency = next(t for t in tables if t[0][:2] == ["TT", "Cơ quan, đơn vị"])
    labels, rows = data["chart_agencies"]
    assert [r[1] for r in by_agency[1:]] == labels == ["Sở Nội vụ", "Sở Tư pháp", "Sở Tài chính", "Sở Y tế"]
    for row, counts in zip(by_agency[1:], rows, strict=True):
        assert [int(v) for v in row[2:8]] == [counts.total, counts.done, counts.in_progress,
                                              counts.not_started, counts.recurring, counts.unknown]
    assert [r[-1] for r in by_agency[1:]] == ["đúng hạn", "trễ hạn", "đúng hạn", "chưa gửi"]


def test_report_words(golden: dict) -> None:
    from tests.docx_text import document_lines

    lines = document_lines(golden["result"].folder / "bao-cao-tong-hop.docx")
    text = "\n".join(lines)
    assert "Kính gửi: Bộ Nội vụ." in text
    assert ("Kế hoạch có 8 nhiệm vụ. Đến hết ngày 14/3/2018, 4 nhiệm vụ đến hạn, đã hoàn thành 2 nhiệm "
            "vụ, đạt 50,0%; 2 nhiệm vụ đến hạn chưa hoàn thành (quá hạn).") in text
    assert "3/4 cơ quan, đơn vị đã gửi báo cáo; 1 cơ quan, đơn vị gửi trễ hạn (sau ngày 05/3/2018)" in text
    assert "Các cơ quan, đơn vị chưa gửi báo cáo: Sở Y tế." in text
    assert ("- I.1 Rà soát văn bản quy phạm pháp luật (hoàn thành, đúng hạn; chủ trì: Sở Nội vụ): "
            "Kết quả I.1 của SNV. Đã báo cáo UBND tỉnh.") in lines
    assert ("- II.3 Sắp xếp đơn vị sự nghiệp (đang thực hiện, quá hạn; chủ trì: Sở Nội vụ, Sở Tài chính): "
            "Sở Nội vụ: Kết quả II.3 của SNV. Đã báo cáo UBND tỉnh; Sở Tài chính: Kết quả II.3 của STC. "
            "Đã báo cáo UBND tỉnh.") in lines
    assert "- II.3 (kết luận theo cơ quan chủ trì: đang thực hiện): Sở Nội vụ đánh giá khác (hoàn thành: 1)" \
        in lines
    reminder = "\n".join(document_lines(golden["result"].folder / "don-doc.docx"))
    assert "Kính gửi: Sở Y tế." in reminder
    assert "Đến nay, 1 cơ quan, đơn vị nêu trên chưa gửi báo cáo." in reminder


def test_same_forms_give_the_same_bytes(golden: dict, tmp_path: Path) -> None:
    from generator.collect.summary import _drawn

    _drawn.cache_clear()  # the charts drawn again, not taken as this process drew them
    again = collect([golden["returned"]], golden["workbook"], tmp_path)
    for path in golden["result"].folder.iterdir():
        if path.suffix in (".docx", ".xlsx", ".json") and ".sao-luu-" not in path.name:
            assert (again.folder / path.name).read_bytes() == path.read_bytes(), path.name


def test_the_shipped_examples_are_forms_of_the_shipped_workbook(tmp_path: Path) -> None:
    """`make collect` on a fresh clone: 30 of 32 agencies, 4 late, no form made from another task
    list (when the workbook or the assignment rules change, run tools/make_example_forms.py)."""
    from tests.conftest import ROOT

    result = collect([ROOT / "data" / "vi-du-bao-cao" / "quy-1"], WORKBOOK, tmp_path)
    c = result.consolidation
    assert (len(c.received), len(c.late), len(c.missing)) == (30, 4, 2)
    assert [p.render() for p in result.problems if p.code == "collect-task-list-changed"] == []
    assert sorted(p.name for p in result.written) == ["bao-cao-tong-hop.docx", "don-doc.docx",
                                                      "tong-hop.json", "tong-hop.xlsx"]
