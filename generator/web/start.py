"""Page 1: choose a workbook (upload or reopen), a blank workbook, a new year."""

from __future__ import annotations

import io
from typing import Any

from flask import Response, redirect, render_template, request, url_for

from generator import pipeline
from generator.errors import VanbanError
from generator.web.pages import (
    XLSX,
    book_or_404,
    download,
    pages,
    work,
)
from generator.web.store import StoredWorkbook
from generator.workbook import blank, rollover


@pages.get("/")
def start() -> str:
    return _start_page()


def _start_page(error: str = "", status: int = 200) -> Any:
    books = _checked_facts(work().store.recent())
    rollable = next((b for b in books if b.errors == 0), None)
    page = render_template("start.html", books=books, error=error, rollable=rollable,
                           next_year=_next_year(rollable, books))
    return (page, status) if status != 200 else page


def _checked_facts(books: list[StoredWorkbook]) -> list[StoredWorkbook]:
    """The recent workbooks with their errors counted, checking (once per workbook, remembered in
    its folder) only as far down the list as the first one without errors: the one the new-year
    form offers first, as only a workbook that passes the checks can be rolled to a new year."""
    found: list[StoredWorkbook] = []
    for book in books:
        if book.errors is None and not any(b.errors == 0 for b in found):
            work().checked(book)
            book = work().store.get(book.id)
        found.append(book)
    return found


def _next_year(rollable: StoredWorkbook | None, books: list[StoredWorkbook]) -> int:
    years = [b.year for b in ([rollable] if rollable else books) if b.year]
    return (years[0] + 1) if years else 2019


@pages.get("/favicon.ico")
def favicon() -> Any:
    """Browsers ask for /favicon.ico by habit; the page's own icon is linked from every page."""
    return redirect(url_for("static", filename="favicon.svg"), 301)


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
    return download(buffer.getvalue(), "Sổ tính kế hoạch (mẫu trống).xlsx", XLSX)


@pages.post("/nam-moi")
def new_year() -> Any:
    book = book_or_404(request.form.get("so_tinh", ""))
    try:
        year = int(request.form.get("nam", ""))
    except ValueError:
        year = 0
    if not 1900 <= year <= 2200:
        return _start_page("Năm mới phải là một số từ 1900 đến 2200, ví dụ 2019.", 400)
    result = pipeline.new_year(book.source, year)
    if result.source_year == year:  # nothing to roll: a second copy of the same year would only confuse
        return _start_page(f"Sổ tính {book.name} đã là kế hoạch năm {year}; hãy nhập năm mới sau năm "
                           f"{year}, ví dụ {year + 1}. Chưa tạo sổ tính nào.", 400)
    buffer = io.BytesIO()
    result.workbook.save(buffer)
    stem = book.name.rsplit(".", 1)[0]
    name = stem.replace(str(result.source_year), str(year)) if str(result.source_year) in stem \
        else f"{stem} - năm {year}"
    rolled = work().store.add(buffer.getvalue(), f"{name}.xlsx")
    return render_template("new_year.html", book=rolled, source=book, result=result,
                           changes_sheet=rollover.CHANGES_SHEET)
