"""Read a returned .docx the way Word shows it: tables of cell texts, paragraphs, document properties.

What clerks really send back (measured, ../docs/collect.md): answers typed with Track Changes on
(`w:ins`: kept, `w:del`: dropped, that is "accept all"), answers inside content controls
(`w:sdt`: read through), cells merged down over several rows (only the first holds the text;
python-docx repeats it on every row, this reader does not), text split over runs and paragraphs,
comments (not part of the text), forms saved again by LibreOffice. docx2python reads all of these
the same way (tests compare both readers on every such edit); this reader does only what collect
needs, from one parse of word/document.xml, fast enough for ten thousand forms: one pass over the
elements that matter (`_single_pass`) reads the usual form; a form with deleted or moved text, or
a shape that pass does not read (a table in a cell, a text box), is read by the general walk
(`_blocks`, `_table`, `_cell_text`), and tests hold both to the same result on every edit.

The single pass exists twice: over lxml's tree here, and in C over expat's events
(`_fastdocx.c`, built when vanban is installed where a C compiler is). The C one reads the usual
form without building any tree, in well under half the time, and declines everything else
(anything expat refuses, namespaces declared below the root, names lxml would read otherwise,
tracked or hidden content, each shape this pass declines): such a document is parsed by lxml and
read here, as it was before the C pass existed. Tests hold all three to one result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from lxml import etree

from generator.render.engine import STRICT_PARSER_OPTIONS
from generator.text import vn

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
        cells = self.cells
        if column < len(cells):  # the usual row: one cell a grid column
            cell = cells[column]
            if cell.column <= column < cell.column + cell.span:
                return cell  # the only one: cells cover consecutive, separate ranges
        for cell in cells:
            if cell.column <= column < cell.column + cell.span:
                return cell
        return None

    def texts(self, columns: tuple[int | None, ...]) -> list[str]:
        """The text of the cell covering each grid column: "" for no column, no cell, or a cell
        merged down from the row above (its text belongs to that row only)."""
        found = []
        for column in columns:
            cell = self.at(column) if column is not None else None
            found.append("" if cell is None or cell.continued else cell.text)
        return found


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


try:
    from generator.collect import _fastdocx

    # one tiny document at import: a build that does not work with this Python is left unused
    _fastdocx.blocks(f'<w:document xmlns:w="{W}"><w:body><w:p/></w:body></w:document>'.encode(),
                     Cell, Row, Table)
except Exception:  # installed without a C compiler (or for another Python): lxml reads every form
    _fastdocx = None  # type: ignore[assignment]


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


# what Word shows differently from the text in the file: deleted or moved-away text, the fallback
# copy of drawing content (read the careful, slower way); and tracked changes of any kind
_HIDDEN_TAGS = (f"{_W}del", f"{_W}moveFrom", f"{_MC}Fallback")
_TRACKED_TAGS = (f"{_W}ins", f"{_W}moveTo", f"{_W}del", f"{_W}moveFrom")
_MARKED_TAGS = tuple(dict.fromkeys(_HIDDEN_TAGS + _TRACKED_TAGS))
_SAVED = re.compile(rb"<dcterms:modified[^>]*>\s*(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?"
                    rb"(Z|[+-]\d\d:?\d\d)?")


def saved_at(core_xml: bytes | None) -> datetime | None:
    """When the file was last saved, as Word and LibreOffice record it in docProps/core.xml (in
    UTC, as a rule), on the clock in Vietnam."""
    match = _SAVED.search(core_xml or b"")
    if not match:
        return None
    try:
        year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
        moment = datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    zone = match.group(7)
    if zone:
        offset = timedelta() if zone == b"Z" else timedelta(
            hours=int(zone[1:3]), minutes=int(zone[-2:])) * (-1 if zone[:1] == b"-" else 1)
        if abs(offset) < timedelta(hours=24):  # else not a time zone: the time as written
            moment = vn.local_time(moment.replace(tzinfo=timezone(offset)))
    return moment


def read_document(document_xml: bytes, custom_xml: bytes | None = None,
                  single_pass: bool = True) -> Document:
    """Parse word/document.xml (and docProps/custom.xml) into tables and paragraphs: in one pass
    when it can (see _fast_blocks; in C without any tree when it is built), else by the general
    walk (always, with single_pass=False)."""
    if single_pass and _fastdocx is not None:
        blocks = _fastdocx.blocks(document_xml, Cell, Row, Table)
        if blocks is not None:
            return Document(blocks=blocks, properties=custom_properties(custom_xml))
    root = etree.fromstring(document_xml, _PARSER)
    doc = Document(properties=custom_properties(custom_xml))
    body = next(root.iterchildren(_BODY), None)
    if body is None:
        return doc
    # searched in the tree (C speed), not in the bytes: a comment or CDATA cannot fake them
    # the usual form has neither: one search of the tree tells, a second only when it has either
    careful = False
    if next(root.iter(*_MARKED_TAGS), None) is not None:
        doc.tracked = next(root.iter(*_TRACKED_TAGS), None) is not None
        careful = next(root.iter(*_HIDDEN_TAGS), None) is not None
    blocks = _fast_blocks(body) if single_pass and not careful else None
    if blocks is None:
        blocks = []
        _blocks(body, blocks, [0], careful)
    doc.blocks = blocks
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
                        column = _decimal(prop, 0)
                break
        cells = []
        for tc in _children(tr, _TC):
            span, continued = 1, False
            for child in tc:
                if child.tag == _TCPR:
                    for prop in child:
                        if prop.tag == _GRID_SPAN:
                            span = max(1, _decimal(prop, 1))
                        elif prop.tag == _VMERGE:
                            continued = prop.get(_VAL, "continue") == "continue"
                    break
            cells.append(Cell(tc, column, span, continued, careful=careful))
            column += span
        rows.append(Row(cells))
    return Table(number, rows)


class Malformed(ValueError):
    """Markup Word would refuse to open (a grid span that is not a number): the form is damaged."""


_DECIMAL = re.compile(r"[ \t\r\n]*[+-]?[0-9]+[ \t\r\n]*")


def _decimal(element: etree._Element, default: int) -> int:
    """A w:gridSpan's or w:gridBefore's number (an xsd:integer; absent or empty: the default)."""
    value = element.get(_VAL)
    if not value:
        return default
    if not _DECIMAL.fullmatch(value):
        raise Malformed(f"<w:{etree.QName(element).localname} w:val=\"{value}\"> không phải là số")
    return int(value)


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
_BODY, _TBL, _TABS = f"{_W}body", f"{_W}tbl", f"{_W}tabs"
_TAB, _BR, _CR, _NBH = f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}noBreakHyphen"
_FAST_TAGS = (_TBL, _TR, _TC, _P, _T, _TAB, _BR, _CR, _NBH, _GRID_BEFORE, _GRID_SPAN, _VMERGE)


class _Declined(Exception):
    """The document has a shape the single pass does not read (a table inside a cell, a text box,
    markup out of place): it is read by the general walk instead."""


def _fast_blocks(body: etree._Element) -> list[Table | str] | None:
    """The blocks of a document without hidden content (no w:del, w:moveFrom, mc:Fallback), in one
    pass over the elements that matter, in document order: the same result as `_blocks` with
    `_cell_text`, several times faster. Returns None for a shape it does not read (then the
    general walk reads the document): a table or paragraph anywhere but in the body or a cell of
    a body table (through the same wrappers as `_blocks`), text outside a paragraph."""
    try:
        return _single_pass(body)
    except _Declined:
        return None


def _up_to(element: etree._Element, first: etree._Element | None,
           second: etree._Element | None = None) -> etree._Element:
    """`first` or `second`, whichever the element sits in through block wrappers only."""
    parent = element.getparent()
    while parent is not None:
        if parent is first or parent is second:
            return parent
        if parent.tag not in _BLOCK_WRAPPERS:
            break
        parent = parent.getparent()
    raise _Declined


def _inside(element: etree._Element, ancestor: etree._Element) -> None:
    """Text belongs to the paragraph it is in; anything else is declined."""
    parent = element.getparent()
    while parent is not None:
        if parent is ancestor:
            return
        parent = parent.getparent()
    raise _Declined


def _lines(lines: list[str]) -> str:
    """A cell's text from its paragraphs' texts, as _cell_text joins them."""
    if len(lines) == 1:  # most cells: one paragraph
        return lines[0].replace("\u00a0", " ").strip()
    if not lines:
        return ""
    return "\n".join(t for t in (line.replace("\u00a0", " ").strip() for line in lines) if t)


def _close_cell(cell: Cell, lines: list[str], pieces: list[str] | None) -> None:
    """The open cell is over: its text from its paragraphs (and the open one's pieces, if any)."""
    if pieces is not None:
        lines.append("".join(pieces))
    cell._text = _lines(lines)


def _close_block(blocks: list[Table | str], number: int, rows: list[Row] | None,
                 pieces: list[str] | None) -> None:
    """The open block of the body is over: a table (its rows), else a paragraph (its pieces)."""
    if rows is not None:
        blocks.append(Table(number, rows))
    elif pieces is not None:
        blocks.append("".join(pieces).replace("\u00a0", " ").strip())


def _single_pass(body: etree._Element) -> list[Table | str]:
    blocks: list[Table | str] = []
    number = 0
    tbl = tr = tc = p = None  # the open table, row, cell and paragraph (elements)
    cell: Cell | None = None  # the open cell
    cells: list[Cell] = []  # the open row's cells
    rows: list[Row] = []  # the open table's rows
    lines: list[str] = []  # the open cell's paragraphs before the open one
    pieces: list[str] = []  # the open paragraph's text so far
    start = 0  # the grid column the open row's first cell starts at (w:gridBefore)
    last_run = None  # the run of the last w:t, known to be in the open paragraph
    for element in body.iter(*_FAST_TAGS):
        tag = element.tag
        if tag == _T:
            if p is None:
                raise _Declined
            run = element.getparent()
            if run is not last_run:  # a run's second w:t needs no second look
                if run.getparent() is not p:  # w:t in w:r in w:p, else look up
                    _inside(element, p)
                last_run = run
            text = element.text
            if text:
                pieces.append(text)
        elif tag == _P:
            parent = element.getparent()
            if tc is not None and (parent is tc or _up_to(element, body, tc) is tc):
                if p is not None:
                    lines.append("".join(pieces))  # the cell's paragraph before this one
            else:  # a paragraph of the body: the open table or paragraph, if any, is over
                if parent is not body:
                    _up_to(element, body)
                if cell is not None:
                    _close_cell(cell, lines, pieces if p is not None else None)
                _close_block(blocks, number, rows if tbl is not None else None,
                             pieces if p is not None else None)
                tbl = tr = tc = cell = None
            pieces = []
            p, last_run = element, None
        elif tag == _TC:
            if tr is None or (element.getparent() is not tr and _up_to(element, tr) is not tr):
                raise _Declined
            if cell is not None:  # the row's cell before this one is over
                _close_cell(cell, lines, pieces if p is not None else None)
                cell = Cell(None, cell.column + cell.span, 1, False, "")
            else:
                cell = Cell(None, start, 1, False, "")
            cells.append(cell)
            tc, p, lines, pieces = element, None, [], []
        elif tag == _TR:
            if tbl is None or (element.getparent() is not tbl and _up_to(element, tbl) is not tbl):
                raise _Declined
            if cell is not None:
                _close_cell(cell, lines, pieces if p is not None else None)
            cells, start = [], 0
            rows.append(Row(cells))
            tr, tc, cell, p, pieces = element, None, None, None, []
        elif tag == _TBL:
            if element.getparent() is not body:
                _up_to(element, body)  # else a table in a cell or in a text box: declined
            if cell is not None:
                _close_cell(cell, lines, pieces if p is not None else None)
            _close_block(blocks, number, rows if tbl is not None else None,
                         pieces if p is not None else None)
            number += 1
            tbl, tr, tc, p, cell, rows, pieces = element, None, None, None, None, [], []
        elif tag == _TAB:
            if element.getparent().tag == _TABS:
                continue  # a tab stop of the paragraph's properties, not a tab character
            if p is None:
                raise _Declined
            _inside(element, p)
            pieces.append(" ")
        elif tag in _AS_TEXT:  # w:br, w:cr, w:noBreakHyphen
            if p is None:
                raise _Declined
            _inside(element, p)
            pieces.append(_AS_TEXT[tag])
        elif tag == _GRID_BEFORE:
            # as _table reads it: in the row's first w:trPr (read before any cell)
            parent = element.getparent()
            if tr is None or cells or parent.getparent() is not tr or \
                    parent is not next(tr.iterchildren(_TRPR), None):
                raise _Declined
            start = _decimal(element, 0)
        else:  # w:gridSpan, w:vMerge: as _table reads them, in the cell's first w:tcPr
            parent = element.getparent()
            holder = parent.getparent()
            if cell is None or holder is not tc:
                if holder is not None and holder.tag == _TC:
                    raise _Declined  # a cell's property out of place
                continue  # a former value (in w:tcPrChange)
            if parent is not next(tc.iterchildren(_TCPR), None):
                raise _Declined
            if tag == _GRID_SPAN:
                cell.span = max(1, _decimal(element, 1))
            else:
                cell.continued = element.get(_VAL, "continue") == "continue"
    if cell is not None:
        _close_cell(cell, lines, pieces if p is not None else None)
    _close_block(blocks, number, rows if tbl is not None else None,
                 pieces if p is not None else None)
    return blocks
