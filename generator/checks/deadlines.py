"""Task deadlines as clerks write them ("Quý I, II/2018", "Trong năm 2018"): a kind and a date."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from generator.text import vn

QUARTER = "quarter"  # Quý I/2018, Quý I, II/2018: due at the end of the last quarter named
MONTH = "month"  # Tháng 6/2018, Tháng 6, 7/2018: due at the end of the last month named
HALF_YEAR = "half-year"  # 6 tháng đầu năm 2018: due 30/6
DATE = "date"  # Trước ngày 30/6/2018, 30/6/2018
YEAR = "year"  # Trong năm 2018, Năm 2018: due 31/12
CONTINUOUS = "continuous"  # Thường xuyên, Thường xuyên trong năm: no date
PERIODIC = "periodic"  # Hàng quý, 6 tháng và năm; Định kỳ hoặc đột xuất: no date
ON_EVENT = "on-event"  # Khi có văn bản của Bộ Nội vụ, Theo yêu cầu: no date
INVALID = "invalid"  # recognised, but the date it names does not exist (31/02/2018)
UNKNOWN = "unknown"

KIND_NAMES: dict[str, str] = {
    QUARTER: "theo quý", MONTH: "theo tháng", HALF_YEAR: "6 tháng", DATE: "ngày cụ thể",
    YEAR: "trong năm", CONTINUOUS: "thường xuyên", PERIODIC: "định kỳ",
    ON_EVENT: "khi có yêu cầu", INVALID: "ngày không tồn tại", UNKNOWN: "không nhận ra",
}  # fmt: skip

EXAMPLES = (
    "Quý I/2018; Quý I, II/2018; Tháng 6/2018; 6 tháng đầu năm 2018; Trước ngày 30/6/2018; "
    "Trong năm 2018; Thường xuyên trong năm; Hàng quý, 6 tháng và năm; "
    "Khi có văn bản của Bộ Nội vụ"
)

_ROMAN_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_LIST = r"[ivx\d]+(?:\s*(?:,|và|-|–|đến)\s*(?:quý\s+)?[ivx\d]+)*"
_YEAR_TAIL = r"\s*(?:/|năm|-)\s*(\d{4})"
_PREFIX = r"(?:trong\s+|trước\s+|cuối\s+|hết\s+|hoàn thành\s+(?:trong\s+)?)?"
_QUARTER_RE = re.compile(rf"{_PREFIX}quý\s+({_LIST}){_YEAR_TAIL}")
_MONTH_RE = re.compile(
    rf"{_PREFIX}tháng\s+(\d{{1,2}}(?:\s*(?:,|và|-|–|đến)\s*(?:tháng\s+)?\d{{1,2}})*){_YEAR_TAIL}"
)
_HALF_RE = re.compile(rf"{_PREFIX}6 tháng (đầu|cuối) năm\s*(\d{{4}})")
_DATE_RE = re.compile(
    r"(?:(?:trước|chậm nhất|hạn chót|hoàn thành trước|đến)\s+)*(?:ngày\s+)?"
    r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})"
)
_YEAR_RE = re.compile(r"(?:trong|cả|cuối|hết|năm|trong cả)?\s*(?:năm\s+)?(\d{4})")
_YEARS = re.compile(r"(?<!\d)((?:19|20|21)\d{2})(?!\d)")
_CONTINUOUS = ("thường xuyên", "liên tục", "hàng ngày", "hằng ngày")
_PERIODIC = ("hàng ", "hằng ", "định kỳ")
_ON_EVENT = (
    "khi ", "theo yêu cầu", "đột xuất", "theo chỉ đạo", "theo kế hoạch", "theo hướng dẫn",
    "theo lộ trình", "theo tiến độ", "sau khi", "ngay khi",
)  # fmt: skip


@dataclass(frozen=True)
class Deadline:
    """What a deadline says: its kind, the date it falls due (if any) and the years it names."""

    text: str
    kind: str
    due: date | None = None
    years: tuple[int, ...] = ()
    reason: str = ""

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]


def _key(text: str) -> str:
    return " ".join(vn.nfc(text).lower().replace("\u00a0", " ").split()).rstrip(" .;,")


def _end_of_month(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _numbers(listing: str, table: dict[str, int] | None = None) -> list[int] | None:
    parts = re.split(r"\s*(?:,|và|-|–|đến)\s*", listing)
    values = []
    for part in parts:
        part = part.removeprefix("quý").removeprefix("tháng").strip()
        value = table.get(part) if table is not None else (int(part) if part.isdigit() else None)
        if value is None:
            return None
        values.append(value)
    return values


def parse_deadline(text: str) -> Deadline:
    """Read a deadline cell into a kind and, where the kind has one, the date it falls due.

    The date of a quarter, month or year is its last day; "Quý I, II/2018" falls due on
    30/6/2018. Kinds without a date (continuous, periodic, on an event) keep the years named.
    """
    key = _key(text)
    years = tuple(int(y) for y in _YEARS.findall(key))
    if not key:
        return Deadline(text, UNKNOWN, years=years, reason="ô trống")
    if m := _QUARTER_RE.fullmatch(key):
        quarters = _numbers(m.group(1), _ROMAN_QUARTERS)
        if not quarters or any(q > 4 for q in quarters):
            return Deadline(text, INVALID, years=years, reason="một năm chỉ có quý I đến quý IV")
        return Deadline(text, QUARTER, _end_of_month(int(m.group(2)), 3 * max(quarters)), years)
    if m := _MONTH_RE.fullmatch(key):
        months = _numbers(m.group(1))
        if not months or any(not 1 <= n <= 12 for n in months):
            return Deadline(text, INVALID, years=years, reason="tháng phải từ 1 đến 12")
        return Deadline(text, MONTH, _end_of_month(int(m.group(2)), max(months)), years)
    if m := _HALF_RE.fullmatch(key):
        month = 6 if m.group(1) == "đầu" else 12
        return Deadline(text, HALF_YEAR, _end_of_month(int(m.group(2)), month), years)
    if m := _DATE_RE.fullmatch(key):
        day, month, year = (int(g) for g in m.groups())
        try:
            return Deadline(text, DATE, date(year, month, day), years)
        except ValueError:
            shown = f"{m.group(1)}/{m.group(2)}/{m.group(3)}"
            return Deadline(text, INVALID, years=years, reason=f"ngày {shown} không tồn tại")
    if (m := _YEAR_RE.fullmatch(key)) and (key.startswith(("trong", "cả", "cuối", "hết", "năm"))
                                          or key.isdigit()):
        return Deadline(text, YEAR, date(int(m.group(1)), 12, 31), years)
    if key.startswith(_CONTINUOUS):
        return Deadline(text, CONTINUOUS, years=years)
    if key.startswith(_PERIODIC):
        return Deadline(text, PERIODIC, years=years)
    if key.startswith(_ON_EVENT):
        return Deadline(text, ON_EVENT, years=years)
    return Deadline(text, UNKNOWN, years=years, reason="không nhận ra cách ghi thời hạn")
