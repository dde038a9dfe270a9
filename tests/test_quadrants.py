"""The value/effort 2×2: medians, quadrants and value/effort, worked by hand."""

from __future__ import annotations

import pytest

from helpers import INTERCOM, item
from tpmcli.errors import UsageError
from tpmcli.ranking.quadrants import (
    BIG_BET,
    FILL_IN,
    MONEY_PIT,
    QUICK_WIN,
    Point,
    axes_for,
    matrix_of,
    median,
    place,
    quadrant_of,
    value_and_effort,
)
from tpmcli.ranking.rank import rank_items


def points(*rows: tuple[str, float, float]) -> list[Point]:
    """(id, value, effort) rows, ranked in the order given."""
    return [
        Point(ident, rank, ident, value, effort)
        for rank, (ident, value, effort) in enumerate(rows, start=1)
    ]


def test_median_of_odd_and_even_counts() -> None:
    assert median([5.0]) == 5
    assert median([3.0, 1.0, 2.0]) == 2
    assert median([4.0, 1.0, 3.0, 2.0]) == 2.5  # the mean of the two middle values
    assert median([1.0, 3.0, 3.0, 5.0]) == 3
    with pytest.raises(ValueError, match="no values"):
        median([])


def test_on_a_median_counts_as_high_value_and_low_effort() -> None:
    assert quadrant_of(2, 2, 2, 2) == QUICK_WIN
    assert quadrant_of(2, 2.5, 2, 2) == BIG_BET
    assert quadrant_of(1.5, 2, 2, 2) == FILL_IN
    assert quadrant_of(1.5, 2.5, 2, 2) == MONEY_PIT


def test_odd_count_medians_are_items_and_those_items_lean_to_quick_win() -> None:
    # values 1 2 3 → median 2; efforts 3 1 2 → median 2.
    matrix = place("rice", points(("a", 1, 3), ("b", 2, 1), ("c", 3, 2)))
    assert (matrix.median_value, matrix.median_effort) == (2, 2)
    assert matrix.quadrants == {
        QUICK_WIN: ("b", "c"),
        BIG_BET: (),
        FILL_IN: (),
        MONEY_PIT: ("a",),
    }


def test_even_count_medians_fall_between_two_items() -> None:
    # values 1 2 3 4 → 2.5; efforts 1 4 2 3 → 2.5: one item in each quadrant.
    matrix = place("rice", points(("a", 1, 1), ("b", 2, 4), ("c", 3, 2), ("d", 4, 3)))
    assert (matrix.median_value, matrix.median_effort) == (2.5, 2.5)
    assert matrix.quadrants == {
        QUICK_WIN: ("c",),
        BIG_BET: ("d",),
        FILL_IN: ("a",),
        MONEY_PIT: ("b",),
    }


def test_ties_at_the_median() -> None:
    # values 1 3 3 5: the two middle values tie, the median is 3 and both are high.
    # efforts 2 2 2 2: every item sits on the median, so every item is low effort.
    matrix = place("wsjf", points(("a", 1, 2), ("b", 3, 2), ("c", 3, 2), ("d", 5, 2)))
    assert (matrix.median_value, matrix.median_effort) == (3, 2)
    assert matrix.quadrants[QUICK_WIN] == ("b", "c", "d")
    assert matrix.quadrants[FILL_IN] == ("a",)
    assert matrix.quadrants[BIG_BET] == matrix.quadrants[MONEY_PIT] == ()


def test_one_item_is_a_quick_win_and_no_items_have_no_medians() -> None:
    assert place("rice", points(("a", 7, 9))).quadrants[QUICK_WIN] == ("a",)
    empty = place("rice", [])
    assert (empty.median_value, empty.median_effort) == (None, None)
    assert all(ids == () for ids in empty.quadrants.values())


def test_ids_are_listed_in_rank_order_whatever_the_order_given() -> None:
    given = [
        Point("late", 3, "", 10, 1),
        Point("first", 1, "", 10, 1),
        Point("second", 2, "", 10, 1),
    ]
    assert place("rice", given).quadrants[QUICK_WIN] == ("first", "second", "late")


def test_value_and_effort_are_the_scores_numerator_and_denominator() -> None:
    rice = {"reach": 450, "impact": 3, "confidence": 0.5, "effort": 2}
    assert value_and_effort("rice", rice) == (675, 2)
    wsjf = {"business_value": 8, "time_criticality": 5, "risk_reduction": 3, "job_size": 5}
    assert value_and_effort("wsjf", wsjf) == (16, 5)


@pytest.mark.parametrize("framework", ["moscow", "ice", "my-formula"])
def test_frameworks_without_a_ratio_have_no_matrix(framework: str) -> None:
    with pytest.raises(UsageError, match=f"rice or wsjf.*{framework} has no numerator"):
        axes_for(framework)
    with pytest.raises(UsageError):
        value_and_effort(framework, {})


def test_matrix_of_a_ranking() -> None:
    # Intercom's examples: values 1350, 1600, 800; efforts 2, 4, 1 → medians 1350, 2.
    from tpmcli.frameworks.rice import RICE

    ranking = rank_items(INTERCOM, [RICE])
    matrix = matrix_of(ranking)
    assert (matrix.median_value, matrix.median_effort) == (1350, 2)
    assert matrix.quadrants == {
        QUICK_WIN: ("one",),
        BIG_BET: ("two",),
        FILL_IN: ("three",),
        MONEY_PIT: (),
    }
    assert [placed.point.rank for placed in matrix.points] == [1, 2, 3]


def test_matrix_of_a_moscow_ranking_is_a_usage_error() -> None:
    from tpmcli.frameworks.moscow import MOSCOW

    ranking = rank_items([item("a", moscow="must")], [MOSCOW])
    with pytest.raises(UsageError, match="moscow has no numerator"):
        matrix_of(ranking)
