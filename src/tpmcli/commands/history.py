"""``tpm history ID``: how one item got where it is, commit by commit.

The first-parent commits from HEAD that touch the backlog or ``tpm.yaml`` are walked
oldest first (``backlog.history``); the backlog at each is ranked as ``tpm diff`` ranks a
revision (by ``-f``/``--by``, else by that commit's tpm.yaml) and compared with the
last one that validated (``ranking.history``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from tpmcli.backlog.history import BacklogWalk, Progress
from tpmcli.backlog.selection import rank_loaded
from tpmcli.errors import EXIT_FINDINGS, Problem, TpmError, UsageError
from tpmcli.model.items import RankedItem, Ranking
from tpmcli.model.requests import BacklogRequest, RankRequest
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
    memo = ScoreMemo()
    previous: BacklogSide | None = None
    tracked: RankedItem | None = None  # the item's entry at ``previous``
    entries: list[HistoryEntry] = []
    ids: set[str] = set()
    appeared = False
    for found, backlog in walk.backlogs(progress):
        commit = Commit(found.commit, found.date, found.author)
        if not appeared:  # the ids seen, for the error that names close ones
            ids.update(item.id for item in backlog.items)
            appeared = request.item_id in ids
        if backlog.problems:
            entries.append(invalid_entry(commit, backlog.problems))
            continue
        try:
            ranking = rank_loaded(backlog, RankRequest(by=request.by), memo)
        except UsageError as error:  # e.g. a framework this commit's tpm.yaml lacks
            entries.append(invalid_entry(commit, [Problem("tpm.yaml", 1, 1, error.message)]))
            continue
        side = BacklogSide(
            found.commit, found.commit, ranking, tuple(backlog.items), backlog.config
        )
        before = previous or BacklogSide("", None, Ranking(ranking.by, (), ()), (), Config())
        entry, tracked = history_entry(commit, before, side, request.item_id, tracked)
        if entry is not None:
            entries.append(entry)
        previous = side
    if not appeared:
        raise _unknown(request, ids)
    entries.reverse()  # newest first
    if request.max_count is not None:
        entries = entries[: request.max_count]
    if request.reverse:
        entries.reverse()
    oldest = walk.commits[0] if walk.commits else None
    starts = oldest.commit if walk.shallow and oldest is not None else None
    return ItemHistory(
        id=request.item_id,
        framework=previous.ranking.framework if previous is not None else chosen[0].name,
        entries=tuple(entries),
        commits=len(walk.commits),
        history_starts_at=starts,
    )


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
