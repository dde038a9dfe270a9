"""tpm's performance goals, each measured as a ratio to a baseline timed in the same run.

    python bench/run.py --items 10000          # the goals of issue 5 (about two minutes)
    python bench/run.py --smoke                # tiny and single-run: checks the harness works

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
hold. The "edit loop" row (issue 21) edits, adds and deletes item files as a person
does (``edit_loop.py``) and checks each run's table: the changed items rank where their
new scores say, and the table is the one ``--no-cache`` prints. Warm ``tpm rank
--limit 50`` is timed against Taskwarrior's ``task next limit:50`` on the same items
(``taskwarrior.py``; skipped, saying so, without ``task``). After each goal's runs the
correctness guard compares every timed tpm answer with a ``--no-cache`` run's
(``timing.guard``) and fails the benchmark on a difference. The later commands have
rows of their own: ``tpm history`` (its own repository), ``tpm compare``, ``tpm
roadmap`` (issue 17), ``tpm simulate`` (a ranged backlog, ``ranged.py``, against numpy's
floor) and ``tpm report``.

Only public tools: Python, git, and ruamel.yaml's C-backed loader for the baseline
(``pip install 'tpmcli[bench]'``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from command_rows import later_rows
from edit_loop import EditLoop
from generate import STATUSES, generate, generate_history
from ranged import NUMPY_FLOOR, ROADMAP_CAPACITY, SIMULATE_ITEMS, ranged_backlog
from taskwarrior import task_command, task_environment
from timing import (
    Command,
    CommandFailed,
    Row,
    guard,
    measure,
    print_table,
    ratio_row,
    run_once,
    uncached_output,
)

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


def tpm_argv() -> list[str]:
    script = Path(sys.executable).with_name("tpm")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tpmcli"]


def has_command(argv: Sequence[str], name: str, cwd: Path, env: dict[str, str]) -> bool:
    result = subprocess.run(
        [*argv, name, "--help"], cwd=cwd, env=env, capture_output=True, check=False
    )
    return result.returncode == 0


def uncached_json(tpm: Sequence[str], repo: Path, env: dict[str, str], extra: Sequence[str]) -> Any:
    """``tpm rank --no-cache --format json`` of the backlog as it is."""
    result = subprocess.run(
        [*tpm, "rank", "--no-cache", "--format", "json", *extra],
        cwd=repo,
        env=env,
        capture_output=True,
        check=True,
    )
    return json.loads(result.stdout)


def new_environment(env: dict[str, str]) -> Callable[[], None]:
    """A ``prepare`` that gives each run an environment of its own (a replayed answer's
    key holds the environment; the snapshot's does not)."""
    rounds = iter(range(1, 1_000_000))

    def prepare() -> None:
        env["TPM_BENCH_ROUND"] = str(next(rounds))

    return prepare


def fresh_dir(path: Path) -> Callable[[], None]:
    def prepare() -> None:
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)

    return prepare


def run(args: argparse.Namespace) -> int:
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="tpm-bench-"))
    repo = work / "repo"
    marker = work / f"generated-{args.items}-{args.seed}-{args.changed}"
    if not marker.exists():
        shutil.rmtree(repo, ignore_errors=True)
        generate(repo, args.items, args.seed, git=True, changed=args.changed)
        marker.touch()
    # PYTHONDONTWRITEBYTECODE would make every tpm run compile tpm's own modules again
    # (an editable checkout has no .pyc yet), while the baseline imports libraries pip
    # compiled at install: an installed tpm has its .pyc too.
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("TPM_") and key != "PYTHONDONTWRITEBYTECODE"
    }
    env["COLUMNS"] = "100"
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
    rank_cold.cached = rank_warm.cached = True
    help_ = Command("tpm --help", [*tpm, "--help"], repo, env)
    check_cold = Command(
        "tpm check (cold)", [*tpm, "check"], repo, with_cache(cold_cache), fresh_dir(cold_cache)
    )
    check_warm = Command("tpm check (warm)", [*tpm, "check"], repo, with_cache(warm_cache))
    check_cold.cached = check_warm.cached = True
    rank_uncached = Command(
        "tpm rank --no-cache", [*tpm, "rank", "--no-cache"], repo, with_cache(cold_cache)
    )
    json_cold = Command(
        "tpm rank --format json (cold)",
        [*tpm, "rank", "--format", "json"],
        repo,
        with_cache(cold_cache),
        fresh_dir(cold_cache),
        cached=True,
    )
    report_available = has_command(tpm, "report", repo, env)
    report_cache = work / "cache-report"
    report_cold = Command(
        "tpm report (cold)",
        [*tpm, "report", "-o", str(work / "report.html")],
        repo,
        with_cache(report_cache),
        fresh_dir(report_cache),
    )
    diff_available = has_command(tpm, "diff", repo, env)
    diff_argv = [*tpm, "diff", "bench-base", "bench-head", "--format", "json"]
    diff_cold = Command(
        "tpm diff (cold)", diff_argv, repo, with_cache(diff_cache), fresh_dir(diff_cache)
    )
    diff_warm = Command("tpm diff (repeated)", diff_argv, repo, with_cache(warm_cache))
    diff_cold.cached = diff_warm.cached = True
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
        cached=True,
    )
    compare_warm = Command(
        "tpm compare rice wsjf (warm)", compare_argv, repo, with_cache(warm_cache), cached=True
    )
    rank_edited = Command(
        "tpm rank (one file edited)",
        [*tpm, "rank"],
        repo,
        with_cache(warm_cache),
        edit_one_file,
        cached=True,
    )
    # Goal 1 of issue 21, the edit loop as a person lives it (see edit_loop.py): each
    # run's table is checked for the changed items' ranks and against --no-cache.
    listed = uncached_json(tpm, repo, env, [])
    loop = EditLoop(
        {item["id"]: item["score"] for item in listed["items"]},
        sorted((repo / "backlog").rglob("*.yaml"))[1],
    )
    rank_loop = Command("tpm rank (edit loop)", [*tpm, "rank"], repo, with_cache(warm_cache))
    rank_loop.prepare = loop.prepare

    def verify_loop(output: bytes) -> None:
        loop.verify(output)
        if uncached_output(rank_loop) != output:
            raise AssertionError(f"after '{loop.kinds[-1]}', not the --no-cache answer")

    rank_loop.verify = verify_loop
    # Goal 2: warm rank --limit 50 against Taskwarrior's next report on the same items.
    task = task_command()
    rank_50 = Command(
        "tpm rank --limit 50 (warm)",
        [*tpm, "rank", "--limit", "50"],
        repo,
        with_cache(warm_cache),
        cached=True,
    )
    json_50 = Command(
        "tpm rank --limit 50 --format json (warm)",
        [*tpm, "rank", "--limit", "50", "--format", "json"],
        repo,
        with_cache(warm_cache),
        cached=True,
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
        cached=True,
    )
    numpy_floor = Command("numpy draw + argsort", [python, "-c", NUMPY_FLOOR], simulated, env)

    # tpm history: its own repository, 200 commits of a 1,000-item backlog (a few items
    # re-estimated in each), against a cold tpm rank of that backlog, side by side.
    history_repo = work / "history-repo"
    history_items, history_commits = (50, 20) if args.smoke else (1000, 200)
    history_marker = work / f"history-{history_items}-{history_commits}-{args.seed}"
    if not history_marker.exists():
        shutil.rmtree(history_repo, ignore_errors=True)
        tracked = generate_history(history_repo, history_items, args.seed, commits=history_commits)
        history_marker.write_text(tracked, encoding="utf-8")
    tracked = history_marker.read_text(encoding="utf-8")
    history_cache = work / "cache-history"
    history_available = has_command(tpm, "history", history_repo, env)
    history_cold = Command(
        f"tpm history ({history_commits} commits, cold)",
        [*tpm, "history", tracked, "--format", "json"],
        history_repo,
        with_cache(history_cache),
        fresh_dir(history_cache),
        cached=True,
    )
    history_rank_cold = Command(
        "tpm rank (cold, same backlog)",
        [*tpm, "rank"],
        history_repo,
        with_cache(history_cache),
        fresh_dir(history_cache),
        cached=True,
    )
    # tpm roadmap (issue 17) beside tpm rank, cold and warm, in the same rounds.
    roadmap_available = has_command(tpm, "roadmap", repo, env)
    roadmap_argv = [*tpm, "roadmap", "--capacity", ROADMAP_CAPACITY]
    roadmap_cold = Command(
        "tpm roadmap (cold)",
        roadmap_argv,
        repo,
        with_cache(cold_cache),
        fresh_dir(cold_cache),
        cached=True,
    )
    roadmap_warm = Command(
        "tpm roadmap (warm)", roadmap_argv, repo, with_cache(warm_cache), cached=True
    )
    # A warm run replays its recorded answer (cache/answers.py). These runs change an
    # environment variable before each run, so that every one misses its record and
    # answers from the snapshot: what a warm run costs without the replay.
    from_snapshot = [
        Command(f"{label} (from the snapshot, not replayed)", argv, repo, with_cache(warm_cache))
        for label, argv in (("tpm roadmap", roadmap_argv), ("tpm rank", [*tpm, "rank"]))
    ]
    for command in from_snapshot:
        command.prepare = new_environment(command.env)
        command.cached = True
    task_next: Command | None = None
    if task is not None:
        every = uncached_json(tpm, repo, env, [f"--status={name}" for name, _ in STATUSES])
        tasks_env = task_environment(
            work / f"tasks-{marker.name}", [*every["items"], *every["unscored"]], task, env
        )
        task_next = Command("task next limit:50", [task, "next", "limit:50"], repo, tasks_env)

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
        guard(rank_cold, rank_warm)
        # Every row's command takes turns with its baseline, so that each ratio is one
        # of runs made side by side (not of medians taken minutes apart).
        measure([check_cold, ruamel, json_cold, rank_uncached], args.runs, warmup)
        run_once(check_warm, record=False)
        measure([check_warm, bare], args.runs, warmup)
        guard(check_cold, json_cold, check_warm)
        if diff_available:
            measure([diff_cold, rank_cold], args.runs, warmup)
            run_once(diff_warm, record=False)  # the rank's cache, plus bench-base's files
            measure([diff_warm, rank_cold], args.runs, warmup)
            guard(diff_cold, diff_warm)
        run_once(rank_50, record=False)  # the snapshot of the working tree as it is
        if task_next is not None:
            measure([rank_50, task_next, json_50], args.runs, warmup)
        else:
            measure([rank_50, json_50, bare], args.runs, warmup)
        guard(rank_50, json_50)
        measure([rank_edited, bare], args.runs, warmup)
        guard(rank_edited)
        measure([rank_loop, bare], args.runs, warmup)
        if history_available:
            measure([history_cold, history_rank_cold], args.runs, warmup)
            guard(history_cold, history_rank_cold)
        if compare_available:
            # No goal (issue 18 sets none): each against tpm rank, run in turns with it.
            measure([compare_cold, rank_cold], args.runs, warmup)
            measure([compare_warm, rank_warm], args.runs, warmup)
            guard(compare_cold, compare_warm)
        if roadmap_available:
            measure([roadmap_cold, rank_cold], args.runs, warmup)
            run_once(roadmap_warm, record=False)  # the snapshot the warm runs answer from
            measure([roadmap_warm, rank_warm], args.runs, warmup)
            guard(roadmap_cold, roadmap_warm, rank_warm)
            measure(from_snapshot, args.runs, warmup)
            guard(*from_snapshot)
        if simulate_available:
            measure([simulate_, numpy_floor], args.runs, warmup)
            guard(simulate_)
        if report_available:
            measure([report_cold, rank_cold], args.runs, warmup)
    except CommandFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        edited.write_bytes(original)
        loop.restore()

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
    loop_kinds = ", ".join(dict.fromkeys(loop.kinds))
    rows.append(ratio_row(f"tpm rank, edit loop ({loop_kinds})", rank_loop, bare, 3))
    if task_next is not None:
        rows.append(ratio_row("tpm rank --limit 50, warm", rank_50, task_next, 1))
        rows.append(ratio_row("tpm rank --limit 50 --format json, warm", json_50, task_next, 1))
    else:
        reason = "skipped: no Taskwarrior (`task`) on PATH"
        rows.append(
            Row("tpm rank --limit 50, warm", "n/a", "task next", "n/a", "-", "≤ 1×", reason)
        )
    rows += later_rows(
        (history_cold, history_rank_cold, history_commits, history_items)
        if history_available
        else None,
        (compare_cold, compare_warm, rank_cold, rank_warm) if compare_available else None,
        (roadmap_cold, roadmap_warm, rank_cold, rank_warm, *from_snapshot)
        if roadmap_available
        else None,
        (simulate_, numpy_floor) if simulate_available else None,
    )
    timed = [rank_cold, rank_warm, check_cold, check_warm, json_cold, rank_uncached, rank_50]
    timed += [json_50, rank_edited, rank_loop, *([diff_cold, diff_warm] if diff_available else [])]
    for available, commands in (
        (history_available, [history_cold]),
        (compare_available, [compare_cold, compare_warm]),
        (roadmap_available, [roadmap_cold, roadmap_warm, *from_snapshot]),
        (simulate_available, [simulate_]),
        (report_available, [report_cold]),
    ):
        timed += commands if available else []
    largest = max(timed, key=lambda command: command.peak_mib)
    rows.append(
        Row(
            "peak memory, largest of every tpm command",
            f"{largest.peak_mib:.0f} MiB",
            largest.label,
            "-",
            "-",
            "< 200 MiB",
            "yes" if largest.peak_mib < 200 else "NO",
        )
    )
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
        "--smoke", action="store_true", help="50 items, one run, no warm-up: checks the harness"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.items, args.runs = min(args.items, 50), 1
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
