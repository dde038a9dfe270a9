"""``tpm matrix``: the ranked backlog on the value/effort 2×2 (see ``ranking.quadrants``)."""

from __future__ import annotations

from tpmcli.model.items import Ranking
from tpmcli.model.requests import RankRequest
from tpmcli.ranking.quadrants import Matrix, matrix_of


def ranked_backlog(request: RankRequest) -> Ranking:
    """Every item ``request`` ranks: from the last run's snapshot while nothing has
    changed, else loaded and ranked afresh (as ``tpm rank`` does)."""
    from tpmcli.cache.snapshot import ranked_top

    found = ranked_top(request, None)
    if found is None:
        from tpmcli.commands.rank import rank_top

        found = rank_top(request, None)
    return found[0]


def matrix_backlog(request: RankRequest) -> Matrix:
    """The value/effort matrix of the ranked backlog; a framework without a numerator
    and a denominator (MoSCoW, a formula, a plugin) is a usage error."""
    return matrix_of(ranked_backlog(request))
