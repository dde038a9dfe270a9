"""One item as ``tpm show`` reports it: its score under each framework it has inputs
for, and its rank there."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tpmcli.model.items import Item
from tpmcli.model.scores import Score


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


@dataclass(frozen=True)
class ItemReport:
    item: Item
    scores: tuple[FrameworkScore, ...]
    excluded: bool
