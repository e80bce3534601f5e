"""Transcribe the 2018 Bình Phước decision (the seed text) into data/ke-hoach-cchc-2018.xlsx."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.workbook import blank, schema  # noqa: E402

SEED = ROOT.parent / "shared" / "seed" / "000_3398c46a741a4915.txt"
OUTPUT = ROOT / "data" / "ke-hoach-cchc-2018.xlsx"

# Page breaks of the converted file cut these paragraphs in two; each is joined with a space.
EXPECTED_JOINS = 4
EXPECTED_AREAS = 7
EXPECTED_TASKS = 46

GENERAL: dict[str, object] = {
    "issuer_parent": None,
    "issuer": "ỦY BAN NHÂN DÂN\nTỈNH BÌNH PHƯỚC",
    "place": "Bình Phước",
    "year": 2018,
    "number": 3406,
    "symbol": "QĐ-UBND",
    "issue_date": date(2017, 12, 28),
    "summary": "Ban hành Kế hoạch cải cách hành chính Nhà nước năm 2018 "
               "trên địa bàn tỉnh Bình Phước",
    "authority": "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH",
    "proposal": "Xét đề nghị của Giám đốc Sở Nội vụ tại Tờ trình số 2909/TTr-SNV ngày 19/12/2017",
    "signer_prefix": None,
    "signer_on_behalf": None,
    "signer_title": "CHỦ TỊCH",
    "signer_name": "Nguyễn Văn Trâm",
    "archive_unit": None,
    "drafter": "T96",
    "copies": None,
    "plan_title": "Cải cách hành chính Nhà nước năm 2018 trên địa bàn tỉnh Bình Phước",
    "issued_by": "Chủ tịch UBND tỉnh Bình Phước",
    "plan_signer_prefix": None,
    "plan_signer_on_behalf": None,
    "plan_signer_title": "CHỦ TỊCH",
    # The seed's two signature blocks disagree (Trâm / Tuấn); both are kept as written.
    "plan_signer_name": "Nguyễn Văn Tuấn",
    "appendix_title": "KẾ HOẠCH CỤ THỂ TRIỂN KHAI CÁC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH",
    "report_to": "UBND tỉnh (qua Sở Nội vụ để tổng hợp)",
    "report_addressee": "Ủy ban nhân dân tỉnh Bình Phước",
}

RECIPIENTS: list[dict[str, object]] = [
    {"text": "Ban ĐCCHC của Chính phủ"},
    {"text": "Vụ CCHC-Bộ Nội vụ"},
    {"text": "CQTTPN-Bộ Nội vụ"},
    {"text": "CT, PCT UBND tỉnh"},
    {"text": "Như Điều 2"},
    {"text": "Báo Bình Phước"},
    {"text": "Bưu điện tỉnh"},
    {"text": "LĐVP, Phòng: NC"},
    {"text": "Sở Nội vụ", "copies": 5},
]

PROVINCE = "UBND tỉnh Bình Phước"
DEPT, DISTRICT, OTHER = "sở-ban-ngành", "cấp huyện", "khác"
YES, NO = schema.YES, schema.NO


def _agency(code: str, name: str, kind: str, head: str, abbr: str, aliases: str = "",
            reports: str = YES, parent: str = PROVINCE, on_behalf: str = "",
            place: str = "") -> dict[str, object]:
    return {
        "code": code, "name": name, "kind": kind, "parent": parent, "head_title": head,
        "on_behalf": on_behalf, "abbr": abbr, "aliases": aliases, "reports": reports,
        "place": place,
    }


def _department(code: str, name: str, abbr: str, aliases: str = "",
                head: str = "GIÁM ĐỐC") -> dict[str, object]:
    return _agency(code, name, DEPT, head, abbr, aliases)


def _district(code: str, unit: str, place: str, aliases: str = "") -> dict[str, object]:
    name = f"Ủy ban nhân dân {unit} {place}"
    names = [f"UBND {unit} {place}", f"{unit} {place}"]
    if aliases:
        names.append(aliases)
    return _agency(code, name, DISTRICT, "CHỦ TỊCH", "UBND", "; ".join(names), parent="",
                   on_behalf="ỦY BAN NHÂN DÂN", place=place)


AGENCIES: list[dict[str, object]] = [
    _department("SNV", "Sở Nội vụ", "SNV"),
    _department("STP", "Sở Tư pháp", "STP"),
    _department("VPUBND", "Văn phòng UBND tỉnh", "VPUBND",
                "Văn phòng Ủy ban nhân dân tỉnh; VPUBND tỉnh; VP UBND tỉnh",
                head="CHÁNH VĂN PHÒNG"),
    _department("STC", "Sở Tài chính", "STC"),
    _department("SKHDT", "Sở Kế hoạch và Đầu tư", "SKHĐT", "Sở KH&ĐT; Sở KHĐT"),
    _department("STTTT", "Sở Thông tin và Truyền thông", "STTTT", "Sở TT&TT; Sở TTTT"),
    _department("SKHCN", "Sở Khoa học và Công nghệ", "SKHCN", "Sở KH&CN; Sở KHCN"),
    _department("SYT", "Sở Y tế", "SYT"),
    _department("SGDDT", "Sở Giáo dục và Đào tạo", "SGDĐT", "Sở GD&ĐT; Sở GDĐT"),
    _department("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL",
                "Sở Văn hóa - Thể thao và Du lịch; Sở VHTTDL; Sở VH-TT&DL"),
    _department("SLDTBXH", "Sở Lao động, Thương binh và Xã hội", "SLĐTBXH",
                "Sở Lao động - Thương binh và Xã hội; Sở LĐTBXH; Sở LĐ-TB&XH"),
    _department("STNMT", "Sở Tài nguyên và Môi trường", "STNMT", "Sở TN&MT; Sở TNMT"),
    _department("SXD", "Sở Xây dựng", "SXD"),
    _department("SCT", "Sở Công Thương", "SCT"),
    _department("SGTVT", "Sở Giao thông vận tải", "SGTVT",
                "Sở Giao thông - Vận tải; Sở GTVT"),
    _department("SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn", "SNN",
                "Sở NN&PTNT; Sở NNPTNT"),
    _department("SNGV", "Sở Ngoại vụ", "SNgV"),
    _department("TTT", "Thanh tra tỉnh", "TTr", head="CHÁNH THANH TRA"),
    _department("BDT", "Ban Dân tộc", "BDT", "Ban Dân tộc tỉnh", head="TRƯỞNG BAN"),
    _department("BQLKKT", "Ban Quản lý Khu kinh tế tỉnh", "BQLKKT",
                "Ban Quản lý Khu kinh tế; BQL Khu kinh tế", head="TRƯỞNG BAN"),
    _agency("TTHCC", "Trung tâm Hành chính công tỉnh", OTHER, "GIÁM ĐỐC", "TTHCC",
            "Trung tâm Hành chính công; Trung tâm hành chính công; "
            "Trung tâm Hành chính công của tỉnh"),
    _agency("DPTTH", "Đài Phát thanh và Truyền hình tỉnh", OTHER, "GIÁM ĐỐC", "ĐPTTH",
            "Đài phát thanh và truyền hình; Đài Phát thanh - Truyền hình tỉnh; Đài PT-TH tỉnh",
            reports=NO),
    _agency("BAOBP", "Báo Bình Phước", OTHER, "TỔNG BIÊN TẬP", "BBP", reports=NO,
            parent="Tỉnh ủy Bình Phước"),
    _agency("BUUDIEN", "Bưu điện tỉnh", OTHER, "GIÁM ĐỐC", "BĐT", "Bưu điện tỉnh Bình Phước",
            reports=NO, parent="Tổng công ty Bưu điện Việt Nam"),
    _agency("HDTDKT", "Thường trực Hội đồng thi đua, Khen thưởng tỉnh", OTHER, "CHỦ TỊCH",
            "HĐTĐKT",
            "Hội đồng Thi đua - Khen thưởng tỉnh; Hội đồng thi đua, Khen thưởng tỉnh; "
            "Thường trực Hội đồng Thi đua - Khen thưởng tỉnh",
            reports=NO),
    _agency("BCDCDDN",
            "Ban Chỉ đạo xây dựng Đề án thành lập Trường Cao đẳng đa ngành tỉnh Bình Phước",
            OTHER, "TRƯỞNG BAN", "BCĐ",
            "Ban Chỉ đạo xây dựng Đề án thành lập Trường Cao đẳng đa ngành", reports=NO),
    _agency("UBNDT", "Ủy ban nhân dân tỉnh Bình Phước", OTHER, "CHỦ TỊCH", "UBND",
            "UBND tỉnh; UBND tỉnh Bình Phước; Ủy ban nhân dân tỉnh", reports=NO, parent="",
            on_behalf="ỦY BAN NHÂN DÂN"),
    # Đồng Xoài became a city in 2018 after the plan was signed; clerks may write either.
    _district("DONGXOAI", "thị xã", "Đồng Xoài",
              "UBND thành phố Đồng Xoài; thành phố Đồng Xoài"),
    _district("BINHLONG", "thị xã", "Bình Long"),
    _district("PHUOCLONG", "thị xã", "Phước Long"),
    _district("CHONTHANH", "huyện", "Chơn Thành"),
    _district("HONQUAN", "huyện", "Hớn Quản"),
    _district("LOCNINH", "huyện", "Lộc Ninh"),
    _district("BUDOP", "huyện", "Bù Đốp"),
    _district("BUGIAMAP", "huyện", "Bù Gia Mập"),
    _district("PHURIENG", "huyện", "Phú Riềng"),
    _district("BUDANG", "huyện", "Bù Đăng"),
    _district("DONGPHU", "huyện", "Đồng Phú"),
]

_SUMMARY = "Kết quả thực hiện công tác cải cách hành chính {} năm 2018"

# VI.1.c gives the deadlines; the data windows follow the Bộ Nội vụ's reporting guidance.
PERIODS: list[dict[str, object]] = [
    {"code": "quy-1", "name": "quý I", "summary": _SUMMARY.format("quý I"),
     "deadline": date(2018, 3, 5), "data_from": date(2017, 12, 15), "data_to": date(2018, 3, 14)},
    {"code": "6-thang", "name": "6 tháng",
     "summary": "Kết quả thực hiện công tác cải cách hành chính 6 tháng đầu năm 2018",
     "deadline": date(2018, 6, 5), "data_from": date(2017, 12, 15), "data_to": date(2018, 6, 14)},
    {"code": "quy-3", "name": "quý III", "summary": _SUMMARY.format("quý III"),
     "deadline": date(2018, 9, 5), "data_from": date(2018, 6, 15), "data_to": date(2018, 9, 14)},
    {"code": "nam", "name": "năm",
     "summary": "Kết quả thực hiện công tác cải cách hành chính năm 2018",
     "deadline": date(2018, 12, 1), "data_from": date(2017, 12, 15),
     "data_to": date(2018, 12, 14)},
]

# Sources name the plan's points as the generator numbers them: the seed's II.2 "e)" follows
# "d)" directly, so the generated plan calls that point "đ".
TARGETS: list[dict[str, object]] = [
    {"text": "Các TTHC của các cơ quan chuyên môn cấp tỉnh, UBND các huyện, thị xã và UBND các "
             "xã, phường, thị trấn được thực hiện theo cơ chế một cửa, cơ chế một cửa liên thông",
     "value": "100%", "agencies": "Các sở, ban, ngành, UBND cấp huyện, UBND cấp xã",
     "source": "II.2.đ"},
    {"text": "Cơ quan chuyên môn cấp tỉnh và UBND các huyện, thị xã có hồ sơ TTHC giải quyết "
             "đúng hẹn cho người dân, tổ chức",
     "value": "trên 80%", "agencies": "Các sở, ban, ngành, UBND cấp huyện",
     "source": "II.2.đ"},
    {"text": "Hồ sơ TTHC quá hạn giải quyết cho người dân, tổ chức đều có văn bản xin lỗi",
     "value": "100%", "agencies": "Các sở, ban, ngành, UBND cấp huyện, UBND cấp xã",
     "source": "II.2.đ; Phụ lục II.6"},
    {"text": "Cán bộ, công chức, viên chức sử dụng hộp thư công vụ để trao đổi công việc",
     "value": "100%", "agencies": "Các sở, ban, ngành, UBND cấp huyện, UBND cấp xã",
     "source": "II.6.d"},
    {"text": "Các cơ quan, đơn vị được tích hợp chữ ký số điện tử trong năm 2018",
     "value": "80%", "agencies": "Các sở, ban, ngành, UBND cấp huyện", "source": "II.6.d"},
    {"text": "Cán bộ, công chức cấp xã đạt chuẩn theo quy định",
     "value": "100%", "agencies": "UBND cấp huyện", "source": "II.4.c"},
    {"text": "Các văn bản quy phạm pháp luật được ban hành đúng căn cứ pháp lý, đúng thẩm "
             "quyền, nội dung, trình tự, thủ tục, thể thức và kỹ thuật trình bày",
     "value": "100%", "agencies": "Sở Tư pháp; các sở, ban, ngành, UBND cấp huyện",
     "source": "Phụ lục I.2"},
    {"text": "TTHC đều được cập nhật công khai đầy đủ",
     "value": "100%",
     "agencies": "Văn phòng UBND tỉnh; các sở, ban, ngành, UBND cấp huyện, cấp xã",
     "source": "Phụ lục II.2"},
    {"text": "Thực hiện Kế hoạch ứng dụng công nghệ thông tin năm 2018 trên địa bàn tỉnh, "
             "đạt Kế hoạch đề ra",
     "value": "100%", "agencies": "Sở Thông tin và Truyền thông", "source": "Phụ lục VI.1"},
    {"text": "Cơ quan, đơn vị thí điểm xây dựng và áp dụng ISO điện tử vào giải quyết công việc",
     "value": "05 cơ quan, đơn vị", "agencies": "Sở Khoa học và Công nghệ",
     "source": "Phụ lục VI.10"},
]

_PART = re.compile(r"^([IVX]+)\. (.+)$")
_SECTION = re.compile(r"^(\d+)\. (.+)$")
_POINT = re.compile(r"^([a-zđ])\) (.+)$")
_ROMAN = re.compile(r"^[IVX]+$")
_END_PUNCTUATION = tuple(".;:,!?)")
# A line this short without end punctuation is a title, never half of a cut sentence.
_TITLE_MAX = 80


class SeedError(Exception):
    """The seed text does not look as this transcription expects."""


def read_seed(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def paragraphs(lines: list[str]) -> tuple[list[str], int]:
    """Non-empty lines, re-joining sentences that a page break cut; also the number of joins."""
    result: list[str] = []
    joins = 0
    for line in (raw.strip() for raw in lines):
        if not line:
            continue
        if result and _is_cut(result[-1], line):
            result[-1] = f"{result[-1]} {line}"
            joins += 1
        else:
            result.append(line)
    return result, joins


def _is_cut(previous: str, line: str) -> bool:
    if previous.endswith(_END_PUNCTUATION) or len(previous) <= _TITLE_MAX:
        return False
    return not any(p.match(line) for p in (_PART, _SECTION, _POINT))


def _index(lines: list[str], predicate: object, start: int = 0) -> int:
    for number in range(start, len(lines)):
        if predicate(lines[number]):  # type: ignore[operator]
            return number
    raise SeedError(f"line not found after line {start + 1}")


def decision_parts(lines: list[str]) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """The căn cứ rows and the articles of the Quyết định."""
    end = _index(lines, lambda s: s.startswith("Xét đề nghị"))
    bases = [{"text": s.strip().removesuffix(";")} for s in lines[:end] if s.startswith("Căn cứ ")]
    articles = []
    for line in lines[end:]:
        match = re.match(r"^Điều \d+\. (.+)$", line)
        if match:
            articles.append({"text": match.group(1).removesuffix("/.")})
    return bases, articles


def outline(lines: list[str]) -> tuple[list[dict[str, object]], int]:
    """The plan body as (level, heading, text) rows, and the number of re-joined page cuts."""
    start = _index(lines, lambda s: s.startswith("*(Ban hành kèm theo"))
    start = _index(lines, lambda s: s.endswith(").*"), start) + 1
    end = _index(lines, lambda s: s.strip() == "CHỦ TỊCH", start)
    items, joins = paragraphs(lines[start:end])
    rows: list[dict[str, object]] = []
    for item in items:
        rows.extend(_outline_rows(item))
    last = rows[-1]
    # The generator writes the closing "./." itself, as for the Quyết định's last article.
    last["text"] = str(last["text"]).removesuffix("/.")
    # The plan's closing paragraph ("Căn cứ các nội dung của Kế hoạch này, Chủ tịch UBND tỉnh yêu
    # cầu…") follows part VI's last section (Bưu điện tỉnh) but is addressed to everyone: a
    # paragraph of the part (level 1 without heading), so no agency's form quotes it as its own.
    if last["level"] == 0 and str(last["text"]).startswith("Căn cứ các nội dung của Kế hoạch"):
        last["level"] = 1
    return rows, joins


def _outline_rows(item: str) -> Iterator[dict[str, object]]:
    if match := _PART.match(item):
        yield {"level": 1, "heading": match.group(2)}
    elif match := _SECTION.match(item):
        body = match.group(2)
        if body.endswith(_END_PUNCTUATION):
            yield {"level": 2, "text": body}
        else:
            yield {"level": 2, "heading": body}
    elif match := _POINT.match(item):
        yield {"level": 3, "text": match.group(2)}
    else:
        yield {"level": 0, "text": item}


def appendix(lines: list[str]) -> list[dict[str, object]]:
    """Every task row of the appendix, with its area; page-repeated header rows are dropped."""
    start = _index(lines, lambda s: s.startswith("STT\t"))
    tasks: list[dict[str, object]] = []
    area = None
    for line in lines[start:]:
        if not line.strip() or line.startswith("STT\t"):
            continue
        cells = [c.strip() for c in line.split("\t")]
        cells += [""] * (6 - len(cells))
        number, text, lead, support, deadline, note = cells[:6]
        if _ROMAN.match(number):
            if any((lead, support, deadline, note)):
                raise SeedError(f"area row with task cells: {line!r}")
            area = text
            continue
        if not number.isdigit() or area is None:
            raise SeedError(f"unexpected appendix line: {line!r}")
        tasks.append({"area": area, "text": text, "lead": lead, "support": support or None,
                      "deadline": deadline, "note": note or None})
    return tasks


def transcribe(seed: Path) -> dict[str, object]:
    """All sheets of the 2018 workbook, checked against the counts the seed is known to have."""
    lines = read_seed(seed)
    bases, articles = decision_parts(lines)
    rows, joins = outline(lines)
    tasks = appendix(lines)
    areas = list(dict.fromkeys(str(t["area"]) for t in tasks))
    checks = {
        "căn cứ": (len(bases), 6),
        "điều": (len(articles), 2),
        "page cuts": (joins, EXPECTED_JOINS),
        "areas": (len(areas), EXPECTED_AREAS),
        "tasks": (len(tasks), EXPECTED_TASKS),
    }
    wrong = {k: v for k, v in checks.items() if v[0] != v[1]}
    if wrong:
        raise SeedError(f"unexpected counts (found, expected): {wrong}")
    return {
        schema.GENERAL.key: GENERAL,
        schema.BASES.key: bases,
        schema.ARTICLES.key: articles,
        schema.RECIPIENTS.key: RECIPIENTS,
        schema.OUTLINE.key: rows,
        schema.TASKS.key: tasks,
        schema.AGENCIES.key: AGENCIES,
        schema.PERIODS.key: PERIODS,
        schema.TARGETS.key: TARGETS,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=Path, default=SEED, help="the seed text file")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="the workbook to write")
    args = parser.parse_args(argv)
    try:
        data = transcribe(args.seed)
    except (OSError, SeedError) as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 1
    path = blank.save_workbook(blank.build_workbook(data), args.output)
    print(f"Đã ghi {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    general = data[schema.GENERAL.key]
    filled = sum(1 for v in general.values() if v not in (None, ""))  # type: ignore[union-attr]
    print(f"  {schema.GENERAL.name}: {filled}/{len(schema.GENERAL.fields)} mục có giá trị")
    for table in schema.TABLES:
        print(f"  {table.name}: {len(data[table.key])} dòng")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
