"""``tpm roadmap``: the ranking planned into lanes now / next / later."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from tpmcli.cli.options import (
    AtOpt,
    ByOpt,
    CapacityOpt,
    ConfigOpt,
    DecisionFormat,
    DecisionFormatOpt,
    FrameworkOpt,
    NoCacheOpt,
    OwnerOpt,
    PathsArg,
    StatusOpt,
    TagOpt,
    console,
    never,
    selection,
    stderr,
)
from tpmcli.errors import EXIT_FINDINGS


def roadmap(
    paths: PathsArg = None,
    capacity: CapacityOpt = None,
    effort: Annotated[
        str | None,
        typer.Option(
            "--effort",
            metavar="FIELD",
            help="The input that measures effort, FRAMEWORK.INPUT (default: roadmap.effort "
            "in tpm.yaml, else rice.effort).",
        ),
    ] = None,
    framework: FrameworkOpt = None,
    by: ByOpt = None,
    output: DecisionFormatOpt = DecisionFormat.table,
    fail_on: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-on",
            metavar="CONDITION",
            help="Exit 1 when CONDITION is met: must-share (a lane's Must share is above 60%).",
        ),
    ] = None,
    status: StatusOpt = None,
    tag: TagOpt = None,
    owner: OwnerOpt = None,
    config: ConfigOpt = None,
    at: AtOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Plan the ranking into lanes now, next and later by capacity and dependencies.

    In-progress items come first, then the ranking, each item after its dependencies;
    a lane closes when the next item does not fit (no skipping). Per lane, the MoSCoW
    effort shares: a Must share above 60% (DSDM) is a warning. --capacity and --effort
    default to roadmap: {capacity: [C, C2], effort: FIELD} in tpm.yaml.

    \b
    Example:
      tpm roadmap --capacity 10,8 --format markdown
    """
    from tpmcli.commands.roadmap import RoadmapRequest, plan_backlog
    from tpmcli.model.roadmap import parse_capacity

    outcome = plan_backlog(
        RoadmapRequest(
            **selection(paths, config, at, no_cache, framework, by, status, tag, owner),
            capacity=parse_capacity(capacity) if capacity is not None else (),
            effort=effort,
            fail_on=tuple(fail_on or ()),
            shown_per_lane=_shown_per_lane(output),
        )
    )
    _print_roadmap(outcome.report, output)
    for failure in outcome.failures:
        stderr(f"tpm: {failure}")
    if outcome.failures:
        raise typer.Exit(EXIT_FINDINGS)


def _shown_per_lane(output: DecisionFormat) -> int | None:
    """How many items of each lane the format shows with their title (None: all)."""
    if output is not DecisionFormat.table:
        return None
    from tpmcli.render.roadmap import LANE_ROWS

    return LANE_ROWS


def _print_roadmap(report: Any, output: DecisionFormat) -> None:
    from tpmcli.render import roadmap as text

    if output is DecisionFormat.table:
        console().print(text.roadmap_view(report))
    elif output is DecisionFormat.json:
        sys.stdout.write(text.render_json(report))
    elif output is DecisionFormat.markdown:
        sys.stdout.write(text.render_markdown(report))
    else:  # pragma: no cover - exhaustive
        never(output)
