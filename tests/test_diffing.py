"""Pure comparison of two rankings: what changed, and why."""

from __future__ import annotations

from dataclasses import replace

from backlog_repo import rice_item
from sides import side
from tpmcli.load.parsing import SourceFile, load_sources
from tpmcli.project.catalogue import configured_frameworks
from tpmcli.project.config import Config
from tpmcli.project.validation import ItemRules
from tpmcli.ranking.diff import (
    Change,
    ItemChange,
    RankingDiff,
    Reason,
    compare_rankings,
    limit_to_top,
    top_ids,
)
from tpmcli.ranking.field_changes import fields_changed


def changes(diff: RankingDiff) -> list[tuple[str, str, str | None, int | None, int | None]]:
    return [
        (i.id, i.change.value, i.reason.value if i.reason else None, i.rank_before, i.rank_after)
        for i in diff.items
    ]


BASE = {
    "a": rice_item("A", 500),
    "b": rice_item("B", 900),
    "c": rice_item("C", 700),
    "d": rice_item("D", 100),
}


def test_identical_rankings_are_unchanged() -> None:
    diff = compare_rankings(side("main", BASE), side("WORKTREE", BASE))
    assert changes(diff) == [
        ("b", "unchanged", None, 1, 1),
        ("c", "unchanged", None, 2, 2),
        ("a", "unchanged", None, 3, 3),
        ("d", "unchanged", None, 4, 4),
    ]
    assert diff.summary == {
        "moved": 0,
        "added": 0,
        "removed": 0,
        "rescored": 0,
        "edited": 0,
        "unchanged": 4,
    }
    assert diff.changed == ()
    assert diff.config_changes == ()


def test_own_inputs_others_added_and_removed() -> None:
    head = {**BASE, "a": rice_item("A", 2000), "e": rice_item("E", 800)}
    del head["d"]
    diff = compare_rankings(side("main", BASE), side("WORKTREE", head))
    assert changes(diff) == [
        ("a", "moved", "inputs", 3, 1),
        ("b", "moved", "others", 1, 2),
        ("e", "added", "new", None, 3),
        ("c", "moved", "others", 2, 4),
        ("d", "removed", "deleted", 4, None),
    ]
    moved = diff.items[0]
    assert moved.fields_changed == {"rice.reach": (500, 2000)}
    assert moved.places == 2
    assert diff.items[1].places == -1
    assert diff.summary == {
        "moved": 3,
        "added": 1,
        "removed": 1,
        "rescored": 0,
        "edited": 0,
        "unchanged": 0,
    }


def test_rescored_in_place() -> None:
    head = {**BASE, "b": rice_item("B", 800)}  # still first
    diff = compare_rankings(side("main", BASE), side("WORKTREE", head))
    first = diff.items[0]
    assert (first.id, first.change, first.reason) == ("b", Change.rescored, Reason.inputs)
    assert first.score_before is not None
    assert first.score_after is not None
    assert (first.score_before.value, first.score_after.value) == (900.0, 800.0)
    assert [i.change for i in diff.items[1:]] == [Change.unchanged] * 3


def test_inputs_edited_without_any_effect_are_edited_and_list_the_fields() -> None:
    head = {**BASE, "b": rice_item("B", 1800, effort=2)}  # same score
    diff = compare_rankings(side("main", BASE), side("WORKTREE", head))
    assert diff.items[0].change is Change.edited
    assert diff.items[0].reason is None
    assert diff.items[0].fields_changed == {"rice.reach": (900, 1800), "rice.effort": (1, 2)}


def test_status_takes_items_in_and_out() -> None:
    base = {**BASE, "e": rice_item("E", 5000, status="done")}
    head = {**BASE, "e": rice_item("E", 5000), "d": rice_item("D", 100, status="dropped")}
    diff = compare_rankings(side("main", base), side("WORKTREE", head))
    by_id = {item.id: item for item in diff.items}
    assert (by_id["e"].change, by_id["e"].reason) == (Change.added, Reason.status)
    assert by_id["e"].fields_changed == {"status": ("done", "proposed")}
    assert (by_id["d"].change, by_id["d"].reason) == (Change.removed, Reason.status)
    assert diff.items[-1].id == "d"  # removed items last


def test_exclude_statuses_changed_in_the_config() -> None:
    base = {**BASE, "e": rice_item("E", 5000, status="done")}
    head_config = Config(exclude_statuses=("dropped",))
    diff = compare_rankings(side("main", base), side("WORKTREE", base, head_config))
    added = diff.items[0]
    assert (added.id, added.change, added.reason) == ("e", Change.added, Reason.config)
    assert diff.config_changes == ("exclude_statuses: done, dropped → dropped",)


def test_gaining_and_losing_inputs_is_added_and_removed_for_inputs() -> None:
    base = {**BASE, "e": "title: E\n"}
    head = {**BASE, "e": rice_item("E", 50), "d": "title: D\n"}
    diff = compare_rankings(side("main", base), side("WORKTREE", head))
    by_id = {item.id: item for item in diff.items}
    assert (by_id["e"].change, by_id["e"].reason) == (Change.added, Reason.inputs)
    assert by_id["e"].fields_changed["rice.reach"] == (None, 50)
    assert (by_id["d"].change, by_id["d"].reason) == (Change.removed, Reason.inputs)


def test_items_unscored_at_both_revisions_are_not_in_the_diff() -> None:
    files = {**BASE, "z": "title: Z\nmoscow: must\n"}
    diff = compare_rankings(side("main", files), side("WORKTREE", files))
    assert "z" not in [item.id for item in diff.items]


def test_framework_changed_in_the_config_moves_items_for_config() -> None:
    files = {
        "a": rice_item("A", 500) + "moscow: could\n",
        "b": rice_item("B", 900) + "moscow: should\n",
        "c": rice_item("C", 100) + "moscow: must\n",
    }
    base = side("main", files)
    head = side("WORKTREE", files, Config(framework="moscow"))
    diff = compare_rankings(base, head)
    assert changes(diff) == [
        ("c", "moved", "config", 3, 1),
        ("b", "moved", "config", 1, 2),
        ("a", "moved", "config", 2, 3),
    ]
    assert diff.config_changes == ("framework: rice → moscow",)
    assert (diff.by_before, diff.by_after) == (("rice",), ("moscow",))


def test_scales_changed_in_the_config_are_reported() -> None:
    files = {"a": rice_item("A", 500)}
    head_config = Config(scales={"rice": {"impact": [1, 2, 3]}})
    diff = compare_rankings(side("main", files), side("WORKTREE", files, head_config))
    assert diff.config_changes == ("scales.rice: changed",)


def test_moscow_category_drops_whatever_the_ranking_framework() -> None:
    base = {
        "a": rice_item("A", 500) + "moscow: must\n",
        "b": rice_item("B", 900) + "moscow: could\n",
        "c": "title: C (unscored by rice)\nmoscow: should\n",
    }
    head = {
        "a": rice_item("A", 500) + "moscow: should\n",
        "b": rice_item("B", 900) + "moscow: must\n",
        "c": "title: C (unscored by rice)\nmoscow: wont\n",
    }
    diff = compare_rankings(side("main", base), side("WORKTREE", head))
    assert [(d.id, d.before, d.after) for d in diff.category_drops] == [
        ("a", "must", "should"),
        ("c", "should", "wont"),
    ]
    assert [(p.id, p.before, p.after) for p in diff.category_promotions] == [("b", "could", "must")]
    # Not a ranking change under RICE, but the inputs changed: listed all the same.
    assert diff.items[1].fields_changed == {"moscow": ("must", "should")}
    assert diff.items[1].change is Change.edited
    assert diff.items[0].fields_changed == {"moscow": ("could", "must")}
    moscow = compare_rankings(
        side("main", base, by=("rice", "moscow")), side("WORKTREE", head, by=("rice", "moscow"))
    )
    assert moscow.items[1].fields_changed == {"moscow": ("must", "should")}


def test_fields_changed_covers_every_framework_of_by() -> None:
    frameworks = configured_frameworks(Config())
    rules = ItemRules(frameworks, Config().statuses)
    text = rice_item("A", 1) + "moscow: must\n"
    before = load_sources([SourceFile("a.yaml", text.encode())], rules).items[0]
    edited = text.replace("must", "could").replace("reach: 1", "reach: 2")
    after = load_sources([SourceFile("a.yaml", edited.encode())], rules).items[0]
    # Every framework's inputs, the ranking ones first.
    assert fields_changed(before, after, ["rice"]) == {
        "rice.reach": (1, 2),
        "moscow": ("must", "could"),
    }
    assert fields_changed(before, after, ["moscow", "rice"]) == {
        "moscow": ("must", "could"),
        "rice.reach": (1, 2),
    }
    assert fields_changed(before, after, ["rice", "moscow"]) == {
        "rice.reach": (1, 2),
        "moscow": ("must", "could"),
    }


def test_every_field_is_listed_and_an_item_edited_in_place_is_edited() -> None:
    """A title, owner, tags, dependencies, description, status and another framework's
    inputs: none moves a RICE ranking, each is listed, the item is ``edited``."""
    base = {
        "a": rice_item("A", 500) + "owner: ana\ntags: [x]\nwsjf:\n  business_value: 5\n"
        "  time_criticality: 1\n  risk_reduction: 1\n  job_size: 3\n",
        "b": rice_item("B", 900),
    }
    edited = (
        rice_item("A2", 500).replace("title: A2", "title: A renamed")
        + "owner: bo\ntags: [x, y]\ndepends_on: [b]\ndescription: why\nstatus: in-progress\n"
        "wsjf:\n  business_value: 5\n  time_criticality: 1\n  risk_reduction: 1\n"
        "  job_size: 5\n"
    )
    diff = compare_rankings(side("main", base), side("WORKTREE", {**base, "a": edited}))
    item = next(i for i in diff.items if i.id == "a")
    assert (item.change, item.reason) == (Change.edited, None)
    assert item.fields_changed == {
        "status": ("proposed", "in-progress"),
        "title": ("A", "A renamed"),
        "description": (None, "why"),
        "owner": ("ana", "bo"),
        "tags": (["x"], ["x", "y"]),
        "depends_on": ([], ["b"]),
        "wsjf.job_size": (3, 5),
    }
    assert diff.summary["edited"] == 1
    assert diff.summary["unchanged"] == 1
    assert diff.edited == (item,)
    assert diff.ranking_changed == ()


def test_a_move_by_others_lists_the_item_own_edits_but_keeps_its_reason() -> None:
    head = {**BASE, "a": rice_item("A", 2000), "c": rice_item("C", 700) + "owner: bo\n"}
    diff = compare_rankings(side("main", BASE), side("WORKTREE", head))
    c = next(i for i in diff.items if i.id == "c")
    assert (c.change, c.reason) == (Change.moved, Reason.others)
    assert c.fields_changed == {"owner": (None, "bo")}


def _ranks(changes_: list[ItemChange]) -> list[tuple[str, int | None, int | None]]:
    return [(i.id, i.rank_before, i.rank_after) for i in changes_]


def test_limit_to_top_keeps_movements_into_out_of_and_inside_the_top() -> None:
    head = {**BASE, "d": rice_item("D", 1000)}  # 4 → 1: into the top 2
    diff = compare_rankings(side("main", BASE), side("WORKTREE", head))
    top = limit_to_top(diff, 2)
    assert top.top == 2
    # d moved in, b stayed inside (moved 1 → 2), c moved out (2 → 3); a is outside both.
    assert _ranks(list(top.items)) == [("d", 4, 1), ("b", 1, 2), ("c", 2, 3)]
    assert top.summary["moved"] == 3
    assert top_ids(diff, 2, after=False) == ["b", "c"]
    assert top_ids(diff, 2, after=True) == ["d", "b"]


def test_removed_items_come_last_in_base_rank_order() -> None:
    head = {"a": BASE["a"]}
    diff = compare_rankings(side("main", BASE), side("WORKTREE", head))
    assert _ranks(list(diff.items)) == [
        ("a", 3, 1),
        ("b", 1, None),
        ("c", 2, None),
        ("d", 4, None),
    ]
    # The side's names are kept for the renderers.
    assert (diff.base, diff.head) == ("main", "WORKTREE")
    assert replace(diff, top=1).top == 1


def test_the_same_scores_under_frameworks_in_another_order_are_a_rescoring() -> None:
    # One item, so its rank stays 1; its scores are the same objects' values, but the
    # framework that ranks it changed: its score is another.
    files = {
        "a": rice_item("A", 500)
        + "wsjf: {business_value: 8, time_criticality: 5, risk_reduction: 3, job_size: 5}\n"
    }
    base = side("main", files, by=("rice", "wsjf"))
    head = side("WORKTREE", files, by=("wsjf", "rice"))
    assert base.ranking.items[0].scores == head.ranking.items[0].scores  # as dicts
    assert changes(compare_rankings(base, head)) == [("a", "rescored", "config", 1, 1)]
