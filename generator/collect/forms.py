"""One returned report form: who sent it for which period, and what it says, row by row.

Tables are found by their column heads, not by their place (an agency may move a table or add
one); task rows by the code in their first column (I.1, II.4…), the join key with the plan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from lxml import etree

from generator.collect.reader import Document, Malformed, Row, Table, read_document, saved_at
from generator.errors import WARNING, Loc, Problem, VanbanError
from generator.text import vn
from generator.workbook.filecheck import inspect_document

_CODE = re.compile(r"([IVXLC]+)\s*\.\s*(\d{1,3})\.?")
_PART = re.compile(r"(I|II|III|IV|V|VI|VII)\s*[.:]\s*\S")
# the free sections of the form whose prose is gathered (the part numbers of templates/report.docx)
SECTIONS = {"I": "chi_dao", "IV": "kho_khan", "V": "phuong_huong", "VI": "de_xuat"}


@dataclass(frozen=True)
class Source:
    """A returned file as found: its name as shown to the user, its bytes and its date."""

    name: str
    data: bytes
    modified: datetime | None


@dataclass
class TaskRow:
    code: str
    result: str
    status: str
    note: str
    role: str
    table: int
    row: int


@dataclass
class TargetRow:
    number: str
    text: str
    value: str
    achieved: str
    table: int
    row: int


@dataclass
class ReturnedForm:
    source: Source
    properties: dict[str, str]
    header: str  # the header table's left column and the title lines, for matching without properties
    tasks: list[TaskRow] = field(default_factory=list)
    targets: list[TargetRow] = field(default_factory=list)
    sections: dict[str, list[str]] = field(default_factory=dict)
    task_table: int = 0  # the number of the task table; 0 when none was found
    problems: list[Problem] = field(default_factory=list)
    tracked: bool = False
    saved: datetime | None = None  # last saved (docProps/core.xml)

    @property
    def when(self) -> datetime | None:
        """The file's own date: when it was last saved, else the date of the file on disk."""
        return self.saved or self.source.modified


def where(name: str, table: int = 0, row: int = 0) -> Loc:
    """A place in a returned file, as messages show it: `snv.docx, bảng 2, dòng 5`."""
    parts = [name]
    if table:
        parts.append(f"bảng {table}")
    if row:
        parts.append(f"dòng {row}")
    return Loc(", ".join(parts))


def key(text: str) -> str:
    """Names compared however they were typed (generator.text.vn.name_key)."""
    return vn.name_key(text)


def loose(text: str) -> str:
    """Column heads and fixed words compared without case or any mark."""
    return _short_loose(text) if len(text) <= _SHORT else vn.loose_key(text)


_SHORT = 200  # the column heads, titles and codes met on every form are worked out once a run
_short_loose = lru_cache(maxsize=4096)(vn.loose_key)


def read_form(source: Source) -> ReturnedForm:
    """Check the file (as a workbook is checked: zip bomb, entities, password…) and read it."""
    members = inspect_document(source.data, source.name)
    try:
        doc = read_document(members["word/document.xml"], members.get("docProps/custom.xml"))
    except (etree.XMLSyntaxError, Malformed) as exc:
        raise VanbanError(f"{source.name} không phải là văn bản Word .docx hợp lệ (nội dung bị hỏng: "
                          f"{exc}); hãy mở bằng Word và lưu lại.") from exc
    form = form_from(doc, source)
    form.saved = saved_at(members.get("docProps/core.xml"))
    return form


def form_from(doc: Document, source: Source) -> ReturnedForm:
    header = _header_text(doc)
    form = ReturnedForm(source, doc.properties, header, tracked=doc.tracked)
    if doc.tracked:
        form.problems.append(Problem(
            WARNING, where(source.name), "Văn bản còn thay đổi đang theo dõi (Track Changes); đã đọc "
            "như khi chấp nhận mọi thay đổi", code="collect-tracked-changes"))
    for table in doc.tables:
        for rows, first, heads in _segments(table):
            if _is_task_table(heads):
                if not form.task_table:
                    form.task_table = table.number
                elif form.task_table != table.number:  # not a header row repeated in the table
                    form.problems.append(Problem(
                        WARNING, where(source.name, table.number), "Có hơn một bảng nhiệm vụ; đọc "
                        "thêm các dòng có mã nhiệm vụ của bảng này", code="collect-second-task-table"))
                _task_rows(form, table.number, rows, first, heads)
            elif _is_targets_table(heads):
                _target_rows(form, table.number, rows, first, heads)
    _sections(form, doc)
    return form


def _heads(row: Row) -> dict[int, str]:
    """The column heads (a table's first row) by grid column, as keys."""
    return {cell.column: loose(cell.text) for cell in row.cells}


def _is_task_table(heads: dict[int, str]) -> bool:
    return _find(heads, "muc do hoan thanh", "ket qua thuc hien") is not None and \
        _find(heads, "stt") is not None


def _is_targets_table(heads: dict[int, str]) -> bool:
    return _find(heads, "ket qua dat duoc") is not None and _find(heads, "chi tieu") is not None


def _segments(table: Table) -> list[tuple[list[Row], int, dict[int, str]]]:
    """The tables within a table, each as its rows, the number of its first row in the table and
    its column heads.

    Word shows two tables with nothing between them as one, and saves them as one (so does
    LibreOffice): a table moved against another becomes one table whose rows change heads midway.
    A row whose STT cell says "STT" and whose cells are a task or targets table's heads starts a
    new one. Only that one cell of each row is looked at, the cell the task rows read anyway.
    """
    rows = table.rows
    if not rows:
        return []
    heads = [_heads(rows[0])]
    column = _find(heads[0], "stt") or 0
    starts = [0]
    for index in range(1, len(rows)):
        cell = rows[index].at(column)
        if cell is None or cell.continued:
            continue
        text = cell.text
        if len(text) < 16 and loose(text) == "stt":
            found = _heads(rows[index])
            if _is_task_table(found) or _is_targets_table(found):
                starts.append(index)
                heads.append(found)
    if len(starts) == 1:
        return [(rows, 1, heads[0])]
    ends = starts[1:] + [len(rows)]
    return [(rows[start:end], start + 1, found)
            for start, end, found in zip(starts, ends, heads, strict=True)]


def _find(heads: dict[int, str], *names: str) -> int | None:
    for name in names:
        for column, head in heads.items():
            if head == name or head.startswith(name):
                return column
    return None


def _task_rows(form: ReturnedForm, table: int, rows: list[Row], first: int,
               heads: dict[int, str]) -> None:
    columns = (_find(heads, "stt"), _find(heads, "ket qua thuc hien"), _find(heads, "muc do hoan thanh"),
               _find(heads, "ghi chu"), _find(heads, "vai tro"))
    last: TaskRow | None = None
    for number, row in enumerate(rows[1:], start=first + 1):
        code_text, result, status, note, role = row.texts(columns)
        code = _code(code_text) if code_text else ""
        if code:
            last = TaskRow(code, result, status, note, role, table, number)
            form.tasks.append(last)
            continue
        extra = " ".join(v for v in (result, status, note) if v)
        if not extra or len(row.cells) < 3:
            continue  # an area's title row, or an empty row
        if last is not None:
            # a row added under a task (the agency needed more room): its text goes with that task
            last.result = "\n".join(t for t in (last.result, result) if t)
            last.note = "\n".join(t for t in (last.note, note) if t)
            if status and not last.status:
                last.status = status
            form.problems.append(Problem(
                WARNING, where(form.source.name, table, number),
                f"Dòng thêm không có mã nhiệm vụ; đã ghép vào nhiệm vụ {last.code} ở dòng trên",
                code="collect-added-row"))
        else:
            form.problems.append(Problem(
                WARNING, where(form.source.name, table, number),
                "Dòng không có mã nhiệm vụ ở cột STT; bỏ qua", found=extra[:80], code="collect-no-code"))


def _code(text: str) -> str:
    return _short_code(text) if len(text) <= _SHORT else _read_code(text)


def _read_code(text: str) -> str:
    match = _CODE.fullmatch(text.strip().replace(" ", ""))
    return f"{match.group(1)}.{int(match.group(2))}" if match else ""


_short_code = lru_cache(maxsize=4096)(_read_code)


def _target_rows(form: ReturnedForm, table: int, rows: list[Row], first: int,
                 heads: dict[int, str]) -> None:
    number_col = _find(heads, "stt")
    text_col = _find(heads, "chi tieu")
    value_col = _find(heads, "muc chi tieu")
    achieved_col = _find(heads, "ket qua dat duoc")
    columns = (number_col, text_col, value_col, achieved_col)
    for index, row in enumerate(rows[1:], start=first + 1):
        number, text, value, achieved = row.texts(columns)
        if text:
            form.targets.append(TargetRow(number, text, value, achieved, table, index))


def _header_text(doc: Document) -> str:
    """The agency's name (the first table's left column) and the title lines after it."""
    parts: list[str] = []
    tables = doc.tables
    if tables and tables[0].rows and tables[0].rows[0].cells:
        parts.append(tables[0].rows[0].cells[0].text)
    started = False
    for block in doc.blocks:
        if isinstance(block, str) and loose(block) == "bao cao":
            started = True
        elif started and isinstance(block, str):
            parts.append(block)
            if len(parts) > 4:
                break
    return "\n".join(parts)


def _sections(form: ReturnedForm, doc: Document) -> None:
    """The prose the agency wrote under parts I, IV, V and VI."""
    current = None
    for block in doc.blocks:
        if not isinstance(block, str):
            continue
        text = block.strip()
        if not text:
            continue
        match = _PART.match(text)
        if match and text[: 40].upper() == text[: 40]:
            current = SECTIONS.get(match.group(1))
            continue
        if current is None:
            continue
        if loose(text).startswith("tren day la bao cao"):
            current = None
            continue
        form.sections.setdefault(current, []).append(text)
