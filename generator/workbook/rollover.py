"""Roll a plan workbook over to a later year: move year mentions, empty the number, list changes."""

from __future__ import annotations

import difflib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from generator.errors import ERROR, Loc, Problem, ProblemsFound, VanbanError
from generator.text import vn, years
from generator.workbook import schema
from generator.workbook.blank import workbook_bytes
from generator.workbook.reader import Reader

CHANGES_SHEET = "Thay đổi"
CHANGED = "Đã đổi"
REVIEW = "Cần xem lại"

# Columns that are identifiers, never prose: their text does not move even if it holds a year.
_CODE_COLUMNS = {(schema.AGENCIES.key, "code"), (schema.PERIODS.key, "code")}
# General fields a person must review every year, whatever they say.
_SIGNER_FIELDS = ("signer_name", "plan_signer_name")
_TEXT_KINDS = (schema.TEXT, schema.MULTILINE)
_LEFT_REASONS = {
    "citation": "Năm {year} nằm trong trích dẫn văn bản, giữ nguyên: kiểm tra văn bản còn "
                "hiệu lực, có văn bản mới thay thế không.",
    "standard": "Năm {year} là năm của tiêu chuẩn, giữ nguyên: kiểm tra phiên bản tiêu chuẩn "
                "đang áp dụng.",
    "period": "Năm {year} thuộc một giai đoạn (từ năm … đến năm …), giữ nguyên: kiểm tra.",
    "other": "Năm {year} đứng ở chỗ chương trình không chắc là năm kế hoạch, giữ nguyên: "
             "sửa tay nếu cần.",
}


@dataclass(frozen=True)
class Change:
    """One cell the rollover changed: its place, the value before and after, and why."""

    sheet: str
    cell: str
    before: object
    after: object
    reason: str

    @property
    def loc(self) -> Loc:
        return Loc(self.sheet, self.cell)

    def render(self) -> str:
        before, after = _shown(self.before), _shown(self.after)
        if isinstance(self.before, str) and isinstance(self.after, str):
            before, after = _difference(self.before, self.after)
        return f"{self.loc}: {before} → {after}"


@dataclass(frozen=True)
class Review:
    """A cell a person must read before the new plan is signed, and why."""

    sheet: str
    cell: str
    value: object
    reason: str

    @property
    def loc(self) -> Loc:
        return Loc(self.sheet, self.cell)

    def render(self) -> str:
        return f"{self.loc}: {self.reason}"


@dataclass(frozen=True)
class Rollover:
    """The rolled workbook (with its `Thay đổi` sheet) and what changed."""

    workbook: openpyxl.Workbook
    source_year: int
    target_year: int
    changes: tuple[Change, ...]
    reviews: tuple[Review, ...]


# -- public --------------------------------------------------------------------------------


def roll(wb: openpyxl.Workbook, target_year: int, name: str = "sổ tính") -> Rollover:
    """A copy of `wb` rolled over to `target_year`; `wb` itself is left as it is.

    Rolling k years is k rollovers of one year each, so rolling 2018 → 2019 → 2020 and
    2018 → 2020 give the same cells. Rolling to the workbook's own year changes nothing.
    """
    new = copy_workbook(wb, name=f"bản chuyển sang năm {target_year} của {name}")
    sheets = _Sheets(new)
    source = sheets.year()
    if target_year < source:
        raise VanbanError(
            f"Năm mới ({target_year}) phải sau năm của sổ tính ({source}, ở "
            f"{sheets.general_loc('year')})."
        )
    if target_year == source:
        return Rollover(new, source, target_year, (), ())
    before: dict[tuple[str, str], object] = {}
    reasons: dict[tuple[str, str], str] = {}
    left: dict[tuple[str, str], str] = {}
    for year in range(source, target_year):
        _roll_one_year(sheets, year, before, reasons, left)
    changes = []
    for (sheet, coordinate), old in before.items():
        value = sheets.book[sheet][coordinate].value
        if not _same(old, value):
            changes.append(Change(sheet, coordinate, old, value, reasons[(sheet, coordinate)]))
    stays = [Review(sheet, cell, sheets.book[sheet][cell].value, reason)
             for (sheet, cell), reason in left.items()]
    reviews = _dedupe([*_fixed_reviews(sheets, target_year), *stays, *_period_reviews(sheets)])
    result = Rollover(new, source, target_year, tuple(changes), tuple(reviews))
    write_changes_sheet(result)
    return result


def roll_file(path: Path, target_year: int) -> Rollover:
    """Roll the workbook at `path` (checked already: `pipeline.new_year`); nothing is written.

    The rolled workbook is read back before it is returned, so a rollover never hands over a
    workbook the build rejects.
    """
    try:
        wb = openpyxl.load_workbook(path)  # formulas kept: the clerk's workbook stays hers
    except Exception as exc:  # openpyxl raises many kinds on broken files
        raise VanbanError(f"Không đọc được sổ tính {path.name}: {exc}") from exc
    result = roll(wb, target_year, path.name)
    reader = Reader(copy_workbook(result.workbook, data_only=True,
                                  name=f"bản chuyển sang năm {target_year} của {path.name}"))
    if reader.read() is None:  # a bug of the rollover, never of the user's input
        raise ProblemsFound([p for p in reader.problems if p.severity == ERROR],
                            header="Sổ tính sau khi chuyển năm không đọc lại được; chưa ghi gì.")
    return result


def copy_workbook(wb: openpyxl.Workbook, data_only: bool = False,
                  name: str = "bản sao sổ tính") -> openpyxl.Workbook:
    """An independent copy of a workbook, with everything openpyxl keeps."""
    buffer = io.BytesIO(workbook_bytes(wb, name))
    return openpyxl.load_workbook(buffer, data_only=data_only)


# -- locating cells ------------------------------------------------------------------------


class _Sheets:
    """The schema's sheets of a workbook, found the way the reader finds them."""

    def __init__(self, wb: openpyxl.Workbook) -> None:
        self.book = wb
        self.by_key = {vn.name_key(ws.title): ws for ws in wb.worksheets}

    def sheet(self, name: str) -> Worksheet | None:
        return self.by_key.get(vn.name_key(name))

    def general_rows(self) -> dict[str, int]:
        ws = self.sheet(schema.GENERAL.name)
        if ws is None:
            return {}
        labels: dict[str, int] = {}
        for row in range(2, ws.max_row + 1):
            label = ws.cell(row, 1).value
            if isinstance(label, str) and label.strip():
                labels.setdefault(vn.name_key(label), row)
        return {f.key: labels[vn.name_key(f.label)] for f in schema.GENERAL.fields
                if vn.name_key(f.label) in labels}

    def general_loc(self, key: str) -> Loc:
        row = self.general_rows().get(key)
        return Loc(schema.GENERAL.name, f"B{row}" if row else "A")

    def year(self) -> int:
        ws = self.sheet(schema.GENERAL.name)
        row = self.general_rows().get("year")
        value = ws.cell(row, 2).value if ws is not None and row else None
        try:
            return int(str(value).strip())
        except ValueError:
            loc = self.general_loc("year")
            raise ProblemsFound([Problem(
                ERROR, loc, "Chưa có năm kế hoạch hợp lệ nên không biết chuyển từ năm nào.",
                found="" if value is None else str(value), expected=vn.YEAR_RANGE_TEXT,
                code="rollover-year")], header="Chưa chuyển năm.") from None

    def table_columns(self, table: schema.TableSheet) -> dict[str, int]:
        ws = self.sheet(table.name)
        if ws is None:
            return {}
        headers: dict[str, int] = {}
        for col in range(1, ws.max_column + 1):
            text = ws.cell(1, col).value
            if isinstance(text, str) and text.strip():
                headers.setdefault(vn.name_key(text), col)
        return {c.key: headers[vn.name_key(c.header)] for c in table.columns
                if vn.name_key(c.header) in headers}

    def table_cells(self, table: schema.TableSheet, keys: set[str]) -> Iterator[tuple[str, Cell]]:
        """(column key, cell) of every data row, row by row, for the given column keys."""
        ws = self.sheet(table.name)
        columns = {k: c for k, c in self.table_columns(table).items() if k in keys}
        if ws is None or not columns:
            return
        for row in range(2, ws.max_row + 1):
            for key, col in sorted(columns.items(), key=lambda item: item[1]):
                yield key, ws.cell(row, col)


# -- one year ------------------------------------------------------------------------------


def _roll_one_year(sheets: _Sheets, year: int, before: dict, reasons: dict,
                   left: dict[tuple[str, str], str]) -> None:
    def record(ws: Worksheet, cell: Cell, value: object, reason: str) -> None:
        key = (ws.title, cell.coordinate)
        before.setdefault(key, cell.value)
        reasons.setdefault(key, reason)
        cell.value = value

    def move_text(ws: Worksheet, cell: Cell) -> None:
        value = cell.value
        if not isinstance(value, str) or value.startswith("="):
            return
        moved, stays = years.move_years(value, year, 1)
        if moved != value:
            record(ws, cell, moved, "Năm trong nội dung được chuyển sang năm mới.")
        for stay in stays:
            key = (ws.title, cell.coordinate)
            left.setdefault(key, _LEFT_REASONS[stay.kind].format(year=stay.year))

    ws = sheets.sheet(schema.GENERAL.name)
    if ws is not None:
        for key, row in sheets.general_rows().items():
            field = schema.GENERAL.field(key)
            cell = ws.cell(row, 2)
            if key == "year":
                record(ws, cell, year + 1, "Năm kế hoạch mới.")
            elif key == "number" and cell.value not in (None, ""):
                record(ws, cell, None, "Để trống: văn bản mới là dự thảo, văn thư ghi số khi "
                                       "đăng ký.")
            elif key == "issue_date" and cell.value not in (None, ""):
                record(ws, cell, None, "Để trống: ngày ban hành ghi khi ký.")
            elif field.kind in _TEXT_KINDS:
                move_text(ws, cell)
    for table in schema.TABLES:
        if table is schema.BASES:
            continue  # the legal bases are for a person to review, never rewritten
        ws = sheets.sheet(table.name)
        texts = {c.key for c in table.columns
                 if c.kind in _TEXT_KINDS and (table.key, c.key) not in _CODE_COLUMNS}
        dates = {c.key for c in table.columns if c.kind == schema.DATE}
        for key, cell in sheets.table_cells(table, texts | dates):
            if key in dates:
                shifted = _shift_date_value(cell.value)
                if shifted is not None:
                    record(ws, cell, shifted, "Ngày được dời theo năm mới.")
            else:
                move_text(ws, cell)


def _shift_date_value(value: object) -> object | None:
    """A date cell one year later, kept as the kind it was (Excel date or typed text)."""
    if isinstance(value, datetime):
        return datetime.combine(years.shift_date(value.date(), 1), value.time())
    if isinstance(value, date):
        return years.shift_date(value, 1)
    if isinstance(value, str) and not value.startswith("="):
        match = re.fullmatch(r"\s*(\d{1,2})([/.-])(\d{1,2})\2(\d{4})\s*", value)
        if match is None:
            return None
        day, sep, month, year = match.groups()
        try:
            new = years.shift_date(date(int(year), int(month), int(day)), 1)
        except ValueError:
            return None
        return f"{new.day:0{len(day)}d}{sep}{month}{sep}{new.year}"
    return None


# -- what a person must review -------------------------------------------------------------


def _fixed_reviews(sheets: _Sheets, target: int) -> Iterator[Review]:
    bases = sheets.sheet(schema.BASES.name)
    for _key, cell in sheets.table_cells(schema.BASES, {"text"}):
        assert bases is not None  # table_cells yields nothing of a missing sheet
        if cell.value not in (None, ""):
            yield Review(bases.title, cell.coordinate, cell.value,
                         "Căn cứ pháp lý không được tự đổi: kiểm tra văn bản còn hiệu lực, bỏ "
                         f"văn bản đã hết hiệu lực, thêm căn cứ mới cho năm {target}.")
    ws = sheets.sheet(schema.GENERAL.name)
    if ws is None:
        return
    rows = sheets.general_rows()

    def general(key: str, reason: str, when_empty: bool = False) -> Iterator[Review]:
        if key in rows:
            value = ws.cell(rows[key], 2).value
            if when_empty or value not in (None, ""):
                yield Review(ws.title, f"B{rows[key]}", value, reason)

    yield from general("proposal", "Dòng đề nghị nêu Tờ trình của năm trước: ghi số, ngày "
                                   f"của Tờ trình trình kế hoạch năm {target}.")
    for key in ("summary", "plan_title"):
        value = ws.cell(rows[key], 2).value if key in rows else None
        if isinstance(value, str) and str(target) not in value:
            label = schema.GENERAL.field(key).label
            yield from general(key, f"{label} không nêu năm {target}: kiểm tra.")
    for key in _SIGNER_FIELDS:
        label = "Quyết định" if key == "signer_name" else "Kế hoạch"
        yield from general(key, f"Người ký {label}: kiểm tra quyền hạn ký, chức vụ và họ tên "
                                f"người ký năm {target}.", when_empty=True)
    yield from general("report_signer_name", "Người ký báo cáo tổng hợp: kiểm tra quyền hạn ký, chức vụ "
                                             f"và họ tên người ký năm {target}.")


def _period_reviews(sheets: _Sheets) -> Iterator[Review]:
    ws = sheets.sheet(schema.PERIODS.name)
    for _key, cell in sheets.table_cells(schema.PERIODS, {"deadline"}):
        value = cell.value
        day = value.date() if isinstance(value, datetime) else value
        if isinstance(value, str):
            try:
                day = vn.parse_date(value)
            except ValueError:
                day = None
        if isinstance(day, date) and day.weekday() >= 5 and ws is not None:
            yield Review(ws.title, cell.coordinate, value,
                         f"Hạn gửi {day:%d/%m/%Y} rơi vào {vn.weekday_name(day)}: kiểm tra.")


def _dedupe(reviews: list[Review]) -> list[Review]:
    seen: dict[tuple[str, str], Review] = {}
    for review in reviews:
        seen.setdefault((review.sheet, review.cell), review)
    return list(seen.values())


# -- the Thay đổi sheet --------------------------------------------------------------------

_HEADERS = ("Loại", "Sheet", "Ô", "Trước", "Sau", "Ghi chú")
_WIDTHS = (14, 20, 8, 60, 60, 50)
_TOP_WRAP = Alignment(vertical="top", wrap_text=True)


def write_changes_sheet(result: Rollover) -> Worksheet:
    """Replace the workbook's `Thay đổi` sheet by one listing this rollover, and select it."""
    wb = result.workbook
    for ws in list(wb.worksheets):
        if vn.name_key(ws.title) == vn.name_key(CHANGES_SHEET):
            wb.remove(ws)
    ws = wb.create_sheet(CHANGES_SHEET)
    ws.append([f"CHUYỂN SỔ TÍNH TỪ NĂM {result.source_year} SANG NĂM {result.target_year}"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([f"{len(result.changes)} ô đã được chương trình đổi (bấm vào ô để đến chỗ đó) và "
               f"{len(result.reviews)} ô cần một người đọc lại trước khi trình ký. Sheet này "
               "chỉ để đối chiếu: chương trình không đọc nó khi tạo văn bản."])
    ws.append([])
    ws.append(list(_HEADERS))
    for index in range(1, len(_HEADERS) + 1):
        ws.cell(4, index).font = Font(bold=True)
        ws.cell(4, index).fill = PatternFill("solid", fgColor="DDEBF7")
    for change in result.changes:
        _append_row(ws, CHANGED, change.sheet, change.cell, change.before, change.after,
                    change.reason)
    for review in result.reviews:
        _append_row(ws, REVIEW, review.sheet, review.cell, review.value, None, review.reason)
    for index, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
    ws.freeze_panes = "A5"
    ws.auto_filter.ref = f"A4:F{max(ws.max_row, 4)}"
    wb.active = wb.worksheets.index(ws)
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = sheet is ws
    return ws


def _append_row(ws: Worksheet, kind: str, sheet: str, coordinate: str, before: object,
                after: object, reason: str) -> None:
    ws.append([kind, sheet, coordinate, _shown(before), _shown(after), reason])
    row = ws.max_row
    link = ws.cell(row, 3)
    link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{sheet}'!{coordinate}",
                               display=coordinate)
    link.style = "Hyperlink"
    for cell in ws[row]:
        if cell.column != 3:
            cell.alignment = _TOP_WRAP
    if kind == REVIEW:
        ws.cell(row, 1).font = Font(bold=True, color="C00000")


def _shown(value: object) -> str:
    if value is None or value == "":
        return "(trống)"
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def _same(a: object, b: object) -> bool:
    return (a in (None, "") and b in (None, "")) or a == b


def _difference(before: str, after: str, context: int = 25) -> tuple[str, str]:
    """The changed parts of two long texts, each with some context, for one line on screen."""
    if len(before) <= 2 * context + 40:
        return before, after
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    regions = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    # neighbouring changes closer than two contexts are shown as one region
    merged: list[list[int]] = []
    for _tag, i1, i2, j1, j2 in regions:
        if merged and i1 - merged[-1][1] <= 2 * context:
            merged[-1][1], merged[-1][3] = i2, j2
        else:
            merged.append([i1, i2, j1, j2])

    def show(text: str, spans: list[tuple[int, int]]) -> str:
        parts = []
        for lo, hi in spans:
            a, b = max(0, lo - context), min(len(text), hi + context)
            a = text.rfind(" ", 0, a) + 1 if a else 0  # whole words at both ends
            b = len(text) if text.find(" ", b) < 0 else text.find(" ", b)
            parts.append(("…" if a else "") + text[a:b] + ("…" if b < len(text) else ""))
        return " ".join(parts)

    return (show(before, [(m[0], m[1]) for m in merged]),
            show(after, [(m[2], m[3]) for m in merged]))
