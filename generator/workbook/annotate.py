"""The clerk's own workbook given back with every problem cell marked, and a first sheet listing them."""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from generator.errors import ERROR, INFO, WARNING, Problem, VanbanError, rank
from generator.text import vn

RESULT_SHEET = "Kết quả kiểm tra"
FILLS = {
    ERROR: PatternFill("solid", fgColor="FFC7CE"),  # red: blocks the build
    WARNING: PatternFill("solid", fgColor="FFEB9C"),  # yellow: look at it
    INFO: PatternFill("solid", fgColor="DDEBF7"),  # blue: already normalised by the program
}
_CELL = re.compile(r"[A-Z]{1,3}[1-9]\d*")
_HEADERS = ("STT", "Mức độ", "Ô", "Vấn đề", "Đang ghi", "Cần", "Gợi ý", "Mã")
_WIDTHS = (6, 11, 26, 60, 40, 35, 45, 24)


def load_for_copy(source: Path) -> openpyxl.Workbook:
    """The clerk's workbook with its formulas (not their cached values), ready to copy."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unsupported Excel extensions are dropped in the copy
            with open(source, "rb") as handle:
                return openpyxl.load_workbook(handle)
    except Exception as exc:  # a broken file was reported by the reader already
        raise VanbanError(f"Không mở được {source.name} để tạo bản sao: {exc}") from exc


def annotated_copy(source: Path, problems: Sequence[Problem]) -> openpyxl.Workbook:
    """A copy of `source` with each problem cell filled and commented, to be saved elsewhere.

    Cell values are never changed; the copy gets a first sheet “Kết quả kiểm tra” that lists
    every problem with a link to its cell.
    """
    wb = load_for_copy(source)
    if RESULT_SHEET in wb.sheetnames:  # a copy annotated before: its old list is replaced
        del wb[RESULT_SHEET]
    by_key = {vn.name_key(ws.title): ws for ws in wb.worksheets}
    marks: dict[tuple[str, str], list[Problem]] = {}
    for p in problems:
        ws = by_key.get(vn.name_key(p.loc.sheet)) if p.loc else None
        if ws is not None and p.loc is not None and _CELL.fullmatch(p.loc.cell or ""):
            marks.setdefault((ws.title, p.loc.cell), []).append(p)
    for (title, coordinate), found in marks.items():
        _mark(wb[title][coordinate], found)
    result = wb.create_sheet(RESULT_SHEET, 0)
    _write_list(result, problems, by_key, source.name)
    wb.active = 0
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws is result
    return wb


def _comment_text(problems: Sequence[Problem]) -> str:
    return "\n\n".join(p.render_block(indent="", place=False) for p in problems)


def _mark(cell: Any, problems: Sequence[Problem]) -> None:
    worst = min(problems, key=lambda p: rank(p.severity)).severity
    cell.fill = FILLS.get(worst, FILLS[INFO])
    text = _comment_text(problems)
    if cell.comment is not None:  # the clerk's own note stays, ours follows it
        text = f"{cell.comment.text}\n\n— vanban —\n{text}"
    comment = Comment(text, "vanban")
    comment.width = 420
    comment.height = min(600, 90 + 18 * text.count("\n") + len(text) // 3)
    cell.comment = comment


def _write_list(ws: Worksheet, problems: Sequence[Problem], sheets: dict[str, Worksheet],
                name: str) -> None:
    counts = {s: sum(1 for p in problems if p.severity == s) for s in (ERROR, WARNING, INFO)}
    ws["A1"] = (f"Kết quả kiểm tra sổ tính {name}: {counts[ERROR]} lỗi, {counts[WARNING]} cảnh báo, "
                f"{counts[INFO]} thông tin. Bấm vào ô ở cột C để đến ô có vấn đề.")
    ws["A1"].font = Font(bold=True)
    if not problems:
        ws["A1"] = f"Kết quả kiểm tra sổ tính {name}: không có lỗi hay cảnh báo nào."
    for col, (header, width) in enumerate(zip(_HEADERS, _WIDTHS, strict=True), start=1):
        cell = ws.cell(3, col, header)
        cell.font = Font(bold=True)
        ws.column_dimensions[cell.column_letter].width = width
    ws.freeze_panes = "A4"
    for index, p in enumerate(problems, start=1):
        row = 3 + index
        values = (index, p.severity, str(p.loc) if p.loc else "", p.message, p.found, p.expected,
                  p.suggestion, p.code)
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row, col, value)
            cell.alignment = Alignment(wrap_text=col > 3, vertical="top")
        ws.cell(row, 2).fill = FILLS.get(p.severity, FILLS[INFO])
        target = sheets.get(vn.name_key(p.loc.sheet)) if p.loc else None
        if target is not None and p.loc is not None:
            where = p.loc.cell if _CELL.fullmatch(p.loc.cell or "") else "A1"
            link = ws.cell(row, 3)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{target.title}'!{where}",
                                       display=link.value)
            link.style = "Hyperlink"
