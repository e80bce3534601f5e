"""Data is only ever data: cell text reaches the document literally, or is refused at its cell."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from lxml import etree

from generator.documents.jobs import plan_documents
from generator.errors import VanbanError
from generator.pipeline import DEFAULT_TEMPLATES, build
from generator.render.renderer import TemplateRenderer
from generator.workbook.reader import Reader, read_plan
from tests.conftest import WORKBOOK, to_pdf
from tests.docx_text import document_lines

JINJA = "Chạy {{ 7*7 }} và {% for x in y %}lặp{% endfor %} cùng {{ ''.__class__.__mro__ }}"
DOCXTPL = "Dấu {_{ a }_} và {_% b %_} giữ nguyên"
XML = "A & B < C > D \"kép\" 'đơn' </w:t></w:r><w:r><w:t>chèn &amp; ]]> <![CDATA[x]]>"
EMOJI = "Ký 📄✅👍🏽 xong 𝔘𝔫𝔦𝔠𝔬𝔡𝔢"
RTL = "Tiếng Ả Rập: مرحبا بالعالم; tiếng Do Thái: שלום עולם"
LONG = ("Nhiệm vụ rất dài của Sở Nội vụ tỉnh; " * 1000)[:32_767]


def field_row(ws, label: str) -> int:
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == label)


def edited(tmp_path: Path, edits: dict[tuple[str, str], object], name: str = "sua.xlsx") -> Path:
    """A copy of the 2018 workbook with cells replaced; the sheet "Thông tin chung" takes labels."""
    wb = openpyxl.load_workbook(WORKBOOK)
    for (sheet, where), value in edits.items():
        ws = wb[sheet]
        if sheet == "Thông tin chung":
            where = f"B{field_row(ws, where)}"
        ws[where] = value
    path = tmp_path / name
    wb.save(path)
    return path


def assert_sound_docx(path: Path) -> list[str]:
    """Every XML part parses strictly (no recovery), python-docx opens it; its lines are returned."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            if name.endswith((".xml", ".rels")):
                etree.fromstring(package.read(name), parser)  # raises on anything invalid
    Document(str(path))
    return document_lines(path)


# Every payload in every sheet kind: the general sheet, a one-column table, the outline, the tasks.
ALL = f"{JINJA} | {XML} | {DOCXTPL} | {EMOJI} | {RTL}"
PAYLOADS = {
    ("Thông tin chung", "Trích yếu"): ALL,
    ("Thông tin chung", "Họ tên người ký"): f"{EMOJI} {RTL}",
    ("Căn cứ", "A2"): ALL,
    ("Nội dung kế hoạch", "C2"): ALL,
    ("Nội dung kế hoạch", "C3"): LONG,
    ("Nhiệm vụ", "B2"): LONG,
    ("Nhiệm vụ", "F3"): ALL,
}


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    result = build(edited(tmp, PAYLOADS), tmp / "out")
    return result, assert_sound_docx(result.written[0])


def test_jinja_in_cells_is_printed_not_run(hostile_build):
    _, lines = hostile_build
    text = "\n".join(lines)
    assert "49" not in text.replace("3406", "")  # {{ 7*7 }} was never evaluated
    assert "class 'object'" not in text  # nor was the attribute chain


def test_every_payload_is_printed_as_typed_in_every_sheet_kind(hostile_build):
    _, lines = hostile_build
    # the trích yếu, the căn cứ (the template adds its ";"), the outline paragraph, the task note
    assert ALL in lines
    assert f"{ALL};" in lines
    assert sum(ALL in line for line in lines) >= 4
    assert f"{EMOJI} {RTL}" in lines  # the signer's name, as typed


def test_xml_specials_are_escaped_not_markup(hostile_build):
    result, _ = hostile_build
    with zipfile.ZipFile(result.written[0]) as package:
        body = package.read("word/document.xml").decode("utf-8")
    assert "&lt;/w:t&gt;&lt;/w:r&gt;&lt;w:r&gt;&lt;w:t&gt;chèn &amp;amp;" in body


def test_docxtpl_brace_markers_in_data_stay_as_typed(hostile_build):
    _, lines = hostile_build
    assert not any("{{ a }}" in line for line in lines)


def test_a_cell_of_32767_characters_is_printed_whole(hostile_build):
    _, lines = hostile_build
    assert lines.count(LONG) == 2


def test_the_hostile_document_converts_in_libreoffice(hostile_build, tmp_path):
    result, _ = hostile_build
    pdf = to_pdf(result.written[0], tmp_path)
    assert pdf.stat().st_size > 10_000


def test_a_longer_cell_than_excel_allows_is_refused_at_its_cell():
    # openpyxl cuts longer texts when it reads a file (filecheck refuses those files first, see
    # test_hostile_files); a value that reaches the reader anyway is refused at its cell
    wb = openpyxl.load_workbook(WORKBOOK)
    wb["Nhiệm vụ"]["B4"]._value = "x" * 32_768
    reader = Reader(wb)
    assert reader.read() is None
    [problem] = [p for p in reader.problems if p.code == "too-long"]
    assert str(problem.loc) == "Nhiệm vụ!B4"
    assert "32.768 ký tự" in problem.message and "32.767" in problem.message


def test_control_characters_are_removed_with_a_warning_at_the_cell(tmp_path):
    # Excel writes control characters as _xHHHH_ escapes; \a and \f would become paragraph and
    # page breaks in docxtpl, U+202E would reverse what the reader sees
    path = edited(tmp_path, {
        ("Nhiệm vụ", "B2"): "Trước_x0007_giữa_x000C_sau\u0085hết",
        ("Căn cứ", "A3"): "Căn cứ \u202edảo ngược\u202c và _x0000_rỗng",
        ("Thông tin chung", "Họ tên người ký"): "Nguyễn_x001B_ Văn Trâm",
        ("Nội dung kế hoạch", "C2"): "Nhằm_x0008_ tiếp tục\u2066",
    })
    out = tmp_path / "out"
    result = build(path, out)
    warned = {str(p.loc): p for p in result.warnings if p.code == "control-chars"}
    assert set(warned) >= {"Nhiệm vụ!B2", "Căn cứ!A3", "Nội dung kế hoạch!C2"}
    assert "U+0007, U+000C, U+0085" in warned["Nhiệm vụ!B2"].message
    signer = [k for k in warned if k.startswith("Thông tin chung!B")]
    assert len(signer) == 1 and "U+001B" in warned[signer[0]].message
    lines = assert_sound_docx(result.written[0])
    assert "Trướcgiữasauhết" in lines
    assert any(line.startswith("Căn cứ dảo ngược và rỗng") for line in lines)
    assert "Nguyễn Văn Trâm" in lines
    assert "Nhằm tiếp tục" in lines
    with zipfile.ZipFile(result.written[0]) as package:
        body = package.read("word/document.xml").decode("utf-8")
    assert 'w:type="page"' not in body.split("Trước")[1].split("hết")[0]


def test_excel_escapes_are_decoded_and_an_escaped_underscore_stays(tmp_path):
    path = edited(tmp_path, {
        ("Nhiệm vụ", "B2"): "Dòng một_x000D_\nDòng hai",
        ("Nhiệm vụ", "F2"): "Mã _x005F_x0041_ giữ nguyên",
    })
    plan, problems = read_plan(path)
    assert plan is not None and not [p for p in problems if p.code == "control-chars"]
    assert plan.tasks[0].text == "Dòng một\nDòng hai"
    assert plan.tasks[0].note == "Mã _x0041_ giữ nguyên"


def test_a_tab_in_a_cell_is_a_space(tmp_path):
    path = edited(tmp_path, {("Nhiệm vụ", "B2"): "Cột\tmột"})
    plan, _ = read_plan(path)
    assert plan.tasks[0].text == "Cột một"


# -- templates -------------------------------------------------------------------------------


def template_copy(tmp_path: Path, extra: str) -> Path:
    """The decision template with one more paragraph at the end, as a clerk would type it."""
    folder = tmp_path / "templates"
    shutil.copytree(DEFAULT_TEMPLATES, folder)
    doc = Document(str(folder / "decision.docx"))
    doc.add_paragraph(extra)
    doc.save(str(folder / "decision.docx"))
    return folder


def test_a_missing_variable_names_the_template_and_the_tag(tmp_path):
    templates = template_copy(tmp_path, "Người duyệt: {{ signer.nickname }}")
    out = tmp_path / "out"
    with pytest.raises(VanbanError) as caught:
        build(WORKBOOK, out, templates)
    message = caught.value.format_message()
    assert "decision.docx" in message
    assert "“nickname”" in message and "{{ signer.nickname }}" in message
    assert not out.exists()


def test_an_unknown_top_level_variable_is_an_error_too(tmp_path):
    templates = template_copy(tmp_path, "{{ ten_khong_co }}")
    with pytest.raises(VanbanError, match=r"“ten_khong_co” ở thẻ \{\{ ten_khong_co \}\}"):
        build(WORKBOOK, tmp_path / "out", templates)


def test_an_unsafe_template_tag_is_blocked_by_the_sandbox(tmp_path):
    templates = template_copy(tmp_path, "{{ signer.__class__.__init__.__globals__ }}")
    with pytest.raises(VanbanError, match="không an toàn"):
        build(WORKBOOK, tmp_path / "out", templates)


def test_a_template_that_renders_broken_xml_is_refused_not_recovered(tmp_path):
    # a raw-XML filter the clerk could not have meant: its output is not well-formed
    templates = template_copy(tmp_path, "{{ summary | safe }}")
    path = edited(tmp_path, {("Thông tin chung", "Trích yếu"): "Ban hành <w:t>hỏng"})
    with pytest.raises(VanbanError, match="XML không hợp lệ"):
        build(path, tmp_path / "out", templates)
    assert not (tmp_path / "out").exists()


def test_control_characters_never_reach_a_template(tmp_path):
    # the reader removes them from cells; one that still reaches a template stops the build,
    # named, instead of becoming a page break in the document
    plan, problems = read_plan(WORKBOOK)
    job = next(j for j in plan_documents(plan) if j.template == "decision.docx")
    renderer = TemplateRenderer(DEFAULT_TEMPLATES / "decision.docx")
    with pytest.raises(VanbanError, match=r"mẫu decision\.docx có ký tự điều khiển \(U\+0007\): «a\x07b»"):
        renderer.render(dict(job.context, summary="a\x07b"))
    articles = [dict(a, text="Điều\x0cnày") for a in job.context["articles"]]  # deep in a list
    with pytest.raises(VanbanError, match=r"mẫu decision\.docx có ký tự điều khiển \(U\+000C\)"):
        renderer.render(dict(job.context, articles=articles))


def test_hostile_values_make_no_problem_in_the_reader_beyond_their_cells(tmp_path):
    path = edited(tmp_path, PAYLOADS)
    plan, problems = read_plan(path)
    assert plan is not None
    assert [p.render() for p in problems] == []


def test_the_document_title_property_is_the_trich_yeu_as_typed(hostile_build):
    """The title a PDF viewer shows comes from the trích yếu: as typed (not escaped twice), cut
    to the 255 characters a document property holds."""
    result, _ = hostile_build
    title = Document(str(result.written[0])).core_properties.title
    expected = "Quyết định " + ALL[:1].lower() + ALL[1:]
    assert len(title) == 255 and title == expected[:254] + "…"
    assert "A & B < C > D" in title  # not &amp; &lt;: escaped once, when written
