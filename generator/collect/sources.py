"""The returned files named on the command line: files, folders, .zip archives, one at a time.

Nothing given is ever changed: files are read, a .zip is read in memory, a .doc/.odt is converted
to .docx in a temporary folder (one LibreOffice run for all of them). A .pdf or a scanned image
cannot be read: it is named, and its figures are typed into the tracking workbook by hand.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from generator.collect.forms import Source
from generator.errors import INFO, WARNING, Loc, Problem, VanbanError
from generator.output.libreoffice import soffice_environment
from generator.output.pdf import PACKAGES

FORM_SUFFIXES = (".docx", ".docm")
CONVERTED_SUFFIXES = (".doc", ".odt", ".rtf")
UNREADABLE_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".gif", ".heic")
MAX_ZIP_MEMBERS = 5000
MAX_ZIP_BYTES = 2 * 1024 ** 3
MAX_FORM_BYTES = 50 * 1024 ** 2


@dataclass
class Found:
    """What was found under the paths given: form sources (streamed) and the problems met."""

    paths: list[Path]
    problems: list[Problem] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # .pdf and images, for the workbook
    count: int = 0


@dataclass(frozen=True)
class _Pending:
    """A .doc/.odt/.rtf waiting for the one LibreOffice run: where it is, its name as shown, its date."""

    path: Path
    shown: str
    modified: datetime


def _modified(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime).replace(microsecond=0)


def files_under(paths: list[Path]) -> list[Path]:
    """Every file under the paths given, folders walked in name order; a missing path is an error."""
    files: list[Path] = []
    for path in paths:
        if not path.exists():
            raise VanbanError(f"Không tìm thấy {path}.")
        if path.is_dir():
            files += sorted((p for p in path.rglob("*") if p.is_file()),
                            key=lambda p: p.relative_to(path).as_posix())
        else:
            files.append(path)
    return files


def sources(found: Found) -> Iterator[Source]:
    """Each readable form as a Source, one at a time (memory stays flat for thousands of forms).
    Copies taken out of a .zip (to convert, or a .zip in a .zip) live in a temporary folder that is
    removed at the end, whatever happens."""
    to_convert: list[_Pending] = []
    with tempfile.TemporaryDirectory(prefix="vanban-zip-") as scratch:
        for path in files_under(found.paths):
            yield from _one(path, path.name if len(found.paths) == 1 and found.paths[0] == path
                            else _shown(path, found.paths), found, to_convert, Path(scratch))
        if to_convert:
            yield from _converted(to_convert)


def _shown(path: Path, roots: list[Path]) -> str:
    """A file's name as messages show it: relative to the folder given, else as given."""
    for root in roots:
        if root.is_dir() and path.is_relative_to(root):
            return path.relative_to(root).as_posix()
    return str(path)


def _one(path: Path, shown: str, found: Found, to_convert: list[_Pending],
         scratch: Path) -> Iterator[Source]:
    name = path.name
    suffix = path.suffix.lower()
    if name.startswith(("~$", ".~lock")) or name.startswith("."):
        return  # Word's and LibreOffice's lock files, hidden files
    if suffix in FORM_SUFFIXES:
        if path.stat().st_size > MAX_FORM_BYTES:
            raise VanbanError(f"{shown} quá lớn ({path.stat().st_size // 1024 ** 2} MB); báo cáo "
                              "không được quá 50 MB.")
        found.count += 1
        yield Source(shown, path.read_bytes(), _modified(path))
    elif suffix == ".zip":
        yield from _zip_members(path, shown, found, to_convert, scratch)
    elif suffix in CONVERTED_SUFFIXES:
        found.count += 1
        to_convert.append(_Pending(path, shown, _modified(path)))
    elif suffix in UNREADABLE_SUFFIXES:
        found.unreadable.append(shown)
        found.problems.append(Problem(
            WARNING, Loc(shown), "Không đọc được tệp PDF hoặc ảnh chụp; hãy nhập kết quả của cơ quan "
            "vào sheet “Nhập tay” của tong-hop.xlsx (lần chạy sau giữ nguyên những gì đã nhập)",
            code="collect-unreadable-file"))
    else:
        found.problems.append(Problem(INFO, Loc(shown), "Không phải báo cáo (.docx, .doc, .odt, .zip); "
                                      "bỏ qua", code="collect-skipped-file"))


def _zip_members(path: Path, shown: str, found: Found, to_convert: list[_Pending],
                 scratch: Path) -> Iterator[Source]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise VanbanError(f"{shown} không phải tệp nén .zip hợp lệ ({exc}).") from exc
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > MAX_ZIP_MEMBERS or sum(i.file_size for i in infos) > MAX_ZIP_BYTES:
            raise VanbanError(f"{shown} bị từ chối: tệp nén chứa quá nhiều hoặc quá lớn (giới hạn "
                              f"{MAX_ZIP_MEMBERS} tệp, 2 GB); đây không phải tập báo cáo bình thường.")
        for info in sorted(infos, key=lambda i: i.filename):
            member = PurePosixPath(info.filename)
            inner = f"{shown}/{member.as_posix()}"
            suffix = member.suffix.lower()
            if member.name.startswith(("~$", ".")) or "__MACOSX" in member.parts:
                continue
            if info.flag_bits & 0x1:
                raise VanbanError(f"{inner} có mật khẩu trong tệp nén; hãy nén lại không đặt mật khẩu.")
            if info.file_size > MAX_FORM_BYTES:
                raise VanbanError(f"{inner} bị từ chối: giải nén ra quá lớn; đây không phải báo cáo "
                                  "bình thường.")
            when = datetime(*info.date_time)
            if suffix in FORM_SUFFIXES:
                found.count += 1
                yield Source(inner, _read_member(archive, info, inner), when)
            elif suffix in CONVERTED_SUFFIXES or suffix == ".zip":
                # converted or opened from a copy in the scratch folder (the archive stays as it is)
                tmp = Path(tempfile.mkdtemp(dir=scratch))
                copy = tmp / member.name
                copy.write_bytes(_read_member(archive, info, inner))
                if suffix == ".zip":
                    yield from _zip_members(copy, inner, found, to_convert, scratch)
                    shutil.rmtree(tmp, ignore_errors=True)
                else:
                    found.count += 1
                    to_convert.append(_Pending(copy, inner, when))
            elif suffix in UNREADABLE_SUFFIXES:
                found.unreadable.append(inner)
                found.problems.append(Problem(
                    WARNING, Loc(inner), "Không đọc được tệp PDF hoặc ảnh chụp; hãy nhập kết quả vào "
                    "sheet “Nhập tay” của tong-hop.xlsx", code="collect-unreadable-file"))


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, inner: str) -> bytes:
    try:
        with archive.open(info) as stream:
            data = stream.read(MAX_FORM_BYTES + 1)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise VanbanError(f"{inner}: tệp nén bị hỏng ({exc}).") from exc
    if len(data) > MAX_FORM_BYTES:
        raise VanbanError(f"{inner} bị từ chối: giải nén ra quá lớn; đây không phải báo cáo bình thường.")
    return data


def _converted(pending: list[_Pending]) -> Iterator[Source]:
    """.doc/.odt/.rtf converted to .docx by one LibreOffice run, in a temporary folder."""
    paths = [p.path for p in pending]
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise VanbanError(
            f"Cần LibreOffice để đọc {len(paths)} báo cáo dạng .doc/.odt ({pending[0].shown}…); hãy cài "
            f"(sudo apt-get install {PACKAGES}) hoặc mở bằng Word và lưu lại dưới dạng .docx.")
    with tempfile.TemporaryDirectory(prefix="vanban-collect-") as tmp:
        staging, out = Path(tmp) / "in", Path(tmp) / "out"
        staging.mkdir()
        staged = []
        for i, path in enumerate(paths):
            copy = staging / f"{i:05d}{path.suffix.lower()}"
            shutil.copyfile(path, copy)
            staged.append(copy)
        profile = Path(tmp) / "profile"
        command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                   "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), *map(str, staged)]
        try:
            subprocess.run(command, check=False, capture_output=True, timeout=120 + 10 * len(paths),
                           env=soffice_environment())  # the faster allocator, as for the PDFs
        except subprocess.TimeoutExpired as exc:
            raise VanbanError("LibreOffice không chuyển xong các báo cáo .doc/.odt trong thời gian cho "
                              "phép.") from exc
        for one, copy in zip(pending, staged, strict=True):
            converted = out / f"{copy.stem}.docx"
            if not converted.is_file():
                raise VanbanError(f"{one.shown}: LibreOffice không mở được tệp này (hỏng hoặc có mật "
                                  "khẩu); hãy mở bằng Word và lưu lại dưới dạng .docx.")
            yield Source(one.shown, converted.read_bytes(), one.modified)
