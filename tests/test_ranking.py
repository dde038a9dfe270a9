"""Pure ranking: order by frameworks, ties by id, unscored apart, dependencies marked."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Any

import pytest

from helpers import INTERCOM, item
from tpmcli.frameworks.moscow import MOSCOW
from tpmcli.frameworks.rice import RICE, RiceFramework
from tpmcli.frameworks.wsjf import WSJF
from tpmcli.model.items import Ranking
from tpmcli.ranking.rank import ScoreMemo, rank_items


def order(ranking: Ranking) -> list[tuple[int, str, float]]:
    return [(entry.rank, entry.item.id, entry.score.value) for entry in ranking.items]


def test_rice_ranks_intercoms_projects_by_score() -> None:
    ranking = rank_items(INTERCOM, [RICE])
    assert order(ranking) == [(1, "three", 800.0), (2, "one", 675.0), (3, "two", 400.0)]
    assert ranking.framework == "rice"
    assert ranking.unscored == ()


def test_equal_scores_are_ordered_by_id_in_plain_string_order() -> None:
    items = [
        item("b", rice=(100, 1, 1, 1)),
        item("B", rice=(100, 1, 1, 1)),
        item("a", rice=(50, 2, 1, 1)),
        item("a-2", rice=(200, 1, 1, 2)),
        item("top", rice=(1000, 1, 1, 1)),
    ]
    ranking = rank_items(items, [RICE])
    assert [entry.item.id for entry in ranking.items] == ["top", "B", "a", "a-2", "b"]


def test_the_order_of_the_input_does_not_matter() -> None:
    items = [
        item(f"item-{n:02}", rice=(n % 5 * 100, 1, 1, 1), moscow=("must", "could")[n % 2])
        for n in range(30)
    ]
    expected = rank_items(items, [MOSCOW, RICE])
    shuffled = list(items)
    for seed in range(5):
        random.Random(seed).shuffle(shuffled)
        assert rank_items(shuffled, [MOSCOW, RICE]) == expected


def test_wsjf_ranks_by_cost_of_delay_over_job_size() -> None:
    items = [
        item("small-urgent", wsjf=(8, 13, 3, 2)),
        item("big-valuable", wsjf=(20, 8, 8, 13)),
        item("medium", wsjf=(5, 5, 5, 5)),
    ]
    assert order(rank_items(items, [WSJF])) == [
        (1, "small-urgent", 12.0),
        (2, "medium", 3.0),
        (3, "big-valuable", 2.769231),
    ]


def test_moscow_orders_categories_then_breaks_ties_by_the_next_framework_then_id() -> None:
    items = [
        item("could-high", moscow="could", rice=(9000, 3, 1, 1)),
        item("must-low", moscow="must", rice=(10, 1, 1, 1)),
        item("must-high", moscow="must", rice=(1000, 1, 1, 1)),
        item("must-tie-b", moscow="must", rice=(500, 1, 1, 1)),
        item("must-tie-a", moscow="must", rice=(250, 2, 1, 1)),
        item("must-no-rice", moscow="must"),
        item("should", moscow="should", rice=(1, 1, 1, 1)),
        item("wont", moscow="wont", rice=(99999, 3, 1, 1)),
    ]
    ranking = rank_items(items, [MOSCOW, RICE])
    assert [(e.item.id, e.score.label) for e in ranking.items] == [
        ("must-high", "must"),
        ("must-tie-a", "must"),
        ("must-tie-b", "must"),
        ("must-low", "must"),
        # Lacking the tie-break framework's inputs sorts after those who have them.
        ("must-no-rice", "must"),
        ("should", "should"),
        ("could-high", "could"),
        ("wont", "wont"),
    ]
    assert ranking.by == ("moscow", "rice")
    must_high = ranking.items[0]
    assert must_high.scores["rice"] is not None
    assert must_high.scores["rice"].value == 1000.0
    assert ranking.items[4].scores["rice"] is None


def test_moscow_alone_breaks_ties_by_id() -> None:
    items = [item("c", moscow="must"), item("a", moscow="should"), item("b", moscow="must")]
    assert [e.item.id for e in rank_items(items, [MOSCOW]).items] == ["b", "c", "a"]


def test_items_without_the_primary_frameworks_inputs_are_unscored_by_id() -> None:
    items = [
        item("z-none"),
        item("scored", rice=(1, 1, 1, 1)),
        item("a-only-moscow", moscow="must"),
    ]
    ranking = rank_items(items, [RICE])
    assert order(ranking) == [(1, "scored", 1.0)]
    assert [(u.item.id, u.reason) for u in ranking.unscored] == [
        ("a-only-moscow", "no rice inputs"),
        ("z-none", "no rice inputs"),
    ]


def test_an_item_ranked_above_an_unfinished_dependency_is_marked() -> None:
    items = [
        item("base", rice=(10, 1, 1, 1)),
        item("needs-base", rice=(100, 1, 1, 1), depends_on=("base",)),
        item("needs-done", rice=(100, 1, 1, 1), depends_on=("finished",)),
        item("needs-unranked", rice=(100, 1, 1, 1), depends_on=("no-rice",)),
        item("below-its-dep", rice=(1, 1, 1, 1), depends_on=("base",)),
    ]
    universe = [
        *items,
        item("finished", status="done", rice=(1, 1, 1, 1)),
        item("no-rice", status="planned"),
    ]
    ranking = rank_items(items, [RICE], universe=universe)
    blocked = {e.item.id: e.blocked_by for e in ranking.items}
    assert blocked == {
        "needs-base": ("base",),
        "needs-done": (),
        "needs-unranked": ("no-rice",),
        "base": (),
        "below-its-dep": (),
    }


def test_dependencies_filtered_out_of_the_ranking_still_count() -> None:
    # 'base' is excluded (e.g. by --tag) but unfinished: the dependent is still marked.
    base = item("base", rice=(10, 1, 1, 1))
    dependent = item("dependent", rice=(100, 1, 1, 1), depends_on=("base",))
    ranking = rank_items([dependent], [RICE], universe=[base, dependent])
    assert ranking.items[0].blocked_by == ("base",)


class _Counting:
    """A framework (not a built-in) that counts its scoring; equal to any other."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.calls = 0

    def score(self, inputs: Any) -> Any:
        self.calls += 1
        return self.inner.score(inputs)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Counting)

    __hash__ = None  # type: ignore[assignment]


def _scored_calls(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    calls: list[object] = []
    real = RiceFramework.score

    def counting(self: RiceFramework, inputs: Any) -> Any:
        calls.append(inputs)
        return real(self, inputs)

    monkeypatch.setattr(RiceFramework, "score", counting)
    return calls


def test_a_memo_scores_shared_inputs_once_across_equal_built_ins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _scored_calls(monkeypatch)
    base = [item("a", rice=(10, 1, 1, 1)), item("b", rice=(20, 1, 1, 1))]
    # HEAD: "a" unchanged (the very same inputs object), "b" changed.
    head = [
        replace(base[0], path="head:a.yaml"),
        item("b", rice=(5, 1, 1, 1)),
    ]
    memo = ScoreMemo()
    first = rank_items(base, [RICE], memo=memo)
    again = RICE.configure({})  # another object, equal settings
    assert again is not RICE
    assert again == RICE
    second = rank_items(head, [again], memo=memo)
    assert len(calls) == 3  # a, b at BASE; only the new b at HEAD
    assert second == rank_items(head, [again])
    assert first.items[1].score is second.items[0].score  # "a", scored once


def test_a_memo_does_not_share_between_different_settings_or_plugins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _scored_calls(monkeypatch)
    items = [item("a", rice=(10, 1, 1, 1))]
    memo = ScoreMemo()
    rank_items(items, [RICE], memo=memo)
    rank_items(items, [RICE.configure({"impact": [1, 2, 3]})], memo=memo)
    assert len(calls) == 2
    # A framework from elsewhere is only ever the same as itself, equal or not.
    one, other = _Counting(RICE), _Counting(RICE)
    rank_items(items, [one], memo=memo)
    rank_items(items, [other], memo=memo)
    rank_items(items, [one], memo=memo)
    assert (one.calls, other.calls) == (1, 1)
    # Nor does a subclass of a built-in inherit its sharing: it may score otherwise.

    @dataclass(frozen=True)
    class Doubled(RiceFramework):
        def score(self, inputs: Any) -> Any:
            base = super().score(inputs)
            return replace(base, value=base.value * 2)

    doubled = rank_items(items, [Doubled()], memo=memo)
    assert doubled.items[0].score.value == 2 * rank_items(items, [RICE]).items[0].score.value
