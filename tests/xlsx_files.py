"""Broken and hostile workbook files, written by the tests themselves (zipfile + handwritten XML)."""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

import openpyxl

from tests.conftest import WORKBOOK

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
SHARED_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SHARED_CELL = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'  # a sheet body using string 0

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + f']>\n<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
)
XXE = (
    '<?xml version="1.0"?>\n<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>&xxe;</t></si></sst>'
)


def sheet_xml(rows: list[list[str]] | None = None, body: str = "") -> str:
    """A worksheet with inline strings (no shared strings needed), or a given sheetData body."""
    if rows is not None:
        parts = []
        for r, values in enumerate(rows, start=1):
            cells = "".join(
                f'<c r="{chr(65 + c)}{r}" t="inlineStr"><is><t>{v}</t></is></c>'
                for c, v in enumerate(values)
            )
            parts.append(f'<row r="{r}">{cells}</row>')
        body = "".join(parts)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{MAIN}">'
            f"<sheetData>{body}</sheetData></worksheet>")


def minimal_xlsx(path: Path, sheets: dict[str, str], shared_strings: str | None = None,
                 content_type: str = "application/vnd.openxmlformats-officedocument.spreadsheetml"
                 ".sheet.main+xml") -> Path:
    """A small but complete .xlsx: the named sheets with the given worksheet XML, and the
    shared-strings part when given (cells refer to it with t="s")."""
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{SHEET_TYPE}"/>'
        for i in range(1, len(sheets) + 1)
    )
    shared_rel = ""
    if shared_strings is not None:
        overrides += f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_TYPE}"/>'
        shared_rel = (f'<Relationship Id="rId{len(sheets) + 1}" Type="{RELS}/sharedStrings" '
                      'Target="sharedStrings.xml"/>')
    members: dict[str, bytes | str] = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{content_type}"/>{overrides}</Types>'
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="{PKG}">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
            + "".join(f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
                      for i, name in enumerate(sheets, start=1))
            + "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="{PKG}">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{RELS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, len(sheets) + 1)
            )
            + shared_rel + "</Relationships>"
        ),
    }
    for i, xml in enumerate(sheets.values(), start=1):
        members[f"xl/worksheets/sheet{i}.xml"] = xml
    if shared_strings is not None:
        members["xl/sharedStrings.xml"] = shared_strings
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def rewrite_members(source: Path, target: Path, changes: dict[str, bytes | str | None]) -> Path:
    """Copy a package, replacing (or with None, dropping) some members and adding others."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in changes:
                continue
            dst.writestr(info, src.read(info))
        for name, data in changes.items():
            if data is not None:
                dst.writestr(name, data)
    return target


def deflate_zeros(size: int, chunk: int = 1024 * 1024) -> bytes:
    """Raw deflate data inflating to `size` zero bytes, made in a blink by repeating one block."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(b"\0" * chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    count, rest = divmod(size, chunk)
    tail = zlib.compressobj(9, zlib.DEFLATED, -15)
    return block * count + tail.compress(b"\0" * rest) + tail.flush()


def raw_zip(path: Path, members: list[tuple[str, bytes, int, int]]) -> Path:
    """A zip written byte by byte: (name, deflated data, declared size, crc) per member.

    zipfile always writes true sizes; a bomb or a member that lies about its size needs this.
    """
    out = bytearray()
    central = bytearray()
    for name, data, declared, crc in members:
        encoded = name.encode()
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), declared,
                           len(encoded), 0) + encoded + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc,
                               len(data), declared, len(encoded), 0, 0, 0, 0, 0, offset) + encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central),
                      len(out), 0)
    path.write_bytes(bytes(out + central + end))
    return path


def workbook_copy(tmp_path: Path, name: str = "ke-hoach.xlsx") -> Path:
    """The shipped 2018 workbook saved again by openpyxl, so its members have known names."""
    wb = openpyxl.load_workbook(WORKBOOK)
    path = tmp_path / name
    wb.save(path)
    return path
