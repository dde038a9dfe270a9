"""The command line behaves as the group typer builds with every command registered up
front: the same help (``tpm --help``, every ``tpm CMD --help``, ``tpm`` alone), the
same usage errors (an unknown command with its suggestion, a bad option or value, a
missing argument), the same version line and the same shell completions, byte for
byte and with the same exit codes. The oracle is built here through typer's public
API from the very functions the app registers (``COMMANDS``)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping

import pytest
import typer
from typer.testing import CliRunner

from tpmcli.cli.app import COMMANDS, TYPER_SETTINGS, ClickException, TpmGroup, _root, app
from tpmcli.cli.lazy_commands import LazyCommands
from tpmcli.cli.values import PlainValuesCommand


def eager_app() -> typer.Typer:
    """tpm as typer builds it when every command is registered with the app."""
    eager = typer.Typer(
        cls=TpmGroup,
        name="tpm",
        no_args_is_help=True,
        context_settings={"help_option_names": ["-h", "--help"]},
        **TYPER_SETTINGS,
    )
    eager.callback()(_root)
    for name, module, function in COMMANDS:
        callback = getattr(importlib.import_module(f"tpmcli.cli.{module}"), function)
        eager.command(name=name, cls=PlainValuesCommand)(callback)
    return eager


NAMES = [name for name, _, _ in COMMANDS]
ARGS = [
    [],
    ["--help"],
    ["-h"],
    ["--version"],
    ["rnak"],
    ["frobnicate"],
    ["--bogus"],
    ["rank", "--limit", "abc"],
    ["rank", "--limit", "0"],
    ["rank", "--format", "xml"],
    ["rank", "--no-such-option"],
    ["diff"],
    ["show"],
    ["set", "x"],
    ["simulate", "--runs", "-5"],
    *([name, "--help"] for name in NAMES),
]


def outcome(
    typer_app: typer.Typer, args: list[str], env: Mapping[str, str | None] | None = None
) -> tuple[int, str, str]:
    environment = {"COLUMNS": "100", "NO_COLOR": "1", "FORCE_COLOR": None, **(env or {})}
    result = CliRunner().invoke(typer_app, args, env=environment)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("args", ARGS, ids=" ".join)
def test_help_usage_errors_and_version_are_typers_own(args: list[str]) -> None:
    assert outcome(app, args) == outcome(eager_app(), args)


@pytest.mark.parametrize("instruction", ["complete_bash", "bash_complete", "source_zsh"])
def test_shell_completion_requests_are_answered_as_typer_answers_them(instruction: str) -> None:
    # add_completion=False: typer registers no shell, so each request gets its message.
    env = {"_TPM_COMPLETE": instruction, "COMP_WORDS": "tpm r", "COMP_CWORD": "1"}
    assert outcome(app, [], env) == outcome(eager_app(), [], env)


def completions(typer_app: typer.Typer) -> list[tuple[str, str, object, object]]:
    """What completing each command name and each command's options offers."""
    group = typer.main.get_command(typer_app)
    context = typer.Context(group, info_name="tpm", resilient_parsing=True)
    found = [
        (incomplete, "", item.value, item.help)
        for incomplete in ("", "r", "s", "x", "-")
        for item in group.shell_complete(context, incomplete)
    ]
    for name in NAMES:
        command = group.get_command(context, name)
        assert command is not None
        sub = typer.Context(command, info_name=name, parent=context, resilient_parsing=True)
        found.extend(
            (name, incomplete, item.value, item.help)
            for incomplete in ("-", "--f")
            for item in command.shell_complete(sub, incomplete)
        )
    return found


def test_completions_are_typers_own() -> None:
    found = completions(app)
    assert len(found) > 50
    assert found == completions(eager_app())


def test_the_group_lists_every_command_in_the_order_of_help() -> None:
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    context = typer.Context(group, info_name="tpm")
    assert group.list_commands(context) == NAMES
    assert all(type(group.get_command(context, name)) is PlainValuesCommand for name in NAMES)
    assert group.get_command(context, "nosuch") is None


def test_running_a_command_builds_that_command_alone() -> None:
    group = typer.main.get_command(app)
    assert isinstance(group.commands, LazyCommands)  # type: ignore[attr-defined]
    context = typer.Context(group, info_name="tpm")
    assert group.commands.built() == []  # type: ignore[attr-defined]
    name, command, rest = group.resolve_command(context, ["rank", "--limit", "3"])  # type: ignore[attr-defined]
    assert (name, type(command), rest) == ("rank", PlainValuesCommand, ["--limit", "3"])
    with pytest.raises(ClickException) as raised:
        group.resolve_command(context, ["rnak"])  # type: ignore[attr-defined]
    assert "No such command 'rnak'. Did you mean 'rank'?" in str(raised.value)
    assert group.commands.built() == ["rank"]  # type: ignore[attr-defined]


def test_lazy_commands_build_each_command_once_when_first_looked_up() -> None:
    calls: list[str] = []

    def builder(name: str) -> Callable[[], str]:
        def build() -> str:
            calls.append(name)
            return f"<{name}>"

        return build

    commands = LazyCommands({"ready": "<ready>"}, {"a": builder("a"), "b": builder("b")})
    assert (list(commands), len(commands), "a" in commands, "z" in commands) == (
        ["ready", "a", "b"],
        3,
        True,
        False,
    )
    assert list(commands.keys()) == ["ready", "a", "b"]
    assert calls == []
    assert commands.get("z") is None
    assert commands["b"] == commands.get("b") == "<b>"
    assert calls == ["b"]
    assert commands.built() == ["ready", "b"]
    assert dict(commands.items()) == {"ready": "<ready>", "a": "<a>", "b": "<b>"}
    assert calls == ["b", "a"]
    commands["c"] = "<c>"
    del commands["ready"]
    assert list(commands) == ["a", "b", "c"]
    with pytest.raises(KeyError):
        commands["ready"]
