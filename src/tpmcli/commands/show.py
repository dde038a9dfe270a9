"""``tpm show ID``: one item, its score under each framework it has inputs for, and
its rank there among the items ``tpm rank -f NAME`` would rank."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tpmcli.backlog.read import load_backlog
from tpmcli.backlog.selection import select
from tpmcli.errors import InvalidItemsError, UsageError
from tpmcli.frameworks.base import Score
from tpmcli.model.items import Item
from tpmcli.model.requests import BacklogRequest, RankRequest
from tpmcli.project.located import suggest
from tpmcli.ranking.rank import rank_items


@dataclass(frozen=True)
class ShowRequest(BacklogRequest):
    item_id: str = ""


@dataclass(frozen=True)
class FrameworkScore:
    framework: str
    description: str
    score: Score
    inputs: dict[str, Any]
    #: The item's place in ``tpm rank -f framework`` (None: that ranking leaves it out).
    rank: int | None
    #: How many items that ranking ranks.
    ranked: int


@dataclass(frozen=True)
class ItemReport:
    item: Item
    scores: tuple[FrameworkScore, ...]
    excluded: bool


def show_item(request: ShowRequest) -> ItemReport:
    backlog = load_backlog(request)
    if backlog.problems:
        raise InvalidItemsError(backlog.problems)
    matches = [item for item in backlog.items if item.id == request.item_id]
    if not matches:
        hint = suggest(request.item_id, [item.id for item in backlog.items])
        raise UsageError(f"no item with id '{request.item_id}'{hint}")
    item = matches[0]
    selection = select(backlog.items, backlog.config, RankRequest())
    scores = []
    for name, framework in backlog.frameworks.items():
        if name not in item.inputs:
            continue
        ranking = rank_items(selection, (framework,), universe=backlog.items)
        rank = next((entry.rank for entry in ranking.items if entry.item.id == item.id), None)
        scores.append(
            FrameworkScore(
                framework=name,
                description=framework.description,
                score=framework.score(item.inputs[name]),
                inputs=item.inputs_for(name) or {},
                rank=rank,
                ranked=len(ranking.items),
            )
        )
    excluded = all(entry is not item for entry in selection)
    return ItemReport(item, tuple(scores), excluded=excluded)
