"""`vanban lint`: the templates and every built document follow Nghị định 30; each broken rule is
found at its place."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, Twips

from generator.cli import main
from generator.layout.lint import Finding
from generator.pipeline import lint_paths, template_variables
from tests.conftest import ROOT, WORKBOOK, draft_workbook

TEMPLATES = sorted((ROOT / "templates").glob("*.docx"))


def lint_file(path: Path, variables: dict[str, set[str]] | None = None) -> list:
    """What `vanban lint` says of one file: layout rules, and tags on a template."""
    return lint_paths([path], variables)


def rendered(findings: list[Finding]) -> str:
    return "\n".join(f.render() for f in findings)


def broken(source: Path, tmp_path: Path, change: Callable, name: str = "sai.docx") -> list[Finding]:
    """Lint a copy of a document after one change made with python-docx, as Word would save it."""
    doc = Document(str(source))
    change(doc)
    target = tmp_path / name
    doc.save(str(target))
    return lint_file(target)


def only(findings: list[Finding], rule: str) -> list[Finding]:
    hits = [f for f in findings if f.rule == rule]
    assert hits, f"no {rule} finding in:\n{rendered(findings)}"
    return hits


def para_starting(doc, words: str):
    return next(p for p in doc.paragraphs if p.text.startswith(words))


@pytest.fixture(scope="module")
def variables() -> dict[str, set[str]]:
    found = template_variables(WORKBOOK)
    assert found is not None
    return found


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_every_template_follows_the_rules_and_its_tags_are_sound(template, variables):
    assert template.name in variables
    findings = lint_file(template, variables=variables)
    assert findings == [], rendered(findings)


def test_the_command_checks_every_template_and_document_of_the_last_build(built_2018):
    """The one lint of the 130 documents of a fresh build: the command, as a clerk runs it."""
    result = CliRunner().invoke(main, ["lint", "--out", str(built_2018.folder.parent)])
    assert result.exit_code == 0, result.output
    documents = [p for p in built_2018.outputs if p.suffix == ".docx"]
    assert documents
    checked = next(line for line in result.output.splitlines() if line.startswith("Đã kiểm tra"))
    for path in [*documents, *TEMPLATES]:
        assert str(path) in checked, path
    assert "Không có lỗi thể thức." in result.output


def test_a_run_in_arial_is_named_with_its_paragraph(decision_docx, tmp_path):
    def arial(doc):
        run = para_starting(doc, "Căn cứ Luật Tổ chức").runs[0]
        run.font.name = "Arial"

    hits = only(broken(decision_docx, tmp_path, arial), "font.family")
    assert len(hits) == 1
    assert hits[0].place.endswith("«Căn cứ Luật Tổ chức chính quyền…»")
    assert "Arial" in hits[0].message and "Times New Roman" in hits[0].message


def test_a_red_run_is_found(decision_docx, tmp_path):
    def red(doc):
        para_starting(doc, "Điều 1.").runs[-1].font.color.rgb = __import__(
            "docx.shared", fromlist=["RGBColor"]).RGBColor(0xFF, 0, 0)

    hits = only(broken(decision_docx, tmp_path, red), "font.color")
    assert "Điều 1." in hits[0].place and "FF0000" in hits[0].message


def test_letter_paper_is_not_a4(decision_docx, tmp_path):
    def letter(doc):
        doc.sections[0].page_width, doc.sections[0].page_height = Twips(12240), Twips(15840)

    hits = only(broken(decision_docx, tmp_path, letter), "page.size")
    assert hits[0].place.startswith("section 1")
    assert "215.9 mm × 279.4 mm, cần A4" in hits[0].message


def test_narrow_left_margin(decision_docx, tmp_path):
    def margin(doc):
        doc.sections[1].left_margin = Twips(1134)  # 20 mm

    hits = only(broken(decision_docx, tmp_path, margin), "page.margins")
    assert hits[0].place == "section 2 (KẾ HOẠCH)"
    assert "Lề trái 20 mm, cần 30–35 mm" in hits[0].message


def test_appendix_without_repeated_header_row(decision_docx, tmp_path):
    def no_header(doc):
        trpr = doc.tables[-1].rows[0]._tr.trPr
        trpr.remove(trpr.find(qn("w:tblHeader")))

    hits = only(broken(decision_docx, tmp_path, no_header), "table.header-row")
    assert hits[0].place == f"bảng {len(Document(str(decision_docx)).tables)}, dòng 1"


def test_appendix_on_a_portrait_page(decision_docx, tmp_path):
    def portrait(doc):
        s = doc.sections[-1]
        s.orientation = 0
        s.page_width, s.page_height = Twips(11906), Twips(16838)

    hits = only(broken(decision_docx, tmp_path, portrait), "appendix.orientation")
    assert "trang nằm ngang" in hits[0].message


def test_page_number_on_the_first_page(decision_docx, tmp_path):
    def first_page(doc):
        doc.sections[0].different_first_page_header_footer = False

    hits = only(broken(decision_docx, tmp_path, first_page), "page-number.first")
    assert hits[0].place == "section 1 (QUYẾT ĐỊNH)"


def test_appendix_numbered_on_from_the_plan(decision_docx, tmp_path):
    def continued(doc):
        pgnum = doc.sections[-1]._sectPr.find(qn("w:pgNumType"))
        del pgnum.attrib[qn("w:start")]

    hits = only(broken(decision_docx, tmp_path, continued), "page-number.restart")
    assert hits[0].place == "section 3 (Phụ lục)"


def test_number_under_ten_without_its_leading_zero(decision_docx, tmp_path):
    def number(doc):
        cell = doc.tables[0].rows[1].cells[0]
        cell.paragraphs[0].runs[0].text = "Số: 5/QĐ-UBND"

    hits = only(broken(decision_docx, tmp_path, number), "number.line")
    assert hits[0].place == "bảng 1, dòng 2, ô 1 «Số: 5/QĐ-UBND»"
    assert "Số: 05/" in hits[0].message


def test_spaces_around_the_slash_of_the_symbol(decision_docx, tmp_path):
    def spaced(doc):
        doc.tables[0].rows[1].cells[0].paragraphs[0].runs[0].text = "Số: 3406 / QĐ - UBND"

    hits = only(broken(decision_docx, tmp_path, spaced), "number.line")
    assert "dấu cách" in hits[0].message


def test_day_and_month_without_leading_zero(decision_docx, tmp_path):
    def date(doc):
        cell = doc.tables[0].rows[1].cells[1]
        cell.paragraphs[0].runs[0].text = "Bình Phước, ngày 5 tháng 3 năm 2018"

    hits = only(broken(decision_docx, tmp_path, date), "date.line")
    assert hits[0].place.startswith("bảng 1, dòng 2, ô 2 «Bình Phước, ngày 5 tháng 3")
    assert [h.message for h in hits] == [
        "Ngày «5» cần viết hai chữ số (ngày dưới 10 thêm số 0: 05)."]  # tháng 3 takes no zero


def test_january_without_its_zero_in_the_attached_line(decision_docx, tmp_path):
    def date(doc):
        p = para_starting(doc, "(Ban hành kèm theo")
        p.runs[0].text = p.text.replace("tháng 12", "tháng 1")
        for run in p.runs[1:]:
            run.text = ""

    hits = only(broken(decision_docx, tmp_path, date), "date.line")
    assert "(Ban hành kèm theo" in hits[0].place and "Tháng «1» cần thêm số 0" in hits[0].message


def test_basis_ending_with_a_comma(decision_docx, tmp_path):
    def comma(doc):
        p = para_starting(doc, "Căn cứ Luật Tổ chức")
        p.runs[-1].text = p.runs[-1].text.rstrip(";") + ","

    hits = only(broken(decision_docx, tmp_path, comma), "basis.punctuation")
    assert len(hits) == 1
    assert "«Căn cứ Luật Tổ chức" in hits[0].place and "«;»" in hits[0].message


def test_points_skipping_d_with_stroke(decision_docx, tmp_path):
    def skip(doc):
        p = para_starting(doc, "đ) Triển khai, phổ biến")
        p.runs[0].text = "e" + p.runs[0].text[1:]

    hits = only(broken(decision_docx, tmp_path, skip), "numbering")
    assert len(hits) == 1
    assert "«e) Triển khai, phổ biến" in hits[0].place
    assert "Điểm «e)» sau điểm d); cần «đ)»" in hits[0].message


def test_roman_parts_out_of_order(decision_docx, tmp_path):
    def parts(doc):
        p = para_starting(doc, "III. ")
        p.runs[0].text = p.runs[0].text.replace("III.", "IV.", 1)

    hits = only(broken(decision_docx, tmp_path, parts), "numbering")
    assert "cần «III.»" in hits[0].message


def test_basis_not_italic_and_summary_too_small(decision_docx, tmp_path):
    def plain(doc):
        para_starting(doc, "Căn cứ Chỉ thị").runs[0].italic = False
        para_starting(doc, "Ban hành Kế hoạch").runs[0].font.size = Pt(12)

    findings = broken(decision_docx, tmp_path, plain)
    emphasis = only(findings, "element.emphasis")
    assert "«Căn cứ Chỉ thị" in emphasis[0].place and "in nghiêng" in emphasis[0].message
    size = only(findings, "element.size")
    assert "Trích yếu cỡ 12 pt; cần 13–14 pt" in size[0].message


def test_article_label_not_bold_and_misnumbered(decision_docx, tmp_path):
    def label(doc):
        p = para_starting(doc, "Điều 2.")
        p.runs[0].bold = False
        p.runs[0].text = "Điều 3."

    hits = only(broken(decision_docx, tmp_path, label), "article.label")
    messages = " ".join(h.message for h in hits)
    assert "cần Điều 2" in messages and "in đậm" in messages


def test_body_not_justified_and_without_indent(decision_docx, tmp_path):
    def flat(doc):
        p = para_starting(doc, "Điều 1.")
        p.alignment = 0
        p.paragraph_format.first_line_indent = 0

    findings = broken(decision_docx, tmp_path, flat)
    assert "«Điều 1." in only(findings, "body.justify")[0].place
    assert "Thụt đầu dòng 0.00 cm" in only(findings, "body.indent")[0].message


def test_missing_closing_mark_before_the_signature(decision_docx, tmp_path):
    def unclosed(doc):
        p = para_starting(doc, "Điều 2.")
        p.runs[-1].text = p.runs[-1].text.replace("./.", ".")

    hits = only(broken(decision_docx, tmp_path, unclosed), "body.closing")
    assert "«Điều 2." in hits[0].place


def test_rule_under_the_motto_shorter_than_the_text(decision_docx, tmp_path):
    def short(doc):
        rule = doc.tables[0].rows[0].cells[1].paragraphs[2]
        rule.paragraph_format.left_indent = Twips(2000)
        rule.paragraph_format.right_indent = Twips(2000)

    hits = only(broken(decision_docx, tmp_path, short), "header.rules")
    assert "tiêu ngữ" in hits[0].message and "bằng độ dài dòng chữ" in hits[0].message


def test_recipients_line_without_its_dash(decision_docx, tmp_path):
    def dashless(doc):
        cell = doc.tables[1].rows[0].cells[0]
        p = next(p for p in cell.paragraphs if p.text.startswith("- Như Điều 2"))
        p.runs[0].text = p.runs[0].text.replace("- ", "", 1)

    hits = only(broken(decision_docx, tmp_path, dashless), "recipients")
    assert "«Như Điều 2;»" in hits[0].place


def test_signature_row_that_may_split(decision_docx, tmp_path):
    def splittable(doc):
        trpr = doc.tables[1].rows[0]._tr.trPr
        trpr.remove(trpr.find(qn("w:cantSplit")))

    hits = only(broken(decision_docx, tmp_path, splittable), "signature")
    assert hits[0].place == "bảng 2"


def test_a_leftover_tag_in_a_document(decision_docx, tmp_path):
    def leftover(doc):
        para_starting(doc, "Điều 1.").runs[-1].text += " {{ summary }}"

    hits = only(broken(decision_docx, tmp_path, leftover), "tags.leftover")
    assert "«Điều 1." in hits[0].place


def test_bold_set_by_the_style_counts_as_bold(tmp_path):
    """Formatting is resolved through the styles: a style that turns bold off is found."""
    def style_not_bold(doc):
        doc.styles["Issuer"].font.bold = False

    hits = only(broken(ROOT / "templates" / "decision.docx", tmp_path, style_not_bold), "element.emphasis")
    assert "Tên cơ quan ban hành cần in đậm" in hits[0].message


def test_a_theme_font_wins_over_the_named_font_as_in_word(decision_docx, tmp_path):
    """Word saves theme fonts as asciiTheme beside ascii; the theme's minor font is used (Cambria
    in the theme our template inherited from python-docx)."""
    def theme_font(doc):
        run = para_starting(doc, "QUYẾT ĐỊNH:").runs[0]
        rpr = run._r.get_or_add_rPr()
        rfonts = rpr.find(qn("w:rFonts"))
        if rfonts is None:  # our runs take their font from the styles; Word writes one here
            rfonts = OxmlElement("w:rFonts")
            rpr.insert(0, rfonts)
        rfonts.set(qn("w:asciiTheme"), "minorHAnsi")
        rfonts.set(qn("w:hAnsiTheme"), "minorHAnsi")

    hits = only(broken(decision_docx, tmp_path, theme_font), "font.family")
    assert "«QUYẾT ĐỊNH:»" in hits[0].place
    assert "Phông chữ Cambria;" in hits[0].message


def test_the_command_exits_1_and_names_file_rule_and_place(decision_docx, tmp_path):
    doc = Document(str(decision_docx))
    doc.sections[0].page_width, doc.sections[0].page_height = Twips(12240), Twips(15840)
    target = tmp_path / "letter.docx"
    doc.save(str(target))
    result = CliRunner().invoke(main, ["lint", str(target)])
    assert result.exit_code == 1
    assert f"{target}: [lỗi] page.size — section 1 (QUYẾT ĐỊNH): Khổ giấy" in result.output
    assert "Traceback" not in result.output


def test_a_file_that_is_not_a_docx_is_one_finding(tmp_path):
    target = tmp_path / "hong.docx"
    target.write_bytes(b"not a zip")
    result = CliRunner().invoke(main, ["lint", str(target)])
    assert result.exit_code == 1
    assert "file.open" in result.output and "Không mở được tệp Word" in result.output


def test_a_draft_with_blank_number_and_date_follows_the_rules(tmp_path):
    from generator.pipeline import build

    path = draft_workbook(tmp_path)
    result = build(path, tmp_path / "out")
    # the package is where the draft's blank number and date are (report forms are always blank)
    package = [p for p in result.written if p.suffix == ".docx" and p.parent == result.folder]
    assert package
    for document in package:
        findings = lint_file(document)
        assert findings == [], rendered(findings)


def test_no_room_to_sign_above_the_name(decision_docx, tmp_path):
    def cramped(doc):
        cell = doc.tables[1].rows[0].cells[1]
        for p in cell.paragraphs:
            if not p.text.strip():
                p._p.getparent().remove(p._p)

    hits = only(broken(decision_docx, tmp_path, cramped), "signature")
    assert hits[0].place == "bảng 2, dòng 1, ô 2 «Nguyễn Văn Trâm»"
    assert "ký và đóng dấu" in hits[0].message


def test_a_signing_prefix_without_its_dot(decision_docx, tmp_path):
    def dotless(doc):
        cell = doc.tables[1].rows[0].cells[1]
        p = next(p for p in cell.paragraphs if p.text.strip() == "CHỦ TỊCH")
        p.runs[0].text = "KT CHỦ TỊCH"

    hits = only(broken(decision_docx, tmp_path, dotless), "signature")
    assert "«KT» thiếu dấu chấm" in hits[0].message and "«KT.»" in hits[0].message


def test_lint_without_a_build_to_check_says_so(tmp_path):
    result = CliRunner().invoke(main, ["lint", "--out", str(tmp_path / "out")])
    assert "decision.docx" in result.output
    assert f"Chưa có văn bản nào đã tạo trong {tmp_path / 'out'}: chỉ kiểm tra các mẫu" in result.output
