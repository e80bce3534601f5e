"""Every output of the 2018 workbook is byte-identical to the recorded build.

The SHA-256 of each file of out/2018/ (the documents, the forms' index and manifest.json) is
recorded in tests/fixtures/output-digests-2018.json, first from commit cc3ba9e, before the build
was split into steps. A refactoring must leave them all unchanged. A change meant to change the
documents (a template, a context value, the version number, which the manifest fingerprints)
changes them on purpose: then look at the documents, and record the new digests with

    .venv/bin/python -m tests.test_output_bytes

and commit the JSON with the change that explains it.
"""

from __future__ import annotations

import json
import sys
import tempfile
from hashlib import sha256
from pathlib import Path

from tests.conftest import FIXTURES

DIGESTS = FIXTURES / "output-digests-2018.json"


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_every_output_of_the_2018_workbook_has_the_recorded_bytes(built_2018):
    expected = json.loads(DIGESTS.read_text(encoding="utf-8"))
    found = digests(built_2018.folder)
    assert sorted(found) == sorted(expected)  # the same files, no more, no fewer
    differ = sorted(name for name in expected if found[name] != expected[name])
    assert differ == [], f"{len(differ)} outputs changed; see this module's docstring"


if __name__ == "__main__":  # record the digests of a fresh build
    from generator.pipeline import build
    from tests.conftest import WORKBOOK

    with tempfile.TemporaryDirectory() as out:
        found = digests(build(WORKBOOK, Path(out)).folder)
    text = json.dumps(found, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    DIGESTS.write_text(text, encoding="utf-8")
    print(f"recorded {len(found)} digests in {DIGESTS}", file=sys.stderr)
