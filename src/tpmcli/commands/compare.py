"""``tpm compare A B``: the backlog loaded once, ranked by two frameworks, compared."""

from __future__ import annotations

import math
from dataclasses import dataclass

from tpmcli.backlog.read import load_backlog
from tpmcli.backlog.selection import rank_loaded
from tpmcli.errors import UsageError
from tpmcli.model.requests import BacklogRequest, RankRequest
from tpmcli.project.catalogue import choose_frameworks
from tpmcli.ranking.comparison import FrameworkComparison, compare_frameworks


@dataclass(frozen=True, kw_only=True)
class CompareRequest(BacklogRequest):
    """Two frameworks, the N of the top-N overlap, RBO's p (the command line holds
    their defaults), and the items to rank (as ``RankRequest``)."""

    a: str
    b: str
    top: int
    p: float
    statuses: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


def persistence(value: float | str) -> float:
    """Rank-biased overlap's p (``--p``) as given on the command line or by a caller: a
    number strictly between 0 and 1, else a usage error."""
    try:
        number = float(value)
    except ValueError:
        number = math.nan  # not a number: refused below, as any value out of range
    if not 0.0 < number < 1.0:
        raise UsageError(f"--p must be a number between 0 and 1 (both excluded), not {value}")
    return number


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
