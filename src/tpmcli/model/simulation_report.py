"""What ``tpm simulate`` reports: the point ranking, and each item's rank statistics
over the sampled rankings."""

from __future__ import annotations

from dataclasses import dataclass

from tpmcli.model.items import RankedItem, Unscored


@dataclass(frozen=True)
class SimulatedItem:
    """One ranked item: its place in the point ranking and its rank over the samples
    (probabilities are exact shares: count ÷ runs)."""

    entry: RankedItem
    p_top: float
    p_first: float
    median_rank: int
    rank_p10: int
    rank_p90: int


@dataclass(frozen=True)
class SimulationReport:
    framework: str
    runs: int
    seed: int
    top: int
    #: In point-rank order.
    items: tuple[SimulatedItem, ...]
    unscored: tuple[Unscored, ...]
