"""``tpm simulate``: how sure the ranking is, given ranged inputs.

The backlog is loaded and ranked as ``tpm rank`` does (the point ranking), then every
ranked item's inputs under the first framework become distributions (a range as
uniform or PERT, a number as a constant) for the Monte-Carlo engine of
``ranking.simulation``. MoSCoW categories are not sampled: each is a constant score.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from tpmcli.backlog.read import load_backlog
from tpmcli.backlog.selection import rank_loaded
from tpmcli.errors import UsageError
from tpmcli.frameworks.base import Framework
from tpmcli.frameworks.configured import ConfiguredFramework
from tpmcli.model.items import RankedItem, Ranking
from tpmcli.model.requests import RankRequest
from tpmcli.model.simulation_report import SimulatedItem, SimulationReport
from tpmcli.ranking.sampled_ranks import FloatArray
from tpmcli.ranking.simulation import (
    Constant,
    Distribution,
    Pert,
    Scorer,
    Uniform,
    formula_scores,
    rice_scores,
    simulate,
    wsjf_scores,
)

#: The input a constant score (a MoSCoW category's ordinal) is passed as.
_SCORE = "score"


@dataclass(frozen=True)
class SimulateRequest(RankRequest):
    top: int = 10
    runs: int = 10_000
    seed: int = 0


#: The most runs one simulation takes (10,000 is the default; 100,000 settles most shares
#: to a few parts in a thousand).
MAX_RUNS = 10_000_000


def simulate_backlog(
    request: SimulateRequest, progress: Callable[[int], None] | None = None
) -> SimulationReport:
    """The point ranking and each ranked item's rank statistics over ``request.runs``
    samples; ``progress`` gets the runs done so far."""
    if request.runs < 1 or request.top < 1:
        raise UsageError("--runs and --top must be at least 1")
    if request.runs > MAX_RUNS:
        # Counts are exact shares of the runs: past this they take hours, not seconds.
        raise UsageError(f"--runs {request.runs} is over the limit of {MAX_RUNS:,}")
    if request.seed < 0:
        raise UsageError("--seed must be 0 or more")
    backlog = load_backlog(request)
    ranking = rank_loaded(backlog, request)
    return simulate_ranking(ranking, backlog.frameworks[ranking.framework], request, progress)


def simulate_ranking(
    ranking: Ranking,
    framework: Framework,
    request: SimulateRequest,
    progress: Callable[[int], None] | None = None,
) -> SimulationReport:
    """Each of ``ranking``'s items' rank statistics over ``request.runs`` samples of
    their inputs under ``framework`` (the ranking's first); the items compete with
    each other only, so a ranking cut to its top rows simulates those rows."""
    scorer = _scorer(framework)
    by_id = sorted(ranking.items, key=lambda entry: entry.item.id)
    statistics = {}
    if by_id:
        result = simulate(
            [entry.item.id for entry in by_id],
            [_distributions(entry, framework) for entry in by_id],
            scorer,
            runs=request.runs,
            top=request.top,
            seed=request.seed,
            progress=progress,
        )
        statistics = {found.id: found for found in result.items}
    items = tuple(
        SimulatedItem(
            entry=entry,
            p_top=statistics[entry.item.id].p_top,
            p_first=statistics[entry.item.id].p_first,
            median_rank=statistics[entry.item.id].median_rank,
            rank_p10=statistics[entry.item.id].rank_p10,
            rank_p90=statistics[entry.item.id].rank_p90,
        )
        for entry in ranking.items
    )
    return SimulationReport(
        framework=ranking.framework,
        runs=request.runs,
        seed=request.seed,
        top=request.top,
        items=items,
        unscored=ranking.unscored,
    )


def _scorer(framework: Framework) -> Scorer:
    if framework.name == "rice" and type(framework).__module__ == "tpmcli.frameworks.rice":
        return rice_scores
    if framework.name == "wsjf" and type(framework).__module__ == "tpmcli.frameworks.wsjf":
        return wsjf_scores
    if isinstance(framework, ConfiguredFramework):
        return formula_scores(framework.formula.root)
    if framework.name == "moscow":
        return _constant_scores
    raise UsageError(
        f"tpm simulate cannot sample the framework '{framework.name}': it samples rice, "
        "wsjf, moscow and frameworks defined by a formula in tpm.yaml"
    )


def _constant_scores(fields: Mapping[str, FloatArray]) -> FloatArray:
    return fields[_SCORE]


def _distributions(entry: RankedItem, framework: Framework) -> dict[str, Distribution]:
    """The item's inputs as the engine draws them: ranges, and constants."""
    if framework.name == "moscow" and not isinstance(framework, ConfiguredFramework):
        return {_SCORE: Constant(float(entry.score.value))}
    item = entry.item
    inputs = item.inputs_for(framework.name) or {}
    ranged = item.ranges.get(framework.name, {})
    found: dict[str, Distribution] = {}
    for name, value in inputs.items():
        if name in ranged:
            low, likely, high = ranged[name]
            found[name] = Uniform(low, high) if likely is None else Pert(low, likely, high)
        else:
            found[name] = Constant(float(value))
    return found
