"""Pure: one item's history, a row for each commit that changed its place or its fields.

Consecutive backlogs are compared for the one item by ``diff.item_change``, so a row's
``change`` is what ``tpm diff`` of the two commits says of the item (``moved``: its rank
changed; ``rescored``: only its score; ``added``/``removed``: it entered or left the
ranking), with one kind ``diff`` does not list: ``edited``, where rank and score stayed
and other fields changed (its title, say, or the inputs of another framework).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tpmcli.errors import Problem
from tpmcli.model.items import Item
from tpmcli.model.scores import Score
from tpmcli.ranking.diff import BacklogSide, Change, fields_changed, item_change

#: An item's own fields that make an ``edited`` row when they change (besides the
#: status and every framework's inputs).
DESCRIPTIVE_FIELDS = ("title", "description", "owner", "tags", "depends_on")


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
    commit: Commit, before: BacklogSide, after: BacklogSide, item_id: str
) -> HistoryEntry | None:
    """What ``commit`` (from ``before`` to ``after``) did to the item; None: nothing."""
    found = item_change(before, after, item_id)
    if found is None:
        return None
    old = _item(before, item_id)
    new = _item(after, item_id)
    fields = dict(found.fields_changed)
    if old is not None and new is not None:
        fields.update(_other_fields(old, new, fields))
    if found.change is Change.unchanged:
        if not fields:
            return None
        change = HistoryChange.edited
    else:
        change = HistoryChange(found.change.value)
    return HistoryEntry(
        commit,
        change,
        found.rank_after,
        found.rank_before,
        found.score_after,
        found.score_before,
        fields,
    )


def invalid_entry(commit: Commit, problems: Sequence[Problem]) -> HistoryEntry:
    return HistoryEntry(commit, None, problems=tuple(problems))


def _item(side: BacklogSide, item_id: str) -> Item | None:
    return next((entry.item for entry in side.ranking.items if entry.item.id == item_id), None)


def _other_fields(
    before: Item, after: Item, known: dict[str, tuple[Any, Any]]
) -> dict[str, tuple[Any, Any]]:
    """The fields ``diff`` does not compare (the ranking frameworks' inputs and the
    status it does): the descriptive ones, and every other framework's inputs."""
    changed: dict[str, tuple[Any, Any]] = {}
    for name in DESCRIPTIVE_FIELDS:
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            changed[name] = (list(old), list(new)) if isinstance(old, tuple) else (old, new)
    frameworks = sorted(set(before.inputs) | set(after.inputs))
    for key, values in fields_changed(before, after, frameworks).items():
        if key not in known:
            changed[key] = values
    return changed


def limited(entries: Sequence[HistoryEntry], max_count: int | None) -> list[HistoryEntry]:
    """The newest ``max_count`` entries of ``entries`` (newest first)."""
    return list(entries if max_count is None else entries[:max_count])
