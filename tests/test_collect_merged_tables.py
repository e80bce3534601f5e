"""Two tables with nothing between them are one table to Word, and Word and LibreOffice save them
as one: a form whose targets table was moved against its task table comes back as one table whose
heads change midway. collect reads it as the two tables it holds (forms._segments)."""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from generator.collect.forms import ReturnedForm, Source, read_form
from generator.pipeline import collect
from tests.conftest import ROOT, WORKBOOK, need_tool, office_env
from tools import make_example_forms as fill

SHIPPED = ROOT / "data" / "vi-du-bao-cao" / "quy-1"
ADDED_ROW_FORM = SHIPPED / "snv.docx"  # a row added under its first task: "bảng 2, dòng 4"


def answers(form: ReturnedForm) -> tuple[dict, list]:
    tasks = {t.code: (t.result, t.status, t.note, t.role) for t in form.tasks}
    targets = [(t.number, t.text, t.value, t.achieved) for t in form.targets]
    return tasks, targets


def messages(form: ReturnedForm) -> list[str]:
    return [p.render() for p in form.problems]


def merged(path: Path, targets_above: bool) -> bytes:
    """The form with the targets table's rows put into the task table, above or below its rows."""
    doc = Document(str(path))
    tasks = fill.task_table(doc)._tbl
    targets = fill.target_table(doc)._tbl
    rows = targets.findall(qn("w:tr"))
    first = tasks.find(qn("w:tr"))
    for tr in rows:
        if targets_above:
            first.addprevious(tr)
        else:
            tasks.append(tr)
    targets.getparent().remove(targets)
    return fill.to_bytes(doc)


def test_the_shipped_added_row_form_reads_as_the_merged_test_expects() -> None:
    form = read_form(Source("snv.docx", ADDED_ROW_FORM.read_bytes(), None))
    assert form.task_table == 2
    assert {t.table for t in form.targets} == {3}
    assert messages(form) == ["[cảnh báo] snv.docx, bảng 2, dòng 4: Dòng thêm không có mã nhiệm vụ; đã ghép "
                              "vào nhiệm vụ I.3 ở dòng trên"]


@pytest.mark.parametrize("targets_above", [True, False], ids=["targets-above", "targets-below"])
def test_one_table_holding_targets_and_tasks_gives_every_answer(targets_above: bool) -> None:
    separate = read_form(Source("snv.docx", ADDED_ROW_FORM.read_bytes(), None))
    form = read_form(Source("snv.docx", merged(ADDED_ROW_FORM, targets_above), None))
    tasks, targets = answers(separate)
    assert len(tasks) > 30 and len(targets) == 7
    assert answers(form) == (tasks, targets)
    # one table now: bảng 2 holds both, and its rows are numbered as Word numbers them
    assert form.task_table == 2
    assert {t.table for t in form.tasks} == {t.table for t in form.targets} == {2}
    target_rows = len(targets) + 1  # the targets table's header row and its rows
    task_rows = len(Document(str(ADDED_ROW_FORM)).tables[1].rows)
    added = 4 + target_rows if targets_above else 4
    assert messages(form) == [f"[cảnh báo] snv.docx, bảng 2, dòng {added}: Dòng thêm không có mã nhiệm vụ; "
                              "đã ghép vào nhiệm vụ I.3 ở dòng trên"]
    first_target = form.targets[0].row
    assert first_target == (2 if targets_above else task_rows + 2)
    first_task = min(t.row for t in form.tasks)
    assert first_task == min(t.row for t in separate.tasks) + (target_rows if targets_above else 0)


def test_a_header_row_repeated_inside_the_task_table_is_not_a_second_table() -> None:
    doc = Document(str(ADDED_ROW_FORM))
    tasks = fill.task_table(doc)._tbl
    rows = tasks.findall(qn("w:tr"))
    rows[10].addprevious(copy.deepcopy(rows[0]))  # the heads typed again mid-table
    form = read_form(Source("snv.docx", fill.to_bytes(doc), None))
    assert answers(form) == answers(read_form(Source("snv.docx", ADDED_ROW_FORM.read_bytes(), None)))
    assert len(messages(form)) == 1 and "dòng 4:" in messages(form)[0]


# -- the same after a real LibreOffice, which makes adjacent tables one -------------------------


@pytest.fixture(scope="module")
def libreoffice(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The 30 shipped forms and one with its targets table moved right against the task table,
    all saved again by one LibreOffice run."""
    soffice = need_tool("soffice")
    root = tmp_path_factory.mktemp("merged-by-libreoffice")
    given = root / "given"
    given.mkdir()
    for path in sorted(SHIPPED.glob("*.docx")):
        shutil.copy(path, given / path.name)
    doc = Document(str(ADDED_ROW_FORM))
    fill.move_targets_first(doc, apart=False)
    (given / "snv-against.docx").write_bytes(fill.to_bytes(doc))
    saved = root / "saved"
    subprocess.run([soffice, f"-env:UserInstallation=file://{root}/profile", "--headless",
                    "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(saved),
                    *sorted(str(p) for p in given.iterdir())],
                   check=True, capture_output=True, timeout=600, env=office_env())
    alone = root / "alone"
    alone.mkdir()
    (saved / "snv-against.docx").rename(alone / "snv.docx")
    return {"examples": saved, "against": alone / "snv.docx", "out": root / "out"}


def test_libreoffice_makes_tables_moved_against_each_other_one_and_every_answer_is_read(
        libreoffice: dict[str, Path]) -> None:
    data = libreoffice["against"].read_bytes()
    form = read_form(Source("snv.docx", data, None))
    separate = read_form(Source("snv.docx", ADDED_ROW_FORM.read_bytes(), None))
    assert len(Document(str(libreoffice["against"])).tables) == len(Document(str(ADDED_ROW_FORM)).tables) - 1
    assert answers(form) == answers(separate)
    assert {t.table for t in form.tasks} == {t.table for t in form.targets} == {2}
    assert messages(form) == ["[cảnh báo] snv.docx, bảng 2, dòng 12: Dòng thêm không có mã nhiệm vụ; đã ghép "
                              "vào nhiệm vụ I.3 ở dòng trên"]


def test_the_shipped_examples_saved_by_libreoffice_consolidate_as_the_originals(
        libreoffice: dict[str, Path], tmp_path: Path) -> None:
    saved = sorted(libreoffice["examples"].glob("*.docx"))
    assert len(saved) == len(list(SHIPPED.glob("*.docx"))) == 30
    for path in saved:
        original = read_form(Source(path.name, (SHIPPED / path.name).read_bytes(), None))
        again = read_form(Source(path.name, path.read_bytes(), None))
        assert answers(again) == answers(original), path.name
    first = collect([SHIPPED], WORKBOOK, tmp_path / "original").consolidation
    second = collect([libreoffice["examples"]], WORKBOOK, tmp_path / "saved").consolidation
    assert (len(second.received), len(second.late), len(second.missing)) == (30, 4, 2)
    assert (second.received, second.late, second.missing) == (first.received, first.late,
                                                               first.missing)
