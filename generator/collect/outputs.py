"""Everything one consolidation writes, as bytes by file name (written by pipeline.collect)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from generator.collect.consolidate import Consolidation
from generator.collect.tracking import JSON, WORKBOOK, Kept, json_bytes, tracking_workbook


def stamp_of(result: Consolidation) -> datetime:
    """The date every output is stamped with: the period's deadline (never the time of the run)."""
    d = result.period.deadline
    return datetime(d.year, d.month, d.day)


def render_outputs(result: Consolidation, kept: Kept, templates: Path) -> dict[str, bytes]:
    stamp = stamp_of(result)
    return {
        WORKBOOK: tracking_workbook(result, kept, stamp),
        JSON: json_bytes(result),
    }
