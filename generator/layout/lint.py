"""Check templates and generated documents against the layout rules of Nghị định 30/2020/NĐ-CP."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docx import Document

from generator.errors import ERROR, WARNING
from generator.layout.docxfmt import Formats, ParaFormat, qn

TAG_RE = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")


@dataclass(frozen=True)
class Finding:
    """One place of a file that breaks one rule."""

    file: str
    rule: str
    place: str
    message: str
    severity: str = ERROR

    def render(self) -> str:
        return f"{self.file}: [{self.severity}] {self.rule} — {self.place}: {self.message}"


@dataclass
class Para:
    """A paragraph with where it is: body, table cell, header or footer, and its section."""

    el: Any
    place: str
    section: int
    text: str
    fmt: ParaFormat
    table: int | None = None  # index into LintDoc.tables
    row: int | None = None
    cell: int | None = None
    part: str = "body"  # body, cell, header, first-header, footer, first-footer

    @property
    def style(self) -> str:
        return self.fmt.style

    @property
    def has_tags(self) -> bool:
        return bool(TAG_RE.search(self.text))


@dataclass
class Table:
    el: Any
    number: int  # 1-based, in reading order of the body
    section: int
    paras: list[Para] = field(default_factory=list)

    def rows(self) -> list[Any]:
        return self.el.findall(qn("w:tr"))


def paragraph_text(p: Any) -> str:
    parts = []
    for node in p.iter(qn("w:t"), qn("w:br"), qn("w:tab"), qn("w:instrText")):
        if node.tag == qn("w:t"):
            parts.append(node.text or "")
        elif node.tag == qn("w:br"):
            parts.append("\n")
        elif node.tag == qn("w:tab"):
            parts.append("\t")
    return "".join(parts)


def first_words(text: str, n: int = 7) -> str:
    words = text.split()
    short = " ".join(words[:n])
    return f"«{short}…»" if len(words) > n else f"«{short}»"


class LintDoc:
    """A .docx read once for every rule: paragraphs in reading order, tables, sections."""

    def __init__(self, path: Path, is_template: bool) -> None:
        self.path = path
        self.name = str(path)
        self.is_template = is_template
        self.doc = Document(str(path))
        self.formats = Formats(self.doc)
        self.paras: list[Para] = []
        self.tables: list[Table] = []
        self.section_starts: list[list[Para]] = [[]]  # paragraphs of each section
        self._walk()
        self.sections = self.doc.sections

    def _para(self, p: Any, place: str, section: int, **where: Any) -> Para:
        text = paragraph_text(p)
        return Para(p, place, section, text, self.formats.para(p), **where)

    def _walk(self) -> None:
        section = 0
        number = 0
        for child in self.doc.element.body:
            if child.tag == qn("w:p"):
                number += 1
                text = paragraph_text(child)
                para = self._para(child, f"đoạn {number} {first_words(text)}", section)
                self.paras.append(para)
                self.section_starts[section].append(para)
                if child.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
                    section += 1
                    self.section_starts.append([])
            elif child.tag == qn("w:tbl"):
                table = Table(child, len(self.tables) + 1, section)
                self.tables.append(table)
                self._walk_table(table, child, section, f"bảng {table.number}")

    def _walk_table(self, table: Table, tbl: Any, section: int, prefix: str) -> None:
        for r, tr in enumerate(tbl.findall(qn("w:tr")), start=1):
            for c, tc in enumerate(tr.findall(qn("w:tc")), start=1):
                for p in tc.iter(qn("w:p")):
                    text = paragraph_text(p)
                    para = self._para(p, f"{prefix}, dòng {r}, ô {c} {first_words(text)}", section,
                                      table=table.number - 1, row=r - 1, cell=c - 1, part="cell")
                    table.paras.append(para)
                    self.paras.append(para)
                    self.section_starts[section].append(para)

    def section_label(self, index: int) -> str:
        """Names a section by its first title, as the user sees it (Word calls it a Section)."""
        for para in self.section_starts[index] if index < len(self.section_starts) else []:
            if para.style in ("Doc Type", "Appendix Heading") and para.text.strip():
                return f"section {index + 1} ({para.text.strip()})"
        return f"section {index + 1}"

    def header_paras(self) -> Iterator[Para]:
        """Paragraphs of every header and footer in use, each once, with its section."""
        seen: set[int] = set()
        for i, section in enumerate(self.sections):
            kinds = [("header", section.header), ("footer", section.footer)]
            if section.different_first_page_header_footer:
                kinds += [("first-header", section.first_page_header),
                          ("first-footer", section.first_page_footer)]
            for kind, part in kinds:
                element = part._element
                if id(element) in seen:
                    continue
                seen.add(id(element))
                name = {"header": "đầu trang", "footer": "chân trang",
                        "first-header": "đầu trang của trang đầu",
                        "first-footer": "chân trang của trang đầu"}[kind]
                for p in element.iter(qn("w:p")):
                    text = paragraph_text(p)
                    yield Para(p, f"{name}, {self.section_label(i)} {first_words(text)}", i, text,
                               self.formats.para(p), part=kind)

    def finding(self, rule: str, place: str, message: str, severity: str = ERROR) -> Finding:
        return Finding(self.name, rule, place, message, severity)


def is_template_file(path: Path) -> bool:
    """A file in a templates folder, or one carrying Jinja tags that vanban did not write."""
    if path.parent.name == "templates":
        return True
    try:
        with zipfile.ZipFile(path) as z:
            xml = z.read("word/document.xml").decode("utf-8", "replace")
            core = z.read("docProps/core.xml").decode("utf-8", "replace") \
                if "docProps/core.xml" in z.namelist() else ""
    except (OSError, KeyError, zipfile.BadZipFile):
        return False
    text = re.sub(r"<[^>]+>", "", xml)
    written_by_us = "<cp:lastModifiedBy>vanban</cp:lastModifiedBy>" in core
    return bool(re.search(r"\{\{|\{%", text)) and not written_by_us


def lint_file(path: Path, *, is_template: bool | None = None,
              extra: Callable[[LintDoc], Iterable[Finding]] | None = None) -> list[Finding]:
    """Every finding of one file; a file that cannot be opened is one finding. `extra` adds the
    findings of a check outside the layout rules (the pipeline passes the templates' tag check)."""
    from generator.layout import rules as lint_rules

    if is_template is None:
        is_template = is_template_file(path)
    try:
        doc = LintDoc(path, is_template)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is reported, never a traceback
        return [Finding(str(path), "file.open", "tệp", f"Không mở được tệp Word (.docx): {exc}")]
    findings: list[Finding] = []
    for rule in lint_rules.RULES:
        findings.extend(rule(doc))
    if extra is not None:
        findings.extend(extra(doc))
    return findings


def default_targets(templates: Path, out: Path) -> list[Path]:
    """The templates, and the documents of the last build (the newest year folder of out/)."""
    targets = sorted(templates.glob("*.docx"))
    years = [d for d in out.glob("*") if d.is_dir() and d.name.isdigit()] if out.is_dir() else []
    if years:
        def newest(folder: Path) -> float:
            return max((f.stat().st_mtime for f in folder.rglob("*.docx")), default=0.0)

        last = max(years, key=newest)
        targets += sorted(f for f in last.rglob("*.docx")
                          if not f.name.startswith("~$") and "pdf" not in f.relative_to(last).parts)
    return targets


def summarize(findings: list[Finding]) -> tuple[int, int]:
    errors = sum(1 for f in findings if f.severity == ERROR)
    warnings = sum(1 for f in findings if f.severity == WARNING)
    return errors, warnings


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files as given; a folder stands for every .docx under it (Word's ~$ lock files skipped)."""
    from generator.errors import VanbanError

    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(f for f in path.rglob("*.docx") if not f.name.startswith("~$"))
        elif path.exists():
            files.append(path)
        else:
            raise VanbanError(f"Không tìm thấy tệp: {path}")
    return files
