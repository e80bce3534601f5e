"""Legacy 8-bit Vietnamese encodings (TCVN3/ABC, VNI-Windows): detect them in a cell, convert."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from generator.text.vn import upper_vn

Encoding = Literal["tcvn3", "vni"]

# The tables below were generated once from shared/data/vn-legacy-charsets.tsv so that the
# package does not need that file at run time.
#
# TCVN3 (ABC): one character per lowercase letter, plus the seven capitals that have a code of
# their own (Ă Â Ê Ô Ơ Ư Đ). The TSV writes the other accented capitals as a capital base plus
# the lowercase legacy character; that is the table's convention, not what a cell holds (those
# capitals came from the ".VnTimeH" font), so those pairs are left out. ư is U+00AD, the soft
# hyphen.
TCVN3: dict[str, str] = {
    "\u00a1": "Ă",  # ¡
    "\u00a2": "Â",  # ¢
    "\u00a3": "Ê",  # £
    "\u00a4": "Ô",  # ¤
    "\u00a5": "Ơ",  # ¥
    "\u00a6": "Ư",  # ¦
    "\u00a7": "Đ",  # §
    "\u00a8": "ă",  # ¨
    "\u00a9": "â",  # ©
    "\u00aa": "ê",  # ª
    "\u00ab": "ô",  # «
    "\u00ac": "ơ",  # ¬
    "\u00ad": "ư",  # soft hyphen
    "\u00ae": "đ",  # ®
    "\u00b5": "à",  # µ
    "\u00b6": "ả",  # ¶
    "\u00b7": "ã",  # ·
    "\u00b8": "á",  # ¸
    "\u00b9": "ạ",  # ¹
    "\u00bb": "ằ",  # »
    "\u00bc": "ẳ",  # ¼
    "\u00bd": "ẵ",  # ½
    "\u00be": "ắ",  # ¾
    "\u00c6": "ặ",  # Æ
    "\u00c7": "ầ",  # Ç
    "\u00c8": "ẩ",  # È
    "\u00c9": "ẫ",  # É
    "\u00ca": "ấ",  # Ê
    "\u00cb": "ậ",  # Ë
    "\u00cc": "è",  # Ì
    "\u00ce": "ẻ",  # Î
    "\u00cf": "ẽ",  # Ï
    "\u00d0": "é",  # Ð
    "\u00d1": "ẹ",  # Ñ
    "\u00d2": "ề",  # Ò
    "\u00d3": "ể",  # Ó
    "\u00d4": "ễ",  # Ô
    "\u00d5": "ế",  # Õ
    "\u00d6": "ệ",  # Ö
    "\u00d7": "ì",  # ×
    "\u00d8": "ỉ",  # Ø
    "\u00dc": "ĩ",  # Ü
    "\u00dd": "í",  # Ý
    "\u00de": "ị",  # Þ
    "\u00df": "ò",  # ß
    "\u00e1": "ỏ",  # á
    "\u00e2": "õ",  # â
    "\u00e3": "ó",  # ã
    "\u00e4": "ọ",  # ä
    "\u00e5": "ồ",  # å
    "\u00e6": "ổ",  # æ
    "\u00e7": "ỗ",  # ç
    "\u00e8": "ố",  # è
    "\u00e9": "ộ",  # é
    "\u00ea": "ờ",  # ê
    "\u00eb": "ở",  # ë
    "\u00ec": "ỡ",  # ì
    "\u00ed": "ớ",  # í
    "\u00ee": "ợ",  # î
    "\u00ef": "ù",  # ï
    "\u00f1": "ủ",  # ñ
    "\u00f2": "ũ",  # ò
    "\u00f3": "ú",  # ó
    "\u00f4": "ụ",  # ô
    "\u00f5": "ừ",  # õ
    "\u00f6": "ử",  # ö
    "\u00f7": "ữ",  # ÷
    "\u00f8": "ứ",  # ø
    "\u00f9": "ự",  # ù
    "\u00fa": "ỳ",  # ú
    "\u00fb": "ỷ",  # û
    "\u00fc": "ỹ",  # ü
    "\u00fd": "ý",  # ý
    "\u00fe": "ỵ",  # þ
}

# VNI-Windows: a base letter followed by a mark character, except for the letters that have a
# character of their own (đ, ơ, ư, and the i and ỵ forms). The TSV gives "ë"/"Ë" for ỷ/Ỷ and
# "ì"/"Ì" for ỹ/Ỹ, which clash with the breve-and-dot mark and with ì/Ì; VNI writes ỷ as "yû"
# and ỹ as "yõ", so those four rows were corrected before generating the tables.
VNI_LETTERS: dict[str, str] = {
    "\u00c6": "Ỉ",  # Æ
    "\u00cc": "Ì",  # Ì
    "\u00cd": "Í",  # Í
    "\u00ce": "Ỵ",  # Î
    "\u00d1": "Đ",  # Ñ
    "\u00d2": "Ị",  # Ò
    "\u00d3": "Ĩ",  # Ó
    "\u00d4": "Ơ",  # Ô
    "\u00d6": "Ư",  # Ö
    "\u00e6": "ỉ",  # æ
    "\u00ec": "ì",  # ì
    "\u00ed": "í",  # í
    "\u00ee": "ỵ",  # î
    "\u00f1": "đ",  # ñ
    "\u00f2": "ị",  # ò
    "\u00f3": "ĩ",  # ó
    "\u00f4": "ơ",  # ô
    "\u00f6": "ư",  # ö
}

# What each VNI mark character adds to the letter before it, as combining characters.
VNI_MARKS: dict[str, str] = {
    "\u00c0": "\u0302\u0300",  # À: circumflex accent + grave accent
    "\u00c1": "\u0302\u0301",  # Á: circumflex accent + acute accent
    "\u00c2": "\u0302",  # Â: circumflex accent
    "\u00c3": "\u0302\u0303",  # Ã: circumflex accent + tilde
    "\u00c4": "\u0323\u0302",  # Ä: dot below + circumflex accent
    "\u00c5": "\u0302\u0309",  # Å: circumflex accent + hook above
    "\u00c8": "\u0306\u0300",  # È: breve + grave accent
    "\u00c9": "\u0306\u0301",  # É: breve + acute accent
    "\u00ca": "\u0306",  # Ê: breve
    "\u00cb": "\u0323\u0306",  # Ë: dot below + breve
    "\u00cf": "\u0323",  # Ï: dot below
    "\u00d5": "\u0303",  # Õ: tilde
    "\u00d8": "\u0300",  # Ø: grave accent
    "\u00d9": "\u0301",  # Ù: acute accent
    "\u00da": "\u0306\u0309",  # Ú: breve + hook above
    "\u00db": "\u0309",  # Û: hook above
    "\u00dc": "\u0306\u0303",  # Ü: breve + tilde
    "\u00e0": "\u0302\u0300",  # à: circumflex accent + grave accent
    "\u00e1": "\u0302\u0301",  # á: circumflex accent + acute accent
    "\u00e2": "\u0302",  # â: circumflex accent
    "\u00e3": "\u0302\u0303",  # ã: circumflex accent + tilde
    "\u00e4": "\u0323\u0302",  # ä: dot below + circumflex accent
    "\u00e5": "\u0302\u0309",  # å: circumflex accent + hook above
    "\u00e8": "\u0306\u0300",  # è: breve + grave accent
    "\u00e9": "\u0306\u0301",  # é: breve + acute accent
    "\u00ea": "\u0306",  # ê: breve
    "\u00eb": "\u0323\u0306",  # ë: dot below + breve
    "\u00ef": "\u0323",  # ï: dot below
    "\u00f5": "\u0303",  # õ: tilde
    "\u00f8": "\u0300",  # ø: grave accent
    "\u00f9": "\u0301",  # ù: acute accent
    "\u00fa": "\u0306\u0309",  # ú: breve + hook above
    "\u00fb": "\u0309",  # û: hook above
    "\u00fc": "\u0306\u0303",  # ü: breve + tilde
}

# Characters that never occur in correct Vietnamese text (vietnamese-text.md, section 1).
TCVN3_EVIDENCE = frozenset("¡¢£¤¥¦§¨©ª«¬®µ¶·¸¹»¼½¾ÆÇËÎÏÐÑÖ×ØÜÞßäåæçëîïñö÷øûüþ\u00ad")
VNI_EVIDENCE = frozenset("ÄÅÆËÎÏÑÖØÛÜäåæëîïñöøûü")
_EVIDENCE = TCVN3_EVIDENCE | VNI_EVIDENCE

_TCVN3_TABLE = str.maketrans(TCVN3)
_CP1252 = frozenset(bytes(range(256)).decode("cp1252", errors="ignore"))
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
_MODIFIERS = frozenset("\u0302\u0306\u031b")  # circumflex, breve, horn
_STOP_TONES = frozenset("\u0301\u0323")  # the only tones a syllable ending in c, ch, p, t takes
_VOWELS = frozenset(
    unicodedata.normalize("NFC", base + tone)
    for base in ("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y")
    for tone in ("", *_TONE_MARKS)
)
_LETTERS = _VOWELS | frozenset("bcdđghklmnpqrstvx")
_ONSETS = (
    "ngh", "ch", "gh", "gi", "kh", "ng", "nh", "ph", "th", "tr", "qu",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "q", "r", "s", "t", "v", "x", "",
)  # fmt: skip
_RHYMES = frozenset(
    """
    a ai ao au ay âu ây e eo ê êu i ia iu iêu o oa oai oao oay oe oeo oi ô ôi ơ ơi u ua uây uê
    ui uơ uy uya uyu uôi ư ưa ưi ưu ươi ươu y yêu
    ac ach am an ang anh ap at ăc ăm ăn ăng ăp ăt âc âm ân âng âp ât ec em en eng ep et
    êch êm ên ênh êp êt ich im in inh ip it iêc iêm iên iêng iêp iêt yêm yên yêt
    oc om on ong op ot ooc oong ôc ôm ôn ông ôp ôt ơm ơn ơp ơt uc um un ung up ut
    uôc uôm uôn uông uôt ưc ưm ưn ưng ưt ươc ươm ươn ương ươp ươt
    oac oach oam oan oang oanh oap oat oăc oăm oăn oăng oăt oen oet uân uâng uât
    uêch uênh uych uyn uynh uyp uyt uyên uyêt
    """.split()
)
_SEPARATORS = re.compile(r"[\s!-/:-@\[-`{-~0-9“”‘’–—…•]+")
_LABELS = {"tcvn3": "TCVN3 (ABC)", "vni": "VNI-Windows"}


@dataclass(frozen=True)
class Detection:
    """The verdict on one cell: which legacy encoding it uses, if any, and the converted text."""

    encoding: Encoding | None
    confidence: float
    converted: str | None
    reason: str


@dataclass(frozen=True)
class _Score:
    valid: int  # tokens that are Vietnamese syllables
    words: int  # tokens with at least one letter-like character
    leftover: int  # characters that never occur in correct Vietnamese


@functools.lru_cache(maxsize=16384)  # a plan's text repeats the same few thousand words
def _is_syllable(word: str) -> bool:
    """Tell whether a word is one well-formed Vietnamese syllable (spelling rules included)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [c for c in decomposed if c in _TONE_MARKS]
    if len(tones) > 1:
        return False
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
    if not base or any(c not in _LETTERS for c in base):
        return False
    tone = tones[0] if tones else ""
    return any(
        base.startswith(onset) and _is_rhyme(onset, base[len(onset) :], tone) for onset in _ONSETS
    )


def _is_rhyme(onset: str, rhyme: str, tone: str) -> bool:
    if rhyme not in _RHYMES:
        return False
    first = rhyme[0]
    if onset == "q" and (first != "u" or len(rhyme) == 1):
        return False
    if onset in ("c", "ng") and first in "eêiy":
        return False
    if onset == "g" and first in "eêy":
        return False
    if onset in ("k", "gh", "ngh") and first not in "eêiy":
        return False
    if onset == "gi" and first == "i":
        return False
    return not (rhyme.endswith(("c", "ch", "p", "t")) and tone not in _STOP_TONES)


def _score(text: str) -> _Score:
    valid = words = 0
    for token in _SEPARATORS.split(text):
        if not token:
            continue
        words += 1
        valid += _is_syllable(token)
    return _Score(valid, words, sum(c in _EVIDENCE for c in text))


def _compose(letter: str, marks: str) -> str | None:
    """Add VNI marks to a letter; the letter itself for doubled marks; None if they do not fit."""
    decomposed = unicodedata.normalize("NFD", letter)
    base, present = decomposed[0], decomposed[1:]
    if all(m in present for m in marks):
        return letter  # some old tools typed a mark twice
    tones = {c for c in present + marks if c in _TONE_MARKS}
    modifiers = {c for c in present + marks if c in _MODIFIERS}
    if len(tones) > 1 or len(modifiers) > 1:
        return None
    composed = unicodedata.normalize("NFC", base + present + marks)
    return composed if len(composed) == 1 and composed.lower() in _VOWELS else None


def _vni_to_unicode(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        current = VNI_LETTERS.get(text[i], text[i])
        i += 1
        if current.lower() in _VOWELS:
            while i < len(text) and text[i] in VNI_MARKS:
                composed = _compose(current, VNI_MARKS[text[i]])
                if composed is None:
                    break
                current = composed
                i += 1
        out.append(current)
    return "".join(out)


def _convert(text: str, encoding: str) -> str:
    if encoding == "tcvn3":
        return text.translate(_TCVN3_TABLE)
    return _vni_to_unicode(text)


def _legacy_segments(text: str) -> list[tuple[str, bool]]:
    """Split text into (piece, is_cp1252) where a word with any non-cp1252 character is Unicode.

    Whole words are kept together so that the cp1252 letters of a Unicode word (the "à" of
    "Tài") are never converted on their own.
    """
    segments: list[tuple[str, bool]] = []
    for piece in re.split(r"(\s+)", text):
        if not piece:
            continue
        legacy = all(c in _CP1252 for c in piece)
        if segments and (segments[-1][1] == legacy or piece.isspace()):
            segments[-1] = (segments[-1][0] + piece, segments[-1][1])
        else:
            segments.append((piece, legacy))
    return segments


def _is_better(before: _Score, after: _Score) -> bool:
    return after.leftover == 0 and (after.valid > before.valid or before.leftover > 0)


def _convert_words(text: str, encoding: str) -> str:
    """Convert a legacy run of a mixed cell, sparing the Unicode words typed among it.

    A word without legacy-only characters that is good Vietnamese as it is, and would not be
    after conversion ("chính" → "chớnh"), is one the clerk typed in Unicode.
    """
    words: list[str] = []
    for word in re.split(r"(\s+)", text):
        converted = _convert(word, encoding)
        before, after = _score(word), _score(converted)
        keep = before.leftover == 0 and before.valid == before.words > after.valid
        words.append(word if keep else converted)
    return "".join(words)


def to_unicode(text: str, encoding: str, uppercase: bool = False) -> str:
    """Convert legacy text to Unicode NFC; ``uppercase`` for cells in a ".VnTimeH"-style font.

    Text made only of cp1252 characters is converted whole. In a cell that mixes Unicode and
    legacy text, each run of cp1252 words is converted only when that makes it better
    Vietnamese, and words holding any other character are left as they are.
    """
    if encoding not in _LABELS:
        raise ValueError(f"Bảng mã không hỗ trợ: {encoding}; chỉ có tcvn3 hoặc vni")
    if all(c in _CP1252 for c in text):
        result = _convert(text, encoding)
    else:
        parts: list[str] = []
        for piece, legacy in _legacy_segments(text):
            if legacy and not piece.isascii():
                converted = _convert(piece, encoding)
                if _is_better(_score(piece), _score(converted)):
                    piece = _convert_words(piece, encoding)
            parts.append(piece)
        result = "".join(parts)
    result = unicodedata.normalize("NFC", result)
    return upper_vn(result) if uppercase else result


def _font_encoding(font_name: str | None) -> Encoding | None:
    name = (font_name or "").strip()
    if name.lower().startswith(".vn"):
        return "tcvn3"
    if name.upper().startswith("VNI"):
        return "vni"
    return None


def _detect_by_font(text: str, font: str, encoding: Encoding) -> Detection:
    uppercase = encoding == "tcvn3" and font.endswith("H")
    converted = to_unicode(text, encoding, uppercase=uppercase)
    has_evidence = any(c in _EVIDENCE for c in text)
    typed_unicode = any(c not in _CP1252 for c in text)
    if not has_evidence and (typed_unicode or _score(converted).valid < _score(text).valid):
        return Detection(
            None, 0.8, None, f"Phông chữ «{font}» là phông mã cũ nhưng nội dung đã là Unicode"
        )
    reason = f"Phông chữ «{font}» là phông {_LABELS[encoding]}"
    if uppercase:
        reason += "; phông chữ hoa nên nội dung được chuyển thành chữ in hoa"
    return Detection(encoding, 0.95, converted, reason)


def detect(text: str, font_name: str | None = None) -> Detection:
    """Tell whether a cell's text is in a legacy encoding, and give its Unicode conversion.

    The font name decides when it is a legacy font (".Vn…" is TCVN3, "VNI…" is VNI-Windows).
    Otherwise the text is converted both ways and the conversion with the most valid
    Vietnamese syllables and no leftover legacy characters wins, if it beats the text as is.
    """
    font = (font_name or "").strip()
    encoding = _font_encoding(font)
    if encoding is not None:
        return _detect_by_font(text, font, encoding)
    if text.isascii():
        return Detection(None, 1.0, None, "Chỉ có chữ ASCII, không có dấu hiệu mã cũ")
    if not any(c in _CP1252 and not c.isascii() for c in text):
        return Detection(None, 1.0, None, "Văn bản Unicode, không có ký tự của bảng mã cũ")
    before = _score(text)
    candidates: list[tuple[int, int, Encoding, str, _Score]] = []
    encodings: tuple[tuple[Encoding, frozenset[str]], ...] = (
        ("tcvn3", TCVN3_EVIDENCE), ("vni", VNI_EVIDENCE))
    for name, evidence in encodings:
        converted = to_unicode(text, name)
        after = _score(converted)
        if converted != unicodedata.normalize("NFC", text) and _is_better(before, after):
            own = sum(c in evidence for c in text)
            candidates.append((after.valid, own, name, converted, after))
    if not candidates:
        return Detection(
            None, 0.9, None, "Chuyển mã không làm văn bản đúng tiếng Việt hơn; coi là Unicode"
        )
    candidates.sort(reverse=True)
    valid, _, name, converted, after = candidates[0]
    words = max(after.words, 1)
    confidence = min(0.99, 0.5 + 0.5 * (valid - before.valid) / words)
    if len(candidates) > 1 and candidates[1][0] == valid:
        confidence /= 2  # both encodings read equally well
    reason = (
        f"Có dấu hiệu bảng mã {_LABELS[name]}: {valid}/{after.words} âm tiết hợp lệ sau khi "
        f"chuyển, {before.valid}/{before.words} trước khi chuyển"
    )
    return Detection(name, round(confidence, 3), converted, reason)


_VIQR_STRONG = re.compile(r"[aeiouy](?:\^|\(|\+)(?:[`'?~.]|[a-z]|\b)", re.IGNORECASE)
_VIQR_WEAK = re.compile(r"[aeiouy][`'?~.][a-z]", re.IGNORECASE)
_VIQR_DD = re.compile(r"\bdd[aeiouy]", re.IGNORECASE)


def looks_like_viqr(text: str) -> bool:
    """Tell whether ASCII text looks like VIQR ("Vie^.t Nam"); a suspicion to report, no more."""
    strong = len(_VIQR_STRONG.findall(text)) + len(_VIQR_DD.findall(text))
    weak = len(_VIQR_WEAK.findall(text))
    return strong >= 1 or weak >= 2
