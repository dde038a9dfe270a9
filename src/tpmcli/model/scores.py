"""What a framework says of one item: its score, and how scores are shown.

Plain data with no dependencies, so that showing a ranking never needs the
machinery that validates inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

#: Scores are rounded so that equal scores reached by different float paths tie
#: (and are then ordered by id) instead of being ordered by rounding noise.
SCORE_DECIMALS = 6


@dataclass(frozen=True)
class Score:
    """A framework's verdict on one item."""

    value: float
    breakdown: str
    label: str | None = None

    @property
    def shown(self) -> str:
        """The score as a person reads it: its label, else its value in short form."""
        return self.label or format_number(self.value)


def round_score(value: float) -> float:
    return round(value, SCORE_DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0


@lru_cache(maxsize=4096)
def format_number(value: float) -> str:
    """Short human form: 640 for 640.0, 2.67 for 2.6666…, 0.25 for 0.25.

    Cached: every ranked item's breakdown formats its inputs, and inputs repeat."""
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text if text not in ("0", "-0") else f"{value:.2g}"
