"""A backlog read from the working tree: every item file under the backlog folders."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from tpmcli.backlog.assembly import Backlog, open_cache, validated_backlog
from tpmcli.cache.snapshot_write import WorkingTree, working_tree
from tpmcli.errors import (
    ConfigError,
    Problem,
    UsageError,
)
from tpmcli.files.locations import display_path
from tpmcli.files.safe_read import working_tree_root
from tpmcli.load.item_files import ItemFile, WalkRecord, find_item_files
from tpmcli.load.parsing import (
    load_item_files,
    missing_paths,
    paused_gc,
)
from tpmcli.model.requests import (
    BacklogRequest,
)
from tpmcli.project.catalogue import configured_frameworks
from tpmcli.project.config import Config, backlog_paths, load_config
from tpmcli.project.validation import ItemRules

#: A snapshot (see ``snapshot``) is written by a run that had to parse at most this
#: share of the files: after a bulk parse (a first run, another branch checked out, a
#: new tpm) it is left to the next run, and a cold run costs no more than it must.
SNAPSHOT_AFTER_PARSING = 0.25


def load_working_tree(request: BacklogRequest) -> Backlog:
    """Read and validate every item file of the working tree; problems are collected,
    not raised."""
    config = load_config(request.config_file)
    frameworks = configured_frameworks(config)
    paths = _existing_backlog(request.paths, config)
    boundary = working_tree_root(config.path.parent if config.path else Path.cwd())
    rules = ItemRules(frameworks, config.statuses, aggregate=config.aggregate)
    walk = WalkRecord()
    started_ns = time.time_ns()  # files changed since this moment less 2 s are racy
    with paused_gc():
        files = find_item_files(paths, boundary, walk)
        cache = open_cache(request, config, frameworks)
        parsed_before = cache.parsed_files  # one cache serves every load of a process
        loaded, problems = load_item_files(files, rules, config.max_file_bytes, cache)
        problems += [
            Problem(folder, 1, 1, f"cannot list folder: {reason} (its item files are unknown)")
            for folder, reason in walk.unlistable
        ]
        parsed = cache.parsed_files - parsed_before
        cache.save()
    backlog = validated_backlog(
        config, frameworks, loaded, problems, files=len(files), shown_root=display_path(paths[0])
    )
    # A skipped submodule is said on every run: no snapshot, which would not say it.
    if cache.enabled and parsed <= len(files) * SNAPSHOT_AFTER_PARSING and not walk.submodules:
        backlog.tree = _working_tree(paths, walk, files, cache.seen, started_ns)
    return backlog


def _working_tree(
    starts: Sequence[Path],
    walk: WalkRecord,
    files: Sequence[ItemFile],
    seen: dict[str, tuple[int, int, int, int, str]],
    started_ns: int,
) -> WorkingTree | None:
    """What a snapshot checks of this working tree; None when it holds anything but
    item files in folders (a start that is a file, a symlink, a file not read)."""
    if walk.links:
        return None
    listed = [(file.path, file.real, file.shown) for file in files]
    signatures = {real: known[:4] for real, known in seen.items()}
    return working_tree(starts, walk.folders, listed, signatures, started_ns)


def _existing_backlog(paths: Sequence[Path], config: Config) -> tuple[Path, ...]:
    """Where the backlog is; a place that does not exist is an error, never an empty
    backlog that ``tpm check`` would pass."""
    chosen = backlog_paths(paths, config)
    absent = missing_paths(chosen)
    if not absent:
        return chosen
    if paths:
        raise UsageError(f"no such file or directory: {display_path(absent[0])}")
    if config.backlog:
        # A path into the nodes: a list entry, or the scalar itself when it is one.
        where = ("backlog", config.backlog.index(absent[0]))
        message = f"backlog names a folder that does not exist: {display_path(absent[0])}"
        raise ConfigError([config.problem(where, message)])
    raise UsageError(
        f"no backlog folder: {display_path(absent[0])} does not exist "
        "(give PATH arguments, or set backlog: in tpm.yaml)"
    )
