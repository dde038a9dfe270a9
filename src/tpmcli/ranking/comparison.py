"""Pure: how far two frameworks' rankings of one backlog agree (``tpm compare A B``).

The statistics are those of ``agreement``; this module decides what each is taken
over, as DESIGN.md says:

* Kendall's tau-b and Spearman's rho over the items both frameworks score, on their
  scores (ties as ties);
* the top-N overlap and rank-biased overlap over each framework's own order, every item
  it ranks, ties broken by id as ``tpm rank`` numbers them;
* each item both rank, with its place in each order, largest move first.
"""

from __future__ import annotations

from dataclasses import dataclass

from tpmcli.model.items import Ranking
from tpmcli.ranking.agreement import (
    Measure,
    kendall_tau_b,
    rank_deltas,
    rbo_ext,
    spearman_rho,
    top_overlap,
)


@dataclass(frozen=True)
class Disagreement:
    """An item both frameworks rank: its place in each order and rank_b − rank_a."""

    id: str
    title: str
    rank_a: int
    rank_b: int
    delta: int


@dataclass(frozen=True)
class FrameworkComparison:
    """The report of ``tpm compare A B``."""

    a: str
    b: str
    top: int
    p: float
    #: How many items each framework ranks (its own order's length).
    ranked_a: int
    ranked_b: int
    kendall_tau_b: Measure
    spearman_rho: Measure
    top_overlap: Measure
    rbo: Measure
    #: Every item both frameworks rank, largest |delta| first, then by id.
    items: tuple[Disagreement, ...]

    @property
    def items_compared(self) -> int:
        return len(self.items)

    @property
    def measures(self) -> dict[str, Measure]:
        """The four statistics by their JSON names, in the document's order."""
        return {
            "kendall_tau_b": self.kendall_tau_b,
            "spearman_rho": self.spearman_rho,
            "top_overlap": self.top_overlap,
            "rbo": self.rbo,
        }

    @property
    def undefined(self) -> dict[str, str]:
        """Why each statistic without a value has none (empty when all have one)."""
        return {
            name: measure.undefined_because
            for name, measure in self.measures.items()
            if measure.undefined_because is not None
        }

    @property
    def shared_in_top(self) -> int | None:
        """How many items the two top-N lists have in common (None if undefined)."""
        value = self.top_overlap.value
        return None if value is None else round(value * self.top)

    @property
    def disagreements(self) -> tuple[Disagreement, ...]:
        """The items ranked at different places, largest move first."""
        return tuple(item for item in self.items if item.delta != 0)


def compare_frameworks(a: Ranking, b: Ranking, *, top: int, p: float) -> FrameworkComparison:
    """How far ranking ``a`` (by framework ``a.framework``) and ``b`` agree.

    ``top`` ≥ 1 and 0 < ``p`` < 1 (the caller checks them: a ValueError here is a bug).
    """
    names = (a.framework, b.framework)
    if names[0] == names[1]:
        # The same framework twice still has two sides; the reasons name them apart.
        names = (f"{names[0]} (a)", f"{names[1]} (b)")
    score_b = {entry.item.id: entry.score.value for entry in b.items}
    x: list[float] = []
    y: list[float] = []
    for entry in a.items:
        other = score_b.get(entry.item.id)
        if other is not None:
            x.append(entry.score.value)
            y.append(other)
    order_a = [entry.item.id for entry in a.items]
    order_b = [entry.item.id for entry in b.items]
    titles = {entry.item.id: entry.item.title for entry in a.items}
    items = tuple(
        Disagreement(d.id, titles[d.id], d.rank_a, d.rank_b, d.delta)
        for d in rank_deltas(order_a, order_b)
    )
    return FrameworkComparison(
        a=a.framework,
        b=b.framework,
        top=top,
        p=p,
        ranked_a=len(order_a),
        ranked_b=len(order_b),
        kendall_tau_b=kendall_tau_b(x, y, sides=names),
        spearman_rho=spearman_rho(x, y, sides=names),
        top_overlap=top_overlap(order_a, order_b, top, sides=names),
        rbo=rbo_ext(order_a, order_b, p, sides=names),
        items=items,
    )
