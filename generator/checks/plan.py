"""Checks on the plan beyond the types of its cells, and the one entry the build and `vanban check` use."""

from __future__ import annotations

import dataclasses
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from generator.checks import deadlines
from generator.checks.agencies import agency_problems
from generator.errors import ERROR, INFO, WARNING, Loc, Problem, rank
from generator.plan.model import Plan
from generator.text import vn
from generator.text.citations import citation_problems, date_problems
from generator.workbook import schema
from generator.workbook.filecheck import content_digest
from generator.workbook.reader import read_workbook

_CODE_CHARS = re.compile(r"[A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class CheckResult:
    """Everything `vanban check` found in one workbook; `plan` is None when it has errors."""

    plan: Plan | None
    problems: tuple[Problem, ...]

    def count(self, severity: str) -> int:
        return sum(1 for p in self.problems if p.severity == severity)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == ERROR)


# A process that reads one workbook more than once (the web page checks it, then builds from it;
# `new-year` checks before rolling) reads and checks it once while its bytes stay the same: the
# result depends on nothing else (the file's path and bytes, `strict`), and it cannot be changed.
_KEPT = 4
_results: OrderedDict[tuple[str, bool], tuple[str, CheckResult]] = OrderedDict()
_results_lock = threading.Lock()


def check_workbook(path: Path, strict: bool = False) -> CheckResult:
    """Read a workbook and run every check; nothing is raised for problems in the data.

    The checks on the whole plan also run when some cells had errors, on the rows that could
    be read, so that the clerk gets every problem in one run. The same file with the same bytes
    is read once per process (see `_results`).
    """
    key, digest = (str(path), strict), content_digest(path)
    with _results_lock:
        kept = _results.get(key)
    if kept is not None and kept[0] == digest:
        return kept[1]
    result = _check_workbook(path, strict)
    if digest is not None and content_digest(path) == digest:  # not changed while it was being read
        with _results_lock:
            _results[key] = (digest, result)
            _results.move_to_end(key)
            while len(_results) > _KEPT:
                _results.popitem(last=False)
    return result


def _check_workbook(path: Path, strict: bool) -> CheckResult:
    reader = read_workbook(path)
    problems = list(reader.problems)
    if reader.partial is not None:
        problems += suppress_cascades(reader.problems, check_plan(reader.partial))
    if strict:
        problems = promote_warnings(problems)
    ordered = tuple(sort_problems(unique(problems)))
    plan = reader.plan if not any(p.severity == ERROR for p in ordered) else None
    return CheckResult(plan, ordered)


def check_plan(plan: Plan) -> list[Problem]:
    """Every problem of a plan whose cells were read (see `check_workbook`)."""
    problems: list[Problem] = []
    problems += _structure(plan)
    problems += _general(plan)
    problems += _texts(plan)
    problems += _deadlines(plan)
    problems += _periods(plan)
    problems += _registry(plan)
    problems += agency_problems(plan)
    return problems


def unique(problems: Iterable[Problem]) -> list[Problem]:
    """The first of the problems that say the same thing of the same cell (two checks may)."""
    seen: set[tuple] = set()
    kept = []
    for p in problems:
        key = (str(p.loc), p.code, p.found) if p.code else (str(p.loc), p.message, p.found)
        if key not in seen:
            seen.add(key)
            kept.append(p)
    return kept


def promote_warnings(problems: Iterable[Problem]) -> list[Problem]:
    """--strict: warnings become errors; information stays information (it never blocks)."""
    return [dataclasses.replace(p, severity=ERROR) if p.severity == WARNING else p for p in problems]


# Problems of the workbook's layout (a sheet, a column, a row of labels missing or doubled): every
# other problem of that sheet may follow from them, so they come first.
STRUCTURE_CODES = frozenset({"missing-sheet", "duplicate-sheet", "missing-column",
                             "duplicate-column", "missing-field", "duplicate-field"})
# What a Cơ quan sheet with errors sets off in the other sheets: its broken rows are not in the
# registry, so every cell naming them "names no agency".
AGENCY_CASCADE = frozenset({"unknown-agency", "no-lead-agency"})


def suppress_cascades(read: Iterable[Problem], checked: list[Problem]) -> list[Problem]:
    """The plan checks' problems, less those that only follow from an error already reported.

    An empty `Cơ quan!A2` would otherwise give one "không tìm thấy cơ quan" per cell naming that
    agency, listed before the cause; one line says how many were held back.
    """
    agencies_broken = any(p.severity == ERROR and p.loc is not None
                          and vn.name_key(p.loc.sheet) == vn.name_key(schema.AGENCIES.name)
                          for p in read)
    if not agencies_broken:
        return checked
    held = [p for p in checked if p.code in AGENCY_CASCADE]
    if not held:
        return checked
    kept = [p for p in checked if p.code not in AGENCY_CASCADE]
    kept.append(Problem(
        INFO, Loc(schema.AGENCIES.name),
        f"Chưa báo {len(held)} chỗ “không tìm thấy cơ quan” ở các sheet khác, vì sheet "
        f"{schema.AGENCIES.name} còn lỗi ở trên: các dòng lỗi chưa được đọc. Sửa sheet "
        f"{schema.AGENCIES.name} trước rồi kiểm tra lại.", code="cascade-held-back"))
    return kept


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Layout problems first, then in workbook order: sheet by sheet, row by row, column by
    column; sheetless ones first."""
    sheets = {vn.name_key(name): i for i, name in enumerate(schema.SHEET_ORDER)}

    def key(p: Problem) -> tuple:
        return (p.code not in STRUCTURE_CODES, *place(p))

    def place(p: Problem) -> tuple:
        if p.loc is None:
            return (-1, 0, 0, "", rank(p.severity))
        m = re.fullmatch(r"([A-Z]*)(\d*)", p.loc.cell or "")
        letters, digits = (m.group(1), m.group(2)) if m else ("", "")
        column = sum((ord(c) - 64) * 26**i for i, c in enumerate(reversed(letters)))
        return (sheets.get(vn.name_key(p.loc.sheet), len(sheets)), int(digits or 0), column,
                p.loc.sheet, rank(p.severity))

    return sorted(problems, key=key)


def summary(problems: Iterable[Problem]) -> str:
    """The last line of `vanban check`: "3 lỗi, 2 cảnh báo, 1 thông tin"."""
    problems = list(problems)
    counts = {s: sum(1 for p in problems if p.severity == s) for s in (ERROR, WARNING, INFO)}
    if not problems:
        return "Không có lỗi hay cảnh báo nào."
    return f"{counts[ERROR]} lỗi, {counts[WARNING]} cảnh báo, {counts[INFO]} thông tin."


def render_block(p: Problem) -> str:
    """One problem over several lines, for a console: place and message, then its details."""
    return p.render_block()


# -- the checks -------------------------------------------------------------------------------


def _structure(plan: Plan) -> Iterator[Problem]:
    if not plan.articles:
        yield Problem(ERROR, Loc(schema.ARTICLES.name), "Sheet “Điều” chưa có Điều nào.",
                      expected="ít nhất một dòng", code="no-articles")
    if not plan.tasks:
        yield Problem(ERROR, Loc(schema.TASKS.name), "Sheet “Nhiệm vụ” chưa có nhiệm vụ nào.",
                      expected="ít nhất một dòng", code="no-tasks")
    depth = 0
    for item in plan.outline:
        loc = item.loc("level")  # the reader refused levels other than 0-3 (bad-level)
        if item.level > depth + 1:
            yield Problem(
                WARNING, loc, f"Dòng cấp {item.level} đứng ngay sau dòng cấp {depth}: "
                f"thiếu cấp {depth + 1} ở giữa nên số thứ tự sẽ bị nhảy.",
                found=str(item.level), expected=f"cấp {depth + 1} hoặc nhỏ hơn",
                code="outline-level-skip",
            )
        if item.level:
            depth = item.level
        if not item.heading and not item.text:
            yield Problem(ERROR, item.loc("text"), "Dòng nội dung không có tiêu đề và nội dung.",
                          expected="tiêu đề hoặc nội dung", code="outline-empty")


def _general(plan: Plan) -> Iterator[Problem]:
    g = plan.general
    if g.number is not None and g.number < 1:
        yield Problem(ERROR, g.loc("number"), "Số văn bản phải từ 1 trở lên.", found=str(g.number),
                      expected="số nguyên dương, hoặc để trống khi chưa đăng ký", code="number-range")
    if g.archive_copies is not None and g.archive_copies < 1:
        yield Problem(ERROR, g.loc("archive_copies"), "Số bản lưu phải từ 1 trở lên.",
                      found=str(g.archive_copies), expected="số nguyên dương hoặc để trống",
                      code="copies-range")
    if g.copies is not None and g.copies < 1:
        yield Problem(ERROR, g.loc("copies"), "Số lượng bản phát hành phải từ 1 trở lên.",
                      found=str(g.copies), expected="số nguyên dương hoặc để trống", code="copies-range")
    for r in plan.recipients:
        if r.copies is not None and r.copies < 1:
            yield Problem(ERROR, r.loc("copies"), "Số bản gửi phải từ 1 trở lên.", found=str(r.copies),
                          expected="số nguyên dương hoặc để trống", code="copies-range")
    if g.issue_date and g.year:
        if g.issue_date.year > g.year:
            yield Problem(
                ERROR, g.loc("issue_date"), "Ngày ban hành sau năm kế hoạch: kế hoạch phải ban hành "
                "trước hoặc trong năm thực hiện.", found=vn.date_short(g.issue_date),
                expected=f"ngày trong năm {g.year - 1} hoặc {g.year}",
                suggestion=f"kiểm tra lại “Năm kế hoạch” ({g.year}) và “Ngày ban hành”",
                code="issue-date-after-year",
            )
        elif g.issue_date.year < g.year - 1:
            yield Problem(
                WARNING, g.loc("issue_date"), "Ngày ban hành không thuộc năm kế hoạch hoặc năm trước.",
                found=vn.date_short(g.issue_date), expected=f"năm {g.year - 1} hoặc {g.year}",
                code="issue-date-year",
            )
    decision, attached = g.signer, g.plan_signer
    if decision.name and attached.name and vn.name_key(decision.name) != vn.name_key(attached.name):
        yield Problem(
            WARNING, attached.loc("name"), "Người ký Kế hoạch khác người ký Quyết định ban hành "
            "Kế hoạch.", found=attached.name, expected=f"{decision.name} (người ký Quyết định)",
            suggestion="Kế hoạch kèm theo Quyết định thường do cùng một người ký; kiểm tra lại "
                       "họ tên ở hai dòng người ký",
            code="signer-mismatch",
        )
    elif decision.title and attached.title and vn.name_key(decision.title) != vn.name_key(attached.title):
        yield Problem(
            WARNING, attached.loc("title"), "Chức vụ người ký Kế hoạch khác chức vụ người ký Quyết định.",
            found=attached.title, expected=decision.title, code="signer-title-mismatch",
        )
    report = g.report_signer
    for part, label in (("title", "chức vụ"), ("name", "họ tên")):
        if report is not None and not getattr(report, part):
            yield Problem(
                ERROR, report.loc(part), f"Đã ghi chữ ký của báo cáo tổng hợp nhưng thiếu {label} "
                "người ký.", expected=f"{label} người ký, hoặc để trống cả bốn dòng “Báo cáo tổng hợp: …” "
                "để dùng chữ ký của Quyết định", code="report-signer-incomplete",
            )


def _text_cells(plan: Plan) -> Iterator[tuple[str, Loc | None]]:
    """Every free text of the plan that may cite documents or write dates, with its cell."""
    g = plan.general
    for key in ("summary", "proposal", "plan_title"):
        yield getattr(g, key), g.loc(key)
    for basis in plan.bases:
        yield basis.text, basis.loc("text")
    for article in plan.articles:
        yield article.text, article.loc("text")
    for item in plan.outline:
        yield item.heading, item.loc("heading")
        yield item.text, item.loc("text")
    for task in plan.tasks:
        yield task.text, task.loc("text")
        yield task.note, task.loc("note")
    for target in plan.targets:
        yield target.text, target.loc("text")


def _texts(plan: Plan) -> Iterator[Problem]:
    issued = plan.general.issue_date
    for text, loc in _text_cells(plan):
        if text:
            yield from date_problems(text, loc)
            yield from citation_problems(text, loc, issued)


def _deadlines(plan: Plan) -> Iterator[Problem]:
    year = plan.general.year
    for task in plan.tasks:
        loc = task.loc("deadline")
        parsed = deadlines.parse_deadline(task.deadline)
        if parsed.kind == deadlines.INVALID:
            yield Problem(ERROR, loc, f"Thời gian hoàn thành không hợp lệ: {parsed.reason}.",
                          found=task.deadline, expected=deadlines.EXAMPLES, code="deadline-invalid")
        elif parsed.kind == deadlines.UNKNOWN:
            yield Problem(WARNING, loc, "Không nhận ra cách ghi thời gian hoàn thành.",
                          found=task.deadline, expected=f"một cách ghi như: {deadlines.EXAMPLES}",
                          code="deadline-unknown")
        elif year and (
            (parsed.due is not None and parsed.due.year != year)
            or any(y != year for y in parsed.years)
        ):
            yield Problem(
                WARNING, loc, f"Thời gian hoàn thành nằm ngoài năm kế hoạch {year}.",
                found=task.deadline, expected=f"một thời hạn trong năm {year}",
                suggestion=f"kiểm tra lại năm (kế hoạch năm {year})", code="deadline-outside-year",
            )


def _periods(plan: Plan) -> Iterator[Problem]:
    year = plan.general.year
    seen: dict[str, Loc | None] = {}
    for period in plan.periods:
        key = period.code.strip().lower()
        if key in seen:
            yield _duplicate(period.loc("code"), period.code, seen[key], "mã kỳ báo cáo",
                             "duplicate-period-code")
        else:
            seen[key] = period.loc("code")
        if not _CODE_CHARS.fullmatch(period.code):
            yield _code_chars(period.loc("code"), period.code)
        if year and period.deadline.year != year:
            yield Problem(WARNING, period.loc("deadline"), f"Hạn gửi báo cáo nằm ngoài năm kế hoạch {year}.",
                          found=vn.date_short(period.deadline), expected=f"một ngày trong năm {year}",
                          code="period-outside-year")
        if period.deadline.weekday() >= 5:
            yield Problem(WARNING, period.loc("deadline"),
                          f"Hạn gửi báo cáo rơi vào {vn.weekday_name(period.deadline)}, ngày nghỉ.",
                          found=vn.date_short(period.deadline),
                          expected="một ngày làm việc", suggestion="dời hạn sang ngày làm việc "
                          "gần nhất, hoặc giữ nếu Kế hoạch quy định đúng ngày này",
                          code="period-weekend")
        if period.data_from and period.data_to and period.data_from > period.data_to:
            yield Problem(ERROR, period.loc("data_to"), "“Số liệu đến ngày” đứng trước “Số liệu từ ngày”.",
                          found=f"từ {vn.date_short(period.data_from)} đến {vn.date_short(period.data_to)}",
                          expected="ngày đầu trước ngày cuối", code="period-data-order")


def _registry(plan: Plan) -> Iterator[Problem]:
    """The Cơ quan sheet: codes and names (with other names) must each point at one agency."""
    codes: dict[str, Loc | None] = {}
    names: dict[str, tuple[int, Loc | None, str]] = {}
    for index, agency in enumerate(plan.agencies):
        key = agency.code.strip().lower()
        if key in codes:
            yield _duplicate(agency.loc("code"), agency.code, codes[key], "mã cơ quan",
                             "duplicate-agency-code")
        else:
            codes[key] = agency.loc("code")
        if not _CODE_CHARS.fullmatch(agency.code):
            yield _code_chars(agency.loc("code"), agency.code)
        for name, field in [(agency.name, "name")] + [(a, "aliases") for a in agency.aliases]:
            key = vn.name_key(name)
            first = names.get(key)
            if first is None:
                names[key] = (index, agency.loc(field), name)
            elif first[0] != index:
                other = plan.agencies[first[0]]
                yield Problem(
                    ERROR, agency.loc(field), f"Tên “{name}” đã dùng cho cơ quan khác "
                    f"({other.code} – {other.name}); tên trong sổ chỉ được chỉ một cơ quan.",
                    found=name, expected="tên hoặc tên gọi khác không trùng",
                    suggestion=f"xem {first[1]}; bỏ tên trùng ở một trong hai dòng",
                    code="duplicate-agency-name",
                )


def _duplicate(loc: Loc | None, value: str, first: Loc | None, what: str, code: str) -> Problem:
    return Problem(ERROR, loc, f"Trùng {what} “{value}”.", found=value,
                   expected=f"{what} không trùng", suggestion=f"mã này đã dùng ở {first}; đổi một trong hai",
                   code=code)


def _code_chars(loc: Loc | None, value: str) -> Problem:
    return Problem(WARNING, loc, "Mã nên viết không dấu, không dấu cách.", found=value,
                   expected="chữ cái không dấu, chữ số, dấu - hoặc _",
                   suggestion=f"ví dụ: {vn.slug(value, 30).upper()}", code="code-chars")
