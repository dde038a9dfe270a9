"""The rules framework inputs are numbers by: plain functions, which the pydantic
models call (``input_models``, through ``PlainValidator``) and the plain validation
calls too (``project.plain_items``): one rule, one message, either way."""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from tpmcli.model.scores import format_number

_LARGEST_FLOAT = int(sys.float_info.max)


def finite_number(value: Any) -> int | float:
    # bool is an int subclass: ``true`` must not pass for 1.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"must be a number, not {describe(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"must be a finite number, not {value}")
    if isinstance(value, int) and abs(value) > _LARGEST_FLOAT:
        # Scores are computed in floats: a larger int would overflow mid-formula.
        raise ValueError("must be a finite number, not one this large")
    return value


def non_negative(value: Any) -> int | float:
    number = finite_number(value)
    if number < 0:
        raise ValueError(f"must be ≥ 0, not {format_number(number)}")
    return number


def positive(value: Any) -> int | float:
    number = finite_number(value)
    if number <= 0:
        raise ValueError(f"must be > 0, not {format_number(number)}")
    return number


_PERCENT = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*%\s*$")


def fraction(value: Any) -> float:
    """A share in (0, 1], written as 0.8 or as 80%."""
    if isinstance(value, str):
        match = _PERCENT.match(value)
        if match is None:
            raise ValueError(f"must be a percentage like 80% or a number like 0.8, not {value!r}")
        percent = float(match.group(1))
        if percent > 100:
            raise ValueError(f"must be at most 100%, not {value.strip()}")
        if percent <= 0:
            raise ValueError(f"must be more than 0%, not {value.strip()}")
        share = round(percent / 100, 10)
        if share <= 0:  # the check is on the share as stored (and scored)
            raise ValueError(f"must be more than 0%, not {value.strip()} (it rounds to 0)")
        return share
    number = finite_number(value)
    if number > 1:
        raise ValueError(f"must be in (0, 1], not {format_number(number)} (write 80% or 0.8)")
    if number <= 0:
        raise ValueError(f"must be more than 0, not {format_number(number)}")
    return float(number)


def describe(value: Any) -> str:
    """A short phrase naming a YAML value's type, for error messages."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {shown!r}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, Sequence):
        return "a list"
    return f"a {type(value).__name__}"
