"""Vietnamese writing conventions: numbering, dates, document symbols, name keys and slugs."""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import date, datetime, timedelta, timezone

# Point letters of Nghị định 30/2020/NĐ-CP: f, j, w, z do not exist in Vietnamese and the
# letters with a modifier (ă, â, ê, ô, ơ, ư) are skipped, but đ is kept.
LETTERS: tuple[str, ...] = (
    "a", "b", "c", "d", "đ", "e", "g", "h", "i", "k", "l", "m",
    "n", "o", "p", "q", "r", "s", "t", "u", "v", "x", "y",
)  # fmt: skip

# Six spaces leave room for the văn thư to write the number, day or month by hand at signing.
DRAFT_BLANK = " " * 6
# Ten before the number's "/": room for a four-digit number in 13 pt with a millimetre either side,
# where the e-office system stamps it on the signed PDF (Nghị định 30, Điều 15.3).
NUMBER_BLANK = " " * 10

_ROMAN = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)  # fmt: skip

# The five tone marks, as combining characters after NFD; the digit is the tone's key suffix.
_TONES = {"\u0300": "2", "\u0301": "1", "\u0303": "4", "\u0309": "3", "\u0323": "5"}

_NBSP = dict.fromkeys(map(ord, "\u00a0\u2007\u202f"), " ")
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
# Device names Windows reserves in any folder, with or without an extension (lowercase).
WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)
_DATE_RE = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})")

# The years a plan, a date or `new-year --year` may name: one range, one message. The zip format of
# .docx/.xlsx dates its members from 1980 to 2107; a typo such as "2118" must stop at the cell.
FIRST_YEAR, LAST_YEAR = 1990, 2100
YEAR_RANGE_TEXT = f"năm phải từ {FIRST_YEAR} đến {LAST_YEAR}, ví dụ 2018"


WEEKDAYS: tuple[str, ...] = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy",
                             "Chủ nhật")


def weekday_name(d: date) -> str:
    """The day of the week as Vietnamese write it ("Thứ Bảy", "Chủ nhật")."""
    return WEEKDAYS[d.weekday()]


def year_in_range(year: int) -> bool:
    """Whether a year is one the documents can carry (FIRST_YEAR to LAST_YEAR)."""
    return FIRST_YEAR <= year <= LAST_YEAR


def roman(n: int) -> str:
    """Return the Roman numeral numbering the n-th part of a plan or an appendix."""
    if n < 1:
        raise ValueError(f"Số La Mã phải từ 1 trở lên, nhận được {n}")
    parts: list[str] = []
    for value, numeral in _ROMAN:
        count, n = divmod(n, value)
        parts.append(numeral * count)
    return "".join(parts)


def letter(n: int) -> str:
    """Return the n-th point letter (1 → "a", 5 → "đ").

    After "y" (n = 23) the sequence continues like spreadsheet columns over the same 23
    letters: "aa", "ab", … so numbering never fails; a plan that needs it should be split.
    """
    if n < 1:
        raise ValueError(f"Thứ tự điểm phải từ 1 trở lên, nhận được {n}")
    base = len(LETTERS)
    chars: list[str] = []
    while n > 0:
        n, rest = divmod(n - 1, base)
        chars.append(LETTERS[rest])
    return "".join(reversed(chars))


def two_digit_day(d: int) -> str:
    """Return a day of the month with a leading zero below 10 ("05")."""
    return f"{d:02d}"


def month_text(m: int) -> str:
    """Return a month as written in documents: "01", "02", then "3" … "12" without zero."""
    return f"{m:02d}" if m <= 2 else str(m)


def date_words(d: date | None, year: int | None = None) -> str:
    """Return "ngày 05 tháng 01 năm 2019"; with no date, the draft form with blank day and month.

    The draft form uses ``year`` ("ngày      tháng      năm 2018"); when the year is unknown too
    it is left blank as well.
    """
    if d is None:
        year_text = str(year) if year is not None else DRAFT_BLANK
        return f"ngày{DRAFT_BLANK}tháng{DRAFT_BLANK}năm {year_text}"
    return f"ngày {two_digit_day(d.day)} tháng {month_text(d.month)} năm {d.year}"


def date_short(d: date) -> str:
    """Return a date as cited in a text: "28/12/2017", "05/3/2018", "04/02/2016".

    The day always has two digits and the month follows the same rule as ``date_words``
    (leading zero for January and February only).
    """
    return f"{two_digit_day(d.day)}/{month_text(d.month)}/{d.year:04d}"


def number_symbol(number: int | str | None, symbol: str) -> str:
    """Return "3406/QĐ-UBND"; below 10 the number gets a leading zero; None gives the draft blank.

    A text number that is not purely digits (e.g. "30c") is kept as typed.
    """
    symbol = nfc(symbol).strip().lstrip("/").strip()
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    if isinstance(number, int):
        if number < 0:
            raise ValueError(f"Số văn bản không được âm: {number}")
        return f"{number:02d}/{symbol}"
    text = "" if number is None else nfc(str(number)).strip()
    if not text:
        # templates write "Số: {number}": one space there plus nine here make the ten-space blank
        return f"{NUMBER_BLANK[1:]}/{symbol}"
    if text.isascii() and text.isdigit():
        return f"{int(text):02d}/{symbol}"
    return f"{text}/{symbol}"


def parse_date(value: object) -> date | None:
    """Read a date from a cell: a date/datetime, or text "dd/mm/yyyy" (also with "-" or ".").

    Empty cells give None; anything else that is not a real date raises ValueError with a
    Vietnamese message fit for the user.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = clean_text(str(value))
    if not text:
        return None
    match = _DATE_RE.fullmatch(text)
    if match is None:
        raise ValueError(f"Không đọc được ngày: {text}; cần dạng dd/mm/yyyy")
    day, _, month, year = match.groups()
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(f"Ngày {text} không tồn tại") from None


VIETNAM_TIME = timezone(timedelta(hours=7))  # UTC+7, no summer time


def local_time(moment: datetime) -> datetime:
    """A moment as the clock in Vietnam shows it (naive); a naive moment is taken as local already.
    Word and LibreOffice record when a file was saved in UTC: 20:30Z on 5/3 is 03:30 on 6/3 here."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(VIETNAM_TIME).replace(tzinfo=None)


def some_files(names: list[str], most: int = 5) -> str:
    """The first few file names of a list, then how many more: "a.pdf, b.pdf và 3 tệp khác"."""
    shown = ", ".join(names[:most])
    return shown + (f" và {len(names) - most} tệp khác" if len(names) > most else "")


def nfc(s: str) -> str:
    """Return the text in Unicode NFC, the precomposed form TCVN 6909:2001 asks for."""
    return unicodedata.normalize("NFC", s)


def clean_text(s: str) -> str:
    """Normalise a cell's text: NFC, plain spaces, single spaces, kept line breaks, no padding."""
    s = nfc(s).replace("\r\n", "\n").replace("\r", "\n").translate(_NBSP)
    s = re.sub(r"[ \t]+", " ", s)
    s = re.sub(r" *\n *", "\n", s)
    return s.strip()


# Characters that print nothing and would change a signed document behind the reader's back:
# C0/C1 controls (docxtpl turns \a and \f into paragraph and page breaks, and XML 1.0 forbids
# most of them), bidi marks, embeddings, overrides and isolates (they reorder what is shown), the byte-order
# mark, non-characters and lone surrogates. Tab, line feed and carriage return are spacing that
# `clean_text` normalises.
_CONTROLS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff"
    "\ud800-\udfff]"
)


def control_characters(s: str) -> str:
    """The distinct invisible control characters of a text, in order ("" when none: the usual case,
    answered by one scan)."""
    if _CONTROLS.search(s) is None:
        return ""
    return "".join(dict.fromkeys(_CONTROLS.findall(s)))


def strip_controls(s: str) -> tuple[str, str]:
    """Remove the invisible control characters of a text; return it and the distinct ones removed."""
    found = _CONTROLS.findall(s)
    if not found:
        return s, ""
    return _CONTROLS.sub("", s), "".join(dict.fromkeys(found))


@functools.lru_cache(maxsize=8192)  # the same few hundred names, compared again and again
def name_key(s: str) -> str:
    """Return a key for comparing agency names however they were typed.

    It ignores case, spacing (also around punctuation), NFC/NFD and where the tone mark sits
    (hòa = hoà, thủy = thuỷ): each syllable loses its tone mark, which is appended as a digit.
    Đ typed as the look-alike Ð (U+00D0) counts as Đ; đ stays different from d.
    """
    s = unicodedata.normalize("NFD", s.replace("\u00d0", "\u0110").replace("\u00f0", "\u0111"))
    s = s.translate(_NBSP).translate(_DASHES).lower()
    tokens: list[str] = []
    for match in re.finditer(r"[^\W\d_](?:[^\W\d_]|[\u0300-\u036f])*|\d+|\S", s):
        token = match.group()
        if token[0].isalpha():
            tones = sorted({_TONES[c] for c in token if c in _TONES})
            base = "".join(c for c in token if c not in _TONES)
            token = nfc(base) + "".join(tones)
        tokens.append(token)
    return " ".join(tokens)


def strip_diacritics(s: str) -> str:
    """Return the text without Vietnamese marks ("Đồng Xoài" → "Dong Xoai")."""
    s = s.replace("Đ", "D").replace("đ", "d").replace("\u00d0", "D")
    decomposed = unicodedata.normalize("NFD", s)
    return nfc("".join(c for c in decomposed if not unicodedata.combining(c)))


def slug(s: str, max_len: int = 80) -> str:
    """Return a safe file-name stem: ASCII, lowercase, words joined by "-" ("so-noi-vu").

    Empty input gives "van-ban"; a Windows reserved device name gets "-x" appended.
    """
    if max_len < 1:
        raise ValueError(f"Độ dài tối đa phải từ 1 trở lên, nhận được {max_len}")
    ascii_text = strip_diacritics(s).lower().encode("ascii", "ignore").decode("ascii")
    result = "-".join(re.findall(r"[a-z0-9]+", ascii_text)) or "van-ban"
    if result in WINDOWS_RESERVED:
        result += "-x"
    result = result[:max_len].rstrip("-")
    if result in WINDOWS_RESERVED:  # only when max_len cut the "-x" off again
        result = "x"
    return result


def upper_vn(s: str) -> str:
    """Return the text in capitals, as for issuers and titles ("Sở Nội vụ" → "SỞ NỘI VỤ")."""
    return nfc(nfc(s).upper())


# Abbreviations an agency's name keeps in capitals inside a sentence ("UBND tỉnh Bình Phước").
_NAME_ABBREVIATIONS = frozenset({"UBND", "HĐND", "MTTQ", "TP", "TX", "TT"})


def name_in_sentence(name: str, place: str = "") -> str:
    """An agency's name as a sentence (and a document's author) writes it, from the capitals of a
    document's header: "ỦY BAN NHÂN DÂN↵TỈNH BÌNH PHƯỚC" with the place "Bình Phước" gives "Ủy ban
    nhân dân tỉnh Bình Phước". Only the first letter, the place name as the workbook spells it and
    abbreviations (UBND) keep capitals; a name not typed all in capitals is kept as typed."""
    text = " ".join(nfc(name).split())
    if text != upper_vn(text):
        return text
    words = [w if w in _NAME_ABBREVIATIONS else w.lower() for w in text.split(" ")]
    sentence = " ".join(words)
    sentence = sentence[:1].upper() + sentence[1:]
    place = " ".join(nfc(place).split())
    if place:
        sentence = re.sub(rf"(?<!\w){re.escape(place.lower())}(?!\w)", place, sentence)
    return sentence


def closing(text: str) -> str:
    """Make the last paragraph of a body end with "./." exactly once."""
    text = text.rstrip()
    while True:
        for ending in ("./.", ".", ";", ","):
            if text.endswith(ending):
                text = text[: -len(ending)].rstrip()
                break
        else:
            return text + "./."


def lower_first(s: str) -> str:
    """Lower the first letter for use inside a sentence ("Kết quả…" → "kết quả…").

    Abbreviations and names in capitals keep their case ("UBND tỉnh" stays as typed).
    """
    if len(s) >= 2 and s[0].isupper() and s[1].islower():
        return s[0].lower() + s[1:]
    if len(s) == 1:
        return s.lower()
    return s


# Advance widths of Times New Roman (the Adobe Times metrics it shares with Liberation Serif), in
# 1/1000 em: the one table both the generator (where a header name breaks) and the layout checker
# (whether a line fits) measure with. A Vietnamese letter is as wide as its base letter, except
# Ơ/Ư whose horn adds a little; a character not listed counts as a digit does.
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_WIDTHS_REGULAR = dict(zip(
    _LETTERS,
    (722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889, 722, 722, 556, 722, 667,
     556, 611, 722, 722, 944, 722, 722, 611,
     444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778, 500, 500, 500, 500, 333,
     389, 278, 500, 500, 722, 500, 500, 444), strict=True))
_WIDTHS_REGULAR.update({" ": 250, ",": 250, ".": 250, "-": 333, "(": 333, ")": 333, "/": 278,
                        "&": 778, ":": 278, ";": 278})
_WIDTHS_BOLD = dict(zip(
    _LETTERS,
    (722, 667, 722, 722, 667, 611, 778, 778, 389, 500, 778, 667, 944, 722, 778, 611, 778, 722,
     556, 667, 722, 722, 1000, 722, 722, 667,
     500, 556, 444, 556, 444, 333, 500, 556, 278, 333, 556, 278, 833, 556, 500, 556, 556, 444,
     389, 333, 556, 500, 722, 500, 500, 444), strict=True))
_WIDTHS_BOLD.update({" ": 250, ",": 250, ".": 250, "-": 333, "(": 333, ")": 333, "/": 278,
                     "&": 833, ":": 333, ";": 333})
_WIDTH_OTHER = 500  # digits, and what the tables do not list
_HORN = frozenset("ƠơƯư")
_PT_MM = 25.4 / 72


def text_width_mm(text: str, size_pt: float, bold: bool = False) -> float:
    """The printed width of one line of text in Times New Roman, in millimetres."""
    units = sum(_char_units(char, bold) for char in nfc(text))
    return units / 1000 * size_pt * _PT_MM


@functools.lru_cache(maxsize=4096)
def _char_units(char: str, bold: bool) -> int:
    """A letter's width in thousandths of the font size: its base letter's, a horn a little more."""
    table = _WIDTHS_BOLD if bold else _WIDTHS_REGULAR
    base = strip_diacritics(char)
    units = table.get(base, _WIDTH_OTHER)
    return units + 60 if char in _HORN else units


# Where an agency's name breaks when it does not fit on one line of a header: after the words
# naming a People's Committee ("ỦY BAN NHÂN DÂN" / "HUYỆN LỘC NINH") or before "và" ("SỞ VĂN
# HÓA, THỂ THAO" / "VÀ DU LỊCH", as the ministries write it); failing that after a comma, then
# before a capitalised word, where a proper name starts ("BAN QUẢN LÝ" / "KHU KINH TẾ TỈNH").
_COMMITTEE = ("ủy ban nhân dân", "uỷ ban nhân dân")


def name_lines(name: str, max_mm: float, size_pt: float = 13, bold: bool = True) -> list[str]:
    """Split a name for a header cell: one line when it fits, else two balanced lines."""
    return list(_name_lines(name, max_mm, size_pt, bold))


@functools.lru_cache(maxsize=4096)  # each agency's name, for each of its periods' forms
def _name_lines(name: str, max_mm: float, size_pt: float, bold: bool) -> tuple[str, ...]:
    name = clean_text(name).replace("\n", " ")
    if text_width_mm(name.upper(), size_pt, bold) <= max_mm:
        return (name,)
    words = name.split(" ")

    def width(part: list[str]) -> float:
        return text_width_mm(" ".join(part).upper(), size_pt, bold)

    tiers: list[list[tuple[float, int]]] = [[], [], [], []]
    for cut in range(1, len(words)):
        head, tail = words[:cut], words[cut:]
        score = max(width(head), width(tail))
        if nfc(" ".join(head).lower()) in _COMMITTEE or nfc(tail[0].lower()) == "và":
            tier = 0
        elif head[-1].endswith(","):
            tier = 1
        elif tail[0][:1].isupper():  # before a capitalised word: where a proper name starts
            tier = 2
        else:
            tier = 3
        tiers[tier].append((score, cut))
    fitting = next((t for t in ([c for c in tier if c[0] <= max_mm] for tier in tiers) if t), None)
    _, cut = min(fitting or [c for tier in tiers for c in tier])
    return (" ".join(words[:cut]), " ".join(words[cut:]))
# The prefixes of a signature block (Nghị định 30/2020/NĐ-CP, Điều 13): thay mặt, ký thay,
# quyền, thừa lệnh, thừa ủy quyền.
SIGNING_PREFIXES: tuple[str, ...] = ("TM.", "KT.", "Q.", "TL.", "TUQ.")

# Document types as Nghị định 30/2020/NĐ-CP (Phụ lục III) spells them, with the abbreviation
# that opens their symbol, plus the central legal types that plans cite. A công văn has no
# type abbreviation (its symbol is issuer-unit), a Luật's symbol is its Quốc hội term (QH13).
DOCUMENT_TYPES: dict[str, str] = {
    "Nghị quyết": "NQ", "Quyết định": "QĐ", "Chỉ thị": "CT", "Quy chế": "QC", "Quy định": "QyĐ",
    "Thông cáo": "TC", "Thông báo": "TB", "Hướng dẫn": "HD", "Chương trình": "CTr",
    "Kế hoạch": "KH", "Phương án": "PA", "Đề án": "ĐA", "Dự án": "DA", "Báo cáo": "BC",
    "Biên bản": "BB", "Tờ trình": "TTr", "Hợp đồng": "HĐ", "Công điện": "CĐ",
    "Bản ghi nhớ": "BGN", "Bản thỏa thuận": "BTT", "Giấy ủy quyền": "GUQ", "Giấy mời": "GM",
    "Giấy giới thiệu": "GGT", "Giấy nghỉ phép": "GNP", "Phiếu gửi": "PG", "Phiếu chuyển": "PC",
    "Phiếu báo": "PB", "Công văn": "", "Nghị định": "NĐ", "Thông tư": "TT",
    "Thông tư liên tịch": "TTLT", "Luật": "", "Bộ luật": "", "Pháp lệnh": "PL",
    "Kết luận": "KL", "Văn bản hợp nhất": "VBHN",
}  # fmt: skip
# Other kinds a plan cites, which have no type abbreviation of their own.
CITED_KINDS: tuple[str, ...] = ("Lệnh", "Văn bản", "Điều lệ")
# Spellings met in plans for a type above: old-style tone marks, and the common "Chi thị".
DOCUMENT_TYPE_VARIANTS: dict[str, str] = {
    "Chi thị": "Chỉ thị", "Bản thoả thuận": "Bản thỏa thuận", "Giấy uỷ quyền": "Giấy ủy quyền",
}

# Legal normative documents whose symbol carries the year of issue (63/2010/NĐ-CP).
YEAR_IN_SYMBOL: frozenset[str] = frozenset(
    {"Nghị định", "Thông tư", "Thông tư liên tịch", "Luật", "Bộ luật", "Pháp lệnh"}
)


def loose_key(s: str) -> str:
    """Return a key that ignores case, spacing and every mark ("Chi thị" = "Chỉ thị")."""
    return " ".join(strip_diacritics(nfc(s)).lower().split())


# -- numbers and dates as Excel shows them ----------------------------------------------------
# A clerk reads a cell as Excel shows it on a Vietnamese Windows: "80%", "1.250.000", "2,5". The
# stored value (0.8, 1250000, 2.5) is not what was typed, so text taken from a number cell is
# printed through the cell's number format, with the Vietnamese decimal comma and thousands dot.

_FORMAT_TOKENS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|;|[^"\\\[;]+|.')
_PLACEHOLDERS = re.compile(r"[0#?][0#?,]*(?:\.[0#?]*)?|\.[0#?]+")


def _format_section(number_format: str, value: float) -> tuple[str, float]:
    """The section of a format that shows a value, and the value as that section shows it."""
    sections = [""]
    for token in _FORMAT_TOKENS.findall(number_format):
        if token == ";":
            sections.append("")
        else:
            sections[-1] += token
    if value < 0 and len(sections) >= 2:
        return sections[1], -value  # the negative section writes its own sign or brackets
    if value == 0 and len(sections) >= 3:
        return sections[2], value
    return sections[0], value


def _group_thousands(digits: str) -> str:
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)]
    return ".".join(groups)


def _general_number(value: float) -> str:
    """Excel's General format: up to 10 significant digits, no thousands separator."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.10g}"
    if "e" in text:  # tiny or huge: Excel would show a scientific form, keep the digits instead
        text = f"{value:.10f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def format_number(value: float | int, number_format: str | None = "General") -> str:
    """Return a number as Excel shows it with this number format, in Vietnamese writing.

    "0%" shows 0.8 as "80%", "#,##0" shows 1250000 as "1.250.000", "0.0" shows 2.5 as "2,5";
    General shows up to ten significant digits. Literal text of the format ("0 \"người\"")
    is kept; colours, conditions and padding are dropped.
    """
    section, value = _format_section(number_format or "General", float(value))
    if section.strip().lower() in ("general", "@"):
        return _general_number(value)
    out: list[str] = []
    percent = 0
    number_done = False
    i = 0
    while i < len(section):
        char = section[i]
        if char == '"':
            end = section.find('"', i + 1)
            end = len(section) if end < 0 else end
            out.append(section[i + 1:end])
            i = end + 1
            continue
        if char == "\\" and i + 1 < len(section):
            out.append(section[i + 1])
            i += 2
            continue
        if char == "[":
            end = section.find("]", i)
            i = len(section) if end < 0 else end + 1
            continue
        if char == "_":  # padding as wide as the next character
            out.append(" ")
            i += 2
            continue
        if char == "*":  # fill character: nothing in running text
            i += 2
            continue
        if char == "%":
            percent += 1
            out.append("%")
            i += 1
            continue
        match = _PLACEHOLDERS.match(section, i)
        if match and not number_done:
            out.append("\0")  # the number goes here once the percent signs are counted
            number_done = True
            placeholders = match.group()
            i = match.end()
            continue
        if char in "Ee" and number_done and section[i + 1:i + 2] in ("+", "-"):
            return _general_number(value)  # scientific formats: the plain digits say the same
        out.append(char)
        i += 1
    if not number_done:
        return "".join(out)
    scaled = value * 100 ** percent
    integer_part, _, decimals = placeholders.partition(".")
    stripped = integer_part.rstrip(",")
    scaled /= 1000 ** (len(integer_part) - len(stripped))  # trailing commas scale by thousands
    places = len(re.findall(r"[0#?]", decimals))
    shown = f"{abs(scaled):.{places}f}"
    whole, _, fraction = shown.partition(".")
    minimum = len(re.sub(r"[^0]", "", decimals))
    while len(fraction) > minimum and fraction.endswith("0"):
        fraction = fraction[:-1]
    if whole == "0" and "0" not in stripped:
        whole = ""  # "#.##" shows 0.5 as ",5"
    whole = whole.zfill(stripped.count("0"))
    if "," in stripped:
        whole = _group_thousands(whole)
    text = whole + ("," + fraction if fraction else "")
    sign = "-" if scaled < 0 and float(shown) != 0 else ""
    return "".join(out).replace("\0", sign + text)


# Date format codes: what is inside quotes or brackets is literal text or a locale, not a part.
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def date_parts_shown(number_format: str | None) -> str:
    """Which parts of a date a number format shows: a string of "d", "m", "y" ("my" for "mmm-yy")."""
    code = _FORMAT_LITERALS.sub("", (number_format or "").split(";")[0]).lower()
    return "".join(part for part in "dmy" if part in code)


def date_as_shown(value: date, number_format: str | None) -> str:
    """Return a date cell as its format shows it, in the document's writing.

    A format with a day gives "05/3/2018"; one with month and year only ("Jun-18", typed as
    "6/2018") gives "Tháng 6/2018", which is what the clerk meant; a year alone gives "Năm 2018".
    """
    parts = date_parts_shown(number_format)
    if "d" in parts or not parts:
        return date_short(value)
    if "m" in parts:
        return f"Tháng {value.month}/{value.year}"
    return f"Năm {value.year}"
