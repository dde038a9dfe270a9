"""What a snapshot's validity rests on: its key, and the stat of every backlog folder
and item file it was made from.

Kept apart from reading and writing snapshots, and cheap to import (the standard
library, ``files`` and ``store``): a replayed answer (``answers``) checks exactly
these before anything else is imported.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tpmcli import __version__
from tpmcli.cache.store import cache_disabled, code_fingerprint
from tpmcli.files.locations import find_config
from tpmcli.files.safe_read import read_limited, working_tree_root

if TYPE_CHECKING:
    from tpmcli.model.requests import BacklogRequest

#: The snapshot file's format (part of the key: a snapshot of another format is never read).
FORMAT = 5
#: The largest tpm.yaml read for the key (a larger one is an error of the full path).
MAX_CONFIG_BYTES = 16 * 1024 * 1024


def snapshot_key(request: BacklogRequest) -> str | None:
    """The key of the snapshot that may answer ``request``; None when none may (a
    revision, the cache turned off, a tpm.yaml that cannot be read)."""
    if request.at is not None or not request.use_cache:
        return None
    return key_for(request.paths, request.config_file)


def key_for(paths: Sequence[Path], config_file: Path | None) -> str | None:
    """``snapshot_key`` of a working-tree request with these ``paths`` and ``--config``."""
    if cache_disabled():
        return None
    cwd = os.getcwd()
    config = config_file if config_file is not None else find_config(Path(cwd))
    digest = None
    if config is not None:
        try:
            digest = hashlib.sha256(read_limited(config, MAX_CONFIG_BYTES)).hexdigest()
        except OSError:
            return None
    # The repository bounds what may be read (``backlog:`` outside it is an error).
    root = working_tree_root(config.parent if config is not None else Path(cwd))
    payload = [
        FORMAT,
        tpm_and_python(),
        os.environ.get("TPM_LOAD_PLUGINS"),
        cwd,
        [os.fspath(path) for path in paths],
        os.fspath(config_file) if config_file is not None else None,
        os.path.abspath(config) if config is not None else None,
        # A tpm.yaml that is a symlink is refused when it leads outside the repository.
        os.path.realpath(config) if config is not None else None,
        digest,
        [os.path.realpath(root), os.path.lexists(root / ".git")],
    ]
    return hashlib.sha256(json.dumps(payload).encode("utf-8")).hexdigest()


def tpm_and_python() -> list[object]:
    """What any cached answer depends on: tpm's version and code, Python, and the
    installed packages."""
    return [__version__, code_fingerprint(), sys.version, sys.prefix, installed()]


def installed() -> list[list[object]]:
    """Every folder Python imports from, with its mtime: installing, upgrading or
    removing a package adds or removes names in one of them."""
    found: list[list[object]] = []
    for entry in sys.path:
        try:
            found.append([entry, os.stat(entry or ".").st_mtime_ns])
        except OSError:
            found.append([entry, None])
    return found


def unchanged(
    folders: Any, starts: Any, file_names: Sequence[Sequence[str]], signatures: array[Any]
) -> bool:
    """Whether every folder (path, mtime, ctime, inode) and every file (its name below
    its start's real path; size, mtime, ctime, inode packed in ``signatures``) has the
    stat recorded. Those racily clean when recorded carry a signature no stat has (see
    ``snapshot_write``), so they never hold. Raises on values of the wrong type (the
    caller treats that as a damaged record)."""
    stat = os.stat
    try:
        for path, mtime, ctime, inode in folders:
            status = stat(path)
            if (status.st_mtime_ns, status.st_ctime_ns, status.st_ino) != (mtime, ctime, inode):
                return False
        numbers: list[int] = []
        extend = numbers.extend
        for (_, real), names in zip(starts, file_names, strict=True):
            prefix = real + os.sep
            for name in names:
                status = stat(prefix + name)
                extend((status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino))
    except (FileNotFoundError, NotADirectoryError):
        return False  # a file or folder gone (another error: the full path says it)
    found = array("q", numbers)
    global _observed
    _observed = (starts, file_names, found)
    return found == signatures


#: The files ``unchanged`` stat'ed last (their starts and names) and their signatures:
#: a replayed answer that no longer holds checks the very files the snapshot lists
#: next, and ``changes`` takes their signatures from here rather than stat them again.
_observed: tuple[Any, Sequence[Sequence[str]], array[int]] | None = None


class Seen:
    """What checking a snapshot's folders and files saw when one changed, so that
    bringing it up to date (``snapshot_update``) stats none of them again: each
    folder's mtime, ctime and inode now (None: gone), in the order recorded; each
    file's signature now (four numbers a file, in the order recorded), and the
    indexes of the files gone (their four numbers there are -1)."""

    def __init__(
        self, folders: list[tuple[int, int, int] | None], signatures: array[int], gone: set[int]
    ) -> None:
        self.folders = folders
        self.signatures = signatures
        self.gone = gone


#: The signature noted for a file gone (``Seen.gone`` says which).
_GONE = (-1, -1, -1, -1)


def changes(
    folders: Any, starts: Any, file_names: Sequence[Sequence[str]], signatures: array[Any]
) -> Seen | None:
    """None when ``unchanged``; else what was seen of every folder and file, each
    stat'ed once (``unchanged`` stops at the first change). A file or folder gone is
    noted; another error propagates (the caller treats it as ``unchanged`` does)."""
    stat = os.stat
    now_folders: list[tuple[int, int, int] | None] = []
    same = True
    for path, mtime, ctime, inode in folders:
        try:
            status = stat(path)
        except (FileNotFoundError, NotADirectoryError):
            now_folders.append(None)
            same = False
            continue
        now = (status.st_mtime_ns, status.st_ctime_ns, status.st_ino)
        now_folders.append(now)
        if now != (mtime, ctime, inode):
            same = False
    global _observed
    observed, _observed = _observed, None
    if observed is not None and observed[0] == starts and observed[1] == file_names:
        found = observed[2]  # every file stat'ed moments ago, none gone
        if same and found == signatures:
            return None
        return Seen(now_folders, found, set())
    numbers: list[int] = []
    extend = numbers.extend
    gone: set[int] = set()
    for (_, real), names in zip(starts, file_names, strict=True):
        prefix = real + os.sep
        first = len(numbers) // 4
        remaining = names
        while remaining:
            try:
                for name in remaining:
                    status = stat(prefix + name)
                    extend((status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino))
                remaining = []
            except (FileNotFoundError, NotADirectoryError):
                index = len(numbers) // 4
                gone.add(index)
                extend(_GONE)
                remaining = names[index + 1 - first :]
    found = array("q", numbers)
    if same and not gone and found == signatures:
        return None
    return Seen(now_folders, found, gone)
