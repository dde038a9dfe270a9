"""A real diff shares work between its sides: a file unchanged between the revisions is
parsed once (its items at both sides hold the same inputs objects) and scored once
(``ScoreMemo``), and ``compare_rankings`` takes shortcuts on that identity. Whatever
the backlogs, the diff must be the one made from sides that share nothing."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tpmcli.backlog.selection import select
from tpmcli.load.parsing import SourceFile, load_sources
from tpmcli.model.items import Item
from tpmcli.model.requests import RankRequest
from tpmcli.project.catalogue import configured_frameworks
from tpmcli.project.config import Config
from tpmcli.project.validation import ItemRules
from tpmcli.ranking.diff import BacklogSide, RankingDiff, compare_rankings
from tpmcli.ranking.rank import ScoreMemo, rank_items

CONFIG = Config()
FRAMEWORKS = configured_frameworks(CONFIG)
RULES = ItemRules(FRAMEWORKS, CONFIG.statuses)
IDS = [f"i{number}" for number in range(8)]


#: An item file's parts, each of which an edit may change: its title, status, and its
#: RICE, WSJF and MoSCoW inputs (None: not in the file).
PARTS: dict[str, st.SearchStrategy[Any]] = {
    "title": st.sampled_from(["A", "B"]),
    "status": st.sampled_from([None, "proposed", "in-progress", "done"]),
    "rice": st.none() | st.tuples(st.sampled_from([10, 20]), st.sampled_from([1, 2])),
    "wsjf": st.none() | st.sampled_from([1, 2]),
    "moscow": st.none() | st.sampled_from(["must", "should", "could", "wont"]),
}
ITEMS = st.fixed_dictionaries(PARTS)


def _text(parts: dict[str, Any]) -> str:
    lines = [f"title: {parts['title']}"]
    if parts["status"]:
        lines.append(f"status: {parts['status']}")
    if parts["rice"]:
        reach, effort = parts["rice"]
        lines += ["rice:", f"  reach: {reach}", "  impact: 1", "  confidence: 100%"]
        lines.append(f"  effort: {effort}")
    if parts["wsjf"]:
        lines += ["wsjf:", "  business_value: 3", "  time_criticality: 2"]
        lines += ["  risk_reduction: 1", f"  job_size: {parts['wsjf']}"]
    if parts["moscow"]:
        lines.append(f"moscow: {parts['moscow']}")
    return "\n".join(lines) + "\n"


@st.composite
def revisions(draw: st.DrawFn) -> tuple[dict[str, str], dict[str, str]]:
    """BASE's files, and HEAD's: each of BASE's kept, removed, or with one or two parts edited
    (the edits a pull request makes, where sharing matters); some files added."""
    base = draw(st.dictionaries(st.sampled_from(IDS), ITEMS, max_size=len(IDS)))
    head: dict[str, dict[str, Any]] = {}
    for key, parts in base.items():
        fate = draw(st.sampled_from(["kept", "edited", "removed"]))
        if fate == "kept":
            head[key] = parts
        elif fate == "edited":
            edited = draw(st.sets(st.sampled_from(sorted(PARTS)), min_size=1, max_size=2))
            head[key] = {**parts, **{part: draw(PARTS[part]) for part in sorted(edited)}}
    added = draw(st.dictionaries(st.sampled_from(IDS), ITEMS, max_size=3))
    head.update((key, parts) for key, parts in added.items() if key not in base)
    return (
        {key: _text(parts) for key, parts in base.items()},
        {key: _text(parts) for key, parts in head.items()},
    )


def _parsed(name: str, key: str, text: str) -> list[Item]:
    source = SourceFile(f"{name}:{key}.yaml", text.encode(), key)
    loaded = load_sources([source], RULES)
    assert not loaded.problems, loaded.problems
    return loaded.items


def _side(name: str, items: list[Item], by: tuple[str, ...], memo: ScoreMemo | None) -> BacklogSide:
    ranking = rank_items(
        select(items, CONFIG, RankRequest()),
        [FRAMEWORKS[framework] for framework in by],
        universe=items,
        memo=memo,
    )
    return BacklogSide(name, None, ranking, tuple(items), CONFIG)


def _sides(
    base: dict[str, str], head: dict[str, str], by: tuple[str, ...], *, shared: bool
) -> tuple[BacklogSide, BacklogSide]:
    base_items = {key: _parsed("main", key, text) for key, text in base.items()}
    head_items: dict[str, list[Item]] = {}
    for key, text in head.items():
        if shared and base.get(key) == text:
            # As the cache restores a file parsed for the other side: new items, the
            # same inputs objects.
            head_items[key] = [
                replace(item, path=f"HEAD:{key}.yaml", inputs=dict(item.inputs))
                for item in base_items[key]
            ]
        elif shared and key in base:
            # Further than a real diff goes: each framework's inputs equal to BASE's
            # are BASE's very object, whatever else changed in the file (its status).
            earlier = base_items[key][0].inputs
            head_items[key] = [
                replace(
                    item,
                    inputs={
                        name: earlier[name] if earlier.get(name) == inputs else inputs
                        for name, inputs in item.inputs.items()
                    },
                )
                for item in _parsed("HEAD", key, text)
            ]
        else:
            head_items[key] = _parsed("HEAD", key, text)
    memo = ScoreMemo() if shared else None
    return (
        _side("main", [item for items in base_items.values() for item in items], by, memo),
        _side("HEAD", [item for items in head_items.values() for item in items], by, memo),
    )


def _seen(diff: RankingDiff) -> Any:
    return (
        [
            (
                change.id,
                change.title,
                change.change,
                change.reason,
                change.rank_before,
                change.rank_after,
                change.score_before,
                change.score_after,
                change.fields_changed,
                change.places,
            )
            for change in diff.items
        ],
        diff.category_drops,
        diff.config_changes,
        diff.summary,
    )


@settings(max_examples=300, deadline=None)
@given(
    revisions(),
    st.sampled_from([("rice",), ("moscow",), ("wsjf",), ("rice", "moscow"), ("moscow", "rice")]),
)
def test_sides_sharing_parses_and_scores_give_the_diff_of_sides_sharing_nothing(
    sides: tuple[dict[str, str], dict[str, str]], by: tuple[str, ...]
) -> None:
    base, head = sides
    alone = compare_rankings(*_sides(base, head, by, shared=False))
    together = compare_rankings(*_sides(base, head, by, shared=True))
    assert _seen(together) == _seen(alone)
    assert [(d.id, d.before, d.after) for d in alone.category_drops] == _category_drops(
        *_sides(base, head, by, shared=False)
    )


def _category_drops(base: BacklogSide, head: BacklogSide) -> list[tuple[str, str, str]]:
    """What ``category_drops`` should hold, told another way: every item selected
    (ranked or not) at both sides whose MoSCoW category is lower at HEAD, by id."""
    order = {"wont": 0, "could": 1, "should": 2, "must": 3}

    def categories(side: BacklogSide) -> dict[str, str | None]:
        selected = [entry.item for entry in side.ranking.items]
        selected += [entry.item for entry in side.ranking.unscored]
        return {item.id: (item.inputs_for("moscow") or {}).get("category") for item in selected}

    before, after = categories(base), categories(head)
    return sorted(
        (item_id, old, new)
        for item_id, new in after.items()
        if (old := before.get(item_id)) is not None and new is not None
        if order[new] < order[old]
    )


def test_the_shared_shortcut_is_taken_and_still_tells_moves() -> None:
    """The case the property test is for: unchanged files, shared, whose items move
    because another item overtook them."""
    rice = "rice:\n  reach: {}\n  impact: 1\n  confidence: 100%\n  effort: 1\n"
    base = {"a": "title: A\n" + rice.format(50), "b": "title: B\n" + rice.format(40)}
    head = {**base, "c": "title: C\n" + rice.format(90)}
    base_side, head_side = _sides(base, head, ("rice",), shared=True)
    assert base_side.ranking.items[0].score is head_side.ranking.items[1].score
    diff = compare_rankings(base_side, head_side)
    assert [(c.id, c.change.value, c.reason and c.reason.value) for c in diff.items] == [
        ("c", "added", "new"),
        ("a", "moved", "others"),
        ("b", "moved", "others"),
    ]
    assert _seen(diff) == _seen(compare_rankings(*_sides(base, head, ("rice",), shared=False)))


def test_one_score_object_for_different_inputs_is_no_shortcut() -> None:
    """A framework may hand out one Score object for equal values (a plugin that caches
    them): inputs that differ are still told, though the score is the same object."""
    rice = "title: A\nrice:\n  reach: {}\n  impact: 1\n  confidence: 100%\n  effort: {}\n"
    base_side, head_side = _sides(
        {"a": rice.format(10, 1)}, {"a": rice.format(20, 2)}, ("rice",), shared=True
    )
    old, new = base_side.ranking.items[0], head_side.ranking.items[0]
    assert old.score.value == new.score.value
    assert old.score is not new.score
    same = replace(new, score=old.score, scores={"rice": old.score})
    head_side = replace(head_side, ranking=replace(head_side.ranking, items=(same,)))
    (change,) = compare_rankings(base_side, head_side).items
    assert change.change.value == "edited"
    assert change.fields_changed == {"rice.reach": (10, 20), "rice.effort": (1, 2)}


def test_category_drops_whether_ranked_or_not_at_either_side() -> None:
    """Ranked by RICE, an item with RICE inputs at one side only is ranked there and
    unscored at the other: its MoSCoW category is compared all the same."""
    rice, none = (10, 1), None
    base_parts = {"a": rice, "b": rice, "c": none, "d": none}
    head_parts = {"a": rice, "b": none, "c": rice, "d": none}
    base = {
        key: _text({"title": key, "status": None, "rice": parts, "wsjf": None, "moscow": "must"})
        for key, parts in base_parts.items()
    }
    head = {
        key: _text({"title": key, "status": None, "rice": parts, "wsjf": None, "moscow": "could"})
        for key, parts in head_parts.items()
    }
    expected = [(key, "must", "could") for key in "abcd"]
    for shared in (False, True):
        sides = _sides(base, head, ("rice",), shared=shared)
        assert [(d.id, d.before, d.after) for d in compare_rankings(*sides).category_drops] == (
            expected
        )
        assert _category_drops(*sides) == expected
