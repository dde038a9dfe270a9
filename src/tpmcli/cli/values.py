"""Command-line values coerced without pydantic, exactly as typer would coerce them.

typer (0.29 and later) turns every parameter value (even an option left at its
default) into its Python type through a pydantic ``TypeAdapter``, built on first use:
importing pydantic's machinery and building the adapters costs more than the rest of a
warm ``tpm rank``. The parameters tpm declares are of a few plain kinds (str, int with
bounds, Path, an Enum or Literal of choices, bool flags, lists of these), whose
coercion needs no pydantic. Before a tpm command parses its arguments
(``PlainValuesCommand`` and ``cli.TpmGroup``), ``use_plain_values`` gives each such
parameter a ``PlainValues`` coercion:

* a value it coerces with certainty gets the result typer's adapter would give;
* anything else (an invalid value, a form it does not know, an annotation or a
  parameter setting it does not handle) goes to typer's own coercion, so every error
  message and exit code stays typer's.

Only typer's public API is used: a typer parameter (``typer.core.TyperArgument``,
``typer.core.TyperOption``) describes itself by its ``type_descriptor`` (annotation,
``typer.models.ParameterInfo``) and coerces a value in its public ``process_value``
through the object its public ``get_runtime_param()`` returns, as
``.coerce(value, param=..., ctx=...)``. ``use_plain_values`` overrides
``get_runtime_param`` on the parameter itself (not its class) to return a
``PlainValues``; typer's own coercion is the class's method, called on the parameter.

Should a later typer change that route, this degrades to typer's own coercion and
never breaks: a parameter without ``type_descriptor`` or a class without
``get_runtime_param`` keeps typer's; if ``process_value`` stops asking
``get_runtime_param``, the override is simply never used; a call to the override or to
``coerce`` in a form other than the one above, or any other attribute asked of a
``PlainValues``, is handed to typer's own coercion. Each of these costs the pydantic
import again, which the lazy-import tests (tests/test_cli_values.py,
tests/test_performance_paths.py, tests/test_snapshot.py) catch; tests/test_cli_values.py
compares every kind with typer's own coercion.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable
from enum import Enum
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from typer import BadParameter
from typer.core import TyperArgument, TyperCommand, TyperOption
from typer.models import ParameterInfo

#: The parameters typer coerces: its two public parameter classes.
TyperParam = TyperArgument | TyperOption
#: A click context (typer's copy of click names its class in no public module).
Context = Any
#: Coerces one value, or raises anything to hand it to typer's own coercion.
Coercer = Callable[[Any, TyperParam, Context], Any]

# What pydantic's lax int parsing certainly reads as int(text): ASCII digits, maybe
# after a minus, short enough to stay clear of its and Python's size limits. "+3",
# " 3 ", "1_0" and "3.0" are valid too but left to pydantic.
_PLAIN_INT = re.compile(r"-?[0-9]{1,18}")


class _NotCertain(Exception):
    """The value is left to typer's own coercion."""


class PlainValues:
    """One parameter's coercion: the values it is certain about here, the rest by
    typer's own (pydantic) coercion of the parameter."""

    def __init__(self, param: TyperParam, coerce_item: Coercer, is_list: bool) -> None:
        self.param = param
        self.coerce_item = coerce_item
        self.is_list = is_list

    def typers(self) -> Any:
        """typer's own coercion of the parameter, built (once) as typer builds it."""
        return type(self.param).get_runtime_param(self.param)

    def get_runtime_param(self, *args: Any, **kwargs: Any) -> Any:
        """What the parameter's ``get_runtime_param()`` returns once overridden."""
        if args or kwargs:  # not the call this was written for: typer's own
            return type(self.param).get_runtime_param(self.param, *args, **kwargs)
        return self

    def coerce(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        """typer's ``RuntimeParam.coerce(value, param=, ctx=)``, for a plain value."""
        param, ctx = kwargs.get("param"), kwargs.get("ctx")
        if args or kwargs.keys() != {"param", "ctx"} or param is not self.param:
            return self.typers().coerce(value, *args, **kwargs)
        is_multi_value = param.multiple or param.nargs == -1
        if value is None:  # as typer: nothing given, nothing to coerce
            return () if is_multi_value else None
        try:
            if is_multi_value and isinstance(value, str):
                raise _NotCertain(value)  # typer words "Value must be an iterable."
            if not self.is_list:
                return self.coerce_item(value, param, ctx)
            # typer's list adapter: one value becomes a list of one.
            items = value if isinstance(value, list | tuple) else [value]
            return [self.coerce_item(item, param, ctx) for item in items]
        except Exception:
            # typer's own coercion decides and words the error.
            return self.typers().coerce(value, param=param, ctx=ctx)

    def __getattr__(self, name: str) -> Any:
        # Anything else a later typer asks of the runtime param: typer's own answer.
        if name.startswith("__") or name in {"param", "coerce_item", "is_list"}:
            raise AttributeError(name)
        return getattr(self.typers(), name)


class PlainValuesCommand(TyperCommand):
    """A typer command whose plain parameters are coerced without pydantic, and whose
    named arguments are shown in help by their name alone."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        params = self.get_params(ctx)
        use_plain_values(params)
        name_arguments(params)
        try:
            return super().parse_args(ctx, args)
        except BadParameter as exc:
            exc.message = plain_message(exc.message)
            raise


#: How pydantic starts the message of a ValueError raised while validating (typer's
#: Enum and Literal choices raise one): an implementation detail, not for a user.
_PYDANTIC_PREFIX = "Value error, "


def plain_message(message: str) -> str:
    """A bad value's message without pydantic's wording: ``'xml' is not one of 'table',
    'json'.`` as click words a bad choice, not ``Value error, 'xml' is not one of ...``."""
    return message.removeprefix(_PYDANTIC_PREFIX)


def name_arguments(params: Iterable[Any]) -> None:
    """Help shows an argument that has a metavar (``PATH``, ``KEY=VALUE...``) by it
    alone: typer 0.29 adds the annotation (``PATH <list[Path]>``), which says nothing
    to a user that the metavar and the text do not, and braces a required one in the
    usage line (``{ID}``). One style instead, click's: ``ID``, ``KEY=VALUE...``,
    ``[PATH]...`` (through click's public ``get_usage_pieces``)."""
    for param in params:
        if isinstance(param, TyperArgument) and param.metavar is not None:
            param.display_type_rich = _no_type_shown  # type: ignore[method-assign]
            param.get_usage_pieces = _usage_pieces(param)  # type: ignore[method-assign,assignment]


def _no_type_shown(ctx: Context) -> None:
    return None


def _usage_pieces(param: TyperArgument) -> Callable[[Context], list[str]]:
    """An argument in the usage line: its metavar, bracketed when optional, with "..."
    when it takes several values (unless the metavar says so already)."""
    metavar = str(param.metavar)
    name = metavar if param.required else f"[{metavar}]"
    if param.nargs != 1 and not metavar.endswith("..."):
        name += "..."

    def pieces(ctx: Context) -> list[str]:
        return [name]

    return pieces


def use_plain_values(params: Iterable[Any]) -> None:
    """Give each typer parameter of a plain kind, not yet given one, a ``PlainValues``
    as what its ``get_runtime_param()`` returns."""
    for param in params:
        if not isinstance(param, TyperArgument | TyperOption):
            continue
        if "get_runtime_param" in vars(param):
            continue  # given already (a command parses its arguments at every run)
        if not callable(getattr(type(param), "get_runtime_param", None)):
            continue  # a typer that coerces otherwise: its own coercion
        plain = plain_values(param)
        if plain is not None:
            param.get_runtime_param = plain.get_runtime_param  # type: ignore[method-assign]


def plain_values(param: TyperParam) -> PlainValues | None:
    """The plain coercion of a parameter, or None where typer's own must do it all."""
    descriptor = getattr(param, "type_descriptor", None)
    annotation = getattr(descriptor, "annotation", None)
    info = getattr(descriptor, "parameter_info", None)
    file_annotation = getattr(descriptor, "file_annotation", ...)
    if not isinstance(info, ParameterInfo) or file_annotation is not None:
        return None  # a file parameter (typer opens it), or a descriptor of another shape
    is_list = get_origin(annotation) is list
    if is_list:
        (annotation,) = get_args(annotation)
    coerce_item = _item_coercer(annotation, info)
    if coerce_item is None:
        return None
    return PlainValues(param, coerce_item, is_list)


def _item_coercer(annotation: Any, info: ParameterInfo) -> Coercer | None:
    """Follows the order of typer's leaf coercion (a parser first, then choices,
    datetime, numbers, bool, str, paths) for the kinds handled."""
    if info.parser is not None:
        return None
    choices = _choices(annotation)
    if choices is not None:
        return _choice_coercer(choices, case_sensitive=info.case_sensitive)
    if annotation is int:
        return None if info.clamp else _int_coercer(info.min, info.max)
    if annotation is bool:
        return _coerce_bool
    if annotation is str:
        return _coerce_str
    if annotation is Path and info.path_type is None and not info.allow_dash:
        return _path_coercer(info)
    return None


def _choices(annotation: Any) -> tuple[Any, ...] | None:
    """The choices of an Enum or of a Literal of str, as typer lists them."""
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return tuple(annotation)
    if get_origin(annotation) is Literal:
        values = get_args(annotation)
        return values if all(type(value) is str for value in values) else None
    return None


def _choice_coercer(choices: tuple[Any, ...], *, case_sensitive: bool) -> Coercer:
    """typer's choice coercion: the choice whose text (an Enum's value), normalised by
    the context's ``token_normalize_func`` and casefolded unless case-sensitive, is
    the value's; no match goes to typer, which words the error."""

    def normalised(value: Any, ctx: Context) -> str:
        text = str(value.value) if isinstance(value, Enum) else str(value)
        normalize = getattr(ctx, "token_normalize_func", None)
        if normalize is not None:
            text = normalize(text)
        return text if case_sensitive else text.casefold()

    def coerce_choice(value: Any, param: TyperParam, ctx: Context) -> Any:
        if any(isinstance(choice, Enum) and value is choice for choice in choices):
            return value
        wanted = normalised(value, ctx)
        for choice in choices:
            if normalised(choice, ctx) == wanted:
                return choice
        raise _NotCertain(value)

    return coerce_choice


def _int_coercer(low: float | None, high: float | None) -> Coercer:
    def coerce_int(value: Any, param: TyperParam, ctx: Context) -> int:
        if type(value) is str and _PLAIN_INT.fullmatch(value):
            number = int(value)
        elif type(value) is int:
            number = value
        else:
            raise _NotCertain(value)
        if (low is not None and number < low) or (high is not None and number > high):
            raise _NotCertain(value)  # typer words the bound
        return number

    return coerce_int


def _coerce_bool(value: Any, param: TyperParam, ctx: Context) -> bool:
    if type(value) is bool:
        return value
    raise _NotCertain(value)  # "yes", "0", ...: pydantic's reading


def _coerce_str(value: Any, param: TyperParam, ctx: Context) -> str:
    if type(value) is str:
        return value
    raise _NotCertain(value)  # bytes and others: typer decodes or converts them


def _path_coercer(info: ParameterInfo) -> Coercer:
    """typer's coercion of a ``Path``: pydantic reads a str as ``Path(str)``; then the
    path is resolved if asked and checked (exists, a file, a directory, readable,
    writable). A check that fails goes to typer, whose error quotes the value as typed."""

    def coerce_path(value: Any, param: TyperParam, ctx: Context) -> Path:
        if type(value) is str:
            value = Path(value)
        elif not isinstance(value, Path):
            raise _NotCertain(value)
        path: Path | str = os.path.realpath(value) if info.resolve_path else value
        try:
            mode = os.stat(path).st_mode
        except OSError:  # (an embedded NUL raises ValueError: left to typer)
            if info.exists:
                raise _NotCertain(value) from None
        else:
            if (not info.file_okay and stat.S_ISREG(mode)) or (
                not info.dir_okay and stat.S_ISDIR(mode)
            ):
                raise _NotCertain(value)
            if (info.readable and not os.access(path, os.R_OK)) or (
                info.writable and not os.access(path, os.W_OK)
            ):
                raise _NotCertain(value)
        return path if isinstance(path, Path) else Path(path)

    return coerce_path


__all__ = ["PlainValues", "PlainValuesCommand", "plain_values", "use_plain_values"]
