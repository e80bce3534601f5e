"""Page 4: the agencies' returned forms, consolidated by `vanban collect`'s pipeline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Response, abort, redirect, render_template, request, send_file, url_for

from generator.collect.tracking import JSON
from generator.collect.tracking import WORKBOOK as TRACKING
from generator.errors import ERROR, Problem, ProblemsFound, VanbanError
from generator.web.pages import (
    checked_or_404,
    pages,
    work,
)
from generator.web.received import Upload
from generator.web.shown import RETURNED_DOWNLOADS, known_files
from generator.web.work import Checked


def _refused(book_id: str, code: str, exc: VanbanError) -> Any:
    """The period's page again, saying why an upload was refused (each problem listed, if several)."""
    if isinstance(exc, ProblemsFound):
        return _returned_page(book_id, str(exc).split("\n", 1)[0], exc.problems, 400, code)
    return _returned_page(book_id, exc.format_message(), (), 400, code)


def _posted_period(checked: Checked) -> Any:
    """The period a form of the page was sent for: one of the workbook's, else the request fails."""
    period = _period(checked, request.form.get("ky", ""))
    if period is None or period.code != request.form.get("ky", ""):
        abort(400, description="Kỳ báo cáo không có trong sổ tính; hãy chọn lại kỳ ở trang Báo cáo nhận về.")
    return period


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
    book, checked = checked_or_404(book_id)
    period = _period(checked, period_code or request.args.get("ky", ""))
    data, downloads, received, kept = None, [], [], []
    if period is not None and checked.year:
        known = known_files(checked.result.plan, checked.named)
        kept = work().backups(checked.year, known, period.code)
        folder = work().consolidated(checked.year, period.code)
        data = _read_json(folder / JSON)
        downloads = [(name, shown.format(period=period.name, year=checked.year))
                     for name, (shown, _) in RETURNED_DOWNLOADS.items() if (folder / name).is_file()]
        box = work().received(checked.year)
        received = box.listed()
        if data is not None:
            tracking = RETURNED_DOWNLOADS[TRACKING][0].format(period=period.name, year=checked.year)
            data = _clerk_names(data, box, tracking)
    page = render_template("returned.html", book=book, checked=checked, period=period, data=data,
                           downloads=downloads, received=received, error=error, problems=problems, kept=kept,
                           errors=checked.result.count(ERROR), fresh=request.args.get("moi", ""),
                           same=_count(request.args.get("trung")), used=_count(request.args.get("dung")),
                           tracking=request.args.get("bang", ""), dates=_count(request.args.get("ngay")),
                           typed=_count(request.args.get("tay")),
                           names={a.get("code"): a.get("name") for a in (data or {}).get("agencies", [])})
    return (page, status) if status != 200 else page


@pages.post("/w/<book_id>/bao-cao")
def collect_returned(book_id: str) -> Any:
    book, checked = checked_or_404(book_id)
    period = _posted_period(checked)
    dates = _dates(request.form.get("ngay_sua", ""))
    uploads = [Upload(f.read(), f.filename or "", dates[i] if i < len(dates) else None)
               for i, f in enumerate(request.files.getlist("bao_cao")) if f.filename]
    try:
        done = work().collect(book, period.code, uploads)
    except VanbanError as exc:
        return _refused(book.id, period.code, exc)
    return redirect(url_for("pages.returned", book_id=book.id, ky=period.code, moi=done.kept,
                            trung=done.same, dung=done.used), 303)


@pages.post("/w/<book_id>/bao-cao/bang-theo-doi")
def tracking_upload(book_id: str) -> Any:
    """The period's tracking workbook as the clerk edited it, put back; then consolidate again."""
    book, checked = checked_or_404(book_id)
    period = _posted_period(checked)
    file = request.files.get("bang_theo_doi")
    if file is None or not file.filename:
        return _returned_page(book.id, "Chưa chọn tệp: bấm “Chọn bảng theo dõi…” rồi chọn tệp .xlsx đã sửa.",
                              (), 400, period.code)
    try:
        done = work().replace_tracking(book, period.code, file.read(), file.filename)
    except VanbanError as exc:
        return _refused(book.id, period.code, exc)
    return redirect(url_for("pages.returned", book_id=book.id, ky=period.code, bang=done.name,
                            ngay=done.dates, tay=done.typed), 303)


@pages.get("/w/<book_id>/bao-cao/<period_code>/<name>")
def returned_file(book_id: str, period_code: str, name: str) -> Response:
    book, checked = checked_or_404(book_id)
    period = _period(checked, period_code)
    if period is None or period.code != period_code or name not in RETURNED_DOWNLOADS or checked.year is None:
        abort(404)
    file = work().consolidated(checked.year, period.code) / name
    if not file.is_file():
        abort(404, description="Chưa có tệp này: hãy tải báo cáo lên và tổng hợp trước.")
    shown, mimetype = RETURNED_DOWNLOADS[name]
    return send_file(file, mimetype=mimetype, as_attachment=True,
                     download_name=shown.format(period=period.name, year=checked.year))


def _count(text: str | None) -> int | None:
    """A count the page passed itself in its address (None when absent or not a count)."""
    return int(text) if text and text.isdigit() and len(text) < 7 else None


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


def _clerk_names(data: dict[str, Any], box: Any, tracking: str) -> dict[str, Any]:
    """The consolidation's file names as the clerk knows the files: the forms by the names they were
    uploaded under, the tracking workbook by its download name (its cells: `…xlsx: Nhập tay!A5`)."""
    for receipt in data.get("receipts", []):
        receipt["file"] = box.shown(str(receipt.get("file", "")))
    for problem in data.get("problems", []):
        message = box.shown(str(problem.get("message", "")))
        problem["message"] = message.replace(f"{TRACKING}: ", f"{tracking}: ")
    return data
