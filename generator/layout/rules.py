"""The layout rules of Nghị định 30/2020/NĐ-CP that can be read from a .docx, one function each.

Each rule takes a LintDoc and yields Findings; rule ids are listed in docs/lint.md with the part
of the decree's layout (shared docs/nd30-format.md) they come from. Rules that read data (number
and date lines, căn cứ punctuation, numbering) skip paragraphs that still hold Jinja tags.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from generator.layout.docxfmt import qn, wrapped_lines
from generator.layout.lint import Finding, LintDoc, Para, Table, paragraph_text
from generator.text import vn
from generator.text.vn import text_width_mm

TWIPS_PER_MM = 56.7
A4 = (11906, 16838)
FONT = "Times New Roman"
MARGINS_MM = {"top": (20, 25), "bottom": (20, 25), "left": (30, 35), "right": (15, 20)}
INDENT_TWIPS = (567 - 15, 720 + 15)  # 1 cm to 1.27 cm
# Phụ lục I, II.8.b: on a document attached and filed on its own (the Phụ lục), the văn thư's
# digital signature (number and symbol, time of signing: two lines of 10 pt) goes in the top right
# corner of its first page. This much is kept free there, width × height in mm, against the right
# margin and above the first line (docs/pdf.md, "Room for e-signing").
SIGNATURE_CORNER_MM = (55.0, 15.0)


@dataclass(frozen=True)
class Spec:
    """How one element of the document must look."""

    label: str
    sizes: tuple[float, float] | None
    bold: bool | None = None
    italic: bool | None = None
    upper: bool = False
    align: str | None = None


CENTER = "center"
JUSTIFY = "both"
# keyed by the style names of our templates (tools/build_templates.py)
SPECS: dict[str, Spec] = {
    "Issuer Parent": Spec("tên cơ quan chủ quản", (12, 13), bold=False, upper=True, align=CENTER),
    "Issuer": Spec("tên cơ quan ban hành", (12, 13), bold=True, upper=True, align=CENTER),
    "National Title": Spec("quốc hiệu", (12, 13), bold=True, upper=True, align=CENTER),
    "Motto": Spec("tiêu ngữ", (13, 14), bold=True, align=CENTER),
    "Number Line": Spec("số, ký hiệu", (13, 13), italic=False, align=CENTER),
    "Date Line": Spec("địa danh và ngày tháng", (13, 14), italic=True, align=CENTER),
    "Doc Type": Spec("tên loại văn bản", (13, 14), bold=True, upper=True, align=CENTER),
    "Doc Summary": Spec("trích yếu", (13, 14), bold=True, align=CENTER),
    "Attached Line": Spec("dòng «Ban hành kèm theo…»", (13, 14), italic=True, align=CENTER),
    "Authority": Spec("thẩm quyền ban hành", (13, 14), bold=True, upper=True, align=CENTER),
    "Basis": Spec("căn cứ", (13, 14), italic=True, align=JUSTIFY),
    "Decides": Spec("«QUYẾT ĐỊNH:»", (13, 14), bold=True, upper=True, align=CENTER),
    "Body Text": Spec("nội dung", (13, 14), align=JUSTIFY),
    "Part Title": Spec("tên phần", (13, 14), bold=True, upper=True),
    "Section Title": Spec("tên mục", (13, 14), bold=True),
    "Recipients Title": Spec("«Nơi nhận:»", (12, 12), bold=True, italic=True),
    "Recipient": Spec("dòng nơi nhận", (11, 11), italic=False),
    "Signer Title": Spec("quyền hạn, chức vụ người ký", (13, 14), bold=True, upper=True,
                         align=CENTER),
    "Signer Name": Spec("họ tên người ký", (13, 14), bold=True, align=CENTER),
    "Appendix Heading": Spec("«Phụ lục»", (14, 14), bold=True, align=CENTER),
    "Appendix Title": Spec("tên phụ lục", (13, 14), bold=True, upper=True, align=CENTER),
}
BODY_STYLES = ("Body Text", "Basis")
ALIGN_NAMES = {"both": "căn đều hai bên", "center": "căn giữa", "left": "căn trái",
               "start": "căn trái", "right": "căn phải", "end": "căn phải"}


def element(para: Para) -> str:
    """The element a paragraph is: its style, or what its words say when the style is foreign."""
    if para.style in SPECS:
        return para.style
    text = para.text.strip()
    if text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM":
        return "National Title"
    if text.startswith("Độc lập") and "Hạnh phúc" in text:
        return "Motto"
    if text == "Nơi nhận:":
        return "Recipients Title"
    if para.part == "cell" and text.startswith("Số:"):
        return "Number Line"
    return ""


def text_runs(doc: LintDoc, para: Para) -> list:
    """The runs that print something (hyperlinks and smart tags included)."""
    return [r for r in para.el.iter(qn("w:r")) if paragraph_text(r).strip()]


def all_paras(doc: LintDoc) -> Iterator[Para]:
    yield from doc.paras
    yield from doc.header_paras()


def mm(twips: float) -> str:
    return f"{twips / TWIPS_PER_MM:.1f}".rstrip("0").rstrip(".") + " mm"


def pt(value: float | None) -> str:
    return "cỡ không rõ" if value is None else f"{value:g} pt"


def _twips(length: Any) -> int:
    """A python-docx length in twips; 0 where the document does not set it."""
    return 0 if length is None else int(length.twips)


# -- 1. page ---------------------------------------------------------------------------------


def rule_page_size(doc: LintDoc) -> Iterator[Finding]:
    """page.size: every section on A4, 210 × 297 mm."""
    for i, section in enumerate(doc.sections):
        w, h = _twips(section.page_width), _twips(section.page_height)
        if abs(min(w, h) - A4[0]) > 57 or abs(max(w, h) - A4[1]) > 57:
            yield doc.finding("page.size", doc.section_label(i),
                              f"Khổ giấy {mm(w)} × {mm(h)}, cần A4 (210 × 297 mm).")


def rule_page_margins(doc: LintDoc) -> Iterator[Finding]:
    """page.margins: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm."""
    names = {"top": "trên", "bottom": "dưới", "left": "trái", "right": "phải"}
    for i, section in enumerate(doc.sections):
        for side, (low, high) in MARGINS_MM.items():
            value = getattr(section, f"{side}_margin")
            twips = value.twips if value is not None else 0
            if not low * TWIPS_PER_MM - 3 <= twips <= high * TWIPS_PER_MM + 3:
                yield doc.finding("page.margins", doc.section_label(i),
                                  f"Lề {names[side]} {mm(twips)}, cần {low}–{high} mm.")


def _table_width(table: Table) -> int:
    grid = table.el.find(qn("w:tblGrid"))
    if grid is None:
        return 0
    return sum(int(col.get(qn("w:w"), "0")) for col in grid.findall(qn("w:gridCol")))


def _portrait_text_width(doc: LintDoc, index: int) -> int:
    s = doc.sections[index]
    return min(_twips(s.page_width), _twips(s.page_height)) - _twips(s.left_margin) - _twips(s.right_margin)


def rule_page_orientation(doc: LintDoc) -> Iterator[Finding]:
    """page.orientation: portrait, landscape only for a section that carries a wide table."""
    for i, section in enumerate(doc.sections):
        landscape = _twips(section.page_width) > _twips(section.page_height)
        orient = section._sectPr.find(qn("w:pgSz")).get(qn("w:orient"), "portrait")
        if landscape != (orient == "landscape"):
            yield doc.finding("page.orientation", doc.section_label(i),
                              "Chiều trang (w:orient) không khớp với khổ giấy; Word và máy in "
                              "có thể in sai chiều.")
        wide = any(_table_width(t) > _portrait_text_width(doc, i) + 57
                   for t in doc.tables if t.section == i)
        if landscape and not wide:
            yield doc.finding("page.orientation", doc.section_label(i),
                              "Trang nằm ngang nhưng không có bảng rộng; chỉ trình bày trang ngang "
                              "cho bảng biểu rộng (như phụ lục).")


def rule_appendix_orientation(doc: LintDoc) -> Iterator[Finding]:
    """appendix.orientation: a table wider than a portrait page is on a landscape page."""
    for t in doc.tables:
        section = doc.sections[t.section]
        landscape = _twips(section.page_width) > _twips(section.page_height)
        if not landscape and _table_width(t) > _portrait_text_width(doc, t.section) + 57:
            yield doc.finding("appendix.orientation", f"bảng {t.number}",
                              f"Bảng rộng {mm(_table_width(t))}, không vừa trang dọc: đặt phụ lục "
                              f"trong section trang nằm ngang.")


def _page_field(el) -> bool:
    instr = " ".join(n.text or "" for n in el.iter(qn("w:instrText")))
    simple = " ".join(n.get(qn("w:instr"), "") for n in el.iter(qn("w:fldSimple")))
    return bool(re.search(r"\bPAGE\b", instr + " " + simple))


def rule_page_number_first(doc: LintDoc) -> Iterator[Finding]:
    """page-number.first: no page number on the first page of each document."""
    for i, section in enumerate(doc.sections):
        if section.different_first_page_header_footer:
            for part in (section.first_page_header, section.first_page_footer):
                el = part._element
                if _page_field(el) or paragraph_text(el).strip():
                    yield doc.finding("page-number.first", doc.section_label(i),
                                      "Trang đầu có nội dung ở đầu hoặc chân trang; trang đầu "
                                      "không đánh số trang.")
        elif _page_field(section.header._element) or _page_field(section.footer._element):
            yield doc.finding("page-number.first", doc.section_label(i),
                              "Số trang hiện cả ở trang đầu: bật «Different First Page» (trang đầu "
                              "khác) với đầu trang trống.")


def rule_page_number_header(doc: LintDoc) -> Iterator[Finding]:
    """page-number.header: Arabic page numbers, 13–14 pt upright, centred in the header."""
    for i, section in enumerate(doc.sections):
        label = doc.section_label(i)
        if _page_field(section.footer._element):
            yield doc.finding("page-number.header", label,
                              "Số trang ở chân trang; cần ở giữa đầu trang (lề trên).")
        header = section.header._element
        paras = [p for p in header.iter(qn("w:p")) if _page_field(p)]
        if not paras:
            yield doc.finding("page-number.header", label, "Đầu trang không có số trang.")
            continue
        p = paras[0]
        fmt = doc.formats.para(p)
        if fmt.align != "center":
            yield doc.finding("page-number.header", label,
                              f"Số trang {ALIGN_NAMES.get(fmt.align, fmt.align)}, cần căn giữa.")
        for r in p.iter(qn("w:r")):
            run = doc.formats.run(p, r)
            if paragraph_text(r).strip() and run.size is not None and not 13 <= run.size <= 14:
                yield doc.finding("page-number.header", label,
                                  f"Số trang cỡ {pt(run.size)}, cần 13–14 pt.")
                break
            if paragraph_text(r).strip() and run.italic:
                yield doc.finding("page-number.header", label, "Số trang in nghiêng, cần chữ đứng.")
                break
        numtype = section._sectPr.find(qn("w:pgNumType"))
        fmt_name = numtype.get(qn("w:fmt"), "decimal") if numtype is not None else "decimal"
        if fmt_name != "decimal":
            yield doc.finding("page-number.header", label,
                              f"Số trang dạng {fmt_name}, cần chữ số Ả Rập.")


def rule_page_number_restart(doc: LintDoc) -> Iterator[Finding]:
    """page-number.restart: an attached document and each appendix are numbered on their own."""
    for i in range(1, len(doc.sections)):
        starts_document = any(p.style in ("Doc Type", "Appendix Heading")
                              for p in doc.section_starts[i])
        numtype = doc.sections[i]._sectPr.find(qn("w:pgNumType"))
        start = numtype.get(qn("w:start")) if numtype is not None else None
        if starts_document and start != "1":
            yield doc.finding("page-number.restart", doc.section_label(i),
                              "Văn bản kèm theo hoặc phụ lục phải đánh số trang riêng, bắt đầu "
                              "từ 1 (Page Number Format → Start at 1).")


# -- fonts and elements ------------------------------------------------------------------------


def rule_font_family(doc: LintDoc) -> Iterator[Finding]:
    """font.family: Times New Roman in every run, header, footer and table."""
    for para in all_paras(doc):
        fonts = {doc.formats.run(para.el, r).font or "(mặc định của máy)"
                 for r in text_runs(doc, para)}
        wrong = sorted(f for f in fonts if f != FONT)
        if wrong:
            yield doc.finding("font.family", para.place,
                              f"Phông chữ {', '.join(wrong)}; cần {FONT} (Unicode, TCVN 6909:2001).")


def rule_font_color(doc: LintDoc) -> Iterator[Finding]:
    """font.color: black text."""
    for para in all_paras(doc):
        for r in text_runs(doc, para):
            color = doc.formats.run(para.el, r).color
            if color not in (None, "auto", "000000", "theme:text1"):
                yield doc.finding("font.color", para.place, f"Chữ màu {color}; cần màu đen.")
                break


def rule_element_size(doc: LintDoc) -> Iterator[Finding]:
    """element.size: the size of each element (quốc hiệu 12–13 pt, tiêu ngữ 13–14 pt, …)."""
    for para in doc.paras:
        spec = SPECS.get(element(para))
        if spec is None or spec.sizes is None:
            continue
        low, high = spec.sizes
        sizes = {doc.formats.run(para.el, r).size for r in text_runs(doc, para)}
        bad = sorted((s for s in sizes if s is None or not low <= s <= high),
                     key=lambda s: -1.0 if s is None else s)
        if bad:
            want = pt(low) if low == high else f"{low:g}–{high:g} pt"
            yield doc.finding("element.size", para.place,
                              f"{spec.label.capitalize()} cỡ {', '.join(pt(s) for s in bad)}; "
                              f"cần {want}.")


def rule_element_emphasis(doc: LintDoc) -> Iterator[Finding]:
    """element.emphasis: bold and italic of each element (căn cứ nghiêng, trích yếu đậm, …)."""
    for para in doc.paras:
        spec = SPECS.get(element(para))
        if spec is None:
            continue
        runs = [doc.formats.run(para.el, r) for r in text_runs(doc, para)]
        label = spec.label.capitalize()
        if spec.bold is not None and any(r.bold != spec.bold for r in runs):
            yield doc.finding("element.emphasis", para.place,
                              f"{label} cần {'in đậm' if spec.bold else 'chữ không đậm'}.")
        if spec.italic is not None and any(r.italic != spec.italic for r in runs):
            yield doc.finding("element.emphasis", para.place,
                              f"{label} cần {'in nghiêng' if spec.italic else 'chữ đứng'}.")


def rule_element_case(doc: LintDoc) -> Iterator[Finding]:
    """element.case: UPPERCASE for issuer, quốc hiệu, type name, authority, signer's title."""
    for para in doc.paras:
        spec = SPECS.get(element(para))
        if spec is None or not spec.upper or para.has_tags:
            continue
        shown = "".join(
            paragraph_text(r).upper() if doc.formats.run(para.el, r).caps else paragraph_text(r)
            for r in para.el.iter(qn("w:r")))
        if shown.strip() and vn.upper_vn(shown) != vn.nfc(shown):
            yield doc.finding("element.case", para.place,
                              f"{spec.label.capitalize()} phải viết chữ in hoa.")


def rule_element_alignment(doc: LintDoc) -> Iterator[Finding]:
    """element.alignment: centred titles and header lines, justified căn cứ and body."""
    for para in doc.paras:
        spec = SPECS.get(element(para))
        if spec is None or spec.align is None or not para.text.strip() or spec.align == JUSTIFY:
            continue
        if para.fmt.align != spec.align:
            yield doc.finding("element.alignment", para.place,
                              f"{spec.label.capitalize()} đang "
                              f"{ALIGN_NAMES.get(para.fmt.align, para.fmt.align)}, cần "
                              f"{ALIGN_NAMES[spec.align]}.")


# -- the header table and its rules ------------------------------------------------------------


def header_tables(doc: LintDoc) -> list[Table]:
    return [t for t in doc.tables if any(element(p) == "National Title" for p in t.paras)]


def signature_tables(doc: LintDoc) -> list[Table]:
    return [t for t in doc.tables
            if any(p.style in ("Signer Title", "Signer Name") or element(p) == "Recipients Title"
                   for p in t.paras)]


def _tbl_borders(doc: LintDoc, table: Table) -> dict[str, str]:
    """Effective table borders: direct tblBorders over the table style's (and its bases)."""
    found: dict[str, str] = {}
    levels = [table.el.find(qn("w:tblPr"))]
    style = levels[0].find(qn("w:tblStyle")) if levels[0] is not None else None
    sid = style.get(qn("w:val")) if style is not None else None
    levels += [s.find(qn("w:tblPr")) for s in doc.formats._chain(sid)]
    for level in levels:
        borders = level.find(qn("w:tblBorders")) if level is not None else None
        if borders is None:
            continue
        for edge in borders:
            name = edge.tag.split("}")[1]
            found.setdefault(name, edge.get(qn("w:val"), "nil"))
    return found


def _visible(value: str | None) -> bool:
    return value not in (None, "nil", "none")


def _col_widths(table: Table) -> list[int]:
    grid = table.el.find(qn("w:tblGrid"))
    return [int(c.get(qn("w:w"), "0")) for c in grid.findall(qn("w:gridCol"))] if grid is not None \
        else []


def rule_header_table(doc: LintDoc) -> Iterator[Finding]:
    """header.table: a borderless two-column table, left ≈ 6–7 cm, right ≈ 10–11 cm, on top."""
    tables = header_tables(doc)
    first_block = doc.doc.element.body[0] if len(doc.doc.element.body) else None
    if not tables or (first_block is not None and first_block is not tables[0].el):
        yield doc.finding("header.table", "đầu văn bản",
                          "Văn bản không bắt đầu bằng bảng tiêu đề hai cột (cơ quan ban hành | quốc "
                          "hiệu, tiêu ngữ).")
    for t in tables:
        place = f"bảng {t.number}"
        widths = _col_widths(t)
        if len(widths) != 2:
            yield doc.finding("header.table", place,
                              f"Bảng tiêu đề có {len(widths)} cột, cần 2 cột.")
            continue
        left, right = (w / TWIPS_PER_MM for w in widths)
        if not 55 <= left <= 80 or not 90 <= right <= 115:
            yield doc.finding("header.table", place,
                              f"Cột trái {left:.0f} mm, cột phải {right:.0f} mm; cần khoảng "
                              f"60–70 mm và 100–110 mm.")
        if any(_visible(v) for v in _tbl_borders(doc, t).values()):
            yield doc.finding("header.table", place, "Bảng tiêu đề phải không có đường viền.")
        number = next((p for p in t.paras if element(p) == "Number Line"), None)
        date = next((p for p in t.paras if p.style == "Date Line"), None)
        if number and date and number.row != date.row:
            yield doc.finding("header.table", date.place,
                              "Địa danh, ngày tháng phải cùng hàng với số, ký hiệu.")


def _para_width(doc: LintDoc, para: Para) -> int:
    """The width a paragraph's lines can take, in twips (cell or page text width)."""
    if para.table is not None:
        table = doc.tables[para.table]
        assert para.row is not None and para.cell is not None  # a paragraph of a table has both
        tr = table.rows()[para.row]
        tc = tr.findall(qn("w:tc"))[para.cell]
        tcw = tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
        width = int(tcw.get(qn("w:w"))) if tcw is not None and tcw.get(qn("w:type")) == "dxa" \
            else _col_widths(table)[para.cell]
        return width - 2 * 108  # Word's default cell margins
    s = doc.sections[para.section]
    return _twips(s.page_width) - _twips(s.left_margin) - _twips(s.right_margin)


def _rule_after(doc: LintDoc, paras: list[Para], last: Para) -> tuple[Para | None, float | None]:
    """The rule drawn under a paragraph: the next paragraph's top border, or its own bottom border.

    Returns the paragraph carrying it and its length in mm (None when drawn as a shape).
    """
    index = paras.index(last)
    own = last.el.find(f"{qn('w:pPr')}/{qn('w:pBdr')}/{qn('w:bottom')}")
    if own is not None and _visible(own.get(qn("w:val"))):
        return last, (_para_width(doc, last) - last.fmt.left - last.fmt.right) / TWIPS_PER_MM
    for nxt in paras[index + 1:index + 4]:
        if doc.formats.has_top_border(nxt.el):
            return nxt, (_para_width(doc, nxt) - nxt.fmt.left - nxt.fmt.right) / TWIPS_PER_MM
        if nxt.el.find(f".//{qn('w:drawing')}") is not None or nxt.el.find(f".//{qn('w:pict')}") \
                is not None:
            return nxt, None
        if nxt.text.strip() and not _only_block_tags(nxt.text):
            break
    return None, None


def _only_block_tags(text: str) -> bool:
    """A template paragraph holding only {%p … %} tags: it disappears when rendered."""
    return not re.sub(r"\{%.*?%\}", "", text).strip()


def _longest_line(doc: LintDoc, para: Para) -> float:
    runs = [doc.formats.run(para.el, r) for r in text_runs(doc, para)]
    size = runs[0].size or 13 if runs else 13
    bold = bool(runs and runs[0].bold)
    width = (_para_width(doc, para) - para.fmt.left - para.fmt.right) / TWIPS_PER_MM
    lines = [line for chunk in para.text.split("\n")
             for line in wrapped_lines(chunk, size, bold, width)]
    return max((text_width_mm(line, size, bold) for line in lines), default=0.0)


def _check_rule(doc: LintDoc, rule_id: str, cell: list[Para], texts: list[Para], what: str,
                ratio: tuple[float, float]) -> Iterator[Finding]:
    last = texts[-1]
    carrier, length = _rule_after(doc, cell, last)
    if carrier is None:
        yield doc.finding(rule_id, last.place, f"Thiếu đường kẻ ngang nét liền dưới {what}.")
        return
    if length is None or any(p.has_tags for p in texts):
        return  # a drawn line, or text still to come from data: the length cannot be measured
    text_mm = max(_longest_line(doc, p) for p in texts)
    low, high = ratio[0] * text_mm * 0.9, ratio[1] * text_mm * 1.1
    if not low <= length <= high:
        want = ("bằng độ dài dòng chữ" if ratio == (1, 1)
                else "từ 1/3 đến 1/2 độ dài dòng chữ")
        yield doc.finding(rule_id, carrier.place,
                          f"Đường kẻ dưới {what} dài {length:.0f} mm; dòng chữ dài {text_mm:.0f} mm, "
                          f"đường kẻ cần {want} ({ratio[0] * text_mm:.0f}–{ratio[1] * text_mm:.0f} mm).")


def rule_header_rules(doc: LintDoc) -> Iterator[Finding]:
    """header.rules: a rule under the issuer (1/3–1/2 of its width) and under the tiêu ngữ (as long)."""
    for t in header_tables(doc):
        for cell in {p.cell for p in t.paras}:
            paras = [p for p in t.paras if p.cell == cell and p.row == 0]
            issuer = [p for p in paras if p.style == "Issuer"]
            motto = [p for p in paras if element(p) == "Motto"]
            if issuer:
                yield from _check_rule(doc, "header.rules", paras, issuer,
                                       "tên cơ quan ban hành", (1 / 3, 1 / 2))
            if motto:
                yield from _check_rule(doc, "header.rules", paras, motto, "tiêu ngữ", (1, 1))


def rule_summary_rule(doc: LintDoc) -> Iterator[Finding]:
    """summary.rule: a rule under the trích yếu, 1/3–1/2 of its line's length.

    Under an attached document's title the rule comes after the «(Ban hành kèm theo …)» line,
    and under a report's after its «(Số liệu tính từ …)» line: its length is then not measured.
    """
    body = [p for p in doc.paras if p.part == "body"]
    for index, p in enumerate(body):
        if p.style != "Doc Summary":
            continue
        following = [q for q in body[index + 1:index + 8] if not _only_block_tags(q.text)]
        if following and following[0].style != "Attached Line":
            yield from _check_rule(doc, "summary.rule", body, [p], "trích yếu", (1 / 3, 1 / 2))
            continue
        lines = [p]
        for q in following:
            if q.style != "Attached Line":
                break
            lines.append(q)
        carrier, _ = _rule_after(doc, body, lines[-1])
        if carrier is None:
            yield doc.finding("summary.rule", p.place,
                              "Thiếu đường kẻ ngang nét liền dưới trích yếu.")


# -- number, date, căn cứ ------------------------------------------------------------------------

_NUMBER_RE = re.compile(r"^Số:\s*(?P<number>[^/]*?)(?P<sp1>\s*)/(?P<sp2>\s*)(?P<symbol>.+?)\s*$")
_DATE_RE = re.compile(r"ngày(?P<d>\s+\S+\s+|\s{2,})tháng(?P<m>\s+\S+\s+|\s{2,})năm\s+(?P<y>\d{4})")


def _date_problems(text: str) -> list[str]:
    problems = []
    for match in _DATE_RE.finditer(text):
        day, month = match.group("d").strip(), match.group("m").strip()
        if day and (not day.isdigit() or len(day) != 2):
            problems.append(f"ngày «{day}» cần viết hai chữ số (ngày dưới 10 thêm số 0: 05)")
        if month and month.isdigit():
            if int(month) <= 2 and len(month) != 2:
                problems.append(f"tháng «{month}» cần thêm số 0 (tháng 01, 02)")
            elif int(month) >= 3 and month != str(int(month)):
                problems.append(f"tháng «{month}» không thêm số 0 từ tháng 3 (tháng {int(month)})")
        elif month:
            problems.append(f"tháng «{month}» phải là số")
    return problems


def rule_number_line(doc: LintDoc) -> Iterator[Finding]:
    """number.line: `Số: 05/QĐ-UBND`: leading zero under 10, no spaces around `/` and `-`."""
    for para in doc.paras:
        if element(para) != "Number Line" or para.has_tags:
            continue
        match = _NUMBER_RE.match(para.text.strip())
        if match is None:
            yield doc.finding("number.line", para.place,
                              "Dòng số, ký hiệu cần dạng «Số: 05/QĐ-UBND».")
            continue
        number = match.group("number").strip()
        if number.isdigit() and len(number) < 2:
            yield doc.finding("number.line", para.place,
                              f"Số {number} nhỏ hơn 10 cần thêm số 0 phía trước (Số: 0{number}/…).")
        if match.group("sp1") and number or match.group("sp2") or re.search(
                r"\s-|-\s|\s", match.group("symbol")):
            yield doc.finding("number.line", para.place,
                              "Không để dấu cách trước, sau dấu / và dấu - trong số, ký hiệu.")


def rule_date_line(doc: LintDoc) -> Iterator[Finding]:
    """date.line: `ngày 05 tháng 01 năm 2019`, `tháng 6` (zero for days < 10, months 1–2)."""
    for para in doc.paras:
        if para.style not in ("Date Line", "Attached Line") or para.has_tags:
            continue
        if para.style == "Date Line" and not _DATE_RE.search(para.text):
            yield doc.finding("date.line", para.place,
                              "Dòng địa danh, ngày tháng cần dạng «<Địa danh>, ngày 05 tháng 01 "
                              "năm 2019».")
        for problem in _date_problems(para.text):
            yield doc.finding("date.line", para.place, problem[0].upper() + problem[1:] + ".")
        if para.style == "Attached Line":
            for number in re.findall(r"số\s+(\d+)/", para.text):
                if len(number) < 2:
                    yield doc.finding("number.line", para.place,
                                      f"Số {number} nhỏ hơn 10 cần thêm số 0 phía trước.")


def rule_basis_punctuation(doc: LintDoc) -> Iterator[Finding]:
    """basis.punctuation: each căn cứ ends with `;`, the last line of the block with `.`."""
    block: list[Para] = []
    for para in [*doc.paras, None]:
        if para is not None and para.style == "Basis" and para.text.strip():
            block.append(para)
            continue
        if block and not any(p.has_tags for p in block):
            for p in block[:-1]:
                if not p.text.rstrip().endswith(";"):
                    yield doc.finding("basis.punctuation", p.place,
                                      f"Căn cứ cần kết thúc bằng dấu «;» (đang là «{p.text.rstrip()[-1:]}»).")
            last = block[-1]
            if not last.text.rstrip().endswith(".") or last.text.rstrip().endswith("./."):
                yield doc.finding("basis.punctuation", last.place,
                                  "Dòng cuối của phần căn cứ cần kết thúc bằng dấu «.».")
        block = []


# -- body ---------------------------------------------------------------------------------------


def _body_paras(doc: LintDoc) -> Iterator[Para]:
    for para in doc.paras:
        if para.style in BODY_STYLES and para.text.strip() and para.part == "body":
            yield para


def rule_body_justify(doc: LintDoc) -> Iterator[Finding]:
    """body.justify: the body and the căn cứ are justified."""
    for para in _body_paras(doc):
        if para.fmt.align not in ("both", "distribute"):
            yield doc.finding("body.justify", para.place,
                              f"Đoạn văn {ALIGN_NAMES.get(para.fmt.align, para.fmt.align)}, cần căn "
                              f"đều hai bên.")


def rule_body_indent(doc: LintDoc) -> Iterator[Finding]:
    """body.indent: first-line indent 1 cm to 1.27 cm."""
    for para in _body_paras(doc):
        if not INDENT_TWIPS[0] <= para.fmt.first_line <= INDENT_TWIPS[1]:
            yield doc.finding("body.indent", para.place,
                              f"Thụt đầu dòng {para.fmt.first_line / 567:.2f} cm; cần từ 1 cm đến "
                              f"1,27 cm.")


def rule_body_spacing(doc: LintDoc) -> Iterator[Finding]:
    """body.spacing: at least 6 pt between paragraphs."""
    for para in _body_paras(doc):
        if para.fmt.before + para.fmt.after < 120:
            yield doc.finding("body.spacing", para.place,
                              f"Khoảng cách giữa các đoạn {pt((para.fmt.before + para.fmt.after) / 20)}"
                              f"; cần tối thiểu 6 pt.")


def rule_body_line_spacing(doc: LintDoc) -> Iterator[Finding]:
    """body.line-spacing: line spacing from single to 1.5 lines."""
    for para in _body_paras(doc):
        f = para.fmt
        if f.line_rule == "auto":
            ok, shown = 240 <= f.line <= 360, f"{f.line / 240:.2f} dòng"
        else:
            runs = [doc.formats.run(para.el, r) for r in text_runs(doc, para)]
            size = max((r.size or 14 for r in runs), default=14)
            ok = size <= f.line / 20 <= size * 1.15 * 1.5 + 0.5
            shown = pt(f.line / 20)
        if not ok:
            yield doc.finding("body.line-spacing", para.place,
                              f"Giãn dòng {shown}; cần từ một dòng (single) đến 1,5 dòng.")


_ARTICLE_RE = re.compile(r"^Điều\s*(\S+?)([.:]?)(\s|$)")


def rule_article_label(doc: LintDoc) -> Iterator[Finding]:
    """article.label: `Điều 1.` in bold, Arabic numbers in order, indented like the body."""
    expected = 1
    for i, para in enumerate(doc.paras):
        if i and doc.paras[i - 1].section != para.section:
            expected = 1
        if para.part != "body" or not para.text.startswith("Điều"):
            continue
        match = _ARTICLE_RE.match(para.text)
        if match is None:
            continue
        number, dot = match.group(1), match.group(2)
        if not para.has_tags:
            if not number.isdigit() or dot != "." or not re.match(r"^Điều \d+\.", para.text):
                yield doc.finding("article.label", para.place,
                                  f"Nhãn điều cần dạng «Điều {expected}.» (số Ả Rập, dấu chấm).")
            elif int(number) != expected:
                yield doc.finding("article.label", para.place,
                                  f"Điều {number} sau Điều {expected - 1}; cần Điều {expected}.")
            expected = int(number) + 1 if number.isdigit() else expected + 1
        label_len = len(match.group(0).rstrip())
        covered = 0
        for r in para.el.iter(qn("w:r")):
            if covered >= label_len:
                break
            text = paragraph_text(r)
            if text.strip() and not doc.formats.run(para.el, r).bold:
                yield doc.finding("article.label", para.place, "Nhãn «Điều …» cần in đậm.")
                break
            covered += len(text)
        if not INDENT_TWIPS[0] <= para.fmt.first_line <= INDENT_TWIPS[1]:
            yield doc.finding("article.label", para.place,
                              "Điều cần thụt đầu dòng như đoạn văn (1–1,27 cm).")


def rule_body_closing(doc: LintDoc) -> Iterator[Finding]:
    """body.closing: the last paragraph before the signature ends with `./.`."""
    if doc.is_template:
        return
    for t in signature_tables(doc):
        prev = t.el.getprevious()
        while prev is not None and (prev.tag != qn("w:p") or not paragraph_text(prev).strip()):
            prev = prev.getprevious()
        if prev is None:
            continue
        para = next(p for p in doc.paras if p.el is prev)
        if not para.text.rstrip().endswith("./."):
            yield doc.finding("body.closing", para.place,
                              "Đoạn cuối của nội dung cần kết thúc bằng dấu «./.».")


def rule_recipients(doc: LintDoc) -> Iterator[Finding]:
    """recipients: «Nơi nhận:» beside the signer's title; lines `- …;`, last `- Lưu: VT, … .`."""
    for t in signature_tables(doc):
        title = next((p for p in t.paras if element(p) == "Recipients Title"), None)
        if title is None:
            continue
        signer = next((p for p in t.paras if p.style == "Signer Title"), None)
        if signer is not None and signer.row != title.row:
            yield doc.finding("recipients", title.place,
                              "«Nơi nhận:» cần ở cùng hàng với chức vụ người ký.")
        if doc.is_template:
            continue
        lines = [p for p in t.paras if p.cell == title.cell and p.row == title.row
                 and p is not title and p.text.strip()]
        for p in lines[:-1]:
            text = p.text.strip()
            if not text.startswith("- ") or not text.endswith(";"):
                yield doc.finding("recipients", p.place, "Mỗi nơi nhận cần dạng «- …;».")
        if lines:
            last = lines[-1].text.strip()
            if not last.startswith("- Lưu: VT") or not last.endswith("."):
                yield doc.finding("recipients", lines[-1].place,
                                  "Dòng cuối nơi nhận cần dạng «- Lưu: VT, <đơn vị>.».")
        else:
            yield doc.finding("recipients", title.place, "«Nơi nhận:» không có nơi nhận nào.")


def rule_signature(doc: LintDoc) -> Iterator[Finding]:
    """signature: title UPPERCASE bold, TM./KT./Q./TL./TUQ., room to sign, name, not split."""
    for t in signature_tables(doc):
        titles = [p for p in t.paras if p.style == "Signer Title" and p.text.strip()]
        if not titles:
            yield doc.finding("signature", f"bảng {t.number}",
                              "Khối chữ ký thiếu quyền hạn, chức vụ người ký.")
            continue
        for p in titles:
            first = p.text.split()[0] if p.text.split() else ""
            if not p.has_tags and f"{first}." in vn.SIGNING_PREFIXES:
                yield doc.finding("signature", p.place,
                                  f"Quyền hạn ký «{first}» thiếu dấu chấm; viết «{first}.».")
            elif not p.has_tags and first.endswith(".") and first not in vn.SIGNING_PREFIXES:
                yield doc.finding("signature", p.place,
                                  f"Quyền hạn ký «{first}» không đúng; dùng một trong "
                                  f"{', '.join(vn.SIGNING_PREFIXES)}.")
        cell = [p for p in t.paras if p.cell == titles[0].cell and p.row == titles[0].row]
        yield from _signature_room(doc, cell)
        for tr in t.rows():
            trpr = tr.find(qn("w:trPr"))
            if trpr is None or trpr.find(qn("w:cantSplit")) is None:
                yield doc.finding("signature", f"bảng {t.number}",
                                  "Khối chữ ký có thể bị tách sang hai trang: bật «Không cho phép "
                                  "hàng ngắt qua trang» (cantSplit).")
                break


def _is_title_line(p: Para) -> bool:
    text = p.text.strip()
    if p.style == "Signer Title":
        return True
    return "|upper" in text if p.has_tags else text == vn.upper_vn(text)


def _signature_room(doc: LintDoc, cell: list[Para]) -> Iterator[Finding]:
    """Title lines, then empty lines to sign and seal, then the name (blank on a form to fill)."""
    filled = [p for p in cell if p.text.strip() and not _only_block_tags(p.text)]
    if len(filled) < 2 or _is_title_line(filled[-1]):
        return  # no name: the form leaves it to the signer's office
    name = filled[-1]
    gap = []
    for p in reversed(cell[:cell.index(name)]):
        if p.text.strip():
            break
        gap.append(p)
    room = name.fmt.before + sum(20 * 14 * 1.15 + p.fmt.before + p.fmt.after for p in gap)
    if room < 20 * 40:
        yield doc.finding("signature", name.place,
                          "Cần chừa khoảng trống (khoảng 3–4 dòng) để ký và đóng dấu trên họ tên "
                          "người ký.")


# -- tables -------------------------------------------------------------------------------------


def rule_table_header_row(doc: LintDoc) -> Iterator[Finding]:
    """table.header-row: data tables (the appendix) repeat their header row on every page."""
    layout = {id(t) for t in header_tables(doc) + signature_tables(doc)}
    for t in doc.tables:
        if id(t) in layout or len(t.rows()) < 2:
            continue
        trpr = t.rows()[0].find(qn("w:trPr"))
        header = trpr.find(qn("w:tblHeader")) if trpr is not None else None
        if header is None or header.get(qn("w:val"), "true") in ("0", "false"):
            yield doc.finding("table.header-row", f"bảng {t.number}, dòng 1",
                              "Dòng tiêu đề của bảng phải lặp lại ở đầu mỗi trang (Repeat as header "
                              "row, w:tblHeader).")


def rule_table_borders(doc: LintDoc) -> Iterator[Finding]:
    """table.borders: data tables have all their borders; layout tables none."""
    layout = header_tables(doc) + signature_tables(doc)
    for t in doc.tables:
        borders = _tbl_borders(doc, t)
        if t in layout:
            if any(_visible(v) for v in borders.values()):
                yield doc.finding("table.borders", f"bảng {t.number}",
                                  "Bảng trình bày (tiêu đề, chữ ký) không có đường viền.")
            continue
        missing = [e for e in ("top", "left", "bottom", "right", "insideH", "insideV")
                   if not _visible(borders.get(e))]
        if missing and not _cells_bordered(t):
            yield doc.finding("table.borders", f"bảng {t.number}",
                              f"Bảng thiếu đường viền ({', '.join(missing)}).")


def _cells_bordered(t: Table) -> bool:
    cells = list(t.el.iter(qn("w:tc")))
    return bool(cells) and all(tc.find(f"{qn('w:tcPr')}/{qn('w:tcBorders')}") is not None
                               for tc in cells)


# -- numbering ----------------------------------------------------------------------------------

_PART_RE = re.compile(r"^([IVXLC]+)\.\s")
_SECTION_RE = re.compile(r"^(\d{1,2})\.\s")
_POINT_RE = re.compile(r"^([a-zđ]{1,2})\)\s")


def rule_numbering(doc: LintDoc) -> Iterator[Finding]:
    """numbering: parts I, II…, sections 1, 2… and points a b c d đ e g… in order."""
    if doc.is_template:
        return
    part = section = point = 0
    current = -1
    for para in doc.paras:
        if para.part != "body" or not para.text.strip():
            continue
        if para.section != current:
            current, part, section, point = para.section, 0, 0, 0
        text = para.text.strip()
        if (m := _PART_RE.match(text)) and para.style in ("Part Title", "Body Text"):
            part, section, point = part + 1, 0, 0
            if m.group(1) != vn.roman(part):
                yield doc.finding("numbering", para.place,
                                  f"Phần «{m.group(1)}.» sau phần {vn.roman(part - 1) or '(đầu)'}; "
                                  f"cần «{vn.roman(part)}.».")
        elif (m := _SECTION_RE.match(text)) and para.style in ("Section Title", "Body Text"):
            section, point = section + 1, 0
            if int(m.group(1)) != section:
                yield doc.finding("numbering", para.place,
                                  f"Mục «{m.group(1)}.» cần là «{section}.».")
        elif (m := _POINT_RE.match(text)) and para.style == "Body Text":
            point += 1
            if m.group(1) != vn.letter(point):
                after = f"sau điểm {vn.letter(point - 1)})" if point > 1 else "ở đầu mục"
                yield doc.finding("numbering", para.place,
                                  f"Điểm «{m.group(1)})» {after}; cần «{vn.letter(point)})» (thứ tự "
                                  f"chữ cái tiếng Việt: a b c d đ e g h i k l m n o p q r s t u v x y).")
                point = vn.LETTERS.index(m.group(1)) + 1 if m.group(1) in vn.LETTERS else point


def rule_leftover_tags(doc: LintDoc) -> Iterator[Finding]:
    """tags.leftover: a generated document keeps no template tag."""
    if doc.is_template:
        return
    for para in all_paras(doc):
        if para.has_tags:
            yield doc.finding("tags.leftover", para.place,
                              "Còn thẻ mẫu ({{ … }} hoặc {% … %}) chưa được thay bằng dữ liệu.")


RULES = [
    rule_page_size, rule_page_orientation, rule_page_margins, rule_appendix_orientation,
    rule_page_number_first, rule_page_number_header, rule_page_number_restart,
    rule_font_family, rule_font_color,
    rule_element_size, rule_element_emphasis, rule_element_case, rule_element_alignment,
    rule_header_table, rule_header_rules, rule_summary_rule,
    rule_number_line, rule_date_line, rule_basis_punctuation,
    rule_body_justify, rule_body_indent, rule_body_spacing, rule_body_line_spacing,
    rule_article_label, rule_body_closing, rule_recipients, rule_signature,
    rule_table_header_row, rule_table_borders, rule_numbering, rule_leftover_tags,
]
