"""``tpm report``: the stakeholder report, one self-contained HTML file."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from tpmcli.cli.options import (
    AtOpt,
    ByOpt,
    ConfigOpt,
    FrameworkOpt,
    NoCacheOpt,
    PathsArg,
    StatusOpt,
    TagOpt,
)


def report(
    output: Annotated[
        str,
        typer.Option(
            "-o",
            "--output",
            metavar="FILE",
            help="Write the page here (atomically; - for standard output).",
        ),
    ],
    paths: PathsArg = None,
    since: Annotated[
        str | None,
        typer.Option("--since", metavar="REV", help="Show how the ranking changed since REV."),
    ] = None,
    capacity: Annotated[
        str | None,
        typer.Option(
            "--capacity", metavar="C[,C2]", help="Show the roadmap lanes: now (C) and next (C2)."
        ),
    ] = None,
    framework: FrameworkOpt = None,
    by: ByOpt = None,
    status: StatusOpt = None,
    tag: TagOpt = None,
    config: ConfigOpt = None,
    at: AtOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Write the stakeholder report: one HTML file that needs no network and runs no
    script (the ranking, its value/effort matrix, and with --since its changes).

    The page carries no date unless SOURCE_DATE_EPOCH is set: the same backlog gives
    the same bytes.

    \b
    Example:
      tpm report -o report.html --since main
    """
    from tpmcli.commands.report import (
        ReportRequest,
        build_report,
        date_from_epoch,
        parse_capacity,
    )
    from tpmcli.model.requests import parse_by

    destination = None if output == "-" else Path(output)
    found = build_report(
        ReportRequest(
            paths=tuple(paths or ()),
            config_file=config,
            at=at,
            use_cache=not no_cache,
            by=parse_by(framework, by),
            statuses=tuple(status or ()),
            tags=tuple(tag or ()),
            since=since,
            capacity=parse_capacity(capacity),
            output=destination,
            generated_on=date_from_epoch(os.environ.get("SOURCE_DATE_EPOCH")),
        )
    )
    from tpmcli.render.report import render_report

    page = render_report(found)
    if destination is None:
        sys.stdout.write(page)
    else:
        from tpmcli.files.atomic_write import write_file

        write_file(destination, page.encode("utf-8"))
