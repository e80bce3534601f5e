"""Atomic writes: a build killed part way leaves every output old-and-whole or new-and-whole."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from generator.output.write import TEMP_SUFFIX, atomic_write, clean_stale_temps
from generator.pipeline import build
from generator.render.renderer import POOL_MARK
from tests.conftest import ROOT, WORKBOOK, reports_only

WRITER = """
import sys
from pathlib import Path
from generator.output.write import atomic_write
target = Path(sys.argv[1])
versions = [Path(sys.argv[2]).read_bytes(), Path(sys.argv[3]).read_bytes()]
i = 0
while True:
    atomic_write(target, versions[i % 2])
    i += 1
"""


def temps(folder: Path) -> list[Path]:
    return sorted(folder.rglob(f"*{TEMP_SUFFIX}"))


def outputs(folder: Path) -> dict[Path, bytes]:
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*.docx"))
            if not p.name.startswith(".")}


def wait_for(condition, proc: subprocess.Popen, limit: float = 120.0) -> bool:
    """Poll until `condition()` or the process ends; a hang guard, not a timing assertion."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if condition():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.0005)
    return False


def test_killing_a_writer_mid_file_leaves_the_old_or_the_new_file_whole(tmp_path):
    old, new = tmp_path / "old.bin", tmp_path / "new.bin"
    old.write_bytes(os.urandom(1024) * 24 * 1024)  # 24 MB each: writing takes a while
    new.write_bytes(os.urandom(1024) * 24 * 1024)
    folder = tmp_path / "out"
    target = folder / "ke-hoach.docx"
    atomic_write(target, old.read_bytes())
    versions = {old.read_bytes(), new.read_bytes()}
    for _ in range(3):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target), str(old), str(new)],
                                cwd=ROOT)
        try:
            # kill exactly while a temporary file exists: the moment a write is half done
            assert wait_for(lambda: temps(folder), proc), "the writer never started a file"
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.kill()
            proc.wait()
        assert proc.returncode == -signal.SIGKILL  # killed, as the writer never ends by itself
        assert target.read_bytes() in versions
        assert [p.name for p in folder.iterdir() if not p.name.startswith(".")] == ["ke-hoach.docx"]
    leftovers = temps(folder)
    assert leftovers, "a killed writer leaves its temporary file"
    assert sorted(clean_stale_temps(folder)) == leftovers
    assert temps(folder) == [] and target.read_bytes() in versions


def test_a_live_writers_temporary_file_is_left_alone(tmp_path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = tmp_path / f".a.docx.{sleeper.pid}.abcd1234{TEMP_SUFFIX}"
        live.write_bytes(b"dang ghi")
        dead = tmp_path / f".a.docx.{2**22 + 7}.abcd1234{TEMP_SUFFIX}"  # above Linux's pid_max
        dead.write_bytes(b"bi ngat")
        foreign = tmp_path / ".a.docx.123.tmp"  # not our pattern: someone else's file
        foreign.write_bytes(b"")
        assert clean_stale_temps(tmp_path) == [dead]
        assert live.exists() and foreign.exists()
    finally:
        sleeper.kill()
        sleeper.wait()


def big_workbook(path: Path, summary: str) -> Path:
    """The 2018 workbook with six times the tasks and another summary and plan title: a long build
    where every document, the decision and each report form, differs between two summaries."""
    wb = openpyxl.load_workbook(WORKBOOK)
    reports_only(wb, "SNV", "STP", "LOCNINH")  # a dozen forms besides the decision
    ws = wb["Nhiệm vụ"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2, max_row=ws.max_row)]
    for copy in range(1, 6):
        for row in rows:
            ws.append([row[0], f"{row[1]} (đợt {copy})", *row[2:]])
    info = wb["Thông tin chung"]
    for r in range(2, info.max_row + 1):
        if info.cell(r, 1).value == "Trích yếu":
            info.cell(r, 2).value = summary
        if info.cell(r, 1).value == "Tên kế hoạch":  # quoted by every report form as well
            info.cell(r, 2).value = f"{summary} trên địa bàn tỉnh"
    wb.save(path)
    return path


def test_a_build_killed_part_way_leaves_whole_documents_and_the_next_build_cleans_up(tmp_path):
    first = big_workbook(tmp_path / "a.xlsx", "Ban hành Kế hoạch cải cách hành chính năm 2018")
    second = big_workbook(tmp_path / "b.xlsx", "Ban hành Kế hoạch cải cách hành chính (sửa đổi)")
    # the two complete versions, known byte for byte (builds are reproducible: the first one is
    # the build the kills interrupt, the second one is made elsewhere)
    out = tmp_path / "out"
    folder = build(first, out).folder
    old = outputs(folder)
    new = outputs(build(second, tmp_path / "ref-b").folder)
    assert old.keys() == new.keys() and all(old[k] != new[k] for k in old)

    mid_write = 0
    for attempt in range(3):
        inodes = {k: (folder / k).stat().st_ino for k in old}
        proc = subprocess.Popen(
            [sys.executable, "-m", "generator", "build", str(second), "--out", str(out)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            # kill as soon as new files appear (or a temporary file does); the later attempts wait
            # for more new files, so that the kill falls at different points of the writing
            # (an atomic write puts a new file in the old one's place: its inode changes, so the
            # poll compares inodes rather than reading every document each half millisecond)
            def started(wanted: int = attempt * len(old) // 3, inodes: dict = inodes) -> bool:
                changed = sum(1 for k, ino in inodes.items() if (folder / k).stat().st_ino != ino)
                return bool(temps(folder)) or changed > wanted

            assert wait_for(started, proc), "the build ended before it was killed"
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.kill()
            proc.wait()
        assert proc.returncode == -signal.SIGKILL  # it was still running: killed, not finished
        now = outputs(folder)
        # half-written: a temporary file left, or some documents new and some still old
        mid_write += bool(temps(folder)) or now not in (old, new)
        assert now.keys() == old.keys()
        for name, data in now.items():
            assert data in (old[name], new[name]), f"{name} is neither version"
            Document(str(folder / name))  # and it opens
        # back to the first version for the next attempt
        build(first, out)
        assert outputs(folder) == old
        assert temps(folder) == []
    assert mid_write, "no kill fell while the build was writing"

    # a killed run's leftover temporary file is removed by the next complete build
    stale = folder / f".3406-qd-ubnd.docx.{2**22 + 7}.zz99zz99{TEMP_SUFFIX}"
    stale.write_bytes(b"PK half a file")
    messages: list[str] = []
    build(second, out, echo=messages.append)
    assert not stale.exists()
    assert any("đã xóa tệp tạm" in m and stale.name in m for m in messages)
    assert outputs(folder) == new


def test_the_pool_folder_of_a_build_killed_outright_is_removed_by_the_next_build(tmp_path):
    # its own TMPDIR, at a short path: the fork server's Unix socket goes there (at most 107 bytes)
    home = Path(tempfile.mkdtemp(prefix="vb-"))
    try:
        env = dict(os.environ, TMPDIR=str(home))
        command = [sys.executable, "-m", "generator", "build", str(WORKBOOK), "--out", str(tmp_path / "out")]
        proc = subprocess.Popen([*command, "--workers", "2"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def marked() -> list[Path]:
            return [p for p in home.glob(f"pymp-*/{POOL_MARK}")
                    if p.read_text(encoding="ascii") == str(proc.pid)]

        try:
            assert wait_for(lambda: bool(marked()), proc), "the build ended before its pool started"
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.kill()
            proc.wait()
        left = [p.parent for p in marked()]
        assert left, "a build killed outright leaves multiprocessing's folder"
        someone_else = home / "pymp-someone"  # another program's: no mark, never touched
        someone_else.mkdir()
        subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
        assert [p for p in left if p.exists()] == []
        assert sorted(home.glob("pymp-*")) == [someone_else]  # the next build's own went at its end
    finally:
        shutil.rmtree(home, ignore_errors=True)


# -- a full temporary folder: openpyxl spools every sheet through TMPDIR -------------------------


@pytest.fixture
def full_tmpdir(tmp_path):
    """A 64 KiB tmpfs with 4 KiB left: Python accepts it as TMPDIR, a sheet does not fit."""
    folder = tmp_path / "tmpfs"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
                             capture_output=True)
    if mounted.returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail(f"cannot mount a tmpfs (root needed): {mounted.stderr.decode()}")
        pytest.skip("mounting a small tmpfs needs root")
    try:
        (folder / "fill").write_bytes(b"\0" * 60 * 1024)
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@pytest.mark.parametrize("args", [
    ["workbook", "-o", "{out}/mau.xlsx"],
    ["check", str(WORKBOOK), "--annotate", "{out}/ket-qua.xlsx"],
    ["new-year", str(WORKBOOK), "--year", "2019", "-o", "{out}/nam-2019.xlsx"],
    ["build", str(WORKBOOK), "--out", "{out}/build"],
], ids=["workbook", "annotate", "new-year", "build"])
def test_a_full_temporary_folder_is_one_vietnamese_line_and_nothing_written(
        full_tmpdir, tmp_path, args):
    out = tmp_path / "out"
    out.mkdir()
    argv = [a.replace("{out}", str(out)) for a in args]
    result = subprocess.run([sys.executable, "-m", "generator", *argv], capture_output=True,
                            text=True, env={**os.environ, "TMPDIR": str(full_tmpdir)}, timeout=120)
    assert result.returncode == 1, result.stderr
    [line] = [x for x in result.stderr.splitlines() if x.startswith("Lỗi:")]
    assert f"thư mục tạm {full_tmpdir} đã đầy" in line
    named = ("mau.xlsx", "ket-qua.xlsx", "ke-hoach-cchc-2018.xlsx", "danh-sach-bao-cao.xlsx")
    assert any(name in line for name in named), line  # the file it was writing
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert list(out.rglob("*.xlsx")) == [] and list(out.rglob("*.docx")) == []


def test_a_full_disk_is_one_line_naming_the_file_and_why(full_tmpdir):
    out = full_tmpdir / "out"
    result = subprocess.run([sys.executable, "-m", "generator", "build", str(WORKBOOK), "--out",
                             str(out)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    [line] = [x for x in result.stderr.splitlines() if x.startswith("Lỗi:")]
    assert line.startswith(f"Lỗi: Không ghi được {out / '2018'}") and "ổ đĩa đã đầy" in line
    assert "No space" not in result.stderr and "Word" not in line  # not a Word problem
    assert "Traceback" not in result.stderr
    assert [p for p in out.rglob("*") if p.name.endswith(TEMP_SUFFIX)] == []
