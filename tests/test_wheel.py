"""The wheel works on its own: built from the checkout, installed into a fresh virtualenv, it
builds the shipped 2018 workbook outside the checkout, byte for byte as the checkout does."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

from tests.conftest import ROOT
from tests.test_output_bytes import DIGESTS, digests

SOURCES = ["generator", "templates", "data", "pyproject.toml", "setup.py", "MANIFEST.in", "README.md"]


def run(*args: str | Path, cwd: Path) -> str:
    proc = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_the_wheel_installs_and_builds_the_shipped_workbook_outside_the_checkout(tmp_path):
    source = tmp_path / "source"  # a copy: the build leaves nothing in the checkout
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    wheels = tmp_path / "wheels"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
        "-q", "-w", wheels, source, cwd=tmp_path)
    (wheel,) = wheels.glob("vanban-*.whl")

    # A fresh virtualenv; the dependencies are those of this one, seen through a .pth file (a
    # plain directory on sys.path: the editable install of the checkout is not among them).
    fresh = tmp_path / "venv"
    venv.create(fresh, with_pip=False)
    python = fresh / "bin" / "python"
    purelib = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                       cwd=tmp_path).strip())
    (purelib / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q",
        wheel, cwd=tmp_path)

    elsewhere = tmp_path / "clerk"
    elsewhere.mkdir()
    where = run(python, "-c", "import generator; print(generator.__file__)", cwd=elsewhere)
    assert Path(where.strip()).is_relative_to(purelib)  # the wheel's package, not the checkout's
    vanban = fresh / "bin" / "vanban"
    assert run(vanban, "--version", cwd=elsewhere).strip() == "vanban, phiên bản " + \
        run(sys.executable, "-c", "import generator; print(generator.__version__)", cwd=ROOT).strip()
    output = run(vanban, "build", cwd=elsewhere)  # the shipped workbook and templates, into ./out
    expected = json.loads(DIGESTS.read_text(encoding="utf-8"))
    assert f"Xong: {len(expected) - 1} văn bản" in output  # all but the manifest
    assert digests(elsewhere / "out" / "2018") == expected
    # the returned-forms half of the cycle runs from the wheel too (its templates, its collect stage)
    output = run(vanban, "collect", ROOT / "data" / "vi-du-bao-cao" / "quy-1", cwd=elsewhere)
    assert (elsewhere / "out" / "2018" / "tong-hop" / "quy-1" / "bao-cao-tong-hop.docx").is_file(), output
