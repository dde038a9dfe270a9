"""MoSCoW (DSDM): must > should > could > wont."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from tpmcli.frameworks.base import FieldProblem, Framework, SettingsError
from tpmcli.model.scores import Score

if TYPE_CHECKING:
    from tpmcli.frameworks.input_models import MoscowInputs


def __getattr__(name: str) -> Any:
    # The model is built on first use (see ``frameworks.input_models``).
    if name in ("MoscowInputs", "Category"):
        from tpmcli.frameworks import input_models

        return getattr(input_models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: A category's ordinal is its score: must 3, should 2, could 1, wont 0.
ORDINALS: dict[str, int] = {"must": 3, "should": 2, "could": 1, "wont": 0}


@dataclass(frozen=True)
class MoscowFramework:
    #: Two equal instances score the same inputs alike (see ``ranking.ScoreMemo``).
    equal_scores_alike: ClassVar[bool] = True
    name: str = "moscow"
    description: str = "MoSCoW (DSDM): must > should > could > wont; ties by the next framework"

    @property
    def inputs_model(self) -> type[MoscowInputs]:
        from tpmcli.frameworks.input_models import MoscowInputs

        return MoscowInputs

    def configure(self, settings: Mapping[str, Any]) -> Framework:
        if settings:
            raise SettingsError([FieldProblem((), "must be empty: moscow has no scales")])
        return self

    def check(self, inputs: MoscowInputs) -> list[FieldProblem]:
        return []

    def score(self, inputs: MoscowInputs) -> Score:
        category = inputs.root
        return Score(float(ORDINALS[category]), f"{category} = {ORDINALS[category]}", category)


MOSCOW = MoscowFramework()
