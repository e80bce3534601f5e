"""What a PDF's properties say (File › Properties in a PDF viewer, and the e-office system's
metadata): the title, the subject (the trích yếu, in the Info dictionary and in XMP alike) and the
author, written the same way for every document: the issuing body as a sentence writes its name.
One real conversion of a trimmed 2018 build (the Quyết định, the forms of a Sở and of a district's
People's Committee, quý I's consolidated report and reminder letter)."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pikepdf
import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.pipeline import build, collect
from generator.text import vn
from tests.conftest import WORKBOOK, need_tool, reports_only

SUMMARY = "Ban hành Kế hoạch cải cách hành chính Nhà nước năm 2018 trên địa bàn tỉnh Bình Phước"
QUARTER = "Kết quả thực hiện công tác cải cách hành chính quý I năm 2018"
PROVINCE = "Ủy ban nhân dân tỉnh Bình Phước"


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> Path:
    need_tool("soffice")
    folder = tmp_path_factory.mktemp("metadata")
    wb = openpyxl.load_workbook(WORKBOOK)
    reports_only(wb, "SNV", "BINHLONG")
    workbook = folder / "ke-hoach.xlsx"
    wb.save(workbook)
    out = folder / "out"
    year = build(workbook, out).folder
    returned = folder / "returned"
    returned.mkdir()
    shutil.copyfile(year / "bao-cao" / "quy-1" / "snv.docx", returned / "snv.docx")
    collect([returned], workbook, out)  # Bình Long sent nothing: a reminder too
    result = CliRunner().invoke(main, ["pdf", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return year / "pdf"


def properties(pdf: Path) -> dict[str, str]:
    """The Info dictionary's title, subject and author, and XMP's, as a viewer reads them."""
    with pikepdf.open(pdf) as doc:
        meta = doc.open_metadata()
        return {"title": str(doc.docinfo.get("/Title", "")),
                "subject": str(doc.docinfo.get("/Subject", "")),
                "author": str(doc.docinfo.get("/Author", "")),
                "xmp title": str(meta.get("dc:title", "")),
                "xmp subject": str(meta.get("dc:description", "")),
                "xmp author": ", ".join(meta.get("dc:creator", []))}


@pytest.mark.parametrize(("name", "title", "subject", "author"), [
    ("3406-qd-ubnd.pdf", f"Quyết định b{SUMMARY[1:]}", SUMMARY, PROVINCE),
    ("bao-cao/quy-1/snv.pdf", f"Báo cáo k{QUARTER[1:]}", QUARTER, "Sở Nội vụ"),
    ("bao-cao/quy-1/binhlong.pdf", f"Báo cáo k{QUARTER[1:]}", QUARTER, "Ủy ban nhân dân thị xã Bình Long"),
    ("tong-hop/quy-1/bao-cao-tong-hop.pdf", f"Báo cáo k{QUARTER[1:]}", QUARTER, PROVINCE),
    ("tong-hop/quy-1/don-doc.pdf", f"Công văn đôn đốc gửi báo cáo k{QUARTER[1:]}",
     f"Đôn đốc gửi báo cáo k{QUARTER[1:]}", PROVINCE),
], ids=["decision", "form", "district-form", "consolidated-report", "reminder"])
def test_title_subject_and_author_of_every_kind_of_document(pdfs, name, title, subject, author):
    found = properties(pdfs / name)
    assert found == {"title": title, "subject": subject, "author": author, "xmp title": title,
                     "xmp subject": subject, "xmp author": author}


def test_every_author_is_written_as_a_sentence_writes_the_name(pdfs):
    """Not the capitals of a header for one document and ordinary capitals for the next."""
    authors = {properties(pdf)["author"] for pdf in pdfs.rglob("*.pdf")}
    assert authors == {PROVINCE, "Sở Nội vụ", "Ủy ban nhân dân thị xã Bình Long"}


@pytest.mark.parametrize(("header", "place", "sentence"), [
    ("ỦY BAN NHÂN DÂN\nTỈNH BÌNH PHƯỚC", "Bình Phước", "Ủy ban nhân dân tỉnh Bình Phước"),
    ("UBND THÀNH PHỐ HỒ CHÍ MINH", "Hồ Chí Minh", "UBND thành phố Hồ Chí Minh"),
    ("Sở Nội vụ", "Bình Phước", "Sở Nội vụ"),  # typed with its own capitals: kept
])
def test_an_issuer_in_the_capitals_of_a_header_is_named_as_a_sentence_names_it(header, place, sentence):
    assert vn.name_in_sentence(header, place) == sentence
