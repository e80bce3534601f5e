"""PDFs of a build for the e-office system: one LibreOffice process converts every document."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.errors import VanbanError
from generator.output.manifest import MANIFEST, Manifest

PACKAGES = "libreoffice-writer-nogui fonts-liberation2 poppler-utils"
PREVIEW_DPI = 80


@dataclass(frozen=True)
class PdfResult:
    folder: Path
    pdfs: tuple[Path, ...]
    previews: tuple[Path, ...]


def find_tool(*names: str) -> str:
    """The path of an office tool, or one clear message naming the Debian packages to install."""
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    raise VanbanError(
        f"Không tìm thấy {names[0]} trên máy này: cần LibreOffice và Poppler để tạo PDF. "
        f"Cài bằng lệnh: sudo apt-get install {PACKAGES}"
    )


def year_folder(out: Path, year: int | None) -> Path:
    """out/<year>/: the year asked for, or the year of the most recent build."""
    if year is not None:
        folder = out / str(year)
        if not folder.is_dir():
            raise VanbanError(f"Chưa có văn bản năm {year} trong {out}: chạy «vanban build» trước.")
        return folder
    years = [d for d in out.glob("*") if d.is_dir() and d.name.isdigit()] if out.is_dir() else []
    if not years:
        raise VanbanError(f"Chưa có văn bản nào trong {out}: chạy «vanban build» (hoặc "
                          "«make documents») trước.")
    return max(years, key=lambda d: max((f.stat().st_mtime for f in d.rglob("*.docx")),
                                        default=0.0))


def documents_of(folder: Path) -> list[Path]:
    """The documents the last build made, as its manifest lists them, report forms included.

    Leftovers of earlier plans, --force backups and any other .docx in the folder are not
    published: only what the plan makes now.
    """
    manifest = Manifest.load(folder)
    if not manifest.entries:
        raise VanbanError(f"{folder} không có {MANIFEST} (sổ theo dõi các văn bản đã tạo): chạy "
                          "«vanban build» trước.")
    return manifest.documents(folder)


def convert(documents: list[Path], root: Path, target: Path, timeout: float | None = None) -> list[Path]:
    """Convert documents (under root) to target/<same sub-folders>/<name>.pdf in one soffice run.

    LibreOffice writes every PDF into one folder named after each input's stem, so the inputs are
    staged under unique names first; a private profile keeps parallel runs apart.
    """
    soffice = find_tool("soffice", "libreoffice")
    with tempfile.TemporaryDirectory(prefix="vanban-pdf-") as tmp:
        staging, converted = Path(tmp) / "in", Path(tmp) / "out"
        staging.mkdir()
        staged = []
        for i, doc in enumerate(documents):
            copy = staging / f"{i:05d}.docx"
            shutil.copyfile(doc, copy)
            staged.append(copy)
        profile = Path(tmp) / "profile"
        command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                   "--norestore", "--convert-to", "pdf", "--outdir", str(converted),
                   *map(str, staged)]
        try:
            subprocess.run(command, check=False, capture_output=True, text=True,
                           timeout=timeout or 120 + 15 * len(documents))
        except subprocess.TimeoutExpired as exc:
            raise VanbanError("LibreOffice không chuyển xong văn bản sang PDF trong thời gian "
                              "cho phép.") from exc
        written, failed = [], []
        for doc, copy in zip(documents, staged, strict=True):
            pdf = converted / (copy.stem + ".pdf")
            if not pdf.exists() or pdf.stat().st_size == 0:
                failed.append(doc)
                continue
            final = (target / doc.relative_to(root)).with_suffix(".pdf")
            final.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(pdf), final.parent / f".{final.name}.tmp")
            os.replace(final.parent / f".{final.name}.tmp", final)
            written.append(final)
    if failed:
        raise VanbanError("LibreOffice không chuyển được sang PDF: "
                          + ", ".join(str(f) for f in failed))
    return written


def preview(pdf: Path, png: Path, dpi: int = PREVIEW_DPI) -> Path:
    """A PNG image of the first page, to look at before printing."""
    pdftoppm = find_tool("pdftoppm")
    png.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([pdftoppm, "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(png.with_suffix(""))], check=True, capture_output=True,
                   timeout=120)
    return png


def make_pdfs(out: Path, year: int | None = None, with_preview: bool = False,
              echo: Callable[[str], None] = lambda _: None) -> PdfResult:
    """Every document of out/<year>/ to out/<year>/pdf/, mirroring sub-folders."""
    folder = year_folder(out, year)
    documents = documents_of(folder)
    if not documents:
        raise VanbanError(f"Không có văn bản .docx nào trong {folder}.")
    target = folder / "pdf"
    if with_preview:
        find_tool("pdftoppm")  # before the long conversion, not after
    pdfs = convert(documents, folder, target)
    for pdf in pdfs:
        echo(f"đã ghi {pdf}")
    previews = []
    if with_preview:
        for pdf in pdfs:
            png = preview(pdf, target / "preview" / pdf.relative_to(target).with_suffix(".png"))
            previews.append(png)
            echo(f"đã ghi {png}")
    return PdfResult(target, tuple(pdfs), tuple(previews))
