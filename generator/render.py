"""Render a document from a .docx template with docxtpl, safely and reproducibly."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree
from markupsafe import Markup, escape

from generator import vn
from generator.errors import VanbanError

# Zip members are dated from the plan, never from the clock, so equal input gives equal bytes.
_EPOCH = (2000, 1, 1, 0, 0, 0)


# docxtpl rewrites "{_{", "}_}", "{_%" and "%_}" in the rendered XML back to Jinja braces (its
# escape for literal braces in templates); an underscore of the data at such a place is written
# as a character reference so that the data stays exactly as typed.
_DOCXTPL_MARKERS = re.compile(r"(?<=\{)_|_(?=\})")
# Strict XML: no recovery, no entities resolved, nothing fetched; big texts allowed.
_STRICT = dict(resolve_entities=False, no_network=True, huge_tree=True)


def _literal(value: Any) -> Any:
    """Jinja `finalize`: the escaped text of a value, safe from docxtpl's brace rewriting."""
    if isinstance(value, str) and not isinstance(value, Markup) and "_" in value:
        return Markup(_DOCXTPL_MARKERS.sub("&#95;", str(escape(value))))
    return value


class _CompilingOnce(SandboxedEnvironment):
    """Compiles each part of a template once: a build renders one template for many agencies."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._compiled: dict[str, jinja2.Template] = {}

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        compiled = self._compiled.get(source)
        if compiled is None:
            compiled = self._compiled[source] = super().from_string(source)
        return compiled


def make_environment() -> jinja2.Environment:
    """Sandboxed, escaping, strict: data is never code and a missing value is an error."""
    return _CompilingOnce(undefined=jinja2.StrictUndefined, autoescape=True, finalize=_literal)


class _StrictTemplate(DocxTemplate):
    """docxtpl parses the rendered body with `recover=True`, which would silently drop whatever
    is broken; here the body must be well-formed XML first."""

    def fix_tables(self, xml: str) -> Any:
        try:
            etree.fromstring(xml, etree.XMLParser(**_STRICT))
        except etree.XMLSyntaxError as exc:
            raise _BrokenXml(f"word/document.xml: {exc}") from exc
        return super().fix_tables(xml)


class _BrokenXml(Exception):
    pass


class TemplateRenderer:
    """Renders one template for many contexts."""

    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise VanbanError(f"Không tìm thấy mẫu văn bản: {path}")
        self.path = path
        self.env = make_environment()

    def render(self, context: Mapping[str, Any], stamp: datetime | None = None) -> bytes:
        check_values(context, self.path.name)
        template = _StrictTemplate(str(self.path))
        name = self.path.name
        try:
            template.render(dict(context), self.env, autoescape=True)
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
        except (_BrokenXml, etree.XMLSyntaxError) as exc:
            raise VanbanError(
                f"Mẫu {name} cho ra văn bản Word hỏng (XML không hợp lệ: {exc}); "
                "chưa ghi tệp nào. Hãy kiểm tra các thẻ {%p …%}/{%tr …%} của mẫu."
            ) from exc
        props = template.docx.core_properties
        when = stamp or datetime(*_EPOCH)
        props.created = when
        props.modified = when
        props.last_modified_by = "vanban"
        props.revision = 1
        buffer = io.BytesIO()
        template.save(buffer)
        data = normalize_zip(buffer.getvalue(), when)
        validate_package(data, name)
        return data

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


def check_values(context: Any, template: str) -> None:
    """Refuse invisible control characters in a context: the reader removes them from cells,
    so one here is a bug, and docxtpl would turn some into paragraph or page breaks."""
    if isinstance(context, str):
        _, removed = vn.strip_controls(context)
        if removed:
            shown = ", ".join(f"U+{ord(c):04X}" for c in removed)
            raise VanbanError(f"Dữ liệu cho mẫu {template} có ký tự điều khiển ({shown}): «{context[:60]}»")
    elif isinstance(context, Mapping):
        for value in context.values():
            check_values(value, template)
    elif isinstance(context, list | tuple):
        for value in context:
            check_values(value, template)


def validate_package(data: bytes, template: str) -> None:
    """Parse every XML part of a rendered package strictly; Word refuses a file with one bad part."""
    parser = etree.XMLParser(**_STRICT)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in package.namelist():
            if name.endswith((".xml", ".rels")):
                try:
                    etree.fromstring(package.read(name), parser)
                except etree.XMLSyntaxError as exc:
                    raise VanbanError(
                        f"Mẫu {template} cho ra văn bản Word hỏng ({name}: {exc}); chưa ghi tệp nào."
                    ) from exc


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
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(name))
    return out.getvalue()
