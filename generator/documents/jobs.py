"""The list of documents a plan makes: which template, which context, which output path."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from generator.documents.context import decision_context, report_context
from generator.plan.agencies import Agencies
from generator.plan.model import Agency, Period, Plan
from generator.text import vn

DECISION_TEMPLATE = "decision.docx"
REPORT_TEMPLATE = "report.docx"
REPORT_FOLDER = PurePosixPath("bao-cao")
INDEX_PATH = REPORT_FOLDER / "danh-sach-bao-cao.xlsx"
# Not a template: the index of the report forms is a workbook written by generator/output/report_index.py.
INDEX = "index"


@dataclass(frozen=True)
class DocumentJob:
    """One document to make; `path` is relative to the year's output folder."""

    kind: str
    template: str
    path: PurePosixPath
    context: Mapping[str, Any]
    title: str


def decision_file_name(plan: Plan) -> str:
    g = plan.general
    number = str(g.number) if g.number is not None else "du-thao"
    return vn.slug(f"{number} {g.symbol} {g.year if g.number is None else ''}") + ".docx"


def report_path(agency: Agency, period: Period) -> PurePosixPath:
    """`bao-cao/<period>/<agency>.docx`, both parts made safe for any file system."""
    return REPORT_FOLDER / vn.slug(period.code) / f"{vn.slug(agency.code)}.docx"


def report_documents(plan: Plan) -> list[DocumentJob]:
    """One report form per period and reporting agency (in the Cơ quan sheet's order)."""
    agencies = Agencies(plan)
    return [
        DocumentJob(
            kind="report",
            template=REPORT_TEMPLATE,
            path=report_path(agency, period),
            context=report_context(plan, agencies, agency, period),
            title=f"Báo cáo {period.name} của {agency.name}",
        )
        for period in plan.periods
        for agency in plan.agencies
        if agency.reports
    ]


def report_index(plan: Plan) -> DocumentJob | None:
    """The workbook listing every report form (not a template: see generator/output/report_index.py)."""
    agencies = Agencies(plan)
    rows = []
    for period in plan.periods:
        for agency in plan.agencies:
            if not agency.reports:
                continue
            assignment = agencies.assignments[agency.code]
            rows.append({
                "agency_code": agency.code,
                "agency": agency.name,
                "period": period.name,
                "deadline": period.deadline,
                "led": len(assignment.led),
                "coordinated": len(assignment.coordinated),
                "file": report_path(agency, period).relative_to(REPORT_FOLDER).as_posix(),
            })
    if not rows:
        return None
    return DocumentJob(
        kind=INDEX,
        template="",
        path=INDEX_PATH,
        context={"year": plan.year, "rows": rows},
        title=f"Danh sách {len(rows)} mẫu báo cáo",
    )


def plan_outputs(plan: Plan) -> list[DocumentJob]:
    """Everything a build writes: the documents, then the index of the report forms."""
    index = report_index(plan)
    return [*plan_documents(plan), *([index] if index else [])]


def plan_documents(plan: Plan) -> list[DocumentJob]:
    """Every document rendered from a template, in a stable order: the decision package, then
    the report forms."""
    g = plan.general
    return [
        DocumentJob(
            kind="decision",
            template=DECISION_TEMPLATE,
            path=PurePosixPath(decision_file_name(plan)),
            context=decision_context(plan),
            title=f"Quyết định {vn.number_symbol(g.number, g.symbol).strip()} "
                  f"kèm Kế hoạch và Phụ lục",
        ),
        *report_documents(plan),
    ]
