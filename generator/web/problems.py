"""Page 2: every finding of `vanban check`, filtered by severity and sheet, and the annotated copy."""

from __future__ import annotations

import io

from flask import Response, render_template, request
from markupsafe import Markup, escape

from generator.checks.plan import summary
from generator.errors import ERROR, INFO, WARNING, Problem
from generator.web.pages import (
    XLSX,
    book_or_404,
    checked_or_404,
    download,
    pages,
    work,
)
from generator.web.work import Checked
from generator.workbook.annotate import annotated_copy

SEVERITIES = {"loi": ERROR, "canh-bao": WARNING, "thong-tin": INFO}  # ?muc= in the address
SEVERITY_CLASS = {ERROR: "loi", WARNING: "canh-bao", INFO: "thong-tin"}  # for the stylesheet


@pages.get("/w/<book_id>/kiem-tra")
def problems(book_id: str) -> str:
    book, checked = checked_or_404(book_id)
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
    book = book_or_404(book_id)
    checked = work().checked(book)
    buffer = io.BytesIO()
    annotated_copy(book.source, checked.result.problems).save(buffer)
    stem = book.name.rsplit(".", 1)[0]
    return download(buffer.getvalue(), f"{stem} (kết quả kiểm tra).xlsx", XLSX)
