"""The wheel carries the shipped templates and workbook: setup.py copies them into the package.

In the checkout they stay where people edit them (templates/ is written by
tools/build_templates.py, data/ holds the 2018 workbook); generator/__init__.py finds them there,
or, installed from the wheel, in generator/resources/, where this build step puts them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = {"templates": sorted((ROOT / "templates").glob("*.docx")),
           "data": [ROOT / "data" / "ke-hoach-cchc-2018.xlsx"]}


class BuildWithResources(build_py):
    """build_py, then the templates and the workbook into build/lib/generator/resources/."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout's own folders
        for folder, files in SHIPPED.items():
            target = Path(self.build_lib) / "generator" / "resources" / folder
            target.mkdir(parents=True, exist_ok=True)
            for path in files:
                shutil.copy2(path, target / path.name)


# The collect reader's single pass in C, on Python's own expat (generator/collect/_fastdocx.c):
# optional, so that an install without a C compiler (Windows without Visual C++) still works;
# generator/collect/reader.py then reads every form with lxml, the same result more slowly.
# VANBAN_PURE_PYTHON=1 leaves it out: `pip wheel .` then makes the py3-none-any wheel that installs
# on any machine (the clerks' Windows PCs); with it, the wheel is for this platform only.
FAST_READER = Extension("generator.collect._fastdocx", ["generator/collect/_fastdocx.c"], optional=True)

setup(cmdclass={"build_py": BuildWithResources},
      ext_modules=[] if os.environ.get("VANBAN_PURE_PYTHON") else [FAST_READER])
