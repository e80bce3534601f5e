"""out/<year>/manifest.json: what each output was made from and its SHA-256 when written."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from hashlib import sha256
from pathlib import Path
from typing import Any

from generator import __version__
from generator.errors import VanbanError, os_reason
from generator.output.write import atomic_write

MANIFEST = "manifest.json"
FORMAT = 1


def _plain(value: Any) -> Any:
    """JSON for what contexts hold besides JSON types: dates as dd/mm/yyyy, as clerks write them."""
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y}" if value.time() == datetime.min.time() else f"{value:%d/%m/%Y %H:%M:%S}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if isinstance(value, Mapping):
        return dict(value)
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, Path):
        return value.as_posix()
    return str(value)


def context_json(context: Mapping[str, Any], indent: int | None = 2) -> str:
    """A template context as JSON: UTF-8 text, sorted keys, the same text for the same context."""
    separators = None if indent else (",", ":")
    return json.dumps(context, ensure_ascii=False, sort_keys=True, indent=indent, default=_plain,
                      separators=separators)


def fingerprint(context: Mapping[str, Any], template_digest: str, stamp: datetime) -> str:
    """Everything an output's bytes depend on, hashed: context, template file, date, generator."""
    head = f"vanban {__version__}\n{template_digest}\n{stamp.isoformat()}\n"
    return sha256((head + context_json(context, indent=None)).encode("utf-8")).hexdigest()


def digest(data: bytes) -> str:
    return sha256(data).hexdigest()


@dataclass(frozen=True)
class Entry:
    """One output as last written: its bytes' SHA-256 and its inputs' fingerprint."""

    sha256: str
    inputs: str
    template: str = ""
    title: str = ""
    # while a build is writing: the SHA-256 of the file it is replacing (still vanban's own)
    replaces: str = ""
    # an output the plan no longer makes, kept on disk: not offered to pdf and lint
    leftover: bool = False


@dataclass
class Manifest:
    """The outputs of one year's folder, by path relative to the folder (POSIX separators)."""

    entries: dict[str, Entry]
    problem: str = ""  # why an existing manifest could not be used, said to the user

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        path = folder / MANIFEST
        if not path.exists() and not path.is_symlink():
            return cls({})
        if not path.is_file():
            # the build would fail on it at the end, after writing the documents
            raise VanbanError(f"{path} không phải là một tệp (là thư mục hoặc liên kết hỏng); "
                              "chương trình cần ghi sổ theo dõi các văn bản đã tạo ở đó. Hãy đổi "
                              "tên hoặc chuyển nó đi rồi chạy lại; chưa ghi tệp nào.")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise VanbanError(f"Không đọc được {path}: {os_reason(exc.errno)}; chưa ghi tệp nào.") \
                from exc
        try:
            raw = json.loads(data.decode("utf-8"))
            files = raw["files"]
            entries = {
                str(name): Entry(str(e["sha256"]), str(e["inputs"]), str(e.get("template", "")),
                                 str(e.get("title", "")), str(e.get("replaces", "")),
                                 bool(e.get("leftover", False)))
                for name, e in files.items()
            }
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
            # without a usable manifest every existing output counts as possibly hand-edited
            return cls({}, problem=f"{path} hỏng hoặc không đọc được; coi như chưa có")
        return cls(entries)

    def documents(self, folder: Path) -> list[Path]:
        """The documents of the last build that are on disk: what pdf and lint take.

        Leftovers (outputs the plan no longer makes) and files the build never wrote (a --force
        backup, a copy) are not listed, so they are never published by mistake.
        """
        return [folder / name for name in sorted(self.entries)
                if name.endswith(".docx") and not self.entries[name].leftover
                and (folder / name).is_file()]

    def save(self, folder: Path) -> None:
        data = {
            "format": FORMAT,
            "generator": f"vanban {__version__}",
            "files": {name: _entry_json(self.entries[name]) for name in sorted(self.entries)},
        }
        text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        atomic_write(folder / MANIFEST, text.encode("utf-8"))


def _entry_json(entry: Entry) -> dict[str, str]:
    data: dict[str, Any] = asdict(entry)
    if not entry.replaces:
        del data["replaces"]  # only while a build is under way
    if not entry.leftover:
        del data["leftover"]
    return data
