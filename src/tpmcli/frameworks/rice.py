"""RICE (Intercom): reach × impact × confidence ÷ effort."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from tpmcli.frameworks.base import (
    Fraction,
    Inputs,
    NonNegative,
    Positive,
    ScaledFramework,
    scores_by_value,
)
from tpmcli.model.scores import Score, format_number, round_score


class RiceInputs(Inputs):
    #: ``model_dump()`` is the stored fields (see ``Item.inputs_for``; tests show it).
    dumps_as_stored: ClassVar[bool] = True

    reach: NonNegative
    impact: NonNegative
    confidence: Fraction
    effort: Positive


#: Intercom's scales: impact 3 massive … 0.25 minimal; any confidence in (0, 1].
DEFAULT_SCALES: dict[str, tuple[float, ...] | None] = {
    "impact": (3, 2, 1, 0.5, 0.25),
    "confidence": None,
}


@dataclass(frozen=True)
class RiceFramework(ScaledFramework):
    #: Two equal instances score the same inputs alike (see ``ranking.ScoreMemo``).
    equal_scores_alike: ClassVar[bool] = True
    name: str = "rice"
    description: str = "RICE (Intercom): reach × impact × confidence ÷ effort"
    DEFAULT_SCALES: ClassVar[Mapping[str, tuple[float, ...] | None]] = DEFAULT_SCALES
    inputs_model: type[RiceInputs] = RiceInputs
    scales: Mapping[str, tuple[float, ...] | None] = field(
        default_factory=lambda: dict(DEFAULT_SCALES)
    )

    @staticmethod
    def value(inputs: RiceInputs) -> float:
        return round_score(inputs.reach * inputs.impact * inputs.confidence / inputs.effort)

    @scores_by_value
    def score(self, inputs: RiceInputs) -> Score:
        shown = self.value(inputs)
        breakdown = (
            f"{format_number(inputs.reach)} × {format_number(inputs.impact)} × "
            f"{format_number(inputs.confidence)} ÷ {format_number(inputs.effort)} = "
            f"{format_number(shown)}"
        )
        return Score(shown, breakdown)


RICE = RiceFramework()
