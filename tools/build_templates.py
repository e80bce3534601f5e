"""Write the starting versions of templates/*.docx in the layout of Nghị định 30/2020/NĐ-CP.

The committed .docx files are the source of truth afterwards: clerks edit them in Word or
LibreOffice. Run this only to start a template again from scratch (`--force` overwrites).
Tags are Jinja/docxtpl; every variable is documented in docs/templates.md.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Mm, Pt, Twips
from docx.table import Table
from docx.text.paragraph import Paragraph

ROOT = Path(__file__).resolve().parent.parent
FONT = "Times New Roman"

# Page: A4 with the margins of the official model files (top/bottom 20 mm, left 30, right 15).
PAGE_W, PAGE_H = Twips(11906), Twips(16838)  # exactly A4 as Word writes it
# (in whole twips rounded up, so that no margin falls a hair under the legal minimum)
MARGINS = {"top": Twips(1134), "bottom": Twips(1134), "left": Twips(1701), "right": Twips(851)}
TEXT_W = PAGE_W - MARGINS["left"] - MARGINS["right"]  # 165 mm
LANDSCAPE_TEXT_W = PAGE_H - MARGINS["left"] - MARGINS["right"]  # 252 mm

# Header table: the right column must hold the quốc hiệu (12 pt bold: 88.3 mm in Times New Roman
# metrics) on one line, plus cell margins.
LEFT_COL, RIGHT_COL = Mm(68), Mm(97)
CELL_MARGINS = Mm(3.8)  # Word's default left + right cell margins
# Rule lengths measured with the Liberation Serif Bold metrics (same as Times New Roman):
# tiêu ngữ at 13 pt bold is 56.1 mm long; the rule is as long as the text.
MOTTO_RULE = Mm(56)
# Under the issuer, 1/3 to 1/2 of its text width ("ỦY BAN NHÂN DÂN", 13 pt bold: 43 mm).
ISSUER_RULE = Mm(18)
# Under the trích yếu, 1/3 to 1/2 of its line; most trích yếu fill a full line (165 mm).
SUMMARY_RULE = Mm(60)

BODY_INDENT = Cm(1.27)


# -- low-level helpers ----------------------------------------------------------------------


def set_run_font(run, size: float | None = None, bold=None, italic=None) -> None:
    """A run's own size and emphasis. Never its font: Times New Roman comes from the styles (every
    paragraph style is based on Normal, which names it for all four scripts, and so do the
    docDefaults; see define_styles). A w:rFonts on every run repeated that on each of the ~400
    runs of a report form (a quarter of its bytes) and made every returned form slower to read."""
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    if italic is not None:
        run.font.italic = italic


def new_para(container, style: str | None = None) -> Paragraph:
    """A new paragraph; in a fresh table cell, its empty unstyled first paragraph is reused."""
    if hasattr(container, "_tc"):
        paras = container.paragraphs
        if len(paras) == 1 and not paras[0].text and paras[0]._p.pPr is None:
            p = paras[0]
            p.style = style
            return p
    return container.add_paragraph(style=style)


def para(container, text: str = "", *, style: str | None = None, size: float | None = None,
         bold=None, italic=None, align=None, space_after: float | None = None,
         space_before: float | None = None, indent_first=None, keep_next=False) -> Paragraph:
    p = new_para(container, style)
    if text:
        set_run_font(p.add_run(text), size, bold, italic)
    fmt = p.paragraph_format
    if align is not None:
        p.alignment = align
    if space_after is not None:
        fmt.space_after = Pt(space_after)
    if space_before is not None:
        fmt.space_before = Pt(space_before)
    if indent_first is not None:
        fmt.first_line_indent = indent_first
    if keep_next:
        fmt.keep_with_next = True
    return p


def add_run(p: Paragraph, text: str, size=None, bold=None, italic=None):
    run = p.add_run(text)
    set_run_font(run, size, bold, italic)
    return run


def tag(container, text: str) -> Paragraph:
    """A paragraph that holds only a docxtpl block tag ({%p …%}); it disappears when rendered."""
    p = new_para(container, "Tag")
    add_run(p, text)
    return p


def rule(container, length, *, width=TEXT_W, space_after: float = 0) -> Paragraph:
    """A centred solid rule of a given length: an empty paragraph with a top border."""
    p = new_para(container, "Rule")
    side = int((width - length) / 2)
    fmt = p.paragraph_format
    fmt.left_indent = side
    fmt.right_indent = side
    fmt.space_after = Pt(space_after)
    fmt.space_before = Pt(5)  # keeps the rule clear of the descenders (p, g, ọ) of the line above
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(key), value)
    borders.append(top)
    # pBdr must come before spacing/ind/jc in pPr's schema order
    ppr.insert(1 if ppr.find(qn("w:pStyle")) is not None else 0, borders)
    return p


def no_borders(table: Table) -> None:
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tblpr.append(borders)


def all_borders(table: Table) -> None:
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        for key, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"),
                           ("w:color", "000000")):
            el.set(qn(key), value)
        borders.append(el)
    tblpr.append(borders)


def fixed_table(container, rows: int, widths: list) -> Table:
    table = container.add_table(rows=rows, cols=len(widths))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tblpr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tblpr.append(layout)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(int(width.twips if hasattr(width, "twips") else width / 635)))
    return table


def repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def grid_table(doc, rows: int, widths: list, heads: list[str]) -> Table:
    """A bordered table whose header row repeats on every page."""
    table = fixed_table(doc, rows, widths)
    table.style = doc.styles["Normal Table"]
    all_borders(table)
    for cell, text in zip(table.rows[0].cells, heads, strict=True):
        para(cell, text, style="Table Head")
    repeat_header(table.rows[0])
    return table


def area_rows(table: Table, task_texts: list[str], task_styles: list[str], keep_next: bool = False) -> None:
    """Rows 2 to 5 of a task table: the bold area row (number, name across), the task loop, the
    task row (its cells' tags and styles) and the row closing both loops."""
    area_cells = table.rows[2].cells
    para(area_cells[0], "{{ area.number }}", style="Table Center", keep_next=keep_next)
    area_cells[0].paragraphs[0].runs[0].font.bold = True
    merged = span(area_cells[1], area_cells[-1])
    para(merged, "{{ area.name }}", style="Table Text", keep_next=keep_next)
    merged.paragraphs[0].runs[0].font.bold = True
    cant_split(table.rows[2])
    loop = table.rows[3].cells
    span(loop[0], loop[-1])
    para(loop[0], "{%tr for t in area.tasks %}", style="Tag")
    for cell, text, style in zip(table.rows[4].cells, task_texts, task_styles, strict=True):
        para(cell, text, style=style)
    cant_split(table.rows[4])
    end = table.rows[5].cells
    span(end[0], end[-1])
    para(end[0], "{%tr endfor %}{%tr endfor %}", style="Tag")
    _split_double_endfor(table)


def cant_split(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))


def span(cell_a, cell_b):
    return cell_a.merge(cell_b)


def page_number_header(section) -> None:
    """Page numbers centred in the top margin, not on the first page, restarting at 1."""
    section.different_first_page_header_footer = True
    section.header.is_linked_to_previous = False
    section.first_page_header.is_linked_to_previous = False
    section.footer.is_linked_to_previous = False
    section.first_page_footer.is_linked_to_previous = False
    header = section.header
    p = header.paragraphs[0]
    p.style = "Header"
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"),
                       ("end", None)):
        run = p.add_run()
        set_run_font(run, 13)
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text
    sectpr = section._sectPr
    pgnum = sectpr.find(qn("w:pgNumType"))
    if pgnum is None:
        pgnum = OxmlElement("w:pgNumType")
        sectpr.append(pgnum)
    pgnum.set(qn("w:start"), "1")
    pgnum.set(qn("w:fmt"), "decimal")


def setup_page(section, landscape: bool = False) -> None:
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = PAGE_H, PAGE_W
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = PAGE_W, PAGE_H
    section.top_margin = MARGINS["top"]
    section.bottom_margin = MARGINS["bottom"]
    section.left_margin = MARGINS["left"]
    section.right_margin = MARGINS["right"]
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)


# -- returned forms: identity in custom document properties, a combo box for the status ----------

CUSTOM_PROPERTIES_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_PROPERTIES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
# the fixed list of "Mức độ hoàn thành" (the reader, generator/collect/status.py, accepts more)
# the identity of a returned form (context `form`, generator/documents/context.py form_identity)
FORM_PROPERTIES = ("kind", "plan", "year", "agency", "period", "tasks")
STATUS_CHOICES = ("Hoàn thành đúng hạn", "Hoàn thành quá hạn", "Đang thực hiện", "Chưa thực hiện",
                  "Thường xuyên")


def custom_properties(doc, values: dict[str, str]) -> None:
    """docProps/custom.xml with the given properties (values may be tags: the engine renders the
    part). They survive Word and LibreOffice, unlike content-control tags."""
    fmtid = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
    props = "".join(
        f'<property fmtid="{fmtid}" pid="{pid}" name="{name}"><vt:lpwstr>{value}</vt:lpwstr></property>'
        for pid, (name, value) in enumerate(values.items(), start=2))
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
           'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
           f"{props}</Properties>")
    package = doc.part.package
    part = Part(PackURI("/docProps/custom.xml"), CUSTOM_PROPERTIES_TYPE, xml.encode("utf-8"), package)
    package.relate_to(part, CUSTOM_PROPERTIES_REL)


def combo_box(p: Paragraph, alias: str, choices: tuple[str, ...]) -> None:
    """An empty combo box in a paragraph: Word offers the list, any typed text is still kept;
    LibreOffice shows it as a plain field. Nothing prints while it is empty."""
    sdt = OxmlElement("w:sdt")
    pr = OxmlElement("w:sdtPr")
    for name, value in (("w:alias", alias), ("w:tag", "vanban-status")):
        el = OxmlElement(name)
        el.set(qn("w:val"), value)
        pr.append(el)
    box = OxmlElement("w:comboBox")
    for choice in choices:
        item = OxmlElement("w:listItem")
        item.set(qn("w:displayText"), choice)
        item.set(qn("w:value"), choice)
        box.append(item)
    pr.append(box)
    sdt.append(pr)
    content = OxmlElement("w:sdtContent")
    run = OxmlElement("w:r")
    content.append(run)
    sdt.append(content)
    p._p.append(sdt)


# -- styles ---------------------------------------------------------------------------------


def define_styles(doc) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(attr), None)
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "000000")
    rpr.append(color)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    rpr.append(lang)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    # docDefaults too, so that tables and headers never fall back to another font
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        drpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if drpr is not None:
            dfonts = drpr.find(qn("w:rFonts"))
            if dfonts is None:
                dfonts = OxmlElement("w:rFonts")
                drpr.insert(0, dfonts)
            for attr in list(dfonts.attrib):
                del dfonts.attrib[attr]
            for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
                dfonts.set(qn(attr), FONT)
            # the document's language: Word spell-checks in Vietnamese, LibreOffice writes /Lang
            # vi-VN into the PDF (it reads the defaults, not the Normal style)
            dlang = drpr.find(qn("w:lang"))
            if dlang is None:
                dlang = OxmlElement("w:lang")
                drpr.append(dlang)
            for attr in list(dlang.attrib):
                del dlang.attrib[attr]
            dlang.set(qn("w:val"), "vi-VN")

    def pstyle(name: str, *, size=14, bold=False, italic=False, align=None, first=None,
               after=0.0, before=0.0, line=1.0, keep_next=False, base="Normal"):
        existing = [s for s in styles if s.name == name]
        style = existing[0] if existing else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[base]
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.italic = italic
        fmt = style.paragraph_format
        if align is not None:
            fmt.alignment = align
        if first is not None:
            fmt.first_line_indent = first
        fmt.space_after = Pt(after)
        fmt.space_before = Pt(before)
        fmt.line_spacing = line
        fmt.keep_with_next = keep_next
        fmt.widow_control = True
        style.quick_style = True
        return style

    center = WD_ALIGN_PARAGRAPH.CENTER
    justify = WD_ALIGN_PARAGRAPH.JUSTIFY
    pstyle("Tag", size=8)
    pstyle("Rule", size=2, align=center)
    pstyle("Issuer Parent", size=13, align=center)
    pstyle("Issuer", size=13, bold=True, align=center)
    pstyle("National Title", size=12, bold=True, align=center)
    pstyle("Motto", size=13, bold=True, align=center)
    pstyle("Number Line", size=13, align=center, before=6)
    pstyle("Date Line", size=14, italic=True, align=center, before=6)
    pstyle("Doc Type", size=14, bold=True, align=center, before=18, keep_next=True)
    pstyle("Doc Summary", size=14, bold=True, align=center, keep_next=True)
    pstyle("Attached Line", size=14, italic=True, align=center, after=6)
    pstyle("Authority", size=14, bold=True, align=center, before=12, after=12, keep_next=True)
    pstyle("Basis", size=14, italic=True, align=justify, first=BODY_INDENT, after=6, line=1.15)
    pstyle("Decides", size=14, bold=True, align=center, before=6, after=12, keep_next=True)
    pstyle("Body Text", size=14, align=justify, first=BODY_INDENT, after=6, line=1.15)
    pstyle("Part Title", size=14, bold=True, align=justify, first=BODY_INDENT, after=6,
           before=6, line=1.15, keep_next=True)
    pstyle("Section Title", size=14, bold=True, align=justify, first=BODY_INDENT, after=6,
           line=1.15, keep_next=True)
    pstyle("Recipients Title", size=12, bold=True, italic=True, before=12)
    pstyle("Recipient", size=11)
    pstyle("Signer Title", size=14, bold=True, align=center, before=12)
    pstyle("Signer Name", size=14, bold=True, align=center)
    pstyle("Signature Space", size=14, align=center)
    pstyle("Appendix Heading", size=14, bold=True, align=center, keep_next=True)
    pstyle("Appendix Title", size=14, bold=True, align=center, keep_next=True)
    # a little air above and below cell text; task text left-aligned, since justified text in a
    # narrow column opens wide gaps around long words such as web addresses
    pstyle("Table Head", size=12, bold=True, align=center, before=2, after=2)
    pstyle("Table Text", size=12, align=WD_ALIGN_PARAGRAPH.LEFT, before=2, after=2)
    pstyle("Table Center", size=12, align=center, before=2, after=2)
    pstyle("Table Left", size=12, align=WD_ALIGN_PARAGRAPH.LEFT, before=2, after=2)
    for style in styles:
        font = getattr(style, "font", None)
        if font is not None and font.name not in (None, FONT):
            font.name = FONT  # python-docx's default styles bring Courier, Calibri…
    header = styles["Header"]
    header.font.name = FONT
    header.font.size = Pt(13)


def save(doc, path: Path) -> None:
    """Write a template with only the styles it uses (see slim)."""
    slim(doc)
    doc.save(path)


_STYLE_REF = re.compile(rb'<w:(?:pStyle|rStyle|tblStyle|numStyleLink|styleLink) w:val="([^"]+)"')


def slim(doc) -> None:
    """Drop what python-docx's default template brings and no document uses: its ~160 unused
    styles and the ~370 latent style entries (360 KB of styles.xml), the Word 2010 copy of the
    styles (stylesWithEffects.xml, 440 KB, which LibreOffice and Word 2013+ ignore) and the
    thumbnail of an empty page. LibreOffice imports every style of every document it converts;
    with them gone a report form converts with about a sixth less CPU (docs/performance.md).
    Kept: every style a part refers to (body, headers, footers, numbering), their base, linked
    and next styles, and the default of each kind, so the documents look exactly the same."""
    root = doc.styles.element
    styles = {s.get(qn("w:styleId")): s for s in root.findall(qn("w:style"))}
    used = {sid for sid, s in styles.items() if s.get(qn("w:default")) in ("1", "true")}
    for part in doc.part.package.iter_parts():
        if part.content_type.endswith("+xml") and not part.partname.startswith("/word/styles"):
            used |= {m.decode() for m in _STYLE_REF.findall(part.blob)}
    todo = list(used)
    while todo:
        style = styles.get(todo.pop())
        for tag in ("w:basedOn", "w:link", "w:next"):
            ref = style.find(qn(tag)) if style is not None else None
            if ref is not None and ref.get(qn("w:val")) not in used:
                used.add(ref.get(qn("w:val")))
                todo.append(ref.get(qn("w:val")))
    for sid, style in styles.items():
        if sid not in used:
            root.remove(style)
    for latent in root.findall(qn("w:latentStyles")):
        root.remove(latent)
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            doc.part.drop_rel(rid)
    package_rels = doc.part.package.rels
    for rid, rel in list(package_rels.items()):
        if rel.reltype.endswith("/metadata/thumbnail"):
            del package_rels[rid]


# -- shared blocks ----------------------------------------------------------------------------


def issuer_names(cell, parent: str, lines: str) -> None:
    """Parent body (regular, only when there is one), then the issuer's lines (bold)."""
    tag(cell, f"{{%p if {parent} %}}")
    para(cell, f"{{{{ {parent}|upper }}}}", style="Issuer Parent")
    tag(cell, "{%p endif %}")
    tag(cell, f"{{%p for line in {lines} %}}")
    para(cell, "{{ line|upper }}", style="Issuer")
    tag(cell, "{%p endfor %}")


def issuer_block(cell) -> None:
    """Left column: parent body (regular), issuer (bold), rule."""
    issuer_names(cell, "issuer_parent", "issuer_lines")
    rule(cell, ISSUER_RULE, width=LEFT_COL - CELL_MARGINS)


def national_block(cell) -> None:
    para(cell, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", style="National Title")
    para(cell, "Độc lập - Tự do - Hạnh phúc", style="Motto")
    rule(cell, MOTTO_RULE, width=RIGHT_COL - CELL_MARGINS)


def header_table(doc, *, with_number: bool, number_expr: str = "{{ number_line }}") -> Table:
    table = fixed_table(doc, 2 if with_number else 1, [LEFT_COL, RIGHT_COL])
    no_borders(table)
    left, right = table.rows[0].cells
    # a tag paragraph cannot be the first in a cell it empties, so the first paragraph is real
    issuer_block(left)
    national_block(right)
    if with_number:
        left, right = table.rows[1].cells
        para(left, f"Số: {number_expr}", style="Number Line")
        para(right, "{{ place }}, {{ date_line }}", style="Date Line")
    return table


def signature_table(doc, *, recipients: bool, signer: str) -> Table:
    table = fixed_table(doc, 1, [Mm(75), Mm(90)])
    no_borders(table)
    cant_split(table.rows[0])  # the signature block never breaks across pages
    left, right = table.rows[0].cells
    if recipients:
        p = para(left, style="Recipients Title")
        add_run(p, "Nơi nhận:")
        tag(left, "{%p for r in recipients %}")
        para(left, "- {{ r.text }}{% if r.copies %}: {{ r.copies_text }} bản{% endif %};",
             style="Recipient")
        tag(left, "{%p endfor %}")
        # ND 30: copies kept after the drafting unit ("NC (02b)"), drafter and copies issued as
        # "T96.40"
        para(left, "- Lưu: VT{% if archive_unit %}, {{ archive_unit }}{% endif %}"
                   "{% if archive_copies_text %} ({{ archive_copies_text }}){% endif %}"
                   "{% if drafter %}, {{ drafter }}{% if copies %}.{{ copies }}{% endif %}"
                   "{% elif copies %}, {{ copies }} bản{% endif %}.", style="Recipient")
    else:
        para(left, "", style="Table Text")
    signature_block(right, signer)
    return table


def signature_block(right, signer: str) -> None:
    """The signer's column: authority line, title, room for the signature, name."""
    tag(right, f"{{%p if {signer}.authority_line %}}")
    para(right, f"{{{{ {signer}.authority_line|upper }}}}", style="Signer Title")
    para(right, f"{{{{ {signer}.title|upper }}}}", style="Signer Name")
    tag(right, "{%p else %}")
    para(right, f"{{{{ {signer}.title|upper }}}}", style="Signer Title")
    tag(right, "{%p endif %}")
    # five empty 14 pt lines (about 29 mm, as the report form has): room for the signature image
    # the e-office system places between title and name (Nghị định 30, Phụ lục I, II.7.d)
    for _ in range(5):
        para(right, "", style="Signature Space")
    para(right, f"{{{{ {signer}.name }}}}", style="Signer Name")


def keep_last_with_next(container, write) -> None:
    """Inside a loop: the last paragraph keeps with the signature block, which never starts a page
    alone; `write(keep_next)` writes the paragraph."""
    tag(container, "{%p if loop.last %}")
    write(True)
    tag(container, "{%p else %}")
    write(False)
    tag(container, "{%p endif %}")


def new_section(doc, *, landscape: bool):
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    setup_page(section, landscape)
    page_number_header(section)
    return section


# -- decision.docx ----------------------------------------------------------------------------


def build_decision(path: Path) -> None:
    doc = Document()
    define_styles(doc)
    section = doc.sections[0]
    setup_page(section)
    page_number_header(section)
    # python-docx starts with one empty paragraph; drop it so the header table comes first
    body = doc.element.body
    for p in body.findall(qn("w:p")):
        body.remove(p)

    # Quyết định (Mẫu 1.3)
    header_table(doc, with_number=True)
    para(doc, "QUYẾT ĐỊNH", style="Doc Type")
    para(doc, "{{ summary }}", style="Doc Summary")
    rule(doc, SUMMARY_RULE)
    para(doc, "{{ authority|upper }}", style="Authority")
    tag(doc, "{%p for b in bases %}")
    para(doc, "{{ b }}{% if loop.last %}.{% else %};{% endif %}", style="Basis")
    tag(doc, "{%p endfor %}")
    para(doc, "QUYẾT ĐỊNH:", style="Decides")
    tag(doc, "{%p for a in articles %}")

    def article(keep_next: bool) -> None:
        p = para(doc, style="Body Text", keep_next=keep_next)
        add_run(p, "Điều {{ a.number }}.", bold=True)
        add_run(p, " {{ a.text }}")

    keep_last_with_next(doc, article)
    tag(doc, "{%p endfor %}")
    signature_table(doc, recipients=True, signer="signer")

    # Kế hoạch ban hành kèm theo (own header, no number and date line)
    new_section(doc, landscape=False)
    header_table(doc, with_number=False)
    para(doc, "KẾ HOẠCH", style="Doc Type")
    para(doc, "{{ plan_title }}", style="Doc Summary")
    para(doc, "(Ban hành kèm theo Quyết định số {{ number_line }} {{ date_line }} "
              "của {{ issued_by }})", style="Attached Line")
    rule(doc, SUMMARY_RULE, space_after=6)
    tag(doc, "{%p for item in body %}")
    tag(doc, "{%p if item.kind == 'part' %}")
    para(doc, "{{ item.label }} {{ item.heading|upper }}", style="Part Title")
    tag(doc, "{%p elif item.kind == 'section' %}")
    para(doc, "{{ item.label }} {{ item.heading }}", style="Section Title")
    tag(doc, "{%p else %}")
    keep_last_with_next(doc, lambda keep: para(
        doc, "{% if item.label %}{{ item.label }} {% endif %}{{ item.text }}", style="Body Text",
        keep_next=keep))
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    signature_table(doc, recipients=False, signer="plan_signer")

    # Phụ lục: the task table, landscape, header row on every page
    new_section(doc, landscape=True)
    para(doc, "Phụ lục", style="Appendix Heading")
    para(doc, "{{ appendix_title|upper }}", style="Appendix Title")
    para(doc, "(Kèm theo Kế hoạch ban hành tại Quyết định số {{ number_line }} {{ date_line }} "
              "của {{ issued_by }})", style="Attached Line", space_after=12)
    widths = [Mm(14), Mm(95), Mm(45), Mm(45), Mm(33), Mm(20)]
    table = grid_table(doc, 6, widths, ["STT", "Nội dung, nhiệm vụ", "Cơ quan chủ trì",
                                        "Cơ quan phối hợp", "Thời gian hoàn thành", "Ghi chú"])
    # rows 1..5: area loop start, area row, task loop start, task row, task end + area end
    first = table.rows[1].cells
    span(first[0], first[-1])
    para(first[0], "{%tr for area in areas %}", style="Tag")
    # an area's title row stays on the page of its first task (keep with next on every paragraph)
    area_rows(
        table,
        ["{{ t.number }}", "{{ t.text }}", "{{ t.lead }}", "{{ t.support }}", "{{ t.deadline }}",
         "{{ t.note }}"],
        ["Table Center", "Table Text", "Table Left", "Table Left", "Table Center", "Table Left"],
        keep_next=True,
    )

    # the PDF's title and author come from these (rendered per document like the body)
    core = doc.core_properties
    core.author = "{{ issuer_name }}"
    core.title = "Quyết định {{ summary[:1]|lower }}{{ summary[1:] }}"
    core.subject = "{{ summary }}"
    core.language = "vi-VN"
    core.comments = "Mẫu văn bản của vanban; xem docs/templates.md"
    save(doc, path)


def _split_double_endfor(table: Table) -> None:
    """docxtpl wants one {%tr %} per row: turn the last row into two rows."""
    from copy import deepcopy

    last = table.rows[-1]._tr
    second = deepcopy(last)
    last.addnext(second)
    for tr, text in ((last, "{%tr endfor %}"), (second, "{%tr endfor %}")):
        texts = tr.findall(".//" + qn("w:t"))
        texts[0].text = text
        for extra in texts[1:]:
            extra.text = ""


# -- report.docx ------------------------------------------------------------------------------

# Rules under the agency's name, chosen by the name's measured width (context `issuer_width_mm`)
# so that each is 1/3 to 1/2 of it: a rule of v mm suits widths from 2v to 3v.
ISSUER_RULE_VARIANTS = ((17, Mm(6)), (23, Mm(8)), (32, Mm(11)), (46, Mm(16)), (None, Mm(23)))


def report_issuer_block(cell) -> None:
    """Left column of a report: parent body (regular), agency (bold), a rule fitted to it."""
    issuer_names(cell, "agency_parent", "agency_lines")
    for index, (below, length) in enumerate(ISSUER_RULE_VARIANTS):
        if below is None:
            tag(cell, "{%p else %}")
        else:
            keyword = "if" if index == 0 else "elif"
            tag(cell, f"{{%p {keyword} issuer_width_mm < {below} %}}")
        rule(cell, length, width=LEFT_COL - CELL_MARGINS)
    tag(cell, "{%p endif %}")


def fill_width(widths: list) -> list:
    """The given column widths plus a last column that fills the text width exactly."""
    whole = [Twips(w.twips) for w in widths]  # whole twips, as the table grid stores them
    return [*whole, Twips(Emu(TEXT_W).twips - sum(w.twips for w in whole))]


def blank_lines(doc, count: int = 2) -> None:
    """Empty body paragraphs where the agency writes its text."""
    for _ in range(count):
        para(doc, "", style="Body Text")


def build_report(path: Path) -> None:
    """Mẫu 1.4 (báo cáo) for one agency and one period, with its tasks and targets pre-filled."""
    doc = Document()
    define_styles(doc)
    styles = doc.styles
    for name, size, italic, align, before, after in (
        ("Addressee", 14, False, WD_ALIGN_PARAGRAPH.CENTER, 6, 6),
        ("Plan Quote", 14, True, WD_ALIGN_PARAGRAPH.JUSTIFY, 0, 6),
        ("Table Note", 12, True, WD_ALIGN_PARAGRAPH.JUSTIFY, 6, 6),
    ):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.italic = italic
        fmt = style.paragraph_format
        fmt.alignment = align
        fmt.space_before = Pt(before)
        fmt.space_after = Pt(after)
        fmt.line_spacing = 1.15 if name == "Plan Quote" else 1.0
        if name == "Plan Quote":
            fmt.first_line_indent = BODY_INDENT
        style.quick_style = True
    section = doc.sections[0]
    setup_page(section)
    page_number_header(section)
    body = doc.element.body
    for p in body.findall(qn("w:p")):
        body.remove(p)

    table = fixed_table(doc, 2, [LEFT_COL, RIGHT_COL])
    no_borders(table)
    left, right = table.rows[0].cells
    report_issuer_block(left)
    national_block(right)
    left, right = table.rows[1].cells
    para(left, "Số: {{ number_line }}", style="Number Line")
    para(right, "{{ place }}, {{ date_line }}", style="Date Line")

    para(doc, "BÁO CÁO", style="Doc Type")
    para(doc, "{{ summary }}", style="Doc Summary")
    tag(doc, "{%p if data_from and data_to %}")
    para(doc, "(Số liệu tính từ ngày {{ data_from }} đến ngày {{ data_to }})", style="Attached Line",
         space_after=0)
    tag(doc, "{%p endif %}")
    rule(doc, SUMMARY_RULE, space_after=6)
    tag(doc, "{%p if addressee %}")
    para(doc, "Kính gửi: {{ addressee }}.", style="Addressee")
    tag(doc, "{%p endif %}")
    para(doc, "Thực hiện Quyết định số {{ decision_number_line }} {{ decision_date_line }} của "
              "{{ issued_by }} ban hành Kế hoạch {{ plan_title_in_sentence }}, theo đó báo cáo "
              "{{ period_name }} gửi{% if report_to %} về {{ report_to }}{% endif %} trước ngày "
              "{{ deadline }}; {{ agency_name }} báo cáo {{ summary_in_sentence }} như sau:",
         style="Body Text")

    para(doc, "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", style="Part Title")
    blank_lines(doc)

    para(doc, "II. KẾT QUẢ THỰC HIỆN NHIỆM VỤ ĐƯỢC GIAO", style="Part Title")
    tag(doc, "{%p if responsibilities %}")
    para(doc, "1. Trách nhiệm được giao tại phần Tổ chức thực hiện của Kế hoạch",
         style="Section Title")
    tag(doc, "{%p for r in responsibilities %}")
    para(doc, "Mục {{ r.path }} ({{ r.heading }}):", style="Body Text")
    tag(doc, "{%p for x in r.paragraphs %}")
    para(doc, "{% if x.label %}{{ x.label }} {% endif %}{{ x.text }}", style="Plan Quote")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    para(doc, "Kết quả thực hiện:", style="Body Text")
    blank_lines(doc, 1)
    para(doc, "2. Kết quả thực hiện các nhiệm vụ tại Phụ lục Kế hoạch", style="Section Title")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if areas %}")
    para(doc, "{{ agency_name }} chủ trì {{ led_count }} nhiệm vụ và phối hợp "
              "{{ coordinated_count }} nhiệm vụ tại Phụ lục Kế hoạch; kết quả thực hiện từng "
              "nhiệm vụ như sau:", style="Body Text")
    widths = fill_width([Mm(15), Mm(46), Mm(20), Mm(21), Mm(27), Mm(17)])
    tasks = grid_table(doc, 6, widths, ["STT", "Nội dung nhiệm vụ", "Vai trò", "Thời hạn",
                                        "Kết quả thực hiện", "Mức độ hoàn thành", "Ghi chú"])
    first = tasks.rows[1].cells
    span(first[0], first[-1])
    para(first[0], "{%tr for area in areas %}", style="Tag")
    area_rows(
        tasks,
        ["{{ t.ref }}", "{{ t.text }}",
         "{% if t.leads %}Chủ trì{% else %}Phối hợp{% endif %}"
         "{% if t.role_note %} ({{ t.role_note }}){% endif %}",
         "{{ t.deadline }}", "", "", "{{ t.note }}"],
        ["Table Center", "Table Text", "Table Center", "Table Center", "Table Text",
         "Table Center", "Table Left"],
    )
    combo_box(tasks.rows[4].cells[5].paragraphs[0], "Mức độ hoàn thành", STATUS_CHOICES)
    para(doc, "Cột “Mức độ hoàn thành” ghi một trong các mức: " + "; ".join(STATUS_CHOICES)
         + " (nhiệm vụ làm thường xuyên trong năm). Nhiệm vụ chưa hoàn thành ghi rõ lý do ở "
         "cột “Ghi chú”. Không xóa cột STT: chương trình tổng hợp theo mã nhiệm vụ (I.1, II.4…).",
         style="Table Note")
    tag(doc, "{%p else %}")
    para(doc, "Phụ lục Kế hoạch không giao nhiệm vụ cụ thể cho {{ agency_name }}.",
         style="Body Text")
    tag(doc, "{%p endif %}")

    para(doc, "III. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU CỦA KẾ HOẠCH", style="Part Title")
    tag(doc, "{%p if targets %}")
    widths = fill_width([Mm(12), Mm(81), Mm(24), Mm(30)])
    targets = grid_table(doc, 4, widths, ["STT", "Chỉ tiêu", "Mức chỉ tiêu", "Kết quả đạt được",
                                          "Căn cứ"])
    start = targets.rows[1].cells
    span(start[0], start[-1])
    para(start[0], "{%tr for target in targets %}", style="Tag")
    for cell, text, style in zip(
        targets.rows[2].cells,
        ["{{ target.number }}", "{{ target.text }}", "{{ target.value }}", "",
         "{{ target.source }}"],
        ["Table Center", "Table Text", "Table Center", "Table Center", "Table Center"],
        strict=True,
    ):
        para(cell, text, style=style)
    cant_split(targets.rows[2])
    stop = targets.rows[3].cells
    span(stop[0], stop[-1])
    para(stop[0], "{%tr endfor %}", style="Tag")
    para(doc, "", style="Table Note")
    tag(doc, "{%p else %}")
    para(doc, "Kế hoạch không đặt chỉ tiêu định lượng riêng cho {{ agency_name }}.",
         style="Body Text")
    tag(doc, "{%p endif %}")

    para(doc, "IV. KHÓ KHĂN, VƯỚNG MẮC", style="Part Title")
    blank_lines(doc)
    para(doc, "V. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI", style="Part Title")
    blank_lines(doc)
    para(doc, "VI. ĐỀ XUẤT, KIẾN NGHỊ", style="Part Title")
    blank_lines(doc)
    # the closing sentence keeps with the signature block, which never starts a page alone
    para(doc, "Trên đây là báo cáo {{ summary_in_sentence }} của {{ agency_name }}./.",
         style="Body Text", keep_next=True)

    sign = fixed_table(doc, 1, [Mm(75), Mm(90)])
    no_borders(sign)
    cant_split(sign.rows[0])
    left, right = sign.rows[0].cells
    p = para(left, style="Recipients Title")
    add_run(p, "Nơi nhận:")
    tag(left, "{%p for r in recipients %}")
    para(left, "- {{ r }};", style="Recipient")
    tag(left, "{%p endfor %}")
    para(left, "- Lưu: VT.", style="Recipient")
    tag(right, "{%p if signer.authority_line %}")
    para(right, "{{ signer.authority_line|upper }}", style="Signer Title")
    para(right, "{{ signer.title|upper }}", style="Signer Name")
    tag(right, "{%p else %}")
    para(right, "{{ signer.title|upper }}", style="Signer Title")
    tag(right, "{%p endif %}")
    for _ in range(5):
        para(right, "", style="Signature Space")

    custom_properties(doc, {f"vanban.{key}": f"{{{{ form.{key} }}}}" for key in FORM_PROPERTIES})
    # the PDF's title and author come from these (rendered per document like the body)
    core = doc.core_properties
    core.author = "{{ agency_name }}"
    core.title = "Báo cáo {{ summary_in_sentence }}"
    core.subject = "{{ summary }}"
    core.language = "vi-VN"
    core.comments = "Mẫu văn bản của vanban; xem docs/templates.md"
    save(doc, path)


# -- summary.docx: the consolidated report of a period ----------------------------------------


def report_styles(doc) -> None:
    """The paragraph styles of a report besides the shared ones."""
    styles = doc.styles
    for name, size, italic, align, before, after in (
        ("Addressee", 14, False, WD_ALIGN_PARAGRAPH.CENTER, 6, 6),
        ("Plan Quote", 14, True, WD_ALIGN_PARAGRAPH.JUSTIFY, 0, 6),
        ("Table Note", 12, True, WD_ALIGN_PARAGRAPH.JUSTIFY, 6, 6),
        ("Chart", 12, False, WD_ALIGN_PARAGRAPH.CENTER, 6, 0),
        ("Caption Text", 12, True, WD_ALIGN_PARAGRAPH.CENTER, 0, 6),
        ("Excerpt Line", 12, False, WD_ALIGN_PARAGRAPH.CENTER, 6, 0),
        ("Addressee List", 14, False, WD_ALIGN_PARAGRAPH.LEFT, 0, 0),
    ):
        if any(s.name == name for s in styles):
            continue
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.italic = italic
        fmt = style.paragraph_format
        fmt.alignment = align
        fmt.space_before = Pt(before)
        fmt.space_after = Pt(after)
        fmt.line_spacing = 1.15 if name == "Plan Quote" else 1.0
        if name == "Plan Quote":
            fmt.first_line_indent = BODY_INDENT
        if name == "Chart":
            fmt.keep_with_next = True
        if name == "Addressee List":
            fmt.left_indent = Mm(50)
        style.quick_style = True


def start_document():
    doc = Document()
    define_styles(doc)
    report_styles(doc)
    section = doc.sections[0]
    setup_page(section)
    page_number_header(section)
    body = doc.element.body
    for p in body.findall(qn("w:p")):
        body.remove(p)
    return doc


def loop_table(doc, widths: list, heads: list[str], loop: str, cells: list[str], styles: list[str],
               total: list[str] | None = None) -> Table:
    """A bordered table: header row, one row per item of `loop`, and an optional bold total row."""
    rows = 4 + (1 if total else 0)
    table = grid_table(doc, rows, widths, heads)
    start = table.rows[1].cells
    span(start[0], start[-1])
    para(start[0], f"{{%tr for {loop} %}}", style="Tag")
    for cell, text, style in zip(table.rows[2].cells, cells, styles, strict=True):
        para(cell, text, style=style)
    cant_split(table.rows[2])
    stop = table.rows[3].cells
    span(stop[0], stop[-1])
    para(stop[0], "{%tr endfor %}", style="Tag")
    if total:
        for cell, text, style in zip(table.rows[4].cells, total, styles, strict=True):
            para(cell, text, style=style)
            for run in cell.paragraphs[0].runs:
                run.font.bold = True
    return table


def agencies_prose(doc, key: str) -> None:
    """What the agencies wrote under one part of their forms, for the drafter to work from."""
    tag(doc, f"{{%p if sections.{key} %}}")
    para(doc, "Các cơ quan, đơn vị nêu (để tổng hợp, biên tập lại):", style="Body Text")
    tag(doc, f"{{%p for x in sections.{key} %}}")
    para(doc, "- {{ x.agency }}: {{ x.text }}", style="Plan Quote")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p else %}")
    blank_lines(doc, 1)
    tag(doc, "{%p endif %}")


STATUS_COLUMNS = ["Hoàn thành", "Đang thực hiện", "Chưa thực hiện", "Thường xuyên", "Chưa có báo cáo"]


def build_summary(path: Path) -> None:
    """The province's consolidated report of one period, drafted from the returned forms."""
    doc = start_document()
    header_table(doc, with_number=True)
    para(doc, "BÁO CÁO", style="Doc Type")
    para(doc, "{{ summary }}", style="Doc Summary")
    tag(doc, "{%p if data_from and data_to %}")
    para(doc, "(Số liệu tính từ ngày {{ data_from }} đến ngày {{ data_to }})", style="Attached Line",
         space_after=0)
    tag(doc, "{%p endif %}")
    rule(doc, SUMMARY_RULE, space_after=6)
    para(doc, "Kính gửi: Bộ Nội vụ.", style="Addressee")
    para(doc, "Thực hiện Kế hoạch {{ plan_title_in_sentence }} ban hành kèm theo Quyết định số "
              "{{ decision_number_line }} {{ decision_date_line }} của {{ issued_by }}, trên cơ sở "
              "báo cáo của {{ received_count }}/{{ expected_count }} cơ quan, đơn vị, {{ reporter }} "
              "báo cáo {{ summary_in_sentence }} như sau:", style="Body Text")

    para(doc, "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", style="Part Title")
    agencies_prose(doc, "chi_dao")

    para(doc, "II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ CỦA KẾ HOẠCH", style="Part Title")
    para(doc, "1. Kết quả chung", style="Section Title")
    para(doc, "{{ overview }}", style="Body Text")
    para(doc, "{{ chart_areas }}", style="Chart")
    para(doc, "Biểu đồ 1. Tiến độ thực hiện nhiệm vụ theo lĩnh vực (số nhiệm vụ)",
         style="Caption Text")
    widths = fill_width([Mm(10), Mm(32), Mm(14), Mm(19), Mm(19), Mm(19), Mm(19), Mm(19)])
    loop_table(doc, widths, ["TT", "Lĩnh vực", "Tổng số", *STATUS_COLUMNS, "Tỷ lệ (đến hạn)"],
               "a in area_rows",
               ["{{ a.number }}", "{{ a.name }}", "{{ a.total }}", "{{ a.done }}", "{{ a.in_progress }}",
                "{{ a.not_started }}", "{{ a.recurring }}", "{{ a.unknown }}", "{{ a.rate }}"],
               ["Table Center", "Table Text", *["Table Center"] * 7],
               total=["", "Cả kế hoạch", "{{ plan.total }}", "{{ plan.done }}", "{{ plan.in_progress }}",
                      "{{ plan.not_started }}", "{{ plan.recurring }}", "{{ plan.unknown }}",
                      "{{ plan.rate }}"])
    para(doc, "Tỷ lệ (đến hạn): số nhiệm vụ đã hoàn thành trong số nhiệm vụ có thời hạn đến "
              "hết ngày {{ data_to }}; “–”: chưa có nhiệm vụ đến hạn.", style="Table Note")
    para(doc, "2. Kết quả theo từng lĩnh vực", style="Section Title")
    tag(doc, "{%p for area in areas %}")
    para(doc, "{{ area.letter }}) {{ area.name }} (nhóm nhiệm vụ {{ area.number }}): {{ area.sentence }}",
         style="Body Text", keep_next=True)
    tag(doc, "{%p for t in area.tasks %}")
    p = para(doc, style="Body Text")
    add_run(p, "- {{ t.code }} {{ t.text }}", italic=True)
    add_run(p, " ({{ t.status }}{% if t.timeliness %}, {{ t.timeliness }}{% endif %}; chủ trì: "
               "{{ t.leads }}){% if t.result %}: {{ t.result }}{% endif %}.")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if disagreements %}")
    para(doc, "Các nhiệm vụ có cơ quan đánh giá khác kết luận (cần làm rõ; chi tiết tại sheet Nhiệm vụ "
              "của tong-hop.xlsx):", style="Body Text")
    tag(doc, "{%p for d in disagreements %}")
    para(doc, "- {{ d }}", style="Body Text")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")

    para(doc, "III. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU", style="Part Title")
    tag(doc, "{%p if targets %}")
    widths = fill_width([Mm(12), Mm(70), Mm(25), Mm(28)])
    loop_table(doc, widths, ["TT", "Chỉ tiêu", "Mức chỉ tiêu", "Số cơ quan báo cáo", "Kết quả đạt được"],
               "x in targets", ["{{ x.number }}", "{{ x.text }}", "{{ x.value }}", "{{ x.agency }}",
                                "{{ x.achieved }}"],
               ["Table Center", "Table Text", "Table Center", "Table Center", "Table Text"])
    para(doc, "", style="Table Note")
    tag(doc, "{%p else %}")
    para(doc, "Các cơ quan, đơn vị chưa báo cáo kết quả thực hiện chỉ tiêu.", style="Body Text")
    tag(doc, "{%p endif %}")

    para(doc, "IV. TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ", style="Part Title")
    para(doc, "{{ receipt_sentence }}", style="Body Text")
    tag(doc, "{%p if late_names %}")
    para(doc, "Các cơ quan, đơn vị gửi báo cáo trễ hạn: {{ late_names }}.", style="Body Text")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if missing_names %}")
    para(doc, "Các cơ quan, đơn vị chưa gửi báo cáo: {{ missing_names }}.", style="Body Text")
    tag(doc, "{%p endif %}")
    para(doc, "{{ chart_agencies }}", style="Chart")
    para(doc, "Biểu đồ 2. Tiến độ các nhiệm vụ chủ trì theo cơ quan, đơn vị (số nhiệm vụ)",
         style="Caption Text")
    widths = fill_width([Mm(10), Mm(32), Mm(14), Mm(19), Mm(19), Mm(19), Mm(19), Mm(19)])
    loop_table(doc, widths, ["TT", "Cơ quan, đơn vị", "Chủ trì", *STATUS_COLUMNS, "Gửi báo cáo"],
               "g in agency_rows",
               ["{{ g.number }}", "{{ g.name }}", "{{ g.total }}", "{{ g.done }}", "{{ g.in_progress }}",
                "{{ g.not_started }}", "{{ g.recurring }}", "{{ g.unknown }}", "{{ g.receipt }}"],
               ["Table Center", "Table Text", *["Table Center"] * 7])
    para(doc, "", style="Table Note")

    para(doc, "V. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN", style="Part Title")
    agencies_prose(doc, "kho_khan")
    para(doc, "VI. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI", style="Part Title")
    agencies_prose(doc, "phuong_huong")
    para(doc, "VII. ĐỀ XUẤT, KIẾN NGHỊ", style="Part Title")
    agencies_prose(doc, "de_xuat")
    para(doc, "Trên đây là báo cáo {{ summary_in_sentence }} của {{ reporter }}./.", style="Body Text",
         keep_next=True)
    signature_table(doc, recipients=True, signer="signer")
    core = doc.core_properties
    # the PDF's title and author come from these (rendered per document like the body)
    core.author = "{{ issuer_name }}"
    core.title = "Báo cáo {{ summary_in_sentence }}"
    core.subject = "{{ summary }}"
    core.language = "vi-VN"
    core.comments = "Mẫu văn bản của vanban; xem docs/templates.md"
    save(doc, path)


def build_reminder(path: Path) -> None:
    """Công văn đôn đốc: to the agencies that have not sent the period's report."""
    doc = start_document()
    table = fixed_table(doc, 2, [LEFT_COL, RIGHT_COL])
    no_borders(table)
    left, right = table.rows[0].cells
    issuer_block(left)
    national_block(right)
    left, right = table.rows[1].cells
    para(left, "Số: {{ number_line }}", style="Number Line")
    para(left, "V/v đôn đốc gửi báo cáo {{ summary_in_sentence }}", style="Excerpt Line")
    para(right, "{{ place }}, {{ date_line }}", style="Date Line")
    para(doc, "", style="Body Text")
    tag(doc, "{%p if missing_count == 1 %}")
    para(doc, "Kính gửi: {{ agencies[0] }}.", style="Addressee")
    tag(doc, "{%p else %}")
    para(doc, "Kính gửi:", style="Addressee")
    tag(doc, "{%p for a in agencies %}")
    para(doc, "- {{ a }}{% if loop.last %}.{% else %};{% endif %}", style="Addressee List")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    para(doc, "Thực hiện Kế hoạch {{ plan_title_in_sentence }} ban hành kèm theo Quyết định số "
              "{{ decision_number_line }} {{ decision_date_line }} của {{ issued_by }}, các cơ quan, "
              "đơn vị gửi báo cáo {{ period_name }} về {{ report_to }} trước ngày {{ deadline }}.",
         style="Body Text")
    para(doc, "Đến nay, {{ missing_count }} cơ quan, đơn vị nêu trên chưa gửi báo cáo. Để kịp tổng hợp "
              "báo cáo {{ summary_in_sentence }}, đề nghị Thủ trưởng các cơ quan, đơn vị khẩn trương "
              "hoàn thành và gửi báo cáo (theo mẫu đã gửi kèm Kế hoạch) trước ngày      /     /"
              "{{ year }}.", style="Body Text")
    para(doc, "Đề nghị các cơ quan, đơn vị quan tâm thực hiện./.", style="Body Text", keep_next=True)
    sign = fixed_table(doc, 1, [Mm(75), Mm(90)])
    no_borders(sign)
    cant_split(sign.rows[0])
    left, right = sign.rows[0].cells
    p = para(left, style="Recipients Title")
    add_run(p, "Nơi nhận:")
    para(left, "- Như trên;", style="Recipient")
    para(left, "- Lưu: VT.", style="Recipient")
    signature_block(right, "signer")  # the same room for the signature as every other document
    core = doc.core_properties
    core.author = "{{ issuer_name }}"
    core.title = "Công văn đôn đốc gửi báo cáo {{ summary_in_sentence }}"
    core.subject = "Đôn đốc gửi báo cáo {{ summary_in_sentence }}"
    core.language = "vi-VN"
    core.comments = "Mẫu văn bản của vanban; xem docs/templates.md"
    save(doc, path)


TEMPLATES = {"decision": build_decision, "report": build_report, "summary": build_summary,
             "reminder": build_reminder}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--force", action="store_true", help="overwrite existing templates")
    parser.add_argument("names", nargs="*", choices=[[], *TEMPLATES], default=[],
                        help="templates to write (default: all): " + ", ".join(TEMPLATES))
    args = parser.parse_args(argv)
    status = 0
    for name in args.names or TEMPLATES:
        target = ROOT / "templates" / f"{name}.docx"
        if target.exists() and not args.force:
            print(f"{target} exists; use --force to start it again from scratch", file=sys.stderr)
            status = 1
            continue
        target.parent.mkdir(exist_ok=True)
        TEMPLATES[name](target)
        print(f"wrote {target}")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
