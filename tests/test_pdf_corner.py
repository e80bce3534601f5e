"""The free top right corner of the Phụ lục's first page (Nghị định 30, Phụ lục I, II.8.b): where
the văn thư's digital signature (number and symbol, time of signing) is stamped on an attached
document filed on its own. Measured as a user would see the clash: any word LibreOffice prints in
that area of the PDF (`pdftotext -bbox`), the area's size being SIGNATURE_CORNER_MM, placed against
the right margin and above the first line as the .docx's appendix section sets them. The same
measure run on a copy with a line in the appendix's first-page header finds it, so it can fail."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from generator.layout.rules import SIGNATURE_CORNER_MM
from generator.output.pdf import convert
from generator.pipeline import build
from tests.conftest import WORKBOOK, need_tool, reports_only

PT_PER_MM = 72 / 25.4
PACKAGE = "3406-qd-ubnd"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
# what a careless edit puts there: a right-aligned line in the first page's header
HEADER_LINE = ('<w:p><w:pPr><w:jc w:val="right"/></w:pPr><w:r><w:t>Phụ lục số 01 kèm văn bản gốc'
               '</w:t></w:r></w:p>')


def with_text_in_the_first_page_header(docx: Path, target: Path) -> Path:
    """A copy of the package whose Phụ lục has a line in its first page's header (the header
    the last section's sectPr names as "first")."""
    with zipfile.ZipFile(docx) as package:
        members = {name: package.read(name) for name in package.namelist()}
    body = members["word/document.xml"].decode("utf-8")
    last = body[body.rindex("<w:sectPr"):]
    rid = re.search(r'<w:headerReference w:type="first" r:id="([^"]+)"', last).group(1)
    rels = members["word/_rels/document.xml.rels"].decode("utf-8")
    relation = next(r for r in re.findall(r"<Relationship\b[^>]*>", rels) if f'Id="{rid}"' in r)
    header = "word/" + re.search(r'Target="([^"]+)"', relation).group(1)
    xml = members[header].decode("utf-8")
    members[header] = re.sub(r"(<w:hdr\b[^>]*>)", r"\1" + HEADER_LINE, xml, count=1).encode("utf-8")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(name, data)
    return target


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    """The package as built, and the copy with a line in the corner, in one LibreOffice run."""
    need_tool("soffice")
    need_tool("pdftotext")
    folder = tmp_path_factory.mktemp("corner")
    wb = openpyxl.load_workbook(WORKBOOK)
    reports_only(wb)  # the package alone
    wb.save(folder / "ke-hoach.xlsx")
    year = build(folder / "ke-hoach.xlsx", folder / "out").folder
    docs = folder / "docs"
    docs.mkdir()
    built = docs / f"{PACKAGE}.docx"
    built.write_bytes((year / f"{PACKAGE}.docx").read_bytes())
    edited = with_text_in_the_first_page_header(built, docs / "sua-tay.docx")
    convert([built, edited], docs, folder / "pdf")
    return {"built": folder / "pdf" / f"{PACKAGE}.pdf", "edited": folder / "pdf" / "sua-tay.pdf",
            "docx": built}


def appendix_page(pdf: Path) -> int:
    """The 1-based number of the Phụ lục's first page."""
    pages = run("pdftotext", "-raw", str(pdf), "-").split("\f")
    return next(i for i, text in enumerate(pages, start=1) if text.lstrip().startswith("Phụ lục"))


def run(tool: str, *args: str) -> str:
    return subprocess.run([need_tool(tool), *args], capture_output=True, text=True, check=True).stdout


def appendix_margins(docx: Path) -> tuple[float, float]:
    """The right and top margins of the .docx's last section (the Phụ lục), in points."""
    with zipfile.ZipFile(docx) as package:
        body = package.read("word/document.xml").decode("utf-8")
    margins = re.findall(r"<w:pgMar\b[^>]*>", body)[-1]
    twips = {k: int(v) for k, v in re.findall(r'w:(right|top)="(\d+)"', margins)}
    return twips["right"] / 20, twips["top"] / 20


def words_in_the_corner(pdf: Path, docx: Path) -> tuple[list[str], tuple[float, float, float, float]]:
    """The words printed in the signature corner of the Phụ lục's first page, and the corner
    (x0, y0, x1, y1 in points from the page's top left)."""
    n = appendix_page(pdf)
    page = run("pdftotext", "-bbox", "-f", str(n), "-l", str(n), str(pdf), "-")
    width = float(re.search(r'<page width="([\d.]+)"', page).group(1))
    right_margin, top_margin = appendix_margins(docx)
    corner_w, corner_h = (mm * PT_PER_MM for mm in SIGNATURE_CORNER_MM)
    x1, y1 = width - right_margin, top_margin
    corner = (x1 - corner_w, y1 - corner_h, x1, y1)
    found = []
    for x_min, y_min, x_max, y_max, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page):
        if float(x_min) < corner[2] and float(x_max) > corner[0] and float(y_min) < corner[3] \
                and float(y_max) > corner[1]:
            found.append(word)
    return found, corner


def test_the_appendix_keeps_its_signature_corner_free(pdfs):
    found, (x0, y0, x1, y1) = words_in_the_corner(pdfs["built"], pdfs["docx"])
    assert found == []
    # the corner is on the page, clear of the edge a printer cannot print (5 mm), at the right
    # margin of a landscape page (15 to 20 mm), and the size the rule asks
    assert y0 >= 5 * PT_PER_MM - 0.5 and 842 - 20 * PT_PER_MM <= x1 <= 842 - 15 * PT_PER_MM
    assert round((x1 - x0) / PT_PER_MM) == 55 and round((y1 - y0) / PT_PER_MM) == 15


def test_the_measure_finds_a_line_put_in_the_corner(pdfs):
    """The same measure on the copy with a line in the Phụ lục's first-page header: it is seen."""
    found, _ = words_in_the_corner(pdfs["edited"], pdfs["docx"])
    assert " ".join(found).endswith("kèm văn bản gốc")
