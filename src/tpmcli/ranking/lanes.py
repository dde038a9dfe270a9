"""Pure roadmap planning behind ``tpm roadmap``: ranked candidates into now / next / later.

The order is in-progress items first, then the ranking, made dependency-safe by a
rank-stable topological order (repeatedly the first item of that sequence whose
dependencies are all placed). The lanes then fill in that order without skipping: an item
that does not fit what is left of a lane closes it, so an item never lands in an earlier
lane than anything before it, its dependencies included.

Standard library only (and the MoSCoW categories of ``estimates``): the module knows
nothing of items, frameworks or rendering, so the CLI, ``tpm diff`` and ``tpm report``
can all plan from the same plain values.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from operator import attrgetter

from tpmcli.ranking.cycles import find_cycle
from tpmcli.ranking.estimates import MOSCOW_COUNTED, MOSCOW_VALUES

#: DSDM: the Musts should be at most 60% of a timebox's effort; above that is a warning.
MUST_SHARE_LIMIT = Fraction(3, 5)

LANE_NAMES = ("now", "next", "later")


@dataclass(frozen=True)
class Candidate:
    """One ranked item as planning sees it. ``rank`` is its 1-based place in the ranking;
    ``effort`` None means it has no estimate; ``moscow`` is must/should/could/wont or None."""

    id: str
    rank: int
    in_progress: bool
    effort: float | None
    depends_on: tuple[str, ...]
    moscow: str | None


@dataclass(frozen=True)
class Placed:
    id: str
    rank: int
    effort: float
    #: Larger than the whole lane: it sits alone in a lane that was empty when it came.
    over_capacity: bool


@dataclass(frozen=True)
class MoscowShare:
    """Fractions (0.6, not 60) of the lane's must + should + could effort."""

    must: float
    should: float
    could: float


@dataclass(frozen=True)
class Lane:
    name: str
    #: None for ``later``, which is unbounded.
    capacity: float | None
    used: float
    #: None when the lane holds no must/should/could effort to share out.
    moscow_share: MoscowShare | None
    items: tuple[Placed, ...]
    must_share_exceeded: bool


@dataclass(frozen=True)
class Unplanned:
    id: str
    reason: str


@dataclass(frozen=True)
class Roadmap:
    #: Always three: now, next, later.
    lanes: tuple[Lane, ...]
    #: In rank order.
    unestimated: tuple[Unplanned, ...]


class DependencyCycle(Exception):
    """The candidates' dependencies loop; ``cycle`` starts and ends at its best-ranked item."""

    def __init__(self, cycle: tuple[str, ...]) -> None:
        super().__init__(cycle)
        self.cycle = cycle

    def __str__(self) -> str:
        return "dependency cycle: " + " -> ".join(self.cycle)


def plan_roadmap(
    candidates: Sequence[Candidate],
    capacities: tuple[float, float | None],
    *,
    effort_field: str,
) -> Roadmap:
    """Place ``candidates`` (the ranking) into the lanes now (capacity ``capacities[0]``),
    next (``capacities[1]``, default the first) and later (unbounded). ``effort_field``
    is the effort's display name (``rice.effort``) for the reasons of unestimated items.

    Raises DependencyCycle when the candidates' dependencies loop, and ValueError for
    input that upstream validation should have refused (duplicate ids, an effort or
    capacity that is negative or not finite, an unknown MoSCoW category)."""
    now_capacity, next_capacity = capacities
    lane_capacities = (
        _checked_capacity(now_capacity),
        _checked_capacity(now_capacity if next_capacity is None else next_capacity),
        None,
    )
    # Sorted (stably) so that "best-ranked" means the same wherever it is used, however
    # the caller ordered the sequence.
    ranked = sorted(candidates, key=attrgetter("rank"))
    known = {candidate.id for candidate in ranked}
    _check_candidates(ranked, known)
    # A dependency outside the candidates is done or not selected: it holds nothing back.
    dependencies = {
        candidate.id: tuple(dict.fromkeys(d for d in candidate.depends_on if d in known))
        if candidate.depends_on
        else ()
        for candidate in ranked
    }
    # A topological order of every candidate is the cheap test that there is no cycle;
    # when it gets stuck, the cycle is looked for among all candidates, so that the error
    # names a real cycle rather than whatever the stuck loop happens to have left over.
    # When every candidate has an estimate, the order the lanes fill in (all of them,
    # in-progress first) is that test, and the blockers' search has nothing to find.
    estimated = all(candidate.effort is not None for candidate in ranked)
    waits_for: dict[str, str] = {}
    unestimated: tuple[Unplanned, ...] = ()
    if not estimated:
        in_order = _topological_order(ranked, dependencies)
        if len(in_order) != len(ranked):
            raise _cycle_among(ranked, dependencies)
        waits_for = _unestimated_blockers(ranked, in_order, dependencies)
        unestimated = tuple(
            Unplanned(
                candidate.id,
                f"no {effort_field} estimate"
                if candidate.effort is None
                else f"waits for unestimated {waits_for[candidate.id]!r}",
            )
            for candidate in ranked
            if candidate.id in waits_for or candidate.effort is None
        )
    placeable = [c for c in ranked if c.effort is not None and c.id not in waits_for]
    sequence = [c for c in placeable if c.in_progress] + [c for c in placeable if not c.in_progress]
    order = _topological_order(sequence, dependencies)
    if len(order) != len(sequence):
        if estimated:
            raise _cycle_among(ranked, dependencies)
        raise AssertionError("_topological_order was given a dependency cycle")
    return Roadmap(_fill_lanes(order, lane_capacities), unestimated)


def _cycle_among(
    ranked: Sequence[Candidate], dependencies: Mapping[str, Sequence[str]]
) -> DependencyCycle:
    cycle = find_cycle([candidate.id for candidate in ranked], dependencies)
    assert cycle is not None
    return DependencyCycle(cycle)


def _topological_order(
    sequence: Sequence[Candidate], dependencies: Mapping[str, Sequence[str]]
) -> list[Candidate]:
    """Repeatedly the first item of ``sequence`` whose dependencies are all placed.
    Dependencies outside ``sequence`` count as placed. Items on or behind a cycle are
    never placed: the order is then shorter than ``sequence``.

    O(e + n log n) rather than a rescan of the sequence after every placement, and
    linear when few items wait: the next item is the first ready one at or after
    ``scan``, unless an item that ``scan`` passed while it waited has since become
    ready (those, all before ``scan``, wait in a heap of positions and come first)."""
    position = {candidate.id: index for index, candidate in enumerate(sequence)}
    waiting = [0] * len(sequence)
    dependents: dict[int, list[int]] = {}
    for index, candidate in enumerate(sequence):
        links = dependencies.get(candidate.id)
        if not links:
            continue
        for dependency in dict.fromkeys(links):
            at = position.get(dependency)
            if at is not None:
                waiting[index] += 1
                dependents.setdefault(at, []).append(index)
    size = len(sequence)
    passed_and_ready: list[int] = []
    scan = 0
    order: list[Candidate] = []
    while True:
        if passed_and_ready:
            index = heapq.heappop(passed_and_ready)
        else:
            while scan < size and waiting[scan]:
                scan += 1
            if scan == size:
                return order
            index = scan
            scan += 1
        order.append(sequence[index])
        for dependent in dependents.get(index, ()):
            waiting[dependent] -= 1
            if waiting[dependent] == 0 and dependent < scan:
                heapq.heappush(passed_and_ready, dependent)


def _unestimated_blockers(
    ranked: Sequence[Candidate],
    in_order: Sequence[Candidate],
    dependencies: Mapping[str, Sequence[str]],
) -> dict[str, str]:
    """For each item that depends, directly or through others, on an item without an
    effort: the best-ranked such item, the one named in its reason. ``in_order``: the
    candidates, each after its dependencies."""
    rank_of = {candidate.id: index for index, candidate in enumerate(ranked)}
    unestimated = {candidate.id for candidate in ranked if candidate.effort is None}
    if not unestimated:
        return {}
    blocker: dict[str, str] = {}
    # Dependencies first, so each item's blocker follows from those of its dependencies.
    for candidate in in_order:
        found: str | None = None
        for dependency in dependencies[candidate.id]:
            for reached in (
                dependency if dependency in unestimated else None,
                blocker.get(dependency),
            ):
                if reached is not None and (found is None or rank_of[reached] < rank_of[found]):
                    found = reached
        if found is not None:
            blocker[candidate.id] = found
    return blocker


def _fill_lanes(
    order: Sequence[Candidate], capacities: tuple[float, float, None]
) -> tuple[Lane, ...]:
    # Exact sums of the numbers as written (``_exact``) in integers: each effort and
    # capacity in the one unit all are multiples of (Fractions cost ten times more).
    values = {c.effort for c in order if c.effort is not None}
    values.update(capacity for capacity in capacities if capacity is not None)
    exact = {value: _exact(value) for value in values}
    scale = math.lcm(*(fraction.denominator for fraction in exact.values()))
    units = {value: int(fraction * scale) for value, fraction in exact.items()}
    items: list[list[Placed]] = [[] for _ in LANE_NAMES]
    used = [0 for _ in LANE_NAMES]
    limits = [None if capacity is None else units[capacity] for capacity in capacities]
    current = 0
    for candidate in order:
        assert candidate.effort is not None
        effort = units[candidate.effort]
        while True:
            limit = limits[current]
            if limit is None or used[current] + effort <= limit:
                items[current].append(Placed(candidate.id, candidate.rank, candidate.effort, False))
                used[current] += effort
                break
            if not items[current]:
                # Larger than the whole lane: it would never fit anywhere bounded, so it
                # takes this empty lane alone rather than pushing everything to later.
                items[current].append(Placed(candidate.id, candidate.rank, candidate.effort, True))
                used[current] += effort
                current += 1
                break
            # No skipping ahead to a smaller item: the lane closes here.
            current += 1
    moscow_of = {candidate.id: candidate.moscow for candidate in order}
    return tuple(
        _lane(name, capacity, total, scale, placed, moscow_of, units)
        for name, capacity, total, placed in zip(LANE_NAMES, capacities, used, items, strict=True)
    )


def _lane(
    name: str,
    capacity: float | None,
    used: int,
    scale: int,
    placed: Iterable[Placed],
    moscow_of: Mapping[str, str | None],
    units: Mapping[float, int],
) -> Lane:
    """A lane; ``used`` and ``units`` count in 1/``scale`` (see ``_fill_lanes``). Integer
    true division is correctly rounded, so the floats are those of the exact ratios."""
    placed = tuple(placed)
    effort_of = dict.fromkeys(MOSCOW_COUNTED, 0)
    for item in placed:
        category = moscow_of[item.id]
        if category in effort_of:
            effort_of[category] += units[item.effort]
    counted = sum(effort_of.values())
    if counted == 0:
        return Lane(name, capacity, used / scale, None, placed, False)
    share = MoscowShare(*(effort_of[category] / counted for category in MOSCOW_COUNTED))
    # Compared exactly: a float division would call 0.1 + 0.1 + 0.1 of 0.5
    # "0.6000000000000001" and warn about a lane that holds exactly 60% Musts.
    limit = MUST_SHARE_LIMIT
    exceeded = effort_of["must"] * limit.denominator > counted * limit.numerator
    return Lane(name, capacity, used / scale, share, placed, exceeded)


@lru_cache(maxsize=4096)
def _exact(value: float) -> Fraction:
    """The number as written: 0.1 is one tenth, not the binary float nearest to it.

    Efforts come from YAML decimals, and the shortest repr of a float reads back as the
    decimal that was written, so sums and the 60% limit are exact for the numbers a user
    sees. The float's own binary value would not do: 0.05 + 0.4 Musts beside 0.3 Coulds
    is exactly 60%, yet as binary fractions it is a hair above. Cached: efforts repeat
    (a backlog of 10,000 items holds a few dozen distinct ones)."""
    return Fraction(repr(float(value)))


def _checked_capacity(capacity: float) -> float:
    if not math.isfinite(capacity) or capacity < 0:
        raise ValueError(f"a lane's capacity must be a finite number >= 0, not {capacity!r}")
    return capacity


def _check_candidates(ranked: Sequence[Candidate], known: set[str]) -> None:
    """ValueError for the first bad candidate in rank order; the distinct ids, efforts
    and categories tell cheaply that there is none."""
    efforts = {candidate.effort for candidate in ranked}
    if (
        len(known) == len(ranked)
        and all(effort is None or (math.isfinite(effort) and effort >= 0) for effort in efforts)
        and {candidate.moscow for candidate in ranked} <= MOSCOW_VALUES | {None}
    ):
        return
    seen: set[str] = set()
    for candidate in ranked:
        if candidate.id in seen:
            raise ValueError(f"candidate {candidate.id!r} is given twice")
        seen.add(candidate.id)
        effort = candidate.effort
        if effort is not None and (not math.isfinite(effort) or effort < 0):
            raise ValueError(
                f"{candidate.id!r}: effort must be a finite number >= 0, not {effort!r}"
            )
        if candidate.moscow is not None and candidate.moscow not in MOSCOW_VALUES:
            raise ValueError(f"{candidate.id!r}: unknown MoSCoW category {candidate.moscow!r}")
