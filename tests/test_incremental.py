"""Rebuilds write only what changed, the same bytes every time, and never over a clerk's edits."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile
from datetime import date, datetime
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.output.manifest import context_json
from generator.pipeline import DEFAULT_TEMPLATES
from generator.pipeline import build as generator_build
from tests.conftest import WORKBOOK
from tests.docx_text import document_lines

PACKAGE = "3406-qd-ubnd.docx"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def build(workbook: Path, out: Path, *extra: str):
    result = run("build", str(workbook), "--out", str(out), *extra)
    return result


def snapshot(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every file of the folder with its inode, modification time and bytes."""
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


def changed_task(tmp_path: Path, lead: str = "Sở Tư pháp", text: str = "Nhiệm vụ đã sửa lại") -> Path:
    """The 2018 workbook with the text of the first task led by `lead` changed."""
    wb = openpyxl.load_workbook(WORKBOOK)
    ws = wb["Nhiệm vụ"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 3).value == lead)
    ws.cell(row, 2).value = text
    path = tmp_path / "sua-nhiem-vu.xlsx"
    wb.save(path)
    return path


def rewritten_by_changed_task() -> int:
    """Files a changed text of the first task of Sở Tư pháp rewrites: the package and every
    report form that lists the task (the forms' index keeps its bytes)."""
    from generator.plan.agencies import Agencies
    from generator.workbook.reader import load_plan

    plan = load_plan(WORKBOOK)
    task = next(t for t in plan.tasks if t.lead == "Sở Tư pháp")
    assignments = Agencies(plan).assignments
    listing = [a for a in plan.agencies if a.reports and any(
        n.task is task for n in assignments[a.code].led + assignments[a.code].coordinated)]
    return 1 + len(listing) * len(plan.periods)


def edit_by_hand(path: Path, words: str = "Dòng cán bộ thêm bằng tay") -> bytes:
    """What a clerk does in Word: open the output, add a line, save."""
    d = docx.Document(str(path))
    d.add_paragraph(words)
    d.save(str(path))
    return path.read_bytes()


@pytest.fixture
def first(tmp_path, built_2018):
    """A first build of the 2018 workbook: a copy of the session's one build, manifest included."""
    out = tmp_path / "out"
    shutil.copytree(built_2018.folder, out / "2018")
    return out, out / "2018"


def test_the_manifest_records_each_outputs_sha256(first):
    _, folder = first
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["files"][PACKAGE]
    assert entry["sha256"] == hashlib.sha256((folder / PACKAGE).read_bytes()).hexdigest()
    assert entry["template"] == "decision.docx"


def test_a_rebuild_with_nothing_changed_rewrites_nothing(first):
    out, folder = first
    before = snapshot(folder)
    result = build(WORKBOOK, out)
    assert result.exit_code == 0, result.output
    assert "0 tệp được ghi lại" in result.output
    assert "đã ghi" not in result.output
    assert snapshot(folder) == before  # same inodes, same times, same bytes, manifest included


def test_two_builds_give_byte_identical_files(first, tmp_path):
    _, folder = first
    other = tmp_path / "other"
    assert build(WORKBOOK, other).exit_code == 0
    ours = {name: data for name, (_, _, data) in snapshot(folder).items()}
    theirs = {name: data for name, (_, _, data) in snapshot(other / "2018").items()}
    assert ours == theirs


def test_changing_a_task_rewrites_the_package(first, tmp_path):
    out, folder = first
    result = build(changed_task(tmp_path), out)
    assert result.exit_code == 0, result.output
    assert f"đã ghi {folder / PACKAGE}" in result.output
    count = rewritten_by_changed_task()
    assert 1 < count < 130  # the forms of agencies without that task are left alone
    assert f"{count} tệp được ghi lại" in result.output
    assert any("Nhiệm vụ đã sửa lại" in line for line in document_lines(folder / PACKAGE))
    assert "danh-sach-bao-cao.xlsx" not in result.output


def test_a_changed_template_rewrites_its_documents(first, tmp_path):
    out, folder = first
    templates = tmp_path / "templates"
    shutil.copytree(DEFAULT_TEMPLATES, templates)
    template = templates / "decision.docx"
    with zipfile.ZipFile(DEFAULT_TEMPLATES / "decision.docx") as src, \
            zipfile.ZipFile(template, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace("Nơi nhận:<".encode(), "Nơi nhận (sửa mẫu):<".encode())
            dst.writestr(info, data)
    result = build(WORKBOOK, out, "--templates", str(templates))
    assert result.exit_code == 0, result.output
    assert "1 tệp được ghi lại" in result.output
    assert "Nơi nhận (sửa mẫu):" in document_lines(folder / PACKAGE)


def test_a_hand_edited_output_stops_the_rebuild_and_is_named(first, tmp_path):
    out, folder = first
    edited = edit_by_hand(folder / PACKAGE)
    before = snapshot(folder)
    result = build(changed_task(tmp_path), out)
    assert result.exit_code == 1
    assert str(folder / PACKAGE) in result.output
    assert "sửa tay" in result.output and "--force" in result.output
    assert "Traceback" not in result.output
    assert snapshot(folder) == before  # nothing written, not even the manifest
    assert (folder / PACKAGE).read_bytes() == edited


def test_force_keeps_a_dated_backup_then_overwrites(first, tmp_path):
    out, folder = first
    edited = edit_by_hand(folder / PACKAGE)
    workbook = changed_task(tmp_path)
    result = build(workbook, out, "--force")
    assert result.exit_code == 0, result.output
    backups = list(folder.glob("3406-qd-ubnd.*.bak.docx"))
    assert len(backups) == 1
    assert re.fullmatch(r"3406-qd-ubnd\.\d{8}-\d{6}\.bak\.docx", backups[0].name)
    stamp = datetime.strptime(backups[0].name.split(".")[1], "%Y%m%d-%H%M%S")
    assert abs((datetime.now() - stamp).total_seconds()) < 600
    assert backups[0].read_bytes() == edited
    assert str(backups[0]) in result.output
    lines = document_lines(folder / PACKAGE)
    assert "Dòng cán bộ thêm bằng tay" not in lines
    assert any("Nhiệm vụ đã sửa lại" in line for line in lines)
    # and the new file is vanban's again: the next rebuild has nothing to do
    again = build(workbook, out)
    assert again.exit_code == 0 and "0 tệp được ghi lại" in again.output


def test_a_hand_edit_is_left_alone_while_its_data_does_not_change(first):
    out, folder = first
    edited = edit_by_hand(folder / PACKAGE)
    result = build(WORKBOOK, out)
    assert result.exit_code == 0, result.output
    assert f"giữ nguyên {folder / PACKAGE}" in result.output
    assert "0 tệp được ghi lại" in result.output
    assert (folder / PACKAGE).read_bytes() == edited
    # --force makes it again from the workbook, keeping the edit beside it
    forced = build(WORKBOOK, out, "--force")
    assert forced.exit_code == 0, forced.output
    assert "Dòng cán bộ thêm bằng tay" not in document_lines(folder / PACKAGE)
    assert [b.read_bytes() for b in folder.glob("*.bak.docx")] == [edited]


def test_without_a_manifest_identical_outputs_are_not_rewritten(first):
    out, folder = first
    (folder / "manifest.json").unlink()
    package = snapshot(folder)[PACKAGE]
    result = build(WORKBOOK, out)
    assert result.exit_code == 0, result.output
    assert "0 tệp được ghi lại" in result.output
    assert snapshot(folder)[PACKAGE] == package
    assert (folder / "manifest.json").exists()


def test_without_a_manifest_a_different_output_counts_as_hand_edited(first):
    out, folder = first
    (folder / "manifest.json").unlink()
    edit_by_hand(folder / PACKAGE)
    result = build(WORKBOOK, out)
    assert result.exit_code == 1
    assert str(folder / PACKAGE) in result.output


def test_a_damaged_manifest_is_said_and_protects_like_a_missing_one(first):
    out, folder = first
    (folder / "manifest.json").write_text("{không phải json", encoding="utf-8")
    edit_by_hand(folder / PACKAGE)
    result = build(WORKBOOK, out)
    assert result.exit_code == 1
    assert str(folder / PACKAGE) in result.output


def test_an_interrupted_build_is_not_taken_for_a_hand_edit(first, tmp_path):
    out, folder = first
    old_manifest = (folder / "manifest.json").read_bytes()
    workbook = changed_task(tmp_path)
    assert build(workbook, out).exit_code == 0
    # as if killed after writing the outputs and before writing the manifest
    (folder / "manifest.json").write_bytes(old_manifest)
    result = build(workbook, out)
    assert result.exit_code == 0, result.output
    assert "0 tệp được ghi lại" in result.output


def test_dump_context_writes_each_documents_json_named_like_the_output(tmp_path):
    out, dump = tmp_path / "out", tmp_path / "ctx"
    result = build(WORKBOOK, out, "--dump-context", str(dump))
    assert result.exit_code == 0, result.output
    outputs = sorted(p.relative_to(out).with_suffix(".json") for p in out.rglob("*.docx"))
    dumped = sorted(p.relative_to(dump) for p in dump.rglob("*.json"))
    assert dumped == outputs
    text = (dump / "2018" / "3406-qd-ubnd.json").read_text(encoding="utf-8")
    assert "TỈNH BÌNH PHƯỚC" in text  # UTF-8 as such, not \\u escapes
    context = json.loads(text)
    assert context["number_line"] == "3406/QĐ-UBND"
    assert list(context) == sorted(context)


def test_dates_in_a_dumped_context_read_as_dd_mm_yyyy():
    assert json.loads(context_json({"deadline": date(2018, 3, 5), "list": [date(2018, 12, 31)]})) == {
        "deadline": "05/03/2018", "list": ["31/12/2018"]}


def test_an_output_that_cannot_be_written_is_one_message(tmp_path):
    out = tmp_path / "out"
    (out / "2018" / PACKAGE).mkdir(parents=True)  # something in the way that is not a file
    result = build(WORKBOOK, out)
    assert result.exit_code == 1
    assert f"Không ghi được {out / '2018' / PACKAGE}" in result.output
    assert "Traceback" not in result.output
    assert not list((out / "2018").glob(".*.tmp"))  # no temporary file left behind


@pytest.mark.parametrize("rebuild_with", ["the same workbook", "the earlier workbook"])
def test_a_build_stopped_before_renaming_is_resumed_not_taken_for_a_hand_edit(
        first, tmp_path, monkeypatch, rebuild_with):
    out, folder = first
    old = (folder / PACKAGE).read_bytes()
    changed = changed_task(tmp_path)

    def killed(files):
        if list(files):
            raise KeyboardInterrupt  # as if stopped after the manifest, before any rename
        return []

    monkeypatch.setattr("generator.pipeline.atomic_write_many", killed)
    with pytest.raises(KeyboardInterrupt):
        generator_build(changed, out)
    monkeypatch.undo()
    assert (folder / PACKAGE).read_bytes() == old
    assert "replaces" in (folder / "manifest.json").read_text(encoding="utf-8")

    workbook = changed if rebuild_with == "the same workbook" else WORKBOOK
    result = build(workbook, out)
    assert result.exit_code == 0, result.output
    count = rewritten_by_changed_task() if workbook == changed else 0
    assert f"{count} tệp được ghi lại" in result.output
    assert "replaces" not in (folder / "manifest.json").read_text(encoding="utf-8")
    again = build(workbook, out)
    assert "0 tệp được ghi lại" in again.output


def test_a_folder_named_manifest_json_stops_the_build_before_anything_is_written(tmp_path):
    out = tmp_path / "out"
    (out / "2018" / "manifest.json").mkdir(parents=True)
    result = build(WORKBOOK, out)
    assert result.exit_code == 1
    assert "manifest.json không phải là một tệp" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert list((out / "2018").rglob("*.docx")) == []


def test_a_manifest_that_cannot_be_read_is_one_message(tmp_path):
    out = tmp_path / "out"
    (out / "2018").mkdir(parents=True)
    (out / "2018" / "manifest.json").symlink_to(out / "2018" / "manifest.json")  # a link loop
    result = build(WORKBOOK, out)
    assert result.exit_code == 1
    assert "manifest.json" in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert list((out / "2018").rglob("*.docx")) == []


def test_a_second_build_into_the_same_folder_says_a_build_is_running(tmp_path):
    from generator.output.write import folder_lock

    out = tmp_path / "out"
    with folder_lock(out / "2018"):  # another build holds out/2018
        result = build(WORKBOOK, out)
    assert result.exit_code == 1
    assert f"Một lần tạo văn bản khác đang ghi vào {out / '2018'}" in result.output
    assert "đã bị sửa" not in result.output and "sửa tay" not in result.output
    assert not (out / "2018").exists() or list((out / "2018").rglob("*.docx")) == []
    assert build(WORKBOOK, out).exit_code == 0  # released: the next build runs


def renamed_period(tmp_path: Path) -> Path:
    """The 2018 workbook with the first period's code renamed: its old forms are leftovers."""
    wb = openpyxl.load_workbook(WORKBOOK)
    wb["Kỳ báo cáo"]["A2"] = "quy-mot"
    path = tmp_path / "ky-moi.xlsx"
    wb.save(path)
    return path


def test_leftovers_are_listed_and_not_published(first, tmp_path):
    from generator.output.manifest import Manifest
    from generator.output.pdf import documents_of
    from generator.pipeline import lint_targets

    out, folder = first
    backup = folder / "3406-qd-ubnd.20181228-091500.bak.docx"  # as --force leaves one
    shutil.copyfile(folder / PACKAGE, backup)
    result = build(renamed_period(tmp_path), out)
    assert result.exit_code == 0, result.output
    old = sorted((folder / "bao-cao" / "quy-1").glob("*.docx"))
    assert old and (folder / "bao-cao" / "quy-mot" / "snv.docx").is_file()
    listed = [line.strip()[2:] for line in result.output.splitlines() if line.startswith("  - ")]
    assert sorted(listed) == sorted(str(p) for p in [backup, *old])
    assert "--move-leftovers" in result.output
    assert all(p.is_file() for p in old) and backup.is_file()  # nothing moved without asking
    published = {folder / name for name in documents_of(Manifest.load(folder))}  # what pdf takes
    assert folder / "bao-cao" / "quy-mot" / "snv.docx" in published
    assert not published & {backup, *old}
    assert not set(lint_targets(out)) & {backup, *old}


def test_move_leftovers_puts_them_in_a_dated_folder(first, tmp_path):
    out, folder = first
    old = folder / "bao-cao" / "quy-1" / "snv.docx"
    before = old.read_bytes()
    result = build(renamed_period(tmp_path), out, "--move-leftovers")
    assert result.exit_code == 0, result.output
    [aside] = [p for p in folder.iterdir() if p.name.startswith("cu-")]
    assert re.fullmatch(r"cu-\d{8}-\d{6}", aside.name)
    assert (aside / "bao-cao" / "quy-1" / "snv.docx").read_bytes() == before
    assert not old.exists() and f"đã chuyển sang {aside}" in result.output
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["files"]
    assert not any(name.startswith("bao-cao/quy-1/") for name in manifest)
    again = build(renamed_period(tmp_path), out)
    assert "không còn trong kế hoạch" not in again.output  # the moved files are not listed again
