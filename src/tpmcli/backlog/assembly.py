"""A validated backlog assembled from item files (of the working tree or a git
revision), and the parse cache it is read through.

Nothing here prints; every function returns data or raises a TpmError."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from tpmcli.cache.parse_cache import ItemCache
from tpmcli.cache.snapshot_write import WorkingTree
from tpmcli.errors import (
    Problem,
)
from tpmcli.frameworks.base import Framework
from tpmcli.load.parsing import (
    LoadResult,
    SourceFile,
    load_sources,
    paused_gc,
)
from tpmcli.model.items import Item
from tpmcli.model.requests import (
    BacklogRequest,
)
from tpmcli.project.config import Config, backlog_paths
from tpmcli.project.validation import ItemRules, check_backlog


@dataclass
class Backlog:
    config: Config
    frameworks: dict[str, Framework]
    items: list[Item] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    #: How the working tree was read, for a snapshot (None: not from the working tree,
    #: without the cache, or not something a snapshot can check; see ``snapshot``).
    tree: WorkingTree | None = None


def assemble_backlog(
    config: Config,
    frameworks: dict[str, Framework],
    sources: Sequence[SourceFile],
    problems: Sequence[Problem],
    *,
    files: int,
    shown_root: str,
    request: BacklogRequest | None = None,
) -> Backlog:
    """Item files (from the working tree or a git revision) → a validated Backlog.

    ``problems`` are those found while reading the ``files`` item files; ``shown_root``
    names the backlog in the problem about too many items. With ``request``, files
    parsed before (by any run, from any revision) come from the parse cache."""
    rules = ItemRules(frameworks, config.statuses, aggregate=config.aggregate)
    with paused_gc():
        cache = open_cache(request, config, frameworks) if request else ItemCache.disabled()
        loaded = load_sources(sources, rules, cache)
        cache.save()
    return validated_backlog(
        config, frameworks, loaded, problems, files=files, shown_root=shown_root
    )


def validated_backlog(
    config: Config,
    frameworks: dict[str, Framework],
    loaded: LoadResult,
    problems: Sequence[Problem],
    *,
    files: int,
    shown_root: str,
) -> Backlog:
    found = [*problems, *loaded.problems]
    if len(loaded.items) > config.max_items:
        found.append(
            Problem(
                shown_root,
                1,
                1,
                f"backlog holds {len(loaded.items)} items, over the limit of {config.max_items}",
            )
        )
    found.extend(check_backlog(loaded.items, invalid_ids=frozenset(loaded.invalid_ids)))
    return Backlog(config, frameworks, loaded.items, sorted(found), files)


def open_cache(
    request: BacklogRequest, config: Config, frameworks: dict[str, Framework]
) -> ItemCache:
    """The parse cache of this backlog: one per config file and backlog folders, shared
    by the working tree and every revision (the same content is parsed once)."""
    if not request.use_cache:
        return ItemCache.disabled()
    paths = backlog_paths(request.paths, config)
    scope = json.dumps(
        [str(config.path.resolve()) if config.path else None, [str(p.resolve()) for p in paths]]
    )
    # The size limit decides which files are read at all: a cached entry holds for it.
    settings = {"scales": config.scales, "max_file_bytes": config.max_file_bytes}
    return ItemCache.open(
        scope, ItemRules(frameworks, config.statuses, aggregate=config.aggregate), settings
    )
