"""Pure ranking: score items, sort them lexicographically by frameworks, break ties by id."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tpmcli.frameworks.base import Framework, Score
from tpmcli.model import Item, RankedItem, Ranking, Unscored

FINISHED_STATUSES = frozenset({"done"})


def _sort_key(scores: Sequence[Score | None], item_id: str) -> tuple[object, ...]:
    # Higher scores first; an item lacking a tie-break framework's inputs sorts after
    # those that have them; the id settles every remaining tie.
    # Flat (two elements per framework, then the id): sorting compares these tuples
    # for every ranked item, and nested tuples cost a comparison each.
    parts: list[object] = []
    for score in scores:
        if score is not None:
            parts += (0, -score.value)
        else:
            parts += (1, 0.0)
    parts.append(item_id)
    return tuple(parts)


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
        scored.append((_sort_key(list(scores.values()), item.id), item, scores))
    scored.sort(key=lambda entry: entry[0])
    status_of = {item.id: item.status for item in universe}
    position = {item.id: rank for rank, (_, item, _) in enumerate(scored, start=1)}
    ranked = []
    for rank, (_, item, scores) in enumerate(scored, start=1):
        blocked: tuple[str, ...] = ()
        if item.depends_on:
            blocked = tuple(
                dep
                for dep in item.depends_on
                if status_of.get(dep, "") not in FINISHED_STATUSES
                and dep in status_of
                and position.get(dep, len(scored) + 1) > rank
            )
        main = scores[primary.name]
        assert main is not None
        ranked.append(RankedItem(rank, item, main, scores, blocked))
    unscored.sort(key=lambda entry: entry.item.id)
    return Ranking(tuple(fw.name for fw in frameworks), tuple(ranked), tuple(unscored))
