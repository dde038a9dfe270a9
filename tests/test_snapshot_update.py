"""The snapshot brought up to date in place after a few item files changed: the run
that does it answers as ``--no-cache`` does, for ranges, owners, the roadmap settings
and ``tpm check``, and writes the very snapshot a full run would write."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from helpers import FullPath, bench_generator, settle_files
from tpmcli.files.locations import cache_root

RANGED = """\
title: Ranged estimate
owner: erin
tags: [billing]
rice:
  reach: {low: 100, high: 900}
  impact: 2
  confidence: 80%
  effort: {low: 1, likely: 2, high: 5}
wsjf:
  business_value: {low: 2, high: 8}
  time_criticality: 3
  risk_reduction: 1
  job_size: 5
"""
ROADMAP = "roadmap:\n  capacity: [12, 20]\n  effort: rice.effort\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A generated backlog of 80 items (owners, tags, statuses, every framework), one
    item with ranged inputs, ``roadmap:`` settings in tpm.yaml, as the current
    directory; files written by the test count as older than the racy window."""
    generator = bench_generator()
    generator.write_backlog(tmp_path, generator.make_backlog(80, seed=5))
    (tmp_path / "backlog" / "billing" / "ranged.yaml").write_text(RANGED, encoding="utf-8")
    with (tmp_path / "tpm.yaml").open("a", encoding="utf-8") as config:
        config.write(ROADMAP)
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    settle_files(monkeypatch)
    return tmp_path


def tpm(*args: str) -> Result:
    environment = {"COLUMNS": "100", "LINES": "50", "NO_COLOR": "1"}
    return CliRunner().invoke(app(), list(args), env=environment, catch_exceptions=False)


def app() -> Any:
    from tpmcli.cli.app import app as typer_app

    return typer_app


def snapshot_files() -> list[Path]:
    return sorted(cache_root().glob("snapshot-*.json"))


def warm_up(*args: str, command: str = "rank") -> None:
    """A cold run, then one that writes the snapshot (see test_snapshot)."""
    for _ in range(2):
        assert tpm(command, *args).exit_code in (0, 1)
    assert snapshot_files()


def fast_and_fresh(full_path: FullPath, *args: str) -> Result:
    """``tpm ARGS`` answered without the full path, checked against ``--no-cache``."""
    runs = full_path.runs
    fast = tpm(*args)
    assert full_path.runs == runs, f"tpm {' '.join(args)}: answered in place"
    fresh = tpm(*args, "--no-cache")
    assert (fast.exit_code, fast.stdout, fast.stderr) == (
        fresh.exit_code,
        fresh.stdout,
        fresh.stderr,
    )
    return fast


def _replace(path: Path, old: str, new: str, *, keep_mtime: bool = False) -> None:
    """``old`` replaced by ``new`` in ``path``; ``keep_mtime``: with its mtime set back
    (only the content, and the size when it differs, tell)."""
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    if keep_mtime:
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def _ranged(root: Path) -> Path:
    return root / "backlog" / "billing" / "ranged.yaml"


def _owned_by(root: Path, owner: str) -> Path:
    """The first file of a ranked item (scored by RICE, not done or dropped) of ``owner``."""
    return next(
        path
        for path in sorted((root / "backlog").rglob("*.yaml"))
        if f"\nowner: {owner}\n" in (text := path.read_text(encoding="utf-8"))
        and "\nrice:" in text
        and not any(f"status: {status}" in text for status in ("done", "dropped"))
    )


EDITS = {
    "a range's bound": lambda root: _replace(_ranged(root), "likely: 2", "likely: 4"),
    "a range of the same size, mtime set back": lambda root: _replace(
        _ranged(root), "high: 900", "high: 700", keep_mtime=True
    ),
    "a number made a range": lambda root: _replace(
        _ranged(root), "impact: 2", "impact: {low: 1, high: 3}"
    ),
    "an owner": lambda root: _replace(_owned_by(root, "dana"), "owner: dana", "owner: zoe"),
    "an owner, same size, mtime set back": lambda root: _replace(
        _owned_by(root, "chen"), "owner: chen", "owner: alex", keep_mtime=True
    ),
    "a new ranged item": lambda root: (root / "backlog" / "api" / "new-ranged.yaml").write_text(
        RANGED.replace("owner: erin", "owner: yuki"), encoding="utf-8"
    ),
    "a deleted item": lambda root: _owned_by(root, "alice").unlink(),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_update_in_place_writes_the_snapshot_a_full_run_writes(
    project: Path, full_path: FullPath, edit: str
) -> None:
    """Ranges, owners and the roadmap settings are kept as a full run keeps them: the
    snapshot updated in place is byte for byte the one a full run writes."""
    warm_up("--format", "json")
    EDITS[edit](project)
    fast_and_fresh(full_path, "rank", "--format", "json")
    (file,) = snapshot_files()
    updated = file.read_bytes()
    file.unlink()
    runs = full_path.runs
    assert tpm("rank", "--format", "json").exit_code == 0
    assert full_path.runs == runs + 1
    assert file.read_bytes() == updated


@pytest.mark.parametrize(
    "edit", ["a range's bound", "a range of the same size, mtime set back", "a number made a range"]
)
def test_a_ranged_item_edited_ranks_as_no_cache_does(
    project: Path, full_path: FullPath, edit: str
) -> None:
    warm_up("--format", "json")
    before = json.loads(tpm("rank", "--format", "json").stdout)
    EDITS[edit](project)
    after = json.loads(fast_and_fresh(full_path, "rank", "--format", "json").stdout)
    assert after != before
    (ranged,) = [item for item in after["items"] if item["id"] == "ranged"]
    assert "ranges" in ranged, "the ranges come back from the snapshot"
    fast_and_fresh(full_path, "rank")
    fast_and_fresh(full_path, "rank", "--by", "wsjf,rice", "--format", "csv")


@pytest.mark.parametrize("edit", ["an owner", "an owner, same size, mtime set back"])
def test_an_owner_changed_filters_as_no_cache_does(
    project: Path, full_path: FullPath, edit: str
) -> None:
    warm_up("--owner", "dana")
    EDITS[edit](project)
    new, old = ("zoe", "dana") if edit == "an owner" else ("alex", "chen")
    found = fast_and_fresh(full_path, "rank", "--owner", new, "--format", "json")
    assert [item["owner"] for item in json.loads(found.stdout)["items"]] == [new]
    fast_and_fresh(full_path, "rank", "--owner", old, "--format", "json")
    fast_and_fresh(full_path, "rank", "--owner", new, "--owner", "erin")
    fast_and_fresh(full_path, "rank", "--owner", "nobody-here")
    fast_and_fresh(full_path, "rank")


@pytest.mark.parametrize("edit", ["a range's bound", "an owner", "a new ranged item"])
@pytest.mark.parametrize(
    "args",
    [
        ("roadmap",),
        ("roadmap", "--capacity", "30,25", "--format", "json"),
        ("roadmap", "--capacity", "8", "--tag", "billing"),
        ("rank", "--capacity", "30", "--format", "json"),
        ("rank", "--capacity", "9,40"),
    ],
    ids=lambda args: " ".join(args),
)
def test_a_roadmap_after_an_edit_is_planned_as_no_cache_plans_it(
    project: Path, full_path: FullPath, edit: str, args: tuple[str, ...]
) -> None:
    warm_up()
    assert tpm(*args).exit_code == 0  # the command's own snapshot key, written now
    EDITS[edit](project)
    fast_and_fresh(full_path, *args)
    if args == ("roadmap",):
        # tpm.yaml's roadmap settings, kept by the snapshot written in place.
        assert "now" in tpm(*args).stdout


@pytest.mark.parametrize("edit", ["a range's bound", "an owner", "a deleted item"])
@pytest.mark.parametrize("args", [(), ("--require", "wsjf"), ("--require", "moscow")])
def test_tpm_check_after_an_edit_is_the_full_check(
    project: Path, full_path: FullPath, edit: str, args: tuple[str, ...]
) -> None:
    warm_up(*args, command="check")
    EDITS[edit](project)
    fast_and_fresh(full_path, "check", *args)


def test_tpm_check_sees_inputs_removed_by_an_edit(project: Path, full_path: FullPath) -> None:
    warm_up("--require", "wsjf", command="check")
    assert tpm("check", "--require", "wsjf").exit_code == 0
    text = _ranged(project).read_text(encoding="utf-8")
    _ranged(project).write_text(text[: text.index("wsjf:")], encoding="utf-8")
    result = fast_and_fresh(full_path, "check", "--require", "wsjf")
    assert result.exit_code == 1
    assert "ranged.yaml" in result.stdout + result.stderr


class Decoded:
    """Counts the item lines a run decodes from the snapshot."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from tpmcli.cache import snapshot, snapshot_file

        self.count = 0
        real = snapshot_file.snapshot_item

        def counting(*args: Any) -> Any:
            self.count += 1
            return real(*args)

        monkeypatch.setattr(snapshot, "snapshot_item", counting)


@pytest.mark.parametrize(
    ("args", "most"),
    [
        (("roadmap", "--capacity", "6,6"), 3 * 50),
        (("rank", "--capacity", "6", "--limit", "5"), 5),
    ],
)
def test_a_warm_roadmap_decodes_only_the_items_it_shows(
    project: Path,
    full_path: FullPath,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    most: int,
) -> None:
    warm_up()
    ranked = len(json.loads(tpm("rank", "--format", "json").stdout)["items"])
    assert ranked > most or args[0] == "roadmap"
    decoded = Decoded(monkeypatch)
    result = fast_and_fresh(full_path, *args)
    count = decoded.count
    assert result.exit_code == 0
    later = json.loads(tpm("roadmap", "--capacity", "6,6", "--format", "json").stdout)
    shown = sum(min(len(lane["items"]), 50) for lane in later["lanes"])
    unscored = len(json.loads(tpm("rank", "--format", "json").stdout)["unscored"])
    assert count <= (shown if args[0] == "roadmap" else most) + unscored
    assert count < ranked


@pytest.mark.parametrize(
    "args",
    [
        ("roadmap", "--effort", "wsjf.job_size", "--capacity", "20"),
        ("roadmap", "--format", "markdown"),
        ("roadmap", "--capacity", "3", "--fail-on", "must-share"),
        ("roadmap", "--status", "done", "--capacity", "10"),
        ("rank", "--capacity", "15", "--tag", "billing", "--format", "csv"),
    ],
    ids=lambda args: " ".join(args),
)
def test_a_warm_roadmap_is_the_fresh_one(
    project: Path, full_path: FullPath, args: tuple[str, ...]
) -> None:
    warm_up()
    assert tpm(*args).exit_code in (0, 1)
    fast_and_fresh(full_path, *args)
    # A MoSCoW category changed: the shares and the Must warning follow.
    _replace(_ranged(project), "wsjf:", "moscow: must\nwsjf:")
    fast_and_fresh(full_path, *args)
    # An effort changed.
    _replace(_ranged(project), "likely: 2", "likely: 3")
    fast_and_fresh(full_path, *args)


def test_tpm_yaml_s_effort_field_changed_is_planned_afresh(
    project: Path, full_path: FullPath
) -> None:
    warm_up()
    before = tpm("roadmap", "--format", "json").stdout
    config = project / "tpm.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("effort: rice.effort", "effort: wsjf.job_size"),
        encoding="utf-8",
    )
    after = tpm("roadmap", "--format", "json")
    assert after.stdout == tpm("roadmap", "--format", "json", "--no-cache").stdout
    assert json.loads(after.stdout)["effort_field"] == "wsjf.job_size"
    assert after.stdout != before


#: How each edit is brought in place: its files plainly valid, with the configuration
#: the snapshot recorded ("plain"), or read and validated with tpm.yaml ("tpm.yaml").
ROUTES = {
    "an owner": "plain",
    "an owner, same size, mtime set back": "plain",
    "a deleted item": "plain",
    "a range's bound": "tpm.yaml",
    "a number made a range": "tpm.yaml",
    "a new ranged item": "tpm.yaml",
}


@pytest.fixture
def tpm_yaml_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the updates that read and validated tpm.yaml (``config_setup``)."""
    from tpmcli.cache import snapshot_update

    calls: list[int] = []
    real = snapshot_update.config_setup

    def counting(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(snapshot_update, "config_setup", counting)
    return calls


@pytest.mark.parametrize("edit", list(ROUTES))
def test_a_plainly_valid_edit_is_brought_in_place_without_tpm_yaml(
    project: Path, full_path: FullPath, tpm_yaml_read: list[int], edit: str
) -> None:
    """A plainly valid file is taken without pydantic, tpm.yaml as the snapshot
    recorded it; a range sends the update the other way: both answer as --no-cache
    does (and write the snapshot a full run writes: above)."""
    warm_up("--format", "json")
    EDITS[edit](project)
    fast_and_fresh(full_path, "rank", "--format", "json")
    assert len(tpm_yaml_read) == (ROUTES[edit] == "tpm.yaml")


def test_scales_from_tpm_yaml_hold_for_a_plain_edit(
    project: Path, full_path: FullPath, tpm_yaml_read: list[int]
) -> None:
    """tpm.yaml's scales, as the snapshot recorded them, decide what is plainly valid:
    an input on them is taken in place, one off them goes to the full path, which says
    what is wrong."""
    with (project / "tpm.yaml").open("a", encoding="utf-8") as config:
        config.write("scales:\n  rice:\n    impact: [3, 2, 1, 0.5, 0.25, 4]\n")
    warm_up("--format", "json")
    path = _owned_by(project, "dana")
    text = path.read_text(encoding="utf-8")
    impact = next(line for line in text.splitlines() if line.startswith("  impact: "))
    path.write_text(text.replace(impact, "  impact: 4"), encoding="utf-8")
    fast_and_fresh(full_path, "rank", "--format", "json")
    assert tpm_yaml_read == []
    path.write_text(text.replace(impact, "  impact: 5"), encoding="utf-8")
    runs = full_path.runs
    found, fresh = tpm("rank", "--format", "json"), tpm("rank", "--format", "json", "--no-cache")
    assert full_path.runs == runs + 2
    assert found.exit_code == fresh.exit_code == 1
    assert (found.stdout, found.stderr) == (fresh.stdout, fresh.stderr)
    assert "rice.impact must be one of 3, 2, 1, 0.5, 0.25 or 4, not 5" in found.stderr


def test_a_framework_from_tpm_yaml_reads_tpm_yaml_for_every_edit(
    project: Path, full_path: FullPath, tpm_yaml_read: list[int]
) -> None:
    """A formula framework is not validated plainly: the snapshot records no
    configuration to take, and the update reads tpm.yaml."""
    with (project / "tpm.yaml").open("a", encoding="utf-8") as config:
        config.write(
            "frameworks:\n  value:\n    formula: gain / cost\n"
            "    inputs:\n      gain: {min: 0}\n      cost: {min: 1}\n"
        )
    warm_up("--format", "json")
    EDITS["an owner"](project)
    fast_and_fresh(full_path, "rank", "--format", "json")
    assert tpm_yaml_read == [1]


RATED = """\
title: Rated
rice: {impact: 1, confidence: 1, effort: 1}
ratings:
  ann: {rice: {reach: 1}}
  bo: {rice: {reach: 2}}
  cy: {rice: {reach: 900}}
"""


def test_raters_edited_are_aggregated_as_tpm_yaml_says(project: Path, full_path: FullPath) -> None:
    """tpm.yaml's ``ratings.aggregate`` holds for an item edited: the median of 1, 2
    and 900 is 2 (their mean, 301, is what an update once took)."""
    with (project / "tpm.yaml").open("a", encoding="utf-8") as config:
        config.write("ratings:\n  aggregate: median\n")
    rated = project / "backlog" / "api" / "rated.yaml"
    rated.write_text(RATED, encoding="utf-8")
    warm_up("--format", "json")
    rated.write_text(RATED.replace("Rated", "Rated again"), encoding="utf-8")
    found = json.loads(fast_and_fresh(full_path, "rank", "--format", "json").stdout)
    (item,) = [item for item in found["items"] if item["id"] == "rated"]
    assert item["inputs"]["reach"] == 2
