"""A look at a document before downloading it: its first page as a picture, or its text as HTML."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import openpyxl
from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from markupsafe import Markup, escape

from generator.output.pdf import convert, preview
from generator.text import vn

# One LibreOffice at a time: it is heavy, and the previews of one page come one by one anyway.
_OFFICE = threading.Lock()
_ALIGN = {WD_ALIGN_PARAGRAPH.CENTER: "center", WD_ALIGN_PARAGRAPH.RIGHT: "right",
          WD_ALIGN_PARAGRAPH.JUSTIFY: "justify"}
MAX_ROWS = 400  # of a workbook shown as a table


def office_available() -> bool:
    """Whether LibreOffice and pdftoppm are installed to draw first pages."""
    return bool((shutil.which("soffice") or shutil.which("libreoffice")) and shutil.which("pdftoppm"))


def first_page_png(document: Path, cache: Path) -> Path:
    """The first page of a .docx as a PNG, made once per version of the document (by its bytes)."""
    key = hashlib.sha256(document.read_bytes()).hexdigest()[:32]
    png = cache / f"{key}.png"
    if png.is_file():
        return png
    with _OFFICE:
        if png.is_file():
            return png
        with tempfile.TemporaryDirectory(prefix="vanban-xem-") as tmp:
            staged = Path(tmp) / "in" / "van-ban.docx"
            staged.parent.mkdir()
            shutil.copyfile(document, staged)
            [pdf] = convert([staged], staged.parent, Path(tmp) / "pdf")
            made = preview(pdf, Path(tmp) / "trang-1.png")
            cache.mkdir(parents=True, exist_ok=True)
            os.replace(shutil.copy(made, cache / f".{key}.tmp"), png)
    return png


def html_of(path: Path) -> Markup:
    """The text of a .docx (paragraphs and tables in order) or the cells of an .xlsx, as HTML."""
    stat = path.stat()
    return _html_of(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _html_of(name: str, _mtime_ns: int, _size: int) -> Markup:
    """Made once per version of a file (its time and size are part of the key)."""
    path = Path(name)
    if path.suffix == ".xlsx":
        return _workbook_html(path)
    doc = Document(str(path))
    styles = _StyleFormat(doc)
    parts = []
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:p"):
            parts.append(_paragraph_html(Paragraph(child, doc), styles))
        elif child.tag == qn("w:tbl"):
            parts.append(_table_html(Table(child, doc), styles))
    return Markup("\n".join(parts))


class _StyleFormat:
    """Bold, italic and alignment of each paragraph style, through its base styles, looked up once."""

    def __init__(self, doc: DocumentObject) -> None:
        self._styles = {s.style_id: s for s in doc.styles if s.type == WD_STYLE_TYPE.PARAGRAPH}
        self._default = next((s for s in self._styles.values() if s.element.default), None)
        self._cache: dict[str | None, tuple[bool, bool, str]] = {}

    def of(self, style_id: str | None) -> tuple[bool, bool, str]:
        if style_id not in self._cache:
            style = self._styles.get(style_id or "", self._default)
            bold = italic = align = None
            while style is not None:
                bold = style.font.bold if bold is None else bold
                italic = style.font.italic if italic is None else italic
                align = style.paragraph_format.alignment if align is None else align
                style = style.base_style
            shown = _ALIGN.get(align, "") if align is not None else ""
            self._cache[style_id] = (bool(bold), bool(italic), shown)
        return self._cache[style_id]


def _paragraph_html(paragraph: Paragraph, styles: _StyleFormat) -> str:
    p_pr = paragraph._p.pPr
    style_id = p_pr.pStyle.val if p_pr is not None and p_pr.pStyle is not None else None
    bold, italic, align = styles.of(style_id)
    runs = []
    for run in paragraph.runs:
        text = str(escape(run.text))
        if not text:
            continue
        if run.font.bold if run.font.bold is not None else bold:
            text = f"<strong>{text}</strong>"
        if run.font.italic if run.font.italic is not None else italic:
            text = f"<em>{text}</em>"
        runs.append(text)
    if not runs:
        return '<p class="trong">&nbsp;</p>'
    align = _ALIGN.get(paragraph.paragraph_format.alignment, align)
    style = f' style="text-align:{align}"' if align else ""
    return f"<p{style}>{''.join(runs)}</p>"


def _table_html(table: Table, styles: _StyleFormat) -> str:
    rows = []
    for tr in table._tbl.tr_lst:
        cells = []
        for tc in tr.tc_lst:
            inner = "".join(_paragraph_html(Paragraph(p, table), styles) for p in tc.p_lst)
            span = tc.grid_span
            cells.append(f'<td colspan="{span}">{inner}</td>' if span > 1 else f"<td>{inner}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    kind = "bang-van-ban" + (" co-vien" if _bordered(table) else "")
    return f'<table class="{kind}">{"".join(rows)}</table>'


def _bordered(table: Table) -> bool:
    """A table drawn with lines (the task table), not one that only lays out (the header blocks)."""
    borders = table._tbl.tblPr.find(qn("w:tblBorders")) if table._tbl.tblPr is not None else None
    if borders is not None:
        return any(b.get(qn("w:val")) not in (None, "nil", "none") for b in borders)
    return table.style is not None and "Grid" in (table.style.name or "")


def _workbook_html(path: Path) -> Markup:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        parts = []
        for ws in wb.worksheets:
            rows = []
            for i, row in enumerate(ws.iter_rows(values_only=True)):
                if i >= MAX_ROWS:
                    break
                tag = "th" if i == 0 else "td"
                cells = "".join(f"<{tag}>{escape(_cell(v))}</{tag}>" for v in row)
                rows.append(f"<tr>{cells}</tr>")
            parts.append(f"<h3>{escape(ws.title)}</h3><table class=\"bang\">{''.join(rows)}</table>")
    finally:
        wb.close()
    return Markup("\n".join(parts))


def _cell(value: object) -> str:
    """A cell as the clerk reads it in Excel: dates as dd/mm/yyyy, nothing for an empty cell."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return vn.date_short(value)
    return str(value)
