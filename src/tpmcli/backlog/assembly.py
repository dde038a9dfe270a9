"""The core operations behind the commands: configuration + loading + validation + ranking.

Nothing here prints; every function returns data or raises a TpmError.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from tpmcli.project.config import Config, backlog_paths, display_path, load_config
from tpmcli.load.item_files import ItemFile, WalkRecord, find_item_files
from tpmcli.errors import (
    EXIT_FINDINGS,
    EXIT_OK,
    ConfigError,
    InvalidItemsError,
    Problem,
    UsageError,
)
from tpmcli.frameworks.base import Framework, SettingsError
from tpmcli.frameworks.registry import FrameworkSource, LoadedFramework, discover
from tpmcli.cache.parse_cache import ItemCache
from tpmcli.load.parsing import (
    LoadResult,
    SourceFile,
    load_item_files,
    load_sources,
    missing_paths,
    paused_gc,
)
from tpmcli.project.located import dotted
from tpmcli.model.items import Item, Ranking
from tpmcli.ranking.rank import ScoreMemo, rank_items
from tpmcli.model.requests import DEFAULT_FRAMEWORK as DEFAULT_FRAMEWORK
from tpmcli.model.requests import BacklogRequest as BacklogRequest
from tpmcli.model.requests import CheckReport as CheckReport
from tpmcli.model.requests import CheckRequest as CheckRequest
from tpmcli.model.requests import RankRequest as RankRequest
from tpmcli.model.requests import parse_by as parse_by
from tpmcli.model.requests import ranked_by_request
from tpmcli.model.requests import split_names as split_names
from tpmcli.files.safe_read import working_tree_root
from tpmcli.model.scores import Score
from tpmcli.cache.snapshot_file import Scored, Signature, WorkingTree, snapshot_key, write_snapshot
from tpmcli.project.validation import ItemRules, check_backlog, missing_inputs

#: A snapshot (see ``snapshot``) is written by a run that had to parse at most this
#: share of the files: after a bulk parse (a first run, another branch checked out, a
#: new tpm) it is left to the next run, and a cold run costs no more than it must.
SNAPSHOT_AFTER_PARSING = 0.25


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


def framework_catalogue(config: Config) -> dict[str, LoadedFramework]:
    """Every framework by name: built-in, installed plugins and tpm.yaml's ``frameworks:``.

    A tpm.yaml framework may not take the name of an installed plugin (a config error).
    """
    installed, _broken = discover()
    catalogue = dict(installed)
    problems: list[Problem] = []
    from_config = FrameworkSource("config")
    for name, framework in config.frameworks.items():
        if name in installed:
            key = f"frameworks.{name}"
            taken = f"'{name}' is already the name of a framework ({installed[name].source})"
            problems.append(config.problem(("frameworks", name), f"{key}: {taken}", on_key=True))
        else:
            catalogue[name] = LoadedFramework(framework, from_config)
    if problems:
        raise ConfigError(problems)
    return catalogue


def list_frameworks(config_file: Path | None) -> dict[str, LoadedFramework]:
    """What ``tpm frameworks`` shows: the catalogue under the effective tpm.yaml."""
    return framework_catalogue(load_config(config_file))


def configured_frameworks(config: Config) -> dict[str, Framework]:
    """Every framework of the catalogue, configured with ``scales:`` from tpm.yaml; every
    setting naming a framework (``framework:``, ``require:``, ``scales:``) is checked."""
    catalogue = framework_catalogue(config)
    names = ", ".join(sorted(catalogue))
    frameworks: dict[str, Framework] = {}
    problems: list[Problem] = []
    for name in config.scales:
        if name not in catalogue:
            problems.append(
                config.problem(
                    ("scales", name),
                    f"scales.{name} is not an installed framework (installed: {names})",
                    on_key=True,
                )
            )
    for name, loaded in catalogue.items():
        try:
            frameworks[name] = loaded.framework.configure(config.scales.get(name, {}))
        except SettingsError as exc:
            problems.extend(
                config.problem(
                    ("scales", name, *problem.field),
                    f"{dotted(('scales', name, *problem.field))} {problem.message}",
                    on_key=problem.on_key,
                )
                for problem in exc.problems
            )
        except ValueError as exc:
            problems.append(config.problem(("scales", name), f"scales.{name}: {exc}"))
    for index, name in enumerate(config.require):
        if name not in catalogue:
            problems.append(
                config.problem(
                    ("require", index),
                    f"require[{index}] must name an installed framework ({names}), not {name!r}",
                )
            )
    if config.framework is not None:
        chosen = split_names(config.framework)
        unknown = [name for name in chosen if name not in catalogue]
        if unknown or not chosen or len(set(chosen)) != len(chosen):
            problems.append(
                config.problem(
                    "framework",
                    f"framework must name installed frameworks ({names}), each once, "
                    f"not {config.framework!r}",
                )
            )
    if problems:
        raise ConfigError(sorted(problems))
    return frameworks


def choose_frameworks(
    names: Sequence[str], config: Config, frameworks: dict[str, Framework]
) -> tuple[Framework, ...]:
    chosen = tuple(names) or split_names(config.framework or DEFAULT_FRAMEWORK)
    unknown = [name for name in chosen if name not in frameworks]
    if unknown:
        known = ", ".join(sorted(frameworks))
        raise UsageError(f"unknown framework '{unknown[0]}' (installed: {known})")
    if len(set(chosen)) != len(chosen):
        raise UsageError(f"--by names a framework twice: {','.join(chosen)}")
    return tuple(frameworks[name] for name in chosen)


def load_backlog(request: BacklogRequest) -> Backlog:
    """Read and validate every item file; problems are collected, not raised."""
    if request.at is not None:
        # revisions builds on this module, so it is imported only when asked for.
        from tpmcli.backlog.revision import load_backlog_at

        return load_backlog_at(request, request.at)
    config = load_config(request.config_file)
    frameworks = configured_frameworks(config)
    paths = _existing_backlog(request.paths, config)
    boundary = working_tree_root(config.path.parent if config.path else Path.cwd())
    rules = ItemRules(frameworks, config.statuses)
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
    backlog = _validated_backlog(
        config, frameworks, loaded, problems, files=len(files), shown_root=display_path(paths[0])
    )
    if cache.enabled and parsed <= len(files) * SNAPSHOT_AFTER_PARSING:
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
    if walk.links or not all(start.is_dir() for start in starts):
        return None
    given_real = [(os.fspath(start), str(start.resolve())) for start in starts]
    named = [(given + os.sep, real + os.sep) for given, real in given_real]
    found: list[tuple[int, str, Signature]] = []
    for file in files:
        known = seen.get(file.real)
        if known is None:
            return None
        for index, (given, real) in enumerate(named):
            rel = file.real[len(real) :]
            if file.real.startswith(real) and file.path == given + rel:
                found.append((index, rel, known[:4]))
                break
        else:
            return None
    return WorkingTree(given_real, walk.folders, found, started_ns)


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
    rules = ItemRules(frameworks, config.statuses)
    with paused_gc():
        cache = open_cache(request, config, frameworks) if request else ItemCache.disabled()
        loaded = load_sources(sources, rules, cache)
        cache.save()
    return _validated_backlog(
        config, frameworks, loaded, problems, files=files, shown_root=shown_root
    )


def _validated_backlog(
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
    found.extend(check_backlog(loaded.items))
    return Backlog(config, frameworks, loaded.items, sorted(found), files)


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
    return ItemCache.open(scope, ItemRules(frameworks, config.statuses), settings)


def rank_backlog(request: RankRequest) -> Ranking:
    """The ranking ``tpm rank`` shows; invalid items raise (no partial ranking)."""
    return rank_loaded(load_backlog(request), request)


def rank_top(request: RankRequest, limit: int | None) -> tuple[Ranking, int]:
    """``tpm rank``: the ranking's top ``limit`` items (all when None) and how many it
    ranks in all, loaded and ranked afresh; a snapshot is written for the next run (see
    ``snapshot.ranked_top``, which answers from it while nothing has changed)."""
    key = snapshot_key(request)
    backlog = load_backlog(request)
    ranking = rank_loaded(backlog, request)
    _write_snapshot(
        key, request, backlog, {id(entry.item): entry.scores for entry in ranking.items}
    )
    total = len(ranking.items)
    if limit is not None:
        ranking = replace(ranking, items=ranking.items[:limit])
    return ranking, total


def _write_snapshot(
    key: str | None,
    request: BacklogRequest,
    backlog: Backlog,
    scored: Mapping[int, Mapping[str, Score | None]] | None = None,
) -> None:
    """Snapshot a valid backlog whose frameworks are built in or from tpm.yaml, read
    under ``key`` (taken before it was read: still the key, so nothing it covers
    changed meanwhile). ``scored``: scores the ranking made already, by ``id`` of the
    item (the snapshot needs every framework's, and reuses those)."""
    if key is None or backlog.tree is None or backlog.tree.racy or key != snapshot_key(request):
        return
    installed, broken = discover()
    plugins = [
        name
        for name in backlog.frameworks
        if name in installed and installed[name].source.kind != "builtin"
    ]
    if backlog.problems or broken or plugins or backlog.tree is None:
        return
    frameworks = backlog.frameworks
    known = scored or {}
    empty: Mapping[str, Score | None] = {}
    try:
        items = []
        for item in backlog.items:
            done = known.get(id(item), empty)
            scores = {}
            for name, inputs in item.inputs.items():
                score = done.get(name)
                scores[name] = score if score is not None else frameworks[name].score(inputs)
            items.append(Scored(item, scores))
    except (ArithmeticError, ValueError):
        return
    config = backlog.config
    write_snapshot(
        key,
        backlog.tree,
        frameworks=list(frameworks),
        default_by=split_names(config.framework or DEFAULT_FRAMEWORK),
        statuses=config.statuses,
        excluded=config.exclude_statuses,
        require=config.require,
        files=backlog.files,
        items=items,
    )


def rank_loaded(backlog: Backlog, request: RankRequest, memo: ScoreMemo | None = None) -> Ranking:
    """Rank an already loaded backlog; invalid items raise (no partial ranking).
    ``memo``: scores shared with the ranking of another revision (``tpm diff``)."""
    chosen = choose_frameworks(request.by, backlog.config, backlog.frameworks)
    if backlog.problems:
        raise InvalidItemsError(backlog.problems)
    return rank_items(
        select(backlog.items, backlog.config, request),
        chosen,
        universe=backlog.items,
        memo=memo,
    )


def select(items: Sequence[Item], config: Config, request: RankRequest) -> list[Item]:
    """The items ``request`` ranks (see ``ranked_by_request``); an unknown ``--status``
    is a usage error."""
    if request.statuses:
        unknown = [s for s in request.statuses if s not in config.statuses]
        if unknown:
            raise UsageError(
                f"unknown status '{unknown[0]}' (statuses: {', '.join(config.statuses)})"
            )
    ranked = ranked_by_request(request, config.exclude_statuses)
    return [item for item in items if ranked(item.status, item.tags)]


def check_backlog_files(request: CheckRequest) -> CheckReport:
    """Every problem in the backlog, with the inputs that ``--require`` and
    ``require:`` in tpm.yaml ask for. An invalid tpm.yaml is reported like the items
    (so that CI annotates it too), with exit code 2."""
    key = snapshot_key(request)
    try:
        backlog = load_backlog(request)
    except ConfigError as exc:
        return CheckReport(sorted(exc.problems), 0, 0, exc.exit_code)
    unknown = [name for name in request.require if name not in backlog.frameworks]
    if unknown:
        known = ", ".join(sorted(backlog.frameworks))
        raise UsageError(f"unknown framework '{unknown[0]}' in --require (installed: {known})")
    required = tuple(dict.fromkeys((*backlog.config.require, *request.require)))
    problems = sorted([*backlog.problems, *missing_inputs(backlog.items, required)])
    _write_snapshot(key, request, backlog)
    exit_code = EXIT_FINDINGS if problems else EXIT_OK
    return CheckReport(problems, backlog.files, len(backlog.items), exit_code)
