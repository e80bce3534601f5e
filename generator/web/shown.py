"""What the clerk knows a file of the year folder by: its download name, never the server's path.

The build and the consolidation name files as the command line does (`bao-cao/quy-1/snv.docx`,
`tong-hop/quy-1/tong-hop.xlsx`) and keep copies aside (`….YYYYMMDD-HHMMSS.bak.docx`,
`tong-hop.sao-luu-….xlsx`); the page shows each by the name the clerk downloads it under, lists the
copies kept aside, and says a message of the build in those names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from generator.collect.summary import REMINDER, SUMMARY
from generator.collect.tracking import WORKBOOK as TRACKING
from generator.output.write import TEMP_SUFFIX, backup_of
from generator.pipeline import collect_folder
from generator.plan.model import Plan
from generator.web.names import Named

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# what a consolidation writes, as the clerk downloads it (the .json is for programs)
RETURNED_DOWNLOADS = {
    SUMMARY: ("Báo cáo tổng hợp {period} năm {year}.docx", DOCX),
    REMINDER: ("Công văn đôn đốc {period} năm {year}.docx", DOCX),
    TRACKING: ("Bảng theo dõi báo cáo {period} năm {year}.xlsx", XLSX),
}


@dataclass(frozen=True)
class Known:
    """A file of the year folder as the page shows it."""

    title: str  # what it is, as the documents page lists it
    name: str  # its download name
    period: str = ""  # the period code, for a consolidation's output


def known_files(plan: Plan | None, named: tuple[Named, ...]) -> dict[str, Known]:
    """Every file a build or a consolidation of the plan writes, by its POSIX path in the year folder."""
    found = {n.path: Known(n.title, n.file_name) for n in named}
    if plan is not None:
        for period in plan.periods:
            folder = collect_folder(Path(), plan.year, period.code).relative_to(str(plan.year))
            for file, (shown, _) in RETURNED_DOWNLOADS.items():
                name = shown.format(period=period.name, year=plan.year)
                found[(folder / file).as_posix()] = Known(name.rsplit(".", 1)[0], name, period.code)
    return found


_NUMBER = re.compile(r"\d{8}-\d{6}-(\d+)[.]")

# Why the page kept a copy of a tracking workbook, as the workspace notes it (`Workspace.note_backups`):
# one upload keeps two, the workbook it replaced and the clerk's file as uploaded, since the
# consolidation that follows rewrites the uploaded one (its dates and hand-typed rows carried over).
BEFORE_UPLOAD = "truoc-khi-tai-len"
UPLOADED = "tep-tai-len"


@dataclass(frozen=True)
class Backup:
    """A copy kept aside before a file was replaced: a hand-edited document a build overwrote on
    request, or a tracking workbook replaced by a consolidation or by the clerk's upload."""

    path: str  # POSIX, in the year folder: the key the download looks it up by
    of: Known | None  # the file it was kept from, when the plan still makes it
    when: datetime
    size: int
    why: str = ""  # BEFORE_UPLOAD or UPLOADED when the page noted it
    given: str = ""  # the name of the clerk's upload it was kept for

    @property
    def title(self) -> str:
        return self.of.title if self.of else "Văn bản không còn trong kế hoạch"

    @property
    def what(self) -> str:
        """What the copy is, in the page's words: `bảng theo dõi đang có trước khi tải lên tệp …`."""
        if self.why == BEFORE_UPLOAD:
            return f"bảng theo dõi đang có trước khi tải lên tệp “{self.given}”"
        if self.why == UPLOADED:
            return f"chính tệp “{self.given}” bạn tải lên, trước khi tổng hợp lại vào bảng mới"
        if ".bak." in PurePosixPath(self.path).name:
            return "bản sửa tay, trước khi tạo lại văn bản"
        return "bản trước khi được thay"

    @property
    def number(self) -> int:
        """1 for the first copy kept in its second, 2 for the second (`….20190105-083000-2.bak.docx`)…"""
        found = _NUMBER.search(PurePosixPath(self.path).name)
        return int(found.group(1)) if found else 1

    @property
    def download_name(self) -> str:
        """`Sở Nội vụ - quý I (bản lưu 05-01-2019 08.30.00).docx`; a second copy kept in the same
        second (`….20190105-083000-2.bak.docx`) says its number too."""
        stem, dot, suffix = (self.of.name if self.of else PurePosixPath(self.path).name).rpartition(".")
        again = f" ({self.number})" if self.number > 1 else ""
        return f"{stem} (bản lưu {self.when:%d-%m-%Y %H.%M.%S}{again}){dot}{suffix}"


def backups(folder: Path | None, known: dict[str, Known], period: str | None = None,
            notes: dict[str, dict[str, str]] | None = None) -> list[Backup]:
    """The copies kept aside in a year folder, newest first (only a period's, when given), each with
    why it was kept when `notes` (by path in the year folder: {"why", "given"}) says."""
    if folder is None or not folder.is_dir():
        return []
    found = []
    for path in folder.rglob("*"):
        if path.name.endswith(TEMP_SUFFIX) or not path.is_file():
            continue
        relative = PurePosixPath(path.relative_to(folder).as_posix())
        kept_from = backup_of(relative)
        if kept_from is None or relative.parts[0] == "pdf":
            continue
        of = known.get(kept_from[0].as_posix())
        if period is not None and (of is None or of.period != period):
            continue
        note = (notes or {}).get(relative.as_posix(), {})
        found.append(Backup(relative.as_posix(), of, kept_from[1], path.stat().st_size,
                            str(note.get("why", "")), str(note.get("given", ""))))
    return sorted(found, key=lambda b: (b.when, b.number, b.path), reverse=True)


def clerk_text(text: str, folder: Path, known: dict[str, Known], root: Path) -> str:
    """A message with the server's paths replaced: a file of the year folder by its download name,
    anything else under the server's data folder by its last part."""
    for base in dict.fromkeys((str(folder.resolve()), str(folder.absolute()), str(folder))):
        pattern = re.escape(base) + r"[/\\]([^\s:;,]+)"

        def name(match: re.Match[str]) -> str:
            relative = match.group(1).replace("\\", "/")
            found = known.get(relative)
            if found is None:
                kept_from = backup_of(PurePosixPath(relative))
                of = known.get(kept_from[0].as_posix()) if kept_from else None
                if kept_from and of:
                    return f"“{Backup(relative, of, kept_from[1], 0).download_name}”"
                return PurePosixPath(relative).name
            return f"“{found.name}”"

        text = re.sub(pattern, name, text)
    for base in dict.fromkeys((str(root.resolve()), str(root.absolute()), str(root))):
        text = re.sub(re.escape(base) + r"[/\\]?([^\s:;,]*)", lambda m: PurePosixPath(m.group(1)).name, text)
    return text
