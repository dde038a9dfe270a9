"""``tpm compare A B``: the backlog loaded once, ranked by two frameworks, compared."""

from __future__ import annotations

from tpmcli.backlog.read import load_backlog
from tpmcli.backlog.selection import rank_loaded
from tpmcli.errors import UsageError
from tpmcli.model.requests import CompareRequest, RankRequest, persistence
from tpmcli.project.catalogue import choose_frameworks
from tpmcli.ranking.comparison import FrameworkComparison, compare_frameworks


def compare_backlog(request: CompareRequest) -> FrameworkComparison:
    """The backlog ranked by ``request.a`` and by ``request.b``, and how far they agree.

    A bad ``--top`` or ``--p`` and an unknown framework are usage errors (exit 2),
    raised before invalid items (exit 1), as ``tpm rank`` does."""
    if request.top < 1:
        raise UsageError(f"--top must be at least 1, not {request.top}")
    persistence(request.p)
    backlog = load_backlog(request)
    for name in (request.a, request.b):
        choose_frameworks((name,), backlog.config, backlog.frameworks)
    rankings = [
        rank_loaded(backlog, RankRequest(by=(name,), statuses=request.statuses, tags=request.tags))
        for name in dict.fromkeys((request.a, request.b))  # A == B: ranked once
    ]
    return compare_frameworks(rankings[0], rankings[-1], top=request.top, p=request.p)
