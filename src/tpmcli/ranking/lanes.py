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

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from itertools import compress, filterfalse
from operator import attrgetter, le
from typing import NamedTuple, TypeVar, cast

from tpmcli.ranking.cycles import find_cycle
from tpmcli.ranking.estimates import MOSCOW_COUNTED, MOSCOW_VALUES
from tpmcli.ranking.lane_order import topological_order, unestimated_blockers
from tpmcli.ranking.placed import Placed as Placed
from tpmcli.ranking.placed import PlacedItems

#: DSDM: the Musts should be at most 60% of a timebox's effort; above that is a warning.
MUST_SHARE_LIMIT = Fraction(3, 5)

LANE_NAMES = ("now", "next", "later")

T = TypeVar("T")


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
    #: A tuple, or the same as one (``PlacedItems``).
    items: Sequence[Placed]
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
    return plan_columns(columns_of(candidates), capacities, effort_field=effort_field)


def columns_of(candidates: Sequence[Candidate]) -> Columns:
    """``candidates`` as columns, sorted (stably) by rank: so that "best-ranked" means
    the same wherever it is used, however the caller ordered the sequence."""
    ranked = sorted(candidates, key=attrgetter("rank"))
    return Columns(
        [c.id for c in ranked],
        [c.rank for c in ranked],
        [c.in_progress for c in ranked],
        [c.effort for c in ranked],
        [c.depends_on for c in ranked],
        [c.moscow for c in ranked],
    )


class Columns(NamedTuple):
    """Candidates as parallel lists, in rank order (each list one ``Candidate`` field):
    a caller that holds them as columns plans without building a Candidate each."""

    ids: Sequence[str]
    ranks: Sequence[int]
    in_progress: Sequence[bool]
    efforts: Sequence[float | None]
    depends_on: Sequence[Sequence[str]]
    moscow: Sequence[str | None]


def plan_columns(
    columns: Columns, capacities: tuple[float, float | None], *, effort_field: str
) -> Roadmap:
    """``plan_roadmap`` of the candidates ``columns`` holds (in rank order)."""
    now_capacity, next_capacity = capacities
    lane_capacities = (
        _checked_capacity(now_capacity),
        _checked_capacity(now_capacity if next_capacity is None else next_capacity),
        None,
    )
    columns = _in_rank_order(columns)
    ids, efforts = columns.ids, columns.efforts
    position = {item_id: index for index, item_id in enumerate(ids)}
    _check_candidates(columns, position)
    # A dependency outside the candidates is done or not selected: it holds nothing
    # back. Each item's dependencies as the positions of the candidates they name.
    dependencies = [
        tuple(dict.fromkeys(position[d] for d in links if d in position)) if links else ()
        for links in columns.depends_on
    ]
    everyone = range(len(ids))
    # A topological order of every candidate is the cheap test that there is no cycle;
    # when it gets stuck, the cycle is looked for among all candidates, so that the error
    # names a real cycle rather than whatever the stuck loop happens to have left over.
    # When every candidate has an estimate, the order the lanes fill in (all of them,
    # in-progress first) is that test, and the blockers' search has nothing to find.
    estimated = None not in efforts
    waits_for: dict[int, int] = {}
    unestimated: tuple[Unplanned, ...] = ()
    if not estimated:
        in_order = topological_order(everyone, dependencies)
        if len(in_order) != len(ids):
            raise _cycle_among(ids, dependencies)
        waits_for = unestimated_blockers(efforts, in_order, dependencies)
        unestimated = tuple(
            Unplanned(
                ids[index],
                f"no {effort_field} estimate"
                if efforts[index] is None
                else f"waits for unestimated {ids[waits_for[index]]!r}",
            )
            for index in everyone
            if index in waits_for or efforts[index] is None
        )
    started = columns.in_progress.__getitem__
    placeable = (
        everyone
        if estimated
        else [i for i in everyone if efforts[i] is not None and i not in waits_for]
    )
    sequence = [*compress(placeable, map(started, placeable)), *filterfalse(started, placeable)]
    order = topological_order(sequence, dependencies)
    if len(order) != len(sequence):
        if estimated:
            raise _cycle_among(ids, dependencies)
        raise AssertionError("topological_order was given a dependency cycle")
    return Roadmap(_fill_lanes(columns, order, lane_capacities), unestimated)


def _in_rank_order(columns: Columns) -> Columns:
    """``columns`` sorted (stably) by rank, as they mostly already are."""
    ranks = columns.ranks
    if all(map(le, ranks, ranks[1:])):
        return columns
    order = sorted(range(len(ranks)), key=ranks.__getitem__)

    def picked(column: Sequence[T]) -> list[T]:
        return [column[index] for index in order]

    return Columns(
        picked(columns.ids),
        picked(columns.ranks),
        picked(columns.in_progress),
        picked(columns.efforts),
        picked(columns.depends_on),
        picked(columns.moscow),
    )


def _cycle_among(ids: Sequence[str], dependencies: Sequence[Sequence[int]]) -> DependencyCycle:
    by_id = {ids[index]: [ids[d] for d in links] for index, links in enumerate(dependencies)}
    cycle = find_cycle(ids, by_id)
    assert cycle is not None
    return DependencyCycle(cycle)


def _fill_lanes(
    columns: Columns, order: Sequence[int], capacities: tuple[float, float, None]
) -> tuple[Lane, ...]:
    """The lanes filled with the candidates at the positions ``order`` holds, each of
    which has an effort."""
    # Tuples, which the lanes' items keep (``PlacedItems``): nothing can change them.
    ids, ranks = tuple(columns.ids), tuple(columns.ranks)
    efforts = tuple(cast("Sequence[float]", columns.efforts))
    # Exact sums of the numbers as written (``_exact``) in integers: each effort and
    # capacity in the one unit all are multiples of (Fractions cost ten times more).
    values = {efforts[index] for index in order}
    values.update(capacity for capacity in capacities if capacity is not None)
    exact = {value: _exact(value) for value in values}
    scale = math.lcm(*(fraction.denominator for fraction in exact.values()))
    units = {value: int(fraction * scale) for value, fraction in exact.items()}
    positions: list[list[int]] = [[] for _ in LANE_NAMES]
    over_capacity: list[bool] = [False for _ in LANE_NAMES]
    used = [0 for _ in LANE_NAMES]
    limits = [None if capacity is None else units[capacity] for capacity in capacities]
    current = 0
    for step, index in enumerate(order):
        effort = units[efforts[index]]
        limit = limits[current]
        while limit is not None:
            if used[current] + effort <= limit:
                positions[current].append(index)
                used[current] += effort
                break
            if not positions[current]:
                # Larger than the whole lane: it would never fit anywhere bounded, so it
                # takes this empty lane alone rather than pushing everything to later.
                positions[current].append(index)
                over_capacity[current] = True
                used[current] += effort
                current += 1
                break
            # No skipping ahead to a smaller item: the lane closes here.
            current += 1
            limit = limits[current]
        if limit is None:
            # Later is unbounded: it takes everything left, in order.
            positions[current] = list(order[step:])
            counted = Counter(map(efforts.__getitem__, positions[current])).items()
            used[current] = sum(units[effort] * times for effort, times in counted)
            break
    return tuple(
        _lane(
            name,
            capacity,
            total / scale,
            PlacedItems(ids, ranks, efforts, at, over),
            map(columns.moscow.__getitem__, at),
            map(units.__getitem__, map(efforts.__getitem__, at)),
        )
        for name, capacity, total, at, over in zip(
            LANE_NAMES, capacities, used, positions, over_capacity, strict=True
        )
    )


def _lane(
    name: str,
    capacity: float | None,
    used: float,
    placed: PlacedItems,
    categories: Iterable[str | None],
    units: Iterable[int],
) -> Lane:
    """A lane of the ``placed`` items, their MoSCoW ``categories`` and efforts in
    ``units`` (integers: see ``_fill_lanes``). Integer true division is correctly
    rounded, so the shares are the floats of the exact ratios."""
    effort_of = dict.fromkeys(MOSCOW_COUNTED, 0)
    # Counted by (category, effort): a lane holds a few dozen distinct ones.
    for (category, effort), times in Counter(zip(categories, units, strict=True)).items():
        if category in effort_of:
            effort_of[category] += effort * times
    counted = sum(effort_of.values())
    if counted == 0:
        return Lane(name, capacity, used, None, placed, False)
    share = MoscowShare(*(effort_of[category] / counted for category in MOSCOW_COUNTED))
    # Compared exactly: a float division would call 0.1 + 0.1 + 0.1 of 0.5
    # "0.6000000000000001" and warn about a lane that holds exactly 60% Musts.
    limit = MUST_SHARE_LIMIT
    exceeded = effort_of["must"] * limit.denominator > counted * limit.numerator
    return Lane(name, capacity, used, share, placed, exceeded)


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


def _check_candidates(columns: Columns, position: Mapping[str, int]) -> None:
    """ValueError for the first bad candidate in rank order; the distinct ids, efforts
    and categories tell cheaply that there is none."""
    ids, efforts, moscow = columns.ids, columns.efforts, columns.moscow
    if (
        len(position) == len(ids)
        and all(e is None or (math.isfinite(e) and e >= 0) for e in set(efforts))
        and set(moscow) <= MOSCOW_VALUES | {None}
    ):
        return
    seen: set[str] = set()
    for item_id, effort, category in zip(ids, efforts, moscow, strict=True):
        if item_id in seen:
            raise ValueError(f"candidate {item_id!r} is given twice")
        seen.add(item_id)
        if effort is not None and (not math.isfinite(effort) or effort < 0):
            raise ValueError(f"{item_id!r}: effort must be a finite number >= 0, not {effort!r}")
        if category is not None and category not in MOSCOW_VALUES:
            raise ValueError(f"{item_id!r}: unknown MoSCoW category {category!r}")
