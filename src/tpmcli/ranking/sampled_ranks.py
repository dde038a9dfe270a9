"""The ranks of sampled scores, for ``simulation``: each sample's order of the items
(one value sort of 64-bit keys per row) and each item's rank quantiles, counted in
histograms chunk by chunk (see ``simulation``'s docstring, "Memory")."""

from __future__ import annotations

import math
from collections.abc import Iterator
from concurrent.futures import Executor

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

QUANTILES = ((1, 2), (1, 10), (9, 10))  # q as fractions: median_rank, rank_p10, rank_p90


def ranked_rows(scores: FloatArray, pool: Executor | None) -> IntArray:
    """``ranked_columns`` of ``scores``, its rows split among ``pool``'s threads."""
    if pool is None or scores.shape[0] < 2:
        return ranked_columns(scores)
    parts = np.array_split(scores, 2)
    return np.concatenate(list(pool.map(ranked_columns, parts)))


def ranked_columns(scores: FloatArray) -> IntArray:
    """Per row, the columns from best to worst: score descending, ties by column.

    Non-finite scores come last. Equivalent to a stable argsort of −score, done as a
    value sort of 64-bit keys: the order-preserving bits of −score with the column in
    the low bits. Keys that agree above those bits are checked against the true scores
    and the few rows they misorder are argsorted stably.
    """
    n = scores.shape[1]
    shift = max(1, (n - 1).bit_length())
    key = np.negative(scores)
    np.copyto(key, np.inf, where=~np.isfinite(scores))
    key += 0.0  # -0.0 → 0.0: the bit order below must tie them as float order does
    packed = key.view(np.int64) >> 63  # all ones for negative keys, else 0
    packed |= np.int64(-(1 << 63))
    packed ^= key.view(np.int64)
    packed &= np.int64(-(1 << shift))
    packed |= np.arange(n, dtype=np.int64)
    keys = packed.view(np.uint64)
    keys.sort(axis=1)
    near = np.bitwise_xor(keys[:, 1:], keys[:, :-1]) < np.uint64(1 << shift)
    keys &= np.uint64((1 << shift) - 1)
    order = keys.view(np.int64)
    if near.any():
        row, at = np.nonzero(near)
        wrong = key[row, order[row, at]] > key[row, order[row, at + 1]]
        for bad in np.unique(row[wrong]):
            order[bad] = np.argsort(key[bad], kind="stable")
    return order


def nearest_rank_targets(runs: int) -> tuple[int, ...]:
    """The 1-based positions ⌈q·R⌉ of QUANTILES, in integers (0.1 · 30 is not 3 in floats)."""
    return tuple(-(-numerator * runs // denominator) for numerator, denominator in QUANTILES)


def _first_reaching(cumulative: IntArray, targets: IntArray) -> IntArray:
    """Per row, the first column whose cumulative count reaches that row's target."""
    return np.asarray((cumulative >= targets[:, np.newaxis]).argmax(axis=1), dtype=np.int64)


def quantile_ranks_one_pass(orders: Iterator[IntArray], n: int, runs: int) -> IntArray:
    histogram = np.zeros(n * n, dtype=np.int64)  # [item, rank - 1]
    positions = np.arange(n, dtype=np.int64)
    for order in orders:
        flat = order * n
        flat += positions
        histogram += np.bincount(flat.ravel(), minlength=n * n)
    cumulative = np.cumsum(histogram.reshape(n, n), axis=1)
    ranks = [_first_reaching(cumulative, np.full(n, k)) + 1 for k in nearest_rank_targets(runs)]
    return np.stack(ranks, axis=1)


def quantile_ranks_two_passes(
    first_pass: Iterator[IntArray], second_pass: Iterator[IntArray], n: int, runs: int
) -> IntArray:
    width = math.isqrt(n - 1) + 1  # ⌈√n⌉ ranks per bin
    bins = -(-n // width)
    positions = np.arange(n, dtype=np.int64)
    bin_of, offset_of = positions // width, positions % width
    coarse = np.zeros(n * bins, dtype=np.int64)  # [item, bin]
    for order in first_pass:
        flat = order * bins
        flat += bin_of
        coarse += np.bincount(flat.ravel(), minlength=n * bins)
    cumulative = np.cumsum(coarse.reshape(n, bins), axis=1)
    items = np.arange(n)
    quantiles = len(QUANTILES)
    target_bin = np.empty((n, quantiles), dtype=np.int64)
    rest = np.empty((n, quantiles), dtype=np.int64)  # the target's position inside its bin
    for q, k in enumerate(nearest_rank_targets(runs)):
        target_bin[:, q] = _first_reaching(cumulative, np.full(n, k))
        below = np.where(target_bin[:, q] > 0, cumulative[items, target_bin[:, q] - 1], 0)
        rest[:, q] = k - below
    slot = np.full((n, bins), -1, dtype=np.int64)  # which fine histogram counts (item, bin)
    for q in range(quantiles):
        slot[items, target_bin[:, q]] = q
    slot_of = slot[items[:, np.newaxis], target_bin]  # quantiles sharing a bin share a slot
    fine = np.zeros(n * quantiles * width, dtype=np.int64)  # [item, slot, offset]
    for order in second_pass:
        slots = slot[order, bin_of]
        kept = slots >= 0
        flat = (order[kept] * quantiles + slots[kept]) * width
        flat += np.broadcast_to(offset_of, order.shape)[kept]
        fine += np.bincount(flat, minlength=n * quantiles * width)
    fine_cumulative = np.cumsum(fine.reshape(n, quantiles, width), axis=2)
    ranks = np.empty((n, quantiles), dtype=np.int64)
    for q in range(quantiles):
        within = _first_reaching(fine_cumulative[items, slot_of[:, q]], rest[:, q])
        ranks[:, q] = target_bin[:, q] * width + within + 1
    return ranks
