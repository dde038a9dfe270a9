"""Reading the working tree of a repository that may be hostile.

A pull request controls every path below the repository root: it can add symbolic
links to files of the machine running tpm (``~/.ssh``, ``/proc/self/environ``),
symlink loops, FIFOs that block a reader forever, or files too large to parse.
Here only regular files are read, only up to a size limit, and only when their real
location stays inside the repository, outside its ``.git`` folder.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tpmcli.errors import UsageError


class FileTooLarge(OSError):
    """A file over the size limit (``size`` is what ``stat`` reported)."""

    def __init__(self, size: int) -> None:
        super().__init__(f"file is {size} bytes")
        self.size = size


class NotRegularFile(OSError):
    """A FIFO, socket, device or directory where a file was expected."""


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)


def read_limited(path: Path, max_bytes: int) -> bytes:
    """The bytes of the regular file at ``path``, refusing one over ``max_bytes``.

    The file is opened without blocking (a FIFO would otherwise wait forever for a
    writer) and checked on the open descriptor, so a file swapped after discovery
    cannot slip through; at most ``max_bytes`` + 1 bytes are ever read.
    """
    fd = os.open(path, _OPEN_FLAGS)
    with open(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(f"{path} is not a regular file")
        if info.st_size > max_bytes:
            raise FileTooLarge(info.st_size)
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:  # grew since fstat
        raise FileTooLarge(len(data))
    return data


def working_tree_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` that holds ``.git``, else ``start``."""
    start = Path(os.path.abspath(start))
    for folder in (start, *start.parents):
        if os.path.lexists(folder / ".git"):
            return folder
    return start


def within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def into_git(path: Path, root: Path) -> bool:
    """Whether ``path`` lies in the ``.git`` folder of the repository at ``root``:
    git's own files (``HEAD``, ``config``, ``description``) are never item files, and a
    link to one must not get any of its bytes echoed in a problem."""
    return within(path, root / ".git")


def walk_limit(start: Path, boundary: Path, shown: str | None = None) -> Path:
    """The folder every file read for ``start`` must really lie in.

    A start the user named outside the repository is theirs to read. A start inside it
    whose real location is elsewhere (``backlog`` itself a symlink to ``/``) is refused.
    """
    real_boundary = Path(os.path.realpath(boundary))
    named = Path(os.path.abspath(start))
    real = Path(os.path.realpath(start))
    if within(real, real_boundary):
        if into_git(real, real_boundary) and not into_git(named, Path(os.path.abspath(boundary))):
            raise UsageError(
                f"{shown or start.as_posix()} is a symbolic link into the repository's .git "
                "folder; links into .git are not followed"
            )
        return real_boundary
    if within(named, Path(os.path.abspath(boundary))) or within(named, real_boundary):
        raise UsageError(
            f"{shown or start.as_posix()} leads outside the repository (a symbolic link); "
            "tpm does not follow it"
        )
    return real
