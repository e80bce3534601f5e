"""PDF/A-2b as archives want it: LibreOffice's PDF made reproducible (dates, title and author from
the .docx, no clock), and a structural check of what a PDF claims (not a full PDF/A validation)."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pikepdf
from defusedxml import ElementTree as SafeET

LANGUAGE = "vi-VN"
A4_PT = (595.0, 842.0)  # 210 × 297 mm
_A4_SLACK = 2.0  # points: LibreOffice rounds the page size from twips
_NS = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
}
_XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/">
   <pdfaid:part>2</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{subject}</rdf:li></rdf:Alt></dc:description>
   <dc:language><rdf:Bag><rdf:li>{language}</rdf:li></rdf:Bag></dc:language>
   <pdf:Producer>{producer}</pdf:Producer>
   <xmp:CreatorTool>{creator}</xmp:CreatorTool>
   <xmp:CreateDate>{date}</xmp:CreateDate>
   <xmp:ModifyDate>{date}</xmp:ModifyDate>
   <xmp:MetadataDate>{date}</xmp:MetadataDate>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="r"?>"""


@dataclass(frozen=True)
class DocxInfo:
    """What a PDF's metadata is taken from: the .docx's core properties (dated from the plan)."""

    title: str
    author: str
    language: str
    modified: datetime
    subject: str = ""  # the trích yếu; the title when the .docx has none


def docx_info(docx: Path) -> DocxInfo:
    with zipfile.ZipFile(docx) as package:
        try:
            core = SafeET.fromstring(package.read("docProps/core.xml"))
        except KeyError:
            core = None

    def text(tag: str) -> str:
        node = core.find(tag, _NS) if core is not None else None
        return (node.text or "").strip() if node is not None else ""

    when = text("dcterms:modified") or text("dcterms:created")
    try:
        modified = datetime.fromisoformat(when.replace("Z", "+00:00"))
    except ValueError:
        modified = datetime(1980, 1, 1, tzinfo=UTC)  # a fixed date rather than the clock's
    if modified.tzinfo is None:
        modified = modified.replace(tzinfo=UTC)
    title = text("dc:title") or docx.stem
    return DocxInfo(title, text("dc:creator"), text("dc:language") or LANGUAGE,
                    modified.astimezone(UTC), text("dc:subject") or title)


def finish(pdf: Path, info: DocxInfo) -> bytes:
    """LibreOffice's PDF/A-2b with everything taken from the clock replaced by the document's date:
    Info and XMP dates (the two must agree), the sRGB profile's creation date, the file ID (from
    the content), LibreOffice's own checksum of the run dropped. Same .docx, same bytes."""
    date_xmp = info.modified.strftime("%Y-%m-%dT%H:%M:%SZ")
    with pikepdf.open(pdf) as doc:
        producer = str(doc.docinfo.get("/Producer", "LibreOffice"))
        creator = str(doc.docinfo.get("/Creator", "Writer"))
        doc.docinfo["/Title"] = info.title
        doc.docinfo["/Author"] = info.author
        doc.docinfo["/Subject"] = info.subject or info.title  # Info and XMP (dc:description) agree
        doc.docinfo["/CreationDate"] = doc.docinfo["/ModDate"] = info.modified.strftime("D:%Y%m%d%H%M%SZ")
        xmp = _XMP.format(title=escape(info.title), author=escape(info.author),
                          subject=escape(info.subject or info.title),
                          language=escape(info.language), producer=escape(producer),
                          creator=escape(creator), date=date_xmp)
        doc.Root.Metadata = doc.make_stream(xmp.encode("utf-8"), Type=pikepdf.Name.Metadata,
                                            Subtype=pikepdf.Name.XML)
        for intent in doc.Root.get("/OutputIntents", []):
            profile = intent.get("/DestOutputProfile")
            if profile is not None:
                data = bytearray(profile.read_bytes())
                m = info.modified
                data[24:36] = struct.pack(">6H", m.year, m.month, m.day, m.hour, m.minute, m.second)
                profile.write(bytes(data))
        for key in ("/DocChecksum", "/ID"):  # the ID is made again from the content
            if key in doc.trailer:
                del doc.trailer[key]
        out = io.BytesIO()
        doc.save(out, deterministic_id=True)
    return out.getvalue()


# -- the structural check ------------------------------------------------------------------------


def docx_orientations(docx: Path) -> list[str] | None:
    """'dọc' or 'ngang' for each section of a .docx, in order; None when the file cannot be read
    (damaged or replaced since the PDF was made: the PDF is then checked on its own)."""
    try:
        with zipfile.ZipFile(docx) as package:
            body = package.read("word/document.xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError):  # RuntimeError: encrypted member
        return None
    found = []
    for size in re.findall(r"<w:pgSz\b[^>]*>", body):
        w = re.search(r'w:w="(\d+)"', size)
        h = re.search(r'w:h="(\d+)"', size)
        if w and h:
            found.append("ngang" if int(w.group(1)) > int(h.group(1)) else "dọc")
    return found


def _runs(items: list[str]) -> list[str]:
    return [x for i, x in enumerate(items) if i == 0 or items[i - 1] != x]


def check(pdf: Path, source: Path | None = None) -> list[str]:
    """What stops a PDF from being the archivable, signable file vanban writes, in Vietnamese;
    empty when it passes. Structural only: it reads what the file declares (XMP, fonts, language,
    title, page sizes); it does not validate PDF/A the way veraPDF does."""
    try:
        doc = pikepdf.open(pdf)
    except (pikepdf.PdfError, OSError) as exc:
        return [f"không đọc được tệp PDF ({exc})"]
    with doc:
        problems = _claims(doc) + _fonts(doc)
        lang = str(doc.Root.get("/Lang", ""))
        if lang != LANGUAGE:
            problems.append(f"ngôn ngữ văn bản (Lang) là «{lang or 'không có'}», cần {LANGUAGE}")
        title = str(doc.docinfo.get("/Title", "")).strip()
        if not title:
            problems.append("không có tiêu đề (Title)")
        problems += _pages(doc, docx_orientations(source) if source is not None else None)
    return problems


def _claims(doc: pikepdf.Pdf) -> list[str]:
    if "/Metadata" not in doc.Root:
        return ["không có siêu dữ liệu XMP, nên không khai báo PDF/A"]
    try:
        xmp = SafeET.fromstring(doc.Root.Metadata.read_bytes())
    except (SafeET.ParseError, ValueError, pikepdf.PdfError):
        return ["siêu dữ liệu XMP không đọc được"]
    part = xmp.findtext(".//pdfaid:part", default="", namespaces=_NS).strip()
    conformance = xmp.findtext(".//pdfaid:conformance", default="", namespaces=_NS).strip()
    for description in xmp.iter(f"{{{_NS['rdf']}}}Description"):  # the attribute form
        part = part or description.get(f"{{{_NS['pdfaid']}}}part", "")
        conformance = conformance or description.get(f"{{{_NS['pdfaid']}}}conformance", "")
    if (part, conformance.upper()) != ("2", "B"):
        claim = f"PDF/A-{part}{conformance.lower()}" if part else "không khai báo PDF/A"
        return [f"không khai báo PDF/A-2b (XMP: {claim})"]
    return []


def _fonts(doc: pikepdf.Pdf) -> list[str]:
    missing: set[str] = set()
    seen: set[tuple[int, int]] = set()

    def visit(resources: pikepdf.Object | None) -> None:
        if resources is None or not isinstance(resources, pikepdf.Dictionary):
            return
        for font in (resources.get("/Font") or {}).values():
            for face in [font, *font.get("/DescendantFonts", [])]:
                if face.get("/Subtype") == "/Type3" or face.get("/Subtype") == "/Type0":
                    continue
                descriptor = face.get("/FontDescriptor")
                if descriptor is None or not any(k in descriptor for k in
                                                 ("/FontFile", "/FontFile2", "/FontFile3")):
                    missing.add(str(face.get("/BaseFont", "?")).lstrip("/"))
        for xobject in (resources.get("/XObject") or {}).values():
            key = xobject.objgen
            if xobject.get("/Subtype") == "/Form" and key not in seen:
                seen.add(key)
                visit(xobject.get("/Resources"))

    for page in doc.pages:
        visit(page.obj.get("/Resources"))
    return [f"phông chữ chưa được nhúng: {name}" for name in sorted(missing)]


def _pages(doc: pikepdf.Pdf, sections: list[str] | None) -> list[str]:
    problems = []
    orientations = []
    for n, page in enumerate(doc.pages, start=1):
        box = [float(v) for v in page.mediabox]
        w, h = abs(box[2] - box[0]), abs(box[3] - box[1])
        if page.obj.get("/Rotate", 0) in (90, 270):
            w, h = h, w
        if not any(abs(w - a) <= _A4_SLACK and abs(h - b) <= _A4_SLACK for a, b in (A4_PT, A4_PT[::-1])):
            problems.append(f"trang {n} không phải khổ A4 ({w * 25.4 / 72:.0f} × {h * 25.4 / 72:.0f} mm)")
        orientations.append("ngang" if w > h else "dọc")
    if not orientations:
        return ["tệp không có trang nào"]
    if sections is None:
        if orientations[0] != "dọc":
            problems.append("trang đầu nằm ngang; văn bản bắt đầu bằng trang dọc")
    elif _runs(orientations) != _runs(sections):
        problems.append(f"hướng trang ({' → '.join(_runs(orientations))}) khác văn bản Word "
                        f"({' → '.join(_runs(sections))})")
    return problems
