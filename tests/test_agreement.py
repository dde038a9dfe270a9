"""The statistics of `tpm compare`: tau-b and rho against scipy, RBO against eq. 32 by hand."""

from __future__ import annotations

import math
import random
import warnings
from fractions import Fraction

import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from tpmcli.ranking.agreement import (
    Measure,
    RankDelta,
    kendall_tau_b,
    rank_deltas,
    rbo_ext,
    spearman_rho,
    top_overlap,
)

# Few distinct values, so that ties (in x, in y, and in both at once) are the rule.
TIED_SCORES = st.one_of(st.integers(0, 4), st.sampled_from([0.5, 1.0, 2.25, 1e9, -3.0]))
PAIRED_SCORES = st.lists(st.tuples(TIED_SCORES, TIED_SCORES), min_size=2, max_size=60)


def scipy_value(statistic: float) -> float | None:
    return None if math.isnan(statistic) else float(statistic)


def scipy_tau(x: list[float], y: list[float]) -> float | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy warns on the constant inputs we want to see
        return scipy_value(scipy.stats.kendalltau(x, y).statistic)


def scipy_rho(x: list[float], y: list[float]) -> float | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return scipy_value(scipy.stats.spearmanr(x, y).statistic)


def assert_matches(ours: Measure, theirs: float | None, x: list[float], y: list[float]) -> None:
    if theirs is None:
        assert ours.value is None
        side = "a" if len(set(x)) == 1 else "b"
        assert ours.undefined_because == f"every item has the same {side} score"
    else:
        assert ours.undefined_because is None
        assert ours.value == pytest.approx(theirs, abs=1e-9)


@settings(max_examples=400, deadline=None)
@given(PAIRED_SCORES)
def test_kendall_tau_b_is_scipys_with_ties(pairs: list[tuple[float, float]]) -> None:
    x = [a for a, _ in pairs]
    y = [b for _, b in pairs]
    assert_matches(kendall_tau_b(x, y), scipy_tau(x, y), x, y)


@settings(max_examples=400, deadline=None)
@given(PAIRED_SCORES)
def test_spearman_rho_is_scipys_with_ties(pairs: list[tuple[float, float]]) -> None:
    x = [a for a, _ in pairs]
    y = [b for _, b in pairs]
    assert_matches(spearman_rho(x, y), scipy_rho(x, y), x, y)


def test_ten_thousand_items_equal_scipy() -> None:
    # Large enough that an O(n²) pass would be 50 million comparisons; the value proves the
    # O(n log n) counting right at size, with many ties on each side and in both.
    rng = random.Random(20100)
    x = [float(rng.randrange(500)) for _ in range(10_000)]
    y = [v + rng.randrange(-150, 150) // 50 * 50 for v in x]
    tau = kendall_tau_b(x, y)
    rho = spearman_rho(x, y)
    assert tau.value == pytest.approx(scipy_tau(x, y), abs=1e-9)
    assert rho.value == pytest.approx(scipy_rho(x, y), abs=1e-9)
    assert 0.5 < (tau.value or 0) < 1  # correlated, not trivially ±1


def test_tau_and_rho_by_hand() -> None:
    # x = 1 2 3, y = 1 3 2: pairs (1,2) and (1,3) concordant, (2,3) discordant, no ties,
    # so tau = (2 − 1)/3; rank differences 0, 1, 1 give rho = 1 − 6·2/(3·8) = 0.5.
    assert kendall_tau_b([1, 2, 3], [1, 3, 2]).value == pytest.approx(1 / 3)
    assert spearman_rho([1, 2, 3], [1, 3, 2]).value == pytest.approx(0.5)
    assert kendall_tau_b([1, 2, 3], [3, 2, 1]).value == -1.0


@pytest.mark.parametrize("statistic", [kendall_tau_b, spearman_rho])
def test_undefined_reasons(statistic: object) -> None:
    assert callable(statistic)
    assert statistic([], []) == Measure(None, "fewer than 2 items scored by both")
    assert statistic([3.0], [1.0]) == Measure(None, "fewer than 2 items scored by both")
    assert statistic([2, 2, 2], [1, 2, 3]) == Measure(None, "every item has the same a score")
    assert statistic([1, 2, 3], [5, 5, 5]) == Measure(None, "every item has the same b score")


@pytest.mark.parametrize("statistic", [kendall_tau_b, spearman_rho])
def test_bad_pairs_are_refused(statistic: object) -> None:
    assert callable(statistic)
    with pytest.raises(ValueError, match="as many"):
        statistic([1, 2], [1])
    with pytest.raises(ValueError, match="NaN"):
        statistic([1, math.nan], [1, 2])


def test_measure_holds_exactly_one_of_value_and_reason() -> None:
    with pytest.raises(ValueError, match="not both"):
        Measure(0.5, "both")
    with pytest.raises(ValueError, match="not both"):
        Measure(None, None)


# RBO_ext, eq. 32 of Webber, Moffat & Zobel (2010), S the shorter order (length s), L the
# longer (length l), X_d the overlap at depth d (past s, all of S against L[:d]):
#   (1 − p)/p · [Σ_{d=1..l} X_d/d p^d + Σ_{d=s+1..l} X_s (d − s)/(s d) p^d]
#     + [(X_l − X_s)/l + X_s/s] p^l
# With p = 0.9, (1 − p)/p = 1/9, and p^1..p^4 = 0.9, 0.81, 0.729, 0.6561.


def test_rbo_identical_orders_is_one() -> None:
    # X_d = d: (1/9)(0.9 + 0.81 + 0.729) + (3/3)·0.729 = 0.271 + 0.729 = 1.
    assert rbo_ext(["a", "b", "c"], ["a", "b", "c"], 0.9) == Measure(1.0)
    long_order = [f"item-{i}" for i in range(5_000)]
    assert rbo_ext(long_order, long_order, 0.98).value == 1.0


def test_rbo_disjoint_orders_is_zero() -> None:
    # X_d = 0 at every depth, so every term is 0.
    assert rbo_ext(["a", "b"], ["c", "d"], 0.9) == Measure(0.0)
    assert rbo_ext(["a", "b", "e"], ["c", "d"], 0.9) == Measure(0.0)


def test_rbo_uneven_lengths_by_hand() -> None:
    # A = a b c d (L, l = 4), B = a c (S, s = 2), p = 0.9.
    # X_1 = |{a} ∩ {a}| = 1, X_2 = |{a,b} ∩ {a,c}| = 1,
    # X_3 = |{a,b,c} ∩ {a,c}| = 2, X_4 = |{a,b,c,d} ∩ {a,c}| = 2; X_s = X_2 = 1.
    # first sum:  1/1·0.9 + 1/2·0.81 + 2/3·0.729 + 2/4·0.6561
    #           = 0.9 + 0.405 + 0.486 + 0.32805 = 2.11905
    # second sum: d = 3: 1·(3−2)/(2·3)·0.729 = 0.1215; d = 4: 1·(4−2)/(2·4)·0.6561 = 0.164025
    #           = 0.285525
    # (1/9)(2.11905 + 0.285525) = 2.404575/9 = 0.267175
    # last term:  ((2 − 1)/4 + 1/2)·0.6561 = 0.75·0.6561 = 0.492075
    # RBO_ext = 0.267175 + 0.492075 = 0.75925
    assert rbo_ext(["a", "b", "c", "d"], ["a", "c"], 0.9).value == pytest.approx(0.75925, abs=1e-12)
    # S and L are by length, not by argument position.
    assert rbo_ext(["a", "c"], ["a", "b", "c", "d"], 0.9).value == pytest.approx(0.75925, abs=1e-12)


def test_rbo_order_matters_most_at_the_top() -> None:
    # a b c against b a c: X = 0, 2, 3 → (1/9)(0 + 0.81 + 0.729) + 0.729 = 0.171 + 0.729 = 0.9.
    # a b c against a c b: X = 1, 1, 3 → (1/9)(0.9 + 0.405 + 0.729) + 0.729 = 0.226 + 0.729 = 0.955.
    top_swapped = rbo_ext(["a", "b", "c"], ["b", "a", "c"], 0.9).value
    bottom_swapped = rbo_ext(["a", "b", "c"], ["a", "c", "b"], 0.9).value
    assert top_swapped == pytest.approx(0.9, abs=1e-12)
    assert bottom_swapped == pytest.approx(0.955, abs=1e-12)


def test_rbo_shorter_prefix_of_longer_is_one() -> None:
    # Eq. 32 assumes S's unseen items keep agreeing at S's rate (here X_s/s = 1), so a
    # short order that is a prefix of the long one scores 1: X = 1, 2, 2, 2, and
    # A_3 = (2 + 2·1/2)/3 = 1, A_4 = (2 + 2·2/2)/4 = 1, last term (0/4 + 2/2)·p^4.
    assert rbo_ext(["a", "b", "c", "d"], ["a", "b"], 0.9) == Measure(1.0)


@pytest.mark.parametrize("p", [0.0, 1.0, -0.1, 1.5, math.nan])
def test_rbo_p_outside_zero_one_is_refused(p: float) -> None:
    with pytest.raises(ValueError, match="p must be"):
        rbo_ext(["a"], ["a"], p)


def test_rbo_empty_order_is_undefined() -> None:
    assert rbo_ext([], ["a"], 0.9) == Measure(None, "a scores no item")
    assert rbo_ext(["a"], [], 0.9) == Measure(None, "b scores no item")


def eq_32(order_a: list[str], order_b: list[str], p: Fraction) -> Fraction:
    """Eq. 32 term by term in exact arithmetic, the overlap recounted at every depth."""
    short, long_ = sorted((order_a, order_b), key=len)
    s, ell = len(short), len(long_)

    def overlap(d: int) -> int:
        return len(set(short[:d]) & set(long_[:d]))

    first = sum((Fraction(overlap(d), d) * p**d for d in range(1, ell + 1)), Fraction(0))
    second = sum(
        (overlap(s) * Fraction(d - s, s * d) * p**d for d in range(s + 1, ell + 1)), Fraction(0)
    )
    last = (Fraction(overlap(ell) - overlap(s), ell) + Fraction(overlap(s), s)) * p**ell
    return (1 - p) / p * (first + second) + last


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from("abcdefghij"), min_size=1, max_size=10, unique=True),
    st.lists(st.sampled_from("abcdefghij"), min_size=1, max_size=10, unique=True),
    st.sampled_from([Fraction(1, 2), Fraction(9, 10), Fraction(98, 100), Fraction(1, 10)]),
)
def test_rbo_is_eq_32_term_by_term(order_a: list[str], order_b: list[str], p: Fraction) -> None:
    ours = rbo_ext(order_a, order_b, float(p)).value
    assert ours == pytest.approx(float(eq_32(order_a, order_b, p)), abs=1e-12)
    assert ours == rbo_ext(order_b, order_a, float(p)).value


def test_top_overlap() -> None:
    a = ["a", "b", "c", "d"]
    b = ["c", "a", "e", "f"]
    assert top_overlap(a, b, 1) == Measure(0.0)  # {a} ∩ {c}
    assert top_overlap(a, b, 2) == Measure(0.5)  # {a,b} ∩ {c,a} = {a}
    assert top_overlap(a, b, 3).value == pytest.approx(2 / 3)  # {a,b,c} ∩ {c,a,e}
    assert top_overlap(a, b, 10) == Measure(0.2)  # 2 shared ÷ the 10 asked for
    assert top_overlap(a, a, 4) == Measure(1.0)
    assert top_overlap(a, b, 0) == Measure(None, "the top N must hold at least 1 item, not 0")
    assert top_overlap([], b, 3) == Measure(None, "a scores no item")


def test_an_order_naming_an_item_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        top_overlap(["a", "a"], ["a"], 1)
    with pytest.raises(ValueError, match="twice"):
        rbo_ext(["a"], ["b", "b"], 0.9)
    with pytest.raises(ValueError, match="twice"):
        rank_deltas(["a", "b", "a"], ["a"])


def test_rank_deltas() -> None:
    # e is only in b and c only in a: neither has a delta. Ranks are whole-order positions.
    assert rank_deltas(["a", "b", "c", "d"], ["d", "b", "a", "e"]) == [
        RankDelta("d", 4, 1, -3),
        RankDelta("a", 1, 3, 2),
        RankDelta("b", 2, 2, 0),
    ]


def test_rank_deltas_equal_moves_go_by_id() -> None:
    assert rank_deltas(["y", "x", "z"], ["z", "x", "y"]) == [
        RankDelta("y", 1, 3, 2),
        RankDelta("z", 3, 1, -2),
        RankDelta("x", 2, 2, 0),
    ]
    assert rank_deltas([], ["a"]) == []


@settings(max_examples=100, deadline=None)
@given(st.lists(TIED_SCORES, min_size=2, max_size=60))
def test_the_same_order_gives_exactly_one_and_its_reverse_minus_one(x: list[float]) -> None:
    # Scores that order the items alike (ties included), whatever the scale.
    y = [3 * value + 1 for value in x]
    reverse = [-value for value in x]
    if len(set(x)) > 1:
        for statistic in (kendall_tau_b, spearman_rho):
            assert statistic(x, y).value == 1.0
            assert statistic(x, reverse).value == -1.0


def test_one_and_minus_one_are_exact_at_ten_thousand_items() -> None:
    x = [float(i // 3) for i in range(10_000)]  # ties too
    for statistic in (kendall_tau_b, spearman_rho):
        assert statistic(x, x).value == 1.0
        assert statistic(x, [-v for v in x]).value == -1.0


def test_reasons_name_the_sides_they_are_given() -> None:
    sides = ("rice", "wsjf")
    assert kendall_tau_b([1, 1], [1, 2], sides=sides).undefined_because == (
        "every item has the same rice score"
    )
    assert spearman_rho([1, 2], [3, 3], sides=sides).undefined_because == (
        "every item has the same wsjf score"
    )
    assert top_overlap(["a"], [], 3, sides=sides) == Measure(None, "wsjf scores no item")
    assert rbo_ext([], ["a"], 0.9, sides=sides) == Measure(None, "rice scores no item")
