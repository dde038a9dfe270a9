"""The command line: parse → one core call → render. The only module that prints.

Every error reaches the user through ``TpmGroup.invoke``: a TpmError becomes its
message on stderr and its exit code; anything else is a bug (exit 3, one line).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
from typing import Annotated, Any, NoReturn

import typer

from tpmcli import __version__
from tpmcli.cli.lazy_commands import LazyCommands, built_alone
from tpmcli.cli.options import stderr as _stderr
from tpmcli.cli.ranking import TABLE_ROWS
from tpmcli.cli.values import PlainValuesCommand, use_plain_values
from tpmcli.errors import (
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    EXIT_USAGE,
    ProblemsError,
    Terminated,
    TpmError,
)
from tpmcli.render.escape import terminal_text

#: What the one line about a bug asks for. No address: the project publishes no issue
#: tracker yet, and a placeholder would send people nowhere.
REPORT_REQUEST = (
    "this is a bug; please report it with the command you ran and what `tpm --version` prints"
)


def _shown_by_typer() -> type[Exception]:
    """click's ``ClickException``, found through typer's public API.

    typer carries its own copy of click and names ``ClickException`` in no public
    module; ``typer.BadParameter``, one of its subclasses, is public. By definition
    ``ClickException`` is the most general class whose errors typer's main loop shows
    (its ``show()``) and ends with their ``exit_code``, so it is the last class in
    ``typer.BadParameter``'s MRO that defines ``show`` itself: below it ``UsageError``
    and ``BadParameter`` redefine it, above it ``TyperException`` and ``Exception`` do
    not. That holds wherever click lives and whatever a later typer puts between them;
    were no class to define ``show``, ``typer.BadParameter`` itself stands in.
    tests/test_cli_values.py checks that this finds the class named ``ClickException``."""
    shown = [cls for cls in typer.BadParameter.__mro__ if "show" in vars(cls)]
    if shown and issubclass(shown[-1], Exception):
        return shown[-1]
    return typer.BadParameter  # pragma: no cover - no typer so far


#: Usage and file errors that typer shows and exits with itself (exit 2, or 1).
ClickException = _shown_by_typer()


class TpmGroup(typer.core.TyperGroup):
    """The one place where errors become messages and exit codes; its commands
    (``COMMANDS``) are built as they are asked for (see cli/lazy_commands.py)."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        later = {
            name: built_alone(
                name, f"tpmcli.cli.{module}", function, TYPER_SETTINGS, PlainValuesCommand
            )
            for name, module, function in COMMANDS
        }
        self.commands = LazyCommands(self.commands, later)

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)  # the names, in order, without building the commands

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        use_plain_values(self.get_params(ctx))  # see cli_values: no pydantic for plain values
        return super().parse_args(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        _say_skipped_submodules(quietly=True)  # only this command's (tests run many)
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
        except Terminated:
            _stderr("tpm: terminated")
            raise typer.Exit(EXIT_TERMINATED) from None
        except KeyboardInterrupt:
            _stderr("tpm: interrupted")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except BrokenPipeError:
            raise typer.Exit(EXIT_FINDINGS) from None
        except OSError as exc:  # the environment: a full disk, a closed terminal
            reason = exc.strerror or str(exc)
            where = f": {exc.filename}" if exc.filename else ""
            _stderr(f"tpm: {terminal_text(f'{reason}{where}')}")
            _REPORTED.add(exc.errno)
            raise typer.Exit(EXIT_USAGE) from None
        except Exception as exc:  # a bug: one line, no locals, no traceback
            _stderr(
                f"tpm: internal error ({type(exc).__name__}: {terminal_text(str(exc))}); "
                f"{REPORT_REQUEST}"
            )
            raise typer.Exit(EXIT_INTERNAL) from None
        finally:
            _warn_broken_plugins()
            _say_skipped_submodules()


#: How typer builds tpm's commands.
TYPER_SETTINGS: dict[str, Any] = {
    "add_completion": False,
    "pretty_exceptions_enable": False,
    "rich_markup_mode": None,
}

app = typer.Typer(
    cls=TpmGroup,
    name="tpm",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    **TYPER_SETTINGS,
)


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


#: Every command (a PlainValuesCommand): its name, its module in tpmcli.cli and its
#: function there, in the order of ``tpm --help``. None is built (nor its module
#: imported) until the command line asks for it.
COMMANDS = (
    ("rank", "ranking", "rank"),
    ("check", "ranking", "check"),
    ("diff", "ranking", "diff"),
    ("history", "history", "history"),
    ("compare", "compare", "compare"),
    ("roadmap", "roadmap", "roadmap"),
    ("simulate", "simulate", "simulate"),
    ("matrix", "matrix", "matrix"),
    ("report", "report", "report"),
    ("frameworks", "ranking", "frameworks"),
    ("show", "items", "show"),
    ("set", "items", "set_"),
    ("add", "items", "add"),
    ("init", "items", "init"),
    ("schema", "items", "schema"),
)

__all__ = ["COMMANDS", "TABLE_ROWS", "app", "leave", "main", "run"]


def _warn_broken_plugins() -> None:
    """One line on stderr per plugin that failed to load (only if plugins were loaded)."""
    if "tpmcli.frameworks.registry" not in sys.modules:
        return  # no discovery ran; importing the registry would cost a usage error ~0.1 s
    from tpmcli.frameworks.registry import discovered_broken_plugins

    for plugin in discovered_broken_plugins():
        _stderr(
            f"tpm: warning: plugin '{plugin.name}' ({plugin.distribution or '?'}) skipped: "
            f"{plugin.reason}"
        )


def _say_skipped_submodules(*, quietly: bool = False) -> None:
    """One line on stderr per submodule the command's loads did not enter (``quietly``:
    forget them unsaid)."""
    if "tpmcli.load.item_files" not in sys.modules:
        return  # nothing was walked or listed (a warm rank from its snapshot)
    from tpmcli.load.item_files import take_skipped_submodules

    for path in take_skipped_submodules():
        if not quietly:
            _stderr(f"tpm: skipped submodule {terminal_text(path)}")


def run() -> NoReturn:
    """The ``tpm`` command (and ``python -m tpmcli``): ``main``, then out. Ctrl-C before
    a command runs (while typer builds the app or parses, where it is not caught
    as a command's is) ends tpm quietly with 130, as during a command."""
    try:
        main()
    except SystemExit as exc:
        leave(exc.code)
    except KeyboardInterrupt:
        leave(EXIT_INTERRUPTED)
    leave(None)


def leave(code: object) -> NoReturn:
    """End the process as ``sys.exit(code)`` would (other threads waited for, exit
    handlers run, standard streams flushed, the same status) but without tearing the
    interpreter down: freeing every object one by one costs even a warm ``tpm rank``
    about 30 ms, an eighth of its time. Anything out of the ordinary (another thread
    alive, a profiler, tracer or ``python -i`` that wants the interpreter afterwards, a
    status that is not a number) takes Python's own way out, with its own messages. Output
    that cannot be flushed ends tpm as a failed write in a command does: a closed pipe
    with 1, anything else (a full disk) with its reason on stderr and 2; Ctrl-C while it
    is flushed, as during a command, with "tpm: interrupted" and 130, and once it is out
    (while the answer is kept for the next run), quietly with 130."""
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        raise SystemExit(code)
    if sys.flags.interactive or sys.getprofile() is not None or sys.gettrace() is not None:
        raise SystemExit(code)
    status = 0 if code is None else code
    if not isinstance(status, int) or not -(2**31) <= status < 2**31:
        raise SystemExit(code)
    atexit._run_exitfuncs()
    atexit._clear()  # run once, even if Python's own exit follows
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except OSError as exc:  # output buffered until now could not be written
        if exc.errno in _REPORTED:  # what was left of a write the command failed on
            os._exit(status)
        _output_failed(exc)
    except KeyboardInterrupt:
        _say("tpm: interrupted")
        os._exit(EXIT_INTERRUPTED)
    except ValueError:
        raise SystemExit(code) from None
    answers = sys.modules.get("tpmcli.cache.answers")
    if answers is not None:
        try:
            answers.finish(status)  # kept for the next run alike, if it may be replayed
        except KeyboardInterrupt:
            os._exit(EXIT_INTERRUPTED)
    os._exit(status)


#: The errors of the environment a command has said (``TpmGroup.invoke``): a write
#: that failed leaves its text buffered, and flushing it at the end fails alike.
_REPORTED: set[int | None] = set()


def _output_failed(exc: OSError) -> NoReturn:
    """End tpm as a failed write in a command does: the reader gone (a closed pipe)
    with 1, anything else (a full disk) with its reason on stderr and 2."""
    if isinstance(exc, BrokenPipeError):
        os._exit(EXIT_FINDINGS)
    _say(f"tpm: {terminal_text(exc.strerror or str(exc))}")
    os._exit(EXIT_USAGE)


def _say(line: str) -> None:
    """``line`` on stderr, written at once (its buffer may be what failed)."""
    with contextlib.suppress(OSError):
        os.write(2, f"{line}\n".encode(errors="replace"))


def main() -> None:
    if sys.stdout is None:  # started with standard output closed (``>&-``)
        if sys.stderr is not None:
            sys.stderr.write("tpm: standard output is closed\n")
        raise SystemExit(EXIT_USAGE)
    # COLUMNS=² is "digits" to str.isdigit, which Rich (and the plain writer after it)
    # check before int(): such a size is ignored, as one that is no number at all is.
    # So is a size of 0: Rich would take COLUMNS=0 for a width and print nothing.
    for name in ("COLUMNS", "LINES"):
        size = os.environ.get(name)
        if size is not None and size.isdigit() and (not size.isdecimal() or int(size) == 0):
            del os.environ[name]
    # A terminal or CI log that cannot encode ⚠ or → still gets every line, with '?'.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    try:
        app(prog_name="tpm")
    except OSError as exc:  # before any command: ``tpm --help`` or ``--version`` printing
        _output_failed(exc)
