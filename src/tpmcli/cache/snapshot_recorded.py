"""What a stale snapshot recorded of the working tree, for bringing it up to date
(``snapshot_update``) without listing every folder or stat'ing every file again.

The stale check (``snapshot_file.Seen``) stat'ed every folder and file the snapshot
records. A folder whose stat is the recorded one holds the names it held, as that
check trusts, so the walk (``find_item_files``, with the very rules of a full run)
takes it from the snapshot rather than listing it (``Recorded.known``); only the
folders that changed (a file added, removed or renamed in them, or a folder new) are
listed. Each file found is then either kept, in a run of the snapshot's consecutive
files whose signatures are the recorded ones, or read (``Recorded.pieces``).
"""

from __future__ import annotations

import os
from array import array

from tpmcli.cache.snapshot_file import Snapshot, Unusable
from tpmcli.cache.validity import Seen
from tpmcli.load.item_files import ItemFile, KnownListing

#: Consecutive files of the stale snapshot kept as they are: [first, end) of its files.
Run = tuple[int, int]


class Recorded:
    """The stale snapshot's folders and files: the walk takes a folder whose stat is
    the recorded one from them (``known``) rather than listing it, and the files are
    then sorted into runs kept as they are and files to read (``pieces``).

    A folder whose stat is the one recorded holds the names it held (as the stale check
    trusts): its subfolders are the recorded folders in it, its item files the recorded
    files in it (plain files: a snapshot is written only when no symlink was met). Only
    where the starts do not overlap (no file is found twice) and every recorded folder
    but a start lies in another are folders taken so; else every folder is listed."""

    def __init__(self, stale: Snapshot, seen: Seen) -> None:
        self.stale = stale
        self.starts: list[list[str]] = stale.body["starts"]
        #: Each start's first file among all the snapshot's files (last: their count).
        self.firsts = [0]
        for group in stale.file_names:
            self.firsts.append(self.firsts[-1] + len(group))
        #: The files whose signature is not the recorded one (those gone included).
        self.changed = sorted(_differing(stale.signatures, seen.signatures) | seen.gone)
        #: Each folder's recorded stat and its stat now (None: gone).
        self.folders = {
            path: ((mtime, ctime, inode), now)
            for (path, mtime, ctime, inode), now in zip(
                stale.body["folders"], seen.folders, strict=True
            )
        }
        #: Each recorded folder's subfolders, and its files: start, first and end.
        self.subfolders: dict[str, list[str]] = {}
        self.spans: dict[str, tuple[int, int, int]] = {}
        #: The folders taken as known, each with the number of files found before it.
        self.taken: list[tuple[int, str]] = []
        self.reusable = self._indexed()
        self._index_of: dict[str, int] | None = None

    def _indexed(self) -> bool:
        """Index each folder's subfolders and files; whether the walk may take folders
        from them (see the class's docstring)."""
        given = [start for start, _ in self.starts]
        if _overlapping(given) or _overlapping([real for _, real in self.starts]):
            return False
        for path in self.folders:
            if type(path) is not str:
                return False
            if path in given:
                continue
            parent, name = os.path.split(path)
            if parent not in self.folders or os.path.join(parent, name) != path:
                return False
            self.subfolders.setdefault(parent, []).append(name)
        index = 0
        for number, group in enumerate(self.stale.file_names):
            start = given[number]
            last: str | None = None
            first = index
            for name in group:
                here = name.rpartition(os.sep)[0]
                if here != last:
                    if last is not None and not self._span(start, last, number, first, index):
                        return False
                    last, first = here, index
                index += 1
            if last is not None and not self._span(start, last, number, first, index):
                return False
        return True

    def _span(self, start: str, below: str, number: int, first: int, end: int) -> bool:
        folder = os.path.join(start, below) if below else start
        if folder in self.spans or folder not in self.folders:
            return False  # a folder's files apart, or files in a folder not recorded
        self.spans[folder] = (number, first, end)
        return True

    def known(self, folder: str, found: int) -> KnownListing | None:
        """``folder`` as listing it would find it, when its stat is the recorded one:
        the walk gives its files to read again, the others are kept (``pieces``)."""
        recorded = self.folders.get(folder)
        if recorded is None or recorded[0] != recorded[1]:
            return None
        self.taken.append((found, folder))
        _, first, end = self.spans.get(folder, (0, 0, 0))
        again = [
            self._name(index).rpartition(os.sep)[2]
            for index in self.changed
            if first <= index < end
        ]
        return recorded[0], sorted(self.subfolders.get(folder, ())), again

    def pieces(self, files: list[ItemFile]) -> list[Run | ItemFile]:
        """The files in the walk's order: runs of the snapshot's files kept as they are
        and files to read (the walk's ``files``)."""
        found: list[Run | ItemFile] = []
        done = 0
        for position, folder in self.taken:
            self._listed(files[done:position], found)
            done = position
            number, first, end = self.spans.get(folder, (0, 0, 0))
            prefix = self.starts[number][1] + os.sep
            for index in self.changed:
                if first <= index < end:
                    if files[done].real != prefix + self._name(index):
                        raise Unusable  # not the file the walk was told of
                    _add_run(found, first, index)
                    found.append(files[done])
                    done += 1
                    first = index + 1
            _add_run(found, first, end)
        self._listed(files[done:], found)
        return found

    def _name(self, index: int) -> str:
        """File ``index``'s path below its start."""
        number = 0
        while self.firsts[number + 1] <= index:
            number += 1
        name: str = self.stale.file_names[number][index - self.firsts[number]]
        return name

    def _listed(self, files: list[ItemFile], found: list[Run | ItemFile]) -> None:
        """Files of folders listed: one recorded, with its signature unchanged, is
        kept; any other is read."""
        if not files:
            return
        index_of = self._by_real_path()
        changed = set(self.changed)
        for file in files:
            index = index_of.get(file.real)
            if index is None or index in changed:
                found.append(file)
            else:
                _add_run(found, index, index + 1)

    def _by_real_path(self) -> dict[str, int]:
        """The files of the recorded folders not taken as known, by real path."""
        if self._index_of is not None:
            return self._index_of
        taken = {folder for _, folder in self.taken}
        if self.reusable:
            spans = [span for folder, span in self.spans.items() if folder not in taken]
        else:
            spans = [(n, self.firsts[n], self.firsts[n + 1]) for n in range(len(self.starts))]
        index_of = {}
        for number, first, end in spans:
            prefix = self.starts[number][1] + os.sep
            names = self.stale.file_names[number]
            base = self.firsts[number]
            for index in range(first, end):
                index_of[prefix + names[index - base]] = index
        self._index_of = index_of
        return index_of


def _overlapping(paths: list[str]) -> bool:
    """Whether a path is another, or lies in it."""
    return any(
        other == path or other.startswith(path.rstrip(os.sep) + os.sep)
        for index, path in enumerate(paths)
        for other in paths[index + 1 :] + paths[:index]
    )


def _differing(recorded: array[int], now: array[int]) -> set[int]:
    """The files (four numbers each) whose numbers differ, compared in blocks."""
    found = set()
    block = 256
    for start in range(0, max(len(recorded), len(now)), block):
        if recorded[start : start + block] != now[start : start + block]:
            for index in range(start // 4, (start + block) // 4):
                if recorded[4 * index : 4 * index + 4] != now[4 * index : 4 * index + 4]:
                    found.add(index)
    return found


def _add_run(found: list[Run | ItemFile], first: int, end: int) -> None:
    """The run [first, end) appended, joined to the run before it when it follows it."""
    if first == end:
        return
    last = found[-1] if found else None
    if type(last) is tuple and last[1] == first:
        found[-1] = (last[0], end)
    else:
        found.append((first, end))
