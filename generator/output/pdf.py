"""PDFs of a build for the e-office system: the documents the manifest lists, converted when they
changed, PDF/A-2b, by several LibreOffice processes, recorded in the manifest like the .docx."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha256
from pathlib import Path, PurePosixPath
from types import FrameType
from typing import Any

import pikepdf

from generator.errors import Interrupted, VanbanError
from generator.output import libreoffice, pdfa
from generator.output.manifest import MANIFEST, Entry, Manifest, digest
from generator.output.write import atomic_write, backup_name, clean_stale_temps, process_alive, within

PACKAGES = libreoffice.PACKAGES
PDF_FOLDER = "pdf"
PREVIEW_DPI = 80
# Bump when the export options or the finishing change: every PDF is then made again.
PDF_FORMAT = "pdfa-2b/2"  # 2: a subject (the trích yếu), authors as a sentence writes them


@dataclass(frozen=True)
class PdfResult:
    folder: Path
    pdfs: tuple[Path, ...]  # written this time
    previews: tuple[Path, ...]
    unchanged: int = 0  # PDFs already up to date
    workers: int = 0  # LibreOffice processes used


@dataclass(frozen=True)
class _Job:
    """One document to convert: the listed .docx, its PDF, and what the PDF is made from."""

    source: str  # path in the manifest, e.g. bao-cao/quy-1/snv.docx
    docx: Path
    pdf: Path
    name: str  # the PDF's path in the manifest
    inputs: str
    title: str


def find_tool(*names: str) -> str:
    """The path of an office tool, or one clear message naming the Debian packages to install."""
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    raise VanbanError(
        f"Không tìm thấy {names[0]} trên máy này: cần LibreOffice và Poppler để tạo PDF. "
        f"Cài bằng lệnh: sudo apt-get install {libreoffice.PACKAGES}"
    )


def year_folder(out: Path, year: int | None) -> Path:
    """out/<year>/: the year asked for, or the year of the most recent build."""
    if year is not None:
        folder = out / str(year)
        if not folder.is_dir():
            raise VanbanError(f"Chưa có văn bản năm {year} trong {out}: chạy «vanban build» trước.")
        return folder
    years = [d for d in out.glob("*") if d.is_dir() and d.name.isdigit()] if out.is_dir() else []
    if not years:
        raise VanbanError(f"Chưa có văn bản nào trong {out}: chạy «vanban build» (hoặc "
                          "«make documents») trước.")
    return max(years, key=lambda d: (d / MANIFEST).stat().st_mtime if (d / MANIFEST).is_file() else 0.0)


def pdf_name(source: str) -> str:
    """bao-cao/quy-1/snv.docx → pdf/bao-cao/quy-1/snv.pdf"""
    return (PurePosixPath(PDF_FOLDER) / PurePosixPath(source).with_suffix(".pdf")).as_posix()


def documents_of(manifest: Manifest) -> list[str]:
    """The .docx outputs the manifest lists: not backups, not leftovers (entries of outputs the
    plan no longer makes are marked so), not anything in pdf/."""
    return sorted(name for name in manifest.entries
                  if name.endswith(".docx") and PurePosixPath(name).parts[0] != PDF_FOLDER
                  and not manifest.entries[name].leftover)


def _inputs(docx_sha: str) -> str:
    return sha256(f"vanban {PDF_FORMAT}\n{docx_sha}\n".encode()).hexdigest()


def make_pdfs(out: Path, year: int | None = None, with_preview: bool = False,
              echo: Callable[[str], None] = lambda _: None, *, workers: int | None = None,
              timeout: float = libreoffice.DEFAULT_TIMEOUT, force: bool = False) -> PdfResult:
    """Convert the documents of out/<year>/ that changed since their PDF was made.

    A PDF changed since vanban wrote it (signed, stamped) is never replaced silently: the run stops
    before converting anything, or with `force` keeps it beside as <name>.sao-luu-<time>.pdf.
    Documents LibreOffice cannot convert are named at the end (exit 1); the others are written.
    """
    folder = year_folder(out, year)
    manifest = Manifest.load(folder)
    if not (folder / MANIFEST).is_file() or manifest.problem:
        raise VanbanError(f"Không có danh sách văn bản ({folder / MANIFEST}) hoặc danh sách hỏng: "
                          "chạy «vanban build» trước.")
    todo, unchanged, missing, changed_by_hand, kept = _plan(folder, manifest)
    for name in missing:
        echo(f"bỏ qua {folder / name}: có trong danh sách nhưng không còn trên đĩa")
    for job in kept:
        echo(f"giữ nguyên {job.pdf}: đã sửa sau khi tạo (có thể đã ký số), văn bản gốc không đổi")
    if changed_by_hand and not force:
        lines = "\n".join(f"  - {job.pdf}" for job in changed_by_hand)
        raise VanbanError(f"{len(changed_by_hand)} tệp PDF đã bị thay đổi sau khi tạo (có thể đã ký "
                          f"số) và văn bản gốc của chúng cũng đã đổi, nên phải chuyển lại và sẽ ghi đè; "
                          f"chưa chuyển văn bản nào:\n{lines}\n"
                          "Hãy chuyển các tệp đó ra chỗ khác, hoặc chạy lại với --force "
                          "(bản đang có được giữ bên cạnh, tên dạng <tên>.sao-luu-<ngày giờ>.pdf).")
    if with_preview:
        find_tool("pdftoppm")  # before the long conversion, not after
    target = folder / PDF_FOLDER
    if not todo:
        echo(f"Không có văn bản nào thay đổi: không chuyển tệp nào ({unchanged} tệp PDF đã có).")
        return PdfResult(target, (), tuple(_previews(target, [], with_preview, echo)), unchanged)

    libreoffice.find_soffice()  # no LibreOffice: the install line first, not "Chuyển …" then it
    echo(f"Chuyển {len(todo)} văn bản sang PDF/A-2b ({unchanged} tệp PDF không đổi)…")
    # what a run killed while writing a PDF, or the manifest beside the documents, left
    clean_stale_temps(folder)
    count = libreoffice.worker_count(len(todo), workers)
    writer = _Writer(folder, manifest, changed_by_hand, echo)
    try:
        with _Stopping() as stopping, libreoffice.scratch() as tmp, _Finisher(count > 1) as finisher:
            conversion = _Conversion(todo, tmp, count, timeout, echo)
            try:
                failures, used = conversion.run(finisher, writer, stopping)
            except BaseException:
                stopping.ignore()  # a second Ctrl+C must not cut the clean-up short
                conversion.abandon()
                raise
    except _Stopped as stop:
        writer.close()
        raise Interrupted(_stopped(stop.signal, len(writer.written), len(todo), target),
                          128 + stop.signal) from None
    writer.close()
    written = writer.written
    failed = [f"  - {todo[f.index].docx}: {f.reason}" for f in sorted(failures, key=lambda f: f.index)]
    previews = _previews(target, written, with_preview, echo)
    if failed:
        raise VanbanError(f"{len(failed)} văn bản chưa chuyển được sang PDF (đã ghi {len(written)} "
                          "tệp PDF khác):\n" + "\n".join(failed))
    return PdfResult(target, tuple(written), tuple(previews), unchanged, used)


def _stopped(signum: int, written: int, todo: int, target: Path) -> str:
    why = "theo yêu cầu (Ctrl+C)" if signum == signal.SIGINT else "vì nhận tín hiệu dừng (SIGTERM)"
    return (f"Đã dừng {why}: xong {written}/{todo} tệp PDF (đã ghi trong {target}), không tệp nào bị "
            f"ghi dở; chạy lại «vanban pdf» để chuyển {todo - written} văn bản còn lại.")


class _Stopped(BaseException):
    """Ctrl+C or SIGTERM during a conversion, raised in the main thread."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signal = signum


class _Stopping:
    """While a conversion runs, Ctrl+C and SIGTERM stop it the same way (SIGTERM's default would
    end vanban at once, leaving LibreOffice and the scratch folder behind), never in the middle of
    putting a PDF in place: a signal then waits until the PDF and the manifest are written.
    Handlers are the main thread's alone: called from another thread, nothing is changed."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.writing = False
        self.pending: int | None = None
        self._previous: dict[int, object] = {}

    def __enter__(self) -> _Stopping:
        if threading.current_thread() is threading.main_thread():
            self._previous = {s: signal.signal(s, self._heard) for s in self.SIGNALS}
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]

    def _heard(self, signum: int, _frame: FrameType | None) -> None:
        if self.writing:
            self.pending = self.pending or signum
        else:
            raise _Stopped(signum)

    def ignore(self) -> None:
        for signum in self._previous:
            signal.signal(signum, signal.SIG_IGN)

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """A step no signal cuts in two; one heard meanwhile stops the run right after it."""
        self.writing = True
        try:
            yield
        finally:
            self.writing = False
        if self.pending is not None:
            raise _Stopped(self.pending)


class _Conversion:
    """libreoffice.convert in a thread of its own, its PDFs finished and put in place by the
    calling thread as they come: that thread stays free to hear Ctrl+C and SIGTERM, and what was
    finished before a stop is in out/."""

    def __init__(self, todo: list[_Job], scratch: Path, count: int, timeout: float,
                 echo: Callable[[str], None]) -> None:
        self.todo = todo
        self.events: queue.Queue[tuple[str, int, Any]] = queue.Queue()
        self.stop = libreoffice.Stop()
        self.outcome: list[libreoffice.Batch | BaseException] = []
        self.thread = threading.Thread(target=self._convert, args=(scratch, count, timeout, echo),
                                       name="vanban-libreoffice", daemon=True)

    def _convert(self, scratch: Path, count: int, timeout: float, echo: Callable[[str], None]) -> None:
        try:
            self.outcome.append(libreoffice.convert(
                [job.docx for job in self.todo], scratch, count, timeout, echo,
                ready=lambda i, path: self.events.put(("ready", i, path)), stop=self.stop))
        except BaseException as exc:  # noqa: BLE001 - handed to the calling thread, raised there
            self.outcome.append(exc)
        finally:
            self.events.put(("done", -1, None))

    def run(self, finisher: _Finisher, writer: _Writer,
            stopping: _Stopping) -> tuple[list[libreoffice.Failure], int]:
        """Convert, finish and write everything; the failures and the LibreOffice workers used."""
        self.thread.start()
        failures: list[libreoffice.Failure] = []
        seen: set[int] = set()
        busy = 0  # PDFs being finished
        batch: libreoffice.Batch | None = None
        while batch is None or busy:
            kind, i, payload = self.events.get()
            if kind == "done":
                outcome = self.outcome[0]
                if isinstance(outcome, BaseException):
                    raise outcome
                batch = outcome
                failures += batch.failures
                ready: list[tuple[int, Path]] = [(j, p) for j, p in sorted(batch.pdfs.items())
                                                 if j not in seen]
            elif kind == "ready":
                ready = [] if i in seen else [(i, payload)]
            else:
                busy -= 1
                future, pdf = payload
                sha, problem = finisher.result(future, pdf, self.todo[i].docx)
                if problem:
                    failures.append(libreoffice.Failure(i, problem))
                else:
                    with stopping.deferred():
                        writer.put(self.todo[i], finished_path(pdf), sha)
                continue
            for j, path in ready:
                seen.add(j)
                busy += 1
                finisher.submit(j, path, self.todo[j].docx, self.events)
        return failures, batch.workers

    def abandon(self) -> None:
        """Stop LibreOffice (every soffice and what it started) and wait for the thread."""
        self.stop.request()
        if self.thread.is_alive():
            self.thread.join()


def finished_path(pdf: Path) -> Path:
    """Where the finished copy of a PDF LibreOffice wrote goes (beside it: LibreOffice's own file
    is never rewritten, the conversion still checks it)."""
    return pdf.with_suffix(".pdfa")


def finish_pdf(pdf: str, docx: str) -> tuple[str, str]:
    """Finish one PDF LibreOffice wrote (pdfa.finish) into finished_path: the SHA-256 of the
    finished bytes and "", or "" and why it could not be finished."""
    try:
        data = pdfa.finish(Path(pdf), pdfa.docx_info(Path(docx)))
    except (pikepdf.PdfError, zipfile.BadZipFile, OSError) as exc:
        return "", f"tệp PDF LibreOffice viết ra bị hỏng ({exc})"
    finished_path(Path(pdf)).write_bytes(data)
    return digest(data), ""


class _Finisher:
    """Finishes PDFs while LibreOffice converts the next ones: when there is enough for several
    LibreOffice workers, in processes of their own (pikepdf holds Python's lock), one per core,
    fed as each PDF is complete; else in the thread that writes them, one after the other."""

    def __init__(self, parallel: bool) -> None:
        from generator.render.renderer import available_cores, pool_context

        self.pool: ProcessPoolExecutor | None = None
        if parallel:
            self.pool = ProcessPoolExecutor(max_workers=available_cores(),
                                            mp_context=pool_context(["generator.output.pdf"]),
                                            initializer=_finishing_process, initargs=(os.getpid(),))
        self._made = self.pool

    def __enter__(self) -> _Finisher:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._made is not None:
            self._made.shutdown(wait=True, cancel_futures=True)

    def submit(self, index: int, pdf: Path, docx: Path,
               events: queue.Queue[tuple[str, int, Any]]) -> None:
        """Start finishing one PDF; ("finished", index, (future or None, pdf)) is put on `events`
        when it is done (None: to be finished by `result`, here)."""
        pool = self.pool
        if pool is not None:
            try:
                future = pool.submit(finish_pdf, str(pdf), str(docx))
            except (BrokenProcessPool, RuntimeError):  # no processes to be had: finish here
                self.pool = None
            else:
                future.add_done_callback(lambda done: events.put(("finished", index, (done, pdf))))
                return
        events.put(("finished", index, (None, pdf)))

    def result(self, future: Future[tuple[str, str]] | None, pdf: Path, docx: Path) -> tuple[str, str]:
        if future is not None:
            try:
                return future.result()
            except BrokenProcessPool:  # a finishing process died: this PDF is finished here
                pass
        return finish_pdf(str(pdf), str(docx))


def _finishing_process(vanban: int) -> None:
    # Ctrl+C reaches the whole process group: the parent stops and says so once
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # a vanban killed outright (SIGKILL) cannot shut its pool down: each process leaves by itself
    threading.Thread(target=_exit_without, args=(vanban,), daemon=True).start()


def _exit_without(vanban: int) -> None:
    while process_alive(vanban):
        time.sleep(1)
    os._exit(0)


class _Writer:
    """Puts finished PDFs in place one at a time, as they come. The manifest knows each PDF's new
    bytes, and the ones they replace, before its rename: a run killed in between leaves PDFs the
    next run knows as its own."""

    def __init__(self, folder: Path, manifest: Manifest, changed_by_hand: list[_Job],
                 echo: Callable[[str], None]) -> None:
        self.folder, self.manifest, self.echo = folder, manifest, echo
        self.changed_by_hand = changed_by_hand
        self.now = datetime.now()
        self.written: list[Path] = []
        self._settled: list[tuple[str, Entry]] = []  # written: their entries without `replaces`

    def put(self, job: _Job, finished: Path, sha: str) -> None:
        if job in self.changed_by_hand:
            backup = backup_name(job.pdf, self.now)
            shutil.copy2(job.pdf, backup)
            self.echo(f"đã giữ tệp PDF đã thay đổi {job.pdf} thành {backup}")
        old = digest(job.pdf.read_bytes()) if job.pdf.is_file() else ""
        self._settle()
        self.manifest.entries[job.name] = Entry(sha, job.inputs, job.source, job.title, replaces=old)
        self.manifest.save(self.folder)
        atomic_write(job.pdf, finished.read_bytes())
        self.written.append(job.pdf)
        self._settled.append((job.name, Entry(sha, job.inputs, job.source, job.title)))
        self.echo(f"đã ghi {job.pdf}")

    def _settle(self) -> None:
        for name, entry in self._settled:
            self.manifest.entries[name] = entry
        self._settled.clear()

    def close(self) -> None:
        """The manifest as it is once every PDF written is in place."""
        if self._settled:
            self._settle()
            self.manifest.save(self.folder)


def _plan(folder: Path, manifest: Manifest) -> tuple[list[_Job], int, list[str], list[_Job], list[_Job]]:
    """What to convert, how many PDFs are up to date, listed files gone, PDFs changed by hand whose
    document changed too (to convert again), and PDFs changed by hand whose document did not (kept)."""
    todo: list[_Job] = []
    missing: list[str] = []
    changed_by_hand: list[_Job] = []
    kept: list[_Job] = []
    unchanged = 0
    for source in documents_of(manifest):
        docx = within(folder, PurePosixPath(source))
        if not docx.is_file():
            missing.append(source)
            continue
        name = pdf_name(source)
        job = _Job(source, docx, within(folder, PurePosixPath(name)), name,
                   _inputs(digest(docx.read_bytes())), manifest.entries[source].title)
        entry = manifest.entries.get(name)
        on_disk = digest(job.pdf.read_bytes()) if job.pdf.is_file() else None
        if entry is not None and on_disk is not None and entry.inputs == job.inputs:
            # up to date: its document has not changed; a PDF changed since it was written (signed,
            # stamped with the e-office number) is the signer's and is kept as it is
            unchanged += 1
            if on_disk not in (entry.sha256, entry.replaces):
                kept.append(job)
            continue
        if on_disk is not None and (entry is None or on_disk not in (entry.sha256, entry.replaces)):
            changed_by_hand.append(job)
        todo.append(job)
    return todo, unchanged, missing, changed_by_hand, kept


def convert(documents: list[Path], root: Path, target: Path, timeout: float | None = None) -> list[Path]:
    """Documents (under root) to target/<same sub-folders>/<name>.pdf, as LibreOffice writes them
    (no manifest, no finishing: for a look at a page); one message naming any it could not."""
    written: list[Path] = []
    with libreoffice.scratch() as tmp:
        batch = libreoffice.convert(documents, tmp, timeout=timeout or libreoffice.DEFAULT_TIMEOUT)
        for i, doc in enumerate(documents):
            if i in batch.pdfs:
                final = (target / doc.relative_to(root)).with_suffix(".pdf")
                atomic_write(final, batch.pdfs[i].read_bytes())
                written.append(final)
    if batch.failures:
        raise VanbanError("LibreOffice không chuyển được sang PDF: "
                          + ", ".join(f"{documents[f.index]} ({f.reason})" for f in batch.failures))
    return written


def preview(pdf: Path, png: Path, dpi: int = PREVIEW_DPI) -> Path:
    """A PNG image of the first page, to look at before printing."""
    pdftoppm = find_tool("pdftoppm")
    with tempfile.TemporaryDirectory(prefix="vanban-png-") as tmp:  # never a half-drawn PNG in out/
        subprocess.run([pdftoppm, "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile",
                        str(pdf), str(Path(tmp) / "page")], check=True, capture_output=True,
                       timeout=120)
        atomic_write(png, (Path(tmp) / "page.png").read_bytes())
    return png


def _previews(target: Path, written: list[Path], wanted: bool,
              echo: Callable[[str], None]) -> list[Path]:
    """First-page PNGs of the PDFs written now, and of any PDF whose PNG is missing."""
    if not wanted:
        return []
    pngs = []
    for pdf in sorted(target.rglob("*.pdf")):
        relative = pdf.relative_to(target)
        if relative.parts[0] == "preview" or ".sao-luu-" in pdf.name:
            continue
        png = target / "preview" / relative.with_suffix(".png")
        if pdf in written or not png.is_file():
            pngs.append(preview(pdf, png))
            echo(f"đã ghi {png}")
    return pngs


def check_pdfs(files: list[Path]) -> dict[Path, list[str]]:
    """`vanban pdf --check`: each PDF's problems (empty: it passes). A PDF in a build's pdf/ folder
    is compared with its .docx for the orientation of its pages."""
    results = {}
    manifests: dict[Path, Manifest] = {}
    for pdf in files:
        if not pdf.is_file():
            results[pdf] = ["không có tệp này"]
            continue
        source = _source_of(pdf)
        results[pdf] = pdfa.check(pdf, source) + _stale(pdf, source, manifests)
    return results


def _stale(pdf: Path, source: Path | None, manifests: dict[Path, Manifest]) -> list[str]:
    """A PDF of a build whose Word document changed since it was made (a conversion that failed,
    or one not run yet) is out of date, however good the PDF itself."""
    folder = _year_folder(pdf)
    if source is None or folder is None:
        return []
    if folder not in manifests:
        manifests[folder] = Manifest.load(folder)
    entry = manifests[folder].entries.get(pdf.resolve().relative_to(folder).as_posix())
    if entry is None or not entry.inputs or entry.inputs == _inputs(digest(source.read_bytes())):
        return []
    return [f"cũ: văn bản Word {source.name} đã thay đổi sau khi tạo tệp PDF này; hãy chạy lại vanban pdf"]


def pdfs_of(folder: Path) -> list[Path]:
    """The PDFs the manifest of a year folder lists."""
    manifest = Manifest.load(folder)
    return [folder / name for name in sorted(manifest.entries)
            if PurePosixPath(name).parts[0] == PDF_FOLDER and (folder / name).is_file()]


def _year_folder(pdf: Path) -> Path | None:
    """out/<year>/pdf/a/b.pdf → out/<year>; None for a PDF outside a build's pdf/ folder."""
    return next((p.parent for p in pdf.resolve().parents if p.name == PDF_FOLDER), None)


def _source_of(pdf: Path) -> Path | None:
    """out/<year>/pdf/a/b.pdf → out/<year>/a/b.docx, when it exists."""
    folder = _year_folder(pdf)
    if folder is None:
        return None
    docx = folder / pdf.resolve().relative_to(folder / PDF_FOLDER).with_suffix(".docx")
    return docx if docx.is_file() else None
