"""The `vanban` command line: each command loads its input and calls one pipeline function."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from generator import __version__
from generator.build import DEFAULT_TEMPLATES, ROOT, build

DEFAULT_WORKBOOK = ROOT / "data" / "ke-hoach-cchc-2018.xlsx"
DEFAULT_OUT = ROOT / "out"

# existence, folders and file kinds are checked by generator.filecheck, in Vietnamese
_existing_file = click.Path(path_type=Path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vanban")
def main() -> None:
    """vanban: tạo Quyết định, Kế hoạch, Phụ lục và mẫu báo cáo từ sổ tính kế hoạch."""


@main.command("build")
@click.argument("workbook", type=_existing_file, default=DEFAULT_WORKBOOK)
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path),
              default=DEFAULT_OUT, show_default=True, help="Thư mục ghi kết quả.")
@click.option("--templates", type=click.Path(file_okay=False, path_type=Path),
              default=DEFAULT_TEMPLATES, show_default=True, help="Thư mục mẫu văn bản.")
@click.option("--force", is_flag=True,
              help="Ghi đè cả văn bản đã bị sửa tay; bản cũ được giữ bên cạnh "
                   "(<tên>.YYYYMMDD-HHMMSS.bak.docx).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Số tiến trình tạo văn bản song song (mặc định: theo số lõi CPU khi có nhiều văn bản).")
@click.option("--dump-context", "dump_context", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Ghi dữ liệu (JSON) của từng văn bản vào thư mục này, để kiểm tra mẫu.")
def build_command(workbook: Path, out: Path, templates: Path, force: bool, workers: int | None,
                  dump_context: Path | None) -> None:
    """Tạo toàn bộ văn bản của kế hoạch vào OUT/<năm>/; chỉ ghi lại những văn bản đã thay đổi."""
    result = build(workbook, out, templates, echo=click.echo, force=force, workers=workers,
                   progress=sys.stderr.isatty(), dump_context=dump_context)
    for problem in result.warnings:
        click.echo(problem.render(), err=True)
    same = len(result.outputs) - len(result.written)
    click.echo(f"Xong: {len(result.outputs)} văn bản trong {result.folder}; "
               f"{len(result.written)} tệp được ghi lại, {same} tệp không đổi.")
