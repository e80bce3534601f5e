"""Benchmark: `vanban pdf` on the 2018 set against one `soffice --convert-to` per file and against
one LibreOffice process for every file.

Run by `make bench` after tools/bench.py (or `python tools/bench_pdf.py --help`). Not a test: it
measures this machine, with whatever else runs on it (the load average is reported before and
after each measurement, and the CPU time of every process next to the wall-clock time), and writes
its table to docs/performance.md between the bench-pdf markers.

- per-file loop: `soffice --convert-to <the same PDF/A-2b options> file.docx`, one process per
  document, with a warm profile; timed on an evenly spread sample of the set (the Quyết định
  included) and scaled to the whole set, since the set takes minutes this way;
- one LibreOffice process: `vanban pdf --workers 1` from scratch (every file to one soffice);
- vanban: `vanban pdf` from scratch with its default worker count, then again with nothing changed.
The vanban rows also finish every PDF (metadata, dates) and write the manifest; the loop does not.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.output import libreoffice  # noqa: E402
from generator.output.manifest import Manifest  # noqa: E402
from generator.pipeline import build  # noqa: E402
from tools.bench import write_section  # noqa: E402

WORKBOOK = ROOT / "data" / "ke-hoach-cchc-2018.xlsx"
DOC = ROOT / "docs" / "performance.md"
START, END = "<!-- bench-pdf:start -->", "<!-- bench-pdf:end -->"


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def timed(command: list[str], env: dict[str, str] | None = None) -> dict[str, float | str]:
    """Wall-clock and CPU seconds (user + system of every process it started) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = _load()
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        sys.exit(f"{' '.join(command[:4])}… failed:\n{proc.stdout}\n{proc.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "load": f"{load} → {_load()}", "out": proc.stdout}


def fresh_build(tmp: Path, count: int | None) -> tuple[Path, list[Path]]:
    """A build of the 2018 workbook; its listed documents (the first `count` if given)."""
    out = tmp / f"out-{time.monotonic_ns()}"
    result = build(WORKBOOK, out)
    documents = [result.folder / name for name in sorted(Manifest.load(result.folder).entries)
                 if name.endswith(".docx")]
    if count is not None:
        keep = set(documents[:count])
        manifest = Manifest.load(result.folder)
        for name in list(manifest.entries):
            if name.endswith(".docx") and result.folder / name not in keep:
                del manifest.entries[name]
        manifest.save(result.folder)
        documents = documents[:count]
    return out, documents


def per_file_loop(documents: list[Path], sample: int, tmp: Path) -> dict[str, float | str]:
    soffice = libreoffice.find_soffice()
    profile = (tmp / "loop-profile").as_uri()
    step = max(1, len(documents) // sample)
    chosen = documents[::step][:sample]
    base = [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
            "--convert-to", libreoffice.EXPORT_FILTER, "--outdir", str(tmp / "loop")]
    timed([*base, str(documents[-1])])  # warms the profile, not counted
    total = {"wall": 0.0, "cpu": 0.0}
    load = _load()
    for doc in chosen:
        r = timed([*base, str(doc)])
        total["wall"] += float(r["wall"])
        total["cpu"] += float(r["cpu"])
    scale = len(documents) / len(chosen)
    return {"wall": total["wall"] * scale, "cpu": total["cpu"] * scale, "load": f"{load} → {_load()}",
            "sample": len(chosen), "sample_wall": total["wall"]}


def vanban_pdf(out: Path, env: dict[str, str], *extra: str) -> dict[str, float | str]:
    return timed([sys.executable, "-m", "generator", "pdf", "--out", str(out), *extra], env=env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=16, help="documents timed in the per-file loop")
    parser.add_argument("--documents", type=int, default=None,
                        help="convert only the first N documents of the set (default: all)")
    parser.add_argument("--no-write", action="store_true", help="print only, leave docs/ alone")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="vanban-bench-pdf-") as name:
        tmp = Path(name)
        env = {**os.environ, "XDG_CACHE_HOME": str(tmp / "cache")}  # the workers' own profiles
        warm, _ = fresh_build(tmp, 2)
        vanban_pdf(warm, env, "--workers", "2")  # makes and warms both profiles, not counted

        out, documents = fresh_build(tmp, args.documents)
        n = len(documents)
        loop = per_file_loop(documents, min(args.sample, n), tmp)
        print(f"per-file loop: {loop['sample']} documents in {loop['sample_wall']:.1f} s, "
              f"scaled to {n}: {loop['wall']:.1f} s, CPU {loop['cpu']:.1f} s", flush=True)
        one = vanban_pdf(out, env, "--workers", "1")
        print(f"one process: {one['wall']:.1f} s, CPU {one['cpu']:.1f} s", flush=True)
        out, _ = fresh_build(tmp, args.documents)
        ours = vanban_pdf(out, env)
        workers = next((line for line in str(ours["out"]).splitlines() if "tiến trình" in line), "")
        count = workers.rsplit("(", 1)[-1].split()[0] if "(" in workers else "?"
        print(f"vanban pdf ({count} workers): {ours['wall']:.1f} s, CPU {ours['cpu']:.1f} s", flush=True)
        again = vanban_pdf(out, env)
        assert "không chuyển tệp nào" in str(again["out"]), again["out"]
        print(f"again, nothing changed: {again['wall']:.2f} s", flush=True)
        check = timed([sys.executable, "-m", "generator", "pdf", "--check", "--out", str(out)])
        print(f"--check of {n} PDFs: {check['wall']:.2f} s", flush=True)

    table = _table(n, loop, one, ours, count, again, check)
    print()
    print(table)
    if not args.no_write:
        write_section(table, START, END)
        print(f"\nwritten to {DOC.relative_to(ROOT)}")


def _table(n: int, loop: dict, one: dict, ours: dict, workers: str, again: dict, check: dict) -> str:
    version = subprocess.run([libreoffice.find_soffice(), "--version"], capture_output=True,
                             text=True).stdout.strip()
    rows = [
        (f"one `soffice --convert-to` per file (timed on {loop['sample']}, scaled)", "1 at a time",
         loop),
        ("one LibreOffice process for every file (`vanban pdf --workers 1`)", "1", one),
        ("`vanban pdf` from scratch", workers, ours),
    ]
    lines = [
        f"Measured {datetime.now():%Y-%m-%d %H:%M} by `make bench` (tools/bench_pdf.py), {version}, "
        f"{os.cpu_count()} cores; the 2018 set, {n} documents to PDF/A-2b.",
        "",
        "| conversion | LibreOffice processes | seconds | × per-file loop | CPU seconds "
        "| × per-file loop (CPU) | load average before → after |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, processes, r in rows:
        lines.append(f"| {label} | {processes} | {r['wall']:.1f} | {loop['wall'] / r['wall']:.1f} | "
                     f"{r['cpu']:.1f} | {loop['cpu'] / r['cpu']:.1f} | {r['load']} |")
    lines += [
        "",
        f"`vanban pdf` again with nothing changed: {again['wall']:.2f} s, nothing converted. "
        f"`vanban pdf --check` of the {n} PDFs: {check['wall']:.2f} s.",
        "CPU seconds are user + system time of every process of the run (LibreOffice included); "
        "they do not depend on what else the machine runs, the seconds do.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
