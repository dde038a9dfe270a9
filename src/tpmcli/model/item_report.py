"""One item as ``tpm show`` reports it: its score under each framework it has inputs
for, and its rank there."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tpmcli.model.items import Item
from tpmcli.model.scores import Score


@dataclass(frozen=True)
class RaterScore:
    """One rater's inputs for a framework (point values) and their score (their
    missing inputs filled with the aggregate)."""

    name: str
    inputs: dict[str, float]
    score: float


@dataclass(frozen=True)
class FrameworkScore:
    framework: str
    description: str
    score: Score
    inputs: dict[str, Any]
    #: The item's place in ``tpm rank -f framework`` (None: that ranking leaves it out).
    rank: int | None
    #: How many items that ranking ranks.
    ranked: int
    #: The ranged inputs as written (``inputs`` holds their point values).
    ranges: dict[str, dict[str, float]] = field(default_factory=dict)
    #: Each rater's inputs and score (none: the item has no ratings for it).
    raters: tuple[RaterScore, ...] = ()
    #: Population sd ÷ mean of the raters' scores (None: no raters, or a mean of 0).
    disagreement: float | None = None
    #: Whether ``disagreement`` reaches tpm.yaml's ``ratings.split_at``.
    split: bool = False


@dataclass(frozen=True)
class ItemReport:
    item: Item
    scores: tuple[FrameworkScore, ...]
    excluded: bool
