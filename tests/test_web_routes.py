"""The page's error paths through Flask's test client: each is one Vietnamese page, nothing written."""

from __future__ import annotations

import io
import re
import stat
import subprocess
import sys
import threading
import urllib.request
import zipfile
from pathlib import Path

import pytest

from generator.web import is_loopback
from generator.web.names import outputs, safe_part
from tests.conftest import ROOT, WORKBOOK


def token(client) -> str:
    page = client.get("/").get_data(as_text=True)
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def post_workbook(client, data: bytes | None = None, name: str = "ke-hoach.xlsx", csrf: str | None = ""):
    form = {"so_tinh": (io.BytesIO(WORKBOOK.read_bytes() if data is None else data), name)}
    if csrf is not None:
        form["csrf"] = csrf or token(client)
    return client.post("/tai-len", data=form, content_type="multipart/form-data")


def stored(app) -> list[Path]:
    root = app.extensions["vanban"].store.root
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def text(response) -> str:
    return response.get_data(as_text=True)


def assert_vietnamese_page(response, status: int, words: str) -> None:
    assert response.status_code == status
    assert response.mimetype == "text/html"
    body = text(response)
    assert '<html lang="vi">' in body and words in body
    assert "Traceback" not in body and "Werkzeug" not in body


def test_an_upload_without_the_form_token_is_refused_and_nothing_kept(app, client):
    assert_vietnamese_page(post_workbook(client, csrf=None), 400, "thiếu mã xác nhận")
    assert_vietnamese_page(post_workbook(client, csrf="forged"), 400, "Hãy tải lại trang")
    assert stored(app) == []


def test_every_changing_form_carries_the_token(app, client):
    book_id = post_workbook(client).headers["Location"].split("/")[2]
    pages = [client.get("/"), client.get(f"/w/{book_id}/van-ban")]
    for page in pages:
        forms = re.findall(r'<form method="post".*?</form>', text(page), re.S)
        assert forms
        assert all('name="csrf"' in form for form in forms)
    for path in ("/nam-moi", f"/w/{book_id}/tao"):
        assert_vietnamese_page(client.post(path, data={"so_tinh": book_id, "nam": "2019"}), 400,
                               "thiếu mã xác nhận")


def test_an_oversized_upload_is_one_message(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 200_000  # the real limit is 51 MB; the same handler
    response = post_workbook(client, data=bytes(300_000))
    # the limit said is the file's (50 MB), as the README says, not the request's
    assert_vietnamese_page(response, 413, "Tệp quá lớn: mỗi lần tải lên không được quá 50 MB")
    assert stored(app) == []


def test_each_period_s_form_of_an_agency_downloads_under_its_own_name():
    from generator.pipeline import load_checked

    plan, _ = load_checked(WORKBOOK)
    forms = [n for n in outputs(plan) if n.kind == "report" and n.agency == "Sở Nội vụ"]
    assert [n.file_name for n in forms] == ["Sở Nội vụ - quý I.docx", "Sở Nội vụ - 6 tháng.docx",
                                            "Sở Nội vụ - quý III.docx", "Sở Nội vụ - năm.docx"]
    assert forms[0].name == "Mẫu báo cáo/Quý I/Sở Nội vụ.docx"  # in the year's .zip, by folder


def test_unknown_or_malformed_workbook_ids_are_not_found(client):
    for path in ("/w/0123456789abcdef0123/kiem-tra", "/w/zzz/van-ban", "/w/..%2F..%2Fetc/kiem-tra",
                 "/w/0123456789abcdef0123/van-ban/ca-nam.zip", "/khong-co"):
        assert_vietnamese_page(client.get(path), 404, "Không có")


def test_paths_from_the_browser_never_reach_the_disk(app, client, tmp_path):
    (tmp_path / "bi-mat.txt").write_text("secret")
    response = post_workbook(client, name="../../../../bi-mat/../evil.xlsx")
    book_id = response.headers["Location"].split("/")[2]
    [source, meta] = stored(app)
    assert source == app.extensions["vanban"].store.books / book_id / "so-tinh.xlsx"
    assert "evil.xlsx" in meta.read_text(encoding="utf-8") and "../" not in meta.read_text(encoding="utf-8")
    for path in ("../../so-tinh.xlsx", "..%2F..%2Fthong-tin.json", "/etc/passwd", "%2Fetc%2Fpasswd",
                 "bao-cao/../../../bi-mat.txt", "3406-qd-ubnd.docx"):  # the last: not built yet
        for view in ("tep", "xem", "anh"):
            response = client.get(f"/w/{book_id}/van-ban/{view}/{path}", follow_redirects=True)
            assert response.status_code == 404, (view, path)
            assert "secret" not in text(response)


def test_the_clerks_file_is_kept_read_only_and_never_changed(app, client):
    book_id = post_workbook(client).headers["Location"].split("/")[2]
    source = app.extensions["vanban"].store.get(book_id).source
    assert source.read_bytes() == WORKBOOK.read_bytes()
    assert not source.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert client.get(f"/w/{book_id}/kiem-tra/ban-danh-dau.xlsx").status_code == 200
    work = app.extensions["vanban"]
    assert work.start_build(work.store.get(book_id))
    work.wait(2018)
    assert work.run(2018).result is not None
    assert source.read_bytes() == WORKBOOK.read_bytes()
    # the download of the year names it in Vietnamese, with an ASCII name for older browsers
    response = client.get(f"/w/{book_id}/van-ban/ca-nam.zip")
    disposition = response.headers["Content-Disposition"]
    assert 'filename="Van ban ke hoach nam 2018.zip"' in disposition
    assert ("filename*=UTF-8''V%C4%83n%20b%E1%BA%A3n%20k%E1%BA%BF%20ho%E1%BA%A1ch%20n%C4%83m%202018.zip"
            in disposition)
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert len(names) == len(outputs(work.checked(work.store.get(book_id)).result.plan))
    # the index of the forms previewed as a table, its deadlines written as the plan writes dates
    index = text(client.get(f"/w/{book_id}/van-ban/xem/bao-cao/danh-sach-bao-cao.xlsx"))
    assert "<td>Sở Nội vụ</td><td>quý I</td><td>05/3/2018</td>" in index


def test_one_build_at_a_time_per_year(app, client):
    book_id = post_workbook(client).headers["Location"].split("/")[2]
    work = app.extensions["vanban"]
    book = work.store.get(book_id)
    lock = work._build_locks.setdefault(2018, threading.Lock())
    with lock:  # a build of 2018 under way
        assert not work.start_build(book)
        response = client.post(f"/w/{book_id}/tao", data={"csrf": token(client)})
        assert response.status_code == 303  # the page shows the build under way, starts none
    assert work.run(2018) is None
    assert work.start_build(book)
    work.wait(2018)


def test_overwriting_hand_edits_needs_the_confirmation(app, client):
    book_id = post_workbook(client).headers["Location"].split("/")[2]
    response = client.post(f"/w/{book_id}/tao", data={"csrf": token(client), "ghi_de": "1"})
    assert_vietnamese_page(response, 400, "hãy đánh dấu ô “Tôi đồng ý ghi đè…”")
    assert app.extensions["vanban"].run(2018) is None


def test_an_unexpected_error_is_a_vietnamese_page_without_a_traceback(app, client):
    def broken():
        raise ZeroDivisionError("secret detail")

    app.add_url_rule("/hong", view_func=broken)
    response = client.get("/hong")
    assert_vietnamese_page(response, 500, "Chương trình gặp lỗi không mong đợi")
    assert "ZeroDivisionError" not in text(response) and "secret detail" not in text(response)


def test_wrong_methods_and_bad_years_are_explained(client):
    assert_vietnamese_page(client.get("/tai-len"), 405, "Trang này không nhận cách gửi đó")
    book_id = post_workbook(client).headers["Location"].split("/")[2]
    response = client.post("/nam-moi", data={"csrf": token(client), "so_tinh": book_id, "nam": "20x9"})
    assert_vietnamese_page(response, 400, "Năm mới phải là một số từ 1900 đến 2200")


def test_only_loopback_addresses_count_as_private():
    assert all(is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "127.0.0.2"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "192.168.1.5", "::", "example.org"))


def test_vietnamese_file_names_are_safe_on_windows():
    assert safe_part("Quyết định 3406/QĐ-UBND: dự thảo?") == "Quyết định 3406-QĐ-UBND dự thảo"
    assert safe_part(" ..\\..\\con* ") == "con"


def test_returned_reports_refuse_unknown_periods_names_and_empty_uploads(app, client):
    book_id = post_workbook(client).headers["Location"].split("/")[2]
    response = client.post(f"/w/{book_id}/bao-cao", data={"csrf": token(client), "ky": "../quy-1"})
    assert_vietnamese_page(response, 400, "Kỳ báo cáo không có trong sổ tính")
    for name in ("tong-hop.json", "..%2Fmanifest.json", "tong-hop.xlsx"):  # the last: not made yet
        assert client.get(f"/w/{book_id}/bao-cao/quy-1/{name}").status_code == 404
    assert client.get(f"/w/{book_id}/bao-cao/quy-9/tong-hop.xlsx").status_code == 404
    response = client.post(f"/w/{book_id}/bao-cao", data={"csrf": token(client), "ky": "quy-1"})
    assert_vietnamese_page(response, 400, "Chưa có báo cáo nào")
    assert [p.name for p in stored(app)] == ["so-tinh.xlsx", "thong-tin.json"]


def test_a_returned_zip_bomb_is_refused_by_its_name_and_nothing_kept(app, client, tmp_path):
    book_id = post_workbook(client).headers["Location"].split("/")[2]
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("bao-cao.docx", bytes(60 * 1024 * 1024))  # 60 MB of zeros, a few KB packed
    form = {"csrf": token(client), "ky": "quy-1",
            "bao_cao": (io.BytesIO(bomb.getvalue()), "Báo cáo các sở.zip")}
    response = client.post(f"/w/{book_id}/bao-cao", data=form, content_type="multipart/form-data")
    assert_vietnamese_page(response, 400, "Báo cáo các sở.zip/bao-cao.docx bị từ chối")
    assert "không được giữ lại" in text(response)
    assert [p.name for p in stored(app)] == ["so-tinh.xlsx", "thong-tin.json"]


def test_vanban_serve_prints_its_address_and_warns_off_the_loopback(tmp_path):
    command = [sys.executable, "-m", "generator", "serve", "--host", "0.0.0.0", "--port", "0",
               "--data", str(tmp_path / "data")]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          encoding="utf-8", cwd=ROOT) as server:
        try:
            warning = server.stderr.readline()
            address = server.stdout.readline()
            assert warning.startswith("Cảnh báo: trang nghe trên 0.0.0.0, nên máy khác trong mạng")
            url = re.search(r"http://0\.0\.0\.0:(\d+)/", address)
            assert url, address
            with urllib.request.urlopen(f"http://127.0.0.1:{url.group(1)}/", timeout=30) as response:
                assert "Chọn sổ tính kế hoạch" in response.read().decode("utf-8")
        finally:
            server.terminate()
            server.wait(timeout=30)


EXAMPLES = ROOT / "data" / "vi-du-bao-cao" / "quy-1"


def post_returned(client, book_id: str, period: str, files: list[tuple[bytes, str]]):
    form = {"csrf": token(client), "ky": period,
            "bao_cao": [(io.BytesIO(data), name) for data, name in files]}
    return client.post(f"/w/{book_id}/bao-cao", data=form, content_type="multipart/form-data")


def received_names(app) -> list[str]:
    return sorted(p.name for p in stored(app) if p.parent.name == "tep")


def test_returned_uploads_that_are_not_reports_are_refused_and_the_same_file_is_kept_once(app, client):
    book_id = post_workbook(client).headers["Location"].split("/")[2]
    snv, stp = (EXAMPLES / "snv.docx").read_bytes(), (EXAMPLES / "stp.docx").read_bytes()
    # a text file named .xlsx, and an empty file: the whole upload is refused, naming both
    response = post_returned(client, book_id, "quy-1", [(snv, "snv.docx"), (b"ghi chu", "ghi-chu.xlsx"),
                                                        (b"", "rong.docx")])
    assert_vietnamese_page(response, 400,
                           "Không nhận ghi-chu.xlsx (không phải báo cáo), rong.docx (tệp rỗng)")
    assert "Chưa lưu tệp nào" in text(response) and received_names(app) == []
    # the same form twice: kept once; a second upload of nothing new says so
    response = post_returned(client, book_id, "quy-1", [(snv, "snv.docx")])
    assert response.status_code == 303 and received_names(app) == ["0001.docx"]
    response = post_returned(client, book_id, "quy-1", [(snv, "snv (1).docx")])
    assert_vietnamese_page(response, 400, "snv (1).docx đã nhận trước đó (giống hệt từng byte)")
    response = post_returned(client, book_id, "quy-1", [(snv, "snv.docx"), (stp, "stp.docx")])
    assert received_names(app) == ["0001.docx", "0002.docx"]
    page = text(client.get(response.headers["Location"]))
    assert "Đã nhận 1 tệp, bỏ qua 1 tệp đã nhận trước đó (giống hệt) và tổng hợp lại quý I." in page


def test_forms_sent_under_another_period_are_refused_naming_theirs(app, client):
    book_id = post_workbook(client).headers["Location"].split("/")[2]
    snv, stp = (EXAMPLES / "snv.docx").read_bytes(), (EXAMPLES / "stp.docx").read_bytes()
    response = post_returned(client, book_id, "6-thang", [(snv, "snv.docx"), (stp, "stp.docx")])
    assert_vietnamese_page(response, 400, "Các tệp vừa tải lên là báo cáo quý I, không phải 6 tháng; "
                                          "hãy chọn kỳ quý I ở ô «Kỳ» rồi tải lên lại")
    assert received_names(app) == []
    response = post_returned(client, book_id, "quy-1", [(snv, "snv.docx"), (stp, "stp.docx")])
    page = text(client.get(response.headers["Location"]))
    assert "Đã nhận 2 tệp và tổng hợp lại quý I." in page and "Đã nhận 2/" in page


def test_a_new_year_of_the_same_year_is_refused_and_nothing_stored(app, client):
    book_id = post_workbook(client).headers["Location"].split("/")[2]
    before = stored(app)
    response = client.post("/nam-moi", data={"csrf": token(client), "so_tinh": book_id, "nam": "2018"})
    assert_vietnamese_page(response, 400,
                           "đã là kế hoạch năm 2018; hãy nhập năm mới sau năm 2018, ví dụ 2019")
    assert stored(app) == before


def test_the_warnings_of_a_consolidation_come_first_and_the_notes_are_folded(app, client):
    book_id = post_workbook(client).headers["Location"].split("/")[2]
    files = [((EXAMPLES / name).read_bytes(), name) for name in ("honquan.docx", "bdt.docx")]
    page = text(client.get(post_returned(client, book_id, "quy-1", files).headers["Location"]))
    review = page.split('id="can-xem-lai">', 1)[1].split("</ul>", 1)[0]
    assert "[cảnh báo] honquan.docx: Văn bản còn thay đổi đang theo dõi" in review
    assert "[thông tin]" not in review
    notes = page.split('<details class="ghi-chu-thong-tin">', 1)[1].split("</details>", 1)[0]
    assert "<summary>Ghi chú thông tin (" in notes and "[thông tin]" in notes and "[cảnh báo]" not in notes


def test_a_port_in_use_is_said_in_vietnamese(tmp_path):
    import gc
    import socket
    import warnings

    from generator.errors import VanbanError
    from generator.web import serve

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(VanbanError) as caught:
            serve(tmp_path / "data", "127.0.0.1", port)
    said = caught.value.format_message()
    del caught  # waitress leaves its wake-up pipe and socket to the garbage collector: collect them here
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
    assert f"Không mở được cổng {port} trên 127.0.0.1 (cổng đang được chương trình khác dùng)" in said
    assert "Address" not in said
