"""`make bench` keeps working: both sets, both engines, every worker count, one table.

Only what the officer reads is asserted (the rows, the documents counted, docs/ left alone with
--no-write); never a time or a ratio: speed is for the benchmark to report, not for a test.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.render.renderer import available_cores

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.bench  # minutes of CPU: `make bench-test` runs it (CI does, after `make test`)
def test_bench_measures_both_sets_with_both_engines_and_prints_its_table():
    doc = ROOT / "docs" / "performance.md"
    before = doc.read_bytes()
    proc = subprocess.run(
        [sys.executable, "tools/bench.py", "--forms", "40", "--sample", "4", "--set-2018", "6",
         "--no-write"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert doc.read_bytes() == before  # --no-write: the page is left as it is
    table = [line for line in proc.stdout.splitlines() if line.startswith("| ")]
    header = [cell.strip() for cell in table[0].strip("|").split("|")]
    assert header[:5] == ["set", "engine", "workers", "documents", "seconds"]
    assert "× plain loop" in header and "peak memory, all processes (PSS)" in header
    rows = {tuple(cell.strip() for cell in line.strip("|").split("|")[:4]) for line in table[1:]}
    workers = sorted({1, available_cores()})
    expected = {("2018 set (129 documents)", "plain docxtpl loop", "1", "6"),
                ("national set (40 forms)", "plain docxtpl loop", "1", "4")}
    expected |= {("2018 set (129 documents)", "vanban engine", str(w), "6") for w in workers}
    expected |= {("national set (40 forms)", "vanban engine", str(w), "40") for w in workers}
    assert rows == expected
    assert "Measured " in proc.stdout and "cores available" in proc.stdout
    assert "rebuild with nothing changed" in proc.stdout and "0 file(s) rewritten" in proc.stdout
    assert "Collect (`vanban collect`'s reading and consolidation" in proc.stdout
    assert "40 filled forms in" in proc.stdout
