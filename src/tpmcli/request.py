"""What a command asks of the core: where the backlog is, how to read and rank it.

Plain data, cheap to import: the command line builds these before anything is loaded.
"""

from __future__ import annotations

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
    #: Reuse files parsed by earlier runs (see ``itemcache``); off with --no-cache.
    use_cache: bool = True


@dataclass(frozen=True)
class RankRequest(BacklogRequest):
    by: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


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
