"""The --fail-on grammar, and each condition met and not met."""

from __future__ import annotations

import pytest

from backlog_repo import rice_item
from sides import side
from tpmcli.errors import UsageError
from tpmcli.ranking.diff import RankingDiff, compare_rankings
from tpmcli.ranking.fail_on import CONDITIONS, Condition, failures, grammar_help, parse_conditions

BASE = {
    "a": rice_item("A", 500) + "moscow: must\n",
    "b": rice_item("B", 900) + "moscow: should\n",
    "c": rice_item("C", 700),
    "d": rice_item("D", 100),
}


def diff_to(head: dict[str, str]) -> RankingDiff:
    return compare_rankings(side("main", BASE), side("WORKTREE", head))


def met(condition: str, head: dict[str, str]) -> list[str]:
    return failures(parse_conditions([condition]), diff_to(head))


def test_parse_conditions_repeated_and_comma_separated() -> None:
    assert parse_conditions(["any", "top:3,removed", " category-drop ", "any"]) == (
        Condition("any"),
        Condition("top", 3),
        Condition("removed"),
        Condition("category-drop"),
    )
    assert [str(c) for c in parse_conditions(["top:10,moved"])] == ["top:10", "moved"]


@pytest.mark.parametrize("word", ["anything", "top:", "top:0", "top:-1", "top:x", "top:N", "TOP:3"])
def test_unknown_conditions_are_usage_errors(word: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_conditions([word])
    assert caught.value.exit_code == 2
    assert caught.value.message == (
        f"unknown --fail-on condition '{word}' (one of: any, added, removed, moved, "
        "rescored, top:N, category-drop, lane-change)"
    )


def test_grammar_help_lists_every_condition() -> None:
    assert grammar_help().splitlines() == [f"{k}: {v}" for k, v in CONDITIONS.items()]


UNCHANGED = dict(BASE)
# A new item far below the top: "added" and "any" hold, nothing else.
ADDED_AT_THE_BOTTOM = {**BASE, "e": rice_item("E", 1)}
# Swaps the first two (b 900, c 700 → c 1000, b 900).
TOP_SWAPPED = {**BASE, "c": rice_item("C", 1000)}


@pytest.mark.parametrize(
    ("condition", "head", "expected"),
    [
        ("any", UNCHANGED, []),
        ("any", ADDED_AT_THE_BOTTOM, ["--fail-on any: 1 item changed: e"]),
        ("added", UNCHANGED, []),
        ("added", ADDED_AT_THE_BOTTOM, ["--fail-on added: 1 item added: e"]),
        ("removed", ADDED_AT_THE_BOTTOM, []),
        (
            "removed",
            {k: v for k, v in BASE.items() if k != "d"},
            ["--fail-on removed: 1 item removed: d"],
        ),
        ("moved", ADDED_AT_THE_BOTTOM, []),
        ("moved", TOP_SWAPPED, ["--fail-on moved: 2 items moved: c, b"]),
        ("rescored", {**BASE, "c": rice_item("C", 1400, effort=2)}, []),  # same score
        ("rescored", TOP_SWAPPED, ["--fail-on rescored: 1 item changed score: c"]),
        ("top:2", ADDED_AT_THE_BOTTOM, []),
        ("top:2", {**BASE, "d": rice_item("D", 600)}, []),  # d 4 → 3: below the top 2
        (
            "top:2",
            TOP_SWAPPED,
            ["--fail-on top:2: the top 2 changed from b, c to c, b"],  # same set, new order
        ),
        (
            "top:3",
            {**BASE, "d": rice_item("D", 600)},
            ["--fail-on top:3: the top 3 changed from b, c, a to b, c, d"],
        ),
        ("category-drop", {**BASE, "a": rice_item("A", 500) + "moscow: must\n"}, []),
        ("category-drop", {**BASE, "b": rice_item("B", 900) + "moscow: must\n"}, []),  # a rise
        (
            "category-drop",
            {**BASE, "a": rice_item("A", 500) + "moscow: could\n"},
            ["--fail-on category-drop: 1 item left a higher MoSCoW category: a (must → could)"],
        ),
    ],
)
def test_each_condition_met_and_not_met(
    condition: str, head: dict[str, str], expected: list[str]
) -> None:
    assert met(condition, head) == expected


def test_long_lists_are_shortened() -> None:
    head = {**BASE, **{f"n{i}": rice_item(f"N{i}", 1) for i in range(7)}}
    assert met("added", head) == [
        "--fail-on added: 7 items added: n0, n1, n2, n3, n4 and 2 more",
    ]
