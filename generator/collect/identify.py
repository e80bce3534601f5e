"""Which agency and which period a returned form is: its document properties first, then the
agency's name in its header and the period in its title. Nothing matched, or two things, is an
error naming the file."""

from __future__ import annotations

from dataclasses import dataclass

from generator.collect.forms import ReturnedForm, key
from generator.documents.context import FORM_KIND, agency_fingerprint, plan_key
from generator.errors import WARNING, Loc, Problem
from generator.plan.agencies import Agencies
from generator.plan.model import Plan


@dataclass(frozen=True)
class Identity:
    agency: str
    period: str
    by_properties: bool


class NotMatched(Exception):
    """One Vietnamese line naming the file: why the form is not one of this plan's forms."""


class Fingerprints:
    """Each agency's task-list fingerprint, worked out once per plan (not once per form)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self._agencies: Agencies | None = None
        self._values: dict[str, str] = {}

    @property
    def agencies(self) -> Agencies:
        """The plan's task assignments, resolved once (the consolidation uses them too)."""
        if self._agencies is None:
            self._agencies = Agencies(self.plan)
        return self._agencies

    def of(self, code: str) -> str:
        if code not in self._values:
            agency = next(a for a in self.plan.agencies if a.code == code)
            self._values[code] = agency_fingerprint(self.agencies, agency)
        return self._values[code]


def identify(form: ReturnedForm, plan: Plan, problems: list[Problem],
             fingerprints: Fingerprints | None = None) -> Identity:
    name = form.source.name
    props = {k.removeprefix("vanban."): v for k, v in form.properties.items() if k.startswith("vanban.")}
    if props.get("kind") == FORM_KIND:
        g = plan.general
        if props.get("year") != str(plan.year) or props.get("plan") != plan_key(plan):
            raise NotMatched(
                f"{name} là báo cáo của kế hoạch {_plan_said(props.get('plan', '?'))} năm "
                f"{props.get('year', '?')}, không phải kế hoạch {_plan_said(plan_key(plan))} năm {g.year} "
                "của sổ tính; hãy bỏ tệp này ra hoặc dùng sổ tính của kế hoạch đó.")
        agency = next((a for a in plan.agencies if a.code == props.get("agency")), None)
        if agency is None:
            raise NotMatched(f"{name} là báo cáo của cơ quan mã «{props.get('agency', '')}», không có "
                             "trong sheet Cơ quan của sổ tính; hãy thêm cơ quan hoặc bỏ tệp này ra.")
        period = next((p for p in plan.periods if p.code == props.get("period")), None)
        if period is None:
            raise NotMatched(f"{name} là báo cáo kỳ «{props.get('period', '')}», không có trong sheet "
                             "Kỳ báo cáo của sổ tính.")
        fingerprints = fingerprints or Fingerprints(plan)
        if props.get("tasks") and props["tasks"] != fingerprints.of(agency.code):
            problems.append(Problem(
                WARNING, Loc(name), "Mẫu báo cáo được tạo từ danh sách nhiệm vụ khác với sổ tính hiện "
                "tại (Phụ lục đã sửa sau khi gửi mẫu?); vẫn ghép theo mã nhiệm vụ, hãy kiểm tra lại",
                code="collect-task-list-changed"))
        return Identity(agency.code, period.code, True)
    return _by_text(form, plan)


def _plan_said(key: str) -> str:
    """A plan as a form's properties name it: `3406/QĐ-UBND`; a draft without a number (`/QĐ-UBND`)
    as a draft."""
    return f"dự thảo (chưa có số, ký hiệu {key[1:]})" if key.startswith("/") else key


def _by_text(form: ReturnedForm, plan: Plan) -> Identity:
    name = form.source.name
    header = key(form.header)
    lines = [key(line) for line in form.header.split("\n") if line.strip()]
    agencies = []
    # only an agency that reports has a form: the body above it in the header (UBND tỉnh) and the
    # recipient never match alone, so a form whose own name is not recognised is not theirs
    for agency in plan.agencies:
        if not agency.reports:
            continue
        names = [key(n) for n in agency.names]
        if any(n and (n in lines or f" {n} " in f" {header} ") for n in names):
            agencies.append(agency)
    # a name inside a longer matched name ("Sở Y tế" in "Sở Y tế dự phòng") is not a second match
    found = [a for a in agencies if not any(
        b is not a and any(key(n) in key(m) and key(n) != key(m) for n in a.names for m in b.names)
        for b in agencies)]
    # the parent body printed above an agency's name (UBND tỉnh above a Sở) is not a second match
    parents = {key(a.parent) for a in found if a.parent}
    if len(found) > 1:
        found = [b for b in found if not any(key(n) in parents for n in b.names)] or found
    periods = [p for p in plan.periods if key(p.summary) and key(p.summary) in header]
    if len(found) != 1 or len(periods) != 1:
        what = []
        if len(found) != 1:
            what.append("cơ quan" if not found else "cơ quan (khớp nhiều: "
                        + ", ".join(a.code for a in found) + ")")
        if len(periods) != 1:
            what.append("kỳ báo cáo" if not periods else "kỳ báo cáo (khớp nhiều)")
        raise NotMatched(
            f"{name} không có thông tin nhận dạng của vanban và không xác định được "
            f"{' và '.join(what)} từ tên cơ quan và trích yếu; có phải mẫu báo cáo do vanban tạo cho "
            "kế hoạch này không?")
    return Identity(found[0].code, periods[0].code, False)
