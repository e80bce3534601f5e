"""Template contexts: the plan's values shaped for each template, with Vietnamese conventions."""

from __future__ import annotations

from typing import Any

from generator import vn
from generator.model import Plan, Signer


def signer_context(signer: Signer) -> dict[str, str]:
    return {
        "prefix": signer.prefix,
        "on_behalf": signer.on_behalf,
        "authority_line": signer.authority_line,
        "title": signer.title,
        "name": signer.name,
    }


def header_context(plan: Plan) -> dict[str, Any]:
    """The values every document of the plan shows in its header and number/date lines."""
    g = plan.general
    return {
        "issuer_parent": g.issuer_parent,
        "issuer": g.issuer,
        "issuer_lines": [line for line in g.issuer.split("\n") if line.strip()],
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


def decision_context(plan: Plan) -> dict[str, Any]:
    """Context of templates/decision.docx: Quyết định, attached Kế hoạch and its Phụ lục."""
    g = plan.general
    bases = [b.text for b in plan.bases]
    if g.proposal:
        bases.append(g.proposal)
    articles = [
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
