"""Reading generated .docx files back as a person would: text in reading order."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn

W_P, W_TBL = qn("w:p"), qn("w:tbl")


def _paragraph_text(p) -> str:
    parts = []
    for node in p.iter(qn("w:t"), qn("w:br"), qn("w:tab")):
        if node.tag == qn("w:t"):
            parts.append(node.text or "")
        else:
            parts.append("\n" if node.tag == qn("w:br") else "\t")
    return "".join(parts)


def _block_lines(element) -> list[str]:
    lines: list[str] = []
    for child in element:
        if child.tag == W_P:
            lines.append(_paragraph_text(child))
        elif child.tag == W_TBL:
            for tr in child.iter(qn("w:tr")):
                for tc in tr.findall(qn("w:tc")):
                    lines.extend(_block_lines(tc))
    return lines


def document_lines(path: Path) -> list[str]:
    """Every paragraph of the body, tables cell by cell, in reading order."""
    doc = Document(str(path))
    return _block_lines(doc.element.body)


def words(text: str) -> list[str]:
    """Words for comparison: NFC, lower case, punctuation dropped."""
    return re.findall(r"\w+", unicodedata.normalize("NFC", text).lower())
