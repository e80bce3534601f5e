"""The clerks' page in a real browser (Debian's chromium through Playwright) against a real server.

One waitress server on a free loopback port and one browser serve the whole session; screenshots of
every page go to tests/artifacts/ to be looked at.
"""

from __future__ import annotations

import io
import os
import shutil
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from waitress.server import create_server

from generator.output.manifest import Manifest
from generator.pipeline import collect
from generator.web import create_app
from generator.web.names import outputs
from generator.web.work import Workspace
from generator.workbook.filecheck import OLE2_MAGIC
from tests.conftest import WORKBOOK, need_tool
from tests.test_check_cli import copy_with
from tests.xlsx_files import BILLION_LAUGHS, SHARED_CELL, minimal_xlsx, sheet_xml
from tools.make_example_forms import EXAMPLES, make_examples

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
SCREEN = {"width": 1366, "height": 768}


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict:
    """Debian's chromium: Playwright's own browser download does not work on these machines."""
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return {"executable_path": CHROMIUM,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--no-first-run", "--disable-sync"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": SCREEN, "accept_downloads": True, "locale": "vi-VN"}


class Site:
    """The running server: its address and the state behind it."""

    def __init__(self, url: str, data: Path, work: Workspace) -> None:
        self.url, self.data, self.work = url, data, work

    def stored(self) -> list[Path]:
        """Every file the server has kept (uploads, builds, previews)."""
        return sorted(p for p in self.data.rglob("*") if p.is_file())


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data = tmp_path_factory.mktemp("web-data")
    app = create_app(data)
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield Site(f"http://127.0.0.1:{server.effective_port}", data, app.extensions["vanban"])
    server.close()


@pytest.fixture(scope="session")
def base_url(site: Site) -> str:
    """Pages are opened by their path on the test server (this also replaces pytest-base-url's own
    fixture, which pytest deprecates)."""
    return site.url


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def upload(page, site: Site, path: Path) -> None:
    page.goto(site.url + "/")
    page.set_input_files("input[name=so_tinh]", str(path))
    page.get_by_role("button", name="Tải lên và kiểm tra").click()


def downloaded_workbook(download) -> openpyxl.Workbook:
    # Playwright saves downloads without an extension, which openpyxl refuses by name
    return openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()))


def docx_text(path: Path) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(path.read_bytes())).paragraphs)


def problem_rows(page) -> list[dict[str, str]]:
    rows = []
    for row in page.locator("table.van-de tbody tr").all():
        cells = row.locator("td").all_inner_texts()
        if len(cells) == 6:
            rows.append(dict(zip(("muc", "o", "van_de", "dang_ghi", "can", "goi_y"), cells, strict=True)))
    return rows


def test_the_shipped_workbook_from_upload_to_the_zip_of_the_year(page, site, built_2018, tmp_path):
    page.goto(site.url + "/")
    shot(page, "1-start-empty")
    # the keyboard reaches the skip link first, then the file button (a styled label around the input)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Bỏ qua, đến nội dung chính"
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "file":
            break
    assert page.evaluate("document.activeElement.name") == "so_tinh"
    upload(page, site, WORKBOOK)

    # page 2: every warning of `vanban check`, at its cell, with the cell's text
    page.wait_for_url("**/kiem-tra")
    assert "0 lỗi, 13 cảnh báo, 0 thông tin." in page.locator("[role=status]").inner_text()
    rows = problem_rows(page)
    assert len(rows) == 13  # the 12 of the seed and its year-end report due on a Saturday
    c52 = next(r for r in rows if r["o"] == "Nội dung kế hoạch!C52")
    assert c52["muc"] == "cảnh báo"
    assert "“Chi thị” viết sai chính tả" in c52["van_de"]
    assert "Ô đang có:" in c52["van_de"] and "Chi thị số 07/CT-TTg" in c52["van_de"]
    assert c52["dang_ghi"] == "«Chi thị số 07/CT-TTg ngày 22/5/2013»"
    assert c52["goi_y"] == "sửa thành “Chỉ thị số 07/CT-TTg”"
    assert any(r["o"] == "Nhiệm vụ!B12" and r["dang_ghi"] == "«18- NQ/TW»" for r in rows)
    shot(page, "2-problems")

    # filters, with the keyboard only
    page.get_by_label("Sheet").select_option("Nhiệm vụ")
    page.get_by_role("button", name="Lọc").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**sheet=*")
    assert {r["o"] for r in problem_rows(page)} == {"Nhiệm vụ!B12"}
    page.get_by_label("Mức độ").select_option("loi")
    page.get_by_role("button", name="Lọc").click()
    assert problem_rows(page) == [] and "Không có vấn đề nào khớp bộ lọc." in page.content()

    with page.expect_download() as info:
        page.get_by_role("link", name="Tải bản sao có đánh dấu các ô").click()
    download = info.value
    assert download.suggested_filename == "ke-hoach-cchc-2018 (kết quả kiểm tra).xlsx"
    marked = downloaded_workbook(download)
    assert marked.sheetnames[0] == "Kết quả kiểm tra"
    assert marked["Nội dung kế hoạch"]["C52"].comment is not None

    # page 3: build, then every document of the year in one .zip with Vietnamese names
    page.get_by_role("link", name="Văn bản").first.click()
    assert "Chưa tạo văn bản nào" in page.content()
    page.get_by_role("button", name="Tạo văn bản").click()
    result = page.locator("#ket-qua")
    result.wait_for(timeout=60_000)
    book = site.work.store.recent()[0]
    named = outputs(site.work.checked(book).result.plan)
    assert f"Xong: {len(named)} văn bản; {len(named)} tệp được ghi lại" in result.inner_text()
    assert page.get_by_role("columnheader", name="Quý I", exact=True).is_visible()
    assert page.get_by_role("rowheader", name="Sở Nội vụ", exact=True).is_visible()
    shot(page, "3-documents")

    with page.expect_download() as info:
        page.get_by_role("link", name="Tải cả năm").click()
    download = info.value
    assert download.suggested_filename == "Văn bản kế hoạch năm 2018.zip"
    archive = zipfile.ZipFile(download.path())
    entries = {i.filename: i for i in archive.infolist()}
    root = "Văn bản kế hoạch năm 2018/"
    assert set(entries) == {root + n.name for n in named}
    assert root + "Quyết định 3406-QĐ-UBND (kèm Kế hoạch và Phụ lục).docx" in entries
    assert root + "Mẫu báo cáo/Quý I/Sở Nội vụ.docx" in entries
    assert all(i.flag_bits & 0x800 for i in entries.values())  # UTF-8 names
    # the same bytes as `vanban build` writes, for every document of the year
    cli = Manifest.load(built_2018.folder).entries
    assert len(cli) == len(named)
    for item in named:
        data = archive.read(root + item.name)
        assert data == (built_2018.folder / item.path).read_bytes(), item.path

    # a second build writes nothing
    page.get_by_role("button", name="Tạo lại văn bản").click()
    page.locator("#ket-qua").wait_for()
    assert f"0 tệp được ghi lại, {len(named)} tệp không đổi" in page.locator("#ket-qua").inner_text()


def test_preview_of_a_document_as_text_and_as_its_first_page(page, site):
    book = _uploaded_and_built(page, site)
    page.goto(f"{site.url}/w/{book.id}/van-ban")
    page.get_by_role("link", name="Xem Báo cáo quý I của Sở Nội vụ").click()
    if shutil.which("soffice") is None:
        need_tool("soffice")  # skips locally, fails under CI=true
    picture = page.get_by_role("img", name="Ảnh trang đầu của Báo cáo quý I của Sở Nội vụ")
    picture.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=picture.element_handle(),
                           timeout=120_000)
    assert picture.evaluate("img => img.naturalWidth") > 500
    shot(page, "3b-preview-picture")
    page.get_by_role("link", name="Xem dạng chữ").click()
    text = page.locator("article.van-ban").inner_text()
    assert "SỞ NỘI VỤ" in text and "BÁO CÁO" in text
    shot(page, "3c-preview-text")


def test_hand_edited_documents_are_kept_and_overwritten_only_when_confirmed(page, site, tmp_path):
    book = _uploaded_and_built(page, site)
    edited = site.work.folder(2018) / "bao-cao" / "quy-1" / "snv.docx"
    clerk_version = edited.read_bytes() + b"\0"  # a clerk saved it in Word (any other bytes)
    edited.write_bytes(clerk_version)

    # the same workbook again: nothing to redo, the edit is kept and said so
    page.goto(f"/w/{book.id}/van-ban")
    page.get_by_role("button", name="Tạo lại văn bản").click()
    page.locator("#ket-qua").wait_for()
    kept = page.locator("#ket-qua").inner_text()
    assert "Giữ nguyên" in kept and "Báo cáo quý I của Sở Nội vụ (tệp “Sở Nội vụ - quý I.docx”)" in kept
    assert edited.read_bytes() == clerk_version

    # a corrected workbook whose new data reach that form: the build stops, naming it
    changed = copy_with(tmp_path, "ke-hoach-cchc-2018.xlsx", Kỳ_báo_cáo__C2="Báo cáo quý I đã sửa")
    upload(page, site, changed)
    page.get_by_role("link", name="Văn bản").first.click()
    assert page.locator("#tao-tu-so-tinh-khac").is_visible()
    page.get_by_role("button", name="Tạo lại văn bản").click()
    warning = page.locator("#sua-tay")
    warning.wait_for()
    assert "1 văn bản đã bị sửa tay" in warning.inner_text()
    # named as the documents page lists it, not by the server's path (bao-cao/quy-1/snv.docx)
    assert "Báo cáo quý I của Sở Nội vụ (tệp “Sở Nội vụ - quý I.docx”)" in warning.inner_text()
    assert "snv.docx" not in warning.inner_text()
    assert edited.read_bytes() == clerk_version
    # the browser will not send the form without the confirmation ticked
    warning.get_by_role("button", name="Ghi đè và tạo lại").click()
    assert page.locator("#sua-tay").is_visible() and edited.read_bytes() == clerk_version
    shot(page, "3d-hand-edited")
    warning.get_by_label("Tôi đồng ý ghi đè").check()
    warning.get_by_role("button", name="Ghi đè và tạo lại").click()
    page.locator("#ket-qua").wait_for()
    text = page.locator("#ket-qua").inner_text()
    assert "Bản sửa tay đã được giữ lại" in text
    [backup] = edited.parent.glob("snv.*.bak.docx")
    assert backup.read_bytes() == clerk_version and "Sở Nội vụ - quý I (bản lưu " in text
    # the copy kept aside downloads from the page under the name the clerk knows
    with page.expect_download() as info:
        page.locator("#ban-luu").get_by_role("link", name="Tải về").first.click()
    assert info.value.suggested_filename.startswith("Sở Nội vụ - quý I (bản lưu ")
    assert Path(info.value.path()).read_bytes() == clerk_version
    page.locator("#ban-luu").scroll_into_view_if_needed()
    shot(page, "3e-backups")
    assert edited.read_bytes() != clerk_version
    # back to the shipped workbook for the other tests
    _uploaded_and_built(page, site, rebuild=True)


def test_planted_mistakes_are_each_shown_at_their_cell(page, site, tmp_path):
    path = copy_with(tmp_path, "co-loi.xlsx", Thông_tin_chung__B8="31/02/2017",
                     Nhiệm_vụ__C14="Sở Văn hóa, Thể thao và Du lịch; Sở Nội vu", Nhiệm_vụ__E2="Quý V/2018")
    upload(page, site, path)
    page.wait_for_url("**/kiem-tra")
    assert "3 lỗi" in page.locator("[role=status]").inner_text()
    page.get_by_label("Mức độ").select_option("loi")
    page.get_by_role("button", name="Lọc").click()
    rows = {r["o"]: r for r in problem_rows(page)}
    assert set(rows) == {"Thông tin chung!B8", "Nhiệm vụ!C14", "Nhiệm vụ!E2"}
    assert all(r["muc"] == "lỗi" for r in rows.values())
    assert "31/02/2017" in rows["Thông tin chung!B8"]["van_de"]
    assert "“Sở Nội vu”" in rows["Nhiệm vụ!C14"]["van_de"] and "Sở Nội vụ" in rows["Nhiệm vụ!C14"]["goi_y"]
    assert "Ô đang có: Quý V/2018" in rows["Nhiệm vụ!E2"]["van_de"]
    shot(page, "2b-planted-mistakes")
    page.get_by_role("link", name="Văn bản").first.click()
    assert "Sổ tính có 3 lỗi nên chưa tạo được văn bản." in page.locator("[role=alert]").inner_text()
    assert page.get_by_role("button", name="Tạo văn bản").count() == 0


@pytest.mark.parametrize("kind", ["billion-laughs", "png", "password", "lock-file"])
def test_a_hostile_file_gets_one_message_and_nothing_is_kept(page, site, tmp_path, kind):
    if kind == "billion-laughs":
        path = minimal_xlsx(tmp_path / "bom.xlsx", {"Sheet1": sheet_xml(body=SHARED_CELL)}, BILLION_LAUGHS)
        expected = "bom.xlsx"
    elif kind == "png":
        path = tmp_path / "anh.xlsx"
        path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
        expected = "anh.xlsx không phải là sổ tính .xlsx hợp lệ (đây là ảnh PNG)"
    elif kind == "password":
        path = tmp_path / "mat-khau.xlsx"
        path.write_bytes(OLE2_MAGIC + "EncryptedPackage".encode("utf-16-le") + bytes(500))
        expected = "mat-khau.xlsx"
    else:
        path = tmp_path / "~$ke-hoach.xlsx"
        shutil.copyfile(WORKBOOK, path)
        expected = "~$ke-hoach.xlsx là tệp khóa tạm của Excel"
    before = site.stored()
    upload(page, site, path)
    alert = page.locator("#loi-tai-len")
    alert.wait_for()
    assert expected in alert.inner_text() and "Chưa lưu tệp nào." in alert.inner_text()
    assert page.locator("[role=alert]").count() == 1
    assert "tai-len" not in alert.inner_text()  # the server's own temporary name never shows
    assert site.stored() == before
    if kind == "png":
        shot(page, "1b-hostile-file")


def test_new_year_and_blank_workbook_downloads(page, site):
    _uploaded_and_built(page, site)
    page.goto(site.url + "/")
    shot(page, "1c-start-recent")
    with page.expect_download() as info:
        page.get_by_role("link", name="Tải sổ tính trống").click()
    assert info.value.suggested_filename == "Sổ tính kế hoạch (mẫu trống).xlsx"
    assert downloaded_workbook(info.value).sheetnames[0] == "Hướng dẫn"

    page.get_by_label("Sổ tính", exact=True).select_option(label="ke-hoach-cchc-2018.xlsx (năm 2018)")
    page.get_by_label("Năm mới").fill("2019")
    page.get_by_role("button", name="Chuyển năm").click()
    assert page.get_by_role("heading", name="Sổ tính năm 2019").is_visible()
    assert "từ năm 2018 sang năm 2019" in page.locator("[role=status]").inner_text()
    shot(page, "1d-new-year")
    with page.expect_download() as info:
        page.get_by_role("link", name="Tải sổ tính mới").click()
    assert info.value.suggested_filename == "ke-hoach-cchc-2019.xlsx"
    rolled = downloaded_workbook(info.value)
    assert "Thay đổi" in rolled.sheetnames
    page.get_by_role("link", name="Kiểm tra sổ tính mới").click()
    assert "năm 2019" in page.locator(".so-tinh-dang-mo").inner_text()


@pytest.fixture(scope="session")
def example_forms(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The filled quý I forms of the 2018 plan (two agencies send nothing, four are late)."""
    shipped = sorted((EXAMPLES / "quy-1").glob("*.docx"))
    if shipped:
        return shipped
    return sorted(make_examples(tmp_path_factory.mktemp("vi-du-bao-cao")))


def test_returned_reports_from_a_zip_and_loose_files(page, site, tmp_path, example_forms):
    upload(page, site, WORKBOOK)
    page.wait_for_url("**/kiem-tra")
    book = site.work.store.recent()[0]
    plan = site.work.checked(book).result.plan
    reporting = {a.code.lower(): a.name for a in plan.agencies if a.reports}
    missing = {reporting[code] for code in set(reporting) - {f.stem for f in example_forms}}
    page.get_by_role("link", name="Báo cáo nhận về").click()
    assert "Chưa tổng hợp quý I" in page.content()

    # all but three forms in one .zip with Vietnamese names inside, then those three as loose files
    archive = tmp_path / "Báo cáo quý I.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for form in example_forms[3:]:
            z.write(form, f"Báo cáo quý I/{reporting[form.stem]}.docx")
    page.set_input_files("input[name=bao_cao]", str(archive))
    page.get_by_role("button", name="Tải lên và tổng hợp").click()
    page.locator("#da-tong-hop").wait_for(timeout=180_000)
    page.set_input_files("input[name=bao_cao]", [str(f) for f in example_forms[:3]])
    page.get_by_role("button", name="Tải lên và tổng hợp lại").click()
    page.locator("#da-tong-hop").wait_for(timeout=180_000)
    assert "Đã nhận 3 tệp và tổng hợp lại quý I." in page.locator("#da-tong-hop").inner_text()
    summary = page.locator(".tom-tat").first.inner_text()
    assert f"Đã nhận {len(example_forms)}/{len(reporting)} cơ quan" in summary
    assert set(page.locator("#chua-gui li").all_inner_texts()) == missing
    late = page.locator("#gui-muon li").all_inner_texts()
    assert len(late) == 4 and all("nhận ngày" in line for line in late)
    rows = page.locator("#bang-co-quan tbody tr")
    assert rows.count() == len(reporting)
    assert page.locator("#bang-co-quan tr.chua-gui").count() == len(missing)
    shot(page, "4-returned")
    page.get_by_role("heading", name="Kết quả thực hiện nhiệm vụ").scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, 260)")  # at once: a wheel scrolls smoothly, half-painted in the shot
    shot(page, "4c-returned-charts")

    # the same figures as `vanban collect` on the same forms
    cli = collect(example_forms, WORKBOOK, tmp_path / "cli", "quy-1").consolidation.total
    figures = page.locator(".tom-tat").nth(1).inner_text()
    assert f"hoàn thành {cli.done}/{cli.total} nhiệm vụ của cả kế hoạch" in figures

    with page.expect_download() as info:
        page.get_by_role("link", name="Bảng theo dõi báo cáo quý I năm 2018.xlsx").click()
    tracking = downloaded_workbook(info.value)
    assert "Tiếp nhận" in tracking.sheetnames
    with page.expect_download() as info:
        page.get_by_role("link", name="Báo cáo tổng hợp quý I năm 2018.docx").click()
    report = docx_text(Path(info.value.path()))
    assert f"trên cơ sở báo cáo của {len(example_forms)}/{len(reporting)} cơ quan" in report
    with page.expect_download() as info:
        page.get_by_role("link", name="Công văn đôn đốc quý I năm 2018.docx").click()
    reminder = docx_text(Path(info.value.path()))
    assert all(name in reminder for name in missing)

    # a file that is no form of this plan: one message naming it, nothing kept
    before = site.stored()
    stranger = tmp_path / "Quyết định.docx"
    letter = Document()
    letter.add_paragraph("Công văn về việc khác, không phải mẫu báo cáo")
    letter.save(str(stranger))
    page.set_input_files("input[name=bao_cao]", str(stranger))
    page.get_by_role("button", name="Tải lên và tổng hợp lại").click()
    alert = page.locator("#loi-tong-hop")
    alert.wait_for(timeout=120_000)
    assert "Quyết định.docx" in alert.inner_text()
    assert "Các tệp vừa tải lên không được giữ lại." in alert.inner_text()
    assert site.stored() == before
    shot(page, "4b-returned-refused")


def test_pages_speak_vietnamese_for_unknown_addresses(page, site):
    response = page.goto(site.url + "/w/0123456789abcdef0123/kiem-tra")
    assert response.status == 404
    assert "Không có sổ tính này trên máy chủ" in page.locator("[role=alert]").inner_text()
    shot(page, "9-not-found")


def _uploaded_and_built(page, site: Site, rebuild: bool = False):
    """The shipped workbook, uploaded and built for the tests that need it."""
    upload(page, site, WORKBOOK)
    page.wait_for_url("**/kiem-tra")
    book = site.work.store.recent()[0]
    if rebuild or site.work.last_build(2018).get("id") != book.id:
        assert site.work.start_build(book, force=True)
        site.work.wait(2018)
    return book
