"""What the page does with a workbook: check it once, build it in the background, one build at a time."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath

from lxml import etree

from generator import DEFAULT_TEMPLATES
from generator.checks.plan import CheckResult, check_workbook
from generator.collect.reader import custom_properties
from generator.collect.sources import CONVERTED_SUFFIXES, FORM_SUFFIXES, UNREADABLE_SUFFIXES
from generator.collect.tracking import KIND as TRACKING_KIND
from generator.collect.tracking import MANUAL_SHEET, RECEIPT_SHEET, Kept, read_kept
from generator.collect.tracking import WORKBOOK as TRACKING
from generator.collect.tracking import identity as tracking_identity
from generator.errors import ERROR, Loc, Problem, ProblemsFound, VanbanError
from generator.output.write import atomic_write, backup_name
from generator.pipeline import (
    BuildResult,
    CollectResult,
    HandEdited,
    build,
    collect,
    collect_folder,
)
from generator.plan.model import Period, Plan
from generator.text import vn
from generator.web.names import Named, outputs
from generator.web.received import Received, Upload
from generator.web.shown import BEFORE_UPLOAD, UPLOADED, Backup, Known, backups, clerk_text, known_files
from generator.web.store import Store, StoredWorkbook, check_upload, display_name
from generator.workbook.filecheck import inspect_document
from generator.workbook.reader import open_workbook

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Checked:
    """`vanban check` of one workbook, with the text of every cell a problem points at."""

    result: CheckResult
    cells: dict[str, str]  # "Nhiệm vụ!B12" → the text in that cell
    named: tuple[Named, ...]  # what a build writes; empty when the workbook has errors

    @property
    def year(self) -> int | None:
        return self.result.plan.year if self.result.plan else None


@dataclass
class BuildRun:
    """One build started from the page, as the page shows it while it runs and after."""

    book_id: str
    book_name: str
    force: bool = False
    started: float = field(default_factory=time.monotonic)
    stage: str = "Đang đọc và kiểm tra sổ tính…"
    done: int = 0
    total: int = 0
    finished: bool = False
    seconds: float = 0.0
    result: BuildResult | None = None
    error: str = ""  # a Vietnamese message when the build stopped
    problems: tuple[Problem, ...] = ()  # the workbook's errors, when it has any
    hand_edited: tuple[Known, ...] = ()  # documents changed since vanban wrote them, as the page names them
    log: list[str] = field(default_factory=list)

    def status(self) -> dict[str, object]:
        return {"finished": self.finished, "stage": self.stage, "done": self.done, "total": self.total}


class Workspace:
    """The server's state: the store of workbooks, their checks (kept per process) and builds."""

    def __init__(self, root: Path, templates: Path = DEFAULT_TEMPLATES) -> None:
        self.root = root
        self.store = Store(root)
        self.out = root / "van-ban"  # the build's --out
        self.previews = root / "xem-truoc"
        self.templates = templates
        self._checked: dict[str, Checked] = {}
        self._check_lock = threading.Lock()
        self._build_locks: dict[int, threading.Lock] = {}
        self._runs: dict[int, BuildRun] = {}
        self._threads: dict[int, threading.Thread] = {}

    # -- checks ---------------------------------------------------------------------------------

    def checked(self, book: StoredWorkbook) -> Checked:
        """The check of a workbook; the file never changes (its id is its hash), so once is enough."""
        found = self._checked.get(book.id)
        if found is None:
            with self._check_lock:
                found = self._checked.get(book.id)
                if found is None:
                    found = _check(book.source)
                    self._checked[book.id] = found
            facts: dict[str, object] = {"errors": found.result.count(ERROR)}
            if found.year is not None:
                facts["year"] = found.year
            self.store.note(book.id, **facts)
        return found

    # -- builds ---------------------------------------------------------------------------------

    def folder(self, year: int) -> Path:
        """out/<year>/ of the page: one per year, as `vanban build` has, whichever upload built it.

        A corrected workbook uploaded again is a new upload of the same year: its build rewrites
        only what changed, and a document edited by hand since is protected as on the command line.
        """
        return self.out / str(year)

    def run(self, year: int | None) -> BuildRun | None:
        """The last build of a year started from the page since the server started."""
        return self._runs.get(year) if year is not None else None

    def last_build(self, year: int) -> dict[str, str]:
        """Which upload the documents of a year were last built from: id, name, time."""
        try:
            data = json.loads((self.out / f"{year}.lan-tao.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def backups(self, year: int | None, known: dict[str, Known], period: str | None = None) -> list[Backup]:
        """The copies kept aside in the year folder, newest first, each saying why when the page noted it."""
        if year is None:
            return []
        return backups(self.folder(year), known, period, self._backup_notes(year))

    def _backup_notes(self, year: int) -> dict[str, dict[str, str]]:
        """`<out>/<year>.ban-luu.json`: why the page kept each copy, by its path in the year folder."""
        try:
            data = json.loads((self.out / f"{year}.ban-luu.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): v for k, v in data.items() if isinstance(v, dict)} if isinstance(data, dict) else {}

    def _note_backups(self, year: int, kept: dict[Path, dict[str, str]]) -> None:
        folder = self.folder(year).resolve()
        notes = self._backup_notes(year)
        for path, note in kept.items():
            notes[path.resolve().relative_to(folder).as_posix()] = note
        try:
            atomic_write(self.out / f"{year}.ban-luu.json",
                         (json.dumps(notes, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode())
        except OSError:  # the copies are kept all the same; the page lists them without saying why
            _log.warning("could not note why copies were kept in %s", self.out, exc_info=True)

    def start_build(self, book: StoredWorkbook, force: bool = False) -> bool:
        """Start building in the background; False when a build of the same year is under way.

        One build at a time per year folder, so per workbook (two uploads of one year share it).
        """
        year = self.checked(book).year or 0
        lock = self._build_locks.setdefault(year, threading.Lock())
        if not lock.acquire(blocking=False):
            return False
        run = BuildRun(book.id, book.name, force=force)
        self._runs[year] = run
        thread = threading.Thread(target=self._build, args=(book, year, run, lock), daemon=True,
                                  name=f"vanban-build-{year}")
        self._threads[year] = thread
        thread.start()
        return True

    def wait(self, year: int, timeout: float | None = None) -> None:
        """Until the year's build has finished (for tests and for shutting down)."""
        thread = self._threads.get(year)
        if thread is not None:
            thread.join(timeout)

    def _build(self, book: StoredWorkbook, year: int, run: BuildRun, lock: threading.Lock) -> None:
        @contextmanager
        def progress(total: int) -> Iterator[Callable[[int], None]]:
            run.stage, run.total = "Đang tạo văn bản…", total

            def advance(n: int) -> None:
                run.done += n

            yield advance

        try:
            run.result = build(book.source, self.out, self.templates, echo=run.log.append,
                               force=run.force, progress=progress)
            run.stage = "Xong."
            record = {"id": book.id, "name": book.name, "time": datetime.now().isoformat(timespec="seconds")}
            atomic_write(self.out / f"{year}.lan-tao.json",
                         json.dumps(record, ensure_ascii=False).encode("utf-8"))
        except HandEdited as exc:
            folder = self.folder(year).resolve()
            known = self._known(book)
            run.hand_edited = tuple(known[r] if r in known else Known(r, PurePosixPath(r).name)
                                    for r in (_relative(p, folder) for p in exc.paths))
            run.error = "Có văn bản đã bị sửa tay sau lần tạo trước; chưa ghi tệp nào."
        except ProblemsFound as exc:
            errors = sum(1 for p in exc.problems if p.severity == ERROR)
            run.problems = exc.problems
            run.error = f"Sổ tính có {errors} lỗi, chưa tạo văn bản nào."
        except VanbanError as exc:
            run.error = clerk_text(exc.format_message(), self.folder(year), self._known(book), self.root)
        except Exception as exc:  # noqa: BLE001 - the page says it; the server log has the rest
            _log.exception("build of %s failed", book.id)
            run.error = (f"Lỗi không mong đợi khi tạo văn bản ({type(exc).__name__}); các tệp đã ghi "
                         "đều trọn vẹn nhưng có thể chưa đủ. Hãy tạo lại.")
        finally:
            run.seconds = time.monotonic() - run.started
            run.finished = True
            lock.release()


    def _known(self, book: StoredWorkbook) -> dict[str, Known]:
        checked = self.checked(book)
        return known_files(checked.result.plan, checked.named)

    # -- returned forms -------------------------------------------------------------------------

    def received(self, year: int) -> Received:
        return Received(self.root / "nhan-ve" / str(year))

    def consolidated(self, year: int, period_code: str) -> Path:
        """out/<year>/tong-hop/<period>/, where `vanban collect` writes a period's consolidation."""
        return collect_folder(self.out, year, period_code)

    def collect(self, book: StoredWorkbook, period: str, uploads: list[Upload]) -> Collected:
        """Consolidate a period from every form received for the year, these uploads included.

        The uploads are kept only when the consolidation accepts them; a refused file (hostile,
        broken, not a form of this plan, not a report at all, empty) leaves nothing behind, and its
        message names it as the clerk did. A file identical to one received before is not kept
        twice. One run at a time per year, shared with the builds (same folder, same manifest).
        """
        with self._year_of(book) as (checked, year):
            return self._collect(book, checked, year, period, uploads)

    @contextmanager
    def _year_of(self, book: StoredWorkbook) -> Iterator[tuple[Checked, int]]:
        """A workbook's check and year, holding the year's lock (builds and consolidations share
        the year folder and its manifest)."""
        checked = self.checked(book)
        year = checked.year
        if year is None or checked.result.plan is None:
            raise VanbanError("Sổ tính còn lỗi; hãy sửa các ô ở trang Kiểm tra trước khi tổng hợp báo cáo.")
        lock = self._build_locks.setdefault(year, threading.Lock())
        if not lock.acquire(blocking=False):
            raise VanbanError(f"Đang tạo văn bản hoặc tổng hợp báo cáo năm {year}; hãy chờ xong rồi thử lại. "
                              "Chưa lưu tệp nào.")
        try:
            yield checked, year
        finally:
            lock.release()

    def _collect(self, book: StoredWorkbook, checked: Checked, year: int, period: str,
                 uploads: list[Upload]) -> Collected:
        assert checked.result.plan is not None
        received = self.received(year)
        _refuse_non_reports(uploads)
        _refuse_other_periods(uploads, period, checked.result.plan.periods)
        seen = received.digests()
        fresh: list[Upload] = []
        same: list[str] = []
        for upload in uploads:
            digest = hashlib.sha256(upload.data).hexdigest()
            if digest in seen:
                same.append(display_name(upload.name, default="bao-cao"))
            else:
                seen.add(digest)
                fresh.append(upload)
        if uploads and not fresh:
            raise VanbanError(f"{vn.some_files(same)} đã nhận trước đó (giống hệt từng byte); không "
                              "lưu lại và không có gì mới để tổng hợp.")
        uploads = fresh
        with received.staged(uploads) as (staged, names):
            roots = [p for p in (received.files, staged) if p.is_dir() and any(p.iterdir())]
            if not roots:
                raise VanbanError("Chưa có báo cáo nào: hãy chọn các tệp báo cáo (.docx, .doc, .odt) "
                                  "hoặc một tệp .zip.")
            after = " Các tệp vừa tải lên không được giữ lại." if uploads else ""
            try:
                result = collect(roots, book.source, self.out, period)
            except ProblemsFound as exc:
                shown = [dataclasses.replace(p, message=received.shown(p.message, names),
                                             loc=Loc(received.shown(p.loc.sheet, names), p.loc.cell)
                                             if p.loc else None) for p in exc.problems]
                raise ProblemsFound(shown, header=received.shown(str(exc).split("\n", 1)[0], names)
                                    + after) from None
            except VanbanError as exc:
                said = clerk_text(exc.format_message(), self.folder(year), self._known(book), self.root)
                raise VanbanError(received.shown(said, names) + after) from None
            received.keep(staged, names)
        sent = {r.file.split("/", 1)[0] for r in result.consolidation.receipts.values()}
        used = len(sent & names.keys())
        return Collected(result, len(uploads), len(same), used)


    def replace_tracking(self, book: StoredWorkbook, period: str, data: bytes, name: str) -> Replaced:
        """Put the period's tracking workbook back as the clerk edited it (received dates in
        "Tiếp nhận", answers typed from a PDF or a scan in "Nhập tay"), then consolidate again:
        what `vanban collect` does after a clerk edits OUT/<year>/tong-hop/<period>/tong-hop.xlsx.

        The file gets the workbook checks, then collect's own reading of a tracking workbook
        (`read_kept`): a date that cannot be read stops with its cell, as on the command line. A
        file that is not a tracking workbook, or is another plan's, year's or period's, is refused.
        Refused, nothing changes; accepted, the current tong-hop.xlsx is kept aside first
        (`tong-hop.sao-luu-<time>.xlsx`), and if the consolidation then fails it is put back. The
        consolidation rewrites the clerk's file (its dates and typed rows carried over) and keeps it
        aside too, as it keeps any tracking workbook edited since it was written; both copies are
        noted, so that the page says which is the one replaced and which the clerk's upload.
        """
        shown = display_name(name, default=TRACKING)
        unchanged = " Chưa thay bảng theo dõi; chưa có gì thay đổi."
        with self._year_of(book) as (checked, year):
            plan = checked.result.plan
            assert plan is not None
            chosen = next(p for p in plan.periods if p.code == period)
            try:
                check_upload(data, shown)
            except VanbanError as exc:
                raise VanbanError(exc.format_message() + unchanged) from None
            with tempfile.TemporaryDirectory(prefix="vanban-web-") as tmp:
                staged = Path(tmp) / TRACKING
                staged.write_bytes(data)
                try:
                    kept = read_kept(staged)
                except VanbanError as exc:
                    said = exc.format_message().replace(str(staged), shown).replace(TRACKING, shown)
                    raise VanbanError(said + unchanged) from None
            _refuse_foreign_tracking(kept, shown, plan, chosen, unchanged)
            target = self.consolidated(year, period) / TRACKING
            previous = target.read_bytes() if target.is_file() else None
            if previous == data:
                raise VanbanError(f"{shown} giống hệt bảng theo dõi {chosen.name} đang có (chưa ghi thêm "
                                  "gì); hãy ghi ngày nhận hoặc nhập tay vào bảng đó, lưu lại rồi tải lên."
                                  + unchanged)
            backup = backup_name(target, datetime.now()) if previous is not None else None
            if backup is not None and previous is not None:
                atomic_write(backup, previous)
            atomic_write(target, data)
            try:
                done = self._collect(book, checked, year, period, [])
            except VanbanError as exc:
                if previous is not None and backup is not None:
                    atomic_write(target, previous)
                    backup.unlink(missing_ok=True)
                else:
                    target.unlink(missing_ok=True)
                back = " Bảng theo dõi đang có được giữ nguyên."
                if isinstance(exc, ProblemsFound):
                    raise ProblemsFound(exc.problems, header=str(exc).split("\n", 1)[0] + back) from None
                raise VanbanError(exc.format_message() + back) from None
            notes = {p: {"why": UPLOADED, "given": shown} for p in done.result.backups}  # the upload
            if backup is not None:
                notes[backup] = {"why": BEFORE_UPLOAD, "given": shown}
            self._note_backups(year, notes)
            return Replaced(done, shown, len(kept.received), len(kept.manual), backup)


@dataclass(frozen=True)
class Replaced:
    """A tracking workbook put back from the page: the consolidation that followed, the file as the
    clerk named it, how many received dates and hand-typed rows it holds, the previous one's backup."""

    collected: Collected
    name: str
    dates: int
    typed: int
    backup: Path | None


def _refuse_foreign_tracking(kept: Kept, shown: str, plan: Plan, period: Period, unchanged: str) -> None:
    """A file that is not this period's tracking workbook: one message naming it and what it is."""
    said = kept.properties
    if not kept.sheets or said.get("kind", TRACKING_KIND) != TRACKING_KIND:
        raise VanbanError(f"{shown} không phải bảng theo dõi báo cáo: bảng theo dõi là tệp tải về ở mục "
                          f"“Tải về” của trang này, có sheet “{RECEIPT_SHEET}” và “{MANUAL_SHEET}”."
                          + unchanged)
    wanted = tracking_identity(plan, period)
    names = {p.code: p.name for p in plan.periods}
    if said:
        if (said.get("plan"), said.get("year")) != (wanted["plan"], wanted["year"]):
            raise VanbanError(f"{shown} là bảng theo dõi của kế hoạch {said.get('plan', '?')} năm "
                              f"{said.get('year', '?')}, không phải của kế hoạch đang mở ({wanted['plan']} "
                              f"năm {plan.year}); hãy mở đúng sổ tính kế hoạch rồi tải lên lại." + unchanged)
        if said.get("period") != period.code:
            theirs = names.get(said.get("period", ""), said.get("period", "?"))
            raise VanbanError(f"{shown} là bảng theo dõi {theirs}, không phải {period.name}; hãy chọn kỳ "
                              f"{theirs} ở ô «Kỳ» rồi tải lên lại." + unchanged)
        return
    # made before the tracking workbook said what it is: its agencies must be this plan's
    reporting = [a.code for a in plan.agencies if a.reports]
    if sorted(kept.agencies) != sorted(reporting):
        raise VanbanError(f"{shown} không phải bảng theo dõi của kế hoạch đang mở: danh sách cơ quan ở sheet "
                          f"“{RECEIPT_SHEET}” khác danh sách cơ quan báo cáo của kế hoạch." + unchanged)


@dataclass(frozen=True)
class Collected:
    """A consolidation from the page: how many uploads were kept, how many were already there
    (identical), and how many of the kept ones hold a form used for the period (a .zip counts once)."""

    result: CollectResult
    kept: int
    same: int
    used: int


# what a returned file may be: a form, an archive of forms, or a scan to be typed in by hand
_RETURNED_SUFFIXES = (*FORM_SUFFIXES, *CONVERTED_SUFFIXES, ".zip", *UNREADABLE_SUFFIXES)


def _refuse_non_reports(uploads: list[Upload]) -> None:
    """An upload that cannot be a returned report (a workbook, a text file, an empty file) is one
    message naming every such file; nothing of the upload is kept."""
    wrong = []
    for upload in uploads:
        shown = display_name(upload.name, default="bao-cao")
        if not upload.data:
            wrong.append(f"{shown} (tệp rỗng)")
        elif Path(shown).suffix.lower() not in _RETURNED_SUFFIXES:
            wrong.append(f"{shown} (không phải báo cáo)")
    if wrong:
        raise VanbanError(f"Không nhận {vn.some_files(wrong)}: báo cáo là tệp .docx, .doc, .odt, một tệp "
                          ".zip các báo cáo, hoặc tệp .pdf/ảnh chụp để nhập tay. Chưa lưu tệp nào của lần "
                          "tải này.")


def _refuse_other_periods(uploads: list[Upload], period: str, periods: Iterable[Period]) -> None:
    """Forms sent under the wrong period: when every upload is a vanban form (it says its period in
    its document properties) and none is of the period chosen, nothing is kept and the message
    says which period they are. Anything else (a .zip, a .doc, a form without properties, a
    broken file) is left to the consolidation, which reads and checks it properly."""
    if not uploads:
        return
    theirs = set()
    for upload in uploads:
        shown = display_name(upload.name, default="bao-cao")
        if Path(shown).suffix.lower() != ".docx":
            return
        try:
            members = inspect_document(upload.data, shown)
            said = custom_properties(members.get("docProps/custom.xml")).get("vanban.period")
        except (VanbanError, etree.XMLSyntaxError):
            return
        if not said or said == period:
            return
        theirs.add(said)
    names = {p.code: p.name for p in periods}
    chosen = names.get(period, period)
    found = ", ".join(names.get(code, code) for code in sorted(theirs))
    raise VanbanError(f"Các tệp vừa tải lên là báo cáo {found}, không phải {chosen}; hãy chọn kỳ {found} "
                      "ở ô «Kỳ» rồi tải lên lại. Chưa lưu tệp nào của lần tải này.")


def _relative(path: Path, folder: Path) -> str:
    try:
        return path.resolve().relative_to(folder).as_posix()
    except ValueError:
        return path.name


def _check(source: Path) -> Checked:
    result = check_workbook(source)
    return Checked(result, _cell_texts(source, result.problems),
                   tuple(outputs(result.plan)) if result.plan is not None else ())


def _cell_texts(source: Path, problems: tuple[Problem, ...]) -> dict[str, str]:
    """The text of each cell a problem names, as the clerk typed it."""
    wanted = {(p.loc.sheet, p.loc.cell) for p in problems if p.loc is not None and p.loc.cell}
    if not wanted:
        return {}
    wb = open_workbook(source)
    try:
        sheets = {vn.name_key(ws.title): ws for ws in wb.worksheets}
        texts = {}
        for sheet, cell in wanted:
            ws = sheets.get(vn.name_key(sheet))
            if ws is None:
                continue
            try:
                value = ws[cell].value
            except (ValueError, KeyError):
                continue
            if value is not None:
                texts[f"{sheet}!{cell}"] = _shown(value)
        return texts
    finally:
        wb.close()


def _shown(value: object) -> str:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return vn.date_short(value)
    return str(value)
