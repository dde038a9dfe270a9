"""The order ``lanes`` fills its lanes in, on candidates' positions (their ranks).

Standard library only, like ``lanes``: a rank-stable topological order, and for each
item held back by an unestimated one, which.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence


def topological_order(sequence: Sequence[int], dependencies: Sequence[Sequence[int]]) -> list[int]:
    """Repeatedly the first item of ``sequence`` (candidates' positions) whose
    dependencies (``dependencies[position]``) are all placed. Dependencies outside
    ``sequence`` count as placed. Items on or behind a cycle are never placed: the
    order is then shorter than ``sequence``.

    O(e + n log n) rather than a rescan of the sequence after every placement, and
    linear when few items wait: the items come in the order of the sequence, but for
    one that waits, which comes as soon as its last dependency is placed (those that
    became ready meanwhile, all behind the item just placed, wait in a heap of
    positions: the best first)."""
    at_of = dict(zip(sequence, range(len(sequence)), strict=True))
    waiting = [0] * len(sequence)
    dependents: dict[int, list[int]] = {}
    for at, candidate in enumerate(sequence):
        links = dependencies[candidate]
        if not links:
            continue
        for dependency in links:
            found = at_of.get(dependency)
            if found is not None:
                waiting[at] += 1
                dependents.setdefault(found, []).append(at)
    order: list[int] = []
    passed_and_ready: list[int] = []
    for at, candidate in enumerate(sequence):
        if waiting[at]:
            continue  # it comes when its last dependency is placed
        order.append(candidate)
        ready = dependents.get(at)
        while ready or passed_and_ready:
            for dependent in ready or ():
                waiting[dependent] -= 1
                if waiting[dependent] == 0 and dependent < at:
                    heapq.heappush(passed_and_ready, dependent)
            ready = None
            if passed_and_ready:
                placed = heapq.heappop(passed_and_ready)
                order.append(sequence[placed])
                ready = dependents.get(placed)
    return order


def unestimated_blockers(
    efforts: Sequence[float | None],
    in_order: Sequence[int],
    dependencies: Sequence[Sequence[int]],
) -> dict[int, int]:
    """For each item that depends, directly or through others, on an item without an
    effort: the best-ranked such item (positions are ranks), the one named in its
    reason. ``in_order``: the candidates, each after its dependencies."""
    blocker: dict[int, int] = {}
    # Dependencies first, so each item's blocker follows from those of its dependencies.
    for candidate in in_order:
        found: int | None = None
        for dependency in dependencies[candidate]:
            for reached in (
                dependency if efforts[dependency] is None else None,
                blocker.get(dependency),
            ):
                if reached is not None and (found is None or reached < found):
                    found = reached
        if found is not None:
            blocker[candidate] = found
    return blocker
