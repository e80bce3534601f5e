"""`vanban --help` and every command's help are Vietnamese, click's own words included: the
usage line, the section headings, the kinds of values, defaults, -h/--help and --version."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from generator.cli import main

COMMANDS = sorted(main.commands)
# what click writes in English of its own, whatever the command
ENGLISH = ("Usage:", "Options:", "Commands:", "Positional arguments", "Show this message",
           "Show the version", "[OPTIONS]", "COMMAND [ARGS]", "default:", "required]", "PATH",
           "DIRECTORY", "INTEGER", "FLOAT", "TEXT", "RANGE", ", version ")


def help_of(*args: str) -> str:
    result = CliRunner().invoke(main, [*args, "--help"], prog_name="vanban", terminal_width=100)
    assert result.exit_code == 0, result.output
    return result.output


def english_in(text: str) -> list[str]:
    return [word for word in ENGLISH if word in text]


def test_the_commands_help_is_vietnamese():
    text = help_of()
    assert text.startswith("Cách dùng: vanban [TÙY CHỌN] LỆNH [ĐỐI SỐ]...\n")
    assert "\nTùy chọn:\n" in text and "\nLệnh:\n" in text
    assert re.search(r"--version +Hiện số phiên bản rồi thoát\.", text)
    assert re.search(r"-h, --help +Hiện hướng dẫn này rồi thoát\.", text)
    for name in COMMANDS:  # the commands keep their names
        assert re.search(rf"^  {re.escape(name)} ", text, re.MULTILINE), name
    assert english_in(text) == []


@pytest.mark.parametrize("name", COMMANDS)
def test_every_commands_help_is_vietnamese(name):
    text = help_of(name)
    assert text.startswith(f"Cách dùng: vanban {name} [TÙY CHỌN]")
    assert "\nTùy chọn:\n" in text
    assert re.search(r"-h, --help +Hiện hướng dẫn này rồi thoát\.", text)
    assert english_in(text) == [], text
    for option in main.commands[name].params:  # the options keep their names
        for flag in getattr(option, "opts", []):
            if flag.startswith("-"):
                assert flag in text, (name, flag)


def test_defaults_required_options_and_kinds_of_values_are_said_in_vietnamese():
    assert re.search(r"--timeout GIÂY .*\[mặc định: 120\.0; x>=1\]", " ".join(help_of("pdf").split()))
    assert re.search(r"--out THƯ-MỤC .*\[mặc định: ", " ".join(help_of("build").split()))
    assert re.search(r"--year NĂM .*\[bắt buộc\]", " ".join(help_of("new-year").split()))
    assert "--workbook TỆP" in help_of("collect")


def test_the_version_and_a_usage_mistake_say_no_english_either():
    version = CliRunner().invoke(main, ["--version"])
    assert version.exit_code == 0
    assert re.fullmatch(r"vanban, phiên bản \S+\n", version.output)
    mistake = CliRunner().invoke(main, ["collect"], prog_name="vanban")
    assert mistake.exit_code == 2
    assert "Cách dùng: vanban collect [TÙY CHỌN] FORMS...;" in mistake.output
    assert english_in(mistake.output) == []
