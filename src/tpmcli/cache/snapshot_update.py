"""A stale snapshot brought up to date in place: the edit loop's run.

When a few item files changed since a snapshot was written (edited, added, deleted,
renamed), the run that finds it stale need not read the whole backlog again:

1. the backlog folders are walked as a full run walks them (``find_item_files``: the
   same rules for what an item file is), and every file is stat'ed;
2. a file whose signature is the one the snapshot recorded keeps its items, scores and
   lines as they are; the others (at most ``MAX_CHANGED_FILES``) are read, parsed and
   validated as a full run does, and scored by every framework;
3. the backlog-wide rules (duplicate ids, ids differing in case, unknown and circular
   dependencies, the item limit) are checked over every item again with the very
   function a full run uses (``check_backlog``);
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

import json
import os
import time
from pathlib import Path
from typing import Any

from tpmcli.cache.snapshot_file import Snapshot, Unusable
from tpmcli.cache.snapshot_write import (
    ItemColumns,
    NotKept,
    Scored,
    Signature,
    add_items,
    plugins_in_use,
    working_tree,
    write_snapshot,
)
from tpmcli.cache.validity import snapshot_key
from tpmcli.errors import TpmError
from tpmcli.files.safe_read import working_tree_root
from tpmcli.frameworks.base import Framework
from tpmcli.load.item_files import WalkRecord, find_item_files
from tpmcli.load.parsing import ParsedFile, SourceFile, load_item_files, missing_paths, paused_gc
from tpmcli.model.items import Item, construct
from tpmcli.model.requests import DEFAULT_FRAMEWORK, BacklogRequest, split_names
from tpmcli.project.catalogue import configured_frameworks
from tpmcli.project.config import backlog_paths, load_config
from tpmcli.project.validation import ItemRules, check_backlog

#: More changed files than this and the full path runs (through the parse cache,
#: which serves files seen before, as after a checkout).
MAX_CHANGED_FILES = 64


def updated_snapshot(request: BacklogRequest, key: str, stale: Snapshot) -> Snapshot | None:
    """``stale`` brought up to date with the working tree and written; None when the
    full path must run (see the module's docstring)."""
    try:
        with paused_gc():
            return _update(request, key, stale)
    except (Unusable, NotKept, TpmError, OSError, ValueError, ArithmeticError):
        return None


def _update(request: BacklogRequest, key: str, stale: Snapshot) -> Snapshot | None:
    body = stale.body
    config = load_config(request.config_file)
    frameworks = configured_frameworks(config)
    names = list(frameworks)
    if names != body["frameworks"] or list(config.statuses) != body["statuses"]:
        return None
    if plugins_in_use(frameworks):
        return None
    paths = backlog_paths(request.paths, config)
    if missing_paths(paths):
        return None
    boundary = working_tree_root(config.path.parent if config.path else Path.cwd())
    walk = WalkRecord()
    started_ns = time.time_ns()
    files = find_item_files(paths, boundary, walk)
    if walk.links or walk.unlistable or walk.submodules:
        return None
    if len(body["owners"]) != len(stale.ids):
        return None
    old = _old_files(stale)
    signatures: dict[str, Signature] = {}
    kept: dict[str, tuple[int, int]] = {}  # real path → the old file's items
    changed = []
    for file in files:
        status = os.stat(file.real)
        signature = (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)
        known = old.get(file.real)
        if known is not None and known[0] == signature:
            signatures[file.real] = signature
            kept[file.real] = known[1]
        else:
            changed.append(file)
    if len(changed) > MAX_CHANGED_FILES:
        return None
    rules = ItemRules(frameworks, config.statuses)
    recorder = _Recorder()
    loaded, unreadable = load_item_files(changed, rules, config.max_file_bytes, recorder)
    if unreadable or loaded.problems:
        return None
    signatures.update(recorder.signatures)
    parsed = {file.real: recorder.items[file.shown] for file in changed}
    tree = working_tree(
        paths,
        walk.folders,
        [(file.path, file.real, file.shown) for file in files],
        signatures,
        started_ns,
    )
    if tree is None:
        return None
    columns = ItemColumns(scores=[[] for _ in names])
    everything: list[Item] = []
    run: list[int] = []  # consecutive kept files' items, copied at once: [start, end)
    for file in files:
        span = kept.get(file.real)
        if span is not None:
            if run and run[1] == span[0]:
                run[1] = span[1]
            else:
                _copy(stale, run, columns, everything)
                run = list(span)
            columns.counts.append(span[1] - span[0])
            continue
        _copy(stale, run, columns, everything)
        run = []
        entries = [Scored(item, _scores(item, frameworks)) for item in parsed[file.real]]
        add_items(columns, entries, names, config.statuses, config.roadmap.effort_field)
        everything.extend(parsed[file.real])
    _copy(stale, run, columns, everything)
    if len(everything) > config.max_items or check_backlog(everything):
        return None
    if key != snapshot_key(request):
        return None  # tpm.yaml (or another part of the key) changed while reading
    content = write_snapshot(
        key,
        tree,
        columns,
        frameworks=names,
        default_by=split_names(config.framework or DEFAULT_FRAMEWORK),
        statuses=config.statuses,
        excluded=config.exclude_statuses,
        require=config.require,
        roadmap=config.roadmap,
        split_at=config.split_at,
        files=len(files),
    )
    if content is None:
        return None
    header_end = content.index(b"\n")
    body_end = content.index(b"\n", header_end + 1)
    details = content[header_end + 1 : -1]
    return Snapshot(json.loads(content[header_end + 1 : body_end]), details, body_end - header_end)


def _old_files(stale: Snapshot) -> dict[str, tuple[Signature, tuple[int, int]]]:
    """Each file the snapshot recorded, by real path: its signature and the range of
    its items."""
    found = {}
    first = index = 0
    signatures = stale.signatures
    counts = stale.counts
    for (_, real), names in zip(stale.body["starts"], stale.file_names, strict=True):
        prefix = real + os.sep
        for name in names:
            signature = tuple(signatures[4 * index : 4 * index + 4])
            found[prefix + name] = (signature, (first, first + counts[index]))
            first += counts[index]
            index += 1
    return found


def _copy(stale: Snapshot, run: list[int], columns: ItemColumns, items: list[Item]) -> None:
    """The snapshot's items ``run`` ([start, end), of consecutive files) appended to
    ``columns`` as they are, and to ``items`` as far as the backlog-wide checks look
    at them."""
    if not run or run[0] == run[1]:
        return
    start, end = run
    body, offsets = stale.body, stale.offsets
    ids, depends = stale.ids[start:end], body["depends_on"][start:end]
    columns.ids += ids
    columns.status += stale.status[start:end]
    columns.tags += body["tags"][start:end]
    columns.owners += body["owners"][start:end]
    columns.depends_on += depends
    columns.checks += stale.checks[start:end]
    first = stale.base + offsets[start]
    last = stale.base + offsets[end] - 1 if end < len(offsets) else len(stale.details)
    columns.details.append(stale.details[first:last])
    columns.lengths += [offsets[i + 1] - offsets[i] - 1 for i in range(start, end - 1)]
    columns.lengths.append(last - (stale.base + offsets[end - 1]))
    for column, values in zip(columns.scores, stale.score_columns, strict=True):
        column += values[start:end]
    columns.effort += stale.effort[start:end]
    columns.moscow += stale.moscow[start:end]
    items += map(_linked, ids, depends)


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


def _scores(item: Item, frameworks: dict[str, Framework]) -> dict[str, Any]:
    return {name: frameworks[name].score(inputs) for name, inputs in item.inputs.items()}


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
