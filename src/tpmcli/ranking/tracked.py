"""Pure: one item's place in the ranking of each of a series of backlogs, without
ranking each whole backlog (``tpm history`` asks it of every commit).

An item's rank is one more than the number of ranked items whose sort key
(``rank.sort_keys``: the scores, then the id) is below its own; every key differs
(ids are unique), so that count is exactly its place in ``rank.rank_items``'s sorted
order. The sort keys of the items ranked are kept from one backlog to the next: an item
that is the very same object as at the previous backlog (its file unchanged, parsed
once for the whole walk), under the same frameworks and selection, has the same key,
and only the items that are not are scored and keyed again. The frameworks or the
selection changing (another tpm.yaml, ``-f``) keys every item again, and so does a
file added or removed (the items are then not where they were). A score that is not a
number (NaN, which sorting does not order) ranks that backlog whole, as
``rank_items`` would.

The ranking made holds only the tracked item: its entry (``blocked_by`` left empty, as
history rows do not show it) or its unscored entry, which is all that
``diff.item_change`` looks up in a side's ranking.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from tpmcli.model.items import Item, RankedItem, Ranking, Unscored
from tpmcli.model.scores import Score
from tpmcli.ranking.rank import ScoreMemo, rank_items, sort_keys

if TYPE_CHECKING:
    from tpmcli.frameworks.base import Framework

#: Whether an item (its status, tags and owner) is selected (``ranked_by_request``).
Selected = Callable[[str, Sequence[str], str | None], bool]


class TrackedRanking:
    """The rankings of one item (``item_id``) at successive backlogs; scores shared
    through ``memo``."""

    def __init__(self, item_id: str, memo: ScoreMemo) -> None:
        self.item_id = item_id
        self._memo = memo
        #: What the keys were made under: the frameworks and the selection.
        self._frameworks: tuple[Framework, ...] = ()
        self._excluded: object = None
        self._scorers: list[tuple[str, Callable[[Any], Score]]] = []
        self._selected: Selected | None = None
        #: The previous backlog's items, in order.
        self._items: Sequence[Item] = ()
        #: The sort key of every ranked item of the previous backlog, by id.
        self._keys: dict[str, tuple[object, ...]] = {}
        #: The ids whose key holds a NaN.
        self._nan: set[str] = set()
        #: The tracked item in the previous backlog (None: not there).
        self._item: Item | None = None

    def ranking(
        self,
        items: Sequence[Item],
        frameworks: Sequence[Framework],
        selected: Selected,
        excluded: object,
    ) -> Ranking:
        """The ranking of ``items`` (every item of the backlog) by ``frameworks``, of
        those ``selected`` picks, holding only the tracked item. ``excluded``: what the
        selection depends on (equal from one backlog to the next: the same selection)."""
        if self._same_rules(frameworks, excluded):
            self._update(items)
        else:
            self._frameworks, self._excluded = tuple(frameworks), excluded
            self._scorers = [(fw.name, self._memo.scorer(fw)) for fw in frameworks]
            self._selected = selected
            self._rekey(items)
        self._items = items
        by = tuple(name for name, _ in self._scorers)
        if self._nan:
            full = rank_items(
                [i for i in items if selected(i.status, i.tags, i.owner)],
                frameworks,
                universe=items,
                memo=self._memo,
            )
            found = [e for e in full.items if e.item.id == self.item_id]
            left = [u for u in full.unscored if u.item.id == self.item_id]
            return Ranking(by, tuple(found), tuple(left))
        return self._tracked(by)

    def _same_rules(self, frameworks: Sequence[Framework], excluded: object) -> bool:
        return (
            len(frameworks) == len(self._frameworks)
            and all(a is b for a, b in zip(frameworks, self._frameworks, strict=True))
            and excluded == self._excluded
        )

    def _update(self, items: Sequence[Item]) -> None:
        """The keys of the items that are not the previous backlog's very objects."""
        if len(items) != len(self._items):
            self._rekey(items)
            return
        pairs = zip(self._items, items, strict=True)
        changed = [(old, new) for old, new in pairs if old is not new]
        if not changed:
            return
        for old, _new in changed:
            self._keys.pop(old.id, None)
            self._nan.discard(old.id)
            if old.id == self.item_id:
                self._item = None
        for _old, new in changed:
            self._add(new)

    def _rekey(self, items: Sequence[Item]) -> None:
        self._keys = {}
        self._nan = set()
        self._item = None
        for item in items:
            self._add(item)

    def _add(self, item: Item) -> None:
        if item.id == self.item_id:
            self._item = item
        key = self._key(item)
        if key is not None:
            self._keys[item.id] = key

    def _key(self, item: Item) -> tuple[object, ...] | None:
        """The item's sort key (None: not selected, or unscored)."""
        assert self._selected is not None
        if not self._selected(item.status, item.tags, item.owner):
            return None
        values = self._values(item)
        if values is None:
            return None
        if any(value is not None and value != value for value in values):
            self._nan.add(item.id)
        return sort_keys([[value] for value in values], [item.id], [0])[0]

    def _values(self, item: Item) -> list[float | None] | None:
        scores = self._scores(item)
        if scores is None:
            return None
        return [score.value if score is not None else None for score in scores.values()]

    def _scores(self, item: Item) -> dict[str, Score | None] | None:
        """The item's scores under each framework (None: no inputs for the first)."""
        inputs = item.inputs
        (first, first_score), *others = self._scorers
        if first not in inputs:
            return None
        scores: dict[str, Score | None] = {first: first_score(inputs[first])}
        for name, scorer in others:
            scores[name] = scorer(inputs[name]) if name in inputs else None
        return scores

    def _tracked(self, by: tuple[str, ...]) -> Ranking:
        item, key = self._item, self._keys.get(self.item_id)
        if item is None:
            return Ranking(by, (), ())
        if key is None:
            assert self._selected is not None
            if not self._selected(item.status, item.tags, item.owner):
                return Ranking(by, (), ())
            return Ranking(by, (), (Unscored(item, f"no {self._frameworks[0].name} inputs"),))
        scores = self._scores(item)
        assert scores is not None
        main = scores[by[0]]
        assert main is not None
        rank = 1 + sum(1 for other in self._keys.values() if other < key)
        return Ranking(by, (RankedItem(rank, item, main, scores),), ())
