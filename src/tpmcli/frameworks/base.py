"""The framework plugin contract and the number types framework inputs are made of.

A framework is any object satisfying :class:`Framework`. Built-ins and third-party
plugins alike are found through the ``tpmcli.frameworks`` entry-point group. The
number types (``NonNegative``, ``Positive``, ``Fraction``) and ``Inputs`` are
pydantic's, defined in ``input_models`` and given from here on first use; their rules
are ``numbers``' plain functions.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

# Re-exported: ``describe`` names a value's type in messages everywhere.
from tpmcli.frameworks.numbers import describe as describe
from tpmcli.frameworks.numbers import finite_number, non_negative

# Re-exported: plugins import the score types from here.
from tpmcli.model.scores import Score, format_number

if TYPE_CHECKING:
    from pydantic import BaseModel


#: The pydantic parts of the contract, built on first use (``input_models``): a run
#: that validates nothing with pydantic (the edit loop's) does not import pydantic's
#: model machinery.
_MODELS = frozenset({"Inputs", "NonNegative", "Positive", "Fraction"})


def __getattr__(name: str) -> Any:
    if name in _MODELS:
        from tpmcli.frameworks import input_models

        return getattr(input_models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class FieldProblem:
    """A problem with one input or setting, ``field`` relative to the framework's key.

    ``message`` reads after the dotted key, as in ``rice.impact must be one of 3, 2, 1,
    0.5 or 0.25, not 4``; ``on_key`` places the problem on the key rather than its value
    (for unknown keys).
    """

    field: tuple[str | int, ...]
    message: str
    on_key: bool = False


class SettingsError(ValueError):
    """Bad ``scales:`` settings for one framework, each problem relative to them."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(problem.message for problem in self.problems))


@runtime_checkable
class Framework(Protocol):
    """What tpm needs of a prioritisation framework.

    ``name`` is also the key under which items carry the inputs, ``inputs_model``
    validates that value (a pydantic model; strict, no coercion), ``configure`` returns
    a copy using the settings from ``tpm.yaml``'s ``scales:`` (raising ``SettingsError``,
    or a ``ValueError`` with a readable message, for bad settings), ``check`` reports
    inputs that are valid numbers but off the configured scale, and ``score`` scores
    valid inputs.

    ``check`` is also given partial inputs (built with ``model_construct``) when some
    fields failed validation, so that off-scale neighbours are reported in the same
    run: it should check the fields that are present and skip the missing ones.
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


def number_within(
    minimum: float | None = None, maximum: float | None = None
) -> Callable[[Any], int | float]:
    """A validator for a finite number in [minimum, maximum], for ``PlainValidator``.

    The number is kept as written (8 stays 8, not 8.0). Plugins use it to speak like
    tpm's own inputs: ``Annotated[float, PlainValidator(number_within(1, 10))]``.
    """

    def validate(value: Any) -> int | float:
        number = finite_number(value)
        as_float = float(number)
        if minimum is not None and as_float < minimum:
            raise ValueError(f"must be ≥ {format_number(minimum)}, not {format_number(number)}")
        if maximum is not None and as_float > maximum:
            raise ValueError(f"must be ≤ {format_number(maximum)}, not {format_number(number)}")
        return number

    return validate


def parse_scale(raw: Any, key: str) -> tuple[tuple[float, ...] | None, list[FieldProblem]]:
    """A configured scale: a list of allowed numbers, or null for "any valid value"."""
    if raw is None:
        return None, []
    if not isinstance(raw, list) or not raw:
        return None, [
            FieldProblem(
                (key,), f"must be a non-empty list of numbers or null, not {describe(raw)}"
            )
        ]
    values: list[float] = []
    problems: list[FieldProblem] = []
    for index, entry in enumerate(raw):
        try:
            values.append(non_negative(entry))
        except ValueError as exc:
            problems.append(FieldProblem((key, index), str(exc)))
    return tuple(values), problems


def one_of(values: Sequence[object]) -> str:
    """``3, 2, 1 or 0.5``: the allowed values of a message."""
    shown = [format_number(v) if isinstance(v, (int, float)) else str(v) for v in values]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"


def scale_problem(
    field: str, value: float | None, scale: tuple[float, ...] | None
) -> FieldProblem | None:
    """The problem of ``value`` being off ``scale`` (None: not given, or any value goes)."""
    if value is None or scale is None or value in scale:
        return None
    return FieldProblem((field,), f"must be one of {one_of(scale)}, not {format_number(value)}")


def configure_scales(
    framework_name: str,
    defaults: Mapping[str, tuple[float, ...] | None],
    settings: Mapping[str, Any],
    inputs_model: type[BaseModel] | None = None,
) -> dict[str, tuple[float, ...] | None]:
    """Merge ``scales.<framework>`` settings over a framework's default scales;
    every bad setting is reported at once (``SettingsError``). With ``inputs_model``,
    each entry must itself be a valid input (a confidence scale of ``[2]`` is not)."""
    scales = dict(defaults)
    problems: list[FieldProblem] = []
    for key, raw in settings.items():
        if key not in defaults:
            known = ", ".join(defaults)
            close = difflib.get_close_matches(str(key), list(defaults), n=1, cutoff=0.75)
            hint = f" (did you mean '{close[0]}'?)" if close else f" (known: {known})"
            problems.append(
                FieldProblem((str(key),), f"is not a {framework_name} scale{hint}", on_key=True)
            )
            continue
        scales[key], found = parse_scale(raw, key)
        problems.extend(found)
        if not found and inputs_model is not None:
            from tpmcli.frameworks.input_models import off_input_entries

            found_off = off_input_entries(inputs_model, key, scales[key])
            problems += [FieldProblem((key, index), reason) for index, reason in found_off]
    if problems:
        raise SettingsError(problems)
    return scales


def overflow_problem(score: Callable[[], Score | float]) -> FieldProblem | None:
    """A problem when valid but huge inputs (``reach: 1e308``) make a score infinite:
    an infinite score cannot be ranked, nor written as JSON. ``score`` gives the Score,
    or just its value (cheaper: no breakdown is written)."""
    try:
        result = score()
        value = result.value if isinstance(result, Score) else result
    except (AttributeError, TypeError):  # partial inputs: their own problems are reported
        return None
    except (OverflowError, ZeroDivisionError):
        value = math.inf
    if math.isfinite(value):
        return None
    return FieldProblem((), "cannot be scored: the result is too large for a number")


def scores_by_value(score: Callable[[Any, Any], Score]) -> Callable[[Any, Any], Score]:
    """Marks a ``score`` that is ``value`` plus a breakdown, so that ``check`` may
    compute the value alone (a subclass that scores otherwise is checked by its own)."""
    score.by_value = True  # type: ignore[attr-defined]
    return score


class ScaledFramework:
    """The configuration and checks of a built-in framework whose inputs may be held
    to scales from tpm.yaml (RICE, WSJF): one definition for both.

    A subclass is a frozen dataclass with ``name`` and ``scales`` fields, an
    ``inputs_model`` property (the model built on first use), ``DEFAULT_SCALES``, a
    static ``value`` and a ``score``."""

    DEFAULT_SCALES: ClassVar[Mapping[str, tuple[float, ...] | None]]
    name: str
    description: str
    scales: Mapping[str, tuple[float, ...] | None]

    @property
    def inputs_model(self) -> type[BaseModel]:
        raise NotImplementedError

    @staticmethod
    def value(inputs: Any) -> float:
        raise NotImplementedError

    def score(self, inputs: Any) -> Score:
        raise NotImplementedError

    def configure(self, settings: Mapping[str, Any]) -> Framework:
        scales = configure_scales(self.name, self.DEFAULT_SCALES, settings, self.inputs_model)
        configured: Framework = replace(self, scales=scales)  # type: ignore[type-var]
        return configured

    def check(self, inputs: Any) -> list[FieldProblem]:
        found = (
            scale_problem(name, getattr(inputs, name, None), scale)
            for name, scale in self.scales.items()
        )
        problems = [problem for problem in found if problem is not None]
        by_value = getattr(type(self).score, "by_value", False)
        scored: Callable[[], Score | float] = (
            (lambda: self.value(inputs)) if by_value else (lambda: self.score(inputs))
        )
        overflow = overflow_problem(scored)
        return problems if overflow is None else [*problems, overflow]
