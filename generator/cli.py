"""The `vanban` command line: each command loads its input and calls one pipeline function."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import click
import openpyxl

from generator import __version__, blank, rollover
from generator.build import DEFAULT_TEMPLATES, ROOT, build
from generator.write import check_target, save_bytes

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


_output_file = click.Path(dir_okay=False, path_type=Path)
_FORCE_HELP = "Ghi đè tệp đã có; tệp cũ được sao lưu thành <tên>.sao-luu-<ngày giờ>.xlsx."


@main.command("new-year")
@click.argument("workbook", type=_existing_file)
@click.option("--year", "year", type=click.IntRange(1900, 2200), required=True,
              help="Năm của kế hoạch mới, ví dụ 2019.")
@click.option("-o", "--output", "output", type=_output_file, required=True,
              help="Sổ tính mới (.xlsx); không ghi đè tệp đã có nếu không có --force.")
@click.option("--force", is_flag=True, help=_FORCE_HELP)
def new_year_command(workbook: Path, year: int, output: Path, force: bool) -> None:
    """Chuyển sổ tính kế hoạch sang năm mới và liệt kê mọi ô đã đổi, mọi ô cần xem lại."""
    check_target(output, inputs=[workbook], force=force)
    result = rollover.new_year(workbook, year)
    if not result.changes:
        click.echo(f"Sổ tính đã là kế hoạch năm {year}: không có gì thay đổi.")
        _save(result.workbook, output)
        return
    click.echo(f"Chuyển từ năm {result.source_year} sang năm {result.target_year}: "
               f"{len(result.changes)} ô đã đổi.")
    for change in result.changes:
        click.echo(f"  {change.render()}")
    click.echo(f"Cần xem lại ({len(result.reviews)} ô) trước khi trình ký:")
    for review in result.reviews:
        click.echo(f"  {review.render()}")
    _save(result.workbook, output)
    click.echo(f"Danh sách này có trong sheet “{rollover.CHANGES_SHEET}” của {output}.")


@main.command("workbook")
@click.option("-o", "--output", "output", type=_output_file, required=True,
              help="Sổ tính trống sẽ tạo (.xlsx).")
@click.option("--force", is_flag=True, help=_FORCE_HELP)
def workbook_command(output: Path, force: bool) -> None:
    """Tạo một sổ tính trống có hướng dẫn, danh sách chọn và kiểm tra ngày, cho tỉnh hoặc năm mới."""
    check_target(output, force=force)
    _save(blank.build_workbook(), output)
    click.echo(f"Mở sheet “{blank.GUIDE_NAME}” để xem cách ghi từng sheet, từng cột.")


def _save(wb: openpyxl.Workbook, output: Path) -> None:
    buffer = io.BytesIO()
    wb.save(buffer)
    backup = save_bytes(output, buffer.getvalue())
    if backup is not None:
        click.echo(f"Đã sao lưu tệp cũ thành {backup}")
    click.echo(f"Đã ghi {output}")
