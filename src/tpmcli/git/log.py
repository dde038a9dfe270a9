"""Git plumbing for a first-parent walk: which commits changed which files, in one
``git log``, never a checkout.

The same discipline as ``plumbing``: an argument list, no ``GIT_*`` variable, the
revision after ``--end-of-options``, paths after ``--``, and only regular blobs.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tpmcli.errors import GitError
from tpmcli.git.plumbing import REGULAR_FILE_MODES, TreeEntry, is_shallow, run_git

__all__ = ["LogCommit", "first_parent_log", "is_shallow"]

#: The commit's id, its author date (strict ISO 8601) and its author's name.
_FORMAT = "--format=%H%x00%aI%x00%an"


@dataclass(frozen=True)
class LogCommit:
    """One commit of the walk and the files it changed against its first parent."""

    commit: str
    date: str
    author: str
    #: Each path changed, with its entry after the commit; None where the commit leaves
    #: no regular file there (deleted, or now a symlink or a submodule).
    changes: dict[str, TreeEntry | None]


def first_parent_log(repo: Path, rev: str, paths: Sequence[str]) -> list[LogCommit]:
    """The first-parent commits from ``rev`` that change a file under ``paths`` (every
    commit when a path is the root, ''), newest first, each with what it changed
    against its first parent (a merge: what it brought to the main line; a root:
    every file). One ``git log``."""
    if rev.startswith("-") or not rev or "\0" in rev or "\n" in rev:
        raise GitError(f"invalid revision {rev!r}")
    args = [
        "log",
        "--first-parent",
        "-m",  # with --first-parent: a merge's diff against its first parent only
        "--raw",
        "-z",
        "--root",
        "--no-renames",
        "--no-abbrev",
        "--no-relative",
        "--no-color",
        "--no-show-signature",
        "--no-ext-diff",
        _FORMAT,
        "--end-of-options",
        rev,
    ]
    if paths and "" not in paths:
        args += ["--", *paths]
    return _parse_log(run_git(repo, args).stdout)


def _parse_log(output: bytes) -> list[LogCommit]:
    """``git log -z --raw`` with ``_FORMAT``: per commit its three header fields, then
    ``:<old mode> <new mode> <old id> <new id> <status>`` and a path per change."""
    fields = output.split(b"\0")
    commits: list[LogCommit] = []
    index = 0
    changes: dict[str, TreeEntry | None] = {}
    while index < len(fields):
        field = fields[index].lstrip(b"\n")
        index += 1
        if not field:
            continue
        if field.startswith(b":"):
            if not commits or index >= len(fields):
                raise GitError(f"unexpected output from git log: {field[:80]!r}")
            parts = field.decode("ascii", errors="replace").split(" ")
            if len(parts) != 5:
                raise GitError(f"unexpected output from git log: {field[:80]!r}")
            path = os.fsdecode(fields[index])
            index += 1
            mode, object_id = parts[1], parts[3]
            changes[path] = (
                TreeEntry(path=path, blob_id=object_id, mode=mode)
                if mode in REGULAR_FILE_MODES
                else None
            )
            continue
        if index + 1 >= len(fields):
            raise GitError(f"unexpected output from git log: {field[:80]!r}")
        changes = {}
        date, author = fields[index].decode("ascii", errors="replace"), fields[index + 1]
        index += 2
        commit = field.decode("ascii", errors="replace")
        commits.append(LogCommit(commit, date, author.decode("utf-8", errors="replace"), changes))
    return commits
