"""The data tpm works on: items as read from files, and rankings made of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

from tpmcli.frameworks.base import Score

Position = tuple[int, int]
M = TypeVar("M", bound=BaseModel)


def construct(model: type[M], fields: dict[str, Any]) -> M:
    """What ``model.model_construct(**fields)`` makes from *every* field, already
    validated, in the model's field order, at a quarter of its cost: loading a large
    backlog builds thousands of items."""
    instance = model.__new__(model)
    object.__setattr__(instance, "__dict__", fields)
    object.__setattr__(instance, "__pydantic_fields_set__", set(fields))
    object.__setattr__(instance, "__pydantic_extra__", None)
    object.__setattr__(instance, "__pydantic_private__", None)
    return instance


class Item(BaseModel):
    """One validated backlog item. ``inputs`` maps a framework name to its validated
    inputs; positions are kept for the cross-item checks (duplicate ids, dependencies)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    id: str
    title: str
    description: str | None = None
    status: str = "proposed"
    owner: str | None = None
    tags: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    inputs: dict[str, Any] = {}
    path: str
    line: int = 1
    column: int = 1
    id_at: Position = (1, 1)
    depends_on_at: tuple[Position, ...] = ()

    def inputs_for(self, framework: str) -> dict[str, Any] | None:
        """The item's inputs for ``framework`` as plain data, or None if it has none."""
        inputs = self.inputs.get(framework)
        if inputs is None:
            return None
        dumped = inputs.model_dump()
        return dumped if isinstance(dumped, dict) else {"category": dumped}


@dataclass(frozen=True)
class RankedItem:
    rank: int
    item: Item
    score: Score
    #: The scores under every framework of ``--by`` (None where the item lacks inputs).
    scores: dict[str, Score | None]
    #: Unfinished dependencies that rank below this item (or are not ranked at all).
    blocked_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Unscored:
    item: Item
    reason: str


@dataclass(frozen=True)
class Ranking:
    by: tuple[str, ...]
    items: tuple[RankedItem, ...]
    unscored: tuple[Unscored, ...]

    @property
    def framework(self) -> str:
        return self.by[0]
