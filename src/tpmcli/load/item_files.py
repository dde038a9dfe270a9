"""Finding item files: every ``*.yaml``/``*.yml`` under the backlog folders, hidden files
and folders skipped, each with the path shown for it.

Built for backlogs of thousands of files: one ``scandir`` per folder, and the real
path of a file is derived from its folder's instead of being resolved file by file
(only symlinks are resolved one by one). The result is the same as resolving every
path: folders reached through a symlink are never entered, so below a resolved start
folder every path is already real.

The working tree may be hostile (see ``files.safe_read``): only regular files are taken
(FIFOs, sockets and devices are skipped), a symlinked file only when its real location
is inside the repository and not in its ``.git`` folder, and a start folder inside the
repository that really lies elsewhere is refused. A link that cannot be resolved (a
loop, a dangling link) is kept, so that reading it reports the problem at its path.

A folder below a start that holds ``.git`` (a folder, or the file of a submodule's
checkout) is another repository: it is not entered, as a revision never enters a
submodule (a gitlink), so that the working tree and a revision hold the same items.
Each one skipped is noted (``note_skipped_submodule``) for the CLI to say once.

A walk may be told of folders unchanged since an earlier walk listed them
(``KnownFolder``): it takes their names from that walk rather than listing them again,
and applies the same rules to them (the snapshot brought up to date in place).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tpmcli.files.locations import display_path
from tpmcli.files.safe_read import into_git, walk_limit, within

ITEM_SUFFIXES = (".yaml", ".yml")
#: A folder's mtime, ctime and inode.
FolderStat = tuple[int, int, int]
#: A folder an earlier walk listed, unchanged since (its stat is the one that walk
#: took): its stat, its subfolders' names, and the names of the item files in it that
#: the walk is to give (the caller has the others).
KnownListing = tuple[FolderStat, Sequence[str], Sequence[str]]
#: Asked of each folder before it is listed, with the number of files found so far:
#: the folder's ``KnownListing`` when it is unchanged since an earlier walk listed it
#: (and held no symlinks then), None when it must be listed.
KnownFolder = Callable[[str, int], KnownListing | None]


def hidden(name: str) -> bool:
    """A hidden file or folder name: skipped, in the working tree and in a revision."""
    return name.startswith(".")


def item_file_name(name: str) -> bool:
    """The item-file rule for one file name: a ``*.yaml``/``*.yml`` file, not hidden."""
    return not hidden(name) and name.endswith(ITEM_SUFFIXES)


def item_stem(path: str) -> str:
    """The stem an item's id defaults to, the one rule for the working tree, a revision
    and the caches: ``PurePosixPath(path).stem`` by string operations (asked of
    thousands of files): the last name without its last suffix; a name that only starts with a dot,
    or ends with one, has no suffix."""
    name = path.rstrip("/").rpartition("/")[2]
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


@dataclass(frozen=True)
class ItemFile:
    """A file to read (``path``, for the operating system), how it is shown, and its
    real path (symlinks resolved), which names it in the cache's stat index."""

    path: str
    shown: str
    real: str = ""


@dataclass
class WalkRecord:
    """What a walk saw besides the item files, for a snapshot (see ``snapshot``)."""

    #: Each folder's stat taken before it was listed, by its path: while a folder's
    #: stat is unchanged, so are the names in it.
    folders: dict[str, FolderStat] = field(default_factory=dict)
    #: Whether a symlink named like an item file was met, taken or skipped: what it
    #: leads to can change while every folder of the backlog stays the same.
    links: bool = False
    #: Folders that could not be listed (as shown, and why): their files are unknown.
    unlistable: list[tuple[str, str]] = field(default_factory=list)
    #: Submodule checkouts not entered (as shown).
    submodules: list[str] = field(default_factory=list)


#: The submodules that loads of this process skipped, as shown, each once: the CLI says
#: so on stderr once a command is done (the core never prints).
_SKIPPED_SUBMODULES: dict[str, None] = {}


def note_skipped_submodule(shown: str) -> None:
    """Note a submodule (a working-tree checkout or a revision's gitlink) not entered."""
    _SKIPPED_SUBMODULES[shown] = None


def take_skipped_submodules() -> list[str]:
    """The submodules noted since the last call, in the order first noted."""
    taken = list(_SKIPPED_SUBMODULES)
    _SKIPPED_SUBMODULES.clear()
    return taken


def find_item_files(
    paths: Sequence[Path],
    boundary: Path | None = None,
    record: WalkRecord | None = None,
    known: KnownFolder | None = None,
) -> list[ItemFile]:
    """Every item file under ``paths`` (files taken as given), sorted folder by folder,
    each once. Symlinks resolving outside ``boundary`` (the repository; default: each
    start) are not followed, and a start that is itself such a link is refused.
    ``record``, when given, receives what a snapshot must check (see ``WalkRecord``);
    ``known``, when given, is asked of every folder before it is listed (see
    ``KnownFolder``): the files a known folder holds beyond those it names are left
    out, for the caller to place (they come at the position it was asked at)."""
    found: list[ItemFile] = []
    seen: set[str] = set()
    for start in paths:
        shown = display_path(start)
        limit = walk_limit(start, boundary or start, shown)
        if start.is_dir():
            _Walk(start, limit, found, seen, record, known).run()
        elif os.path.lexists(start):
            _add(found, seen, os.path.realpath(start), os.fspath(start), shown)
    return found


def _add(found: list[ItemFile], seen: set[str], real: str, path: str, shown: str) -> None:
    if real not in seen:
        seen.add(real)
        found.append(ItemFile(path, shown, real))


class _Walk:
    """One start folder's walk; ``rel`` is a file's path below it, '/'-separated."""

    def __init__(
        self,
        start: Path,
        limit: Path,
        found: list[ItemFile],
        seen: set[str],
        record: WalkRecord | None = None,
        known: KnownFolder | None = None,
    ) -> None:
        self.start = start
        self.record = record
        self.known = known
        self.limit = limit
        self.found = found
        self.seen = seen
        self.real_start = str(start.resolve())
        # Shown paths are lexical (see display_path): the start folder's, then the rest.
        shown_start = display_path(start)
        self.shown_prefix = "" if shown_start == "." else shown_start.rstrip("/") + "/"

    def run(self) -> None:
        """Depth first, a folder's files before its subfolders; a loop, not recursion:
        a hostile tree can nest folders deeper than Python's recursion limit."""
        pending = [(os.fspath(self.start), "")]
        while pending:
            folder, rel = pending.pop()
            listing = self.known(folder, len(self.found)) if self.known is not None else None
            if listing is None:
                subfolders = self.folder(folder, rel)
            else:
                subfolders = self.known_folder(folder, rel, *listing)
            pending.extend(reversed(subfolders))

    def known_folder(
        self,
        folder: str,
        rel: str,
        status: FolderStat,
        subfolders: Sequence[str],
        files: Sequence[str],
    ) -> list[tuple[str, str]]:
        """A folder as ``folder`` would find it, from what an earlier walk saw of it
        (its names, unchanged since, are those of plain files and folders)."""
        if self.record is not None:
            self.record.folders[folder] = status
        for name in files:
            self.regular_file(os.path.join(folder, name), rel + name)
        return [(os.path.join(folder, name), rel + name + "/") for name in subfolders]

    def folder(self, folder: str, rel: str) -> list[tuple[str, str]]:
        try:
            if self.record is not None:
                status = os.stat(folder)
                stat_of = (status.st_mtime_ns, status.st_ctime_ns, status.st_ino)
                self.record.folders[folder] = stat_of
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except (FileNotFoundError, NotADirectoryError):
            return []  # gone (or replaced by a file) since its parent was listed
        except OSError as exc:
            if self.record is not None:
                shown = (self.shown_prefix + rel).rstrip("/") or display_path(self.start)
                self.record.unlistable.append((shown, exc.strerror or str(exc)))
            return []
        if rel and any(entry.name == ".git" for entry in entries):
            shown = self.shown_prefix + rel.rstrip("/")
            note_skipped_submodule(shown)
            if self.record is not None:
                self.record.submodules.append(shown)
            return []
        subfolders = []
        for entry in entries:
            name = entry.name
            if hidden(name):
                continue
            if entry.is_dir(follow_symlinks=False):
                subfolders.append((entry.path, rel + name + "/"))
            elif item_file_name(name):
                self.file(entry, rel + name)
        return subfolders

    def file(self, entry: os.DirEntry[str], rel: str) -> None:
        if entry.is_symlink():
            if self.record is not None:
                self.record.links = True
            target = os.path.realpath(entry.path)
            if not within(Path(target), self.limit) or into_git(Path(target), self.limit):
                return  # out of the repository, or into git's own files: never followed
            try:
                if not stat.S_ISREG(os.stat(entry.path).st_mode):
                    return  # a symlink to a folder or a FIFO is neither read nor entered
            except OSError:
                pass  # a loop or dangling link: reading it reports where
            _add(self.found, self.seen, target, entry.path, self.shown_prefix + rel)
            return
        if not entry.is_file(follow_symlinks=False):
            return  # a FIFO, socket or device
        self.regular_file(entry.path, rel)

    def regular_file(self, path: str, rel: str) -> None:
        """A plain item file (no symlink): its real path is its start's, and below."""
        real = self.real_start + os.sep + rel.replace("/", os.sep)
        _add(self.found, self.seen, real, path, self.shown_prefix + rel)
