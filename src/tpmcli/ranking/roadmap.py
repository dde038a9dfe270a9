"""A ranking planned into lanes: the items of ``tpm roadmap``, ``tpm rank --capacity``
and the lanes of ``tpm diff``, all from the one plan (``lanes.plan_roadmap``).

The candidates are the ranked items in rank order (status ``in-progress`` goes first),
their effort the value of one framework input (``rice.effort``), their dependencies and
MoSCoW category the item's own. Items the ranking leaves unscored are listed as
unestimated, and what depends on them waits with them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tpmcli.errors import EXIT_FINDINGS, TpmError
from tpmcli.model.items import RankedItem, Ranking
from tpmcli.model.roadmap import RoadmapSettings, parse_effort_field
from tpmcli.ranking.estimates import effort_of, moscow_of
from tpmcli.ranking.lanes import (
    Candidate,
    Columns,
    DependencyCycle,
    Lane,
    Roadmap,
    Unplanned,
    columns_of,
    plan_columns,
)

IN_PROGRESS = "in-progress"


@dataclass(frozen=True)
class RoadmapReport:
    """A planned ranking: the lanes, and the ranked items they name (for titles and
    scores)."""

    framework: str
    effort_field: str
    roadmap: Roadmap
    ranked: Mapping[str, RankedItem]
    #: One sentence per lane whose Must share is above DSDM's 60%.
    warnings: tuple[str, ...]


def plan_ranking(ranking: Ranking, settings: RoadmapSettings) -> RoadmapReport:
    """``ranking`` into lanes with ``settings``' capacities (which must be set). A
    dependency cycle is a finding (exit 1) that names it."""
    framework, name = parse_effort_field(settings.effort_field)
    candidates = [
        Candidate(
            entry.item.id,
            entry.rank,
            entry.item.status == IN_PROGRESS,
            effort_of(entry.item, framework, name),
            entry.item.depends_on,
            moscow_of(entry.item),
        )
        for entry in ranking.items
    ]
    unscored = [(u.item.id, u.item.depends_on, moscow_of(u.item)) for u in ranking.unscored]
    ranked = {entry.item.id: entry for entry in ranking.items}
    return plan_candidates(ranking.framework, columns_of(candidates), unscored, settings, ranked)


def plan_candidates(
    framework: str,
    candidates: Columns,
    unscored: Sequence[tuple[str, Sequence[str], str | None]],
    settings: RoadmapSettings,
    ranked: Mapping[str, RankedItem],
) -> RoadmapReport:
    """The ranked ``candidates`` (columns in rank order) and the ``unscored`` items (id,
    dependencies, MoSCoW category) into lanes; ``ranked``: the ranked items by id, for
    what is shown of them (a mapping may build an item only when it is looked up)."""
    effort_field = settings.effort_field
    # Unscored items wait, and so does what depends on them (their reason says why).
    after = len(candidates.ids)
    everyone = (
        candidates
        if not unscored
        else Columns(
            [*candidates.ids, *(item_id for item_id, _, _ in unscored)],
            [*candidates.ranks, *range(after + 1, after + 1 + len(unscored))],
            [*candidates.in_progress, *(False for _ in unscored)],
            [*candidates.efforts, *(None for _ in unscored)],
            [*candidates.depends_on, *(depends_on for _, depends_on, _ in unscored)],
            [*candidates.moscow, *(moscow for _, _, moscow in unscored)],
        )
    )
    try:
        roadmap = plan_columns(everyone, settings.capacities, effort_field=effort_field)
    except DependencyCycle as cycle:
        raise TpmError(str(cycle), exit_code=EXIT_FINDINGS) from None
    unscored_ids = {item_id for item_id, _, _ in unscored}
    reason = f"not ranked by {framework}"
    unestimated = tuple(
        Unplanned(entry.id, reason) if entry.id in unscored_ids else entry
        for entry in roadmap.unestimated
    )
    planned = Roadmap(roadmap.lanes, unestimated)
    return RoadmapReport(
        framework,
        effort_field,
        planned,
        ranked,
        tuple(must_share_warning(lane) for lane in planned.lanes if lane.must_share_exceeded),
    )


def lane_of(roadmap: Roadmap) -> dict[str, str]:
    """Each planned item's lane name (unestimated items have none)."""
    return {placed.id: lane.name for lane in roadmap.lanes for placed in lane.items}


def lanes_of_ranking(ranking: Ranking, settings: RoadmapSettings) -> dict[str, str] | None:
    """Each planned item's lane when ``settings`` sets a capacity, else None."""
    if not settings.capacity:
        return None
    return lane_of(plan_ranking(ranking, settings).roadmap)


def must_share_warning(lane: Lane) -> str:
    share = lane.moscow_share
    assert share is not None
    return f"Must share of {lane.name} is {_percent(share.must)} (DSDM: at most 60%)"


def lane_title(name: str) -> str:
    """``now`` → ``Now``."""
    return name.capitalize()


def _percent(fraction: float) -> str:
    text = f"{fraction * 100:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"
