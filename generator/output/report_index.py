"""The index workbook of the report forms: who reports what, by when, in which file."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill

from generator.render.renderer import normalize_zip
from generator.workbook import blank

SHEET = "Danh sách báo cáo"
# (header, row key, column width)
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("Mã cơ quan", "agency_code", 12),
    ("Cơ quan", "agency", 45),
    ("Kỳ báo cáo", "period", 14),
    ("Hạn gửi", "deadline", 12),
    ("Số nhiệm vụ chủ trì", "led", 12),
    ("Số nhiệm vụ phối hợp", "coordinated", 12),
    ("Tệp", "file", 40),
)


def layout_digest() -> str:
    """What the index's bytes depend on besides its rows: its layout here (for the manifest)."""
    return hashlib.sha256(repr((SHEET, COLUMNS)).encode("utf-8")).hexdigest()


def index_workbook(context: Mapping[str, Any], stamp: datetime) -> bytes:
    """The .xlsx bytes of the index; dated from the plan so equal input gives equal bytes."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append([header for header, _, _ in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for row in context["rows"]:
        ws.append([row[key] for _, key, _ in COLUMNS])
        ws.cell(ws.max_row, 4).number_format = "dd/mm/yyyy"
    for index, (_, _, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    return workbook_bytes(wb, stamp)


def workbook_bytes(wb: openpyxl.Workbook, stamp: datetime,
                   name: str = "danh-sach-bao-cao.xlsx") -> bytes:
    """A workbook's .xlsx bytes dated `stamp` throughout: equal content gives equal bytes.

    `name` is the file it is for, named in the message when a full TMPDIR stops openpyxl."""
    wb.properties.creator = "vanban"
    wb.properties.created = stamp
    wb.properties.modified = stamp
    return normalize_zip(_dated(blank.workbook_bytes(wb, name), stamp), stamp)


def _dated(data: bytes, stamp: datetime) -> bytes:
    """openpyxl stamps the saving time as the modified date; put the plan's date back."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    when = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)",
                                 rb"\g<1>" + when.encode() + rb"\g<2>", content)
            target.writestr(name, content)
    return out.getvalue()
