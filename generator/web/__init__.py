"""The page in the browser for the clerks: a second front door, beside cli.py, on the same pipeline."""

from generator.web.app import create_app
from generator.web.server import is_loopback, serve

__all__ = ["create_app", "is_loopback", "serve"]
