"""docs/ says what the code does: every workbook column and every template variable is listed."""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

import pytest

from generator.documents.context import DecisionContext, ReportContext
from generator.workbook import schema

ROOT = Path(__file__).resolve().parent.parent
LOOP_NAMES = {"line", "b", "a", "r", "item", "area", "t", "loop", "p", "g", "task", "target",
              "period", "row", "x"}


def test_workbook_doc_lists_every_sheet_field_and_column():
    text = (ROOT / "docs" / "workbook.md").read_text(encoding="utf-8")
    assert f"## {schema.GENERAL.name}" in text
    for field in schema.GENERAL.fields:
        assert f"| {field.label} | `{field.key}` |" in text, field.label
    for table in schema.TABLES:
        assert f"## {table.name}" in text, table.name
        for column in table.columns:
            assert f"| {column.header} | `{column.key}` |" in text, column.header


def template_variables(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as z:
        xml = " ".join(z.read(n).decode("utf-8") for n in z.namelist()
                       if n.startswith("word/") and n.endswith(".xml"))
    text = html.unescape(re.sub(r"<[^>]+>", "", xml))  # `<` in a tag is `&lt;` in the XML
    names = set()
    for expr in re.findall(r"\{[{%](.*?)[}%]\}", text):
        names.update(re.findall(r"(?<![.\w'\"])([a-z_][a-z0-9_]*)", expr))
    keywords = {"p", "tr", "tc", "for", "in", "if", "elif", "else", "endif", "endfor", "not",
                "and", "or", "upper", "is", "none", "true", "false", "set"}
    return names - keywords


def test_every_template_variable_is_documented():
    doc = (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")
    for template in sorted((ROOT / "templates").glob("*.docx")):
        for name in sorted(template_variables(template) - LOOP_NAMES):
            assert f"`{name}`" in doc, f"{template.name}: {name} is not in docs/templates.md"


def test_every_check_code_is_documented():
    doc = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    # the modules whose problems `vanban check` reports (new-year's own refusals are in rollover.md)
    modules = ("reader", "plan", "hygiene", "citations", "deadlines", "agencies", "filecheck")
    source = " ".join(p.read_text(encoding="utf-8") for p in (ROOT / "generator").rglob("*.py")
                      if p.stem in modules)
    codes = set(re.findall(r'code="([a-z0-9-]+)"', source))
    codes |= set(re.findall(r'"((?:duplicate|legacy)-[a-z-]+)"', source))
    codes |= {f"bad-{kind}" for kind in ("int", "year", "date", "choice", "bool")}
    assert len(codes) > 40
    for code in sorted(codes):
        assert f"`{code}`" in doc, f"{code} is not in docs/checks.md"


def documented_variables(template: str) -> set[str]:
    """The names in the first column of the table under `## templates/<template> — …`."""
    text = (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")
    section = text.split(f"## templates/{template}", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            names.update(re.findall(r"`([a-z_]+)`", line.split("|")[1]))
    return names


@pytest.mark.parametrize(("template", "context"), [("decision.docx", DecisionContext),
                                                   ("report.docx", ReportContext)])
def test_templates_md_lists_exactly_the_keys_of_each_context(template, context):
    """The TypedDict is what the code gives (mypy holds it); the page says exactly that, no more."""
    assert documented_variables(template) == context.__required_keys__ | context.__optional_keys__
