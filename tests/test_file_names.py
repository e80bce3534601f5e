"""File names built from data are slugs, and nothing is ever written outside the output folder."""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.errors import VanbanError
from generator.output.write import MAX_PART, check_name, within
from generator.pipeline import build
from generator.text import vn
from tests.conftest import WORKBOOK, reports_only

SAFE_NAME = re.compile(r"[a-z0-9][a-z0-9-]*\.docx")
HOSTILE = [
    "../../etc",
    "..\\..\\Windows\\System32",
    "/etc/passwd",
    "a/b",
    "CON",
    "nul",
    "LPT1",
    "x_x0000_y",  # Excel's escape of NUL: decoded by the reader, then removed as a control character
    "Q" * 300,
    "Quyết định – Ủy ban nhân dân",
    "      ",
    "....",
]


def workbook_with(tmp_path: Path, **fields: object) -> Path:
    wb = openpyxl.load_workbook(WORKBOOK)
    reports_only(wb, "SNV")  # the forms' own names are tested in test_reports.py
    ws = wb["Thông tin chung"]
    for label, value in fields.items():
        row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == label)
        ws.cell(row, 2).value = value
    path = tmp_path / "ke-hoach.xlsx"
    wb.save(path)
    return path


def every_file(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("symbol", HOSTILE)
@pytest.mark.parametrize("number", [3406, None], ids=["so", "du-thao"])
def test_a_hostile_symbol_gives_a_safe_name_inside_out(tmp_path, symbol, number):
    fields = {"Ký hiệu văn bản": symbol, "Số văn bản": number}
    path = workbook_with(tmp_path, **fields)
    before = every_file(tmp_path)
    out = tmp_path / "out"
    try:
        result = build(path, out)
    except VanbanError as exc:  # an empty symbol is a required cell; spaces or dashes are refused
        refused = symbol.strip() == "" or re.search(r"\s|–", symbol.strip())
        assert refused and "Ký hiệu văn bản" in exc.format_message()
        assert every_file(tmp_path) == before
        return
    # the decision package is the one file of the year's folder; the report forms go below it
    [written] = [w for w in result.written if w.parent == (out / "2018").resolve()]
    assert SAFE_NAME.fullmatch(written.name), written.name
    assert len(written.name) <= 80 + len(".docx")
    # the documents and the year's manifest of what was written (issue 8, hand edits), nothing else
    assert every_file(tmp_path) - before == {*result.written, written.parent / "manifest.json"}
    assert all(w.is_relative_to((out / "2018" / "bao-cao").resolve())
               for w in result.written if w != written)


def test_a_vietnamese_symbol_reads_as_ascii_words(tmp_path):
    result = build(workbook_with(tmp_path, **{"Ký hiệu văn bản": "QĐ-UBND"}), tmp_path / "out")
    assert result.written[0].name == "3406-qd-ubnd.docx"


@pytest.mark.parametrize("text", HOSTILE + ["\0", "a\0b", "COM9", "aux.docx", ""])
def test_slugs_of_hostile_text_pass_the_name_check(text):
    name = vn.slug(text) + ".docx"
    check_name(PurePosixPath(name))
    assert ".." not in name and "/" not in name and "\\" not in name and "\0" not in name


@given(st.lists(st.text(max_size=300), min_size=1, max_size=3))
@settings(max_examples=60, deadline=None)
def test_any_path_of_slugs_is_accepted_and_stays_inside(tmp_path_factory, parts):
    relative = PurePosixPath(*(vn.slug(p) for p in parts[:-1]), vn.slug(parts[-1]) + ".docx")
    if len(str(relative)) > 200:
        with pytest.raises(VanbanError):
            check_name(relative)
        return
    root = tmp_path_factory.mktemp("out")
    assert within(root, relative).is_relative_to(root.resolve())


@pytest.mark.parametrize("name", [
    "../x.docx", "bao-cao/../../x.docx", "/etc/passwd", "a\\b.docx", "con.docx", "bao-cao/nul/x.docx",
    "x" * (MAX_PART + 1), ".hidden.docx", "Hoa.docx", "a b.docx", "a\0.docx", "", ".",
    "bao-cao/" * 30 + "x.docx", "tên.docx",
])
def test_unsafe_names_are_refused(name):
    with pytest.raises(VanbanError, match="không an toàn"):
        check_name(PurePosixPath(name))


@pytest.mark.parametrize("name", ["3406-qd-ubnd.docx", "bao-cao/quy-1/snv.docx", "du-thao-2018.docx"])
def test_slug_names_are_accepted(name):
    check_name(PurePosixPath(name))


def test_a_symbolic_link_planted_in_out_is_not_followed(tmp_path):
    victim = tmp_path / "quan-trong.txt"
    victim.write_text("không được ghi đè")
    folder = tmp_path / "out" / "2018"
    folder.mkdir(parents=True)
    os.symlink(victim, folder / "3406-qd-ubnd.docx")
    with pytest.raises(VanbanError, match="trỏ ra ngoài thư mục kết quả"):
        build(WORKBOOK, tmp_path / "out")
    assert victim.read_text() == "không được ghi đè"


def test_an_out_folder_that_is_itself_a_link_is_fine(tmp_path):
    real = tmp_path / "o-chia-se"
    real.mkdir()
    os.symlink(real, tmp_path / "out")
    result = build(WORKBOOK, tmp_path / "out")
    assert (real / "2018" / "3406-qd-ubnd.docx").exists()
    assert result.written[0].is_relative_to(real.resolve())
