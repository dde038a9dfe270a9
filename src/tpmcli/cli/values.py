"""Command-line values coerced without pydantic, exactly as typer would coerce them.

typer 0.29 turns every parameter value (even an option left at its default) into
its Python type through a pydantic ``TypeAdapter``, built on first use: importing
pydantic's machinery and building the adapters costs more than the rest of a warm
``tpm rank``. The parameters tpm declares are of a few plain kinds (str, int with
bounds, Path, an Enum of choices, bool flags, lists of these), whose coercion
needs no pydantic. Before a tpm command parses its arguments (``PlainValuesCommand``
and ``cli.TpmGroup``), ``use_plain_values`` gives each such parameter a
``PlainValues`` coercion:

* a value it coerces with certainty gets the result typer's adapter would give;
* anything else (an invalid value, a form it does not know, an annotation or a
  parameter setting it does not handle) goes to typer's own coercion, built as
  typer would build it, so every error message and exit code stays typer's.

This relies on typer's private coercion API (``typer._coercion``, the
``_runtime_param`` slot of ``typer.core._TyperParameter``), which is why
pyproject.toml pins typer's minor version; tests/test_cli_values.py compares
every kind with typer's own coercion.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin

from typer._click import Context
from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
from typer._param_types import (
    choice_coercion_annotation,
    coerce_cli_choice,
    coerce_cli_path,
    routes_to_path,
)
from typer.core import TyperArgument, TyperCommand, _TyperParameter
from typer.models import ParameterInfo

#: Coerces one value, or raises anything to hand it to typer's own coercion.
Coercer = Callable[[Any, _TyperParameter, Context], Any]

# What pydantic's lax int parsing certainly reads as int(text): ASCII digits, maybe
# after a minus, short enough to stay clear of its and Python's size limits. "+3",
# " 3 ", "1_0" and "3.0" are valid too but left to pydantic.
_PLAIN_INT = re.compile(r"-?[0-9]{1,18}")


class _NotCertain(Exception):
    """The value is left to typer's own coercion."""


@dataclass(frozen=True)
class PlainValues(RuntimeParam):
    """Coerces the values it is certain about; typer's pydantic coercion does the rest."""

    coerce_item: Coercer
    is_list: bool

    def _coerce_value(self, value: Any, param: _TyperParameter, ctx: Context) -> Any:
        try:
            if not self.is_list:
                return self.coerce_item(value, param, ctx)
            # typer's list adapter: one value becomes a list of one.
            items = value if isinstance(value, list | tuple) else [value]
            return [self.coerce_item(item, param, ctx) for item in items]
        except Exception:
            # typer's own coercion, built as typer builds it, decides and words the error.
            fallback = build_runtime_param(param.type_descriptor)
            return fallback._coerce_value(value, param=param, ctx=ctx)


class PlainValuesCommand(TyperCommand):
    """A typer command whose plain parameters are coerced without pydantic, and whose
    named arguments are shown in help by their name alone."""

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        params = self.get_params(ctx)
        use_plain_values(params)
        name_arguments(params)
        return super().parse_args(ctx, args)


def name_arguments(params: Iterable[Any]) -> None:
    """Help shows an argument that has a metavar (``PATH``, ``KEY=VALUE...``) by it
    alone: typer 0.29 adds the annotation (``PATH <list[Path]>``), which says nothing
    to a user that the metavar and the text do not."""
    for param in params:
        if isinstance(param, TyperArgument) and param.metavar is not None:
            param.display_type_rich = _no_type_shown  # type: ignore[method-assign]


def _no_type_shown(ctx: Context) -> None:
    return None


def use_plain_values(params: Iterable[Any]) -> None:
    """Give each typer parameter of a plain kind, not yet coerced, a ``PlainValues``."""
    for param in params:
        if isinstance(param, _TyperParameter) and param._runtime_param is None:
            plain = plain_values(param.type_descriptor)
            if plain is not None:
                param._runtime_param = plain


def plain_values(descriptor: TypeDescriptor) -> PlainValues | None:
    """The plain coercion of a parameter, or None where typer's own must do it all."""
    annotation = descriptor.annotation
    info = descriptor.parameter_info
    if descriptor.file_annotation is not None:
        return None
    origin: object = get_origin(annotation)
    is_list = origin is list
    if is_list:
        (annotation,) = get_args(annotation)
    coerce_item = _item_coercer(annotation, info)
    if coerce_item is None:
        return None
    return PlainValues(
        parameter_info=info,
        annotation=descriptor.annotation,
        coerce_item=coerce_item,
        is_list=is_list,
    )


def _item_coercer(annotation: Any, info: ParameterInfo) -> Coercer | None:
    """Mirrors the order of typer._adapters.build_leaf_adapter for the kinds handled."""
    if info.parser is not None:
        return None
    choice = choice_coercion_annotation(annotation, info)  # an Enum or a Literal
    if choice is not None:
        choices, case_sensitive = choice

        def coerce_choice(value: Any, param: _TyperParameter, ctx: Context) -> Any:
            return coerce_cli_choice(value, choices=choices, case_sensitive=case_sensitive, ctx=ctx)

        return coerce_choice
    if annotation is int:
        return None if info.clamp else _int_coercer(info.min, info.max)
    if annotation is bool:
        return _coerce_bool
    if annotation is str:
        return _coerce_str
    if annotation is Path and info.path_type is None and routes_to_path(annotation, info):
        return _path_coercer(info)
    return None


def _int_coercer(low: float | None, high: float | None) -> Coercer:
    def coerce_int(value: Any, param: _TyperParameter, ctx: Context) -> int:
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


def _coerce_bool(value: Any, param: _TyperParameter, ctx: Context) -> bool:
    if type(value) is bool:
        return value
    raise _NotCertain(value)  # "yes", "0", ...: pydantic's reading


def _coerce_str(value: Any, param: _TyperParameter, ctx: Context) -> str:
    if type(value) is str:
        return value
    raise _NotCertain(value)  # bytes and others: typer decodes or converts them


def _path_coercer(info: ParameterInfo) -> Coercer:
    def coerce_path(value: Any, param: _TyperParameter, ctx: Context) -> Any:
        # pydantic reads a str as Path(str); given a Path, typer's checks (exists,
        # readable, ...) skip pydantic. Their errors quote the value as typed, so any
        # error is raised again by typer's own coercion.
        if type(value) is str:
            value = Path(value)
        elif not isinstance(value, Path):
            raise _NotCertain(value)
        return coerce_cli_path(value, info, path_type=Path, param=param, ctx=ctx)

    return coerce_path


__all__ = ["PlainValues", "PlainValuesCommand", "plain_values", "use_plain_values"]
