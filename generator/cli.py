"""The `vanban` command line: each command loads its input and calls one pipeline function."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from generator import DEFAULT_OUT, DEFAULT_TEMPLATES, DEFAULT_WORKBOOK, __version__
from generator.errors import INFO, Interrupted, VanbanError, write_failed
from generator.output.libreoffice import DEFAULT_TIMEOUT  # an option's default; stdlib only

if TYPE_CHECKING:
    import openpyxl

# Each command imports the stages it uses when it runs: `vanban --help` loads click and no more.

# existence, folders and file kinds are checked by generator.workbook.filecheck, in Vietnamese
_existing_file = click.Path(path_type=Path)
_output_file = click.Path(path_type=Path)  # check_target says what is wrong, in Vietnamese
_folder = click.Path(path_type=Path)  # see _out_folder
_FORCE_HELP = ("Ghi đè tệp đã có; tệp cũ được sao lưu thành <tên>.sao-luu-<ngày giờ>.xlsx. "
               "Tệp đầu vào thì không bao giờ bị ghi đè.")


def _out_folder(folder: Path | None, option: str) -> None:
    """A folder option naming an existing file: one Vietnamese line (click's own is English)."""
    if folder is not None and folder.exists() and not folder.is_dir():
        raise VanbanError(f"{option} {folder}: đây là một tệp, không phải thư mục; hãy chỉ một "
                          "thư mục (chưa có thì chương trình tạo).", exit_code=2)


class _Shown(click.ClickException):
    """A VanbanError as click shows it: "Lỗi: …" on stderr, the error's own exit code."""

    def __init__(self, error: VanbanError) -> None:
        super().__init__(error.message)
        self.exit_code = error.exit_code  # type: ignore[misc]  # click declares it on the class

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"Lỗi: {self.format_message()}", err=True, file=file)


class _Usage(click.UsageError):
    """A usage mistake (a missing argument, an unknown option, a value of the wrong kind) said in
    Vietnamese on one line: what is wrong, the command's usage and where its help is; exit code 2."""

    def show(self, file: IO[Any] | None = None) -> None:
        ctx = self.ctx
        hint = ""
        if ctx is not None:
            usage = " ".join([ctx.command_path, *ctx.command.collect_usage_pieces(ctx)])
            hint = f" Cách dùng: {usage}; xem «{ctx.command_path} --help»."
        click.echo(f"Lỗi: {self.format_message()}{hint}", err=True, file=file)


def _param_name(param: click.Parameter | None) -> str:
    if isinstance(param, click.Option):
        return "/".join(param.opts)
    return param.human_readable_name if param is not None else ""


def _expected(kind: click.ParamType) -> str:
    """What a value of an option's type must be, in Vietnamese."""
    if isinstance(kind, click.Choice):
        return "một trong: " + ", ".join(str(c) for c in kind.choices)
    if isinstance(kind, click.Path):
        return ("một thư mục, không phải tệp" if not kind.file_okay else
                "một tệp, không phải thư mục" if not kind.dir_okay else "một đường dẫn")
    if isinstance(kind, (click.types.IntParamType, click.types.FloatParamType)):
        what = "một số nguyên" if isinstance(kind, click.types.IntParamType) else "một số"
        low, high = getattr(kind, "min", None), getattr(kind, "max", None)
        if low is not None and high is not None:
            return f"{what} từ {low} đến {high}"
        if low is not None:
            return f"{what} từ {low} trở lên"
        return what if high is None else f"{what} không quá {high}"
    return ""


def _vietnamese(error: click.UsageError) -> str:
    """Click's usage error in Vietnamese (click's own are English); ours are kept as they are."""
    message = error.message
    if isinstance(error, click.MissingParameter):  # before BadParameter: it is one
        kind = "đối số" if isinstance(error.param, click.Argument) else "tùy chọn"
        return f"Thiếu {kind} {_param_name(error.param)}."
    if isinstance(error, click.BadParameter):
        value = re.search(r"'([^']*)'|^(\S+) is not in the range", message)
        found = f" «{value.group(1) if value.group(1) is not None else value.group(2)}»" if value else ""
        expected = _expected(error.param.type) if error.param is not None else ""
        return (f"Giá trị{found} của {_param_name(error.param) or 'tham số'} không hợp lệ"
                + (f"; cần {expected}." if expected else "."))
    if isinstance(error, click.NoSuchOption):
        close = f"; có phải {' hoặc '.join(error.possibilities)}?" if error.possibilities else "."
        return f"Không có tùy chọn {error.option_name}{close}"
    if isinstance(error, click.BadOptionUsage):
        if "does not take a value" in message:
            return f"Tùy chọn {error.option_name} không nhận giá trị."
        return f"Tùy chọn {error.option_name} cần một giá trị."
    command = re.match(r"No such command '(.*)'", message)
    if command:
        near = getattr(error, "possibilities", None)  # click 8.4 and later
        return f"Không có lệnh {command.group(1)}" + (f"; có phải {' hoặc '.join(near)}?" if near else ".")
    extra = re.match(r"Got unexpected extra arguments? \((.*)\)", message)
    if extra:
        return f"Thừa đối số: {extra.group(1)}."
    if message == "Missing command.":
        return "Thiếu tên lệnh."
    return message


@contextmanager
def _usage_in_vietnamese() -> Iterator[None]:
    try:
        yield
    except click.exceptions.NoArgsIsHelpError:
        raise  # `vanban` alone: the help itself
    except _Usage:
        raise
    except click.UsageError as error:
        raise _Usage(_vietnamese(error), error.ctx) from None


# Click's own words in a help page, said in Vietnamese (click has no Vietnamese catalogue, and
# its gettext domain is the whole process's: the words are replaced here, where help is written).
_HEADINGS = {"Options": "Tùy chọn", "Commands": "Lệnh", "Positional arguments": "Đối số"}
_OPTIONS_METAVAR = "[TÙY CHỌN]"
_SUBCOMMAND_METAVAR = "LỆNH [ĐỐI SỐ]..."
HELP_OPTION_HELP = "Hiện hướng dẫn này rồi thoát."
VERSION_HELP = "Hiện số phiên bản rồi thoát."
_EXTRA = re.compile(r"  \[([^\[\]]*)\]$|^\[([^\[\]]*)\]$")  # "[default: out; x>=1]" after the help


def _metavar(kind: click.ParamType) -> str | None:
    """What an option's value is, in Vietnamese (click says PATH, DIRECTORY, INTEGER RANGE, TEXT)."""
    if kind is _folder or isinstance(kind, click.Path) and not kind.file_okay:
        return "THƯ-MỤC"
    if kind in (_existing_file, _output_file) or isinstance(kind, click.Path) and not kind.dir_okay:
        return "TỆP"
    if isinstance(kind, click.Path):
        return "ĐƯỜNG-DẪN"
    if isinstance(kind, (click.types.IntParamType, click.types.FloatParamType)):
        return "SỐ"
    if isinstance(kind, click.types.StringParamType):
        return "GIÁ-TRỊ"
    return None  # a choice shows its values


def _extra_in_vietnamese(extra: str) -> str:
    items = []
    for item in extra.split("; "):
        if item.startswith("default: "):
            item = "mặc định: " + item.removeprefix("default: ")
        elif item == "required":
            item = "bắt buộc"
        items.append(item)
    return "; ".join(items)


class _Formatter(click.HelpFormatter):
    """Click's help layout with its headings, usage prefix and [default: …] said in Vietnamese."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "Cách dùng: " if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        super().write_heading(_HEADINGS.get(heading, heading))

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        def said(text: str) -> str:
            return _EXTRA.sub(lambda m: ("  " if m.group(1) is not None else "")
                              + f"[{_extra_in_vietnamese(m.group(1) or m.group(2) or '')}]", text)

        super().write_dl([(term, said(text)) for term, text in rows], col_max, col_spacing)


class _Context(click.Context):
    formatter_class = _Formatter


class _Command(click.Command):
    """A command whose help is all Vietnamese: the option values' kinds, [TÙY CHỌN], -h/--help."""

    context_class = _Context

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", _OPTIONS_METAVAR)
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, click.Option) and param.metavar is None:
                param.metavar = _metavar(param.type)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_OPTION_HELP
        return option


class _Vanban(_Command, click.Group):
    """The command group: the pipeline's errors become click's output and exit code here, and
    click's usage errors (of the group and of every command) are said in Vietnamese."""

    command_class = _Command

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", _SUBCOMMAND_METAVAR)
        super().__init__(*args, **kwargs)

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        with _usage_in_vietnamese():  # the group's own options and arguments
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with _usage_in_vietnamese():  # the command's name, options and arguments
                return super().invoke(ctx)
        except VanbanError as error:
            raise _Shown(error) from error
        except KeyboardInterrupt:  # click would print its English "Aborted!"
            raise _Shown(Interrupted()) from None


@contextmanager
def _progress_bar(total: int) -> Iterator[Callable[[int], None]]:
    """The build's progress bar on the terminal, for more than one document."""
    if total < 2:
        yield lambda _: None
        return
    with click.progressbar(length=total, label="Đang tạo văn bản", file=sys.stderr) as bar:
        yield bar.update


@click.group(cls=_Vanban, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vanban", help=VERSION_HELP,
                      message="%(prog)s, phiên bản %(version)s")
def main() -> None:
    """vanban: tạo Quyết định, Kế hoạch, Phụ lục và mẫu báo cáo từ sổ tính kế hoạch."""


@main.command("build")
@click.argument("workbook", type=_existing_file, default=DEFAULT_WORKBOOK)
@click.option("--out", "out", type=_folder,
              default=DEFAULT_OUT, show_default=True, help="Thư mục ghi kết quả.")
@click.option("--templates", type=_folder,
              default=DEFAULT_TEMPLATES, show_default=True, help="Thư mục mẫu văn bản.")
@click.option("--strict", is_flag=True, help="Coi cảnh báo là lỗi: có cảnh báo thì không tạo văn bản.")
@click.option("--force", is_flag=True,
              help="Ghi đè cả văn bản đã bị sửa tay; bản cũ được giữ bên cạnh "
                   "(<tên>.YYYYMMDD-HHMMSS.bak.docx).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Số tiến trình tạo văn bản song song (mặc định: theo số lõi CPU khi có nhiều văn bản).")
@click.option("--dump-context", "dump_context", type=_folder,
              default=None, help="Ghi dữ liệu (JSON) của từng văn bản vào thư mục này, để kiểm tra mẫu.")
@click.option("--move-leftovers", "move_leftovers", is_flag=True,
              help="Chuyển các văn bản mà kế hoạch không còn tạo (kỳ đã đổi tên, cơ quan thôi báo "
                   "cáo, bản .bak) sang thư mục OUT/<năm>/cu-<ngày giờ>/; không xóa tệp nào.")
def build_command(workbook: Path, out: Path, templates: Path, strict: bool, force: bool,
                  workers: int | None, dump_context: Path | None, move_leftovers: bool) -> None:
    """Tạo toàn bộ văn bản của kế hoạch vào OUT/<năm>/; chỉ ghi lại những văn bản đã thay đổi."""
    from generator.pipeline import build

    for folder, option in ((out, "--out"), (templates, "--templates"),
                           (dump_context, "--dump-context")):
        _out_folder(folder, option)
    result = build(workbook, out, templates, echo=click.echo, strict=strict, force=force,
                   workers=workers, progress=_progress_bar if sys.stderr.isatty() else None,
                   dump_context=dump_context, move_leftovers=move_leftovers)
    notes = [p for p in result.warnings if p.severity == INFO]
    for problem in result.warnings:
        if problem.severity != INFO:
            click.echo(problem.render(), err=True)
    if notes:
        click.echo(f"và {len(notes)} ghi chú thông tin (chạy “vanban check” để xem).", err=True)
    same = len(result.outputs) - len(result.written)
    click.echo(f"Xong: {len(result.outputs)} văn bản trong {result.folder}; "
               f"{len(result.written)} tệp được ghi lại, {same} tệp không đổi.")
    if result.leftovers:
        done = f"đã chuyển sang {result.moved_to}" if result.moved_to else "không còn trong kế hoạch"
        click.echo(f"{len(result.leftovers)} tệp {done} (không đưa vào PDF và kiểm tra thể thức):")
        for path in result.leftovers:
            click.echo(f"  - {path}")
        if result.moved_to is None:
            click.echo("Chạy lại với --move-leftovers để chuyển chúng sang một thư mục có ngày giờ "
                       f"({result.folder}/cu-<ngày giờ>/); không tệp nào bị xóa.")


@main.command("check")
@click.argument("workbook", type=_existing_file, default=DEFAULT_WORKBOOK)
@click.option("--strict", is_flag=True,
              help="Coi cảnh báo là lỗi (thông tin thì không bao giờ là lỗi).")
@click.option("--annotate", "annotate_to", type=click.Path(dir_okay=False, path_type=Path),
              metavar="OUT.xlsx", help="Ghi bản sao sổ tính có đánh dấu các ô có vấn đề.")
@click.option("--force", is_flag=True, help=_FORCE_HELP)
def check_command(workbook: Path, strict: bool, annotate_to: Path | None, force: bool) -> None:
    """Kiểm tra sổ tính: in mọi lỗi, cảnh báo, thông tin kèm sheet và ô.

    Mã thoát: 0 không có lỗi (cảnh báo không tính, trừ khi có --strict), 1 có lỗi, 2 sai cách gọi.
    """
    from generator.checks.plan import check_workbook, render_block, summary
    from generator.errors import ERROR
    from generator.output.write import check_target
    from generator.workbook.annotate import annotated_copy

    if annotate_to is not None:
        check_target(annotate_to, inputs=[workbook], force=force)
    result = check_workbook(workbook, strict=strict)
    for problem in result.problems:
        click.echo(render_block(problem))
    if annotate_to is not None:
        _save(annotated_copy(workbook, result.problems), annotate_to)
    errors = result.count(ERROR)
    verdict = "Sổ tính có lỗi, chưa tạo được văn bản." if errors else "Sổ tính dùng được để tạo văn bản."
    click.echo(f"Kết quả: {summary(result.problems)} {verdict}")
    if errors:
        raise SystemExit(1)


@main.command("fix-encoding")
@click.argument("workbook", type=_existing_file)
@click.option("-o", "--output", "output", type=_output_file, required=True, metavar="OUT.xlsx",
              help="Tệp ghi bản sổ tính đã chuyển mã; không ghi đè tệp đã có nếu không có --force.")
@click.option("--force", is_flag=True, help=_FORCE_HELP)
def fix_encoding_command(workbook: Path, output: Path, force: bool) -> None:
    """Chuyển văn bản gõ bằng bảng mã cũ (TCVN3, VNI) sang Unicode, ghi vào bản sao OUT.xlsx."""
    from generator.output.write import check_target
    from generator.workbook.fixencoding import fix_encoding

    check_target(output, inputs=[workbook], force=force)
    wb, changes = fix_encoding(workbook)
    applied = [c for c in changes if c.applied]
    for change in applied:
        click.echo(f"{change.loc}: «{change.before}» → «{change.after}»  ({change.reason})")
    for change in changes:
        if not change.applied:
            click.echo(f"{change.loc}: có thể là mã cũ nhưng không chắc, chưa đổi: «{change.before}» "
                       f"(nếu chuyển sẽ thành «{change.after}»)")
    if not applied:
        click.echo("Không có ô nào cần chuyển mã; không ghi tệp nào.")
        return
    click.echo(f"{len(applied)} ô được sửa.")
    _save(wb, output)


@main.command("lint")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", "out", type=_folder,
              default=DEFAULT_OUT, show_default=True,
              help="Thư mục kết quả; không chỉ tệp nào thì kiểm tra lần tạo gần nhất trong đó.")
@click.option("--workbook", type=_existing_file, default=DEFAULT_WORKBOOK, show_default=True,
              help="Sổ tính dùng để biết các biến mà mỗi mẫu được dùng.")
def lint_command(files: tuple[Path, ...], out: Path, workbook: Path) -> None:
    """Kiểm tra thể thức (Nghị định 30/2020/NĐ-CP) và thẻ của mẫu và văn bản đã tạo.

    Không chỉ tệp nào: kiểm tra mọi mẫu trong templates/ và mọi văn bản của lần tạo gần nhất
    trong OUT/<năm>/.
    """
    from generator import pipeline
    from generator.layout import lint

    _out_folder(out, "--out")
    targets = lint.expand(files) if files else pipeline.lint_targets(out)
    if not targets:
        raise VanbanError("Không có tệp .docx nào để kiểm tra.")
    if not files and all(t.parent == DEFAULT_TEMPLATES for t in targets):
        # run from another folder, `out/` there is not ours: say what was not checked
        click.echo(f"Chưa có văn bản nào đã tạo trong {out}: chỉ kiểm tra các mẫu. Muốn kiểm tra "
                   "văn bản, thêm --out THƯ-MỤC-KẾT-QUẢ hoặc chỉ rõ tệp, thư mục.", err=True)
    variables = pipeline.template_variables(workbook) if workbook.exists() else None
    findings = pipeline.lint_paths(targets, variables)
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
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out", type=_folder,
              default=DEFAULT_OUT, show_default=True, help="Thư mục kết quả của lệnh build.")
@click.option("--year", type=int, default=None, metavar="NĂM",
              help="Năm cần chuyển; mặc định là lần tạo gần nhất.")
@click.option("--preview", is_flag=True, help="Ghi thêm ảnh PNG trang đầu của mỗi văn bản.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Số tiến trình LibreOffice chạy song song (mặc định: theo số lõi CPU khi có "
                   "nhiều văn bản).")
@click.option("--timeout", type=click.FloatRange(min=1), default=DEFAULT_TIMEOUT, show_default=True,
              metavar="GIÂY",
              help="Số giây tối đa cho một văn bản (không tính lúc LibreOffice khởi động); quá hạn "
                   "thì dừng LibreOffice, báo văn bản đó và chuyển tiếp các văn bản còn lại.")
@click.option("--force", is_flag=True,
              help="Ghi đè cả tệp PDF đã bị thay đổi sau khi tạo (ví dụ đã ký số); bản cũ được giữ "
                   "bên cạnh (<tên>.sao-luu-<ngày giờ>.pdf).")
@click.option("--check", "check", is_flag=True,
              help="Không chuyển gì, chỉ kiểm tra các tệp PDF FILES (mặc định: mọi PDF của lần "
                   "tạo gần nhất): có khai báo PDF/A-2b, nhúng đủ phông, ngôn ngữ vi-VN, có tiêu đề, "
                   "khổ A4 đúng hướng trang. Đây là kiểm tra cấu trúc, không thay cho veraPDF.")
def pdf_command(files: tuple[Path, ...], out: Path, year: int | None, preview: bool,
                workers: int | None, timeout: float, force: bool, check: bool) -> None:
    """Chuyển sang PDF/A-2b (nhúng phông, tiếng Việt, ngày theo kế hoạch) những văn bản của
    OUT/<năm>/ đã thay đổi từ lần chuyển trước, vào OUT/<năm>/pdf/.

    Với --check: kiểm tra các tệp PDF đã có, không chuyển gì.
    """
    from generator.output.pdf import check_pdfs, make_pdfs, pdfs_of, year_folder

    _out_folder(out, "--out")
    if check:
        targets = list(files) or pdfs_of(year_folder(out, year))
        if not targets:
            raise VanbanError("Không có tệp PDF nào để kiểm tra: chạy «vanban pdf» trước.")
        results = check_pdfs(targets)
        for pdf, problems in results.items():
            if problems:
                for problem in problems:
                    click.echo(f"{pdf}: {problem}")
            else:
                click.echo(f"{pdf}: đạt (PDF/A-2b theo khai báo, đủ phông, vi-VN, có tiêu đề, A4)")
        bad = sum(1 for problems in results.values() if problems)
        click.echo(f"Đã kiểm tra cấu trúc {len(results)} tệp PDF (không phải kiểm định PDF/A đầy đủ "
                   "như veraPDF).", err=True)
        if bad:
            raise VanbanError(f"{bad} tệp PDF chưa đạt.")
        return
    if files:
        raise click.UsageError("Chỉ ghi tên tệp khi dùng --check.")
    result = make_pdfs(out, year, preview, echo=click.echo, workers=workers, timeout=timeout,
                       force=force)
    if result.pdfs:
        click.echo(f"Xong: {len(result.pdfs)} tệp PDF được ghi lại, {result.unchanged} tệp không đổi, "
                   f"trong {result.folder} ({result.workers} tiến trình LibreOffice).")


@main.command("new-year")
@click.argument("workbook", type=_existing_file)
@click.option("--year", "year", type=int, required=True, metavar="NĂM",
              help="Năm của kế hoạch mới, ví dụ 2019.")
@click.option("-o", "--output", "output", type=_output_file, required=True,
              help="Sổ tính mới (.xlsx); không ghi đè tệp đã có nếu không có --force.")
@click.option("--force", is_flag=True, help=_FORCE_HELP)
def new_year_command(workbook: Path, year: int, output: Path, force: bool) -> None:
    """Chuyển sổ tính kế hoạch sang năm mới và liệt kê mọi ô đã đổi, mọi ô cần xem lại."""
    from generator import pipeline
    from generator.output.write import check_target
    from generator.workbook import rollover

    check_target(output, inputs=[workbook], force=force)
    result = pipeline.new_year(workbook, year)
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
    from generator.output.write import check_target
    from generator.workbook import blank

    check_target(output, force=force)
    _save(blank.build_workbook(), output)
    click.echo(f"Mở sheet “{blank.GUIDE_NAME}” để xem cách ghi từng sheet, từng cột.")


def _save(wb: openpyxl.Workbook, output: Path) -> None:
    from generator.output.write import save_bytes
    from generator.workbook import blank

    data = blank.workbook_bytes(wb, output)
    try:
        backup = save_bytes(output, data)
    except OSError as exc:
        raise write_failed(exc, output) from exc
    if backup is not None:
        click.echo(f"Đã sao lưu tệp cũ thành {backup}")
    click.echo(f"Đã ghi {output}")


@main.command("serve")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Cổng của trang (0: một cổng còn trống bất kỳ).")
@click.option("--host", default="127.0.0.1", show_default=True, metavar="ĐỊA-CHỈ",
              help="Địa chỉ nghe; mặc định chỉ máy này mở được trang.")
@click.option("--open", "open_browser", is_flag=True, help="Mở trang trong trình duyệt mặc định.")
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_OUT / "web",
              show_default=True, help="Thư mục của trang: sổ tính đã tải lên và văn bản đã tạo.")
def serve_command(port: int, host: str, open_browser: bool, data: Path) -> None:
    """Mở trang trong trình duyệt cho cán bộ: kiểm tra sổ tính, tạo và tải văn bản."""
    from generator.web import is_loopback, serve

    if not is_loopback(host):
        click.echo(f"Cảnh báo: trang nghe trên {host}, nên máy khác trong mạng cũng mở được và tải lên, "
                   "tải về được văn bản. Trang không có đăng nhập; chỉ dùng trong mạng tin cậy.", err=True)
    serve(data, host, port, open_browser, echo=click.echo)


@main.command("agencies")
@click.argument("workbook", type=_existing_file, default=DEFAULT_WORKBOOK)
@click.option("--agency", "wanted", default="", metavar="CƠ-QUAN",
              help="Chỉ in cơ quan này (mã, tên hoặc tên gọi khác).")
def agencies_command(workbook: Path, wanted: str) -> None:
    """In, theo từng cơ quan, các nhiệm vụ chủ trì và phối hợp trong Phụ lục."""
    from generator.pipeline import load_checked
    from generator.plan.agencies import Agencies

    plan, notes = load_checked(workbook)
    warnings = [p for p in notes if p.severity != INFO]
    if warnings:
        click.echo(f"Sổ tính có {len(warnings)} cảnh báo (chạy “vanban check” để xem).", err=True)
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


@main.command("collect")
@click.argument("forms", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--workbook", type=_existing_file, default=DEFAULT_WORKBOOK, show_default=True,
              help="Sổ tính kế hoạch đã dùng để tạo mẫu báo cáo.")
@click.option("--period", default=None, metavar="MÃ KỲ",
              help="Mã kỳ báo cáo (cột Mã của sheet Kỳ báo cáo), ví dụ quy-1; mặc định: kỳ của các báo cáo.")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path),
              default=DEFAULT_OUT, show_default=True, help="Thư mục kết quả.")
@click.option("--force", is_flag=True,
              help="Ghi đè cả báo cáo tổng hợp đã sửa tay; bản cũ được giữ bên cạnh.")
def collect_command(forms: tuple[Path, ...], workbook: Path, period: str | None, out: Path,
                    force: bool) -> None:
    """Tổng hợp các báo cáo cơ quan gửi về (tệp, thư mục hoặc .zip) thành OUT/<năm>/tong-hop/<kỳ>/.

    Mã thoát: 0 đã tổng hợp (có thể kèm cảnh báo), 1 có tệp không dùng được (không ghi gì), 2 sai cách gọi.
    """
    from generator import pipeline

    result = pipeline.collect(list(forms), workbook, out, period, echo=click.echo, force=force)
    notes = 0
    for problem in result.problems:
        if problem.severity == INFO:
            notes += 1
            continue
        click.echo(problem.render(), err=True)
    c = result.consolidation
    rate = "chưa có nhiệm vụ đến hạn" if c.total.rate is None else f"{vn_percent(c.total.rate)}%"
    click.echo(f"Kỳ {c.period.name}: {result.forms} báo cáo; {len(c.received)} cơ quan đã gửi, "
               f"{len(c.late)} trễ hạn, {len(c.missing)} chưa gửi. Hoàn thành {c.total.done_due}/"
               f"{c.total.due} nhiệm vụ đến hạn ({rate}), {c.total.done}/{c.total.total} nhiệm vụ của "
               f"kế hoạch.")
    if notes:
        click.echo(f"và {notes} ghi chú thông tin (xem sheet “Vấn đề” của tong-hop.xlsx).", err=True)
    same = len(result.outputs) - len(result.written)
    click.echo(f"Xong: {len(result.outputs)} tệp trong {result.folder}; {len(result.written)} tệp được "
               f"ghi lại, {same} tệp không đổi.")


def vn_percent(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _short(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip(" ,;.") + "…"
