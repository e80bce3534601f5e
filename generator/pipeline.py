"""The build pipeline: workbook → model → checks → documents → render → write, only what changed."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

from generator import DEFAULT_TEMPLATES, ROOT  # noqa: F401 - ROOT: callers' name for the checkout
from generator.checks.plan import check_workbook
from generator.documents.jobs import INDEX, DocumentJob, plan_outputs
from generator.errors import WARNING, Problem, ProblemsFound, VanbanError, write_failed
from generator.layout.lint import Finding, LintDoc
from generator.output.manifest import MANIFEST, Entry, Manifest, context_json, digest, fingerprint
from generator.output.report_index import index_workbook, layout_digest
from generator.output.write import (
    atomic_write,
    atomic_write_many,
    backup_name,
    clean_stale_pool_folders,
    clean_stale_temps,
    folder_lock,
    within,
)
from generator.plan.model import Plan
from generator.render.renderer import TemplateRenderer, render_batch
from generator.text import vn
from generator.workbook import rollover
from generator.workbook.rollover import Rollover


@dataclass(frozen=True)
class BuildResult:
    plan: Plan
    folder: Path
    written: tuple[Path, ...]
    warnings: tuple[Problem, ...]
    outputs: tuple[Path, ...] = ()  # every document of the plan, written this time or not
    backups: tuple[Path, ...] = ()  # copies of hand-edited files kept before --force overwrote them
    kept: tuple[Path, ...] = ()  # hand-edited files left alone because their inputs did not change
    leftovers: tuple[Path, ...] = ()  # documents in the folder that the plan no longer makes
    moved_to: Path | None = None  # where --move-leftovers put them (nothing is ever deleted)


def load_checked(workbook: Path, strict: bool = False,
                 refused: str = "chưa tạo văn bản nào.") -> tuple[Plan, list[Problem]]:
    """The one way in: read and check (the same checks as `vanban check`); raise once with every error.

    Every command that reads a plan from a workbook comes through here. Returns the plan and the
    problems that do not block: warnings and information. `refused` says what was not done.
    """
    result = check_workbook(workbook, strict=strict)
    if result.errors or result.plan is None:
        errors = len(result.errors)
        raise ProblemsFound(result.problems, header=f"Sổ tính có {errors} lỗi, {refused}")
    return result.plan, list(result.problems)


def new_year(workbook: Path, year: int) -> Rollover:
    """`vanban new-year`: a workbook `check` accepts, rolled to `year`; nothing is written."""
    if not vn.year_in_range(year):
        raise VanbanError(f"Năm mới {year} không hợp lệ: {vn.YEAR_RANGE_TEXT}. Chưa chuyển năm.")
    load_checked(workbook, refused="chưa chuyển năm. Hãy sửa các ô sau rồi chạy lại.")
    return rollover.roll_file(workbook, year)


class HandEdited(VanbanError):
    """Outputs changed since vanban wrote them: a rebuild would lose a clerk's edits."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = tuple(paths)
        lines = "\n".join(f"  - {p}" for p in paths)
        super().__init__(
            f"{len(paths)} tệp đã bị sửa sau lần tạo trước (có thể đã sửa tay) và sẽ bị ghi đè; "
            f"chưa ghi tệp nào:\n{lines}\n"
            "Hãy chép phần đã sửa vào sổ tính hoặc mẫu văn bản, hoặc chạy lại với --force để ghi đè "
            "(bản đang có sẽ được giữ lại bên cạnh, tên dạng <tên>.YYYYMMDD-HHMMSS.bak.docx)."
        )


class State(Enum):
    """Where one output stands as the build goes through its steps."""

    CURRENT = "current"  # on disk as vanban wrote it, from the same inputs: not even rendered
    RENDER = "render"  # to be rendered (new, changed inputs, interrupted, or forced)
    KEPT = "kept"  # edited by hand, inputs unchanged: left alone without --force
    SAME = "same"  # rendered, and the file already holds these bytes
    CHANGED = "changed"  # rendered, to be written over vanban's own earlier version (or a new file)
    CONFLICT = "conflict"  # rendered, but the file on disk was edited by hand (or not written by vanban)


@dataclass
class Output:
    """One output document as it goes through the build: what to make, its bytes, its place."""

    job: DocumentJob
    target: Path
    inputs: str  # the fingerprint of everything its bytes depend on
    entry: Entry | None  # what the manifest said of it before this build
    on_disk: str | None = None  # the SHA-256 of the file there now, None if there is none
    state: State = State.RENDER
    data: bytes | None = None  # the rendered bytes
    backup: Path | None = None  # where a hand-edited file is kept before --force overwrites it

    @property
    def name(self) -> str:
        return self.job.path.as_posix()

    def read_disk(self) -> None:
        self.on_disk = digest(self.target.read_bytes()) if self.target.is_file() else None


Advance = Callable[[int], None]
Progress = Callable[[int], AbstractContextManager[Advance]]
"""A progress display the caller passes in: given the number of documents to render, a context
that yields the function to call as documents are done (the CLI's bar; nothing by default)."""


def build(
    workbook: Path,
    out: Path,
    templates: Path = DEFAULT_TEMPLATES,
    echo: Callable[[str], None] = lambda _: None,
    *,
    strict: bool = False,
    force: bool = False,
    workers: int | None = None,
    progress: Progress | None = None,
    dump_context: Path | None = None,
    move_leftovers: bool = False,
) -> BuildResult:
    """Build the plan's documents into OUT/<year>/, rendering and writing only what changed.

    Everything is read, checked and rendered before anything is written; an output changed by
    hand since it was written stops the build (before writing anything) unless `force`.
    """
    plan, warnings = load_checked(workbook, strict=strict)
    folder = out / str(plan.year)
    stamp = _stamp(plan)
    outputs = _plan_outputs(plan, folder, templates, stamp)
    if dump_context is not None:
        _dump_contexts([o.job for o in outputs if o.job.kind != INDEX], dump_context / str(plan.year), echo)
    with folder_lock(folder):
        clean_stale_pool_folders()  # what a build or `vanban pdf` killed outright left in $TMPDIR
        manifest = Manifest.load(folder)
        if manifest.problem:
            warnings.append(Problem(WARNING, None, manifest.problem, code="manifest-unreadable"))
        _sort_by_disk(outputs, manifest, force)
        warnings += [w for w in _render(outputs, templates, stamp, workers, progress)
                     if w not in warnings]
        conflicts = _find_conflicts(outputs)
        if conflicts and not force:
            raise HandEdited([o.target for o in conflicts])
        written = _write(outputs, folder, manifest, echo)
        leftovers = find_leftovers(folder, {o.target for o in outputs})
        moved_to = _move_aside(leftovers, folder) if move_leftovers and leftovers else None
        _update_manifest(outputs, folder, manifest, wrote=bool(written) or moved_to is not None)
    return BuildResult(plan, folder, tuple(written), tuple(warnings), tuple(o.target for o in outputs),
                       tuple(o.backup for o in conflicts if o.backup is not None),
                       tuple(o.target for o in outputs if o.state is State.KEPT),
                       tuple(leftovers), moved_to)


# Folders of a year's output that hold no output of the plan: PDFs, consolidations of returned
# forms (vanban collect), leftovers moved aside. Their files are other stages' outputs, never
# leftovers of the build.
PDF_FOLDER = "pdf"
COLLECT_FOLDER = "tong-hop"
ASIDE_PREFIX = "cu-"  # out/2018/cu-20181228-091500/: leftovers moved aside by --move-leftovers


def find_leftovers(folder: Path, outputs: set[Path]) -> list[Path]:
    """Documents in a year's folder that the plan does not make: a renamed period's forms, an
    agency no longer reporting, --force backups. pdf/ and folders already moved aside are not
    looked at; Word's ~$ lock files and our temporary files are not documents."""
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.rglob("*")):
        top = path.relative_to(folder).parts[0]
        if top in (PDF_FOLDER, COLLECT_FOLDER) or top.startswith(ASIDE_PREFIX) or not path.is_file():
            continue
        if path.suffix.lower() in (".docx", ".xlsx") and not path.name.startswith(("~$", ".")) \
                and path.resolve() not in outputs and path not in outputs:
            found.append(path)
    return found


def _move_aside(leftovers: list[Path], folder: Path) -> Path:
    """Move leftovers into one dated folder, keeping their sub-folders; never over a file."""
    aside = folder / f"{ASIDE_PREFIX}{datetime.now():%Y%m%d-%H%M%S}"
    number = 2
    while aside.exists():
        aside = folder / f"{ASIDE_PREFIX}{datetime.now():%Y%m%d-%H%M%S}-{number}"
        number += 1
    with _write_errors():
        for path in leftovers:
            target = aside / path.relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
    return aside


def _plan_outputs(plan: Plan, folder: Path, templates: Path, stamp: datetime) -> list[Output]:
    """One record per document the plan makes, with the fingerprint of its inputs."""
    jobs = plan_outputs(plan)
    targets = [within(folder, Path(job.path)) for job in jobs]
    template_digests = {}
    if any(job.kind == INDEX for job in jobs):
        template_digests[""] = layout_digest()  # the forms' index: a workbook, not a template
    for name in sorted({job.template for job in jobs if job.kind != INDEX}):
        path = templates / name
        if not path.is_file():
            raise VanbanError(f"Không tìm thấy mẫu văn bản: {path}")
        template_digests[name] = digest(path.read_bytes())
    return [Output(job, target, fingerprint(job.context, template_digests[job.template], stamp), None)
            for job, target in zip(jobs, targets, strict=True)]


def _sort_by_disk(outputs: list[Output], manifest: Manifest, force: bool) -> None:
    """Which outputs to render: the manifest and the files on disk say what is up to date."""
    for o in outputs:
        o.entry = manifest.entries.get(o.name)
        o.read_disk()
        if o.on_disk is None or o.entry is None or o.entry.inputs != o.inputs:
            o.state = State.RENDER
        elif o.on_disk == o.entry.sha256:
            o.state = State.CURRENT
        elif o.on_disk == o.entry.replaces:
            o.state = State.RENDER  # a build was interrupted before writing this one
        else:
            o.state = State.RENDER if force else State.KEPT  # edited by hand, inputs unchanged


def _render(outputs: list[Output], templates: Path, stamp: datetime, workers: int | None,
            progress: Progress | None) -> list[Problem]:
    """Render every output marked so; returns the templates' warnings."""
    todo = [o for o in outputs if o.state is State.RENDER]
    renderers: dict[str, TemplateRenderer] = {}
    with _progress(progress, len(todo)) as advance:
        documents = [o for o in todo if o.job.kind != INDEX]
        items = [(o.job.template, o.job.context) for o in documents]
        batch = render_batch(items, templates, stamp, workers, advance, renderers)
        for o, data in zip(documents, batch, strict=True):
            o.data = data
        for o in todo:
            if o.job.kind == INDEX:
                o.data = index_workbook(o.job.context, stamp)
                advance(1)
    warnings: list[Problem] = []
    for renderer in renderers.values():
        warnings += [w for w in renderer.warnings if w not in warnings]
    return warnings


def _progress(progress: Progress | None, total: int) -> AbstractContextManager[Advance]:
    if progress is None or not callable(progress):
        return nullcontext(lambda _: None)
    return progress(total)


def _find_conflicts(outputs: list[Output]) -> list[Output]:
    """Compare each rendered output with the file on disk now; returns the hand-edited ones."""
    conflicts = []
    for o in outputs:
        if o.state is not State.RENDER:
            continue
        o.read_disk()  # again: a clerk may have saved meanwhile
        assert o.data is not None
        if o.on_disk is None:
            o.state = State.CHANGED
        elif o.on_disk == digest(o.data):
            o.state = State.SAME  # already these bytes (e.g. a build interrupted after writing it)
        elif o.entry is not None and o.on_disk in (o.entry.sha256, o.entry.replaces):
            o.state = State.CHANGED  # vanban's own earlier version
        else:
            o.state = State.CONFLICT  # edited by hand, or not written by vanban at all
            conflicts.append(o)
    return conflicts


def _write(outputs: list[Output], folder: Path, manifest: Manifest,
           echo: Callable[[str], None]) -> list[Path]:
    """Keep hand-edited files aside, then write the changed outputs; the manifest first."""
    clock = datetime.now()
    order = [o for o in outputs if o.state in (State.CHANGED, State.CONFLICT)]
    backups = [o for o in order if o.state is State.CONFLICT]
    for o in backups:
        o.backup = backup_name(o.target, clock, hand_edited=True)
    written: list[Path] = []
    with _write_errors():
        for stale in clean_stale_temps(folder):
            echo(f"đã xóa tệp tạm của lần chạy bị ngắt trước: {stale}")
        if order:
            # the hand-edited files are safe beside them before anything is overwritten
            atomic_write_many((o.backup, o.target.read_bytes()) for o in backups if o.backup)
            for o in backups:
                echo(f"đã giữ bản sửa tay {o.target} thành {o.backup}")
            # The manifest knows the new bytes before they are renamed into place, and the old
            # ones until then: a build killed in between is not taken for a clerk's edits.
            for o in order:
                assert o.data is not None
                manifest.entries[o.name] = Entry(
                    digest(o.data), o.inputs, o.job.template, o.job.title, replaces=o.on_disk or "")
            manifest.save(folder)
            written = atomic_write_many((o.target, o.data) for o in order if o.data is not None)
    for o in order:
        echo(f"đã ghi {o.target}  ({o.job.title})")
    for o in outputs:
        if o.state is State.KEPT:
            echo(f"giữ nguyên {o.target}: đã sửa tay, dữ liệu không đổi (dùng --force để tạo lại)")
    return written


def _update_manifest(outputs: list[Output], folder: Path, manifest: Manifest, wrote: bool) -> None:
    """Record every output's SHA-256 as it now is, and forget outputs gone from the plan and disk."""
    before = Manifest.load(folder).entries if wrote else dict(manifest.entries)
    names = {o.name for o in outputs}
    for name in list(manifest.entries):
        if name.split("/", 1)[0] in (PDF_FOLDER, COLLECT_FOLDER):
            continue  # written by vanban pdf and vanban collect, not by the build
        # an output the plan no longer makes keeps its entry while the file is there (should the
        # plan make it again, it is still known as vanban's own), marked so pdf and lint skip it
        if name not in names and not (folder / name).is_file():
            del manifest.entries[name]
        elif name not in names and not manifest.entries[name].leftover:
            manifest.entries[name] = replace(manifest.entries[name], leftover=True)
    for o in outputs:
        if o.state is State.KEPT:
            # keeps the SHA-256 vanban wrote, so the edit stays protected
            if o.entry is not None and o.entry.leftover:
                manifest.entries[o.name] = replace(o.entry, leftover=False)
            continue
        sha = digest(o.data) if o.data is not None else o.on_disk
        assert sha is not None
        manifest.entries[o.name] = Entry(sha, o.inputs, o.job.template, o.job.title)
    if manifest.entries != before or not (folder / MANIFEST).is_file():
        with _write_errors():
            manifest.save(folder)


@contextmanager
def _write_errors() -> Iterator[None]:
    """A file that cannot be written (open in Word on Windows, read-only folder) is one message."""
    try:
        yield
    except OSError as exc:
        raise write_failed(exc) from exc


def _dump_contexts(jobs: list[DocumentJob], folder: Path, echo: Callable[[str], None]) -> None:
    """Each document's context as JSON, named like its output, for people debugging templates."""
    for job in jobs:
        target = within(folder, Path(job.path).with_suffix(".json"))
        atomic_write(target, (context_json(job.context) + "\n").encode("utf-8"))
        echo(f"đã ghi ngữ cảnh {target}")


def _stamp(plan: Plan) -> datetime:
    g = plan.general
    if g.issue_date:
        return datetime(g.issue_date.year, g.issue_date.month, g.issue_date.day)
    return datetime(g.year, 1, 1)


# -- layout check of templates and built documents ---------------------------------------------


def lint_targets(out: Path, templates: Path = DEFAULT_TEMPLATES) -> list[Path]:
    """What `vanban lint` checks without FILES: every template, and the documents of the last
    build as its manifest lists them (never leftovers or backups lying in the folder)."""
    from generator.output.pdf import year_folder

    targets = sorted(templates.glob("*.docx"))
    try:
        folder = year_folder(out, None)
    except VanbanError:
        return targets  # no build yet: the command says so
    return targets + Manifest.load(folder).documents(folder)


def template_variables(workbook: Path) -> dict[str, set[str]] | None:
    """The names each template's context provides, from the contexts built for a workbook."""
    from generator.documents.jobs import plan_documents

    try:
        plan, _ = load_checked(workbook)
    except VanbanError:
        return None
    names: dict[str, set[str]] = {}
    for job in plan_documents(plan):
        names.setdefault(job.template, set()).update(job.context.keys())
    names.update(_collect_variables(plan))
    return names


def _collect_variables(plan: Plan) -> dict[str, set[str]]:
    """The names the consolidation's templates get (from a consolidation with no form yet)."""
    from generator.collect.consolidate import consolidate
    from generator.collect.summary import (
        REMINDER_TEMPLATE,
        SUMMARY_TEMPLATE,
        reminder_context,
        summary_context,
    )

    if not plan.periods:
        return {}
    empty = consolidate(plan, plan.periods[0], {}, {}, [])
    return {SUMMARY_TEMPLATE: set(summary_context(empty, None, pictures=False)),
            REMINDER_TEMPLATE: set(reminder_context(empty))}


def lint_paths(files: Iterable[Path], variables: dict[str, set[str]] | None) -> list[Finding]:
    """The layout rules on every file, and on a template also the check of its Jinja tags."""
    from generator.layout import lint

    def tag_findings(doc: LintDoc) -> list[Finding]:
        from generator.render import tags

        if not doc.is_template:
            return []
        known = (variables or {}).get(doc.path.name)
        findings = []
        for issue in tags.inspect(doc.doc, doc.path.name, known, repair=False).issues:
            message = issue.message if not issue.found or issue.found in issue.message \
                else f"{issue.message} (thẻ: {issue.found})"
            findings.append(lint.Finding(str(doc.path), issue.code, issue.place, message, issue.severity))
        return findings

    findings: list[Finding] = []
    for path in files:
        findings += lint.lint_file(path, extra=tag_findings)
    return findings


# -- collect: returned forms → the period's consolidation ----------------------------------------


@dataclass(frozen=True)
class CollectResult:
    folder: Path  # OUT/<year>/tong-hop/<period>/
    outputs: tuple[Path, ...]
    written: tuple[Path, ...]
    problems: tuple[Problem, ...]
    consolidation: Any  # generator.collect.consolidate.Consolidation
    forms: int  # forms read for the period
    backups: tuple[Path, ...] = ()
    kept: tuple[Path, ...] = ()  # outputs edited by hand, left as they are


def collect(
    forms: Iterable[Path],
    workbook: Path,
    out: Path,
    period: str | None = None,
    echo: Callable[[str], None] = lambda _: None,
    *,
    force: bool = False,
    templates: Path = DEFAULT_TEMPLATES,
) -> CollectResult:
    """Read every returned form, consolidate one period and write OUT/<year>/tong-hop/<period>/.

    Everything is read and checked before anything is written; a form that cannot be matched to
    the plan, a hostile or broken file, or nothing to read at all stops the run (nothing written).
    Returned files are only read. Outputs whose bytes would not change are not rewritten.
    """
    from generator.collect import outputs as collect_outputs
    from generator.collect.sources import Found, sources

    plan, _ = load_checked(workbook)
    found = Found(list(forms))
    result, kept, folder, count = consolidate_forms(plan, sources(found), out, period, found)
    files = collect_outputs.render_outputs(result, kept, templates)
    written, backups, kept_files = _write_collected(out / str(plan.year), folder, files, force, echo)
    return CollectResult(folder, tuple(folder / name for name in files), tuple(written),
                         tuple(result.problems), result, count, tuple(backups), tuple(kept_files))


def consolidate_forms(plan: Plan, stream: Iterable[Any], out: Path, period: str | None,
                      found: Any) -> tuple[Any, Any, Path, int]:
    """Read a stream of returned forms (collect.forms.Source, one at a time: only what each says
    is kept, never its bytes) and consolidate one period; the clerk's entries are read back from
    the period's tracking workbook under `out`. Returns the consolidation, those entries, the
    period's output folder and how many forms were used. Raises with every unusable file at once."""
    from generator.collect.consolidate import CLERK_DATE, FILE_DATE, MANUAL, Receipt, consolidate
    from generator.collect.forms import ReturnedForm, Source, read_form
    from generator.collect.identify import Fingerprints, NotMatched, identify
    from generator.collect.tracking import WORKBOOK, read_kept
    from generator.errors import ERROR, INFO

    problems: list[Problem] = []
    errors: list[Problem] = []
    periods = {p.code: p for p in plan.periods}
    if period is not None and period not in periods:
        raise VanbanError(f"Không có kỳ báo cáo «{period}» trong sổ tính; các kỳ: {', '.join(periods)}.")
    by_period: dict[str, dict[str, list[ReturnedForm]]] = {}
    others: dict[str, int] = {}  # forms of periods not consolidated: counted, not kept
    fingerprints = Fingerprints(plan)
    for source in stream:
        try:
            form = read_form(source)
            identity = identify(form, plan, problems, fingerprints)
        except VanbanError as exc:
            errors.append(Problem(ERROR, None, exc.format_message(), code="collect-bad-file"))
            continue
        except NotMatched as exc:
            errors.append(Problem(ERROR, None, str(exc), code="collect-not-matched"))
            continue
        form.source = Source(source.name, b"", source.modified)  # the bytes are not kept
        if not form.task_table:
            errors.append(Problem(ERROR, None, f"{source.name}: không tìm thấy bảng nhiệm vụ (bảng có cột "
                                  "“STT” và “Mức độ hoàn thành”): bảng đã bị xóa hoặc sửa tiêu đề cột; "
                                  "hãy gửi lại đúng mẫu, hoặc bỏ tệp ra và nhập tay vào tong-hop.xlsx",
                                  code="collect-no-task-table"))
            continue
        wanted = period or next(iter(by_period), identity.period)
        if identity.period != wanted:
            others[identity.period] = others.get(identity.period, 0) + 1
            continue
        by_period.setdefault(identity.period, {}).setdefault(identity.agency, []).append(form)
    problems = found.problems + problems
    if errors:
        raise ProblemsFound(errors, header=f"{len(errors)} tệp báo cáo không dùng được; chưa ghi tệp nào.")
    if period is None:
        if others:
            names = ", ".join(sorted({*by_period, *others}))
            raise VanbanError(f"Các báo cáo thuộc nhiều kỳ ({names}); hãy chọn một kỳ bằng --period.")
        if not by_period and not found.unreadable:
            raise VanbanError(f"Không có báo cáo nào (.docx, .doc, .odt, .zip) trong "
                              f"{', '.join(str(p) for p in found.paths)}.")
        period = next(iter(by_period), None)
        if period is None:
            raise VanbanError(f"Chỉ có tệp PDF hoặc ảnh chụp ({vn.some_files(found.unreadable)}), không "
                              "xác định được kỳ báo cáo; "
                              "hãy chọn kỳ bằng --period.")
    else:
        if others:
            problems.append(Problem(INFO, None, f"Bỏ qua {sum(others.values())} báo cáo của kỳ khác "
                                    f"({', '.join(sorted(others))})", code="collect-other-period"))
        if not by_period.get(period) and not found.unreadable:
            raise VanbanError(f"Không có báo cáo nào của kỳ «{period}» trong "
                              f"{', '.join(str(p) for p in found.paths)}.")
    chosen = periods[period]
    folder = collect_folder(out, plan.year, chosen.code)
    kept = read_kept(folder / WORKBOOK)

    matched: dict[str, ReturnedForm] = {}
    for code, candidates in by_period.get(period, {}).items():
        candidates.sort(key=lambda f: (f.when or datetime.min, f.source.name))
        newest = candidates[-1]
        if len(candidates) > 1:
            older = ", ".join(f.source.name for f in candidates[:-1])
            problems.append(Problem(WARNING, None, f"Có {len(candidates)} báo cáo của {code} cho kỳ "
                                    f"{chosen.name}: dùng tệp mới nhất {newest.source.name}, bỏ qua {older}",
                                    code="collect-duplicate-form"))
        matched[code] = newest
    receipts: dict[str, Receipt] = {}
    manual_agencies = {m.agency for m in kept.manual}
    for agency in plan.agencies:
        code = agency.code
        clerk = kept.received.get(code)
        returned = matched.get(code)
        if returned is None and code not in manual_agencies and clerk is None:
            continue
        if clerk is not None:
            when, origin = clerk[0], CLERK_DATE
        elif returned is not None and returned.when is not None:
            when, origin = returned.when.date(), FILE_DATE
        else:
            when, origin = None, MANUAL
        receipts[code] = Receipt(code, when, origin, returned.source.name if returned else "",
                                 bool(when and when > chosen.deadline))
    result = consolidate(plan, chosen, matched, receipts, kept.manual, fingerprints.agencies)
    result.problems[:0] = problems
    return result, kept, folder, len(matched)


def collect_folder(out: Path, year: int, period_code: str) -> Path:
    """OUT/<year>/tong-hop/<period>/: where a period's consolidation is written (and the page reads it)."""
    from generator.text import vn

    return out / str(year) / COLLECT_FOLDER / vn.slug(period_code)


def _write_collected(year_folder: Path, folder: Path, files: dict[str, bytes], force: bool,
                     echo: Callable[[str], None]) -> tuple[list[Path], list[Path], list[Path]]:
    """Write what changed, atomically, under the year's manifest. The tracking workbook is read
    back before (the clerk's entries are in the new one), so an edited one is replaced, its old
    version kept beside it; any other output edited by hand is kept unless `force`."""
    from generator.collect.tracking import WORKBOOK
    from generator.output.write import backup_name

    manifest = Manifest.load(year_folder)
    relative = folder.relative_to(year_folder)
    todo: list[tuple[Path, bytes]] = []
    backups: list[tuple[Path, bytes]] = []
    kept: list[Path] = []
    clock = datetime.now()
    for name, data in files.items():
        target = within(year_folder, relative / name)
        key = (relative / name).as_posix()
        if not target.is_file():
            todo.append((target, data))
            continue
        old = target.read_bytes()
        if old == data:
            continue
        entry = manifest.entries.get(key)
        if entry is not None and digest(old) in (entry.sha256, entry.replaces):
            todo.append((target, data))
        elif name == WORKBOOK or force:
            backups.append((backup_name(target, clock), old))
            todo.append((target, data))
        else:
            kept.append(target)
    written: list[Path] = []
    if todo:
        with _write_errors():
            atomic_write_many(backups)
            for target, data in todo:
                key = target.relative_to(year_folder.resolve()).as_posix()
                previous = manifest.entries.get(key)
                manifest.entries[key] = Entry(digest(data), digest(data), "", target.name,
                                              replaces=previous.sha256 if previous else "")
            manifest.save(year_folder)
            written = atomic_write_many(todo)
            for target, _ in todo:
                key = target.relative_to(year_folder.resolve()).as_posix()
                manifest.entries[key] = Entry(digest(target.read_bytes()), manifest.entries[key].inputs,
                                              "", target.name)
            manifest.save(year_folder)
    for backup, _ in backups:
        echo(f"đã giữ bản cũ (đã sửa tay) thành {backup}")
    for path in written:
        echo(f"đã ghi {path}")
    for path in kept:
        echo(f"giữ nguyên {path}: đã sửa tay (dùng --force để ghi đè, bản cũ được giữ lại)")
    return written, [b for b, _ in backups], kept
