"""The parse cache gives exactly what a fresh parse gives, and nothing else."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from helpers import bench_generator
from tpmcli.backlog.assembly import Backlog
from tpmcli.backlog.read import load_backlog
from tpmcli.cache import parse_cache as itemcache
from tpmcli.cache import records as itemrecords
from tpmcli.cli.app import app
from tpmcli.load import parsing as loading
from tpmcli.model.requests import BacklogRequest

GOOD_WITHOUT_ID = (
    b"title: Same content, two names\nrice: {reach: 10, impact: 1, confidence: 50%, effort: 1}\n"
)
GOOD_WITH_ID = b"id: fixed-id\ntitle: Same id twice\nmoscow: could\n"
BROKEN = b"title: Broken\nrice:\n  reach: -3\n  impact: 7\n  confidence: 180%\n  effort: 0\n"
ERROR_FILES = {
    "errors/unknown-key.yaml": b"title: Typo\nstatsu: planned\n",
    "errors/bad-yaml.yaml": b"title: [unclosed\n",
    "errors/empty.yaml": b"# only a comment\n",
    "errors/not-utf8.yaml": b"title: caf\xe9\n",
    "errors/bad-number.yaml": b"title: x\nrice: {reach: 0b_, impact: 1, effort: 1}\n",
    "errors/bad status.yaml": b"title: Odd name\nstatus: someday\n",
    "errors/multi.yaml": (
        b"items:\n  - id: multi-ok\n    title: Fine\n    wsjf: {business_value: 8, "
        b"time_criticality: 5, risk_reduction: 3, job_size: 5}\n"
        b"  - id: multi-bad\n    title: ''\n"
    ),
    "errors/unknown-dep.yaml": b"title: Needs a ghost\ndepends_on: [no-such-item]\n",
    "twins/first.yaml": GOOD_WITHOUT_ID,
    "twins/second.yaml": GOOD_WITHOUT_ID,
    "twins/broken-a.yaml": BROKEN,
    "twins/broken-b.yaml": BROKEN,
    "twins/id-a.yaml": GOOD_WITH_ID,
    "twins/id-b.yaml": GOOD_WITH_ID,
}


@pytest.fixture
def backlog_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    generator = bench_generator()
    generator.write_backlog(tmp_path, generator.make_backlog(150, seed=7))
    for name, data in ERROR_FILES.items():
        path = tmp_path / "backlog" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def cache_files() -> list[Path]:
    return sorted(itemcache.cache_root().glob("items-*.json"))


def snapshot(backlog: Backlog) -> tuple[list[str], list[Any], list[Any]]:
    """Items and problems as comparable data: repr keeps int and float apart."""
    return (
        [repr(item) for item in backlog.items],
        [(item, {n: type(v) for n, v in item.inputs.items()}) for item in backlog.items],
        list(backlog.problems),
    )


def test_cached_results_equal_a_fresh_parse(backlog_dir: Path) -> None:
    fresh = load_backlog(BacklogRequest(use_cache=False))
    assert not cache_files()
    filling = load_backlog(BacklogRequest())
    assert len(cache_files()) == 1
    cached = load_backlog(BacklogRequest())
    assert snapshot(filling) == snapshot(fresh)
    assert snapshot(cached) == snapshot(fresh)
    # The fixture really has the cases this test is about.
    shown = {p.path for p in fresh.problems}
    assert {"backlog/twins/broken-a.yaml", "backlog/twins/broken-b.yaml"} <= shown
    ids = {item.id: item.path for item in fresh.items}
    assert ids["first"] == "backlog/twins/first.yaml"
    assert ids["second"] == "backlog/twins/second.yaml"
    assert any("duplicate id 'fixed-id'" in p.message for p in fresh.problems)
    assert any(p.path == "backlog/errors/bad status.yaml" for p in fresh.problems)


def test_a_warm_run_parses_nothing(backlog_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = load_backlog(BacklogRequest(use_cache=False))
    load_backlog(BacklogRequest())

    def no_parsing(*_args: object) -> None:
        raise AssertionError("parsed although cached")

    monkeypatch.setattr(loading, "parse_source", no_parsing)
    assert snapshot(load_backlog(BacklogRequest())) == snapshot(fresh)


def test_a_changed_file_is_parsed_again(backlog_dir: Path) -> None:
    load_backlog(BacklogRequest())
    target = backlog_dir / "backlog" / "twins" / "first.yaml"
    target.write_bytes(GOOD_WITHOUT_ID.replace(b"reach: 10", b"reach: 20"))
    fresh = load_backlog(BacklogRequest(use_cache=False))
    cached = load_backlog(BacklogRequest())
    assert snapshot(cached) == snapshot(fresh)
    first = next(item for item in cached.items if item.id == "first")
    assert first.inputs["rice"].reach == 20


def test_a_renamed_file_keeps_its_new_name(backlog_dir: Path) -> None:
    load_backlog(BacklogRequest())
    twins = backlog_dir / "backlog" / "twins"
    (twins / "first.yaml").rename(twins / "renamed.yaml")
    (twins / "broken-a.yaml").rename(twins / "broken-c.yaml")
    fresh = load_backlog(BacklogRequest(use_cache=False))
    cached = load_backlog(BacklogRequest())
    assert snapshot(cached) == snapshot(fresh)
    assert any(item.id == "renamed" for item in cached.items)
    assert any(p.path == "backlog/twins/broken-c.yaml" for p in cached.problems)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: b"\x00\xff garbage \x13" * 50, id="garbage"),
        pytest.param(lambda data: b"[1, 2, 3]", id="wrong-document"),
        pytest.param(lambda data: b'{"format": 1}' + b"]" * 10, id="trailing-junk"),
        pytest.param(lambda data: b"[" * 100_000, id="deep-nesting"),
    ],
)
def test_a_damaged_cache_file_is_ignored_and_rewritten(backlog_dir: Path, damage: Any) -> None:
    fresh = load_backlog(BacklogRequest(use_cache=False))
    load_backlog(BacklogRequest())
    (file,) = cache_files()
    file.write_bytes(damage(file.read_bytes()))
    assert snapshot(load_backlog(BacklogRequest())) == snapshot(fresh)
    json.loads(file.read_bytes())  # rewritten whole
    assert snapshot(load_backlog(BacklogRequest())) == snapshot(fresh)


def _edit_entries(file: Path, edit: Any) -> int:
    document = json.loads(file.read_bytes())
    edited = 0
    for entry in document["entries"].values():
        for record in entry[0]:
            if edit(record):
                edited += 1
    file.write_text(json.dumps(document))
    return edited


def _set(name: str, field: str, value: Any) -> Any:
    def edit(inputs: dict[str, Any]) -> bool:
        if name not in inputs:
            return False
        inputs[name][field] = value
        return True

    return edit


def _drop(name: str, field: str) -> Any:
    def edit(inputs: dict[str, Any]) -> bool:
        return inputs.get(name, {}).pop(field, None) is not None

    return edit


def _moscow(inputs: dict[str, Any]) -> bool:
    if "moscow" not in inputs:
        return False
    inputs["moscow"] = "maybe"
    return True


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(_set("rice", "reach", "lots"), id="text"),
        pytest.param(_set("rice", "effort", 0), id="zero"),
        pytest.param(_set("rice", "reach", True), id="bool"),
        pytest.param(_set("wsjf", "extra", 1), id="extra"),
        pytest.param(_drop("rice", "impact"), id="missing"),
        pytest.param(_moscow, id="enum"),
    ],
)
def test_forged_inputs_are_not_trusted(
    backlog_dir: Path, edit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = load_backlog(BacklogRequest(use_cache=False))
    load_backlog(BacklogRequest())
    (file,) = cache_files()
    assert _edit_entries(file, lambda record: edit(record[7])) > 0
    parsed = []
    real_parse = loading.parse_source

    def counting(source: loading.SourceFile, rules: Any) -> loading.ParsedFile:
        parsed.append(source.shown)
        return real_parse(source, rules)

    monkeypatch.setattr(loading, "parse_source", counting)
    assert snapshot(load_backlog(BacklogRequest())) == snapshot(fresh)
    # The damaged entries were parsed again; the others still came from the cache.
    assert parsed
    assert "backlog/errors/empty.yaml" not in parsed


@pytest.mark.parametrize(
    ("index", "value"),
    [
        pytest.param(0, "not an id!", id="id"),
        pytest.param(0, "日本\u202e語", id="id-with-a-bidi-control"),
        pytest.param(0, "\u0301日本語", id="id-starting-with-a-mark"),
        pytest.param(1, "   ", id="blank-title"),
        pytest.param(3, "someday", id="status"),
        pytest.param(5, "tags-not-a-list", id="tags"),
        pytest.param(8, "1", id="line"),
        pytest.param(12, [1], id="positions"),
    ],
)
def test_malformed_records_are_not_trusted(backlog_dir: Path, index: int, value: Any) -> None:
    fresh = load_backlog(BacklogRequest(use_cache=False))
    load_backlog(BacklogRequest())
    (file,) = cache_files()

    def edit(record: list[Any]) -> bool:
        record[index] = value
        return True

    assert _edit_entries(file, edit) > 0
    assert snapshot(load_backlog(BacklogRequest())) == snapshot(fresh)


def test_another_configuration_uses_another_cache(backlog_dir: Path) -> None:
    load_backlog(BacklogRequest())
    before = load_backlog(BacklogRequest())
    assert any("someday" in p.message for p in before.problems)
    (backlog_dir / "tpm.yaml").write_text(
        "backlog: backlog\nstatuses: [proposed, planned, in-progress, done, dropped, someday]\n"
        "scales:\n  rice:\n    impact: [0.25, 0.5, 1, 2, 3, 7]\n"
    )
    fresh = load_backlog(BacklogRequest(use_cache=False))
    cached = load_backlog(BacklogRequest())
    assert snapshot(cached) == snapshot(fresh)
    assert not any("someday" in p.message for p in cached.problems)
    assert len(cache_files()) == 2


def test_no_cache_flag_and_variable(backlog_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["check", "--no-cache"], env={"COLUMNS": "100"})
    assert result.exit_code == 1, result.output
    result = runner.invoke(app, ["rank", "--no-cache", "backlog/bench"], env={"COLUMNS": "100"})
    assert not cache_files()
    monkeypatch.setenv("TPM_NO_CACHE", "1")
    load_backlog(BacklogRequest())
    assert not cache_files()
    monkeypatch.setenv("TPM_NO_CACHE", "0")
    load_backlog(BacklogRequest())
    assert len(cache_files()) == 1


def test_entries_beyond_the_bound_are_dropped(
    backlog_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(itemcache, "MIN_KEPT_ENTRIES", 5)
    load_backlog(BacklogRequest())
    (file,) = cache_files()
    first = set(json.loads(file.read_bytes())["entries"])
    files = list((backlog_dir / "backlog").rglob("*.yaml"))
    for edit in (b"# edited\n", b"# edited again\n"):
        for path in files:
            path.write_bytes(path.read_bytes() + edit)
        load_backlog(BacklogRequest())
    kept = set(json.loads(file.read_bytes())["entries"])
    # The run's own entries and as many older ones, the most recently used first.
    assert len(kept) == 2 * len(first)
    assert not kept & first


def test_concurrent_runs_leave_a_whole_cache(backlog_dir: Path) -> None:
    env = {**os.environ, "COLUMNS": "100"}
    command = [sys.executable, "-m", "tpmcli", "check", "--format", "json"]
    runs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    outputs = [run.communicate()[0] for run in runs]
    assert all(run.returncode == 1 for run in runs)
    assert len(set(outputs)) == 1
    (file,) = cache_files()
    json.loads(file.read_bytes())
    assert not list(file.parent.glob(".items-*"))
    again = subprocess.run(command, env=env, capture_output=True, check=False)
    assert again.stdout == outputs[0]


def _forbid_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_reading(*_args: object) -> None:
        raise AssertionError("read although unchanged")

    monkeypatch.setattr(loading, "_read_file", no_reading)
    monkeypatch.setattr(loading, "_read_file_and_stat", no_reading)
    monkeypatch.setattr(loading, "parse_source", no_reading)


def test_unchanged_files_are_not_even_read(
    backlog_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Files this test writes are "racily clean" for two seconds; trust them at once.
    monkeypatch.setattr(itemcache, "RACY_SECONDS", -3600)
    fresh = load_backlog(BacklogRequest(use_cache=False))
    load_backlog(BacklogRequest())
    with monkeypatch.context() as patched:
        _forbid_reading(patched)
        assert snapshot(load_backlog(BacklogRequest())) == snapshot(fresh)
    target = backlog_dir / "backlog" / "twins" / "first.yaml"
    target.write_bytes(GOOD_WITHOUT_ID.replace(b"reach: 10", b"reach: 20"))  # same size
    changed = load_backlog(BacklogRequest())
    assert next(i for i in changed.items if i.id == "first").inputs["rice"].reach == 20
    assert snapshot(changed) == snapshot(load_backlog(BacklogRequest(use_cache=False)))
    target.unlink()
    assert snapshot(load_backlog(BacklogRequest())) == snapshot(
        load_backlog(BacklogRequest(use_cache=False))
    )


def test_a_racily_clean_file_is_read_again(
    backlog_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change within one timestamp tick keeps the stat: recent files are re-read."""
    load_backlog(BacklogRequest())
    target = backlog_dir / "backlog" / "twins" / "first.yaml"
    before = os.stat(target)
    target.write_bytes(GOOD_WITHOUT_ID.replace(b"reach: 10", b"reach: 30"))
    real_stat = os.stat
    real_path = str(target.resolve())

    def same_stat(path: Any, *args: Any, **kwargs: Any) -> Any:
        return before if path == real_path else real_stat(path, *args, **kwargs)

    monkeypatch.setattr(itemcache.os, "stat", same_stat)
    loaded = load_backlog(BacklogRequest())
    assert next(i for i in loaded.items if i.id == "first").inputs["rice"].reach == 30


def test_a_racily_clean_file_is_trusted_once_the_index_is_rewritten(
    backlog_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files changed just before a run are re-read by the next run, which rewrites the
    index once they are old enough: the run after that reads none of them."""
    fresh = load_backlog(BacklogRequest(use_cache=False))
    load_backlog(BacklogRequest())  # the files are racily clean in this index
    real_time_ns = time.time_ns
    monkeypatch.setattr(itemcache.time, "time_ns", lambda: real_time_ns() + 10**10)
    assert snapshot(load_backlog(BacklogRequest())) == snapshot(fresh)
    with monkeypatch.context() as patched:
        _forbid_reading(patched)
        assert snapshot(load_backlog(BacklogRequest())) == snapshot(fresh)


def test_a_damaged_stat_index_is_not_trusted(
    backlog_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(itemcache, "RACY_SECONDS", -3600)
    fresh = load_backlog(BacklogRequest(use_cache=False))
    load_backlog(BacklogRequest())
    (file,) = cache_files()
    document = json.loads(file.read_bytes())
    for stat in document["stats"].values():
        stat[4] = "not a blob id"
    file.write_text(json.dumps(document))
    assert snapshot(load_backlog(BacklogRequest())) == snapshot(fresh)


def test_a_changed_formula_framework_is_validated_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "backlog").mkdir()
    (tmp_path / "backlog" / "a.yaml").write_text(
        "title: A\nice: {impact: 5, confidence: 1, ease: 1}\n"
    )
    config = (
        "frameworks:\n  ice:\n    inputs:\n      impact: {{min: {low}}}\n"
        "      confidence:\n      ease:\n    formula: impact * confidence * ease\n"
    )
    (tmp_path / "tpm.yaml").write_text(config.format(low=0))
    assert not load_backlog(BacklogRequest()).problems
    assert not load_backlog(BacklogRequest()).problems
    (tmp_path / "tpm.yaml").write_text(config.format(low=10))
    fresh = load_backlog(BacklogRequest(use_cache=False))
    assert [p.message for p in fresh.problems] == ["ice.impact must be ≥ 10, not 5"]
    assert snapshot(load_backlog(BacklogRequest())) == snapshot(fresh)


def test_one_save_writes_the_cache_once_at_the_end(
    backlog_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = load_backlog(BacklogRequest(use_cache=False))
    writes: list[Path] = []
    real_write = itemcache._write_atomically

    def counting(file: Path, data: bytes) -> None:
        writes.append(file)
        real_write(file, data)

    monkeypatch.setattr(itemcache, "_write_atomically", counting)
    with itemcache.one_save():
        load_backlog(BacklogRequest())
        load_backlog(BacklogRequest(paths=(Path("backlog/twins"),)))
        assert not writes
    assert len(writes) == 2  # two scopes (backlog folders), each written once
    itemcache._OPEN.clear()
    assert snapshot(load_backlog(BacklogRequest())) == snapshot(fresh)


def _count_parsing(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    parsed: list[str] = []
    real = loading.parse_source

    def counting(source: loading.SourceFile, rules: Any) -> loading.ParsedFile:
        parsed.append(source.shown)
        return real(source, rules)

    monkeypatch.setattr(loading, "parse_source", counting)
    return parsed


def test_a_few_changed_files_leave_a_large_cache_file_as_it_was(
    backlog_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The edit loop: rewriting every entry for one changed file costs more than
    parsing that file again next time, so the cache file is left alone."""
    monkeypatch.setattr(itemcache, "RACY_SECONDS", -3600)
    load_backlog(BacklogRequest())
    (file,) = cache_files()
    written = file.read_bytes()
    target = backlog_dir / "backlog" / "twins" / "first.yaml"
    # Another size: the stat differs even within one timestamp tick.
    target.write_bytes(GOOD_WITHOUT_ID.replace(b"reach: 10", b"reach: 400"))
    for _ in range(2):  # the change is not saved: each run parses that one file again
        itemcache._OPEN.clear()  # as in a new process: the cache read from its file
        with monkeypatch.context() as patched:
            parsed = _count_parsing(patched)
            loaded = load_backlog(BacklogRequest())
        assert parsed == ["backlog/twins/first.yaml"]
        assert snapshot(loaded) == snapshot(load_backlog(BacklogRequest(use_cache=False)))
        assert next(i for i in loaded.items if i.id == "first").inputs["rice"].reach == 400
        assert file.read_bytes() == written


def test_more_changed_files_than_a_few_rewrite_the_cache(
    backlog_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(itemcache, "RACY_SECONDS", -3600)
    monkeypatch.setattr(itemcache, "SMALL_WORK_FILES", 2)
    load_backlog(BacklogRequest())
    (file,) = cache_files()
    written = file.read_bytes()
    edited = sorted((backlog_dir / "backlog").rglob("*.yaml"))[:3]
    for path in edited:
        path.write_bytes(path.read_bytes() + b"# edited\n")
    load_backlog(BacklogRequest())
    assert file.read_bytes() != written
    itemcache._OPEN.clear()
    with monkeypatch.context() as patched:
        _forbid_reading(patched)  # all saved: nothing is read or parsed again
        cached = load_backlog(BacklogRequest())
    assert snapshot(cached) == snapshot(load_backlog(BacklogRequest(use_cache=False)))


def _small_backlog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: int) -> Path:
    """``files`` item files in ``backlog/``, loaded once (the cache filled), trusted by
    their stat at once; the folder."""
    monkeypatch.setattr(itemcache, "RACY_SECONDS", -3600)
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "backlog"
    folder.mkdir()
    for number in range(files):
        (folder / f"item-{number}.yaml").write_bytes(GOOD_WITHOUT_ID)
    load_backlog(BacklogRequest())
    return folder


def test_a_small_cache_is_rewritten_for_one_changed_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Below a hundred entries the share of one file is over the fraction: saved."""
    folder = _small_backlog(tmp_path, monkeypatch, 5)
    (folder / "item-0.yaml").write_bytes(GOOD_WITHOUT_ID.replace(b"reach: 10", b"reach: 500"))
    load_backlog(BacklogRequest())
    itemcache._OPEN.clear()
    with monkeypatch.context() as patched:
        _forbid_reading(patched)
        loaded = load_backlog(BacklogRequest())
    assert next(i for i in loaded.items if i.id == "item-0").inputs["rice"].reach == 500


def test_a_small_backlog_is_saved_whatever_the_entries_of_other_revisions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The share of "a few files" is of the files loaded, not of the entries: thousands
    of entries from other revisions must not leave a small backlog's edits unsaved
    (and its snapshot unwritten) run after run."""
    folder = _small_backlog(tmp_path, monkeypatch, 10)
    (file,) = cache_files()
    # Entries of 5,000 other contents, as --at and diff over a long history leave.
    document = json.loads(file.read_bytes())
    entry = next(iter(document["entries"].values()))
    for number in range(5000):
        document["entries"][f"{number:040x}"] = entry
    file.write_text(json.dumps(document))
    itemcache._OPEN.clear()
    (folder / "item-0.yaml").write_bytes(GOOD_WITHOUT_ID.replace(b"reach: 10", b"reach: 600"))
    load_backlog(BacklogRequest())
    itemcache._OPEN.clear()
    with monkeypatch.context() as patched:
        _forbid_reading(patched)  # the edit was saved: nothing is read again
        loaded = load_backlog(BacklogRequest())
    assert next(i for i in loaded.items if i.id == "item-0").inputs["rice"].reach == 600


def test_a_cache_with_a_damaged_entry_is_rewritten_however_little_was_redone(
    backlog_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One bad entry among many is a file parsed again, few enough to leave the cache
    file as it was: but then every later run would drop it and parse that file again."""
    monkeypatch.setattr(itemcache, "RACY_SECONDS", -3600)
    load_backlog(BacklogRequest())
    (file,) = cache_files()
    damaged: list[str] = []

    def damage_one(record: list[Any]) -> bool:
        if damaged or "rice" not in record[7]:
            return False
        record[7]["rice"]["effort"] = 0
        damaged.append(record[0])
        return True

    assert _edit_entries(file, damage_one) == 1
    itemcache._OPEN.clear()
    with monkeypatch.context() as patched:
        parsed = _count_parsing(patched)
        load_backlog(BacklogRequest())
    assert len(parsed) == 1
    itemcache._OPEN.clear()
    with monkeypatch.context() as patched:
        _forbid_reading(patched)  # rewritten without the bad entry: nothing redone
        cached = load_backlog(BacklogRequest())
    assert snapshot(cached) == snapshot(load_backlog(BacklogRequest(use_cache=False)))


def test_inputs_read_as_stored_equal_their_dump_however_the_items_were_made(
    backlog_dir: Path,
) -> None:
    """``Item.inputs_for`` reads a built-in model's stored fields: the same as its
    ``model_dump()`` for models from a fresh parse, from the parse cache and from the
    parallel worker's plain data."""
    from tpmcli.load.workers import can_fork, parse_in_parallel
    from tpmcli.project.catalogue import configured_frameworks
    from tpmcli.project.config import load_config
    from tpmcli.project.validation import ItemRules

    def dumped(inputs: Any) -> dict[str, Any]:
        value = inputs.model_dump()
        return value if isinstance(value, dict) else {"category": value}

    made = {
        "fresh": load_backlog(BacklogRequest(use_cache=False)).items,
        "filling": load_backlog(BacklogRequest()).items,
    }
    itemcache._OPEN.clear()
    made["cached"] = load_backlog(BacklogRequest()).items
    if can_fork():
        config = load_config(None)
        rules = ItemRules(configured_frameworks(config), config.statuses)
        paths = sorted((backlog_dir / "backlog").rglob("*.yaml"))
        jobs = [(loading.SourceFile(str(path), path.read_bytes()), rules) for path in paths]
        parsed = parse_in_parallel(jobs, processes=2, min_files=1)
        made["worker"] = [item for result in parsed for item in result.items]
    for how, items in made.items():
        compared = 0
        for item in items:
            for name, inputs in item.inputs.items():
                given = item.inputs_for(name)
                assert given == dumped(inputs), (how, item.id, name)
                assert given is not None
                assert [type(v) for v in given.values()] == [
                    type(v) for v in dumped(inputs).values()
                ], (how, item.id, name)
                compared += 1
        assert compared > 100, how


def test_an_entry_that_cannot_be_read_back_is_not_rewritten_run_after_run(
    backlog_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Were a record written that its reading refuses (however that came about), each
    run would drop it, parse its file and rewrite the whole cache for it: what was
    dropped is not stored again."""
    monkeypatch.setattr(itemcache, "RACY_SECONDS", -3600)
    fresh = load_backlog(BacklogRequest(use_cache=False))
    load_backlog(BacklogRequest())
    (file,) = cache_files()
    real_fields = itemrecords._item_fields

    def refusing(record: tuple[Any, ...]) -> dict[str, Any] | None:
        return None if record[0] == "first" else real_fields(record)

    monkeypatch.setattr(itemrecords, "_item_fields", refusing)
    written = []
    for _ in range(3):
        itemcache._OPEN.clear()
        assert snapshot(load_backlog(BacklogRequest())) == snapshot(fresh)
        written.append(file.read_bytes())
    assert b'"first"' not in written[0]  # rewritten once, without it
    assert written[0] == written[1] == written[2]  # and then left alone
