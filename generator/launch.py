"""The `vanban` command's entry point: Ctrl+C is one Vietnamese line even while the program loads."""

from __future__ import annotations

import sys

from generator.errors import Interrupted


def run() -> None:
    """Load the command line and run it; an interrupt during the imports is said like any other."""
    try:
        from generator.cli import main

        main()
    except KeyboardInterrupt:
        print(f"\nLỗi: {Interrupted().message}", file=sys.stderr)
        sys.exit(Interrupted.exit_code)
