"""Vietnamese writing conventions: numbering, dates, document symbols, name keys and slugs."""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import date, datetime

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
# most of them), bidi embeddings/overrides/isolates (they reorder what is shown), the byte-order
# mark, non-characters and lone surrogates. Tab, line feed and carriage return are spacing that
# `clean_text` normalises.
_CONTROLS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff"
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
