"""Checks of the agency registry and of every cell that names agencies."""

from __future__ import annotations

from generator.errors import ERROR, WARNING, Loc, Problem
from generator.plan.agencies import Agencies, _words, committee_form
from generator.plan.model import Agency, Plan
from generator.text import vn
from generator.workbook import schema


def agency_problems(plan: Plan) -> list[Problem]:
    """Problems of the Cơ quan registry and of every cell that names agencies."""
    problems = _registry_problems(plan)
    resolved = Agencies(plan)
    cells: list[tuple[str, Loc | None, str]] = []
    for task in plan.tasks:
        cells.append((task.lead, task.loc("lead"), schema.TASKS.column("lead").header))
        if task.support:
            cells.append((task.support, task.loc("support"), schema.TASKS.column("support").header))
    for target in plan.targets:
        cells.append((target.agencies, target.loc("agencies"),
                      schema.TARGETS.column("agencies").header))
    for text, loc, label in cells:
        resolution = resolved.registry.resolve(text)
        for fragment in resolution.unresolved:
            close = resolved.registry.suggestions(fragment)
            problems.append(Problem(
                ERROR, loc,
                f"“{label}”: không tìm thấy cơ quan “{fragment}” trong sheet "
                f"{schema.AGENCIES.name} (cột Tên đầy đủ hoặc Tên gọi khác).",
                found=text,
                expected="tên hoặc tên gọi khác của một cơ quan, hoặc cụm chỉ nhóm như "
                         "“Các sở, ban, ngành”, “UBND cấp xã”",
                suggestion=("có phải: " + "; ".join(f"“{n}”" for n in close)) if close else
                           f"thêm cơ quan này vào sheet {schema.AGENCIES.name}",
                code="unknown-agency",
            ))
    for task in plan.tasks:
        resolution = resolved.registry.resolve(task.lead)
        if resolution.complete and not resolution.agencies:
            problems.append(Problem(
                WARNING, task.loc("lead"),
                "Nhiệm vụ này không có cơ quan chủ trì cụ thể trong sheet Cơ quan: "
                "không mẫu báo cáo nào liệt kê nhiệm vụ ở vai trò chủ trì.",
                found=task.lead, code="no-lead-agency",
            ))
    return problems


def _registry_problems(plan: Plan) -> list[Problem]:
    """What the report forms need of the registry, beyond the checks of generator/checks/plan.py
    (duplicate codes and names): distinct file names, names that resolve to one agency, and
    what a reporting agency's form prints."""
    problems = []
    sheet = schema.AGENCIES.name
    slugs: dict[str, Agency] = {}
    names: dict[tuple[str, ...], Agency] = {}
    for agency in plan.agencies:
        slug = vn.slug(agency.code)
        first = slugs.get(slug)
        if first is not None and first.code.strip().lower() != agency.code.strip().lower():
            problems.append(Problem(
                ERROR, agency.loc("code"),
                f"Mã “{agency.code}” và mã “{first.code}” cho cùng một tên tệp báo cáo “{slug}.docx”.",
                found=agency.code, expected="các mã khác nhau cả khi bỏ dấu, dấu cách và chữ hoa",
                suggestion=f"mã kia ở {first.loc('code') or sheet}; đổi một trong hai",
                code="agency-code-clash",
            ))
        slugs.setdefault(slug, agency)
        for name, column in ((agency.name, "name"), *((a, "aliases") for a in agency.aliases)):
            words = _words(name)
            other = names.get(words)
            # the same name_key is duplicate-agency-name (checks.py); this is the wider sameness of
            # resolution: UBND = Ủy ban nhân dân, a comma or a dash inside a name
            if other is not None and other.code != agency.code and \
                    not any(vn.name_key(name) == vn.name_key(n) for n in other.names):
                problems.append(Problem(
                    ERROR, agency.loc(column),
                    f"Tên “{name}” đọc giống một tên của cơ quan “{other.name}” "
                    f"({other.loc('code') or sheet}): không biết ô nào chỉ cơ quan nào.",
                    found=name, expected="mỗi tên chỉ một cơ quan", code="agency-name-clash",
                ))
            names.setdefault(words, agency)
        if agency.reports and committee_form(agency) is None:  # a committee has defaults
            for column, label in (("abbr", "Ký hiệu"), ("head_title", "Chức danh người đứng đầu")):
                if not getattr(agency, column):
                    problems.append(Problem(
                        ERROR, agency.loc(column) or Loc(sheet),
                        f"Cơ quan “{agency.name}” phải báo cáo nhưng chưa ghi “{label}” "
                        "(cần cho mẫu báo cáo).",
                        expected="một giá trị", code="report-agency-incomplete",
                    ))
    period_slugs: dict[str, str] = {}
    for period in plan.periods:
        slug = vn.slug(period.code)
        first_code = period_slugs.get(slug)
        if first_code is not None and first_code.strip().lower() != period.code.strip().lower():
            problems.append(Problem(
                ERROR, period.loc("code"),
                f"Mã kỳ “{period.code}” và mã kỳ “{first_code}” cho cùng một thư mục báo cáo “{slug}”.",
                found=period.code, expected="các mã khác nhau cả khi bỏ dấu, dấu cách và chữ hoa",
                code="period-code-clash",
            ))
        period_slugs.setdefault(slug, period.code)
    return problems
