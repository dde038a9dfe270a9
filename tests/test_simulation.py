"""The Monte-Carlo engine of ``tpm simulate``: closed forms, properties, exact statistics.

Statistical tests use fixed seeds and a tolerance derived from the run count, never
tuned: 4.5 standard errors of a share, 4.5 · sqrt(p(1 − p) / R). With a fixed seed each
test is deterministic; 4.5 standard errors is what makes the chosen seed unremarkable
(a two-sided miss has probability below 10^-5).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
import scipy.stats
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import tpmcli.ranking.sampled_ranks as sampled_ranks
import tpmcli.ranking.simulation as simulation
from tpmcli.frameworks.formula import parse_formula
from tpmcli.frameworks.formula_tree import EvaluationError
from tpmcli.ranking.sampled_ranks import FloatArray, nearest_rank_targets, ranked_columns
from tpmcli.ranking.simulation import (
    Constant,
    Distribution,
    Pert,
    Uniform,
    formula_scores,
    rice_scores,
    simulate,
    wsjf_scores,
)


def score_x(fields: Mapping[str, FloatArray]) -> FloatArray:
    return fields["x"]


def tolerance(p: float, runs: int) -> float:
    return 4.5 * math.sqrt(p * (1 - p) / runs)


def ids_for(count: int) -> list[str]:
    return [f"item-{i:03d}" for i in range(count)]


# --- closed forms ------------------------------------------------------------------


def test_two_overlapping_uniforms() -> None:
    # A ~ U(0, 2), B ~ U(1, 3). A > B needs both in [1, 2]: P = 1/2 · 1/2 = 1/4, and
    # there, by symmetry, A > B half the time: P(A first) = 1/8.
    runs = 200_000
    result = simulate(
        ["a", "b"], [{"x": Uniform(0, 2)}, {"x": Uniform(1, 3)}], score_x,
        runs=runs, top=1, seed=11,
    )  # fmt: skip
    assert abs(result.items[0].p_first - 1 / 8) <= tolerance(1 / 8, runs)
    assert result.items[0].p_first + result.items[1].p_first == 1


def test_uniform_against_a_constant() -> None:
    # P(U(0, 1) > 0.3) = 0.7; equality has probability 0.
    runs = 100_000
    result = simulate(
        ["a", "b"], [{"x": Uniform(0, 1)}, {"x": Constant(0.3)}], score_x,
        runs=runs, top=1, seed=3,
    )  # fmt: skip
    assert abs(result.items[0].p_first - 0.7) <= tolerance(0.7, runs)


@pytest.mark.parametrize("threshold", [2.5, 4.0, 6.0, 8.5])
def test_pert_against_its_beta_cdf(threshold: float) -> None:
    # PERT(2, 3, 10) is 2 + 8 · Beta(α, β), α = 1 + 4 · 1/8 = 1.5, β = 1 + 4 · 7/8 = 4.5.
    # "a" (the PERT) is first unless it scores below t (a tie goes to "a", by id, and has
    # probability 0): P(score ≤ t) = 1 − p_first(a) = beta.cdf((t − 2) / 8, 1.5, 4.5).
    runs = 100_000
    pert = Pert(2, 3, 10)
    assert pert.shape == (1.5, 4.5)
    result = simulate(
        ["a", "b"], [{"x": pert}, {"x": Constant(threshold)}], score_x,
        runs=runs, top=1, seed=5,
    )  # fmt: skip
    expected = float(scipy.stats.beta.cdf((threshold - 2) / 8, 1.5, 4.5))
    assert abs((1 - result.items[0].p_first) - expected) <= tolerance(expected, runs)


def test_unscorable_samples_rank_last_by_id() -> None:
    # log(x) fails for x ≤ 0: "a" ~ U(-1, 1) is unscorable in half the samples, and
    # then ranks last: below "c", whose log(0) fails in every sample, only by id.
    runs = 50_000
    scorer = formula_scores(parse_formula("log(x)", ["x"]).root)
    result = simulate(
        ["a", "b", "c"], [{"x": Uniform(-1, 1)}, {"x": Constant(0.5)}, {"x": Constant(0)}],
        scorer, runs=runs, top=1, seed=8,
    )  # fmt: skip
    a, b, c = result.items
    assert abs(a.p_unscored - 0.5) <= tolerance(0.5, runs)
    assert b.p_unscored == 0
    assert c.p_unscored == 1
    assert (c.median_rank, c.rank_p10, c.rank_p90, c.p_top) == (3, 3, 3, 0)
    # a is first when x > 0.5 (1/4), second when 0 < x < 0.5, else after c (by id).
    assert abs(a.p_first - 0.25) <= tolerance(0.25, runs)
    assert (a.rank_p10, a.rank_p90) == (1, 2)


# --- exact statistics against a direct computation ------------------------------


def direct_statistics(
    ids: list[str], inputs: list[dict[str, Distribution]], scorer: simulation.Scorer,
    runs: int, top: int, seed: int, chunk_rows: int,
) -> list[tuple[int, int, int, int, int]]:  # fmt: skip
    """Every sample's ranks in plain Python: (top, first, median, p10, p90) counts."""
    ranks: list[list[int]] = [[] for _ in ids]
    ranked = sampled_ranks.ranked_columns

    def recording(scores: FloatArray) -> sampled_ranks.IntArray:
        # Every chunk's sampled scores, in the order of ids, ranked in plain Python.
        for row in scores:
            key = [(0, -s, i) if math.isfinite(s) else (1, 0.0, i) for i, s in enumerate(row)]
            for position, (_, _, item) in enumerate(sorted(key)):
                ranks[item].append(position + 1)
        return ranked(scores)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sampled_ranks, "ranked_columns", recording)
        simulate(ids, inputs, scorer, runs=runs, top=top, seed=seed, chunk_rows=chunk_rows)
    out = []
    for item_ranks in ranks:
        assert len(item_ranks) == runs
        ordered = sorted(item_ranks)
        quantiles = [ordered[math.ceil(Fraction(q) * runs) - 1] for q in ("1/2", "1/10", "9/10")]
        out.append(
            (sum(r <= top for r in item_ranks), item_ranks.count(1), *quantiles)  # type: ignore[arg-type]
        )
    return out


inputs_strategy = st.lists(
    st.one_of(
        st.integers(0, 4).map(lambda v: Constant(float(v))),
        st.tuples(st.integers(0, 4), st.integers(0, 4)).map(
            lambda t: Uniform(float(min(t)), float(max(t)))
        ),
        st.tuples(st.integers(0, 4), st.integers(0, 4), st.integers(0, 4)).map(
            lambda t: Pert(*map(float, sorted(t)))
        ),
    ),
    min_size=1,
    max_size=9,
)


@pytest.mark.parametrize("passes", [1, 2])
@given(
    distributions=inputs_strategy,
    runs=st.integers(1, 120),
    top=st.integers(1, 10),
    seed=st.integers(0, 2**32),
    chunk_rows=st.integers(1, 50),
)
@settings(max_examples=60, deadline=None)
def test_statistics_equal_a_direct_computation(
    passes: int, distributions: list[Distribution], runs: int, top: int, seed: int,
    chunk_rows: int,
) -> None:  # fmt: skip
    # Scores rounded to whole numbers tie often (ties by id); 1 / (x - 2) is unscorable
    # wherever x rounds to 2.
    def scorer(fields: Mapping[str, FloatArray]) -> FloatArray:
        with np.errstate(divide="ignore"):
            return 1 / (np.round(fields["x"]) - 2)

    ids = ids_for(len(distributions))
    inputs: list[dict[str, Distribution]] = [{"x": d} for d in distributions]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(simulation, "FULL_HISTOGRAM_MAX_ITEMS", 1000 if passes == 1 else 0)
        result = simulate(ids, inputs, scorer, runs=runs, top=top, seed=seed, chunk_rows=chunk_rows)
    expected = direct_statistics(ids, inputs, scorer, runs, top, seed, chunk_rows)
    for item, (in_top, first, median, p10, p90) in zip(result.items, expected, strict=True):
        assert (item.p_top, item.p_first) == (in_top / runs, first / runs)
        assert (item.median_rank, item.rank_p10, item.rank_p90) == (median, p10, p90)


def test_nearest_rank_targets_are_exact_in_integers() -> None:
    # 0.1 · 30 is 3.0000000000000004 in floats: math.ceil would say 4.
    assert nearest_rank_targets(30) == (15, 3, 27)
    assert nearest_rank_targets(1) == (1, 1, 1)
    for runs in range(1, 500):
        expected = tuple(math.ceil(Fraction(q) * runs) for q in ("1/2", "1/10", "9/10"))
        assert nearest_rank_targets(runs) == expected


# --- properties ------------------------------------------------------------------


@given(distributions=inputs_strategy, top=st.integers(1, 12), seed=st.integers(0, 1000))
@settings(max_examples=40, deadline=None)
def test_shares_add_up(distributions: list[Distribution], top: int, seed: int) -> None:
    runs = 64
    inputs: list[dict[str, Distribution]] = [{"x": d} for d in distributions]
    ids = ids_for(len(inputs))
    result = simulate(ids, inputs, score_x, runs=runs, top=top, seed=seed)
    assert sum(round(i.p_first * runs) for i in result.items) == runs
    assert sum(round(i.p_top * runs) for i in result.items) == runs * min(top, len(ids))
    for item in result.items:
        assert 1 <= item.rank_p10 <= item.median_rank <= item.rank_p90 <= len(ids)


@given(
    values=st.lists(st.integers(-3, 3).map(float), min_size=1, max_size=12),
    top=st.integers(1, 5),
    seed=st.integers(0, 1000),
)
@settings(max_examples=40, deadline=None)
def test_constants_give_the_deterministic_ranking(values: list[float], top: int, seed: int) -> None:
    ids = ids_for(len(values))
    result = simulate(
        ids, [{"x": Constant(v)} for v in values], score_x, runs=7, top=top, seed=seed
    )
    order = sorted(range(len(values)), key=lambda i: (-values[i], ids[i]))
    for rank, index in enumerate(order, start=1):
        item = result.items[index]
        assert (item.median_rank, item.rank_p10, item.rank_p90) == (rank, rank, rank)
        assert item.p_top == (1.0 if rank <= top else 0.0)
        assert item.p_first == (1.0 if rank == 1 else 0.0)


@given(
    constants=st.lists(st.floats(-4, 4), min_size=1, max_size=8),
    position=st.integers(0, 8),
    exponents=st.tuples(st.integers(-3, 3), st.integers(-3, 3)).map(sorted),
    runs=st.integers(10, 80),
    seed=st.integers(0, 2**32),
)
@settings(max_examples=60, deadline=None)
def test_widening_a_lone_range_never_narrows_its_rank_interval(
    constants: list[float], position: int, exponents: list[int], runs: int, seed: int
) -> None:
    # The lone ranged item is U(−w, w), w a power of two: a sample is −w + 2w·u =
    # w·(2u − 1) exactly (numpy's u is a multiple of 2^-53), so widening w scales every
    # sample away from 0 by the same factor, with the same u (its stream has one column).
    # A rank is a non-increasing function of the value, so rank_p10 is the rank of the
    # ⌈0.1R⌉-th largest sample: it cannot worsen when that sample is ≥ 0, and rank_p90
    # cannot improve when the ⌈0.9R⌉-th largest is ≤ 0. Both conditions are read off a
    # probe with the same seed: "a" against a constant 0 wins ties by id.
    narrow, wide = (2.0**e for e in exponents)
    k10, k90 = nearest_rank_targets(runs)[1:]
    probe_up = simulate(
        ["a", "b"], [{"x": Uniform(-narrow, narrow)}, {"x": Constant(0)}], score_x,
        runs=runs, top=1, seed=seed,
    )  # fmt: skip
    probe_down = simulate(
        ["a", "b"], [{"x": Constant(0)}, {"x": Uniform(-narrow, narrow)}], score_x,
        runs=runs, top=1, seed=seed,
    )  # fmt: skip
    assume(probe_up.items[0].p_first * runs >= k10)  # ⌈0.1R⌉ samples ≥ 0
    assume(probe_down.items[0].p_first * runs >= runs - k90 + 1)  # enough samples ≤ 0
    position = min(position, len(constants))
    ids = ids_for(len(constants) + 1)

    def interval(width: float) -> tuple[int, int]:
        inputs: list[dict[str, Distribution]] = [{"x": Constant(c)} for c in constants]
        inputs.insert(position, {"x": Uniform(-width, width)})
        result = simulate(ids, inputs, score_x, runs=runs, top=1, seed=seed)
        return result.items[position].rank_p10, result.items[position].rank_p90

    (narrow_best, narrow_worst), (wide_best, wide_worst) = interval(narrow), interval(wide)
    assert wide_best <= narrow_best
    assert wide_worst >= narrow_worst


@pytest.mark.parametrize("passes", [1, 2])
def test_same_seed_same_result_whatever_the_chunks_and_threads(
    passes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(simulation, "FULL_HISTOGRAM_MAX_ITEMS", 1000 if passes == 1 else 0)
    rng = np.random.default_rng(0)
    inputs: list[dict[str, Distribution]] = []
    for _ in range(40):
        low = float(rng.uniform(1, 5))
        inputs.append(
            {
                "reach": Pert(low * 100, low * 150, low * 300),
                "impact": Uniform(0.5, 3),
                "confidence": Constant(0.8),
                "effort": Pert(1, low, 10),
            }
        )
    ids = ids_for(len(inputs))
    results = [
        simulate(
            ids, inputs, rice_scores, runs=1000, top=5, seed=42, chunk_rows=rows, threads=threads
        )
        for rows in (None, 1, 7, 333, 1000, 5000)
        for threads in (1, 2, 3)
    ]
    assert all(result == results[0] for result in results)
    other = simulate(ids, inputs, rice_scores, runs=1000, top=5, seed=43)
    assert other != results[0]


def test_fields_are_drawn_on_the_pool_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn_on: set[str] = set()
    draw = simulation._drawn

    def recorded(*args: Any) -> Any:
        drawn_on.add(threading.current_thread().name)
        return draw(*args)

    monkeypatch.setattr(simulation, "_drawn", recorded)
    inputs: list[dict[str, Distribution]] = [{"x": Pert(0, i % 7, 10)} for i in range(20)]
    simulate(ids_for(20), inputs, score_x, runs=100, top=3, seed=1, threads=2)
    assert drawn_on
    assert threading.main_thread().name not in drawn_on
    drawn_on.clear()
    simulate(ids_for(20), inputs, score_x, runs=100, top=3, seed=1, threads=1)
    assert drawn_on == {threading.main_thread().name}


def test_two_passes_equal_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    inputs: list[dict[str, Distribution]] = [
        {"x": Pert(0, i % 7, 10) if i % 3 else Constant(i % 5)} for i in range(60)
    ]
    ids = ids_for(len(inputs))
    one = simulate(ids, inputs, score_x, runs=2000, top=10, seed=1)
    monkeypatch.setattr(simulation, "FULL_HISTOGRAM_MAX_ITEMS", 0)
    assert simulate(ids, inputs, score_x, runs=2000, top=10, seed=1) == one


def test_progress_counts_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    inputs: list[dict[str, Distribution]] = [{"x": Uniform(0, 1)}, {"x": Uniform(0, 2)}]
    simulate(
        ["a", "b"], inputs, score_x, runs=25, top=1, seed=0, progress=seen.append, chunk_rows=10
    )
    assert seen == [10, 20, 25]
    seen.clear()
    monkeypatch.setattr(simulation, "FULL_HISTOGRAM_MAX_ITEMS", 0)
    simulate(
        ["a", "b"], inputs, score_x, runs=25, top=1, seed=0, progress=seen.append, chunk_rows=10
    )
    assert seen == sorted(seen)
    assert seen[-1] == 25


@pytest.mark.parametrize(
    ("runs", "top", "seed", "ids"),
    [(0, 1, 0, ["a"]), (1, 0, 0, ["a"]), (1, 1, -1, ["a"]), (1, 1, 0, ["b", "a"])],
)
def test_bad_arguments_are_value_errors(runs: int, top: int, seed: int, ids: list[str]) -> None:
    with pytest.raises(ValueError, match=r"must|sorted"):
        simulate(ids, [{"x": Constant(1)}] * len(ids), score_x, runs=runs, top=top, seed=seed)


def test_ranges_are_checked() -> None:
    with pytest.raises(ValueError, match="low ≤ high"):
        Uniform(2, 1)
    with pytest.raises(ValueError, match="low ≤ likely ≤ high"):
        Pert(1, 3, 2)


# --- ranking -----------------------------------------------------------------------


special = st.sampled_from([0.0, -0.0, math.inf, -math.inf, math.nan, 1e308, -1e308, 5e-324])


@given(
    st.integers(1, 40).flatmap(
        lambda n: st.lists(
            st.lists(st.one_of(st.integers(-3, 3).map(float), st.floats(), special),
                     min_size=n, max_size=n),
            min_size=1, max_size=6,
        )
    )
)  # fmt: skip
@settings(max_examples=200, deadline=None)
def test_ranked_columns_is_a_stable_argsort_of_minus_score(rows: list[list[float]]) -> None:
    scores = np.array(rows, dtype=np.float64)
    key = np.where(np.isfinite(scores), -scores, np.inf)
    expected = np.argsort(key, axis=1, kind="stable")
    assert np.array_equal(ranked_columns(scores), expected)


def test_ranked_columns_resolves_keys_equal_in_their_high_bits() -> None:
    # Scores one ulp apart agree in every bit the packed key keeps: the check finds them.
    base = 1.0
    row = [base, np.nextafter(base, 2), base, np.nextafter(base, 0)] * 3
    scores = np.array([row, row[::-1]])
    key = -scores
    assert np.array_equal(ranked_columns(scores), np.argsort(key, axis=1, kind="stable"))


# --- scorers ----------------------------------------------------------------------


def test_rice_and_wsjf_scores() -> None:
    rice = {"reach": np.array([[450.0]]), "impact": np.array([[3.0]]),
            "confidence": np.array([[1.0]]), "effort": np.array([[2.0]])}  # fmt: skip
    assert rice_scores(rice)[0, 0] == 675
    wsjf = {"business_value": np.array([[8.0]]), "time_criticality": np.array([[5.0]]),
            "risk_reduction": np.array([[3.0]]), "job_size": np.array([[5.0]])}  # fmt: skip
    assert wsjf_scores(wsjf)[0, 0] == 16 / 5


FORMULAS = [
    "a * b / c",
    "(a + b + c) / (a - b)",
    "log(a) + sqrt(b) - min(a, b, 3) ** 2",
    "max(a, -b, c) / abs(c - 1) + 2 ** 3",
    "abs(a - 2) ** 3 / b - c ** 10",
    "-a ** 2 + log(b * c) * sqrt(a - c)",
    "a ** 0 + b ** 1 / (c * 1e-300)",
]


@pytest.mark.parametrize("text", FORMULAS)
@given(values=st.lists(st.one_of(st.integers(-4, 4).map(float), st.floats(-1e3, 1e3),
                                 st.floats(-1e200, 1e200)), min_size=3, max_size=3))  # fmt: skip
@settings(max_examples=150, deadline=None)
def test_formula_scores_equal_the_float_evaluation(text: str, values: list[float]) -> None:
    formula = parse_formula(text, ["a", "b", "c"])
    fields = {name: np.array([[value]]) for name, value in zip("abc", values, strict=True)}
    vector = float(formula_scores(formula.root)(fields)[0, 0])
    try:
        expected = formula.evaluate(dict(zip("abc", values, strict=True)))
    except EvaluationError:
        assert math.isnan(vector)
        return
    # + - * / sqrt abs min max are IEEE-exact in both; numpy's log and ** may round the
    # last bit differently from libm's: a few ulp, never a different failure.
    if "log" in text or "**" in text:
        np.testing.assert_array_max_ulp(vector, expected, maxulp=8)
    else:
        assert vector == expected
