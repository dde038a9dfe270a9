"""``tpm simulate``: P(top N), P(first) and rank intervals from ranged inputs."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
    RankFormat,
    RankFormatOpt,
    StatusOpt,
    TagOpt,
    console,
    never,
    selection,
)


def simulate(
    paths: PathsArg = None,
    framework: FrameworkOpt = None,
    by: ByOpt = None,
    top: Annotated[
        int, typer.Option("--top", min=1, metavar="N", help="P(top N): the N to count.")
    ] = 10,
    runs: Annotated[
        int, typer.Option("--runs", min=1, metavar="R", help="How many rankings to sample.")
    ] = 10_000,
    seed: Annotated[
        int, typer.Option("--seed", min=0, metavar="S", help="The same seed, the same output.")
    ] = 0,
    output: RankFormatOpt = RankFormat.table,
    status: StatusOpt = None,
    tag: TagOpt = None,
    owner: OwnerOpt = None,
    config: ConfigOpt = None,
    at: AtOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """How sure the ranking is: sample ranged inputs and count where each item lands.

    Each run draws every ranged input ({low, high} uniform, {low, likely, high} PERT),
    scores and ranks the items (the first framework of --by; ties by id). Per item:
    P(top N), P(first), the median rank and the 80% rank interval.

        tpm simulate --top 5 --runs 20000 --seed 7
    """
    from tpmcli.commands.simulate import SimulateRequest, simulate_backlog

    request = SimulateRequest(
        **selection(paths, config, at, no_cache, framework, by, status, tag, owner),
        top=top,
        runs=runs,
        seed=seed,
    )
    with _progress(runs) as progress:
        report = simulate_backlog(request, progress)
    from tpmcli.render import simulate as text

    if output is RankFormat.table:
        console().print(text.simulation_table(report))
    elif output is RankFormat.json:
        sys.stdout.write(text.render_simulation_json(report))
    elif output is RankFormat.csv:
        sys.stdout.write(text.render_simulation_csv(report))
    elif output is RankFormat.markdown:
        sys.stdout.write(text.render_simulation_markdown(report))
    else:  # pragma: no cover - exhaustive
        never(output)


@contextmanager
def _progress(runs: int) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr for a long run in a terminal (the callback the core
    calls with the runs done); nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    bar = Progress(console=Console(stderr=True), transient=True)
    task = bar.add_task("Sampling rankings", total=runs)
    shown = False

    def advance(done: int) -> None:
        nonlocal shown
        if not shown and done < runs:  # more than one chunk: a run that takes a while
            bar.start()
            shown = True
        bar.update(task, completed=done)

    try:
        yield advance
    finally:
        if shown:
            bar.stop()
