"""``tpm show ID``: one item, its score under each framework it has inputs for, and
its rank there among the items ``tpm rank -f NAME`` would rank."""

from __future__ import annotations

from dataclasses import dataclass

from tpmcli.backlog.read import load_backlog
from tpmcli.backlog.selection import select
from tpmcli.errors import InvalidItemsError, UsageError
from tpmcli.model.item_report import FrameworkScore, ItemReport
from tpmcli.model.requests import BacklogRequest, RankRequest
from tpmcli.project.located import suggest
from tpmcli.ranking.rank import rank_items


@dataclass(frozen=True)
class ShowRequest(BacklogRequest):
    item_id: str = ""


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
                ranges=item.ranges_for(name),
            )
        )
    excluded = all(entry is not item for entry in selection)
    return ItemReport(item, tuple(scores), excluded=excluded)
