"""Legacy encodings: finding TCVN3 and VNI-Windows text in cells and converting it."""

import csv
import dataclasses
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.text.legacy import TCVN3, VNI_LETTERS, VNI_MARKS, detect, looks_like_viqr, to_unicode

# The 134 Vietnamese letters in Unicode, VNI Windows, TCVN3 (ABC) and VIQR: a copy of the
# project's shared table, kept with the tests so that they run on any checkout.
CHARSETS = Path(__file__).resolve().parent / "fixtures" / "vn-legacy-charsets.tsv"
# Rows of the shared table whose VNI column is wrong (see the comment in generator/text/legacy.py).
VNI_FIXES = {"Ỷ": "YÛ", "Ỹ": "YÕ", "ỷ": "yû", "ỹ": "yõ"}

LOWER_LETTERS = "".join(sorted({c for c in TCVN3.values() if c.islower()} | set("aeiouy")))
CP1252 = bytes(range(256)).decode("cp1252", errors="ignore")
vietnamese_words = st.lists(
    st.text(alphabet=LOWER_LETTERS + "bcdghklmnpqrstvx", min_size=1, max_size=7),
    min_size=1,
    max_size=8,
).map(" ".join)


def encode_tcvn3(text: str) -> str:
    inverse = {u: legacy for legacy, u in TCVN3.items()}
    return "".join(inverse.get(c, c) for c in text)


def encode_vni(text: str) -> str:
    inverse = {u: legacy for legacy, u in VNI_LETTERS.items()}
    for letter in LOWER_LETTERS:
        for base in ("a", "e", "i", "o", "u", "y", "ô", "ö"):
            for mark, combining in VNI_MARKS.items():
                plain = VNI_LETTERS.get(base, base)
                composed = unicodedata.normalize("NFC", plain + combining)
                if mark.islower() and composed == letter and letter not in inverse:
                    inverse[letter] = base + mark
    return "".join(inverse.get(c, c) for c in text)


DOC_EXAMPLES = [
    ("Céng hßa x· héi chñ nghÜa ViÖt Nam", "tcvn3", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
    ("§éc lËp - Tù do - H¹nh phóc", "tcvn3", "Độc lập - Tự do - Hạnh phúc"),
    ("NguyÔn ThÞ Thuý", "tcvn3", "Nguyễn Thị Thuý"),
    ("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", "vni", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
    ("Ñoäc laäp - Töï do - Haïnh phuùc", "vni", "Độc lập - Tự do - Hạnh phúc"),
    ("Nguyeãn Thò Thuyù", "vni", "Nguyễn Thị Thuý"),
    ("Së T\u00ad ph¸p", "tcvn3", "Sở Tư pháp"),
    ("Sôû Tö phaùp", "vni", "Sở Tư pháp"),
    ("Ban hµnh KÕ ho¹ch c¶i c¸ch hµnh chÝnh", "tcvn3", "Ban hành Kế hoạch cải cách hành chính"),
]


class TestConversion:
    @pytest.mark.parametrize(("legacy", "encoding", "unicode"), DOC_EXAMPLES)
    def test_converts_the_examples_of_the_guide(
        self, legacy: str, encoding: str, unicode: str
    ) -> None:
        assert to_unicode(legacy, encoding) == unicode

    def test_keeps_the_soft_hyphen_that_is_tcvn3_u_horn(self) -> None:
        assert to_unicode("Tr\u00adêng", "tcvn3") == "Trường"

    def test_uppercases_text_from_a_capitals_font(self) -> None:
        assert to_unicode("céng hßa", "tcvn3", uppercase=True) == "CỘNG HÒA"

    def test_converts_only_the_legacy_part_of_a_mixed_cell(self) -> None:
        cell = "Sở Tài chính - Céng hßa x· héi chñ nghÜa ViÖt Nam"
        assert to_unicode(cell, "tcvn3") == "Sở Tài chính - Cộng hòa xã hội chủ nghĩa Việt Nam"

    def test_leaves_the_unicode_words_of_a_mixed_cell_alone(self) -> None:
        cell = "Tỉnh Bình Phước: Coäng hoøa"
        assert to_unicode(cell, "vni") == "Tỉnh Bình Phước: Cộng hòa"

    @pytest.mark.parametrize(
        ("legacy", "unicode"),
        [("Vieäät Nam", "Việt Nam"), ("hoøøa", "hòa"), ("Thuyùù", "Thuý"), ("aøù", "àù")],
    )
    def test_survives_doubled_vni_marks(self, legacy: str, unicode: str) -> None:
        assert to_unicode(legacy, "vni") == unicode

    def test_refuses_an_unknown_encoding(self) -> None:
        with pytest.raises(ValueError, match="không hỗ trợ"):
            to_unicode("abc", "viqr")

    @given(vietnamese_words)
    def test_reads_back_any_tcvn3_text(self, text: str) -> None:
        assert to_unicode(encode_tcvn3(text), "tcvn3") == text

    @given(vietnamese_words)
    def test_reads_back_any_vni_text(self, text: str) -> None:
        assert to_unicode(encode_vni(text), "vni") == text


class TestAgainstTheSharedTable:
    @staticmethod
    def rows() -> list[dict[str, str]]:
        with CHARSETS.open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle, delimiter="\t"))

    def test_has_all_134_letters(self) -> None:
        assert len(self.rows()) == 134

    def test_reads_every_vni_letter(self) -> None:
        for row in self.rows():
            vni = VNI_FIXES.get(row["unicode"], row["vni_windows"])
            assert to_unicode(vni, "vni") == row["unicode"], row

    def test_corrects_only_the_four_clashing_vni_rows(self) -> None:
        wrong = {
            r["unicode"] for r in self.rows() if to_unicode(r["vni_windows"], "vni") != r["unicode"]
        }
        assert wrong == set(VNI_FIXES)

    def test_reads_every_tcvn3_letter(self) -> None:
        for row in self.rows():
            letter, tcvn3 = row["unicode"], row["tcvn3_abc"]
            if len(tcvn3) == 1:
                assert to_unicode(tcvn3, "tcvn3") == letter
            else:  # an accented capital: the lowercase code in a capitals font
                lower = next(r["tcvn3_abc"] for r in self.rows() if r["unicode"] == letter.lower())
                assert to_unicode(lower, "tcvn3", uppercase=True) == letter


class TestDetection:
    @pytest.mark.parametrize(("legacy", "encoding", "unicode"), DOC_EXAMPLES)
    def test_recognises_legacy_text_without_a_font(
        self, legacy: str, encoding: str, unicode: str
    ) -> None:
        found = detect(legacy)
        assert (found.encoding, found.converted) == (encoding, unicode)
        assert 0.5 <= found.confidence <= 1

    @pytest.mark.parametrize(
        "text",
        [
            "Cộng hòa xã hội chủ nghĩa Việt Nam",
            "Sở Tài chính",
            "Nguyễn Thị Thuý",
            "Hàng quý, 6 tháng và năm",
            "Tài chính",
            "Ủy ban nhân dân tỉnh Bình Phước",
            "Độc lập - Tự do - Hạnh phúc",
            unicodedata.normalize("NFD", "Nguyễn Thị Thuý"),
        ],
    )
    def test_leaves_correct_unicode_alone(self, text: str) -> None:
        found = detect(text)
        assert found.encoding is None
        assert found.converted is None

    @pytest.mark.parametrize("text", ["", "UBND", "Ke hoach CCHC 2018", "3406/QD-UBND"])
    def test_leaves_ascii_alone(self, text: str) -> None:
        assert detect(text).encoding is None

    def test_finds_legacy_text_in_a_mixed_cell(self) -> None:
        found = detect("Sở Nội vụ: Céng hßa x· héi")
        assert (found.encoding, found.converted) == ("tcvn3", "Sở Nội vụ: Cộng hòa xã hội")

    def test_trusts_a_tcvn3_font(self) -> None:
        found = detect("Thuý", ".VnTime")
        assert (found.encoding, found.converted) == ("tcvn3", "Thuý")
        assert "TCVN3" in found.reason

    def test_uppercases_a_capitals_font(self) -> None:
        found = detect("céng hßa x· héi chñ nghÜa viÖt nam", ".VnTimeH")
        assert found.encoding == "tcvn3"
        assert found.converted == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
        assert "in hoa" in found.reason

    def test_trusts_a_vni_font(self) -> None:
        found = detect("Thuyù", "VNI-Times")
        assert (found.encoding, found.converted) == ("vni", "Thuý")

    def test_notices_unicode_typed_in_a_legacy_font(self) -> None:
        found = detect("Sở Tài chính", ".VnTime")
        assert found.encoding is None
        assert "Unicode" in found.reason

    def test_checks_characters_when_the_font_was_changed(self) -> None:
        found = detect("§éc lËp - Tù do - H¹nh phóc", "Times New Roman")
        assert found.encoding == "tcvn3"

    def test_gives_a_vietnamese_reason(self) -> None:
        assert "âm tiết" in detect("NguyÔn ThÞ Thuý").reason
        assert "ASCII" in detect("Nam").reason

    def test_is_frozen(self) -> None:
        found = detect("Nam")
        with pytest.raises(dataclasses.FrozenInstanceError):
            found.encoding = "vni"  # type: ignore[misc]

    @given(st.text(), st.sampled_from([None, "", ".VnTime", ".VnTimeH", "VNI-Times", "Arial"]))
    def test_never_raises_on_any_text(self, text: str, font: str | None) -> None:
        found = detect(text, font)
        assert 0 <= found.confidence <= 1
        assert found.encoding in (None, "tcvn3", "vni")
        assert (found.converted is None) == (found.encoding is None)
        to_unicode(text, "tcvn3")
        to_unicode(text, "vni", uppercase=True)

    @given(st.text(alphabet=CP1252 + "ởộệ"))
    def test_never_raises_on_legacy_looking_text(self, text: str) -> None:
        detect(text)
        to_unicode(text, "tcvn3")
        to_unicode(text, "vni")


class TestViqr:
    @pytest.mark.parametrize(
        "text", ["Vie^.t Nam", "Co^.ng ho`a xa~ ho^.i", "DDo^.c la^.p", "Nguye^~n Thi. Thu'y"]
    )
    def test_suspects_viqr(self, text: str) -> None:
        assert looks_like_viqr(text)

    @pytest.mark.parametrize(
        "text", ["Việt Nam", "Hello world.", "e.g. this", "UBND tỉnh. Sở Nội vụ", "C++", ""]
    )
    def test_does_not_suspect_ordinary_text(self, text: str) -> None:
        assert not looks_like_viqr(text)
