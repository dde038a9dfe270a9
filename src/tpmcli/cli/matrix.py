"""``tpm matrix``: the value/effort 2×2 of the ranked backlog."""

from __future__ import annotations

import enum
import sys
from typing import Annotated

import typer

from tpmcli.cli.options import (
    AtOpt,
    ByOpt,
    ConfigOpt,
    FrameworkOpt,
    NoCacheOpt,
    OwnerOpt,
    PathsArg,
    StatusOpt,
    TagOpt,
    console,
    never,
    selection,
)


class MatrixFormat(str, enum.Enum):
    table = "table"
    json = "json"


def matrix(
    paths: PathsArg = None,
    framework: FrameworkOpt = None,
    by: ByOpt = None,
    output: Annotated[
        MatrixFormat,
        typer.Option("--format", metavar="FORMAT", help="Output format: table or json."),
    ] = MatrixFormat.table,
    status: StatusOpt = None,
    tag: TagOpt = None,
    owner: OwnerOpt = None,
    config: ConfigOpt = None,
    at: AtOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Place the ranked items on the value/effort 2×2: quick wins, big bets, fill-ins,
    money pits (RICE or WSJF: value is the score's numerator, effort its denominator).

    High value is at least the median value, low effort at most the median effort.

    \b
    Example:
      tpm matrix -f wsjf --format json
    """
    from tpmcli.commands.matrix import matrix_backlog
    from tpmcli.model.requests import RankRequest

    found = matrix_backlog(
        RankRequest(
            **selection(paths, config, at, no_cache, framework, by, status, tag, owner),
        )
    )
    if output is MatrixFormat.table:
        from tpmcli.render.matrix import matrix_panels

        console().print(matrix_panels(found))
    elif output is MatrixFormat.json:
        from tpmcli.render.matrix import render_json

        sys.stdout.write(render_json(found))
    else:  # pragma: no cover - exhaustive
        never(output)
