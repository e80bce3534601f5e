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
_PARSER = etree.XMLParser(collect_ids=False, **STRICT_PARSER_OPTIONS)

_BLOCK_WRAPPERS = frozenset({f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}smartTag",
                             f"{_W}ins", f"{_W}moveTo"})


class Cell:
    """A table cell: where it stands in the grid; its text is read only when asked for."""

    __slots__ = ("_careful", "_element", "_text", "column", "continued", "span")

    def __init__(self, element: etree._Element | None, column: int, span: int = 1,
                 continued: bool = False, text: str | None = None, careful: bool = True) -> None:
        self._element = element
        self._careful = careful  # the document has deleted, moved or fallback content
        self._text = text
        self.column = column  # the grid column the cell starts at
        self.span = span
        self.continued = continued  # merged with the cell above it (w:vMerge without restart)

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = _cell_text(self._element, self._careful) if self._element is not None else ""
        return self._text


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


# byte markers (a plain search is much faster than a regular expression on 100 KB)
_HIDDEN = (b"<w:del ", b"<w:del>", b"<w:moveFrom ", b"<w:moveFrom>", b"Fallback>")
_TRACKED = (b"<w:ins ", b"<w:ins>", b"<w:moveTo ", b"<w:moveTo>", *_HIDDEN[:4])
_SAVED = re.compile(rb"<dcterms:modified[^>]*>\s*(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)")


def saved_at(core_xml: bytes | None) -> datetime | None:
    """When the file was last saved, as Word and LibreOffice record it in docProps/core.xml."""
    match = _SAVED.search(core_xml or b"")
    if not match:
        return None
    try:
        year, month, day, hour, minute, second = (int(g) for g in match.groups())
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


def read_document(document_xml: bytes, custom_xml: bytes | None = None) -> Document:
    """Parse word/document.xml (and docProps/custom.xml) into tables and paragraphs."""
    root = etree.fromstring(document_xml, _PARSER)
    doc = Document(properties=custom_properties(custom_xml))
    body = root.find(f"{_W}body")
    if body is None:
        return doc
    doc.tracked = any(marker in document_xml for marker in _TRACKED)
    careful = any(marker in document_xml for marker in _HIDDEN)
    counter = [0]
    _blocks(body, doc.blocks, counter, careful)
    return doc


def _blocks(parent: etree._Element, out: list[Table | str], counter: list[int], careful: bool) -> None:
    for child in parent:
        tag = child.tag
        if tag == f"{_W}p":
            out.append(paragraph_text(child))
        elif tag == f"{_W}tbl":
            counter[0] += 1
            out.append(_table(child, counter[0], careful))
        elif tag in _BLOCK_WRAPPERS:
            _blocks(child, out, counter, careful)


_TR, _TC, _TRPR, _TCPR = f"{_W}tr", f"{_W}tc", f"{_W}trPr", f"{_W}tcPr"
_GRID_BEFORE, _GRID_SPAN, _VMERGE, _VAL = f"{_W}gridBefore", f"{_W}gridSpan", f"{_W}vMerge", f"{_W}val"


def _table(tbl: etree._Element, number: int, careful: bool = True) -> Table:
    rows = []
    for tr in _children(tbl, _TR):
        column = 0
        for child in tr:
            if child.tag == _TRPR:
                for prop in child:
                    if prop.tag == _GRID_BEFORE:
                        column = int(prop.get(_VAL, "0") or 0)
                break
        cells = []
        for tc in _children(tr, _TC):
            span, continued = 1, False
            for child in tc:
                if child.tag == _TCPR:
                    for prop in child:
                        if prop.tag == _GRID_SPAN:
                            span = max(1, int(prop.get(_VAL, "1") or 1))
                        elif prop.tag == _VMERGE:
                            continued = prop.get(_VAL, "continue") == "continue"
                    break
            cells.append(Cell(tc, column, span, continued, careful=careful))
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


def _cell_text(tc: etree._Element, careful: bool = True) -> str:
    """The cell's paragraphs, each on its own line (a table inside the cell: its text in order)."""
    lines: list[str] = []
    current: list[str] = []
    nodes = _CELL_PIECES(tc) if careful else tc.iter(_P, _T, *_AS_TEXT)
    for node in nodes:
        tag = node.tag
        if tag == _P:
            lines.append("".join(current))
            current = []
        elif tag == _T:
            current.append(node.text or "")
        else:
            current.append(_AS_TEXT[tag])
    lines.append("".join(current))
    texts = [line.replace("\u00a0", " ").strip() for line in lines]
    return "\n".join(t for t in texts if t)


# the text nodes of a paragraph as Word shows it with every change accepted: text, tabs, breaks;
# not what was deleted or moved away, not the fallback copy of drawing content, not field codes
_PIECES = etree.XPath(
    ".//w:t[not(ancestor::w:del or ancestor::w:moveFrom or ancestor::mc:Fallback)]"
    "|.//w:tab[not(ancestor::w:del or ancestor::w:moveFrom or ancestor::mc:Fallback or parent::w:tabs)]"
    "|.//w:br[not(ancestor::w:del or ancestor::w:moveFrom or ancestor::mc:Fallback)]"
    "|.//w:cr[not(ancestor::w:del or ancestor::w:moveFrom or ancestor::mc:Fallback)]"
    "|.//w:noBreakHyphen[not(ancestor::w:del or ancestor::w:moveFrom or ancestor::mc:Fallback)]",
    namespaces={"w": W, "mc": _MC[1:-1]})
_CELL_PIECES = etree.XPath(
    ".//w:p[not(ancestor::mc:Fallback)]"
    "|.//w:t[not(ancestor::w:del or ancestor::w:moveFrom or ancestor::mc:Fallback)]"
    "|.//w:tab[not(ancestor::w:del or ancestor::w:moveFrom or ancestor::mc:Fallback or parent::w:tabs)]"
    "|.//w:br[not(ancestor::w:del or ancestor::w:moveFrom or ancestor::mc:Fallback)]"
    "|.//w:cr[not(ancestor::w:del or ancestor::w:moveFrom or ancestor::mc:Fallback)]"
    "|.//w:noBreakHyphen[not(ancestor::w:del or ancestor::w:moveFrom or ancestor::mc:Fallback)]",
    namespaces={"w": W, "mc": _MC[1:-1]})
_AS_TEXT = {f"{_W}tab": " ", f"{_W}br": "\n", f"{_W}cr": "\n", f"{_W}noBreakHyphen": "-"}


def paragraph_text(p: etree._Element) -> str:
    """A paragraph's text with tracked changes accepted; tabs as spaces, breaks as line breaks."""
    parts = [(node.text or "") if node.tag == _T else _AS_TEXT[node.tag] for node in _PIECES(p)]
    return "".join(parts).replace("\u00a0", " ").strip()


_T = f"{_W}t"
_P = f"{_W}p"
