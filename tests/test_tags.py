"""Template tags as a clerk's Word leaves them: found before rendering, at their paragraph."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml.ns import qn

from generator.cli import main
from generator.errors import ProblemsFound
from generator.pipeline import build, lint_paths, template_variables
from tests.conftest import ROOT, WORKBOOK

TEMPLATE = ROOT / "templates" / "decision.docx"


def lint_file(path: Path, variables: dict[str, set[str]] | None = None) -> list:
    """What `vanban lint` says of one file: layout rules, and tags on a template."""
    return lint_paths([path], variables)


def broken_template(tmp_path: Path, change: Callable) -> Path:
    """templates/decision.docx changed with python-docx, beside copies of the other templates."""
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATE.parent, folder)
    doc = Document(str(TEMPLATE))
    change(doc)
    doc.save(str(folder / "decision.docx"))
    return folder


def paragraph(doc, text: str):
    return next(p for p in doc.paragraphs if p.text == text)


def retype(p, *pieces: tuple[str, bool | None]) -> None:
    """Replace a paragraph's runs by pieces of text, some bold, as Word stores a retyped tag."""
    first = p.runs[0]
    for run in p.runs[1:]:
        run._r.getparent().remove(run._r)
    first.text = pieces[0][0]
    first.bold = pieces[0][1]
    for text, bold in pieces[1:]:
        run = p.add_run(text)
        run.font.name = "Times New Roman"
        run.bold = bold


def test_a_tag_split_over_three_runs_with_a_bold_letter_is_repaired_with_a_warning(tmp_path):
    def split(doc):
        retype(paragraph(doc, "{{ summary }}"), ("{{ sum", None), ("m", True), ("ary }}", None))

    templates = broken_template(tmp_path, split)
    result = build(WORKBOOK, tmp_path / "out", templates)
    warnings = [w for w in result.warnings if w.code == "tag.split"]
    assert len(warnings) == 1
    rendered = warnings[0].render()
    assert "mẫu decision.docx, đoạn 2 «{{ summary }}»" in rendered
    assert "tách thành 3 đoạn" in rendered and "đã ghép lại" in rendered
    doc = Document(str(result.written[0]))
    summary = paragraph(doc, "Ban hành Kế hoạch cải cách hành chính Nhà nước năm 2018 trên địa "
                             "bàn tỉnh Bình Phước")
    assert [r.bold for r in summary.runs if r.text] == [None]  # no stray bold letter

    findings = lint_file(templates / "decision.docx")
    split_findings = [f for f in findings if f.rule == "tag.split"]
    assert len(split_findings) == 1 and split_findings[0].severity == "cảnh báo"
    assert split_findings[0].place == "đoạn 2 «{{ summary }}»"


def test_a_smart_quoted_filter_argument_stops_the_build_and_names_the_paragraph(tmp_path):
    def smart(doc):
        retype(paragraph(doc, "{{ authority|upper }}"),
               ("{{ authority|replace(“UBND”, “ỦY BAN NHÂN DÂN”)|upper }}", None))

    templates = broken_template(tmp_path, smart)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(WORKBOOK), "--out", str(out),
                                       "--templates", str(templates)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "Mẫu decision.docx có 1 lỗi thẻ, chưa tạo văn bản nào." in result.output
    assert "đoạn 4 «{{ authority|replace(“UBND”, “ỦY BAN NHÂN DÂN”)|upper }}»" in result.output
    assert "dấu nháy cong" in result.output
    assert not out.exists() or not any(out.rglob("*.docx"))


def test_a_missing_endfor_is_reported_at_its_for(tmp_path):
    def no_endfor(doc):
        body = doc.element.body
        paras = [p for p in body.iter(qn("w:p"))]
        texts = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in paras]
        start = texts.index("{%p for b in bases %}")
        end = texts.index("{%p endfor %}", start)
        paras[end].getparent().remove(paras[end])

    templates = broken_template(tmp_path, no_endfor)
    with pytest.raises(ProblemsFound) as caught:
        build(WORKBOOK, tmp_path / "out", templates)
    message = caught.value.format_message()
    assert "Thiếu «{% endfor %}» cho «{%p for b in bases %}»" in message
    assert "decision.docx, đoạn 5 «{%p for b in bases %}»" in message


def test_a_misspelt_variable_is_named_with_the_right_spelling(tmp_path):
    def misspelt(doc):
        retype(paragraph(doc, "{{ summary }}"), ("{{ sumary }}", None))

    templates = broken_template(tmp_path, misspelt)
    with pytest.raises(ProblemsFound) as caught:
        build(WORKBOOK, tmp_path / "out", templates)
    message = caught.value.format_message()
    assert ("đoạn 2 «{{ sumary }}»: Biến “sumary” ở thẻ {{ sumary }} không có trong dữ liệu của "
            "mẫu này") in message
    assert "Có phải “summary”?" in message

    findings = lint_file(templates / "decision.docx", variables=template_variables(WORKBOOK))
    unknown = [f for f in findings if f.rule == "tag.unknown"]
    assert len(unknown) == 1 and unknown[0].place == "đoạn 2 «{{ sumary }}»"


def test_a_paragraph_tag_with_a_space_after_the_percent_sign(tmp_path):
    def spaced(doc):
        retype(paragraph(doc, "{%p if loop.last %}"), ("{% p if loop.last %}", None))

    templates = broken_template(tmp_path, spaced)
    findings = lint_file(templates / "decision.docx")
    mangled = [f for f in findings if f.rule == "tag.mangled"]
    assert mangled and "«{% p» phải viết liền thành «{%p»" in mangled[0].message


def test_braces_split_by_a_space_and_an_unclosed_tag(tmp_path):
    def typo(doc):
        retype(paragraph(doc, "{{ summary }}"), ("{ { summary }}", None))
        retype(paragraph(doc, "{{ plan_title }}"), ("{{ plan_title }", None))

    templates = broken_template(tmp_path, typo)
    findings = lint_file(templates / "decision.docx")
    messages = [(f.rule, f.place, f.message) for f in findings]
    assert any(rule == "tag.mangled" and "«{ {»" in message for rule, _, message in messages)
    assert any(rule == "tag.unclosed" and "«{{ plan_title }»" in place
               for rule, place, _ in messages)
