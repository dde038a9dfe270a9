"""Pure ranking: score items, sort them lexicographically by frameworks, break ties by id.

The order itself is decided on plain values (``sort_key``, ``blocked_dependencies``), so
that a ranking restored from a snapshot (``snapshot``) is ordered by the very same code
as one scored afresh.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from tpmcli.model import Item, RankedItem, Ranking, Unscored
from tpmcli.scores import Score

if TYPE_CHECKING:
    from tpmcli.frameworks.base import Framework

FINISHED_STATUSES = frozenset({"done"})


def sort_key(values: Sequence[float | None], item_id: str) -> tuple[object, ...]:
    """Where an item sorts, from its score under each framework of ``--by`` (None where
    it has no inputs for one): higher scores first; an item lacking a tie-break
    framework's inputs after those that have them; the id settles every remaining tie.

    Flat (two elements per framework, then the id): sorting compares these tuples for
    every ranked item, and nested tuples cost a comparison each."""
    parts: list[object] = []
    for value in values:
        if value is not None:
            parts += (0, -value)
        else:
            parts += (1, 0.0)
    parts.append(item_id)
    return tuple(parts)


def blocked_dependencies(
    ranked: Sequence[tuple[str, Sequence[str]]], status_of: Mapping[str, str]
) -> list[tuple[str, ...]]:
    """For each ranked item (its id and dependencies, in rank order): its unfinished
    dependencies that rank below it or are not ranked at all. ``status_of`` holds every
    item of the backlog, filtered out or not; unknown ids are not dependencies here."""
    position = {item_id: rank for rank, (item_id, _) in enumerate(ranked, start=1)}
    after_all = len(ranked) + 1
    found: list[tuple[str, ...]] = []
    for rank, (_, depends_on) in enumerate(ranked, start=1):
        if not depends_on:
            found.append(())
            continue
        found.append(
            tuple(
                dep
                for dep in depends_on
                if status_of.get(dep, "") not in FINISHED_STATUSES
                and dep in status_of
                and position.get(dep, after_all) > rank
            )
        )
    return found


def rank_items(
    items: Iterable[Item],
    frameworks: Sequence[Framework],
    *,
    universe: Iterable[Item] = (),
) -> Ranking:
    """Rank ``items`` by ``frameworks`` (the first decides, the others break ties).

    ``universe`` holds every item of the backlog, filtered out or not, so that an item
    ranked above an unfinished dependency can be marked.
    """
    primary = frameworks[0]
    scored: list[tuple[tuple[object, ...], Item, dict[str, Score | None]]] = []
    unscored: list[Unscored] = []
    for item in items:
        inputs = item.inputs
        if primary.name not in inputs:
            unscored.append(Unscored(item, f"no {primary.name} inputs"))
            continue
        scores: dict[str, Score | None] = {}
        for fw in frameworks:
            scores[fw.name] = fw.score(inputs[fw.name]) if fw.name in inputs else None
        values = [score.value if score is not None else None for score in scores.values()]
        scored.append((sort_key(values, item.id), item, scores))
    scored.sort(key=lambda entry: entry[0])
    status_of = {item.id: item.status for item in universe}
    blocked = blocked_dependencies([(item.id, item.depends_on) for _, item, _ in scored], status_of)
    ranked = []
    for rank, ((_, item, scores), blocked_by) in enumerate(zip(scored, blocked, strict=True), 1):
        main = scores[primary.name]
        assert main is not None
        ranked.append(RankedItem(rank, item, main, scores, blocked_by))
    unscored.sort(key=lambda entry: entry.item.id)
    return Ranking(tuple(fw.name for fw in frameworks), tuple(ranked), tuple(unscored))
