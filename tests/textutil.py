"""Helpers for comparing rendered text."""

from __future__ import annotations


def stripped(text: str) -> str:
    """Text without the trailing spaces Rich pads table lines with."""
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"
