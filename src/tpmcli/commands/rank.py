"""``tpm rank``: the ranking's top rows, loaded and ranked afresh (``cache.snapshot``
answers a warm run before this is imported)."""

from __future__ import annotations

from dataclasses import replace

from tpmcli.backlog.assembly import Backlog
from tpmcli.backlog.read import load_backlog
from tpmcli.backlog.selection import rank_loaded
from tpmcli.backlog.snapshots import write_backlog_snapshot
from tpmcli.cache.validity import snapshot_key
from tpmcli.model.items import Ranking
from tpmcli.model.requests import RankRequest


def rank_top(
    request: RankRequest, limit: int | None, *, partial: bool = False
) -> tuple[Ranking, int]:
    """``tpm rank``: the ranking's top ``limit`` items (all when None) and how many it
    ranks in all, loaded and ranked afresh; a snapshot is written for the next run (see
    ``snapshot.ranked_top``, which answers from it while nothing has changed).
    ``partial``: as for ``rank_afresh``."""
    _, ranking = rank_afresh(request, partial=partial)
    total = len(ranking.items)
    if limit is not None:
        ranking = replace(ranking, items=ranking.items[:limit])
    return ranking, total


def rank_afresh(request: RankRequest, *, partial: bool = False) -> tuple[Backlog, Ranking]:
    """The backlog loaded and ranked, with a snapshot written for the next run (only
    for a valid backlog). Invalid items raise, unless ``partial``: then the valid items
    are ranked and ``Ranking.invalid`` says what is wrong (the caller fails after
    showing the ranking)."""
    key = snapshot_key(request)
    backlog = load_backlog(request)
    ranking = rank_loaded(backlog, request, partial=partial)
    if not ranking.invalid:
        write_backlog_snapshot(
            key, request, backlog, {id(entry.item): entry.scores for entry in ranking.items}
        )
    return backlog, ranking
