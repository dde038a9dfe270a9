"""The framework plugin contract and the number types framework inputs are made of.

A framework is any object satisfying :class:`Framework`. Built-ins and third-party
plugins alike are found through the ``tpmcli.frameworks`` entry-point group.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, PlainValidator, WithJsonSchema

#: Scores are rounded so that equal scores reached by different float paths tie
#: (and are then ordered by id) instead of being ordered by rounding noise.
SCORE_DECIMALS = 6


@dataclass(frozen=True)
class Score:
    """A framework's verdict on one item."""

    value: float
    breakdown: str
    label: str | None = None


@dataclass(frozen=True)
class FieldProblem:
    """A problem with one input, ``field`` relative to the framework's key."""

    field: tuple[str | int, ...]
    message: str


@runtime_checkable
class Framework(Protocol):
    """What tpm needs of a prioritisation framework.

    ``name`` is also the key under which items carry the inputs, ``inputs_model``
    validates that value (a pydantic model; strict, no coercion), ``configure`` returns
    a copy using the settings from ``tpm.yaml``'s ``scales:`` (raising ``ValueError``
    with a readable message for bad settings), ``check`` reports inputs that are valid
    numbers but off the configured scale, and ``score`` scores valid inputs.
    """

    @property
    def name(self) -> str: ...

    @property
    def description(self) -> str: ...

    @property
    def inputs_model(self) -> type[BaseModel]: ...

    def configure(self, settings: Mapping[str, Any]) -> Framework: ...

    def check(self, inputs: Any) -> list[FieldProblem]: ...

    def score(self, inputs: Any) -> Score: ...


#: What a framework name may look like: it is the key items carry its inputs under.
FRAMEWORK_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")

#: Item keys that are not frameworks: a framework by one of these names would collide.
ITEM_KEYS = frozenset(
    {"id", "title", "description", "status", "owner", "tags", "depends_on", "extra", "items"}
)


def framework_name_problem(name: object) -> str | None:
    """Why ``name`` cannot name a framework, or None when it can."""
    if not isinstance(name, str) or not FRAMEWORK_NAME.match(name):
        return "a framework name may contain only letters, digits, '_' and '-'"
    if name.startswith("x-"):
        return "a framework name must not start with 'x-' (items ignore x- keys)"
    if name in ITEM_KEYS:
        return f"'{name}' is an item key, not available as a framework name"
    return None


def round_score(value: float) -> float:
    return round(value, SCORE_DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0


def format_number(value: float) -> str:
    """Short human form: 640 for 640.0, 2.67 for 2.6666…, 0.25 for 0.25."""
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text if text not in ("0", "-0") else f"{value:.2g}"


_LARGEST_FLOAT = int(sys.float_info.max)


def _number(value: Any) -> int | float:
    # bool is an int subclass: ``true`` must not pass for 1.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"must be a number, not {describe(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"must be a finite number, not {value}")
    if isinstance(value, int) and abs(value) > _LARGEST_FLOAT:
        # Scores are computed in floats: a larger int would overflow mid-formula.
        raise ValueError("must be a finite number, not one this large")
    return value


def _non_negative(value: Any) -> int | float:
    number = _number(value)
    if number < 0:
        raise ValueError(f"must be ≥ 0, not {format_number(number)}")
    return number


def _positive(value: Any) -> int | float:
    number = _number(value)
    if number <= 0:
        raise ValueError(f"must be > 0, not {format_number(number)}")
    return number


def number_within(
    minimum: float | None = None, maximum: float | None = None
) -> Callable[[Any], int | float]:
    """A validator for a finite number in [minimum, maximum], for ``PlainValidator``.

    The number is kept as written (8 stays 8, not 8.0). Plugins use it to speak like
    tpm's own inputs: ``Annotated[float, PlainValidator(number_within(1, 10))]``.
    """

    def validate(value: Any) -> int | float:
        number = _number(value)
        as_float = float(number)
        if minimum is not None and as_float < minimum:
            raise ValueError(f"must be ≥ {format_number(minimum)}, not {format_number(number)}")
        if maximum is not None and as_float > maximum:
            raise ValueError(f"must be ≤ {format_number(maximum)}, not {format_number(number)}")
        return number

    return validate


_PERCENT = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*%\s*$")


def _fraction(value: Any) -> float:
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
        return round(percent / 100, 10)
    number = _number(value)
    if number > 1:
        raise ValueError(f"must be in (0, 1], not {format_number(number)} (write 80% or 0.8)")
    if number <= 0:
        raise ValueError(f"must be more than 0, not {format_number(number)}")
    return float(number)


NonNegative = Annotated[
    float,
    PlainValidator(_non_negative),
    WithJsonSchema({"type": "number", "minimum": 0}),
]
Positive = Annotated[
    float,
    PlainValidator(_positive),
    WithJsonSchema({"type": "number", "exclusiveMinimum": 0}),
]
Fraction = Annotated[
    float,
    PlainValidator(_fraction),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                {"type": "string", "pattern": r"^\s*[0-9]+(\.[0-9]+)?\s*%\s*$"},
            ]
        }
    ),
]


class Inputs(BaseModel):
    """Base of framework input models: frozen, no unknown keys, no coercion."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


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


def parse_scale(raw: Any, what: str) -> tuple[float, ...] | None:
    """A configured scale: a list of allowed numbers, or null for "any valid value"."""
    if raw is None:
        return None
    if not isinstance(raw, list) or not raw:
        raise ValueError(f"{what} must be a non-empty list of numbers or null")
    values = []
    for entry in raw:
        try:
            values.append(_number(entry))
        except ValueError as exc:
            raise ValueError(f"{what}: every entry {exc}") from None
    return tuple(values)


def scale_problem(field: str, value: float, scale: tuple[float, ...] | None) -> FieldProblem | None:
    if scale is None or value in scale:
        return None
    allowed = ", ".join(format_number(v) for v in scale)
    return FieldProblem((field,), f"{format_number(value)} is not on the {field} scale ({allowed})")


def configure_scales(
    framework_name: str,
    defaults: Mapping[str, tuple[float, ...] | None],
    settings: Mapping[str, Any],
) -> dict[str, tuple[float, ...] | None]:
    """Merge ``scales.<framework>`` settings over a framework's default scales."""
    scales = dict(defaults)
    for key, raw in settings.items():
        if key not in defaults:
            known = ", ".join(defaults)
            raise ValueError(f"unknown {framework_name} scale '{key}' (known: {known})")
        scales[key] = parse_scale(raw, f"scales.{framework_name}.{key}")
    return scales
