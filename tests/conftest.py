"""Shared fixtures: the shipped workbook, a build of it, the real office suite, and the clerks' page
over a temporary work folder."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.pipeline import build

ROOT = Path(__file__).resolve().parent.parent
WORKBOOK = ROOT / "data" / "ke-hoach-cchc-2018.xlsx"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED = FIXTURES / "seed-3406-qd-ubnd.txt"


def draft_workbook(tmp_path: Path) -> Path:
    """The 2018 workbook with the number and the issue date still blank."""
    import openpyxl

    wb = openpyxl.load_workbook(WORKBOOK)
    ws = wb["Thông tin chung"]
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, 1).value in ("Số văn bản", "Ngày ban hành"):
            ws.cell(row, 2).value = None
    path = tmp_path / "du-thao.xlsx"
    wb.save(path)
    return path


@pytest.fixture(scope="session")
def built_2018(tmp_path_factory: pytest.TempPathFactory):
    """One build of the shipped 2018 workbook, shared by the read-only tests."""
    out = tmp_path_factory.mktemp("out")
    return build(WORKBOOK, out)


@pytest.fixture()
def app(tmp_path: Path):
    """The clerks' page (Flask) over a fresh work folder, as `vanban serve` starts it."""
    from generator.web import create_app

    app = create_app(tmp_path / "data")
    app.config["TESTING"] = False  # errors go through the handlers as they do for a clerk
    return app


@pytest.fixture()
def client(app):
    """Flask's test client of `app`."""
    return app.test_client()


@pytest.fixture(scope="session")
def decision_docx(built_2018) -> Path:
    return built_2018.folder / "3406-qd-ubnd.docx"


def need_tool(name: str) -> str:
    """The path of an office tool; skip without it locally, fail under CI=true."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (apt-get install libreoffice-writer-nogui poppler-utils)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def office_env() -> dict[str, str]:
    """The environment vanban runs soffice in, for the tests that run it themselves: the faster
    allocator preloaded where it is installed (a quarter less CPU a document; the same output)."""
    from generator.output.libreoffice import soffice_environment

    return soffice_environment()


def to_pdf(docx: Path, outdir: Path) -> Path:
    """Convert with a real LibreOffice, in a private profile so parallel runs do not collide."""
    soffice = need_tool("soffice")
    profile = outdir / "lo-profile"
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(outdir), str(docx)],
        check=True, capture_output=True, timeout=240, env=office_env(),
    )
    pdf = outdir / (docx.stem + ".pdf")
    assert pdf.exists(), f"LibreOffice did not convert {docx.name}"
    return pdf


def reports_only(wb, *codes: str) -> None:
    """Keep the report forms of these agencies only (column Báo cáo of Cơ quan), so that a test
    about something else does not render all ~130 forms of the 2018 workbook."""
    ws = wb["Cơ quan"]
    headers = {ws.cell(1, c).value: c for c in range(1, ws.max_column + 1)}
    code_col, reports_col = headers["Mã"], headers["Báo cáo"]
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, code_col).value and ws.cell(row, code_col).value not in codes:
            ws.cell(row, reports_col).value = "Không"


# `make test` runs the files on every core (pytest-xdist, --dist loadfile --no-loadscope-reorder),
# each file handed to the next free worker in collection order (without --no-loadscope-reorder,
# xdist orders the files by their number of tests: the browser tests, few and long, went last and
# kept one worker busy alone). The heaviest files go first, so that no long file starts last (the
# largest first, as in any schedule of unequal jobs). Measured time per file (the sum of its tests'
# setup, call and teardown, from `pytest --junitxml`) on 2 cores at 99aef5d, heaviest first, every
# file of 4 s or more; the other files keep their order. Remeasure when a file grows or a new heavy
# one comes (docs/performance.md, "The test suite", says how).
HEAVY_FIRST = (
    "test_pdf.py", "test_collect.py", "test_web_browser.py", "test_engine.py", "test_checks.py",
    "test_atomic.py", "test_incremental.py", "test_web_routes.py", "test_collect_merged_tables.py",
    "test_lint.py", "test_pdf_signals.py", "test_web_leftovers.py", "test_wheel.py",
    "test_properties.py", "test_injection.py", "test_file_names.py", "test_cli.py",
    "test_collect_bad_input.py", "test_reports.py", "test_web_browser_tracking.py",
    "test_check_cli.py", "test_rollover.py", "test_workbook.py", "test_pdf_corner.py",
    "test_pdf_metadata.py", "test_rewrites.py", "test_hostile_files.py", "test_legacy.py",
    "test_progress.py", "test_tags.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(HEAVY_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: a file's order kept
