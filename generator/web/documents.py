"""Page 3: build (in the background, with progress), the documents, their previews, the year's .zip."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Response, abort, jsonify, redirect, render_template, request, send_file, url_for

from generator.errors import ERROR
from generator.web.names import REPORT, Named, year_zip, zip_name
from generator.web.pages import (
    DOCX,
    XLSX,
    book_or_404,
    checked_or_404,
    download,
    pages,
    work,
)
from generator.web.preview import first_page_png, html_of, office_available
from generator.web.shown import known_files
from generator.web.store import StoredWorkbook


@pages.get("/w/<book_id>/van-ban")
def documents(book_id: str) -> str:
    book, checked = checked_or_404(book_id)
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
    known = known_files(checked.result.plan, checked.named)
    kept = work().backups(checked.year, known)
    by_path = {b.path: b for b in kept}
    result = run.result if run is not None else None
    new_backups = [by_path[p] for p in _relative(folder, result.backups if result else ()) if p in by_path]
    left = [known[p] for p in _relative(folder, result.kept if result else ()) if p in known]
    return render_template("documents.html", book=book, checked=checked, run=run, folder=folder, last=last,
                           built=built, others=[n for n in built if n.kind != REPORT], periods=periods,
                           forms=forms, reports=len(reports), errors=checked.result.count(ERROR),
                           backups=kept, new_backups=new_backups, left=left)


def _relative(folder: Path | None, paths: tuple[Path, ...]) -> list[str]:
    """Paths of a build's result as the year folder's POSIX keys."""
    found = []
    for path in paths:
        try:
            found.append(path.resolve().relative_to(folder.resolve()).as_posix() if folder else "")
        except ValueError:
            continue
    return found


@pages.get("/w/<book_id>/ban-luu/<path:path>")
def backup_file(book_id: str, path: str) -> Response:
    """A copy kept aside, looked up among those the year folder holds, never joined to a folder."""
    book, checked = checked_or_404(book_id)
    folder = work().folder(checked.year) if checked.year else None
    found = next((b for b in work().backups(checked.year, known_files(checked.result.plan, checked.named))
                  if b.path == path), None)
    if found is None or folder is None:
        abort(404, description="Không có bản lưu này (đường dẫn bị sửa, hoặc bản lưu đã bị xóa khỏi máy).")
    return send_file(folder / found.path, mimetype=XLSX if found.path.endswith(".xlsx") else DOCX,
                     as_attachment=True, download_name=found.download_name)


@pages.post("/w/<book_id>/tao")
def start_build(book_id: str) -> Any:
    book = book_or_404(book_id)
    force = request.form.get("ghi_de") == "1"
    if force and request.form.get("dong_y") != "1":
        abort(400, description="Chưa ghi đè: hãy đánh dấu ô “Tôi đồng ý ghi đè…” để xác nhận rằng các "
                               "văn bản đã sửa tay sẽ được tạo lại (bản đang có được giữ lại bên cạnh).")
    work().start_build(book, force=force)  # a build already under way: the page shows its progress
    return redirect(url_for("pages.documents", book_id=book.id), 303)


@pages.get("/w/<book_id>/tao/trang-thai")
def build_status(book_id: str) -> Response:
    run = work().run(work().checked(book_or_404(book_id)).year)
    return jsonify(run.status() if run else {"finished": True, "stage": "", "done": 0, "total": 0})


def _named(book: StoredWorkbook, path: str) -> tuple[Named, Path]:
    """A built document by its path in the year folder: looked up in the plan's list, never joined."""
    checked = work().checked(book)
    for item in checked.named:
        if item.path == path and checked.year is not None:  # a plan with documents has its year
            file = work().folder(checked.year) / item.path
            if file.is_file():
                return item, file
    abort(404, description="Không có văn bản này (chưa tạo, hoặc đường dẫn bị sửa).")


@pages.get("/w/<book_id>/van-ban/tep/<path:path>")
def document_file(book_id: str, path: str) -> Response:
    item, file = _named(book_or_404(book_id), path)
    return send_file(file, mimetype=XLSX if file.suffix == ".xlsx" else DOCX, as_attachment=True,
                     download_name=item.file_name)


@pages.get("/w/<book_id>/van-ban/xem/<path:path>")
def document_preview(book_id: str, path: str) -> str:
    book = book_or_404(book_id)
    item, file = _named(book, path)
    picture = file.suffix == ".docx" and office_available() and request.args.get("kieu") != "chu"
    return render_template("preview.html", book=book, item=item, picture=picture,
                           text=None if picture else html_of(file),
                           office=office_available() and file.suffix == ".docx")


@pages.get("/w/<book_id>/van-ban/anh/<path:path>")
def document_picture(book_id: str, path: str) -> Response:
    book = book_or_404(book_id)
    item, file = _named(book, path)
    if file.suffix != ".docx" or not office_available():
        abort(404)
    png = first_page_png(file, work().previews)
    return send_file(png, mimetype="image/png", max_age=3600)


@pages.get("/w/<book_id>/van-ban/ca-nam.zip")
def year_archive(book_id: str) -> Response:
    book = book_or_404(book_id)
    checked = work().checked(book)
    plan = checked.result.plan
    if plan is None or not checked.year:
        abort(404, description="Sổ tính còn lỗi nên chưa có văn bản để tải về.")
    folder = work().folder(checked.year)
    built = [n for n in checked.named if (folder / n.path).is_file()]
    if not built:
        abort(404, description="Chưa tạo văn bản nào: bấm “Tạo văn bản” trước.")
    name = zip_name(plan)
    return download(year_zip(folder, built, name.rsplit(".", 1)[0]), name, "application/zip")
