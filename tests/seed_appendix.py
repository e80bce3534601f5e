"""The appendix table of the seed document, read straight from its text (not from our workbook)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tests.conftest import SEED

_ROMAN = re.compile(r"^[IVX]+$")


@dataclass(frozen=True)
class SeedTask:
    ref: str  # area numeral and position in the area, as the plan numbers it (II.3)
    text: str
    lead: str
    support: str
    deadline: str


def seed_tasks() -> list[SeedTask]:
    """Every task row, numbered by its position in its area (the seed's own numbers skip 11, 12)."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("STT\tNội dung, nhiệm vụ"))
    tasks: list[SeedTask] = []
    area, position = "", 0
    for line in lines[start:]:
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) < 2 or cells[0] == "STT":
            continue
        if _ROMAN.match(cells[0]):
            area, position = cells[0], 0
            continue
        if cells[0].isdigit():
            position += 1
            cells += [""] * (6 - len(cells))
            tasks.append(SeedTask(f"{area}.{position}", cells[1], cells[2], cells[3], cells[4]))
    assert len(tasks) == 46
    return tasks


def mentions(cell: str, *needles: str) -> bool:
    """Whether a seed cell names any of the needles (case-insensitive substring)."""
    lowered = cell.lower()
    return any(needle.lower() in lowered for needle in needles)


# How the seed names every department and every district as a group.
DEPARTMENT_GROUPS = ("các sở, ban, ngành", "các sở, ban ngành", "cơ quan chuyên môn thuộc UBND tỉnh")
DISTRICT_GROUPS = ("UBND cấp huyện",)


def expected_roles(*needles: str) -> tuple[list[str], list[str]]:
    """Refs the seed gives to whoever the needles name: led, and coordinated but not led.

    A needle that is not a group phrase is the agency's own name: named as coordinator, it
    coordinates even where the lead cell names a group it belongs to.
    """
    groups = DEPARTMENT_GROUPS + DISTRICT_GROUPS
    names = [n for n in needles if n not in groups]
    led, coordinated = [], []
    for task in seed_tasks():
        if names and mentions(task.lead, *names):
            led.append(task.ref)
        elif names and mentions(task.support, *names):
            coordinated.append(task.ref)
        elif mentions(task.lead, *needles):
            led.append(task.ref)
        elif mentions(task.support, *needles):
            coordinated.append(task.ref)
    return led, coordinated
