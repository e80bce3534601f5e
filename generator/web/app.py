"""The web application: its factory, the CSRF check, the error pages, the filters the pages use.

The pages themselves are start.py, problems.py, documents.py and returned.py (page 1 to 4); each
route calls the same functions as a command of cli.py.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from datetime import date
from pathlib import Path

from flask import (
    Flask,
    abort,
    render_template,
    request,
    session,
)
from werkzeug.exceptions import HTTPException

import generator.web.documents  # noqa: F401 - the four pages put their routes on `pages`
import generator.web.problems  # noqa: F401
import generator.web.returned  # noqa: F401
import generator.web.start  # noqa: F401
from generator import DEFAULT_TEMPLATES
from generator.errors import VanbanError
from generator.text import vn
from generator.web.names import capital
from generator.web.pages import pages
from generator.web.problems import SEVERITY_CLASS
from generator.web.work import Workspace
from generator.workbook.filecheck import LIMITS

# the workbook itself, plus room for the form around it
MAX_UPLOAD = LIMITS.file_bytes + 1024 * 1024
_log = logging.getLogger(__name__)


def create_app(data: Path, templates: Path = DEFAULT_TEMPLATES) -> Flask:
    """The web application over the server's own folder `data` (uploads, builds, previews)."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secrets.token_bytes(32),  # a new one per start: forms of an old page ask to reload
        MAX_CONTENT_LENGTH=MAX_UPLOAD,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_HTTPONLY=True,
        TEMPLATES_AUTO_RELOAD=False,
    )
    app.extensions["vanban"] = Workspace(data, templates)
    app.register_blueprint(pages)  # with the routes of the four page modules imported above
    app.jinja_env.globals.update(csrf_token=csrf_token, severity_class=SEVERITY_CLASS)
    app.jinja_env.filters["size"] = _size
    app.jinja_env.filters["capital"] = capital
    app.jinja_env.filters["shown_path"] = _shown_path
    app.jinja_env.filters["date"] = _date
    app.jinja_env.filters["percent"] = _percent
    app.before_request(_check_csrf)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(VanbanError, _user_error)
    app.register_error_handler(Exception, _unexpected_error)
    for name in app.jinja_env.list_templates():  # compiled once, before the first page is asked
        app.jinja_env.get_template(name)
    return app


# -- CSRF: a token in the session, the same in every form that changes something -----------------


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _check_csrf() -> None:
    if request.method != "POST":
        return
    expected, sent = session.get("csrf", ""), request.form.get("csrf", "")
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        abort(400, description="Trang này đã cũ hoặc không do chương trình mở ra (thiếu mã xác nhận "
                               "của biểu mẫu). Hãy tải lại trang rồi làm lại; chưa có gì thay đổi.")


# -- errors: a Vietnamese page, never a traceback ------------------------------------------------

_HTTP_MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    404: "Không có trang hoặc tệp này. Có thể sổ tính chưa được tải lên, hoặc đường dẫn đã bị sửa.",
    405: "Trang này không nhận cách gửi đó; hãy dùng các nút trên trang.",
    413: "Tệp quá lớn: mỗi lần tải lên không được quá {limit}. Sổ tính kế hoạch bình thường chỉ vài "
         "trăm KB; hãy xóa ảnh và các sheet không dùng rồi thử lại. Chưa lưu tệp nào.",
}


def _http_error(exc: HTTPException) -> tuple[str, int]:
    code = exc.code or 500
    default = type(exc).description
    message = exc.description if exc.description and exc.description != default else \
        _HTTP_MESSAGES.get(code, "Có lỗi khi xử lý yêu cầu.")
    limit = _size(LIMITS.file_bytes)  # the file's limit; the request may carry a little more
    return _error_page(code, message.replace("{limit}", limit))


def _user_error(exc: VanbanError) -> tuple[str, int]:
    return _error_page(400, exc.format_message())


def _unexpected_error(exc: Exception) -> tuple[str, int]:
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    _log.exception("unexpected error on %s", request.path)
    return _error_page(500, "Chương trình gặp lỗi không mong đợi; chưa có gì bị ghi đè. Hãy thử lại; "
                            "nếu vẫn lỗi, gửi cho người cài đặt nội dung hiện trong cửa sổ dòng lệnh.")


def _error_page(code: int, message: str) -> tuple[str, int]:
    return render_template("error.html", code=code, message=message), code


# -- helpers ----------------------------------------------------------------------------------------


def _size(n: int) -> str:
    if n < 1024 * 1024:
        return f"{max(1, round(n / 1024))} KB"
    return f"{n / 1024 / 1024:.0f} MB"


def _shown_path(path: Path) -> str:
    """A folder as the person who started the server sees it: relative to where they started it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _date(iso: str | None) -> str:
    """2018-03-05 → 05/3/2018, as the plan writes dates."""
    if not iso:
        return ""
    try:
        return vn.date_short(date.fromisoformat(str(iso)[:10]))
    except ValueError:
        return str(iso)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%".replace(".", ",")

