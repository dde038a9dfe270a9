"""``tpm report``: the stakeholder report, built from the other commands' cores.

The ranking (as ``tpm rank``), its value/effort matrix (as ``tpm matrix``), with
``--since`` how it changed (as ``tpm diff REV``), with ``--capacity`` the roadmap
lanes, and where inputs have ranges the chance of each item to make the top N. The
HTML is ``render.report``'s; writing it is ``files.atomic_write``'s.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from pathlib import Path

from tpmcli.backlog.assembly import Backlog
from tpmcli.backlog.read import load_backlog
from tpmcli.errors import TpmError, UsageError
from tpmcli.files.atomic_write import check_writable
from tpmcli.model.items import Ranking
from tpmcli.model.requests import RankRequest
from tpmcli.model.roadmap import RoadmapSettings
from tpmcli.ranking.diff import RankingDiff
from tpmcli.ranking.quadrants import Matrix, matrix_of
from tpmcli.ranking.report import Chance, Confidence, ReportNotes, StakeholderReport
from tpmcli.ranking.roadmap import RoadmapReport, plan_ranking

NO_RANGES = "Every input is a point estimate (no ranges), so no confidence is computed."
#: The confidence section's simulation, fixed so that the same backlog gives the same
#: page: ``tpm simulate --top 10 --runs 2000 --seed 0`` counts the same.
CONFIDENCE_TOP = 10
CONFIDENCE_RUNS = 2_000
CONFIDENCE_SEED = 0
#: Simulated at most: the top items of the point ranking (the engine's one-pass size;
#: an item further down takes a range wider than the whole backlog to reach the top 10).
SIMULATED_MAX = 1_000


@dataclass(frozen=True)
class ReportRequest(RankRequest):
    #: ``--since REV``: the revision the changes are counted from.
    since: str | None = None
    #: ``--capacity C[,C2]``: the now and next lanes' capacities (empty: tpm.yaml's).
    capacity: tuple[float, ...] = ()
    #: Where the page goes (checked before any work); None: standard output.
    output: Path | None = None
    #: The page's date (from SOURCE_DATE_EPOCH); None: no date at all.
    generated_on: datetime.date | None = None


def date_from_epoch(text: str | None) -> datetime.date | None:
    """The UTC date of SOURCE_DATE_EPOCH (seconds since 1970), None when unset or
    empty; anything but a whole number of seconds is a usage error."""
    if text is None or not text.strip():
        return None
    try:
        seconds = int(text.strip())
        return datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc).date()
    except (ValueError, OverflowError, OSError):
        raise UsageError(
            f"SOURCE_DATE_EPOCH must be a number of seconds since 1970, not {text!r}"
        ) from None


def build_report(request: ReportRequest) -> StakeholderReport:
    """Everything the report shows; the output file is checked first, so that a
    missing folder or a read-only file fails before any work."""
    if request.output is not None:
        check_writable(request.output)
    ranking, settings, backlog = _ranked(request)
    matrix, matrix_note = _matrix(ranking)
    changes = _changes(request) if request.since is not None else None
    roadmap, roadmap_note = _roadmap(
        ranking, RoadmapSettings(request.capacity or settings.capacity, settings.effort)
    )
    confidence, confidence_note = _confidence(request, ranking, backlog)
    notes = ReportNotes(matrix=matrix_note, roadmap=roadmap_note, confidence=confidence_note)
    return StakeholderReport(
        ranking=ranking,
        matrix=matrix,
        changes=changes,
        roadmap=roadmap,
        confidence=confidence,
        notes=notes,
        generated_on=request.generated_on,
    )


def _ranked(request: ReportRequest) -> tuple[Ranking, RoadmapSettings, Backlog | None]:
    """The whole ranking and tpm.yaml's ``roadmap:`` settings, from the snapshot while
    nothing has changed (no backlog then), else loaded and ranked afresh."""
    from tpmcli.cache.snapshot import ranked_with_roadmap

    found = ranked_with_roadmap(request)
    if found is not None:
        return (*found, None)
    from tpmcli.commands.rank import rank_afresh

    backlog, ranking = rank_afresh(request)
    return ranking, backlog.config.roadmap, backlog


def _roadmap(
    ranking: Ranking, settings: RoadmapSettings
) -> tuple[RoadmapReport | None, str | None]:
    """The lanes as ``tpm roadmap`` plans them, when a capacity is set (by
    ``--capacity``, else tpm.yaml); a dependency cycle is said in the section."""
    if not settings.capacity:
        return None, None
    try:
        return plan_ranking(ranking, settings), None
    except TpmError as error:
        return None, f"No roadmap: {error}."


def has_ranges(ranking: Ranking) -> bool:
    """Whether any ranked item has a ranged input under the ranking's framework."""
    name = ranking.framework
    return any(name in entry.item.ranges for entry in ranking.items)


def _confidence(
    request: ReportRequest, ranking: Ranking, backlog: Backlog | None
) -> tuple[Confidence | None, str | None]:
    """P(top N) of the top ``SIMULATED_MAX`` items as ``tpm simulate`` counts it; numpy
    is imported only here, and only when some input has a range."""
    if not has_ranges(ranking):
        return None, NO_RANGES
    from tpmcli.commands.simulate import SimulateRequest, simulate_ranking

    if backlog is None:
        backlog = load_backlog(request)
    simulated = replace(ranking, items=ranking.items[:SIMULATED_MAX])
    top = min(CONFIDENCE_TOP, len(ranking.items))
    settings = SimulateRequest(top=top, runs=CONFIDENCE_RUNS, seed=CONFIDENCE_SEED)
    try:
        found = simulate_ranking(simulated, backlog.frameworks[ranking.framework], settings)
    except UsageError as error:
        return None, f"No confidence: {error}."
    chances = tuple(
        Chance(item.entry.item.id, item.entry.item.title, item.entry.rank, item.p_top)
        for item in found.items
    )
    confidence = Confidence(
        top=top,
        runs=found.runs,
        seed=found.seed,
        chances=chances,
        simulated=len(simulated.items),
        ranked=len(ranking.items),
    )
    return confidence, None


def _matrix(ranking: Ranking) -> tuple[Matrix | None, str | None]:
    try:
        return matrix_of(ranking), None
    except UsageError:
        name = ranking.framework
        return None, (
            f"The value/effort matrix needs a score that is a value over an effort "
            f"(RICE or WSJF); this report ranks by {name}, which has none: "
            f"run tpm report -f rice (or -f wsjf) for the chart."
        )


def _changes(request: ReportRequest) -> RankingDiff:
    from tpmcli.commands.diff import DiffRequest, diff_backlogs

    assert request.since is not None
    diff = diff_backlogs(
        DiffRequest(
            paths=request.paths,
            config_file=request.config_file,
            use_cache=request.use_cache,
            base=request.since,
            head=request.at,
            by=request.by,
        )
    )
    return diff.diff
