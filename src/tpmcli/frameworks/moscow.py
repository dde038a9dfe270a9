"""MoSCoW (DSDM): must > should > could > wont."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from pydantic import RootModel

from tpmcli.frameworks.base import FieldProblem, Framework, SettingsError
from tpmcli.model.scores import Score

Category = Literal["must", "should", "could", "wont"]

#: A category's ordinal is its score: must 3, should 2, could 1, wont 0.
ORDINALS: dict[str, int] = {"must": 3, "should": 2, "could": 1, "wont": 0}


class MoscowInputs(RootModel[Category]):
    model_config = {"frozen": True, "strict": True}
    #: ``model_dump()`` is the root value (see ``Item.inputs_for``; tests show it).
    dumps_as_stored: ClassVar[bool] = True


@dataclass(frozen=True)
class MoscowFramework:
    #: Two equal instances score the same inputs alike (see ``ranking.ScoreMemo``).
    equal_scores_alike: ClassVar[bool] = True
    name: str = "moscow"
    description: str = "MoSCoW (DSDM): must > should > could > wont; ties by the next framework"
    inputs_model: type[MoscowInputs] = MoscowInputs

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
