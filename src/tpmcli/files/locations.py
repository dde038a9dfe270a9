"""Where things are: the ``tpm.yaml`` that applies, and paths as people are shown them.

No dependencies beyond the standard library and ``errors``: a warm ``tpm rank`` needs these before
it knows whether anything must be parsed at all.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tpmcli.errors import ConfigError, Problem

CONFIG_NAME = "tpm.yaml"


def find_config(start: Path) -> Path | None:
    """The nearest ``tpm.yaml`` from ``start`` up to the git root or filesystem root.

    A ``tpm.yaml`` that is not a regular file (a folder, a FIFO, a device) is an error,
    not an absent file: the repository's settings would be silently ignored. Its type
    is taken with ``stat``, which never opens it (a FIFO cannot block)."""
    current = start.resolve()
    while True:
        candidate = current / CONFIG_NAME
        try:
            mode = os.stat(candidate).st_mode
        except OSError:
            mode = None  # absent (or a dangling link): keep looking
        if mode is not None:
            if stat.S_ISREG(mode):
                return candidate
            raise ConfigError([Problem(display_path(candidate), 1, 1, _not_a_file(mode))])
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


def _not_a_file(mode: int) -> str:
    kind = (
        "a folder"
        if stat.S_ISDIR(mode)
        else "a FIFO"
        if stat.S_ISFIFO(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "a device"
    )
    return f"config file is {kind}, not a regular file; tpm does not read it as absent"
