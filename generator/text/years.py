"""Year mentions in plan text: legal citations are masked first, then plan years are moved."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from generator.text import citations, vn

# Document types that open a citation (vn.DOCUMENT_TYPES, the other kinds plans cite, and the
# variant spellings). Longest first, so that "Thông tư liên tịch" wins over "Thông tư".
DOCUMENT_TYPES: tuple[str, ...] = tuple(sorted(
    {*vn.DOCUMENT_TYPES, *vn.CITED_KINDS, *vn.DOCUMENT_TYPE_VARIANTS}, key=lambda t: (-len(t), t)))

_TYPE = "(?i:" + "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in DOCUMENT_TYPES) + r")\b"
_SO = r"(?i:số)"
_NGAY = r"(?i:ngày)"
_NAM = r"(?i:năm)"
_YEAR = r"(?<!\d)((?:19|20|21)\d{2})(?!\d)"
# A number and symbol ("225/QĐ-TTg"), a date and "ngày <date>" as text/citations.py defines them
# for the checks: one definition of a citation for both.
_NUMBER_SYMBOL = citations.NUMBER_SYMBOL
_DATE = citations.DATE
_ON_DATE = f"(?:{citations.ON_DATE})"

# Spans that are never changed, tried in this order.
_CITATIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "Quyết định số 225/QĐ-TTg ngày 04/02/2016", "Quyết định 2968/QĐ-UBND ngày 13/11/2017",
    # "số 2909/TTr-SNV ngày 19/12/2017", "Nghị định số 48/2013/NĐ-CP"
    ("citation", re.compile(rf"(?:{_TYPE}\s+)?(?:{_SO}\s+)?{_NUMBER_SYMBOL}{_ON_DATE}?")),
    # "Kế hoạch số 19 ngày 01/12/2016", "Chỉ thị ngày 05/9/2016"
    ("citation", re.compile(rf"{_TYPE}\s+(?:{_SO}\s+\d+[a-zđ]?{_ON_DATE}?|{_NGAY}\s+{_DATE})")),
    # "Luật Tổ chức chính quyền địa phương ngày 19/6/2015", "Luật Ngân sách nhà nước năm 2015"
    ("citation", re.compile(
        r"(?<!\w)(?:Bộ\s+luật|Luật|Hiến\s+pháp|Pháp\s+lệnh)\s+(?:[^\W\d_]+[,\s]+){0,12}?"
        rf"(?:{_NGAY}\s+{_DATE}|{_NAM}\s+\d{{4}}(?!\d))")),
    # "TCVN ISO 9001:2008", "ISO/IEC 27001:2013"
    ("standard", re.compile(r"(?<!\w)(?:TCVN|QCVN|ISO)(?:[\s/]+(?:ISO|IEC|TCVN))*\s+\d+"
                            r"(?:[-.]\d+)*(?::\s?\d{4})?")),
    # "giai đoạn 2016-2020", "2016 - 2020": programme periods stay as they are
    ("period", re.compile(rf"(?:(?i:giai\s+đoạn)\s+)?(?:{_NAM}\s+)?\d{{4}}\s*[-–—]\s*"
                          rf"(?:{_NAM}\s+)?\d{{4}}(?!\d)")),
)
_SCHOOL_YEAR_BEFORE = re.compile(r"(?i:năm\s+học)\s*$")

_LIST = r"(?:\s*(?:,|-|–|và)\s*)"
# Mentions that move: the groups named y… hold years; `date` patterns move the whole date.
_MOVES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("date", re.compile(r"(?<![\d/.])(?P<d>\d{1,2})(?P<s>[/.-])(?P<m>\d{1,2})(?P=s)(?P<y>\d{4})"
                        r"(?![\d/])")),
    ("date", re.compile(r"(?P<d>\d{1,2})(?P<a>\s+(?i:tháng)\s+)(?P<m>\d{1,2})(?P<b>\s+"
                        + _NAM + r"\s+)(?P<y>\d{4})(?!\d)")),
    ("school-year", re.compile(r"(?i:năm\s+học)\s+(?P<y>\d{4})\s*[-–]\s*(?P<y2>\d{4})(?!\d)")),
    ("quarter", re.compile(r"(?<!\w)(?i:quý)\s+(?:[IVX]+|[1-4])(?:" + _LIST
                           + r"(?:[IVX]+|[1-4]))*\s*/\s*(?P<y>\d{4})(?!\d)")),
    ("month", re.compile(r"(?<!\w)(?i:tháng)\s+\d{1,2}(?:" + _LIST + r"\d{1,2})*\s*/\s*"
                         r"(?P<y>\d{4})(?!\d)")),
    ("year", re.compile(r"(?<!\w)" + _NAM + r"\s+(?P<y>\d{4})(?:(?:\s*,\s*|\s+và\s+)"
                        r"(?P<y2>\d{4}))?(?![\d/])")),
    ("year", re.compile(r"(?<!\w)(?i:từ|đến|tới|trước|sau|trong|cuối|đầu|giữa|hết)\s+"
                        r"(?P<y>\d{4})(?![\d/:])")),
)
_ANY_YEAR = re.compile(_YEAR)


@dataclass(frozen=True)
class Span:
    """A part of a text that is never changed: a citation, a standard or a period."""

    start: int
    end: int
    kind: str
    text: str


@dataclass(frozen=True)
class Left:
    """A year of the moving set that stays as it is, and why (the kind of span holding it)."""

    year: int
    kind: str  # "citation", "standard", "period" or "other"
    context: str


def protected_spans(text: str) -> list[Span]:
    """The citations, standards and periods of a text, left to right, never overlapping."""
    taken: list[Span] = []
    for kind, pattern in _CITATIONS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if kind == "period" and _SCHOOL_YEAR_BEFORE.search(text, 0, start):
                continue  # "năm học 2017-2018" is a year that moves, not a programme period
            if any(start < s.end and s.start < end for s in taken):
                continue
            taken.append(Span(start, end, kind, match.group()))
    return sorted(taken, key=lambda s: s.start)


def shift_date(d: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def move_years(text: str, source_year: int, years: int = 1) -> tuple[str, tuple[Left, ...]]:
    """Move the mentions of `source_year` and the year before by `years`, outside citations.

    Returns the new text and the years of that set which stay (inside a citation, a standard, a
    period or a context no pattern knows), for a person to review. Text in another Unicode form
    than NFC is matched in NFC and only rewritten when something moved.
    """
    work = vn.nfc(text)
    moving = {source_year - 1, source_year}
    masks = protected_spans(work)
    edits: list[tuple[int, int, str]] = []
    covered: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return not any(start < e and s < end for s, e in covered) and not any(
            start < m.end and m.start < end for m in masks)

    for kind, pattern in _MOVES:
        for match in pattern.finditer(work):
            if not free(*match.span()):
                continue
            new = _moved_edits(kind, match, moving, years)
            if new:
                covered.append(match.span())
                edits.extend(new)
    result = work
    for start, end, replacement in sorted(edits, reverse=True):
        result = result[:start] + replacement + result[end:]
    left = tuple(_left_years(work, moving, masks, covered))
    return (result if edits else text), left


def _moved_edits(kind: str, match: re.Match[str], moving: set[int],
                 years: int) -> list[tuple[int, int, str]]:
    if kind == "date":
        year = int(match.group("y"))
        if year not in moving:
            return []
        day, month = int(match.group("d")), int(match.group("m"))
        try:
            old = date(year, month, day)
        except ValueError:
            return []  # not a real date: leave it for the reader's checks
        new = shift_date(old, years)
        start, end = match.span("d")
        edits = [(match.start("y"), match.end("y"), str(new.year))]
        if new.day != old.day:
            edits.append((start, end, f"{new.day:0{end - start}d}"))
        return edits
    edits = []
    for group in ("y", "y2"):
        if group in match.re.groupindex and match.group(group):
            year = int(match.group(group))
            if year in moving:
                edits.append((match.start(group), match.end(group), str(year + years)))
    return edits


def _left_years(text: str, moving: set[int], masks: Iterable[Span],
                covered: list[tuple[int, int]]) -> Iterable[Left]:
    masks = list(masks)
    for match in _ANY_YEAR.finditer(text):
        year = int(match.group(1))
        if year not in moving:
            continue
        start, end = match.span(1)
        if any(s <= start and end <= e for s, e in covered):
            continue
        span = next((m for m in masks if m.start <= start and end <= m.end), None)
        if span is not None:
            yield Left(year, span.kind, span.text)
        else:
            yield Left(year, "other", text[max(0, start - 30): end + 10].strip())
