"""A stale snapshot brought up to date in place: the edit loop's run.

When a few item files changed since a snapshot was written (edited, added, deleted,
renamed), the run that finds it stale need not read the whole backlog again:

1. the backlog folders are walked as a full run walks them (``find_item_files``: the
   same rules for what an item file is), but a folder whose stat is the one recorded
   is not listed again: it holds the names it held, which the snapshot has
   (``snapshot_recorded``); and no file is stat'ed again: the stale check that found the
   snapshot stale stat'ed every file it records (``Seen``);
2. a file whose signature is the one the snapshot recorded keeps its items, scores and
   lines as they are (copied in runs of consecutive files); the others (at most
   ``MAX_CHANGED_FILES``) are read, parsed and validated, and scored by every
   framework: without pydantic and with tpm.yaml as the snapshot recorded it when
   every one is plainly valid (``snapshot_setup.recorded_setup``), else as a full run
   does, tpm.yaml read and validated (``snapshot_setup.config_setup``);
3. the backlog-wide rules (duplicate ids, ids differing in case, unknown and circular
   dependencies, the item limit) are checked with the very function a full run uses
   (``check_backlog``), over the items that can break one: the snapshot was of a
   valid backlog (``_problems_between``);
4. the snapshot is written anew, and answers this run.

Whatever it cannot vouch for goes back to the full path, which says what is wrong:
any problem (a file unreadable or invalid, a backlog-wide one), a symlink, a
submodule, a folder that cannot be listed, a framework from a plugin, more changes
than ``MAX_CHANGED_FILES``, or a key that changed while it read (tpm.yaml edited
meanwhile). Files that changed within ``RACY_SECONDS`` of the reading are recorded
smudged (``snapshot_write``): the next run reads them again. The parse cache is not
opened: reading its whole file costs more than parsing the few files changed.
"""

from __future__ import annotations

import os
import time
from array import array
from typing import Any

from tpmcli.cache.snapshot_file import Snapshot, Unusable
from tpmcli.cache.snapshot_recorded import Recorded
from tpmcli.cache.snapshot_setup import NotPlain, Setup, config_setup, recorded_setup
from tpmcli.cache.snapshot_write import (
    ItemColumns,
    NotKept,
    Scored,
    Signature,
    WorkingTree,
    add_items,
    working_tree,
    write_snapshot,
)
from tpmcli.cache.validity import Seen, snapshot_key
from tpmcli.errors import TpmError
from tpmcli.load.item_files import ItemFile, WalkRecord, find_item_files
from tpmcli.load.parsing import ParsedFile, SourceFile, load_item_files, missing_paths, paused_gc
from tpmcli.model.items import Item, construct
from tpmcli.model.requests import BacklogRequest
from tpmcli.project.validation import check_backlog, id_key

#: More changed files than this and the full path runs (through the parse cache,
#: which serves files seen before, as after a checkout).
MAX_CHANGED_FILES = 64


def updated_snapshot(
    request: BacklogRequest, key: str, stale: Snapshot, seen: Seen
) -> Snapshot | None:
    """``stale`` brought up to date with the working tree (``seen``: what the stale
    check saw of it) and written; None when the full path must run (see the module's
    docstring)."""
    try:
        with paused_gc():
            setup = recorded_setup(stale.body)
            if setup is not None:
                try:
                    return _update(request, key, stale, seen, setup)
                except NotPlain:
                    pass
            setup = config_setup(request, stale.body)
            return None if setup is None else _update(request, key, stale, seen, setup)
    except (Unusable, NotKept, TpmError, OSError, ValueError, ArithmeticError):
        return None


def _update(
    request: BacklogRequest, key: str, stale: Snapshot, seen: Seen, setup: Setup
) -> Snapshot | None:
    body = stale.body
    frameworks = setup.frameworks
    names = list(frameworks)
    paths = setup.paths
    if missing_paths(paths):
        return None
    if len(body["owners"]) != len(stale.ids):
        return None
    before = Recorded(stale, seen)
    walk = WalkRecord()
    started_ns = time.time_ns()
    files = find_item_files(paths, setup.boundary, walk, before.known if before.reusable else None)
    if walk.links or walk.unlistable or walk.submodules:
        return None
    pieces = before.pieces(files)
    changed = [piece for piece in pieces if isinstance(piece, ItemFile)]
    if len(changed) > MAX_CHANGED_FILES:
        return None
    recorder = _Recorder()
    loaded, unreadable = load_item_files(
        changed, setup.rules, setup.max_file_bytes, recorder, setup.parse
    )
    if unreadable or loaded.problems:
        return None
    listed = [(file.path, file.real, file.shown) for file in changed]
    fresh = working_tree(paths, walk.folders, listed, recorder.signatures, started_ns)
    if fresh is None or [list(start) for start in fresh.starts] != body["starts"]:
        return None  # a start that really lies elsewhere now: the snapshot's files are not
    tree = WorkingTree(fresh.starts, walk.folders, [[] for _ in paths], array("q"), started_ns)
    columns = ItemColumns.of(len(names))
    new: list[Item] = []
    assembly = _Assembly(stale, before.firsts, tree, columns)
    read = iter(zip(changed, _files_of(fresh), strict=True))
    statuses, effort_field = setup.rules.statuses, setup.written["roadmap"].effort_field
    for piece in pieces:
        if type(piece) is tuple:
            assembly.kept(*piece)
            continue
        file, (start, rel, signature) = next(read)
        if file.path != tree.starts[start][0] + os.sep + rel:
            raise Unusable  # not in the walk's order
        assembly.file(start, rel, signature)
        items = recorder.items[file.shown]
        entries = [Scored(item, setup.scores(item)) for item in items]
        add_items(columns, entries, names, statuses, effort_field)
        new.extend(items)
    if len(columns.ids) > setup.max_items or _problems_between(stale, assembly.runs, new):
        return None
    if key != snapshot_key(request):
        return None  # tpm.yaml (or another part of the key) changed while reading
    written = write_snapshot(
        key, tree, columns, frameworks=names, files=tree.file_count, **setup.written
    )
    if written is None:
        return None
    return Snapshot(written.body, written.lines, written.base, written.decoded)


def _files_of(tree: WorkingTree) -> list[tuple[int, str, array[int]]]:
    """Each file of ``tree``: its start, its path below it, its signature."""
    signatures = tree.signatures
    found: list[tuple[int, str, array[int]]] = []
    for start, group in enumerate(tree.names):
        for rel in group:
            index = len(found)
            found.append((start, rel, signatures[4 * index : 4 * index + 4]))
    return found


class _Assembly:
    """The snapshot's files and items put together, kept runs and files read in turn."""

    def __init__(
        self,
        stale: Snapshot,
        firsts: list[int],
        tree: WorkingTree,
        columns: ItemColumns,
    ) -> None:
        self.stale = stale
        self.firsts = firsts
        self.tree = tree
        self.columns = columns
        #: The stale snapshot's items kept, in runs: [first, end) of its items.
        self.runs: list[tuple[int, int]] = []
        #: The start of the last file placed: the files come start by start.
        self.start = 0
        #: A file of the stale snapshot and its first item.
        self.at = (0, 0)

    def kept(self, first: int, end: int) -> None:
        stale, tree = self.stale, self.tree
        tree.signatures.extend(stale.signatures[4 * first : 4 * end])
        self.columns.counts.extend(stale.counts[first:end])
        items = self._item(first), self._item(end)
        while first < end:
            while self.firsts[self.start + 1] <= first:
                self.start += 1
            base = self.firsts[self.start]
            if first < base:
                raise Unusable  # a start gone back to
            stop = min(end, self.firsts[self.start + 1])
            tree.names[self.start] += stale.file_names[self.start][first - base : stop - base]
            first = stop
        _copy(stale, *items, self.columns)
        self.runs.append(items)

    def file(self, start: int, rel: str, signature: array[int]) -> None:
        if start < self.start:
            raise Unusable  # a start gone back to
        self.start = start
        self.tree.names[start].append(rel)
        self.tree.signatures.extend(signature)

    def _item(self, file: int) -> int:
        """The first item of the stale snapshot's file ``file`` (its items' index)."""
        at_file, at_item = self.at if self.at[0] <= file else (0, 0)
        at_item += int(sum(self.stale.counts[at_file:file]))
        self.at = (file, at_item)
        return at_item


def _copy(stale: Snapshot, start: int, end: int, columns: ItemColumns) -> None:
    """The snapshot's items [start, end) appended to ``columns`` as they are (their
    lines as bytes, their numbers as packed)."""
    if start == end:
        return
    body, offsets = stale.body, stale.offsets
    ids, depends = stale.ids[start:end], body["depends_on"][start:end]
    columns.ids += ids
    columns.status += stale.status[start:end]
    columns.tags += body["tags"][start:end]
    columns.owners += body["owners"][start:end]
    columns.depends_on += depends
    columns.checks += stale.checks[start:end]
    first = stale.base + offsets[start]
    lines = stale.details
    if type(lines) is not bytes:
        raise Unusable  # (a snapshot read from its file holds its bytes)
    last = lines.find(b"\n", stale.base + offsets[end - 1])
    last = last if last >= 0 else len(lines)  # (the last line may have no break)
    columns.details.append((lines, first, last))
    shift = columns.size - offsets[start]
    if shift:
        columns.offsets += array("Q", [offset + shift for offset in offsets[start:end]])
    else:
        columns.offsets += offsets[start:end]
    columns.size += last - first + 1
    for column, values in zip(columns.scores, stale.score_columns, strict=True):
        column += values[start:end]
    columns.effort += stale.effort[start:end]
    columns.moscow += stale.moscow[start:end]


def _problems_between(stale: Snapshot, runs: list[tuple[int, int]], new: list[Item]) -> bool:
    """Whether the backlog now, the stale snapshot's items in ``runs`` and the ``new``
    ones read, has a problem between items (``check_backlog``: a duplicate id, ids
    differing only in case, a dependency unknown or on the item itself, a cycle).

    ``check_backlog`` looks at the items that can have one: the stale snapshot was of a
    valid backlog, and a kept item's dependencies are those it had, so a problem
    involves a new item (those sharing its id or its id's key are taken with it, and
    every item it reaches by dependencies: a cycle passes through a new item), or a
    kept item depending on an id gone. The ids of the other items are given as known,
    so a dependency on one is no "unknown id"."""
    ids, depends = stale.ids, stale.body["depends_on"]
    index_of = dict(zip(ids, range(len(ids)), strict=True))
    if len(index_of) != len(ids):
        raise Unusable  # not a valid backlog's snapshot
    kept = bytearray(len(ids))
    for start, end in runs:
        kept[start:end] = b"\1" * (end - start)
    if kept.count(1) != sum(end - start for start, end in runs):
        raise Unusable  # an item kept twice
    dropped = []
    index = kept.find(0)
    while index >= 0:
        dropped.append(index)
        index = kept.find(0, index + 1)
    dropped_ids = {ids[index] for index in dropped}
    kept_ids = index_of.keys() - dropped_ids
    new_ids = {item.id for item in new}
    new_keys = {id_key(item_id) for item_id in new_ids}
    taken = {index for index, key in enumerate(map(id_key, ids)) if key in new_keys and kept[index]}
    gone = dropped_ids - new_ids
    if gone:
        taken.update(
            index
            for index, names in enumerate(depends)
            if names and kept[index] and not gone.isdisjoint(names)
        )
    pending = [name for item in new for name in item.depends_on]
    pending += [name for index in taken for name in depends[index]]
    while pending:
        index = index_of.get(pending.pop(), -1)
        if index >= 0 and kept[index] and index not in taken:
            taken.add(index)
            pending += depends[index]
    checked = sorted(taken)
    linked = map(_linked, [ids[index] for index in checked], [depends[index] for index in checked])
    return bool(check_backlog([*new, *linked], invalid_ids=kept_ids))


def _linked(item_id: str, depends_on: list[str]) -> Item:
    """An item as the backlog-wide checks see it: its id and dependencies (a valid
    backlog's; positions are only for the problems' messages, and there are none)."""
    return construct(
        Item,
        {
            "id": item_id,
            "depends_on": tuple(depends_on),
            "depends_on_at": ((1, 1),) * len(depends_on),
            "id_at": (1, 1),
            "path": "",
            "inputs": {},
        },
    )


class _Recorder:
    """The parse cache's part in ``load_item_files`` without a cache: each file read is
    parsed, and its signature (taken before the read) and items noted."""

    enabled = False

    def __init__(self) -> None:
        self.signatures: dict[str, Signature] = {}
        self.items: dict[str, list[Item]] = {}

    def unchanged(self, real: str, shown: str) -> ParsedFile | None:
        return None

    def parsed(
        self, source: SourceFile, parse: Any, stat: tuple[str, Any] | None = None
    ) -> ParsedFile:
        result: ParsedFile = parse(source)
        if stat is None:
            raise Unusable
        self.signatures[stat[0]] = stat[1]
        self.items[source.shown] = result.items
        return result
