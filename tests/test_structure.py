"""The package's layout as Nghị định 30/2020 requires it, read back with python-docx."""

from __future__ import annotations

import re
import zipfile

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from tests.conftest import ROOT


def test_three_sections_portrait_portrait_landscape_on_a4(decision_docx):
    doc = Document(str(decision_docx))
    sections = doc.sections
    assert [s.orientation for s in sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.PORTRAIT,
                                                  WD_ORIENT.LANDSCAPE]
    for s in sections:
        assert {s.page_width.twips, s.page_height.twips} == {11906, 16838}
        assert Mm(20) <= s.top_margin <= Mm(25) and Mm(20) <= s.bottom_margin <= Mm(25)
        assert Mm(30) <= s.left_margin <= Mm(35) and Mm(15) <= s.right_margin <= Mm(20)


def test_page_numbers_in_the_header_but_not_on_each_first_page(decision_docx):
    doc = Document(str(decision_docx))
    for s in doc.sections:
        assert s.different_first_page_header_footer
        assert s.first_page_header.paragraphs[0].text.strip() == ""
        header_xml = s.header._element.xml
        assert "PAGE" in header_xml
        assert s.header.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
        assert s._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "1"


def test_header_table_has_issuer_left_and_national_title_right(decision_docx):
    doc = Document(str(decision_docx))
    header = doc.tables[0]
    left, right = header.rows[0].cells
    assert [p.text for p in left.paragraphs if p.text] == ["ỦY BAN NHÂN DÂN", "TỈNH BÌNH PHƯỚC"]
    assert all(r.bold or (r.bold is None and p.style.font.bold)
               for p in left.paragraphs for r in p.runs if r.text)
    texts = [p.text for p in right.paragraphs if p.text]
    assert texts == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    # a rule (top border) under the issuer and under the motto
    for cell in (left, right):
        assert any(p._p.pPr is not None and p._p.pPr.find(qn("w:pBdr")) is not None
                   for p in cell.paragraphs)
    number, date = header.rows[1].cells
    assert number.text.strip() == "Số: 3406/QĐ-UBND"
    assert date.paragraphs[0].style.font.italic


def test_appendix_table_repeats_its_header_and_bolds_area_rows(decision_docx):
    doc = Document(str(decision_docx))
    table = doc.tables[-1]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert [c.text for c in table.rows[0].cells][:3] == ["STT", "Nội dung, nhiệm vụ",
                                                         "Cơ quan chủ trì"]
    area_rows = [r for r in table.rows if r.cells[0].text in {"I", "II", "III", "IV", "V", "VI",
                                                              "VII"}]
    assert [r.cells[0].text for r in area_rows] == ["I", "II", "III", "IV", "V", "VI", "VII"]
    for row in area_rows:
        assert all(run.bold or (run.bold is None and p.style.font.bold)
                   for p in row.cells[1].paragraphs for run in p.runs if run.text)
        # the area name spans the five columns after STT
        assert row.cells[1]._tc.tcPr.find(qn("w:gridSpan")).get(qn("w:val")) == "5"
    assert len(table.rows) == 1 + 7 + 46


def test_every_run_is_times_new_roman_black_and_sizes_follow_the_elements(decision_docx):
    doc = Document(str(decision_docx))
    normal = doc.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    for style in doc.styles:
        font = getattr(style, "font", None)
        if font is not None and font.name is not None:
            assert font.name == "Times New Roman", style.name
    for p in doc.paragraphs:
        for run in p.runs:
            assert run.font.name in (None, "Times New Roman")
            assert run.font.color.rgb in (None,) or str(run.font.color.rgb) == "000000"
    sizes = {s.name: s.font.size for s in doc.styles if getattr(s, "font", None) is not None}
    assert sizes["Issuer"] == Pt(13) and sizes["Motto"] == Pt(13)
    assert sizes["Doc Type"] == Pt(14) and sizes["Basis"] == Pt(14)
    assert sizes["Recipients Title"] == Pt(12) and sizes["Recipient"] == Pt(11)


def test_bases_are_italic_and_end_with_semicolons_then_a_full_stop(decision_docx):
    doc = Document(str(decision_docx))
    bases = [p for p in doc.paragraphs if p.style.name == "Basis"]
    assert len(bases) == 7
    assert all(p.style.font.italic for p in bases)
    assert all(p.text.endswith(";") for p in bases[:-1]) and bases[-1].text.endswith(".")
    body = [p for p in doc.paragraphs if p.style.name == "Body Text"]
    assert all(p.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY for p in body)
    assert body[0].style.paragraph_format.first_line_indent > 0
    article = body[0]
    assert article.runs[0].text == "Điều 1." and article.runs[0].bold


def test_attached_plan_has_its_own_header_and_the_issuing_line(decision_docx):
    doc = Document(str(decision_docx))
    texts = [p.text for p in doc.paragraphs]
    assert "KẾ HOẠCH" in texts
    assert ("(Ban hành kèm theo Quyết định số 3406/QĐ-UBND ngày 28 tháng 12 năm 2017 "
            "của Chủ tịch UBND tỉnh Bình Phước)") in texts
    # the plan's header table has no number/date row
    assert len(doc.tables[1].rows) == 1 if doc.tables[1].rows[0].cells[0].text.startswith("Nơi") \
        else len(doc.tables[2].rows) == 1


@pytest.mark.parametrize("name", ["decision", "report", "summary", "reminder"])
def test_a_shipped_template_carries_only_the_styles_it_uses(name):
    """LibreOffice imports every style of every document it converts to PDF: no unused style of
    python-docx's default template, no latent styles, no Word 2010 copy of the styles, no
    thumbnail (tools/build_templates.py, slim)."""
    with zipfile.ZipFile(ROOT / "templates" / f"{name}.docx") as package:
        names = package.namelist()
        styles = package.read("word/styles.xml")
        parts = b"".join(package.read(n) for n in names
                         if n.endswith(".xml") and not n.startswith("word/styles"))
    assert "word/stylesWithEffects.xml" not in names
    assert "docProps/thumbnail.jpeg" not in names
    assert b"<w:latentStyles" not in styles
    used = set(re.findall(rb'w:(?:pStyle|rStyle|tblStyle|numStyleLink|styleLink) w:val="([^"]+)"', parts))
    defined = re.findall(rb'<w:style [^>]*w:styleId="([^"]+)"', styles)
    referenced = set(re.findall(rb'<w:(?:basedOn|link|next) w:val="([^"]+)"', styles))
    defaults = set(re.findall(rb'<w:style [^>]*w:default="1"[^>]*w:styleId="([^"]+)"', styles)) | \
        set(re.findall(rb'<w:style [^>]*w:styleId="([^"]+)"[^>]*w:default="1"', styles))
    unused = [s.decode() for s in defined if s not in used | referenced | defaults]
    assert unused == []
    assert len(defined) < 60  # built on python-docx's default template, they defined 190-odd
