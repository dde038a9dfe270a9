"""The backlog as ``tpm set`` and ``tpm add`` (``commands/set.py``, ``commands/add.py``) read
it to change or create item files, validated before writing.

The backlog is found and read as ``tpm rank`` reads it. The whole backlog is checked
as ``tpm check`` would, before and after the change: a change that causes any problem
the backlog did not have (in the file it writes or in another: a duplicate id, an
unknown dependency, a cycle) is refused, exit 1, nothing written. Problems the
backlog already had are kept, so a broken item can be fixed one value at a time.
Writes are atomic, and writers of one backlog take turns: each holds the backlog's
lock (``files.atomic_write.write_lock``) from reading it to writing, so a concurrent ``tpm set``
of the same file, or ``tpm add`` of the same id in another case, waits for the first
and then sees its change. One lock for the whole backlog, not one per file: what is
checked spans files (a duplicate id, a dependency).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tpmcli.errors import InvalidItemsError, Problem, UsageError
from tpmcli.files.atomic_write import write_lock
from tpmcli.files.locations import display_path
from tpmcli.frameworks.base import Framework
from tpmcli.load.parsing import (
    ParsedFile,
    SourceFile,
    discover_files,
    parse_source,
    read_sources,
)
from tpmcli.project.catalogue import configured_frameworks
from tpmcli.project.config import Config, backlog_paths, load_config
from tpmcli.project.item_schema import item_schema
from tpmcli.project.located import suggest
from tpmcli.project.validation import ItemRules, check_backlog
from tpmcli.yamlio.reader import YamlSyntaxError, load_bytes

PathStep = str | int


class ChangeRejected(InvalidItemsError):
    """The change would make the backlog invalid; nothing was written (exit 1)."""

    def __str__(self) -> str:
        return super().__str__() + "\ntpm: nothing written (the change would cause these problems)"


@dataclass(frozen=True)
class EditedFile:
    path: Path
    source: SourceFile


@dataclass(frozen=True)
class Workspace:
    """The backlog as ``tpm rank`` sees it, with the raw bytes of every item file."""

    config: Config
    frameworks: dict[str, Framework]
    files: tuple[EditedFile, ...]

    @property
    def rules(self) -> ItemRules:
        return ItemRules(self.frameworks, self.config.statuses)

    @property
    def schema(self) -> dict[str, Any]:
        return item_schema(self.frameworks, self.config.statuses)

    @property
    def folder(self) -> Path:
        return backlog_paths((), self.config)[0]

    @property
    def project_root(self) -> Path:
        return self.config.path.parent if self.config.path else Path.cwd()


@contextmanager
def locked_workspace(config_file: Path | None) -> Iterator[Workspace]:
    """The backlog read under its writers' lock, held until the block ends."""
    config = load_config(config_file)
    folder = backlog_paths((), config)[0]
    with write_lock(folder, display_path(folder)):
        yield read_workspace(config)


def read_workspace(config: Config) -> Workspace:
    frameworks = configured_frameworks(config)
    boundary = config.path.parent if config.path else None
    files: list[EditedFile] = []
    for path in discover_files(backlog_paths((), config), boundary):
        sources, _problems = read_sources([path], [display_path(path)], config.max_file_bytes)
        files.extend(EditedFile(path, source) for source in sources)
    return Workspace(config, frameworks, tuple(files))


@dataclass(frozen=True)
class ItemLocation:
    file: EditedFile
    base: tuple[PathStep, ...]


def item_ids(source: SourceFile) -> list[tuple[str, tuple[PathStep, ...]]]:
    """The ids a file declares (valid or not), each with where its mapping sits."""
    try:
        value = load_bytes(source.data).value
    except YamlSyntaxError:
        return []
    if not isinstance(value, dict):
        return []
    entries = value.get("items")
    if isinstance(entries, list):
        return [
            (entry["id"], ("items", index))
            for index, entry in enumerate(entries)
            if isinstance(entry, dict) and isinstance(entry.get("id"), str)
        ]
    item_id = value.get("id", Path(source.shown).stem)
    return [(item_id, ())] if isinstance(item_id, str) else []


def find_item(workspace: Workspace, item_id: str) -> ItemLocation:
    found = [
        ItemLocation(file, base)
        for file in workspace.files
        for candidate, base in item_ids(file.source)
        if candidate == item_id
    ]
    if not found:
        known = {candidate for file in workspace.files for candidate, _ in item_ids(file.source)}
        raise UsageError(f"no item with id '{item_id}'{suggest(item_id, known)}")
    if len(found) > 1:
        where = ", ".join(location.file.source.shown for location in found)
        raise UsageError(f"id '{item_id}' is used by several items ({where}); run tpm check")
    return found[0]


ParsedFiles = dict[str, ParsedFile]


def _parse_files(workspace: Workspace) -> ParsedFiles:
    """Every item file parsed, keyed by the path shown for it."""
    return {
        file.source.shown: parse_source(file.source, workspace.rules) for file in workspace.files
    }


def _backlog_problems(workspace: Workspace, parsed: ParsedFiles) -> list[Problem]:
    """What ``tpm check`` would say about ``parsed``: each file's problems and the
    problems between items (duplicate ids, unknown dependencies, cycles)."""
    items = [item for file in parsed.values() for item in file.items]
    own = [problem for file in parsed.values() for problem in file.problems]
    invalid_ids = {item_id for file in parsed.values() for item_id in file.invalid_ids}
    return own + check_backlog(items, workspace.config.require, invalid_ids)


def _with_positions_removed(message: str) -> str:
    # "duplicate id 'x' (also in b.yaml:3:5)" names where the other copy is; an edit
    # that shifts lines moves it without causing anything.
    return re.sub(r"(\(also in .*?):\d+:\d+\)", r"\1)", message)


def caused_problems(before: Sequence[Problem], after: Sequence[Problem]) -> list[Problem]:
    """The problems of ``after`` that ``before`` did not have, anywhere in the backlog.

    Problems are matched by file and message, not by position (the change may move
    lines), and counted: a second copy of a problem the backlog had once is new.
    """
    known = Counter((p.path, _with_positions_removed(p.message)) for p in before)
    fresh = []
    for problem in after:
        key = (problem.path, _with_positions_removed(problem.message))
        if known[key]:
            known[key] -= 1
        else:
            fresh.append(problem)
    return fresh


@dataclass(frozen=True)
class Outcome:
    """What a change does to the backlog: the problems it causes (anywhere) and the
    ones the changed file still has that it had before."""

    caused: list[Problem]
    remaining: list[Problem]


def _outcome(workspace: Workspace, shown: str, after: bytes) -> Outcome:
    """The backlog's problems with the file ``shown`` holding ``after`` (a new file when
    the backlog has none of that name), compared with its problems now."""
    parsed = _parse_files(workspace)
    before = _backlog_problems(workspace, parsed)
    parsed[shown] = parse_source(SourceFile(shown, after), workspace.rules)
    problems = _backlog_problems(workspace, parsed)
    caused = caused_problems(before, problems)
    remaining = [p for p in problems if p.path == shown and p not in caused]
    return Outcome(sorted(caused), sorted(remaining))


# --- tpm set --------------------------------------------------------------------------


# --- tpm add --------------------------------------------------------------------------
