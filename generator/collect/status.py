"""The status model: completion (as the agency answers) × timeliness (computed, never read from prose).

Completion is what the agency writes in "Mức độ hoàn thành", however it is spelled ("HT",
"Đã hoàn thành", "hoàn thành 100%", "dang thuc hien"). "Done" is read only when every word after
"hoàn thành" is one that says how or when (đúng hạn, quá hạn, theo kế hoạch, ngày 10/3/2018…):
"Hoàn thành một phần", "Hoàn thành chưa đạt yêu cầu" or two statuses in one cell are not read.
Timeliness is computed from the task's deadline in the workbook and the period's data window:

| completion | deadline | timeliness |
|---|---|---|
| done | due, and the agency wrote "quá hạn" | late (quá hạn) |
| done | otherwise (a task not yet due cannot be late, whatever the words) | on time (đúng hạn) |
| not done (in progress, not started) | a date on or before the window's last day | late (quá hạn) |
| not done | a date after the window's last day | not yet due (chưa đến hạn) |
| not done, recurring, unknown | no date (Thường xuyên, Hàng quý, Khi có văn bản…) | within (trong hạn) |

A task is *due* in a period when its deadline is a date on or before the data window's last day
(14/3 for quý I): the rate "done / due" counts only those; "done / all" counts every task.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from generator.text import vn

DONE = "done"
IN_PROGRESS = "in_progress"
NOT_STARTED = "not_started"
RECURRING = "recurring"
UNKNOWN = "unknown"  # no answer from the agency that decides the task
COMPLETIONS = (DONE, IN_PROGRESS, NOT_STARTED, RECURRING, UNKNOWN)

ON_TIME = "on_time"
LATE = "late"
WITHIN = "within"
NOT_DUE = "not_due"
TIMELINESS = (ON_TIME, LATE, WITHIN, NOT_DUE)

LABELS = {
    DONE: "hoàn thành", IN_PROGRESS: "đang thực hiện", NOT_STARTED: "chưa thực hiện",
    RECURRING: "thường xuyên", UNKNOWN: "chưa có báo cáo",
    ON_TIME: "đúng hạn", LATE: "quá hạn", WITHIN: "trong hạn", NOT_DUE: "chưa đến hạn",
}  # fmt: skip


@dataclass(frozen=True)
class Answer:
    """What one status cell says: a completion, and whether the agency itself said "late"."""

    completion: str
    said_late: bool = False


def _key(text: str) -> str:
    """Lower case, without diacritics (đ as d), punctuation as spaces, spaces squeezed."""
    plain = vn.strip_diacritics(vn.nfc(text).lower()).replace("đ", "d")
    return " ".join(re.sub(r"[^\w%]+", " ", plain).split())


# after "hoàn thành": the words that may follow it (how, when, how much); any other word (một phần,
# chưa đạt, đang thực hiện…) makes the cell unreadable rather than "done"
_LATE_WORDS = frozenset({"tre", "cham", "muon", "qh"})  # and "qua han"
_DONE_WORDS = frozenset({
    "dung", "han", "tien", "do", "theo", "ke", "hoach", "ngay", "thang", "nam", "truoc", "tot",
    "nhiem", "vu", "dh", "va", "dat", "yeu", "cau", "%", "xong", "100%", "duoc", "giao",
})  # fmt: skip
_DONE_HEAD = re.compile(r"(htqh|ht qh)|htdh|ht dh"
                        r"|(?:da )?(?:hoan thanh|hoan tat|thuc hien xong|xong|ht|da thuc hien)")
_PERCENT = re.compile(r"(\d{1,3})\s*%")
# tried in order, each against the whole key; the first that matches decides
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((c, re.compile(p)) for c, p in (
    (NOT_STARTED, r"(chua|khong) (thuc hien|trien khai|lam|bat dau|thuc hien duoc)\b.*|cth|x? ?chua th"),
    (RECURRING, r"(dang )?(thuc hien |trien khai )?(thuong xuyen|dinh ky|hang (nam|quy|thang))\b.*|tx"),
    (IN_PROGRESS, r"(dang|tiep tuc|chua hoan thanh|chua xong|dang trong qua trinh)\b.*|dth|dtt|dang th"),
))  # fmt: skip


@lru_cache(maxsize=4096)  # agencies write the same few statuses thousands of times
def read_answer(text: str) -> Answer | None:
    """The completion a status cell says, or None when it cannot be read (never a guess).

    "hoàn thành 100%" is done, "hoàn thành 60%" in progress; "Hoàn thành quá hạn" and "HT trễ hạn"
    are done and said late.
    """
    key = _key(text)
    if not key:
        return None
    for completion, pattern in _PATTERNS:
        if pattern.fullmatch(key):
            return Answer(completion)
    return _done(key)


def _done(key: str) -> Answer | None:
    """"Hoàn thành" and the words after it that say how or when, else None."""
    head = _DONE_HEAD.match(key)
    if head is None or (head.end() < len(key) and key[head.end()] != " "):
        return None
    late = head.group(1) is not None
    words = key[head.end():].split()
    i = 0
    while i < len(words):
        word = words[i]
        if word == "khong" or word == "qua":  # "không chậm trễ", "không quá hạn"; "quá hạn"
            span = _late_span(words, i + 1 if word == "khong" else i)
            if span == 0:
                return None
            late = late or word == "qua"
            i += span + (word == "khong")
        elif word in _LATE_WORDS:
            late = True
            i += 1
        elif word in _DONE_WORDS or word.isdigit() or (word[-1] == "%" and word[:-1].isdigit()):
            i += 1
        else:
            return None
    percent = _PERCENT.search(key)
    if percent and int(percent.group(1)) < 100:
        return Answer(IN_PROGRESS)
    return Answer(DONE, said_late=late)


def _late_span(words: list[str], i: int) -> int:
    """How many words from i say "late" (quá hạn, trễ hạn, chậm trễ, muộn…); 0 when they do not."""
    if words[i:i + 2] == ["qua", "han"]:
        return 2
    span = 0
    while i + span < len(words) and (words[i + span] in _LATE_WORDS or
                                     (span and words[i + span] == "han")):
        span += 1
    return span


@dataclass(frozen=True)
class Window:
    """A period's data window: what is reported covers first..last (15/12/2017–14/3/2018)."""

    first: date | None
    last: date


def is_due(due: date | None, window: Window) -> bool:
    """Has the task's deadline come by the window's last day (inclusive)?"""
    return due is not None and due <= window.last


def timeliness(answer: Answer | None, due: date | None, window: Window) -> str:
    """Timeliness from the deadline and the window; only "late" of a finished task that was due may
    come from the agency's words ("Hoàn thành quá hạn"), since its end date is not in the form."""
    completion = answer.completion if answer else UNKNOWN
    if completion == DONE:  # late only when the agency says so of a task that was due
        return LATE if answer is not None and answer.said_late and is_due(due, window) else ON_TIME
    if due is None:
        return WITHIN
    return LATE if is_due(due, window) else NOT_DUE


def decide(leads: list[Answer]) -> Answer | None:
    """One task's answer from its lead agencies' answers: all done → done (late when any said so);
    all the same → that; any other mix → in progress; none → None (not reported)."""
    if not leads:
        return None
    kinds = {a.completion for a in leads}
    if kinds == {DONE}:
        return Answer(DONE, said_late=any(a.said_late for a in leads))
    if len(kinds) == 1:
        return leads[0]
    return Answer(IN_PROGRESS)
