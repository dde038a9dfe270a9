"""The report chart's geometry: scales, ticks and labels that never overlap."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tpmcli.ranking.quadrants import Point, place
from tpmcli.render.report_chart import (
    HEIGHT,
    LABEL_CHARS,
    WIDTH,
    Box,
    Circle,
    chart_for,
    label_text,
    place_labels,
    scale_for,
)

PLOT = Box(72, 16, WIDTH - 16, HEIGHT - 64)


def chart(points: list[tuple[float, float]], labelled: int = 10):  # type: ignore[no-untyped-def]
    matrix = place(
        "rice",
        [Point(f"item-{i}", i, "", value, effort) for i, (value, effort) in enumerate(points, 1)],
    )
    assert matrix.median_value is not None
    assert matrix.median_effort is not None
    return chart_for(
        matrix.points,
        matrix.median_value,
        matrix.median_effort,
        labelled=labelled,
        tooltips=["" for _ in matrix.points],
    )


def test_linear_scale_from_zero_to_a_round_number() -> None:
    scale = scale_for([3, 7.5, 9], 0, 100)
    assert (scale.low, scale.high, scale.log) == (0, 10, False)
    assert scale(0) == 0
    assert scale(5) == 50
    assert scale(10) == 100
    assert [text for _, text in scale.ticks()] == ["0", "2", "4", "6", "8", "10"]
    assert scale_for([3, 10.5], 0, 100).high == 15  # in steps of 5
    upward = scale_for([0, 1760], 400, 16)  # pixels run upwards for value
    assert upward.high == 2000
    assert upward(0) == 400
    assert upward(2000) == 16
    assert upward(1000) == 208


def test_log_scale_beyond_a_hundredfold_span() -> None:
    scale = scale_for([2, 50, 3000], 0, 300)
    assert (scale.low, scale.high, scale.log) == (1, 10000, True)
    assert scale(1) == 0
    assert scale(100) == 150
    assert scale(10000) == 300
    assert [text for _, text in scale.ticks()] == ["1", "10", "100", "1000", "10000"]
    assert not scale_for([0, 50, 3000], 0, 300).log  # zero has no logarithm


def test_one_point_and_equal_points_are_drawn_inside_the_plot() -> None:
    for points in ([(5, 2)], [(0, 1), (0, 1)]):
        drawn = chart(points)
        for circle in drawn.circles:
            assert PLOT.left <= circle.x <= PLOT.right
            assert PLOT.top <= circle.y <= PLOT.bottom


def test_circles_carry_their_quadrant_and_high_value_is_up() -> None:
    drawn = chart([(10, 1), (1, 10)])
    by_id = {circle.id: circle for circle in drawn.circles}
    assert by_id["item-1"].quadrant == "quick-win"
    assert by_id["item-2"].quadrant == "money-pit"
    assert by_id["item-1"].y < by_id["item-2"].y  # higher value, higher on the page
    assert by_id["item-1"].x < by_id["item-2"].x  # lower effort, further left


def test_labels_go_to_the_top_items_and_never_overlap_on_a_crowded_chart() -> None:
    rng = random.Random(7)
    points = [(rng.uniform(0, 100), rng.uniform(0.5, 10)) for _ in range(200)]
    drawn = chart(points)
    assert {label.id for label in drawn.labels} <= {f"item-{i}" for i in range(1, 11)}
    assert len(drawn.labels) >= 5  # room is found for most of them
    boxes = [label.box for label in drawn.labels] + [corner.box for corner in drawn.corners]
    for first, second in itertools.combinations(boxes, 2):
        assert not first.overlaps(second)
    assert all(label.box.inside(drawn.plot) for label in drawn.labels)


def test_a_label_prefers_the_right_of_its_circle_and_avoids_other_circles() -> None:
    centre = Circle("a", "quick-win", 300, 200, "")
    (label,) = place_labels([centre], [centre], [], PLOT)
    assert label.anchor == "start"
    assert label.box.left > 300
    blocker = Circle("b", "quick-win", 312, 200, "")  # sits where the label would go
    (label,) = place_labels([centre], [centre, blocker], [], PLOT)
    assert label.anchor == "end"
    assert label.box.right < 300


def test_a_label_with_no_room_is_left_out() -> None:
    tiny = Box(0, 0, 20, 20)
    assert place_labels([Circle("a", "quick-win", 10, 10, "")], [], [], tiny) == ()


def test_long_ids_are_cut_in_labels() -> None:
    assert label_text("short") == "short"
    cut = label_text("x" * 40)
    assert len(cut) == LABEL_CHARS
    assert cut.endswith("…")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 1e6), st.floats(0.01, 1e4)), min_size=1, max_size=40),
)
def test_labels_never_overlap_and_circles_stay_in_the_plot(
    points: list[tuple[float, float]],
) -> None:
    drawn = chart(points)
    for circle in drawn.circles:
        assert PLOT.left - 0.1 <= circle.x <= PLOT.right + 0.1
        assert PLOT.top - 0.1 <= circle.y <= PLOT.bottom + 0.1
    for first, second in itertools.combinations([label.box for label in drawn.labels], 2):
        assert not first.overlaps(second)


@pytest.mark.parametrize("labelled", [0, 3])
def test_only_the_asked_number_of_labels(labelled: int) -> None:
    assert len(chart([(i, i) for i in range(1, 20)], labelled).labels) <= labelled
