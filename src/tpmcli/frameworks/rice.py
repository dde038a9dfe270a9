"""RICE (Intercom): reach × impact × confidence ÷ effort."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from tpmcli.frameworks.base import ScaledFramework, scores_by_value
from tpmcli.model.scores import Score, format_number, round_score

if TYPE_CHECKING:
    from tpmcli.frameworks.input_models import RiceInputs


def __getattr__(name: str) -> Any:
    # ``RiceInputs`` is built on first use (see ``frameworks.input_models``).
    if name == "RiceInputs":
        from tpmcli.frameworks.input_models import RiceInputs

        return RiceInputs
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    scales: Mapping[str, tuple[float, ...] | None] = field(
        default_factory=lambda: dict(DEFAULT_SCALES)
    )

    @property
    def inputs_model(self) -> type[RiceInputs]:
        from tpmcli.frameworks.input_models import RiceInputs

        return RiceInputs

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
