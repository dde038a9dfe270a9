"""Plain command-line values: coerced without pydantic, exactly as typer coerces them.

The oracle is typer's own coercion, reached as tpmcli reaches it, by typer's public
API: a parameter class's ``get_runtime_param`` (it builds typer's pydantic coercion),
called on the parameter. No test here needs typer's private modules."""

from __future__ import annotations

import enum
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import pytest
import typer
import typer.core
import typer.main
from inline_snapshot import snapshot
from typer.core import TyperArgument, TyperOption
from typer.testing import CliRunner, Result

import tpmcli.cli.app
import tpmcli.cli.values
from helpers import Tpm
from tpmcli.cli.app import app as tpm_app
from tpmcli.cli.values import PlainValues, PlainValuesCommand, use_plain_values


class Level(str, enum.Enum):
    low = "low"
    high = "high"


def every_kind(
    name: Annotated[str, typer.Argument()],
    paths: Annotated[list[Path] | None, typer.Argument()] = None,
    limit: Annotated[int | None, typer.Option(min=1)] = None,
    top: Annotated[int, typer.Option(min=1, max=10)] = 5,
    count: Annotated[int | None, typer.Option()] = None,
    clamped: Annotated[int | None, typer.Option(min=1, max=3, clamp=True)] = None,
    level: Annotated[Level, typer.Option()] = Level.low,
    loose: Annotated[Level | None, typer.Option(case_sensitive=False)] = None,
    kind: Annotated[Literal["a", "b"] | None, typer.Option()] = None,
    tag: Annotated[list[str] | None, typer.Option()] = None,
    levels: Annotated[list[Level] | None, typer.Option("--levels")] = None,
    counts: Annotated[list[int] | None, typer.Option(min=0)] = None,
    config: Annotated[Path | None, typer.Option()] = None,
    must: Annotated[Path | None, typer.Option(exists=True, dir_okay=False)] = None,
    here: Annotated[Path, typer.Option()] = Path("."),
    env_name: Annotated[str | None, typer.Option(envvar="PLAIN_NAME")] = None,
    env_paths: Annotated[list[Path] | None, typer.Option(envvar="PLAIN_PATHS")] = None,
    ratio: Annotated[float | None, typer.Option()] = None,
    when: Annotated[datetime | None, typer.Option()] = None,
    flag: Annotated[bool, typer.Option("--flag")] = False,
    switch: Annotated[bool, typer.Option("--switch/--no-switch")] = True,
) -> None:
    values = dict(locals())
    typer.echo("\n".join(f"{key}={value!r}" for key, value in values.items()))


def every_kind_app(command_class: type[typer.core.TyperCommand]) -> typer.Typer:
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)
    app.command(cls=command_class)(every_kind)
    return app


PLAIN_APP = every_kind_app(PlainValuesCommand)
#: The annotations of every_kind's parameters that are not plain: --clamped, --ratio, --when.
NOT_PLAIN = [int, float, datetime]
TYPER_APP = every_kind_app(typer.core.TyperCommand)

VALID = [
    ["x"],
    ["x", "a.yaml", "b//c/", ""],
    ["x", "--limit", "3", "--top", "10", "--count", "0", "--count", "-7"],
    ["x", "--count", "-0", "--counts", "000"],
    ["x", "--level", "high", "--loose", "HIGH", "--kind", "b"],
    ["x", "--tag", "one", "--tag", "", "--levels", "high", "--levels", "low"],
    ["x", "--counts", "0", "--counts", "12"],
    ["x", "--config", "", "--here", "sub/dir", "--must", "FILE"],
    ["x", " spaced ", "~/home", "-", "--config", " c "],
    ["x", "--flag", "--no-switch"],
    ["x", "\udcff", "--tag", "é\u0000"],
]
# Values typer (through pydantic) accepts in forms PlainValues leaves to it, and errors.
LEFT_TO_TYPER = [
    ["x", "--limit", "+3"],
    ["x", "--limit", " 3 "],
    ["x", "--limit", "3.0"],
    ["x", "--limit", "1_0"],
    ["x", "--limit", "9" * 30],
    ["x", "--limit", "abc"],
    ["x", "--limit", "0"],
    ["x", "--limit", "-1"],
    ["x", "--limit", "--3"],
    ["x", "--count", "-"],
    ["x", "--count", "-+3"],
    ["x", "--limit", "٣"],
    ["x", "--limit", "1" * 5000],
    ["x", "--top", "11"],
    ["x", "--clamped", "7"],
    ["x", "--level", "HIGH"],
    ["x", "--level", "nope"],
    ["x", "--loose", "nope"],
    ["x", "--kind", "c"],
    ["x", "--levels", "low", "--levels", "x"],
    ["x", "--counts", "1", "--counts", "-1"],
    ["x", "--must", "missing"],
    ["x", "--must", "."],
    ["x", "--must", "a\u0000b"],
    ["x", "--config", "a\u0000b"],
    ["x", "--ratio", "x"],
    ["x", "--ratio", "1.5"],
    ["x", "--when", "2024-01-02"],
    ["x", "--when", "x"],
    ["x", "--limit"],
    [],
]
ENVIRONMENT = {"PLAIN_NAME": "from-env", "PLAIN_PATHS": f"a{os.pathsep}b"}


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "FILE").write_text("")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def adapters_built(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The annotations typer was asked its own (pydantic) coercion for, in order: each
    parameter class's public ``get_runtime_param``, recorded (an instance's override,
    a PlainValues, is not typer's and is not recorded)."""
    built: list[Any] = []
    for cls in (TyperArgument, TyperOption):
        original = cls.get_runtime_param

        def recording(param: Any, original: Any = original) -> Any:
            built.append(param.type_descriptor.annotation)
            return original(param)

        monkeypatch.setattr(cls, "get_runtime_param", recording)
    return built


def run(app: typer.Typer, args: list[str], env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, args, env={"COLUMNS": "100", **(env or {})})


@pytest.mark.parametrize("args", VALID)
@pytest.mark.usefixtures("in_tmp")
def test_plain_values_are_typers_values_without_typers_coercion(
    args: list[str], adapters_built: list[Any]
) -> None:
    plain = run(PLAIN_APP, args)
    assert adapters_built == NOT_PLAIN
    typers = run(TYPER_APP, args)
    assert len(adapters_built) > len(NOT_PLAIN), "typer's own coercion ran for the comparison"
    assert plain.exit_code == typers.exit_code == 0, plain.output
    assert plain.output == typers.output


@pytest.mark.usefixtures("in_tmp")
def test_values_from_the_environment_are_typers(adapters_built: list[Any]) -> None:
    plain = run(PLAIN_APP, ["x"], ENVIRONMENT)
    assert adapters_built == NOT_PLAIN
    assert plain.output == run(TYPER_APP, ["x"], ENVIRONMENT).output
    assert "env_name='from-env'" in plain.output
    assert "env_paths=[PosixPath('a'), PosixPath('b')]" in plain.output


@pytest.mark.parametrize("args", LEFT_TO_TYPER)
@pytest.mark.usefixtures("in_tmp")
def test_other_values_get_typers_result_message_and_exit_code(args: list[str]) -> None:
    plain = run(PLAIN_APP, args)
    typers = run(TYPER_APP, args)
    # The same, but for pydantic's "Value error, " before a bad choice's message.
    expected = typers.output.replace(": Value error, ", ": ")
    assert (plain.exit_code, plain.output) == (typers.exit_code, expected)
    assert "Value error" not in plain.output


@pytest.mark.usefixtures("in_tmp")
def test_typer_coerces_only_the_parameter_plain_values_left_to_it(
    adapters_built: list[Any],
) -> None:
    result = run(PLAIN_APP, ["x", "--limit", "+3", "--ratio", "0.5"])
    assert result.exit_code == 0, result.output
    assert "limit=3\n" in result.output
    # --limit's value, left to typer, and the parameters that are not plain
    assert sorted(adapters_built, key=str) == sorted([int, *NOT_PLAIN], key=str)


# Each raw value as the parser or the environment hands it over, for each parameter.
RAW_VALUES: list[Any] = [None, "", "3", "-3", "+3", "0", "x", "high", "HIGH", "a", "FILE", " FILE "]
RAW_VALUES += [("1", "2"), ("low", "high"), [" a ", "b//"], (), True, False, b"3", 3, 3.0]
RAW_VALUES += [Level.high, Path("FILE"), Path("missing")]


def _coerced(runtime: Any, value: Any, param: Any, context: Any) -> tuple[str, Any]:
    try:
        result = runtime.coerce(value, param=param, ctx=context)
    except typer.BadParameter as error:
        return "error", error.format_message()
    return type(result).__name__, result


def _typers_own(param: Any) -> Any:
    """typer's own coercion of a parameter, as typer builds it (by its public API)."""
    return type(param).get_runtime_param(param)


@pytest.mark.usefixtures("in_tmp")
def test_each_raw_value_coerces_to_typers_value_of_typers_type() -> None:
    # Two copies of the command: one coerced by PlainValues, one by typer alone.
    plain_command = typer.main.get_command(TYPER_APP)
    typers_command = typer.main.get_command(TYPER_APP)
    context = typer.Context(typers_command, info_name="every-kind")
    compared = 0
    for param, typers_param in zip(plain_command.params, typers_command.params, strict=True):
        assert isinstance(param, TyperArgument | TyperOption)
        plain = tpmcli.cli.values.plain_values(param)
        if plain is None:
            continue
        typers = _typers_own(typers_param)
        for value in RAW_VALUES:
            expected = _coerced(typers, value, typers_param, context)
            assert _coerced(plain, value, param, context) == expected, (param.name, value)
            compared += 1
    assert compared == 18 * len(RAW_VALUES)


def test_the_plain_kinds_and_the_others() -> None:
    command = typer.main.get_command(TYPER_APP)
    plain = {
        param.name
        for param in command.params
        if isinstance(param, TyperArgument | TyperOption)
        and tpmcli.cli.values.plain_values(param) is not None
    }
    others = {param.name for param in command.params} - plain
    assert others == {"clamped", "ratio", "when"}


# tpm itself


def _tpm_command_params() -> Iterator[tuple[str, Any]]:
    group = typer.main.get_command(tpm_app)
    assert isinstance(group, typer.core.TyperGroup)
    context = typer.Context(group, info_name="tpm")
    yield from ((f"tpm {param.name}", param) for param in group.get_params(context))
    for name, command in group.commands.items():
        assert type(command) is PlainValuesCommand, name
        sub = typer.Context(command, info_name=name, parent=context)
        yield from ((f"tpm {name} {param.name}", param) for param in command.get_params(sub))


def test_every_parameter_of_every_tpm_command_is_plain() -> None:
    params = dict(_tpm_command_params())
    assert len(params) > 40
    use_plain_values(params.values())
    not_plain = [
        name
        for name, param in params.items()
        if not isinstance(param.get_runtime_param(), PlainValues)
    ]
    assert not_plain == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["rank", "--limit", "abc"],
            snapshot("""\
Usage: tpm rank [OPTIONS] [PATH]...
Try 'tpm rank -h' for help.

Error: Invalid value for '--limit': Input should be a valid integer, unable to parse string as an integer
"""),
        ),
        (
            ["rank", "--limit", "0"],
            snapshot("""\
Usage: tpm rank [OPTIONS] [PATH]...
Try 'tpm rank -h' for help.

Error: Invalid value for '--limit': Input should be greater than or equal to 1
"""),
        ),
        (
            ["rank", "--format", "nope"],
            snapshot("""\
Usage: tpm rank [OPTIONS] [PATH]...
Try 'tpm rank -h' for help.

Error: Invalid value for '--format': 'nope' is not one of 'table', 'json', 'csv', 'markdown'.
"""),
        ),
        (
            ["diff", "--top", "0", "HEAD"],
            snapshot("""\
Usage: tpm diff [OPTIONS] BASE [HEAD|PATH]...
Try 'tpm diff -h' for help.

Error: Invalid value for '--top': Input should be greater than or equal to 1
"""),
        ),
        (
            ["check", "--format", "JSON"],
            snapshot("""\
Usage: tpm check [OPTIONS] [PATH]...
Try 'tpm check -h' for help.

Error: Invalid value for '--format': 'JSON' is not one of 'text', 'json', 'github'.
"""),
        ),
    ],
)
@pytest.mark.usefixtures("intercom")
def test_bad_values_keep_typers_messages_without_pydantics_wording(
    tpm: Tpm, args: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = tpm(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message)
    monkeypatch.setattr(tpmcli.cli.values, "plain_values", lambda param: None)
    typers = tpm(*args)
    assert (typers.exit_code, typers.stderr) == (2, message)


@pytest.mark.usefixtures("intercom")
def test_rank_parses_every_option_as_before(tpm: Tpm, monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["rank", "--limit", "2", "--format", "csv", "--status", "proposed", "--status"]
    args += ["planned", "--tag", "growth", "--by", "rice,wsjf", "--no-cache", "backlog"]
    plain = tpm(*args)
    assert plain.exit_code == 0, plain.output
    assert plain.stdout.count("\n") == 3  # a header and two rows
    monkeypatch.setattr(tpmcli.cli.values, "plain_values", lambda param: None)
    assert tpm(*args).stdout == plain.stdout


# Only typer's public API, and a way back to typer's own coercion should it change.

SRC = Path(__file__).resolve().parent.parent / "src" / "tpmcli"
PRIVATE_TYPER = re.compile(
    r"typer\._|\._runtime_param|_TyperParameter|^\s*(from|import) click\b", re.M
)


def test_tpmcli_uses_no_private_typer_api() -> None:
    sources = sorted(SRC.rglob("*.py"))
    assert len(sources) > 40
    found = [
        f"{path.relative_to(SRC)}:{text.count(chr(10), 0, match.start()) + 1}: {match.group()}"
        for path in sources
        for text in [path.read_text(encoding="utf-8")]
        for match in PRIVATE_TYPER.finditer(text)
    ]
    assert found == []


def test_the_errors_typer_shows_itself_are_clicks_exceptions() -> None:
    shown = tpmcli.cli.app.ClickException
    assert shown.__name__ == "ClickException"
    assert issubclass(typer.BadParameter, shown)
    assert shown is not typer.BadParameter
    assert hasattr(shown, "show")
    assert getattr(shown, "exit_code", None) == 1


@pytest.mark.usefixtures("in_tmp")
def test_a_call_plain_values_was_not_written_for_is_typers_own() -> None:
    command = typer.main.get_command(PLAIN_APP)
    context = typer.Context(command, info_name="every-kind")
    limit = next(param for param in command.params if param.name == "limit")
    use_plain_values(command.params)
    plain = limit.get_runtime_param()
    assert isinstance(plain, PlainValues)
    assert "get_runtime_param" not in vars(TyperOption)  # the class keeps typer's own
    typers = _typers_own(limit)
    assert not isinstance(typers, PlainValues)
    # coerce's arguments in another form, another parameter, another attribute
    assert plain.coerce("+3", limit, context) == 3
    with pytest.raises(typer.BadParameter, match="greater than or equal to 1"):
        plain.coerce("0", limit, context)
    other = typer.main.get_command(TYPER_APP).params[2]
    assert other.name == "limit"
    assert plain.coerce(" 3 ", param=other, ctx=context) == 3
    assert plain.annotation is typers.annotation
    assert plain.parameter_info is typers.parameter_info
    with pytest.raises(AttributeError):
        plain.__deepcopy__  # noqa: B018
    # get_runtime_param called with arguments: typer's own method, with them
    with pytest.raises(TypeError):
        limit.get_runtime_param(context)
    # installed once: a second parse keeps it
    use_plain_values(command.params)
    assert limit.get_runtime_param() is plain


def test_a_parameter_of_another_shape_keeps_typers_own_coercion() -> None:
    class Shape:
        def __init__(self, **fields: Any) -> None:
            self.__dict__.update(fields)

    info = typer.models.OptionInfo()
    shapes = [
        Shape(),  # no type_descriptor
        Shape(type_descriptor=Shape(annotation=int)),  # no parameter_info
        Shape(type_descriptor=Shape(annotation=int, parameter_info=info)),  # no file_annotation
        Shape(type_descriptor=Shape(annotation=int, parameter_info=object(), file_annotation=None)),
        Shape(type_descriptor=Shape(annotation=complex, parameter_info=info, file_annotation=None)),
    ]
    assert [tpmcli.cli.values.plain_values(shape) for shape in shapes] == [None] * len(shapes)
    plain = Shape(type_descriptor=Shape(annotation=int, parameter_info=info, file_annotation=None))
    assert isinstance(tpmcli.cli.values.plain_values(plain), PlainValues)


# In a fresh process: which modules a command imports.

_REPORT_MODULES = """
import sys
from tpmcli.cli.app import main
sys.argv = ["tpm", *sys.argv[1:]]
try:
    main()
except SystemExit as exit:
    code = exit.code
print("exit", code, "typer._adapters" in sys.modules, "pydantic" in sys.modules, file=sys.stderr)
"""


def modules_report(cwd: Path, *args: str) -> str:
    """``exit CODE ADAPTERS PYDANTIC``: how ``tpm ARGS`` ended, what it imported."""
    result = subprocess.run(
        [sys.executable, "-c", _REPORT_MODULES, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COLUMNS": "100"},
    )
    return result.stderr.splitlines()[-1]


def test_rank_builds_no_typer_adapter(intercom: Path) -> None:
    args = ["--limit", "3", "--format", "json", "--tag", "x", "--status", "proposed"]
    report = modules_report(intercom, "rank", *args, "backlog")
    # tpm's own core may import pydantic; the command line builds no adapter with it.
    assert report.startswith("exit 0 False "), report


@pytest.mark.parametrize(
    "args",
    [["--help"], ["rank", "--help"], ["rank", "--no-such-option"], ["diff", "-h"], ["--version"]],
)
def test_help_and_usage_errors_import_no_pydantic(intercom: Path, args: list[str]) -> None:
    report = modules_report(intercom, *args)
    assert report.endswith(" False False"), report


def test_a_bad_value_is_worded_by_typers_own_coercion(intercom: Path) -> None:
    assert modules_report(intercom, "rank", "--limit", "abc") == "exit 2 True True"


@pytest.mark.parametrize(
    "command", ["show", "init", "check", "set", "add", "schema", "frameworks", "rank", "diff"]
)
def test_help_has_an_example_and_one_placeholder_style(
    project: Path, tpm: Tpm, command: str
) -> None:
    result = tpm(command, "--help")
    assert result.exit_code == 0, result.output
    assert any(line.startswith(f"    tpm {command}") for line in result.stdout.splitlines())
    # Placeholders are UPPERCASE words (ID, KEY=VALUE..., FILE): no {ID}, <str>, [[X]].
    for mark in ("{", "<", "[["):
        assert mark not in result.stdout, (mark, result.stdout)


@pytest.mark.parametrize(
    ("command", "choices"),
    [("rank", "table, json, csv or markdown"), ("diff", "table, json, markdown or github")],
)
def test_format_lists_its_choices_in_the_help(
    project: Path, tpm: Tpm, command: str, choices: str
) -> None:
    result = runner_help(tpm, command)
    assert "--format FORMAT" in result
    assert choices in " ".join(result.split())


def runner_help(tpm: Tpm, command: str) -> str:
    result = tpm(command, "--help")
    assert result.exit_code == 0, result.output
    return result.stdout
