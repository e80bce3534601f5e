"""Everything one consolidation writes, as bytes by file name (written by pipeline.collect)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from generator.collect.consolidate import Consolidation
from generator.collect.summary import (
    REMINDER,
    REMINDER_TEMPLATE,
    SUMMARY,
    SUMMARY_TEMPLATE,
    reminder_context,
    summary_context,
)
from generator.collect.tracking import JSON, WORKBOOK, Kept, json_bytes, tracking_workbook
from generator.render.renderer import renderer_for


def stamp_of(result: Consolidation) -> datetime:
    """The date every output is stamped with: the period's deadline (never the time of the run)."""
    d = result.period.deadline
    return datetime(d.year, d.month, d.day)


def render_outputs(result: Consolidation, kept: Kept, templates: Path) -> dict[str, bytes]:
    """The tracking workbook, its JSON, the report draft and, when an agency has sent nothing,
    the reminder letter."""
    stamp = stamp_of(result)
    files = {
        WORKBOOK: tracking_workbook(result, kept, stamp),
        JSON: json_bytes(result),
    }
    summary = renderer_for(templates / SUMMARY_TEMPLATE)
    files[SUMMARY] = summary.render(summary_context(result, summary.prepared), stamp)
    if result.missing:
        reminder = renderer_for(templates / REMINDER_TEMPLATE)
        files[REMINDER] = reminder.render(reminder_context(result), stamp)
    return files
