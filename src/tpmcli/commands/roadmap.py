"""``tpm roadmap``: the ranking planned into lanes now / next / later.

A warm run answers from the snapshot ``tpm rank`` uses (the ranking, and tpm.yaml's
``roadmap:`` settings as they were when it was written), planning from its columns and
decoding only the items shown (``cache.snapshot_roadmap``); otherwise the backlog is
loaded and ranked afresh, leaving a snapshot for the next run.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from tpmcli.errors import UsageError
from tpmcli.model.items import Ranking
from tpmcli.model.requests import RankRequest
from tpmcli.model.roadmap import RoadmapSettings
from tpmcli.model.scores import format_number
from tpmcli.ranking.roadmap import RoadmapReport, lane_of, plan_ranking

#: ``--fail-on`` conditions of ``tpm roadmap``.
FAIL_ON = {"must-share": "a lane's Must share is above DSDM's 60%"}


@dataclass(frozen=True)
class RoadmapRequest(RankRequest):
    #: ``--capacity`` (overrides tpm.yaml's ``roadmap.capacity``); empty when not given.
    capacity: tuple[float, ...] = ()
    #: ``--effort`` (overrides tpm.yaml's ``roadmap.effort``).
    effort: str | None = None
    fail_on: tuple[str, ...] = ()
    #: How many items of each lane are shown with their title and score (None: all).
    shown_per_lane: int | None = None


@dataclass(frozen=True)
class RoadmapOutcome:
    report: RoadmapReport
    #: One sentence per ``--fail-on`` condition met (exit 1 when any).
    failures: tuple[str, ...]


def plan_backlog(request: RoadmapRequest) -> RoadmapOutcome:
    """The backlog of ``request`` ranked, then planned with the capacities and effort
    field of the flags, else of tpm.yaml."""
    from tpmcli.cache.snapshot_roadmap import planned

    conditions = fail_on_conditions(request.fail_on)
    if request.effort is not None:
        _check_effort_flag(request)
    warm = planned(request, request.capacity, request.effort, shown_per_lane=request.shown_per_lane)
    if warm is not None:
        report = warm.report
    else:
        ranking, configured = ranking_and_settings(request)
        settings = RoadmapSettings(
            request.capacity or configured.capacity, request.effort or configured.effort
        )
        if not settings.capacity:
            raise UsageError(
                "tpm roadmap needs lane capacities: give --capacity C[,C2] (e.g. --capacity "
                "10,8) or set roadmap: {capacity: [10, 8]} in tpm.yaml"
            )
        report = plan_ranking(ranking, settings)
    failures = (
        tuple(f"--fail-on must-share: {warning}" for warning in report.warnings)
        if "must-share" in conditions
        else ()
    )
    return RoadmapOutcome(report, failures)


@dataclass(frozen=True)
class LanedRanking:
    """``tpm rank --capacity``: the ranking's top rows, how many it ranks in all, and
    the plan ``tpm roadmap`` makes of the whole ranking with that capacity."""

    ranking: Ranking
    total: int
    plan: RoadmapReport

    @property
    def lanes(self) -> dict[str, str]:
        return lane_of(self.plan.roadmap)

    @property
    def now_label(self) -> str:
        """``now: 8 of 10``."""
        now = self.plan.roadmap.lanes[0]
        assert now.capacity is not None
        used, capacity = format_number(now.used), format_number(now.capacity)
        return f"now: {used} of {capacity}"


def rank_in_lanes(
    request: RankRequest, capacity: tuple[float, ...], limit: int | None
) -> LanedRanking:
    """The ranking (its top ``limit`` rows) with the lanes of the whole ranking planned
    at ``capacity`` and tpm.yaml's effort field, as ``tpm roadmap`` plans them. Every
    run plans afresh from the whole ranking, so a warm run's answer is a cold run's."""
    from tpmcli.cache.snapshot_roadmap import planned

    warm = planned(request, capacity, None, shown_per_lane=0, limit=limit)
    if warm is not None:
        return LanedRanking(warm.ranking, warm.total, warm.report)
    ranking, configured = ranking_and_settings(request)
    plan = plan_ranking(ranking, RoadmapSettings(capacity, configured.effort))
    total = len(ranking.items)
    if limit is not None:
        ranking = replace(ranking, items=ranking.items[:limit])
    return LanedRanking(ranking, total, plan)


def ranking_and_settings(request: RankRequest) -> tuple[Ranking, RoadmapSettings]:
    """The whole ranking of ``request`` and tpm.yaml's ``roadmap:`` settings: from the
    snapshot while nothing has changed, else loaded and ranked afresh."""
    from tpmcli.cache.snapshot import ranked_with_roadmap

    found = ranked_with_roadmap(request)
    if found is not None:
        return found
    from tpmcli.commands.rank import rank_afresh

    backlog, ranking = rank_afresh(request)
    return ranking, backlog.config.roadmap


def _check_effort_flag(request: RoadmapRequest) -> None:
    """``--effort`` names an installed framework and one of its inputs (exit 2 else)."""
    from tpmcli.model.roadmap import parse_effort_field
    from tpmcli.project.catalogue import configured_frameworks, effort_problem
    from tpmcli.project.config import load_config

    assert request.effort is not None
    parse_effort_field(request.effort)  # FRAMEWORK.INPUT first
    wrong = effort_problem(request.effort, configured_frameworks(load_config(request.config_file)))
    if wrong is not None:
        raise UsageError(f"--effort {wrong}")


def fail_on_conditions(values: tuple[str, ...]) -> tuple[str, ...]:
    """``--fail-on`` values (repeatable or comma-separated); an unknown one is exit 2."""
    words = [word.strip() for value in values for word in value.split(",") if word.strip()]
    for word in words:
        if word not in FAIL_ON:
            raise UsageError(f"unknown --fail-on condition '{word}' (one of: {', '.join(FAIL_ON)})")
    return tuple(dict.fromkeys(words))
