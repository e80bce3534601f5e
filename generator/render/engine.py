"""Prepare a .docx template once, then render many documents from it, byte for byte reproducibly."""

from __future__ import annotations

import copy
import io
import pyexpat
import re
import struct
import threading
import zipfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha256
from pathlib import Path
from typing import Any

import jinja2
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docxtpl import DocxTemplate
from jinja2 import nodes
from lxml import etree
from markupsafe import Markup
from markupsafe import escape as markupsafe_escape

from generator.render.tags import OPENERS

# What docxtpl does to a part before and after Jinja is reused from docxtpl itself, so the
# engine's output stays the output of docxtpl: only *when* the work is done changes.
_DOCXTPL = DocxTemplate.__new__(DocxTemplate)
_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
# custom document properties (docProps/custom.xml): rendered when they hold tags (docxtpl leaves
# them as they are), so that a form carries its identity where Word and LibreOffice keep it
CUSTOM_PROPERTIES = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
_W = "{" + _NS["w"] + "}"
_DOCPR = etree.XPath(
    "//wp:docPr",
    namespaces={"wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"},
)
# core properties docxtpl renders as templates (docxtpl.DocxTemplate.render_properties)
_TEMPLATED_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
_PROPERTY_LIMIT = 255  # characters of a core property (python-docx refuses more)
_JINJA_MARK = re.compile(r"{[{%#]")
# A character docxtpl's resolve_listing turns into a tab, break or paragraph, inside text. The only
# other newlines of a rendering are those docxtpl puts before each <w:p> (left where a {%p} tag
# was): always between elements, so followed by "<" or another of them, never by "</w:t>".
_NEWLINE_IN_TEXT = re.compile(r"\n(?:[^<\n]|</w:t>|\Z)")  # starts with a literal: a fast scan
# ...except after an empty <w:t .../>, where resolve_listing's own pattern runs on to the next </w:t>
_SELF_CLOSED_TEXT = re.compile(r"<w:t [^>]*/>")
# A part compressed once per template (one the template stores uncompressed, a header without a
# tag, the core properties) gets the smallest output; a part compressed per document the fastest
# (a form's document.xml: about 0.5 ms instead of 2, for a few kilobytes more). Parts the template
# has deflated are copied as they are.
FIXED_LEVEL, RENDERED_LEVEL = 9, 1
_XMLNS = re.compile(r'\s+xmlns:(\w+)="([^"]*)"')
_STATEMENT = re.compile(r"{%-?\s*(\w+)([^%]*)%}")
_OPENERS = frozenset(OPENERS)
# Strict: a part that is not well-formed XML is an error, never silently "recovered"; no entity
# is resolved and nothing is fetched; big texts are allowed.
STRICT_PARSER_OPTIONS: dict[str, Any] = dict(resolve_entities=False, no_network=True, huge_tree=True)
_BODY_PARSER = etree.XMLParser(**STRICT_PARSER_OPTIONS)
# python-docx's own parser settings for header and footer parts (docx.oxml.parser.oxml_parser)
_PART_PARSER = etree.XMLParser(remove_blank_text=True, **STRICT_PARSER_OPTIONS)
_CONTENT_TYPES = "[Content_Types].xml"


class _Printed(threading.local):
    markup = False  # a value that carries its own markup was printed since the flag was reset
    template: PreparedTemplate | None = None  # the template being rendered in this thread


PRINTED = _Printed()


def note_printed(value: Any) -> None:
    """For an environment's `finalize` (which sees every value a tag prints): a value carrying its
    own markup (`__html__`, such as Markup) is printed unescaped, so the rendering is checked
    whatever the template's proof says (`proven_well_formed`). A finalize that calls this says so
    with an attribute `notes_markup = True`; with any other, every rendering is checked."""
    if hasattr(value, "__html__"):
        PRINTED.markup = True
        _check_supported(value)


class UnsupportedValue(ValueError):
    """A value the prepared engine cannot put in a document (said in Vietnamese, with what to do)."""


def _check_supported(value: Any) -> None:
    """Refuse clearly what a prepared template cannot carry: a Subdoc (its styles, numbering and
    pictures live in another package), a picture made for another template."""
    from docxtpl.inline_image import InlineImage

    kind = type(value)
    if kind.__name__ == "Subdoc" and kind.__module__.startswith("docxtpl"):  # needs docxcompose
        raise UnsupportedValue(
            "Mẫu đã chuẩn bị (PreparedTemplate) không chèn được văn bản con (Subdoc): kiểu chữ, đánh "
            "số và ảnh của nó nằm ở tệp khác. Hãy dùng DocxTemplate của docxtpl cho mẫu này.")
    if isinstance(value, InlineImage) and PRINTED.template is not None and value.tpl is not PRINTED.template:
        raise UnsupportedValue(
            "Ảnh (InlineImage) được tạo cho mẫu khác; hãy tạo InlineImage(mẫu đang dựng, ảnh, …) "
            "với chính mẫu đã chuẩn bị đang dựng văn bản.")


def _refuse_replacement(method: str, what: str) -> None:
    raise UnsupportedValue(
        f"Mẫu đã chuẩn bị (PreparedTemplate) không hỗ trợ {method} (thay {what} trong mẫu). Hãy dùng "
        "DocxTemplate của docxtpl cho mẫu này, hoặc thay sẵn trong tệp mẫu (.docx) rồi mới chuẩn bị.")


class RenderedXmlError(ValueError):
    """The template and the data together gave a part that is not well-formed XML."""

    def __init__(self, part: str, detail: str) -> None:
        super().__init__(f"{part}: {detail}")
        self.part = part
        self.detail = detail


@dataclass(frozen=True)
class Member:
    """One zip member, compressed once: name, raw deflate data, CRC-32, uncompressed size."""

    name: str
    data: bytes
    crc: int
    size: int

    @classmethod
    def of(cls, name: str, content: bytes, level: int = zlib.Z_DEFAULT_COMPRESSION) -> Member:
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
        data = compressor.compress(content) + compressor.flush()
        return cls(name, data, zlib.crc32(content), len(content))

    @classmethod
    def copied(cls, package: bytes, info: zipfile.ZipInfo) -> Member | None:
        """A deflated member of a zip, its compressed bytes taken as they are (nothing to redo);
        None when it is stored, encrypted or otherwise not plainly deflated."""
        if info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & 0x1:
            return None
        start = info.header_offset
        header = package[start:start + 30]
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            return None
        name_length, extra_length = struct.unpack("<2H", header[26:30])
        begin = start + 30 + name_length + extra_length
        data = package[begin:begin + info.compress_size]
        if len(data) != info.compress_size:
            return None
        return cls(info.filename, data, info.CRC, info.file_size)


def member_order(name: str) -> tuple[bool, str]:
    """[Content_Types].xml first, as Office writes it; the rest by name, always the same order."""
    return (name != _CONTENT_TYPES, name)


def write_zip(members: list[Member], when: datetime) -> bytes:
    """A zip of pre-compressed members with fixed dates and attributes.

    The layout is the one zipfile.ZipFile.writestr writes (a test compares the bytes with
    render.normalize_zip's), but members compressed once are copied, not recompressed.
    """
    dostime = 0
    dosdate = (max(when.year, 1980) - 1980) << 9 | when.month << 5 | when.day
    local = io.BytesIO()
    central = io.BytesIO()
    for m in sorted(members, key=lambda m: member_order(m.name)):
        offset = local.tell()
        try:
            name = m.name.encode("ascii")
            flags = 0
        except UnicodeEncodeError:
            name = m.name.encode("utf-8")
            flags = 0x800
        local.write(struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, flags, 8, dostime, dosdate,
                                m.crc, len(m.data), m.size, len(name), 0))
        local.write(name)
        local.write(m.data)
        central.write(struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 3, 20, 0, flags, 8, dostime,
                                  dosdate, m.crc, len(m.data), m.size, len(name), 0, 0, 0, 0,
                                  0o644 << 16, offset))
        central.write(name)
    directory = central.getvalue()
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory),
                      local.tell(), 0)
    return local.getvalue() + directory + end


@dataclass
class _Part:
    """A part Jinja renders: its zip name, compiled template and how its output is stored."""

    name: str
    template: jinja2.Template | None  # None for a part without a tag, rendered once when prepared
    kind: str  # "body", "part" (header/footer, re-parsed as python-docx does) or "raw" (footnotes)
    encoding: str = "utf-8"
    listing_always: bool = False  # resolve_listing must run whatever the rendering holds
    proven: bool = False  # every rendering is well-formed (proven_well_formed)


def _property_text(rendered: str) -> str:
    """A rendered document property (a title made from the trích yếu) as the text it says: the
    environment escapes for XML and the property is escaped again when written, so the escaping is
    undone here; cut to the 255 characters python-docx allows (it is metadata, shown as a title)."""
    text = str(Markup(rendered).unescape())
    return text if len(text) <= _PROPERTY_LIMIT else text[:_PROPERTY_LIMIT - 1] + "…"


class PreparedTemplate:
    """A template read, patched and compiled once; `render` makes one document's bytes.

    Equivalent to `DocxTemplate(path).render(context, env, autoescape=True)` followed by a save,
    for word/document.xml, headers, footers and footnotes (tests compare them after XML
    canonicalisation); untouched package parts are copied as the template's own bytes.
    """

    def __init__(self, path: Path, env: jinja2.Environment,
                 before: Callable[[Any], None] | None = None) -> None:
        raw = path.read_bytes()
        self.path = path
        self._raw = raw
        self._links: list[str] = []  # hyperlink targets of RichText(url_id=build_url_id(url))
        self._extras: _Extras | None = None  # the package of the rendering that added pictures
        self._rendering = ""  # zip name of the part being rendered
        self.digest = sha256(raw).hexdigest()
        self.env = env
        docx = Document(io.BytesIO(raw))
        if before is not None:
            before(docx)  # e.g. tags joined where Word split them, before anything is taken
        self._docx = docx
        main = docx.part
        self._main_name = main.partname.lstrip("/")
        self._parts: list[_Part] = []
        self._fixed: dict[str, Member] = {}

        # the body, as docxtpl takes it: python-docx's parse of document.xml, body serialized
        root = docx.element
        body_src = _DOCXTPL.patch_xml(etree.tostring(root.body, encoding="unicode"))
        # The usual case: no tag can change a table's columns and no picture needs renumbering,
        # so docxtpl's re-parse (fix_tables, fix_docpr_ids) cannot change anything; the rendered
        # body is then checked by a fast non-validating parser and put between the document's
        # own bytes, instead of parsed into a tree and serialized again.
        self._prefix = self._suffix = b""
        self._splice = _tables_are_static(body_src) and "docPr" not in body_src
        if self._splice:
            shell = copy.deepcopy(root)
            shell.body.clear()
            around = etree.tostring(shell, encoding="UTF-8", standalone=True).split(b"<w:body/>")
            self._splice = len(around) == 2  # the body is replaced whole, its own start tag included
        if self._splice:
            self._prefix, self._suffix = around
            body_src = _drop_inherited_namespaces(body_src, root.nsmap)
        # proven once: then no rendering needs the per-document check (see proven_well_formed)
        prove = (self._prefix, self._suffix) if self._splice and getattr(
            env.finalize, "notes_markup", False) else None
        body = self._part(self._main_name, body_src, "body", prove=prove)
        self._parts.append(body)
        self._proven = body.proven
        # the document around the body, with a placeholder where each rendering's body goes
        self._shell = copy.deepcopy(root)
        placeholder = self._shell.find(f"{_W}body")
        self._body_index = list(self._shell).index(placeholder)
        self._shell.remove(placeholder)

        for uri in (RT.HEADER, RT.FOOTER):
            for rel in main.rels.values():
                if rel.reltype == uri and not rel.is_external and rel.target_part.blob:
                    part = rel.target_part
                    src = etree.tostring(etree.fromstring(part.blob, _PART_PARSER), encoding="unicode")
                    self._add_part(part.partname.lstrip("/"), _DOCXTPL.patch_xml(src), "part")
        for part in main.package.parts:
            if part.content_type == _FOOTNOTES:
                src = _DOCXTPL.patch_xml(part.blob.decode("utf-8"))
                self._add_part(part.partname.lstrip("/"), src, "raw")
            elif part.content_type == CUSTOM_PROPERTIES and _JINJA_MARK.search(part.blob.decode("utf-8")):
                self._add_part(part.partname.lstrip("/"), part.blob.decode("utf-8"), "raw")

        rendered = {p.name for p in self._parts} | set(self._fixed)
        core = main.package._core_properties_part.partname.lstrip("/")
        with zipfile.ZipFile(io.BytesIO(raw)) as package:
            names = [n for n in package.namelist() if not n.endswith("/")]
            for info in package.infolist():
                name = info.filename
                if name in names and name not in rendered and name != core:
                    content = package.read(name)  # the CRC is checked as it is read
                    if name.endswith((".xml", ".rels")):
                        # checked once here, so every document's copy of it is sound
                        try:
                            etree.fromstring(content, _BODY_PARSER)
                        except etree.XMLSyntaxError as exc:
                            raise RenderedXmlError(name, str(exc)) from exc
                    self._fixed[name] = Member.copied(raw, info) or Member.of(name, content, FIXED_LEVEL)
        # dated from the plan; a template without core properties stays without them
        self._core_name = core if core in names else None
        props = docx.core_properties
        self._core_templates = {
            prop: (self._compile_plain(getattr(props, prop) or ""))
            for prop in _TEMPLATED_PROPERTIES
        }
        self._core_cache: dict[tuple, Member] = {}

    # -- what docxtpl's InlineImage and RichText ask of a template ------------------------------

    @property
    def current_rendering_part(self) -> Any:
        """The python-docx part being rendered, in a package of this rendering's own: an
        InlineImage adds its picture and relationship there, and `render` takes them over."""
        if PRINTED.template is not self:
            raise UnsupportedValue("Ảnh (InlineImage) chỉ được in khi mẫu đang dựng văn bản.")
        if self._extras is None:
            self._extras = _Extras(self._raw, self._links)
        return self._extras.part(self._rendering)

    @property
    def has_links(self) -> bool:
        """A hyperlink relationship was added to the template's own parts (RichText url_id)."""
        return bool(self._links)

    def build_url_id(self, url: str) -> str:
        """The relationship id of a hyperlink (RichText's url_id), the same in every document."""
        rid = self._docx.part.relate_to(url, RT.HYPERLINK, is_external=True)
        if url not in self._links:
            self._links.append(url)
            rels = self._docx.part.rels
            name = f"word/_rels/{self._main_name.rpartition('/')[2]}.rels"
            self._fixed[name] = Member.of(name, _serialize(rels.xml), FIXED_LEVEL)
        return rid

    def new_subdoc(self, docpath: Any = None) -> Any:
        raise UnsupportedValue(
            "Mẫu đã chuẩn bị (PreparedTemplate) không chèn được văn bản con (Subdoc); hãy dùng "
            "DocxTemplate của docxtpl cho mẫu này.")

    # docxtpl's replacements of pictures, media and embedded files act on the package when it is
    # saved; a prepared template copies its parts as read once, so they would be silently lost
    def replace_pic(self, embedded_file: Any, dst_file: Any) -> None:
        _refuse_replacement("replace_pic", "ảnh")

    def replace_media(self, src_file: Any, dst_file: Any) -> None:
        _refuse_replacement("replace_media", "tệp media")

    def replace_embedded(self, src_file: Any, dst_file: Any) -> None:
        _refuse_replacement("replace_embedded", "tệp nhúng")

    def replace_zipname(self, zipname: Any, dst_file: Any) -> None:
        _refuse_replacement("replace_zipname", "tệp trong gói")

    # -- preparation -------------------------------------------------------------------------

    def _part(self, name: str, patched: str, kind: str, encoding: str = "utf-8",
              prove: tuple[bytes, bytes] | None = None) -> _Part:
        """One Jinja compilation of a patched part (and, with `prove`, the proof that every
        rendering of it, between those bytes, is well-formed: see proven_well_formed).

        docxtpl's render_xml_part puts a line break before each <w:p> before compiling, only so
        that Jinja's errors have line numbers, and removes them all after rendering; whitespace
        control can at most remove one of them first. Compiled without them, the rendering is the
        same and has nothing to remove; they are put in only to say where a syntax error is.
        """
        env = self.env
        try:
            tree = env.parse(patched)
        except jinja2.TemplateSyntaxError:
            env.parse(patched.replace("<w:p ", "\n<w:p ").replace("<w:p>", "\n<w:p>"))
            raise
        proven = prove is not None and _proven_tree(env, patched, tree, *prove)
        template = env.template_class.from_code(env, env.compile(tree), env.make_globals(None), None)
        return _Part(name, template, kind, encoding,
                     listing_always=bool(_SELF_CLOSED_TEXT.search(patched)), proven=proven)

    def _compile_plain(self, text: str) -> jinja2.Template | str:
        return self.env.from_string(text) if _JINJA_MARK.search(text) else text

    def _add_part(self, name: str, src: str, kind: str) -> None:
        encoding = "utf-8"
        if kind == "part":
            found = re.match(r'<\?xml[^\?]+\bencoding="([^"]+)"', src, re.I)
            encoding = found.group(1) if found else "utf-8"
        if _JINJA_MARK.search(src):
            self._parts.append(self._part(name, src, kind, encoding))
        else:
            # no tag: the part renders the same for every context, so render it once now, as
            # Jinja renders text: line breaks made "\n", one final line break dropped
            lines = re.split(r"\r\n|\r|\n", src)
            text = "\n".join(lines[:-1] if lines[-1] == "" else lines)
            part = _Part(name, None, kind, encoding,
                         listing_always=bool(_SELF_CLOSED_TEXT.search(src)))
            self._fixed[name] = Member.of(name, self._finish(part, text), FIXED_LEVEL)

    # -- rendering ---------------------------------------------------------------------------

    @staticmethod
    def _post(part: _Part, xml: str) -> tuple[str, bool]:
        """docxtpl's render_xml_part epilogue: undo the line breaks, unescape, resolve listings
        (and say whether listings were resolved: that inserts markup the proof does not cover)."""
        # (each test starts with a one-character scan, fast on a large text that lacks it)
        if "\n" in xml:  # a line break the data put right before a paragraph, as docxtpl drops it
            xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
        if "_" in xml and ("{_" in xml or "_}" in xml):
            xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        # resolve_listing changes nothing unless text holds one of its characters: skip its regexes
        if part.listing_always or _has_listing(xml):
            return _DOCXTPL.resolve_listing(xml), True
        return xml, False

    def _finish(self, part: _Part, rendered: str) -> bytes:
        xml, _ = self._post(part, rendered)
        if part.kind == "part":
            try:
                tree = etree.fromstring(xml.encode(part.encoding), _PART_PARSER)
            except etree.XMLSyntaxError as exc:
                raise RenderedXmlError(part.name, str(exc)) from exc
            return etree.tostring(tree, encoding="UTF-8", standalone=True)
        data = xml.encode("utf-8")
        try:
            etree.fromstring(data, _BODY_PARSER)
        except etree.XMLSyntaxError as exc:
            raise RenderedXmlError(part.name, str(exc)) from exc
        return data

    def _document(self, part: _Part, rendered: str) -> bytes:
        xml, listed = self._post(part, rendered)
        if self._splice and self._extras is not None:
            # pictures were added: number their docPr ids as docxtpl's fix_docpr_ids does
            data = self._prefix + xml.encode("utf-8") + self._suffix
            try:
                tree = etree.fromstring(data, _BODY_PARSER)
            except etree.XMLSyntaxError as exc:
                raise RenderedXmlError(part.name, str(exc)) from exc
            for number, element in enumerate(_DOCPR(tree), start=1001):
                element.attrib["id"] = str(number)
            return etree.tostring(tree, encoding="UTF-8", standalone=True)
        if self._splice:
            data = self._prefix + xml.encode("utf-8") + self._suffix
            if not self._proven or listed or PRINTED.markup:
                _check_well_formed(data, part.name)
            return data
        try:
            body = etree.fromstring(xml, _BODY_PARSER)
        except etree.XMLSyntaxError as exc:
            raise RenderedXmlError(self._main_name, str(exc)) from exc
        if _tables_need_fixing(body):
            body = _DOCXTPL.fix_tables(xml)
        for number, element in enumerate(_DOCPR(body), start=1001):
            element.attrib["id"] = str(number)
        document = copy.deepcopy(self._shell)
        document.insert(self._body_index, body)
        return etree.tostring(document, encoding="UTF-8", standalone=True)

    def _core(self, context: Mapping[str, Any], when: datetime) -> Member:
        assert self._core_name is not None
        values = tuple(
            t if isinstance(t, str) else _property_text(t.render(context))
            for t in self._core_templates.values()
        )
        key = (when, values)
        member = self._core_cache.get(key)
        if member is None:
            props = self._docx.core_properties
            for prop, value in zip(self._core_templates, values, strict=True):
                setattr(props, prop, value)
            props.created = when
            props.modified = when
            props.last_modified_by = "vanban"
            props.revision = 1
            part = self._docx.part.package._core_properties_part
            data = etree.tostring(part._element, encoding="UTF-8", standalone=True)
            member = Member.of(self._core_name, data, FIXED_LEVEL)
            self._core_cache[key] = member
        return member

    def render_parts(self, context: Mapping[str, Any]) -> dict[str, bytes]:
        """The rendered XML parts of one document, by zip name (what the equivalence test reads)."""
        context = dict(context)
        out = {}
        self._extras = None
        PRINTED.template = self
        try:
            for part in self._parts:
                PRINTED.markup = False
                self._rendering = part.name
                assert part.template is not None  # parts without a tag are not among _parts
                rendered = part.template.render(context)
                if part.kind == "body":
                    out[part.name] = self._document(part, rendered)
                else:
                    out[part.name] = self._finish(part, rendered)
        finally:
            PRINTED.template = None
        if self._extras is not None:
            out.update(self._extras.members(self._raw))
        return out

    def render(self, context: Mapping[str, Any], when: datetime) -> bytes:
        """One document's .docx bytes; the same context and date always give the same bytes."""
        members = dict(self._fixed)
        for name, data in self.render_parts(context).items():
            members[name] = Member.of(name, data, RENDERED_LEVEL)  # pictures included
        if self._core_name:
            members[self._core_name] = self._core(context, when)
        return write_zip(list(members.values()), when)

    @property
    def proven(self) -> bool:
        """Is every rendering's body well-formed by construction (checked per document only when a
        value carrying its own markup or a resolved listing makes it so)?"""
        return bool(self._proven)

    @property
    def document(self) -> Any:
        """The template as python-docx read it (after `before`), for checks that need it."""
        return self._docx


def _tables_need_fixing(body: etree._Element) -> bool:
    """Would docxtpl's fix_tables change a table? Only then is its (re-parsing) fix applied."""
    for table in body.iter(f"{_W}tbl"):
        grid = table.find(f"{_W}tblGrid")
        if grid is None:
            continue
        columns = len(grid.findall(f"{_W}gridCol"))
        widest = spanned = 0
        for row in table.iter(f"{_W}tr"):
            cells = row.findall(f"{_W}tc")
            widest = max(widest, len(cells))
            span = 0
            for cell in cells:
                value = cell.find(f"{_W}tcPr/{_W}gridSpan")
                span += int(value.get(f"{_W}val")) if value is not None else 1
            spanned = max(spanned, span)
        if widest > columns or spanned < columns:
            return True
    return False


def _has_listing(xml: str) -> bool:
    return "\t" in xml or "\a" in xml or "\f" in xml or ("\n" in xml and bool(_NEWLINE_IN_TEXT.search(xml)))


def _reject_doctype(*_: object) -> None:
    raise ValueError("DOCTYPE in a rendered part")


def _check_well_formed(data: bytes, part: str) -> None:
    """Strict well-formedness without building a tree (expat is fast).

    Prefixes are not checked: every element and attribute comes from the template's own
    document, whose prefixes its root declares; data is escaped text and cannot add any.
    """
    parser = pyexpat.ParserCreate()
    parser.StartDoctypeDeclHandler = _reject_doctype
    try:
        parser.Parse(data, True)
    except (pyexpat.ExpatError, ValueError) as exc:
        raise RenderedXmlError(part, str(exc)) from exc


def _drop_inherited_namespaces(body: str, declared: Mapping[str | None, str]) -> str:
    """The body's start tag without the namespace declarations the document element already makes."""
    end = body.index(">")
    head = _XMLNS.sub(lambda m: "" if declared.get(m.group(1)) == m.group(2) else m.group(0), body[:end])
    return head + body[end:]


def _balanced(text: str) -> bool:
    """Do the Jinja statements in this text close every block they open?"""
    depth = 0
    for word, rest in _STATEMENT.findall(text):
        if word in _OPENERS or (word == "set" and "=" not in rest):
            depth += 1
        elif word.startswith("end"):
            depth -= 1
            if depth < 0:
                return False
        elif word not in ("else", "elif", "set", "include", "import", "from", "do", "break", "continue"):
            return False  # a statement this check does not know: assume the worst
    return depth == 0


def _has_tag(text: str | None) -> bool:
    return bool(text) and _JINJA_MARK.search(text) is not None  # type: ignore[arg-type]


_TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
_TAG_SPECIALS = re.compile(r"<|>|&(?!#?\w+;)")
_TAG_ESCAPES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}


def _tables_are_static(patched: str) -> bool:
    """Can no rendering of this patched body change a table's column count (docxtpl's fix_tables)?

    True when every table's rows each fit its grid, its first row always stays and spans the
    grid, and tags inside rows are whole within a cell. Then repeating or dropping rows
    ({%tr}) and anything inside cells leave fix_tables nothing to do. When unsure: False.
    """
    # docxtpl unescapes the text of its tags, so a condition such as `{% if width < 17 %}` holds a
    # bare "<": escaped again here (only for this look at the structure), or no report form would
    # ever take the fast path
    patched = _TAG.sub(lambda m: _TAG_SPECIALS.sub(lambda c: _TAG_ESCAPES[c.group()], m.group()), patched)
    try:
        root = etree.fromstring(patched.encode("utf-8"), _BODY_PARSER)
    except etree.XMLSyntaxError:
        return False
    for table in root.iter(f"{_W}tbl"):
        grid = table.find(f"{_W}tblGrid")
        if grid is None or table.find(f".//{_W}tbl") is not None:
            return False
        columns = len(grid.findall(f"{_W}gridCol"))
        rows = table.findall(f"{_W}tr")
        if not rows or _has_tag(table.text):
            return False
        # nothing between the table's start and its first row may hide or repeat that row
        for child in table:
            if child is rows[0]:
                break
            if _has_tag(child.tail):
                return False
        table_tags = "".join(child.tail or "" for child in table)
        if not _balanced(table_tags):
            return False
        for row in rows:
            if row.find(f"{_W}trPr/{_W}gridBefore") is not None or \
                    row.find(f"{_W}trPr/{_W}gridAfter") is not None:
                return False
            if _has_tag(row.text) or any(_has_tag(child.tail) for child in row):
                return False  # a tag between cells ({%tc}, colspan, hm, vm)
            for element in row.iter():
                if any(_JINJA_MARK.search(value) for value in element.attrib.values()):
                    return False
            cells = row.findall(f"{_W}tc")
            if len(cells) > columns:
                return False
            if not all(_balanced("".join(cell.itertext())) for cell in cells):
                return False
        first = rows[0]
        span = sum(int(v) for v in first.xpath("w:tc/w:tcPr/w:gridSpan/@w:val", namespaces=_NS)) + \
            len(first.xpath("w:tc[not(w:tcPr/w:gridSpan)]", namespaces=_NS))
        if span < columns:
            return False
    return True


class _Unproven(Exception):
    pass


# Stands for a value printed at run time: valid in text and in an attribute value, nowhere else.
_VALUE = "&#32;"
# Stands for a block ({% if %}, {% for %}): valid only where elements may be (in content).
_BLOCK = "<_b/>"
# Markup whose content escaped data could break (a comment cannot hold "--") or that has no place here
_UNSAFE_MARKUP = ("<!--", "<![CDATA[", "<?", "<!DOCTYPE")


def proven_well_formed(env: jinja2.Environment, source: str,
                       prefix: bytes = b"", suffix: bytes = b"") -> bool:
    """Is every rendering of this template source, between `prefix` and `suffix`, well-formed XML,
    whatever the data? Then the per-document check can be skipped (about 1 ms of a form's 3).

    The proof: data reaches the output only through `{{ }}` tags, escaped (a value carrying its
    own markup is caught at run time by `note_printed`); an escaped value is valid character data
    in text and in attribute values; so if the template's text with each tag replaced by a
    character reference is well-formed, and each block's every branch (and its loop body, taken
    any number of times) is well-formed content placed where content may be, so is every
    rendering. Anything else the template does (macros, filter blocks, includes, autoescape
    switches, comments in the XML) leaves it unproven, and every rendering is checked.
    """
    try:
        tree = env.parse(source)
    except jinja2.TemplateSyntaxError:
        return False
    return _proven_tree(env, source, tree, prefix, suffix)


def _proven_tree(env: jinja2.Environment, source: str, tree: nodes.Template, prefix: bytes,
                 suffix: bytes) -> bool:
    if any(mark in source for mark in _UNSAFE_MARKUP):
        return False
    try:
        skeleton = _skeleton(tree.body, nodes.EvalContext(env))
    except _Unproven:
        return False
    return _parses(prefix + skeleton.encode("utf-8") + suffix)


def _skeleton(body: list[nodes.Node], ctx: nodes.EvalContext) -> str:
    """The text of a run of template nodes, each printed value and each block replaced by its
    stand-in; each block's branches are proven on their own."""
    out = []
    for node in body:
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                if isinstance(child, nodes.TemplateData):
                    out.append(child.data)
                    continue
                try:  # Jinja prints a constant at compile time: escaped (finalize leaves that as is)
                    out.append(str(markupsafe_escape(child.as_const(ctx))))
                except Exception:  # noqa: BLE001 - as Jinja's compiler: evaluated at run time
                    out.append(_VALUE)
        elif isinstance(node, nodes.If):
            for branch in (node.body, *(e.body for e in node.elif_), node.else_):
                _content(branch, ctx)
            out.append(_BLOCK)
        elif isinstance(node, nodes.For) and not node.recursive:
            _content(node.body, ctx)
            _content(node.else_, ctx)
            out.append(_BLOCK)
        elif isinstance(node, nodes.Assign):
            continue  # prints nothing
        else:
            raise _Unproven
    return "".join(out)


def _content(body: list[nodes.Node], ctx: nodes.EvalContext) -> None:
    if not _parses(b"<_r>" + _skeleton(body, ctx).encode("utf-8") + b"</_r>"):
        raise _Unproven


def _parses(data: bytes) -> bool:
    try:
        _check_well_formed(data, "")
    except RenderedXmlError:
        return False
    return True


def _serialize(xml: str | bytes) -> bytes:
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    return etree.tostring(etree.fromstring(data, _BODY_PARSER), encoding="UTF-8", standalone=True)


class _Extras:
    """One rendering's own python-docx package, made only when a picture is printed: python-docx
    adds the image part and the relationship there (as docxtpl does in its reloaded document), and
    the rendering takes over the new parts, the changed relationships and content types."""

    def __init__(self, raw: bytes, links: list[str]) -> None:
        self.docx = Document(io.BytesIO(raw))
        for url in links:  # the hyperlinks first, so that relationship ids are docxtpl's
            self.docx.part.relate_to(url, RT.HYPERLINK, is_external=True)
        self._before = {str(p.partname) for p in self.docx.part.package.iter_parts()}

    def part(self, name: str) -> Any:
        for part in self.docx.part.package.iter_parts():
            if part.partname.lstrip("/") == name:
                return part
        raise UnsupportedValue(f"Không chèn được ảnh vào phần {name} của mẫu.")

    def members(self, raw: bytes) -> dict[str, bytes]:
        from docx.opc.pkgwriter import _ContentTypesItem

        package = self.docx.part.package
        parts = list(package.iter_parts())
        out: dict[str, bytes] = {}
        for part in parts:
            name = part.partname.lstrip("/")
            if str(part.partname) not in self._before:
                out[name] = part.blob
            if part.rels:
                rels_name = part.partname.rels_uri.lstrip("/")
                out[rels_name] = _serialize(part.rels.xml)
        out[_CONTENT_TYPES] = _serialize(_ContentTypesItem.from_parts(parts).blob)
        with zipfile.ZipFile(io.BytesIO(raw)) as template:
            names = set(template.namelist())
        # a rels member the template did not have and that only lists what it had: leave it out
        return {n: d for n, d in out.items() if n in names or not n.endswith(".rels")
                or any(True for _ in etree.fromstring(d))}
