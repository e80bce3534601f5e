"""The prepared-once engine writes what plain docxtpl writes, in reproducible bytes."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from datetime import datetime
from pathlib import Path

import docx
import pytest
from docx.shared import Pt
from docxtpl import DocxTemplate
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from markupsafe import Markup

from generator.documents.jobs import plan_documents
from generator.errors import VanbanError
from generator.pipeline import DEFAULT_TEMPLATES, _stamp
from generator.render.engine import Member, PreparedTemplate, RenderedXmlError, proven_well_formed, write_zip
from generator.render.renderer import TemplateRenderer, make_environment, normalize_zip, render_batch
from generator.text import vn
from generator.workbook.reader import read_plan
from tests.conftest import WORKBOOK, draft_workbook
from tests.docx_text import document_lines

RENDERED = re.compile(r"word/(document|header\d*|footer\d*|footnotes)\.xml")
WHEN = datetime(2017, 12, 28)
# data a clerk may well type, and that must come out as typed
ODD = 'Sở Tư pháp & Sở Nội vụ <phối hợp> "A" \'B\'\nxuống dòng\tTab'


def plan_jobs(workbook: Path):
    plan, problems = read_plan(workbook)
    assert plan is not None, problems
    return plan, plan_documents(plan)


def odd(value):
    """Every text of a context with XML specials, a line break and a tab in it."""
    if isinstance(value, str):
        return value + " " + ODD if value else value
    if isinstance(value, dict):
        return {k: odd(v) for k, v in value.items()}
    if isinstance(value, list):
        return [odd(v) for v in value]
    return value


def emptied(value):
    """Every list of a context empty: no bases, no recipients, no tasks."""
    if isinstance(value, dict):
        return {k: emptied(v) for k, v in value.items()}
    if isinstance(value, list):
        return []
    return value


def xml_parts(package: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(package)) as z:
        return {n: z.read(n) for n in z.namelist() if RENDERED.fullmatch(n)}


def c14n(xml: bytes) -> bytes:
    return etree.tostring(etree.fromstring(xml), method="c14n")


def plain_docxtpl(template: Path, context) -> bytes:
    doc = DocxTemplate(str(template))
    doc.render(dict(context), make_environment(), autoescape=True)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def assert_same_as_docxtpl(template: Path, context) -> None:
    ours = xml_parts(PreparedTemplate(template, make_environment()).render(context, WHEN))
    theirs = xml_parts(plain_docxtpl(template, context))
    assert sorted(ours) == sorted(theirs)
    for name in theirs:
        assert c14n(ours[name]) == c14n(theirs[name]), f"{template.name}: {name} differs"


def sample_jobs(jobs):
    """The first three documents of each template (report forms come by the hundred)."""
    seen: dict[str, int] = {}
    for job in jobs:
        seen[job.template] = seen.get(job.template, 0) + 1
        if seen[job.template] <= 3:
            yield job


@pytest.fixture(scope="module")
def jobs_2018():
    return plan_jobs(WORKBOOK)[1]


def test_every_shipped_template_is_covered(jobs_2018):
    from generator.collect.summary import REMINDER_TEMPLATE, SUMMARY_TEMPLATE

    shipped = {p.name for p in DEFAULT_TEMPLATES.glob("*.docx")}
    # the consolidation's templates are covered by tests/test_collect.py and test_engine_pictures.py
    assert shipped - {SUMMARY_TEMPLATE, REMINDER_TEMPLATE} == {job.template for job in jobs_2018}


@pytest.mark.parametrize("variant", ["2018", "odd text", "empty lists"])
def test_parts_equal_plain_docxtpl_after_canonicalisation(jobs_2018, variant):
    change = {"2018": lambda c: c, "odd text": odd, "empty lists": emptied}[variant]
    for job in sample_jobs(jobs_2018):
        context = change(dict(job.context))
        assert_same_as_docxtpl(DEFAULT_TEMPLATES / job.template, context)


def test_draft_parts_equal_plain_docxtpl(tmp_path):
    plan, jobs = plan_jobs(draft_workbook(tmp_path))
    assert plan.general.is_draft
    for job in sample_jobs(jobs):
        assert_same_as_docxtpl(DEFAULT_TEMPLATES / job.template, job.context)


def test_odd_text_comes_out_as_typed(tmp_path, jobs_2018):
    job = jobs_2018[0]
    out = tmp_path / "odd.docx"
    out.write_bytes(TemplateRenderer(DEFAULT_TEMPLATES / job.template).render(odd(dict(job.context))))
    text = "\n".join(document_lines(out))
    # the line break typed in the cell is a line break, the tab a tab, the specials literal
    assert 'Sở Tư pháp & Sở Nội vụ <phối hợp> "A" \'B\'\nxuống dòng\tTab' in text


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def feature_template(tmp_path_factory) -> Path:
    """A template using what ours do not yet: tags in header and footer, a column loop, pictures."""
    folder = tmp_path_factory.mktemp("tpl")
    (folder / "dot.png").write_bytes(tiny_png())
    d = docx.Document()
    section = d.sections[0]
    section.header.paragraphs[0].text = "{{ title }} – {{ place }}"
    section.footer.paragraphs[0].text = "Trang cuối: {{ title }}"
    d.add_paragraph("Kính gửi: {{ title }}").runs[0].font.size = Pt(14)
    d.add_paragraph("{%p for item in items %}")
    d.add_paragraph("{{ item }}")
    d.add_paragraph("{%p endfor %}")
    table = d.add_table(rows=2, cols=3)
    table.rows[0].cells[0].text = "{%tc for c in columns %}"
    table.rows[0].cells[1].text = "{{ c }}"
    table.rows[0].cells[2].text = "{%tc endfor %}"
    table.rows[1].cells[0].text = "hàng hai"
    d.add_picture(str(folder / "dot.png"))
    d.add_picture(str(folder / "dot.png"))
    path = folder / "feature.docx"
    d.save(str(path))
    return path


@pytest.mark.parametrize("columns", [["A"], ["A", "B", "C", "D", "E"], []])
def test_headers_footers_column_loops_and_pictures_equal_plain_docxtpl(feature_template, columns):
    context = {"title": ODD, "place": "Hà Nội", "items": ["một", "hai & ba"], "columns": columns}
    assert_same_as_docxtpl(feature_template, context)
    package = PreparedTemplate(feature_template, make_environment()).render(context, WHEN)
    document = xml_parts(package)["word/document.xml"]
    # five cells in a three-column table: the grid grows as docxtpl's fix_tables makes it
    assert document.count(b"<w:gridCol ") == max(len(columns), 3)
    assert re.findall(rb'<wp:docPr id="(\d+)"', document) == [b"1001", b"1002"]


def test_zip_bytes_are_those_zipfile_writes_with_fixed_order_and_dates(jobs_2018):
    job = jobs_2018[0]
    data = TemplateRenderer(DEFAULT_TEMPLATES / job.template).render(job.context, WHEN)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        members = [Member.of(name, z.read(name)) for name in reversed(z.namelist())]
    assert write_zip(members, WHEN) == normalize_zip(data, WHEN)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        names = z.namelist()
        assert names[0] == "[Content_Types].xml" and names[1:] == sorted(names[1:])
        assert {info.date_time for info in z.infolist()} == {(2017, 12, 28, 0, 0, 0)}


def test_untouched_parts_are_the_templates_own_bytes(jobs_2018):
    job = jobs_2018[0]
    template = DEFAULT_TEMPLATES / job.template
    data = TemplateRenderer(template).render(job.context, WHEN)
    with zipfile.ZipFile(template) as t, zipfile.ZipFile(io.BytesIO(data)) as z:
        assert sorted(t.namelist()) == sorted(z.namelist())
        for name in ("word/styles.xml", "word/numbering.xml", "word/theme/theme1.xml"):
            assert z.read(name) == t.read(name)


def test_document_properties_are_dated_from_the_plan_not_the_clock(jobs_2018):
    job = jobs_2018[0]
    data = TemplateRenderer(DEFAULT_TEMPLATES / job.template).render(job.context, WHEN)
    props = docx.Document(io.BytesIO(data)).core_properties
    assert props.created.replace(tzinfo=None) == props.modified.replace(tzinfo=None) == WHEN
    assert props.last_modified_by == "vanban"


def test_the_same_bytes_whatever_the_number_of_workers(jobs_2018, tmp_path):
    plan, jobs = plan_jobs(WORKBOOK)
    # 260 documents: 9 chunks of 32 shared by the two workers, the odd contexts among them
    items = [(job.template, job.context) for job in jobs]
    items += [(job.template, odd(dict(job.context))) for job in jobs]
    stamp = _stamp(plan)
    one = list(render_batch(items, DEFAULT_TEMPLATES, stamp, workers=1))
    two = list(render_batch(items, DEFAULT_TEMPLATES, stamp, workers=2))
    assert len(one) == len(items)
    assert one == two
    assert one[0] != one[-1]  # the odd contexts really made other documents


def test_a_missing_value_names_the_template_before_any_worker_starts(jobs_2018):
    job = jobs_2018[0]
    broken = {k: v for k, v in job.context.items() if k != "summary"}
    items = [(job.template, job.context)] * 3 + [(job.template, broken)]
    with pytest.raises(VanbanError, match=rf"(?s)Mẫu {job.template} .*“summary” ở thẻ {{{{ summary }}}}"):
        list(render_batch(items, DEFAULT_TEMPLATES, WHEN, workers=2))


def test_a_missing_nested_value_names_the_template_even_from_a_worker(jobs_2018):
    job = jobs_2018[0]
    signer = {k: v for k, v in job.context["signer"].items() if k != "name"}
    items = [(job.template, job.context)] * 3 + [(job.template, dict(job.context, signer=signer))]
    with pytest.raises(VanbanError, match=rf"Mẫu {job.template} dùng “name”"):
        list(render_batch(items, DEFAULT_TEMPLATES, WHEN, workers=2))


@pytest.fixture(scope="module")
def tables_template(tmp_path_factory) -> Path:
    """Tables whose shape a rendering may or may not change: merged header, loop-only, conditions."""
    d = docx.Document()
    merged = d.add_table(rows=4, cols=3)
    merged.rows[0].cells[0].merge(merged.rows[0].cells[1]).text = "Nhiệm vụ"
    merged.rows[0].cells[2].text = "Ghi chú"
    merged.rows[1].cells[0].text = "{%tr for item in items %}"
    merged.rows[2].cells[0].text = "{{ item }}"
    merged.rows[2].cells[1].text = "{% if item %}có{% else %}không{% endif %}"
    merged.rows[3].cells[0].text = "{%tr endfor %}"
    d.add_paragraph("giữa hai bảng")
    loop_only = d.add_table(rows=3, cols=2)
    loop_only.rows[0].cells[0].text = "{%tr for item in items %}"
    loop_only.rows[1].cells[0].text = "{{ item }}"
    loop_only.rows[2].cells[0].text = "{%tr endfor %}"
    d.add_paragraph("và")
    conditional = d.add_table(rows=4, cols=2)
    conditional.rows[0].cells[0].text = "Tiêu đề"
    conditional.rows[1].cells[0].text = "{%tr if items %}"
    conditional.rows[2].cells[0].text = "{{ items|length }} nhiệm vụ"
    conditional.rows[3].cells[0].text = "{%tr endif %}"
    path = tmp_path_factory.mktemp("tables") / "tables.docx"
    d.save(str(path))
    return path


@pytest.mark.parametrize("items", [[], ["một"], ["một", "hai & ba", "bốn\nnăm"]])
def test_tables_with_loops_and_merged_cells_equal_plain_docxtpl(tables_template, items):
    assert_same_as_docxtpl(tables_template, {"items": items})


def test_the_engine_never_lets_out_a_part_that_is_not_xml(jobs_2018):
    # data is escaped, so only a value already marked as markup could break the XML: the engine
    # checks what it lets out on its own, whatever reaches it
    job = jobs_2018[0]
    context = dict(job.context, summary=Markup("Ban hành <w:t>kế hoạch"))
    with pytest.raises(RenderedXmlError, match=r"word/document\.xml"):
        PreparedTemplate(DEFAULT_TEMPLATES / job.template, make_environment()).render(context, WHEN)


def test_a_template_with_a_broken_part_is_refused_when_prepared(tmp_path):
    broken = tmp_path / "decision.docx"
    with zipfile.ZipFile(DEFAULT_TEMPLATES / "decision.docx") as src, \
            zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info, b"<ds:datastore><hong>" if info.filename == "customXml/item1.xml" else data)
    with pytest.raises(VanbanError, match=r"Mẫu decision\.docx .*hỏng.*customXml/item1\.xml"):
        TemplateRenderer(broken)


BODY = '<w:body xmlns:w="urn:w">{}</w:body>'


@pytest.mark.parametrize(("source", "proven"), [
    ("<w:p><w:r><w:t>{{ x }}</w:t></w:r></w:p>", True),
    ('<w:p w:val="{{ x }}"/>', True),  # an escaped value is sound in an attribute value
    ("{% for t in items %}<w:p><w:t>{{ t.name }}</w:t></w:p>{% else %}<w:p/>{% endfor %}", True),
    ("<w:p>{% if a %}<w:r/>{% elif b %}x{% else %}{% endif %}</w:p>{% set y = 1 %}", True),
    ('<w:p>{{ "<w:r/>"|safe }}</w:p>', True),  # a constant: its text is what is checked
    ('<w:p>{{ "<w:r>"|safe }}</w:p>', False),
    ("<w:{{ x }}/>", False),  # a value in a tag name
    ("<w:p {{ x }}/>", False),  # a value among attributes
    ('<w:p w:val="{% if a %}1{% endif %}"/>', False),  # a block inside a tag
    ("<w:p>{% if a %}<w:r>{% endif %}</w:p>", False),  # a branch that opens what it does not close
    ("{% for t in items %}</w:p><w:p>{% endfor %}", False),
    ("<w:p><!-- {{ x }} --></w:p>", False),  # data could put "--" in a comment
    ("{% macro m() %}<w:p/>{% endmacro %}{{ m() }}", False),
    ("{% filter upper %}<w:p/>{% endfilter %}", False),
    ("{% autoescape false %}<w:p>{{ x }}</w:p>{% endautoescape %}", False),
    ("<w:p>{% set v %}<w:r>{% endset %}{{ v }}</w:p>", False),
])
def test_the_proof_that_no_data_can_break_a_body(source, proven):
    assert proven_well_formed(make_environment(), BODY.format(source)) is proven


def test_the_shipped_templates_are_proven_so_no_form_is_parsed_again():
    for name in ("decision.docx", "report.docx"):
        assert TemplateRenderer(DEFAULT_TEMPLATES / name).prepared.proven, name


@pytest.fixture(scope="module")
def safe_filter_template(tmp_path_factory) -> Path:
    d = docx.Document()
    d.add_paragraph("Trích yếu: {{ summary|safe }}")
    path = tmp_path_factory.mktemp("tpl") / "safe.docx"
    d.save(str(path))
    return path


def test_a_value_printed_unescaped_is_checked_in_a_proven_template(safe_filter_template):
    prepared = PreparedTemplate(safe_filter_template, make_environment())
    assert prepared.proven  # the template's own text is sound; "|safe" is caught at run time
    document = xml_parts(prepared.render({"summary": "Ban hành"}, WHEN))["word/document.xml"]
    assert "Ban hành".encode() in document
    with pytest.raises(RenderedXmlError, match=r"word/document\.xml"):
        prepared.render({"summary": "Ban hành <w:t>kế hoạch"}, WHEN)


@pytest.fixture(scope="module")
def plain_prepared(tmp_path_factory) -> PreparedTemplate:
    d = docx.Document()
    d.add_paragraph("Kính gửi: {{ value }}")
    d.add_table(rows=1, cols=1).rows[0].cells[0].text = "{% for v in values %}{{ v }};{% endfor %}"
    path = tmp_path_factory.mktemp("tpl") / "plain.docx"
    d.save(str(path))
    prepared = PreparedTemplate(path, make_environment())
    assert prepared.proven
    return prepared


@given(st.text().filter(lambda t: not vn.control_characters(t)), st.lists(st.text(max_size=5), max_size=3))
@settings(max_examples=200, deadline=None)
def test_whatever_the_text_a_proven_template_gives_sound_xml_that_says_it(plain_prepared, text, values):
    values = [v for v in values if not vn.control_characters(v)]
    document = xml_parts(plain_prepared.render({"value": text, "values": values}, WHEN))["word/document.xml"]
    words = "".join(etree.fromstring(document).itertext())  # strict parse: sound XML
    if not any(c in text + "".join(values) for c in "\t\n\r"):  # those become tabs and breaks
        assert f"Kính gửi: {text}" in words
        assert "".join(f"{v};" for v in values) in words


def test_a_stream_renders_as_a_list_does_taking_contexts_only_as_they_are_needed(jobs_2018):
    plan, jobs = plan_jobs(WORKBOOK)
    stamp = _stamp(plan)
    reports = [(job.template, job.context) for job in jobs if job.template == "report.docx"]
    decision = [(job.template, job.context) for job in jobs if job.template == "decision.docx"]
    items = reports * 4 + decision  # the decision's template first met after the pool started
    expected = list(render_batch(items, DEFAULT_TEMPLATES, stamp, workers=1))
    for workers in (1, 2):
        taken: list = []

        def stream(taken=taken):
            for item in items:
                taken.append(item)
                yield item

        rendered = render_batch(stream(), DEFAULT_TEMPLATES, stamp, workers=workers)
        first = next(rendered)
        assert len(taken) < len(items) / 2  # only what is in flight, not the whole set
        assert [first, *rendered] == expected
        assert len(taken) == len(items)


def test_a_stream_with_a_missing_value_names_the_template(jobs_2018):
    job = next(j for j in jobs_2018 if j.template == "report.docx")
    broken = {k: v for k, v in job.context.items() if k != "period_name"}
    stream = iter([(job.template, job.context)] * 100 + [(job.template, broken)])
    with pytest.raises(VanbanError, match=r"(?s)Mẫu report\.docx .*“period_name” ở thẻ {{ period_name }}"):
        list(render_batch(stream, DEFAULT_TEMPLATES, WHEN, workers=2))


# -- custom templates: what a clerk's own Word file may hold -------------------------------------


def _hyperlink(paragraph, url: str, text: str) -> None:
    """A real hyperlink, as Word writes one: a w:hyperlink with an external relationship."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rid = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = text
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def custom_templates(folder: Path) -> dict[str, Path]:
    """Templates made as a clerk might: none has the header and footer ours have."""
    made = {}
    plain = docx.Document()
    plain.add_paragraph("Kính gửi {{ name }}.")
    made["khong-dau-trang"] = plain
    picture = docx.Document()
    picture.add_paragraph("Ảnh của {{ name }}:")
    picture.add_picture(io.BytesIO(tiny_png()))
    made["anh"] = picture
    link = docx.Document()
    _hyperlink(link.add_paragraph("Xem "), "https://example.org/ke-hoach", "kế hoạch của {{ name }}")
    made["lien-ket"] = link
    tables = docx.Document()
    grid = tables.add_table(rows=3, cols=3)
    grid.style = "Table Grid"
    grid.cell(0, 0).merge(grid.cell(0, 2)).text = "Bảng gộp ô của {{ name }}"
    grid.cell(1, 0).merge(grid.cell(2, 0)).text = "gộp dọc"
    grid.cell(1, 1).add_table(rows=1, cols=2).cell(0, 1).text = "lồng {{ name }}"
    loop = tables.add_table(rows=3, cols=1)
    loop.cell(0, 0).text = "{%tr for item in items %}"
    loop.cell(1, 0).text = "dòng {{ item }}"
    loop.cell(2, 0).text = "{%tr endfor %}"
    header = tables.sections[0].header
    header.is_linked_to_previous = False
    header.add_table(rows=1, cols=1, width=docx.shared.Mm(100)).cell(0, 0).text = "đầu {{ name }}"
    made["bang"] = tables
    paths = {}
    for name, document in made.items():
        paths[name] = folder / f"{name}.docx"
        document.save(str(paths[name]))
    return paths


def test_custom_templates_render_packages_word_and_libreoffice_open(tmp_path):
    from generator.render.renderer import validate_package
    from tests.conftest import need_tool, office_env

    soffice = need_tool("soffice")
    context = {"name": "Sở Nội vụ", "items": ["một", "hai"]}
    rendered = []
    for name, path in custom_templates(tmp_path).items():
        data = TemplateRenderer(path).render(context)
        validate_package(data, path.name)  # every relationship id declared, every target there
        target = tmp_path / f"ra-{name}.docx"
        target.write_bytes(data)
        rendered.append(target)
    with zipfile.ZipFile(tmp_path / "ra-khong-dau-trang.docx") as package:
        assert not [n for n in package.namelist() if "header" in n or "footer" in n]
        assert b"headerReference" not in package.read("word/document.xml")
    assert "Kính gửi Sở Nội vụ." in document_lines(tmp_path / "ra-khong-dau-trang.docx")
    assert docx.Document(str(tmp_path / "ra-anh.docx")).inline_shapes[0].type is not None
    lines = document_lines(tmp_path / "ra-bang.docx")
    assert "dòng một" in lines and "dòng hai" in lines and "lồng Sở Nội vụ" in lines
    import subprocess

    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), *map(str, rendered)],
                   check=True, capture_output=True, timeout=300, env=office_env())
    for target in rendered:
        pdf = tmp_path / "pdf" / f"{target.stem}.pdf"
        text = subprocess.run([need_tool("pdftotext"), str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert "Sở Nội vụ" in text, target.name


def test_a_package_referencing_a_missing_relationship_is_refused(tmp_path):
    from generator.render.renderer import validate_package

    source = custom_templates(tmp_path)["khong-dau-trang"]
    data = TemplateRenderer(source).render({"name": "A"})
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "word/document.xml":
                body = re.sub(rb"(<w:sectPr[^>]*>)", rb'\1<w:headerReference w:type="default" '
                              rb'r:id="rId99"/>', body, count=1)
            dst.writestr(info, body)
    with pytest.raises(VanbanError, match="dùng quan hệ rId99"):
        validate_package(broken.getvalue(), "tu-lam.docx")


def test_a_template_edited_between_two_builds_of_one_process_is_prepared_again(tmp_path):
    """The web page builds again and again in one process: a clerk's edit of a template between
    two builds is in the second build's documents (a template is kept prepared by its bytes)."""
    import shutil

    import openpyxl

    from generator.pipeline import build
    from tests.conftest import reports_only

    templates = tmp_path / "mau"
    shutil.copytree(DEFAULT_TEMPLATES, templates)
    wb = openpyxl.load_workbook(WORKBOOK)
    reports_only(wb)  # no forms: the decision is the document looked at
    workbook = tmp_path / "ke-hoach.xlsx"
    wb.save(workbook)
    first = build(workbook, tmp_path / "a", templates)
    edited = docx.Document(str(templates / "decision.docx"))
    edited.add_paragraph("Dòng thêm vào mẫu giữa hai lần tạo.")
    edited.save(str(templates / "decision.docx"))
    second = build(workbook, tmp_path / "b", templates)
    name = "3406-qd-ubnd.docx"
    assert "Dòng thêm vào mẫu giữa hai lần tạo." not in document_lines(first.folder / name)
    assert "Dòng thêm vào mẫu giữa hai lần tạo." in document_lines(second.folder / name)
