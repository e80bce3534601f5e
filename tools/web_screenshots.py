"""Screenshots of the clerks' page for the README: problems, documents, reports returned.

Starts the page on a free loopback port over a fresh data folder, drives Debian's chromium, uploads
the shipped workbook, builds it, consolidates the example forms of quý I, and writes
docs/img/trang-kiem-tra.png, trang-van-ban.png and trang-bao-cao-nhan-ve.png at 1366×768.
Run: .venv/bin/python tools/web_screenshots.py
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from waitress.server import create_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.web import create_app  # noqa: E402

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


def main() -> None:
    target = ROOT / "docs" / "img"
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vanban-anh-") as tmp:
        os.chdir(tmp)  # the documents page shows its folder relative to where the server started
        server = create_server(create_app(Path(tmp) / "out" / "web"), host="127.0.0.1", port=0)
        threading.Thread(target=server.run, daemon=True).start()
        url = f"http://127.0.0.1:{server.effective_port}"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                        args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="vi-VN")
            page.goto(url + "/")
            page.set_input_files("input[name=so_tinh]", str(ROOT / "data" / "ke-hoach-cchc-2018.xlsx"))
            page.get_by_role("button", name="Tải lên và kiểm tra").click()
            page.wait_for_url("**/kiem-tra")
            page.screenshot(path=str(target / "trang-kiem-tra.png"))
            page.get_by_role("link", name="Văn bản").first.click()
            page.get_by_role("button", name="Tạo văn bản").click()
            page.locator("#ket-qua").wait_for(timeout=120_000)
            page.screenshot(path=str(target / "trang-van-ban.png"))
            page.get_by_role("link", name="Báo cáo nhận về").click()
            forms = sorted((ROOT / "data" / "vi-du-bao-cao" / "quy-1").glob("*.docx"))
            page.set_input_files("input[name=bao_cao]", [str(f) for f in forms])
            page.get_by_role("button", name="Tải lên và tổng hợp").click()
            page.locator("#da-tong-hop").wait_for(timeout=300_000)
            # from the figures of who sent, down to the chart of the tasks
            page.evaluate("window.scrollTo(0, [...document.querySelectorAll('h2')]"
                          ".find(h => h.textContent.includes('Tình hình gửi')).offsetTop - 16)")
            page.wait_for_timeout(300)
            page.screenshot(path=str(target / "trang-bao-cao-nhan-ve.png"))
            browser.close()
        server.close()
        os.chdir(ROOT)
    print(f"đã ghi {target / 'trang-kiem-tra.png'}, {target / 'trang-van-ban.png'} và "
          f"{target / 'trang-bao-cao-nhan-ve.png'}")


if __name__ == "__main__":
    main()
