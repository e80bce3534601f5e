"""Agency resolution: free-text lead/support cells to registry agencies, rule by rule and on the seed."""

from __future__ import annotations

import unicodedata

import openpyxl
import pytest
from click.testing import CliRunner

from generator.checks.agencies import agency_problems
from generator.cli import main
from generator.plan.agencies import Agencies, Registry
from generator.plan.model import Agency
from generator.workbook.reader import load_plan
from tests.conftest import WORKBOOK
from tests.seed_appendix import DEPARTMENT_GROUPS, DISTRICT_GROUPS, expected_roles, seed_tasks


def agency(code: str, name: str, kind: str = "sở-ban-ngành", aliases: tuple[str, ...] = ()) -> Agency:
    return Agency(code=code, name=name, kind=kind, parent="", head_title="GIÁM ĐỐC", on_behalf="",
                  abbr=code, aliases=aliases, reports=True)


REGISTRY = Registry((
    agency("SNV", "Sở Nội vụ"),
    agency("STP", "Sở Tư pháp"),
    agency("SYT", "Sở Y tế"),
    agency("SKHDT", "Sở Kế hoạch và Đầu tư", aliases=("Sở KH&ĐT",)),
    agency("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch"),
    agency("SLDTBXH", "Sở Lao động, Thương binh và Xã hội"),
    agency("VP", "Văn phòng UBND tỉnh", aliases=("VPUBND tỉnh",)),
    agency("HD", "Thường trực Hội đồng thi đua, Khen thưởng tỉnh", kind="khác"),
    agency("TT", "Trung tâm Hành chính công tỉnh", kind="khác", aliases=("Trung tâm hành chính công",)),
    agency("H1", "Ủy ban nhân dân huyện Lộc Ninh", kind="cấp huyện", aliases=("UBND huyện Lộc Ninh",)),
    agency("H2", "Ủy ban nhân dân thị xã Bình Long", kind="cấp huyện"),
    agency("X1", "Ủy ban nhân dân xã Lộc Hưng", kind="cấp xã"),
))
DEPARTMENTS = ["SNV", "STP", "SYT", "SKHDT", "SVHTTDL", "SLDTBXH", "VP"]


def codes(text: str) -> list[str]:
    resolution = REGISTRY.resolve(text)
    assert resolution.unresolved == (), resolution.unresolved
    return [a.code for a in resolution.agencies]


def test_a_name_resolves_whatever_its_case_spacing_unicode_form_and_tone_placement():
    assert codes("Sở Tư pháp") == ["STP"]
    assert codes("  sở   TƯ  PHÁP ") == ["STP"]
    assert codes(unicodedata.normalize("NFD", "Sở Tư pháp")) == ["STP"]
    assert codes("Sở Văn hoá, Thể thao và Du lịch") == ["SVHTTDL"]  # hoá / hóa


def test_other_names_resolve_to_the_same_agency():
    assert codes("VPUBND tỉnh") == ["VP"]
    assert codes("Sở KH&ĐT") == ["SKHDT"]
    assert codes("UBND huyện Lộc Ninh") == ["H1"]
    # UBND and Ủy ban nhân dân are the same words everywhere
    assert codes("Văn phòng Ủy ban nhân dân tỉnh") == ["VP"]


def test_commas_inside_names_are_not_separators():
    assert codes("Sở Văn hóa, Thể thao và Du lịch; Sở Lao động, Thương binh và Xã hội, Sở Y tế") == [
        "SVHTTDL", "SLDTBXH", "SYT"]
    assert codes("Thường trực Hội đồng thi đua, Khen thưởng tỉnh, Sở Nội vụ") == ["HD", "SNV"]
    # the same name written with a dash instead of the comma
    assert codes("Sở Văn hóa - Thể thao và Du lịch") == ["SVHTTDL"]


def test_va_separates_names_except_inside_a_name():
    assert codes("Sở Kế hoạch và Đầu tư và UBND cấp huyện") == ["SKHDT", "H1", "H2"]
    assert codes("Sở Y tế và Sở Tư pháp") == ["SYT", "STP"]


def test_department_groups_resolve_by_kind():
    for phrase in ("Các sở, ban, ngành", "các sở, ban ngành", "Các cơ quan chuyên môn thuộc UBND tỉnh"):
        assert codes(phrase) == DEPARTMENTS, phrase


def test_district_and_commune_groups_resolve_by_kind():
    for phrase in ("UBND cấp huyện", "UBND các huyện, thị xã", "UBND các huyện, thị xã, thành phố",
                   "Ủy ban nhân dân cấp huyện"):
        assert codes(phrase) == ["H1", "H2"], phrase
    assert codes("UBND cấp xã") == ["X1"]
    assert codes("UBND các xã, phường, thị trấn") == ["X1"]
    assert codes("UBND cấp huyện, cấp xã") == ["H1", "H2", "X1"]


def test_related_bodies_are_no_one_in_particular_but_kept_as_text():
    resolution = REGISTRY.resolve("Sở Nội vụ và các cơ quan, đơn vị có liên quan")
    assert [a.code for a in resolution.agencies] == ["SNV"]
    assert resolution.unresolved == ()
    assert [m.text for m in resolution.mentions] == ["Sở Nội vụ", "các cơ quan, đơn vị có liên quan"]
    assert resolution.mentions[1].unspecified


def test_a_role_word_after_a_name_is_kept_but_an_unknown_word_is_not_a_role():
    resolution = REGISTRY.resolve("Sở Nội vụ thẩm định")
    assert [a.code for a in resolution.agencies] == ["SNV"]
    assert resolution.mentions[0].role == "thẩm định"
    assert codes("Các sở, ban, ngành, UBND cấp huyện có liên quan")[-2:] == ["H1", "H2"]
    assert REGISTRY.resolve("Sở Y tế dự phòng").unresolved == ("dự phòng",)


def test_trailing_punctuation_and_duplicates_are_harmless():
    assert codes("Trung tâm hành chính công, các sở, ban, ngành và UBND cấp huyện,") == [
        "TT", *DEPARTMENTS, "H1", "H2"]
    assert codes("Sở Nội vụ; Sở Nội vụ.") == ["SNV"]


def test_unknown_names_are_reported_as_they_were_typed():
    resolution = REGISTRY.resolve("Sở Nội vụ; Sở Ngoại giao, Ban Tôn giáo")
    assert [a.code for a in resolution.agencies] == ["SNV"]
    assert resolution.unresolved == ("Sở Ngoại giao", "Ban Tôn giáo")
    assert REGISTRY.suggestions("Sở Nội vu")[0] == "Sở Nội vụ"


def test_a_tier_the_province_does_not_have_resolves_to_no_one_without_error():
    two_level = Registry((agency("SNV", "Sở Nội vụ"), agency("X1", "Ủy ban nhân dân xã A", "cấp xã")))
    resolution = two_level.resolve("Các sở, ban, ngành, UBND cấp huyện")
    assert [a.code for a in resolution.agencies] == ["SNV"] and resolution.unresolved == ()


# -- the shipped 2018 workbook against the seed ------------------------------------------------


@pytest.fixture(scope="module")
def seed_agencies() -> Agencies:
    return Agencies(load_plan(WORKBOOK))


def refs(tasks) -> list[str]:
    return [t.ref for t in tasks]


def test_the_2018_workbook_names_only_known_agencies():
    problems = agency_problems(load_plan(WORKBOOK))
    assert [p.render() for p in problems] == []


def test_seed_task_texts_and_refs_are_the_workbooks(seed_agencies):
    ours = {t.ref: t.task.text for area in seed_agencies.plan.areas for t in area.tasks}
    assert {t.ref: t.text for t in seed_tasks()} == ours


def test_so_tu_phap_leads_the_first_two_tasks_of_area_one(seed_agencies):
    assignment = seed_agencies.assignments["STP"]
    assert refs(assignment.led)[:2] == ["I.1", "I.2"]
    led, coordinated = expected_roles("Sở Tư pháp", *DEPARTMENT_GROUPS)
    assert refs(assignment.led) == led
    assert refs(assignment.coordinated) == coordinated


def test_so_noi_vu_leads_what_the_seed_names_it_for(seed_agencies):
    assignment = seed_agencies.assignments["SNV"]
    named = [t.ref for t in seed_tasks() if "Sở Nội vụ" in t.lead]
    assert named == ["III.1", "III.4", "IV.1", "IV.2", "IV.3", "VII.2", "VII.5", "VII.7", "VII.8",
                     "VII.11"]
    assert set(named) <= set(refs(assignment.led))
    led, coordinated = expected_roles("Sở Nội vụ", *DEPARTMENT_GROUPS)
    assert refs(assignment.led) == led
    assert refs(assignment.coordinated) == coordinated
    # lead of II.6 as one of "Các sở, ban, ngành", coordinator by name: named, it coordinates
    assert "II.6" in refs(assignment.coordinated) and "II.6" not in refs(assignment.led)


def test_every_district_gets_every_task_of_the_district_group(seed_agencies):
    led, coordinated = expected_roles(*DISTRICT_GROUPS)
    assert "III.5" in led and "VI.3" in coordinated
    districts = [a for a in seed_agencies.plan.agencies if a.kind == "cấp huyện"]
    assert len(districts) == 11
    for district in districts:
        assignment = seed_agencies.assignments[district.code]
        assert refs(assignment.led) == led, district.name
        assert refs(assignment.coordinated) == coordinated, district.name


def test_a_department_never_named_gets_every_department_group_task(seed_agencies):
    assignment = seed_agencies.assignments["SXD"]
    led, coordinated = expected_roles("Sở Xây dựng", *DEPARTMENT_GROUPS)
    assert refs(assignment.led) == led
    assert refs(assignment.coordinated) == coordinated
    assert "VI.7" in coordinated  # named alone: "UBND cấp huyện, Sở Xây dựng và các cơ quan…"


def test_responsibilities_come_from_sections_whose_heading_names_agencies(seed_agencies):
    plan = seed_agencies.plan
    snv = seed_agencies.registry.by_code("SNV")
    assert [r.path for r in seed_agencies.responsibilities_of(snv)] == ["VI.1", "VI.2"]
    syt = seed_agencies.registry.by_code("SYT")
    assert [r.heading for r in seed_agencies.responsibilities_of(syt)] == [
        "Các sở, ban, ngành và UBND các huyện, thị xã", "Sở Y tế, Sở Giáo dục và Đào tạo"]
    vi2 = seed_agencies.responsibilities_of(snv)[1]
    assert [label for label, _ in vi2.paragraphs] == ["a)", "b)", "c)", "d)"]
    tthcc = next(a for a in plan.agencies if a.code == "TTHCC")
    assert seed_agencies.responsibilities_of(tthcc) == []


# -- errors in the workbook ----------------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_an_unknown_agency_is_an_error_at_its_cell_with_the_closest_names(tmp_path):
    wb = openpyxl.load_workbook(WORKBOOK)
    wb["Nhiệm vụ"]["C14"] = "Sở Văn hóa, Thể thao và Du lịch; Sở Nội vu"
    wb["Chỉ tiêu"]["C3"] = "Các sở, ban, ngành, Ban Tôn giáo"
    path = tmp_path / "sai-co-quan.xlsx"
    wb.save(path)
    out = tmp_path / "out"
    result = run("build", str(path), "--out", str(out))
    assert result.exit_code == 1
    assert "Nhiệm vụ!C14" in result.output and "“Sở Nội vu”" in result.output
    assert "có phải: “Sở Nội vụ”" in result.output
    assert "Chỉ tiêu!C3" in result.output and "“Ban Tôn giáo”" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_two_agencies_with_one_name_are_an_error(tmp_path):
    wb = openpyxl.load_workbook(WORKBOOK)
    ws = wb["Cơ quan"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "STP")
    ws.cell(row, 8).value = "Sở Nội vụ"
    path = tmp_path / "trung-ten.xlsx"
    wb.save(path)
    result = run("build", str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert f"Cơ quan!H{row}" in result.output and "Sở Nội vụ" in result.output


# -- vanban agencies ---------------------------------------------------------------------------


def test_vanban_agencies_prints_each_agencys_tasks_in_vietnamese():
    result = run("agencies", str(WORKBOOK))
    assert result.exit_code == 0, result.output
    assert "cảnh báo (chạy “vanban check” để xem)" in result.stderr
    block = result.stdout.split("Sở Tư pháp (STP")[1].split("\n\n")[0]
    assert "chủ trì 15, phối hợp 22 nhiệm vụ" in block.splitlines()[0]
    lines = [line.strip() for line in block.splitlines()]
    assert lines[1] == "Chủ trì:"
    assert lines[2].startswith("I.1") and "Chỉ đạo việc xây dựng, thẩm định" in lines[2]
    assert lines[3].startswith("I.2")
    assert "Phối hợp:" in lines
    assert "Ủy ban nhân dân huyện Lộc Ninh (LOCNINH" in result.stdout


def test_vanban_agencies_for_one_agency_by_any_of_its_names():
    result = run("agencies", str(WORKBOOK), "--agency", "sở nội VỤ")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Sở Nội vụ (SNV")
    assert result.stdout.count("(SNV") == 1 and "(STP" not in result.stdout
    missing = run("agencies", str(WORKBOOK), "--agency", "Sở Ngoại giao")
    assert missing.exit_code == 1 and "Sở Ngoại giao" in missing.output


def test_what_a_form_needs_is_checked_at_its_cell(tmp_path):
    from generator.workbook.blank import build_workbook, save_workbook
    from tests.test_reports import two_level_province

    data = two_level_province()
    data["agencies"][1]["abbr"] = ""  # Sở Tài chính reports: its form needs BC-<Ký hiệu>
    data["agencies"].append({"code": "X-LH", "name": "Xã Lộc Hòa cũ", "kind": "khác"})
    data["agencies"].append({"code": "X LH", "name": "Xã Lộc Hòa mới", "kind": "khác"})
    data["periods"].append(dict(data["periods"][0], code="Quy 1"))
    path = save_workbook(build_workbook(data), tmp_path / "thieu.xlsx")
    result = run("check", str(path))
    assert result.exit_code == 1
    assert "Cơ quan!G3" in result.output and "chưa ghi “Ký hiệu”" in result.output
    assert "Cơ quan!A7" in result.output and "cùng một tên tệp báo cáo “x-lh.docx”" in result.output
    assert "Kỳ báo cáo!A3" in result.output and "cùng một thư mục báo cáo “quy-1”" in result.output


def test_an_agency_named_as_coordinator_coordinates_a_task_its_group_leads(seed_agencies):
    import dataclasses

    from generator.plan.model import Task

    tasks = (Task("Cải cách thể chế", "Rà soát văn bản", "Các sở, ban, ngành", "Văn phòng UBND tỉnh",
                  "Quý I/2018", ""),
             Task("Cải cách thể chế", "Công khai", "Các sở, ban, ngành, Sở Nội vụ", "Sở Nội vụ",
                  "Quý I/2018", ""))
    plan = dataclasses.replace(seed_agencies.plan, tasks=tasks)
    assignments = Agencies(plan).assignments
    # named as coordinator: coordinates, though "Các sở, ban, ngành" includes it
    assert (refs(assignments["VPUBND"].led), refs(assignments["VPUBND"].coordinated)) == (["I.2"], ["I.1"])
    # named in the lead cell too, it leads; a group lead is still every department's
    assert (refs(assignments["SNV"].led), refs(assignments["SNV"].coordinated)) == (["I.1", "I.2"], [])
    assert refs(assignments["STP"].led) == ["I.1", "I.2"]
