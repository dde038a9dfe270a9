"""What the command modules share: output formats, the option declarations used by
more than one command, and the helpers that print."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer


def stderr(text: str) -> None:
    typer.echo(text, err=True)


class RankFormat(str, enum.Enum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


class DiffFormat(str, enum.Enum):
    table = "table"
    json = "json"
    markdown = "markdown"
    github = "github"


class DecisionFormat(str, enum.Enum):
    """The formats of the decision commands (compare, roadmap, history ...)."""

    table = "table"
    json = "json"
    markdown = "markdown"


class CheckFormat(str, enum.Enum):
    text = "text"
    json = "json"
    github = "github"


class ShowFormat(str, enum.Enum):
    text = "text"
    json = "json"


RankFormatOpt = Annotated[
    RankFormat,
    typer.Option("--format", metavar="FORMAT", help="Output format: table, json, csv or markdown."),
]
DecisionFormatOpt = Annotated[
    DecisionFormat,
    typer.Option("--format", metavar="FORMAT", help="Output format: table, json or markdown."),
]
PathsArg = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Item files or folders (default: backlog: in tpm.yaml, else ./backlog).",
        show_default=False,
        metavar="PATH",
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="FILE",
        help="Use this tpm.yaml instead of the one found by walking up.",
    ),
]
NoCacheOpt = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="Parse every file again instead of reusing earlier runs' results "
        "(also TPM_NO_CACHE=1).",
    ),
]
FrameworkOpt = Annotated[
    str | None,
    typer.Option(
        "-f", "--framework", metavar="NAME", help="Rank by this framework (as --by NAME)."
    ),
]
ByOpt = Annotated[
    str | None,
    typer.Option(
        "--by",
        metavar="A,B",
        help="Frameworks in order, e.g. moscow,rice: the first ranks, the rest break ties.",
    ),
]
StatusOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--status",
        metavar="STATUS",
        help="Only items with this status (repeatable; overrides exclude_statuses).",
    ),
]
TagOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--tag", metavar="TAG", help="Only items with this tag (repeatable: any of them)."
    ),
]
AtOpt = Annotated[
    str | None,
    typer.Option(
        "--at",
        metavar="REV",
        help="Read the backlog as of this git revision (from git, no checkout).",
    ),
]
CapacityOpt = Annotated[
    str | None,
    typer.Option(
        "--capacity",
        metavar="C[,C2]",
        help="Lane capacities in effort: now (C) and next (C2, default C); later is unbounded.",
    ),
]
OwnerOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--owner", metavar="OWNER", help="Only items with this owner (repeatable: any of them)."
    ),
]
ItemIdArg = Annotated[str, typer.Argument(metavar="ID", help="The item's id.", show_default=False)]


def console() -> Any:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def print_table(table: Any) -> None:
    """Print a renderer's table that can also lay itself out as plain text (its
    ``plain(width)``, as ``render.table.RankingTable``): as that text where Rich's
    Console would print plain text (see cli/plain_output.py), else through the Console."""
    from tpmcli.cli.plain_output import plain_width, write

    width = plain_width()
    text = None if width is None else table.plain(width)
    if text is None:
        console().print(table)
    else:
        write(text)


def never(value: NoReturn) -> NoReturn:  # pragma: no cover
    raise AssertionError(f"unhandled choice {value!r}")


def selection(
    paths: list[Path] | None,
    config: Path | None,
    at: str | None,
    no_cache: bool,
    framework: str | None,
    by: str | None,
    status: list[str] | None,
    tag: list[str] | None,
    owner: list[str] | None,
) -> dict[str, Any]:
    """What every ranking request shares (``model.requests.RankRequest`` and the requests
    built on it), from the options of the same names: where the backlog is, how to read
    it, which frameworks rank it and which items (``--status``, ``--tag``, ``--owner``)."""
    from tpmcli.model.requests import parse_by

    return {
        "paths": tuple(paths or ()),
        "config_file": config,
        "at": at,
        "use_cache": not no_cache,
        "by": parse_by(framework, by),
        "statuses": tuple(status or ()),
        "tags": tuple(tag or ()),
        "owners": tuple(owner or ()),
    }
