"""``tpm compare A B``: the backlog ranked by two frameworks, compared: from the
snapshot a warm run left (``cache.snapshot``) while nothing changed, else loaded once."""

from __future__ import annotations

import math
from dataclasses import dataclass

from tpmcli.backlog.read import load_backlog
from tpmcli.backlog.selection import rank_loaded
from tpmcli.cache.snapshot import ranked_by_each
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
    owners: tuple[str, ...] = ()


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
    names = dict.fromkeys((request.a, request.b))  # A == B: ranked once
    requests = [
        RankRequest(
            paths=request.paths,
            config_file=request.config_file,
            at=request.at,
            use_cache=request.use_cache,
            by=(name,),
            statuses=request.statuses,
            tags=request.tags,
            owners=request.owners,
        )
        for name in names
    ]
    rankings = ranked_by_each(requests)  # while nothing changed since the last run
    if rankings is None:
        backlog = load_backlog(request)
        for name in names:
            choose_frameworks((name,), backlog.config, backlog.frameworks)
        rankings = [rank_loaded(backlog, each) for each in requests]
    return compare_frameworks(rankings[0], rankings[-1], top=request.top, p=request.p)
