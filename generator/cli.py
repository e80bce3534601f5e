"""The `vanban` command line: each command loads its input and calls one pipeline function."""

from __future__ import annotations

from pathlib import Path

import click

from generator import __version__, lint
from generator.build import DEFAULT_TEMPLATES, ROOT, build
from generator.errors import VanbanError

DEFAULT_WORKBOOK = ROOT / "data" / "ke-hoach-cchc-2018.xlsx"
DEFAULT_OUT = ROOT / "out"

_existing_file = click.Path(exists=False, dir_okay=False, path_type=Path)


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


@main.command("lint")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path),
              default=DEFAULT_OUT, show_default=True,
              help="Thư mục kết quả; không chỉ tệp nào thì kiểm tra lần tạo gần nhất trong đó.")
@click.option("--workbook", type=_existing_file, default=DEFAULT_WORKBOOK, show_default=True,
              help="Sổ tính dùng để biết các biến mà mỗi mẫu được dùng.")
def lint_command(files: tuple[Path, ...], out: Path, workbook: Path) -> None:
    """Kiểm tra thể thức (Nghị định 30/2020/NĐ-CP) và thẻ của mẫu và văn bản đã tạo.

    Không chỉ tệp nào: kiểm tra mọi mẫu trong templates/ và mọi văn bản của lần tạo gần nhất
    trong OUT/<năm>/.
    """
    targets = lint.expand(files) if files else lint.default_targets(ROOT, out)
    if not targets:
        raise VanbanError("Không có tệp .docx nào để kiểm tra.")
    variables = lint.template_variables(workbook) if workbook.exists() else None
    findings = lint.lint_paths(targets, variables)
    for finding in findings:
        click.echo(finding.render())
    click.echo(f"Đã kiểm tra {len(targets)} tệp: " + ", ".join(str(t) for t in targets), err=True)
    if variables is None:
        click.echo(f"Chưa kiểm tra tên biến của mẫu: không đọc được sổ tính {workbook}.", err=True)
    if findings:
        errors, warnings = lint.summarize(findings)
        raise VanbanError(f"{len(findings)} chỗ chưa đúng ({errors} lỗi, {warnings} cảnh báo).")
    click.echo("Không có lỗi thể thức.", err=True)


@main.command("pdf")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path),
              default=DEFAULT_OUT, show_default=True, help="Thư mục kết quả của lệnh build.")
@click.option("--year", type=int, default=None,
              help="Năm cần chuyển; mặc định là lần tạo gần nhất.")
@click.option("--preview", is_flag=True, help="Ghi thêm ảnh PNG trang đầu của mỗi văn bản.")
def pdf_command(out: Path, year: int | None, preview: bool) -> None:
    """Chuyển mọi văn bản của OUT/<năm>/ sang PDF (nhúng phông) vào OUT/<năm>/pdf/."""
    from generator.pdf import make_pdfs

    result = make_pdfs(out, year, preview, echo=click.echo)
    click.echo(f"Xong: {len(result.pdfs)} tệp PDF trong {result.folder}")
