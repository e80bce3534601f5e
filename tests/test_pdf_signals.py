"""Stopping `vanban pdf`: Ctrl+C and SIGTERM end the run at once, killing LibreOffice and removing
the run's scratch folder, with the PDFs finished so far whole and in place and one line saying so;
a vanban killed outright (SIGKILL) takes its LibreOffice with it, and the next run removes what it
left. A real build of the 2018 workbook (129 documents, far more than a run converts before it is
stopped) and a real LibreOffice, run as the clerk runs it: the installed command."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest

from generator.output.manifest import Manifest, digest
from generator.pipeline import build
from generator.render.renderer import POOL_MARK
from tests.conftest import WORKBOOK, need_tool

GUARD = 90  # seconds: only against a hang, never asserted as a duration


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("signals") / "out"
    build(WORKBOOK, out)
    return out


@pytest.fixture
def home() -> Iterator[Path]:
    """The run's own TMPDIR and cache, at a short path: multiprocessing puts a Unix socket in the
    TMPDIR, whose path may not exceed 107 bytes (pytest's tmp_path under xdist can)."""
    folder = Path(tempfile.mkdtemp(prefix="vb-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


class Run:
    """`vanban pdf --workers 2` in a session of its own (as a terminal runs it), with its own
    temporary folder and LibreOffice profiles, so that everything it leaves can be seen."""

    def __init__(self, out: Path, home: Path) -> None:
        need_tool("soffice")
        self.out, self.home, self.tmp = out, home, home / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, TMPDIR=str(self.tmp), XDG_CACHE_HOME=str(home / "cache"))
        vanban = Path(sys.executable).with_name("vanban")
        self.before = set(self.pdfs())
        self.process = subprocess.Popen([str(vanban), "pdf", "--out", str(out), "--workers", "2"],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        env=env, start_new_session=True)

    def pdfs(self) -> list[Path]:
        return sorted((self.out / "2018" / "pdf").rglob("*.pdf"))

    def wait_for_a_new_pdf(self) -> None:
        end = time.monotonic() + GUARD
        while not set(self.pdfs()) - self.before:
            if self.process.poll() is not None:
                pytest.fail(f"vanban pdf ended before its first PDF: {self.process.communicate()}")
            if time.monotonic() > end:
                self.process.kill()
                pytest.fail("no PDF written")
            time.sleep(0.1)

    def finish(self) -> str:
        _, stderr = self.process.communicate(timeout=GUARD)
        return stderr


def processes_of(home: Path, wait: bool = True) -> list[str]:
    """Processes whose command line names the run's folders (LibreOffice and its watchdog name
    their profile and scratch folder); with `wait`, waiting a while for killed ones to be gone."""
    end = time.monotonic() + (60 if wait else 0)
    while True:
        found = []
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                text = cmdline.read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            except OSError:
                continue
            if str(home) in text:
                found.append(f"{cmdline.parent.name}: {text[:200]}")
        if not found or time.monotonic() > end:
            return found
        time.sleep(0.2)


def assert_pdfs_whole(out: Path) -> int:
    """Every PDF in out/2018/pdf opens, has pages and is the one the manifest lists; no temporary
    file is left beside them. The number of PDFs."""
    folder = out / "2018"
    entries = Manifest.load(folder).entries
    pdfs = sorted((folder / "pdf").rglob("*.pdf"))
    for pdf in pdfs:
        with pikepdf.open(pdf) as doc:
            assert len(doc.pages) >= 1, pdf
        assert entries[pdf.relative_to(folder).as_posix()].sha256 == digest(pdf.read_bytes()), pdf
    assert not [p for p in folder.rglob("*") if p.name.endswith(".vanban.tmp")]
    return len(pdfs)


def marked_by(folder: Path) -> int | None:
    """The pid of the vanban run that marked a multiprocessing folder as its own, if any."""
    mark = folder / POOL_MARK
    return int(mark.read_text(encoding="ascii")) if mark.is_file() else None


def leftovers(home: Path) -> list[str]:
    """What the run left in its temporary folder and its LibreOffice profiles."""
    left = [p.name for p in (home / "tmp").iterdir() if not p.name.startswith("pymp-")]
    profiles = home / "cache" / "vanban" / "libreoffice"
    left += [p.name for p in profiles.glob("profile-*.pid")]
    left += [str(p.relative_to(profiles)) for p in profiles.glob("profile-*/.lock")]
    return left


@pytest.mark.parametrize(("signum", "code", "said"), [
    (signal.SIGINT, 130, "Đã dừng theo yêu cầu (Ctrl+C)"),
    (signal.SIGTERM, 143, "Đã dừng vì nhận tín hiệu dừng (SIGTERM)"),
], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_and_sigterm_stop_at_once_and_leave_only_whole_pdfs(built, home, signum, code, said):
    out = home / "out"
    shutil.copytree(built, out)
    run = Run(out, home)
    run.wait_for_a_new_pdf()
    assert processes_of(home, wait=False), "LibreOffice runs when the signal comes"
    if signum == signal.SIGINT:
        os.killpg(run.process.pid, signum)  # Ctrl+C: the terminal signals the whole process group
    else:
        run.process.send_signal(signum)  # kill, systemd: vanban alone
    stderr = run.finish()
    assert run.process.returncode == code, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    lines = [line for line in stderr.splitlines() if line.startswith("Lỗi:")]
    assert len(lines) == 1 and said in lines[0], stderr
    finished = assert_pdfs_whole(out)
    assert finished >= 1
    assert re.search(rf"xong {finished}/129 tệp PDF .*chuyển {129 - finished} văn bản còn lại", lines[0])
    assert processes_of(home) == []
    assert leftovers(home) == []
    assert [p.name for p in (home / "tmp").iterdir()] == []  # multiprocessing's own too


def test_a_killed_vanban_takes_libreoffice_with_it_and_the_next_run_cleans_up(built, home):
    out = home / "out"
    shutil.copytree(built, out)
    killed = Run(out, home)
    killed.wait_for_a_new_pdf()
    assert processes_of(home, wait=False), "LibreOffice runs when vanban is killed"
    killed.process.kill()  # SIGKILL: vanban cannot clean anything up itself
    killed.finish()
    assert processes_of(home) == []  # LibreOffice died with it
    stale = [p.name for p in (home / "tmp").glob(f"vanban-pdf-{killed.process.pid}-*")]
    assert stale, "the killed run's scratch folder"
    pool_folders = [p for p in (home / "tmp").glob("pymp-*") if marked_by(p) == killed.process.pid]
    assert pool_folders, "the killed run's multiprocessing folder, marked with its pid"
    # multiprocessing folders that are not a dead run's of ours are left alone: another program's
    # (no mark), a live run's (the mark names a running process), a mark that is not a pid
    others = {"pymp-someone": None, "pymp-live": str(os.getpid()), "pymp-odd": "not a pid"}
    for name, mark in others.items():
        (home / "tmp" / name).mkdir()
        (home / "tmp" / name / "listener-x").write_bytes(b"")
        if mark is not None:
            (home / "tmp" / name / POOL_MARK).write_text(mark, encoding="ascii")
    # the manifest is written again after each PDF: a kill falling then leaves its temporary file
    # beside the documents (planted here, so that the test does not depend on where the kill fell)
    half_manifest = out / "2018" / f".manifest.json.{2**22 + 7}.zz99zz99.vanban.tmp"
    half_manifest.write_text("{", encoding="utf-8")

    following = Run(out, home)
    following.wait_for_a_new_pdf()
    os.killpg(following.process.pid, signal.SIGINT)
    stderr = following.finish()
    assert following.process.returncode == 130, stderr
    assert not (home / "tmp" / stale[0]).exists()
    assert not [p for p in pool_folders if p.exists()]
    assert sorted(p.name for p in (home / "tmp").iterdir()) == sorted(others)
    assert not half_manifest.exists()
    assert leftovers(home) == []
    assert processes_of(home) == []
    assert assert_pdfs_whole(out) >= 2
