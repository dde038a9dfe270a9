"""ICE for tpm: impact, confidence and ease, each rated 1–10.

The entry point ``ice = "tpm_ice:ICE"`` (group ``tpmcli.frameworks``) names the
:data:`ICE` object below, which satisfies tpm's ``Framework`` protocol: a ``name`` (also
the key items carry their ratings under), a ``description``, an ``inputs_model``
(pydantic), and ``configure``, ``check`` and ``score``.

Setting (``scales: {ice: {combination: ...}}`` in tpm.yaml): ``product`` (default)
multiplies the ratings, ``mean`` averages them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Annotated, Any, Literal

from pydantic import Field, PlainValidator, WithJsonSchema
from tpmcli.frameworks import (
    FieldProblem,
    Framework,
    Inputs,
    Score,
    SettingsError,
    format_number,
    number_within,
    round_score,
)

__all__ = ["COMBINATIONS", "ICE", "IceFramework", "IceInputs"]

Combination = Literal["product", "mean"]
COMBINATIONS: tuple[Combination, ...] = ("product", "mean")

#: A rating from 1 to 10: a finite number (not "8", not true), kept as written, with
#: tpm's own error messages ("must be ≤ 10, not 11") and a JSON Schema for editors.
Rating = Annotated[
    float,
    PlainValidator(number_within(1, 10)),
    WithJsonSchema({"type": "number", "minimum": 1, "maximum": 10}),
]


class IceInputs(Inputs):
    """An item's ``ice:`` mapping. ``Inputs`` forbids unknown keys and freezes it."""

    impact: Rating = Field(description="How much it moves the goal, 1–10")
    confidence: Rating = Field(description="How sure we are of the impact, 1–10")
    ease: Rating = Field(description="How easy it is to do, 1–10")


@dataclass(frozen=True)
class IceFramework:
    name: str = "ice"
    description: str = "ICE: impact × confidence × ease (each 1–10)"
    inputs_model: type[IceInputs] = IceInputs
    combination: Combination = "product"

    def configure(self, settings: Mapping[str, Any]) -> Framework:
        """Read ``scales.ice`` from tpm.yaml; a bad setting raises SettingsError (located
        at the setting) or ValueError, which tpm reports as configuration errors."""
        unknown = [key for key in settings if key != "combination"]
        if unknown:
            raise ValueError(f"unknown ice setting '{unknown[0]}' (known: combination)")
        combination = settings.get("combination", "product")
        if combination == "product":
            return replace(self, combination="product", description=IceFramework.description)
        if combination == "mean":
            return replace(
                self,
                combination="mean",
                description="ICE: mean of impact, confidence and ease (each 1–10)",
            )
        raise SettingsError(
            [FieldProblem(("combination",), f"must be product or mean, not {combination!r}")]
        )

    def check(self, inputs: IceInputs) -> list[FieldProblem]:
        # The model's bounds already say everything there is to say about a rating.
        return []

    def score(self, inputs: IceInputs) -> Score:
        i, c, e = inputs.impact, inputs.confidence, inputs.ease
        shown = [format_number(v) for v in (i, c, e)]
        if self.combination == "mean":
            value = round_score((i + c + e) / 3)
            return Score(value, f"({' + '.join(shown)}) ÷ 3 = {format_number(value)}")
        value = round_score(i * c * e)
        return Score(value, f"{' × '.join(shown)} = {format_number(value)}")


#: The object the entry point names.
ICE = IceFramework()
