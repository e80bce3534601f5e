"""PDFs of a build for the e-office system: the documents the manifest lists, converted when they
changed, PDF/A-2b, by several LibreOffice processes, recorded in the manifest like the .docx."""

from __future__ import annotations

import shutil
import signal
import subprocess
import tempfile
import zipfile
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha256
from pathlib import Path, PurePosixPath

import pikepdf

from generator.errors import VanbanError
from generator.output import libreoffice, pdfa
from generator.output.manifest import MANIFEST, Entry, Manifest, digest
from generator.output.write import atomic_write, atomic_write_many, backup_name, within

PACKAGES = libreoffice.PACKAGES
PDF_FOLDER = "pdf"
PREVIEW_DPI = 80
# Bump when the export options or the finishing change: every PDF is then made again.
PDF_FORMAT = "pdfa-2b/1"


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
    written: list[Path] = []
    count = libreoffice.worker_count(len(todo), workers)
    with tempfile.TemporaryDirectory(prefix="vanban-pdf-") as tmp, _Finisher(count > 1) as finisher:
        batch = libreoffice.convert([job.docx for job in todo], Path(tmp), count, timeout, echo,
                                    ready=lambda i, path: finisher.submit(i, path, todo[i].docx))
        finished = {}
        failures = list(batch.failures)
        for i, path in batch.pdfs.items():
            sha, problem = finisher.result(i, path, todo[i].docx)
            if problem:
                failures.append(libreoffice.Failure(i, problem))
            else:
                finished[i] = (finished_path(path), sha)
        written = _write(folder, manifest, [(todo[i], *finished[i]) for i in sorted(finished)],
                         changed_by_hand, echo)
    failed = [f"  - {todo[f.index].docx}: {f.reason}" for f in sorted(failures, key=lambda f: f.index)]
    previews = _previews(target, written, with_preview, echo)
    if failed:
        raise VanbanError(f"{len(failed)} văn bản chưa chuyển được sang PDF (đã ghi {len(written)} "
                          "tệp PDF khác):\n" + "\n".join(failed))
    return PdfResult(target, tuple(written), tuple(previews), unchanged, batch.workers)


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
    fed as each PDF is complete; else here, one after the other, once the conversion is over."""

    def __init__(self, parallel: bool) -> None:
        from generator.render.renderer import available_cores, pool_context

        self.pool: ProcessPoolExecutor | None = None
        if parallel:
            self.pool = ProcessPoolExecutor(max_workers=available_cores(),
                                            mp_context=pool_context(["generator.output.pdf"]),
                                            initializer=_ignore_interrupt)
        self._made = self.pool
        self.futures: dict[int, Future[tuple[str, str]]] = {}

    def __enter__(self) -> _Finisher:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._made is not None:
            self._made.shutdown(wait=True, cancel_futures=True)

    def submit(self, index: int, pdf: Path, docx: Path) -> None:
        pool = self.pool
        if pool is not None and index not in self.futures:
            try:
                self.futures[index] = pool.submit(finish_pdf, str(pdf), str(docx))
            except (BrokenProcessPool, RuntimeError):  # no processes to be had: finish here
                self.pool = None

    def result(self, index: int, pdf: Path, docx: Path) -> tuple[str, str]:
        future = self.futures.get(index)
        if future is not None:
            try:
                return future.result()
            except BrokenProcessPool:  # a finishing process died: this PDF is finished here
                pass
        return finish_pdf(str(pdf), str(docx))


def _ignore_interrupt() -> None:
    # Ctrl+C reaches the whole process group: the parent stops and says so once
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _write(folder: Path, manifest: Manifest, done: list[tuple[_Job, Path, str]],
           changed_by_hand: list[_Job], echo: Callable[[str], None]) -> list[Path]:
    """Put the finished PDFs in place. The manifest knows the new bytes, and the ones they
    replace, before the renames: a run killed in between leaves PDFs the next run knows as its own."""
    now = datetime.now()
    for job, _, _ in done:
        if job in changed_by_hand:
            backup = backup_name(job.pdf, now)
            shutil.copy2(job.pdf, backup)
            echo(f"đã giữ tệp PDF đã thay đổi {job.pdf} thành {backup}")
    for job, _, sha in done:
        old = digest(job.pdf.read_bytes()) if job.pdf.is_file() else ""
        manifest.entries[job.name] = Entry(sha, job.inputs, job.source, job.title, replaces=old)
    manifest.save(folder)
    written = atomic_write_many((job.pdf, path.read_bytes()) for job, path, _ in done)
    for pdf in written:
        echo(f"đã ghi {pdf}")
    for job, _, sha in done:
        manifest.entries[job.name] = Entry(sha, job.inputs, job.source, job.title)
    manifest.save(folder)
    return written


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
    with tempfile.TemporaryDirectory(prefix="vanban-pdf-") as tmp:
        batch = libreoffice.convert(documents, Path(tmp), timeout=timeout or libreoffice.DEFAULT_TIMEOUT)
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
    png.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([pdftoppm, "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(png.with_suffix(""))], check=True, capture_output=True,
                   timeout=120)
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
