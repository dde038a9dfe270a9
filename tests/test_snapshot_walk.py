"""The snapshot brought up to date without a second walk: only the folders whose stat
changed are listed again, no file is stat'ed twice, and whatever changed in the folders
(a subfolder new, deleted, renamed or moved, a symlink, a folder that cannot be listed,
one changed within the racy window) gives the answer ``--no-cache`` gives, from a
snapshot byte for byte the one a full run writes."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from helpers import FullPath, bench_generator
from test_snapshot import snapshot_files, tpm
from test_snapshot import warm_up as ranked_twice
from tpmcli.cache.store import RACY_SECONDS

CHAIN = {
    "chain-a.yaml": "title: Chain A\ndepends_on: [chain-b]\n"
    "rice: {reach: 500, impact: 2, confidence: 80%, effort: 1}\n",
    "chain-b.yaml": "title: Chain B\ndepends_on: [chain-c]\n"
    "rice: {reach: 400, impact: 1, confidence: 80%, effort: 2}\n",
    "chain-c.yaml": "title: Chain C\nrice: {reach: 300, impact: 1, confidence: 50%, effort: 3}\n",
}
ONE_ITEM = "title: {title}\nrice: {{reach: {reach}, impact: 2, confidence: 90%, effort: 1}}\n"
#: The clock, before a test sets it forward (see ``project``).
REAL_TIME_NS = time.time_ns


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A generated backlog of 80 items in eight folders, with a folder ``extra`` of
    three items depending on each other in a chain and a subfolder ``extra/deep`` of
    one, as the current directory; files written by the test count as older than the
    racy window."""
    generator = bench_generator()
    generator.write_backlog(tmp_path, generator.make_backlog(80, seed=5))
    extra = tmp_path / "backlog" / "extra"
    (extra / "deep").mkdir(parents=True)
    for name, text in CHAIN.items():
        (extra / name).write_text(text, encoding="utf-8")
    (extra / "deep" / "deep-item.yaml").write_text(
        ONE_ITEM.format(title="Deep", reach=250), encoding="utf-8"
    )
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(time, "time_ns", lambda: REAL_TIME_NS() + 10 * 1_000_000_000)
    return tmp_path


class FileSystemCalls:
    """The paths ``os.stat`` and ``os.scandir`` are given while ``recording``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.recording = False
        self.stats: list[str] = []
        self.listed: list[str] = []
        real_stat, real_scandir = os.stat, os.scandir

        def stat(path: Any, *args: Any, **kwargs: Any) -> Any:
            if self.recording:
                self.stats.append(os.fspath(path))
            return real_stat(path, *args, **kwargs)

        def scandir(path: Any = ".") -> Any:
            if self.recording:
                self.listed.append(os.fspath(path))
            return real_scandir(path)

        monkeypatch.setattr(os, "stat", stat)
        monkeypatch.setattr(os, "scandir", scandir)

    def item_file_stats(self, root: Path) -> list[str]:
        """The backlog's item files stat'ed, each as often as it was, by its path
        below ``root``."""
        base = os.path.realpath(root / "backlog") + os.sep
        return sorted(
            os.path.relpath(os.path.realpath(path), root)
            for path in self.stats
            if path.endswith(".yaml") and os.path.realpath(path).startswith(base)
        )

    def folders_listed(self, root: Path) -> list[str]:
        """The backlog folders listed, by their path below ``root``."""
        base = os.path.realpath(root / "backlog")
        return sorted(
            os.path.relpath(os.path.realpath(path), root)
            for path in self.listed
            if os.path.realpath(path).startswith(base)
        )


def warm_up(*args: str) -> None:
    """A cold run (everything parsed: no snapshot yet), then one that writes it."""
    ranked_twice(*args)
    assert snapshot_files()


def fast_and_fresh(full_path: FullPath, *args: str, in_place: bool = True) -> Result:
    """``tpm rank ARGS`` (answered in place, unless told otherwise), checked against
    ``--no-cache``."""
    runs = full_path.runs
    fast = tpm("rank", *args)
    assert (full_path.runs == runs) is in_place, "answered in place" if in_place else "in full"
    fresh = tpm("rank", *args, "--no-cache")
    assert (fast.exit_code, fast.stdout, fast.stderr) == (
        fresh.exit_code,
        fresh.stdout,
        fresh.stderr,
    )
    return fast


def the_full_run_writes_the_same_snapshot(full_path: FullPath, *args: str) -> None:
    """The snapshot on disk is byte for byte the one a full run writes now."""
    (file,) = snapshot_files()
    updated = file.read_bytes()
    file.unlink()
    runs = full_path.runs
    assert tpm("rank", *args).exit_code == 0
    assert full_path.runs == runs + 1
    assert file.read_bytes() == updated


def _first_item(folder: Path) -> Path:
    return sorted(folder.glob("*.yaml"))[0]


def _add(root: Path, relative: str, reach: int = 777_777) -> None:
    path = root / "backlog" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ONE_ITEM.format(title=f"Added {path.stem}", reach=reach), encoding="utf-8")


FOLDER_CHANGES: dict[str, Callable[[Path], object]] = {
    "a new subfolder with an item": lambda root: _add(root, "api/v2/new-api-item.yaml"),
    "new nested subfolders": lambda root: _add(root, "extra/deep/deeper/deepest/bottom.yaml"),
    "a new empty subfolder": lambda root: (root / "backlog" / "api" / "later").mkdir(),
    "a subfolder deleted": lambda root: shutil.rmtree(root / "backlog" / "extra" / "deep"),
    "a folder renamed": lambda root: (root / "backlog" / "extra").rename(
        root / "backlog" / "chained"
    ),
    "a folder moved into another": lambda root: (root / "backlog" / "extra" / "deep").rename(
        root / "backlog" / "api" / "deep"
    ),
    "a file renamed": lambda root: (root / "backlog" / "extra" / "deep" / "deep-item.yaml").rename(
        root / "backlog" / "extra" / "deep" / "deep-renamed.yml"
    ),
    "a file moved to another folder": lambda root: (
        root / "backlog" / "extra" / "deep" / "deep-item.yaml"
    ).rename(root / "backlog" / "api" / "deep-item.yaml"),
    "a file replaced by a folder of its name": lambda root: (
        (root / "backlog" / "extra" / "deep" / "deep-item.yaml").unlink(),
        _add(root, "extra/deep/deep-item.yaml/inside.yaml"),
    ),
    "a hidden folder and file, and a file not an item": lambda root: (
        _add(root, "api/.drafts/draft.yaml"),
        _add(root, "api/.hidden.yaml"),
        (root / "backlog" / "api" / "notes.txt").write_text("notes\n", encoding="utf-8"),
    ),
    "a link to a folder, not named like an item": lambda root: (
        root / "backlog" / "api" / "linked"
    ).symlink_to(root / "backlog" / "extra" / "deep"),
    "a file added to the backlog folder itself": lambda root: _add(root, "top.yaml"),
}


@pytest.mark.parametrize("change", list(FOLDER_CHANGES))
def test_a_folder_change_is_brought_in_place_as_a_full_run_would(
    project: Path, full_path: FullPath, change: str
) -> None:
    warm_up("--format", "json")
    before = tpm("rank", "--format", "json").stdout
    FOLDER_CHANGES[change](project)
    after = fast_and_fresh(full_path, "--format", "json").stdout
    unseen = ("a new empty subfolder", "a hidden folder and file", "a link to a folder")
    if not change.startswith(unseen):
        assert after != before
    fast_and_fresh(full_path, "--format", "json")  # from the snapshot just written
    the_full_run_writes_the_same_snapshot(full_path, "--format", "json")


def test_an_edit_in_place_lists_no_folder_and_stats_each_file_once(
    project: Path, full_path: FullPath, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stale check stats every folder and file once; the update lists no folder
    (none changed) and stats no file again (the one edited is read, its stat taken from
    the read)."""
    warm_up()
    target = project / "backlog" / "extra" / "chain-c.yaml"
    target.write_text(target.read_text(encoding="utf-8").replace("300", "3000"), encoding="utf-8")
    calls = FileSystemCalls(monkeypatch)
    calls.recording = True
    assert tpm("rank").exit_code == 0
    calls.recording = False
    assert calls.item_file_stats(project) == _item_files(project)
    assert calls.folders_listed(project) == []
    assert full_path.runs == 2
    fast_and_fresh(full_path)


def test_only_the_folder_that_changed_is_listed(
    project: Path, full_path: FullPath, monkeypatch: pytest.MonkeyPatch
) -> None:
    warm_up()
    calls = FileSystemCalls(monkeypatch)
    _add(project, "extra/added.yaml")
    calls.recording = True
    assert tpm("rank").exit_code == 0
    calls.recording = False
    assert calls.folders_listed(project) == ["backlog/extra"]
    stated = calls.item_file_stats(project)
    assert stated == [file for file in _item_files(project) if not file.endswith("added.yaml")]
    assert full_path.runs == 2
    fast_and_fresh(full_path)


def test_a_symlinked_item_file_appearing_goes_to_the_full_path(
    project: Path, full_path: FullPath
) -> None:
    """What a link leads to can change while no folder does: no snapshot holds one."""
    warm_up()
    (project / "backlog" / "api" / "shared.yaml").symlink_to(
        project / "backlog" / "extra" / "chain-c.yaml"
    )
    fast_and_fresh(full_path, "--format", "json", in_place=False)
    (project / "backlog" / "extra" / "chain-c.yaml").rename(project / "elsewhere.yaml")
    (project / "backlog" / "api" / "shared.yaml").unlink()
    (project / "backlog" / "api" / "shared.yaml").symlink_to(project / "elsewhere.yaml")
    fast_and_fresh(full_path, "--format", "json", in_place=False)


def test_a_folder_that_cannot_be_listed_is_reported_by_the_full_path(
    project: Path, full_path: FullPath, monkeypatch: pytest.MonkeyPatch
) -> None:
    warm_up()
    unlistable = os.path.realpath(project / "backlog" / "extra")
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:
        if os.path.realpath(path) == unlistable:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    _add(project, "extra/added.yaml")  # (as a change of its permissions would) it changed
    result = fast_and_fresh(full_path, in_place=False)
    assert result.exit_code == 1
    assert "cannot list folder" in result.stderr


def _item_files(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in (root / "backlog").rglob("*.yaml"))


def _folder_record(folder: Path) -> list[Any]:
    """The snapshot's record of ``folder``: its path, mtime, ctime and inode."""
    (file,) = snapshot_files()
    body = json.loads(file.read_bytes().split(b"\n")[1])
    (record,) = [entry for entry in body["folders"] if os.path.samefile(entry[0], folder)]
    return list(record)


def test_a_folder_changed_in_the_racy_window_is_listed_again_by_the_next_run(
    project: Path, full_path: FullPath, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder changed within RACY_SECONDS of a run is recorded smudged (an mtime no
    stat has), as a racily clean file is: a name added within the same timestamp tick
    would not show in its stat, so the next run lists it again."""
    warm_up()
    time.sleep(RACY_SECONDS + 0.1)  # the files written so far are no longer racily clean
    monkeypatch.setattr(time, "time_ns", REAL_TIME_NS)
    _add(project, "extra/racy.yaml")
    fast_and_fresh(full_path)
    assert _folder_record(project / "backlog" / "extra")[1] == -1, "recorded smudged"
    assert _folder_record(project / "backlog" / "api")[1] > 0
    calls = FileSystemCalls(monkeypatch)
    calls.recording = True
    assert tpm("rank").exit_code == 0
    calls.recording = False
    assert calls.folders_listed(project) == ["backlog/extra"]
    assert full_path.runs == 3


def test_a_name_added_unseen_by_the_folder_s_stat_is_found_when_it_was_racy(
    project: Path, full_path: FullPath, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worst case of the racy window: a file added to a folder that its stat does
    not show (as within one timestamp tick, on a file system that stores coarse
    times). The stale check is shown the folder's stat from before; only the
    smudged record makes the next run list it."""
    warm_up()
    time.sleep(RACY_SECONDS + 0.1)
    monkeypatch.setattr(time, "time_ns", REAL_TIME_NS)
    _add(project, "extra/first.yaml")
    fast_and_fresh(full_path)
    extra = project / "backlog" / "extra"
    before = os.stat(extra)
    real_stat = os.stat

    def stale_stat(path: Any, *args: Any, **kwargs: Any) -> Any:
        found = real_stat(path, *args, **kwargs)
        if os.path.realpath(path) == os.path.realpath(extra):
            return before  # the folder's stat, unchanged to the eye
        return found

    _add(project, "extra/second.yaml", reach=888_888)
    monkeypatch.setattr(os, "stat", stale_stat)
    result = fast_and_fresh(full_path, "--format", "json")
    assert "second" in {item["id"] for item in json.loads(result.stdout)["items"]}


@pytest.mark.parametrize(
    "paths",
    [("backlog/extra", "side"), ("side/../side", "backlog/extra")],
    ids=["two folders", "two folders, one given with .."],
)
def test_backlog_folders_given_as_arguments(
    project: Path, full_path: FullPath, paths: tuple[str, ...]
) -> None:
    for number in range(1, 13):  # enough that a full run (a few files parsed) snapshots it
        _add(project, f"../side/side-{number}.yaml", reach=number * 1000)
    warm_up(*paths, "--format", "json")
    _add(project, "extra/deep/added.yaml")
    fast_and_fresh(full_path, *paths, "--format", "json")
    _add(project, "../side/more/three.yaml", reach=888_888)
    (project / "side" / "side-1.yaml").unlink()
    fast_and_fresh(full_path, *paths, "--format", "json")
    the_full_run_writes_the_same_snapshot(full_path, *paths, "--format", "json")


def test_overlapping_backlog_folders_list_every_folder(
    project: Path, full_path: FullPath, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder given inside another: its files are found once, under the first; the
    update then lists every folder, as a full run does."""
    paths = ("backlog", "backlog/extra")
    warm_up(*paths, "--format", "json")
    _add(project, "extra/deep/added.yaml")
    calls = FileSystemCalls(monkeypatch)
    calls.recording = True
    fast_and_fresh(full_path, *paths, "--format", "json")
    calls.recording = False
    assert calls.folders_listed(project).count("backlog/api") == 2, "in place, then --no-cache"
    the_full_run_writes_the_same_snapshot(full_path, *paths, "--format", "json")


def test_the_stale_check_notes_what_it_saw_of_every_folder_and_file(project: Path) -> None:
    """What the update starts from: each folder's stat and each file's signature now,
    the files gone noted as such (their signature -1s), the folders gone as None."""
    from tpmcli.cache.snapshot_file import Stale, read_snapshot

    warm_up()
    (file,) = snapshot_files()
    key = json.loads(file.read_bytes().split(b"\n")[0])["key"]
    deep = project / "backlog" / "extra" / "deep"
    shutil.rmtree(deep)
    target = project / "backlog" / "extra" / "chain-c.yaml"
    target.write_text(target.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    with pytest.raises(Stale) as raised:
        read_snapshot(file, key)
    snapshot, seen = raised.value.snapshot, raised.value.seen
    names = [name for group in snapshot.file_names for name in group]
    gone = names.index(os.path.join("extra", "deep", "deep-item.yaml"))
    assert seen.gone == {gone}
    assert list(seen.signatures[4 * gone : 4 * gone + 4]) == [-1] * 4
    for index, name in enumerate(names):
        if index != gone:
            status = os.stat(project / "backlog" / name)
            now = (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)
            assert tuple(seen.signatures[4 * index : 4 * index + 4]) == now
    folders = snapshot.body["folders"]
    for (path, *_), now in zip(folders, seen.folders, strict=True):
        if os.path.realpath(path) == os.path.realpath(deep):
            assert now is None
        else:
            status = os.stat(path)
            assert now == (status.st_mtime_ns, status.st_ctime_ns, status.st_ino)
    assert any(now is None for now in seen.folders)
