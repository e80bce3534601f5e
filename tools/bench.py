"""Benchmark: our engine against the plain docxtpl loop, on the 2018 set and a national set of forms.

Run `make bench` (or `python tools/bench.py --help`). Not a test: it measures this machine and
writes the table to docs/performance.md between the bench markers. Every measurement runs in a
fresh Python process, so the peak memory it reports is that measurement's own.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from importlib.metadata import version
from itertools import islice
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.collect.forms import Source  # noqa: E402
from generator.documents.jobs import plan_documents, report_documents  # noqa: E402
from generator.output.write import atomic_write_many  # noqa: E402
from generator.pipeline import DEFAULT_TEMPLATES, _stamp, build  # noqa: E402
from generator.plan.model import Plan  # noqa: E402
from generator.render.engine import Member, write_zip  # noqa: E402
from generator.render.renderer import available_cores, make_environment, render_batch  # noqa: E402
from generator.workbook.reader import read_plan  # noqa: E402

WORKBOOK = ROOT / "data" / "ke-hoach-cchc-2018.xlsx"
DOC = ROOT / "docs" / "performance.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
REPORT = "report.docx"
# the 34 provincial-level units since 1 July 2025
PROVINCES = (
    "Hà Nội", "Huế", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa",
    "Nghệ An", "Hà Tĩnh", "Cao Bằng", "Tuyên Quang", "Lào Cai", "Thái Nguyên", "Phú Thọ",
    "Bắc Ninh", "Hưng Yên", "Hải Phòng", "Ninh Bình", "Quảng Trị", "Đà Nẵng", "Quảng Ngãi",
    "Gia Lai", "Khánh Hòa", "Lâm Đồng", "Đắk Lắk", "Hồ Chí Minh", "Đồng Nai", "Tây Ninh",
    "Cần Thơ", "Vĩnh Long", "Đồng Tháp", "Cà Mau", "An Giang",
)
CITIES = {"Hà Nội", "Huế", "Hải Phòng", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ"}
COMMUNE_WORDS = ("Tân", "Phú", "Hòa", "An", "Bình", "Thành", "Long", "Phước", "Minh", "Hưng",
                 "Thạnh", "Lợi", "Đông", "Tây", "Nam", "Bắc", "Sơn", "Thủy", "Đức", "Lộc")


# -- the sets ------------------------------------------------------------------------------------

def plan_2018():
    plan, problems = read_plan(WORKBOOK)
    assert plan is not None, problems
    return plan


def set_2018(templates: Path) -> list[tuple[str, dict[str, Any]]]:
    """Every document of the 2018 build that a template renders."""
    jobs = plan_documents(plan_2018())
    return [(j.template, dict(j.context)) for j in jobs if (templates / j.template).is_file()]


def national_set(templates: Path, count: int) -> Iterator[tuple[str, dict[str, Any]]]:
    """`count` report forms, each made by the real report context builder
    (`documents.report_documents`) from the 2018 plan moved to each of the 34 provinces: its
    provincial agencies under that province, and its districts replaced by communes (in the role
    the plan gives its local units, so the plan's "UBND các huyện, thị xã" tasks resolve to them),
    for every period of the plan. A stream, one province at a time, as a national run would feed
    the engine: only the forms in flight are in memory, and making their contexts is part of the
    time measured (not reading the workbook)."""
    return _provinces(plan_2018(), count)


def _provinces(plan: Plan, count: int) -> Iterator[tuple[str, dict[str, Any]]]:
    made = 0
    for moved in province_plans(plan, count):
        for job in report_documents(moved):
            if made == count:
                return
            made += 1
            yield REPORT, dict(job.context)


def province_plans(plan: Plan, count: int) -> Iterator[Plan]:
    """The 2018 plan moved to each of the 34 provinces, with enough communes for `count` forms."""
    provincial = [a for a in plan.agencies if a.kind != "cấp huyện"]
    district = next(a for a in plan.agencies if a.kind == "cấp huyện")
    reporting = sum(a.reports for a in provincial)
    per_province = -(-count // len(PROVINCES))
    communes = max(1, -(-per_province // len(plan.periods)) - reporting)
    rng = random.Random(2018)
    for province in PROVINCES:
        level = "thành phố" if province in CITIES else "tỉnh"
        parent = f"UBND {level} {province}"
        agencies = [replace(a, parent=parent if a.parent else a.parent) for a in provincial]
        seen: set[str] = set()
        for k in range(communes):
            name = f"{rng.choice(COMMUNE_WORDS)} {rng.choice(COMMUNE_WORDS)}"
            while name in seen:
                name = f"{name} {k + 1}"
            seen.add(name)
            agencies.append(replace(
                district, code=f"XA{k + 1:03d}", name=f"Ủy ban nhân dân xã {name}",
                parent="", place=name, aliases=(), reports=True))
        yield replace(plan, agencies=tuple(agencies), general=replace(plan.general, place=province))


# -- one measurement, in its own process ---------------------------------------------------------

def measure(kind: str, engine: str, workers: int, count: int, templates: Path) -> dict[str, Any]:
    items: Iterable[tuple[str, dict[str, Any]]]
    if kind == "2018":
        items = set_2018(templates)
        items = (items * (-(-count // len(items))))[:count]  # the set, repeated to `count` documents
    else:
        items = national_set(templates, count)
    stamp = _stamp(plan_2018())
    out = Path(tempfile.mkdtemp(prefix="vanban-bench-"))
    sampler = Sampler() if Path("/proc/self/statm").exists() else None
    try:
        cpu_before = sum(os.times()[:2])
        if sampler:
            sampler.sample()
            cpu_before = sum(sampler.cpu.values())
            sampler.cpu.clear()
            sampler.start()
        start = time.perf_counter()
        if engine == "ours":
            # written as a build writes them (atomic_write_many), 100 at a time to bound memory
            batch: list[tuple[Path, bytes]] = []
            for i, data in enumerate(render_batch(items, templates, stamp, workers)):
                batch.append((out / f"{i:05d}.docx", data))
                if len(batch) == 100:
                    atomic_write_many(batch)
                    batch = []
            atomic_write_many(batch)
            done = i + 1
        else:
            from docxtpl import DocxTemplate

            done = 0
            for i, (name, context) in enumerate(islice(items, count)):
                template = DocxTemplate(str(templates / name))
                template.render(context, make_environment(), autoescape=True)
                template.save(str(out / f"{i:05d}.docx"))
                done += 1
        seconds = time.perf_counter() - start
        if sampler:
            sampled = sampler.stop()
            sampled["cpu_s"] -= cpu_before
        else:
            peak = _memory()["parent_mb"]
            sampled = {"peak_mb": peak, "peak_pss_mb": peak, "cpu_s": sum(os.times()[:2]) - cpu_before}
        size = sum(p.stat().st_size for p in out.iterdir())
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return {"docs": done, "seconds": seconds, "bytes": size, **_memory(), **sampled}


FILLED = ROOT / "data" / "vi-du-bao-cao" / "quy-1" / "snv.docx"


def filled_forms(plan: Plan, period: Any, rng: random.Random) -> list[Source]:
    """Every reporting agency's form of one period, made cheaply from one filled form: its parts
    copied as they are, its identity (docProps/custom.xml) and its saved date (core.xml) varied."""
    raw = FILLED.read_bytes()
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        infos = {i.filename: i for i in z.infolist()}
        custom = z.read("docProps/custom.xml").decode("utf-8")
        core = z.read("docProps/core.xml").decode("utf-8")
    fixed = [Member.copied(raw, info) for name, info in infos.items()
             if name not in ("docProps/custom.xml", "docProps/core.xml")]
    custom = re.sub(r'(name="vanban.period"><vt:lpwstr>)[^<]*', rf"\g<1>{period.code}", custom)
    forms = []
    for agency in plan.agencies:
        if not agency.reports:
            continue
        identity = re.sub(r'(name="vanban.agency"><vt:lpwstr>)[^<]*', rf"\g<1>{agency.code}", custom)
        day = period.deadline.day + rng.randint(-3, 4)
        saved = re.sub(r"(<dcterms:modified[^>]*>)[^<]*",
                       rf"\g<1>{period.deadline:%Y-%m}-{max(1, day):02d}T09:00:00Z", core)
        members = [*fixed, Member.of("docProps/custom.xml", identity.encode("utf-8")),
                   Member.of("docProps/core.xml", saved.encode("utf-8"))]
        forms.append(Source(f"{agency.code.lower()}.docx", write_zip(members, datetime(2018, 3, 1)),
                            None))
    return forms


def measure_collect(count: int) -> dict[str, Any]:
    """Read and consolidate `count` filled forms the national way: each province's forms of each
    period consolidated on their own (one `vanban collect` each), streamed one batch at a time;
    then the outputs of one consolidation (workbook, JSON, report with charts, reminder)."""
    from generator.collect.outputs import render_outputs
    from generator.collect.sources import Found
    from generator.pipeline import consolidate_forms

    plan = plan_2018()
    rng = random.Random(2018)
    out = Path(tempfile.mkdtemp(prefix="vanban-bench-"))
    # one process and no worker: its own peak RSS is the whole run's (no sampling thread, whose
    # reading of /proc would be counted in this process's CPU time)
    done = runs = 0
    seconds = cpu = 0.0
    first = None
    start_mb = _memory()["parent_mb"]
    try:
        for moved in province_plans(plan, count):
            for period in moved.periods:
                if done >= count:
                    break
                forms = filled_forms(moved, period, rng)[: count - done]
                start, cpu_start = time.perf_counter(), time.process_time()
                result, kept, _, used = consolidate_forms(moved, iter(forms), out, period.code, Found([]))
                seconds += time.perf_counter() - start
                cpu += time.process_time() - cpu_start
                done += used
                runs += 1
                if first is None:
                    first = (result, kept)
        reading_mb = _memory()["parent_mb"]
        start = time.perf_counter()
        files = render_outputs(*first, DEFAULT_TEMPLATES)
        outputs_s = time.perf_counter() - start
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return {"docs": done, "runs": runs, "seconds": seconds, "cpu_s": cpu, "outputs_s": outputs_s,
            "outputs": ", ".join(files), "start_mb": start_mb, "peak_mb": reading_mb}


def measure_rebuild() -> dict[str, Any]:
    """A first build of the 2018 workbook, then a rebuild with nothing changed, in one process."""
    out = Path(tempfile.mkdtemp(prefix="vanban-bench-"))
    try:
        start = time.perf_counter()
        first = build(WORKBOOK, out)
        first_s = time.perf_counter() - start
        start = time.perf_counter()
        again = build(WORKBOOK, out)
        again_s = time.perf_counter() - start
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return {"docs": len(first.outputs), "first": first_s, "again": again_s,
            "rewritten": len(again.written), **_memory()}


def _memory() -> dict[str, float]:
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"parent_mb": self_kb / 1024}


class Sampler(threading.Thread):
    """Peak memory and CPU time of this process and every process under it (workers included),
    sampled from /proc every 20 ms: the pool's workers are not our direct children.

    Memory is summed two ways: resident (RSS: pages a process shares with its siblings, such as
    the interpreter and libraries, counted once in each) and proportional (PSS: each shared page
    divided among the processes sharing it, what the processes together take from the machine)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_mb = 0.0
        self.peak_pss_mb = 0.0
        self.cpu: dict[int, float] = {}
        self._halt = threading.Event()
        self._page = os.sysconf("SC_PAGE_SIZE")
        self._tick = os.sysconf("SC_CLK_TCK")

    def run(self) -> None:
        while not self._halt.wait(0.02):
            self.sample()

    def sample(self) -> None:
        stats = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    text = (entry / "stat").read_text()
                    fields = text[text.rindex(")") + 2:].split()
                    rss = int((entry / "statm").read_text().split()[1])
                except (OSError, ValueError):
                    continue
                stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / self._tick,
                                          rss * self._page / 2**20)
        ours, frontier = set(), {os.getpid()}
        while frontier:
            ours |= frontier
            frontier = {pid for pid, (ppid, _, _) in stats.items() if ppid in frontier} - ours
        total = pss = 0.0
        for pid in ours & stats.keys():
            _, cpu, rss = stats[pid]
            total += rss
            pss += _pss_mb(pid, rss)
            self.cpu[pid] = cpu
        self.peak_mb = max(self.peak_mb, total)
        self.peak_pss_mb = max(self.peak_pss_mb, pss)

    def stop(self) -> dict[str, float]:
        self._halt.set()
        self.join()
        self.sample()
        return {"peak_mb": self.peak_mb, "peak_pss_mb": self.peak_pss_mb, "cpu_s": sum(self.cpu.values())}


def _pss_mb(pid: int, rss_mb: float) -> float:
    """A process's proportional set size (its RSS where the kernel does not say)."""
    try:
        found = re.search(r"^Pss:\s+(\d+) kB", Path(f"/proc/{pid}/smaps_rollup").read_text(), re.M)
    except OSError:
        return rss_mb
    return int(found.group(1)) / 1024 if found else rss_mb


def in_subprocess(*args: str) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, "_measure", *args], capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"measurement {' '.join(args)} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# -- the report ----------------------------------------------------------------------------------

def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        found = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = found.group(1).strip() if found else cpu
        ram = re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text())
        ram_text = f"{int(ram.group(1)) / 1024 / 1024:.1f} GB RAM" if ram else "RAM unknown"
    except OSError:
        ram_text = "RAM unknown"
    versions = ", ".join(f"{p} {version(p)}" for p in ("docxtpl", "python-docx", "lxml", "jinja2"))
    return (f"{cpu}, {available_cores()} cores available ({os.cpu_count()} in the machine), {ram_text}; "
            f"{platform.system()} {platform.release()}; Python {platform.python_version()}; {versions}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=10_200, help="national set size (≥ 10,000)")
    parser.add_argument("--sample", type=int, default=300, help="plain-loop sample of the national set")
    parser.add_argument("--set-2018", type=int, default=0, dest="set_2018",
                        help="documents of the 2018 set measured (the set repeated up to this count; "
                             "default: the set once)")
    parser.add_argument("--templates", type=Path, default=DEFAULT_TEMPLATES)
    parser.add_argument("--no-write", action="store_true", help="print only, leave docs/ alone")
    parser.add_argument("--collect-only", action="store_true", help="measure only the collect row")
    args, rest = parser.parse_known_args()
    if rest[:1] == ["_measure"]:
        kind, engine, workers, count, templates = rest[1:]
        result = (measure_rebuild() if kind == "rebuild"
                  else measure_collect(int(count)) if kind == "collect"
                  else measure(kind, engine, int(workers), int(count), Path(templates)))
        print(json.dumps(result))
        return

    templates = args.templates
    if args.collect_only:
        print(_collect_row(in_subprocess("collect", "ours", "1", str(args.forms), str(templates))))
        return
    set_2018_size = len(set_2018(templates))
    count_2018 = args.set_2018 or set_2018_size
    cores = available_cores()
    rows = []
    for kind, label, count, sample in (
        ("2018", f"2018 set ({set_2018_size} documents)", count_2018, count_2018),
        ("national", f"national set ({args.forms:,} forms)", args.forms, args.sample),
    ):
        plain = in_subprocess(kind, "plain", "1", str(sample), str(templates))
        for workers in sorted({1, cores}):
            ours = in_subprocess(kind, "ours", str(workers), str(count), str(templates))
            rows.append((label, workers, ours, plain))
            print(_row(label, workers, ours, plain), flush=True)
    rebuild = in_subprocess("rebuild", "ours", "0", "0", str(templates))
    collected = in_subprocess("collect", "ours", "1", str(args.forms), str(templates))
    print(_collect_row(collected), flush=True)
    table = _table(rows, rebuild) + "\n\n" + _collect_row(collected)
    print()
    print(table)
    if not args.no_write:
        write_section(table)
        print(f"\nwritten to {DOC.relative_to(ROOT)}")


def _rate(r: dict[str, Any]) -> float:
    return r["docs"] / r["seconds"]


def _cpu_ms(r: dict[str, Any]) -> float:
    return 1000 * r["cpu_s"] / r["docs"]


def _row(label: str, workers: int, ours: dict[str, Any], plain: dict[str, Any]) -> str:
    return (f"{label}: ours {workers} worker(s) {ours['docs']} docs in {ours['seconds']:.2f} s = "
            f"{_rate(ours):.0f}/s ({_cpu_ms(ours):.1f} ms CPU each); plain {plain['docs']} docs "
            f"{_rate(plain):.1f}/s ({_cpu_ms(plain):.1f} ms CPU each); × {_rate(ours) / _rate(plain):.1f}; "
            f"peak {ours['peak_pss_mb']:.0f} MB PSS, {ours['peak_mb']:.0f} MB RSS")


def _table(rows: list, rebuild: dict[str, Any]) -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        f"Measured {datetime.now():%Y-%m-%d %H:%M} by `make bench` on: {machine()}; "
        f"load average at the end {load}.",
        "",
        "| set | engine | workers | documents | seconds | documents/s | × plain loop | CPU per document "
        "| × plain loop (CPU) | peak memory, all processes (PSS) | (RSS) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    seen = set()
    for label, workers, ours, plain in rows:
        if label not in seen:
            seen.add(label)
            lines.append(f"| {label} | plain docxtpl loop | 1 | {plain['docs']:,} | "
                         f"{plain['seconds']:.2f} | {_rate(plain):.1f} | 1 | {_cpu_ms(plain):.1f} ms | 1 | "
                         f"{plain['peak_pss_mb']:.0f} MB | {plain['peak_mb']:.0f} MB |")
        lines.append(f"| {label} | vanban engine | {workers} | {ours['docs']:,} | {ours['seconds']:.2f} | "
                     f"{_rate(ours):.1f} | {_rate(ours) / _rate(plain):.1f} | {_cpu_ms(ours):.2f} ms | "
                     f"{_cpu_ms(plain) / _cpu_ms(ours):.1f} | {ours['peak_pss_mb']:.0f} MB | "
                     f"{ours['peak_mb']:.0f} MB |")
    lines += [
        "",
        "Documents/s is wall-clock throughput; CPU per document (user + system time of every process "
        "of the run, workers included) does not depend on what else the machine is doing.",
        "",
        f"2018 workbook, in one process after start-up: first build of its {rebuild['docs']} "
        f"document(s) {rebuild['first']:.2f} s; rebuild with nothing changed {rebuild['again']:.3f} s, "
        f"{rebuild['rewritten']} file(s) rewritten.",
    ]
    return "\n".join(lines)


def _collect_row(r: dict[str, Any]) -> str:
    return (f"Collect (`vanban collect`'s reading and consolidation, one process, one core): "
            f"{r['docs']:,} filled forms in {r['runs']} consolidations (each province's forms of each "
            f"period) in {r['seconds']:.1f} s = {r['docs'] / r['seconds']:.0f} forms/s "
            f"({1000 * r['cpu_s'] / r['docs']:.2f} ms CPU per form, that is {r['docs'] / r['cpu_s']:.0f} "
            f"forms/s on a core of its own; load average at the end "
            f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}); peak memory {r['peak_mb']:.0f} MB "
            f"(after start-up and the plan: {r['start_mb']:.0f} MB). Making one consolidation's "
            f"outputs ({r['outputs']}; the report with its two charts) took {r['outputs_s']:.2f} s.")


def write_section(table: str, start: str = START, end: str = END) -> None:
    """Put a table into docs/performance.md between its two markers (added at the end if missing);
    tools/bench_pdf.py writes its own section the same way."""
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else f"# Performance\n\n{start}\n{end}\n"
    if start not in text:
        text += f"\n{start}\n{end}\n"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    DOC.write_text(f"{head}{start}\n{table}\n{end}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
