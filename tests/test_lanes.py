"""Roadmap lanes: order, lanes without skipping, cycles, DSDM's 60% Musts, properties."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tpmcli.ranking.lanes import (
    Candidate,
    DependencyCycle,
    Lane,
    MoscowShare,
    Placed,
    Roadmap,
    Unplanned,
    plan_roadmap,
)

FIELD = "rice.effort"


def candidate(
    id: str,
    rank: int,
    effort: float | None,
    *depends_on: str,
    in_progress: bool = False,
    moscow: str | None = None,
) -> Candidate:
    return Candidate(id, rank, in_progress, effort, depends_on, moscow)


def ranked(*specs: tuple[str, float | None, tuple[str, ...]]) -> list[Candidate]:
    """Candidates ranked in the order given: (id, effort, depends_on)."""
    return [candidate(id, rank, effort, *deps) for rank, (id, effort, deps) in enumerate(specs, 1)]


def lane_ids(plan: Roadmap) -> dict[str, list[str]]:
    return {lane.name: [placed.id for placed in lane.items] for lane in plan.lanes}


# The worked example. Capacities: now 5, next 4.
#
#   rank  id       effort  depends on  status       moscow
#   1     sso      2       audit                    must
#   2     search   3                                should
#   3     export   6                                could
#   4     audit    1                                must
#   5     tiny     0.5                              wont
#   6     billing  1                   in progress  must
#   7     reports  -                                should
#   8     charts   1       reports                  could
#   9     dash     1       charts                   could
#   10    mobile   1       gone (not a candidate: done, or not selected)
#
# Sequence: in-progress first, then the ranking: billing, sso, search, export, audit, tiny,
# mobile (reports has no effort; charts waits for it, dash for charts and so for reports).
# Dependency-safe, always the first whose dependencies are placed: billing; sso waits for
# audit, so search, export, audit, then sso; tiny; mobile (gone holds nothing back).
#
#   now (5):   billing 1 + search 3 = 4; export 6 does not fit the 1 left: now closes.
#   next (4):  empty, and export 6 is larger than the whole lane: export alone,
#              over capacity; next closes.
#   later:     audit 1 (it would have fitted now's 1 left, but nothing skips ahead),
#              sso 2, tiny 0.5, mobile 1.
#
# MoSCoW: now must 1 / should 3 -> 0.25 / 0.75 / 0; next could 6 -> 0 / 0 / 1;
# later must 1 + 2 = 3, wont and none left out -> must 1.0, above 60%.
WORKED_EXAMPLE = [
    candidate("sso", 1, 2, "audit", moscow="must"),
    candidate("search", 2, 3, moscow="should"),
    candidate("export", 3, 6, moscow="could"),
    candidate("audit", 4, 1, moscow="must"),
    candidate("tiny", 5, 0.5, moscow="wont"),
    candidate("billing", 6, 1, in_progress=True, moscow="must"),
    candidate("reports", 7, None, moscow="should"),
    candidate("charts", 8, 1, "reports", moscow="could"),
    candidate("dash", 9, 1, "charts", moscow="could"),
    candidate("mobile", 10, 1, "gone"),
]


def test_the_worked_example() -> None:
    plan = plan_roadmap(WORKED_EXAMPLE, (5, 4), effort_field=FIELD)
    assert plan == Roadmap(
        lanes=(
            Lane(
                "now",
                5,
                4.0,
                MoscowShare(must=0.25, should=0.75, could=0.0),
                (Placed("billing", 6, 1, False), Placed("search", 2, 3, False)),
                must_share_exceeded=False,
            ),
            Lane(
                "next",
                4,
                6.0,
                MoscowShare(must=0.0, should=0.0, could=1.0),
                (Placed("export", 3, 6, True),),
                must_share_exceeded=False,
            ),
            Lane(
                "later",
                None,
                4.5,
                MoscowShare(must=1.0, should=0.0, could=0.0),
                (
                    Placed("audit", 4, 1, False),
                    Placed("sso", 1, 2, False),
                    Placed("tiny", 5, 0.5, False),
                    Placed("mobile", 10, 1, False),
                ),
                must_share_exceeded=True,
            ),
        ),
        unestimated=(
            Unplanned("reports", "no rice.effort estimate"),
            Unplanned("charts", "waits for unestimated 'reports'"),
            Unplanned("dash", "waits for unestimated 'reports'"),
        ),
    )


def test_the_effort_field_names_itself_in_the_reason() -> None:
    plan = plan_roadmap(ranked(("a", None, ())), (1, None), effort_field="wsjf.job_size")
    assert plan.unestimated == (Unplanned("a", "no wsjf.job_size estimate"),)


def test_a_small_item_after_one_that_closes_the_lane_goes_to_the_next_lane() -> None:
    items = ranked(("a", 3, ()), ("big", 3, ()), ("small", 1, ()), ("c", 1, ()))
    assert lane_ids(plan_roadmap(items, (4, 4), effort_field=FIELD)) == {
        "now": ["a"],
        "next": ["big", "small"],
        "later": ["c"],
    }


def test_next_defaults_to_the_capacity_of_now() -> None:
    items = ranked(("a", 2, ()), ("b", 2, ()), ("c", 2, ()), ("d", 2, ()), ("e", 2, ()))
    plan = plan_roadmap(items, (4, None), effort_field=FIELD)
    assert [lane.capacity for lane in plan.lanes] == [4, 4, None]
    assert lane_ids(plan) == {"now": ["a", "b"], "next": ["c", "d"], "later": ["e"]}


def test_an_oversized_item_met_by_an_empty_now_lane_takes_it_alone() -> None:
    items = ranked(("huge", 9, ()), ("a", 1, ()))
    plan = plan_roadmap(items, (5, 5), effort_field=FIELD)
    assert plan.lanes[0].items == (Placed("huge", 1, 9, True),)
    assert plan.lanes[0].used == 9
    assert lane_ids(plan) == {"now": ["huge"], "next": ["a"], "later": []}


def test_an_item_that_exactly_fills_a_lane_fits_and_so_does_effort_zero() -> None:
    items = ranked(("a", 2, ()), ("b", 3, ()), ("free", 0, ()), ("c", 1, ()))
    plan = plan_roadmap(items, (5, 5), effort_field=FIELD)
    assert lane_ids(plan) == {"now": ["a", "b", "free"], "next": ["c"], "later": []}
    assert not any(placed.over_capacity for lane in plan.lanes for placed in lane.items)


def test_decimal_efforts_fill_a_lane_exactly() -> None:
    # As binary floats, 0.1 + 0.2 is above 0.3; as the numbers written, it is 0.3.
    items = ranked(("a", 0.1, ()), ("b", 0.2, ()), ("c", 0.1, ()))
    plan = plan_roadmap(items, (0.3, 1), effort_field=FIELD)
    assert lane_ids(plan)["now"] == ["a", "b"]
    assert plan.lanes[0].used == 0.3


def test_in_progress_items_come_first_in_rank_order() -> None:
    items = [
        candidate("a", 1, 1),
        candidate("b", 2, 1, in_progress=True),
        candidate("c", 3, 1),
        candidate("d", 4, 1, in_progress=True),
    ]
    assert lane_ids(plan_roadmap(items, (2, 1), effort_field=FIELD)) == {
        "now": ["b", "d"],
        "next": ["a"],
        "later": ["c"],
    }


def test_an_in_progress_item_still_waits_for_its_dependency() -> None:
    # The rule is "the first of the sequence whose dependencies are placed": the
    # dependency is not pulled forward, better-ranked ready items go before it.
    items = [
        candidate("a", 1, 1),
        candidate("dep", 2, 1),
        candidate("doing", 3, 1, "dep", in_progress=True),
    ]
    plan = plan_roadmap(items, (10, 10), effort_field=FIELD)
    assert lane_ids(plan)["now"] == ["a", "dep", "doing"]


def test_the_input_order_does_not_matter_only_the_ranks() -> None:
    forwards = plan_roadmap(WORKED_EXAMPLE, (5, 4), effort_field=FIELD)
    backwards = plan_roadmap(WORKED_EXAMPLE[::-1], (5, 4), effort_field=FIELD)
    assert forwards == backwards


def test_waiting_names_the_best_ranked_unestimated_item_even_through_others() -> None:
    # top depends on late first, but early (reached through mid) ranks better.
    items = ranked(
        ("top", 1, ("late", "mid")),
        ("early", None, ()),
        ("mid", 1, ("early",)),
        ("late", None, ()),
        ("free", 1, ()),
    )
    plan = plan_roadmap(items, (10, 10), effort_field=FIELD)
    assert plan.unestimated == (
        Unplanned("top", "waits for unestimated 'early'"),
        Unplanned("early", "no rice.effort estimate"),
        Unplanned("mid", "waits for unestimated 'early'"),
        Unplanned("late", "no rice.effort estimate"),
    )
    assert lane_ids(plan)["now"] == ["free"]


def test_a_dependency_on_an_item_that_is_not_a_candidate_holds_nothing_back() -> None:
    plan = plan_roadmap(ranked(("a", 1, ("done-long-ago",))), (1, 1), effort_field=FIELD)
    assert lane_ids(plan)["now"] == ["a"]
    assert plan.unestimated == ()


def test_no_candidates_gives_three_empty_lanes() -> None:
    plan = plan_roadmap([], (3, None), effort_field=FIELD)
    assert plan == Roadmap(
        (
            Lane("now", 3, 0.0, None, (), False),
            Lane("next", 3, 0.0, None, (), False),
            Lane("later", None, 0.0, None, (), False),
        ),
        (),
    )


@pytest.mark.parametrize(
    ("items", "capacities", "message"),
    [
        (ranked(("a", 1, ()), ("a", 2, ())), (1, 1), "'a' is given twice"),
        (ranked(("a", -1, ())), (1, 1), "'a': effort must be"),
        (ranked(("a", float("nan"), ())), (1, 1), "'a': effort must be"),
        ([candidate("a", 1, 1, moscow="Must")], (1, 1), "unknown MoSCoW category 'Must'"),
        ([], (float("inf"), 1), "capacity must be"),
        ([], (1, -1), "capacity must be"),
    ],
)
def test_input_upstream_should_have_refused_is_a_value_error(
    items: list[Candidate], capacities: tuple[float, float | None], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        plan_roadmap(items, capacities, effort_field=FIELD)


# Cycles


def cycle_of(items: list[Candidate]) -> tuple[str, ...]:
    with pytest.raises(DependencyCycle) as raised:
        plan_roadmap(items, (5, 5), effort_field=FIELD)
    return raised.value.cycle


def test_two_items_that_wait_for_each_other() -> None:
    items = ranked(("a", 1, ("b",)), ("b", 1, ("a",)))
    with pytest.raises(DependencyCycle) as raised:
        plan_roadmap(items, (5, 5), effort_field=FIELD)
    assert raised.value.cycle == ("a", "b", "a")
    assert str(raised.value) == "dependency cycle: a -> b -> a"
    # It starts at the best-ranked item of the cycle, whatever the ids.
    assert cycle_of(ranked(("b", 1, ("a",)), ("a", 1, ("b",)))) == ("b", "a", "b")


def test_an_item_that_waits_for_itself() -> None:
    items = ranked(("ok", 1, ()), ("a", 1, ("a",)))
    assert cycle_of(items) == ("a", "a")
    assert str(DependencyCycle(("a", "a"))) == "dependency cycle: a -> a"


def test_a_longer_cycle_with_a_tail_is_named_without_the_tail() -> None:
    # tail -> c -> d -> e -> c, and `before` leads into the tail. `e` is the best-ranked
    # item on the cycle; `tail` and `before` rank better but are not on it.
    items = ranked(
        ("tail", 1, ("c",)),
        ("before", 1, ("tail",)),
        ("e", 1, ("c",)),
        ("c", 1, ("d",)),
        ("d", 1, ("e",)),
    )
    assert cycle_of(items) == ("e", "c", "d", "e")


def test_of_two_ways_round_the_shortest_is_named() -> None:
    # a -> b -> d -> a and a -> c -> a: both real; the shorter one is named.
    items = ranked(("a", 1, ("b", "c")), ("b", 1, ("d",)), ("c", 1, ("a",)), ("d", 1, ("a",)))
    assert cycle_of(items) == ("a", "c", "a")


def test_a_cycle_is_found_among_unestimated_items_too() -> None:
    items = ranked(("free", 1, ()), ("x", None, ("y",)), ("y", None, ("x",)))
    assert cycle_of(items) == ("x", "y", "x")


def test_the_cycle_through_the_best_ranked_item_is_named_of_two() -> None:
    items = ranked(("p", 1, ("q",)), ("m", 1, ("n",)), ("n", 1, ("m",)), ("q", 1, ("p",)))
    assert cycle_of(items) == ("p", "q", "p")


def test_a_long_chain_is_not_limited_by_the_recursion_limit() -> None:
    n = 5000
    items = [candidate(f"i{k}", k + 1, 1, f"i{k + 1}") for k in range(n - 1)]
    items.append(candidate(f"i{n - 1}", n, 1, "i0"))
    assert len(cycle_of(items)) == n + 1
    items[-1] = candidate(f"i{n - 1}", n, 1)
    plan = plan_roadmap(items, (10, 10), effort_field=FIELD)
    assert [placed.id for placed in plan.lanes[0].items] == [
        f"i{k}" for k in range(n - 1, n - 11, -1)
    ]


# DSDM: Musts above 60% of a lane's must + should + could effort.


def one_lane(*efforts: tuple[str | None, float]) -> Lane:
    items = [
        candidate(f"i{k}", k, effort, moscow=category)
        for k, (category, effort) in enumerate(efforts, 1)
    ]
    plan = plan_roadmap(items, (1000, 1000), effort_field=FIELD)
    assert not plan.lanes[1].items
    return plan.lanes[0]


def test_exactly_sixty_percent_musts_is_not_exceeded() -> None:
    lane = one_lane(("must", 3), ("should", 1), ("could", 1))
    assert lane.moscow_share == MoscowShare(must=0.6, should=0.2, could=0.2)
    assert not lane.must_share_exceeded


@pytest.mark.parametrize(
    "efforts",
    [
        # 0.3 + 0.3 Musts of 1.0.
        (("must", 0.3), ("must", 0.3), ("could", 0.4)),
        # A float division says 0.30000000000000004 / 0.5 = 0.6000000000000001.
        (("must", 0.1), ("must", 0.1), ("must", 0.1), ("should", 0.1), ("could", 0.1)),
        # As binary fractions, 0.05 + 0.4 of 0.75 is a hair above 0.6; as written, 0.6.
        (("must", 0.05), ("must", 0.4), ("could", 0.3)),
        # Even summed exactly, dividing the floats says 0.0027 / 0.0045 > 0.6.
        (("must", 0.0027), ("should", 0.0009), ("could", 0.0009)),
    ],
)
def test_exactly_sixty_percent_with_decimals_binary_cannot_hold(
    efforts: tuple[tuple[str, float], ...],
) -> None:
    lane = one_lane(*efforts)
    assert lane.moscow_share is not None
    assert lane.moscow_share.must == 0.6
    assert not lane.must_share_exceeded


@pytest.mark.parametrize(
    "efforts",
    [
        (("must", 0.3), ("must", 0.3001), ("could", 0.4)),
        (("must", 3.0000001), ("should", 1), ("could", 1)),
        (("must", 0.1), ("must", 0.1), ("must", 0.1), ("should", 0.1), ("could", 0.0999)),
    ],
)
def test_just_above_sixty_percent_musts_is_exceeded(
    efforts: tuple[tuple[str, float], ...],
) -> None:
    assert one_lane(*efforts).must_share_exceeded


def test_wont_and_uncategorised_effort_is_left_out_of_the_shares() -> None:
    lane = one_lane(("must", 1), ("should", 1), ("wont", 50), (None, 50))
    assert lane.moscow_share == MoscowShare(must=0.5, should=0.5, could=0.0)
    assert lane.used == 102
    assert not lane.must_share_exceeded


@pytest.mark.parametrize(
    "efforts",
    [(("wont", 2), (None, 1)), (("must", 0), ("could", 0))],
)
def test_a_lane_without_must_should_could_effort_has_no_shares(
    efforts: tuple[tuple[str | None, float], ...],
) -> None:
    lane = one_lane(*efforts)
    assert lane.moscow_share is None
    assert not lane.must_share_exceeded


# Properties over random dependency graphs without cycles.

EFFORTS = st.one_of(
    st.none(),
    st.sampled_from([0, 0.1, 0.2, 0.5, 1, 2, 3, 5, 8]),
    st.floats(min_value=0, max_value=20, allow_nan=False, allow_infinity=False),
)
CAPACITIES = st.floats(min_value=0, max_value=15, allow_nan=False, allow_infinity=False)


@st.composite
def backlogs(draw: st.DrawFn) -> tuple[list[Candidate], tuple[float, float | None]]:
    """Dependencies only on earlier-generated ids (so no cycles), then a random ranking,
    so that dependencies rank above or below their dependents."""
    n = draw(st.integers(min_value=0, max_value=14))
    ids = [f"i{k}" for k in range(n)]
    depends_on = [
        tuple(draw(st.lists(st.sampled_from([*ids[:k], "elsewhere"]), max_size=3)))
        for k in range(n)
    ]
    ranking = draw(st.permutations(range(n)))
    items = [
        Candidate(
            ids[k],
            rank,
            draw(st.booleans()),
            draw(EFFORTS),
            depends_on[k],
            draw(st.sampled_from([None, "must", "should", "could", "wont"])),
        )
        for rank, k in enumerate(ranking, 1)
    ]
    capacities = (draw(CAPACITIES), draw(st.none() | CAPACITIES))
    return items, capacities


def expected_order(items: list[Candidate]) -> list[str]:
    """The rule, re-derived as plainly as possible."""
    by_id = {item.id: item for item in items}
    blocked = {item.id for item in items if item.effort is None}
    changed = True
    while changed:
        changed = False
        for item in items:
            if item.id not in blocked and any(d in blocked for d in item.depends_on):
                blocked.add(item.id)
                changed = True
    in_rank_order = sorted(items, key=lambda item: item.rank)
    sequence = [i.id for i in in_rank_order if i.in_progress] + [
        i.id for i in in_rank_order if not i.in_progress
    ]
    sequence = [id for id in sequence if id not in blocked]
    placed: list[str] = []
    while len(placed) < len(sequence):
        for id in sequence:
            if id not in placed and all(
                d in placed or d not in by_id for d in by_id[id].depends_on
            ):
                placed.append(id)
                break
    return placed


@settings(max_examples=200, deadline=None)
@given(backlogs())
def test_properties_of_a_plan(backlog: tuple[list[Candidate], tuple[float, float | None]]) -> None:
    items, capacities = backlog
    plan = plan_roadmap(items, capacities, effort_field=FIELD)
    by_id = {item.id: item for item in items}

    assert [lane.name for lane in plan.lanes] == ["now", "next", "later"]
    lane_of = {placed.id: index for index, lane in enumerate(plan.lanes) for placed in lane.items}
    flat = [placed.id for lane in plan.lanes for placed in lane.items]
    unestimated = [entry.id for entry in plan.unestimated]
    # Every item exactly once: in one lane, or unestimated.
    assert sorted(flat + unestimated) == sorted(by_id)

    position = {id: index for index, id in enumerate(flat)}
    for id in flat:
        for dependency in by_id[id].depends_on:
            assert dependency not in unestimated
            if dependency in lane_of:
                assert lane_of[dependency] <= lane_of[id]
                assert position[dependency] < position[id]

    for lane in plan.lanes:
        over = [placed for placed in lane.items if placed.over_capacity]
        if lane.capacity is None:
            assert not over
        elif over:
            assert len(lane.items) == 1
            assert lane.items[0].effort > lane.capacity
        else:
            assert lane.used <= lane.capacity
        assert lane.used == pytest.approx(sum(placed.effort for placed in lane.items))
        if lane.moscow_share is not None:
            share = lane.moscow_share
            assert share.must + share.should + share.could == pytest.approx(1)
            # Away from the boundary a float comparison agrees; at it, the unit tests decide.
            if abs(share.must - 0.6) > 1e-9:
                assert lane.must_share_exceeded == (share.must > 0.6)
        else:
            assert not lane.must_share_exceeded

    for entry in plan.unestimated:
        if by_id[entry.id].effort is None:
            assert entry.reason == "no rice.effort estimate"
        else:
            blocker = entry.reason.removeprefix("waits for unestimated ").strip("'")
            assert by_id[blocker].effort is None

    assert flat == expected_order(items)
    assert plan_roadmap(items, capacities, effort_field=FIELD) == plan


@settings(max_examples=200, deadline=None)
@given(backlogs())
def test_no_lane_could_have_taken_the_item_that_closed_it(
    backlog: tuple[list[Candidate], tuple[float, float | None]],
) -> None:
    """No skipping, and no closing early: the first item of each following lane did not
    fit what was left of the lane before it (computed with a tolerance, by floats)."""
    items, capacities = backlog
    plan = plan_roadmap(items, capacities, effort_field=FIELD)
    now, next_, later = plan.lanes
    for lane, after in ((now, [*next_.items, *later.items]), (next_, list(later.items))):
        if after and lane.items and not lane.items[0].over_capacity:
            assert lane.capacity is not None
            assert lane.used + after[0].effort > lane.capacity - 1e-9
        if not lane.items and after:
            # An empty lane takes the next item, fitting or not.
            raise AssertionError(f"{lane.name} was left empty")


def test_replacing_a_candidate_changes_the_plan() -> None:
    # A guard that the equality used above can fail: a different effort, a different plan.
    changed = [replace(WORKED_EXAMPLE[0], effort=3), *WORKED_EXAMPLE[1:]]
    assert plan_roadmap(changed, (5, 4), effort_field=FIELD) != plan_roadmap(
        WORKED_EXAMPLE, (5, 4), effort_field=FIELD
    )
