"""WSJF (SAFe): (business value + time criticality + risk reduction) ÷ job size."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from tpmcli.frameworks.base import ScaledFramework, scores_by_value
from tpmcli.model.scores import Score, format_number, round_score

if TYPE_CHECKING:
    from tpmcli.frameworks.input_models import WsjfInputs


def __getattr__(name: str) -> Any:
    # ``WsjfInputs`` is built on first use (see ``frameworks.input_models``).
    if name == "WsjfInputs":
        from tpmcli.frameworks.input_models import WsjfInputs

        return WsjfInputs
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: SAFe's modified Fibonacci scale, for every input.
FIBONACCI = (1, 2, 3, 5, 8, 13, 20)
DEFAULT_SCALES: dict[str, tuple[float, ...] | None] = {
    "business_value": FIBONACCI,
    "time_criticality": FIBONACCI,
    "risk_reduction": FIBONACCI,
    "job_size": FIBONACCI,
}


@dataclass(frozen=True)
class WsjfFramework(ScaledFramework):
    #: Two equal instances score the same inputs alike (see ``ranking.ScoreMemo``).
    equal_scores_alike: ClassVar[bool] = True
    name: str = "wsjf"
    description: str = "WSJF (SAFe): cost of delay ÷ job size"
    DEFAULT_SCALES: ClassVar[Mapping[str, tuple[float, ...] | None]] = DEFAULT_SCALES
    scales: Mapping[str, tuple[float, ...] | None] = field(
        default_factory=lambda: dict(DEFAULT_SCALES)
    )

    @property
    def inputs_model(self) -> type[WsjfInputs]:
        from tpmcli.frameworks.input_models import WsjfInputs

        return WsjfInputs

    @staticmethod
    def value(inputs: WsjfInputs) -> float:
        cost_of_delay = inputs.business_value + inputs.time_criticality + inputs.risk_reduction
        return round_score(cost_of_delay / inputs.job_size)

    @scores_by_value
    def score(self, inputs: WsjfInputs) -> Score:
        shown = self.value(inputs)
        breakdown = (
            f"({format_number(inputs.business_value)} + {format_number(inputs.time_criticality)}"
            f" + {format_number(inputs.risk_reduction)}) ÷ {format_number(inputs.job_size)}"
            f" = {format_number(shown)}"
        )
        return Score(shown, breakdown)


WSJF = WsjfFramework()
