"""The Monte-Carlo engine behind ``tpm simulate``: ranged inputs → rank statistics.

Every sample draws each ranged input of every item, scores all items with one
vectorised scorer and ranks them (highest score first, ties by id). The work is done a
chunk of samples at a time, as (chunk × n) matrices: one matrix per input field.

Reproducibility. The items are grouped into classes by how each field is drawn
(constant, uniform or PERT), so that every field of a class is one block of columns,
drawn and scored without scattering. Each ranged field of each class has a random stream
of its own (PCG64), spawned from ``SeedSequence(seed)`` in the order of the classes (by
their first item) and of the sorted field names. A stream is read row after row, so the
numbers do not depend on the chunk size: the result is a function of seed, runs and the
inputs only. The scorer is called once per class and chunk, with that class's columns:
it must work element by element (every built-in and formula scorer does).

Unscorable samples. A scorer marks a sample it cannot score (a division by zero, log of
a number ≤ 0, an overflow) with a non-finite value. Such an item ranks after every
scored item in that sample (ties among them by id) and is counted in ``p_unscored``.

Memory. Ranks are counted in per-item histograms, chunk by chunk, so memory does not
grow with runs. Up to ``FULL_HISTOGRAM_MAX_ITEMS`` items one pass keeps the whole
(n × n) int64 histogram (8 MB at 1,024 items). Beyond that, two passes over the same
samples: the first counts ranks in ⌈√n⌉-wide bins (n × ⌈√n⌉ counts) and finds the bin
holding each quantile; the second counts single ranks inside those three bins only
(n × 3 × ⌈√n⌉ counts). Both are O(n^1.5): 4 × 10^6 counts (32 MB) at 10,000 items.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from tpmcli.frameworks.formula_tree import Binary, Expr, Input, Negate, Number
from tpmcli.ranking.sampled_ranks import (
    FloatArray,
    IntArray,
    quantile_ranks_one_pass,
    quantile_ranks_two_passes,
    ranked_rows,
)

Scorer = Callable[[Mapping[str, FloatArray]], FloatArray]
Progress = Callable[[int], None]

CHUNK_CELLS = 1 << 20  # samples × items a chunk: 8 MB a matrix, one per input and the scores
FULL_HISTOGRAM_MAX_ITEMS = 1024
MAX_THREADS = 4  # a chunk's ranged fields are drawn at once, one thread each


@dataclass(frozen=True)
class Constant:
    value: float


@dataclass(frozen=True)
class Uniform:
    """A two-point range, drawn uniformly from [low, high]."""

    low: float
    high: float

    def __post_init__(self) -> None:
        if not self.low <= self.high:
            raise ValueError(f"a range needs low ≤ high, not {self.low} > {self.high}")


@dataclass(frozen=True)
class Pert:
    """A three-point range, drawn as PERT with λ = 4."""

    low: float
    likely: float
    high: float

    def __post_init__(self) -> None:
        if not self.low <= self.likely <= self.high:
            raise ValueError(f"a range needs low ≤ likely ≤ high: {self}")

    @property
    def shape(self) -> tuple[float, float]:
        """(α, β) of the Beta distribution on [low, high]."""
        width = self.high - self.low
        return (
            1 + 4 * (self.likely - self.low) / width,
            1 + 4 * (self.high - self.likely) / width,
        )


Distribution = Constant | Uniform | Pert


@dataclass(frozen=True)
class ItemStatistics:
    """One item's rank over the samples; probabilities are exact counts ÷ runs."""

    id: str
    p_top: float
    p_first: float
    p_unscored: float
    median_rank: int
    rank_p10: int
    rank_p90: int


@dataclass(frozen=True)
class SimulationResult:
    runs: int
    top: int
    seed: int
    items: tuple[ItemStatistics, ...]  # in the order the items were given


def rice_scores(fields: Mapping[str, FloatArray]) -> FloatArray:
    """RICE: reach × impact × confidence ÷ effort (in that order, as the float path)."""
    return fields["reach"] * fields["impact"] * fields["confidence"] / fields["effort"]


def wsjf_scores(fields: Mapping[str, FloatArray]) -> FloatArray:
    """WSJF: (business_value + time_criticality + risk_reduction) ÷ job_size."""
    cost_of_delay = fields["business_value"] + fields["time_criticality"]
    return (cost_of_delay + fields["risk_reduction"]) / fields["job_size"]


def formula_scores(root: Expr) -> Scorer:
    """A scorer evaluating a formula tree over arrays, NaN where the float path raises.

    Mirrors :mod:`tpmcli.frameworks.formula_tree`: every node is evaluated (no short cut), so a
    sample is unscorable when any node fails: a division by zero, a non-finite result of
    + - * / or **, log of a number ≤ 0, sqrt of a negative number. The operations are
    numpy's: + - * / sqrt abs min max are IEEE-exact like the float path; log and ** may
    differ from libm in the last bit (tested to a few ulp), never in what fails.
    """

    def score(fields: Mapping[str, FloatArray]) -> FloatArray:
        with np.errstate(all="ignore"):
            value, failed = _vector_value(root, fields)
            return np.where(failed, np.nan, value)

    return score


def _vector_value(
    node: Expr, fields: Mapping[str, FloatArray]
) -> tuple[FloatArray, NDArray[np.bool_]]:
    if isinstance(node, Number):
        return np.asarray(node.value, dtype=np.float64), np.asarray(False)
    if isinstance(node, Input):
        return np.asarray(fields[node.name], dtype=np.float64), np.asarray(False)
    if isinstance(node, Negate):
        operand, failed = _vector_value(node.operand, fields)
        return -operand, failed
    if isinstance(node, Binary):
        left, left_failed = _vector_value(node.left, fields)
        right, right_failed = _vector_value(node.right, fields)
        failed = left_failed | right_failed
        if node.op == "+":
            result = left + right
        elif node.op == "-":
            result = left - right
        elif node.op == "*":
            result = left * right
        elif node.op == "/":
            failed = failed | (right == 0)
            result = left / right
        else:  # "**" with a whole literal exponent 0..10, as math.pow
            result = np.power(left, right)
        return result, failed | ~np.isfinite(result)
    args = [_vector_value(arg, fields) for arg in node.args]
    failed = np.logical_or.reduce([arg_failed for _, arg_failed in args])
    values = [value for value, _ in args]
    if node.function in ("min", "max"):
        pick = np.minimum if node.function == "min" else np.maximum
        result = values[0]
        for value in values[1:]:
            result = pick(result, value)
        return result, failed
    (arg,) = values
    if node.function == "abs":
        return np.abs(arg), failed
    if node.function == "log":
        return np.log(arg), failed | (arg <= 0)
    return np.sqrt(arg), failed | (arg < 0)


@dataclass(frozen=True)
class _FieldDraw:
    """One field over the items of one class: a constant row, or ranged columns."""

    name: str
    constant: FloatArray | None  # (1, k) when the field is constant for the class
    low: FloatArray
    width: FloatArray
    shape: tuple[FloatArray, FloatArray] | None  # PERT's (α, β); None: uniform


@dataclass(frozen=True)
class _ItemClass:
    """Items whose every field is drawn the same way (constant, uniform or PERT): each
    field of the class is one block, drawn without scattering columns."""

    columns: IntArray
    fields: tuple[_FieldDraw, ...]


def _kind(found: Distribution) -> str:
    if isinstance(found, Constant) or found.low == found.high:
        return "constant"
    return "uniform" if isinstance(found, Uniform) else "pert"


def _plan(inputs: Sequence[Mapping[str, Distribution]]) -> list[_ItemClass]:
    """The items grouped by how their fields are drawn, classes in order of first item."""
    names = sorted({name for item in inputs for name in item})
    groups: dict[tuple[str, ...], list[int]] = {}
    for column, item in enumerate(inputs):
        missing = [name for name in names if name not in item]
        if missing:
            raise ValueError(f"item {column} has no input {missing[0]!r}: one framework per run")
        groups.setdefault(tuple(_kind(item[name]) for name in names), []).append(column)
    classes = []
    for kinds, columns in groups.items():
        fields = []
        for name, kind in zip(names, kinds, strict=True):
            found = [inputs[column][name] for column in columns]
            fields.append(_field_draw(name, kind, found))
        classes.append(_ItemClass(np.array(columns, dtype=np.int64), tuple(fields)))
    return classes


def _field_draw(name: str, kind: str, found: list[Distribution]) -> _FieldDraw:
    if kind == "constant":
        values = [d.value if isinstance(d, Constant) else d.low for d in found]
        empty = np.empty(0)
        return _FieldDraw(name, np.array(values)[np.newaxis, :], empty, empty, None)
    ranged = [d for d in found if isinstance(d, (Uniform, Pert))]
    low = np.array([d.low for d in ranged])
    width = np.array([d.high for d in ranged]) - low
    if kind == "uniform":
        return _FieldDraw(name, None, low, width, None)
    shapes = [d.shape for d in ranged if isinstance(d, Pert)]
    alpha, beta = (np.array(values) for values in zip(*shapes, strict=True))
    return _FieldDraw(name, None, low, width, (alpha, beta))


def _generator(stream: np.random.SeedSequence) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(stream))


class _Sampler:
    """Scores successive chunks of samples; a fresh one replays the same samples.

    Each ranged field of each class has a random stream of its own, read row after row:
    the samples do not depend on the chunk size. Nor do they depend on ``pool``: with
    one, the fields of a chunk are drawn on its threads at once (numpy draws without
    holding the GIL), each stream still read by one draw at a time, in order."""

    def __init__(
        self, classes: list[_ItemClass], n: int, seed: int, pool: Executor | None = None
    ) -> None:
        self.classes = classes
        self.n = n
        self.pool = pool
        ranged = sum(f.constant is None for c in classes for f in c.fields)
        streams = iter(np.random.SeedSequence(seed).spawn(ranged))
        self.generators = [
            [
                None
                if f.constant is not None
                else np.random.Generator(np.random.PCG64(next(streams)))
                for f in c.fields
            ]
            for c in classes
        ]

    def scores(self, scorer: Scorer, rows: int) -> FloatArray:
        """A (rows × n) matrix of scores, columns in the order the items were given."""
        draws = [
            (field, rng)
            for item_class, generators in zip(self.classes, self.generators, strict=True)
            for field, rng in zip(item_class.fields, generators, strict=True)
            if field.constant is None and rng is not None
        ]
        if self.pool is None:
            units = [_drawn(field, rng, rows) for field, rng in draws]
        else:
            units = list(self.pool.map(lambda d: _drawn(d[0], d[1], rows), draws))
        drawn_units = iter(units)
        scores = np.empty((rows, self.n))
        for item_class, generators in zip(self.classes, self.generators, strict=True):
            fields: dict[str, FloatArray] = {}
            for field, rng in zip(item_class.fields, generators, strict=True):
                if field.constant is not None or rng is None:
                    fields[field.name] = field.constant  # type: ignore[assignment]
                else:
                    fields[field.name] = next(drawn_units)
            drawn = scorer(fields)
            if item_class.columns.size == self.n:
                scores[:] = drawn  # one class holds every item, in order
            else:
                scores[:, item_class.columns] = drawn
        return scores


def _drawn(field: _FieldDraw, rng: np.random.Generator, rows: int) -> FloatArray:
    """``rows`` samples of a ranged field: uniform, or PERT's Beta, on [low, high]."""
    size = (rows, field.low.size)
    unit = rng.random(size) if field.shape is None else rng.beta(*field.shape, size)
    unit *= field.width
    unit += field.low
    return unit


def _threads() -> int:
    """Threads to draw and rank on: the CPUs this process may run on, at most
    ``MAX_THREADS``."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_THREADS))


def simulate(
    ids: Sequence[str],
    inputs: Sequence[Mapping[str, Distribution]],
    scorer: Scorer,
    *,
    runs: int,
    top: int,
    seed: int,
    progress: Progress | None = None,
    chunk_rows: int | None = None,
    threads: int | None = None,
) -> SimulationResult:
    """Rank statistics of ``ids`` (sorted ascending) over ``runs`` samples of ``inputs``.

    ``progress`` gets the runs done after each chunk (over both passes for large
    backlogs, counted so that it ends at ``runs``). ``chunk_rows`` only trades speed for
    memory, and ``threads`` (default: the CPUs this process may use, at most
    ``MAX_THREADS``) speed: the result is the same for every value of either.
    """
    if runs < 1 or top < 1:
        raise ValueError(f"runs and top must be at least 1, not {runs} and {top}")
    if seed < 0:
        raise ValueError(f"the seed must be 0 or more, not {seed}")
    if len(ids) != len(inputs) or not ids:
        raise ValueError("one input mapping per id, at least one id")
    if list(ids) != sorted(ids):
        raise ValueError("ids must be sorted ascending: ties rank by id")
    classes = _plan(inputs)
    n = len(ids)
    rows = chunk_rows or max(1, CHUNK_CELLS // n)
    passes = 1 if n <= FULL_HISTOGRAM_MAX_ITEMS else 2
    first = np.zeros(n, dtype=np.int64)
    within_top = np.zeros(n, dtype=np.int64)
    unscored = np.zeros(n, dtype=np.int64)
    done = 0

    def orders(tally: bool, pool: Executor | None) -> Iterator[IntArray]:
        nonlocal done
        sampler = _Sampler(classes, n, seed, pool)
        for start in range(0, runs, rows):
            size = min(rows, runs - start)
            scores = sampler.scores(scorer, size)
            order = ranked_rows(scores, pool)
            if tally:
                first[:] += np.bincount(order[:, 0], minlength=n)
                within_top[:] += np.bincount(order[:, :top].ravel(), minlength=n)
                unscored[:] += np.count_nonzero(~np.isfinite(scores), axis=0)
            yield order
            done += size
            if progress is not None:
                progress(done // passes)

    threads = threads or _threads()
    with ThreadPoolExecutor(threads) if threads > 1 else nullcontext() as pool:
        if passes == 1:
            ranks = quantile_ranks_one_pass(orders(True, pool), n, runs)
        else:
            ranks = quantile_ranks_two_passes(orders(True, pool), orders(False, pool), n, runs)
    items = tuple(
        ItemStatistics(
            id=item_id,
            p_top=int(within_top[i]) / runs,
            p_first=int(first[i]) / runs,
            p_unscored=int(unscored[i]) / runs,
            median_rank=int(ranks[i, 0]),
            rank_p10=int(ranks[i, 1]),
            rank_p90=int(ranks[i, 2]),
        )
        for i, item_id in enumerate(ids)
    )
    return SimulationResult(runs=runs, top=top, seed=seed, items=items)
