"""How far `tpm simulate`'s engine is from the bare numpy floor.

(a) floor: draw a 10,000 × 1,000 matrix (rng.random) and argsort its rows;
(b) engine: simulate() over 1,000 ranged RICE items (each input a PERT or a uniform
    range, chosen at random) × 10,000 runs.

Each measurement runs in a fresh interpreter (subprocess), a and b alternating, so both
see the same machine load; the time is taken inside the child around the work only
(imports and the input set-up excluded). Prints min / median / max of each, the median
of the paired ratios b / a, and each child's peak RSS. Standard library and numpy only.

    PYTHONPATH=src python bench/simulate_floor.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ITEMS = 1_000
RUNS = 10_000

FLOOR = f"""
import time, numpy as np
rng = np.random.default_rng(0)
start = time.perf_counter()
np.argsort(rng.random(({RUNS}, {ITEMS})), axis=1)
seconds = time.perf_counter() - start
"""

ENGINE = f"""
import time, numpy as np
from tpmcli.ranking.simulation import Pert, Uniform, rice_scores, simulate
setup = np.random.default_rng(1)
def ranged(low, high):
    a, b = sorted(setup.uniform(low, high, 2))
    if setup.random() < 0.5:
        return Uniform(float(a), float(b))
    return Pert(float(a), float(setup.uniform(a, b)), float(b))
inputs = [
    {{"reach": ranged(100, 5000), "impact": ranged(0.25, 3), "confidence": ranged(0.5, 1),
      "effort": ranged(0.5, 10)}}
    for _ in range({ITEMS})
]
ids = [f"item-{{i:04d}}" for i in range({ITEMS})]
start = time.perf_counter()
simulate(ids, inputs, rice_scores, runs={RUNS}, top=10, seed=0)
seconds = time.perf_counter() - start
"""

TAIL = """
import json, resource
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
print(json.dumps({"seconds": seconds, "peak_kib": peak}))
"""


def run_child(code: str) -> tuple[float, float]:
    """(seconds, peak RSS in MiB) of one fresh interpreter running ``code``."""
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parent.parent / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run(
        [sys.executable, "-c", code + TAIL], env=env, capture_output=True, text=True, check=True
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return float(figures["seconds"]), float(figures["peak_kib"]) / 1024


def describe(name: str, seconds: list[float], peaks: list[float]) -> str:
    return (
        f"{name}: min {min(seconds):.3f} s  median {statistics.median(seconds):.3f} s  "
        f"max {max(seconds):.3f} s  peak RSS {max(peaks):.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    rounds = parser.parse_args().rounds
    floor: list[tuple[float, float]] = []
    engine: list[tuple[float, float]] = []
    for _ in range(rounds):
        floor.append(run_child(FLOOR))
        engine.append(run_child(ENGINE))
    print(describe("(a) floor ", [s for s, _ in floor], [p for _, p in floor]))
    print(describe("(b) engine", [s for s, _ in engine], [p for _, p in engine]))
    ratios = [b / a for (a, _), (b, _) in zip(floor, engine, strict=True)]
    print(
        f"(b)/(a): median of {rounds} paired ratios {statistics.median(ratios):.2f}x "
        f"(min {min(ratios):.2f}x, max {max(ratios):.2f}x)"
    )
    # Peak RSS also reports the interpreter with numpy imported: the floor's peak is
    # mostly its two 80 MB matrices, the engine's its 1 MiB-cell chunks and histogram.


if __name__ == "__main__":
    main()
