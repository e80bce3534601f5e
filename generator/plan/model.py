"""The typed, immutable model of a plan; every record remembers the cells it came from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

from generator.errors import Loc
from generator.text import vn


def _no_locs() -> Mapping[str, Loc]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Record:
    """Base of every row-like value: `locs` maps a field name to its workbook cell."""

    locs: Mapping[str, Loc] = field(default_factory=_no_locs, compare=False, repr=False, kw_only=True)

    def loc(self, key: str) -> Loc | None:
        return self.locs.get(key)


@dataclass(frozen=True)
class Signer(Record):
    """A signature block: `TM.`/`KT.`… prefix, whom the signer acts for, title, name."""

    prefix: str
    on_behalf: str
    title: str
    name: str

    @property
    def authority_line(self) -> str:
        """The first line of the block when the signer acts for someone (`TM. ỦY BAN NHÂN DÂN`)."""
        if not self.prefix:
            return ""
        return f"{self.prefix} {self.on_behalf}".strip()


@dataclass(frozen=True)
class General(Record):
    issuer_parent: str
    issuer: str
    place: str
    year: int
    number: int | None
    symbol: str
    issue_date: date | None
    summary: str
    authority: str
    proposal: str
    signer: Signer
    archive_unit: str
    drafter: str
    copies: int | None
    plan_title: str
    issued_by: str
    plan_signer: Signer
    appendix_title: str
    report_to: str
    report_addressee: str
    archive_copies: int | None = None  # copies the drafting unit keeps: "Lưu: VT, NC (02b)."
    report_signer: Signer | None = None  # the consolidated report's and reminder's; None: `signer`

    @property
    def collect_signer(self) -> Signer:
        """Who signs what `vanban collect` writes: its own signer when given, else the decision's."""
        return self.report_signer or self.signer

    @property
    def is_draft(self) -> bool:
        return self.number is None or self.issue_date is None


@dataclass(frozen=True)
class Basis(Record):
    text: str


@dataclass(frozen=True)
class Article(Record):
    text: str


@dataclass(frozen=True)
class Recipient(Record):
    text: str
    copies: int | None = None


@dataclass(frozen=True)
class OutlineItem(Record):
    """One line of the plan body: level 0 plain paragraph, 1 part, 2 section, 3 point.

    A level-1 line without a heading is an unnumbered paragraph of the part itself, after its
    sections (the plan's closing paragraph): it ends the section before it, whose text it is not.
    """

    level: int
    heading: str
    text: str


@dataclass(frozen=True)
class Task(Record):
    area: str
    text: str
    lead: str
    support: str
    deadline: str
    note: str


@dataclass(frozen=True)
class Agency(Record):
    code: str
    name: str
    kind: str
    parent: str
    head_title: str
    on_behalf: str
    abbr: str
    aliases: tuple[str, ...]
    reports: bool
    place: str = ""  # địa danh of its reports when not the plan's own

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Period(Record):
    code: str
    name: str
    summary: str
    deadline: date
    data_from: date | None
    data_to: date | None


@dataclass(frozen=True)
class Target(Record):
    text: str
    value: str
    agencies: str
    source: str


@dataclass(frozen=True)
class NumberedTask:
    """A task with the numbers the plan gives it: area `II`, row `3`, reference `II.3`."""

    task: Task
    area_number: str
    number: int

    @property
    def ref(self) -> str:
        return f"{self.area_number}.{self.number}"


@dataclass(frozen=True)
class Area:
    number: str
    name: str
    tasks: tuple[NumberedTask, ...]


@dataclass(frozen=True)
class NumberedItem:
    """An outline line with its generated label (`I.`, `1.`, `a)` or none)."""

    item: OutlineItem
    label: str
    path: str  # e.g. "VI.1.c": where the line stands in the plan


@dataclass(frozen=True)
class Plan:
    """Everything one workbook says, checked for types, in workbook order."""

    general: General
    bases: tuple[Basis, ...]
    articles: tuple[Article, ...]
    recipients: tuple[Recipient, ...]
    outline: tuple[OutlineItem, ...]
    tasks: tuple[Task, ...]
    agencies: tuple[Agency, ...]
    periods: tuple[Period, ...]
    targets: tuple[Target, ...]
    source: Path | None = None

    @property
    def year(self) -> int:
        return self.general.year

    @cached_property
    def areas(self) -> tuple[Area, ...]:
        """Tasks grouped by area in order of first appearance, numbered I, II… and 1, 2…"""
        order: dict[str, list[Task]] = {}
        for task in self.tasks:
            order.setdefault(task.area, []).append(task)
        areas = []
        for index, (name, tasks) in enumerate(order.items(), start=1):
            number = vn.roman(index)
            numbered = tuple(NumberedTask(t, number, i) for i, t in enumerate(tasks, start=1))
            areas.append(Area(number, name, numbered))
        return tuple(areas)

    @cached_property
    def numbered_outline(self) -> tuple[NumberedItem, ...]:
        """The plan body with its generated numbering: I / 1. / a), restarting per parent."""
        counters = [0, 0, 0, 0]
        labels = ["", "", "", ""]
        result = []
        for item in self.outline:
            level = item.level
            if level == 0:
                result.append(NumberedItem(item, "", _path(labels, 3)))
                continue
            if level == 1 and not item.heading:
                # a paragraph of the part, after its sections: numbered sections go on after it
                # (counters[2] kept), but it and the paragraphs under it belong to the part
                labels[2] = labels[3] = ""
                counters[3] = 0
                result.append(NumberedItem(item, "", _path(labels, 1)))
                continue
            counters[level] += 1
            for deeper in range(level + 1, 4):
                counters[deeper] = 0
                labels[deeper] = ""
            if level == 1:
                labels[1] = vn.roman(counters[1])
                label = f"{labels[1]}."
            elif level == 2:
                labels[2] = str(counters[2])
                label = f"{labels[2]}."
            else:
                labels[3] = vn.letter(counters[3])
                label = f"{labels[3]})"
            result.append(NumberedItem(item, label, _path(labels, level)))
        return tuple(result)


def _path(labels: list[str], depth: int) -> str:
    return ".".join(label for label in labels[1 : depth + 1] if label)
