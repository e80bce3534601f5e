"""The documents as LibreOffice prints them for signing and archiving: `vanban pdf` converts what
the manifest lists and what changed, into PDF/A-2b with the document's title, author, language and
date; A4 pages, embedded fonts, every word and diacritic, page numbers where Nghị định 30 puts
them, room for the number, date, signature and seal the e-office system stamps.

One conversion of a trimmed 2018 build (the Quyết định and the forms of two agencies, by two
LibreOffice workers) is shared by the module; the tests that need another run say why."""

from __future__ import annotations

import fcntl
import functools
import os
import re
import shutil
import stat
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pikepdf
import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.output import libreoffice
from generator.output.manifest import Manifest, digest
from generator.pipeline import build, collect
from tests.conftest import WORKBOOK, need_tool, reports_only
from tests.docx_text import document_lines, words

APPENDIX_HEAD = ["stt", "nội", "dung", "nhiệm", "vụ", "cơ", "quan", "chủ", "trì", "cơ", "quan",
                 "phối", "hợp", "thời", "gian", "hoàn", "thành", "ghi", "chú"]
MM = 72 / 25.4
PACKAGE = "3406-qd-ubnd"
# a task of Sở Thông tin và Truyền thông's forms that Sở Nội vụ's forms do not show
CHANGED_LEAD, CHANGED_START = "Sở Khoa học và Công nghệ", "Nâng cấp cổng thông tin"


def cli(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env)


def trimmed_workbook(folder: Path, change: str = "") -> Path:
    """The 2018 workbook with the forms of Sở Nội vụ and Sở Thông tin và Truyền thông only;
    change "task": the text of one task only the second agency's forms list; "recipient": the
    first Nơi nhận line (only the Quyết định shows it)."""
    wb = openpyxl.load_workbook(WORKBOOK)
    reports_only(wb, "SNV", "STTTT")
    if change == "task":
        ws = wb["Nhiệm vụ"]
        row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 3).value == CHANGED_LEAD
                   and str(ws.cell(r, 2).value).startswith(CHANGED_START))
        ws.cell(row, 2).value = "Nhiệm vụ đã sửa lại trong sổ tính"
    elif change == "recipient":
        wb["Nơi nhận"].cell(2, 1).value = "Nơi nhận đã sửa lại trong sổ tính"
    path = folder / f"ke-hoach{'-' + change if change else ''}.xlsx"
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """The trimmed build, not converted: copied by the tests that convert it their own way."""
    folder = tmp_path_factory.mktemp("pdf-source")
    result = build(trimmed_workbook(folder), folder / "out")
    # what `vanban pdf` must leave alone: a backup of a hand edit and a file nobody listed
    form = result.folder / "bao-cao" / "quy-1" / "snv.docx"
    shutil.copyfile(form, form.with_name("snv.20180105-083000.bak.docx"))
    shutil.copyfile(form, result.folder / "ghi-chu.docx")
    return result.folder


@pytest.fixture(scope="module")
def converted(source, tmp_path_factory) -> Path:
    """One `vanban pdf --preview --workers 2` of a copy of the trimmed build."""
    need_tool("soffice")
    need_tool("pdftoppm")
    out = tmp_path_factory.mktemp("pdf-out")
    shutil.copytree(source, out / source.name)
    result = cli("pdf", "--out", str(out), "--preview", "--workers", "2")
    assert result.exit_code == 0, result.output
    assert "2 tiến trình LibreOffice" in result.output
    return out / source.name


@pytest.fixture(scope="module")
def package_pdf(converted) -> Path:
    return converted / "pdf" / f"{PACKAGE}.pdf"


def run(tool: str, *args: str) -> str:
    return subprocess.run([need_tool(tool), *args], capture_output=True, text=True,
                          check=True).stdout


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    info = run("pdfinfo", "-f", "1", "-l", "9999", str(pdf))
    return [(float(w), float(h)) for w, h in
            re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]


def pages_raw(pdf: Path) -> list[str]:
    """Each page's text in content order (-raw keeps table cells in reading order), each ending
    in its form feed as `pdftotext -f N -l N` gives it; one pdftotext run per file, not per page."""
    info = pdf.stat()
    return list(_pages_raw(pdf, info.st_mtime_ns, info.st_size))


@functools.lru_cache(maxsize=8)
def _pages_raw(pdf: Path, mtime_ns: int, size: int) -> tuple[str, ...]:
    pages = tuple(text + "\f" for text in run("pdftotext", "-raw", str(pdf), "-").split("\f")[:-1])
    assert len(pages) == len(page_sizes(pdf))
    return pages


def document_starts(pages: list[str]) -> list[int]:
    """Page indexes where a document starts: the Quyết định, the Kế hoạch and the Phụ lục."""
    return [i for i, text in enumerate(pages)
            if "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text or text.lstrip().startswith("Phụ lục")]


def listed_pdfs(folder: Path) -> list[str]:
    return sorted(str(Path(name).with_suffix(".pdf")) for name in Manifest.load(folder).entries
                  if name.endswith(".docx"))


def pdfs_on_disk(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder / "pdf").as_posix()
                  for p in (folder / "pdf").rglob("*.pdf") if "preview" not in p.parts)


# -- what is converted --------------------------------------------------------------------------


def test_every_listed_document_converts_and_nothing_else(converted):
    assert len(listed_pdfs(converted)) == 9  # the package and 2 agencies × 4 periods
    assert pdfs_on_disk(converted) == listed_pdfs(converted)
    assert not (converted / "pdf" / "ghi-chu.pdf").exists()
    assert not list((converted / "pdf").rglob("*.bak.pdf"))
    entries = Manifest.load(converted).entries
    assert entries[f"pdf/{PACKAGE}.pdf"].template == f"{PACKAGE}.docx"


def test_a_second_run_with_nothing_changed_converts_nothing_and_says_so(converted):
    before = {p: p.stat().st_mtime_ns for p in (converted / "pdf").rglob("*.pdf")}
    result = cli("pdf", "--out", str(converted.parent), "--preview")
    assert result.exit_code == 0, result.output
    assert "Không có văn bản nào thay đổi: không chuyển tệp nào (9 tệp PDF đã có)" in result.output
    assert {p: p.stat().st_mtime_ns for p in (converted / "pdf").rglob("*.pdf")} == before


@pytest.mark.parametrize("change", ["task", "recipient"])
def test_a_change_converts_only_the_documents_that_show_it(converted, tmp_path, change):
    """Exactly the .docx files the build rewrote: for a task, the package and the forms (every
    form carries the fingerprint of the whole task list, so it shows any task's change); for a
    Nơi nhận line, the package alone. The other PDFs keep their bytes."""
    out = tmp_path / "out"
    shutil.copytree(converted, out / converted.name)
    folder = out / converted.name
    before = {p: p.read_bytes() for p in (folder / "pdf").rglob("*.pdf")}
    rebuilt = build(trimmed_workbook(tmp_path, change), out)
    changed_docx = sorted(p.relative_to(folder).with_suffix(".pdf").as_posix()
                          for p in rebuilt.written if p.suffix == ".docx")
    assert f"{PACKAGE}.pdf" in changed_docx
    if change == "recipient":
        assert changed_docx == [f"{PACKAGE}.pdf"]

    result = cli("pdf", "--out", str(out))
    assert result.exit_code == 0, result.output
    written = sorted(line.removeprefix(f"đã ghi {folder / 'pdf'}/") for line in result.output.splitlines()
                     if line.startswith("đã ghi "))
    assert written == changed_docx
    package_text = re.sub(r"\s+", " ", run("pdftotext", str(folder / "pdf" / f"{PACKAGE}.pdf"), "-"))
    assert "đã sửa lại trong sổ tính" in package_text
    for pdf, data in before.items():
        if pdf.relative_to(folder / "pdf").as_posix() not in changed_docx:
            assert pdf.read_bytes() == data, pdf


def signed_copy(converted: Path, tmp_path: Path) -> tuple[Path, Path, Path]:
    """A copy of the converted build whose yearly form of Sở Nội vụ was signed after it was written:
    the out folder, the year folder and that PDF."""
    out = tmp_path / "out"
    shutil.copytree(converted, out / converted.name)
    folder = out / converted.name
    signed = folder / "pdf" / "bao-cao" / "nam" / "snv.pdf"
    signed.write_bytes(signed.read_bytes() + b"%signed\n")
    return out, folder, signed


def test_a_pdf_changed_since_it_was_written_is_not_replaced_without_force(converted, tmp_path):
    """A signed PDF in pdf/ stops the run before anything is converted; --force keeps it beside."""
    out, folder, signed = signed_copy(converted, tmp_path)
    docx = folder / "bao-cao" / "nam" / "snv.docx"
    docx.write_bytes((folder / "bao-cao" / "quy-1" / "snv.docx").read_bytes())  # its .docx changed
    result = cli("pdf", "--out", str(out))
    assert result.exit_code == 1
    assert "1 tệp PDF đã bị thay đổi sau khi tạo (có thể đã ký số)" in result.output
    assert str(signed) in result.output
    assert signed.read_bytes().endswith(b"%signed\n")

    result = cli("pdf", "--out", str(out), "--force")
    assert result.exit_code == 0, result.output
    backups = list(signed.parent.glob("snv.sao-luu-*.pdf"))
    assert len(backups) == 1 and backups[0].read_bytes().endswith(b"%signed\n")
    # made in another run from the same .docx as quý I's: the same bytes (no clock, no random ID)
    assert signed.read_bytes() == (folder / "pdf" / "bao-cao" / "quy-1" / "snv.pdf").read_bytes()


def test_a_signed_pdf_whose_document_did_not_change_is_kept_and_blocks_nothing(converted, tmp_path):
    """A PDF signed after it was written, its .docx unchanged: it is up to date; the run keeps it,
    says so, and converts what did change (here a hand-edited form), without --force."""
    out, folder, signed = signed_copy(converted, tmp_path)
    other = folder / "bao-cao" / "nam" / "stttt.docx"
    other.write_bytes((folder / "bao-cao" / "quy-1" / "stttt.docx").read_bytes())
    result = cli("pdf", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"giữ nguyên {signed}: đã sửa sau khi tạo (có thể đã ký số), văn bản gốc không đổi" \
        in result.output
    assert "Chuyển 1 văn bản sang PDF/A-2b" in result.output
    assert signed.read_bytes().endswith(b"%signed\n") and not list(signed.parent.glob("snv.sao-luu-*"))
    assert (folder / "pdf" / "bao-cao" / "nam" / "stttt.pdf").read_bytes() == \
        (folder / "pdf" / "bao-cao" / "quy-1" / "stttt.pdf").read_bytes()


def test_the_consolidated_report_and_reminder_convert_the_same_way(converted, tmp_path):
    """`vanban collect` records its report and reminder letter in the year's manifest: the next
    `vanban pdf` converts those two, and nothing else, dated from the period's deadline."""
    out = tmp_path / "out"
    shutil.copytree(converted, out / converted.name)
    folder = out / converted.name
    returned = tmp_path / "returned"
    returned.mkdir()
    shutil.copyfile(folder / "bao-cao" / "quy-1" / "snv.docx", returned / "snv.docx")
    workbook = trimmed_workbook(tmp_path)
    collect([returned], workbook, out)  # STTTT sent nothing: a reminder too
    build(workbook, out)  # as `make pdf` does first: the build leaves the other stages' files alone

    result = cli("pdf", "--out", str(out))
    assert result.exit_code == 0, result.output
    report = folder / "pdf" / "tong-hop" / "quy-1" / "bao-cao-tong-hop.pdf"
    reminder = folder / "pdf" / "tong-hop" / "quy-1" / "don-doc.pdf"
    assert sorted(line for line in result.output.splitlines() if line.startswith("đã ghi ")) == \
        [f"đã ghi {report}", f"đã ghi {reminder}"]
    checked = cli("pdf", "--check", str(report), str(reminder))
    assert checked.exit_code == 0, checked.output
    with pikepdf.open(report) as pdf:
        assert str(pdf.docinfo.Title) == ("Báo cáo kết quả thực hiện công tác cải cách hành chính "
                                          "quý I năm 2018")
        assert str(pdf.docinfo.CreationDate) == "D:20180305000000Z"  # the deadline, 05/3/2018
    with pikepdf.open(reminder) as pdf:
        assert str(pdf.docinfo.Title).startswith("Công văn đôn đốc gửi báo cáo")
        assert str(pdf.docinfo.Author) == "Ủy ban nhân dân tỉnh Bình Phước"
    # the letter leaves the same room for the signature and seal as the decision (25 mm at least)
    for pdf in (report, reminder):
        found, _, _ = page_words(pdf, len(pages_raw(pdf)) - 1)
        title = max((w for w in found if w["text"] == "TỊCH"), key=lambda w: w["top"])
        name = find(found, "Trâm")
        assert name["top"] - title["bottom"] >= 25 * MM, pdf.name


# -- PDF/A-2b and its metadata ------------------------------------------------------------------


def test_pdfs_claim_pdfa_2b_tagged_with_title_author_language_and_the_plans_date(converted, package_pdf):
    with pikepdf.open(package_pdf) as pdf:
        xmp = pdf.Root.Metadata.read_bytes().decode("utf-8")
        assert "<pdfaid:part>2</pdfaid:part>" in xmp and "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
        assert str(pdf.Root.Lang) == "vi-VN"
        assert bool(pdf.Root.MarkInfo.Marked) and "/StructTreeRoot" in pdf.Root  # tagged
        title = ("Quyết định ban hành Kế hoạch cải cách hành chính Nhà nước năm 2018 trên địa bàn "
                 "tỉnh Bình Phước")
        assert str(pdf.docinfo.Title) == title and f">{title}</rdf:li>" in xmp
        assert str(pdf.docinfo.Author) == "Ủy ban nhân dân tỉnh Bình Phước"
        # the issue date, in the Info dictionary and in XMP alike; never today's
        assert str(pdf.docinfo.CreationDate) == str(pdf.docinfo.ModDate) == "D:20171228000000Z"
        assert "<xmp:CreateDate>2017-12-28T00:00:00Z</xmp:CreateDate>" in xmp
        assert "/DocChecksum" not in pdf.trailer
    with pikepdf.open(converted / "pdf" / "bao-cao" / "quy-1" / "snv.pdf") as form:
        assert str(form.docinfo.Title) == ("Báo cáo kết quả thực hiện công tác cải cách hành chính "
                                           "quý I năm 2018")
        assert str(form.docinfo.Author) == "Sở Nội vụ"


def test_check_accepts_every_pdf_of_the_build(converted):
    result = cli("pdf", "--check", "--out", str(converted.parent))
    assert result.exit_code == 0, result.output
    assert result.output.count(": đạt") == 9
    assert "kiểm tra cấu trúc 9 tệp PDF (không phải kiểm định PDF/A đầy đủ" in result.output


def test_check_names_what_a_pdf_lacks(package_pdf, tmp_path):
    """A PDF 1.6 as LibreOffice writes by default: no PDF/A claim, English, no title, Letter."""
    plain = tmp_path / "plain.pdf"
    with pikepdf.open(package_pdf) as pdf:
        del pdf.Root.Metadata
        pdf.Root.Lang = pikepdf.String("en-US")
        del pdf.docinfo.Title
        pdf.pages[1].mediabox = [0, 0, 612, 792]
        pdf.save(plain)
    result = cli("pdf", "--check", str(plain), str(tmp_path / "khong-co.pdf"))
    assert result.exit_code == 1
    for said in ("không có siêu dữ liệu XMP, nên không khai báo PDF/A",
                 "ngôn ngữ văn bản (Lang) là «en-US», cần vi-VN", "không có tiêu đề (Title)",
                 "trang 2 không phải khổ A4 (216 × 279 mm)", "khong-co.pdf: không có tệp này",
                 "2 tệp PDF chưa đạt"):
        assert said in result.output


def test_check_says_a_pdf_is_out_of_date_when_its_word_document_changed(converted, tmp_path):
    """A conversion that failed, or was not run, leaves the PDF of the earlier document: a signer
    picking it up from pdf/ must be told."""
    out = tmp_path / "out"
    shutil.copytree(converted, out / converted.name)
    folder = out / converted.name
    docx = folder / "bao-cao" / "nam" / "snv.docx"
    docx.write_bytes((folder / "bao-cao" / "quy-1" / "snv.docx").read_bytes())
    result = cli("pdf", "--check", "--out", str(out))
    assert result.exit_code == 1, result.output
    assert ("cũ: văn bản Word snv.docx đã thay đổi sau khi tạo tệp PDF này; hãy chạy lại vanban pdf"
            in result.output)
    assert result.output.count(": đạt") == 8  # the others


def test_check_compares_page_orientation_with_the_word_document(converted, tmp_path):
    folder = tmp_path / "2018"
    (folder / "pdf").mkdir(parents=True)
    shutil.copyfile(converted / f"{PACKAGE}.docx", folder / f"{PACKAGE}.docx")
    with pikepdf.open(converted / "pdf" / f"{PACKAGE}.pdf") as pdf:
        for page in pdf.pages:
            page.mediabox = [0, 0, 595.3, 841.9]  # every page portrait: the appendix too
        pdf.save(folder / "pdf" / f"{PACKAGE}.pdf")
    result = cli("pdf", "--check", str(folder / "pdf" / f"{PACKAGE}.pdf"))
    assert result.exit_code == 1
    assert "hướng trang (dọc) khác văn bản Word (dọc → ngang)" in result.output


@pytest.mark.parametrize("beside", [b"khong phai Word", "zip without a body"])
def test_check_of_a_pdf_whose_word_document_is_damaged_checks_the_pdf_alone(converted, tmp_path, beside):
    folder = tmp_path / "2018"
    (folder / "pdf").mkdir(parents=True)
    shutil.copyfile(converted / "pdf" / f"{PACKAGE}.pdf", folder / "pdf" / f"{PACKAGE}.pdf")
    if isinstance(beside, bytes):
        (folder / f"{PACKAGE}.docx").write_bytes(beside)
    else:
        with zipfile.ZipFile(folder / f"{PACKAGE}.docx", "w") as z:
            z.writestr("[Content_Types].xml", "<Types/>")
    result = cli("pdf", "--check", str(folder / "pdf" / f"{PACKAGE}.pdf"))
    assert result.exit_code == 0, result.output
    assert ": đạt" in result.output and "Traceback" not in result.output


def test_verapdf_validates_pdfa_2b_where_installed(package_pdf):
    """veraPDF is Java and not packaged in Debian: run where someone installed it, never fetched."""
    verapdf = shutil.which("verapdf")
    if verapdf is None:
        pytest.skip("veraPDF is not installed (not packaged in Debian; never downloaded by the tests)")
    report = subprocess.run([verapdf, "--flavour", "2b", "--format", "text", str(package_pdf)],
                            capture_output=True, text=True, timeout=600).stdout
    assert report.startswith("PASS"), report


# -- what a person sees -------------------------------------------------------------------------


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
    doc_words = words("\n".join(document_lines(converted / f"{PACKAGE}.docx")))
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
    pngs = sorted(p.relative_to(preview).with_suffix(".pdf").as_posix() for p in preview.rglob("*.png"))
    assert pngs == pdfs_on_disk(converted)
    head = (preview / f"{PACKAGE}.png").read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    # A4 at 80 dpi, give or take pdftoppm's rounding up of a partial pixel
    assert abs(width - 210 / 25.4 * 80) <= 1 and abs(height - 297 / 25.4 * 80) <= 1


# -- room for e-signing (Nghị định 30, Điều 15.3; Phụ lục I, II.8.b) ----------------------------


def page_words(pdf: Path, index: int) -> tuple[list[dict], float, float]:
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        page = doc.pages[index]
        return page.extract_words(), float(page.width), float(page.height)


def find(found: list[dict], text: str) -> dict:
    return next(w for w in found if w["text"] == text)


def blank(found: list[dict], x0: float, top: float, x1: float, bottom: float) -> bool:
    """No glyph of any word inside the box (points, from the page's top left)."""
    return not any(w["x0"] < x1 and w["x1"] > x0 and w["top"] < bottom and w["bottom"] > top
                   for w in found)


def test_a_blank_number_and_date_leave_room_for_the_stamped_ones(converted):
    """A form's number and day and month are blank for the system to stamp: four digits in
    13 pt (9.2 mm) plus a millimetre either side after «Số:», two digits (5 mm) in the date."""
    found, _, _ = page_words(converted / "pdf" / "bao-cao" / "quy-1" / "snv.pdf", 0)
    number, symbol = find(found, "Số:"), find(found, "/BC-SNV")
    assert abs(number["top"] - symbol["top"]) < 1
    assert symbol["x0"] - number["x1"] >= 11.2 * MM
    day, month, year = find(found, "ngày"), find(found, "tháng"), find(found, "năm")
    assert month["x0"] - day["x1"] >= 7 * MM and year["x0"] - month["x1"] >= 7 * MM


def test_room_for_the_signature_and_seal_between_title_and_name(package_pdf):
    """At least 25 mm of blank page under the signer's title, as wide as the name block."""
    pages = pages_raw(package_pdf)
    index = next(i for i, text in enumerate(pages) if "Nguyễn Văn Trâm" in text)
    found, _, _ = page_words(package_pdf, index)
    title = next(w for w in found if w["text"] == "TỊCH" and w["top"] > 100)
    name = find(found, "Trâm")
    assert name["top"] - title["bottom"] >= 25 * MM
    left, right = title["x0"] - 25 * MM, name["x1"] + 15 * MM
    assert blank(found, left, title["bottom"] + 1, right, name["top"] - 1)


def test_room_for_the_signature_under_a_forms_signer_title(converted):
    found, _, height = page_words(converted / "pdf" / "bao-cao" / "quy-1" / "snv.pdf", -1)
    title = max((w for w in found if w["text"] == "GIÁM"), key=lambda w: w["top"])
    assert height - 20 * MM - title["bottom"] >= 25 * MM  # not squeezed against the bottom margin
    assert blank(found, title["x0"] - 20 * MM, title["bottom"] + 1, title["x1"] + 40 * MM,
                 title["bottom"] + 25 * MM)


# -- bad input ------------------------------------------------------------------------------------


HANGING_SOFFICE = """#!{python}
# LibreOffice that hangs on a document starting with HANG: the ones before it are converted by the
# real soffice, then it never returns.
import os, subprocess, sys, time
real = {real!r}
files = [a for a in sys.argv[1:] if a.endswith(".docx")]
options = [a for a in sys.argv[1:] if not a.endswith(".docx")]
for n, name in enumerate(files):
    with open(name, "rb") as handle:
        if handle.read(4) == b"HANG":
            if files[:n]:
                subprocess.run([real, *options, *files[:n]])
            sys.stdout.flush()
            time.sleep(3600)
os.execv(real, [real, *sys.argv[1:]])
"""


def test_unreadable_and_hanging_documents_are_named_and_the_rest_converted(converted, tmp_path):
    """One worker, three documents to convert: a .docx that is not one, one LibreOffice hangs on
    (time limit 3 s a document; LibreOffice's start-ups, which take longer, are not counted), a
    good one. Also: the lock a killed LibreOffice left in a profile is removed, and a profile
    another run holds is not shared."""
    real = need_tool("soffice")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "soffice"
    fake.write_text(HANGING_SOFFICE.format(python=sys.executable, real=real))
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    out = tmp_path / "out"
    shutil.copytree(converted, out / converted.name)
    folder = out / converted.name
    broken = folder / "bao-cao" / "6-thang" / "snv.docx"
    hanging = folder / "bao-cao" / "6-thang" / "stttt.docx"
    broken.write_text("Đây không phải tệp Word", encoding="utf-8")
    hanging.write_bytes(b"HANG" + hanging.read_bytes())
    good = folder / "pdf" / "bao-cao" / "nam" / "snv.pdf"
    good.unlink()
    for pdf in (broken, hanging):  # their PDFs are gone too, as after a first conversion failed
        (folder / "pdf" / pdf.relative_to(folder)).with_suffix(".pdf").unlink()
    cache = tmp_path / "cache"
    profiles = cache / "vanban" / "libreoffice"
    (profiles / "profile-0").mkdir(parents=True)
    (profiles / "profile-0" / ".lock").write_text("[Lockdata]\nUser=root\nHost=vm\n", encoding="utf-8")
    held = open(profiles / "profile-1.lock", "a+")  # noqa: SIM115 - another run holds profile-1
    fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "XDG_CACHE_HOME": str(cache)}
        result = cli("pdf", "--out", str(out), "--workers", "1", "--timeout", "3", env=env)
    finally:
        held.close()
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"{broken}: LibreOffice không mở được văn bản này" in result.output
    assert f"{hanging}: LibreOffice treo quá 3 giây ở văn bản này, đã dừng nó" in result.output
    assert "2 văn bản chưa chuyển được sang PDF (đã ghi 1 tệp PDF khác)" in result.output
    assert f"đã gỡ khóa do một lần chạy LibreOffice bị ngắt để lại: {profiles / 'profile-0' / '.lock'}" \
        in result.output
    assert "Sở Nội vụ" in run("pdftotext", str(good), "-")
    assert not (profiles / "profile-1").exists()  # held by the other run: not used
    assert not (folder / "pdf" / "bao-cao" / "6-thang" / "snv.pdf").exists()
    assert Manifest.load(folder).entries["pdf/bao-cao/nam/snv.pdf"].sha256 == digest(good.read_bytes())


def test_without_libreoffice_one_line_says_how_to_install_it(source, tmp_path, monkeypatch):
    out = tmp_path / "out"
    shutil.copytree(source, out / source.name)
    monkeypatch.setenv("PATH", str(tmp_path))
    result = cli("pdf", "--out", str(out))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "Không tìm thấy LibreOffice (soffice)" in result.output
    assert "sudo apt-get install libreoffice-writer-nogui fonts-liberation2 poppler-utils" \
        in result.output
    assert "Chuyển" not in result.output  # said before, not after announcing the conversion
    assert not (out / source.name / "pdf").exists()


def test_soffice_runs_with_the_faster_allocator_and_keeps_the_users_preload(monkeypatch):
    """libtcmalloc-minimal4 (installed by .ci/run) is preloaded into soffice; a library the user
    preloads stays."""
    monkeypatch.setenv("LD_PRELOAD", "libuser-hook.so")
    library = libreoffice._allocator()
    if os.environ.get("CI") == "true":
        assert library, "libtcmalloc-minimal4 is not installed"
    preload = libreoffice.soffice_environment()["LD_PRELOAD"].split()
    assert preload == ["libuser-hook.so", *([library] if library else [])]


def test_a_year_without_documents_is_one_message(tmp_path):
    result = cli("pdf", "--out", str(tmp_path), "--year", "2031")
    assert result.exit_code == 1
    assert "Chưa có văn bản năm 2031" in result.output


def test_a_folder_without_a_manifest_is_one_message(tmp_path):
    (tmp_path / "2018").mkdir()
    (tmp_path / "2018" / "cu.docx").write_bytes(b"PK")
    result = cli("pdf", "--out", str(tmp_path))
    assert result.exit_code == 1
    assert "chạy «vanban build» trước" in result.output


def test_documents_are_shared_by_size_between_workers():
    lists = libreoffice.share([10, 1, 1, 1, 9, 1], 2)
    assert lists == [[0, 2, 5], [1, 3, 4]]  # 12 and 11
    assert libreoffice.worker_count(5, None) >= 1 and libreoffice.worker_count(3, 8) == 3
