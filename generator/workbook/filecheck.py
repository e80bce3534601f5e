"""Inspect a workbook file before any parser touches it: its kind, its size, its zip and its XML."""

from __future__ import annotations

import io
import os
import posixpath
import re
import stat
import zipfile
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

from defusedxml import ElementTree as SafeET

from generator.errors import VanbanError

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What a plan workbook may be; a real one is far below every number (the 2018 one is 60 KB)."""

    file_bytes: int = 50 * MB  # the .xlsx file itself
    members: int = 2000  # files inside the zip
    member_bytes: int = 64 * MB  # one file inside, unpacked
    total_bytes: int = 256 * MB  # every file inside, unpacked
    ratio: int = 200  # unpacked / packed, for members above ratio_floor
    ratio_floor: int = 4 * MB
    rows: int = 100_000  # rows of one sheet
    cells: int = 1_000_000  # cells of the whole workbook
    cell_chars: int = 32_767  # Excel's own limit for the text of one cell


LIMITS = Limits()

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_CHUNK = 64 * 1024
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_SHEET_MEMBER = re.compile(r"xl/(worksheets|chartsheets|dialogsheets|macrosheets)/[^/]+\.xml")
_MACRO_TYPE = b"macroEnabled"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


@dataclass(frozen=True)
class Inspection:
    """What was learnt about a workbook that passed every check."""

    macros: bool  # an .xlsm or a workbook with a VBA project: its macros are never run
    rows: dict[str, int]  # sheet name → rows written in the file


def _megabytes(n: int) -> str:
    return f"{n / MB:.0f} MB".replace(".", ",")


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


class _TooBig(Exception):
    pass


class _Unsafe(Exception):
    pass


class _RowLimit(Exception):
    pass


# O_NONBLOCK: opening a named pipe does not wait for a writer; O_BINARY: bytes as they are (Windows)
_READ_ONLY = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def content_digest(path: Path, limit: int = LIMITS.file_bytes) -> str | None:
    """SHA-256 of a regular file of at most `limit` bytes, read through one handle; None for
    anything else (missing, a folder, a device such as /dev/zero, too big), which is then never
    read here: the checks that name such a file come after."""
    try:
        with open(os.open(path, _READ_ONLY), "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
                return None
            return sha256(handle.read(limit + 1)).hexdigest()
    except OSError:
        return None


def inspect_workbook(path: Path, limits: Limits = LIMITS) -> Inspection:
    """Check a workbook file before parsing; raise VanbanError with one Vietnamese line when it
    is not a workbook we can read safely.
    """
    name = path.name
    if path.is_dir():
        raise VanbanError(f"{path} là một thư mục, không phải tệp sổ tính; hãy chỉ rõ tệp .xlsx.")
    if not path.exists():
        raise VanbanError(f"Không tìm thấy tệp sổ tính: {path}")
    if name.startswith("~$"):
        raise VanbanError(
            f"{name} là tệp khóa tạm của Excel, không phải sổ tính; hãy chọn tệp không có “~$”."
        )
    if not path.is_file():
        raise VanbanError(f"{path} không phải là một tệp bình thường; hãy chỉ rõ tệp .xlsx.")
    size = path.stat().st_size
    if size == 0:
        raise VanbanError(f"{name} là tệp rỗng (0 byte), không phải sổ tính; hãy chọn lại tệp.")
    if size > limits.file_bytes:
        raise VanbanError(
            f"{name} quá lớn ({_megabytes(size)}); sổ tính kế hoạch không được quá "
            f"{_megabytes(limits.file_bytes)}, hãy xóa ảnh và các sheet không dùng."
        )
    with path.open("rb") as handle:
        head = handle.read(8)
    if head == OLE2_MAGIC:
        raise VanbanError(_ole2_message(path))
    if not head.startswith(ZIP_MAGICS):
        raise VanbanError(f"{name} không phải là sổ tính .xlsx hợp lệ ({_guess_kind(head, path)}).")
    try:
        with zipfile.ZipFile(path) as archive:
            return _inspect_zip(archive, name, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, OSError) as exc:
        raise VanbanError(
            f"{name} không phải là sổ tính .xlsx hợp lệ (tệp nén bị hỏng: {exc}); "
            "hãy mở bằng Excel và lưu lại."
        ) from exc


def _ole2_message(path: Path) -> str:
    # An encrypted .xlsx is an OLE2 container whose directory names EncryptionInfo and
    # EncryptedPackage (UTF-16 names); an old .xls has a Workbook or Book stream instead.
    data = path.read_bytes()  # bounded by limits.file_bytes
    if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
        return (
            f"{path.name} có mật khẩu, hãy bỏ mật khẩu: mở bằng Excel, chọn Tệp → Thông tin → "
            "Bảo vệ sổ làm việc → Mã hóa bằng mật khẩu, xóa mật khẩu rồi lưu lại."
        )
    return (
        f"{path.name} là sổ tính Excel 97–2003 (.xls); hãy mở bằng Excel và lưu lại dưới dạng "
        "Sổ làm việc Excel (.xlsx)."
    )


def _guess_kind(head: bytes, path: Path) -> str:
    kinds = {
        b"\x89PNG": "đây là ảnh PNG",
        b"\xff\xd8\xff": "đây là ảnh JPEG",
        b"GIF8": "đây là ảnh GIF",
        b"%PDF": "đây là tệp PDF",
        b"Rar!": "đây là tệp nén RAR",
        b"7z\xbc\xaf": "đây là tệp nén 7z",
        b"{\\rtf": "đây là văn bản RTF",
    }
    for magic, kind in kinds.items():
        if head.startswith(magic):
            return kind
    with path.open("rb") as handle:
        sample = handle.read(4096)
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # a cut multi-byte character at the end is still text
            return "nội dung không phải của Excel"
    if b"<html" in sample.lower() or b"<table" in sample.lower():
        return "đây là trang HTML, hãy mở bằng Excel và lưu lại dưới dạng .xlsx"
    return "đây là tệp văn bản hoặc CSV, hãy mở bằng Excel và lưu lại dưới dạng .xlsx"


def _inspect_zip(archive: zipfile.ZipFile, name: str, limits: Limits) -> Inspection:
    infos = archive.infolist()
    if len(infos) > limits.members:
        raise VanbanError(
            f"{name} chứa {_thousands(len(infos))} tệp bên trong, quá giới hạn "
            f"{_thousands(limits.members)}; đây không phải sổ tính kế hoạch bình thường."
        )
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        raise VanbanError(f"{name} không phải là sổ tính .xlsx hợp lệ ({_zip_kind(archive, names)}).")
    total = 0
    for info in infos:
        total += info.file_size
        bomb = (
            info.file_size > limits.member_bytes
            or (info.file_size > limits.ratio_floor
                and info.file_size > limits.ratio * max(info.compress_size, 1))
        )
        if bomb or total > limits.total_bytes:
            raise VanbanError(_bomb_message(name, info.filename, limits))
    if Path(name).suffix.lower() not in {".xlsx", ".xlsm"}:
        raise VanbanError(
            f"{name}: chỉ đọc được sổ tính Excel .xlsx (hoặc .xlsm); hãy lưu lại với đuôi .xlsx."
        )
    content_types = b""
    rows: dict[str, int] = {}
    kept: dict[str, bytes] = {}
    cells = 0
    unpacked = 0
    long_shared: dict[int, int] = {}
    long_cells: dict[str, tuple[str, int]] = {}
    # shared strings first, so that a sheet can name the cell of an over-long shared text
    for info in sorted(infos, key=lambda i: i.filename != "xl/sharedStrings.xml"):
        if info.is_dir():
            continue
        kind = _member_kind(info.filename)
        keep = info.filename in {"[Content_Types].xml", "xl/workbook.xml",
                                 "xl/_rels/workbook.xml.rels"}
        budget = min(limits.member_bytes, limits.total_bytes - unpacked)
        try:
            with archive.open(info) as stream:
                counted = _scan_member(stream, kind, budget, limits, keep, long_shared)
        except _TooBig:
            raise VanbanError(_bomb_message(name, info.filename, limits)) from None
        except _Unsafe as exc:
            raise VanbanError(
                f"{name} bị từ chối: tệp {info.filename} bên trong {exc}; sổ tính do Excel lưu "
                "không bao giờ có điều này. Hãy mở bằng Excel và lưu lại, hoặc dùng tệp khác."
            ) from None
        except expat.ExpatError as exc:
            raise VanbanError(
                f"{name} không phải là sổ tính .xlsx hợp lệ (tệp {info.filename} bên trong bị "
                f"hỏng: {expat.ErrorString(exc.code)}, dòng {exc.lineno}); hãy mở bằng Excel và lưu lại."
            ) from None
        unpacked += counted.size
        if keep:
            kept[info.filename] = counted.data
        if info.filename == "[Content_Types].xml":
            content_types = counted.data
        if kind == "sheet":
            rows[info.filename] = counted.rows
            cells += counted.cells
            if counted.long_cell:
                long_cells[info.filename] = counted.long_cell
    if _STRICT_MAIN_NS.encode() in kept.get("xl/workbook.xml", b""):
        # openpyxl knows only the transitional namespaces: it would find no sheet at all
        raise VanbanError(
            f"{name} được lưu dạng “Bảng tính Strict Open XML”, chương trình chưa đọc được dạng "
            "này; hãy mở bằng Excel, chọn Tệp → Lưu thành → “Sổ làm việc Excel (*.xlsx)” rồi "
            "chạy lại với tệp mới."
        )
    sheet_names = _sheet_names(kept)
    for member, count in rows.items():
        if count > limits.rows:
            sheet = sheet_names.get(member, member)
            raise VanbanError(
                f"Sheet “{sheet}” của {name} có hơn {_thousands(limits.rows)} dòng, quá giới hạn "
                "của một sổ tính kế hoạch; hãy xóa các dòng thừa (chọn các dòng trống ở "
                "cuối, chuột phải → Xóa) rồi lưu lại."
            )
    for member, (ref, length) in long_cells.items():
        sheet = sheet_names.get(member, member)
        raise VanbanError(
            f"{sheet}!{ref}: ô dài {_thousands(length)} ký tự, quá giới hạn "
            f"{_thousands(limits.cell_chars)} ký tự của một ô Excel; hãy chia thành nhiều dòng."
        )
    if cells > limits.cells:
        raise VanbanError(
            f"{name} có {_thousands(cells)} ô có dữ liệu hoặc định dạng, quá giới hạn "
            f"{_thousands(limits.cells)} ô; hãy xóa các dòng, cột và sheet thừa rồi lưu lại."
        )
    macros = "xl/vbaProject.bin" in names or _MACRO_TYPE in content_types
    return Inspection(macros=macros,
                      rows={sheet_names.get(m, m): count for m, count in rows.items()})


def _member_kind(member: str) -> str:
    if member == "xl/sharedStrings.xml":
        return "shared"
    if _SHEET_MEMBER.fullmatch(member):
        return "sheet"
    if member.lower().endswith(_XML_SUFFIXES) or member == "[Content_Types].xml":
        return "xml"
    return "binary"


def _zip_kind(archive: zipfile.ZipFile, names: set[str]) -> str:
    if "word/document.xml" in names:
        return "đây là văn bản Word; hãy chọn sổ tính Excel"
    if "ppt/presentation.xml" in names:
        return "đây là bản trình chiếu PowerPoint; hãy chọn sổ tính Excel"
    if "mimetype" in names:
        info = archive.getinfo("mimetype")
        if info.file_size < 200:
            mimetype = archive.read(info).decode("ascii", "replace")
            if "spreadsheet" in mimetype:
                return "đây là bảng tính OpenDocument (.ods); hãy lưu lại dưới dạng .xlsx"
            return "đây là tệp OpenDocument, không phải sổ tính Excel"
    return "tệp nén không chứa sổ tính Excel"


def _bomb_message(name: str, member: str, limits: Limits) -> str:
    return (
        f"{name} bị từ chối: tệp {member} bên trong giải nén ra quá lớn (giới hạn "
        f"{_megabytes(limits.member_bytes)} mỗi tệp, {_megabytes(limits.total_bytes)} cả sổ tính, "
        f"nén không quá {limits.ratio} lần); đây không phải sổ tính kế hoạch bình thường."
    )


@dataclass
class _Counted:
    size: int = 0
    rows: int = 0
    cells: int = 0
    data: bytes = b""
    long_cell: tuple[str, int] | None = None  # the first cell whose text is over the limit


class _Texts:
    """Streaming handlers that measure cell texts: openpyxl would cut a text over 32,767
    characters without a word, so such a cell is refused here, by name."""

    def __init__(self, parser: Any, kind: str, limits: Limits, counted: _Counted,
                 long_shared: dict[int, int]) -> None:
        self.kind, self.limits, self.counted, self.long_shared = kind, limits, counted, long_shared
        self.in_text = 0
        self.length = 0
        self.index = -1
        self.ref = ""
        self.shared = False
        self.value: list[str] = []
        self.in_value = False
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.text

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        local = tag.rpartition("}")[2]
        if local == "t":
            self.in_text += 1
        elif local == "si" and self.kind == "shared":
            self.index += 1
            self.length = 0
        elif self.kind == "sheet":
            if local == "c":
                self.counted.cells += 1
                self.ref, self.shared, self.length = attrs.get("r", ""), attrs.get("t") == "s", 0
            elif local == "v":
                self.in_value, self.value = True, []
            elif local == "row":
                self.counted.rows += 1
                if self.counted.rows > self.limits.rows:
                    raise _RowLimit

    def end(self, tag: str) -> None:
        local = tag.rpartition("}")[2]
        if local == "t":
            self.in_text -= 1
        elif local == "si" and self.kind == "shared" and self.length > self.limits.cell_chars:
            self.long_shared[self.index] = self.length
        elif self.kind == "sheet":
            if local == "v":
                self.in_value = False
                if self.shared and self.long_shared:
                    text = "".join(self.value).strip()
                    if text.isdigit() and int(text) in self.long_shared:
                        self.length = self.long_shared[int(text)]
            elif local == "c" and self.length > self.limits.cell_chars:
                if self.counted.long_cell is None:
                    self.counted.long_cell = (self.ref, self.length)

    def text(self, data: str) -> None:
        if self.in_text:
            self.length += len(data)
        elif self.in_value and self.shared:
            self.value.append(data)


def _scan_member(stream: IO[bytes], kind: str, budget: int, limits: Limits, keep: bool,
                 long_shared: dict[int, int]) -> _Counted:
    """Unpack one member in chunks, never past `budget` bytes, parsing XML as it streams.

    The parser refuses any DOCTYPE: Office files never have one, and it is where entity
    expansion (billion laughs) and external entities (XXE) live.
    """
    counted = _Counted()
    parser = None
    kept: list[bytes] = []
    if kind != "binary":
        parser = expat.ParserCreate(namespace_separator="}")
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

        def refuse_doctype(*_args: object) -> None:
            raise _Unsafe("có khai báo DOCTYPE/thực thể XML (có thể là tấn công mở rộng thực thể "
                          "hoặc đọc tệp ngoài)")

        def refuse_entity(*_args: object) -> int:
            raise _Unsafe("có khai báo thực thể XML")

        parser.StartDoctypeDeclHandler = refuse_doctype
        parser.EntityDeclHandler = refuse_entity
        parser.ExternalEntityRefHandler = refuse_entity
        if kind in ("sheet", "shared"):
            _Texts(parser, kind, limits, counted, long_shared)
    try:
        while True:
            chunk = stream.read(_CHUNK)
            if not chunk:
                break
            counted.size += len(chunk)
            if counted.size > budget:
                raise _TooBig
            if keep:
                kept.append(chunk)
            if parser is not None:
                parser.Parse(chunk, False)
        if parser is not None:
            parser.Parse(b"", True)
    except _RowLimit:
        pass  # the row limit is exceeded: no need to read further
    counted.data = b"".join(kept)
    return counted


_STRICT_MAIN_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"


def _sheet_names(kept: dict[str, bytes]) -> dict[str, str]:
    """Map worksheet members to sheet names, for messages; empty when the package is unusual."""
    try:
        workbook = SafeET.fromstring(kept["xl/workbook.xml"])
        rels = SafeET.fromstring(kept["xl/_rels/workbook.xml.rels"])
    except Exception:  # only used to name a sheet in a message
        return {}
    targets = {}
    for rel in rels.iter(f"{{{_PKG_REL_NS}}}Relationship"):
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join("xl", target))
        targets[rel.get("Id")] = target
    names = {}
    for sheet in workbook.iter(f"{{{_MAIN_NS}}}sheet"):
        member = targets.get(sheet.get(f"{{{_REL_NS}}}id"))
        if member:
            names[member] = sheet.get("name", member)
    return names


# -- Word documents (returned report forms) -------------------------------------------------------

DOCUMENT_LIMITS = Limits(file_bytes=50 * MB, members=1000, member_bytes=64 * MB, total_bytes=256 * MB)
_DOCX_KEEP = ("word/document.xml", "docProps/custom.xml", "docProps/core.xml")


def inspect_document(data: bytes, name: str, limits: Limits = DOCUMENT_LIMITS) -> dict[str, bytes]:
    """The same checks as for a workbook, for a .docx given as bytes: its kind, password, zip bomb,
    XML entities, sizes. The members collect parses are unpacked within the limits and searched
    for a DOCTYPE; the others (styles, pictures) are only measured, since nothing reads them.
    Returns word/document.xml, docProps/custom.xml and docProps/core.xml (those there are);
    raises VanbanError with one Vietnamese line naming the file otherwise."""
    if not data:
        raise VanbanError(f"{name} là tệp rỗng (0 byte), không phải văn bản Word.")
    if len(data) > limits.file_bytes:
        raise VanbanError(f"{name} quá lớn ({_megabytes(len(data))}); báo cáo không được quá "
                          f"{_megabytes(limits.file_bytes)}.")
    head = data[:8]
    if head == OLE2_MAGIC:
        if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
            raise VanbanError(f"{name} có mật khẩu; hãy bỏ mật khẩu (Word: Tệp → Thông tin → Bảo vệ "
                              "tài liệu → Mã hóa bằng mật khẩu, xóa mật khẩu) rồi gửi lại.")
        raise VanbanError(f"{name} là văn bản Word 97–2003 (.doc) nhưng mang đuôi .docx; hãy mở bằng "
                          "Word và lưu lại dưới dạng .docx.")
    if not head.startswith(ZIP_MAGICS):
        raise VanbanError(f"{name} không phải là văn bản Word .docx hợp lệ ({_document_kind(head)}).")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _inspect_document_zip(archive, name, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, OSError) as exc:
        raise VanbanError(f"{name} không phải là văn bản Word .docx hợp lệ (tệp nén bị hỏng: {exc}); "
                          "hãy mở bằng Word và lưu lại.") from exc


def _document_kind(head: bytes) -> str:
    for magic, kind in ((b"%PDF", "đây là tệp PDF"), (b"\x89PNG", "đây là ảnh PNG"),
                        (b"\xff\xd8\xff", "đây là ảnh JPEG"), (b"{\\rtf", "đây là văn bản RTF")):
        if head.startswith(magic):
            return kind
    return "nội dung không phải của Word"


def _inspect_document_zip(archive: zipfile.ZipFile, name: str, limits: Limits) -> dict[str, bytes]:
    infos = archive.infolist()
    if len(infos) > limits.members:
        raise VanbanError(f"{name} chứa {_thousands(len(infos))} tệp bên trong, quá giới hạn "
                          f"{_thousands(limits.members)}; đây không phải báo cáo bình thường.")
    names = {info.filename for info in infos}
    if "word/document.xml" not in names:
        kind = "đây là sổ tính Excel" if "xl/workbook.xml" in names else "tệp nén không chứa văn bản Word"
        raise VanbanError(f"{name} không phải là văn bản Word .docx hợp lệ ({kind}).")
    total = 0
    for info in infos:
        total += info.file_size
        bomb = (info.file_size > limits.member_bytes
                or (info.file_size > limits.ratio_floor
                    and info.file_size > limits.ratio * max(info.compress_size, 1)))
        if bomb or total > limits.total_bytes:
            raise VanbanError(f"{name} bị từ chối: tệp {info.filename} bên trong giải nén ra quá lớn; "
                              "đây không phải báo cáo bình thường.")
    kept: dict[str, bytes] = {}
    for info in infos:
        if info.is_dir() or info.filename not in _DOCX_KEEP:
            continue  # never unpacked nor parsed (styles, pictures…); their sizes were checked above
        with archive.open(info) as stream:  # the CRC is checked as it is read
            content = stream.read(limits.member_bytes + 1)
        if len(content) > limits.member_bytes:
            raise VanbanError(f"{name} bị từ chối: tệp {info.filename} bên trong giải nén ra quá lớn; "
                              "đây không phải báo cáo bình thường.")
        # A DOCTYPE (where entity expansion and external entities live) is the only way to
        # declare an entity; text can hold "<!" only escaped, so a plain search finds any.
        if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
            raise VanbanError(f"{name} bị từ chối: tệp {info.filename} bên trong có khai báo DOCTYPE/thực "
                              "thể XML (có thể là tấn công mở rộng thực thể hoặc đọc tệp ngoài); văn bản do "
                              "Word lưu không bao giờ có điều này.")
        kept[info.filename] = content
    return kept
