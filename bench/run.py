"""tpm's performance goals, each measured as a ratio to a baseline timed in the same run.

    python bench/run.py --items 10000          # the goals of issue 5 (about two minutes)
    python bench/run.py --smoke                # tiny and single-run: checks the harness works
    python bench/run.py --only history         # tpm history's goal alone

Every figure is a whole process (start-up included) timed with ``time.perf_counter``
around ``subprocess``; each command runs ``--runs`` times after one untimed warm-up, the
commands of one goal taking turns (A B, B A, A B ...) so that drift of the machine's
speed hits both and neither always runs first, and the median is reported. A goal's
ratio is the median of the ratios round by round (each of two runs made in turn),
where its command and baseline ran in the same rounds, and the ratio of their medians
otherwise. Peak memory is the child's own maximum resident set size as the kernel
accounts it (``os.wait4``). Cold runs start from an
empty cache directory (``XDG_CACHE_HOME``); warm runs from one filled by earlier runs
(the parse cache, and the snapshot that a warm run writes: the untimed warm-up round
writes it). "One file edited" changes a comment in one item file before every run: the
edit loop, where the parse cache serves all files but one and the snapshot does not
hold.

Only public tools: Python, git, and ruamel.yaml's C-backed loader for the baseline
(``pip install 'tpmcli[bench]'``).
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate, generate_history

#: A bare parse of every item file with ruamel.yaml's C-backed safe loader.
RUAMEL_PARSE = """\
import os, sys
from ruamel.yaml import YAML
yaml = YAML(typ="safe", pure=False)
for folder, dirs, files in os.walk(sys.argv[1]):
    for name in files:
        if name.endswith((".yaml", ".yml")):
            with open(os.path.join(folder, name), "rb") as handle:
                yaml.load(handle.read())
"""
BARE_IMPORT = "import typer, rich, pydantic"
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
    import random

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


@dataclass
class Command:
    """One command line to time; ``prepare`` runs untimed before every run."""

    label: str
    argv: list[str]
    cwd: Path
    env: dict[str, str]
    prepare: Callable[[], None] | None = None
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
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(
            command.argv,
            cwd=command.cwd,
            env=command.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
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


def tpm_argv() -> list[str]:
    script = Path(sys.executable).with_name("tpm")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tpmcli"]


def has_command(argv: Sequence[str], name: str, cwd: Path, env: dict[str, str]) -> bool:
    result = subprocess.run(
        [*argv, name, "--help"], cwd=cwd, env=env, capture_output=True, check=False
    )
    return result.returncode == 0


def fresh_dir(path: Path) -> Callable[[], None]:
    def prepare() -> None:
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)

    return prepare


def print_table(rows: Sequence[Row]) -> None:
    headers = Row("goal", "tpm", "baseline", "ratio", "cpu ratio", "target", "met")
    table = [headers, *rows]
    widths = [max(len(getattr(row, name)) for row in table) for name in Row.__dataclass_fields__]
    for row in table:
        cells = [getattr(row, name) for name in Row.__dataclass_fields__]
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()
        )


@dataclass(frozen=True)
class HistoryGoal:
    """``tpm history ID`` cold and its baseline, a cold ``tpm rank`` of the same
    backlog, timed in turns."""

    history: Command
    rank: Command

    @property
    def commands(self) -> list[Command]:
        return [self.history, self.rank]


def history_size(args: argparse.Namespace) -> tuple[int, int]:
    """The items and commits of the history repository."""
    return (50, 20) if args.smoke else (1000, 200)


def history_goal(
    work: Path, args: argparse.Namespace, tpm: list[str], env: dict[str, str]
) -> HistoryGoal | None:
    """tpm history's own repository, 200 commits of a 1,000-item backlog (a few items
    re-estimated in each), against a cold tpm rank of that backlog, side by side; None
    where this tpm has no ``history``."""
    history_repo = work / "history-repo"
    history_items, history_commits = history_size(args)
    history_marker = work / f"history-{history_items}-{history_commits}-{args.seed}"
    if not history_marker.exists():
        shutil.rmtree(history_repo, ignore_errors=True)
        tracked = generate_history(history_repo, history_items, args.seed, commits=history_commits)
        history_marker.write_text(tracked, encoding="utf-8")
    tracked = history_marker.read_text(encoding="utf-8")
    if not has_command(tpm, "history", history_repo, env):
        return None
    history_cache = work / "cache-history"
    cached = {**env, "XDG_CACHE_HOME": str(history_cache)}
    history_cold = Command(
        f"tpm history ({history_commits} commits, cold)",
        [*tpm, "history", tracked, "--format", "json"],
        history_repo,
        cached,
        fresh_dir(history_cache),
    )
    history_rank_cold = Command(
        "tpm rank (cold, same backlog)",
        [*tpm, "rank"],
        history_repo,
        cached,
        fresh_dir(history_cache),
    )
    return HistoryGoal(history_cold, history_rank_cold)


def history_rows(history: HistoryGoal | None, args: argparse.Namespace) -> list[Row]:
    history_items, history_commits = history_size(args)
    goal = f"tpm history ID, {history_commits} commits of {history_items} items, cold"
    if history is None:
        return [Row(goal, "n/a", "tpm rank (cold)", "n/a", "n/a", "≤ 3×", "not available")]
    return [
        ratio_row(goal, history.history, history.rank, 3),
        Row(
            "peak memory, tpm history cold",
            f"{history.history.peak_mib:.0f} MiB",
            "-",
            "-",
            "-",
            f"(rank: {history.rank.peak_mib:.0f} MiB)",
            "-",
        ),
    ]


def bench_env() -> dict[str, str]:
    # PYTHONDONTWRITEBYTECODE would make every tpm run compile tpm's own modules again
    # (an editable checkout has no .pyc yet), while the baseline imports libraries pip
    # compiled at install: an installed tpm has its .pyc too.
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("TPM_") and key != "PYTHONDONTWRITEBYTECODE"
    }
    env["COLUMNS"] = "100"
    return env


def run_history(args: argparse.Namespace, work: Path) -> int:
    """``--only history``: that goal's row alone (its own repository, no other)."""
    history = history_goal(work, args, tpm_argv(), bench_env())
    if history is None:
        print("error: this tpm has no history command", file=sys.stderr)
        return 2
    print(
        f"tpm benchmark, tpm history only: median of {args.runs} run(s), "
        f"Python {platform.python_version()}, {os.cpu_count()} cores"
    )
    sys.stdout.flush()
    try:
        measure(history.commands, args.runs, not args.smoke)
    except CommandFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print()
    print_table(history_rows(history, args))
    return 0


def run(args: argparse.Namespace) -> int:
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="tpm-bench-"))
    if args.only == "history":
        code = run_history(args, work)
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
        return code
    repo = work / "repo"
    marker = work / f"generated-{args.items}-{args.seed}-{args.changed}"
    if not marker.exists():
        shutil.rmtree(repo, ignore_errors=True)
        generate(repo, args.items, args.seed, git=True, changed=args.changed)
        marker.touch()
    env = bench_env()
    cold_cache = work / "cache-cold"
    warm_cache = work / "cache-warm"
    diff_cache = work / "cache-diff"
    tpm = tpm_argv()
    python = sys.executable

    def with_cache(path: Path) -> dict[str, str]:
        return {**env, "XDG_CACHE_HOME": str(path)}

    ruamel = Command("ruamel C safe parse", [python, "-c", RUAMEL_PARSE, "backlog"], repo, env)
    bare = Command("bare import", [python, "-c", BARE_IMPORT], repo, env)
    rank_cold = Command(
        "tpm rank (cold)", [*tpm, "rank"], repo, with_cache(cold_cache), fresh_dir(cold_cache)
    )
    rank_warm = Command("tpm rank (warm)", [*tpm, "rank"], repo, with_cache(warm_cache))
    help_ = Command("tpm --help", [*tpm, "--help"], repo, env)
    check_cold = Command(
        "tpm check (cold)", [*tpm, "check"], repo, with_cache(cold_cache), fresh_dir(cold_cache)
    )
    check_warm = Command("tpm check (warm)", [*tpm, "check"], repo, with_cache(warm_cache))
    rank_uncached = Command(
        "tpm rank --no-cache", [*tpm, "rank", "--no-cache"], repo, with_cache(cold_cache)
    )
    json_cold = Command(
        "tpm rank --format json (cold)",
        [*tpm, "rank", "--format", "json"],
        repo,
        with_cache(cold_cache),
        fresh_dir(cold_cache),
    )
    report_available = has_command(tpm, "report", repo, env)
    report_cache = work / "cache-report"
    report_cold = Command(
        "tpm report (cold)",
        [*tpm, "report", "-o", str(work / "report.html"), "--capacity", ROADMAP_CAPACITY],
        repo,
        with_cache(report_cache),
        fresh_dir(report_cache),
    )
    # The report's #confidence (numpy, the simulation) where every input is a range:
    # against a cold tpm rank of the same backlog, side by side.
    ranged_report_backlog = work / f"ranged-{args.items}"
    if not (ranged_report_backlog / "backlog").exists():
        ranged_backlog(ranged_report_backlog / "backlog", args.items)
    report_ranged = Command(
        "tpm report (cold, ranged)",
        [*tpm, "report", "-o", str(work / "report-ranged.html")],
        ranged_report_backlog,
        with_cache(report_cache),
        fresh_dir(report_cache),
    )
    rank_ranged = Command(
        "tpm rank (cold, ranged)",
        [*tpm, "rank"],
        ranged_report_backlog,
        with_cache(report_cache),
        fresh_dir(report_cache),
    )
    diff_available = has_command(tpm, "diff", repo, env)
    diff_argv = [*tpm, "diff", "bench-base", "bench-head", "--format", "json"]
    diff_cold = Command(
        "tpm diff (cold)", diff_argv, repo, with_cache(diff_cache), fresh_dir(diff_cache)
    )
    diff_warm = Command("tpm diff (repeated)", diff_argv, repo, with_cache(warm_cache))
    # The edit loop: one file changed (a comment added) before every run, so the item
    # cache serves all files but that one, and the snapshot no longer holds.
    edited = next(iter(sorted((repo / "backlog").rglob("*.yaml"))))
    original = edited.read_bytes()
    edits = iter(range(1, 1_000_000))

    def edit_one_file() -> None:
        edited.write_bytes(original + f"# edited {next(edits)}\n".encode())

    compare_available = has_command(tpm, "compare", repo, env)
    compare_argv = [*tpm, "compare", "rice", "wsjf"]
    compare_cold = Command(
        "tpm compare rice wsjf (cold)",
        compare_argv,
        repo,
        with_cache(cold_cache),
        fresh_dir(cold_cache),
    )
    compare_warm = Command(
        "tpm compare rice wsjf (warm)", compare_argv, repo, with_cache(warm_cache)
    )
    rank_edited = Command(
        "tpm rank (one file edited)", [*tpm, "rank"], repo, with_cache(warm_cache), edit_one_file
    )
    simulated = work / f"ranged-{50 if args.smoke else SIMULATE_ITEMS}"
    if not (simulated / "backlog").exists():
        ranged_backlog(simulated / "backlog", 50 if args.smoke else SIMULATE_ITEMS)
    simulate_available = has_command(tpm, "simulate", simulated, env)
    simulate_ = Command(
        f"tpm simulate ({SIMULATE_ITEMS} ranged items × 10,000 runs)",
        [*tpm, "simulate", "--runs", "200" if args.smoke else "10000", "--format", "json"],
        simulated,
        with_cache(warm_cache),
    )
    numpy_floor = Command("numpy draw + argsort", [python, "-c", NUMPY_FLOOR], simulated, env)

    history = history_goal(work, args, tpm, env)
    # tpm roadmap (issue 17) beside tpm rank, cold and warm, in the same rounds.
    roadmap_available = has_command(tpm, "roadmap", repo, env)
    roadmap_argv = [*tpm, "roadmap", "--capacity", ROADMAP_CAPACITY]
    roadmap_cold = Command(
        "tpm roadmap (cold)", roadmap_argv, repo, with_cache(cold_cache), fresh_dir(cold_cache)
    )
    roadmap_warm = Command("tpm roadmap (warm)", roadmap_argv, repo, with_cache(warm_cache))

    print(
        f"tpm benchmark: {args.items} items ({args.changed:g}% changed between bench-base and "
        f"bench-head), median of {args.runs} run(s), Python {platform.python_version()}, "
        f"{os.cpu_count()} cores"
    )
    print(f"backlog: {repo}")
    sys.stdout.flush()
    warmup = not args.smoke
    try:
        measure([rank_cold, ruamel], args.runs, warmup)
        fresh_dir(warm_cache)()
        run_once(rank_warm, record=False)  # fills the cache
        measure([rank_warm, bare, help_], args.runs, warmup)
        # Every row's command takes turns with its baseline, so that each ratio is one
        # of runs made side by side (not of medians taken minutes apart).
        measure([check_cold, ruamel, json_cold, rank_uncached], args.runs, warmup)
        run_once(check_warm, record=False)
        measure([check_warm, bare], args.runs, warmup)
        if diff_available:
            measure([diff_cold, rank_cold], args.runs, warmup)
            run_once(diff_warm, record=False)  # the rank's cache, plus bench-base's files
            measure([diff_warm, rank_cold], args.runs, warmup)
        measure([rank_edited, bare], args.runs, warmup)
        if history is not None:
            measure(history.commands, args.runs, warmup)
        if compare_available:
            # No goal (issue 18 sets none): each against tpm rank, run in turns with it.
            measure([compare_cold, rank_cold], args.runs, warmup)
            measure([compare_warm, rank_warm], args.runs, warmup)
        if roadmap_available:
            measure([roadmap_cold, rank_cold], args.runs, warmup)
            run_once(roadmap_warm, record=False)  # the snapshot the warm runs answer from
            measure([roadmap_warm, rank_warm], args.runs, warmup)
        if simulate_available:
            measure([simulate_, numpy_floor], args.runs, warmup)
        if report_available:
            measure([report_cold, rank_cold], args.runs, warmup)
            measure([report_ranged, rank_ranged], args.runs, warmup)
    except CommandFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        edited.write_bytes(original)

    rows = [
        ratio_row("tpm rank, cold (no cache)", rank_cold, ruamel, 0.5),
        ratio_row("tpm rank, warm (cache filled)", rank_warm, bare, 3),
    ]
    if diff_available:
        rows.append(ratio_row("tpm diff A B (10% changed), cold", diff_cold, rank_cold, 1))
        extra_diff = ratio_row("(also) tpm diff A B, repeated", diff_warm, rank_cold, 1)
    else:
        rows.append(
            Row(
                "tpm diff A B (10% changed), cold",
                "n/a",
                "tpm rank (cold)",
                "n/a",
                "n/a",
                "≤ 1×",
                "not available yet (no tpm diff)",
            )
        )
    if report_available:
        rows.append(ratio_row("tpm report -o FILE, cold", report_cold, rank_cold, 2))
        ranged_goal = "tpm report -o FILE, cold, every input a range"
        rows.append(ratio_row(ranged_goal, report_ranged, rank_ranged, 2))
    else:
        rows.append(
            Row(
                "tpm report -o FILE, cold",
                "n/a",
                "tpm rank (cold)",
                "n/a",
                "n/a",
                "≤ 2×",
                "not available yet (no tpm report)",
            )
        )
    rows += [
        ratio_row("tpm --help", help_, bare, 1.5),
        Row(
            "peak memory, tpm rank cold",
            f"{rank_cold.peak_mib:.0f} MiB",
            "-",
            "-",
            "-",
            "< 200 MiB",
            "yes" if rank_cold.peak_mib < 200 else "NO",
        ),
        ratio_row("(also) tpm check, cold", check_cold, ruamel, 0.5),
        ratio_row("(also) tpm check, warm", check_warm, bare, 3),
        ratio_row("(info) tpm rank --format json, cold", json_cold, ruamel, 0.5),
        ratio_row("(info) tpm rank --no-cache", rank_uncached, ruamel, 0.5),
        ratio_row("(info) tpm rank, one file edited", rank_edited, bare, 3),
    ]
    if diff_available:
        rows.append(extra_diff)
    rows += history_rows(history, args)
    if compare_available:
        rows.append(ratio_row("(info) tpm compare rice wsjf, cold", compare_cold, rank_cold, None))
        rows.append(ratio_row("(info) tpm compare rice wsjf, warm", compare_warm, rank_warm, None))
    if roadmap_available:
        rows += [
            ratio_row("(issue 17) tpm roadmap, cold", roadmap_cold, rank_cold, 1.2),
            ratio_row("(issue 17) tpm roadmap, warm", roadmap_warm, rank_warm, 1.2),
        ]
    if simulate_available:
        rows += [
            ratio_row("tpm simulate, 1,000 ranged × 10,000 runs", simulate_, numpy_floor, 3),
            Row(
                "peak memory, tpm simulate",
                f"{simulate_.peak_mib:.0f} MiB",
                f"{numpy_floor.label} {numpy_floor.peak_mib:.0f} MiB",
                "-",
                "-",
                "(info)",
                "-",
            ),
        ]
    print()
    print_table(rows)
    print(
        "\nratio: wall time over the baseline's (the goal): the median of the ratios of runs "
        "made in turns,\ntheir range in brackets (else the ratio of the medians); cpu ratio: "
        "user+system CPU time over\nthe baseline's, likewise, which other load on the machine "
        "disturbs less. The tpm and baseline\ncolumns are medians of every timed run of the "
        "command (a baseline may run with several rows)."
    )
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000, help="items in the backlog")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per command (median)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed")
    parser.add_argument("--changed", type=float, default=10, help="percent changed for diff")
    parser.add_argument(
        "--workdir", help="keep the generated backlog and caches here (reused when present)"
    )
    parser.add_argument(
        "--only",
        choices=["history"],
        help="time only this goal (history: tpm history ID against a cold tpm rank)",
    )
    parser.add_argument(
        "--smoke", action="store_true", help="50 items, one run, no warm-up: checks the harness"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.items, args.runs = min(args.items, 50), 1
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
