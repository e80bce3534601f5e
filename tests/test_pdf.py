"""The package opened by a real LibreOffice: A4 pages, landscape appendix, Vietnamese text."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.conftest import need_tool, to_pdf


@pytest.fixture(scope="module")
def package_pdf(decision_docx, tmp_path_factory):
    return to_pdf(decision_docx, tmp_path_factory.mktemp("pdf"))


def page_sizes(pdf) -> list[tuple[float, float]]:
    pdfinfo = need_tool("pdfinfo")
    info = subprocess.run([pdfinfo, "-f", "1", "-l", "999", str(pdf)], capture_output=True,
                          text=True, check=True).stdout
    return [(float(w), float(h)) for w, h in
            re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]


def test_pages_are_a4_and_the_appendix_is_landscape(package_pdf):
    sizes = page_sizes(package_pdf)
    assert len(sizes) > 5
    for w, h in sizes:
        assert {round(w), round(h)} == {595, 842}
    portrait = [w < h for w, h in sizes]
    # Quyết định and Kế hoạch portrait first, then the appendix pages landscape to the end
    first_landscape = portrait.index(False)
    assert all(portrait[:first_landscape]) and not any(portrait[first_landscape:])


def test_pdf_text_keeps_every_diacritic(package_pdf):
    pdftotext = need_tool("pdftotext")
    text = subprocess.run([pdftotext, "-layout", str(package_pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "QUYẾT ĐỊNH" in text
    assert "Ban hành Kế hoạch cải cách hành chính Nhà nước năm 2018" in re.sub(r"\s+", " ", text)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "KẾ HOẠCH CỤ THỂ TRIỂN KHAI CÁC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH" in text


def test_first_page_has_no_number_and_the_second_does(package_pdf):
    pdftotext = need_tool("pdftotext")

    def page(n: int) -> str:
        return subprocess.run([pdftotext, "-f", str(n), "-l", str(n), "-layout",
                               str(package_pdf), "-"], capture_output=True, text=True,
                              check=True).stdout

    first_lines = [line.strip() for line in page(1).splitlines() if line.strip()]
    second_lines = [line.strip() for line in page(2).splitlines() if line.strip()]
    assert not first_lines[0].isdigit()
    assert second_lines[0] == "2"
