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
    CapacityOpt,
    ConfigOpt,
    FrameworkOpt,
    NoCacheOpt,
    OwnerOpt,
    PathsArg,
    StatusOpt,
    TagOpt,
    selection,
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
    capacity: CapacityOpt = None,
    framework: FrameworkOpt = None,
    by: ByOpt = None,
    status: StatusOpt = None,
    tag: TagOpt = None,
    owner: OwnerOpt = None,
    config: ConfigOpt = None,
    at: AtOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Write the stakeholder report: one HTML file that needs no network and runs no
    script: the ranking, its value/effort matrix, with --since its changes, with
    --capacity (or roadmap: in tpm.yaml) the lanes of tpm roadmap, and where inputs
    have ranges P(top 10) over 2,000 simulated rankings (seed 0).

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
    )
    from tpmcli.model.roadmap import parse_capacity

    if output != "-" and output.endswith(("/", os.sep)):
        from tpmcli.errors import UsageError

        raise UsageError(f"cannot write {output}: a file name is needed, not a folder")
    destination = None if output == "-" else Path(output)
    found = build_report(
        ReportRequest(
            **selection(paths, config, at, no_cache, framework, by, status, tag, owner),
            since=since,
            capacity=parse_capacity(capacity) if capacity is not None else (),
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
