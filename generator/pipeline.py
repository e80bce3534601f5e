"""The build pipeline: workbook → model → checks → documents → render → write, only what changed."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import click

from generator.checks.plan import check_workbook
from generator.documents.jobs import INDEX, DocumentJob, plan_outputs
from generator.errors import WARNING, Problem, ProblemsFound, VanbanError
from generator.layout.lint import Finding, LintDoc
from generator.output.manifest import MANIFEST, Entry, Manifest, context_json, digest, fingerprint
from generator.output.report_index import index_workbook, layout_digest
from generator.output.write import atomic_write, atomic_write_many, clean_stale_temps, within
from generator.plan.model import Plan
from generator.render.renderer import TemplateRenderer, render_batch

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TEMPLATES = ROOT / "templates"


@dataclass(frozen=True)
class BuildResult:
    plan: Plan
    folder: Path
    written: tuple[Path, ...]
    warnings: tuple[Problem, ...]
    outputs: tuple[Path, ...] = ()  # every document of the plan, written this time or not
    backups: tuple[Path, ...] = ()  # copies of hand-edited files kept before --force overwrote them
    kept: tuple[Path, ...] = ()  # hand-edited files left alone because their inputs did not change


def load_checked(workbook: Path, strict: bool = False) -> tuple[Plan, list[Problem]]:
    """Read and check (the same checks as `vanban check`); raise once with every error.

    Returns the plan and the problems that do not block: warnings and information.
    """
    result = check_workbook(workbook, strict=strict)
    if result.errors or result.plan is None:
        raise ProblemsFound(result.problems)
    return result.plan, list(result.problems)


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


def build(
    workbook: Path,
    out: Path,
    templates: Path = DEFAULT_TEMPLATES,
    echo: Callable[[str], None] = lambda _: None,
    *,
    strict: bool = False,
    force: bool = False,
    workers: int | None = None,
    progress: bool | Callable[[int, int], None] = False,
    dump_context: Path | None = None,
) -> BuildResult:
    """Build the plan's documents into OUT/<year>/, rendering and writing only what changed.

    Everything is read, checked and rendered before anything is written; an output changed by
    hand since it was written stops the build (before writing anything) unless `force`.
    `progress`: True draws a bar on the terminal; a function is called with (done, total).
    """
    plan, warnings = load_checked(workbook, strict=strict)
    jobs = plan_outputs(plan)
    folder = out / str(plan.year)
    stamp = _stamp(plan)
    targets = [within(folder, Path(job.path)) for job in jobs]
    template_digests = {}
    if any(job.kind == INDEX for job in jobs):
        template_digests[""] = layout_digest()  # the forms' index: a workbook, not a template
    for name in sorted({job.template for job in jobs if job.kind != INDEX}):
        path = templates / name
        if not path.is_file():
            raise VanbanError(f"Không tìm thấy mẫu văn bản: {path}")
        template_digests[name] = digest(path.read_bytes())
    inputs = [fingerprint(job.context, template_digests[job.template], stamp) for job in jobs]
    if dump_context is not None:
        _dump_contexts([j for j in jobs if j.kind != INDEX], dump_context / str(plan.year), echo)

    manifest = Manifest.load(folder)
    if manifest.problem:
        warnings.append(Problem(WARNING, None, manifest.problem, code="manifest-unreadable"))
    on_disk = {i: digest(t.read_bytes()) for i, t in enumerate(targets) if t.is_file()}
    todo, kept = [], []
    for i, job in enumerate(jobs):
        entry = manifest.entries.get(job.path.as_posix())
        if i not in on_disk or entry is None or entry.inputs != inputs[i]:
            todo.append(i)
        elif on_disk[i] == entry.sha256:
            continue  # up to date: not even rendered
        elif on_disk[i] == entry.replaces:
            todo.append(i)  # a build was interrupted before writing this one
        else:
            (todo if force else kept).append(i)  # edited by hand, inputs unchanged

    rendered: dict[int, bytes] = {}
    renderers: dict[str, TemplateRenderer] = {}
    with _progress_bar(len(todo), progress) as advance:
        documents = [i for i in todo if jobs[i].kind != INDEX]
        items = [(jobs[i].template, jobs[i].context) for i in documents]
        batch = render_batch(items, templates, stamp, workers, advance, renderers)
        for i, data in zip(documents, batch, strict=True):
            rendered[i] = data
        for i in todo:
            if jobs[i].kind == INDEX:
                rendered[i] = index_workbook(jobs[i].context, stamp)
                advance(1)
    for renderer in renderers.values():
        warnings += [w for w in renderer.warnings if w not in warnings]

    changed, conflicts = [], []
    for i, data in rendered.items():
        entry = manifest.entries.get(jobs[i].path.as_posix())
        if targets[i].is_file():
            on_disk[i] = digest(targets[i].read_bytes())  # again: a clerk may have saved meanwhile
        else:
            on_disk.pop(i, None)
        if i not in on_disk:
            changed.append(i)
        elif on_disk[i] == digest(data):
            continue  # already these bytes (e.g. a build interrupted after writing it)
        elif entry is not None and on_disk[i] in (entry.sha256, entry.replaces):
            changed.append(i)  # vanban's own earlier version
        else:
            conflicts.append(i)  # edited by hand, or not written by vanban at all
    if conflicts and not force:
        raise HandEdited([targets[i] for i in conflicts])

    clock = datetime.now()
    backups = {i: _backup_path(targets[i], clock) for i in conflicts}
    order = sorted(changed + conflicts)
    written: list[Path] = []
    with _write_errors():
        for stale in clean_stale_temps(folder):
            echo(f"đã xóa tệp tạm của lần chạy bị ngắt trước: {stale}")
        if order:
            # the hand-edited files are safe beside them before anything is overwritten
            atomic_write_many((backup, targets[i].read_bytes()) for i, backup in backups.items())
            for i, backup in backups.items():
                echo(f"đã giữ bản sửa tay {targets[i]} thành {backup}")
            # The manifest knows the new bytes before they are renamed into place, and the old
            # ones until then: a build killed in between is not taken for a clerk's edits.
            for i in order:
                job = jobs[i]
                manifest.entries[job.path.as_posix()] = Entry(
                    digest(rendered[i]), inputs[i], job.template, job.title, replaces=on_disk.get(i, ""))
            manifest.save(folder)
            written = atomic_write_many((targets[i], rendered[i]) for i in order)
    for i in order:
        echo(f"đã ghi {targets[i]}  ({jobs[i].title})")
    for i in kept:
        echo(f"giữ nguyên {targets[i]}: đã sửa tay, dữ liệu không đổi (dùng --force để tạo lại)")

    before = Manifest.load(folder).entries if order else dict(manifest.entries)
    names = {job.path.as_posix() for job in jobs}
    for name in list(manifest.entries):
        # an output the plan no longer makes keeps its entry while the file is there
        if name not in names and not (folder / name).is_file():
            del manifest.entries[name]
    for i, job in enumerate(jobs):
        if i in kept:
            continue  # keeps the SHA-256 vanban wrote, so the edit stays protected
        sha = digest(rendered[i]) if i in rendered else on_disk[i]
        manifest.entries[job.path.as_posix()] = Entry(sha, inputs[i], job.template, job.title)
    if manifest.entries != before or not (folder / MANIFEST).is_file():
        with _write_errors():
            manifest.save(folder)
    return BuildResult(plan, folder, tuple(written), tuple(warnings), tuple(targets), tuple(backups.values()),
                       tuple(targets[i] for i in kept))


@contextmanager
def _write_errors() -> Iterator[None]:
    """A file that cannot be written (open in Word on Windows, read-only folder) is one message."""
    try:
        yield
    except OSError as exc:
        raise VanbanError(
            f"Không ghi được {exc.filename2 or exc.filename or 'tệp kết quả'} ({exc.strerror}). "
            "Tệp có đang mở trong "
            "Word, hoặc thư mục có bị khóa ghi không? Các tệp chưa ghi sẽ được ghi ở lần chạy sau."
        ) from exc


def _dump_contexts(jobs: list[DocumentJob], folder: Path, echo: Callable[[str], None]) -> None:
    """Each document's context as JSON, named like its output, for people debugging templates."""
    for job in jobs:
        target = within(folder, Path(job.path).with_suffix(".json"))
        atomic_write(target, (context_json(job.context) + "\n").encode("utf-8"))
        echo(f"đã ghi ngữ cảnh {target}")


def _backup_path(path: Path, clock: datetime) -> Path:
    base = f"{path.stem}.{clock:%Y%m%d-%H%M%S}"
    candidate = path.with_name(f"{base}.bak{path.suffix}")
    n = 2
    while candidate.exists():
        candidate = path.with_name(f"{base}-{n}.bak{path.suffix}")
        n += 1
    return candidate


@contextmanager
def _progress_bar(total: int, shown: bool | Callable[[int, int], None]
                  ) -> Iterator[Callable[[int], None]]:
    """A progress bar on the terminal for long builds, or a report to a function (the web page)."""
    if callable(shown):
        report, done = shown, 0

        def advance(n: int) -> None:
            nonlocal done
            done += n
            report(done, total)

        report(0, total)
        yield advance
        return
    if not shown or total < 2:
        yield lambda _: None
        return
    with click.progressbar(length=total, label="Đang tạo văn bản", file=sys.stderr) as bar:
        yield bar.update


def _stamp(plan: Plan) -> datetime:
    g = plan.general
    if g.issue_date:
        return datetime(g.issue_date.year, g.issue_date.month, g.issue_date.day)
    return datetime(g.year, 1, 1)


# -- layout check of templates and built documents ---------------------------------------------


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
    return names


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
