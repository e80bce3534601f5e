"""Render documents from .docx templates: safely, reproducibly, once-prepared, in parallel."""

from __future__ import annotations

import io
import multiprocessing
import multiprocessing.context
import os
import zipfile
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from generator.engine import PreparedTemplate, RenderedXmlError
from generator.errors import VanbanError

# Zip members are dated from the plan, never from the clock, so equal input gives equal bytes.
_EPOCH = (2000, 1, 1, 0, 0, 0)


def make_environment() -> jinja2.Environment:
    """Sandboxed, escaping, strict: data is never code and a missing value is an error."""
    return SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=True)


class TemplateRenderer:
    """Renders one template for many contexts: prepared once (see generator.engine), then fast."""

    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise VanbanError(f"Không tìm thấy mẫu văn bản: {path}")
        self.path = path
        self.env = make_environment()
        with self._errors():
            self.prepared = PreparedTemplate(path, self.env)

    @property
    def digest(self) -> str:
        """SHA-256 of the template file, part of every output's input fingerprint."""
        return self.prepared.digest

    def render(self, context: Mapping[str, Any], stamp: datetime | None = None) -> bytes:
        with self._errors():
            return self.prepared.render(context, stamp or datetime(*_EPOCH))

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Template mistakes become one Vietnamese message naming the template."""
        try:
            yield
        except jinja2.UndefinedError as exc:
            raise VanbanError(
                f"Mẫu {self.path.name} dùng một giá trị không có trong dữ liệu: {exc.message}"
            ) from exc
        except jinja2.TemplateSyntaxError as exc:
            raise VanbanError(
                f"Mẫu {self.path.name} có thẻ viết sai (dòng {exc.lineno}): {exc.message}"
            ) from exc
        except RenderedXmlError as exc:
            raise VanbanError(
                f"Mẫu {self.path.name} cùng dữ liệu cho ra phần {exc.part} không phải XML hợp lệ "
                f"({exc.detail}); kiểm tra các thẻ {{%p}}, {{%tr}} trong mẫu"
            ) from exc
        except zipfile.BadZipFile as exc:
            raise VanbanError(f"Mẫu {self.path.name} không phải tệp Word .docx hợp lệ") from exc


def normalize_zip(data: bytes, when: datetime) -> bytes:
    """Rewrite a package with fixed member dates and order, so the bytes are reproducible."""
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(
        out, "w", zipfile.ZIP_DEFLATED
    ) as dst:
        names = src.namelist()
        # [Content_Types].xml first, as Office writes it; the rest in a fixed order
        names.sort(key=lambda n: (n != "[Content_Types].xml", n))
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3  # as on POSIX, whatever system builds
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(name))
    return out.getvalue()


# -- many documents ------------------------------------------------------------------------------

# Below this many documents (about a second of work) a worker pool costs more to start than it saves.
PARALLEL_THRESHOLD = 300
_worker_renderers: dict[str, TemplateRenderer] = {}


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def render_batch(
    items: Sequence[tuple[str, Mapping[str, Any]]],
    templates: Path,
    stamp: datetime,
    workers: int | None = None,
    advance: Callable[[int], None] = lambda _: None,
) -> Iterator[bytes]:
    """Render (template name, context) pairs, yielding each document's bytes in the given order.

    With more than one worker the documents are rendered in a process pool, each worker holding
    its own prepared templates; every document is rendered alone, so the bytes do not depend on
    the number of workers. `advance(n)` is called as documents are done (for a progress bar).
    """
    if workers is None:
        workers = available_cores() if len(items) >= PARALLEL_THRESHOLD else 1
    workers = max(1, min(workers, len(items)))
    names = sorted({name for name, _ in items})
    if workers == 1:
        renderers = {name: TemplateRenderer(templates / name) for name in names}
        for name, context in items:
            yield renderers[name].render(context, stamp)
            advance(1)
        return
    # prepare in the parent first: a missing or broken template is reported once, here
    for name in names:
        TemplateRenderer(templates / name)
    size = max(1, min(64, len(items) // (workers * 4)))
    chunks = (
        [(name, dict(context)) for name, context in items[i:i + size]]
        for i in range(0, len(items), size)
    )
    # Workers start clean (forkserver or spawn), not as forks of a parent that may hold every
    # context of a national batch, and only a few chunks are in flight at a time: memory stays
    # bounded whatever the batch size.
    with ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context(),
                             initializer=_start_worker, initargs=(str(templates), names)) as pool:
        window: deque[Future[list[bytes]]] = deque(
            pool.submit(_render_chunk, chunk, stamp) for chunk in islice(chunks, workers * 3))
        while window:
            rendered = window.popleft().result()
            for chunk in islice(chunks, 1):
                window.append(pool.submit(_render_chunk, chunk, stamp))
            yield from rendered
            advance(len(rendered))


def _pool_context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["generator.render"])
        return context
    return multiprocessing.get_context("spawn")


def _start_worker(templates: str, names: list[str]) -> None:
    _worker_renderers.clear()
    for name in names:
        _worker_renderers[name] = TemplateRenderer(Path(templates) / name)


def _render_chunk(chunk: list[tuple[str, dict[str, Any]]], stamp: datetime) -> list[bytes]:
    return [_worker_renderers[name].render(context, stamp) for name, context in chunk]
