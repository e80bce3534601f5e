"""The problems a user can cause, with their place, and the exceptions that carry them."""

from __future__ import annotations

import errno
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How much a problem matters, ordered INFO < WARNING < ERROR; the value is the text users see."""

    ERROR = "lỗi"
    WARNING = "cảnh báo"
    INFO = "thông tin"

    @property
    def rank(self) -> int:
        """0 for an error, 1 for a warning, 2 for information: the order problems are listed in."""
        return _RANKS[self]

    def __lt__(self, other: Any) -> bool:
        return self.rank > other.rank if isinstance(other, Severity) else NotImplemented

    def __le__(self, other: Any) -> bool:
        return self.rank >= other.rank if isinstance(other, Severity) else NotImplemented

    def __gt__(self, other: Any) -> bool:
        return self.rank < other.rank if isinstance(other, Severity) else NotImplemented

    def __ge__(self, other: Any) -> bool:
        return self.rank <= other.rank if isinstance(other, Severity) else NotImplemented


_RANKS = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
ERROR = Severity.ERROR
WARNING = Severity.WARNING
INFO = Severity.INFO


def rank(severity: str) -> int:
    """The listing order of a severity given as the enum or its text (unknown text last)."""
    try:
        return Severity(severity).rank
    except ValueError:
        return len(_RANKS)


@dataclass(frozen=True)
class Loc:
    """Where a value came from: a sheet and a cell of the workbook (or a template place)."""

    sheet: str
    cell: str = ""

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell}" if self.cell else self.sheet


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the user's input, said in Vietnamese at its place."""

    severity: Severity
    loc: Loc | None
    message: str
    found: str = ""
    expected: str = ""
    suggestion: str = ""
    code: str = ""  # a stable, English identifier of the kind of problem, for tests and tools

    def details(self) -> list[str]:
        """What was written, what is needed, what to do: each as the clerk reads it."""
        parts = []
        if self.found:
            parts.append(f"đang ghi: «{self.found}»")
        if self.expected:
            parts.append(f"cần: {self.expected}")
        if self.suggestion:
            parts.append(f"gợi ý: {self.suggestion}")
        return parts

    def render(self) -> str:
        """The problem on one line (in an error message, a warning of the build)."""
        place = f"{self.loc}: " if self.loc else ""
        # the full stop of a message would stand before the "; đang ghi" details
        message = self.message.rstrip(".") if self.found or self.expected or self.suggestion else self.message
        return "; ".join([f"[{self.severity}] {place}{message}", *self.details()])

    def render_block(self, indent: str = "    ", place: bool = True) -> str:
        """The problem over several lines (`vanban check`, a cell comment without its place)."""
        where = f"{self.loc}: " if place and self.loc else ""
        return "\n".join([f"[{self.severity}] {where}{self.message}", *(indent + d for d in self.details())])


class VanbanError(Exception):
    """A problem in the user's input or environment: one message and an exit code, no traceback.

    The front doors (cli.py, web/) decide how it is shown; the CLI prints "Lỗi: <message>" on
    stderr and exits with `exit_code` (1 for bad input, 2 for a usage mistake).
    """

    exit_code = 1

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code

    def format_message(self) -> str:
        return self.message

    def __str__(self) -> str:
        return self.message


class Interrupted(VanbanError):
    """Ctrl+C: one line, exit code 130 (128 + SIGINT, as shells expect), no traceback. A command
    that also stops on SIGTERM says what it finished, with exit code 143 (128 + SIGTERM)."""

    exit_code = 130

    def __init__(self, message: str = "", exit_code: int | None = None) -> None:
        super().__init__(message or "Đã dừng theo yêu cầu (Ctrl+C). Các tệp đã có giữ nguyên; không "
                         "tệp nào bị ghi dở.", exit_code)


class ProblemsFound(VanbanError):
    """Raised once, after every problem of the input has been collected."""

    def __init__(self, problems: Iterable[Problem], header: str = "") -> None:
        self.problems = tuple(problems)
        lines = [p.render() for p in self.problems]
        errors = sum(1 for p in self.problems if p.severity == ERROR)
        head = header or f"Sổ tính có {errors} lỗi, chưa tạo văn bản nào."
        super().__init__("\n".join([head, *lines]))


# What the system says of a file it could not write, in the user's words: strerror is English
# ("No space left on device") and names no file.
_REASONS = {
    errno.ENOSPC: "ổ đĩa đã đầy",
    errno.EDQUOT: "đã hết hạn mức dung lượng trên ổ đĩa",
    errno.EFBIG: "tệp vượt quá cỡ tệp mà ổ đĩa cho phép",
    errno.EACCES: "không có quyền ghi (tệp có đang mở trong Word hay Excel, hoặc thư mục bị khóa ghi?)",
    errno.EPERM: "không được phép ghi (tệp có đang mở trong Word hay Excel, hoặc thư mục bị khóa ghi?)",
    errno.EBUSY: "tệp đang được chương trình khác dùng (có đang mở trong Word hay Excel?)",
    errno.EROFS: "ổ đĩa chỉ cho đọc",
    errno.EEXIST: "đã có tệp hoặc thư mục cùng tên",
    errno.EISDIR: "ở đó là một thư mục, không phải tệp",
    errno.ENOTDIR: "một phần của đường dẫn là tệp chứ không phải thư mục",
    errno.ENOENT: "thư mục không tồn tại",
    errno.ENAMETOOLONG: "tên tệp quá dài",
    errno.EIO: "lỗi đọc ghi của ổ đĩa",
}
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def os_reason(code: int | None) -> str:
    """Why a file could not be read or written, in Vietnamese, from its errno."""
    if code in _REASONS:
        return _REASONS[code]
    name = errno.errorcode.get(code or 0, "")
    return f"lỗi hệ thống {name or code}".strip()


def write_failed(exc: OSError, target: object = None) -> VanbanError:
    """One message for a file that could not be written: which file, and why, in Vietnamese."""
    where = exc.filename2 or exc.filename or target or "tệp kết quả"
    return VanbanError(f"Không ghi được {where}: {os_reason(exc.errno)}. Các tệp khác giữ nguyên "
                       "như trước lần chạy này; sửa xong thì chạy lại.")
