"""The command line: parse → one core call → render. The only module that prints.

Every error reaches the user through ``TpmGroup.invoke``: a TpmError becomes its
message on stderr and its exit code; anything else is a bug (exit 3, one line).
"""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

try:  # typer ≥ 0.20 carries its own copy of click
    from typer._click.exceptions import ClickException
except ImportError:  # pragma: no cover - older typer on top of click
    from click.exceptions import ClickException  # type: ignore[no-redef,import-not-found]

from tpmcli import __version__
from tpmcli.errors import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_USAGE, ProblemsError, TpmError
from tpmcli.render.escape import terminal_text

REPORT_URL = "https://example.invalid/tpm/issues"
#: Rows of the ranked table when no --limit is given (the other formats list all).
TABLE_ROWS = 50


class TpmGroup(typer.core.TyperGroup):
    """The one place where errors become messages and exit codes."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, ClickException):
            raise
        except ProblemsError as exc:
            _stderr(str(exc))
            raise typer.Exit(exc.exit_code) from None
        except TpmError as exc:
            _stderr(f"tpm: {terminal_text(exc.message)}")
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            _stderr("tpm: interrupted")
            raise typer.Exit(130) from None
        except BrokenPipeError:
            raise typer.Exit(EXIT_FINDINGS) from None
        except OSError as exc:  # the environment: a full disk, a closed terminal
            reason = exc.strerror or str(exc)
            where = f": {exc.filename}" if exc.filename else ""
            _stderr(f"tpm: {terminal_text(f'{reason}{where}')}")
            raise typer.Exit(EXIT_USAGE) from None
        except Exception as exc:  # a bug: one line, no locals, no traceback
            _stderr(
                f"tpm: internal error ({type(exc).__name__}: {terminal_text(str(exc))}); "
                f"this is a bug, please report it at {REPORT_URL}"
            )
            raise typer.Exit(EXIT_INTERNAL) from None
        finally:
            _warn_broken_plugins()


def _stderr(text: str) -> None:
    typer.echo(text, err=True)


app = typer.Typer(
    cls=TpmGroup,
    name="tpm",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


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


class CheckFormat(str, enum.Enum):
    text = "text"
    json = "json"
    github = "github"


class ShowFormat(str, enum.Enum):
    text = "text"
    json = "json"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tpm {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Backlog prioritisation as code: rank YAML backlog items with RICE, WSJF or MoSCoW.

    Items live as YAML files in backlog/ (or where tpm.yaml's backlog: says). Exit codes:
    0 success, 1 findings (invalid items, check problems, --fail-on met), 2 usage or
    configuration errors, 3 internal errors.
    """


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


@app.command()
def rank(
    paths: PathsArg = None,
    framework: Annotated[
        str | None,
        typer.Option(
            "-f", "--framework", metavar="NAME", help="Rank by this framework (as --by NAME)."
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="A,B",
            help="Frameworks in order, e.g. moscow,rice: the first ranks, the rest break ties.",
        ),
    ] = None,
    output: Annotated[
        RankFormat, typer.Option("--format", help="Output format.")
    ] = RankFormat.table,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            min=1,
            metavar="N",
            help=f"Show only the top N items (the table shows {TABLE_ROWS} unless told).",
        ),
    ] = None,
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status",
            metavar="STATUS",
            help="Only items with this status (repeatable; overrides exclude_statuses).",
        ),
    ] = None,
    tag: Annotated[
        list[str] | None,
        typer.Option(
            "--tag", metavar="TAG", help="Only items with this tag (repeatable: any of them)."
        ),
    ] = None,
    config: ConfigOpt = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            metavar="REV",
            help="Rank the backlog as of this git revision (read from git, no checkout).",
        ),
    ] = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Print the backlog ranked by a framework (default: framework: in tpm.yaml, else rice)."""
    from tpmcli.backlog import RankRequest, parse_by, rank_backlog

    request = RankRequest(
        paths=tuple(paths or ()),
        config_file=config,
        at=at,
        use_cache=not no_cache,
        by=parse_by(framework, by),
        statuses=tuple(status or ()),
        tags=tuple(tag or ()),
    )
    ranking = rank_backlog(request)
    hidden = 0
    if limit is None and output is RankFormat.table:
        # Rich lays out every row it is given: a terminal table shows the top rows.
        limit = TABLE_ROWS
        hidden = max(0, len(ranking.items) - limit)
    if limit is not None:
        ranking = _limited(ranking, limit)
    _print_ranking(ranking, output, hidden)


def _limited(ranking: Any, limit: int) -> Any:
    from dataclasses import replace

    return replace(ranking, items=ranking.items[:limit])


def _print_ranking(ranking: Any, output: RankFormat, hidden: int = 0) -> None:
    from tpmcli.render import ranking as text

    if output is RankFormat.table:
        from tpmcli.render.table import ranking_table

        _console().print(ranking_table(ranking, hidden=hidden))
    elif output is RankFormat.json:
        sys.stdout.write(text.render_json(ranking))
    elif output is RankFormat.csv:
        sys.stdout.write(text.render_csv(ranking))
    elif output is RankFormat.markdown:
        sys.stdout.write(text.render_markdown(ranking))
    else:  # pragma: no cover - exhaustive
        _never(output)


@app.command()
def check(
    paths: PathsArg = None,
    output: Annotated[
        CheckFormat, typer.Option("--format", help="Output format.")
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
    """
    from tpmcli.backlog import CheckRequest, check_backlog_files
    from tpmcli.render.problems import problems_github, problems_json, problems_text

    report = check_backlog_files(
        CheckRequest(
            paths=tuple(paths or ()),
            config_file=config,
            use_cache=not no_cache,
            require=tuple(name.strip() for entry in require or () for name in entry.split(",")),
        )
    )
    if output is CheckFormat.text:
        sys.stdout.write(problems_text(report.problems))
        if not report.problems:
            _stderr(f"tpm: {report.items} item(s) in {report.files} file(s): all valid")
    elif output is CheckFormat.json:
        sys.stdout.write(problems_json(report.problems, report.files, report.items))
    elif output is CheckFormat.github:
        sys.stdout.write(problems_github(report.problems))
    else:  # pragma: no cover - exhaustive
        _never(output)
    if report.exit_code:
        raise typer.Exit(report.exit_code)


@app.command()
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
    framework: Annotated[
        str | None, typer.Option("-f", "--framework", help="Rank by this framework (as --by NAME).")
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Frameworks in order, e.g. moscow,rice, at both revisions."),
    ] = None,
    output: Annotated[
        DiffFormat, typer.Option("--format", help="Output format.")
    ] = DiffFormat.table,
    top: Annotated[
        int | None,
        typer.Option("--top", min=1, help="Show only movements into, out of and inside the top N."),
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
    side ranks by the framework its tpm.yaml names. Unchanged items collapse into a count.

    \b
    --fail-on conditions (met: exit 1; they look at the whole diff, whatever --top shows):
      any            any item was added, removed, moved or rescored
      added          an item entered the ranking
      removed        an item left the ranking
      moved          an item ranked at both revisions changed rank
      rescored       an item ranked at both revisions changed score
      top:N          the set or the order of the top N items changed
      category-drop  an item left a higher MoSCoW category (e.g. must -> should)
    """
    from tpmcli.backlog import parse_by
    from tpmcli.compare import DiffRequest, diff_backlogs, split_revisions

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
        _stderr(f"tpm: {failure}")
    if report.failures:
        raise typer.Exit(EXIT_FINDINGS)


def _print_diff(diff: Any, output: DiffFormat) -> None:
    from tpmcli.render import diff as text

    if output is DiffFormat.table:
        from tpmcli.render.diff_table import diff_table

        _console().print(diff_table(diff))
    elif output is DiffFormat.json:
        sys.stdout.write(text.render_json(diff))
    elif output is DiffFormat.markdown:
        sys.stdout.write(text.render_markdown(diff))
    elif output is DiffFormat.github:
        sys.stdout.write(text.render_github(diff))
    else:  # pragma: no cover - exhaustive
        _never(output)


@app.command()
def frameworks(config: ConfigOpt = None) -> None:
    """List the frameworks: built-in, installed plugins and tpm.yaml's, with their source."""
    from tpmcli.backlog import list_frameworks

    catalogue = list_frameworks(config)
    width = max(len(name) for name in catalogue)
    for name in sorted(catalogue):
        loaded = catalogue[name]
        typer.echo(f"{name:<{width}}  {loaded.framework.description}  [{loaded.source}]")


def _warn_broken_plugins() -> None:
    """One line on stderr per plugin that failed to load (only if plugins were loaded)."""
    from tpmcli.frameworks.registry import discovered_broken_plugins

    for plugin in discovered_broken_plugins():
        _stderr(
            f"tpm: warning: plugin '{plugin.name}' ({plugin.distribution or '?'}) skipped: "
            f"{plugin.reason}"
        )


ItemIdArg = Annotated[str, typer.Argument(metavar="ID", help="The item's id.", show_default=False)]


@app.command()
def show(
    item_id: ItemIdArg,
    output: Annotated[ShowFormat, typer.Option("--format", help="Output format.")] = (
        ShowFormat.text
    ),
    config: ConfigOpt = None,
) -> None:
    """Show one item, with its score, breakdown and rank under each framework it has
    inputs for."""
    from tpmcli.showing import ShowRequest, show_item

    report = show_item(ShowRequest(config_file=config, item_id=item_id))
    if output is ShowFormat.text:
        from tpmcli.render.table import item_view

        _console().print(item_view(report))
    elif output is ShowFormat.json:
        from tpmcli.render.item import render_item_json

        sys.stdout.write(render_item_json(report))
    else:  # pragma: no cover - exhaustive
        _never(output)


@app.command(name="set")
def set_(
    item_id: ItemIdArg,
    assignments: Annotated[
        list[str],
        typer.Argument(
            metavar="KEY=VALUE...",
            help="Dotted keys for inputs (rice.reach=2000), a,b for lists, KEY= removes.",
            show_default=False,
        ),
    ],
    config: ConfigOpt = None,
) -> None:
    """Change fields of an item in place; every other byte of its file stays as it is.

    The whole backlog is checked first, as tpm check would: a change that would
    cause any new problem (an invalid value, a duplicate id, a depends_on left
    naming a renamed id, a cycle), in this file or another, writes nothing.
    Problems the backlog already had are printed as warnings. Prints the path of
    the file written.

    \b
    Exit codes:
      0  written, or the item already says so (nothing written)
      1  the change would cause the problems printed; nothing written
      2  usage or environment: unknown id or key, a value that cannot be
         written in place, the file changed on disk meanwhile
    """
    from tpmcli.authoring import SetRequest, set_fields

    result = set_fields(SetRequest(item_id, tuple(assignments), config))
    for problem in result.remaining:
        _stderr(f"{problem} (warning: not caused by this change)")
    if result.changed:
        typer.echo(result.path)
    else:
        _stderr(f"tpm: {result.path} already says so; nothing written")


@app.command()
def add(
    title: Annotated[str, typer.Argument(help="The new item's title.", show_default=False)],
    assignments: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[KEY=VALUE...]",
            help="Fields, as for tpm set: rice.reach=1200 moscow=must tags=a,b",
            show_default=False,
        ),
    ] = None,
    item_id: Annotated[
        str | None, typer.Option("--id", help="The id and file name (default: from the title).")
    ] = None,
    config: ConfigOpt = None,
) -> None:
    """Create an item file in the backlog folder; prints its path.

    The new item is checked with the whole backlog first; nothing is written when
    it would cause a problem.

    \b
    Exit codes:
      0  written
      1  an invalid value, or an id (or file name) already used; nothing written
      2  usage or environment: unknown key, a bad --id, no backlog folder, a
         file that cannot be written
    """
    from tpmcli.authoring import AddRequest, add_item

    result = add_item(AddRequest(title, tuple(assignments or ()), item_id, config))
    typer.echo(result.path)


@app.command()
def init(
    directory: Annotated[
        Path, typer.Argument(help="Where to scaffold (default: the current directory).")
    ] = Path("."),
) -> None:
    """Scaffold tpm.yaml, a backlog folder with an example item, and the item JSON
    Schema. Existing files are never overwritten."""
    from tpmcli.scaffold import init_project

    result = init_project(directory)
    for path in result.created:
        typer.echo(f"created {path}")
    for note in result.notes:
        _stderr(f"tpm: {note}")
    if not result.created:
        _stderr(f"tpm: already initialised, nothing changed (kept {', '.join(result.kept)})")


@app.command()
def schema(config: ConfigOpt = None) -> None:
    """Print the JSON Schema of an item file (for editors: tpm schema > .tpm/item.schema.json)."""
    from tpmcli.authoring import project_item_schema
    from tpmcli.itemschema import schema_text

    sys.stdout.write(schema_text(project_item_schema(config)))


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def _never(value: NoReturn) -> NoReturn:  # pragma: no cover
    raise AssertionError(f"unhandled choice {value!r}")


def main() -> None:
    # A terminal or CI log that cannot encode ⚠ or → still gets every line, with '?'.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    app(prog_name="tpm")
