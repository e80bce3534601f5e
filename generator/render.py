"""Render a document from a .docx template with docxtpl, safely and reproducibly."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment

from generator import tags
from generator.errors import Problem, VanbanError

# Zip members are dated from the plan, never from the clock, so equal input gives equal bytes.
_EPOCH = (2000, 1, 1, 0, 0, 0)


def make_environment() -> jinja2.Environment:
    """Sandboxed, escaping, strict: data is never code and a missing value is an error."""
    return SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=True)


class TemplateRenderer:
    """Renders one template for many contexts."""

    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise VanbanError(f"Không tìm thấy mẫu văn bản: {path}")
        self.path = path
        self.env = make_environment()
        self.warnings: list[Problem] = []  # repaired tags, reported once per template

    def render(self, context: Mapping[str, Any], stamp: datetime | None = None) -> bytes:
        template = DocxTemplate(str(self.path))
        template.init_docx()
        # Word's split runs are joined, any other broken tag stops the build with its place
        self.warnings = tags.prepare(template.docx, self.path.name, context)
        try:
            template.render(dict(context), self.env, autoescape=True)
        except jinja2.UndefinedError as exc:
            raise VanbanError(
                f"Mẫu {self.path.name} dùng một giá trị không có trong dữ liệu: {exc.message}"
            ) from exc
        except jinja2.TemplateSyntaxError as exc:
            raise VanbanError(
                f"Mẫu {self.path.name} có thẻ viết sai (dòng {exc.lineno}): {exc.message}"
            ) from exc
        props = template.docx.core_properties
        when = stamp or datetime(*_EPOCH)
        props.created = when
        props.modified = when
        props.last_modified_by = "vanban"
        props.revision = 1
        buffer = io.BytesIO()
        template.save(buffer)
        return normalize_zip(buffer.getvalue(), when)


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
