"""Checks of a read plan: every problem with its sheet and cell, before anything is written."""
