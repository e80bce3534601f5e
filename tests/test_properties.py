"""Property tests: the reader and the Vietnamese text functions never raise on any input."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from pathlib import PurePosixPath

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from generator.checks.plan import check_plan
from generator.documents.jobs import plan_documents
from generator.errors import Problem
from generator.output.write import check_name
from generator.pipeline import DEFAULT_TEMPLATES
from generator.render.renderer import TemplateRenderer
from generator.text import legacy, vn
from generator.workbook import schema
from generator.workbook.blank import build_workbook
from generator.workbook.reader import Reader
from tests.docx_text import document_lines

PROPS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# A small plan that reads without problems; the tests below overwrite some of its cells.
VALID = {
    "general": {
        "issuer": "ỦY BAN NHÂN DÂN\nTỈNH AN GIANG", "place": "An Giang", "year": 2025,
        "number": 12, "symbol": "QĐ-UBND", "issue_date": date(2024, 12, 30),
        "summary": "Ban hành Kế hoạch cải cách hành chính năm 2025",
        "authority": "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH", "signer_prefix": "KT.",
        "signer_on_behalf": "CHỦ TỊCH", "signer_title": "PHÓ CHỦ TỊCH", "signer_name": "Lê Văn A",
        "plan_title": "Cải cách hành chính năm 2025", "issued_by": "Chủ tịch UBND tỉnh",
        # the attached plan is signed by the decision's signer (another name is a warning)
        "plan_signer_prefix": "KT.", "plan_signer_on_behalf": "CHỦ TỊCH",
        "plan_signer_title": "PHÓ CHỦ TỊCH", "plan_signer_name": "Lê Văn A",
        "appendix_title": "Nhiệm vụ cải cách hành chính năm 2025",
    },
    "bases": [{"text": "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19/6/2015"}],
    "articles": [{"text": "Ban hành kèm theo Quyết định này Kế hoạch."},
                 {"text": "Quyết định này có hiệu lực kể từ ngày ký."}],
    "recipients": [{"text": "Như Điều 2", "copies": 2}],
    "outline": [{"level": 1, "heading": "MỤC ĐÍCH"}, {"level": 2, "heading": "Mục đích"},
                {"level": 3, "text": "Nâng cao chất lượng."}, {"level": 0, "text": "Đoạn văn."}],
    "tasks": [
        {"area": "Cải cách thể chế", "text": "Rà soát văn bản", "lead": "Sở Tư pháp",
         "deadline": "Quý I/2025"},
        {"area": "Cải cách TTHC", "text": "Công bố thủ tục", "lead": "Sở Nội vụ",
         "deadline": "Trong năm 2025", "note": "Định kỳ"},
    ],
    # every agency a cell names is in the registry, and a reporting one has what its form needs
    "agencies": [{"code": "SNV", "name": "Sở Nội vụ", "kind": "sở-ban-ngành", "reports": "Có",
                  "abbr": "SNV", "head_title": "GIÁM ĐỐC"},
                 {"code": "STP", "name": "Sở Tư pháp", "kind": "sở-ban-ngành"}],
    "periods": [{"code": "quy-1", "name": "quý I", "summary": "Báo cáo quý I",
                 "deadline": date(2025, 3, 5)}],
    "targets": [{"text": "Hồ sơ đúng hạn", "value": "100%", "agencies": "Sở Nội vụ"}],
}

HOSTILE_TEXT = st.sampled_from([
    "{{ 7*7 }}", "{% for x in y %}", "{_{ a }_}", "& < > \" '", "#REF!", "#N/A", "#DIV/0!",
    "_x0007_", "_x005F_x0041_", "a\x07b\x0cc", "\u202etrái\u202c", "\ufeff", "\ud800", "📄",
    "مرحبا", "31/02/2017", "28/12/2017", "1e309", "-1", "007", "  ", "\n\n", "(trống)", "Có",
    "không", "KT.", "sở-ban-ngành", "x" * 40_000,
])
VALUES = st.one_of(
    st.none(),
    st.text(max_size=60),
    st.text(alphabet="\x00\x01\x07\x0b\x0c\x1b\x7f\x85\u202e\ufeff\ud800_x0{}%&<>'\" \n\t\rĐđơ",
            max_size=30),
    HOSTILE_TEXT,
    st.integers(min_value=-3, max_value=40),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.timedeltas(min_value=timedelta(days=-1000), max_value=timedelta(days=1000)),
)


def _places() -> list[tuple[str, str, int]]:
    """Every cell the reader converts: (sheet key, field or column key, row index in the table)."""
    places = [(schema.GENERAL.key, f.key, 0) for f in schema.GENERAL.fields]
    for table in schema.TABLES:
        for row in range(len(VALID[table.key]) + 1):  # one row past the end, too
            places += [(table.key, c.key, row) for c in table.columns]
    return places


PLACES = _places()


def workbook_with(changes: dict[tuple[str, str, int], object], wb=None):
    """The base plan with some cells replaced; given a workbook, the cells are first restored."""
    if wb is None:
        wb = build_workbook(VALID)
    else:
        for place, cell in getattr(wb, "_changed", {}).items():
            cell._value = _original(place)
    wb._changed = {}
    for (sheet_key, key, row), value in changes.items():
        if sheet_key == schema.GENERAL.key:
            ws = wb[schema.GENERAL.name]
            index = [f.key for f in schema.GENERAL.fields].index(key)
            cell = ws.cell(index + 2, 2)
        else:
            table = next(t for t in schema.TABLES if t.key == sheet_key)
            cell = wb[table.name].cell(row + 2, [c.key for c in table.columns].index(key) + 1)
        cell._value = value  # as a file could hold it, past openpyxl's own checks
        wb._changed[(sheet_key, key, row)] = cell
    return wb


def _original(place: tuple[str, str, int]) -> object:
    sheet_key, key, row = place
    if sheet_key == schema.GENERAL.key:
        value = VALID["general"].get(key)
    else:
        rows = VALID[sheet_key]
        value = rows[row].get(key) if row < len(rows) else None
    return None if value == "" else value


def control_characters_in(value) -> str:
    """The control characters anywhere in a context (nested dicts and lists included)."""
    if isinstance(value, str):
        return vn.control_characters(value)
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return "".join(control_characters_in(v) for v in value)
    return ""


def read_everything(wb) -> tuple[object, list[Problem]]:
    """Read, check, and build every document context: all the work before rendering."""
    reader = Reader(wb)
    plan = reader.read()
    problems = list(reader.problems)
    if plan is not None:
        problems += check_plan(plan)
        for job in plan_documents(plan):
            assert not control_characters_in(job.context), job.template  # none reaches a template
            check_name(job.path)
    for problem in problems:
        assert isinstance(problem, Problem) and problem.message
        assert problem.render()
    return plan, problems


def test_the_base_plan_reads_without_problems():
    plan, problems = read_everything(build_workbook(VALID))
    assert plan is not None and problems == []


@PROPS
@given(st.dictionaries(st.sampled_from(PLACES), VALUES, min_size=1, max_size=8))
def test_the_reader_never_raises_on_any_cell_values(changes):
    read_everything(workbook_with(changes))


# Values that a cell may accept while still being odd (errors stop the reading early anyway).
SWEEP = [None, 0, 4, 10**20, 1.5, float("inf"), True, "_x0007_\ud800", "x" * 40_000,
         date(1, 1, 1), datetime(9999, 12, 31, 23, 59), timedelta(days=-3)]


def test_every_cell_with_every_awkward_value():
    # the exhaustive companion of the random tests below: each cell, each kind of bad value
    wb = build_workbook(VALID)
    for place in PLACES:
        for value in SWEEP:
            read_everything(workbook_with({place: value}, wb))


@PROPS
@given(st.sampled_from(PLACES), VALUES)
def test_a_bad_value_is_a_problem_at_its_cell(place, value):
    plan, problems = read_everything(workbook_with({place: value}))
    if plan is None:
        assert any(p.loc is not None and p.loc.cell for p in problems)


@PROPS
@given(st.lists(st.lists(VALUES, min_size=6, max_size=6), max_size=6))
def test_any_task_rows_read_or_give_problems(rows):
    wb = build_workbook(VALID)
    ws = wb[schema.TASKS.name]
    for r, values in enumerate(rows, start=4):
        for c, value in enumerate(values, start=1):
            ws.cell(r, c)._value = value
    read_everything(wb)


# -- Vietnamese text functions ---------------------------------------------------------------


@given(st.dates())
def test_date_words_read_back(d):
    words = vn.date_words(d)
    match = re.fullmatch(r"ngày (\d{2}) tháng (\d{1,2}) năm (\d+)", words)
    assert match is not None
    day, month, year = (int(g) for g in match.groups())
    assert date(year, month, day) == d
    assert len(match.group(2)) == (2 if d.month <= 2 else len(str(d.month)))


@given(st.one_of(st.none(), st.integers(min_value=1, max_value=9999)))
def test_draft_date_words_keep_room_for_the_hand(year):
    words = vn.date_words(None, year)
    assert words.startswith(f"ngày{vn.DRAFT_BLANK}tháng{vn.DRAFT_BLANK}năm ")


@given(st.dates(min_value=date(1000, 1, 1)), st.sampled_from(["/", "-", "."]))
def test_parse_date_reads_every_separator(d, sep):
    assert vn.parse_date(f"{d.day}{sep}{d.month}{sep}{d.year}") == d
    assert vn.parse_date(datetime.combine(d, time(13, 45))) == d


@given(st.one_of(st.text(), st.integers(), st.floats(), st.times(), st.booleans()))
def test_parse_date_gives_a_date_none_or_a_vietnamese_value_error(value):
    try:
        result = vn.parse_date(value)
    except ValueError as exc:
        assert "ngày" in str(exc).lower()
    else:
        assert result is None or isinstance(result, date)


def _from_roman(text: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for a, b in zip(text, text[1:] + " ", strict=True):
        total += -values[a] if b != " " and values[b] > values[a] else values[a]
    return total


@given(st.integers(min_value=1, max_value=3999))
def test_roman_numerals_read_back(n):
    assert _from_roman(vn.roman(n)) == n


@given(st.integers(min_value=1, max_value=100_000))
def test_point_letters_read_back(n):
    text = vn.letter(n)
    value = 0
    for ch in text:
        value = value * len(vn.LETTERS) + vn.LETTERS.index(ch) + 1
    assert value == n


@given(st.one_of(st.none(), st.integers(min_value=0, max_value=10**9), st.text()), st.text())
def test_number_symbol_never_raises_and_keeps_the_symbol(number, symbol):
    line = vn.number_symbol(number, symbol)
    assert line.endswith(vn.nfc(symbol).strip().lstrip("/").strip())


@given(st.text())
def test_clean_text_is_idempotent_and_tidy(s):
    once = vn.clean_text(s)
    assert vn.clean_text(once) == once
    assert "  " not in once and once == once.strip()


@given(st.text())
def test_strip_controls_leaves_no_control_and_only_removes(s):
    cleaned, removed = vn.strip_controls(s)
    assert vn.strip_controls(cleaned) == (cleaned, "")
    assert len(cleaned) + sum(s.count(c) for c in removed) == len(s)
    assert not any(c in cleaned for c in "\x00\x07\x0c\x1b\u202e")


@given(st.text(), st.integers(min_value=1, max_value=120))
def test_slug_is_stable_and_a_safe_file_name(s, n):
    name = vn.slug(s, n)
    assert vn.slug(name, n) == name
    check_name(PurePosixPath(name + ".docx"))


@given(st.text())
def test_name_key_and_upper_never_raise(s):
    assert vn.name_key(s) == vn.name_key(vn.nfc(s))
    assert vn.upper_vn(vn.upper_vn(s)) == vn.upper_vn(s)


@given(st.text(), st.sampled_from(["tcvn3", "vni"]), st.booleans())
def test_legacy_to_unicode_never_raises(s, encoding, upper):
    assert isinstance(legacy.to_unicode(s, encoding, uppercase=upper), str)


RENDERER = TemplateRenderer(DEFAULT_TEMPLATES / "decision.docx")


@settings(max_examples=12, deadline=None)
@given(st.one_of(HOSTILE_TEXT, st.text(min_size=1, max_size=200)), st.sampled_from([
    ("tasks", "text", 0), ("tasks", "note", 1), ("bases", "text", 0), ("outline", "text", 2),
    ("general", "summary", 0),
]))
def test_any_text_is_printed_exactly_as_read(tmp_path_factory, text, place):
    plan, problems = read_everything(workbook_with({place: text}))
    assume(plan is not None)
    job = next(j for j in plan_documents(plan) if j.template == "decision.docx")
    path = tmp_path_factory.mktemp("r") / "x.docx"
    path.write_bytes(RENDERER.render(job.context))  # every XML part is validated strictly here
    sheet, key, row = place
    if sheet == "general":
        value = getattr(plan.general, key)
    else:
        rows = getattr(plan, sheet)
        assume(row < len(rows))  # a blank text makes a blank row, which is skipped with a warning
        value = getattr(rows[row], key)
    assert value in "\n".join(document_lines(path))
