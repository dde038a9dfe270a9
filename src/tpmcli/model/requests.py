"""What a command asks of the core: where the backlog is, how to read and rank it.

Plain data, cheap to import: the command line builds these before anything is loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from tpmcli.errors import EXIT_OK, Problem, UsageError

DEFAULT_FRAMEWORK = "rice"


@dataclass(frozen=True)
class BacklogRequest:
    """What the user asked for: where the backlog is and how to read it."""

    paths: tuple[Path, ...] = ()
    config_file: Path | None = None
    #: A git revision to read the backlog at (``--at``); None for the working tree.
    at: str | None = None
    #: Reuse files parsed by earlier runs (see ``cache.parse_cache``); off with --no-cache.
    use_cache: bool = True


@dataclass(frozen=True)
class RankRequest(BacklogRequest):
    by: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckRequest(BacklogRequest):
    require: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckReport:
    problems: list[Problem]
    files: int
    items: int
    #: 1 for problems in the backlog, 2 when they are problems of tpm.yaml itself.
    exit_code: int = EXIT_OK


def ranked_by_request(
    request: RankRequest, excluded: Collection[str]
) -> Callable[[str, Sequence[str], str | None], bool]:
    """Whether an item (its status, tags and owner) is among those ``request`` ranks:
    ``--status`` picks statuses explicitly, otherwise ``excluded`` (tpm.yaml's
    ``exclude_statuses``) are left out; ``--tag`` keeps items carrying any of the tags,
    ``--owner`` items owned by any of the owners."""
    chosen, skipped = set(request.statuses), set(excluded)
    wanted, owners = set(request.tags), set(request.owners)

    def ranked(status: str, tags: Sequence[str], owner: str | None) -> bool:
        if (status not in chosen) if chosen else (status in skipped):
            return False
        if owners and owner not in owners:
            return False
        return not wanted or not wanted.isdisjoint(tags)

    return ranked


def missing_inputs_message(framework: str) -> str:
    """What ``tpm check`` says of an item lacking a required framework's inputs."""
    return f"{framework} is required: every item must have {framework} inputs"


def parse_by(framework: str | None, by: str | None) -> tuple[str, ...]:
    """``-f NAME`` and ``--by A,B`` name the same thing; both at once must agree."""
    names: tuple[str, ...] = ()
    if by is not None:
        names = split_names(by)
        if not names:
            raise UsageError("--by needs at least one framework name")
    if framework:
        if names and names[0] != framework:
            raise UsageError(f"-f {framework} and --by {by} disagree; give one of them")
        names = names or (framework,)
    return names


def split_names(text: str) -> tuple[str, ...]:
    """``moscow, rice`` → ``("moscow", "rice")``."""
    return tuple(part.strip() for part in text.split(",") if part.strip())
