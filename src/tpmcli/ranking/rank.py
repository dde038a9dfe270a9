"""Pure ranking: score items, sort them lexicographically by frameworks, break ties by id.

The order itself is decided on plain values (``sort_keys``, ``blocked_dependencies``), so
that a ranking restored from a snapshot (``snapshot``) is ordered by the very same code
as one scored afresh.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tpmcli.model.items import Item, RankedItem, Ranking, Unscored
from tpmcli.model.scores import Score

if TYPE_CHECKING:
    from tpmcli.frameworks.base import Framework

FINISHED_STATUSES = frozenset({"done"})


def sort_keys(
    columns: Sequence[Sequence[float | None]], ids: Sequence[str], indices: Iterable[int]
) -> list[tuple[object, ...]]:
    """Where each item of ``indices`` sorts, from its score under each framework of
    ``--by`` (``columns[k][index]``; None where it has no inputs for one, never in the
    first column, which decides who is ranked): higher scores first; an item lacking a
    tie-break framework's inputs after those that have them; the id settles every
    remaining tie.

    Flat tuples (the first score, two elements per tie-break framework, then the id):
    sorting compares these for every ranked item, and nested tuples cost a comparison
    each."""
    first, *others = columns
    if not others:
        return [(-first[index], ids[index]) for index in indices]  # type: ignore[operator]
    keys: list[tuple[object, ...]] = []
    for index in indices:
        parts: list[object] = [-first[index]]  # type: ignore[operator]
        for column in others:
            value = column[index]
            parts += (0, -value) if value is not None else (1, 0.0)
        parts.append(ids[index])
        keys.append(tuple(parts))
    return keys


def blocked_dependencies(
    ranked_ids: Sequence[str],
    depends_on: Sequence[Sequence[str]],
    status_of: Mapping[str, str],
) -> list[tuple[str, ...]]:
    """For each ranked item (ids and dependencies in rank order): its unfinished
    dependencies that rank below it or are not ranked at all. ``status_of`` holds every
    item of the backlog, filtered out or not; unknown ids are not dependencies here."""
    found: list[tuple[str, ...]] = [()] * len(ranked_ids)
    position: dict[str, int] | None = None
    after_all = len(ranked_ids) + 1
    for index, dependencies in enumerate(depends_on):
        if not dependencies:
            continue
        if position is None:
            position = {item_id: rank for rank, item_id in enumerate(ranked_ids, start=1)}
        rank = index + 1
        found[index] = tuple(
            dep
            for dep in dependencies
            if status_of.get(dep, "") not in FINISHED_STATUSES
            and dep in status_of
            and position.get(dep, after_all) > rank
        )
    return found


class ScoreMemo:
    """Scores by framework and inputs object, shared by the rankings of two revisions
    (``tpm diff``): a file unchanged between them is parsed once, its items at both
    sides hold the very same inputs objects, and so the second ranking scores only
    what changed. Each inputs object is kept, so that its ``id`` stays its own."""

    def __init__(self) -> None:
        self._frameworks: list[Framework] = []
        #: By framework family, then by the inputs object's id.
        self._scores: dict[int, dict[int, tuple[object, Score]]] = {}

    def scorer(self, framework: Framework) -> Callable[[Any], Score]:
        """``framework.score``, remembered (and shared with an equal built-in)."""
        family = id(self._canonical(framework))
        scores = self._scores.setdefault(family, {})

        def score(inputs: Any) -> Score:
            found = scores.get(id(inputs))
            if found is not None and found[0] is inputs:
                return found[1]
            result = framework.score(inputs)
            scores[id(inputs)] = (inputs, result)
            return result

        return score

    def _canonical(self, framework: Framework) -> Framework:
        # A class that declares it (the built-ins) scores alike when equal (the same
        # settings); any other framework is only ever the same as itself.
        pure = bool(vars(type(framework)).get("equal_scores_alike", False))
        for known in self._frameworks:
            if known is framework or (
                pure and type(known) is type(framework) and known == framework
            ):
                return known
        self._frameworks.append(framework)
        return framework


def rank_items(
    items: Iterable[Item],
    frameworks: Sequence[Framework],
    *,
    universe: Iterable[Item] = (),
    memo: ScoreMemo | None = None,
) -> Ranking:
    """Rank ``items`` by ``frameworks`` (the first decides, the others break ties).

    ``universe`` holds every item of the backlog, filtered out or not, so that an item
    ranked above an unfinished dependency can be marked. ``memo``: scores made before
    (by the ranking of another revision), and a place for these.
    """
    primary = frameworks[0]
    # Names and scorers looked up once: a plugin's name is a property, and this loop
    # runs for every item of every ranking (``tpm history`` ranks every commit).
    names = [fw.name for fw in frameworks]
    scorers = [memo.scorer(fw) if memo is not None else fw.score for fw in frameworks]
    first, first_score = names[0], scorers[0]
    others = list(zip(names[1:], scorers[1:], strict=True))
    ranked_items: list[Item] = []
    all_scores: list[dict[str, Score | None]] = []
    unscored: list[Unscored] = []
    for item in items:
        inputs = item.inputs
        if first not in inputs:
            unscored.append(Unscored(item, f"no {primary.name} inputs"))
            continue
        scores: dict[str, Score | None] = {first: first_score(inputs[first])}
        for name, scorer in others:
            scores[name] = scorer(inputs[name]) if name in inputs else None
        ranked_items.append(item)
        all_scores.append(scores)
    columns = [
        [score.value if (score := scores[name]) is not None else None for scores in all_scores]
        for name in names
    ]
    keys = sort_keys(columns, [item.id for item in ranked_items], range(len(ranked_items)))
    order = sorted(range(len(ranked_items)), key=keys.__getitem__)
    # Only dependencies look statuses up: most backlogs have few, many have none.
    depends = any(item.depends_on for item in ranked_items)
    status_of = {item.id: item.status for item in universe} if depends else {}
    blocked = blocked_dependencies(
        [ranked_items[index].id for index in order],
        [ranked_items[index].depends_on for index in order],
        status_of,
    )
    ranked = []
    for rank, (index, blocked_by) in enumerate(zip(order, blocked, strict=True), start=1):
        scores = all_scores[index]
        main = scores[first]
        assert main is not None
        ranked.append(_ranked_item(rank, ranked_items[index], main, scores, blocked_by))
    unscored.sort(key=lambda entry: entry.item.id)
    return Ranking(tuple(fw.name for fw in frameworks), tuple(ranked), tuple(unscored))


def _ranked_item(
    rank: int,
    item: Item,
    score: Score,
    scores: dict[str, Score | None],
    blocked_by: tuple[str, ...],
) -> RankedItem:
    """A RankedItem made without the frozen dataclass's ``__init__`` (a setattr call a
    field, half the cost of ranking a scored backlog): every ranking makes one an item,
    and ``tpm history`` ranks the backlog at every commit."""
    made = object.__new__(RankedItem)
    object.__setattr__(
        made,
        "__dict__",
        {"rank": rank, "item": item, "score": score, "scores": scores, "blocked_by": blocked_by},
    )
    return made
