"""Legal citations in a text ("Quyết định số 225/QĐ-TTg ngày 04/02/2016"): find them, check them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from generator.errors import ERROR, WARNING, Loc, Problem
from generator.text import vn

_LOOSE_TYPES = {vn.loose_key(name): name for name in vn.DOCUMENT_TYPES}
_MAX_TYPE_WORDS = max(len(name.split()) for name in vn.DOCUMENT_TYPES)

# The one definition of how a cited document's number, symbol and date are written. The checks
# below parse citations with it; the rollover (text/years.py) builds the spans it never changes
# from the same strings, so what the checks call a citation is what the rollover leaves alone.
_UP = "A-ZĐÐ"
_TOKEN = rf"[{_UP}][A-Za-zĐđÐ0-9&]*"
# number [/year] separator symbol: "225/QĐ-TTg", "108/2014/NĐ-CP", "30c/NQ-CP", Party style
# "18- NQ/TW". Spaces and dashes are matched loosely so that they can be reported ("18- NQ/TW",
# "QĐ–UBND") instead of making the citation invisible.
NUMBER_SYMBOL = (
    rf"(?<![\w/.-])(?P<number>\d{{1,5}}[a-zđ]?)"
    rf"(?:\s*/\s*(?P<year>(?:19|20)\d{{2}}))?"
    rf"(?P<sep>\s*[/\-–—]\s*)"
    rf"(?P<symbol>{_TOKEN}(?:(?:[/\-–—]|\s[/\-–—]\s?|[/\-–—]\s)[{_UP}][{_UP}0-9&a-z]*)*)"
)
# A date as plans write it: "04/02/2016", "04.02.2016", "4 - 2 - 2016", "04 tháng 02 năm 2016".
DATE = (r"(?:\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}"
        r"|\d{1,2}\s+(?i:tháng)\s+\d{1,2}\s+(?i:năm)\s+\d{4})")
# The date that follows a citation: "…/QĐ-TTg ngày 04/02/2016", "…, ngày 04 tháng 02 năm 2016".
ON_DATE = rf"\s*,?\s*(?i:ngày)\s+{DATE}"

_NUMBER_SYMBOL = re.compile(NUMBER_SYMBOL)
_DATE_AFTER = re.compile(ON_DATE)
_ANY_DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?![\d/])")
_DASHES = "–—"


@dataclass(frozen=True)
class Citation:
    """One cited document: its type as written and as Nghị định 30 spells it, number and date."""

    type_text: str  # as written, e.g. "Chi thị"
    doc_type: str  # the canonical spelling, e.g. "Chỉ thị"
    number: str  # "07", "30c"
    year: int | None  # the year inside the symbol (63/2010/NĐ-CP), if any
    symbol: str  # what follows the number (and year), e.g. "CT-TTg", "NQ/TW"
    number_symbol: str  # as written, e.g. "18- NQ/TW"
    date_text: str  # "22/5/2013" as written, or ""
    date: date | None  # None when absent or not a real date
    start: int
    end: int

    @property
    def type_abbreviation(self) -> str:
        """The abbreviation that opens the symbol ("CT" of "CT-TTg")."""
        head = re.split(r"[\s/\-–—]+", self.symbol, maxsplit=1)[0]
        return head.replace("Ð", "Đ")


def _type_before(text: str, end: int) -> tuple[str, str, int] | None:
    """The document type written just before position `end` (an optional "số" skipped)."""
    before = text[:end].rstrip()
    if vn.loose_key(before[-2:]) == "so" and (len(before) == 2 or not before[-3].isalnum()):
        before = before[:-2].rstrip()
    words = list(re.finditer(r"[^\W\d_]+", before))
    for count in range(min(_MAX_TYPE_WORDS, len(words)), 0, -1):
        chosen = words[-count:]
        if before[chosen[-1].end():].strip():
            return None  # something other than a type name stands before the number
        written = before[chosen[0].start() : chosen[-1].end()]
        name = _LOOSE_TYPES.get(vn.loose_key(written))
        if name is not None:
            return written, name, chosen[0].start()
    return None


def _real_date(day: str, month: str, year: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def find_citations(text: str) -> list[Citation]:
    """Every "<type> [số] <number>/<symbol> [ngày <date>]" in a text, in order."""
    text = vn.nfc(text)
    found = []
    for m in _NUMBER_SYMBOL.finditer(text):
        typed = _type_before(text, m.start())
        if typed is None:
            continue
        written, name, start = typed
        end = m.end()
        date_text, when = "", None
        if d := _DATE_AFTER.match(text, end):
            day, month, year = re.findall(r"\d+", d.group())
            date_text = f"{day}/{month}/{year}"
            when = _real_date(day, month, year)
            end = d.end()
        year = int(m.group("year")) if m.group("year") else None
        found.append(Citation(
            written, name, m.group("number"), year, m.group("symbol"),
            text[m.start("number") : m.end("symbol")], date_text, when, start, end,
        ))
    return found


def citation_problems(text: str, loc: Loc | None, issued: date | None = None) -> list[Problem]:
    """Problems of the citations in one cell: type spelling, symbol, year and date.

    ``issued`` is the decision's date: a cited document cannot be dated after it.
    """
    problems = []
    for c in find_citations(text):
        problems += _type_problems(c, loc, _shown(text, c))
        problems += _symbol_problems(c, loc)
        if c.date is not None and issued is not None and c.date > issued:
            problems.append(Problem(
                ERROR, loc, f"Văn bản được trích dẫn có ngày sau ngày ban hành Quyết định "
                f"({vn.date_short(issued)}).",
                found=_shown(text, c), expected=f"ngày không sau {vn.date_short(issued)}",
                suggestion="kiểm tra lại ngày của văn bản được trích dẫn",
                code="citation-date-after",
            ))
    return problems


def date_problems(text: str, loc: Loc | None) -> list[Problem]:
    """Dates written dd/mm/yyyy in a text that do not exist (31/02/2018)."""
    problems = []
    for m in _ANY_DATE.finditer(vn.nfc(text)):
        if _real_date(*m.groups()) is None:
            problems.append(Problem(
                ERROR, loc, f"Ngày {m.group()} không tồn tại.", found=m.group(),
                expected="một ngày có thật, dạng dd/mm/yyyy",
                suggestion="kiểm tra lại ngày và tháng", code="date-invalid-in-text",
            ))
    return problems


def _shown(text: str, c: Citation) -> str:
    return text[c.start : c.end]


def _type_problems(c: Citation, loc: Loc | None, shown: str) -> list[Problem]:
    written = c.type_text
    if written == c.doc_type or written == vn.upper_vn(c.doc_type):
        return []
    corrected = f"{c.doc_type} số {_clean_symbol(c.number_symbol)}"
    if written.lower() == c.doc_type.lower():
        return [Problem(
            WARNING, loc, f"Tên loại văn bản “{written}” viết hoa chưa đúng.",
            found=shown, expected=f"“{c.doc_type}” (theo Nghị định 30/2020/NĐ-CP)",
            suggestion=f"sửa thành “{corrected}”", code="citation-type-case",
        )]
    return [Problem(
        WARNING, loc, f"Tên loại văn bản “{written}” viết sai chính tả.",
        found=shown, expected=f"“{c.doc_type}” (theo Nghị định 30/2020/NĐ-CP)",
        suggestion=f"sửa thành “{corrected}”", code="citation-type-spelling",
    )]


def _symbol_problems(c: Citation, loc: Loc | None) -> list[Problem]:
    problems = []
    written = c.number_symbol
    if any(d in written for d in _DASHES):
        problems.append(Problem(
            WARNING, loc, "Ký hiệu văn bản có dấu gạch dài (–) thay cho dấu gạch nối (-).",
            found=written, expected="dấu gạch nối “-”",
            suggestion=f"sửa thành “{_clean_symbol(written)}”", code="citation-symbol-dash",
        ))
    if "Ð" in written:
        problems.append(Problem(
            WARNING, loc, "Ký hiệu văn bản có chữ “Ð” (eth) trông giống chữ “Đ”.",
            found=written, expected="chữ “Đ” tiếng Việt",
            suggestion=f"sửa thành “{_clean_symbol(written)}”", code="citation-symbol-eth",
        ))
    if re.search(r"\s", written):
        problems.append(Problem(
            WARNING, loc, "Số và ký hiệu văn bản có dấu cách.", found=written,
            expected="không có dấu cách quanh dấu / và -",
            suggestion=f"sửa thành “{_clean_symbol(written)}”", code="citation-symbol-space",
        ))
    expected = vn.DOCUMENT_TYPES[c.doc_type]
    if expected and c.type_abbreviation != expected:
        problems.append(Problem(
            WARNING, loc, f"Ký hiệu “{c.symbol}” không khớp với loại văn bản “{c.doc_type}”.",
            found=f"{c.doc_type} số {written}",
            expected=f"ký hiệu của {c.doc_type} bắt đầu bằng “{expected}”",
            suggestion="kiểm tra lại loại văn bản hoặc ký hiệu", code="citation-symbol-type",
        ))
    if c.doc_type in vn.YEAR_IN_SYMBOL and c.year is None:
        year = str(c.date.year) if c.date else "<năm>"
        problems.append(Problem(
            WARNING, loc, f"Số, ký hiệu của {c.doc_type} thiếu năm ban hành.",
            found=f"{c.doc_type} số {written}", expected="số/năm/ký hiệu, ví dụ 63/2010/NĐ-CP",
            suggestion=f"sửa thành “{c.number}/{year}/{_clean_symbol(c.symbol)}”",
            code="citation-symbol-year",
        ))
    elif c.year is not None and c.date is not None and c.year != c.date.year:
        problems.append(Problem(
            WARNING, loc, "Năm trong số, ký hiệu khác năm của ngày ban hành.",
            found=f"{written} ngày {c.date_text}", expected=f"năm {c.date.year} trong ký hiệu",
            code="citation-year-mismatch",
        ))
    return problems


def _clean_symbol(symbol: str) -> str:
    cleaned = re.sub(r"\s+", "", symbol).replace("Ð", "Đ")
    for dash in _DASHES:
        cleaned = cleaned.replace(dash, "-")
    return cleaned
