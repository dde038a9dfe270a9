"""The inputs of the benchmark's ``tpm simulate`` and ``tpm roadmap`` rows: a backlog
whose every input is a range, the numpy floor ``tpm simulate`` is measured against,
and the lane capacities ``tpm roadmap`` plans with."""

from __future__ import annotations

import random
from pathlib import Path

#: Lane capacities for ``tpm roadmap``: in the generated backlog (efforts 0.5 to 20),
#: a few dozen items in now and in next, the rest later.
ROADMAP_CAPACITY = "200,200"
#: The floor of ``tpm simulate`` (1,000 items × 10,000 runs): draw the matrix and
#: argsort its rows, in a fresh interpreter.
NUMPY_FLOOR = """\
import numpy as np
np.argsort(np.random.default_rng(0).random((10_000, 1_000)), axis=1)
"""
SIMULATE_ITEMS = 1_000


def ranged_backlog(folder: Path, items: int) -> None:
    """``items`` RICE items, every input a range (PERT or uniform, in turns)."""
    rng = random.Random(7)
    folder.mkdir(parents=True, exist_ok=True)
    # Impact drawn on a continuum (as the engine bench does), not Intercom's five steps.
    (folder.parent / "tpm.yaml").write_text("scales:\n  rice:\n    impact: null\n")

    def ranged(low: float, high: float, pert: bool) -> str:
        a, b = sorted((round(rng.uniform(low, high), 2), round(rng.uniform(low, high), 2)))
        if not pert:
            return f"{{low: {a}, high: {b}}}"
        return f"{{low: {a}, likely: {round(rng.uniform(a, b), 2)}, high: {b}}}"

    for index in range(items):
        pert = index % 2 == 0
        (folder / f"item-{index:04d}.yaml").write_text(
            f"title: Item {index}\nrice:\n  reach: {ranged(100, 5000, pert)}\n"
            f"  impact: {ranged(0.25, 3, not pert)}\n"
            f"  confidence: {ranged(0.5, 1, pert)}\n  effort: {ranged(0.5, 10, not pert)}\n"
        )
