"""The `vanban` command line: each command loads its input and calls one pipeline function."""

from __future__ import annotations

from pathlib import Path

import click

from generator import __version__
from generator.annotate import annotate, same_file
from generator.build import DEFAULT_TEMPLATES, ROOT, build
from generator.checks import check_workbook, render_block, summary
from generator.errors import ERROR, INFO
from generator.fixencoding import fix_encoding

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
@click.option("--strict", is_flag=True, help="Coi cảnh báo là lỗi: có cảnh báo thì không tạo văn bản.")
def build_command(workbook: Path, out: Path, templates: Path, strict: bool) -> None:
    """Tạo toàn bộ văn bản của kế hoạch vào OUT/<năm>/."""
    result = build(workbook, out, templates, echo=click.echo, strict=strict)
    notes = [p for p in result.warnings if p.severity == INFO]
    for problem in result.warnings:
        if problem.severity != INFO:
            click.echo(problem.render(), err=True)
    if notes:
        click.echo(f"và {len(notes)} ghi chú thông tin (chạy “vanban check” để xem).", err=True)
    click.echo(f"Xong: {len(result.written)} văn bản trong {result.folder}")


def _output_path(source: Path, out: Path, option: str) -> Path:
    if out.suffix.lower() != ".xlsx":
        raise click.BadParameter("tệp ghi ra phải có đuôi .xlsx", param_hint=option)
    if same_file(source, out):
        raise click.BadParameter(
            f"{out} là chính sổ tính đang kiểm tra; hãy chọn tên khác để không ghi đè dữ liệu gốc",
            param_hint=option,
        )
    return out


@main.command("check")
@click.argument("workbook", type=_existing_file, default=DEFAULT_WORKBOOK)
@click.option("--strict", is_flag=True,
              help="Coi cảnh báo là lỗi (thông tin thì không bao giờ là lỗi).")
@click.option("--annotate", "annotate_to", type=click.Path(dir_okay=False, path_type=Path),
              metavar="OUT.xlsx", help="Ghi bản sao sổ tính có đánh dấu các ô có vấn đề.")
def check_command(workbook: Path, strict: bool, annotate_to: Path | None) -> None:
    """Kiểm tra sổ tính: in mọi lỗi, cảnh báo, thông tin kèm sheet và ô.

    Mã thoát: 0 không có lỗi (cảnh báo không tính, trừ khi có --strict), 1 có lỗi, 2 sai cách gọi.
    """
    if annotate_to is not None:
        _output_path(workbook, annotate_to, "--annotate")
    result = check_workbook(workbook, strict=strict)
    for problem in result.problems:
        click.echo(render_block(problem))
    if annotate_to is not None:
        existed = annotate_to.exists()
        annotate(workbook, result.problems, annotate_to)
        click.echo(f"Đã ghi bản đánh dấu: {annotate_to}" + (" (ghi đè tệp cũ)" if existed else ""))
    errors = result.count(ERROR)
    verdict = "Sổ tính có lỗi, chưa tạo được văn bản." if errors else "Sổ tính dùng được để tạo văn bản."
    click.echo(f"Kết quả: {summary(result.problems)} {verdict}")
    if errors:
        raise SystemExit(1)


@main.command("fix-encoding")
@click.argument("workbook", type=_existing_file)
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path),
              required=True, metavar="OUT.xlsx", help="Tệp ghi bản sổ tính đã chuyển mã.")
def fix_encoding_command(workbook: Path, output: Path) -> None:
    """Chuyển văn bản gõ bằng bảng mã cũ (TCVN3, VNI) sang Unicode, ghi vào bản sao OUT.xlsx."""
    _output_path(workbook, output, "-o")
    existed = output.exists()
    changes = fix_encoding(workbook, output)
    applied = [c for c in changes if c.applied]
    for change in applied:
        click.echo(f"{change.loc}: «{change.before}» → «{change.after}»  ({change.reason})")
    for change in changes:
        if not change.applied:
            click.echo(f"{change.loc}: có thể là mã cũ nhưng không chắc, chưa đổi: «{change.before}» "
                       f"(nếu chuyển sẽ thành «{change.after}»)")
    if applied:
        click.echo(f"Đã ghi {output}: {len(applied)} ô được sửa" + (" (ghi đè tệp cũ)." if existed else "."))
    else:
        click.echo("Không có ô nào cần chuyển mã; không ghi tệp nào.")
