"""The list of documents a plan makes: which template, which context, which output path."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from generator import vn
from generator.context import decision_context
from generator.model import Plan

DECISION_TEMPLATE = "decision.docx"


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


def plan_documents(plan: Plan) -> list[DocumentJob]:
    """Every document of the build, in a stable order."""
    g = plan.general
    return [
        DocumentJob(
            kind="decision",
            template=DECISION_TEMPLATE,
            path=PurePosixPath(decision_file_name(plan)),
            context=decision_context(plan),
            title=f"Quyết định {vn.number_symbol(g.number, g.symbol).strip()} "
                  f"kèm Kế hoạch và Phụ lục",
        )
    ]
