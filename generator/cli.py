"""The `vanban` command line: each command loads its input and calls one pipeline function."""

from __future__ import annotations

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
def build_command(workbook: Path, out: Path, templates: Path) -> None:
    """Tạo toàn bộ văn bản của kế hoạch vào OUT/<năm>/."""
    result = build(workbook, out, templates, echo=click.echo)
    for problem in result.warnings:
        click.echo(problem.render(), err=True)
    click.echo(f"Xong: {len(result.written)} văn bản trong {result.folder}")
