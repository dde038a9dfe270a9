"""Pure: one item's history, a row for each commit that changed its place or its fields.

Consecutive backlogs are compared for the one item by ``diff.item_change``, so a row's
``change`` is what ``tpm diff`` of the two commits says of the item (``moved``: its rank
changed; ``rescored``: only its score; ``added``/``removed``: it entered or left the
ranking; ``edited``: rank and score stayed and other fields changed, its title, say,
or the inputs of another framework).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tpmcli.errors import Problem
from tpmcli.model.items import RankedItem
from tpmcli.model.scores import Score
from tpmcli.ranking.diff import BacklogSide, Change, item_change, ranked_entry


class HistoryChange(str, enum.Enum):
    added = "added"
    moved = "moved"
    rescored = "rescored"
    edited = "edited"
    removed = "removed"


@dataclass(frozen=True)
class Commit:
    """A commit of the walk as a row names it."""

    commit: str
    date: str
    author: str


@dataclass(frozen=True)
class HistoryEntry:
    """One row: what a commit did to the item. ``invalid`` rows (the commit's backlog
    did not validate: the item's state there is unknown) carry ``problems`` instead."""

    commit: Commit
    change: HistoryChange | None
    rank: int | None = None
    rank_before: int | None = None
    score: Score | None = None
    score_before: Score | None = None
    fields_changed: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()

    @property
    def invalid(self) -> bool:
        return bool(self.problems)


@dataclass(frozen=True)
class ItemHistory:
    id: str
    #: The framework that ranks the item at HEAD (or as ``-f``/``--by`` chose).
    framework: str
    #: Newest first (oldest first with ``--reverse``).
    entries: tuple[HistoryEntry, ...]
    #: The commits walked (those that touch the backlog or tpm.yaml).
    commits: int
    #: A shallow clone: the oldest commit there is (None otherwise).
    history_starts_at: str | None = None

    @property
    def shallow(self) -> bool:
        return self.history_starts_at is not None


def history_entry(
    commit: Commit,
    before: BacklogSide,
    after: BacklogSide,
    item_id: str,
    entry_before: RankedItem | None,
) -> tuple[HistoryEntry | None, RankedItem | None]:
    """What ``commit`` (from ``before`` to ``after``) did to the item (None: nothing),
    and the item's entry at ``after`` (to give back as ``entry_before`` next time)."""
    entry_after = ranked_entry(after.ranking, item_id)
    found = item_change(before, after, item_id, (entry_before, entry_after))
    if found is None:
        return None, entry_after
    if found.change is Change.unchanged:
        return None, entry_after
    change = HistoryChange(found.change.value)
    entry = HistoryEntry(
        commit,
        change,
        found.rank_after,
        found.rank_before,
        found.score_after,
        found.score_before,
        dict(found.fields_changed),
    )
    return entry, entry_after


def invalid_entry(commit: Commit, problems: Sequence[Problem]) -> HistoryEntry:
    return HistoryEntry(commit, None, problems=tuple(problems))
