"""RICE (Intercom): reach × impact × confidence ÷ effort."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from tpmcli.frameworks.base import (
    FieldProblem,
    Fraction,
    Framework,
    Inputs,
    NonNegative,
    Positive,
    Score,
    configure_scales,
    format_number,
    overflow_problem,
    round_score,
    scale_problem,
)


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
class RiceFramework:
    #: Two equal instances score the same inputs alike (see ``ranking.ScoreMemo``).
    equal_scores_alike: ClassVar[bool] = True
    name: str = "rice"
    description: str = "RICE (Intercom): reach × impact × confidence ÷ effort"
    inputs_model: type[RiceInputs] = RiceInputs
    scales: Mapping[str, tuple[float, ...] | None] = field(
        default_factory=lambda: dict(DEFAULT_SCALES)
    )

    def configure(self, settings: Mapping[str, Any]) -> Framework:
        return replace(
            self, scales=configure_scales(self.name, DEFAULT_SCALES, settings, self.inputs_model)
        )

    def check(self, inputs: RiceInputs) -> list[FieldProblem]:
        found = (
            scale_problem(name, getattr(inputs, name, None), scale)
            for name, scale in self.scales.items()
        )
        problems = [problem for problem in found if problem is not None]
        # The value alone (no breakdown written), unless a subclass scores otherwise.
        scored = self._value if type(self).score is RiceFramework.score else self.score
        overflow = overflow_problem(lambda: scored(inputs))
        return problems if overflow is None else [*problems, overflow]

    @staticmethod
    def _value(inputs: RiceInputs) -> float:
        return round_score(inputs.reach * inputs.impact * inputs.confidence / inputs.effort)

    def score(self, inputs: RiceInputs) -> Score:
        shown = self._value(inputs)
        breakdown = (
            f"{format_number(inputs.reach)} × {format_number(inputs.impact)} × "
            f"{format_number(inputs.confidence)} ÷ {format_number(inputs.effort)} = "
            f"{format_number(shown)}"
        )
        return Score(shown, breakdown)


RICE = RiceFramework()
