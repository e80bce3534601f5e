"""Read a returned .docx the way Word shows it: tables of cell texts, paragraphs, document properties.

What clerks really send back (measured, ../docs/collect.md): answers typed with Track Changes on
(`w:ins`: kept, `w:del`: dropped, that is "accept all"), answers inside content controls
(`w:sdt`: read through), cells merged down over several rows (only the first holds the text;
python-docx repeats it on every row, this reader does not), text split over runs and paragraphs,
comments (not part of the text), forms saved again by LibreOffice. docx2python reads all of these
the same way (tests compare both readers on every such edit); this reader does only what collect
needs, from one parse of word/document.xml, fast enough for ten thousand forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from generator.render.engine import STRICT_PARSER_OPTIONS

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = "{" + W + "}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_VT = "{http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes}"
_CUSTOM = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
_PARSER = etree.XMLParser(**STRICT_PARSER_OPTIONS)

# elements whose text is not the document's text as Word shows it with changes accepted
_SKIP = frozenset({
    f"{_W}del", f"{_W}moveFrom", f"{_W}delText", f"{_W}instrText", f"{_W}delInstrText",
    f"{_W}rPr", f"{_W}pPr", f"{_W}sdtPr", f"{_W}tcPr", f"{_W}trPr", f"{_W}tblPr",
    f"{_MC}Fallback", f"{_W}commentReference", f"{_W}footnoteReference",
})
_BLOCK_WRAPPERS = frozenset({f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}smartTag",
                             f"{_W}ins", f"{_W}moveTo"})


@dataclass
class Cell:
    text: str
    column: int  # the grid column the cell starts at
    span: int = 1
    continued: bool = False  # a cell merged with the one above it (w:vMerge without restart)


@dataclass
class Row:
    cells: list[Cell]

    def at(self, column: int) -> Cell | None:
        """The cell covering a grid column."""
        for cell in self.cells:
            if cell.column <= column < cell.column + cell.span:
                return cell
        return None


@dataclass
class Table:
    number: int  # 1-based, in the order of the document
    rows: list[Row]


@dataclass
class Document:
    """What collect reads of one returned form."""

    blocks: list[Table | str] = field(default_factory=list)  # body order: tables and paragraphs
    tracked: bool = False  # there were tracked changes (read as accepted)
    properties: dict[str, str] = field(default_factory=dict)

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    @property
    def paragraphs(self) -> list[str]:
        return [b for b in self.blocks if isinstance(b, str)]


def custom_properties(xml: bytes | None) -> dict[str, str]:
    """docProps/custom.xml as name → text value."""
    if not xml:
        return {}
    root = etree.fromstring(xml, _PARSER)
    values = {}
    for prop in root.iter(f"{_CUSTOM}property"):
        name = prop.get("name")
        if name:
            values[name] = "".join(child.text or "" for child in prop if child.tag.startswith(_VT)).strip()
    return values


_SAVED = re.compile(rb"<dcterms:modified[^>]*>\s*(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)")


def saved_at(core_xml: bytes | None) -> datetime | None:
    """When the file was last saved, as Word and LibreOffice record it in docProps/core.xml."""
    match = _SAVED.search(core_xml or b"")
    if not match:
        return None
    try:
        return datetime(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def read_document(document_xml: bytes, custom_xml: bytes | None = None) -> Document:
    """Parse word/document.xml (and docProps/custom.xml) into tables and paragraphs."""
    root = etree.fromstring(document_xml, _PARSER)
    doc = Document(properties=custom_properties(custom_xml))
    body = root.find(f"{_W}body")
    if body is None:
        return doc
    doc.tracked = next(root.iter(f"{_W}ins", f"{_W}del", f"{_W}moveFrom", f"{_W}moveTo"), None) is not None
    counter = [0]
    _blocks(body, doc.blocks, counter)
    return doc


def _blocks(parent: etree._Element, out: list[Table | str], counter: list[int]) -> None:
    for child in parent:
        tag = child.tag
        if tag == f"{_W}p":
            out.append(paragraph_text(child))
        elif tag == f"{_W}tbl":
            counter[0] += 1
            out.append(_table(child, counter[0]))
        elif tag in _BLOCK_WRAPPERS:
            _blocks(child, out, counter)


def _table(tbl: etree._Element, number: int) -> Table:
    rows = []
    for tr in _children(tbl, f"{_W}tr"):
        column = 0
        pr = tr.find(f"{_W}trPr")
        if pr is not None:
            before = pr.find(f"{_W}gridBefore")
            if before is not None:
                column = int(before.get(f"{_W}val", "0") or 0)
        cells = []
        for tc in _children(tr, f"{_W}tc"):
            span, continued = 1, False
            tcpr = tc.find(f"{_W}tcPr")
            if tcpr is not None:
                grid = tcpr.find(f"{_W}gridSpan")
                if grid is not None:
                    span = max(1, int(grid.get(f"{_W}val", "1") or 1))
                merge = tcpr.find(f"{_W}vMerge")
                continued = merge is not None and merge.get(f"{_W}val", "continue") == "continue"
            cells.append(Cell(_cell_text(tc), column, span, continued))
            column += span
        rows.append(Row(cells))
    return Table(number, rows)


def _children(parent: etree._Element, tag: str) -> list[etree._Element]:
    """Direct children of a tag, looking through content controls and tracked insertions."""
    found = []
    for child in parent:
        if child.tag == tag:
            found.append(child)
        elif child.tag in _BLOCK_WRAPPERS:
            found += _children(child, tag)
    return found


def _cell_text(tc: etree._Element) -> str:
    paragraphs: list[str] = []
    _cell_blocks(tc, paragraphs)
    return "\n".join(paragraphs).strip()


def _cell_blocks(parent: etree._Element, out: list[str]) -> None:
    for child in parent:
        if child.tag == f"{_W}p":
            out.append(paragraph_text(child))
        elif child.tag == f"{_W}tbl":  # a table inside a cell: its cells' text, row by row
            for row in _table(child, 0).rows:
                out.append(" ".join(c.text for c in row.cells if c.text))
        elif child.tag in _BLOCK_WRAPPERS:
            _cell_blocks(child, out)


def paragraph_text(p: etree._Element) -> str:
    """A paragraph's text with tracked changes accepted; tabs as spaces, breaks as line breaks."""
    parts: list[str] = []
    _text(p, parts)
    return "".join(parts).replace("\u00a0", " ").strip()


def _text(element: etree._Element, out: list[str]) -> None:
    for child in element:
        tag = child.tag
        if tag in _SKIP or not isinstance(tag, str):
            continue
        if tag == f"{_W}t":
            if child.text:
                out.append(child.text)
        elif tag == f"{_W}tab":
            out.append(" ")
        elif tag in (f"{_W}br", f"{_W}cr"):
            out.append("\n")
        elif tag == f"{_W}noBreakHyphen":
            out.append("-")
        elif tag == f"{_W}p":  # a paragraph inside a text box
            out.append(" ")
            _text(child, out)
        else:
            _text(child, out)
