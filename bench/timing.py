"""Timing commands side by side for the benchmark: runs in turns, paired ratios, and the
correctness guard (each timed answer against a ``--no-cache`` run's)."""

from __future__ import annotations

import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Command:
    """One command line to time; ``prepare`` runs untimed before every run."""

    label: str
    argv: list[str]
    cwd: Path
    env: dict[str, str]
    prepare: Callable[[], None] | None = None
    #: Checks each run's standard output (untimed, after the run); raises on a wrong one.
    verify: Callable[[bytes], None] | None = None
    #: Whether ``--no-cache`` gives this command's answer afresh (see ``guard``).
    cached: bool = False
    #: The standard output of the last run.
    output: bytes = b""
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    peaks_kib: list[int] = field(default_factory=list)
    #: Each timed run's wall time by its round: (the ``measure`` call, the round in it).
    rounds: dict[tuple[int, int], float] = field(default_factory=dict)
    #: Each timed run's CPU time, likewise.
    cpu_rounds: dict[tuple[int, int], float] = field(default_factory=dict)

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)

    @property
    def peak_mib(self) -> float:
        return statistics.median(self.peaks_kib) / 1024


class CommandFailed(Exception):
    pass


def run_once(command: Command, record: bool, round_: tuple[int, int] | None = None) -> None:
    if command.prepare is not None:
        command.prepare()
    with tempfile.TemporaryFile() as errors, tempfile.TemporaryFile() as output:
        start = time.perf_counter()
        process = subprocess.Popen(
            command.argv,
            cwd=command.cwd,
            env=command.env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=errors,
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            message = errors.read().decode("utf-8", "replace").strip()[-2000:]
            raise CommandFailed(
                f"{command.label}: {' '.join(command.argv)} exited {process.returncode}\n{message}"
            )
        output.seek(0)
        command.output = output.read()
    if command.verify is not None:
        try:
            command.verify(command.output)
        except AssertionError as exc:
            raise CommandFailed(f"{command.label}: wrong answer: {exc}") from None
    if record:
        if round_ is not None:
            command.rounds[round_] = wall
            command.cpu_rounds[round_] = usage.ru_utime + usage.ru_stime
        command.walls.append(wall)
        command.cpus.append(usage.ru_utime + usage.ru_stime)
        # ru_maxrss is KiB on Linux, bytes on macOS.
        peak = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss
        command.peaks_kib.append(peak)


_CALLS = itertools.count()


def measure(commands: Sequence[Command], runs: int, warmup: bool) -> None:
    """Time the commands in turns: one untimed round, then ``runs`` timed rounds, every
    other one in the reverse order (A B, B A, ...), so that none always runs first."""
    call = next(_CALLS)
    if warmup:
        for command in commands:
            run_once(command, record=False)
    for round_ in range(runs):
        for command in commands if round_ % 2 == 0 else commands[::-1]:
            run_once(command, record=True, round_=(call, round_))


def uncached_output(command: Command) -> bytes:
    """What ``command`` prints run with ``--no-cache`` (no cache read or written)."""
    return subprocess.run(
        [*command.argv, "--no-cache"],
        cwd=command.cwd,
        env=command.env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=False,
    ).stdout


def guard(*commands: Command) -> None:
    """The correctness guard: each command's last timed answer must be the one a
    ``--no-cache`` run of it gives now (nothing read from or written to any cache).
    Untimed; a difference fails the benchmark."""
    for command in commands:
        if command.cached and uncached_output(command) != command.output:
            raise CommandFailed(f"{command.label}: its answer differs from a --no-cache run's")


def paired_ratios(tpm: Command, base: Command) -> list[float]:
    """tpm's wall time over the baseline's, round by round, where the two ran in turns
    in the same rounds: a drift of the machine's speed then hits both sides of each."""
    return [tpm.rounds[key] / base.rounds[key] for key in tpm.rounds if key in base.rounds]


def paired_cpu_ratio(tpm: Command, base: Command) -> float | None:
    """The median of tpm's CPU time over the baseline's, round by round (as
    ``paired_ratios``); None where they did not run in the same rounds."""
    pairs = [
        tpm.cpu_rounds[key] / base.cpu_rounds[key]
        for key in tpm.cpu_rounds
        if key in base.cpu_rounds and base.cpu_rounds[key] > 0
    ]
    return statistics.median(pairs) if pairs else None


@dataclass(frozen=True)
class Row:
    goal: str
    value: str
    baseline: str
    ratio: str
    cpu_ratio: str
    target: str
    met: str


def ratio_row(goal: str, tpm: Command, base: Command, limit: float | None) -> Row:
    """The goal's ratio: the median of the ratios round by round where the two ran in
    turns (their range after it), else the ratio of the medians. ``limit`` None: a
    figure reported without a goal."""
    pairs = paired_ratios(tpm, base)
    ratio = statistics.median(pairs) if pairs else tpm.wall / base.wall
    spread = f" ({min(pairs):.2f}–{max(pairs):.2f})" if len(pairs) > 1 else ""
    cpu_ratio = paired_cpu_ratio(tpm, base)
    if cpu_ratio is None and base.cpu > 0:
        cpu_ratio = tpm.cpu / base.cpu
    return Row(
        goal,
        f"{tpm.wall:.3f} s",
        f"{base.label} {base.wall:.3f} s",
        f"{ratio:.2f}×{spread}",
        f"{cpu_ratio:.2f}×" if cpu_ratio is not None else "-",
        f"≤ {limit:g}×" if limit is not None else "-",
        "-" if limit is None else "yes" if ratio <= limit else "NO",
    )


def print_table(rows: Sequence[Row]) -> None:
    headers = Row("goal", "tpm", "baseline", "ratio", "cpu ratio", "target", "met")
    table = [headers, *rows]
    widths = [max(len(getattr(row, name)) for row in table) for name in Row.__dataclass_fields__]
    for row in table:
        cells = [getattr(row, name) for name in Row.__dataclass_fields__]
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()
        )
