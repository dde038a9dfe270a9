"""Turning validation failures into located, readable problems."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from yaml import Node

from tpmcli.errors import Problem
from tpmcli.frameworks.base import describe
from tpmcli.yamlio.reader import locate, locate_key

if TYPE_CHECKING:
    from pydantic import ValidationError
    from pydantic_core import ErrorDetails

PathStep = str | int


def dotted(path: Sequence[PathStep]) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


def suggest(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the choice spelled closest to ``word`` (first one
    that differs only in case), or nothing."""
    options = list(choices)
    folded = word.casefold()
    close = [option for option in options if option.casefold() == folded]
    close = close or difflib.get_close_matches(word, options, n=1, cutoff=0.75)
    return f" (did you mean '{close[0]}'?)" if close else ""


class Locator:
    """Makes problems for one file, positioned from its YAML node tree."""

    def __init__(self, path: str, root: Node | None) -> None:
        self.path = path
        self.root = root

    def position(self, path: Sequence[PathStep]) -> tuple[int, int]:
        return locate(self.root, path)

    def at(self, path: Sequence[PathStep], message: str) -> Problem:
        line, column = locate(self.root, path)
        return Problem(self.path, line, column, message)

    def at_key(self, path: Sequence[PathStep], message: str) -> Problem:
        line, column = locate_key(self.root, path)
        return Problem(self.path, line, column, message)

    def from_pydantic(
        self,
        exc: ValidationError,
        base: Sequence[PathStep],
        allowed_keys: Iterable[str] = (),
    ) -> list[Problem]:
        problems = []
        for error in exc.errors(include_url=False):
            kind = error["type"]
            # "root" steps come from RootModel; an unknown key may be spelled "root" too.
            loc = tuple(
                step for step in error["loc"] if step != "root" or kind == "extra_forbidden"
            )
            path = (*base, *loc)
            name = dotted(path) or "value"
            # pydantic marks a bad dict key with a "[key]" step (a real key may be
            # spelled "[key]" too: that one is an extra_forbidden error).
            key_marker = loc[-1:] == ("[key]",) and kind != "extra_forbidden" and len(path) > 1
            if kind == "invalid_key" or key_marker:
                key_path = path[:-1] if key_marker else path
                problems.append(
                    self.at_key(key_path, f"keys must be text, not {describe(key_path[-1])}")
                )
            elif kind == "missing":
                problems.append(self.at_key(path[:-1], f"{name} is required"))
            elif kind == "extra_forbidden":
                hint = suggest(str(loc[-1]), allowed_keys)
                problems.append(self.at_key(path, f"unknown key {quoted(name)}{hint}"))
            else:
                problems.append(self.at(path, f"{name} {_message(error)}"))
        return problems


def quoted(text: str) -> str:
    """User text inside a message: quoted, with line breaks and the like escaped."""
    return repr(text)


def _message(error: ErrorDetails) -> str:
    kind, msg, value = error["type"], error["msg"], error.get("input")
    limits = error.get("ctx", {})
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        sign = {"greater_than": ">", "greater_than_equal": "≥", "less_than": "<"}.get(kind, "≤")
        limit = next(iter(limits.values()), "?")
        return f"must be {sign} {limit}, not {value}"
    if kind == "too_short" and limits.get("min_length") == 1:
        return "must not be empty"
    if kind in ("int_type", "int_from_float", "int_parsing"):
        return f"must be a whole number, not {describe(value)}"
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    if kind in ("string_type", "str_type"):
        return f"must be text, not {describe(value)}"
    if kind in ("list_type", "tuple_type"):
        return f"must be a list, not {describe(value)}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"must be a mapping, not {describe(value)}"
    if kind == "literal_error":
        expected = msg.removeprefix("Input should be ").replace("'", "")
        hint = suggest(value, re.findall(r"'([^']*)'", msg)) if isinstance(value, str) else ""
        return f"must be one of {expected}, not {describe(value)}{hint}"
    if kind in ("float_type", "float_parsing"):
        return f"must be a number, not {describe(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"must be true or false, not {describe(value)}"
    if kind == "too_long":
        limit = re.search(r"at most (\d+)", msg)
        most = f"at most {limit.group(1)}" if limit else "fewer"
        return f"must have {most} entries, not {len(value) if isinstance(value, list) else 'more'}"
    return msg[0].lower() + msg[1:] if msg else "is invalid"
