"""The commands that rank and compare: rank, check, diff, frameworks."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from tpmcli.cli.options import (
    AtOpt,
    ByOpt,
    CapacityOpt,
    CheckFormat,
    ConfigOpt,
    DiffFormat,
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
    print_table,
    selection,
    stderr,
)
from tpmcli.errors import EXIT_FINDINGS

#: Rows of the ranked table when no --limit is given (the other formats list all).
TABLE_ROWS = 50


def rank(
    paths: PathsArg = None,
    framework: FrameworkOpt = None,
    by: ByOpt = None,
    output: RankFormatOpt = RankFormat.table,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            min=1,
            metavar="N",
            help=f"Show only the top N items (the table shows {TABLE_ROWS} unless told).",
        ),
    ] = None,
    status: StatusOpt = None,
    tag: TagOpt = None,
    owner: OwnerOpt = None,
    config: ConfigOpt = None,
    at: AtOpt = None,
    capacity: CapacityOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Print the backlog ranked by a framework (default: framework: in tpm.yaml, else rice).

    With --capacity, the table draws the line under the lane now, and JSON gives each
    item its lane, as tpm roadmap plans them.

    \b
    Examples:
      tpm rank
      tpm rank -f wsjf --owner alice --limit 10
      tpm rank --format markdown
      tpm rank --capacity 10 --limit 20
    """
    from tpmcli.cache.snapshot import ranked_top
    from tpmcli.model.requests import RankRequest

    request = RankRequest(
        **selection(paths, config, at, no_cache, framework, by, status, tag, owner),
    )
    # Rich lays out every row it is given: a terminal table shows the top rows.
    shown = TABLE_ROWS if limit is None and output is RankFormat.table else limit
    if capacity is not None:
        _rank_in_lanes(request, capacity, shown, limit, output)
        return
    found = ranked_top(request, shown)  # while nothing changed since the last run
    if found is None:
        from tpmcli.commands.rank import rank_top

        found = rank_top(request, shown, partial=True)
    ranking, total = found
    hidden = total - len(ranking.items) if limit is None else 0
    _print_ranking(ranking, output, hidden)
    if ranking.invalid:  # the valid items ranked above; what is wrong, then exit 1
        from tpmcli.errors import InvalidItemsError

        stderr(
            f"tpm: {_count(ranking.invalid)} in the backlog; "
            "items that do not validate are left out of the ranking:"
        )
        raise InvalidItemsError(ranking.invalid)


def _count(problems: Any) -> str:
    return f"{len(problems)} problem" + ("" if len(problems) == 1 else "s")


def _rank_in_lanes(
    request: Any, capacity: str, shown: int | None, limit: int | None, output: RankFormat
) -> None:
    from tpmcli.commands.roadmap import rank_in_lanes
    from tpmcli.model.roadmap import parse_capacity

    laned = rank_in_lanes(request, parse_capacity(capacity), shown)
    if output is RankFormat.table:
        from tpmcli.render.table import NowCut, ranking_table

        hidden = laned.total - len(laned.ranking.items) if limit is None else 0
        cut = NowCut(laned.lanes, laned.now_label)
        print_table(ranking_table(laned.ranking, hidden=hidden, cut=cut))
    elif output is RankFormat.json:
        from tpmcli.render.ranking import render_json

        sys.stdout.write(render_json(laned.ranking, laned.lanes))
    else:
        _print_ranking(laned.ranking, output)


def _print_ranking(ranking: Any, output: RankFormat, hidden: int = 0) -> None:
    from tpmcli.render import ranking as text

    if ranking.empty_because:
        stderr(f"tpm: {ranking.empty_because}")
    if output is RankFormat.table:
        from tpmcli.render.table import ranking_table

        print_table(ranking_table(ranking, hidden=hidden))
    elif output is RankFormat.json:
        sys.stdout.write(text.render_json(ranking))
    elif output is RankFormat.csv:
        sys.stdout.write(text.render_csv(ranking))
    elif output is RankFormat.markdown:
        sys.stdout.write(text.render_markdown(ranking))
    else:  # pragma: no cover - exhaustive
        never(output)


def check(
    paths: PathsArg = None,
    output: Annotated[
        CheckFormat,
        typer.Option("--format", metavar="FORMAT", help="Output format: text, json or github."),
    ] = CheckFormat.text,
    require: Annotated[
        list[str] | None,
        typer.Option(
            "--require",
            metavar="NAME",
            help="Every item must have inputs for this framework (repeatable).",
        ),
    ] = None,
    config: ConfigOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Validate every item file and tpm.yaml; print each problem as path:line:col: message.

    Exits 1 when there are problems, 2 when tpm.yaml itself is invalid.

    \b
    Examples:
      tpm check
      tpm check --require rice --format github
    """
    from tpmcli.cache.snapshot import checked
    from tpmcli.model.requests import CheckRequest
    from tpmcli.render.problems import problems_github, problems_json, problems_text

    request = CheckRequest(
        paths=tuple(paths or ()),
        config_file=config,
        use_cache=not no_cache,
        require=tuple(name.strip() for entry in require or () for name in entry.split(",")),
    )
    report = checked(request)  # while nothing changed since the last run
    if report is None:
        from tpmcli.commands.check import check_backlog_files

        report = check_backlog_files(request)
    if output is CheckFormat.text:
        sys.stdout.write(problems_text(report.problems))
        if not report.problems:
            stderr(f"tpm: {report.items} item(s) in {report.files} file(s): all valid")
        elif report.exit_code == EXIT_FINDINGS:  # not tpm.yaml's own problems (exit 2)
            stderr(f"tpm: {_count(report.problems)} in {report.files} file(s)")
    elif output is CheckFormat.json:
        sys.stdout.write(problems_json(report.problems, report.files, report.items))
    elif output is CheckFormat.github:
        sys.stdout.write(problems_github(report.problems))
    else:  # pragma: no cover - exhaustive
        never(output)
    if report.exit_code:
        raise typer.Exit(report.exit_code)


def diff(
    base: Annotated[str, typer.Argument(metavar="BASE", help="The git revision to compare with.")],
    head_and_paths: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="HEAD|PATH",
            help="HEAD: a git revision (default: the working tree); PATH: item files or "
            "folders, as for rank.",
            show_default=False,
        ),
    ] = None,
    framework: FrameworkOpt = None,
    by: ByOpt = None,
    output: Annotated[
        DiffFormat,
        typer.Option(
            "--format", metavar="FORMAT", help="Output format: table, json, markdown or github."
        ),
    ] = DiffFormat.table,
    top: Annotated[
        int | None,
        typer.Option(
            "--top",
            min=1,
            metavar="N",
            help="Show only movements into, out of and inside the top N.",
        ),
    ] = None,
    fail_on: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-on",
            metavar="CONDITION",
            help="Exit 1 when CONDITION is met (repeatable or comma-separated; see above).",
        ),
    ] = None,
    config: ConfigOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Show how the ranking changed from BASE to HEAD (default: the working tree).

    BASE and HEAD are git revisions (main, origin/main, HEAD~1, a tag or a commit id),
    read from git without a checkout, each with its own tpm.yaml. Without -f/--by, each
    side ranks by the framework its tpm.yaml names. Unchanged items collapse into a count;
    the table counts, below the top 50, items that moved only because others did. With
    roadmap.capacity in tpm.yaml, it says which items change lane (now, next, later).

    \b
    --fail-on conditions (met: exit 1; they look at the whole diff, whatever --top shows):
      any            any item was added, removed, moved or rescored
      added          an item entered the ranking
      removed        an item left the ranking
      moved          an item ranked at both revisions changed rank
      rescored       an item ranked at both revisions changed score
      top:N          the set or the order of the top N items changed
      category-drop  an item left a higher MoSCoW category (e.g. must -> should)
      lane-change    an item entered or left the now lane (roadmap.capacity in tpm.yaml)

    \b
    Examples:
      tpm diff main
      tpm diff main feature --top 10
      tpm diff origin/main --format github --fail-on top:5
    """
    from tpmcli.commands.diff import DiffRequest, diff_backlogs, split_revisions
    from tpmcli.model.requests import parse_by

    base, head, paths = split_revisions([base, *(head_and_paths or ())])
    report = diff_backlogs(
        DiffRequest(
            paths=paths,
            config_file=config,
            use_cache=not no_cache,
            base=base,
            head=head,
            by=parse_by(framework, by),
            top=top,
            fail_on=tuple(fail_on or ()),
        )
    )
    _print_diff(report.diff, output)
    for failure in report.failures:
        stderr(f"tpm: {failure}")
    invalid = report.diff.invalid_after  # only HEAD's problems fail; BASE's are shown
    if invalid:
        from tpmcli.errors import InvalidItemsError

        where = "in the working tree" if head is None else f"at {head}"
        stderr(
            f"tpm: {_count(invalid)} {where}; items that do not validate are left out of the diff:"
        )
        raise InvalidItemsError(invalid)
    if report.failures:
        raise typer.Exit(EXIT_FINDINGS)


def _print_diff(diff: Any, output: DiffFormat) -> None:
    from tpmcli.render import diff as text

    if output is DiffFormat.table:
        from tpmcli.render.diff_table import diff_table

        console().print(diff_table(diff))
    elif output is DiffFormat.json:
        from tpmcli.render.diff_json import render_json

        sys.stdout.write(render_json(diff))
    elif output is DiffFormat.markdown:
        sys.stdout.write(text.render_markdown(diff))
    elif output is DiffFormat.github:
        sys.stdout.write(text.render_github(diff))
    else:  # pragma: no cover - exhaustive
        never(output)


def frameworks(config: ConfigOpt = None) -> None:
    """List the frameworks: built-in, installed plugins and tpm.yaml's, with their source.

    \b
    Example:
      tpm frameworks
    """
    from tpmcli.commands.frameworks import list_frameworks

    catalogue = list_frameworks(config)
    width = max(len(name) for name in catalogue)
    for name in sorted(catalogue):
        loaded = catalogue[name]
        typer.echo(f"{name:<{width}}  {loaded.framework.description}  [{loaded.source}]")
