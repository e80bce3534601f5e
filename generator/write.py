"""Write outputs atomically: a temporary file in the same folder, then a rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


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


def atomic_write_many(files: Iterable[tuple[Path, bytes]]) -> list[Path]:
    """Write many files, each atomically: every temporary file first, one sync, then the renames.

    The same promise as atomic_write for each file (at any moment it is its previous or its new
    complete version), with one flush to disk for the whole batch instead of one per file:
    an fsync costs milliseconds, and a build writes hundreds of files.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            staged.append((Path(tmp), path))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
        if not staged:
            return []
        if hasattr(os, "sync"):
            os.sync()
        else:  # Windows: no sync(), each file on its own
            for tmp, _ in staged:
                with open(tmp, "rb+") as handle:
                    os.fsync(handle.fileno())
        for tmp, path in staged:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    return [path for _, path in staged]
