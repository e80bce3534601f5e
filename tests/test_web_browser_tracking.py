"""The clerk's whole round of the tracking workbook in Debian's chromium: download it, write a received
date and a paper form's answers in Excel's place, upload it back, see the figures change, download
the copy kept aside; and no page load asks the server for something it does not have (the icon)."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl

from tests.conftest import ROOT, WORKBOOK
from tests.test_web_browser import (  # noqa: F401 - the browser and the server of the session
    base_url,
    browser_context_args,
    browser_type_launch_args,
    shot,
    site,
    upload,
)

FORMS = ROOT / "data" / "vi-du-bao-cao" / "quy-1"


def test_the_tracking_workbook_goes_back_through_the_page(page, site, tmp_path):  # noqa: F811
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    upload(page, site, WORKBOOK)
    page.wait_for_url("**/kiem-tra")
    page.get_by_role("link", name="Báo cáo nhận về").click()
    forms = [str(FORMS / name) for name in ("snv.docx", "stp.docx", "sct.docx")]
    page.set_input_files("input[name=bao_cao]", forms)
    page.get_by_role("button", name="Tải lên và tổng hợp").click()
    page.locator("#da-tong-hop").wait_for(timeout=180_000)
    assert "Văn phòng UBND tỉnh" in page.locator("#chua-gui").inner_text()

    with page.expect_download() as info:
        page.get_by_role("link", name="Bảng theo dõi báo cáo quý I năm 2018.xlsx").click()
    edited = tmp_path / info.value.suggested_filename
    info.value.save_as(edited)
    wb = openpyxl.load_workbook(edited)
    receipts = wb["Tiếp nhận"]
    stp = next(r for r in range(2, receipts.max_row + 1) if receipts.cell(r, 1).value == "STP")
    receipts.cell(stp, 3).value = "09/3/2018"
    wb["Nhập tay"].append(["VPUBND", "I.1", "Hoàn thành", "Đã ban hành 12 văn bản", "bản giấy"])
    wb.save(edited)

    box = page.locator("#bang-theo-doi")
    box.scroll_into_view_if_needed()
    page.set_input_files("input[name=bang_theo_doi]", str(edited))
    assert box.locator("#ten-bang-theo-doi").inner_text() == edited.name
    shot(page, "4d-tracking-chosen")
    box.get_by_role("button", name="Tải bảng lên và tổng hợp lại").click()
    done = page.locator("#da-thay-bang")
    done.wait_for(timeout=180_000)
    assert (f"Đã thay bảng theo dõi bằng tệp {edited.name} (1 ngày nhận do văn thư ghi, 1 dòng nhập tay) "
            "và tổng hợp lại quý I.") in " ".join(done.inner_text().split())
    shot(page, "4e-tracking-replaced")
    assert "Văn phòng UBND tỉnh" not in page.locator("#chua-gui").inner_text()
    assert "Sở Tư pháp — nhận ngày 09/3/2018" in page.locator("#gui-muon").inner_text()

    kept = page.locator("#ban-luu")
    kept.scroll_into_view_if_needed()
    shot(page, "4f-tracking-backups")
    with page.expect_download() as info:
        kept.get_by_role("link").last.click()
    assert info.value.suggested_filename.startswith("Bảng theo dõi báo cáo quý I năm 2018 (bản lưu ")
    before = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    assert "Tiếp nhận" in before.sheetnames

    # a wrong file: one line naming it, nothing replaced
    page.set_input_files("input[name=bang_theo_doi]", str(WORKBOOK))
    page.locator("#bang-theo-doi").get_by_role("button", name="Tải bảng lên và tổng hợp lại").click()
    alert = page.locator("#loi-tong-hop")
    alert.wait_for()
    assert "ke-hoach-cchc-2018.xlsx không phải bảng theo dõi báo cáo" in alert.inner_text()
    shot(page, "4g-tracking-refused")
    assert [f for f in failed if "/bang-theo-doi" not in f] == []  # the refusal itself is a 400
