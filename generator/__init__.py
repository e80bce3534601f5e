"""vanban: the official documents of a provincial administrative-reform plan, from one workbook."""

from pathlib import Path

__version__ = "0.1.0"  # the one version number: pyproject.toml reads it, the manifest records it

_HERE = Path(__file__).resolve().parent
ROOT = _HERE.parent
# Run from the checkout, the shipped templates and workbook are its templates/ and data/ folders;
# installed from the wheel, they are the copies setup.py puts in generator/resources/.
IN_CHECKOUT = (ROOT / "pyproject.toml").is_file() and (ROOT / "templates").is_dir()
_RESOURCES = ROOT if IN_CHECKOUT else _HERE / "resources"
DEFAULT_TEMPLATES = _RESOURCES / "templates"
DEFAULT_WORKBOOK = _RESOURCES / "data" / "ke-hoach-cchc-2018.xlsx"
DEFAULT_OUT = ROOT / "out" if IN_CHECKOUT else Path("out")  # installed: out/ of the current folder
