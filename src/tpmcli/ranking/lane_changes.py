"""Lanes in review: each item's lane at both sides of ``tpm diff`` and which items
change lane, when tpm.yaml sets ``roadmap.capacity``. Apart from ``ranking.roadmap`` so
that planning alone (``tpm roadmap``) does not import the diff."""

from __future__ import annotations

from dataclasses import dataclass, replace

from tpmcli.ranking.diff import BacklogSide, RankingDiff
from tpmcli.ranking.roadmap import lane_title, lanes_of_ranking


def with_lanes(diff: RankingDiff, base: BacklogSide, head: BacklogSide) -> RankingDiff:
    """``diff`` with each item's lane at both sides, when either side's tpm.yaml sets
    ``roadmap.capacity`` (each side planned with its own settings); else ``diff``."""
    before = lanes_of_ranking(base.ranking, base.config.roadmap)
    after = lanes_of_ranking(head.ranking, head.config.roadmap)
    if before is None and after is None:
        return diff
    before, after = before or {}, after or {}
    lanes = {item.id: (before.get(item.id), after.get(item.id)) for item in diff.items}
    return replace(diff, lanes=lanes)


@dataclass(frozen=True)
class LaneChange:
    id: str
    before: str | None
    after: str | None

    @property
    def sentence(self) -> str:
        """``leaves Now for Next``, ``enters Now``, ``leaves Later`` (after the id)."""
        if self.before is None:
            return f"enters {lane_title(str(self.after))}"
        if self.after is None:
            return f"leaves {lane_title(self.before)}"
        return f"leaves {lane_title(self.before)} for {lane_title(self.after)}"

    @property
    def touches_now(self) -> bool:
        """Whether the item enters or leaves ``now``."""
        return (self.before == "now") != (self.after == "now")


def lane_changes(diff: RankingDiff) -> list[LaneChange]:
    """The items of ``diff`` whose lane differs between the sides, in its order."""
    if diff.lanes is None:
        return []
    found = []
    for item in diff.items:
        before, after = diff.lanes.get(item.id, (None, None))
        if before != after:
            found.append(LaneChange(item.id, before, after))
    return found
