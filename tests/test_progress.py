"""The build's progress bar: on a terminal only, never in pipes, logs or CliRunner output."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

from click.testing import CliRunner

from generator.cli import main
from tests.conftest import WORKBOOK

LABEL = "Đang tạo văn bản"


def test_no_progress_bar_when_the_output_is_not_a_terminal(tmp_path):
    result = CliRunner().invoke(main, ["build", str(WORKBOOK), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "130 tệp được ghi lại" in result.output  # a batch big enough for a bar
    assert LABEL not in result.output
    assert "[#" not in result.output and "-]" not in result.output and "\r" not in result.output


def test_the_progress_bar_shows_on_a_terminal(tmp_path):
    """stderr on a pseudo-terminal, as when a clerk runs `make documents` in a console."""
    leader, follower = pty.openpty()
    log = tmp_path / "stdout.txt"
    stdout_file = log.open("wb")
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "generator", "build", str(WORKBOOK), "--out", str(tmp_path / "out")],
            stdin=subprocess.DEVNULL, stdout=stdout_file, stderr=follower,
            env={**os.environ, "COLUMNS": "100", "TERM": "xterm"})
        os.close(follower)
        follower = -1
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        assert proc.wait() == 0
    finally:
        stdout_file.close()
        os.close(leader)
        if follower >= 0:
            os.close(follower)
    terminal = seen.decode("utf-8", "replace")
    stdout = log.read_text(encoding="utf-8")
    assert LABEL in terminal
    assert "100%" in terminal  # it reaches the end
    assert "130 tệp được ghi lại" in stdout
    assert LABEL not in stdout  # the bar goes to the terminal, not into the redirected output
