"""Pictures and hyperlinks through the prepared engine, equal to plain docxtpl; Subdoc refused."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

import docx
import pytest
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage, RichText
from lxml import etree

from generator.render.engine import PreparedTemplate, UnsupportedValue
from generator.render.renderer import make_environment
from tests.test_engine import tiny_png

WHEN = datetime(2018, 3, 5)
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


@pytest.fixture(scope="module")
def picture_template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pic")
    d = docx.Document()
    d.add_paragraph("Biểu đồ {{ name }}:")
    d.add_paragraph("{{ chart }}")
    d.add_paragraph("{%p for c in charts %}")
    d.add_paragraph("{{ c }}")
    d.add_paragraph("{%p endfor %}")
    d.add_paragraph("Xem thêm: {{ link }}")
    d.sections[0].header.paragraphs[0].text = "{{ logo }}"
    path = folder / "picture.docx"
    d.save(str(path))
    return path


def png(color: int) -> io.BytesIO:
    """A small valid PNG, a different one per color (as matplotlib charts differ)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(1, 1), dpi=20)
    figure.patch.set_facecolor(f"#{color:06x}")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    buffer.seek(0)
    return buffer


def context(tpl, link: bool = True) -> dict:
    ctx = {"name": "Tiến độ & kết quả",
           "chart": InlineImage(tpl, png(0xFF0000), width=Mm(40)),
           "charts": [InlineImage(tpl, png(0x00FF00), width=Mm(30)),
                      InlineImage(tpl, png(0x0000FF), height=Mm(20)),
                      InlineImage(tpl, png(0xFF0000), width=Mm(40))],  # the first picture again
           "logo": InlineImage(tpl, io.BytesIO(tiny_png()), width=Mm(5))}
    ctx["link"] = RichText("Cổng dịch vụ công", url_id=tpl.build_url_id("https://dichvucong.gov.vn")) \
        if link else ""
    return ctx


def parts(package: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(package)) as z:
        return {n: z.read(n) for n in z.namelist()}


def canonical(name: str, data: bytes) -> object:
    if name.endswith(".rels"):
        return sorted((r.get("Id"), r.get("Type"), r.get("Target"), r.get("TargetMode"))
                      for r in etree.fromstring(data).iter(RELS))
    if name == "[Content_Types].xml":
        return sorted((e.tag, sorted(e.attrib.items())) for e in etree.fromstring(data))
    if name.endswith(".xml"):
        return etree.tostring(etree.fromstring(data), method="c14n")
    return data


def test_pictures_and_hyperlinks_equal_plain_docxtpl(picture_template: Path) -> None:
    plain = DocxTemplate(str(picture_template))
    plain.render(context(plain), make_environment(), autoescape=True)
    buffer = io.BytesIO()
    plain.save(buffer)
    theirs = parts(buffer.getvalue())
    prepared = PreparedTemplate(picture_template, make_environment())
    ours = parts(prepared.render(context(prepared), WHEN))
    compared = [n for n in theirs if n.startswith("word/") or n == "[Content_Types].xml"]
    assert sorted(n for n in ours if n in compared or n.startswith("word/")) == sorted(compared)
    for name in compared:
        assert canonical(name, ours[name]) == canonical(name, theirs[name]), name
    media = sorted(n for n in ours if n.startswith("word/media/"))
    assert len(media) == 4  # three charts (one used twice) and the logo
    document = ours["word/document.xml"].decode("utf-8")
    assert document.count("<wp:docPr ") == 4 and 'id="1001"' in document and 'id="1004"' in document
    assert "Cổng dịch vụ công" in document and "<w:hyperlink" in document


def test_the_same_context_gives_the_same_bytes_and_no_picture_leaks_into_the_next(picture_template):
    prepared = PreparedTemplate(picture_template, make_environment())
    first = prepared.render(context(prepared), WHEN)
    assert prepared.render(context(prepared), WHEN) == first
    without = context(prepared)
    without.update(chart="", charts=[], logo="")
    plain = parts(prepared.render(without, WHEN))
    assert not [n for n in plain if n.startswith("word/media/")]


def test_subdoc_and_a_picture_of_another_template_are_refused(picture_template: Path) -> None:
    prepared = PreparedTemplate(picture_template, make_environment())
    with pytest.raises(UnsupportedValue, match="Subdoc"):
        prepared.new_subdoc()
    other = DocxTemplate(str(picture_template))
    ctx = context(prepared, link=False)
    ctx["chart"] = InlineImage(other, png(0xFF0000), width=Mm(40))
    with pytest.raises(UnsupportedValue, match="mẫu khác"):
        prepared.render(ctx, WHEN)
