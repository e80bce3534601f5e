"""Write outputs atomically (a temporary file, then a rename), never over a file silently."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from hashlib import sha256
from pathlib import Path, PurePath, PurePosixPath

from generator.errors import VanbanError, write_failed
from generator.text.vn import WINDOWS_RESERVED

# `.3406-qd-ubnd.docx.<pid>.<random>.vanban.tmp`: hidden, never taken for an output, and the pid
# tells a later build whether the writer is still alive (its file is left alone) or was killed.
TEMP_SUFFIX = ".vanban.tmp"
_TEMP = re.compile(r"\..+\.(\d+)\.[^.]+" + re.escape(TEMP_SUFFIX))
# One part of an output path: lowercase ASCII words, as vn.slug makes them, with an extension.
_PART = re.compile(r"[a-z0-9][a-z0-9_-]*(\.[a-z0-9]+)*")
MAX_PART = 100  # characters of one file or folder name
MAX_PATH = 200  # characters of the path inside the year folder (Windows keeps 260 for all)


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that a reader (or a crash) sees the old file or the new, whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=TEMP_SUFFIX,
                               dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            if hasattr(os, "fchmod"):  # mkstemp makes 0600; outputs are shared like any file
                os.fchmod(handle.fileno(), 0o666 & ~_umask())
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        _name(exc, path)
        raise
    _fsync_dir(path.parent)


def _name(exc: BaseException, path: Path) -> None:
    """A full disk fails a write() with no file name: the error names the file being written."""
    if isinstance(exc, OSError) and not exc.filename:
        exc.filename = str(path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    # the rename itself is durable only once the folder is synced (POSIX); Windows cannot open one
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def clean_stale_temps(folder: Path) -> list[Path]:
    """Remove temporary files that a killed build left under `folder`; return them.

    Only files of our own pattern are touched, and only when the process that made them is gone.
    """
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for path in folder.rglob(f".*{TEMP_SUFFIX}"):
        match = _TEMP.fullmatch(path.name)
        if match is None or not path.is_file() or path.is_symlink():
            continue
        if _alive(int(match.group(1))):
            continue
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def clean_stale_pool_folders(root: Path | None = None) -> list[Path]:
    """Remove multiprocessing's temporary folders ($TMPDIR/pymp-*) that a killed vanban run left;
    return them. Only folders of ours that a run marked with its pid (render.renderer.POOL_MARK)
    are touched, and only when that run is gone: a folder without the mark is someone else's."""
    from generator.render.renderer import POOL_MARK

    removed: list[Path] = []
    uid = os.getuid() if hasattr(os, "getuid") else None
    for folder in Path(root or tempfile.gettempdir()).glob("pymp-*"):
        try:
            ours = uid is None or folder.stat().st_uid == uid
            if folder.is_symlink() or not folder.is_dir() or not ours:
                continue
            pid = (folder / POOL_MARK).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            continue
        if not pid.isdigit() or int(pid) == os.getpid() or process_alive(int(pid)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # our own leftovers cannot be in use: we write one file at a time
    return process_alive(pid)


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs (a pid we may not signal counts as running)."""
    if os.name == "nt":
        return _alive_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's live process, or an unknowable pid: leave the file alone
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """A process that has ended but that its parent has not waited for yet (Linux): dead."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] in (["Z"], ["X"])


def _alive_windows(pid: int) -> bool:
    # os.kill(pid, 0) would terminate the process on Windows: ask the kernel instead
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return False
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def check_name(relative: PurePath) -> None:
    """Refuse an output path that is not made of safe slugs (names come from the workbook)."""
    text = str(relative)
    parts = PurePosixPath(text).parts
    bad = (
        not parts
        or "\\" in text
        or "\0" in text
        or len(text) > MAX_PATH
        or any(
            len(part) > MAX_PART
            or not _PART.fullmatch(part)
            or part.split(".")[0] in WINDOWS_RESERVED
            for part in parts
        )
    )
    if bad:
        raise VanbanError(
            f"Tên tệp «{text[:120]}» tạo từ dữ liệu của sổ tính không an toàn (chỉ được dùng chữ "
            f"thường không dấu, số và dấu -, tối đa {MAX_PART} ký tự); chưa ghi tệp nào."
        )


def within(root: Path, relative: PurePath) -> Path:
    """Join and make sure the result stays inside root, also through symbolic links."""
    check_name(relative)
    target = (root / relative).resolve()
    if not target.is_relative_to(root.resolve()):
        raise VanbanError(
            f"{root / relative} trỏ ra ngoài thư mục kết quả {root} (liên kết tượng trưng?); "
            "chưa ghi tệp nào."
        )
    return target


def atomic_write_many(files: Iterable[tuple[Path, bytes]]) -> list[Path]:
    """Write many files, each atomically: every temporary file first, one sync, then the renames.

    The same promise as atomic_write for each file (at any moment it is its previous or its new
    complete version; a killed run leaves only temporary files that clean_stale_temps removes),
    with one flush to disk for the whole batch instead of one per file: an fsync costs
    milliseconds, and a build writes hundreds of files.
    """
    staged: list[tuple[Path, Path]] = []
    mode = 0o666 & ~_umask()
    path = Path()
    try:
        for path, data in files:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=TEMP_SUFFIX,
                                       dir=path.parent)
            staged.append((Path(tmp), path))
            with os.fdopen(fd, "wb") as handle:
                if hasattr(os, "fchmod"):
                    os.fchmod(handle.fileno(), mode)
                handle.write(data)
        if not staged:
            return []
        if hasattr(os, "sync"):
            os.sync()
        else:  # Windows: no sync(), each file on its own
            for temporary, _ in staged:
                with open(temporary, "rb+") as handle:
                    os.fsync(handle.fileno())
        for temporary, path in staged:
            os.replace(temporary, path)
    except BaseException as exc:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        _name(exc, path)
        raise
    for folder in sorted({path.parent for _, path in staged}):
        _fsync_dir(folder)
    return [path for _, path in staged]


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name the same file (also through links or another spelling)."""
    if a.resolve() == b.resolve():
        return True
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


def check_target(target: Path, inputs: Iterable[Path] = (), force: bool = False,
                 suffix: str = ".xlsx") -> None:
    """The one overwrite policy of every `-o`/`--annotate` output, checked before any work.

    A target that is one of the `inputs` is refused always, even with `force` (exit code 2, a
    usage mistake, like a wrong suffix); an existing file is refused without `force`, and with
    it `save_bytes` keeps a dated backup `<name>.sao-luu-<yyyymmdd-hhmmss>.xlsx` first.
    """
    if target.suffix.lower() != suffix:
        raise VanbanError(f"Tệp kết quả phải có đuôi {suffix}: {target}", exit_code=2)
    if target.exists() and target.is_dir():
        raise VanbanError(f"{target} là một thư mục; hãy ghi tên tệp {suffix}.", exit_code=2)
    if any(same_file(target, Path(p)) for p in inputs):
        raise VanbanError(f"Không ghi đè lên tệp đầu vào {target}: đó là chính sổ tính đang đọc; "
                          "hãy chọn tên khác (kể cả với --force, dữ liệu gốc không bao giờ bị ghi đè).",
                          exit_code=2)
    if target.exists() and not force:
        raise VanbanError(f"Tệp {target} đã có; chưa ghi gì. Hãy chọn tên khác "
                          "(hoặc thêm --force: tệp cũ được sao lưu trước khi ghi).")


def backup_name(path: Path, when: datetime, hand_edited: bool = False) -> Path:
    """Where an existing file is kept before it is overwritten; never an existing file.

    A `-o` output: `ke-hoach.xlsx` → `ke-hoach.sao-luu-20190105-083000.xlsx`; a document edited
    by hand that `build --force` replaces: `3406-qd-ubnd.docx` → `3406-qd-ubnd.20190105-083000.bak.docx`.
    """
    stamp = f"{when:%Y%m%d-%H%M%S}"

    def name(extra: str) -> Path:
        if hand_edited:
            return path.with_name(f"{path.stem}.{stamp}{extra}.bak{path.suffix}")
        return path.with_name(f"{path.stem}.sao-luu-{stamp}{extra}{path.suffix}")

    candidate = name("")
    number = 2
    while candidate.exists():
        candidate = name(f"-{number}")
        number += 1
    return candidate


_BACKUP = re.compile(r"(?P<stem>.+?)\.(?:sao-luu-(?P<a>\d{8}-\d{6})(?:-\d+)?(?P<sa>\.[^.]+)"
                     r"|(?P<b>\d{8}-\d{6})(?:-\d+)?\.bak(?P<sb>\.[^.]+))")


def backup_of(path: PurePath) -> tuple[PurePath, datetime] | None:
    """The file a backup (named by `backup_name`) was kept from, and when; None for any other file."""
    match = _BACKUP.fullmatch(path.name)
    if match is None:
        return None
    try:
        when = datetime.strptime(match.group("a") or match.group("b"), "%Y%m%d-%H%M%S")
    except ValueError:
        return None
    return path.with_name(match.group("stem") + (match.group("sa") or match.group("sb"))), when


def save_bytes(target: Path, data: bytes, now: datetime | None = None) -> Path | None:
    """Write atomically; an existing file is first copied to a dated backup, returned."""
    backup = None
    if target.exists():
        backup = backup_name(target, now or datetime.now())
        shutil.copy2(target, backup)
    atomic_write(target, data)
    return backup


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold the output folder for one build: a second build into it stops at once, saying why.

    Without it, two builds at once would each take the other's fresh files for a clerk's edits.
    The lock is the kernel's (flock, or msvcrt on Windows) on a small file in the temporary
    folder named after the output folder's full path: nothing is added to the user's folders, and
    a killed build never leaves the lock held.
    """
    key = sha256(str(folder.resolve()).encode("utf-8")).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"vanban-{key}.lock"
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except PermissionError:  # made by another user: a read-only handle locks as well
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        raise write_failed(exc, path) from exc
    try:
        if not _try_lock(fd):
            raise VanbanError(f"Một lần tạo văn bản khác đang ghi vào {folder}; hãy đợi lần đó "
                              "xong rồi chạy lại. Chưa ghi tệp nào.")
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _try_lock(fd: int) -> bool:
    try:
        if os.name == "nt":
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # BlockingIOError, or PermissionError on Windows: held by another build
        return False
    return True
