"""Pure: how a ranking changed between two revisions, item by item, and why.

Items are matched by id. An item is part of a ranking when it is selected (its status
is not excluded) and scored (it has inputs for the first framework of ``--by``); an
item unscored at both revisions is in neither ranking and so not in the diff. One
that gains or loses its inputs is ``added`` or ``removed`` with the reason ``inputs``.
An item whose rank and score stayed but some field changed (its title, owner, another
framework's inputs) is ``edited``: a diff shows every change to every item.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from tpmcli.errors import Problem
from tpmcli.model.items import Item, RankedItem, Ranking
from tpmcli.model.scores import Score
from tpmcli.project.config import Config
from tpmcli.ranking.agreement import Measure, kendall_tau_b
from tpmcli.ranking.field_changes import (
    CategoryDrop,
    category_changes,
    fields_changed,
    is_ranking_key,
    same_fields,
)

#: The name of the working tree where a revision would be named.
WORKTREE = "WORKTREE"


class Change(str, enum.Enum):
    moved = "moved"  # the rank changed (whether or not the score did)
    added = "added"  # ranked at HEAD, not at BASE
    removed = "removed"  # ranked at BASE, not at HEAD
    rescored = "rescored"  # same rank, different score
    edited = "edited"  # same rank and score, some other field changed
    unchanged = "unchanged"


class Reason(str, enum.Enum):
    """Why an item's place changed."""

    inputs = "inputs"  # its own framework inputs changed
    others = "others"  # it moved only because other items did
    config = "config"  # same inputs, different score or selection: tpm.yaml changed
    new = "new"  # not in the backlog at BASE
    deleted = "deleted"  # not in the backlog at HEAD
    status = "status"  # its status took it into or out of the ranking
    fixed = "fixed"  # its file did not validate at BASE (so it was left out there)


@dataclass(frozen=True)
class BacklogSide:
    """One side of a comparison: a ranking and the backlog it was made from."""

    name: str  # the revision as the user wrote it, or WORKTREE
    commit: str | None
    ranking: Ranking
    #: Every item of the backlog, selected or not (to tell "deleted" from "now done").
    items: Sequence[Item]
    config: Config


@dataclass(frozen=True)
class ItemChange:
    id: str
    title: str
    change: Change
    reason: Reason | None
    rank_before: int | None
    rank_after: int | None
    score_before: Score | None
    score_after: Score | None
    #: Every field that changed: dotted input keys of any framework (``rice.reach``;
    #: ``moscow`` for a category), ``status``, ``title``, ``description``, ``owner``,
    #: ``tags``, ``depends_on`` → (before, after); None where a side has no value.
    fields_changed: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    @property
    def places(self) -> int:
        """How many places the item went up (negative: down; 0 unless moved)."""
        if self.rank_before is None or self.rank_after is None:
            return 0
        return self.rank_before - self.rank_after


@dataclass(frozen=True)
class RankingDiff:
    base: str
    head: str
    base_commit: str | None
    head_commit: str | None
    by_before: tuple[str, ...]
    by_after: tuple[str, ...]
    #: In head rank order, removed items last (in base rank order).
    items: tuple[ItemChange, ...]
    #: Kendall's tau-b of the scores at BASE and at HEAD, over every item ranked at
    #: both (the whole diff, whatever ``--top`` shows).
    kendall_tau_b: Measure
    #: What differs in tpm.yaml that bears on the ranking, one phrase each.
    config_changes: tuple[str, ...] = ()
    category_drops: tuple[CategoryDrop, ...] = ()
    #: Items that entered a higher MoSCoW category (e.g. should → must).
    category_promotions: tuple[CategoryDrop, ...] = ()
    #: Set when the view is limited to the top N (``--top``).
    top: int | None = None
    #: With ``roadmap.capacity`` in tpm.yaml (at either side): each item's lane at BASE
    #: and at HEAD (None where it is not planned, or absent), by id; else None.
    lanes: dict[str, tuple[str | None, str | None]] | None = None
    #: The problems of each side's backlog, whose invalid items were left out of its
    #: ranking (and so of the diff); empty for a valid backlog.
    invalid_before: tuple[Problem, ...] = ()
    invalid_after: tuple[Problem, ...] = ()

    @property
    def framework(self) -> str:
        return self.by_after[0]

    @property
    def fixed(self) -> tuple[Problem, ...]:
        """BASE's problems in a file that has none at HEAD (the head fixes them)."""
        broken = {_file(problem.path, self.head) for problem in self.invalid_after}
        return tuple(p for p in self.invalid_before if _file(p.path, self.base) not in broken)

    @property
    def summary(self) -> dict[str, int]:
        counts = {change.value: 0 for change in Change}
        for item in self.items:
            counts[item.change.value] += 1
        return counts

    @property
    def changed(self) -> tuple[ItemChange, ...]:
        """Every item that changed, ``edited`` ones included."""
        return tuple(item for item in self.items if item.change is not Change.unchanged)

    @property
    def ranking_changed(self) -> tuple[ItemChange, ...]:
        """The items whose place or score changed (or that entered or left)."""
        quiet = (Change.unchanged, Change.edited)
        return tuple(item for item in self.items if item.change not in quiet)

    @property
    def edited(self) -> tuple[ItemChange, ...]:
        """The items only edited: rank and score as they were."""
        return tuple(item for item in self.items if item.change is Change.edited)


def _file(path: str, rev: str) -> str:
    """A problem's path without the ``rev:`` prefix of a file read from git."""
    return path.removeprefix(f"{rev}:")


def compare_rankings(base: BacklogSide, head: BacklogSide) -> RankingDiff:
    """Every item ranked at either side, with what changed and why."""
    frameworks = tuple(dict.fromkeys((*base.ranking.by, *head.ranking.by)))
    before = {entry.item.id: entry for entry in base.ranking.items}
    # When both sides rank by the one same framework, an item whose score and inputs are
    # the very objects at both sides and whose fields are equal (its file unchanged:
    # parsed once and scored once, see ``ranking.ScoreMemo``) has not changed, and only
    # its rank can differ: most items of a large backlog, told here without ``_compared``.
    by = head.ranking.by
    shared = by[0] if len(by) == 1 and base.ranking.by == by else None
    # In head rank order; an added item's entry stands in for its change until the
    # lookups that give its reason are made (only when some item was added or removed).
    changes: list[ItemChange | RankedItem] = []
    added = False
    # The scores at both sides of every item ranked at both, for Kendall's tau-b.
    scores_before: list[float] = []
    scores_after: list[float] = []
    # Items selected at both sides whose MoSCoW inputs are not the very same object, for
    # ``category_drops``: (the inputs at BASE, the item at HEAD).
    earlier_unscored = {entry.item.id: entry.item for entry in base.ranking.unscored}
    moscow_changed: list[tuple[Any, Item]] = []
    for entry in head.ranking.items:
        item = entry.item
        old = before.pop(item.id, None)
        earlier = old.item if old is not None else earlier_unscored.get(item.id)
        if earlier is not None and (inputs := earlier.inputs.get("moscow")) is not (
            item.inputs.get("moscow")
        ):
            moscow_changed.append((inputs, item))
        if old is None:
            changes.append(entry)
            added = True
            continue
        scores_before.append(old.score.value)
        scores_after.append(entry.score.value)
        if (
            shared is not None
            and old.score is entry.score
            and old.item.inputs.get(shared) is item.inputs.get(shared)
            and same_fields(old.item, item)
        ):
            moved = old.rank != entry.rank
            changes.append(
                _item_change(
                    item.id,
                    item.title,
                    Change.moved if moved else Change.unchanged,
                    Reason.others if moved else None,
                    old.rank,
                    entry.rank,
                    old.score,
                    entry.score,
                )
            )
        else:
            changes.append(_compared(old, entry, frameworks))
    for unscored in head.ranking.unscored:
        item = unscored.item
        found = before.get(item.id)  # ranked at BASE (and so not at HEAD)
        earlier = found.item if found is not None else earlier_unscored.get(item.id)
        if earlier is not None and (inputs := earlier.inputs.get("moscow")) is not (
            item.inputs.get("moscow")
        ):
            moscow_changed.append((inputs, item))
    removed = list(before.values())  # what is left, in base rank order
    if added or removed:
        changes = _with_presence_changes(base, head, changes, removed, frameworks)
    drops, promotions = category_changes(moscow_changed)
    return RankingDiff(
        base=base.name,
        head=head.name,
        base_commit=base.commit,
        head_commit=head.commit,
        by_before=base.ranking.by,
        by_after=head.ranking.by,
        items=tuple(change for change in changes if isinstance(change, ItemChange)),
        kendall_tau_b=_agreement(scores_before, scores_after, base.name, head.name),
        config_changes=config_changes(base, head, frameworks),
        category_drops=drops,
        category_promotions=promotions,
        invalid_before=base.ranking.invalid,
        invalid_after=head.ranking.invalid,
    )


def _agreement(before: list[float], after: list[float], base: str, head: str) -> Measure:
    """Kendall's tau-b between the scores at BASE and at HEAD, its reasons worded for a
    diff (the revisions named, not "a" and "b")."""
    if len(before) < 2:
        return Measure.undefined("fewer than 2 items ranked at both revisions")
    tau = kendall_tau_b(before, after)
    if tau.value is None:  # one side gives every item the same score
        side = base if len(set(before)) == 1 else head
        where = "the working tree" if side == WORKTREE else side
        return Measure.undefined(f"every item ranked at both has the same score at {where}")
    return tau


def _item_change(
    item_id: str,
    title: str,
    change: Change,
    reason: Reason | None,
    rank_before: int | None,
    rank_after: int | None,
    score_before: Score | None,
    score_after: Score | None,
) -> ItemChange:
    """An ItemChange with no field changed, made without the frozen dataclass's
    ``__init__`` (a setattr call a field): a diff of a large backlog makes thousands."""
    made = object.__new__(ItemChange)
    object.__setattr__(
        made,
        "__dict__",
        {
            "id": item_id,
            "title": title,
            "change": change,
            "reason": reason,
            "rank_before": rank_before,
            "rank_after": rank_after,
            "score_before": score_before,
            "score_after": score_after,
            "fields_changed": {},
        },
    )
    return made


def _with_presence_changes(
    base: BacklogSide,
    head: BacklogSide,
    changes: list[ItemChange | RankedItem],
    removed: list[RankedItem],
    frameworks: Sequence[str],
) -> list[ItemChange | RankedItem]:
    """``changes`` with each added item's change in its place, then the removed items."""
    base_items = {item.id: item for item in base.items}
    head_items = {item.id: item for item in head.items}
    base_selected = _selected_ids(base.ranking)
    head_selected = _selected_ids(head.ranking)
    broken = {_file(problem.path, base.name) for problem in base.ranking.invalid}
    result: list[ItemChange | RankedItem] = []
    for change in changes:
        if isinstance(change, ItemChange):
            result.append(change)
            continue
        entry = change
        earlier = base_items.get(entry.item.id)
        reason = _reason_for_presence(earlier, entry.item, base_selected, frameworks, Reason.new)
        if reason is Reason.new and entry.item.path in broken:
            reason = Reason.fixed
        result.append(
            ItemChange(
                entry.item.id,
                entry.item.title,
                Change.added,
                reason,
                None,
                entry.rank,
                None,
                entry.score,
                fields_changed(earlier, entry.item, frameworks) if earlier else {},
            )
        )
    for entry in removed:
        later = head_items.get(entry.item.id)
        reason = _reason_for_presence(later, entry.item, head_selected, frameworks, Reason.deleted)
        result.append(
            ItemChange(
                entry.item.id,
                (later or entry.item).title,
                Change.removed,
                reason,
                entry.rank,
                None,
                entry.score,
                None,
                fields_changed(entry.item, later, frameworks) if later else {},
            )
        )
    return result


def _compared(old: RankedItem, new: RankedItem, frameworks: Sequence[str]) -> ItemChange:
    before, after = old.item, new.item
    fields = {} if same_fields(before, after) else fields_changed(before, after, frameworks)
    moved = old.rank != new.rank
    rescored = not _same_scores(old, new)
    change = Change.moved if moved else Change.rescored if rescored else Change.unchanged
    if change is Change.unchanged and fields:
        change = Change.edited
    reason: Reason | None = None
    if change in (Change.moved, Change.rescored):
        if any(is_ranking_key(key, frameworks) for key in fields):
            reason = Reason.inputs
        elif rescored:
            # Same inputs, another score: only the configuration can do that.
            reason = Reason.config
        else:
            reason = Reason.others
    return ItemChange(
        new.item.id,
        new.item.title,
        change,
        reason,
        old.rank,
        new.rank,
        old.score,
        new.score,
        fields,
    )


def _reason_for_presence(
    other: Item | None,
    item: Item,
    other_selected: set[str],
    frameworks: Sequence[str],
    absent: Reason,
) -> Reason:
    """Why an item is ranked at one side only. ``other`` is the item at the other side."""
    if other is None:
        return absent
    if other.id not in other_selected:
        # In the backlog but not selected there: its status, or exclude_statuses.
        return Reason.status if other.status != item.status else Reason.config
    if any(is_ranking_key(key, frameworks) for key in fields_changed(other, item, frameworks)):
        return Reason.inputs
    return Reason.config


def _same_scores(old: RankedItem, new: RankedItem) -> bool:
    """Whether both entries have the same score (value and label; not the breakdown's
    wording) under every framework, in the same order."""
    if len(old.scores) != len(new.scores):
        return False
    for (name, score), (other_name, other) in zip(
        old.scores.items(), new.scores.items(), strict=True
    ):
        if name != other_name:
            return False
        if score is other:  # scored once for both sides (see ranking.ScoreMemo)
            continue
        if score is None or other is None:
            if score is not other:
                return False
        # As tuples compare: the same object, or equal (a NaN only equals itself).
        elif not (
            (score.value is other.value or score.value == other.value)
            and (score.label is other.label or score.label == other.label)
        ):
            return False
    return True


def _selected_ids(ranking: Ranking) -> set[str]:
    return {e.item.id for e in ranking.items} | {u.item.id for u in ranking.unscored}


def config_changes(
    base: BacklogSide, head: BacklogSide, frameworks: Sequence[str]
) -> tuple[str, ...]:
    """The differences between the two tpm.yaml files that bear on the ranking."""
    found: list[str] = []
    if base.ranking.by != head.ranking.by:
        found.append(f"framework: {','.join(base.ranking.by)} → {','.join(head.ranking.by)}")
    for name in frameworks:
        if base.config.scales.get(name) != head.config.scales.get(name):
            found.append(f"scales.{name}: changed")
    for key in ("statuses", "exclude_statuses"):
        old, new = getattr(base.config, key), getattr(head.config, key)
        if old != new:
            found.append(f"{key}: {', '.join(old) or '(none)'} → {', '.join(new) or '(none)'}")
    return tuple(found)


def limit_to_top(diff: RankingDiff, top: int) -> RankingDiff:
    """Only movements into, out of and inside the top ``top`` ranks."""

    def near_top(rank: int | None) -> bool:
        return rank is not None and rank <= top

    kept = tuple(
        item for item in diff.items if near_top(item.rank_before) or near_top(item.rank_after)
    )
    return replace(diff, items=kept, top=top)


def top_ids(diff: RankingDiff, top: int, *, after: bool) -> list[str]:
    """The ids ranked 1..``top`` at HEAD (``after``) or at BASE, in rank order."""
    ranked = [
        (rank, item.id)
        for item in diff.items
        if (rank := item.rank_after if after else item.rank_before) is not None and rank <= top
    ]
    return [item_id for _, item_id in sorted(ranked)]


def ranked_entry(ranking: Ranking, item_id: str) -> RankedItem | None:
    """The item's entry in ``ranking``; None where it is not ranked."""
    return next((entry for entry in ranking.items if entry.item.id == item_id), None)


def item_change(
    base: BacklogSide,
    head: BacklogSide,
    item_id: str,
    entries: tuple[RankedItem | None, RankedItem | None] | None = None,
) -> ItemChange | None:
    """How the item ``item_id`` changed from ``base`` to ``head``, exactly as
    ``compare_rankings`` says it (its entry there); None when neither side ranks it.
    For one item of each of many revisions (``tpm history``): no whole comparison.
    ``entries``: its entries at both sides, when the caller has looked them up."""
    old, new = entries or (ranked_entry(base.ranking, item_id), ranked_entry(head.ranking, item_id))
    if old is None and new is None:
        return None
    frameworks = tuple(dict.fromkeys((*base.ranking.by, *head.ranking.by)))
    if old is not None and new is not None:
        return _compared(old, new, frameworks)
    added: list[ItemChange | RankedItem] = [new] if new is not None else []
    removed = [old] if old is not None else []
    change = _with_presence_changes(base, head, added, removed, frameworks)[0]
    assert isinstance(change, ItemChange)
    return change
