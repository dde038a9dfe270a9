"""``tpm history ID``: how one item got where it is, commit by commit."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Annotated

import typer

from tpmcli.cli.options import (
    ByOpt,
    ConfigOpt,
    DecisionFormat,
    DecisionFormatOpt,
    FrameworkOpt,
    ItemIdArg,
    NoCacheOpt,
    PathsArg,
    console,
    never,
)


def history(
    item_id: ItemIdArg,
    paths: PathsArg = None,
    max_count: Annotated[
        int | None,
        typer.Option("--max-count", "-n", min=1, metavar="N", help="Only the newest N rows."),
    ] = None,
    reverse: Annotated[bool, typer.Option("--reverse", help="Oldest first.")] = False,
    framework: FrameworkOpt = None,
    by: ByOpt = None,
    output: DecisionFormatOpt = DecisionFormat.table,
    config: ConfigOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Show how item ID got where it is: a row for each commit that added or removed
    it, or changed its rank, score or fields, newest first.

    The first-parent commits from HEAD that touch the backlog or tpm.yaml are read
    from git (no checkout) and the backlog is ranked at each, as tpm diff ranks a
    revision: by -f/--by, else by that commit's tpm.yaml. The item is followed by its
    id, across renamed and multi-item files. A commit whose backlog does not validate
    is a row marked invalid.

    \b
    Example:
      tpm history receipt-ocr --max-count 5
    """
    from tpmcli.commands.history import HistoryRequest, item_history
    from tpmcli.model.requests import parse_by

    request = HistoryRequest(
        paths=tuple(paths or ()),
        config_file=config,
        use_cache=not no_cache,
        item_id=item_id,
        by=parse_by(framework, by),
        max_count=max_count,
        reverse=reverse,
    )
    with _progress_bar() as progress:
        report = item_history(request, progress)
    from tpmcli.render import history as text

    if output is DecisionFormat.table:
        console().print(text.history_table(report))
    elif output is DecisionFormat.json:
        sys.stdout.write(text.render_json(report))
    elif output is DecisionFormat.markdown:
        sys.stdout.write(text.render_markdown(report))
    else:  # pragma: no cover - exhaustive
        never(output)


@contextlib.contextmanager
def _progress_bar() -> Iterator[Callable[[int, int], None] | None]:
    """A Rich progress bar on stderr while the commits are walked, when stderr is a
    terminal (none when piped: logs and scripts get no escape codes)."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("Walking the history", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance
