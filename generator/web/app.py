"""The pages: start, problems, documents; each route calls the same functions as the command line."""

from __future__ import annotations

import hmac
import io
import json
import logging
import secrets
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException

from generator import pipeline
from generator.checks.plan import summary
from generator.collect.summary import REMINDER, SUMMARY
from generator.collect.tracking import JSON
from generator.collect.tracking import WORKBOOK as TRACKING
from generator.errors import ERROR, INFO, WARNING, Problem, ProblemsFound, VanbanError
from generator.pipeline import DEFAULT_TEMPLATES
from generator.text import vn
from generator.web.names import REPORT, Named, capital, year_zip, zip_name
from generator.web.preview import first_page_png, html_of, office_available
from generator.web.returned import Upload
from generator.web.store import StoredWorkbook, display_name
from generator.web.work import Checked, Workspace
from generator.workbook import blank, rollover
from generator.workbook.annotate import annotated_copy
from generator.workbook.filecheck import LIMITS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# the workbook itself, plus room for the form around it
MAX_UPLOAD = LIMITS.file_bytes + 1024 * 1024
SEVERITIES = {"loi": ERROR, "canh-bao": WARNING, "thong-tin": INFO}
SEVERITY_CLASS = {ERROR: "loi", WARNING: "canh-bao", INFO: "thong-tin"}
_log = logging.getLogger(__name__)

pages = Blueprint("pages", __name__)


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
    app.register_blueprint(pages)
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


def work() -> Workspace:
    return current_app.extensions["vanban"]


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
    limit = _size(current_app.config["MAX_CONTENT_LENGTH"])
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


# -- page 1: start ---------------------------------------------------------------------------------


@pages.get("/")
def start() -> str:
    return _start_page()


def _start_page(error: str = "", status: int = 200) -> Any:
    books = work().store.recent()
    page = render_template("start.html", books=books, error=error, next_year=_next_year(books))
    return (page, status) if status != 200 else page


def _next_year(books: list[StoredWorkbook]) -> int:
    years = [b.year for b in books if b.year]
    return (years[0] + 1) if years else 2019


@pages.post("/tai-len")
def upload() -> Any:
    file = request.files.get("so_tinh")
    if file is None or not file.filename:
        return _start_page("Chưa chọn tệp sổ tính: bấm “Chọn sổ tính…” rồi chọn tệp .xlsx.", 400)
    try:
        book = work().store.add(file.read(), file.filename)
    except VanbanError as exc:
        return _start_page(exc.format_message(), 400)
    return redirect(url_for("pages.problems", book_id=book.id), 303)


@pages.get("/so-tinh-trong.xlsx")
def blank_workbook() -> Response:
    buffer = io.BytesIO()
    blank.build_workbook().save(buffer)
    return _download(buffer.getvalue(), "Sổ tính kế hoạch (mẫu trống).xlsx", XLSX)


@pages.post("/nam-moi")
def new_year() -> Any:
    book = _book(request.form.get("so_tinh", ""))
    try:
        year = int(request.form.get("nam", ""))
    except ValueError:
        year = 0
    if not 1900 <= year <= 2200:
        return _start_page("Năm mới phải là một số từ 1900 đến 2200, ví dụ 2019.", 400)
    result = pipeline.new_year(book.source, year)
    buffer = io.BytesIO()
    result.workbook.save(buffer)
    stem = book.name.rsplit(".", 1)[0]
    name = stem.replace(str(result.source_year), str(year)) if str(result.source_year) in stem \
        else f"{stem} - năm {year}"
    rolled = work().store.add(buffer.getvalue(), f"{name}.xlsx")
    return render_template("new_year.html", book=rolled, source=book, result=result,
                           changes_sheet=rollover.CHANGES_SHEET)


# -- one workbook -----------------------------------------------------------------------------------


def _book(book_id: str) -> StoredWorkbook:
    try:
        return work().store.get(book_id)
    except KeyError:
        abort(404, description="Không có sổ tính này trên máy chủ (có thể đường dẫn bị sửa, hoặc thư mục "
                               "dữ liệu đã bị xóa). Hãy tải sổ tính lên lại ở trang đầu.")


def _checked(book_id: str) -> tuple[StoredWorkbook, Checked]:
    book = _book(book_id)
    checked = work().checked(book)
    if book.year is None and checked.year is not None:
        book = work().store.get(book.id)  # the check has just learnt its year
    return book, checked


@pages.get("/w/<book_id>/")
def workbook_home(book_id: str) -> Any:
    """Reopen a workbook from the start page's list: it moves to the top of the list."""
    book = _book(book_id)
    work().store.note(book.id, opened=_now())
    return redirect(url_for("pages.problems", book_id=book.id))


@pages.get("/w/<book_id>/so-tinh.xlsx")
def source(book_id: str) -> Response:
    book = _book(book_id)
    return send_file(book.source, mimetype=XLSX, as_attachment=True, download_name=book.name)


# -- page 2: problems -------------------------------------------------------------------------------


@pages.get("/w/<book_id>/kiem-tra")
def problems(book_id: str) -> str:
    book, checked = _checked(book_id)
    every = checked.result.problems
    sheets = sorted({p.loc.sheet for p in every if p.loc}, key=lambda s: _first_index(every, s))
    wanted = SEVERITIES.get(request.args.get("muc", ""), "")
    sheet = request.args.get("sheet", "")
    sheet = sheet if sheet in sheets else ""
    shown = [p for p in every if (not wanted or p.severity == wanted)
             and (not sheet or (p.loc is not None and p.loc.sheet == sheet))]
    counts = {s: checked.result.count(s) for s in (ERROR, WARNING, INFO)}
    return render_template("problems.html", book=book, checked=checked, problems=shown, total=len(every),
                           counts=counts, summary=summary(every), sheets=sheets, sheet=sheet,
                           muc=request.args.get("muc", "") if wanted else "", severities=SEVERITIES,
                           cell_text=lambda p: _cell_text(checked, p))


def _first_index(problems: tuple[Problem, ...], sheet: str) -> int:
    return next(i for i, p in enumerate(problems) if p.loc and p.loc.sheet == sheet)


def _cell_text(checked: Checked, problem: Problem) -> Markup:
    """The cell's text around what the problem found, that part marked."""
    text = checked.cells.get(str(problem.loc), "") if problem.loc else ""
    found, width = problem.found, 300
    at = text.find(found) if found else -1
    if at < 0:
        return escape(text if len(text) <= width else text[: width - 1] + "…")
    start = max(0, at - max(0, width - len(found)) // 2)
    end = min(len(text), max(at + len(found), start + width))
    before, after = ("…" if start else ""), ("…" if end < len(text) else "")
    middle = text[start:at], found, text[at + len(found):end]
    return Markup("{}{}<mark>{}</mark>{}{}").format(before, *middle, after)


@pages.get("/w/<book_id>/kiem-tra/ban-danh-dau.xlsx")
def annotated(book_id: str) -> Response:
    book = _book(book_id)
    checked = work().checked(book)
    buffer = io.BytesIO()
    annotated_copy(book.source, checked.result.problems).save(buffer)
    stem = book.name.rsplit(".", 1)[0]
    return _download(buffer.getvalue(), f"{stem} (kết quả kiểm tra).xlsx", XLSX)


# -- page 3: documents ------------------------------------------------------------------------------


@pages.get("/w/<book_id>/van-ban")
def documents(book_id: str) -> str:
    book, checked = _checked(book_id)
    run = work().run(checked.year)
    if run is not None and run.finished and run.book_id != book.id:
        run = None  # the result of another upload's build is not this workbook's news
    folder = work().folder(checked.year) if checked.year else None
    last = work().last_build(checked.year) if checked.year else {}
    built = [n for n in checked.named if folder is not None and (folder / n.path).is_file()]
    reports = [n for n in built if n.kind == REPORT]
    periods = list(dict.fromkeys(n.period for n in reports))
    forms: dict[str, dict[str, Named]] = {}  # agency → period → its form
    for item in reports:
        forms.setdefault(item.agency, {})[item.period] = item
    return render_template("documents.html", book=book, checked=checked, run=run, folder=folder, last=last,
                           built=built, others=[n for n in built if n.kind != REPORT], periods=periods,
                           forms=forms, reports=len(reports), errors=checked.result.count(ERROR))


@pages.post("/w/<book_id>/tao")
def start_build(book_id: str) -> Any:
    book = _book(book_id)
    force = request.form.get("ghi_de") == "1"
    if force and request.form.get("dong_y") != "1":
        abort(400, description="Chưa ghi đè: hãy đánh dấu ô “Tôi đồng ý ghi đè…” để xác nhận rằng các "
                               "văn bản đã sửa tay sẽ được tạo lại (bản đang có được giữ lại bên cạnh).")
    work().start_build(book, force=force)  # a build already under way: the page shows its progress
    return redirect(url_for("pages.documents", book_id=book.id), 303)


@pages.get("/w/<book_id>/tao/trang-thai")
def build_status(book_id: str) -> Response:
    run = work().run(work().checked(_book(book_id)).year)
    return jsonify(run.status() if run else {"finished": True, "stage": "", "done": 0, "total": 0})


def _named(book: StoredWorkbook, path: str) -> tuple[Named, Path]:
    """A built document by its path in the year folder: looked up in the plan's list, never joined."""
    checked = work().checked(book)
    for item in checked.named:
        if item.path == path:
            file = work().folder(checked.year) / item.path
            if file.is_file():
                return item, file
    abort(404, description="Không có văn bản này (chưa tạo, hoặc đường dẫn bị sửa).")


@pages.get("/w/<book_id>/van-ban/tep/<path:path>")
def document_file(book_id: str, path: str) -> Response:
    item, file = _named(_book(book_id), path)
    return send_file(file, mimetype=XLSX if file.suffix == ".xlsx" else DOCX, as_attachment=True,
                     download_name=item.file_name)


@pages.get("/w/<book_id>/van-ban/xem/<path:path>")
def document_preview(book_id: str, path: str) -> str:
    book = _book(book_id)
    item, file = _named(book, path)
    picture = file.suffix == ".docx" and office_available() and request.args.get("kieu") != "chu"
    return render_template("preview.html", book=book, item=item, picture=picture,
                           text=None if picture else html_of(file),
                           office=office_available() and file.suffix == ".docx")


@pages.get("/w/<book_id>/van-ban/anh/<path:path>")
def document_picture(book_id: str, path: str) -> Response:
    book = _book(book_id)
    item, file = _named(book, path)
    if file.suffix != ".docx" or not office_available():
        abort(404)
    png = first_page_png(file, work().previews)
    return send_file(png, mimetype="image/png", max_age=3600)


@pages.get("/w/<book_id>/van-ban/ca-nam.zip")
def year_archive(book_id: str) -> Response:
    book = _book(book_id)
    checked = work().checked(book)
    plan = checked.result.plan
    if plan is None or not checked.year:
        abort(404, description="Sổ tính còn lỗi nên chưa có văn bản để tải về.")
    folder = work().folder(checked.year)
    built = [n for n in checked.named if (folder / n.path).is_file()]
    if not built:
        abort(404, description="Chưa tạo văn bản nào: bấm “Tạo văn bản” trước.")
    name = zip_name(plan)
    return _download(year_zip(folder, built, name.rsplit(".", 1)[0]), name, "application/zip")


# -- page 4: reports returned ----------------------------------------------------------------------

# what a consolidation writes, as the clerk downloads it (the .json is for programs)
RETURNED_DOWNLOADS = {
    SUMMARY: ("Báo cáo tổng hợp {period} năm {year}.docx", DOCX),
    REMINDER: ("Công văn đôn đốc {period} năm {year}.docx", DOCX),
    TRACKING: ("Bảng theo dõi báo cáo {period} năm {year}.xlsx", XLSX),
}


def _period(checked: Checked, code: str) -> Any:
    plan = checked.result.plan
    periods = list(plan.periods) if plan else []
    chosen = next((p for p in periods if p.code == code), None)
    if chosen is None and checked.year:  # the last period consolidated, else the first
        done = [p for p in periods if (work().consolidated(checked.year, p.code) / JSON).is_file()]
        chosen = done[-1] if done else (periods[0] if periods else None)
    return chosen


@pages.get("/w/<book_id>/bao-cao")
def returned(book_id: str) -> str:
    return _returned_page(book_id)


def _returned_page(book_id: str, error: str = "", problems: tuple[Problem, ...] = (), status: int = 200,
                   period_code: str = "") -> Any:
    book, checked = _checked(book_id)
    period = _period(checked, period_code or request.args.get("ky", ""))
    data, downloads, received = None, [], []
    if period is not None and checked.year:
        folder = work().consolidated(checked.year, period.code)
        data = _read_json(folder / JSON)
        downloads = [(name, shown.format(period=period.name, year=checked.year))
                     for name, (shown, _) in RETURNED_DOWNLOADS.items() if (folder / name).is_file()]
        box = work().received(checked.year)
        received = box.listed()
        if data is not None:
            data = _clerk_names(data, box)
    page = render_template("returned.html", book=book, checked=checked, period=period, data=data,
                           downloads=downloads, received=received, error=error, problems=problems,
                           errors=checked.result.count(ERROR), fresh=request.args.get("moi", ""),
                           names={a.get("code"): a.get("name") for a in (data or {}).get("agencies", [])})
    return (page, status) if status != 200 else page


@pages.post("/w/<book_id>/bao-cao")
def collect_returned(book_id: str) -> Any:
    book, checked = _checked(book_id)
    period = _period(checked, request.form.get("ky", ""))
    if period is None or period.code != request.form.get("ky", ""):
        abort(400, description="Kỳ báo cáo không có trong sổ tính; hãy chọn lại kỳ ở trang Báo cáo nhận về.")
    dates = _dates(request.form.get("ngay_sua", ""))
    uploads = [Upload(f.read(), f.filename or "", dates[i] if i < len(dates) else None)
               for i, f in enumerate(request.files.getlist("bao_cao")) if f.filename]
    try:
        work().collect(book, period.code, uploads)
    except ProblemsFound as exc:
        return _returned_page(book.id, str(exc).split("\n", 1)[0], exc.problems, 400, period.code)
    except VanbanError as exc:
        return _returned_page(book.id, exc.format_message(), (), 400, period.code)
    return redirect(url_for("pages.returned", book_id=book.id, ky=period.code, moi=len(uploads)), 303)


@pages.get("/w/<book_id>/bao-cao/<period_code>/<name>")
def returned_file(book_id: str, period_code: str, name: str) -> Response:
    book, checked = _checked(book_id)
    period = _period(checked, period_code)
    if period is None or period.code != period_code or name not in RETURNED_DOWNLOADS:
        abort(404)
    file = work().consolidated(checked.year, period.code) / name
    if not file.is_file():
        abort(404, description="Chưa có tệp này: hãy tải báo cáo lên và tổng hợp trước.")
    shown, mimetype = RETURNED_DOWNLOADS[name]
    return send_file(file, mimetype=mimetype, as_attachment=True,
                     download_name=shown.format(period=period.name, year=checked.year))


def _dates(text: str) -> list[float | None]:
    """The files' own dates the page's script sends (File.lastModified, in ms), in upload order."""
    try:
        values = json.loads(text) if text else []
    except ValueError:
        return []
    found: list[float | None] = []
    for v in values if isinstance(values, list) else []:
        ok = isinstance(v, int | float) and 0 < v < 4_102_444_800_000  # before 2100
        found.append(v / 1000 if ok else None)
    return found


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _clerk_names(data: dict[str, Any], box: Any) -> dict[str, Any]:
    """The consolidation's file names as the clerk named the files."""
    for receipt in data.get("receipts", []):
        receipt["file"] = box.shown(str(receipt.get("file", "")))
    for problem in data.get("problems", []):
        problem["message"] = box.shown(str(problem.get("message", "")))
    return data


# -- helpers ----------------------------------------------------------------------------------------


def _download(data: bytes, name: str, mimetype: str) -> Response:
    """Bytes as a download; Flask sends an ASCII name and the Vietnamese one (RFC 6266 filename*)."""
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True,
                     download_name=display_name(name))


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


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")
