"""``tpm diff A B``: two revisions read together, each blob read and parsed once."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest
from typer.testing import CliRunner, Result

from backlog_repo import BacklogRepo, rice_item
from tpmcli.backlog import revision as revisions
from tpmcli.backlog import revision_files as revisionread
from tpmcli.cli.app import app
from tpmcli.errors import GitError
from tpmcli.git import blobs
from tpmcli.git import plumbing as gitio
from tpmcli.load import workers as parallelparse
from tpmcli.load.parsing import ParsedFile, SourceFile
from tpmcli.model.requests import BacklogRequest
from tpmcli.project.validation import ItemRules

#: A listed item file: its entry, stem, and whether the parse cache knows it.
ListedFile = tuple[gitio.TreeEntry, str, bool]

runner = CliRunner()


def tpm(*args: str) -> Result:
    return runner.invoke(app, list(args), env={"COLUMNS": "90"})


@pytest.fixture(autouse=True)
def _cache_beside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parse cache in ``tmp_path/cache``, where tests look at its files."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def two_revisions(repo: BacklogRepo) -> BacklogRepo:
    """base: 30 items (two with the same content); head: 3 changed, 1 added, 1 deleted,
    one invalid at neither side, one moved to another name."""
    files = {f"backlog/i{n:02d}.yaml": rice_item(f"Item {n}", 10 * n + 5) for n in range(30)}
    files["backlog/twin.yaml"] = files["backlog/i07.yaml"]
    files["backlog/multi.yaml"] = (
        "items:\n  - id: m1\n    title: M1\n    moscow: must\n"
        "  - id: m2\n    title: M2\n    rice: {reach: 3, impact: 1, confidence: 50%, effort: 1}\n"
    )
    repo.commit(files, message="base")
    repo.git("tag", "base")
    files.update(
        {
            "backlog/i03.yaml": rice_item("Item 3", 999),
            "backlog/i04.yaml": rice_item("Item 4 renamed title", 45),
            "backlog/i05.yaml": rice_item("Item 5", 55, status="done"),
            "backlog/new.yaml": rice_item("New", 123),
        }
    )
    repo.write(files)
    repo.remove("backlog/i06.yaml")
    (repo.path / "backlog/i08.yaml").rename(repo.path / "backlog/moved.yaml")
    repo.commit(message="head")
    repo.git("tag", "head")
    return repo


class RecordingRead(blobs.BlobRead):
    """A BlobRead that keeps the ids each process was asked for."""

    requests: ClassVar[list[list[str]]] = []

    def __init__(self, repo: Path, blob_ids: Sequence[str], limit: int | None = None) -> None:
        super().__init__(repo, blob_ids, limit)
        RecordingRead.requests.append(self.blob_ids)


def test_each_blob_is_read_once_by_one_cat_file_per_revision(
    two_revisions: BacklogRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    RecordingRead.requests = []
    monkeypatch.setattr(revisionread, "BlobRead", RecordingRead)
    result = tpm("diff", "base", "head", "--format", "json")
    assert result.exit_code == 0, result.output
    base_request, head_request = RecordingRead.requests
    base_blobs = set(two_revisions.git("ls-tree", "-r", "--format=%(objectname)", "base").split())
    head_blobs = set(two_revisions.git("ls-tree", "-r", "--format=%(objectname)", "head").split())
    assert sorted(base_request) == sorted(base_blobs)  # the twins' content once
    assert sorted(head_request) == sorted(head_blobs - base_blobs)


def test_with_a_worker_each_blob_is_still_read_once(
    two_revisions: BacklogRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = tpm("diff", "base", "head", "--format", "json", "--no-cache")
    RecordingRead.requests = []
    monkeypatch.setattr(revisionread, "BlobRead", RecordingRead)
    monkeypatch.setattr(parallelparse, "usable_cores", lambda: 2)
    monkeypatch.setattr(parallelparse, "MIN_FILES_PER_PROCESS", 1)
    result = tpm("diff", "base", "head", "--format", "json")
    assert result.stdout == serial.stdout
    base_request, head_request = RecordingRead.requests
    base_blobs = set(two_revisions.git("ls-tree", "-r", "--format=%(objectname)", "base").split())
    head_blobs = set(two_revisions.git("ls-tree", "-r", "--format=%(objectname)", "head").split())
    # The worker read (in its own process) the rest of base's blobs; this one, its own
    # share and head's new blobs, each once.
    assert len(set(base_request)) == len(base_request)
    assert set(base_request) < base_blobs
    assert (
        len(base_request) <= len(base_blobs) * (100 - revisionread.WORKER_SHARE_PERCENT) // 100 + 2
    )
    assert sorted(head_request) == sorted(head_blobs - base_blobs)


def test_a_repeated_diff_reads_no_blob(
    two_revisions: BacklogRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = tpm("diff", "base", "head", "--format", "json")
    RecordingRead.requests = []
    monkeypatch.setattr(revisionread, "BlobRead", RecordingRead)
    again = tpm("diff", "base", "head", "--format", "json")
    assert again.stdout == first.stdout
    assert RecordingRead.requests == [[], []]


@pytest.mark.parametrize("output", ["json", "markdown", "github", "table"])
@pytest.mark.parametrize("cache", [True, False])
def test_parsing_on_several_cores_changes_nothing(
    two_revisions: BacklogRepo, monkeypatch: pytest.MonkeyPatch, output: str, cache: bool
) -> None:
    options = ["--format", output] + ([] if cache else ["--no-cache"])
    monkeypatch.setattr(parallelparse, "usable_cores", lambda: 1)
    serial = tpm("diff", "base", "head", *options)
    assert serial.exit_code == 0, serial.output
    monkeypatch.setenv("XDG_CACHE_HOME", str(two_revisions.path.parent / "cache-parallel"))
    monkeypatch.setattr(parallelparse, "usable_cores", lambda: 2)
    monkeypatch.setattr(parallelparse, "MIN_FILES_PER_PROCESS", 1)
    forks = _counted_forks(monkeypatch)
    parallel = tpm("diff", "base", "head", *options)
    assert forks, "no worker was forked"
    assert parallel.stdout == serial.stdout
    assert parallel.exit_code == 0


def test_the_cache_written_is_the_same_whether_parsed_on_one_core_or_several(
    two_revisions: BacklogRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def cache_entries() -> str:
        (written,) = (tmp_path / "cache" / "tpm").glob("items-*.json")
        text = written.read_text()
        return text[text.index('"entries"') :]

    monkeypatch.setattr(parallelparse, "usable_cores", lambda: 1)
    assert tpm("diff", "base", "head").exit_code == 0
    serial = cache_entries()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for file in (tmp_path / "cache" / "tpm").glob("items-*.json"):
        file.unlink()
    monkeypatch.setattr(parallelparse, "usable_cores", lambda: 2)
    monkeypatch.setattr(parallelparse, "MIN_FILES_PER_PROCESS", 1)
    assert tpm("diff", "base", "head").exit_code == 0
    assert cache_entries() == serial


def test_the_first_revision_s_error_is_reported_before_the_second_s(repo: BacklogRepo) -> None:
    # base: an invalid item; head: an invalid tpm.yaml. BASE's invalid items are not an
    # error (they are shown in the diff), so the error is head's config.
    repo.commit({"backlog/a.yaml": "title: A\nbogus: 1\nrice: {reach: 1}\n"})
    repo.git("tag", "base")
    repo.commit({"tpm.yaml": "framework: nonsense\n", "backlog/a.yaml": rice_item("A", 1)})
    result = tpm("diff", "base", "HEAD")
    assert result.exit_code == 2, result.output
    assert "nonsense" in result.stderr
    # The other way round: the config error of the first revision, exit 2.
    reverse = tpm("diff", "HEAD", "base")
    assert reverse.exit_code == 2, reverse.output
    assert "nonsense" in reverse.stderr


def _serial_and_parallel(
    monkeypatch: pytest.MonkeyPatch, *args: str, cores: int = 2
) -> tuple[Result, Result]:
    """``tpm diff ARGS`` on one core, then on ``cores`` with a worker for every file
    possible (each with its own cache folder, both cold)."""
    cache = Path.cwd().parent / "cache"
    with monkeypatch.context() as one_core:
        one_core.setattr(parallelparse, "usable_cores", lambda: 1)
        one_core.setenv("XDG_CACHE_HOME", str(cache / "serial"))
        serial = tpm("diff", *args)
    with monkeypatch.context() as several:
        several.setattr(parallelparse, "usable_cores", lambda: cores)
        several.setattr(revisionread, "usable_cores", lambda: cores)
        several.setattr(parallelparse, "MIN_FILES_PER_PROCESS", 1)
        several.setenv("XDG_CACHE_HOME", str(cache / "parallel"))
        parallel = tpm("diff", *args)
    return serial, parallel


def _counted_forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that gets an entry for each fork of a parse worker."""
    forks: list[int] = []
    real_fork = parallelparse.os.fork

    def counting_fork() -> int:
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(parallelparse.os, "fork", counting_fork)
    return forks


def _reads_after_listing(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The blobs of each ``read_blobs`` of revisionread (reads other than the one
    ``git cat-file`` started as each revision is listed), recorded as they happen."""
    reads: list[list[str]] = []
    real_read_blobs = revisionread.read_blobs

    def recording_read_blobs(
        root: Path, blob_ids: Sequence[str], limit: int | None = None
    ) -> dict[str, blobs.Blob]:
        reads.append(list(blob_ids))
        return real_read_blobs(root, blob_ids, limit)

    monkeypatch.setattr(revisionread, "read_blobs", recording_read_blobs)
    return reads


def _same(serial: Result, parallel: Result) -> None:
    assert (parallel.exit_code, parallel.stdout, parallel.stderr) == (
        serial.exit_code,
        serial.stdout,
        serial.stderr,
    )


def test_a_worker_that_fails_leaves_its_files_to_this_process(
    two_revisions: BacklogRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    def dying_child(*args: object) -> None:
        os._exit(3)

    monkeypatch.setattr(parallelparse, "_child", dying_child)
    serial, parallel = _serial_and_parallel(monkeypatch, "base", "head", "--format", "json")
    assert serial.exit_code == 0, serial.output
    _same(serial, parallel)


def test_files_over_the_size_limit_in_the_worker_s_share(
    repo: BacklogRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {f"backlog/i{n:02d}.yaml": rice_item(f"Item {n}", n + 1) for n in range(12)}
    files["backlog/i11.yaml"] += "description: " + "x" * 400 + "\n"
    repo.commit({**files, "tpm.yaml": "limits: {max_file_bytes: 300}\n"})
    repo.git("tag", "base")
    repo.commit({"backlog/i01.yaml": rice_item("Item 1", 99)})
    serial, parallel = _serial_and_parallel(monkeypatch, "base", "HEAD", "--format", "json")
    assert serial.exit_code == 1  # HEAD holds the too-large file too
    assert "HEAD:backlog/i11.yaml:1:1: file is" in serial.stderr
    (problem,) = json.loads(serial.stdout)["invalid_before"]
    assert (problem["path"], problem["fixed"]) == ("base:backlog/i11.yaml", False)
    _same(serial, parallel)


def test_another_config_at_head_parses_head_under_its_own_rules(
    two_revisions: BacklogRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    two_revisions.commit({"tpm.yaml": "scales:\n  rice:\n    impact: [1, 2, 3, 5]\n"})
    serial, parallel = _serial_and_parallel(monkeypatch, "base", "HEAD", "--format", "json")
    assert serial.exit_code == 0, serial.output
    assert '"scales.rice: changed"' in serial.stdout
    _same(serial, parallel)


def test_files_whose_id_is_their_name_renamed_or_copied(
    repo: BacklogRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Same content under several names: each takes its own id from its name.
    same = rice_item("Same", 5)
    files = {f"backlog/i{n:02d}.yaml": rice_item(f"Item {n}", n + 1) for n in range(12)}
    repo.commit({**files, "backlog/twin-a.yaml": same, "backlog/twin-b.yaml": same})
    repo.git("tag", "base")
    (repo.path / "backlog/i10.yaml").rename(repo.path / "backlog/renamed.yaml")
    repo.write({"backlog/copy.yaml": files["backlog/i11.yaml"]})
    repo.commit()
    late = _reads_after_listing(monkeypatch)
    serial, parallel = _serial_and_parallel(monkeypatch, "base", "HEAD", "--format", "json")
    assert serial.exit_code == 0, serial.output
    assert '"id": "renamed"' in serial.stdout
    _same(serial, parallel)
    # The worker parsed i10 and i11 at base; under their new names at HEAD they are
    # parsed again (their ids differ), so their bytes were read here then.
    renamed, copy = (
        repo.git("rev-parse", f"HEAD:backlog/{name}.yaml") for name in ("renamed", "copy")
    )
    assert [sorted(blobs) for blobs in late] == [sorted([renamed, copy])]


@pytest.mark.parametrize("cache", [[], ["--no-cache"]])
def test_rank_at_a_revision_with_a_worker(
    two_revisions: BacklogRepo, monkeypatch: pytest.MonkeyPatch, cache: list[str]
) -> None:
    with monkeypatch.context() as one_core:
        one_core.setattr(parallelparse, "usable_cores", lambda: 1)
        serial = tpm("rank", "--at", "base", "--format", "json", *cache)
    monkeypatch.setattr(parallelparse, "usable_cores", lambda: 2)
    monkeypatch.setattr(parallelparse, "MIN_FILES_PER_PROCESS", 1)
    parallel = tpm("rank", "--at", "base", "--format", "json", *cache)
    assert serial.exit_code == 0, serial.output
    assert parallel.stdout == serial.stdout


def test_files_taken_back_from_a_slow_worker_change_nothing(
    two_revisions: BacklogRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    parent = os.getpid()
    real_parse = parallelparse.parse_source

    def slow_in_the_worker(source: SourceFile, rules: ItemRules) -> ParsedFile:
        if os.getpid() != parent:
            time.sleep(0.05)
        return real_parse(source, rules)

    taken = _reads_after_listing(monkeypatch)
    log = tmp_path / "worker.log"
    _worker_log(monkeypatch, log)
    monkeypatch.setattr(parallelparse, "parse_source", slow_in_the_worker)
    monkeypatch.setattr(revisionread, "TAKE_BACK_LEAST", 1)
    serial, parallel = _serial_and_parallel(monkeypatch, "base", "head", "--format", "json")
    assert serial.exit_code == 0, serial.output
    _same(serial, parallel)
    # This process took back the end of the worker's share: read here, in halves.
    assert taken
    assert all(len(blobs) >= 1 for blobs in taken)
    assert [len(blobs) for blobs in taken] == sorted((len(b) for b in taken), reverse=True)
    # The worker took from its git only the files it began (one more at most, its
    # git's answers being read ahead of the parse that stopped).
    lines = log.read_text().splitlines()
    asked = int(lines[0].removeprefix("asked "))
    began = lines.count("blob")
    assert began <= asked - sum(len(blobs) for blobs in taken) + 1
    # And the cache holds the same entries, in the same order, as a parse in turn.
    written = {
        side: (tmp_path / "cache" / side / "tpm").glob("items-*.json")
        for side in ("serial", "parallel")
    }
    texts = [next(iter(files)).read_text() for files in written.values()]
    serial_entries, parallel_entries = (text[text.index('"entries"') :] for text in texts)
    assert parallel_entries == serial_entries


def test_each_revision_s_files_are_parsed_once_its_blobs_are_read(
    two_revisions: BacklogRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # This process, alone, parses base's files while git still reads head's new ones.
    events: list[str] = []
    real_contents = blobs.BlobRead.contents
    real_parse = revisionread.parse_source

    def collected(reading: blobs.BlobRead) -> dict[str, blobs.Blob]:
        events.append("read")
        return real_contents(reading)

    def parsed(source: SourceFile, rules: ItemRules) -> ParsedFile:
        events.append(source.shown.partition(":")[0])
        return real_parse(source, rules)

    monkeypatch.setattr(blobs.BlobRead, "contents", collected)
    monkeypatch.setattr(revisionread, "parse_source", parsed)
    monkeypatch.setattr(parallelparse, "usable_cores", lambda: 1)
    result = tpm("diff", "base", "head", "--format", "json")
    assert result.exit_code == 0, result.output
    base_blobs = set(two_revisions.git("ls-tree", "-r", "--format=%(objectname)", "base").split())
    head_blobs = set(two_revisions.git("ls-tree", "-r", "--format=%(objectname)", "head").split())
    head_only = len(head_blobs - base_blobs)
    assert head_only > 0
    assert events == ["read"] + ["base"] * len(base_blobs) + ["read"] + ["head"] * head_only


def _worker_log(monkeypatch: pytest.MonkeyPatch, log: Path) -> None:
    """Lines written, in the worker only, as its git gives it a blob ("blob"), and as it
    parses a file ("parse"), after a line with the number of blobs it asks for."""
    parent = os.getpid()
    real_stream = revisionread.stream_blobs
    real_parse = parallelparse.parse_source

    def write(line: str) -> None:
        if os.getpid() != parent:
            with log.open("a") as handle:
                handle.write(line + "\n")

    def stream(
        root: Path, blob_ids: Sequence[str], limit: int | None = None
    ) -> Iterator[tuple[str, blobs.Blob]]:
        write(f"asked {len(blob_ids)}")
        for answer in real_stream(root, blob_ids, limit):
            write("blob")
            yield answer

    def parse(source: SourceFile, rules: ItemRules) -> ParsedFile:
        write("parse")
        return real_parse(source, rules)

    monkeypatch.setattr(revisionread, "stream_blobs", stream)
    monkeypatch.setattr(parallelparse, "parse_source", parse)


def test_the_worker_parses_each_file_as_soon_as_git_gives_it(
    two_revisions: BacklogRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    log = tmp_path / "worker.log"
    _worker_log(monkeypatch, log)
    serial, parallel = _serial_and_parallel(monkeypatch, "base", "head", "--format", "json")
    assert serial.exit_code == 0, serial.output
    _same(serial, parallel)
    lines = log.read_text().splitlines()
    asked = int(lines[0].removeprefix("asked "))
    # Not every blob first, then every parse: one blob, its parse, the next blob...
    assert lines[1:] == ["blob", "parse"] * asked


def _listed_files(
    root: Path, base: str, head: str, request: BacklogRequest
) -> tuple[list[ListedFile], list[ListedFile]]:
    """head's item files listed after base, as a diff lists them, and listed alone."""
    previous = revisions._revision(request, root, base, False)
    after_base = revisions._revision(request, root, head, False, previous)
    alone = revisions._revision(request, root, head, False)
    return after_base.files, alone.files


@pytest.mark.parametrize("cache", [True, False])
def test_the_second_revision_listed_from_its_changes_is_the_same_as_listed_in_full(
    two_revisions: BacklogRepo, monkeypatch: pytest.MonkeyPatch, cache: bool
) -> None:
    root = two_revisions.path
    # Every kind of change at HEAD: a file turned into a symlink, one made executable,
    # a hidden one, one of another suffix, one in a new folder, one where a folder was.
    (root / "backlog/i09.yaml").unlink()
    (root / "backlog/i09.yaml").symlink_to("i10.yaml")
    (root / "backlog/i11.yaml").chmod(0o755)
    two_revisions.write(
        {
            "backlog/.hidden.yaml": rice_item("Hidden", 1),
            "backlog/notes.txt": "not an item\n",
            "backlog/deep/er/d.yml": rice_item("Deep", 2),
        }
    )
    (root / "backlog/new.yaml").unlink()
    two_revisions.commit({"backlog/new.yaml/inside.yaml": rice_item("Inside", 3)})
    request = BacklogRequest(use_cache=cache)
    tpm("rank", "--at", "head")  # the cache then knows head's blobs (base's new ones not)
    listings: list[str] = []
    real_list_tree = revisions.list_tree_checked

    def counted_list_tree(*args: Any) -> tuple[list[gitio.TreeEntry], bool]:
        listings.append(args[1])
        return real_list_tree(*args)

    monkeypatch.setattr(revisions, "list_tree_checked", counted_list_tree)
    for base in ["base", "head"]:
        listings.clear()
        from_changes, in_full = _listed_files(root, base, "HEAD", request)
        assert from_changes == in_full
        assert any(hit for _, _, hit in in_full) == cache
        # base in full, HEAD from its changes, then HEAD in full.
        assert len(listings) == 2


def test_another_config_at_head_lists_head_s_files_with_its_own_cache(
    two_revisions: BacklogRepo,
) -> None:
    tpm("rank", "--at", "base")  # the cache of base's config knows every base blob
    two_revisions.commit(
        {"tpm.yaml": "statuses: [proposed, planned, in-progress, done, dropped, x]\n"}
    )
    from_changes, in_full = _listed_files(two_revisions.path, "base", "HEAD", BacklogRequest())
    assert from_changes == in_full
    assert not any(hit for _, _, hit in in_full)  # HEAD's cache is another, and empty


def test_when_git_cannot_list_the_changes_the_revision_is_listed_in_full(
    two_revisions: BacklogRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def failing(*args: Any) -> dict[str, gitio.TreeEntry | None]:
        asked.append(args[2])
        raise GitError("git diff-tree failed: unknown option `no-relative'")

    monkeypatch.setattr(revisions, "changed_files", failing)
    from_changes, in_full = _listed_files(two_revisions.path, "base", "head", BacklogRequest())
    assert asked  # it was asked, failed, and the revision was listed in full instead
    assert from_changes == in_full


def _malformed_tree(repo: BacklogRepo, entries: list[tuple[str, str]]) -> str:
    """A commit whose ``backlog`` folder holds ``entries`` (name, content) as given:
    in this order, a name twice if given twice (a tree git would not make)."""
    raw = b""
    for name, content in entries:
        blob = repo.git("hash-object", "-w", "--stdin", stdin=content.encode())
        raw += b"100644 " + name.encode() + b"\0" + bytes.fromhex(blob)
    folder = repo.git("hash-object", "-w", "-t", "tree", "--literally", "--stdin", stdin=raw)
    top = repo.git("mktree", stdin=f"040000 tree {folder}\tbacklog\n".encode())
    return repo.git("commit-tree", top, "-m", "malformed")


_C = rice_item("C", 3)


@pytest.mark.parametrize(
    "entries",
    [
        [("a.yaml", rice_item("A", 1)), ("a.yaml", rice_item("B", 2)), ("c.yaml", _C)],
        [("c.yaml", _C), ("a.yaml", rice_item("A", 1))],
    ],
    ids=["a-name-twice", "out-of-order"],
)
def test_a_revision_after_a_malformed_tree_is_listed_in_full(
    repo: BacklogRepo, entries: list[tuple[str, str]]
) -> None:
    base = _malformed_tree(repo, entries)
    entries, well_formed = gitio.list_tree_checked(repo.path, base, "backlog")
    assert not well_formed
    repo.commit({"backlog/a.yaml": rice_item("A", 1), "backlog/b.yaml": rice_item("B", 2)})
    repo.commit({"backlog/c.yaml": _C})  # as at base: unchanged, were base well formed
    from_changes, in_full = _listed_files(repo.path, base, "HEAD", BacklogRequest())
    assert from_changes == in_full


def test_a_name_twice_in_the_second_revision_is_listed_in_full(repo: BacklogRepo) -> None:
    repo.commit({"backlog/a.yaml": rice_item("A", 1), "backlog/c.yaml": rice_item("C", 3)})
    head = _malformed_tree(repo, [("a.yaml", rice_item("A", 5)), ("a.yaml", rice_item("B", 2))])
    with pytest.raises(GitError, match="twice"):
        gitio.changed_files(repo.path, "HEAD", head, "backlog")
    from_changes, in_full = _listed_files(repo.path, "HEAD", head, BacklogRequest())
    assert from_changes == in_full


@pytest.mark.parametrize("cores", [3, 4])
def test_on_more_cores_the_worker_s_share_is_smaller_and_nothing_changes(
    two_revisions: BacklogRepo, monkeypatch: pytest.MonkeyPatch, cores: int
) -> None:
    forks = _counted_forks(monkeypatch)
    serial, parallel = _serial_and_parallel(
        monkeypatch, "base", "head", "--format", "json", cores=cores
    )
    assert serial.exit_code == 0, serial.output
    _same(serial, parallel)
    assert len(forks) >= 2  # the revision's worker, and more for this process's share


@pytest.mark.parametrize(
    ("revisions", "processes", "percent"),
    [(2, 2, 65), (2, 3, 43), (2, 4, 32), (1, 2, 50), (1, 4, 25)],
)
def test_the_worker_s_share_by_cores(revisions: int, processes: int, percent: int) -> None:
    reader = revisionread.RevisionReader(Path("."), revisions)
    assert reader.share_percent(processes) == percent


def test_a_blob_over_one_revision_s_limit_is_read_for_another_s_higher_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blobs over the limit are sized, not read (gitio): read for the revision with
    the lower limit, the same blob is read again for the one whose limit it fits."""
    repo = BacklogRepo(tmp_path / "repo")
    big = (
        "title: Big\n# "
        + "x" * (2 * 1024 * 1024)
        + "\nrice: {reach: 9, impact: 1, confidence: 1, effort: 1}\n"
    )
    files = {
        "backlog/a.yaml": rice_item("A", 1),
        "backlog/big.yaml": big,
        "backlog/z.yaml": rice_item("Z", 2),
    }
    repo.commit(files)
    repo.git("tag", "low")
    repo.commit({"tpm.yaml": "limits: {max_file_bytes: 4194304}\n"})
    repo.git("tag", "high")
    monkeypatch.chdir(repo.path)
    size = len(big)
    low = tpm("rank", "--at", "low", "--format", "json", "--no-cache")
    assert low.exit_code == 1
    assert (
        f"low:backlog/big.yaml:1:1: file is {size} bytes, over the limit of 1048576" in low.output
    )
    high = tpm("rank", "--at", "high", "--format", "json")
    assert high.exit_code == 0, high.output
    assert [item["id"] for item in json.loads(high.stdout)["items"]] == ["big", "z", "a"]
    both = tpm("diff", "low", "high", "--format", "json")
    assert both.exit_code == 0  # BASE's problem shown, not fatal
    (problem,) = json.loads(both.stdout)["invalid_before"]
    assert (problem["path"], problem["fixed"]) == ("low:backlog/big.yaml", True)
    assert problem["message"].startswith(f"file is {size} bytes")
    reversed_ = tpm("diff", "high", "low", "--format", "json")
    assert reversed_.exit_code == 1
    assert f"low:backlog/big.yaml:1:1: file is {size} bytes" in reversed_.output
