"""The `vanban` command line: each command loads its input and calls one pipeline function."""

from __future__ import annotations

from pathlib import Path

import click

from generator import __version__
from generator.agencies import Agencies
from generator.build import DEFAULT_TEMPLATES, ROOT, build, load_checked
from generator.errors import VanbanError

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


@main.command("agencies")
@click.argument("workbook", type=_existing_file, default=DEFAULT_WORKBOOK)
@click.option("--agency", "wanted", default="",
              help="Chỉ in cơ quan này (mã, tên hoặc tên gọi khác).")
def agencies_command(workbook: Path, wanted: str) -> None:
    """In, theo từng cơ quan, các nhiệm vụ chủ trì và phối hợp trong Phụ lục."""
    plan, warnings = load_checked(workbook)
    for problem in warnings:
        click.echo(problem.render(), err=True)
    resolved = Agencies(plan)
    chosen = list(plan.agencies)
    if wanted:
        by_code = resolved.registry.by_code(wanted.strip())
        found = [by_code] if by_code else list(resolved.registry.resolve(wanted).agencies)
        if not found:
            raise VanbanError(f"Không có cơ quan “{wanted}” trong sheet Cơ quan.")
        chosen = found
    for agency in chosen:
        assignment = resolved.assignments[agency.code]
        mark = "báo cáo" if agency.reports else "không báo cáo"
        click.echo(f"{agency.name} ({agency.code}, {agency.kind}, {mark}): chủ trì "
                   f"{len(assignment.led)}, phối hợp {len(assignment.coordinated)} nhiệm vụ")
        for heading, tasks in (("Chủ trì", assignment.led), ("Phối hợp", assignment.coordinated)):
            if not tasks:
                continue
            click.echo(f"  {heading}:")
            for task in tasks:
                click.echo(f"    {task.ref:<7} {_short(task.task.text)}")
        click.echo("")


def _short(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip(" ,;.") + "…"
