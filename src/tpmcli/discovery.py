"""Finding item files: every ``*.yaml``/``*.yml`` under the backlog folders, hidden files
and folders skipped, each with the path shown for it.

Built for backlogs of thousands of files: one ``scandir`` per folder, and the real
path of a file is derived from its folder's instead of being resolved file by file
(only symlinks are resolved one by one). The result is the same as resolving every
path: folders reached through a symlink are never entered, so below a resolved start
folder every path is already real.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tpmcli.config import display_path

ITEM_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class ItemFile:
    """A file to read (``path``, for the operating system), how it is shown, and its
    real path (symlinks resolved), which names it in the cache's stat index."""

    path: str
    shown: str
    real: str = ""


def find_item_files(paths: Sequence[Path], boundary: Path | None = None) -> list[ItemFile]:
    """Every item file under ``paths`` (files taken as given), sorted folder by folder,
    each once. Symlinks resolving outside ``boundary`` (default: the start folder) are
    not followed."""
    found: list[ItemFile] = []
    seen: set[str] = set()
    for start in paths:
        if start.is_file():
            _add(found, seen, str(start.resolve()), os.fspath(start), display_path(start))
        elif start.is_dir():
            walk = _Walk(start, (boundary or start).resolve(), found, seen)
            walk.folder(os.fspath(start), "")
    return found


def _add(found: list[ItemFile], seen: set[str], real: str, path: str, shown: str) -> None:
    if real not in seen:
        seen.add(real)
        found.append(ItemFile(path, shown, real))


class _Walk:
    """One start folder's walk; ``rel`` is a file's path below it, '/'-separated."""

    def __init__(self, start: Path, limit: Path, found: list[ItemFile], seen: set[str]) -> None:
        self.start = start
        self.limit = limit
        self.found = found
        self.seen = seen
        self.real_start = str(start.resolve())
        # Shown paths are lexical (see display_path): the start folder's, then the rest.
        shown_start = display_path(start)
        self.shown_prefix = "" if shown_start == "." else shown_start.rstrip("/") + "/"

    def folder(self, folder: str, rel: str) -> None:
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError:
            return
        subfolders = []
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                subfolders.append(entry)
            elif name.endswith(ITEM_SUFFIXES):
                self.file(entry, rel + name)
        for entry in subfolders:
            self.folder(entry.path, rel + entry.name + "/")

    def file(self, entry: os.DirEntry[str], rel: str) -> None:
        shown = self.shown_prefix + rel
        if entry.is_symlink():
            if entry.is_dir():
                return  # a symlink to a folder is neither read nor entered
            target = Path(entry.path).resolve()
            try:
                target.relative_to(self.limit)
            except ValueError:
                return
            _add(self.found, self.seen, str(target), entry.path, shown)
            return
        real = self.real_start + os.sep + rel.replace("/", os.sep)
        _add(self.found, self.seen, real, entry.path, shown)
