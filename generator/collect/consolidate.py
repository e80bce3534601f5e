"""Returned forms → one record per task × agency → the period's figures, area by area.

The lead agencies' answers decide a task (status.decide); coordinators' answers are kept, and
every answer that differs from the decision is listed. Counts and rates are given with both
denominators used in real reports: done / due (tasks whose deadline has come by the window's last
day) and done / all tasks of the plan.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date

from generator.checks.deadlines import parse_deadline
from generator.collect import status as st
from generator.collect.forms import ReturnedForm, where
from generator.errors import INFO, WARNING, Loc, Problem
from generator.plan.agencies import Agencies
from generator.plan.model import Agency, Period, Plan
from generator.text import vn

LEAD, COORDINATOR = "lead", "coordinator"
ROLE_LABELS = {LEAD: "chủ trì", COORDINATOR: "phối hợp"}
FILE_DATE, CLERK_DATE, MANUAL = "file", "clerk", "manual"  # where a received date comes from


@dataclass(frozen=True)
class TaskInfo:
    code: str
    area: str  # area number, I, II…
    area_name: str
    text: str
    deadline: str
    due: date | None
    leads: tuple[str, ...]  # agency codes, registry order
    coordinators: tuple[str, ...]
    lead_text: str = ""  # the Cơ quan chủ trì cell as the plan writes it


@dataclass
class Record:
    """One agency's answer on one task."""

    task: str
    agency: str
    role: str
    status_text: str
    answer: st.Answer | None
    result: str
    note: str
    source: str  # file name, or "nhập tay"
    table: int = 0
    row: int = 0

    @property
    def completion(self) -> str:
        return self.answer.completion if self.answer else st.UNKNOWN


@dataclass
class Receipt:
    agency: str
    received: date | None
    source: str  # FILE_DATE, CLERK_DATE or MANUAL
    file: str
    late: bool


@dataclass
class TaskResult:
    info: TaskInfo
    completion: str
    timeliness: str
    due: bool  # due by the window's last day
    records: list[Record]
    disagreements: list[Record]


@dataclass
class Counts:
    total: int = 0
    due: int = 0
    done: int = 0  # every task reported done
    done_due: int = 0  # done among the due ones (numerator of the done / due rate)
    done_on_time: int = 0
    done_late: int = 0
    in_progress: int = 0
    not_started: int = 0
    recurring: int = 0
    unknown: int = 0
    overdue: int = 0  # not done, deadline passed

    def add(self, task: TaskResult) -> None:
        self.total += 1
        self.due += task.due
        if task.completion == st.DONE:
            self.done += 1
            self.done_due += task.due
            if task.timeliness == st.LATE:
                self.done_late += 1
            else:
                self.done_on_time += 1
        elif task.completion == st.IN_PROGRESS:
            self.in_progress += 1
        elif task.completion == st.NOT_STARTED:
            self.not_started += 1
        elif task.completion == st.RECURRING:
            self.recurring += 1
        else:
            self.unknown += 1
        if task.completion != st.DONE and task.timeliness == st.LATE:
            self.overdue += 1

    @property
    def rate(self) -> float | None:
        """Done / due, in per cent with one decimal; None when nothing is due yet."""
        return round(100 * self.done_due / self.due, 1) if self.due else None

    @property
    def rate_all(self) -> float | None:
        """Done / all tasks, in per cent with one decimal."""
        return round(100 * self.done / self.total, 1) if self.total else None


@dataclass
class AgencyResult:
    agency: Agency
    led: int
    coordinated: int
    receipt: Receipt | None
    counts: Counts  # over the tasks it leads, by its own answers


@dataclass
class Consolidation:
    plan: Plan
    period: Period
    window: st.Window
    tasks: list[TaskResult]
    areas: list[tuple[str, str, Counts]]  # number, name, counts
    total: Counts
    agencies: list[AgencyResult]
    receipts: dict[str, Receipt]
    missing: list[str]  # reporting agencies with nothing received
    targets: list[dict[str, str]]
    sections: dict[str, list[tuple[str, str]]]  # section → (agency code, paragraph)
    problems: list[Problem] = field(default_factory=list)

    @property
    def received(self) -> list[str]:
        return [code for code in self.receipts]

    @property
    def late(self) -> list[str]:
        return [code for code, r in self.receipts.items() if r.late]


def plan_tasks(plan: Plan, agencies: Agencies) -> list[TaskInfo]:
    result = []
    for area in plan.areas:
        for numbered in area.tasks:
            leads, supports = agencies.lead_and_support(numbered)
            result.append(TaskInfo(
                numbered.ref, area.number, area.name, numbered.task.text, numbered.task.deadline,
                parse_deadline(numbered.task.deadline).due,
                tuple(a.code for a in leads), tuple(a.code for a in supports), numbered.task.lead))
    return result


def window_of(period: Period) -> st.Window:
    return st.Window(period.data_from, period.data_to or period.deadline)


@dataclass
class ManualRow:
    """A row of the tracking workbook's "Nhập tay" sheet: a form read by a person (a PDF, a scan)."""

    agency: str
    task: str
    status: str
    result: str
    note: str
    loc: Loc


def consolidate(plan: Plan, period: Period, forms: dict[str, ReturnedForm],
                receipts: dict[str, Receipt], manual: list[ManualRow],
                agencies: Agencies | None = None) -> Consolidation:
    """The period's figures from the forms (one per agency code, already matched); `agencies`:
    the plan's resolved assignments when the caller has them already."""
    agencies = agencies or Agencies(plan)
    window = window_of(period)
    infos = plan_tasks(plan, agencies)
    by_code = {t.code: t for t in infos}
    problems: list[Problem] = []
    records: dict[str, list[Record]] = {t.code: [] for t in infos}

    def role_of(info: TaskInfo, agency: str) -> str | None:
        if agency in info.leads:
            return LEAD
        if agency in info.coordinators:
            return COORDINATOR
        return None

    for code, form in forms.items():
        name = form.source.name
        problems += form.problems
        assigned = agencies.assignments[code]
        expected = {t.ref for t in assigned.led} | {t.ref for t in assigned.coordinated}
        seen: set[str] = set()
        for row in form.tasks:
            here = (name, row.table, row.row)  # made into a Loc only for a problem
            info = by_code.get(row.code)
            if info is None:
                problems.append(Problem(WARNING, where(*here), f"Mã nhiệm vụ {row.code} không có trong "
                                        "Phụ lục Kế hoạch; bỏ qua dòng này", code="collect-unknown-task"))
                continue
            if row.code in seen:
                problems.append(Problem(WARNING, where(*here), f"Nhiệm vụ {row.code} có hai dòng; chỉ đọc "
                                        "dòng đầu", code="collect-duplicate-task"))
                continue
            seen.add(row.code)
            role = role_of(info, code)
            if role is None:
                problems.append(Problem(INFO, where(*here), f"Nhiệm vụ {row.code} không giao cho cơ quan "
                                        "này; vẫn ghi lại kết quả như cơ quan phối hợp",
                                        code="collect-extra-task"))
                role = COORDINATOR
            answer = st.read_answer(row.status)
            if row.status and answer is None:
                problems.append(Problem(
                    WARNING, where(*here), f"Không đọc được mức độ hoàn thành của nhiệm vụ {row.code}; "
                    "chưa tính nhiệm vụ này cho cơ quan", found=row.status[:80],
                    expected="Hoàn thành; Hoàn thành quá hạn; Đang thực hiện; Chưa thực hiện; Thường xuyên",
                    code="collect-status-unreadable"))
            elif answer is not None and answer.said_late and not st.is_due(info.due, window):
                problems.append(Problem(
                    INFO, where(*here), f"Nhiệm vụ {row.code} ghi «{row.status.strip()[:60]}» nhưng "
                    + (f"chưa đến hạn (thời hạn: {info.deadline})" if info.due else
                       f"thời hạn «{info.deadline or 'không ghi'}» không có ngày cụ thể")
                    + "; tính là hoàn thành đúng hạn",
                    code="collect-late-before-deadline"))
            elif not row.status and role == LEAD:
                problems.append(Problem(
                    WARNING, where(*here), f"Nhiệm vụ {row.code} (chủ trì) chưa ghi mức độ hoàn thành",
                    code="collect-status-empty"))
            records[row.code].append(Record(row.code, code, role, row.status, answer, row.result,
                                            row.note, name, row.table, row.row))
        missing_rows = sorted(expected - seen, key=_code_order)
        if form.task_table and missing_rows:
            problems.append(Problem(
                WARNING, where(name, form.task_table), "Bảng nhiệm vụ thiếu "
                f"{len(missing_rows)} nhiệm vụ được giao (dòng đã bị xóa?): {', '.join(missing_rows)}",
                code="collect-missing-rows"))

    known_agencies = {a.code for a in plan.agencies}
    for typed in manual:
        if typed.agency not in known_agencies:
            close = difflib.get_close_matches(typed.agency.upper(), sorted(known_agencies), n=1)
            said = (f"Mã cơ quan {typed.agency} không có trong sheet Cơ quan của sổ tính kế hoạch"
                    if typed.agency else "Chưa ghi mã cơ quan")
            problems.append(Problem(WARNING, typed.loc, f"{said}; chưa tính dòng nhập tay này",
                                    suggestion=f"có phải {close[0]}?" if close else "",
                                    code="collect-unknown-agency"))
            continue
        info = by_code.get(typed.task)
        if info is None:
            problems.append(Problem(WARNING, typed.loc, f"Mã nhiệm vụ {typed.task} không có trong Phụ lục "
                                    "Kế hoạch", code="collect-unknown-task"))
            continue
        if typed.agency in forms:
            continue  # the form was readable after all: it wins over a hand-typed copy
        answer = st.read_answer(typed.status)
        if typed.status and answer is None:
            problems.append(Problem(WARNING, typed.loc, "Không đọc được mức độ hoàn thành",
                                    found=typed.status[:80], code="collect-status-unreadable"))
        role = role_of(info, typed.agency) or COORDINATOR
        records[typed.task].append(Record(typed.task, typed.agency, role,
                                        typed.status, answer, typed.result, typed.note, "nhập tay"))

    results = []
    for info in infos:
        rows = records[info.code]
        leads = [r.answer for r in rows if r.role == LEAD and r.answer is not None]
        decided = st.decide(leads)
        completion = decided.completion if decided else st.UNKNOWN
        rows.sort(key=lambda r: (r.role != LEAD, r.agency))
        disagreements = [r for r in rows if r.answer is not None and r.completion != completion]
        results.append(TaskResult(info, completion, st.timeliness(decided, info.due, window),
                                  st.is_due(info.due, window), rows, disagreements))

    areas: list[tuple[str, str, Counts]] = []
    total = Counts()
    for task in results:
        if not areas or areas[-1][0] != task.info.area:
            areas.append((task.info.area, task.info.area_name, Counts()))
        areas[-1][2].add(task)
        total.add(task)

    own_answers = {(r.task, r.agency): r for task in results for r in task.records}
    agency_results = []
    for agency in plan.agencies:
        if not agency.reports:
            continue
        assigned = agencies.assignments[agency.code]
        counts = Counts()
        led = {t.ref for t in assigned.led}
        for task in results:
            if task.info.code not in led:
                continue
            own = own_answers.get((task.info.code, agency.code))
            answer = own.answer if own else None
            counts.add(TaskResult(task.info, answer.completion if answer else st.UNKNOWN,
                                  st.timeliness(answer, task.info.due, window), task.due, [], []))
        agency_results.append(AgencyResult(agency, len(assigned.led), len(assigned.coordinated),
                                           receipts.get(agency.code), counts))
    missing = [a.code for a in plan.agencies if a.reports and a.code not in receipts]

    targets = []
    sections: dict[str, list[tuple[str, str]]] = {}
    for code, form in forms.items():
        for target in form.targets:
            targets.append({"agency": code, "number": target.number, "text": target.text,
                            "value": target.value, "achieved": target.achieved})
        for section, paragraphs in form.sections.items():
            sections.setdefault(section, []).extend((code, p) for p in paragraphs)
    return Consolidation(plan, period, window, results, areas, total, agency_results, receipts, missing,
                         targets, sections, problems)


_ROMANS = {vn.roman(i): i for i in range(1, 40)}


def _code_order(code: str) -> tuple[int, int]:
    area, _, number = code.partition(".")
    return _ROMANS.get(area, 99), int(number) if number.isdigit() else 0
