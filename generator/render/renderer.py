"""Render documents from .docx templates: safely, reproducibly, once-prepared, in parallel."""

from __future__ import annotations

import io
import multiprocessing
import multiprocessing.context
import os
import posixpath
import re
import signal
import threading
import zipfile
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from itertools import chain, islice
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree
from markupsafe import Markup, escape

from generator.errors import Problem, ProblemsFound, VanbanError
from generator.render import tags
from generator.render.engine import STRICT_PARSER_OPTIONS, PreparedTemplate, RenderedXmlError, note_printed
from generator.text import vn
from generator.workbook.filecheck import content_digest

# Zip members are dated from the plan, never from the clock, so equal input gives equal bytes.
_EPOCH = (2000, 1, 1, 0, 0, 0)


# docxtpl rewrites "{_{", "}_}", "{_%" and "%_}" in the rendered XML back to Jinja braces (its
# escape for literal braces in templates); an underscore of the data at such a place is written
# as a character reference so that the data stays exactly as typed.
_DOCXTPL_MARKERS = re.compile(r"(?<=\{)_|_(?=\})")
# Strict XML: no recovery, no entities resolved, nothing fetched; big texts allowed.
_STRICT = STRICT_PARSER_OPTIONS


class ControlCharacterError(ValueError):
    """A value printed into a document holds an invisible control character."""

    def __init__(self, value: str, found: str) -> None:
        super().__init__(value)
        self.value = value
        self.found = found


def _literal(value: Any) -> Any:
    """Jinja `finalize`, called on every value a tag prints: the escaped text of the value, safe
    from docxtpl's brace rewriting. A control character is refused: the reader removes them from
    cells, so one here is a bug, and docxtpl would turn some into paragraph or page breaks. A
    value carrying its own markup is noted, so that the document it goes into is checked."""
    if type(value) is not str:
        note_printed(value)
    if isinstance(value, str):
        found = vn.control_characters(value)
        if found:
            raise ControlCharacterError(value, found)
        if "_" in value and not isinstance(value, Markup):
            return Markup(_DOCXTPL_MARKERS.sub("&#95;", str(escape(value))))
    return value


_literal.notes_markup = True  # type: ignore[attr-defined]  # see engine.note_printed


# every attribute a dict has: `d.name` is the dict's item only when `name` is none of these
_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Environment(SandboxedEnvironment):
    def getattr(self, obj: Any, attribute: str) -> Any:
        """`item.field` on the contexts' dicts, by the shortest way: the same answer as the
        sandbox's (a dict has no attribute of that name, so Jinja takes the item), without its
        attribute lookup and safety check, which have nothing to refuse on a dict's items."""
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def make_environment() -> jinja2.Environment:
    """Sandboxed, escaping, strict: data is never code and a missing value is an error."""
    return _Environment(undefined=jinja2.StrictUndefined, autoescape=True, finalize=_literal)


class TemplateRenderer:
    """Renders one template for many contexts: prepared once (see generator.render.engine), then fast.

    Every XML part of every document it makes is well-formed: the template's own parts are parsed
    strictly once, when it is prepared; the rendered ones each time (engine.PreparedTemplate).
    """

    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise VanbanError(f"Không tìm thấy mẫu văn bản: {path}")
        self.path = path
        self.env = make_environment()
        self.warnings: list[Problem] = []  # repaired tags, reported once per template
        self._names_checked: set[frozenset[str]] = set()
        self._names: frozenset[str] | None = None  # the names the tags use (tags.TagReport.names)
        self._validated = False  # validate_package has passed on a document of this template
        with self._errors():
            self.prepared = PreparedTemplate(path, self.env, before=self._inspect)

    @property
    def digest(self) -> str:
        """SHA-256 of the template file, part of every output's input fingerprint."""
        return self.prepared.digest

    def _inspect(self, document: Any) -> None:
        """Before the template is compiled: Word's split tags are joined (a warning), any other
        broken tag stops the build with its place (generator.render.tags)."""
        report = tags.inspect(document, self.path.name, None, repair=True)
        self._names = report.names
        self.warnings = [issue.problem(self.path.name) for issue in report.issues]
        if report.errors:
            raise ProblemsFound(self.warnings, header=f"Mẫu {self.path.name} có "
                                f"{len(report.errors)} lỗi thẻ, chưa tạo văn bản nào.")

    def check_names(self, context: Mapping[str, Any]) -> None:
        """Every name the template uses is in the context, else one message naming the tags;
        checked once for each set of context keys, not for every document."""
        keys = frozenset(context)
        if keys in self._names_checked:
            return
        if self._names is not None and self._names <= keys:
            self._names_checked.add(keys)  # the usual case, known without looking at the tags again
            return
        report = tags.inspect(self.prepared.document, self.path.name, keys, repair=False)
        if report.errors:
            problems = [issue.problem(self.path.name) for issue in report.issues]
            raise ProblemsFound(problems, header=f"Mẫu {self.path.name} có {len(report.errors)} "
                                "lỗi thẻ, chưa tạo văn bản nào.")
        self._names_checked.add(keys)

    def render(self, context: Mapping[str, Any], stamp: datetime | None = None) -> bytes:
        self.check_names(context)
        with self._errors():
            data = self.prepared.render(context, stamp or datetime(*_EPOCH))
        if not self._validated:  # the package's structure is the template's: checked once
            validate_package(data, self.path.name)
            self._validated = True
        return data

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Template mistakes become one Vietnamese message naming the template (and the tag)."""
        name = self.path.name
        try:
            yield
        except jinja2.UndefinedError as exc:
            raise VanbanError(self._undefined_message(exc)) from exc
        except jinja2.TemplateSyntaxError as exc:
            raise VanbanError(
                f"Mẫu {name} có thẻ viết sai (dòng {exc.lineno}): {exc.message}"
            ) from exc
        except jinja2.exceptions.SecurityError as exc:
            raise VanbanError(
                f"Mẫu {name} có thẻ bị chặn vì không an toàn: {exc}; thẻ chỉ được in giá trị, "
                "lặp và điều kiện (xem docs/templates.md)."
            ) from exc
        except jinja2.TemplateError as exc:
            raise VanbanError(f"Mẫu {name} không dựng được: {exc}") from exc
        except ControlCharacterError as exc:
            raise VanbanError(_controls_message(name, exc.value, exc.found)) from exc
        except (RenderedXmlError, etree.XMLSyntaxError) as exc:
            raise VanbanError(
                f"Mẫu {name} cho ra văn bản Word hỏng (XML không hợp lệ: {exc}); "
                "chưa ghi tệp nào. Hãy kiểm tra các thẻ {%p …%}/{%tr …%} và bộ lọc |safe "
                "(in dữ liệu không thoát ký tự) của mẫu."
            ) from exc
        except (zipfile.BadZipFile, KeyError, ValueError) as exc:
            raise VanbanError(f"Mẫu {name} không phải tệp Word .docx hợp lệ ({exc}).") from exc

    def _undefined_message(self, exc: jinja2.UndefinedError) -> str:
        message = exc.message or ""
        match = re.search(r"'(\w+)' is undefined|has no attribute '(\w+)'", message)
        variable = next((g for g in match.groups() if g), "") if match else ""
        tag = find_tag(self.path, variable) if variable else ""
        where = f" ở thẻ {tag}" if tag else ""
        return (
            f"Mẫu {self.path.name} dùng “{variable or message}”{where}, nhưng dữ liệu không có giá "
            "trị này; chưa ghi tệp nào. Hãy sửa thẻ theo danh sách biến trong docs/templates.md."
        )


def find_tag(template: Path, variable: str) -> str:
    """The first Jinja tag of a template that mentions `variable`, as the clerk sees it in Word."""
    with zipfile.ZipFile(template) as z:
        xml = " ".join(
            z.read(n).decode("utf-8", "replace") for n in sorted(z.namelist())
            if n.startswith("word/") and n.endswith(".xml")
        )
    text = re.sub(r"<[^>]+>", "", xml)
    for tag in re.findall(r"\{[{%].*?[}%]\}", text, flags=re.DOTALL):
        if re.search(rf"(?<![\w'\"]){re.escape(variable)}(?!\w)", tag):
            return tag
    return ""


def _controls_message(template: str, value: str, found: str) -> str:
    shown = ", ".join(f"U+{ord(c):04X}" for c in found)
    return f"Dữ liệu cho mẫu {template} có ký tự điều khiển ({shown}): «{value[:60]}»"


_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"


def validate_package(data: bytes, template: str) -> None:
    """Check a rendered package as Word opens it: every XML part well-formed, every relationship
    id a part uses declared in its .rels, every internal target present, every part typed.

    Word refuses a file with one bad part, and a dangling reference (a header the section points
    at but the package lacks) makes it "unreadable content". Run on the first document of each
    template: the package's structure is the template's, the same for every document.
    """
    parser = etree.XMLParser(**_STRICT)

    def broken(what: str) -> VanbanError:
        return VanbanError(f"Mẫu {template} cho ra văn bản Word hỏng ({what}); chưa ghi tệp nào. "
                           "Hãy mở mẫu bằng Word, lưu lại rồi chạy lại.")

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = set(package.namelist())
        trees = {}
        for name in sorted(names):
            if name.endswith((".xml", ".rels")):
                try:
                    trees[name] = etree.fromstring(package.read(name), parser)
                except etree.XMLSyntaxError as exc:
                    raise broken(f"{name}: {exc}") from exc
    types = trees.get("[Content_Types].xml")
    if types is None:
        raise broken("thiếu [Content_Types].xml")
    defaults = {d.get("Extension", "").lower() for d in types.iter(f"{_CT_NS}Default")}
    overrides = {o.get("PartName", "").lstrip("/") for o in types.iter(f"{_CT_NS}Override")}
    for name in sorted(names):
        if not name.endswith("/") and name != "[Content_Types].xml" and name not in overrides \
                and name.rsplit(".", 1)[-1].lower() not in defaults:
            raise broken(f"{name} không có kiểu nội dung")
    for name, tree in trees.items():
        if name.endswith(".rels") or name == "[Content_Types].xml":
            continue
        folder, _, base = name.rpartition("/")
        rels_name = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
        declared = {}
        for rel in trees.get(rels_name, etree.Element("none")).iter(_PKG_REL):
            declared[rel.get("Id")] = rel
            target = rel.get("Target", "")
            if rel.get("TargetMode") == "External":
                continue
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(folder, target))
            if path not in names:
                raise broken(f"{rels_name} trỏ tới {path}, không có trong tệp")
        for element in tree.iter():
            for attribute, value in element.attrib.items():
                if attribute.startswith(f"{{{_REL_NS}}}") and value not in declared:
                    raise broken(f"{name} dùng quan hệ {value} mà {rels_name} không khai báo")


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


# -- prepared once per process -------------------------------------------------------------------

# A process that makes documents more than once (the web page: check, build, build again, collect;
# a build followed by its forms' collect) prepares each template once, not at every build: about a
# tenth of a second per template. Kept per thread (a prepared template holds the state of the
# document it is rendering) and keyed by the file's bytes, so an edited template is prepared again.
_PREPARED_KEPT = 8
_TEMPLATE_BYTES = 64 * 2**20  # a bigger template is prepared every time, not kept
_prepared = threading.local()


def renderer_for(path: Path) -> TemplateRenderer:
    """The template at `path`, prepared (see TemplateRenderer) or taken as this thread prepared it
    before from the same bytes."""
    digest = content_digest(path, limit=_TEMPLATE_BYTES)
    if digest is None:
        return TemplateRenderer(path)  # its own message: missing, unreadable, not a file
    kept: OrderedDict[str, TemplateRenderer] = _prepared.__dict__.setdefault("kept", OrderedDict())
    key = str(path.resolve())
    renderer = kept.get(key)
    # a template that made a hyperlink relationship keeps it in its fixed parts: never reused, so
    # that a document does not depend on the documents made before it in the process
    if renderer is None or renderer.digest != digest or renderer.prepared.has_links:
        renderer = TemplateRenderer(path)
    kept[key] = renderer
    kept.move_to_end(key)
    while len(kept) > _PREPARED_KEPT:
        kept.popitem(last=False)
    return renderer


# -- many documents ------------------------------------------------------------------------------

# Below this many documents a worker pool costs more to start (about half a second: a clean
# interpreter, the templates prepared again) and to feed than it saves: measured on 2 cores, 600
# forms render in 0.67 s in one process and 0.77 s in two, 2,000 in 2.6 s and 1.7 s.
PARALLEL_THRESHOLD = 1000
_worker_renderers: dict[str, TemplateRenderer] = {}


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def render_batch(
    items: Iterable[tuple[str, Mapping[str, Any]]],
    templates: Path,
    stamp: datetime,
    workers: int | None = None,
    advance: Callable[[int], None] = lambda _: None,
    renderers: dict[str, TemplateRenderer] | None = None,
) -> Iterator[bytes]:
    """Render (template name, context) pairs, yielding each document's bytes in the given order.

    `items` may be a list or a stream (a generator making each context when it is needed): only
    the documents in flight are held, so memory stays bounded whatever the batch size. With more
    than one worker the documents are rendered in a process pool, each worker holding its own
    prepared templates; every document is rendered alone, so the bytes do not depend on the
    number of workers. `advance(n)` is called as documents are done (for a progress bar).
    `renderers`, if given, receives the templates as prepared here (their `warnings`).
    """
    if renderers is None:
        renderers = {}

    def checked(name: str, context: Mapping[str, Any]) -> TemplateRenderer:
        # prepared here first: a missing or broken template, a tag naming a value the data does
        # not have, is reported in this process, before the document is rendered
        renderer = renderers.get(name)
        if renderer is None:
            renderer = renderers[name] = renderer_for(templates / name)
        renderer.check_names(context)
        return renderer

    if isinstance(items, Sequence):
        for name, context in items:  # a list: every document checked before any is rendered
            checked(name, context)
        stream: Iterator[tuple[str, Mapping[str, Any]]] = iter(items)
        if workers is None:
            workers = available_cores() if len(items) >= PARALLEL_THRESHOLD else 1
        workers = min(workers, len(items))
    else:
        stream = iter(items)
        if workers is None:  # as many as a pool needs are taken to decide, no more
            head = list(islice(stream, PARALLEL_THRESHOLD))
            workers = available_cores() if len(head) >= PARALLEL_THRESHOLD else 1
            stream = chain(head, stream)
            del head
    workers = max(1, workers)
    if workers == 1:
        for name, context in stream:
            yield checked(name, context).render(context, stamp)
            advance(1)
        return
    size = 32 if not isinstance(items, Sequence) else max(1, min(32, len(items) // (workers * 4)))

    def chunks() -> Iterator[list[tuple[str, dict[str, Any]]]]:
        while chunk := [(name, dict(context)) for name, context in islice(stream, size)]:
            for name, context in chunk:
                checked(name, context)
            yield chunk

    pending = chunks()
    # Workers start clean (forkserver or spawn), not as forks of a parent that may hold every
    # context of a national batch, and only a few chunks are in flight at a time.
    folder = str(templates)
    with ProcessPoolExecutor(max_workers=workers, mp_context=pool_context(["generator.render.renderer"]),
                             initializer=_start_worker, initargs=(folder, sorted(renderers))) as pool:
        window: deque[Future[list[bytes]]] = deque(
            pool.submit(_render_chunk, chunk, stamp, folder) for chunk in islice(pending, workers * 3))
        while window:
            rendered = window.popleft().result()
            for chunk in islice(pending, 1):
                window.append(pool.submit(_render_chunk, chunk, stamp, folder))
            yield from rendered
            advance(len(rendered))


# The fork server's socket lives in multiprocessing's temporary folder ($TMPDIR/pymp-<random>),
# which it removes at exit, short of SIGKILL. The name says nothing of its process, so the run marks
# it with this file holding its pid: a later run removes a marked folder whose run is gone
# (output.write.clean_stale_pool_folders), and never anyone else's.
POOL_MARK = "vanban.pid"


def pool_context(preload: list[str]) -> multiprocessing.context.BaseContext:
    """Where worker processes come from: a fork server that has imported `preload`, or spawn."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(preload)
        _mark_pool_folder()
        return context
    return multiprocessing.get_context("spawn")


def _mark_pool_folder() -> None:
    """Make multiprocessing's temporary folder now (the fork server's socket goes in it) and say
    whose it is (POOL_MARK). Best effort: a full or unwritable TMPDIR fails where it did before,
    when the pool starts (and is handled there), not here."""
    import multiprocessing.util

    try:
        mark = Path(multiprocessing.util.get_temp_dir()) / POOL_MARK
        if not mark.is_file():
            mark.write_text(str(os.getpid()), encoding="ascii")
    except OSError:
        pass


def _start_worker(templates: str, names: list[str]) -> None:
    # Ctrl+C reaches the whole process group: the parent stops the build and says so once; a
    # worker's own KeyboardInterrupt would print a traceback per process
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_renderers.clear()
    for name in names:
        _worker_renderers[name] = TemplateRenderer(Path(templates) / name)


def _render_chunk(chunk: list[tuple[str, dict[str, Any]]], stamp: datetime, templates: str) -> list[bytes]:
    out = []
    for name, context in chunk:
        renderer = _worker_renderers.get(name)
        if renderer is None:  # a template the stream named after the pool started
            renderer = _worker_renderers[name] = TemplateRenderer(Path(templates) / name)
        out.append(renderer.render(context, stamp))
    return out
