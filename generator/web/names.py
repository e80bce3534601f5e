"""What a clerk sees a document called: Vietnamese names for downloads and the year's .zip."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from generator.documents.jobs import INDEX_PATH, decision_file_name, report_path
from generator.plan.model import Plan
from generator.text import vn

# characters Windows refuses in a file name, and the control characters
_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
REPORTS_FOLDER = "Mẫu báo cáo"
DECISION, REPORT, INDEX = "decision", "report", "index"


@dataclass(frozen=True)
class Named:
    """One output of a build: its path in the year folder, its Vietnamese name, and its group."""

    path: str  # POSIX, relative to out/<year>/, as the manifest has it
    name: str  # Vietnamese, with sub-folders separated by "/", for the .zip and downloads
    kind: str  # DECISION, REPORT or INDEX
    title: str  # one line saying what it is
    period: str = ""  # of a report form: the period's name and the agency's
    agency: str = ""

    @property
    def file_name(self) -> str:
        """The name a download gets: a report form says its period too, since an agency has one form
        a period and a browser would save them all under one name."""
        name = self.name.rsplit("/", 1)[-1]
        if self.kind == REPORT and self.period:
            stem, dot, suffix = name.rpartition(".")
            return f"{stem} - {safe_part(self.period)}{dot}{suffix}"
        return name


def safe_part(text: str) -> str:
    """A Vietnamese file or folder name any office PC accepts (no / : ? * and the like)."""
    text = " ".join(_FORBIDDEN.sub(" ", vn.nfc(text).replace("/", "-")).split())
    return text.strip(" .")[:100].strip(" .") or "van-ban"


def outputs(plan: Plan) -> list[Named]:
    """Every output a build of the plan writes, in the order of the documents page."""
    g = plan.general
    number = vn.number_symbol(g.number, g.symbol).strip()
    if g.number is None:
        decision = f"Dự thảo Quyết định ban hành kế hoạch năm {g.year}"
    else:
        decision = f"Quyết định {number.replace('/', '-')} (kèm Kế hoạch và Phụ lục)"
    found = [Named(decision_file_name(plan), f"{safe_part(decision)}.docx", DECISION,
                   f"Quyết định {number} kèm Kế hoạch và Phụ lục" if g.number is not None
                   else f"Dự thảo Quyết định năm {g.year} kèm Kế hoạch và Phụ lục")]
    reporting = [a for a in plan.agencies if a.reports]
    for period in plan.periods:
        for agency in reporting:
            found.append(Named(report_path(agency, period).as_posix(),
                               f"{REPORTS_FOLDER}/{safe_part(capital(period.name))}/{safe_part(agency.name)}.docx",
                               REPORT, f"Báo cáo {period.name} của {agency.name}", period.name,
                               agency.name))
    if reporting and plan.periods:
        found.append(Named(INDEX_PATH.as_posix(), f"{REPORTS_FOLDER}/Danh sách mẫu báo cáo.xlsx",
                           INDEX, "Danh sách mẫu báo cáo, hạn gửi của từng cơ quan"))
    return _unique(found)


def capital(text: str) -> str:
    """`quý I` → `Quý I`, for a folder name or a column heading."""
    return text[:1].upper() + text[1:]


def _unique(found: list[Named]) -> list[Named]:
    """Two agencies may share a name once made safe: the second gets " (2)"."""
    seen: set[str] = set()
    kept = []
    for item in found:
        name, n = item.name, 2
        while name.lower() in seen:
            stem, dot, ext = item.name.rpartition(".")
            name = f"{stem} ({n}).{ext}"
            n += 1
        seen.add(name.lower())
        kept.append(dataclasses.replace(item, name=name))
    return kept


def zip_name(plan: Plan) -> str:
    return f"Văn bản kế hoạch năm {plan.year}.zip"


def year_zip(folder: Path, named: Iterable[Named], root: str) -> bytes:
    """The documents of a year folder in one .zip, under Vietnamese names in `root`/.

    Python's zipfile sets the UTF-8 flag on every entry whose name is not ASCII, so Windows
    Explorer and 7-Zip show the names with their diacritics. Entries are stored, not compressed:
    .docx and .xlsx files are zips already, and compressing them again gains nothing and takes time.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for item in named:
            path = folder / item.path
            if path.is_file():
                archive.write(path, f"{root}/{item.name}")
    return buffer.getvalue()
