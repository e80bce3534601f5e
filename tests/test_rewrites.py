"""Exactly which files a rebuild rewrites after one task changes, and the forms' index."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import WORKBOOK

PACKAGE = "3406-qd-ubnd.docx"
INDEX = "bao-cao/danh-sach-bao-cao.xlsx"
TASK_ROW = 2  # Nhiệm vụ!B2: area I (Cải cách thể chế), led by Sở Tư pháp


def build(workbook: Path, out: Path):
    result = CliRunner().invoke(main, ["build", str(workbook), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return result


def snapshot(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(folder.rglob("*")) if p.is_file()}


def rewritten(before: dict, after: dict) -> set[str]:
    """Files written again: a new inode or modification time (atomic writes rename a new file in)."""
    assert before.keys() == after.keys()
    return {name for name in after if after[name][:2] != before[name][:2]}


def said_written(output: str, folder: Path) -> set[str]:
    return {Path(p).relative_to(folder).as_posix()
            for p in re.findall(r"^đã ghi (\S+)", output, flags=re.MULTILINE)}


def workbook_with(tmp_path: Path, name: str, **cells: str) -> Path:
    """The 2018 workbook with cells of the Sở Tư pháp task row changed (B: text, D: support)."""
    wb = openpyxl.load_workbook(WORKBOOK)
    ws = wb["Nhiệm vụ"]
    assert ws[f"A{TASK_ROW}"].value == "Cải cách thể chế" and ws[f"C{TASK_ROW}"].value == "Sở Tư pháp"
    for column, value in cells.items():
        ws[f"{column}{TASK_ROW}"] = value
    path = tmp_path / name
    wb.save(path)
    return path


def forms(codes: set[str]) -> set[str]:
    """The report forms of these agencies (Cơ quan!A codes) for every period of the Kỳ báo cáo sheet."""
    wb = openpyxl.load_workbook(WORKBOOK, read_only=True)
    periods = [row[0] for row in wb["Kỳ báo cáo"].iter_rows(min_row=2, values_only=True) if row[0]]
    return {f"bao-cao/{p}/{code.lower()}.docx" for p in periods for code in codes}


def registry_codes(*kinds: str) -> set[str]:
    wb = openpyxl.load_workbook(WORKBOOK, read_only=True)
    return {row[0] for row in wb["Cơ quan"].iter_rows(min_row=2, values_only=True)
            if row[0] and row[2] in kinds and row[8] == "Có"}


def index_rows(folder: Path) -> dict[tuple[str, str], tuple[int, int]]:
    ws = openpyxl.load_workbook(folder / INDEX).worksheets[0]
    return {(r[0], r[2]): (r[4], r[5]) for r in ws.iter_rows(min_row=2, values_only=True) if r[0]}


@pytest.mark.parametrize("support, coordinating", [
    # as the 2018 plan has it: every department and every district coordinate
    (None, registry_codes("sở-ban-ngành", "cấp huyện")),
    # two named coordinators: everyone else's forms stay as they were
    ("Sở Nội vụ, UBND huyện Lộc Ninh", {"SNV", "LOCNINH"}),
])
def test_a_changed_task_rewrites_the_package_and_the_forms_of_its_agencies_only(
        tmp_path, support, coordinating):
    extra = {"D": support} if support else {}
    out = tmp_path / "out"
    folder = out / "2018"
    build(workbook_with(tmp_path, "truoc.xlsx", **extra), out)
    before = snapshot(folder)

    result = build(workbook_with(tmp_path, "sau.xlsx", B="Rà soát văn bản quy phạm pháp luật (đã sửa)",
                                 **extra), out)

    expected = {PACKAGE} | forms({"STP"} | coordinating)
    assert rewritten(before, snapshot(folder)) == expected | {"manifest.json"}
    assert said_written(result.output, folder) == expected
    assert f"{len(expected)} tệp được ghi lại" in result.output
    assert INDEX not in said_written(result.output, folder)  # same agencies, same counts
    assert forms({"TTHCC"}) <= before.keys()  # forms left alone do exist


def test_the_index_is_rewritten_only_when_its_content_changes(tmp_path):
    out = tmp_path / "out"
    folder = out / "2018"
    build(WORKBOOK, out)
    counts = index_rows(folder)
    before = snapshot(folder)

    # the task's text: the index lists agencies and counts, not texts, so its bytes stay
    build(workbook_with(tmp_path, "van-ban.xlsx", B="Nhiệm vụ viết lại"), out)
    middle = snapshot(folder)
    assert middle[INDEX] == before[INDEX]

    # one more coordinator: the Trung tâm Hành chính công's count changes, so the index is rewritten
    result = build(workbook_with(tmp_path, "phoi-hop.xlsx", B="Nhiệm vụ viết lại",
                                 D="Các sở, ban, ngành, UBND cấp huyện, Trung tâm Hành chính công tỉnh"), out)
    assert INDEX in rewritten(middle, snapshot(folder))
    assert INDEX in said_written(result.output, folder)
    assert index_rows(folder)[("TTHCC", "quý I")] == (counts[("TTHCC", "quý I")][0],
                                                      counts[("TTHCC", "quý I")][1] + 1)
    assert rewritten(middle, snapshot(folder)) == {INDEX, "manifest.json"} | forms({"TTHCC"}) | {PACKAGE}
