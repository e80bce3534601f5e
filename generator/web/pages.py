"""What every page shares: the blueprint, the workspace, finding a workbook by its id, downloads."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    send_file,
    url_for,
)

from generator.web.shown import DOCX, XLSX  # noqa: F401 - the pages take them from here
from generator.web.store import StoredWorkbook, display_name
from generator.web.work import Checked, Workspace

pages = Blueprint("pages", __name__)


def work() -> Workspace:
    """The server's workspace (uploads, checks, builds), made by create_app."""
    return current_app.extensions["vanban"]


def book_or_404(book_id: str) -> StoredWorkbook:
    try:
        return work().store.get(book_id)
    except KeyError:
        abort(404, description="Không có sổ tính này trên máy chủ (có thể đường dẫn bị sửa, hoặc thư mục "
                               "dữ liệu đã bị xóa). Hãy tải sổ tính lên lại ở trang đầu.")


def checked_or_404(book_id: str) -> tuple[StoredWorkbook, Checked]:
    book = book_or_404(book_id)
    checked = work().checked(book)
    if book.year is None and checked.year is not None:
        book = work().store.get(book.id)  # the check has just learnt its year
    return book, checked


@pages.get("/w/<book_id>/")
def workbook_home(book_id: str) -> Any:
    """Reopen a workbook from the start page's list: it moves to the top of the list."""
    book = book_or_404(book_id)
    work().store.note(book.id, opened=now())
    return redirect(url_for("pages.problems", book_id=book.id))


@pages.get("/w/<book_id>/so-tinh.xlsx")
def source(book_id: str) -> Response:
    book = book_or_404(book_id)
    return send_file(book.source, mimetype=XLSX, as_attachment=True, download_name=book.name)


def download(data: bytes, name: str, mimetype: str) -> Response:
    """Bytes as a download; Flask sends an ASCII name and the Vietnamese one (RFC 6266 filename*)."""
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True,
                     download_name=display_name(name))


def now() -> str:
    return datetime.now().isoformat(timespec="seconds")
