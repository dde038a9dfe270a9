"""Pure: the value/effort 2×2 behind ``tpm matrix`` and the report's chart.

A score that is a ratio splits into what it is worth and what it costs: value is the
framework's numerator (RICE reach × impact × confidence, WSJF cost of delay = business
value + time criticality + risk reduction), effort its denominator (RICE effort, WSJF
job size). Only those two frameworks have both; MoSCoW, formulas and plugins do not, and
asking for their matrix is a usage error.

An item is of high value when its value is at least the median value, of low effort
when its effort is at most the median effort: an item on a median line counts as high
value or as low effort. The medians are over the items placed (every ranked item); for an
even count the median is the mean of the two middle values. The quadrants, with ids in
rank order:

    quick-win  high value, low effort     big-bet    high value, high effort
    fill-in    low value,  low effort     money-pit  low value,  high effort
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tpmcli.errors import UsageError
from tpmcli.model.items import Ranking

QUICK_WIN = "quick-win"
BIG_BET = "big-bet"
FILL_IN = "fill-in"
MONEY_PIT = "money-pit"
#: In the order JSON lists them and the terminal and the chart lay them out
#: (top-left, top-right, bottom-left, bottom-right).
QUADRANTS = (QUICK_WIN, BIG_BET, FILL_IN, MONEY_PIT)


@dataclass(frozen=True)
class Axes:
    """What value and effort are for one framework, in words a reader knows."""

    framework: str
    value: str
    effort: str


#: The frameworks whose score is a numerator over a denominator.
AXES = {
    "rice": Axes("rice", "value (reach × impact × confidence)", "effort (person-months)"),
    "wsjf": Axes(
        "wsjf",
        "cost of delay (business value + time criticality + risk reduction)",
        "job size (relative points)",
    ),
}


@dataclass(frozen=True)
class Point:
    """One ranked item's place on the matrix."""

    id: str
    rank: int
    title: str
    value: float
    effort: float


@dataclass(frozen=True)
class PlacedPoint:
    point: Point
    quadrant: str


@dataclass(frozen=True)
class Matrix:
    framework: str
    #: None when no item is placed.
    median_value: float | None
    median_effort: float | None
    #: In rank order.
    points: tuple[PlacedPoint, ...]

    @property
    def quadrants(self) -> dict[str, tuple[str, ...]]:
        """Each quadrant's ids in rank order (every quadrant present, maybe empty)."""
        found: dict[str, list[str]] = {name: [] for name in QUADRANTS}
        for placed in self.points:
            found[placed.quadrant].append(placed.point.id)
        return {name: tuple(ids) for name, ids in found.items()}


def axes_for(framework: str) -> Axes:
    """The framework's value and effort, or a usage error for one without them."""
    axes = AXES.get(framework)
    if axes is None:
        raise UsageError(
            f"the value/effort matrix needs a framework whose score is value ÷ effort "
            f"(rice or wsjf); {framework} has no numerator and denominator (try -f rice)"
        )
    return axes


def value_and_effort(framework: str, inputs: Mapping[str, Any]) -> tuple[float, float]:
    """An item's value and effort from its plain inputs for ``framework`` (rice/wsjf)."""
    if framework == "rice":
        value = float(inputs["reach"]) * float(inputs["impact"]) * float(inputs["confidence"])
        return value, float(inputs["effort"])
    if framework == "wsjf":
        cost_of_delay = (
            float(inputs["business_value"])
            + float(inputs["time_criticality"])
            + float(inputs["risk_reduction"])
        )
        return cost_of_delay, float(inputs["job_size"])
    axes_for(framework)  # raises for any other framework
    raise AssertionError(f"no value and effort for {framework}")  # pragma: no cover


def median(values: Sequence[float]) -> float:
    """The middle value; for an even count the mean of the two middle values."""
    if not values:
        raise ValueError("the median of no values")
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def quadrant_of(value: float, effort: float, median_value: float, median_effort: float) -> str:
    high_value = value >= median_value
    low_effort = effort <= median_effort
    if high_value:
        return QUICK_WIN if low_effort else BIG_BET
    return FILL_IN if low_effort else MONEY_PIT


def place(framework: str, points: Sequence[Point]) -> Matrix:
    """Every point in its quadrant, by the medians of all of them; kept in rank order."""
    if not points:
        return Matrix(framework, None, None, ())
    mid_value = median([point.value for point in points])
    mid_effort = median([point.effort for point in points])
    ordered = sorted(points, key=lambda point: (point.rank, point.id))
    placed = tuple(
        PlacedPoint(point, quadrant_of(point.value, point.effort, mid_value, mid_effort))
        for point in ordered
    )
    return Matrix(framework, mid_value, mid_effort, placed)


def matrix_of(ranking: Ranking) -> Matrix:
    """The matrix of every item ``ranking`` ranks, by its first framework."""
    framework = ranking.framework
    axes_for(framework)
    points = []
    for entry in ranking.items:
        inputs = entry.item.inputs_for(framework)
        if inputs is None:  # pragma: no cover - a ranked item has its framework's inputs
            continue
        value, effort = value_and_effort(framework, inputs)
        points.append(Point(entry.item.id, entry.rank, entry.item.title, value, effort))
    return place(framework, points)
