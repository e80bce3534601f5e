"""Read the clerks' workbook into the typed model, collecting every problem with its cell."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

import openpyxl
from openpyxl.cell.cell import MergedCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from generator.errors import ERROR, WARNING, Loc, Problem, ProblemsFound, Severity, VanbanError
from generator.plan.model import (
    Agency,
    Article,
    Basis,
    General,
    OutlineItem,
    Period,
    Plan,
    Recipient,
    Signer,
    Target,
    Task,
)
from generator.text import hygiene, vn
from generator.workbook import schema
from generator.workbook.filecheck import LIMITS, Inspection, inspect_workbook

EMPTY_CHOICE = "(trống)"
OUTLINE_LEVELS = (0, 1, 2, 3)
_TRUE = {"có", "co", "x", "yes", "y", "true", "1", "đúng"}
_FALSE = {"không", "khong", "no", "n", "false", "0", "sai", ""}


@dataclass
class Cell:
    """A converted cell value with its place; `raw` is what openpyxl gave."""

    value: Any
    loc: Loc
    raw: Any = None
    ok: bool = True  # False when the cell had an error: its value is None


@dataclass
class RawRow:
    row: int
    cells: dict[str, Cell] = field(default_factory=dict)

    def locs(self) -> MappingProxyType:
        return MappingProxyType({key: cell.loc for key, cell in self.cells.items()})

    def __getitem__(self, key: str) -> Any:
        cell = self.cells.get(key)
        return cell.value if cell else None

    @property
    def ok(self) -> bool:
        return all(cell.ok for cell in self.cells.values())


class Reader:
    """Turns one openpyxl workbook into a Plan; problems are collected, never raised early."""

    def __init__(self, wb: openpyxl.Workbook, source: Path | None = None,
                 formulas: Mapping[tuple[str, str], str] | None = None) -> None:
        self.wb = wb
        self.source = source
        self.formulas = formulas or {}  # (sheet title, cell) -> formula text, see formula_cells
        self.problems: list[Problem] = []
        # the plan made of every cell that could be read, even when others had errors, so
        # that the checks on the whole plan can still report everything in one run
        self.partial: Plan | None = None
        self._merged: dict[str, dict[str, str]] = {}
        self.plan: Plan | None = None

    # -- public ---------------------------------------------------------------------------

    def read(self) -> Plan | None:
        general = self._read_general()
        tables = {table.key: [r for r in self._read_table(table) if r.ok] for table in schema.TABLES}
        if general is None:
            return None
        self.partial = self._plan(general, tables)
        if any(p.severity == ERROR for p in self.problems):
            return None
        return self.partial

    def _plan(self, general: General, tables: dict[str, list[RawRow]]) -> Plan:
        return Plan(
            general=general,
            bases=tuple(Basis(_strip_end(r["text"]), locs=r.locs()) for r in tables["bases"]),
            articles=tuple(Article(r["text"], locs=r.locs()) for r in tables["articles"]),
            recipients=tuple(
                Recipient(_strip_end(r["text"]).lstrip("-– ").strip(), r["copies"], locs=r.locs())
                for r in tables["recipients"]
            ),
            outline=tuple(
                OutlineItem(r["level"], r["heading"] or "", r["text"] or "", locs=r.locs())
                for r in tables["outline"]
            ),
            tasks=tuple(
                Task(
                    r["area"], r["text"], r["lead"], r["support"] or "", r["deadline"],
                    r["note"] or "", locs=r.locs(),
                )
                for r in tables["tasks"]
            ),
            agencies=tuple(
                Agency(
                    code=r["code"], name=r["name"], kind=r["kind"], parent=r["parent"] or "",
                    head_title=r["head_title"] or "", on_behalf=r["on_behalf"] or "",
                    abbr=r["abbr"] or "", aliases=_split_aliases(r["aliases"]),
                    reports=bool(r["reports"]), place=r["place"] or "", locs=r.locs(),
                )
                for r in tables["agencies"]
            ),
            periods=tuple(
                Period(
                    r["code"], r["name"], r["summary"], r["deadline"], r["data_from"],
                    r["data_to"], locs=r.locs(),
                )
                for r in tables["periods"]
            ),
            targets=tuple(
                Target(r["text"], r["value"], r["agencies"], r["source"] or "", locs=r.locs())
                for r in tables["targets"]
            ),
            source=self.source,
        )

    # -- sheets ---------------------------------------------------------------------------

    def _sheet(self, name: str) -> Worksheet | None:
        wanted = vn.name_key(name)
        found = [ws for ws in self.wb.worksheets if vn.name_key(ws.title) == wanted]
        if len(found) > 1:
            # a stale copy ("Nhiệm vụ " before "Nhiệm vụ") must not be read in place of the real one
            shown = ", ".join(f"“{ws.title}”" for ws in found)
            self._problem(ERROR, Loc(found[0].title), f"Có {len(found)} sheet cùng tên “{name}”: "
                          f"{shown} (khác nhau ở dấu cách hoặc chữ hoa); chương trình không biết "
                          "đọc sheet nào.", code="duplicate-sheet",
                          suggestion="xóa hoặc đổi tên sheet cũ, chỉ giữ một sheet tên "
                                     f"“{name}”")
            return None
        if found:
            return found[0]
        self._problem(ERROR, Loc(name), f"Thiếu sheet “{name}”.", code="missing-sheet",
                      expected=f"một sheet tên “{name}”")
        return None

    def _read_general(self) -> General | None:
        sheet = schema.GENERAL
        ws = self._sheet(sheet.name)
        if ws is None:
            return None
        by_label: dict[str, int] = {}
        duplicated = False
        for number in range(2, ws.max_row + 1):
            label = ws.cell(number, 1).value
            if isinstance(label, str) and label.strip():
                first = by_label.setdefault(vn.name_key(label), number)
                if first != number:
                    duplicated = True
                    self._duplicate(Loc(sheet.name, f"A{first}"), Loc(sheet.name, f"A{number}"),
                                    f"dòng “{label.strip()}”", "duplicate-field")
        values: dict[str, Cell] = {}
        for f in sheet.fields:
            row = by_label.get(vn.name_key(f.label))
            if row is None and f.optional:
                values[f.key] = Cell(None, Loc(sheet.name, "A"))
                continue
            if row is None:
                self._problem(ERROR, Loc(sheet.name, "A"), f"Thiếu dòng “{f.label}” ở cột A.",
                              code="missing-field", expected=f"một dòng có cột A là “{f.label}”")
                continue
            loc = Loc(sheet.name, f"B{row}")
            values[f.key] = self._convert(ws, ws.cell(row, 2), loc, f.kind, f.required, f.choices,
                                          f.label, (sheet.key, f.key) in schema.SYMBOL_FIELDS)
        if len(values) != len(sheet.fields) or duplicated:
            return None

        def val(key: str, default: Any = "") -> Any:
            v = values[key].value
            return default if v is None else v

        locs = MappingProxyType({k: c.loc for k, c in values.items()})

        def signer(prefix: str) -> Signer:
            keys = [f"{prefix}signer_{part}" for part in ("prefix", "on_behalf", "title", "name")]
            return Signer(*(val(k) for k in keys),
                          locs=MappingProxyType({k.split("signer_")[1]: locs[k] for k in keys}))

        return General(
            issuer_parent=val("issuer_parent"), issuer=val("issuer"), place=val("place"),
            year=val("year", 0), number=values["number"].value, symbol=val("symbol"),
            issue_date=values["issue_date"].value, summary=val("summary"),
            authority=val("authority"), proposal=_strip_end(val("proposal")),
            signer=signer(""), archive_unit=val("archive_unit"), drafter=val("drafter"),
            copies=values["copies"].value, archive_copies=values["archive_copies"].value,
            plan_title=val("plan_title"),
            issued_by=val("issued_by"), plan_signer=signer("plan_"),
            appendix_title=val("appendix_title"), report_to=val("report_to"),
            report_addressee=val("report_addressee"), locs=locs,
            report_signer=signer("report_") if any(
                val(f"report_signer_{part}") for part in ("prefix", "on_behalf", "title", "name"))
            else None,
        )

    def _read_table(self, table: schema.TableSheet) -> Iterator[RawRow]:
        ws = self._sheet(table.name)
        if ws is None:
            return
        header: dict[str, int] = {}
        duplicated = False
        for col in range(1, ws.max_column + 1):
            text = ws.cell(1, col).value
            if isinstance(text, str) and text.strip():
                first = header.setdefault(vn.name_key(text), col)
                if first != col:
                    duplicated = True
                    self._duplicate(Loc(table.name, f"{get_column_letter(first)}1"),
                                    Loc(table.name, f"{get_column_letter(col)}1"),
                                    f"cột “{text.strip()}”", "duplicate-column")
        if duplicated:
            return
        columns: dict[str, int] = {}
        for column in table.columns:
            index = header.get(vn.name_key(column.header))
            if index is None and column.optional:
                continue
            if index is None:
                self._problem(ERROR, Loc(table.name, "1"), f"Thiếu cột “{column.header}”.",
                              code="missing-column", expected=f"tiêu đề cột “{column.header}” ở dòng 1")
                continue
            columns[column.key] = index
        if len(columns) != len([c for c in table.columns if c.key in columns or not c.optional]):
            return
        last = _last_filled_row(ws, columns.values())
        for row in range(2, last + 1):
            if all(_blank(ws.cell(row, c).value) for c in columns.values()):
                self._problem(WARNING, Loc(table.name, f"A{row}"),
                              "Dòng trống giữa bảng; dòng này được bỏ qua.", code="blank-row")
                continue
            raw = RawRow(row)
            for column in table.columns:
                if column.key not in columns:  # an optional column the workbook does not have
                    raw.cells[column.key] = Cell(None, Loc(table.name, f"A{row}"))
                    continue
                cell = ws.cell(row, columns[column.key])
                loc = Loc(table.name, f"{get_column_letter(columns[column.key])}{row}")
                raw.cells[column.key] = self._convert(
                    ws, cell, loc, column.kind, column.required, column.choices, column.header,
                    (table.key, column.key) in schema.SYMBOL_FIELDS,
                )
            if table is schema.OUTLINE:
                self._check_level(raw.cells["level"])
            yield raw

    # -- cells ----------------------------------------------------------------------------

    def _convert(self, ws: Worksheet, cell: Any, loc: Loc, kind: str, required: bool,
                 choices: tuple[str, ...], label: str, symbol: bool = False) -> Cell:
        raw = cell.value
        if isinstance(cell, MergedCell):
            area = self._merged_area(ws, cell.coordinate)
            top_left = area.split(":")[0]
            self._problem(ERROR, loc, f"Ô “{label}” nằm trong vùng ô đã gộp {area}; chỉ ô {top_left} "
                          "có giá trị, các ô còn lại bị coi là trống.",
                          found=f"gộp ô {area}", expected=f"giá trị riêng ở ô {cell.coordinate}",
                          suggestion="bỏ gộp ô (Merge & Center) và ghi giá trị vào từng ô",
                          code="merged-cell")
            return Cell(None, loc, raw, ok=False)
        font = cell.font.name if cell.font else None
        if isinstance(raw, str):
            raw = unescape_ooxml(raw)
            if len(raw) > LIMITS.cell_chars:
                self._problem(ERROR, loc, f"Ô “{label}” dài {len(raw):,} ký tự, quá giới hạn "
                              f"{LIMITS.cell_chars:,} ký tự của một ô Excel.".replace(",", "."),
                              code="too-long", expected="một đoạn ngắn hơn, hoặc chia thành nhiều dòng")
                return Cell(None, loc, raw, ok=False)
            cleaned, removed = vn.strip_controls(raw)
            if removed:
                shown = ", ".join(f"U+{ord(c):04X}" for c in removed)
                self._problem(WARNING, loc, f"Ô “{label}” có ký tự điều khiển không in được ({shown}); "
                              "các ký tự này đã được bỏ đi.", code="control-chars",
                              suggestion="gõ lại ô này hoặc dán dưới dạng chữ thuần (Ctrl+Shift+V)")
                raw = cleaned
        formula = self.formulas.get((ws.title, cell.coordinate))
        if _is_error_value(raw):
            self._problem(ERROR, loc, f"Ô “{label}” chứa giá trị lỗi của công thức.",
                          found=f"{raw} ({formula})" if formula else raw,
                          suggestion="sửa công thức hoặc ghi thẳng giá trị", code="formula-error")
            return Cell(None, loc, raw, ok=False)
        if formula is not None and raw is None:
            self._problem(ERROR, loc, f"Ô “{label}” có công thức nhưng chưa có giá trị đã tính.",
                          found=formula, expected="giá trị đã được Excel tính",
                          suggestion="mở sổ tính bằng Excel hoặc LibreOffice, lưu lại rồi chạy lại; "
                                     "hoặc ghi thẳng giá trị thay cho công thức",
                          code="formula-no-value")
            return Cell(None, loc, raw, ok=False)
        if kind in _TEXT_KINDS:
            raw = _as_shown(raw, cell.number_format)
        elif kind == schema.DATE and isinstance(raw, datetime) and "d" not in (
                shown := vn.date_parts_shown(cell.number_format)) and shown:
            # "6/2018" typed in Excel is stored as 01/6/2018 and shown "Jun-18": no day was written
            self._problem(ERROR, loc, f"Ô “{label}” chỉ hiện tháng và năm "
                          f"({vn.date_as_shown(raw.date(), cell.number_format)}), không có ngày; "
                          "chương trình không đoán ngày.",
                          found=f"{vn.date_short(raw.date())} (định dạng {cell.number_format})",
                          expected="một ngày đầy đủ dạng dd/mm/yyyy",
                          suggestion="ghi đủ ngày, ví dụ 30/6/2018, hoặc đổi định dạng ô sang "
                                     "dd/mm/yyyy để thấy ngày Excel đang lưu",
                          code="month-only-date")
            return Cell(None, loc, raw, ok=False)
        if isinstance(raw, str):
            for problem in hygiene.text_problems(raw, loc, font=font, one_line=kind == schema.TEXT,
                                                 symbol=symbol):
                self.problems.append(problem)
        if _blank(raw):
            if required:
                self._problem(ERROR, loc, f"Chưa ghi “{label}”.", code="required",
                              expected="một giá trị")
                return Cell(None, loc, raw, ok=False)
            return Cell(None, loc, raw)
        try:
            value = _CONVERTERS[kind](raw, choices)
        except ValueError as exc:
            self._problem(ERROR, loc, f"Giá trị của “{label}” không hợp lệ: {exc}",
                          found=str(raw), code=f"bad-{kind}")
            return Cell(None, loc, raw, ok=False)
        return Cell(value, loc, raw)

    def _merged_area(self, ws: Worksheet, coordinate: str) -> str:
        areas = self._merged.get(ws.title)
        if areas is None:
            areas = self._merged[ws.title] = {}
            for rng in ws.merged_cells.ranges:
                for row in ws.iter_rows(min_row=rng.min_row, max_row=rng.max_row,
                                        min_col=rng.min_col, max_col=rng.max_col):
                    for c in row:
                        areas[c.coordinate] = rng.coord
        return areas.get(coordinate, coordinate)

    def _check_level(self, cell: Cell) -> None:
        # the outline numbering has four levels; another number would have no label to take
        if cell.value is not None and cell.value not in OUTLINE_LEVELS:
            self._problem(ERROR, cell.loc, "Giá trị của “Cấp” không hợp lệ: chỉ được là 0, 1, 2 hoặc 3.",
                          found=str(cell.value), code="bad-level")
            cell.value = None
            cell.ok = False

    def _duplicate(self, first: Loc, second: Loc, what: str, code: str) -> None:
        # the first would win and the second be ignored without a word: both cells are named
        for here, other in ((first, second), (second, first)):
            self._problem(ERROR, here, f"Có hai {what}: ở {first.cell} và {second.cell}; "
                          "chương trình không biết lấy giá trị nào.", code=code,
                          suggestion=f"xóa một trong hai, hoặc gộp nội dung vào một ô "
                                     f"(ô kia: {other})")

    def _problem(self, severity: Severity, loc: Loc, message: str, **kw: str) -> None:
        self.problems.append(Problem(severity, loc, message, **kw))


_ERROR_VALUES = {"#REF!", "#VALUE!", "#NAME?", "#N/A", "#DIV/0!", "#NULL!", "#NUM!", "#SPILL!",
                 "#CALC!", "#GETTING_DATA"}


def _is_error_value(raw: Any) -> bool:
    return isinstance(raw, str) and raw.strip().upper() in _ERROR_VALUES


_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape_ooxml(text: str) -> str:
    """Decode Excel's `_xHHHH_` escapes (ECMA-376 ST_Xstring), which openpyxl leaves as typed.

    Excel writes a carriage return as `_x000D_` and a typed `_x` sequence as `_x005F_x…`; without
    this, a clerk's cell pasted from Windows text would print `_x000D_` in the document.
    """
    if "_x" not in text:
        return text
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _last_filled_row(ws: Worksheet, columns: Any) -> int:
    cols = list(columns)
    for row in range(ws.max_row, 1, -1):
        if any(not _blank(ws.cell(row, c).value) for c in cols):
            return row
    return 1


_TEXT_KINDS = frozenset({schema.TEXT, schema.MULTILINE, schema.CHOICE})


def _as_shown(raw: Any, number_format: str | None) -> Any:
    """A number or date in a text cell, as Excel shows it ("80%", "Tháng 6/2018"), not as stored."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float):
        return vn.format_number(raw, number_format)
    if isinstance(raw, datetime):
        return vn.date_as_shown(raw.date(), number_format)
    return raw


def _text(raw: Any, _choices: tuple[str, ...] = ()) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, datetime):
        return vn.date_short(raw.date())
    return vn.clean_text(str(raw))


def _int(raw: Any, _choices: tuple[str, ...] = ()) -> int:
    if isinstance(raw, bool):
        raise ValueError("cần một số nguyên")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, int):
        if raw < 0:
            raise ValueError("cần một số nguyên không âm")
        return raw
    text = str(raw).strip()
    if text.isascii() and text.isdigit() and len(text) <= 15:
        return int(text)
    raise ValueError("cần một số nguyên")


def _year(raw: Any, choices: tuple[str, ...] = ()) -> int:
    year = _int(raw, choices)
    if not vn.year_in_range(year):
        raise ValueError(vn.YEAR_RANGE_TEXT)
    return year


def _date(raw: Any, _choices: tuple[str, ...] = ()) -> date:
    value = vn.parse_date(raw)
    if value is None:
        raise ValueError("cần một ngày dạng dd/mm/yyyy")
    if not vn.year_in_range(value.year):
        raise ValueError(f"ngày {vn.date_short(value)}: {vn.YEAR_RANGE_TEXT}")
    return value


def _choice(raw: Any, choices: tuple[str, ...]) -> str:
    text = _text(raw)
    if text == EMPTY_CHOICE:
        return ""
    for choice in choices:
        if vn.name_key(choice) == vn.name_key(text):
            return choice
    shown = ", ".join(c or EMPTY_CHOICE for c in choices)
    raise ValueError(f"chỉ được chọn một trong: {shown}")


def _bool(raw: Any, _choices: tuple[str, ...] = ()) -> bool:
    if isinstance(raw, bool):
        return raw
    key = _text(raw).lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(f"ghi “{schema.YES}” hoặc “{schema.NO}”")


_CONVERTERS: dict[str, Callable[[Any, tuple[str, ...]], Any]] = {
    schema.TEXT: _text,
    schema.MULTILINE: _text,
    schema.INT: _int,
    schema.YEAR: _year,
    schema.DATE: _date,
    schema.CHOICE: _choice,
    schema.BOOL: _bool,
}


def _strip_end(text: str) -> str:
    """Drop end punctuation that the layout rules add themselves (`;`, `,`, `.`)."""
    return text.rstrip(" ;,.")


def _split_aliases(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    parts = (p.strip() for p in text.replace("\n", ";").split(";"))
    return tuple(p for p in parts if p)


def open_workbook(path: Path) -> openpyxl.Workbook:
    """Open a workbook or fail with one Vietnamese line (never a traceback)."""
    return _load(path)[0]


def _load(path: Path) -> tuple[openpyxl.Workbook, Inspection]:
    # every limit is checked on the raw file before openpyxl parses anything
    inspection = inspect_workbook(path)
    try:
        wb = _load_handle(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on broken files
        raise VanbanError(
            f"Không đọc được sổ tính {path.name} (tệp hỏng hoặc không do Excel lưu: "
            f"{type(exc).__name__}); hãy mở bằng Excel và lưu lại."
        ) from exc
    return wb, inspection


_FORMULA = re.compile(rb"<f[ >/]")


def _load_handle(path: Path, data_only: bool) -> openpyxl.Workbook:
    """Load through a file handle we close ourselves, also when openpyxl fails half-way."""
    with open(path, "rb") as handle:
        # keep_vba=False: macros are dropped, never kept or run; keep_links=False: no links to
        # other workbooks are followed
        return openpyxl.load_workbook(handle, data_only=data_only, keep_vba=False, keep_links=False)


def formula_cells(path: Path) -> dict[tuple[str, str], str]:
    """Every cell that holds a formula, as (sheet title, cell) -> "=…".

    The reader sees the values Excel cached (data_only); the formulas need a second load, done
    only when some worksheet of the file has a formula at all (the file passed
    `inspect_workbook` already, in the first load).
    """
    try:
        with zipfile.ZipFile(path) as z:
            has = any(_FORMULA.search(z.read(n)) for n in z.namelist()
                      if n.startswith("xl/worksheets/") and n.endswith(".xml"))
        if not has:
            return {}
        wb = _load_handle(path, data_only=False)
    except Exception:  # the data_only load already reported an unreadable file
        return {}
    found = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str) and value.startswith("="):
                    found[(ws.title, cell.coordinate)] = value
                elif value is not None and type(value).__name__ in {"ArrayFormula", "DataTableFormula"}:
                    found[(ws.title, cell.coordinate)] = str(getattr(value, "text", value))
    return found


def read_workbook(path: Path) -> Reader:
    """Read a workbook file; the reader holds the plan, the partial plan and every problem."""
    wb, inspection = _load(path)
    reader = Reader(wb, source=path, formulas=formula_cells(path))
    if inspection.macros:
        reader.problems.append(Problem(
            WARNING, None,
            f"{path.name} có macro; chương trình chỉ đọc dữ liệu trong các ô, không chạy macro.",
            code="macros-ignored",
        ))
    reader.plan = reader.read()
    return reader


def read_plan(path: Path) -> tuple[Plan | None, list[Problem]]:
    """Read a workbook file; the plan is None when any error was found."""
    reader = read_workbook(path)
    return reader.plan, reader.problems


def load_plan(path: Path) -> Plan:
    """Read a workbook or raise ProblemsFound with every error at once."""
    plan, problems = read_plan(path)
    if plan is None:
        raise ProblemsFound([p for p in problems if p.severity == ERROR])
    return plan
