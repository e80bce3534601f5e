"""Write outputs atomically (a temporary file, then a rename), never over a file silently."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from generator.errors import VanbanError


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def within(root: Path, relative: Path) -> Path:
    """Join and make sure the result stays inside root (file names come from data)."""
    target = (root / relative).resolve()
    if not target.is_relative_to(root.resolve()):
        raise ValueError(f"{relative} is outside {root}")
    return target


def check_target(target: Path, inputs: Iterable[Path] = (), force: bool = False,
                 suffix: str = ".xlsx") -> None:
    """Refuse a target that would silently replace a file the user gave or already has.

    Called before any work, so a refusal costs nothing; with `force` the old file is kept as
    a dated backup by `save_bytes`.
    """
    if target.suffix.lower() != suffix:
        raise VanbanError(f"Tệp kết quả phải có đuôi {suffix}: {target}")
    if target.exists() and target.is_dir():
        raise VanbanError(f"{target} là một thư mục; hãy ghi tên tệp {suffix}.")
    same_as_input = any(target.resolve() == Path(p).resolve() for p in inputs)
    if force:
        return
    if same_as_input:
        raise VanbanError(f"Không ghi đè lên tệp đầu vào {target}; hãy chọn tên khác "
                          "(hoặc thêm --force: tệp cũ được sao lưu trước khi ghi).")
    if target.exists():
        raise VanbanError(f"Tệp {target} đã có; chưa ghi gì. Hãy chọn tên khác "
                          "(hoặc thêm --force: tệp cũ được sao lưu trước khi ghi).")


def backup_name(path: Path, when: datetime) -> Path:
    """`ke-hoach.xlsx` → `ke-hoach.sao-luu-20190105-083000.xlsx`, never an existing file."""
    stem = f"{path.stem}.sao-luu-{when:%Y%m%d-%H%M%S}"
    candidate = path.with_name(stem + path.suffix)
    number = 2
    while candidate.exists():
        candidate = path.with_name(f"{stem}-{number}{path.suffix}")
        number += 1
    return candidate


def save_bytes(target: Path, data: bytes, now: datetime | None = None) -> Path | None:
    """Write atomically; an existing file is first copied to a dated backup, returned."""
    backup = None
    if target.exists():
        backup = backup_name(target, now or datetime.now())
        shutil.copy2(target, backup)
    atomic_write(target, data)
    return backup
