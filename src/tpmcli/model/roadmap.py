"""What planning needs from ``tpm.yaml``'s ``roadmap:`` or the command line: lane
capacities and the input that measures effort. Plain data, cheap to import: a warm
run reads it from the snapshot without loading the configuration."""

from __future__ import annotations

import math
from dataclasses import dataclass

from tpmcli.errors import UsageError

#: The input that measures an item's effort unless told otherwise.
DEFAULT_EFFORT_FIELD = "rice.effort"


@dataclass(frozen=True)
class RoadmapSettings:
    """``capacity``: now's capacity, then next's (absent: the same as now's); empty when
    not configured. ``effort``: the ``framework.input`` whose value is an item's effort
    (None: the default)."""

    capacity: tuple[float, ...] = ()
    effort: str | None = None

    @property
    def effort_field(self) -> str:
        return self.effort or DEFAULT_EFFORT_FIELD

    @property
    def capacities(self) -> tuple[float, float | None]:
        """(now, next or None) for ``plan_roadmap``; only when ``capacity`` is set."""
        return self.capacity[0], self.capacity[1] if len(self.capacity) > 1 else None


def capacity_problem(values: list[object]) -> str | None:
    """What is wrong with a list of capacities (one or two finite numbers above zero),
    or None when nothing is."""
    if not 1 <= len(values) <= 2:
        return f"has {len(values)} values; give one (now and next) or two (now, next)"
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"must be a number, not {value!r}"
        if not math.isfinite(value) or value <= 0:
            return f"must be a finite number above 0, not {value!r}"
    return None


def parse_capacity(text: str) -> tuple[float, ...]:
    """``--capacity C[,C2]`` → the capacities; anything else is a usage error."""
    words = [part.strip() for part in text.split(",")]
    problem = None if 1 <= len(words) <= 2 else capacity_problem(list(words))
    values: list[float] = []
    for word in words:
        try:
            value = float(word)
        except ValueError:
            problem = problem or f"{word!r} is not a number"
            continue
        if not math.isfinite(value) or value <= 0:
            problem = problem or f"{word!r} is not a finite number above 0"
        values.append(value)
    if problem is not None:
        raise UsageError(f"--capacity {text}: {problem} (e.g. --capacity 10 or 10,8)")
    return tuple(values)


def parse_effort_field(text: str) -> tuple[str, str]:
    """``rice.effort`` → (``rice``, ``effort``); anything else is a usage error."""
    framework, dot, name = text.partition(".")
    if not dot or not framework or not name or "." in name:
        raise UsageError(f"--effort {text!r} must be FRAMEWORK.INPUT, e.g. rice.effort")
    return framework, name
