"""What a snapshot's validity rests on: its key, and the stat of every backlog folder
and item file it was made from.

Kept apart from reading and writing snapshots, and cheap to import (the standard
library, ``files`` and ``store``): a replayed answer (``answers``) checks exactly
these before anything else is imported.
"""

from __future__ import annotations

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
from tpmcli.files.sha256 import sha256_hex

if TYPE_CHECKING:
    from tpmcli.model.requests import BacklogRequest

#: The snapshot file's format (part of the key: a snapshot of another format is never read).
FORMAT = 6
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
            digest = sha256_hex(read_limited(config, MAX_CONFIG_BYTES))
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
    return sha256_hex(json.dumps(payload).encode("utf-8"))


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
    folders: Any,
    starts: Any,
    file_names: Sequence[Sequence[str]],
    signatures: array[Any],
    *,
    remember: bool = False,
) -> Seen | None:
    """None when every folder (path, mtime, ctime, inode) and every file (its name
    below its start's real path; size, mtime, ctime, inode packed in ``signatures``)
    has the stat recorded; else what was seen of each, every one stat'ed once. Those
    racily clean when recorded carry a signature no stat has (see ``snapshot_write``),
    so they never hold. A file or folder gone is noted; another error, or values of the
    wrong type, propagate (the caller treats that as a damaged record).

    ``remember``: keep what was seen for the next call on the same folders and files
    (a replayed answer that no longer holds checks the very ones the snapshot lists
    next), which takes it rather than stat them all again, once."""
    global _observed
    key = ([folder[0] for folder in folders], starts, file_names)
    observed, _observed = _observed, None
    if observed is not None and observed[0] == key:
        now_folders, found, gone = observed[1]  # seen moments ago
    else:
        now_folders, found, gone = _observe(key[0], starts, file_names)
    if remember:
        _observed = (key, (now_folders, found, gone))
    recorded = [tuple(folder[1:]) for folder in folders]
    if now_folders == recorded and not gone and found == signatures:
        return None
    return Seen(now_folders, found, gone)


#: What ``changes(remember=True)`` saw, by the folders and files it looked at.
_observed: tuple[Any, tuple[list[tuple[int, int, int] | None], array[int], set[int]]] | None
_observed = None


def _observe(
    folders: list[str], starts: Any, file_names: Sequence[Sequence[str]]
) -> tuple[list[tuple[int, int, int] | None], array[int], set[int]]:
    """Each folder's mtime, ctime and inode (None: gone), each file's signature (-1s:
    gone) and the indexes of the files gone."""
    stat = os.stat
    now_folders: list[tuple[int, int, int] | None] = []
    for path in folders:
        try:
            status = stat(path)
        except (FileNotFoundError, NotADirectoryError):
            now_folders.append(None)
            continue
        now_folders.append((status.st_mtime_ns, status.st_ctime_ns, status.st_ino))
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
    return now_folders, array("q", numbers), gone
