"""LibreOffice as a PDF converter: a few soffice processes side by side, each with its own profile
and its share of the documents in one `--convert-to` run, watched for documents that hang."""

from __future__ import annotations

import ctypes.util
import functools
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from generator.errors import VanbanError
from generator.output.write import clean_stale_pool_folders, process_alive

try:  # a profile is held with an advisory lock where the system has them (not on Windows)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

PACKAGES = "libreoffice-writer-nogui fonts-liberation2 poppler-utils"
# PDF/A-2b (ISO 19005-2, level b): fonts embedded, an sRGB output intent, XMP metadata; tagged
# for screen readers (and for archives that ask for structure); transparent signature and seal
# images are allowed, which PDF/A-1 forbids.
EXPORT_OPTIONS = {
    "SelectPdfVersion": {"type": "long", "value": "2"},
    "UseTaggedPDF": {"type": "boolean", "value": "true"},
    "ExportBookmarks": {"type": "boolean", "value": "true"},
    "ExportNotes": {"type": "boolean", "value": "false"},
    "DisplayPDFDocumentTitle": {"type": "boolean", "value": "true"},
}
EXPORT_FILTER = "pdf:writer_pdf_Export:" + json.dumps(EXPORT_OPTIONS, separators=(",", ":"))
IMPORT_FILTER = "MS Word 2007 XML"  # never guess: a text file named .docx is refused, not printed
# A faster memory allocator for soffice when installed (Debian: libtcmalloc-minimal4): LibreOffice
# spends a fifth of its time converting a report form in glibc's malloc and free, and with
# tcmalloc a conversion takes about a quarter less CPU (docs/performance.md). Optional: without it
# LibreOffice runs as usual.
ALLOCATOR = "tcmalloc_minimal"
ALLOCATOR_PACKAGE = "libtcmalloc-minimal4"
DEFAULT_TIMEOUT = 120.0  # seconds one document may take
STARTUP_ALLOWANCE = 60.0  # seconds LibreOffice may take to start, on top of its first document's
MIN_PER_WORKER = 6  # documents worth one more LibreOffice start-up (about 1 s of CPU)
SCRATCH_PREFIX = "vanban-pdf-"  # $TMPDIR/vanban-pdf-<pid>-<random>: a run's staged copies and PDFs
# soffice is a launcher (oosplash) that starts soffice.bin as its child: a parent-death signal set
# on the launcher would not reach soffice.bin. So on Linux each soffice runs under this small
# watchdog, the leader of its process group: when vanban dies, even by SIGKILL, the kernel sends the
# watchdog SIGTERM (PR_SET_PDEATHSIG) and it kills the whole group, LibreOffice with it.
_WATCHDOG = r"""
import ctypes, os, signal, sys
def stop(*_):
    os.killpg(0, signal.SIGKILL)
signal.signal(signal.SIGTERM, stop)
ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
if os.getppid() != int(sys.argv[1]):  # vanban died before the line above
    stop()
child = os.fork()
if child == 0:
    os.execv(sys.argv[2], sys.argv[2:])
status = os.waitpid(child, 0)[1]
if os.WIFSIGNALED(status):  # the same death for the one who waits for us
    signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
    os.kill(os.getpid(), os.WTERMSIG(status))
sys.exit(os.waitstatus_to_exitcode(status))
"""


class Stop:
    """A conversion stopped from another thread (the main one, on Ctrl+C or SIGTERM): the soffice
    processes running are killed with everything they started, and no worker starts another."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen[bytes]] = set()
        self.requested = False

    def request(self) -> None:
        with self._lock:
            self.requested = True
            running = list(self._running)
        for process in running:
            _kill(process)

    def started(self, process: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._running.add(process)
            requested = self.requested
        if requested:
            _kill(process)

    def ended(self, process: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._running.discard(process)


@dataclass(frozen=True)
class Failure:
    """A document LibreOffice did not convert, and why, in Vietnamese."""

    index: int
    reason: str


@dataclass(frozen=True)
class Batch:
    """What one conversion run produced: PDFs by document index, failures, notes for the user."""

    pdfs: dict[int, Path]
    failures: tuple[Failure, ...]
    workers: int


def find_soffice() -> str:
    """The path of soffice, or one line saying how to install it."""
    for name in ("soffice", "libreoffice"):
        path = shutil.which(name)
        if path:
            return path
    raise VanbanError("Không tìm thấy LibreOffice (soffice) trên máy này: cần nó để tạo PDF. "
                      f"Cài bằng lệnh: sudo apt-get install {PACKAGES}")


def soffice_environment() -> dict[str, str]:
    """The environment soffice runs in: ours, with the faster allocator preloaded if installed."""
    env = dict(os.environ)
    library = _allocator()
    if library:
        env["LD_PRELOAD"] = " ".join(filter(None, (env.get("LD_PRELOAD", ""), library)))
    return env


@functools.cache
def _allocator() -> str | None:
    """The file name of the allocator library if the system has it (found as the dynamic loader
    finds libraries), else None."""
    if sys.platform != "linux":
        return None
    return ctypes.util.find_library(ALLOCATOR)


def profile_root() -> Path:
    """Where the workers' LibreOffice profiles live between runs (a warm profile starts faster)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "vanban" / "libreoffice"


def worker_count(documents: int, workers: int | None) -> int:
    # imported here: `vanban --help` loads this module and must not load the template libraries
    from generator.render.renderer import available_cores

    if workers is not None:
        return max(1, min(workers, documents))
    return max(1, min(available_cores(), documents // MIN_PER_WORKER))


def share(sizes: Sequence[int], workers: int) -> list[list[int]]:
    """Document indexes split into `workers` lists of about the same total size (largest first to
    the lightest list), each list in the documents' own order."""
    loads = [0] * workers
    lists: list[list[int]] = [[] for _ in range(workers)]
    for i in sorted(range(len(sizes)), key=lambda i: -sizes[i]):
        k = loads.index(min(loads))
        lists[k].append(i)
        loads[k] += sizes[i]
    return [sorted(lst) for lst in lists if lst]


@contextmanager
def scratch() -> Iterator[Path]:
    """A run's scratch folder, $TMPDIR/vanban-pdf-<pid>-<random>, removed when the run ends
    however it ends, short of SIGKILL; the folders of runs killed that way are removed first (and
    the multiprocessing folders they left)."""
    clean_stale_scratch()
    clean_stale_pool_folders()
    with tempfile.TemporaryDirectory(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-") as folder:
        yield Path(folder)


def clean_stale_scratch(root: Path | None = None) -> list[Path]:
    """Remove the scratch folders of runs whose process is gone (killed); return them."""
    removed = []
    base = Path(root or tempfile.gettempdir())
    for folder in base.glob(f"{SCRATCH_PREFIX}*-*"):
        pid = folder.name.removeprefix(SCRATCH_PREFIX).split("-")[0]
        if not pid.isdigit() or not folder.is_dir() or folder.is_symlink():
            continue
        if int(pid) != os.getpid() and process_alive(int(pid)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def convert(sources: Sequence[Path], workdir: Path, workers: int | None = None,
            timeout: float = DEFAULT_TIMEOUT, echo: Callable[[str], None] = lambda _: None,
            ready: Callable[[int, Path], None] | None = None, stop: Stop | None = None) -> Batch:
    """Convert .docx files to workdir/pdf/<index>.pdf with several LibreOffice processes.

    Inputs are staged as <index>.docx (two forms of different periods share a file name, and
    LibreOffice names each PDF after its input); each worker starts soffice once for its list
    and again only after a document that hung or crashed it, without that document. `ready` is
    told of each PDF as soon as it is complete, from the workers' threads, while LibreOffice goes
    on with the next documents (for finishing the PDFs meanwhile). `stop` ends the conversion from
    another thread: what is not converted then is not reported as a failure.
    """
    soffice = find_soffice()
    staging, target = workdir / "docx", workdir / "pdf"
    staging.mkdir(parents=True, exist_ok=True)
    target.mkdir(parents=True, exist_ok=True)
    _soffice_tmp(target).mkdir(parents=True, exist_ok=True)
    staged = []
    for i, source in enumerate(sources):
        copy = staging / f"{i:05d}.docx"
        try:
            os.link(source, copy)
        except OSError:
            shutil.copyfile(source, copy)
        staged.append(copy)
    count = worker_count(len(staged), workers)
    lists = share([p.stat().st_size for p in staged], count)
    root = profile_root()
    failures: list[Failure] = []
    with ThreadPoolExecutor(max_workers=len(lists)) as pool:
        runs = [pool.submit(_work, soffice, root, [(i, staged[i]) for i in lst], target, timeout, echo,
                            ready or (lambda _i, _p: None), stop or Stop())
                for lst in lists]
        for run in runs:
            failures += run.result()
    pdfs = {i: target / f"{i:05d}.pdf" for i in range(len(staged))
            if i not in {f.index for f in failures} and _complete(target / f"{i:05d}.pdf")}
    failures += [Failure(i, "LibreOffice không ghi ra tệp PDF") for i in range(len(staged))
                 if i not in pdfs and i not in {f.index for f in failures}]
    return Batch(pdfs, tuple(sorted(failures, key=lambda f: f.index)), len(lists))


def _complete(pdf: Path) -> bool:
    """A PDF LibreOffice finished writing: it ends with its %%EOF marker."""
    try:
        with pdf.open("rb") as handle:
            if handle.read(5) != b"%PDF-":
                return False
            handle.seek(max(0, pdf.stat().st_size - 1024))
            return b"%%EOF" in handle.read()
    except OSError:
        return False


def _work(soffice: str, root: Path, documents: list[tuple[int, Path]], target: Path,
          timeout: float, echo: Callable[[str], None], ready: Callable[[int, Path], None],
          stop: Stop) -> list[Failure]:
    """One worker: its documents through as few soffice runs as the documents allow."""
    failures: list[Failure] = []
    told: set[int] = set()

    def passed(position: int) -> None:
        """LibreOffice has moved on from the documents before `position` of the list it runs."""
        for i, _ in pending[:position]:
            pdf = target / f"{i:05d}.pdf"
            if i not in told and _complete(pdf):
                told.add(i)
                ready(i, pdf)

    with _profile(root, echo) as profile:
        pending = documents
        fresh_profile_tried = False
        while pending and not stop.requested:
            run = _run(soffice, profile, [path for _, path in pending], target, timeout, passed, stop)
            passed(len(pending))
            if stop.requested:  # killed on purpose: its lock file is the only trace left
                _unlock(profile)
                break
            done = [_complete(target / f"{i:05d}.pdf") for i, _ in pending]
            if run.finished:
                # LibreOffice went through the list: what it did not write, it could not open
                failures += [Failure(i, _UNREADABLE) for (i, _), ok in zip(pending, done, strict=True)
                             if not ok]
                break
            if run.cursor < 0 and not any(done) and not fresh_profile_tried:
                # nothing at all happened: the profile may be broken by a killed run
                fresh_profile_tried = True
                shutil.rmtree(profile, ignore_errors=True)
                continue
            # the document it was busy with: the one it was exporting if that has no PDF, else
            # the next one, which it was opening
            stuck = run.cursor if run.cursor >= 0 and run.exporting and not done[run.cursor] \
                else run.cursor + 1
            stuck = min(stuck, len(pending) - 1)
            why = (f"LibreOffice treo quá {timeout:g} giây ở văn bản này, đã dừng nó"
                   if run.timed_out else f"LibreOffice dừng đột ngột ở văn bản này (mã {run.code})")
            failures.append(Failure(pending[stuck][0], why))
            failures += [Failure(i, _UNREADABLE) for (i, _), ok in zip(pending[:stuck], done, strict=False)
                         if not ok]
            pending = pending[stuck + 1:]
            _unlock(profile)
    return failures


_UNREADABLE = "LibreOffice không mở được văn bản này (tệp hỏng, hoặc không phải tệp Word .docx)"


@dataclass(frozen=True)
class _Run:
    finished: bool  # soffice went through its whole list and exited normally
    timed_out: bool
    code: int | None
    cursor: int  # the position in the list LibreOffice last reported on (-1: none)
    exporting: bool  # it had announced exporting the document at cursor (else: failed to open it)


def _run(soffice: str, profile: Path, files: list[Path], target: Path, timeout: float,
         passed: Callable[[int], None], stop: Stop) -> _Run:
    """One soffice run over `files`, killed (with everything it started) when one document takes
    longer than `timeout` seconds (the first one: `timeout` and STARTUP_ALLOWANCE, since a fresh
    profile on a busy machine can take longer to start than a document to convert).

    LibreOffice reports in order: "convert <file> -> …" once a document is open and its export
    begins, "Error: source file could not be loaded" for one it cannot open; either means it is
    done with every file before (`passed` is told the position).
    """
    command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--nologo", "--nodefault", "--nolockcheck", f"--infilter={IMPORT_FILTER}",
               "--convert-to", EXPORT_FILTER, "--outdir", str(target), *map(str, files)]
    if sys.platform == "linux":
        command = [sys.executable, "-I", "-S", "-c", _WATCHDOG, str(os.getpid()), *command]
    env = soffice_environment()
    env["TMPDIR"] = str(_soffice_tmp(target))  # what a killed soffice leaves goes with the scratch folder
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, start_new_session=True, env=env)
    _pid_file(profile).write_text(str(process.pid), encoding="ascii")
    stop.started(process)
    try:
        return _watch(process, files, timeout, passed, profile)
    finally:
        stop.ended(process)


def _watch(process: subprocess.Popen[bytes], files: list[Path], timeout: float,
           passed: Callable[[int], None], profile: Path) -> _Run:
    """Follow one soffice run's report line by line until it ends or hangs."""
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for raw in process.stdout:
            lines.put(raw.decode("utf-8", "replace"))
        lines.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    positions = {path.name: n for n, path in enumerate(files)}
    cursor, exporting = -1, False
    deadline = time.monotonic() + STARTUP_ALLOWANCE + timeout
    timed_out = False
    while True:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            timed_out = True
            _kill(process)
            break
        if line is None:
            break
        if line.startswith("convert "):
            name = Path(line[len("convert "):].split(" -> ")[0].strip()).name
            cursor, exporting = positions.get(name, cursor + 1), True
        elif "could not be loaded" in line:
            cursor, exporting = cursor + 1, False
        else:
            continue
        passed(cursor)
        deadline = time.monotonic() + timeout
    code = process.wait()
    reader.join(timeout=10)  # the pipe ends with the process group
    if not reader.is_alive() and process.stdout is not None:
        process.stdout.close()
    _pid_file(profile).unlink(missing_ok=True)
    return _Run(not timed_out and code == 0, timed_out, code, cursor, exporting)


def _kill(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()


def _soffice_tmp(target: Path) -> Path:
    """LibreOffice's own temporary folder (its lu*.tmp), beside the PDFs in the scratch folder."""
    return target.parent / "tmp"


def _pid_file(profile: Path) -> Path:
    return profile.with_name(profile.name + ".pid")


def _unlock(profile: Path) -> Path | None:
    """Remove the lock file a killed soffice left in a profile we hold; return it if there was one."""
    lock = profile / ".lock"
    if lock.exists():
        lock.unlink(missing_ok=True)
        return lock
    return None


@contextmanager
def _profile(root: Path, echo: Callable[[str], None]) -> Iterator[Path]:
    """A profile folder no other run is using, held for the whole run.

    Slots root/profile-<n> are taken with an advisory lock (released by the system when a run is
    killed). A slot whose last soffice still runs (its run was killed, not LibreOffice) is
    skipped: a second soffice on the same profile would hand it its documents and wait.
    """
    root.mkdir(parents=True, exist_ok=True)
    if fcntl is None:  # pragma: no cover - Windows: a new profile every run
        import tempfile

        with tempfile.TemporaryDirectory(prefix="vanban-lo-") as tmp:
            yield Path(tmp) / "profile"
        return
    n = 0
    while True:
        profile = root / f"profile-{n}"
        handle = open(root / f"profile-{n}.lock", "a+")  # noqa: SIM115 - held for the run
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            n += 1
            continue
        if _orphan_running(profile):
            handle.close()
            n += 1
            continue
        break
    try:
        if _unlock(profile):
            echo(f"đã gỡ khóa do một lần chạy LibreOffice bị ngắt để lại: {profile / '.lock'}")
        yield profile
    finally:
        handle.close()


def _orphan_running(profile: Path) -> bool:
    try:
        pid = int(_pid_file(profile).read_text(encoding="ascii"))
    except (OSError, ValueError):
        return False
    if not process_alive(pid):
        return False
    try:
        return profile.as_uri() in Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace")
    except OSError:
        return True
