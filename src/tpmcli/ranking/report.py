"""What the stakeholder report (``tpm report``) holds: the ranking and the answers
built from it, as plain data for the HTML renderer.

Each part is optional where the report leaves it out: the matrix for a framework that
is not a value over an effort, the changes without ``--since``, the roadmap without a
capacity, the confidence when no input has a range. Where a part is missing, ``notes``
says why in a sentence the page shows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from tpmcli.model.items import Ranking
from tpmcli.ranking.diff import RankingDiff
from tpmcli.ranking.lanes import Roadmap
from tpmcli.ranking.quadrants import Matrix


@dataclass(frozen=True)
class Chance:
    """How often an item ranked in the top N over the simulation's samples."""

    id: str
    title: str
    rank: int
    p_top: float


@dataclass(frozen=True)
class Confidence:
    top: int
    runs: int
    seed: int
    #: In point-rank order.
    chances: tuple[Chance, ...]


@dataclass(frozen=True)
class ReportNotes:
    """Why a part is missing, one sentence each (None where it is present or not asked)."""

    matrix: str | None = None
    roadmap: str | None = None
    confidence: str | None = None


@dataclass(frozen=True)
class StakeholderReport:
    ranking: Ranking
    matrix: Matrix | None
    #: How the ranking changed since ``since`` (``--since``).
    changes: RankingDiff | None
    roadmap: Roadmap | None
    confidence: Confidence | None
    notes: ReportNotes
    #: The date that SOURCE_DATE_EPOCH names; None: the page carries no date.
    generated_on: datetime.date | None = None
