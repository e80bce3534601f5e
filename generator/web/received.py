"""The agencies' returned forms a clerk uploaded: kept per year under names the server gives them."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from generator.output.write import atomic_write
from generator.web.store import display_name

LIST = "danh-sach.json"
FILES = "tep"
_SUFFIX = re.compile(r"\.[a-z0-9]{1,5}")
# a server name in a message: 0001.docx, or 0001.zip/… for a form inside an uploaded .zip
_SERVER_NAME = re.compile(r"(?<![\w.])(\d{4}\.[a-z0-9]{1,5})(?![\w])")


@dataclass(frozen=True)
class Upload:
    """One file from the browser: its bytes, its name as the clerk knows it, its date if the page sent it."""

    data: bytes
    name: str
    modified: float | None = None  # seconds since the epoch (the browser's File.lastModified)


class Received:
    """`<data>/nhan-ve/<year>/`: every returned form uploaded for the year, as `tep/0001.docx`…,
    and `danh-sach.json` mapping each server name to the clerk's file name and upload time.

    Forms accumulate: each consolidation reads all of them, so forms uploaded on different days
    count together, and the newest form of an agency wins (as on the command line).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files = folder / FILES

    def names(self) -> dict[str, dict[str, str]]:
        try:
            data = json.loads((self.folder / LIST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def listed(self) -> list[tuple[str, dict[str, str]]]:
        """The received files, newest upload first: (server name, {name, time})."""
        return sorted(self.names().items(), key=lambda item: (item[1].get("time", ""), item[0]), reverse=True)

    def digests(self) -> set[str]:
        """The SHA-256 of every file received (to keep an identical upload only once)."""
        if not self.files.is_dir():
            return set()
        return {hashlib.sha256(p.read_bytes()).hexdigest() for p in self.files.iterdir() if p.is_file()}

    def shown(self, text: str, extra: dict[str, str] | None = None) -> str:
        """A message with the server's file names replaced by the clerk's."""
        names = {k: v.get("name", k) for k, v in self.names().items()} | (extra or {})
        return _SERVER_NAME.sub(lambda m: names.get(m.group(1), m.group(1)), text)

    @contextmanager
    def staged(self, uploads: list[Upload]) -> Iterator[tuple[Path, dict[str, str]]]:
        """New uploads in a private folder under server names; kept only if the caller calls `keep`.

        Yields the folder and the map of server names to the clerk's; on leaving, whatever was not
        kept is deleted.
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".moi-", dir=self.folder))
        try:
            start = 1 + max((int(k.split(".")[0]) for k in self.names()), default=0)
            names: dict[str, str] = {}
            for number, upload in enumerate(uploads, start=start):
                shown = display_name(upload.name, default="bao-cao")
                suffix = Path(shown).suffix.lower()
                server = f"{number:04d}{suffix if _SUFFIX.fullmatch(suffix) else ''}"
                path = tmp / server
                path.write_bytes(upload.data)
                if upload.modified is not None:
                    os.utime(path, (upload.modified, upload.modified))
                names[server] = shown
            yield tmp, names
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def keep(self, staged: Path, names: dict[str, str]) -> None:
        """Move staged uploads among the received files (after a consolidation accepted them)."""
        self.files.mkdir(parents=True, exist_ok=True)
        now = datetime.now().isoformat(timespec="seconds")
        listed = self.names()
        for server, shown in names.items():
            os.replace(staged / server, self.files / server)
            listed[server] = {"name": shown, "time": now}
        text = json.dumps(listed, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        atomic_write(self.folder / LIST, text.encode("utf-8"))
