"""The workbook writer and the shipped 2018 workbook transcribed from the seed."""

from __future__ import annotations

import importlib.util
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from generator.workbook import blank, schema
from tests.conftest import SEED

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "data" / "ke-hoach-cchc-2018.xlsx"
TOOL = ROOT / "tools" / "transcribe_seed.py"

AREAS = [
    "Cải cách thể chế",
    "Cải cách thủ tục hành chính",
    "Cải cách tổ chức bộ máy",
    "Xây dựng và nâng cao chất lượng đội ngũ cán bộ, công chức",
    "Cải cách tài chính công",
    "Hiện đại hóa nền hành chính nhà nước",
    "Công tác chỉ đạo điều hành và tuyên truyền cải cách hành chính",
]
TASKS_PER_AREA = [3, 7, 5, 4, 5, 11, 11]

DISTRICTS = [
    "Ủy ban nhân dân thị xã Đồng Xoài",
    "Ủy ban nhân dân thị xã Bình Long",
    "Ủy ban nhân dân thị xã Phước Long",
    "Ủy ban nhân dân huyện Chơn Thành",
    "Ủy ban nhân dân huyện Hớn Quản",
    "Ủy ban nhân dân huyện Lộc Ninh",
    "Ủy ban nhân dân huyện Bù Đốp",
    "Ủy ban nhân dân huyện Bù Gia Mập",
    "Ủy ban nhân dân huyện Phú Riềng",
    "Ủy ban nhân dân huyện Bù Đăng",
    "Ủy ban nhân dân huyện Đồng Phú",
]

# Every single agency the seed's appendix names in a lead or support cell, as written there
# (group phrases such as "Các sở, ban, ngành" or "UBND cấp huyện" are resolved by kind).
APPENDIX_AGENCIES = [
    "Sở Tư pháp",
    "Văn phòng UBND tỉnh",
    "Sở Nội vụ",
    "Trung tâm Hành chính công tỉnh",
    "Trung tâm hành chính công",
    "Trung tâm Hành chính công",
    "Sở Thông tin và Truyền thông",
    "Bưu điện tỉnh",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Lao động, Thương binh và Xã hội",
    "Sở Giáo dục và Đào tạo",
    "Sở Y tế",
    "Ban Chỉ đạo xây dựng Đề án thành lập Trường Cao đẳng đa ngành tỉnh Bình Phước",
    "Sở Tài chính",
    "Sở Kế hoạch và Đầu tư",
    "Sở Khoa học và Công nghệ",
    "VPUBND tỉnh",
    "Sở Tài nguyên và Môi trường",
    "Sở Xây dựng",
    "Thường trực Hội đồng thi đua, Khen thưởng tỉnh",
    "Đài phát thanh và truyền hình",
    "Báo Bình Phước",
]


# -- helpers -------------------------------------------------------------------------------


def _plain(value: object) -> object:
    return value.date() if isinstance(value, datetime) else value


def read_table(ws: Worksheet, table: schema.TableSheet) -> list[dict[str, object]]:
    headers = [c.value for c in ws[1]]
    index = {col.key: headers.index(col.header) for col in table.columns}
    rows = []
    for values in ws.iter_rows(min_row=2, values_only=True):
        if all(v is None for v in values):
            continue
        rows.append({key: _plain(values[i]) for key, i in index.items() if values[i] is not None})
    return rows


def read_general(ws: Worksheet) -> dict[str, object]:
    by_label = {f.label: f.key for f in schema.GENERAL.fields}
    values = {}
    for label, value, *_ in ws.iter_rows(min_row=2, values_only=True):
        if value is not None:
            values[by_label[label]] = _plain(value)
    return values


def validations_at(ws: Worksheet, cell: str) -> list:
    return [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]


def _load_tool():
    """The transcription script, which is a tool and not part of the package."""
    spec = importlib.util.spec_from_file_location("transcribe_seed", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def shipped() -> openpyxl.Workbook:
    return openpyxl.load_workbook(SHIPPED)


@pytest.fixture(scope="module")
def tasks(shipped: openpyxl.Workbook) -> list[dict[str, object]]:
    return read_table(shipped[schema.TASKS.name], schema.TASKS)


@pytest.fixture(scope="module")
def agencies(shipped: openpyxl.Workbook) -> list[dict[str, object]]:
    return read_table(shipped[schema.AGENCIES.name], schema.AGENCIES)


@pytest.fixture(scope="module")
def blank_wb(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    path = blank.save_workbook(blank.build_workbook(),
                               tmp_path_factory.mktemp("blank") / "trong.xlsx")
    return openpyxl.load_workbook(path)


# -- the shipped workbook ------------------------------------------------------------------


def test_shipped_workbook_has_the_guide_then_the_schema_sheets(shipped):
    assert shipped.sheetnames == [blank.GUIDE_NAME, *schema.SHEET_ORDER, blank.LISTS_NAME]


def test_shipped_workbook_has_the_schema_headers_and_frozen_panes(shipped):
    general = shipped[schema.GENERAL.name]
    assert [c.value for c in general[1]] == ["Mục", "Giá trị", "Hướng dẫn"]
    assert [general.cell(r, 1).value for r in range(2, len(schema.GENERAL.fields) + 2)] == [
        f.label for f in schema.GENERAL.fields
    ]
    assert general.freeze_panes == "B2"
    for table in schema.TABLES:
        ws = shipped[table.name]
        assert [c.value for c in ws[1]] == [c.header for c in table.columns], table.name
        assert ws.freeze_panes == "A2", table.name
        assert ws.cell(1, 1).font.b, table.name


def test_shipped_general_sheet_holds_the_2018_decision(shipped):
    general = read_general(shipped[schema.GENERAL.name])
    assert general["issuer"] == "ỦY BAN NHÂN DÂN\nTỈNH BÌNH PHƯỚC"
    assert general["number"] == 3406
    assert general["issue_date"] == date(2017, 12, 28)
    assert general["signer_name"] == "Nguyễn Văn Trâm"
    assert general["plan_signer_name"] == "Nguyễn Văn Tuấn"
    assert "issuer_parent" not in general and "signer_prefix" not in general
    cell = shipped[schema.GENERAL.name].cell(2 + _field_row("issue_date"), 2)
    assert cell.number_format == blank.DATE_FORMAT


def _field_row(key: str) -> int:
    return [f.key for f in schema.GENERAL.fields].index(key)


def test_shipped_appendix_has_46_tasks_in_7_areas(tasks):
    assert len(tasks) == 46
    areas = list(dict.fromkeys(t["area"] for t in tasks))
    assert areas == AREAS
    assert [sum(t["area"] == a for t in tasks) for a in areas] == TASKS_PER_AREA
    assert all(t["text"] and t["lead"] and t["deadline"] for t in tasks)


def test_shipped_appendix_keeps_the_seed_wording(tasks):
    texts = [t["text"] for t in tasks]
    assert any("Webiste: http://dichvucong.binhphuoc.gov.vn" in t for t in texts)
    assert any("hệ thống hợp thư công vụ" in t for t in texts)
    assert "Trung tâm hành chính công, các sở, ban, ngành và UBND cấp huyện," in [
        t["lead"] for t in tasks
    ]
    assert not any(str(t["text"]).startswith(("STT", "Nội dung, nhiệm vụ")) for t in tasks)


def test_shipped_registry_lists_the_11_districts(agencies):
    districts = [a for a in agencies if a["kind"] == "cấp huyện"]
    assert [a["name"] for a in districts] == DISTRICTS
    assert all(a["on_behalf"] == "ỦY BAN NHÂN DÂN" and a["reports"] == "Có" for a in districts)


def test_shipped_registry_codes_are_unique_and_kinds_valid(agencies):
    codes = [a["code"] for a in agencies]
    assert len(codes) == len(set(codes))
    assert {a["kind"] for a in agencies} <= set(schema.AGENCY_KINDS)
    assert all(a["reports"] in (schema.YES, schema.NO) for a in agencies)


@pytest.mark.parametrize("name", APPENDIX_AGENCIES)
def test_every_agency_named_in_the_appendix_is_in_the_registry(name, tasks, agencies):
    cells = " | ".join(str(t.get(k, "")) for t in tasks for k in ("lead", "support"))
    assert name in cells, "the name must be written so in the seed's appendix"
    known = set()
    for agency in agencies:
        known.add(str(agency["name"]).casefold())
        known.update(a.strip().casefold() for a in str(agency.get("aliases", "")).split(";"))
    assert name.casefold() in known


def test_shipped_registry_holds_no_group_phrases(agencies):
    names = [str(a["name"]).casefold() for a in agencies]
    assert not any(n.startswith("các ") or "cấp huyện" in n or "cấp xã" in n for n in names)


def test_shipped_outline_rejoins_sentences_cut_by_page_breaks(shipped):
    rows = read_table(shipped[schema.OUTLINE.name], schema.OUTLINE)
    texts = [str(r.get("text", "")) for r in rows]
    for joined in ("các đoàn thể nhằm", "các cấp và Chỉ thị số 18", "và Chủ tịch UBND các xã",
                   "về những nhiệm vụ"):
        assert sum(joined in t for t in texts) == 1, joined
    assert rows[0]["level"] == 0 and str(rows[0]["text"]).startswith("Nhằm tiếp tục")
    # the closing paragraph is the part's own (level 1, no heading), not Bưu điện tỉnh's section
    assert rows[-1]["level"] == 1 and not rows[-1].get("heading")
    assert str(rows[-1]["text"]).startswith("Căn cứ các nội dung")
    assert {r["level"] for r in rows} == {0, 1, 2, 3}
    assert [r["heading"] for r in rows if r["level"] == 1 and r.get("heading")] == [
        "MỤC ĐÍCH, YÊU CẦU", "NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH",
        "KẾ HOẠCH CỤ THỂ TRIỂN KHAI CÁC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH (có phụ lục kèm theo)",
        "KINH PHÍ THỰC HIỆN", "GIẢI PHÁP THỰC HIỆN", "TỔ CHỨC THỰC HIỆN",
    ]
    assert not any(t.startswith(("a) ", "1. ", "I. ")) for t in texts)
    assert any("hoạt động hiệu lực hiệu, quả" in t for t in texts)


def test_shipped_periods_are_real_dates(shipped):
    periods = read_table(shipped[schema.PERIODS.name], schema.PERIODS)
    assert [p["code"] for p in periods] == ["quy-1", "6-thang", "quy-3", "nam"]
    assert periods[0]["deadline"] == date(2018, 3, 5)
    assert periods[2]["data_from"] == date(2018, 6, 15)
    assert shipped[schema.PERIODS.name]["D2"].number_format == blank.DATE_FORMAT


TRANSCRIBE = _load_tool()


def test_shipped_workbook_matches_a_fresh_transcription(shipped):
    data = TRANSCRIBE.transcribe(SEED)  # the project's copy of the seed text
    assert read_general(shipped[schema.GENERAL.name]) == {
        k: v for k, v in data[schema.GENERAL.key].items() if v is not None
    }
    for table in schema.TABLES:
        expected = [{k: v for k, v in row.items() if v not in (None, "")}
                    for row in data[table.key]]
        assert read_table(shipped[table.name], table) == expected, table.name


# -- a blank workbook ----------------------------------------------------------------------


def test_blank_workbook_has_every_sheet_and_no_data(blank_wb):
    assert blank_wb.sheetnames == [blank.GUIDE_NAME, *schema.SHEET_ORDER, blank.LISTS_NAME]
    assert blank_wb[blank.LISTS_NAME].max_row == 1
    for table in schema.TABLES:
        assert blank_wb[table.name].max_row == 1
    assert read_general(blank_wb[schema.GENERAL.name]) == {}


def test_blank_workbook_guide_explains_every_field_and_column(blank_wb):
    guide = " ".join(str(c.value) for row in blank_wb[blank.GUIDE_NAME].iter_rows()
                     for c in row if c.value)
    for f in schema.GENERAL.fields:
        assert f.label in guide
    for table in schema.TABLES:
        assert table.help in guide
        for col in table.columns:
            assert col.header in guide


def test_blank_workbook_offers_the_agency_kinds_as_a_drop_down(blank_wb):
    ws = blank_wb[schema.AGENCIES.name]
    letter = schema.AGENCIES.letter("kind")
    (dv,) = validations_at(ws, f"{letter}2")
    assert dv.type == "list"
    assert dv.formula1 == '"' + ",".join(schema.AGENCY_KINDS) + '"'
    assert f"{letter}{blank.LAST_ROW}" in dv.sqref
    assert dv.prompt


def test_blank_workbook_checks_report_period_dates(blank_wb):
    ws = blank_wb[schema.PERIODS.name]
    for key in ("deadline", "data_from", "data_to"):
        (dv,) = validations_at(ws, f"{schema.PERIODS.letter(key)}2")
        assert dv.type == "date" and dv.operator == "between"
        assert dv.showErrorMessage and "dd/mm/yyyy" in dv.error


def test_blank_workbook_signing_prefix_list_has_an_empty_choice(blank_wb):
    ws = blank_wb[schema.GENERAL.name]
    (dv,) = validations_at(ws, f"B{2 + _field_row('signer_prefix')}")
    assert dv.formula1 == '"(trống),TM.,KT.,Q.,TL.,TUQ."'
    assert dv.allow_blank


def test_blank_workbook_suggests_registry_names_for_task_agencies(blank_wb):
    ws = blank_wb[schema.TASKS.name]
    for key in ("lead", "support"):
        (dv,) = validations_at(ws, f"{schema.TASKS.letter(key)}2")
        assert dv.type == "list"
        assert dv.formula1 == "'Cơ quan'!$B$2:$B$1000"
        assert not dv.showErrorMessage


def test_blank_workbook_offers_the_areas_of_the_lists_sheet_and_warns_on_a_new_one(blank_wb):
    ws = blank_wb[schema.TASKS.name]
    (dv,) = validations_at(ws, f"{schema.TASKS.letter('area')}2")
    assert dv.type == "list"
    assert dv.formula1 == "'Danh sách chọn'!$A$2:$A$1000"
    assert dv.showErrorMessage and dv.errorStyle == "warning"
    assert "chưa có trong sheet Danh sách chọn" in dv.error
    lists = blank_wb[blank.LISTS_NAME]
    assert lists["A1"].value == "Lĩnh vực" and lists.freeze_panes == "A2"
    guide = [tuple(c.value for c in row) for row in blank_wb[blank.GUIDE_NAME].iter_rows()]
    assert (blank.LISTS_NAME, None, blank.LISTS_HELP) in guide


def test_blank_workbook_suggests_period_names_without_refusing_others(blank_wb):
    ws = blank_wb[schema.PERIODS.name]
    (dv,) = validations_at(ws, f"{schema.PERIODS.letter('name')}2")
    assert dv.type == "list" and dv.formula1 == '"quý I,quý II,6 tháng,quý III,9 tháng,quý IV,năm"'
    assert not dv.showErrorMessage


def test_blank_workbook_explains_agency_kinds_for_a_province_without_districts(blank_wb):
    ws = blank_wb[schema.AGENCIES.name]
    (dv,) = validations_at(ws, f"{schema.AGENCIES.letter('kind')}2")
    assert "chỉ khi tỉnh còn cấp huyện" in dv.prompt


def _validation_summary(ws: Worksheet) -> list[tuple]:
    return sorted(
        (str(dv.sqref), dv.type, dv.formula1, dv.formula2, dv.errorStyle, dv.showErrorMessage,
         dv.error, dv.promptTitle, dv.prompt)
        for dv in ws.data_validations.dataValidation
    )


def test_shipped_workbook_carries_the_blank_workbooks_guidance_and_validations(shipped, blank_wb):
    def values(ws: Worksheet) -> list[tuple]:
        return [tuple(c.value for c in row) for row in ws.iter_rows()]

    assert values(shipped[blank.GUIDE_NAME]) == values(blank_wb[blank.GUIDE_NAME])
    for name in [schema.GENERAL.name, *(t.name for t in schema.TABLES), blank.LISTS_NAME]:
        assert _validation_summary(shipped[name]) == _validation_summary(blank_wb[name]), name
        assert shipped[name].freeze_panes == blank_wb[name].freeze_panes, name
    general = shipped[schema.GENERAL.name]
    assert [general.cell(r, 3).value for r in range(1, general.max_row + 1)] == [
        blank_wb[schema.GENERAL.name].cell(r, 3).value for r in range(1, general.max_row + 1)]


def test_shipped_lists_sheet_holds_the_seven_areas_in_order(shipped):
    ws = shipped[blank.LISTS_NAME]
    assert [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)] == AREAS


def test_blank_workbook_keeps_validation_texts_within_excel_limits(blank_wb):
    for ws in blank_wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            assert len(dv.prompt or "") <= 255 and len(dv.error or "") <= 255
            assert len(dv.promptTitle or "") <= 32 and len(dv.errorTitle or "") <= 32


# -- round trip ----------------------------------------------------------------------------

SAMPLE = {
    "general": {
        "issuer": "ỦY BAN NHÂN DÂN\nTỈNH BÌNH PHƯỚC",
        "year": 2019,
        "number": 5,
        "issue_date": date(2019, 1, 5),
        "signer_prefix": "KT.",
        "summary": "Trích yếu có dấu “ngoặc kép” & ký tự <đặc biệt>",
    },
    "bases": [{"text": "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19/6/2015"}],
    "recipients": [{"text": "Như Điều 2"}, {"text": "Sở Nội vụ", "copies": 5}],
    "outline": [{"level": 1, "heading": "MỤC ĐÍCH, YÊU CẦU"},
                {"level": 3, "text": "Dòng một;\nDòng hai."}],
    "tasks": [{"area": "Cải cách thể chế", "text": "Nội dung", "lead": "Sở Tư pháp",
               "support": "Các sở, ban, ngành, UBND cấp huyện", "deadline": "Quý I/2019"}],
    "agencies": [{"code": "SNV", "name": "Sở Nội vụ", "kind": "sở-ban-ngành", "reports": "Có"}],
    "periods": [{"code": "quy-1", "name": "quý I", "summary": "Báo cáo quý I",
                 "deadline": date(2019, 3, 5), "data_from": date(2018, 12, 15),
                 "data_to": date(2019, 3, 14)}],
    "targets": [{"text": "Chỉ tiêu", "value": "100%", "agencies": "Sở Nội vụ"}],
}


def test_written_data_reads_back_unchanged(tmp_path):
    path = blank.save_workbook(blank.build_workbook(SAMPLE), tmp_path / "sub" / "so-lieu.xlsx")
    wb = openpyxl.load_workbook(path)
    assert read_general(wb[schema.GENERAL.name]) == SAMPLE["general"]
    for table in schema.TABLES:
        assert read_table(wb[table.name], table) == SAMPLE.get(table.key, []), table.name
    assert wb[schema.PERIODS.name]["D2"].number_format == blank.DATE_FORMAT
    assert wb[schema.OUTLINE.name]["C3"].alignment.wrap_text


def test_unknown_keys_are_refused():
    with pytest.raises(KeyError):
        blank.build_workbook({"nhiem-vu": []})
    with pytest.raises(KeyError):
        blank.build_workbook({"tasks": [{"lead": "Sở Nội vụ", "lanh-dao": "x"}]})


def test_the_guide_of_the_periods_sheet_cites_no_part_of_one_plan():
    # "mục VI.1.c" is where the 2018 plan happens to put its periods, not every plan
    assert "VI.1" not in schema.PERIODS.help and "Kế hoạch" in schema.PERIODS.help
