"""The workbooks clerks uploaded: one folder per workbook, named by the server from its bytes."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import tempfile
import threading
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from generator.errors import VanbanError
from generator.output.write import atomic_write
from generator.workbook.filecheck import inspect_workbook

# A workbook's id: the start of the SHA-256 of its bytes. The same file uploaded twice is the same
# workbook; a changed file is another one, so nothing computed from a workbook ever goes stale.
ID_LENGTH = 20
ID = re.compile(rf"[0-9a-f]{{{ID_LENGTH}}}")
SOURCE = "so-tinh.xlsx"  # the clerk's file, kept read-only; the original name is only in META
META = "thong-tin.json"
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,5}")
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


@dataclass(frozen=True)
class StoredWorkbook:
    """One uploaded workbook: its folder on the server, and the name the clerk knows it by."""

    id: str
    folder: Path
    name: str
    added: str  # ISO time of the first upload
    opened: str  # ISO time it was last uploaded or opened
    year: int | None = None  # the plan year, once a check has read it
    errors: int | None = None  # how many errors its check found, once checked

    @property
    def source(self) -> Path:
        return self.folder / SOURCE


def display_name(name: str | None, default: str = "so-tinh.xlsx") -> str:
    """The last part of a name the browser sent, made printable; never used as a path."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = " ".join(_UNSAFE_NAME.sub(" ", name).split()).strip(" .")
    return name[:120] or default


class Store:
    """The server's own folder of workbooks: `<root>/so-tinh/<id>/`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.books = root / "so-tinh"
        self._lock = threading.Lock()

    def add(self, data: bytes, name: str | None) -> StoredWorkbook:
        """Check an uploaded file as the command line checks a workbook, then keep a read-only copy.

        A file that fails the checks raises VanbanError with one Vietnamese line naming the file as
        the clerk named it, and leaves nothing behind.
        """
        shown = display_name(name)
        check_upload(data, shown)
        book_id = hashlib.sha256(data).hexdigest()[:ID_LENGTH]
        folder = self.books / book_id
        now = datetime.now().isoformat(timespec="seconds")
        with self._lock:
            if not (folder / SOURCE).is_file():
                atomic_write(folder / SOURCE, data)
                os.chmod(folder / SOURCE, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
            meta = self._meta(folder)
            meta.update({"name": shown, "opened": now})
            meta.setdefault("added", now)
            self._save_meta(folder, meta)
        return self.get(book_id)

    def get(self, book_id: str) -> StoredWorkbook:
        """The workbook with this id; KeyError when the id is malformed or unknown."""
        if not ID.fullmatch(book_id):
            raise KeyError(book_id)
        folder = self.books / book_id
        if not (folder / SOURCE).is_file():
            raise KeyError(book_id)
        meta = self._meta(folder)
        year, errors = meta.get("year"), meta.get("errors")
        return StoredWorkbook(book_id, folder, str(meta.get("name") or SOURCE), str(meta.get("added", "")),
                              str(meta.get("opened", "")), year if isinstance(year, int) else None,
                              errors if isinstance(errors, int) else None)

    def note(self, book_id: str, **fields: object) -> None:
        """Remember facts about a workbook (its year, its errors, when it was opened) for the start page."""
        folder = self.get(book_id).folder
        with self._lock:
            meta = self._meta(folder)
            if all(meta.get(k) == v for k, v in fields.items()):
                return
            meta.update(fields)
            self._save_meta(folder, meta)

    def recent(self, limit: int = 10) -> list[StoredWorkbook]:
        """The workbooks last opened first."""
        if not self.books.is_dir():
            return []
        found = []
        for folder in self.books.iterdir():
            try:
                found.append(self.get(folder.name))
            except KeyError:
                continue
        return sorted(found, key=lambda b: b.opened, reverse=True)[:limit]

    @staticmethod
    def _meta(folder: Path) -> dict:
        try:
            data = json.loads((folder / META).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    @staticmethod
    def _save_meta(folder: Path, meta: dict) -> None:
        text = json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        atomic_write(folder / META, text.encode("utf-8"))


def check_upload(data: bytes, shown: str) -> None:
    """The command line's file checks (kind, password, zip bomb, XML entities, sizes) on bytes.

    The checks read a file, so the bytes go to a private temporary folder, deleted afterwards;
    its name keeps only the clerk's extension and an Excel lock-file prefix, which the checks
    look at, and the messages name the file as the clerk did.
    """
    suffix = Path(shown).suffix
    suffix = suffix if _SUFFIX.fullmatch(suffix) else ""
    temp_name = ("~$" if shown.startswith("~$") else "") + "tai-len" + suffix
    with tempfile.TemporaryDirectory(prefix="vanban-web-") as tmp:
        path = Path(tmp) / temp_name
        path.write_bytes(data)
        try:
            inspect_workbook(path)
        except VanbanError as exc:
            message = exc.format_message().replace(str(path), shown).replace(temp_name, shown)
            raise VanbanError(message) from None
