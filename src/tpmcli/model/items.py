"""The data tpm works on: items as read from files, and rankings made of them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from tpmcli.errors import Problem
from tpmcli.model.scores import Score

Position = tuple[int, int]
#: A ranged input: (low, likely or None, high), each bound a valid value of its field.
Range = tuple[float, float | None, float]


def point_value(found: Range) -> float:
    """What deterministic commands use of a range: ``likely``, else the midpoint."""
    low, likely, high = found
    return likely if likely is not None else (low + high) / 2


def range_data(found: Range) -> dict[str, float]:
    """A range as plain data, as it is written: ``low``, ``likely`` if given, ``high``."""
    low, likely, high = found
    if likely is None:
        return {"low": low, "high": high}
    return {"low": low, "likely": likely, "high": high}


#: A rater's inputs for one framework: field → its point value.
RaterInputs = dict[str, float]
#: The disagreement at which an item is flagged as split, unless tpm.yaml says otherwise.
DEFAULT_SPLIT_AT = 0.3


def disagreement(scores: Collection[float]) -> float | None:
    """How far the raters' scores disagree: their population standard deviation ÷ the
    absolute value of their mean; None when the mean is 0 (or there are none)."""
    import statistics  # only for rated items: a warm rank of others never needs it

    if not scores:
        return None
    mean = statistics.mean(scores)
    if mean == 0:
        return None
    return statistics.pstdev(scores) / abs(mean)


def construct(model: type[Item], fields: dict[str, Any]) -> Item:
    """An Item from *every* field, already validated, at a fraction of the cost of
    calling the class: loading a large backlog builds thousands of items."""
    instance = object.__new__(model)
    object.__setattr__(instance, "__dict__", fields)
    return instance


_DUMPS_AS_STORED: dict[type, bool] = {}


def _dumps_as_stored(kind: type) -> bool:
    """Whether an inputs model class declares (itself, not by inheritance: a subclass may
    add serializers) that its ``model_dump()`` is its stored fields."""
    found = _DUMPS_AS_STORED.get(kind)
    if found is None:
        found = _DUMPS_AS_STORED[kind] = bool(vars(kind).get("dumps_as_stored", False))
    return found


@dataclass(frozen=True)
class Item:
    """One validated backlog item. ``inputs`` maps a framework name to its validated
    inputs (the framework's model); positions are kept for the cross-item checks
    (duplicate ids, dependencies).

    Items restored from a ranking snapshot (``snapshot``) carry their inputs as the
    plain data ``inputs_for`` gives, which is all that showing a ranking needs.

    A ranged input (``reach: {low: 500, high: 900}``) is held in ``inputs`` as its
    point value and in ``ranges`` as its bounds."""

    id: str
    title: str
    description: str | None = None
    status: str = "proposed"
    owner: str | None = None
    tags: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    inputs: dict[str, Any] = field(default_factory=dict)
    path: str = ""
    line: int = 1
    column: int = 1
    id_at: Position = (1, 1)
    depends_on_at: tuple[Position, ...] = ()
    #: The ranged inputs, framework → field → range; ``inputs`` holds their point values.
    ranges: dict[str, dict[str, Range]] = field(default_factory=dict)
    #: The raters' inputs, framework → rater → field → point value (``ratings:``).
    ratings: dict[str, dict[str, RaterInputs]] = field(default_factory=dict)
    #: Each rater's score, framework → rater → score (their missing inputs filled with
    #: the aggregate that ``inputs`` holds).
    rater_scores: dict[str, dict[str, float]] = field(default_factory=dict)

    def disagreement(self, framework: str) -> float | None:
        """The raters' disagreement under ``framework`` (None: unrated, or a mean of 0)."""
        scores = self.rater_scores.get(framework)
        return disagreement(list(scores.values())) if scores else None

    def ranges_for(self, framework: str) -> dict[str, dict[str, float]]:
        """The item's ranged inputs for ``framework`` as plain data (none: empty)."""
        found = self.ranges.get(framework)
        return {name: range_data(r) for name, r in found.items()} if found else {}

    def written_inputs(self, framework: str) -> dict[str, Any] | None:
        """The inputs as written: a ranged input as its range, the others as numbers."""
        inputs = self.inputs_for(framework)
        found = self.ranges.get(framework)
        if inputs is None or not found:
            return inputs
        return {name: range_data(found[name]) if name in found else v for name, v in inputs.items()}

    def inputs_for(self, framework: str) -> dict[str, Any] | None:
        """The item's inputs for ``framework`` as plain data, or None if it has none."""
        inputs = self.inputs.get(framework)
        if inputs is None:
            return None
        if isinstance(inputs, dict):  # already plain data (from a snapshot)
            return dict(inputs)
        if _dumps_as_stored(type(inputs)):
            # A built-in model: its dump is its stored fields (a RootModel's: its root),
            # read here without pydantic's serializer (~4 µs an item, 10,000 items).
            fields = inputs.__dict__
            return {"category": fields["root"]} if "root" in fields else dict(fields)
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
    #: Why nothing was selected, when a filter (--status, --tag, --owner) matched no
    #: item: said instead of "No items to rank." (see ``ranking.filters``).
    empty_because: str | None = None
    #: The backlog's problems when it was ranked all the same (its valid items ranked,
    #: the invalid ones left out: ``tpm rank``, each side of ``tpm diff``); else empty.
    invalid: tuple[Problem, ...] = ()
    #: The disagreement at which a rated item is flagged as split (tpm.yaml ``ratings:``).
    split_at: float = DEFAULT_SPLIT_AT

    def split(self, item: Item) -> bool | None:
        """Whether the raters of ``item`` disagree on its score under the ranking's
        framework (disagreement ≥ ``split_at``); None when it has no raters there."""
        if not item.rater_scores.get(self.framework):
            return None
        found = item.disagreement(self.framework)
        return found is not None and found >= self.split_at

    @property
    def framework(self) -> str:
        return self.by[0]
