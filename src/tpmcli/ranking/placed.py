"""An item placed in a lane, and a lane's items, made as they are read.

A plan of thousands of items is mostly counted rather than shown (``tpm roadmap``'s
table shows 50 a lane), so a lane holds its items as positions into the plan's columns
and makes each ``Placed`` when it is read: all of them for JSON, a screenful for the
table. Standard library only, like ``lanes``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import overload


@dataclass(frozen=True)
class Placed:
    id: str
    rank: int
    effort: float
    #: Larger than the whole lane: it sits alone in a lane that was empty when it came.
    over_capacity: bool


class PlacedItems(Sequence[Placed]):
    """A lane's items in order: the candidates at ``positions`` of the columns ``ids``,
    ``ranks`` and ``efforts`` (tuples: nothing changes them), each ``over_capacity``
    or not. Immutable, and equal to (and hashed as) the tuple of its items."""

    __slots__ = ("_efforts", "_ids", "_over_capacity", "_positions", "_ranks")

    def __init__(
        self,
        ids: tuple[str, ...],
        ranks: tuple[int, ...],
        efforts: tuple[float, ...],
        positions: Sequence[int],
        over_capacity: bool,
    ) -> None:
        self._ids, self._ranks, self._efforts = ids, ranks, efforts
        self._positions = tuple(positions)
        self._over_capacity = over_capacity

    def __len__(self) -> int:
        return len(self._positions)

    @overload
    def __getitem__(self, index: int) -> Placed: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Placed, ...]: ...

    def __getitem__(self, index: int | slice) -> Placed | tuple[Placed, ...]:
        if isinstance(index, slice):
            return tuple(self._made(self._positions[index]))
        return next(self._made((self._positions[index],)))

    def __iter__(self) -> Iterator[Placed]:
        return self._made(self._positions)

    def _made(self, positions: Sequence[int]) -> Iterator[Placed]:
        return map(
            Placed,
            map(self._ids.__getitem__, positions),
            map(self._ranks.__getitem__, positions),
            map(self._efforts.__getitem__, positions),
            repeat(self._over_capacity),
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (tuple, PlacedItems)):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))
