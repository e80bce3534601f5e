"""What the audit of the clerks' page found missing, through Flask's test client: the icon, the
new-year form's choice, the server's paths kept off the page, backups to download, and the tracking
workbook uploaded back."""

from __future__ import annotations

import errno
import io
import json
import os
import re
from pathlib import Path

import openpyxl

from tests.conftest import ROOT, WORKBOOK
from tests.test_check_cli import copy_with
from tests.test_web_routes import post_workbook, text, token
from tests.xlsx_files import BILLION_LAUGHS, SHARED_CELL, minimal_xlsx, sheet_xml


def book_of(response) -> str:
    return response.headers["Location"].split("/")[2]


# -- the icon ---------------------------------------------------------------------------------------


def test_every_page_links_the_shipped_icon_and_favicon_ico_is_not_a_404(client):
    page = text(client.get("/"))
    link = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
    assert link, "the base template links no icon"
    with client.get(link.group(1)) as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
        svg = icon.get_data()
    assert svg.startswith(b"<svg") and b"http" not in svg.replace(b'xmlns="http://www.w3.org/2000/svg"', b"")
    habit = client.get("/favicon.ico")  # what browsers ask for without a link
    assert habit.status_code == 301 and habit.headers["Location"].endswith(link.group(1))
    error_page = text(client.get("/khong-co"))
    assert link.group(0) in error_page


# -- the new-year form --------------------------------------------------------------------------------


def _new_year_options(client) -> list[tuple[str, bool, str]]:
    page = text(client.get("/"))
    form = page.split('id="nam-moi-so-tinh"', 1)[1].split("</select>", 1)[0]
    return [(value, bool(selected), label) for value, selected, label in
            re.findall(r'<option value="([^"]*)"( selected)?[^>]*>([^<]*)</option>', form)]


def test_the_new_year_form_offers_the_latest_workbook_without_errors(app, client, tmp_path):
    store = app.extensions["vanban"].store
    good = book_of(post_workbook(client))
    broken = copy_with(tmp_path, "co-loi.xlsx", Thông_tin_chung__B8="31/02/2017")
    bad = book_of(post_workbook(client, broken.read_bytes(), "co-loi.xlsx"))
    store.note(good, opened="2026-01-01T08:00:00")
    store.note(bad, opened="2026-01-01T09:00:00")  # the one with errors was opened last
    options = _new_year_options(client)
    assert [o[0] for o in options] == [bad, good]
    assert [o[0] for o in options if o[1]] == [good]
    assert "co-loi.xlsx (còn 1 lỗi)" in [o[2] for o in options]
    assert 'value="2019"' in text(client.get("/"))


def test_the_new_year_form_preselects_nothing_when_every_workbook_has_errors(app, client, tmp_path):
    broken = copy_with(tmp_path, "co-loi.xlsx", Thông_tin_chung__B8="31/02/2017")
    bad = book_of(post_workbook(client, broken.read_bytes(), "co-loi.xlsx"))
    options = _new_year_options(client)
    assert options[0] == ("", True, "— chọn sổ tính —")
    assert [o[0] for o in options if o[1]] == [""] and options[1][0] == bad
    page = " ".join(text(client.get("/")).split())
    assert ("Chưa chọn sẵn sổ tính nào: các sổ tính đã mở gần đây đều còn lỗi, mà chỉ sổ tính không còn "
            "lỗi mới chuyển sang năm mới được.") in page


# -- the tracking workbook, edited by the clerk and uploaded back --------------------------------------

EXAMPLES = ROOT / "data" / "vi-du-bao-cao" / "quy-1"


def consolidated(client, book_id: str, names: tuple[str, ...] = ("snv.docx", "stp.docx")) -> None:
    form = {"csrf": token(client), "ky": "quy-1",
            "bao_cao": [(io.BytesIO((EXAMPLES / n).read_bytes()), n) for n in names]}
    response = client.post(f"/w/{book_id}/bao-cao", data=form, content_type="multipart/form-data")
    assert response.status_code == 303, text(response)


def tracking_of(client, book_id: str, period: str = "quy-1") -> openpyxl.Workbook:
    with client.get(f"/w/{book_id}/bao-cao/{period}/tong-hop.xlsx") as response:
        assert response.status_code == 200
        return openpyxl.load_workbook(io.BytesIO(response.get_data()))


def row_of(ws, code: str) -> int:
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == code)


def xlsx(wb: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def post_tracking(client, book_id: str, data: bytes, name: str, period: str = "quy-1"):
    form = {"csrf": token(client), "ky": period, "bang_theo_doi": (io.BytesIO(data), name)}
    return client.post(f"/w/{book_id}/bao-cao/bang-theo-doi", data=form, content_type="multipart/form-data")


def period_folder(app, period: str = "quy-1") -> Path:
    return app.extensions["vanban"].consolidated(2018, period)


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


SHOWN = "Bảng theo dõi báo cáo quý I năm 2018.xlsx"


def test_a_tracking_workbook_edited_by_the_clerk_is_put_back_and_counted(app, client):
    book_id = book_of(post_workbook(client))
    consolidated(client, book_id)
    before = (period_folder(app) / "tong-hop.xlsx").read_bytes()
    page = text(client.get(f"/w/{book_id}/bao-cao?ky=quy-1"))
    assert f'action="/w/{book_id}/bao-cao/bang-theo-doi"' in page
    assert "Văn phòng UBND tỉnh" in page.split('id="chua-gui"', 1)[1].split("</ul>")[0]

    wb = tracking_of(client, book_id)
    receipts = wb["Tiếp nhận"]
    receipts.cell(row_of(receipts, "STP"), 3).value = "09/3/2018"  # the register says it came late
    typed = wb["Nhập tay"]
    typed.append(["VPUBND", "I.1", "Hoàn thành", "Đã ban hành 12 văn bản", "bản giấy"])  # sent on paper
    typed.append(["SNVV", "I.1", "Hoàn thành", "", ""])  # a slip of the keyboard
    response = post_tracking(client, book_id, xlsx(wb), SHOWN)
    assert response.status_code == 303, text(response)
    page = " ".join(text(client.get(response.headers["Location"])).split())
    assert (f"Đã thay bảng theo dõi bằng tệp <strong>{SHOWN}</strong> (1 ngày nhận do văn thư ghi, 2 dòng "
            "nhập tay) và tổng hợp lại quý I.") in page
    missing = page.split('id="chua-gui">', 1)[1].split("</ul>", 1)[0]
    assert "Văn phòng UBND tỉnh" not in missing and "Sở Tài chính" in missing
    late = page.split('id="gui-muon">', 1)[1].split("</ul>", 1)[0]
    assert "Sở Tư pháp — nhận ngày 09/3/2018" in late
    review = page.split('id="can-xem-lai">', 1)[1].split("</ul>", 1)[0]
    assert f"{SHOWN}: Nhập tay!A3: Mã cơ quan SNVV không có trong sheet Cơ quan" in review

    # the consolidation kept the clerk's entries, and the previous workbook is kept aside
    again = tracking_of(client, book_id)
    stp = again["Tiếp nhận"].cell(row_of(again["Tiếp nhận"], "STP"), 3).value
    assert stp.date().isoformat() == "2018-03-09"
    typed_back = [c.value for c in again["Nhập tay"][2]][:4]
    assert typed_back == ["VPUBND", "I.1", "Hoàn thành", "Đã ban hành 12 văn bản"]
    kept = sorted(period_folder(app).glob("tong-hop.sao-luu-*.xlsx"))
    assert before in [p.read_bytes() for p in kept]
    state = json.loads((period_folder(app) / "tong-hop.json").read_text(encoding="utf-8"))
    assert {"agency": "STP", "received": "2018-03-09", "date_source": "clerk", "file": "0002.docx",
            "late": True} in state["receipts"]


def test_a_date_that_cannot_be_read_is_named_at_its_cell_and_nothing_changes(app, client):
    book_id = book_of(post_workbook(client))
    consolidated(client, book_id)
    wb = tracking_of(client, book_id)
    receipts = wb["Tiếp nhận"]
    row = row_of(receipts, "STP")
    receipts.cell(row, 3).value = "31/2/2018"
    before = files_under(period_folder(app).parent.parent)
    response = post_tracking(client, book_id, xlsx(wb), SHOWN)
    assert response.status_code == 400
    alert = " ".join(text(response).split())
    assert f"{SHOWN}: Tiếp nhận!C{row}: ngày nhận «31/2/2018» không đọc được" in alert
    assert "Chưa thay bảng theo dõi; chưa có gì thay đổi." in alert
    assert files_under(period_folder(app).parent.parent) == before


def test_a_file_that_is_not_this_period_s_tracking_workbook_is_refused_by_name(app, client, tmp_path):
    book_id = book_of(post_workbook(client))
    consolidated(client, book_id)
    year_folder = period_folder(app).parent.parent
    before = files_under(year_folder)

    def refused(data: bytes, name: str, words: str, period: str = "quy-1") -> None:
        response = post_tracking(client, book_id, data, name, period)
        assert response.status_code == 400, name
        page = " ".join(text(response).split())
        assert words in page, page[page.find("loi-tong-hop"):][:600]
        assert "Chưa thay bảng theo dõi; chưa có gì thay đổi." in page
        assert files_under(year_folder) == before

    refused(WORKBOOK.read_bytes(), "ke-hoach-cchc-2018.xlsx",
            "ke-hoach-cchc-2018.xlsx không phải bảng theo dõi báo cáo")
    quarter = xlsx(tracking_of(client, book_id))
    refused(quarter, SHOWN, f"{SHOWN} là bảng theo dõi quý I, không phải 6 tháng; hãy chọn kỳ quý I ở ô «Kỳ» "
                            "rồi tải lên lại.", period="6-thang")
    other = tracking_of(client, book_id)
    for prop in other.custom_doc_props:
        if prop.name == "vanban.plan":
            prop.value = "1234/QĐ-UBND"
    refused(xlsx(other), "cua-tinh-khac.xlsx",
            "cua-tinh-khac.xlsx là bảng theo dõi của kế hoạch 1234/QĐ-UBND năm 2018, không phải của kế "
            "hoạch đang mở (3406/QĐ-UBND năm 2018)")
    # hostile files get the workbook checks, named as the clerk named them
    bomb = minimal_xlsx(tmp_path / "bom.xlsx", {"Tiếp nhận": sheet_xml(body=SHARED_CELL)}, BILLION_LAUGHS)
    refused(bomb.read_bytes(), "Bảng theo dõi (1).xlsx", "Bảng theo dõi (1).xlsx")
    refused(b"PK\x03\x04 not really", "hong.xlsx", "hong.xlsx")
    # a tracking workbook made before it said what it is, with another list of agencies
    old = tracking_of(client, book_id)
    old.custom_doc_props = type(old.custom_doc_props)()
    old["Tiếp nhận"].delete_rows(row_of(old["Tiếp nhận"], "STP"))
    refused(xlsx(old), "cu.xlsx", "cu.xlsx không phải bảng theo dõi của kế hoạch đang mở")
    assert post_tracking(client, book_id, b"", "", "quy-1").status_code == 400  # no file chosen


# -- copies kept aside, to download -----------------------------------------------------------------------


def test_the_tracking_workbook_kept_aside_downloads_from_the_period_s_page(app, client):
    book_id = book_of(post_workbook(client))
    consolidated(client, book_id)
    before = (period_folder(app) / "tong-hop.xlsx").read_bytes()
    wb = tracking_of(client, book_id)
    wb["Nhập tay"].append(["VPUBND", "I.1", "Hoàn thành", "", ""])
    edited = xlsx(wb)
    assert post_tracking(client, book_id, edited, "theo dõi đã sửa.xlsx").status_code == 303
    page = text(client.get(f"/w/{book_id}/bao-cao?ky=quy-1"))
    section = page.split('id="ban-luu">', 1)[1].split("</section>", 1)[0]
    links = re.findall(r'<a href="([^"]+)" download>([^<]+)</a>\s*<span class="ghi-chu">\(([^)]+)\)</span>',
                       section)
    assert len(links) == 2  # the one replaced by the upload, and the upload itself, replaced by the new one
    found = {}
    for href, shown, said in links:
        assert re.fullmatch(r"Bảng theo dõi báo cáo quý I năm 2018 \(bản lưu \d\d-\d\d-\d{4} \d\d\.\d\d\.\d\d"
                            r"( \(2\))?\)\.xlsx", shown), shown
        with client.get(href) as response:
            assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
            found[" ".join(said.split())] = response.get_data()
    # each copy says what it is and when it was kept, newest (the clerk's upload) first
    time = r"; lưu lúc \d\d:\d\d:\d\d ngày \d\d/\d\d?/2\d{3}"
    said_upload, said_before = found
    upload = "chính tệp “theo dõi đã sửa.xlsx” bạn tải lên, trước khi tổng hợp lại vào bảng mới"
    assert re.fullmatch(re.escape(upload) + time, said_upload), said_upload
    replaced = "bảng theo dõi đang có trước khi tải lên tệp “theo dõi đã sửa.xlsx”"
    assert re.fullmatch(re.escape(replaced) + time, said_before), said_before
    assert found[said_upload] == edited and found[said_before] == before
    for forged in ("tong-hop/quy-1/tong-hop.xlsx", "../so-tinh", "tong-hop/quy-1/..%2F..%2Fmanifest.json",
                   "/etc/passwd"):
        assert client.get(f"/w/{book_id}/ban-luu/{forged}", follow_redirects=True).status_code == 404


def built(app, book_id: str, force: bool = False) -> None:
    work = app.extensions["vanban"]
    assert work.start_build(work.store.get(book_id), force=force)
    work.wait(2018)


def test_hand_edits_are_named_as_the_page_lists_them_and_their_copies_download(app, client, tmp_path):
    book_id = book_of(post_workbook(client))
    built(app, book_id)
    folder = app.extensions["vanban"].folder(2018)
    edited = folder / "bao-cao" / "quy-1" / "snv.docx"
    clerk_version = edited.read_bytes() + b"\0"  # saved again in Word
    edited.write_bytes(clerk_version)
    changed = copy_with(tmp_path, "ke-hoach-sua.xlsx", Kỳ_báo_cáo__C2="Báo cáo quý I đã sửa")
    second = book_of(post_workbook(client, changed.read_bytes(), "ke-hoach-sua.xlsx"))
    built(app, second)
    page = text(client.get(f"/w/{second}/van-ban"))
    warning = " ".join(page.split('id="sua-tay">', 1)[1].split("</section>", 1)[0].split())
    assert "<strong>Báo cáo quý I của Sở Nội vụ</strong>" in warning
    assert "(tệp “Sở Nội vụ - quý I.docx”)" in warning
    assert "snv.docx" not in warning and "bao-cao/" not in warning and ".bak.docx" not in warning

    built(app, second, force=True)
    page = text(client.get(f"/w/{second}/van-ban"))
    result = page.split('id="ket-qua">', 1)[1].split("</div>", 1)[0]
    shown_text = " ".join(re.sub(r"<[^>]+>", " ", result).split())  # what the clerk reads, not the links
    assert "Bản sửa tay đã được giữ lại" in shown_text and "snv" not in shown_text
    assert "Báo cáo quý I của Sở Nội vụ: Sở Nội vụ - quý I (bản lưu " in shown_text
    listed = page.split('id="ban-luu">', 1)[1].split("</section>", 1)[0]
    assert ("<td>Báo cáo quý I của Sở Nội vụ <span class=\"ghi-chu\">(bản sửa tay, trước khi tạo lại văn bản)"
            "</span></td>") in listed
    [(href, shown)] = re.findall(r'<a href="([^"]+)" download>Tải về<span class="an-di"> ([^<]+)</span>',
                                 listed)
    assert re.fullmatch(r"Sở Nội vụ - quý I \(bản lưu \d\d-\d\d-\d{4} \d\d\.\d\d\.\d\d\)\.docx", shown), shown
    with client.get(href) as response:
        assert response.status_code == 200 and response.get_data() == clerk_version
    assert "snv." not in re.sub(r"<[^>]+>", " ", listed)


def test_a_document_that_cannot_be_written_is_named_by_its_download_name(app, client, monkeypatch):
    book_id = book_of(post_workbook(client))
    real = os.replace

    def locked(source, target, *args, **kwargs):  # Word holds the file open on Windows
        if str(target).endswith("3406-qd-ubnd.docx"):
            raise PermissionError(errno.EACCES, "Permission denied", str(source), None, str(target))
        return real(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", locked)
    built(app, book_id)
    page = " ".join(text(client.get(f"/w/{book_id}/van-ban")).split())
    alert = page.split('<p class="nhieu-dong">', 1)[1].split("</p>", 1)[0]
    assert alert.startswith("Không ghi được “Quyết định 3406-QĐ-UBND (kèm Kế hoạch và Phụ lục).docx”: "
                            "không có quyền ghi (tệp có đang mở trong Word hay Excel"), alert
    data = str(app.extensions["vanban"].root)
    assert data not in alert and "3406-qd-ubnd" not in alert and "van-ban/2018" not in alert
