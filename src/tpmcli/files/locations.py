"""Where things are: the ``tpm.yaml`` that applies, and paths as people are shown them.

No dependencies beyond the standard library: a warm ``tpm rank`` needs these before
it knows whether anything must be parsed at all.
"""

from __future__ import annotations

import os
from pathlib import Path

CONFIG_NAME = "tpm.yaml"


def find_config(start: Path) -> Path | None:
    """The nearest ``tpm.yaml`` from ``start`` up to the git root or filesystem root."""
    current = start.resolve()
    while True:
        candidate = current / CONFIG_NAME
        if candidate.is_file():
            return candidate
        if (current / ".git").exists() or current.parent == current:
            return None
        current = current.parent


def display_path(path: Path) -> str:
    """A path as shown to people: relative to the current directory (``../x`` when
    not below it), so that output does not depend on where the checkout is."""
    # Lexical, not resolve(): a symlinked item is shown where it is linked, not its target.
    try:
        return Path(os.path.relpath(os.path.abspath(path), os.getcwd())).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()


def cache_root() -> Path:
    """Where tpm keeps its caches and, outside a git repository, its writers' locks."""
    base = os.environ.get("XDG_CACHE_HOME") or ""
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / "tpm"
