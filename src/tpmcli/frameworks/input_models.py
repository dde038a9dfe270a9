"""The pydantic side of the framework contract: the number types inputs are made of,
the ``Inputs`` base, and the built-in frameworks' input models (their rules are
``numbers``' plain functions).

Kept apart from ``base`` and built on first use (``RiceFramework.inputs_model`` and
the like): a run whose items are all validated without pydantic (the edit loop's,
see ``project.plain_items``) never imports pydantic's model machinery; that
validation calls the very same rules.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    PlainValidator,
    RootModel,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
)

from tpmcli.frameworks.numbers import fraction, non_negative, positive

NonNegative = Annotated[
    float,
    PlainValidator(non_negative),
    WithJsonSchema({"type": "number", "minimum": 0}),
]
Positive = Annotated[
    float,
    PlainValidator(positive),
    WithJsonSchema({"type": "number", "exclusiveMinimum": 0}),
]
Fraction = Annotated[
    float,
    PlainValidator(fraction),
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


class RiceInputs(Inputs):
    #: ``model_dump()`` is the stored fields (see ``Item.inputs_for``; tests show it).
    dumps_as_stored: ClassVar[bool] = True

    reach: NonNegative
    impact: NonNegative
    confidence: Fraction
    effort: Positive


class WsjfInputs(Inputs):
    #: ``model_dump()`` is the stored fields (see ``Item.inputs_for``; tests show it).
    dumps_as_stored: ClassVar[bool] = True

    business_value: NonNegative
    time_criticality: NonNegative
    risk_reduction: NonNegative
    job_size: Positive


Category = Literal["must", "should", "could", "wont"]


class MoscowInputs(RootModel[Category]):
    model_config = {"frozen": True, "strict": True}
    #: ``model_dump()`` is the root value (see ``Item.inputs_for``; tests show it).
    dumps_as_stored: ClassVar[bool] = True


def off_input_entries(
    inputs_model: type[BaseModel], key: str, scale: tuple[float, ...] | None
) -> list[tuple[int, str]]:
    """Scale entries that an item could never use (each must pass the input's own
    rules): their indexes and why."""
    field = inputs_model.model_fields.get(key)
    if field is None or scale is None:
        return []
    # Annotated[X, *metadata] spelled for Python 3.10, which has no star in subscripts.
    annotated = Annotated.__class_getitem__((field.annotation, *field.metadata))  # type: ignore[attr-defined]
    adapter: TypeAdapter[Any] = TypeAdapter(annotated)
    problems = []
    for index, entry in enumerate(scale):
        try:
            adapter.validate_python(entry)
        except ValidationError as exc:
            reason = exc.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
            problems.append((index, reason))
    return problems
