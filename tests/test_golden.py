"""The generated 2018 package says what the real Quyết định 3406/QĐ-UBND says."""

from __future__ import annotations

import difflib
import re

from tests.conftest import SEED
from tests.docx_text import document_lines, words

APPENDIX_HEADER = re.compile(r"^STT\tNội dung, nhiệm vụ\tCơ quan chủ trì", re.MULTILINE)


def seed_words() -> list[str]:
    text = SEED.read_text(encoding="utf-8")
    # the appendix header row repeats where each page of the original began: count it once
    first = APPENDIX_HEADER.search(text)
    assert first is not None
    head, tail = text[: first.end()], text[first.end():]
    tail = "\n".join(line for line in tail.splitlines() if not APPENDIX_HEADER.match(line))
    return words(head + tail)


def test_package_has_at_least_98_percent_of_the_seed_words_in_order(decision_docx, capsys):
    seed = seed_words()
    ours = words("\n".join(document_lines(decision_docx)))
    matcher = difflib.SequenceMatcher(None, seed, ours, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    ratio = matched / len(seed)
    with capsys.disabled():
        print(f"\nseed words found in order: {matched}/{len(seed)} = {ratio:.2%}")
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag != "equal" and i2 > i1:
                print(f"  seed: {' '.join(seed[i1:i2])!r}\n   ours: {' '.join(ours[j1:j2])!r}")
    assert ratio >= 0.98


def test_plan_points_follow_the_vietnamese_letter_sequence_where_the_seed_slipped(decision_docx):
    lines = document_lines(decision_docx)
    # section II.7 of the seed goes a b c d e g h l: it skips đ and jumps from h to l;
    # ours goes a b c d đ e g h, the last point is h)
    start = next(i for i, line in enumerate(lines) if "Tăng cường công tác giáo dục đạo đức" in line)
    assert lines[start].startswith("g) ")
    assert lines[start + 1].startswith("h) Tiếp tục thanh tra, kiểm tra công tác cải cách")
    # the seed's points skip đ (a b c d e); ours do not
    assert any(line.startswith("đ) Triển khai, phổ biến kịp thời các văn bản QPPL") for line in lines)


def test_appendix_rows_are_numbered_without_the_seeds_gap(decision_docx):
    lines = document_lines(decision_docx)
    # area VI of the seed numbers 10 then 13; ours numbers 10 then 11
    row = lines.index("Kiểm tra, giám sát hoạt động xây dựng, áp dụng và duy trì ISO hành chính "
                      "công tại các sở, ban, ngành và UBND các huyện, thị xã")
    assert lines[row - 1] == "11"


def test_decision_header_number_date_and_signers(decision_docx):
    lines = document_lines(decision_docx)
    assert "Số: 3406/QĐ-UBND" in lines
    assert "Bình Phước, ngày 28 tháng 12 năm 2017" in lines
    assert "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH" in lines
    assert lines.count("Nguyễn Văn Trâm") == 1 and lines.count("Nguyễn Văn Tuấn") == 1
    assert "Xét đề nghị của Giám đốc Sở Nội vụ tại Tờ trình số 2909/TTr-SNV ngày 19/12/2017." in lines
    assert any(line.endswith("chịu trách nhiệm thi hành Quyết định này kể từ ngày ký./.")
               for line in lines)
    assert "- Sở Nội vụ: 05 bản;" in lines
    assert "- Lưu: VT, T96." in lines


def test_the_archive_line_keeps_copies_kept_apart_from_copies_issued(tmp_path):
    import openpyxl

    from generator.pipeline import build
    from tests.conftest import WORKBOOK

    wb = openpyxl.load_workbook(WORKBOOK)
    ws = wb["Thông tin chung"]
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    ws.cell(rows["Đơn vị lưu"], 2).value = "NC"
    ws.cell(rows["Số bản lưu"], 2).value = 2
    ws.cell(rows["Số lượng bản phát hành"], 2).value = 40
    path = tmp_path / "luu.xlsx"
    wb.save(path)
    result = build(path, tmp_path / "out")
    lines = document_lines(result.folder / "3406-qd-ubnd.docx")
    assert "- Lưu: VT, NC (02b), T96.40." in lines
