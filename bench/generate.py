"""Generate a synthetic backlog for benchmarks: N one-item files, seedable.

Each file is about 17 lines (RICE + WSJF + MoSCoW inputs, comments, realistic values),
like the items a product team keeps. With ``--git`` the backlog is committed twice:
``bench-base`` and ``bench-head`` differ in ``--changed`` percent of the items (most
re-estimated, a few removed and a few added), for benchmarking ``tpm diff``.

    python bench/generate.py /tmp/backlog --items 10000 --seed 1 --git --changed 10

Only the standard library and the ``git`` command are used.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

AREAS = ("billing", "auth", "reports", "mobile", "integrations", "admin", "search", "api")
OWNERS = ("alice", "bilal", "chen", "dana", "emeka", "farah", "goran", "hana", "ines")
VERBS = ("Improve", "Add", "Rework", "Speed up", "Simplify", "Automate", "Audit", "Localise")
OBJECTS = (
    "invoice export",
    "SAML sign-in",
    "usage reports",
    "offline mode",
    "Slack notifications",
    "role permissions",
    "full-text search",
    "webhook retries",
    "CSV import",
    "audit trail",
    "currency rounding",
    "onboarding checklist",
)
AUDIENCES = ("enterprise accounts", "small teams", "admins", "new users", "partners", "finance")
STATUSES = (("proposed", 50), ("planned", 25), ("in-progress", 15), ("done", 7), ("dropped", 3))
IMPACTS = (3, 2, 1, 0.5, 0.25)
CONFIDENCES = ("100%", "80%", "50%", "0.8", "0.5")
FIBONACCI = (1, 2, 3, 5, 8, 13, 20)
MOSCOW = ("must", "should", "could", "wont")

CONFIG = """\
# tpm configuration of the generated benchmark backlog
backlog: backlog
framework: rice
exclude_statuses: [done, dropped]
"""


@dataclass(frozen=True)
class BenchItem:
    """One generated item; ``render`` writes it as a YAML file of about 17 lines."""

    stem: str
    area: str
    title: str
    description: str
    status: str
    owner: str
    tags: tuple[str, ...]
    depends_on: tuple[str, ...]
    reach: int
    impact: float
    confidence: str
    effort: float
    wsjf: tuple[int, int, int, int]
    moscow: str
    notes: tuple[str, ...] = field(default=())

    @property
    def path(self) -> str:
        return f"backlog/{self.area}/{self.stem}.yaml"

    def render(self) -> str:
        depends = f"depends_on: [{', '.join(self.depends_on)}]\n" if self.depends_on else ""
        business, critical, risk, size = self.wsjf
        return (
            f"# {self.title}: raised in {self.notes[0] if self.notes else 'planning'}.\n"
            f"title: {self.title}\n"
            f"description: >-\n  {self.description}\n"
            f"status: {self.status}\n"
            f"owner: {self.owner}\n"
            f"tags: [{', '.join(self.tags)}]\n"
            f"{depends}"
            "rice:\n"
            f"  reach: {self.reach}          # accounts per quarter\n"
            f"  impact: {_number(self.impact)}\n"
            f"  confidence: {self.confidence}   # from customer interviews\n"
            f"  effort: {_number(self.effort)}            # person-months\n"
            "wsjf:\n"
            f"  business_value: {business}\n"
            f"  time_criticality: {critical}\n"
            f"  risk_reduction: {risk}\n"
            f"  job_size: {size}\n"
            f"moscow: {self.moscow}\n"
        )


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _weighted_status(rng: random.Random) -> str:
    names = [name for name, _ in STATUSES]
    weights = [weight for _, weight in STATUSES]
    return rng.choices(names, weights)[0]


def make_item(rng: random.Random, index: int, earlier: Sequence[str]) -> BenchItem:
    area = rng.choice(AREAS)
    subject = rng.choice(OBJECTS)
    audience = rng.choice(AUDIENCES)
    depends: tuple[str, ...] = ()
    if earlier and rng.random() < 0.1:
        depends = tuple(sorted(set(rng.sample(list(earlier[-200:]), k=rng.randint(1, 2)))))
    return BenchItem(
        stem=f"{area}-{index:05d}",
        area=area,
        title=f"{rng.choice(VERBS)} {subject} for {audience}",
        description=(
            f"{audience.capitalize()} asked for better {subject} in {rng.randint(2, 40)} "
            f"support tickets last quarter; this closes the gap with competitors."
        ),
        status=_weighted_status(rng),
        owner=rng.choice(OWNERS),
        tags=tuple(sorted({area, rng.choice(AREAS)})),
        depends_on=depends,
        reach=rng.choice((50, 120, 300, 800, 1200, 2500, 5000)) + rng.randint(0, 49),
        impact=rng.choice(IMPACTS),
        confidence=rng.choice(CONFIDENCES),
        effort=rng.choice((0.5, 1, 2, 3, 5, 8)),
        wsjf=(
            rng.choice(FIBONACCI),
            rng.choice(FIBONACCI),
            rng.choice(FIBONACCI),
            rng.choice(FIBONACCI),
        ),
        moscow=rng.choice(MOSCOW),
        notes=(rng.choice(("Q3 planning", "a renewal call", "the roadmap review", "support")),),
    )


def make_backlog(count: int, seed: int) -> list[BenchItem]:
    rng = random.Random(seed)
    items: list[BenchItem] = []
    stems: list[str] = []
    for index in range(1, count + 1):
        item = make_item(rng, index, stems)
        items.append(item)
        stems.append(item.stem)
    return items


def change_backlog(items: Sequence[BenchItem], percent: float, seed: int) -> list[BenchItem]:
    """The backlog with ``percent`` of its items changed: 80% of those re-estimated,
    10% removed, and as many new items added as the remaining 10%."""
    rng = random.Random(seed + 1)
    changed = round(len(items) * percent / 100)
    removed_count = changed // 10
    added_count = changed // 10
    touched = min(changed - added_count, len(items))
    ordered = sorted(rng.sample(range(len(items)), k=touched))
    chosen = set(ordered)
    removed = set(ordered[:removed_count])
    kept_ids = {item.stem for i, item in enumerate(items) if i not in removed}
    result: list[BenchItem] = []
    for index, item in enumerate(items):
        if index in removed:
            continue
        if index in chosen:
            item = replace(
                item,
                reach=max(0, item.reach + rng.choice((-300, -100, 100, 400, 1500))),
                effort=rng.choice((0.5, 1, 2, 3, 5, 8)),
                wsjf=(rng.choice(FIBONACCI), *item.wsjf[1:]),
                moscow=rng.choice(MOSCOW),
            )
        # Dependencies on removed items would make the head backlog invalid.
        depends = tuple(dep for dep in item.depends_on if dep in kept_ids)
        result.append(replace(item, depends_on=depends))
    start = len(items) + 1
    for offset in range(added_count):
        result.append(make_item(rng, start + offset, ()))
    return result


def write_backlog(root: Path, items: Sequence[BenchItem]) -> None:
    """Write ``tpm.yaml`` and one file per item under ``root/backlog`` (replacing it)."""
    backlog = root / "backlog"
    if backlog.exists():
        shutil.rmtree(backlog)
    for area in AREAS:
        (backlog / area).mkdir(parents=True, exist_ok=True)
    (root / "tpm.yaml").write_text(CONFIG, encoding="utf-8")
    for item in items:
        (root / item.path).write_text(item.render(), encoding="utf-8")


def _git(root: Path, *args: str, env: dict[str, str] | None = None) -> None:
    extra = env or {}
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update(extra)
    env.update(
        GIT_AUTHOR_NAME="bench",
        GIT_AUTHOR_EMAIL="bench@example.invalid",
        GIT_COMMITTER_NAME="bench",
        GIT_COMMITTER_EMAIL="bench@example.invalid",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
    )
    subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-C", str(root), *args],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def generate(root: Path, count: int, seed: int, *, git: bool = False, changed: float = 10) -> None:
    """Write the backlog into ``root``; with ``git``, commit ``bench-base`` then
    ``bench-head`` (``changed`` percent of items differ) and leave head checked out."""
    root.mkdir(parents=True, exist_ok=True)
    base = make_backlog(count, seed)
    write_backlog(root, base)
    if not git:
        return
    _git(root, "-c", "init.defaultBranch=main", "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "bench: base backlog")
    _git(root, "tag", "bench-base")
    write_backlog(root, change_backlog(base, changed, seed))
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", f"bench: {changed}% of items changed")
    _git(root, "tag", "bench-head")


def generate_history(
    root: Path, count: int, seed: int, *, commits: int = 200, per_commit: int = 3
) -> str:
    """A repository of ``commits`` commits: the backlog of ``count`` items, then commits
    each re-estimating ``per_commit`` items' RICE inputs (one of them always the first
    item, so that its history has a row per commit), dates pinned a day apart. Returns
    the id of the item every commit changes (for ``tpm history``)."""
    root.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed + 2)
    items = make_backlog(count, seed)
    write_backlog(root, items)
    _git(root, "-c", "init.defaultBranch=main", "init", "-q")
    for number in range(commits):
        if number:
            chosen = {0, *rng.sample(range(count), k=per_commit - 1)}
            for index in sorted(chosen):
                items[index] = replace(
                    items[index],
                    reach=rng.choice((50, 120, 300, 800, 1200, 2500, 5000)) + rng.randint(0, 49),
                    effort=rng.choice((0.5, 1, 2, 3, 5, 8)),
                )
                (root / items[index].path).write_text(items[index].render(), encoding="utf-8")
        stamp = f"@{1_704_067_200 + number * 86_400} +0000"  # 2024-01-01, a day apart
        _git(root, "add", "-A")
        message = f"bench: history commit {number}"
        dates = {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
        _git(root, "commit", "-q", "-m", message, env=dates)
    return items[0].stem


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="folder to write (created if missing)")
    parser.add_argument("--items", type=int, default=10_000, help="number of items")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same files)")
    parser.add_argument("--git", action="store_true", help="commit bench-base and bench-head")
    parser.add_argument(
        "--changed", type=float, default=10, help="percent of items differing between commits"
    )
    args = parser.parse_args(argv)
    generate(args.root, args.items, args.seed, git=args.git, changed=args.changed)


if __name__ == "__main__":
    main()
