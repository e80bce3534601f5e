"""Agency resolution: which registry agencies a free-text lead/support cell names."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import NamedTuple

from generator.plan.model import Agency, NumberedItem, NumberedTask, Plan
from generator.text import vn

# The group phrases of Vietnamese administrative writing, resolved by agency kind (column Loại
# of the Cơ quan sheet), never by listing agencies: they are the country's vocabulary for the
# tiers of local government (Luật Tổ chức chính quyền địa phương), the same in every province,
# so they live here and not in each year's workbook. A tier a province does not have (no cấp
# huyện since July 2025) simply resolves to no agency. UNSPECIFIED means "whoever is concerned":
# kept as text, nobody in particular.
UNSPECIFIED = ""
GROUP_PHRASES: tuple[tuple[str, str], ...] = (
    ("các sở, ban, ngành", "sở-ban-ngành"),
    ("sở, ban, ngành", "sở-ban-ngành"),
    ("các sở, ngành", "sở-ban-ngành"),
    ("các cơ quan chuyên môn thuộc UBND tỉnh", "sở-ban-ngành"),
    ("các cơ quan chuyên môn cấp tỉnh", "sở-ban-ngành"),
    ("cơ quan chuyên môn cấp tỉnh", "sở-ban-ngành"),
    ("UBND cấp huyện", "cấp huyện"),
    ("cấp huyện", "cấp huyện"),
    ("UBND các huyện", "cấp huyện"),
    ("UBND các huyện, thị xã", "cấp huyện"),
    ("UBND các huyện, thành phố", "cấp huyện"),
    ("UBND các huyện, thị xã, thành phố", "cấp huyện"),
    ("UBND các huyện, thành phố, thị xã", "cấp huyện"),
    ("UBND cấp xã", "cấp xã"),
    ("cấp xã", "cấp xã"),
    ("UBND các xã", "cấp xã"),
    ("UBND các xã, phường", "cấp xã"),
    ("UBND các xã, phường, thị trấn", "cấp xã"),
    ("UBND các xã, phường, đặc khu", "cấp xã"),
    ("các cơ quan, đơn vị có liên quan", UNSPECIFIED),
    ("các cơ quan, đơn vị liên quan", UNSPECIFIED),
    ("các cơ quan có liên quan", UNSPECIFIED),
    ("các cơ quan liên quan", UNSPECIFIED),
    ("các đơn vị có liên quan", UNSPECIFIED),
    ("các đơn vị liên quan", UNSPECIFIED),
    ("các cơ quan, đơn vị", UNSPECIFIED),
)

# Role words that may follow a name in a cell ("Sở Nội vụ thẩm định", "UBND cấp huyện có liên
# quan"): the name still resolves, the words are kept for display. Only these, so that a longer
# unknown name ("Sở Y tế dự phòng") is never taken for a known one plus a role.
ROLE_WORDS: tuple[str, ...] = (
    "thẩm định", "tổng hợp", "chủ trì", "phối hợp", "hướng dẫn", "theo dõi", "kiểm tra",
    "đôn đốc", "tham mưu", "thực hiện", "trình", "có liên quan", "liên quan",
)

# "UBND" and "Ủy ban nhân dân" are the same words in every name and phrase.
_EXPANSIONS = {vn.name_key("UBND"): tuple(vn.name_key("Ủy ban nhân dân").split())}
# Tokens between names: `;` `,` `.` and the word "và" (which may also sit inside a name, so it
# is only a separator where no longer name matches).
_SEPARATORS = frozenset({";", ",", ".", vn.name_key("và")})
# Punctuation written differently inside one name ("Văn hóa, Thể thao" / "Văn hóa - Thể thao").
_SOFT = frozenset({",", "-"})
_TOKEN_RE = re.compile(r"\w+|[^\w\s]")


class _Token(NamedTuple):  # a tuple: made for every word of every cell, a frozen dataclass costs 3×
    key: str
    start: int
    end: int


def _tokens(text: str) -> list[_Token]:
    tokens = []
    for match in _TOKEN_RE.finditer(text):
        start, end = match.span()
        for part in _word_keys(match.group()):
            tokens.append(_Token(part, start, end))
    return tokens


@lru_cache(maxsize=8192)
def _word_keys(word: str) -> tuple[str, ...]:
    """A word's keys (two for an abbreviation such as UBND): worked out once a run per word, not
    once per cell it appears in (every run resolves each task's cells anew; the words repeat)."""
    key = vn.name_key(word)
    return _EXPANSIONS.get(key, (key,))


def _words(text: str) -> tuple[str, ...]:
    """The comparison form of a name: its token keys without the soft punctuation."""
    return tuple(t.key for t in _tokens(vn.nfc(text)) if t.key not in _SOFT)


@dataclass(frozen=True)
class Mention:
    """One name found in a cell: an agency, a group of a kind, or the unspecified group."""

    text: str  # as typed
    agencies: tuple[Agency, ...]
    group: str | None  # the kind for a group phrase, UNSPECIFIED, or None for a named agency
    role: str = ""  # a trailing role word kept for display ("thẩm định", "tổng hợp")

    @property
    def unspecified(self) -> bool:
        return self.group == UNSPECIFIED


@dataclass(frozen=True)
class Resolution:
    """What a cell names: mentions in order, the agencies they stand for, what was not understood."""

    text: str
    mentions: tuple[Mention, ...]
    unresolved: tuple[str, ...]

    @cached_property
    def agencies(self) -> tuple[Agency, ...]:
        seen: dict[str, Agency] = {}
        for mention in self.mentions:
            for agency in mention.agencies:
                seen.setdefault(agency.code, agency)
        return tuple(seen.values())

    @property
    def complete(self) -> bool:
        """Every word of the cell is a name, a group or a separator."""
        return not self.unresolved


@dataclass(frozen=True)
class _Entry:
    words: tuple[str, ...]
    agency: Agency | None
    group: str | None


@dataclass
class Registry:
    """The agencies of the Cơ quan sheet, findable by any of their names and by group phrases."""

    agencies: tuple[Agency, ...]
    _entries: dict[str, list[_Entry]] = field(default_factory=dict, init=False, repr=False)
    # a cell's text → its resolution (immutable): half of a plan's lead/support cells repeat
    _resolved: dict[str, Resolution] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for agency in self.agencies:
            for name in agency.names:
                self._add(_Entry(_words(name), agency, None))
        for phrase, kind in GROUP_PHRASES:
            self._add(_Entry(_words(phrase), None, kind))
        for entries in self._entries.values():
            entries.sort(key=lambda e: -len(e.words))

    def _add(self, entry: _Entry) -> None:
        if entry.words:
            self._entries.setdefault(entry.words[0], []).append(entry)

    def of_kind(self, kind: str) -> tuple[Agency, ...]:
        return tuple(a for a in self.agencies if a.kind == kind)

    def by_code(self, code: str) -> Agency | None:
        return next((a for a in self.agencies if a.code == code), None)

    def resolve(self, text: str) -> Resolution:
        """Longest match over the cell; separators skipped; whatever is left is unresolved."""
        resolved = self._resolved.get(text)
        if resolved is None:
            resolved = self._resolved[text] = self._resolve(text)
        return resolved

    def _resolve(self, text: str) -> Resolution:
        text = vn.clean_text(text or "")
        tokens = _tokens(text)
        mentions: list[Mention] = []
        unresolved: list[str] = []
        pending: list[_Token] = []  # unmatched tokens of the current fragment
        after_match = False  # the pending fragment directly follows a mention

        def flush() -> None:
            nonlocal after_match
            if pending:
                fragment = text[pending[0].start:pending[-1].end]
                words = tuple(t.key for t in pending if t.key[0].isalnum())
                if after_match and words and _is_role(words):
                    last = mentions[-1]
                    role = f"{last.role} {fragment}".strip()
                    mentions[-1] = Mention(last.text, last.agencies, last.group, role)
                else:
                    unresolved.append(fragment.strip(" ,;.-"))
                pending.clear()
            after_match = False

        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token.key in _SEPARATORS:
                flush()
                i += 1
                continue
            match = self._match(tokens, i)
            if match is None:
                pending.append(token)
                i += 1
                continue
            end, entry = match
            flush()
            mentions.append(self._mention(text[token.start:tokens[end - 1].end], entry))
            after_match = True
            i = end
        flush()
        return Resolution(text, tuple(mentions), tuple(u for u in unresolved if u))

    def _match(self, tokens: Sequence[_Token], start: int) -> tuple[int, _Entry] | None:
        for entry in self._entries.get(tokens[start].key, ()):
            end = _match_words(tokens, start, entry.words)
            if end is not None:
                return end, entry
        return None

    def _mention(self, text: str, entry: _Entry) -> Mention:
        if entry.agency is not None:
            return Mention(text, (entry.agency,), None)
        assert entry.group is not None
        members = self.of_kind(entry.group) if entry.group != UNSPECIFIED else ()
        return Mention(text, members, entry.group)

    def suggestions(self, fragment: str, count: int = 3) -> list[str]:
        """The registry names closest to a fragment that did not resolve."""
        names = {vn.name_key(n): n for a in self.agencies for n in a.names}
        keys = difflib.get_close_matches(vn.name_key(fragment), list(names), n=count, cutoff=0.5)
        return [names[k] for k in keys]


_ROLES = tuple(sorted((_words(r) for r in ROLE_WORDS), key=len, reverse=True))


def _is_role(words: tuple[str, ...]) -> bool:
    """Whether the words are a sequence of role words."""
    if not words:
        return True
    return any(words[:len(r)] == r and _is_role(words[len(r):]) for r in _ROLES)


def _match_words(tokens: Sequence[_Token], start: int, words: tuple[str, ...]) -> int | None:
    """End index when the tokens from `start` spell `words` (soft punctuation may differ)."""
    i = start
    for index, word in enumerate(words):
        while index and i < len(tokens) and tokens[i].key in _SOFT and tokens[i].key != word:
            i += 1
        if i >= len(tokens) or tokens[i].key != word:
            return None
        i += 1
    # a match must end at a word boundary of the text, not inside a longer name
    return i


# -- assignments -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    """The appendix tasks of one agency: those it leads and those it only coordinates."""

    agency: Agency
    led: tuple[NumberedTask, ...]
    coordinated: tuple[NumberedTask, ...]


@dataclass(frozen=True)
class Responsibility:
    """A section of the plan whose heading names the agency, with its paragraphs."""

    path: str
    label: str
    heading: str
    paragraphs: tuple[tuple[str, str], ...]  # (point label, text)


class Agencies:
    """The resolved agencies of a plan: registry, cell resolutions, per-agency assignments."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.registry = Registry(plan.agencies)

    @cached_property
    def task_cells(self) -> dict[int, tuple[Resolution, Resolution]]:
        """Lead and support resolutions for each task, keyed by id of the Task."""
        result = {}
        for area in self.plan.areas:
            for numbered in area.tasks:
                task = numbered.task
                result[id(task)] = (self.registry.resolve(task.lead),
                                    self.registry.resolve(task.support))
        return result

    def lead_and_support(self, numbered: NumberedTask) -> tuple[tuple[Agency, ...], tuple[Agency, ...]]:
        lead, support = self.task_cells[id(numbered.task)]
        # an agency named in the support cell coordinates even when the lead cell names a group
        # it belongs to ("Các sở, ban, ngành" lead, "Văn phòng UBND tỉnh" support); named in the
        # lead cell itself, it leads
        named_lead = _named_codes(lead)
        named_support = _named_codes(support)
        leads = tuple(a for a in lead.agencies
                      if a.code in named_lead or a.code not in named_support)
        led_codes = {a.code for a in leads}
        return leads, tuple(a for a in support.agencies if a.code not in led_codes)

    @cached_property
    def assignments(self) -> dict[str, Assignment]:
        """Every agency of the registry (in its order) with its tasks; lead wins over support."""
        led: dict[str, list[NumberedTask]] = {a.code: [] for a in self.plan.agencies}
        coordinated: dict[str, list[NumberedTask]] = {a.code: [] for a in self.plan.agencies}
        for area in self.plan.areas:
            for numbered in area.tasks:
                leads, supports = self.lead_and_support(numbered)
                for agency in leads:
                    led[agency.code].append(numbered)
                for agency in supports:
                    coordinated[agency.code].append(numbered)
        result = {}
        for agency in self.plan.agencies:
            if agency.code not in result:
                result[agency.code] = Assignment(agency, tuple(led[agency.code]),
                                                 tuple(coordinated[agency.code]))
        return result

    @cached_property
    def _target_codes(self) -> list[frozenset[str]]:
        # resolved once, not once per agency and period: a national batch has thousands of forms
        return [frozenset(a.code for a in self.registry.resolve(t.agencies).agencies)
                for t in self.plan.targets]

    def targets_of(self, agency: Agency) -> list:
        """The quantitative targets whose agencies include this one."""
        return [t for t, codes in zip(self.plan.targets, self._target_codes, strict=True)
                if agency.code in codes]

    @cached_property
    def responsibility_sections(self) -> list[tuple[Responsibility, frozenset[str]]]:
        """Outline sections whose heading is nothing but agency names and groups."""
        outline = self.plan.numbered_outline
        result = []
        for index, numbered in enumerate(outline):
            item = numbered.item
            if item.level < 1 or not item.heading:
                continue
            resolution = self.registry.resolve(item.heading)
            if not resolution.complete or not resolution.mentions:
                continue
            if all(m.unspecified for m in resolution.mentions):
                continue
            codes = frozenset(a.code for a in resolution.agencies)
            paragraphs = []
            if item.text:
                paragraphs.append(("", item.text))
            for following in outline[index + 1:]:
                if 1 <= following.item.level <= item.level:
                    break
                paragraphs.append(_paragraph(following))
            result.append((Responsibility(numbered.path, numbered.label, item.heading,
                                          tuple(paragraphs)), codes))
        return result

    def responsibilities_of(self, agency: Agency) -> list[Responsibility]:
        return [r for r, codes in self.responsibility_sections if agency.code in codes]


def _named_codes(resolution: Resolution) -> set[str]:
    """The agencies a cell names one by one, not through a group phrase."""
    return {a.code for m in resolution.mentions if m.group is None for a in m.agencies}


def _paragraph(numbered: NumberedItem) -> tuple[str, str]:
    item = numbered.item
    text = item.text if not item.heading else f"{item.heading}. {item.text}".strip(" .")
    return numbered.label, text


# Kinds whose agency is a People's Committee, which heads and signs its documents as one (ND 30,
# Mẫu 1.4): "ỦY BAN NHÂN DÂN" / "PHƯỜNG X", TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH, dated at the unit.
COMMITTEE_KINDS = ("cấp xã", "cấp huyện")
COMMITTEE = "Ủy ban nhân dân"
_COMMITTEE_PREFIXES = (vn.name_key(COMMITTEE), vn.name_key("UBND"))
_UNIT_WORDS = ("thị trấn", "đặc khu", "thị xã", "thành phố", "phường", "xã", "huyện", "quận")


@dataclass(frozen=True)
class CommitteeForm:
    """A commune's or district's People's Committee as its documents show it."""

    unit: str  # the administrative unit, capitalised: "Phường Tân Phong"
    name: str  # in a sentence: "Ủy ban nhân dân phường Tân Phong"
    place: str
    abbr: str
    on_behalf: str
    head_title: str


def committee_form(agency: Agency) -> CommitteeForm | None:
    """The People's Committee form of an agency of kind cấp xã or cấp huyện (None for others).

    The registry may name a ward as the unit ("Phường Tân Phong") or as its committee ("Ủy ban
    nhân dân phường Tân Phong", "UBND phường Tân Phong"); what the clerk filled in the columns
    Ký thay mặt, Chức danh, Ký hiệu and Địa danh always wins over these defaults.
    """
    if agency.kind not in COMMITTEE_KINDS:
        return None
    words = vn.clean_text(agency.name).replace("\n", " ").split(" ")
    for prefix in _COMMITTEE_PREFIXES:
        size = len(prefix.split(" "))
        if len(words) > size and vn.name_key(" ".join(words[:size])) == prefix:
            words = words[size:]
            break
    unit = " ".join(words)
    unit = unit[:1].upper() + unit[1:]
    return CommitteeForm(
        unit=unit,
        name=f"{COMMITTEE} {vn.lower_first(unit)}",
        place=agency.place or unit_place(unit),
        abbr=agency.abbr or "UBND",
        on_behalf=agency.on_behalf or vn.upper_vn(COMMITTEE),
        head_title=agency.head_title or "CHỦ TỊCH",
    )


def unit_place(unit: str) -> str:
    """The địa danh of an administrative unit: its proper name ("Phường Tân Phong" → "Tân Phong");
    a unit named by a number keeps its kind ("Phường 15"), as ND 30 asks."""
    lowered = unit.lower()
    for word in _UNIT_WORDS:
        if lowered.startswith(word + " "):
            rest = unit[len(word) + 1:].strip()
            return unit if not rest or rest[0].isdigit() else rest
    return unit
