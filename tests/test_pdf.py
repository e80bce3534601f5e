"""The documents as LibreOffice prints them: `vanban pdf` converts a whole build in one run, and
the PDFs have A4 pages, embedded Times-metric fonts, every word and diacritic, page numbers where
Nghị định 30 puts them and the appendix header row on every appendix page."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.output.pdf import make_pdfs
from tests.conftest import need_tool
from tests.docx_text import document_lines, words

APPENDIX_HEAD = ["stt", "nội", "dung", "nhiệm", "vụ", "cơ", "quan", "chủ", "trì", "cơ", "quan",
                 "phối", "hợp", "thời", "gian", "hoàn", "thành", "ghi", "chú"]


@pytest.fixture(scope="module")
def converted(trimmed_2018, tmp_path_factory):
    """One `vanban pdf --preview` of a copy of a trimmed 2018 build (the decision and the forms of
    a sở and a huyện): one LibreOffice run for the module."""
    need_tool("soffice")
    need_tool("pdftoppm")
    out = tmp_path_factory.mktemp("pdf-out")
    shutil.copytree(trimmed_2018.folder, out / trimmed_2018.folder.name)
    result = CliRunner().invoke(main, ["pdf", "--out", str(out), "--preview"])
    assert result.exit_code == 0, result.output
    return out / trimmed_2018.folder.name


@pytest.fixture(scope="module")
def package_pdf(converted) -> Path:
    return converted / "pdf" / "3406-qd-ubnd.pdf"


def run(tool: str, *args: str) -> str:
    return subprocess.run([need_tool(tool), *args], capture_output=True, text=True,
                          check=True).stdout


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    info = run("pdfinfo", "-f", "1", "-l", "9999", str(pdf))
    return [(float(w), float(h)) for w, h in
            re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]


def pages_raw(pdf: Path) -> list[str]:
    """Each page's text in content order (-raw keeps table cells in reading order)."""
    count = len(page_sizes(pdf))
    return [run("pdftotext", "-raw", "-f", str(n), "-l", str(n), str(pdf), "-")
            for n in range(1, count + 1)]


def document_starts(pages: list[str]) -> list[int]:
    """Page indexes where a document starts: the Quyết định, the Kế hoạch and the Phụ lục."""
    return [i for i, text in enumerate(pages)
            if "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text or text.lstrip().startswith("Phụ lục")]


def test_every_document_of_the_build_converts(converted):
    docx = sorted(p.relative_to(converted) for p in converted.rglob("*.docx"))
    pdfs = sorted(p.relative_to(converted / "pdf") for p in (converted / "pdf").rglob("*.pdf"))
    assert docx and [p.with_suffix(".pdf") for p in docx] == pdfs


def test_pages_are_a4_and_only_the_appendix_is_landscape(package_pdf):
    sizes = page_sizes(package_pdf)
    assert len(sizes) > 5
    for w, h in sizes:
        assert {round(w), round(h)} == {595, 842}
    portrait = [w < h for w, h in sizes]
    pages = pages_raw(package_pdf)
    appendix = document_starts(pages)[-1]
    assert pages[appendix].lstrip().startswith("Phụ lục")
    assert all(portrait[:appendix]) and not any(portrait[appendix:])


def test_fonts_are_embedded_and_the_body_is_times_or_its_metric_twin(converted):
    for pdf in (converted / "pdf").rglob("*.pdf"):
        table = run("pdffonts", str(pdf)).splitlines()[2:]
        assert table, pdf
        for line in table:
            name, emb = line.split()[0], line.split()[-5]
            assert emb == "yes", f"{pdf.name}: {name} is not embedded"
            assert re.search(r"TimesNewRoman|LiberationSerif", name), f"{pdf.name}: {name}"


def test_pdf_text_is_the_document_text_with_every_diacritic(converted, package_pdf):
    """Word for word: page numbers and the repeated header rows are the only additions."""
    pages = pages_raw(package_pdf)
    starts = set(document_starts(pages))
    appendix = max(starts)
    pdf_words: list[str] = []
    for i, text in enumerate(pages):
        page = words(text)
        if i not in starts:
            assert page[0].isdigit()
            page = page[1:]
            if i > appendix:
                assert page[:len(APPENDIX_HEAD)] == APPENDIX_HEAD
                page = page[len(APPENDIX_HEAD):]
        pdf_words += page
    doc_words = words("\n".join(document_lines(converted / "3406-qd-ubnd.docx")))
    assert pdf_words == doc_words
    text = "".join(pages)
    for phrase in ("Độc lập - Tự do - Hạnh phúc", "ỦY BAN NHÂN DÂN", "Nguyễn Văn Trâm",
                   "ngày 28 tháng 12 năm 2017"):
        assert phrase in re.sub(r"\s+", " ", text)


def test_no_number_on_first_pages_and_the_right_number_after(package_pdf):
    """The Quyết định, the Kế hoạch and the Phụ lục are each numbered from 1, 1 not shown."""
    pages = pages_raw(package_pdf)
    starts = document_starts(pages)
    assert len(starts) == 3
    bounds = [*starts, len(pages)]
    for start, end in zip(bounds, bounds[1:], strict=False):
        first_line = pages[start].strip().splitlines()[0].strip()
        assert not first_line.isdigit(), f"page {start + 1} shows a number"
        for n, i in enumerate(range(start + 1, end), start=2):
            assert pages[i].strip().splitlines()[0].strip() == str(n), f"page {i + 1}"


def test_the_appendix_header_row_is_on_top_of_every_appendix_page(package_pdf):
    pages = pages_raw(package_pdf)
    appendix = document_starts(pages)[-1]
    assert len(pages) - appendix >= 3
    for i in range(appendix, len(pages)):
        lines = [line.strip() for line in pages[i].splitlines() if line.strip()]
        if i == appendix:  # under the heading, the title and the «Kèm theo» line
            body = lines[lines.index(next(line for line in lines if line.startswith("STT"))):]
            assert len(lines) - len(body) <= 5
        else:  # under the page number
            body = lines[1:]
        assert body[0].startswith("STT Nội dung, nhiệm vụ Cơ quan chủ trì"), f"page {i + 1}"


def test_preview_images_show_the_first_page_at_80_dpi(converted):
    preview = converted / "pdf" / "preview"
    pngs = sorted(p.relative_to(preview).with_suffix(".pdf") for p in preview.rglob("*.png"))
    assert pngs == sorted(p.relative_to(converted / "pdf")
                          for p in (converted / "pdf").rglob("*.pdf"))
    head = (preview / "3406-qd-ubnd.png").read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    # A4 at 80 dpi, give or take pdftoppm's rounding up of a partial pixel
    assert abs(width - 210 / 25.4 * 80) <= 1 and abs(height - 297 / 25.4 * 80) <= 1


def test_converting_again_replaces_the_pdfs(converted, package_pdf):
    before = package_pdf.stat().st_mtime_ns
    result = make_pdfs(converted.parent, int(converted.name))
    assert package_pdf in result.pdfs
    assert package_pdf.stat().st_mtime_ns >= before
    assert not list((converted / "pdf").glob(".*.tmp"))


def test_without_libreoffice_one_message_names_the_packages(trimmed_2018, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    result = CliRunner().invoke(main, ["pdf", "--out", str(trimmed_2018.folder.parent)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "Không tìm thấy soffice" in result.output
    assert "apt-get install libreoffice-writer-nogui fonts-liberation2 poppler-utils" \
        in result.output


def test_a_year_without_documents_is_one_message(tmp_path):
    result = CliRunner().invoke(main, ["pdf", "--out", str(tmp_path), "--year", "2031"])
    assert result.exit_code == 1
    assert "Chưa có văn bản năm 2031" in result.output
