"""The build pipeline: workbook → model → checks → documents → render → write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from generator.checks import check_plan
from generator.documents import INDEX, DocumentJob, plan_documents
from generator.errors import ERROR, Problem, ProblemsFound
from generator.model import Plan
from generator.render import TemplateRenderer
from generator.report_index import index_workbook
from generator.workbook import read_plan
from generator.write import atomic_write, clean_stale_temps, within

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TEMPLATES = ROOT / "templates"


@dataclass(frozen=True)
class BuildResult:
    plan: Plan
    folder: Path
    written: tuple[Path, ...]
    warnings: tuple[Problem, ...]


def load_checked(workbook: Path) -> tuple[Plan, list[Problem]]:
    """Read and check; raise once with every error, return the plan and its warnings."""
    plan, problems = read_plan(workbook)
    if plan is not None:
        problems += check_plan(plan)
    errors = [p for p in problems if p.severity == ERROR]
    if errors or plan is None:
        raise ProblemsFound(problems)
    return plan, [p for p in problems if p.severity != ERROR]


def build(
    workbook: Path,
    out: Path,
    templates: Path = DEFAULT_TEMPLATES,
    echo: Callable[[str], None] = lambda _: None,
) -> BuildResult:
    plan, warnings = load_checked(workbook)
    jobs = plan_documents(plan)
    folder = out / str(plan.year)
    stamp = _stamp(plan)
    renderers: dict[str, TemplateRenderer] = {}
    rendered: list[tuple[DocumentJob, bytes]] = []
    # everything is rendered before anything is written: a failing template writes nothing
    for job in jobs:
        if job.kind == INDEX:
            rendered.append((job, index_workbook(job.context, stamp)))
            continue
        renderer = renderers.get(job.template)
        if renderer is None:
            renderer = renderers[job.template] = TemplateRenderer(templates / job.template)
        rendered.append((job, renderer.render(job.context, stamp)))
    # every name is checked before the first file is written
    targets = [within(folder, job.path) for job, _ in rendered]
    for stale in clean_stale_temps(folder):
        echo(f"đã xóa tệp tạm của lần chạy bị ngắt trước: {stale}")
    written = []
    for target, (job, data) in zip(targets, rendered, strict=True):
        atomic_write(target, data)
        written.append(target)
        echo(f"đã ghi {target}  ({job.title})")
    return BuildResult(plan, folder, tuple(written), tuple(warnings))


def _stamp(plan: Plan) -> datetime:
    g = plan.general
    if g.issue_date:
        return datetime(g.issue_date.year, g.issue_date.month, g.issue_date.day)
    return datetime(g.year, 1, 1)
