"""The period's tracking workbook (tong-hop.xlsx) and its JSON twin (tong-hop.json).

The workbook is also an input: the clerk writes received dates in its "Tiếp nhận" sheet and the
figures of a form sent as a PDF or a scan in its "Nhập tay" sheet; the next run reads both back
and writes them again, so nothing typed there is lost.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from generator.collect import status as st
from generator.collect.consolidate import (
    CLERK_DATE,
    FILE_DATE,
    MANUAL,
    ROLE_LABELS,
    Consolidation,
    Counts,
    ManualRow,
)
from generator.documents.context import plan_key
from generator.errors import ERROR, Loc, VanbanError
from generator.output.report_index import workbook_bytes
from generator.plan.model import Period, Plan
from generator.text import vn
from generator.workbook.filecheck import inspect_workbook

WORKBOOK = "tong-hop.xlsx"
JSON = "tong-hop.json"
RECEIPT_SHEET = "Tiếp nhận"
MANUAL_SHEET = "Nhập tay"
RECEIPT_HEADS = ("Mã cơ quan", "Cơ quan", "Ngày nhận (văn thư ghi)", "Ngày lưu tệp", "Ngày tính",
                 "Theo", "Trễ hạn", "Tệp")
MANUAL_HEADS = ("Mã cơ quan", "Mã nhiệm vụ", "Mức độ hoàn thành", "Kết quả thực hiện", "Ghi chú")
SOURCE_LABELS = {CLERK_DATE: "văn thư ghi", FILE_DATE: "ngày lưu tệp", MANUAL: "nhập tay"}
JSON_FORMAT = 1
KIND = "tong-hop"  # what a tracking workbook says it is in its custom properties (vanban.kind)


def identity(plan: Plan, period: Period) -> dict[str, str]:
    """What a tracking workbook carries in its custom document properties (vanban.kind, .plan,
    .year, .period; Excel and LibreOffice keep them), so that one uploaded back is known by them."""
    return {"kind": KIND, "plan": plan_key(plan), "year": str(plan.year), "period": period.code}


@dataclass
class Kept:
    """What the clerk wrote in the previous tracking workbook."""

    received: dict[str, tuple[date, Loc]]  # agency code → date written in Tiếp nhận
    manual: list[ManualRow]
    # what the file says of itself: its vanban.* properties (without the prefix), whether it has the
    # clerk's two sheets with their heads, and every agency code listed in Tiếp nhận
    properties: dict[str, str] = field(default_factory=dict)
    sheets: bool = False
    agencies: tuple[str, ...] = ()


def read_kept(path: Path) -> Kept:
    """The clerk's entries of an earlier tong-hop.xlsx (none when there is no such file)."""
    kept = Kept({}, [])
    if not path.is_file():
        return kept
    inspect_workbook(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is one message
        raise VanbanError(f"Không đọc được {path} ({exc}); hãy mở bằng Excel và lưu lại.") from exc
    try:
        kept.properties = {p.name.removeprefix("vanban."): str(p.value) for p in wb.custom_doc_props
                           if p.name and p.name.startswith("vanban.")}
        kept.sheets = all(sheet in wb.sheetnames and _heads(wb[sheet], len(heads)) == heads
                          for sheet, heads in ((RECEIPT_SHEET, RECEIPT_HEADS[:3]),
                                               (MANUAL_SHEET, MANUAL_HEADS)))
        agencies = []
        if RECEIPT_SHEET in wb.sheetnames:
            for number, row in enumerate(wb[RECEIPT_SHEET].iter_rows(min_row=2, values_only=True), start=2):
                if not row or not row[0]:
                    continue
                agencies.append(str(row[0]).strip())
                value = row[2] if len(row) > 2 else None
                try:
                    when = value.date() if isinstance(value, datetime) else vn.parse_date(value)
                except ValueError as exc:  # not a date, or no such day (31/2/2018)
                    raise VanbanError(f"{path.name}: {RECEIPT_SHEET}!C{number}: ngày nhận «{value}» không "
                                      f"đọc được ({exc}); hãy ghi dạng dd/mm/yyyy.") from None
                if when is None and value not in (None, ""):
                    raise VanbanError(f"{path.name}: {RECEIPT_SHEET}!C{number}: ngày nhận «{value}» không "
                                      "đọc được; hãy ghi dạng dd/mm/yyyy.")
                if when is not None:
                    kept.received[str(row[0]).strip()] = (when, Loc(RECEIPT_SHEET, f"C{number}"))
        if MANUAL_SHEET in wb.sheetnames:
            for number, row in enumerate(wb[MANUAL_SHEET].iter_rows(min_row=2, values_only=True), start=2):
                cells = [("" if v is None else str(v)).strip() for v in (list(row) + [None] * 5)[:5]]
                if not cells[0] and not cells[1]:
                    continue
                kept.manual.append(ManualRow(cells[0], cells[1], cells[2], cells[3], cells[4],
                                             Loc(f"{path.name}: {MANUAL_SHEET}", f"A{number}")))
        kept.agencies = tuple(agencies)
    finally:
        wb.close()
    return kept


def _heads(ws: Any, count: int) -> tuple[str, ...]:
    """The first `count` cells of a sheet's head row, as text."""
    for row in ws.iter_rows(min_row=1, max_row=1, max_col=count, values_only=True):
        return tuple("" if v is None else str(v).strip() for v in row)
    return ()


# -- JSON -----------------------------------------------------------------------------------


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _counts(c: Counts) -> dict[str, Any]:
    return {"total": c.total, "due": c.due, "done": c.done, "done_due": c.done_due,
            "done_on_time": c.done_on_time, "done_late": c.done_late, "in_progress": c.in_progress,
            "not_started": c.not_started, "recurring": c.recurring, "unknown": c.unknown,
            "overdue": c.overdue, "rate": c.rate, "rate_all": c.rate_all}


def as_json(result: Consolidation) -> dict[str, Any]:
    """The figures for programs (the web page reads them): see docs/collect.md."""
    plan, period = result.plan, result.period
    problems = []
    for p in result.problems:
        file, table, row = split_loc(p.loc)
        problems.append({"severity": p.severity, "code": p.code, "file": file, "table": table,
                         "row": row, "message": p.render()})
    return {
        "format": JSON_FORMAT,
        "plan": {"number": plan.general.number, "symbol": plan.general.symbol, "year": plan.year},
        "period": {"code": period.code, "name": period.name, "deadline": _iso(period.deadline),
                   "data_from": _iso(period.data_from), "data_to": _iso(result.window.last)},
        "received": result.received,
        "late": result.late,
        "missing": result.missing,
        "receipts": [{"agency": r.agency, "received": _iso(r.received), "date_source": r.source,
                      "file": r.file, "late": r.late} for r in result.receipts.values()],
        "tasks": [{
            "code": t.info.code, "area": t.info.area, "text": t.info.text, "deadline": t.info.deadline,
            "due_date": _iso(t.info.due), "due": t.due, "lead": list(t.info.leads),
            "coordinators": list(t.info.coordinators), "status": t.completion,
            "timeliness": t.timeliness,
            "agencies": {r.agency: {"role": r.role, "status": r.completion, "status_text": r.status_text,
                                    "result": r.result, "note": r.note, "file": r.source}
                         for r in t.records},
            "disagreements": [r.agency for r in t.disagreements],
        } for t in result.tasks],
        "areas": [{"code": number, "name": name, **_counts(c)} for number, name, c in result.areas],
        "agencies": [{"code": a.agency.code, "name": a.agency.name, "led": a.led,
                      "coordinated": a.coordinated,
                      "received": _iso(a.receipt.received) if a.receipt else None,
                      "late": bool(a.receipt and a.receipt.late), "missing": a.receipt is None,
                      **{k: v for k, v in _counts(a.counts).items() if k != "total"}}
                     for a in result.agencies],
        "totals": _counts(result.total),
        "plan_rate": result.total.rate,
        "plan_rate_all": result.total.rate_all,
        "targets": result.targets,
        "problems": problems,
        "labels": {**st.LABELS, **ROLE_LABELS},
    }


def json_bytes(result: Consolidation) -> bytes:
    return (json.dumps(as_json(result), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


_LOC = re.compile(r"^(?P<file>.*?)(?:, bảng (?P<table>\d+))?(?:, dòng (?P<row>\d+))?$")


def split_loc(loc: Loc | None) -> tuple[str, int | None, int | None]:
    """A returned file's place (forms.where) back into file, table and row."""
    if loc is None:
        return "", None, None
    text = str(loc)
    match = _LOC.match(text)
    if not match or loc.cell:
        return text, None, None
    table, row = match.group("table"), match.group("row")
    return match.group("file"), int(table) if table else None, int(row) if row else None


# -- the workbook ---------------------------------------------------------------------------

_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_PERCENT = "0.0"


def _sheet(wb: openpyxl.Workbook, title: str, heads: tuple[str, ...], widths: tuple[int, ...],
           rows: list[list[Any]], first: bool = False) -> Any:
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    ws.append(list(heads))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEAD_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for row in rows:
        ws.append(row)
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, date):
                cell.number_format = "dd/mm/yyyy"
            elif isinstance(cell.value, float):
                cell.number_format = _PERCENT
            elif isinstance(cell.value, str) and len(cell.value) > 40:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = ws.dimensions
    return ws


COUNT_HEADS = ("Tổng số", "Đến hạn", "Hoàn thành", "Hoàn thành đúng hạn", "Hoàn thành quá hạn",
               "Đang thực hiện", "Chưa thực hiện", "Thường xuyên", "Chưa có báo cáo",
               "Chưa hoàn thành, quá hạn", "Tỷ lệ hoàn thành/đến hạn (%)", "Tỷ lệ hoàn thành/tổng số (%)")


def _count_cells(c: Counts) -> list[Any]:
    return [c.total, c.due, c.done, c.done_on_time, c.done_late, c.in_progress, c.not_started,
            c.recurring, c.unknown, c.overdue, c.rate, c.rate_all]


def tracking_workbook(result: Consolidation, kept: Kept, stamp: datetime) -> bytes:
    wb = openpyxl.Workbook()
    summary = [[number, name, *_count_cells(c)] for number, name, c in result.areas]
    summary.append(["", "Cả kế hoạch", *_count_cells(result.total)])
    ws = _sheet(wb, "Tổng hợp", ("Lĩnh vực", "Tên lĩnh vực", *COUNT_HEADS),
                (9, 45, *([12] * len(COUNT_HEADS))), summary, first=True)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)

    tasks = [[t.info.code, t.info.area_name, t.info.text, t.info.deadline, t.info.due,
              ", ".join(t.info.leads), st.LABELS[t.completion], st.LABELS[t.timeliness],
              "có" if t.due else "", "; ".join(f"{r.agency}: {st.LABELS[r.completion]}"
                                                for r in t.disagreements)]
             for t in result.tasks]
    _sheet(wb, "Nhiệm vụ", ("Mã nhiệm vụ", "Lĩnh vực", "Nội dung nhiệm vụ", "Thời hạn", "Hạn (ngày)",
                            "Chủ trì", "Mức độ hoàn thành", "Tiến độ", "Đến hạn trong kỳ",
                            "Ý kiến khác nhau"),
           (10, 30, 60, 18, 12, 20, 16, 14, 10, 40), tasks)

    names = {a.code: a.name for a in result.plan.agencies}
    details = [[r.task, r.agency, names.get(r.agency, r.agency), ROLE_LABELS[r.role], r.status_text,
                st.LABELS[r.completion], r.result, r.note, r.source, r.table or None, r.row or None]
               for t in result.tasks for r in t.records]
    _sheet(wb, "Chi tiết", ("Mã nhiệm vụ", "Mã cơ quan", "Cơ quan", "Vai trò", "Mức độ (cơ quan ghi)",
                            "Mức độ (đọc được)", "Kết quả thực hiện", "Ghi chú", "Tệp", "Bảng", "Dòng"),
           (10, 12, 30, 10, 18, 16, 60, 30, 30, 7, 7), details)

    agencies = [[a.agency.code, a.agency.name, a.led, a.coordinated,
                 a.receipt.received if a.receipt else None,
                 "chưa gửi" if a.receipt is None else ("trễ hạn" if a.receipt.late else "đúng hạn"),
                 *_count_cells(a.counts)[1:]]
                for a in result.agencies]
    _sheet(wb, "Cơ quan", ("Mã cơ quan", "Cơ quan", "Số nhiệm vụ chủ trì", "Số nhiệm vụ phối hợp",
                           "Ngày nhận", "Gửi báo cáo", *COUNT_HEADS[1:]),
           (12, 40, 10, 10, 12, 12, *([11] * (len(COUNT_HEADS) - 1))), agencies)

    receipts = []
    for agency in result.plan.agencies:
        if not agency.reports:
            continue
        receipt = result.receipts.get(agency.code)
        clerk = kept.received.get(agency.code)
        file_date = receipt.received if receipt and receipt.source == FILE_DATE else None
        receipts.append([agency.code, agency.name, clerk[0] if clerk else None, file_date,
                         receipt.received if receipt else None,
                         SOURCE_LABELS.get(receipt.source, "") if receipt else "chưa gửi",
                         ("có" if receipt.late else "") if receipt else "", receipt.file if receipt else ""])
    _sheet(wb, RECEIPT_SHEET, RECEIPT_HEADS, (12, 40, 16, 13, 12, 14, 9, 40), receipts)

    manual = [[m.agency, m.task, m.status, m.result, m.note] for m in kept.manual]
    _sheet(wb, MANUAL_SHEET, MANUAL_HEADS, (12, 12, 20, 60, 30), manual)

    deadline = result.period.deadline
    absent = [[code, names.get(code, code), "chưa gửi báo cáo", deadline] for code in result.missing]
    absent += [[code, names.get(code, code), "gửi trễ hạn", deadline] for code in result.late]
    _sheet(wb, "Chưa gửi, trễ hạn", ("Mã cơ quan", "Cơ quan", "Tình trạng", "Hạn gửi"), (12, 45, 18, 12),
           absent)

    problems = []
    for p in result.problems:
        file, table, row = split_loc(p.loc)
        problems.append([p.severity, file, table, row, p.message, p.found, p.code])
    _sheet(wb, "Vấn đề", ("Mức", "Tệp", "Bảng", "Dòng", "Nội dung", "Đang ghi", "Mã"),
           (10, 35, 7, 7, 80, 30, 26), problems)
    for name, value in identity(result.plan, result.period).items():
        wb.custom_doc_props.append(StringProperty(name=f"vanban.{name}", value=value))
    return workbook_bytes(wb, stamp, WORKBOOK)


def has_errors(result: Consolidation) -> bool:
    return any(p.severity == ERROR for p in result.problems)
