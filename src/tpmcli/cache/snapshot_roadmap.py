"""``tpm roadmap`` and ``tpm rank --capacity`` planned from a snapshot's columns.

Planning needs of every ranked item only its id, rank, status, effort, dependencies and
MoSCoW category: all columns of the snapshot (the effort as planning reads tpm.yaml's
``roadmap.effort`` field, written by ``snapshot_write``). So a warm run orders and
plans the whole backlog without decoding an item's line, and decodes only the lines
of the items it shows. An effort field other than the one the snapshot kept (``--effort``)
is left to ``snapshot.ranked_with_roadmap``, which reads every item's inputs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import chain

from tpmcli.cache.snapshot import (
    DAMAGED,
    Ordered,
    answered_from,
    current_snapshot,
    ordered,
    split_at,
)
from tpmcli.cache.snapshot_file import MOSCOW_CATEGORIES, Unusable
from tpmcli.model.items import RankedItem, Ranking
from tpmcli.model.requests import RankRequest
from tpmcli.model.roadmap import RoadmapSettings
from tpmcli.ranking.lanes import Columns
from tpmcli.ranking.roadmap import IN_PROGRESS, RoadmapReport, plan_candidates


@dataclass(frozen=True)
class SnapshotPlan:
    """The plan, with the ranked items it shows; and the ranking's top rows."""

    report: RoadmapReport
    ranking: Ranking
    total: int


def planned(
    request: RankRequest,
    capacity: tuple[float, ...],
    effort: str | None,
    *,
    shown_per_lane: int | None,
    limit: int | None = 0,
) -> SnapshotPlan | None:
    """``request``'s ranking planned with ``capacity`` and ``effort`` (each, when empty,
    tpm.yaml's as the snapshot kept them), decoding the lines of the first
    ``shown_per_lane`` items of each lane (None: all) and of the ranking's top ``limit``
    (None: all). None when there is no usable snapshot, no capacity (the full path says
    so), or another effort field than the snapshot's."""
    snapshot = current_snapshot(request)
    if snapshot is None:
        return None
    try:
        body = snapshot.body
        configured, stored_field = body["roadmap"], body["effort_field"]
        capacity = capacity or tuple(configured[0])
        if not capacity or not all(type(c) is float for c in capacity):
            return None
        settings = RoadmapSettings(capacity, effort or configured[1])
        if type(stored_field) is not str or settings.effort_field != stored_field:
            return None
        found = ordered(snapshot, request)
        report = _plan(found, settings, shown_per_lane)
        count = len(found.order) if limit is None else min(limit, len(found.order))
        top = tuple(found.ranked_item(rank) for rank in range(1, count + 1))
        ranking = Ranking(
            found.by,
            top,
            found.unscored_items(),
            found.empty_because,
            split_at=split_at(snapshot),
        )
    except DAMAGED:
        return None
    answered_from(snapshot, request)
    return SnapshotPlan(report, ranking, len(found.order))


def _plan(found: Ordered, settings: RoadmapSettings, shown_per_lane: int | None) -> RoadmapReport:
    snapshot = found.snapshot
    ids, depends = snapshot.ids, snapshot.body["depends_on"]
    # Dependencies are lists of ids: checked all at once, by the types they hold.
    if set(map(type, depends)) - {list} or set(map(type, chain.from_iterable(depends))) - {str}:
        raise Unusable
    efforts, moscow, order = snapshot.effort, snapshot.moscow, found.order
    in_progress = [status == IN_PROGRESS for status in found.status_list]
    candidates = Columns(
        list(map(ids.__getitem__, order)),
        range(1, len(order) + 1),
        list(map(in_progress.__getitem__, order)),
        [None if math.isnan(effort) else effort for effort in map(efforts.__getitem__, order)],
        list(map(depends.__getitem__, order)),
        list(map(MOSCOW_CATEGORIES.__getitem__, map(moscow.__getitem__, order))),
    )
    unscored = [
        (ids[index], depends[index], MOSCOW_CATEGORIES[moscow[index]]) for index in found.unscored
    ]
    report = plan_candidates(found.by[0], candidates, unscored, settings, {})
    shown: dict[str, RankedItem] = {}
    for lane in report.roadmap.lanes:
        for placed in lane.items[:shown_per_lane]:
            shown[placed.id] = found.ranked_item(placed.rank)
    return RoadmapReport(
        report.framework, report.effort_field, report.roadmap, shown, report.warnings
    )
