"""A loaded backlog's selection (``--status``, ``--tag``, ``--owner``) and its ranking."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from tpmcli.backlog.assembly import Backlog
from tpmcli.errors import (
    InvalidItemsError,
    UsageError,
)
from tpmcli.model.items import Item, Ranking
from tpmcli.model.requests import (
    RankRequest,
    ranked_by_request,
)
from tpmcli.project.catalogue import choose_frameworks
from tpmcli.project.config import Config
from tpmcli.ranking.filters import unmatched_filter
from tpmcli.ranking.rank import ScoreMemo, rank_items


def rank_loaded(
    backlog: Backlog,
    request: RankRequest,
    memo: ScoreMemo | None = None,
    *,
    partial: bool = False,
) -> Ranking:
    """Rank an already loaded backlog. Invalid items raise, unless ``partial``: then the
    valid items are ranked (an item that did not validate is not among the loaded ones;
    of items sharing an id, the first) and the ranking carries the problems
    (``Ranking.invalid``), so that one typo does not blank the whole view.
    ``memo``: scores shared with the ranking of another revision (``tpm diff``)."""
    chosen = choose_frameworks(request.by, backlog.config, backlog.frameworks)
    items = backlog.items
    if backlog.problems:
        if not partial:
            raise InvalidItemsError(backlog.problems)
        items = _first_of_each_id(items)
    selected = select(items, backlog.config, request)
    ranking = rank_items(selected, chosen, universe=items, memo=memo)
    if backlog.problems:
        ranking = replace(ranking, invalid=tuple(backlog.problems))
    if backlog.config.split_at != ranking.split_at:
        ranking = replace(ranking, split_at=backlog.config.split_at)
    if selected:
        return ranking
    reason = unmatched_filter(
        request,
        backlog.config.exclude_statuses,
        [item.status for item in items],
        [item.tags for item in items],
        [item.owner for item in items],
    )
    return replace(ranking, empty_because=reason)


def _first_of_each_id(items: Sequence[Item]) -> list[Item]:
    seen: set[str] = set()
    unique = []
    for item in items:
        if item.id not in seen:
            seen.add(item.id)
            unique.append(item)
    return unique


def select(items: Sequence[Item], config: Config, request: RankRequest) -> list[Item]:
    """The items ``request`` ranks (see ``ranked_by_request``); an unknown ``--status``
    is a usage error."""
    if request.statuses:
        unknown = [s for s in request.statuses if s not in config.statuses]
        if unknown:
            raise UsageError(
                f"unknown status '{unknown[0]}' (statuses: {', '.join(config.statuses)})"
            )
    ranked = ranked_by_request(request, config.exclude_statuses)
    return [item for item in items if ranked(item.status, item.tags, item.owner)]
