"""``tpm compare A B``: do two frameworks agree on the backlog's order?"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from tpmcli.cli.options import (
    AtOpt,
    ConfigOpt,
    DecisionFormat,
    DecisionFormatOpt,
    NoCacheOpt,
    OwnerOpt,
    PathsArg,
    StatusOpt,
    TagOpt,
    console,
    never,
)

#: The defaults of --top and --p. RBO's p = 0.9 puts 65% of the weight on the top 10
#: (the top d ranks weigh 1 − p^d).
DEFAULT_TOP = 10
DEFAULT_P = 0.9


def compare(
    a: Annotated[str, typer.Argument(metavar="A", help="A framework, e.g. rice.")],
    b: Annotated[str, typer.Argument(metavar="B", help="Another framework, e.g. wsjf.")],
    paths: PathsArg = None,
    top: Annotated[
        int,
        typer.Option("--top", min=1, metavar="N", help="How many items the top-N overlap takes."),
    ] = DEFAULT_TOP,
    p: Annotated[
        str,
        typer.Option(
            "--p",
            metavar="P",
            help="Rank-biased overlap's persistence, a number between 0 and 1 (both "
            "excluded): the higher, the deeper it looks.",
        ),
    ] = str(DEFAULT_P),
    output: DecisionFormatOpt = DecisionFormat.table,
    status: StatusOpt = None,
    tag: TagOpt = None,
    owner: OwnerOpt = None,
    config: ConfigOpt = None,
    at: AtOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Show how far frameworks A and B agree on the backlog's order.

    Over the items both score: Kendall's tau-b and Spearman's rho of their scores. Over
    each framework's own order (ties by id, as tpm rank numbers them): how many of the
    top N they share and rank-biased overlap (RBO); then the items they disagree on most.

    \b
    Example:
      tpm compare rice wsjf --top 5
    """
    # Imported here, as every command does: `tpm --help` stays fast.
    from tpmcli.commands.compare import CompareRequest, compare_backlog, persistence

    report = compare_backlog(
        CompareRequest(
            paths=tuple(paths or ()),
            config_file=config,
            at=at,
            use_cache=not no_cache,
            a=a,
            b=b,
            top=top,
            p=persistence(p),
            statuses=tuple(status or ()),
            tags=tuple(tag or ()),
            owners=tuple(owner or ()),
        )
    )
    if output is DecisionFormat.table:
        from tpmcli.render.compare_table import compare_table

        console().print(compare_table(report))
    elif output is DecisionFormat.json:
        from tpmcli.render.compare import render_json

        sys.stdout.write(render_json(report))
    elif output is DecisionFormat.markdown:
        from tpmcli.render.compare import render_markdown

        sys.stdout.write(render_markdown(report))
    else:  # pragma: no cover - exhaustive
        never(output)
