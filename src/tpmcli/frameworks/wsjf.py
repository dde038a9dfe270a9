"""WSJF (SAFe): (business value + time criticality + risk reduction) ÷ job size."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from tpmcli.frameworks.base import (
    FieldProblem,
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


class WsjfInputs(Inputs):
    #: ``model_dump()`` is the stored fields (see ``Item.inputs_for``; tests show it).
    dumps_as_stored: ClassVar[bool] = True

    business_value: NonNegative
    time_criticality: NonNegative
    risk_reduction: NonNegative
    job_size: Positive


#: SAFe's modified Fibonacci scale, for every input.
FIBONACCI = (1, 2, 3, 5, 8, 13, 20)
DEFAULT_SCALES: dict[str, tuple[float, ...] | None] = {
    "business_value": FIBONACCI,
    "time_criticality": FIBONACCI,
    "risk_reduction": FIBONACCI,
    "job_size": FIBONACCI,
}


@dataclass(frozen=True)
class WsjfFramework:
    #: Two equal instances score the same inputs alike (see ``ranking.ScoreMemo``).
    equal_scores_alike: ClassVar[bool] = True
    name: str = "wsjf"
    description: str = "WSJF (SAFe): cost of delay ÷ job size"
    inputs_model: type[WsjfInputs] = WsjfInputs
    scales: Mapping[str, tuple[float, ...] | None] = field(
        default_factory=lambda: dict(DEFAULT_SCALES)
    )

    def configure(self, settings: Mapping[str, Any]) -> Framework:
        return replace(
            self, scales=configure_scales(self.name, DEFAULT_SCALES, settings, self.inputs_model)
        )

    def check(self, inputs: WsjfInputs) -> list[FieldProblem]:
        found = (
            scale_problem(name, getattr(inputs, name, None), scale)
            for name, scale in self.scales.items()
        )
        problems = [problem for problem in found if problem is not None]
        # The value alone (no breakdown written), unless a subclass scores otherwise.
        scored = self._value if type(self).score is WsjfFramework.score else self.score
        overflow = overflow_problem(lambda: scored(inputs))
        return problems if overflow is None else [*problems, overflow]

    @staticmethod
    def _value(inputs: WsjfInputs) -> float:
        cost_of_delay = inputs.business_value + inputs.time_criticality + inputs.risk_reduction
        return round_score(cost_of_delay / inputs.job_size)

    def score(self, inputs: WsjfInputs) -> Score:
        shown = self._value(inputs)
        breakdown = (
            f"({format_number(inputs.business_value)} + {format_number(inputs.time_criticality)}"
            f" + {format_number(inputs.risk_reduction)}) ÷ {format_number(inputs.job_size)}"
            f" = {format_number(shown)}"
        )
        return Score(shown, breakdown)


WSJF = WsjfFramework()
