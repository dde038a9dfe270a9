"""``--fail-on``: the conditions under which ``tpm diff`` exits 1, for CI gates.

A condition is one of the words below; several can be given (repeat the option or
separate them with commas) and any one that is met fails the run. Conditions look at
the whole diff, whatever ``--top`` shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from tpmcli.errors import UsageError
from tpmcli.ranking.diff import Change, RankingDiff, top_ids
from tpmcli.ranking.lane_changes import lane_changes

#: The grammar, as printed in ``tpm diff --help`` and in errors.
CONDITIONS: dict[str, str] = {
    "any": "any item was added, removed, moved or rescored",
    "added": "an item entered the ranking",
    "removed": "an item left the ranking",
    "moved": "an item ranked at both revisions changed rank",
    "rescored": "an item ranked at both revisions changed score",
    "top:N": "the set or the order of the top N items changed",
    "category-drop": "an item left a higher MoSCoW category (e.g. must → should), "
    "whatever framework ranks",
    "lane-change": "an item entered or left the now lane (needs roadmap.capacity in tpm.yaml)",
}

_TOP = re.compile(r"top:([1-9][0-9]*)")


@dataclass(frozen=True)
class Condition:
    kind: str
    top: int = 0

    def __str__(self) -> str:
        return f"top:{self.top}" if self.kind == "top" else self.kind


def parse_conditions(values: Iterable[str]) -> tuple[Condition, ...]:
    """``--fail-on`` values → conditions; an unknown one is a usage error (exit 2)."""
    conditions: list[Condition] = []
    for value in values:
        for word in (part.strip() for part in value.split(",")):
            if not word:
                continue
            match = _TOP.fullmatch(word)
            if match:
                conditions.append(Condition("top", int(match.group(1))))
            elif word in CONDITIONS and word != "top:N":
                conditions.append(Condition(word))
            else:
                known = ", ".join(CONDITIONS)
                raise UsageError(f"unknown --fail-on condition '{word}' (one of: {known})")
    return tuple(dict.fromkeys(conditions))


def failures(conditions: Iterable[Condition], diff: RankingDiff) -> list[str]:
    """One sentence for each condition that ``diff`` meets."""
    found = []
    for condition in conditions:
        why = _met(condition, diff)
        if why is not None:
            found.append(f"--fail-on {condition}: {why}")
    return found


def _met(condition: Condition, diff: RankingDiff) -> str | None:
    if condition.kind == "top":
        before = top_ids(diff, condition.top, after=False)
        after = top_ids(diff, condition.top, after=True)
        if before == after:
            return None
        return (
            f"the top {condition.top} changed from {', '.join(before) or '(none)'} "
            f"to {', '.join(after) or '(none)'}"
        )
    if condition.kind == "category-drop":
        drops = [f"{d.id} ({d.before} → {d.after})" for d in diff.category_drops]
        return _listed("left a higher MoSCoW category", drops)
    if condition.kind == "lane-change":
        if diff.lanes is None:
            raise UsageError("--fail-on lane-change needs roadmap: {capacity: ...} in tpm.yaml")
        changes = [f"{c.id} ({c.sentence})" for c in lane_changes(diff) if c.touches_now]
        return _listed("entered or left now", changes)
    if condition.kind == "rescored":
        rescored = [
            item.id
            for item in diff.items
            if item.score_before is not None
            and item.score_after is not None
            and (item.score_before.value, item.score_before.label)
            != (item.score_after.value, item.score_after.label)
        ]
        return _listed("changed score", rescored)
    kinds = {
        "any": {Change.added, Change.removed, Change.moved, Change.rescored},
        "added": {Change.added},
        "removed": {Change.removed},
        "moved": {Change.moved},
    }[condition.kind]
    ids = [item.id for item in diff.items if item.change in kinds]
    verb = "changed" if condition.kind == "any" else condition.kind
    return _listed(verb, ids)


def _listed(verb: str, ids: list[str]) -> str | None:
    if not ids:
        return None
    shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
    noun = "item" if len(ids) == 1 else "items"
    return f"{len(ids)} {noun} {verb}: {shown}"


def grammar_help() -> str:
    """The conditions, one per line, for ``--help`` and the README."""
    return "\n".join(f"{name}: {meaning}" for name, meaning in CONDITIONS.items())
