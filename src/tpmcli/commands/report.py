"""``tpm report``: the stakeholder report, built from the other commands' cores.

The ranking (as ``tpm rank``), its value/effort matrix (as ``tpm matrix``), with
``--since`` how it changed (as ``tpm diff REV``), with ``--capacity`` the roadmap
lanes, and where inputs have ranges the chance of each item to make the top N. The
HTML is ``render.report``'s; writing it is ``files.atomic_write``'s.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from pathlib import Path

from tpmcli.errors import UsageError
from tpmcli.files.atomic_write import check_writable
from tpmcli.model.items import Ranking
from tpmcli.model.requests import RankRequest
from tpmcli.ranking.diff import RankingDiff
from tpmcli.ranking.quadrants import Matrix, matrix_of
from tpmcli.ranking.report import ReportNotes, StakeholderReport

#: Where the roadmap comes from when ``--capacity`` is given and this tpm cannot plan.
ROADMAP_MISSING = (
    "The roadmap needs tpm roadmap, which this version of tpm does not have: no lanes are shown."
)
NO_RANGES = "Every input is a point estimate (no ranges), so no confidence is computed."


@dataclass(frozen=True)
class ReportRequest(RankRequest):
    #: ``--since REV``: the revision the changes are counted from.
    since: str | None = None
    #: ``--capacity C[,C2]``: the now and next lanes' capacities.
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


def parse_capacity(text: str | None) -> tuple[float, ...]:
    """``--capacity C[,C2]``: one or two positive numbers."""
    if text is None:
        return ()
    parts = [part.strip() for part in text.split(",")]
    try:
        values = tuple(float(part) for part in parts)
    except ValueError:
        raise UsageError(f"--capacity takes C or C,C2 (numbers), not {text!r}") from None
    if not 1 <= len(values) <= 2 or not all(math.isfinite(v) and v > 0 for v in values):
        raise UsageError(f"--capacity takes one or two positive numbers, not {text!r}")
    return values


def build_report(request: ReportRequest) -> StakeholderReport:
    """Everything the report shows; the output file is checked first, so that a
    missing folder or a read-only file fails before any work."""
    if request.output is not None:
        check_writable(request.output)
    from tpmcli.commands.matrix import ranked_backlog

    ranking = ranked_backlog(request)
    matrix, matrix_note = _matrix(ranking)
    changes = _changes(request) if request.since is not None else None
    roadmap_note = ROADMAP_MISSING if request.capacity else None
    notes = ReportNotes(matrix=matrix_note, roadmap=roadmap_note, confidence=NO_RANGES)
    return StakeholderReport(
        ranking=ranking,
        matrix=matrix,
        changes=changes,
        roadmap=None,
        confidence=None,
        notes=notes,
        generated_on=request.generated_on,
    )


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
