"""Write a workbook in the clerks' layout, empty or filled, with guidance and validation."""

from __future__ import annotations

import errno
import gc
import io
import sys
import tempfile
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from generator.errors import DISK_FULL, VanbanError, os_reason
from generator.text import vn
from generator.workbook import schema

GUIDE_NAME = "Hướng dẫn"
# Lists that drop-downs offer; the reader never reads this sheet.
LISTS_NAME = "Danh sách chọn"
LISTS_HELP = ("Mỗi dòng một lĩnh vực của phụ lục; cột Lĩnh vực của sheet Nhiệm vụ chọn trong "
              "danh sách này. Ghi lĩnh vực ở đây trước khi ghi nhiệm vụ. Chương trình không đọc "
              "sheet này khi tạo văn bản.")
AREAS_HEADER = "Lĩnh vực"
DATE_FORMAT = "dd/mm/yyyy"
# Validations cover this many rows below the header; enough for any plan, small enough for Excel.
LAST_ROW = 1000
DATE_MIN = date(vn.FIRST_YEAR, 1, 1)
DATE_MAX = date(vn.LAST_YEAR, 12, 31)
# Shown in the drop-down of signing prefixes for "no prefix"; the reader maps it back to "".
EMPTY_CHOICE = "(trống)"
# Columns at least this wide hold sentences: wrap them even when they are not MULTILINE.
WRAP_WIDTH = 30

# Excel rejects longer texts in a data validation (prompt/error 255, titles 32 characters).
_MAX_MESSAGE = 255
_MAX_TITLE = 32

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_GUIDE_SECTION_FILL = PatternFill("solid", fgColor="FFF2CC")
_TOP = Alignment(vertical="top")
_TOP_WRAP = Alignment(vertical="top", wrap_text=True)

_KIND_HINTS = {
    schema.MULTILINE: "Có thể xuống dòng trong ô bằng Alt+Enter.",
    schema.INT: "Số nguyên.",
    schema.YEAR: f"Năm từ {vn.FIRST_YEAR} đến {vn.LAST_YEAR}.",
    schema.DATE: "Ngày dạng dd/mm/yyyy.",
    schema.CHOICE: "Chọn trong danh sách.",
    schema.BOOL: "Chọn Có hoặc Không.",
}

_GENERAL_RULES: tuple[tuple[str, str], ...] = (
    ("Cách dùng sổ tính",
     "Mỗi sheet là một phần của Quyết định, Kế hoạch và Phụ lục. Không đổi tên sheet, không "
     "đổi tiêu đề cột ở dòng 1 (hoặc cột Mục của sheet Thông tin chung); có thể thêm, xóa, "
     "sắp xếp các dòng. Chọn một ô để xem gợi ý cách ghi."),
    ("Số thứ tự",
     "Không gõ số thứ tự, số La Mã, chữ cái đầu dòng (I., 1., a), STT) và chữ “Điều 1.”: "
     "chương trình tự đánh số theo đúng thể thức (I, II…; 1, 2…; a, b, c, d, đ, e, g…), "
     "nên không thể nhảy số hay sót chữ."),
    ("Ngày tháng",
     "Ghi ngày dạng dd/mm/yyyy, ví dụ 28/12/2017. Ô ngày chỉ nhận ngày từ 01/01/1990 đến "
     "31/12/2100. Chương trình tự viết “ngày 28 tháng 12 năm 2017” theo thể thức."),
    ("Dấu câu cuối dòng",
     "Không ghi dấu ; hoặc . cuối căn cứ, nơi nhận, dòng “Xét đề nghị”; không ghi ./. cuối văn "
     "bản: chương trình tự thêm. Trong đoạn văn của Kế hoạch, giữ dấu câu như văn bản gốc."),
    ("Tên cơ quan",
     "Sheet Cơ quan là danh mục cơ quan, đơn vị. Ở cột Cơ quan chủ trì, Cơ quan phối hợp và "
     "Cơ quan thực hiện, ghi tên đầy đủ hoặc một tên gọi khác đã khai ở sheet Cơ quan, nhiều "
     "cơ quan cách nhau bởi dấu ; hoặc dấu phẩy. Được ghi cụm chỉ nhóm như “Các sở, ban, "
     "ngành”, “UBND cấp xã”, “UBND cấp huyện” (nếu tỉnh còn cấp huyện): chương trình hiểu theo "
     "cột Loại."),
    ("Chữ tiếng Việt",
     "Gõ tiếng Việt Unicode dựng sẵn, phông Times New Roman. Không dán chữ từ tệp phông "
     ".VnTime hay VNI-Times; chương trình sẽ báo các ô nghi là mã cũ."),
    ("Xuống dòng trong ô",
     "Nhấn Alt+Enter để xuống dòng trong một ô (ví dụ tên cơ quan ban hành hai dòng). Không "
     "dùng xuống dòng để ngắt một câu dài: Excel tự ngắt khi hiển thị."),
)

# Cells that name agencies get a drop-down of the registry's names.
_AGENCY_COLUMNS = {
    (schema.TASKS.key, "lead"),
    (schema.TASKS.key, "support"),
    (schema.TARGETS.key, "agencies"),
}

Row = Mapping[str, object]


def build_workbook(data: Mapping[str, object] | None = None) -> openpyxl.Workbook:
    """A workbook with the guide sheet and every schema sheet, filled from `data`.

    `data` maps a sheet key of the schema to its content: for the general sheet a mapping of
    field key to value, for a table sheet a sequence of mappings of column key to value.
    None (or a missing key) leaves the sheet empty, ready for a new province or year.
    """
    data = data or {}
    unknown = set(data) - {schema.GENERAL.key} - {t.key for t in schema.TABLES}
    if unknown:
        raise KeyError(f"unknown sheet keys: {sorted(unknown)}")
    wb = openpyxl.Workbook()
    _write_guide(wb.active)
    general = data.get(schema.GENERAL.key) or {}
    if not isinstance(general, Mapping):
        raise TypeError("general sheet data must be a mapping of field key to value")
    _write_general(wb.create_sheet(schema.GENERAL.name), general)
    for table in schema.TABLES:
        rows = data.get(table.key) or []
        if not isinstance(rows, Sequence):
            raise TypeError(f"{table.key} sheet data must be a sequence of rows")
        _write_table(wb.create_sheet(table.name), table, rows)
    tasks = data.get(schema.TASKS.key) or []
    assert isinstance(tasks, Sequence)
    areas = dict.fromkeys(str(t["area"]) for t in tasks if t.get("area"))
    _write_lists(wb.create_sheet(LISTS_NAME), list(areas))
    return wb


def save_workbook(wb: openpyxl.Workbook, path: str | Path) -> Path:
    """Save `wb` to `path`, creating the parent folder; returns the path written."""
    path = Path(path)
    data = workbook_bytes(wb, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _collect_quietly() -> None:
    hook = sys.unraisablehook
    sys.unraisablehook = lambda _: None
    try:
        gc.collect()
    finally:
        sys.unraisablehook = hook


_SPOOL_ERRORS = {"IO_ENOSPC": errno.ENOSPC, "IO_EFBIG": errno.EFBIG}


def workbook_bytes(wb: openpyxl.Workbook, target: str | Path) -> bytes:
    """The .xlsx bytes of a workbook, or one message naming `target` when they cannot be made.

    openpyxl writes each sheet through a temporary file in TMPDIR before zipping it: a full
    temporary folder fails there (lxml's IO_ENOSPC), before the target is touched.
    """
    buffer = io.BytesIO()
    code = None
    try:
        wb.save(buffer)
    except Exception as exc:  # lxml's SerialisationError, or OSError from the plain writer
        code = getattr(exc, "errno", None) or next(
            (number for name, number in _SPOOL_ERRORS.items() if name in str(exc)), None)
        if code is None:
            raise
    if code is not None:
        # openpyxl's half-written sheet writers fail again as they are collected; that second
        # failure would print "Exception ignored …" after our message
        _collect_quietly()
        raise VanbanError(
            f"Không ghi được {target}: thư mục tạm {tempfile.gettempdir()} "
            f"{'đã đầy' if code in DISK_FULL else 'không ghi được (' + os_reason(code) + ')'}; "
            "chưa ghi gì. Hãy dọn bớt thư mục tạm hoặc đặt biến TMPDIR sang ổ còn chỗ trống.")
    return buffer.getvalue()


# -- guide ---------------------------------------------------------------------------------


def _write_guide(ws: Worksheet) -> None:
    ws.title = GUIDE_NAME
    for letter, width in (("A", 24), ("B", 30), ("C", 95)):
        ws.column_dimensions[letter].width = width
    ws.append(["HƯỚNG DẪN GHI SỔ TÍNH KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    _guide_section(ws, "Quy tắc chung")
    for title, text in _GENERAL_RULES:
        ws.append([title, None, text])
    ws.append([])
    _guide_section(ws, "Các sheet")
    for name, help_text in _sheet_helps():
        ws.append([name, None, help_text])
    ws.append([])
    _guide_section(ws, "Từng mục, từng cột", ("Sheet", "Mục / Cột", "Cách ghi"))
    for f in schema.GENERAL.fields:
        ws.append([schema.GENERAL.name, f.label, _describe(f.help, f.kind, f.required, f.choices)])
    for table in schema.TABLES:
        for col in table.columns:
            ws.append([table.name, col.header,
                       _describe(col.help, col.kind, col.required, col.choices)])
    ws.append([LISTS_NAME, AREAS_HEADER, LISTS_HELP])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = _TOP_WRAP
    ws.freeze_panes = "A2"


def _guide_section(ws: Worksheet, title: str, headers: tuple[str, ...] = ()) -> None:
    ws.append([title.upper()])
    if headers:
        ws.append(list(headers))
    first = ws.max_row - (1 if headers else 0)
    for row in ws.iter_rows(min_row=first, max_row=ws.max_row, max_col=3):
        for cell in row:
            cell.font = _HEADER_FONT
            cell.fill = _GUIDE_SECTION_FILL


def _sheet_helps() -> list[tuple[str, str]]:
    items = [(schema.GENERAL.name, schema.GENERAL.help)]
    items += [(t.name, t.help) for t in schema.TABLES]
    items.append((LISTS_NAME, LISTS_HELP))
    return items


def _describe(help_text: str, kind: str, required: bool, choices: tuple[str, ...]) -> str:
    """The guidance shown for a field or column: its help text plus what the cell accepts."""
    parts = [help_text if help_text.endswith((".", "!", "?", ")")) else help_text + "."]
    parts = [p for p in parts if p != "."]
    lowered = help_text.casefold()
    if kind in (schema.CHOICE, schema.BOOL) and choices:
        shown = ", ".join(c if c else EMPTY_CHOICE for c in choices)
        parts.append(f"Chọn một trong: {shown}" + ("" if shown.endswith(".") else "."))
    elif kind in _KIND_HINTS and not _mentions(lowered, kind):
        parts.append(_KIND_HINTS[kind])
    if required:
        parts.append("Bắt buộc.")
    elif "để trống" not in lowered:
        parts.append("Có thể để trống.")
    return " ".join(parts)


def _mentions(lowered_help: str, kind: str) -> bool:
    """Whether the help text already says what the kind hint would say."""
    return {
        schema.DATE: "dd/mm/yyyy" in lowered_help,
        schema.MULTILINE: "alt+enter" in lowered_help,
    }.get(kind, False)


# -- general sheet -------------------------------------------------------------------------


def _write_general(ws: Worksheet, values: Mapping[str, object]) -> None:
    sheet = schema.GENERAL
    unknown = set(values) - {f.key for f in sheet.fields}
    if unknown:
        raise KeyError(f"unknown general fields: {sorted(unknown)}")
    ws.append([sheet.label_header, sheet.value_header, sheet.help_header])
    _style_header(ws, 3)
    for letter, width in (("A", 32), ("B", 70), ("C", 70)):
        ws.column_dimensions[letter].width = width
        ws.column_dimensions[letter].alignment = _TOP_WRAP
    for row, f in enumerate(sheet.fields, start=2):
        ws.cell(row, 1, f.label).alignment = _TOP_WRAP
        if f.required:
            ws.cell(row, 1).font = _HEADER_FONT
        _write_value(ws.cell(row, 2), values.get(f.key), f.kind)
        ws.cell(row, 2).alignment = _TOP_WRAP
        ws.cell(row, 3, _describe(f.help, f.kind, f.required, f.choices)).alignment = _TOP_WRAP
        validation = _validation(f.kind, f.choices, f.label,
                                 _describe(f.help, f.kind, f.required, f.choices))
        _add(ws, validation, f"B{row}")
    ws.freeze_panes = "B2"


# -- table sheets --------------------------------------------------------------------------


def _write_table(ws: Worksheet, table: schema.TableSheet, rows: Sequence[Row]) -> None:
    keys = [c.key for c in table.columns]
    ws.append([c.header for c in table.columns])
    _style_header(ws, len(table.columns))
    for number, row in enumerate(rows, start=2):
        unknown = set(row) - set(keys)
        if unknown:
            raise KeyError(f"{table.key} row {number}: unknown columns {sorted(unknown)}")
        for index, col in enumerate(table.columns, start=1):
            cell = ws.cell(number, index)
            _write_value(cell, row.get(col.key), col.kind)
            cell.alignment = _TOP_WRAP if _wraps(col) else _TOP
    for col in table.columns:
        letter = table.letter(col.key)
        # A column style reaches the cells clerks add later, not only the ones written here.
        dim = ws.column_dimensions[letter]
        dim.width = col.width
        dim.alignment = _TOP_WRAP if _wraps(col) else _TOP
        if col.kind == schema.DATE:
            dim.number_format = DATE_FORMAT
        text = _describe(col.help, col.kind, col.required, col.choices)
        _add(ws, _prompt_only(col.header, text), f"{letter}1")
        _add(ws, _column_validation(table, col, text), f"{letter}2:{letter}{LAST_ROW}")
    ws.freeze_panes = "A2"


def _column_validation(table: schema.TableSheet, col: schema.Column,
                       text: str) -> DataValidation:
    if (table.key, col.key) in _AGENCY_COLUMNS:
        return _agency_list(col.header, text)
    if (table.key, col.key) == (schema.TASKS.key, "area"):
        return _area_list(col.header, text)
    if col.suggestions:
        return _suggestions(col.header, text, col.suggestions)
    return _validation(col.kind, col.choices, col.header, text)


# -- lists sheet ---------------------------------------------------------------------------


def _write_lists(ws: Worksheet, areas: list[str]) -> None:
    ws.append([AREAS_HEADER])
    _style_header(ws, 1)
    for area in areas:
        ws.append([area])
    ws.column_dimensions["A"].width = 70
    ws.column_dimensions["A"].alignment = _TOP_WRAP
    _add(ws, _prompt_only(AREAS_HEADER, LISTS_HELP), "A1")
    ws.freeze_panes = "A2"


def _wraps(col: schema.Column) -> bool:
    return col.kind == schema.MULTILINE or col.width >= WRAP_WIDTH


def _style_header(ws: Worksheet, count: int) -> None:
    for index in range(1, count + 1):
        cell = ws.cell(1, index)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)


def _write_value(cell: object, value: object, kind: str) -> None:
    if value is None or value == "":
        return
    cell.value = value  # type: ignore[attr-defined]
    if kind == schema.DATE or isinstance(value, date | datetime):
        cell.number_format = DATE_FORMAT  # type: ignore[attr-defined]


# -- validation ----------------------------------------------------------------------------


def _validation(kind: str, choices: tuple[str, ...], title: str, text: str) -> DataValidation:
    if kind in (schema.CHOICE, schema.BOOL) and choices:
        items = [c if c else EMPTY_CHOICE for c in choices]
        dv = DataValidation(type="list", formula1=_inline_list(items), allow_blank=True)
        dv.error = "Hãy chọn một giá trị trong danh sách: " + ", ".join(items) + "."
    elif kind == schema.DATE:
        dv = DataValidation(type="date", operator="between", allow_blank=True,
                            formula1=str(int(to_excel(DATE_MIN))),
                            formula2=str(int(to_excel(DATE_MAX))))
        dv.error = (f"Hãy ghi một ngày dạng dd/mm/yyyy, từ {vn.date_short(DATE_MIN)} đến "
                    f"{vn.date_short(DATE_MAX)}, ví dụ 28/12/2017.")
    elif kind == schema.YEAR:
        dv = DataValidation(type="whole", operator="between", allow_blank=True,
                            formula1=str(DATE_MIN.year), formula2=str(DATE_MAX.year))
        dv.error = f"Hãy ghi năm: {vn.YEAR_RANGE_TEXT}."
    elif kind == schema.INT:
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", allow_blank=True,
                            formula1="0")
        dv.error = "Hãy ghi một số nguyên không âm, ví dụ 5."
    else:
        return _prompt_only(title, text)
    dv.errorTitle = _clip("Giá trị không hợp lệ", _MAX_TITLE)
    dv.showErrorMessage = True
    dv.errorStyle = "stop"
    _set_prompt(dv, title, text)
    return dv


def _agency_list(title: str, text: str) -> DataValidation:
    # A cell may name several agencies, so the list only helps typing and never rejects.
    names = f"'{schema.AGENCIES.name}'!${schema.AGENCIES.letter('name')}$2:" \
            f"${schema.AGENCIES.letter('name')}${LAST_ROW}"
    dv = DataValidation(type="list", formula1=names, allow_blank=True)
    dv.showErrorMessage = False
    _set_prompt(dv, title, text + " Danh sách chọn lấy từ cột Tên đầy đủ của sheet Cơ quan.")
    return dv


def _area_list(title: str, text: str) -> DataValidation:
    # A new area is allowed after a warning: the warning catches a typo that would otherwise
    # open a separate area of the appendix.
    dv = DataValidation(type="list", formula1=f"'{LISTS_NAME}'!$A$2:$A${LAST_ROW}",
                        allow_blank=True)
    dv.showErrorMessage = True
    dv.errorStyle = "warning"
    dv.errorTitle = _clip("Lĩnh vực mới?", _MAX_TITLE)
    dv.error = (f"Lĩnh vực này chưa có trong sheet {LISTS_NAME}; mỗi cách viết khác là một "
                "lĩnh vực riêng của phụ lục. Chọn Yes để giữ, No để sửa.")
    _set_prompt(dv, title, text + f" Danh sách chọn lấy từ sheet {LISTS_NAME}.")
    return dv


def _suggestions(title: str, text: str, items: tuple[str, ...]) -> DataValidation:
    dv = DataValidation(type="list", formula1=_inline_list(list(items)), allow_blank=True)
    dv.showErrorMessage = False  # suggestions only: any other text is accepted
    _set_prompt(dv, title, text)
    return dv


def _prompt_only(title: str, text: str) -> DataValidation:
    dv = DataValidation(allow_blank=True)
    dv.showErrorMessage = False
    _set_prompt(dv, title, text)
    return dv


def _set_prompt(dv: DataValidation, title: str, text: str) -> None:
    dv.promptTitle = _clip(title, _MAX_TITLE)
    dv.prompt = _clip(text, _MAX_MESSAGE)
    dv.showInputMessage = True
    if dv.error:
        dv.error = _clip(dv.error, _MAX_MESSAGE)


def _inline_list(items: list[str]) -> str:
    formula = '"' + ",".join(items) + '"'
    if len(formula) > _MAX_MESSAGE:
        raise ValueError(f"inline list longer than Excel allows: {formula}")
    return formula


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _add(ws: Worksheet, dv: DataValidation, ref: str) -> None:
    ws.add_data_validation(dv)
    dv.add(ref)
