"""``tpm history ID``: how one item got where it is, commit by commit.

The first-parent commits from HEAD that touch the backlog or ``tpm.yaml`` are walked
oldest first (``backlog.history``); the backlog at each is ranked as ``tpm diff`` ranks a
revision (by ``-f``/``--by``, else by that commit's tpm.yaml) and compared with the
last one that validated (``ranking.history``). Only the item's place is computed
(``ranking.tracked``: the sort keys of the items that changed, not a whole ranking a
commit); ``whole_ranker`` ranks every commit whole, with the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from tpmcli.backlog.assembly import Backlog
from tpmcli.backlog.history import BacklogWalk, Progress
from tpmcli.backlog.selection import rank_loaded
from tpmcli.errors import EXIT_FINDINGS, Problem, TpmError, UsageError
from tpmcli.git.log import LogCommit
from tpmcli.model.items import RankedItem, Ranking
from tpmcli.model.requests import BacklogRequest, RankRequest, ranked_by_request
from tpmcli.project.catalogue import choose_frameworks, configured_frameworks
from tpmcli.project.config import Config
from tpmcli.project.located import suggest
from tpmcli.ranking.diff import BacklogSide
from tpmcli.ranking.history import (
    Commit,
    HistoryEntry,
    ItemHistory,
    history_entry,
    invalid_entry,
)
from tpmcli.ranking.rank import ScoreMemo
from tpmcli.ranking.tracked import TrackedRanking


@dataclass(frozen=True)
class HistoryRequest(BacklogRequest):
    item_id: str = ""
    by: tuple[str, ...] = ()
    #: Only the newest N rows (None: all).
    max_count: int | None = None
    #: Oldest first.
    reverse: bool = False


def item_history(request: HistoryRequest, progress: Progress | None = None) -> ItemHistory:
    """Every commit that changed the item's place or fields, newest first."""
    if request.max_count is not None and request.max_count < 1:
        raise UsageError("--max-count must be at least 1")
    walk = BacklogWalk(request)
    # A framework unknown at HEAD is a usage error, not a row at every commit.
    head = walk.head_config
    chosen = choose_frameworks(request.by, head, configured_frameworks(head))
    rows = walked_rows(
        walk.backlogs(progress), request.item_id, tracked_ranker(request.item_id, request.by)
    )
    if not rows.appeared:
        raise _unknown(request, rows.ids)
    entries = list(reversed(rows.entries))  # newest first
    if request.max_count is not None:
        entries = entries[: request.max_count]
    if request.reverse:
        entries.reverse()
    oldest = walk.commits[0] if walk.commits else None
    starts = oldest.commit if walk.shallow and oldest is not None else None
    return ItemHistory(
        id=request.item_id,
        framework=rows.framework or chosen[0].name,
        entries=tuple(entries),
        commits=len(walk.commits),
        history_starts_at=starts,
    )


#: A commit's backlog ranked: the tracked item's entry at least (see ``tracked_ranker``).
Ranker = Callable[[Backlog], Ranking]


@dataclass(frozen=True)
class WalkedRows:
    #: Oldest first.
    entries: tuple[HistoryEntry, ...]
    #: Whether some commit holds the item; if not, the ids seen (for close ones).
    appeared: bool
    ids: set[str]
    #: The framework of the last commit ranked (None: none was).
    framework: str | None


def walked_rows(
    steps: Iterable[tuple[LogCommit, Backlog]], item_id: str, rank: Ranker
) -> WalkedRows:
    """The item's rows over ``steps`` (oldest first): each backlog ranked by ``rank``
    and compared with the last one that validated."""
    previous: BacklogSide | None = None
    tracked: RankedItem | None = None  # the item's entry at ``previous``
    entries: list[HistoryEntry] = []
    ids: set[str] = set()
    appeared = False
    for found, backlog in steps:
        commit = Commit(found.commit, found.date, found.author)
        if not appeared:  # the ids seen, for the error that names close ones
            ids.update(item.id for item in backlog.items)
            appeared = item_id in ids
        if backlog.problems:
            entries.append(invalid_entry(commit, backlog.problems))
            continue
        try:
            ranking = rank(backlog)
        except UsageError as error:  # e.g. a framework this commit's tpm.yaml lacks
            entries.append(invalid_entry(commit, [Problem("tpm.yaml", 1, 1, error.message)]))
            continue
        side = BacklogSide(
            found.commit, found.commit, ranking, tuple(backlog.items), backlog.config
        )
        before = previous or BacklogSide("", None, Ranking(ranking.by, (), ()), (), Config())
        entry, tracked = history_entry(commit, before, side, item_id, tracked)
        if entry is not None:
            entries.append(entry)
        previous = side
    framework = previous.ranking.framework if previous is not None else None
    return WalkedRows(tuple(entries), appeared, ids, framework)


def tracked_ranker(item_id: str, by: tuple[str, ...]) -> Ranker:
    """Each backlog ranked for the one item (``ranking.tracked``): its ranking holds
    only the item, placed exactly as ``whole_ranker`` places it."""
    tracked = TrackedRanking(item_id, ScoreMemo())

    def rank(backlog: Backlog) -> Ranking:
        chosen = choose_frameworks(by, backlog.config, backlog.frameworks)
        excluded = backlog.config.exclude_statuses
        selected = ranked_by_request(RankRequest(by=by), excluded)
        return tracked.ranking(backlog.items, chosen, selected, excluded)

    return rank


def whole_ranker(by: tuple[str, ...]) -> Ranker:
    """Each backlog ranked whole, as ``tpm diff`` ranks a revision."""
    memo = ScoreMemo()
    return lambda backlog: rank_loaded(backlog, RankRequest(by=by), memo)


def _unknown(request: HistoryRequest, ids: set[str]) -> TpmError:
    """The error for an id no commit holds: in the working tree only, or unknown."""
    from tpmcli.backlog.read import load_backlog

    try:
        here = {item.id for item in load_backlog(replace(request, at=None)).items}
    except TpmError:
        here = set()
    if request.item_id in here:
        return TpmError(
            f"item '{request.item_id}' is in the working tree but in no commit yet: "
            "commit it to see its history",
            exit_code=EXIT_FINDINGS,
        )
    hint = suggest(request.item_id, sorted(ids | here))
    return TpmError(
        f"no item with id '{request.item_id}' in any commit of the backlog{hint}",
        exit_code=EXIT_FINDINGS,
    )
