"""Template contexts: the plan's values shaped for each template, with Vietnamese conventions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from hashlib import sha256
from typing import Any, TypedDict

from generator.plan.agencies import COMMITTEE, Agencies, committee_form
from generator.plan.model import Agency, NumberedTask, Period, Plan, Signer
from generator.text import vn

# The keys each template gets, one TypedDict per template: docs/templates.md lists exactly these
# (tests/test_docs.py holds the two together), and mypy holds the functions below to them.


class SignerContext(TypedDict):
    prefix: str
    on_behalf: str
    authority_line: str
    title: str
    name: str


class HeaderContext(TypedDict):
    """What every document of the plan shows in its header and number/date lines."""

    issuer_parent: str
    issuer: str
    issuer_lines: list[str]
    issuer_name: str
    place: str
    year: int
    number_line: str
    date_line: str
    is_draft: bool


class DecisionContext(HeaderContext):
    """templates/decision.docx: the Quyết định, the attached Kế hoạch and its Phụ lục."""

    summary: str
    authority: str
    bases: list[str]
    articles: list[dict[str, Any]]
    recipients: list[dict[str, Any]]
    archive_unit: str
    drafter: str
    copies: int | str
    archive_copies_text: str
    signer: SignerContext
    plan_title: str
    issued_by: str
    body: list[dict[str, str]]
    plan_signer: SignerContext
    appendix_title: str
    areas: list[dict[str, Any]]


class ReportContext(TypedDict):
    """templates/report.docx: one agency's report form for one period."""

    form: dict[str, str]
    agency_parent: str
    agency_name: str
    agency_lines: list[str]
    issuer_width_mm: float
    place: str
    year: int
    number_line: str
    date_line: str
    period_name: str
    summary: str
    summary_in_sentence: str
    data_from: str
    data_to: str
    deadline: str
    addressee: str
    report_to: str
    recipients: list[str]
    decision_number_line: str
    decision_date_line: str
    issued_by: str
    plan_title: str
    plan_title_in_sentence: str
    responsibilities: list[dict[str, Any]]
    areas: list[dict[str, Any]]
    led_count: int
    coordinated_count: int
    targets: list[dict[str, Any]]
    signer: dict[str, str]


def signer_context(signer: Signer) -> SignerContext:
    return {
        "prefix": signer.prefix,
        "on_behalf": signer.on_behalf,
        "authority_line": signer.authority_line,
        "title": signer.title,
        "name": signer.name,
    }


def header_context(plan: Plan) -> HeaderContext:
    """The values every document of the plan shows in its header and number/date lines."""
    g = plan.general
    return {
        "issuer_parent": g.issuer_parent,
        "issuer": g.issuer,
        "issuer_lines": [line for line in g.issuer.split("\n") if line.strip()],
        "issuer_name": vn.name_in_sentence(g.issuer, g.place),
        "place": g.place,
        "year": g.year,
        "number_line": vn.number_symbol(g.number, g.symbol),
        "date_line": vn.date_words(g.issue_date, g.year),
        "is_draft": g.is_draft,
    }


def body_paragraphs(plan: Plan) -> list[dict[str, str]]:
    """The plan body as paragraphs: a titled part or section gives its title line, then text."""
    paragraphs = []
    for numbered in plan.numbered_outline:
        item = numbered.item
        kind = {1: "part", 2: "section"}.get(item.level)
        if kind and item.heading:
            paragraphs.append({"kind": kind, "label": numbered.label, "heading": item.heading,
                               "text": "", "path": numbered.path})
            if item.text:
                paragraphs.append({"kind": "text", "label": "", "heading": "",
                                   "text": item.text, "path": numbered.path})
        else:
            paragraphs.append({"kind": "text", "label": numbered.label, "heading": item.heading,
                               "text": item.text, "path": numbered.path})
    if paragraphs and paragraphs[-1]["kind"] == "text":
        paragraphs[-1]["text"] = vn.closing(paragraphs[-1]["text"])
    return paragraphs


def decision_context(plan: Plan) -> DecisionContext:
    """Context of templates/decision.docx: Quyết định, attached Kế hoạch and its Phụ lục."""
    g = plan.general
    bases = [b.text for b in plan.bases]
    if g.proposal:
        bases.append(g.proposal)
    articles: list[dict[str, Any]] = [
        {"number": i, "text": a.text}
        for i, a in enumerate(plan.articles, start=1)
    ]
    if articles:
        articles[-1]["text"] = vn.closing(articles[-1]["text"])
    return {
        **header_context(plan),
        "summary": g.summary,
        "authority": g.authority,
        "bases": bases,
        "articles": articles,
        "recipients": [
            {"text": r.text, "copies": r.copies,
             "copies_text": f"{r.copies:02d}" if r.copies else ""}
            for r in plan.recipients
        ],
        "archive_unit": g.archive_unit,
        "drafter": g.drafter,
        "copies": g.copies or "",
        "archive_copies_text": f"{g.archive_copies:02d}b" if g.archive_copies else "",
        "signer": signer_context(g.signer),
        "plan_title": g.plan_title,
        "issued_by": g.issued_by,
        "body": body_paragraphs(plan),
        "plan_signer": signer_context(g.plan_signer),
        "appendix_title": g.appendix_title,
        "areas": [
            {
                "number": area.number,
                "name": area.name,
                "tasks": [
                    {
                        "number": t.number,
                        "ref": t.ref,
                        "text": t.task.text,
                        "lead": t.task.lead,
                        "support": t.task.support,
                        "deadline": t.task.deadline,
                        "note": t.task.note,
                    }
                    for t in area.tasks
                ],
            }
            for area in plan.areas
        ],
    }


FORM_KIND = "bao-cao"  # the kind of document a returned form says it is (vanban.kind)


def plan_key(plan: Plan) -> str:
    """The plan a form belongs to, as its properties say it: `3406/QĐ-UBND` (`/QĐ-UBND` for a draft)."""
    g = plan.general
    return f"{g.number if g.number is not None else ''}/{g.symbol}"


def tasks_fingerprint(led: Iterable[NumberedTask], coordinated: Iterable[NumberedTask]) -> str:
    """A short fingerprint of the task list a form shows (code, text, deadline, note and the
    agency's role of each task): a returned form made from another list is noticed when it is read
    back. Only what the form shows counts, so that a change rewrites only the forms that show it."""
    rows = [f"{role}\t{t.ref}\t{t.task.text}\t{t.task.deadline}\t{t.task.note}"
            for role, tasks in (("L", led), ("C", coordinated)) for t in tasks]
    return sha256("\n".join(sorted(rows)).encode("utf-8")).hexdigest()[:16]


def agency_fingerprint(agencies: Agencies, agency: Agency) -> str:
    """The fingerprint of the tasks an agency's form lists: those it leads and coordinates."""
    assignment = agencies.assignments[agency.code]
    return tasks_fingerprint(assignment.led, assignment.coordinated)


def form_identity(plan: Plan, agencies: Agencies, agency: Agency, period: Period) -> dict[str, str]:
    """What a report form carries in its custom document properties (vanban.kind, .plan, …)."""
    return {"kind": FORM_KIND, "plan": plan_key(plan), "year": str(plan.year), "agency": agency.code,
            "period": period.code, "tasks": agency_fingerprint(agencies, agency)}


# The left header column of templates/report.docx less the cell margins, in millimetres: the
# agency's name is broken into lines that fit it (tools/build_templates.py, LEFT_COL).
REPORT_ISSUER_MM = 64.2
ISSUER_SIZE_PT = 13


@dataclass(frozen=True)
class ReportIssuer:
    """How one agency names itself, heads, signs and dates a report."""

    name: str  # in a sentence: "Ủy ban nhân dân phường Tân Phong"
    lines: tuple[str, ...]  # the header, before capitals
    place: str
    abbr: str
    on_behalf: str
    head_title: str


def report_issuer(agency: Agency, plan_place: str) -> ReportIssuer:
    """The agency as its reports name it, head and date it; a commune or district as its
    People's Committee (plan/agencies.py, `committee_form`)."""
    form = committee_form(agency)
    if form is None:
        lines = tuple(vn.name_lines(agency.name, REPORT_ISSUER_MM, ISSUER_SIZE_PT, bold=True))
        return ReportIssuer(agency.name, lines, agency.place or plan_place, agency.abbr,
                            agency.on_behalf, agency.head_title)
    unit_lines = vn.name_lines(form.unit, REPORT_ISSUER_MM, ISSUER_SIZE_PT, bold=True)
    return ReportIssuer(form.name, (COMMITTEE, *unit_lines), form.place, form.abbr,
                        form.on_behalf, form.head_title)


_ROUTE = re.compile(r"\s*\(\s*qua\s+(?P<via>[^()]+?)\s*\)\s*$", re.IGNORECASE)


def report_route(agencies: Agencies, agency: Agency, report_to: str,
                 addressee: str) -> tuple[str, list[str]]:
    """Where the form says it is sent, and its Nơi nhận lines (before "Lưu: VT").

    "UBND tỉnh (qua Sở Nội vụ để tổng hợp)" sends through the Sở Nội vụ: the Sở Nội vụ's own
    form sends to the UBND tỉnh directly. With a "Kính gửi" line the recipients start with
    "Như trên" (ND 30) and add the agency it goes through, as its own recipient.
    """
    route = _ROUTE.search(report_to)
    via_name, via_line = "", ""
    if route:
        via = route.group("via")
        via_name, _, purpose = via.partition(" để ")
        via_line = f"{via_name} (để {purpose})" if purpose else via_name
        if agency in agencies.registry.resolve(via_name).agencies:
            report_to, via_line = report_to[:route.start()].strip(), ""
    if addressee:
        return report_to, ["Như trên", *([via_line] if via_line else [])]
    return report_to, [report_to] if report_to else []


def report_context(plan: Plan, agencies: Agencies, agency: Agency, period: Period) -> ReportContext:
    """Context of templates/report.docx: one agency's report form for one period."""
    g = plan.general
    assignment = agencies.assignments[agency.code]
    issuer = report_issuer(agency, g.place)
    report_to, recipients = report_route(agencies, agency, g.report_to, g.report_addressee)
    lines = issuer.lines
    issuer_width = max(vn.text_width_mm(vn.upper_vn(line), ISSUER_SIZE_PT, bold=True)
                       for line in lines)
    led = {id(t.task) for t in assignment.led}
    mine = led | {id(t.task) for t in assignment.coordinated}
    areas = []
    for area in plan.areas:
        rows = [t for t in area.tasks if id(t.task) in led]
        rows += [t for t in area.tasks if id(t.task) in mine and id(t.task) not in led]
        if not rows:
            continue
        areas.append({
            "number": area.number,
            "name": area.name,
            "tasks": [_report_task(agencies, agency, t, id(t.task) in led) for t in rows],
        })
    return {
        "form": form_identity(plan, agencies, agency, period),
        "agency_parent": agency.parent,
        "agency_name": issuer.name,
        "agency_lines": list(lines),
        "issuer_width_mm": round(issuer_width, 1),
        "place": issuer.place,
        "year": period.deadline.year,
        "number_line": vn.number_symbol(None, f"BC-{issuer.abbr}"),
        "date_line": vn.date_words(None, period.deadline.year),
        "period_name": period.name,
        "summary": period.summary,
        "summary_in_sentence": vn.lower_first(period.summary),
        "data_from": vn.date_short(period.data_from) if period.data_from else "",
        "data_to": vn.date_short(period.data_to) if period.data_to else "",
        "deadline": vn.date_short(period.deadline),
        "addressee": g.report_addressee,
        "report_to": report_to,
        "recipients": recipients,
        "decision_number_line": vn.number_symbol(g.number, g.symbol),
        "decision_date_line": vn.date_words(g.issue_date, g.year),
        "issued_by": g.issued_by,
        "plan_title": g.plan_title,
        "plan_title_in_sentence": vn.lower_first(g.plan_title),
        "responsibilities": [
            {"path": r.path, "heading": r.heading,
             "paragraphs": [{"label": label, "text": text} for label, text in r.paragraphs]}
            for r in agencies.responsibilities_of(agency)
        ],
        "areas": areas,
        "led_count": len(assignment.led),
        "coordinated_count": len(assignment.coordinated),
        "targets": [
            {"number": i, "text": t.text, "value": t.value, "source": t.source}
            for i, t in enumerate(agencies.targets_of(agency), start=1)
        ],
        "signer": {
            "authority_line": f"TM. {issuer.on_behalf}" if issuer.on_behalf else "",
            "title": issuer.head_title,
        },
    }


def _report_task(agencies: Agencies, agency: Agency, numbered: NumberedTask,
                 leads: bool) -> dict[str, Any]:
    lead, support = agencies.task_cells[id(numbered.task)]
    cell = lead if leads else support
    roles = [m.role for m in cell.mentions
             if m.role and agency.code in {a.code for a in m.agencies}]
    return {
        "ref": numbered.ref,
        "text": numbered.task.text,
        "leads": leads,
        "role_note": ", ".join(dict.fromkeys(roles)),
        "deadline": numbered.task.deadline,
        "note": numbered.task.note,
    }
