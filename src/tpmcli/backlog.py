"""The core operations behind the commands: configuration + loading + validation + ranking.

Nothing here prints; every function returns data or raises a TpmError.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tpmcli.config import Config, backlog_paths, display_path, load_config
from tpmcli.errors import ConfigError, InvalidItemsError, Problem, UsageError
from tpmcli.frameworks.base import Framework
from tpmcli.frameworks.registry import FrameworkSource, LoadedFramework, discover
from tpmcli.loading import (
    SourceFile,
    discover_files,
    load_sources,
    missing_paths,
    read_sources,
)
from tpmcli.model import Item, Ranking
from tpmcli.ranking import rank_items
from tpmcli.validation import ItemRules, check_backlog

DEFAULT_FRAMEWORK = "rice"


@dataclass(frozen=True)
class BacklogRequest:
    """What the user asked for: where the backlog is and how to read it."""

    paths: tuple[Path, ...] = ()
    config_file: Path | None = None
    #: A git revision to read the backlog at (``--at``); None for the working tree.
    at: str | None = None


@dataclass(frozen=True)
class RankRequest(BacklogRequest):
    by: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass
class Backlog:
    config: Config
    frameworks: dict[str, Framework]
    items: list[Item] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0


def parse_by(framework: str | None, by: str | None) -> tuple[str, ...]:
    """``-f NAME`` and ``--by A,B`` name the same thing; both at once must agree."""
    names: tuple[str, ...] = ()
    if by:
        names = tuple(part.strip() for part in by.split(",") if part.strip())
        if not names:
            raise UsageError("--by needs at least one framework name")
    if framework:
        if names and names[0] != framework:
            raise UsageError(f"-f {framework} and --by {by} disagree; give one of them")
        names = names or (framework,)
    return names


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
            problems.append(config.problem(key, f"{key}: {taken}"))
        else:
            catalogue[name] = LoadedFramework(framework, from_config)
    if problems:
        raise ConfigError(problems)
    return catalogue


def list_frameworks(config_file: Path | None) -> dict[str, LoadedFramework]:
    """What ``tpm frameworks`` shows: the catalogue under the effective tpm.yaml."""
    return framework_catalogue(load_config(config_file))


def configured_frameworks(config: Config) -> dict[str, Framework]:
    """Every framework of the catalogue, configured with ``scales:`` from tpm.yaml."""
    catalogue = framework_catalogue(config)
    frameworks: dict[str, Framework] = {}
    problems: list[Problem] = []
    for name in config.scales:
        if name not in catalogue:
            problems.append(
                config.problem("scales", f"scales.{name}: no framework '{name}' is installed")
            )
    for name, loaded in catalogue.items():
        try:
            frameworks[name] = loaded.framework.configure(config.scales.get(name, {}))
        except ValueError as exc:
            problems.append(config.problem("scales", str(exc)))
    for name in config.require:
        if name not in catalogue:
            problems.append(
                config.problem("require", f"require: no framework '{name}' is installed")
            )
    if problems:
        raise ConfigError(problems)
    return frameworks


def choose_frameworks(
    names: Sequence[str], config: Config, frameworks: dict[str, Framework]
) -> tuple[Framework, ...]:
    chosen = tuple(names) or tuple(
        part.strip() for part in (config.framework or DEFAULT_FRAMEWORK).split(",")
    )
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
        from tpmcli.revisions import load_backlog_at

        return load_backlog_at(request, request.at)
    config = load_config(request.config_file)
    frameworks = configured_frameworks(config)
    paths = backlog_paths(request.paths, config)
    if request.paths:
        absent = missing_paths(request.paths)
        if absent:
            raise UsageError(f"no such file or directory: {display_path(absent[0])}")
    boundary = config.path.parent if config.path else None
    files = discover_files(paths, boundary)
    sources, problems = read_sources(files, [display_path(f) for f in files], config.max_file_bytes)
    return assemble_backlog(
        config, frameworks, sources, problems, files=len(files), shown_root=display_path(paths[0])
    )


def assemble_backlog(
    config: Config,
    frameworks: dict[str, Framework],
    sources: Sequence[SourceFile],
    problems: Sequence[Problem],
    *,
    files: int,
    shown_root: str,
) -> Backlog:
    """Item files (from the working tree or a git revision) → a validated Backlog.

    ``problems`` are those found while reading the ``files`` item files; ``shown_root``
    names the backlog in the problem about too many items."""
    rules = ItemRules(frameworks, config.statuses)
    loaded = load_sources(sources, rules)
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
    found.extend(check_backlog(loaded.items, config.require))
    return Backlog(config, frameworks, loaded.items, sorted(found), files)


def rank_backlog(request: RankRequest) -> Ranking:
    """The ranking ``tpm rank`` shows; invalid items raise (no partial ranking)."""
    return rank_loaded(load_backlog(request), request)


def rank_loaded(backlog: Backlog, request: RankRequest) -> Ranking:
    """Rank an already loaded backlog; invalid items raise (no partial ranking)."""
    chosen = choose_frameworks(request.by, backlog.config, backlog.frameworks)
    if backlog.problems:
        raise InvalidItemsError(backlog.problems)
    return rank_items(
        select(backlog.items, backlog.config, request), chosen, universe=backlog.items
    )


def select(items: Sequence[Item], config: Config, request: RankRequest) -> list[Item]:
    """``--status`` picks statuses explicitly; otherwise ``exclude_statuses`` apply.
    ``--tag`` keeps items carrying any of the given tags."""
    if request.statuses:
        unknown = [s for s in request.statuses if s not in config.statuses]
        if unknown:
            raise UsageError(
                f"unknown status '{unknown[0]}' (statuses: {', '.join(config.statuses)})"
            )
        chosen = [item for item in items if item.status in request.statuses]
    else:
        chosen = [item for item in items if item.status not in config.exclude_statuses]
    if request.tags:
        wanted = set(request.tags)
        chosen = [item for item in chosen if wanted.intersection(item.tags)]
    return chosen


@dataclass(frozen=True)
class CheckRequest(BacklogRequest):
    require: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckReport:
    problems: list[Problem]
    files: int
    items: int


def check_backlog_files(request: CheckRequest) -> CheckReport:
    """Every problem in the backlog; a broken tpm.yaml raises (exit 2) instead."""
    backlog = load_backlog(request)
    problems = list(backlog.problems)
    unknown = [name for name in request.require if name not in backlog.frameworks]
    if unknown:
        raise UsageError(f"unknown framework '{unknown[0]}' in --require")
    if request.require:
        problems.extend(
            Problem(item.path, item.line, item.column, f"'{item.id}' has no {name} inputs")
            for item in backlog.items
            for name in request.require
            if name not in item.inputs and name not in backlog.config.require
        )
    return CheckReport(sorted(problems), backlog.files, len(backlog.items))
