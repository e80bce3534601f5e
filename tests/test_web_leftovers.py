"""What the audit of the clerks' page found missing, through Flask's test client: the icon, the
new-year form's choice, the server's paths kept off the page, backups to download, and the tracking
workbook uploaded back."""

from __future__ import annotations

import re

import pytest

from generator.web import create_app
from tests.test_check_cli import copy_with
from tests.test_web_routes import post_workbook, text


@pytest.fixture()
def app(tmp_path):
    app = create_app(tmp_path / "data")
    app.config["TESTING"] = False  # errors go through the handlers as they do for a clerk
    return app


@pytest.fixture()
def client(app):
    return app.test_client()


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
