"""The commands about single items and the project: show, set, add, init, schema."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tpmcli.cli.options import ConfigOpt, ItemIdArg, ShowFormat, console, never, stderr


def show(
    item_id: ItemIdArg,
    output: Annotated[
        ShowFormat,
        typer.Option("--format", metavar="FORMAT", help="Output format: text or json."),
    ] = ShowFormat.text,
    config: ConfigOpt = None,
) -> None:
    """Show one item, with its score, breakdown and rank under each framework it has
    inputs for.

    \b
    Examples:
      tpm show sso-saml
      tpm show sso-saml --format json
    """
    from tpmcli.commands.show import ShowRequest, show_item

    report = show_item(ShowRequest(config_file=config, item_id=item_id))
    if output is ShowFormat.text:
        from tpmcli.render.table import item_view

        console().print(item_view(report))
    elif output is ShowFormat.json:
        from tpmcli.render.item import render_item_json

        sys.stdout.write(render_item_json(report))
    else:  # pragma: no cover - exhaustive
        never(output)


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
    Examples:
      tpm set sso-saml rice.reach=1200 owner=alice
      tpm set sso-saml tags=enterprise,auth depends_on=

    \b
    Exit codes:
      0  written, or the item already says so (nothing written)
      1  the change would cause the problems printed; nothing written
      2  usage or environment: unknown id or key, a value that cannot be
         written in place, the file changed on disk meanwhile
    """
    from tpmcli.commands.set import SetRequest, set_fields

    result = set_fields(SetRequest(item_id, tuple(assignments), config))
    for problem in result.remaining:
        stderr(f"{problem} (warning: not caused by this change)")
    if result.changed:
        typer.echo(result.path)
    else:
        stderr(f"tpm: {result.path} already says so; nothing written")


def add(
    title: Annotated[
        str, typer.Argument(metavar="TITLE", help="The new item's title.", show_default=False)
    ],
    assignments: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="KEY=VALUE...",
            help="Fields, as for tpm set: moscow=must tags=a,b; a framework's inputs all "
            "together (rice.reach, rice.impact, rice.confidence, rice.effort).",
            show_default=False,
        ),
    ] = None,
    item_id: Annotated[
        str | None,
        typer.Option("--id", metavar="ID", help="The id and file name (default: from the title)."),
    ] = None,
    config: ConfigOpt = None,
) -> None:
    """Create an item file in the backlog folder; prints its path.

    The new item is checked with the whole backlog first; nothing is written when
    it would cause a problem.

    \b
    Examples:
      tpm add "Bulk CSV export" moscow=should tags=reporting \\
          rice.reach=800 rice.impact=1 rice.confidence=80% rice.effort=1
      tpm add "日本語ローカライズ" --id ja-localisation

    \b
    Exit codes:
      0  written
      1  an invalid value, or an id (or file name) already used; nothing written
      2  usage or environment: unknown key, a bad --id, no backlog folder, a
         file that cannot be written
    """
    from tpmcli.commands.add import AddRequest, add_item

    result = add_item(AddRequest(title, tuple(assignments or ()), item_id, config))
    typer.echo(result.path)


def init(
    directory: Annotated[
        Path,
        typer.Argument(
            metavar="DIRECTORY",
            help="Where to scaffold (default: the current directory).",
            show_default=False,
        ),
    ] = Path("."),
) -> None:
    """Scaffold tpm.yaml, a backlog folder with an example item, and the item JSON
    Schema. Existing files are never overwritten.

    \b
    Examples:
      tpm init
      tpm init path/to/product
    """
    from tpmcli.commands.init import init_project

    result = init_project(directory)
    for path in result.created:
        typer.echo(f"created {path}")
    for note in result.notes:
        stderr(f"tpm: {note}")
    if not result.created:
        stderr(f"tpm: already initialised, nothing changed (kept {', '.join(result.kept)})")


def schema(config: ConfigOpt = None) -> None:
    """Print the JSON Schema of an item file, for editors.

    \b
    Example:
      tpm schema > .tpm/item.schema.json
    """
    from tpmcli.commands.schema import project_item_schema
    from tpmcli.project.item_schema import schema_text

    sys.stdout.write(schema_text(project_item_schema(config)))
