"""Pure geometry of the report's value/effort chart: scales, ticks, circles, median
lines, and labels for the top items placed so that no two overlap.

Effort runs left to right and value bottom to top, so quick wins (high value, low
effort) sit top left. An axis whose values are all positive and span more than two
orders of magnitude is drawn on a log scale (and says so); otherwise it is linear from
zero to a round number above the largest value. Coordinates are rounded to a tenth of a
unit, so the same matrix always gives the same SVG.

Labels: each of the top items (by rank) tries, in order, the places around its circle
(right, left, above, below, then the four diagonals) and takes the first whose box stays
inside the plot and overlaps no label placed before it, no quadrant name and, in a first
pass, no circle; when only places over other circles remain it takes one of those, and
when none is left it goes unlabelled (its circle still has its tooltip, and the table
lists it). A greedy placement: the best-ranked items choose first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from tpmcli.model.scores import format_number
from tpmcli.ranking.quadrants import BIG_BET, FILL_IN, MONEY_PIT, QUICK_WIN, PlacedPoint

WIDTH = 720
HEIGHT = 480
LEFT, RIGHT, TOP, BOTTOM = 72, 16, 16, 64
RADIUS = 5
#: Label text: its size, and the width of a character estimated from it (the page's
#: sans-serif averages about 0.6 em; an overestimate only leaves more room).
FONT_SIZE = 11
CHAR_WIDTH = 0.62 * FONT_SIZE
LABEL_HEIGHT = FONT_SIZE + 3
LABEL_GAP = 3
LABEL_CHARS = 28
#: The scales stop this far inside the plot's edges: no circle is cut by an edge.
INSET = 2 * RADIUS
#: A log scale when the largest value is more than this many times the smallest.
LOG_SPAN = 100

QUADRANT_CORNERS = {
    QUICK_WIN: ("Quick wins", "start", "top"),
    BIG_BET: ("Big bets", "end", "top"),
    FILL_IN: ("Fill-ins", "start", "bottom"),
    MONEY_PIT: ("Money pits", "end", "bottom"),
}


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: Box) -> bool:
        return (
            self.left < other.right
            and other.left < self.right
            and self.top < other.bottom
            and other.top < self.bottom
        )

    def inside(self, other: Box) -> bool:
        return (
            self.left >= other.left
            and self.right <= other.right
            and self.top >= other.top
            and self.bottom <= other.bottom
        )


@dataclass(frozen=True)
class Scale:
    low: float
    high: float
    log: bool
    #: Pixel positions of ``low`` and ``high``.
    start: float
    end: float

    def __call__(self, value: float) -> float:
        if self.log:
            low, high, value = math.log10(self.low), math.log10(self.high), math.log10(value)
        else:
            low, high = self.low, self.high
        share = 0.5 if high == low else (value - low) / (high - low)
        return round(self.start + share * (self.end - self.start), 1)

    def ticks(self) -> list[tuple[float, str]]:
        """(pixel position, text) of each tick: decades on a log scale, else about
        five steps of 1, 2 or 5 × a power of ten."""
        if self.log:
            first, last = math.floor(math.log10(self.low)), math.ceil(math.log10(self.high))
            values = [10.0**power for power in range(first, last + 1)]
        else:
            step = _nice_step(self.high - self.low)
            count = math.floor((self.high - self.low) / step + 1e-9)
            values = [self.low + step * index for index in range(count + 1)]
        return [
            (self(value), format_number(value))
            for value in values
            if self.low <= value <= self.high * (1 + 1e-9)
        ]


@dataclass(frozen=True)
class Circle:
    id: str
    quadrant: str
    x: float
    y: float
    tooltip: str


@dataclass(frozen=True)
class Label:
    id: str
    text: str
    x: float
    y: float
    anchor: str
    box: Box


@dataclass(frozen=True)
class Corner:
    text: str
    x: float
    y: float
    anchor: str
    box: Box


@dataclass(frozen=True)
class Chart:
    plot: Box
    x_scale: Scale
    y_scale: Scale
    circles: tuple[Circle, ...]
    labels: tuple[Label, ...]
    corners: tuple[Corner, ...]
    median_x: float
    median_y: float


def _nice_step(span: float) -> float:
    if span <= 0:
        return 1.0
    raw = span / 5
    power = 10.0 ** math.floor(math.log10(raw))
    return next(factor * power for factor in (1, 2, 5, 10) if factor * power >= raw)


def scale_for(values: Sequence[float], start: float, end: float) -> Scale:
    """Log when every value is positive and they span more than ``LOG_SPAN`` times;
    else linear from zero to a round number at or above the largest."""
    low, high = min(values), max(values)
    if low > 0 and high / low > LOG_SPAN:
        floor = 10.0 ** math.floor(math.log10(low))
        if floor > 0:  # not for values so small that their decade underflows
            ceiling = 10.0 ** math.ceil(math.log10(high))
            return Scale(floor, ceiling, True, start, end)
    top = high if high > 1e-12 else 1.0  # all zero (or next to it): 0 to 1
    step = _nice_step(top)
    return Scale(0.0, math.ceil(top / step - 1e-9) * step, False, start, end)


def chart_for(
    points: Sequence[PlacedPoint],
    median_value: float,
    median_effort: float,
    *,
    labelled: int,
    tooltips: Sequence[str],
) -> Chart:
    """The chart of ``points`` (in rank order), their first ``labelled`` with labels.
    The medians are the whole matrix's, which may have more points than are drawn."""
    plot = Box(LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM)
    efforts = [placed.point.effort for placed in points] + [median_effort]
    values = [placed.point.value for placed in points] + [median_value]
    x_scale = scale_for(efforts, plot.left + INSET, plot.right - INSET)
    y_scale = scale_for(values, plot.bottom - INSET, plot.top + INSET)
    circles = tuple(
        Circle(
            placed.point.id,
            placed.quadrant,
            x_scale(placed.point.effort),
            y_scale(placed.point.value),
            tooltip,
        )
        for placed, tooltip in zip(points, tooltips, strict=True)
    )
    corners = _corners(plot)
    labels = place_labels(circles[:labelled], circles, [corner.box for corner in corners], plot)
    return Chart(
        plot,
        x_scale,
        y_scale,
        circles,
        labels,
        corners,
        x_scale(median_effort),
        y_scale(median_value),
    )


def _corners(plot: Box) -> tuple[Corner, ...]:
    corners = []
    for text, anchor, edge in QUADRANT_CORNERS.values():
        width = len(text) * CHAR_WIDTH
        x = plot.left + 6 if anchor == "start" else plot.right - 6
        left = x if anchor == "start" else x - width
        top = plot.top + 4 if edge == "top" else plot.bottom - 4 - LABEL_HEIGHT
        box = Box(left, top, left + width, top + LABEL_HEIGHT)
        corners.append(Corner(text, round(x, 1), round(top + FONT_SIZE, 1), anchor, box))
    return tuple(corners)


def label_text(ident: str) -> str:
    return ident if len(ident) <= LABEL_CHARS else ident[: LABEL_CHARS - 1] + "…"


def _candidates(circle: Circle, width: float) -> list[tuple[float, float, str, Box]]:
    """(x, baseline y, anchor, box) of each place a label may take, in preference order."""
    gap, height, x, y = RADIUS + LABEL_GAP, LABEL_HEIGHT, circle.x, circle.y
    places = [
        (x + gap, y - height / 2, "start"),  # right
        (x - gap, y - height / 2, "end"),  # left
        (x - width / 2, y - gap - height, "middle"),  # above
        (x - width / 2, y + gap, "middle"),  # below
        (x + gap, y - gap - height, "start"),  # above right
        (x - gap, y - gap - height, "end"),  # above left
        (x + gap, y + gap, "start"),  # below right
        (x - gap, y + gap, "end"),  # below left
    ]
    found = []
    for anchor_x, top, anchor in places:
        left = {"start": anchor_x, "end": anchor_x - width, "middle": anchor_x}[anchor]
        text_x = anchor_x + width / 2 if anchor == "middle" else anchor_x
        box = Box(left, top, left + width, top + height)
        found.append((round(text_x, 1), round(top + FONT_SIZE, 1), anchor, box))
    return found


def _circle_box(circle: Circle) -> Box:
    return Box(circle.x - RADIUS, circle.y - RADIUS, circle.x + RADIUS, circle.y + RADIUS)


def place_labels(
    labelled: Sequence[Circle], circles: Sequence[Circle], obstacles: Sequence[Box], plot: Box
) -> tuple[Label, ...]:
    """Labels for ``labelled`` (best-ranked first), greedily: see the module's docstring."""
    circle_boxes = [_circle_box(circle) for circle in circles]
    placed: list[Label] = []
    for circle in labelled:
        text = label_text(circle.id)
        candidates = _candidates(circle, len(text) * CHAR_WIDTH)
        taken = [label.box for label in placed] + list(obstacles)
        free = [
            c for c in candidates if c[3].inside(plot) and not any(c[3].overlaps(b) for b in taken)
        ]
        clear = [c for c in free if not any(c[3].overlaps(b) for b in circle_boxes)]
        for x, y, anchor, box in (clear or free)[:1]:
            placed.append(Label(circle.id, text, x, y, anchor, box))
    return tuple(placed)
