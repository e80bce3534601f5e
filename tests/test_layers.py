"""The package's layout is its flow: each stage a folder, imports only pointing down."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "generator"

# Lowest first. A module may import its own stage and any stage listed before it, never one after.
# `layout` (the Nghị định 30 checker) reads any .docx and stands apart: it may import only the
# shared base and the text conventions. `collect` reads returned forms and writes the consolidated
# report; `web` is a front door like `cli`.
LAYERS = ["errors", "text", "plan", "workbook", "checks", "documents", "render", "output", "collect",
          "pipeline", "web", "cli", "launch", "__main__"]
APART = {"layout": {"errors", "text", "layout"}}


def stage(module: str) -> str:
    """The stage of a dotted module name inside the package: its first part after generator."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports(path: Path) -> set[str]:
    """Every generator module a file imports, at its top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("generator"):
            if node.module == "generator":
                found.update(f"generator.{alias.name}" for alias in node.names
                             if (PACKAGE / alias.name).is_dir() or (PACKAGE / f"{alias.name}.py").exists())
            else:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("generator"))
    return found


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def test_every_folder_of_code_is_a_package() -> None:
    """A folder without __init__.py is left out of the wheel (setuptools' find)."""
    folders = {p.parent for p in PACKAGE.rglob("*.py")}
    assert sorted(str(f.relative_to(ROOT)) for f in folders if not (f / "__init__.py").exists()) == []


def test_every_stage_is_a_folder_and_known() -> None:
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert {"text", "plan", "workbook", "checks", "documents", "render", "output", "layout", "collect",
            "web"} <= folders
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    assert modules <= {"__init__", "__main__", "errors", "pipeline", "cli", "launch"}
    assert folders <= set(LAYERS) | set(APART)


def test_imports_only_point_down() -> None:
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        here = stage(module_name(path))
        for target in imports(path):
            there = stage(target)
            if there in ("__init__", here):
                continue
            if here in APART:
                allowed = there in APART[here]
            elif there in APART:
                allowed = LAYERS.index(here) > LAYERS.index("output")  # the pipeline and front doors
            else:
                allowed = LAYERS.index(there) < LAYERS.index(here)
            if not allowed:
                upward.append(f"{path.relative_to(ROOT)} ({here}) imports {target} ({there})")
    assert upward == []


def test_no_import_cycle_between_modules() -> None:
    graph = {module_name(p): {t for t in imports(p) if t != "generator"} for p in PACKAGE.rglob("*.py")}
    seen: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state = seen.get(node)
        if state == 1:
            cycles.append(trail[trail.index(node):] + [node])
            return
        if state == 2:
            return
        seen[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if nxt in graph:
                visit(nxt, trail + [node])
        seen[node] = 2

    for module in sorted(graph):
        visit(module, [])
    assert cycles == []
