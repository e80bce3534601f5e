"""Vietnamese text hygiene of one cell: legacy encodings, NFC, invisible characters, spaces, symbols."""

from __future__ import annotations

import functools
import re
import unicodedata

from generator.errors import ERROR, INFO, WARNING, Loc, Problem
from generator.text import legacy, vn

# A detection this sure is reported as an error; a weaker one only as a suspicion. At 0.5 the
# conversion made no more valid syllables than the text had (a lone "Ð" for "Đ"): not reported.
LEGACY_CONFIDENCE = 0.6
SUSPICION_CONFIDENCE = 0.5

_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_NBSP = re.compile(r"[\u00a0\u2007\u202f]")
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")


def _shorten(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _context(text: str, index: int, width: int = 25) -> str:
    start = max(0, index - width)
    return ("…" if start else "") + text[start : index + width].replace("\n", "↵") + (
        "…" if index + width < len(text) else "")


# Scoring a cell is the slow part of a check; a workbook repeats many texts (agency names).
_detect = functools.lru_cache(maxsize=16384)(legacy.detect)


def legacy_problem(text: str, loc: Loc, font: str | None) -> Problem | None:
    """The legacy-encoding finding for a cell, if any (also used by `vanban fix-encoding`)."""
    detection = _detect(text, font)
    if detection.encoding is None or detection.confidence <= SUSPICION_CONFIDENCE:
        return None
    severity = ERROR if detection.confidence >= LEGACY_CONFIDENCE else WARNING
    code = "legacy-encoding" if severity == ERROR else "legacy-encoding-suspected"
    return Problem(
        severity, loc, f"Văn bản gõ bằng bảng mã cũ ({detection.reason}).",
        found=_shorten(text), expected="văn bản Unicode (TCVN 6909:2001)",
        suggestion="chạy “vanban fix-encoding” để có bản đã chuyển mã: "
                   f"«{_shorten(detection.converted or '')}»",
        code=code,
    )


def text_problems(text: str, loc: Loc, *, font: str | None = None, one_line: bool = False,
                  symbol: bool = False) -> list[Problem]:
    """Everything wrong with the way one cell's text is typed (not with what it says)."""
    found = legacy_problem(text, loc, font)
    if found is not None:
        return [found]  # the other checks would only describe the same garbled text
    problems: list[Problem] = []
    if m := _INVISIBLE.search(text):
        problems.append(Problem(
            WARNING, loc, f"Ô có ký tự vô hình U+{ord(m.group()):04X}.",
            found=_context(text, m.start()), suggestion="gõ lại đoạn đó hoặc xóa ký tự vô hình",
            code="invisible-char",
        ))
    if font and font.strip().lower().startswith((".vn", "vni")):
        problems.append(Problem(
            INFO, loc, f"Ô dùng phông chữ mã cũ «{font}» nhưng nội dung đã là Unicode.",
            found=font, suggestion="đổi phông chữ của ô sang Times New Roman", code="legacy-font",
        ))
    if text.isascii() and legacy.looks_like_viqr(text):
        problems.append(Problem(
            WARNING, loc, "Ô có vẻ gõ kiểu VIQR (dấu ghi bằng ký tự ASCII, như “Vie^.t Nam”).",
            found=_shorten(text), expected="chữ tiếng Việt Unicode có dấu",
            suggestion="gõ lại bằng bộ gõ Unicode", code="viqr",
        ))
    if unicodedata.normalize("NFC", text) != text:
        problems.append(Problem(
            INFO, loc, "Văn bản ở dạng Unicode tổ hợp (NFD); chương trình đã chuẩn hóa sang dựng sẵn (NFC).",
            found=_shorten(text), code="not-nfc",
        ))
    if symbol:
        problems += _symbol_problems(text, loc)
    elif "Ð" in text or "ð" in text:
        index = text.find("Ð") if "Ð" in text else text.find("ð")
        problems.append(Problem(
            WARNING, loc, "Ô có chữ “Ð” (eth, U+00D0) trông giống chữ “Đ” tiếng Việt.",
            found=_context(text, index), suggestion="gõ lại chữ “Đ” bằng bộ gõ tiếng Việt",
            code="eth",
        ))
    if one_line and re.search(r"[\r\n]", text.strip()):
        problems.append(Problem(
            WARNING, loc, "Ô chỉ được có một dòng nhưng có chỗ xuống dòng (Alt+Enter).",
            found=_shorten(text.replace("\n", "↵")), expected="một dòng",
            suggestion="xóa chỗ xuống dòng", code="line-break",
        ))
    if m := _NBSP.search(text):
        problems.append(Problem(
            INFO, loc, "Ô có dấu cách không ngắt (non-breaking space); "
            "chương trình đã thay bằng dấu cách thường.",
            found=_context(text, m.start()), code="nbsp",
        ))
    if not symbol and (text != text.strip() or re.search(r"[ \t]{2,}", text)):
        problems.append(Problem(
            INFO, loc, "Ô có dấu cách thừa (đầu, cuối hoặc hai dấu cách liền nhau); chương trình đã bỏ.",
            found=_shorten(text.replace(" ", "·")), code="extra-spaces",
        ))
    return problems


def _symbol_problems(text: str, loc: Loc) -> list[Problem]:
    """A document symbol (QĐ-UBND) goes into the number line as typed: it must be exact."""
    clean = vn.nfc(text).strip()
    fixed = _DASHES.sub("-", re.sub(r"\s+", "", clean)).replace("Ð", "Đ").replace("ð", "đ")
    problems = []
    if _DASHES.search(clean):
        problems.append(Problem(
            ERROR, loc, "Ký hiệu văn bản có dấu gạch dài (–) thay cho dấu gạch nối (-).",
            found=text, expected="dấu gạch nối “-”", suggestion=f"sửa thành “{fixed}”",
            code="symbol-dash",
        ))
    if "Ð" in clean or "ð" in clean:
        problems.append(Problem(
            ERROR, loc, "Ký hiệu văn bản có chữ “Ð” (eth, U+00D0) thay cho chữ “Đ”.",
            found=text, expected="chữ “Đ” tiếng Việt", suggestion=f"sửa thành “{fixed}”",
            code="symbol-eth",
        ))
    if re.search(r"\s", clean):
        problems.append(Problem(
            ERROR, loc, "Ký hiệu văn bản có dấu cách.", found=text,
            expected="không có dấu cách (Nghị định 30/2020/NĐ-CP)", suggestion=f"sửa thành “{fixed}”",
            code="symbol-space",
        ))
    return problems
