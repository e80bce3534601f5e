"""The problems a user can cause, with their place, and the exceptions that carry them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

ERROR = "lỗi"
WARNING = "cảnh báo"
INFO = "thông tin"


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

    severity: str
    loc: Loc | None
    message: str
    found: str = ""
    expected: str = ""
    suggestion: str = ""
    code: str = ""  # a stable, English identifier of the kind of problem, for tests and tools

    def render(self) -> str:
        place = f"{self.loc}: " if self.loc else ""
        # the full stop of a message would stand before the "; đang ghi" details
        message = self.message.rstrip(".") if self.found or self.expected or self.suggestion else self.message
        parts = [f"[{self.severity}] {place}{message}"]
        if self.found:
            parts.append(f"đang ghi: «{self.found}»")
        if self.expected:
            parts.append(f"cần: {self.expected}")
        if self.suggestion:
            parts.append(f"gợi ý: {self.suggestion}")
        return "; ".join(parts)


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


class ProblemsFound(VanbanError):
    """Raised once, after every problem of the input has been collected."""

    def __init__(self, problems: Iterable[Problem], header: str = "") -> None:
        self.problems = tuple(problems)
        lines = [p.render() for p in self.problems]
        errors = sum(1 for p in self.problems if p.severity == ERROR)
        head = header or f"Sổ tính có {errors} lỗi, chưa tạo văn bản nào."
        super().__init__("\n".join([head, *lines]))
