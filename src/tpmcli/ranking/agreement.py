"""How far two rankings of one backlog agree: the statistics behind `tpm compare A B`.

Two kinds of measure, because the two frameworks give two kinds of evidence:

* over the items both frameworks score, the scores themselves: Kendall's tau-b and
  Spearman's rho, ties counted as ties, each the number scipy.stats gives (to a few
  units in the last place; exactly 1 for the same order);
* over each framework's own order (ties already broken by id): the share of the top N
  they have in common, rank-biased overlap (extrapolated) and each item's rank change.

A measure that has no value for its input (too few items, a side that ranks every item
alike) is a `Measure` saying why, never a NaN: the caller prints null and the reason.

Standard library only, and nothing from tpmcli, so that this module can move into the
ranking layer as it is.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby

FEWER_THAN_TWO = "fewer than 2 items scored by both"
#: How the reasons name the two sides unless told (``sides=``): the caller's a and b.
SIDES = ("a", "b")


@dataclass(frozen=True)
class Measure:
    """A statistic's value, or the reason it has none: exactly one of the two is set."""

    value: float | None
    undefined_because: str | None = None

    def __post_init__(self) -> None:
        if (self.value is None) == (self.undefined_because is None):
            raise ValueError("a Measure has either a value or a reason it has none, not both")

    @classmethod
    def of(cls, value: float) -> Measure:
        return cls(value, None)

    @classmethod
    def undefined(cls, reason: str) -> Measure:
        return cls(None, reason)


@dataclass(frozen=True)
class RankDelta:
    """One item's place in each framework's own order (1-based) and the move from A to B."""

    id: str
    rank_a: int
    rank_b: int
    delta: int


def kendall_tau_b(
    x: Sequence[float], y: Sequence[float], *, sides: tuple[str, str] = SIDES
) -> Measure:
    """Kendall's tau-b of paired scores (x from framework a, y from b), ties as ties.

    The same number as ``scipy.stats.kendalltau(x, y)`` (variant b):
    (concordant − discordant) / sqrt((pairs − x ties) · (pairs − y ties)).

    Knight's algorithm keeps it O(n log n), so a backlog of 10,000 items costs a sort and
    a merge sort rather than 50 million pair comparisons: sorted by (x, y), a pair is
    discordant exactly when its y values stand in the wrong order, so the discordant
    pairs are the inversions a merge sort of the y column counts.
    """
    _check_pairs(x, y)
    n = len(x)
    if n < 2:
        return Measure.undefined(FEWER_THAN_TWO)
    pairs = sorted(zip(x, y, strict=True))
    total = n * (n - 1) // 2
    x_ties = _tied_pairs(px for px, _ in pairs)
    # Pairs tied on both sides are counted in x_ties and in y_ties; adding them back once
    # leaves them counted as neither concordant nor discordant.
    joint_ties = _tied_pairs(pairs)
    discordant, sorted_y = _inversions(py for _, py in pairs)
    y_ties = _tied_pairs(sorted_y)
    if x_ties == total:
        return Measure.undefined(_constant(sides[0]))
    if y_ties == total:
        return Measure.undefined(_constant(sides[1]))
    # Integers up to here, so the only rounding is in the square root and the division
    # (scipy takes two square roots and two divisions: the two agree to a few ulps).
    concordant_minus_discordant = total - x_ties - y_ties + joint_ties - 2 * discordant
    tau = concordant_minus_discordant / _root((total - x_ties) * (total - y_ties))
    return Measure.of(_clamp(tau))


def spearman_rho(
    x: Sequence[float], y: Sequence[float], *, sides: tuple[str, str] = SIDES
) -> Measure:
    """Spearman's rho: Pearson's correlation of the average ranks (ties share the mean rank).

    The same number as ``scipy.stats.spearmanr(x, y)``. Ranks are doubled so that every
    one (a mean of two integers at worst) is an integer and the sums are exact; only the
    final square root and division round.
    """
    _check_pairs(x, y)
    n = len(x)
    if n < 2:
        return Measure.undefined(FEWER_THAN_TWO)
    rank_x = _doubled_average_ranks(x)
    rank_y = _doubled_average_ranks(y)
    sum_x, sum_y = sum(rank_x), sum(rank_y)
    # n² times the variances and the covariance: exact, and zero only for a constant side.
    spread_x = n * sum(r * r for r in rank_x) - sum_x * sum_x
    spread_y = n * sum(r * r for r in rank_y) - sum_y * sum_y
    if spread_x == 0:
        return Measure.undefined(_constant(sides[0]))
    if spread_y == 0:
        return Measure.undefined(_constant(sides[1]))
    co_spread = n * sum(a * b for a, b in zip(rank_x, rank_y, strict=True)) - sum_x * sum_y
    return Measure.of(_clamp(co_spread / _root(spread_x * spread_y)))


def top_overlap(
    order_a: Sequence[str], order_b: Sequence[str], n: int, *, sides: tuple[str, str] = SIDES
) -> Measure:
    """|topN(A) ∩ topN(B)| ÷ N, with N = n as given even when an order is shorter.

    Dividing by the N asked for, not by the items there are, keeps the number meaning
    "how many of the N slots the two agree on".
    """
    _positions(order_a, "a")
    _positions(order_b, "b")
    if n < 1:
        return Measure.undefined(f"the top N must hold at least 1 item, not {n}")
    empty = _empty_side(order_a, order_b, sides)
    if empty is not None:
        return Measure.undefined(empty)
    shared = set(order_a[:n]) & set(order_b[:n])
    return Measure.of(len(shared) / n)


def rbo_ext(
    order_a: Sequence[str], order_b: Sequence[str], p: float, *, sides: tuple[str, str] = SIDES
) -> Measure:
    """Rank-biased overlap, extrapolated (Webber, Moffat & Zobel 2010, eq. 32).

    With S the shorter order (length s), L the longer (length l) and X_d the overlap at
    depth d, eq. 32 reads

        RBO_ext = (1 − p)/p · [ Σ_{d=1..l} X_d/d · p^d + Σ_{d=s+1..l} X_s (d − s)/(s d) · p^d ]
                  + [ (X_l − X_s)/l + X_s/s ] · p^l

    where, past depth s, S contributes all s of its items: X_d = |S ∩ L[:d]| for d > s.
    The second sum assumes the items S does not show agree with L at the rate S's own
    items did (X_s/s); the last term extends the agreement seen at depth l forever.
    Equal lengths make the second sum empty and the last term X_l/l · p^l.

    Written per depth, that is Σ_{d=1..l} w_d A_d + p^l A_l with w_d = (1 − p) p^(d−1)
    and A_d = (s X_d + X_s max(d − s, 0)) / (s d), which is how it is computed: A_d has
    one rounding, and dividing by Σ w_d + p^l (1 in exact arithmetic) makes identical
    orders give exactly 1.0 rather than 1 − 1e-16.

    Consequences of eq. 32 worth knowing: identical orders give 1, orders with nothing in
    common give 0, and a shorter order that is a prefix of the longer also gives 1, since
    S's unseen items are assumed to keep agreeing.

    Source: eq. 32 and the meaning of X_d past s as quoted by public implementations that
    cite the paper (their forms agree with each other); the paper's own text was not
    available here to read.

    Raises ValueError unless 0 < p < 1, and when an order lists an item twice.
    """
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be between 0 and 1 (both excluded), not {p}")
    _positions(order_a, "a")
    _positions(order_b, "b")
    empty = _empty_side(order_a, order_b, sides)
    if empty is not None:
        return Measure.undefined(empty)
    short, long_ = sorted((order_a, order_b), key=len)
    # The paper's s and l: the lengths of the shorter and the longer order.
    s, ell = len(short), len(long_)

    # X_d grows by one for each newly seen item already seen in the other order; an item
    # at the same depth in both is counted once, because the short side's item is
    # recorded before the long side's is looked up.
    seen_short: set[str] = set()
    seen_long: set[str] = set()
    overlap = 0
    overlap_at_s = 0
    agreement_sum = 0.0
    weight_sum = 0.0
    weight = 1.0 - p
    for depth in range(1, ell + 1):
        if depth <= s:
            item = short[depth - 1]
            seen_short.add(item)
            overlap += item in seen_long
        item = long_[depth - 1]
        seen_long.add(item)
        overlap += item in seen_short
        if depth == s:
            overlap_at_s = overlap
        agreement = _extrapolated_agreement(overlap, overlap_at_s, depth, s)
        agreement_sum += weight * agreement
        weight_sum += weight
        weight *= p
    tail = p**ell
    agreement_sum += tail * _extrapolated_agreement(overlap, overlap_at_s, ell, s)
    weight_sum += tail
    return Measure.of(_clamp(agreement_sum / weight_sum, low=0.0))


def rank_deltas(order_a: Sequence[str], order_b: Sequence[str]) -> list[RankDelta]:
    """Each item in both orders with its 1-based rank in each and rank_b − rank_a.

    Ranks are positions in each framework's whole order, as `tpm rank` numbers them, not
    positions among the shared items only. Largest move first, then by id, so the output
    is the same for the same input.
    """
    rank_a = _positions(order_a, "a")
    rank_b = _positions(order_b, "b")
    deltas = [
        RankDelta(item, rank, rank_b[item], rank_b[item] - rank)
        for item, rank in rank_a.items()
        if item in rank_b
    ]
    deltas.sort(key=lambda d: (-abs(d.delta), d.id))
    return deltas


def _extrapolated_agreement(overlap: int, overlap_at_s: int, depth: int, s: int) -> float:
    """A_d of eq. 32: the overlap seen, plus S's unseen items past s at S's own rate."""
    return (s * overlap + overlap_at_s * max(depth - s, 0)) / (s * depth)


def _check_pairs(x: Sequence[float], y: Sequence[float]) -> None:
    if len(x) != len(y):
        raise ValueError(f"paired scores must be as many on each side, not {len(x)} and {len(y)}")
    # NaN compares false with everything, so it would silently corrupt every sort here.
    if any(math.isnan(v) for v in x) or any(math.isnan(v) for v in y):
        raise ValueError("scores must be numbers, not NaN")


def _positions(order: Sequence[str], side: str) -> dict[str, int]:
    """Each id's 1-based rank; an order naming an item twice is not a ranking."""
    positions: dict[str, int] = {}
    for rank, item in enumerate(order, start=1):
        if item in positions:
            raise ValueError(f"the order of {side} lists {item!r} twice")
        positions[item] = rank
    return positions


def _empty_side(
    order_a: Sequence[str], order_b: Sequence[str], sides: tuple[str, str]
) -> str | None:
    if not order_a:
        return f"{sides[0]} scores no item"
    if not order_b:
        return f"{sides[1]} scores no item"
    return None


def _constant(side: str) -> str:
    return f"every item has the same {side} score"


def _tied_pairs(sorted_values: Iterable[object]) -> int:
    """Pairs of equal values in a sorted sequence: t(t − 1)/2 for each run of t."""
    total = 0
    for _, run in groupby(sorted_values):
        t = sum(1 for _ in run)
        total += t * (t - 1) // 2
    return total


def _inversions(values: Iterable[float]) -> tuple[int, list[float]]:
    """Pairs i < j with values[i] > values[j], counted by a bottom-up merge sort.

    Returns the count and the values sorted. Bottom-up, so no recursion depth to worry
    about; equal values are taken from the left run first and never counted, which is
    what keeps tied y values out of the discordant pairs.
    """
    items = list(values)
    n = len(items)
    buffer = items[:]
    count = 0
    width = 1
    while width < n:
        for low in range(0, n, 2 * width):
            middle = min(low + width, n)
            high = min(low + 2 * width, n)
            i, j, k = low, middle, low
            while i < middle and j < high:
                if items[j] < items[i]:
                    buffer[k] = items[j]
                    j += 1
                    # items[j] jumps every item still waiting in the left run.
                    count += middle - i
                else:
                    buffer[k] = items[i]
                    i += 1
                k += 1
            buffer[k:high] = items[i:middle] + items[j:high]
        items, buffer = buffer, items
        width *= 2
    return count, items


def _doubled_average_ranks(values: Sequence[float]) -> list[int]:
    """Twice each value's average 1-based rank: a run at positions start..end-1 (0-based)
    shares the rank (start + 1 + end) / 2, so twice it is an integer."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0] * len(values)
    start = 0
    while start < len(order):
        end = start + 1
        while end < len(order) and values[order[end]] == values[order[start]]:
            end += 1
        for position in range(start, end):
            ranks[order[position]] = start + 1 + end
        start = end
    return ranks


def _root(product: int) -> float:
    """The square root of a product of two spreads, exact when it is a whole number: the
    same order on both sides (equal spreads) then gives exactly 1, not 1 − 1e-16."""
    root = math.isqrt(product)
    return root if root * root == product else math.sqrt(product)


def _clamp(value: float, low: float = -1.0) -> float:
    # Rounding can step a hair outside the range the statistic cannot leave.
    return min(1.0, max(low, value))
