"""gitio against real repositories made in tmp_path."""

from __future__ import annotations

import itertools
import os
import random
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tpmcli.errors import GitError
from tpmcli.git import blobs
from tpmcli.git import plumbing as gitio
from tpmcli.git.blobs import BlobRead, blob_id_of, read_blobs, read_file_at, stream_blobs
from tpmcli.git.plumbing import TreeEntry, changed_files, git_root, list_tree, resolve_commit

# The helper's own git calls must not depend on the developer's config (signing,
# hooks, default branch); gitio itself is tested with the real environment.
_TEST_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def _git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("GIT_")}
    env.update(_TEST_ENV)
    return env


class Repo:
    """A throw-away repository built with plumbing, so any path or mode can be committed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("-c", "init.defaultBranch=main", "init", "-q")

    def git(self, *args: str, stdin: bytes | None = None) -> str:
        result = subprocess.run(
            ["git", "-c", "commit.gpgsign=false", "-C", str(self.path), *args],
            input=stdin,
            capture_output=True,
            env=_git_env(),
            check=True,
        )
        return result.stdout.decode("utf-8", errors="surrogateescape").strip()

    def hash_object(self, content: bytes) -> str:
        return self.git("hash-object", "-w", "--no-filters", "--stdin", stdin=content)

    def stage(self, mode: str, object_id: str, path: bytes | str) -> None:
        raw_path = os.fsencode(path)
        self.git(
            "update-index",
            "-z",
            "--add",
            "--index-info",
            stdin=b"%s %s\t%s\0" % (mode.encode(), object_id.encode(), raw_path),
        )

    def commit(self, files: Mapping[str, bytes], message: str = "commit") -> str:
        for path, content in files.items():
            self.stage("100644", self.hash_object(content), path)
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo")


def _paths(entries: list[TreeEntry]) -> list[str]:
    return [entry.path for entry in entries]


# -- list_tree ---------------------------------------------------------------------------


def test_list_tree_lists_nested_files_with_their_blob_ids(repo: Repo) -> None:
    files = {
        "README.md": b"readme\n",
        "backlog/a.yaml": b"title: A\n",
        "backlog/sub/deep/b.yaml": b"title: B\n",
        "backlog2/c.yaml": b"title: C\n",
        "other/x.txt": b"x\n",
    }
    commit = repo.commit(files)

    entries = list_tree(repo.path, commit)

    assert entries == [
        TreeEntry(path=path, blob_id=blob_id_of(content), mode="100644")
        for path, content in sorted(files.items())
    ]


@pytest.mark.parametrize("prefix", ["backlog", "backlog/", "./backlog"])
def test_list_tree_under_a_prefix_keeps_only_that_folder(repo: Repo, prefix: str) -> None:
    commit = repo.commit(
        {
            "backlog/a.yaml": b"a",
            "backlog/sub/b.yaml": b"b",
            "backlog2/c.yaml": b"c",
            "backlogx": b"x",
        }
    )

    assert _paths(list_tree(repo.path, commit, prefix)) == ["backlog/a.yaml", "backlog/sub/b.yaml"]


def test_list_tree_prefix_matches_whole_path_components_only(repo: Repo) -> None:
    commit = repo.commit({"backlog/a.yaml": b"a"})

    assert list_tree(repo.path, commit, "back") == []
    assert list_tree(repo.path, commit, "missing/folder") == []


def test_list_tree_keeps_executable_mode(repo: Repo) -> None:
    repo.stage("100755", repo.hash_object(b"#!/bin/sh\n"), "run.sh")
    commit = repo.commit({})

    assert list_tree(repo.path, commit) == [
        TreeEntry(path="run.sh", blob_id=blob_id_of(b"#!/bin/sh\n"), mode="100755")
    ]


@pytest.mark.parametrize("prefix", ["../outside", "/etc", "backlog/../../x"])
def test_list_tree_rejects_a_prefix_outside_the_repository(repo: Repo, prefix: str) -> None:
    commit = repo.commit({"a": b"a"})

    with pytest.raises(GitError, match="outside the repository"):
        list_tree(repo.path, commit, prefix)


def test_symlink_entry_is_skipped_and_never_followed(repo: Repo) -> None:
    # A symlink entry's blob holds the link target; tpm must not read /etc/passwd.
    repo.stage("120000", repo.hash_object(b"/etc/passwd"), "backlog/evil.yaml")
    commit = repo.commit({"backlog/good.yaml": b"title: good\n"})

    assert _paths(list_tree(repo.path, commit)) == ["backlog/good.yaml"]
    assert _paths(list_tree(repo.path, commit, "backlog")) == ["backlog/good.yaml"]
    assert read_file_at(repo.path, commit, "backlog/evil.yaml") is None


def test_symlinked_folder_is_not_traversed(repo: Repo) -> None:
    repo.stage("120000", repo.hash_object(b"/etc"), "backlog")
    commit = repo.commit({})

    assert list_tree(repo.path, commit, "backlog") == []
    assert read_file_at(repo.path, commit, "backlog/passwd") is None


def test_submodule_gitlink_entry_is_skipped(repo: Repo) -> None:
    first = repo.commit({"a.yaml": b"a"})
    repo.stage("160000", first, "sub")
    commit = repo.commit({})

    assert _paths(list_tree(repo.path, commit)) == ["a.yaml"]
    assert read_file_at(repo.path, commit, "sub") is None


def test_paths_with_spaces_unicode_and_odd_bytes(repo: Repo) -> None:
    odd = "backlog/" + os.fsdecode(b"latin1-\xe9.yaml")  # not UTF-8: surrogateescape
    files = {
        "backlog/with space.yaml": b"space",
        "backlog/ünïcødé ✓ 日本.yaml": b"unicode",
        "backlog/tab\there.yaml": b"tab",
        "backlog/new\nline.yaml": b"newline",
        "backlog/-dash.yaml": b"dash",
        odd: b"latin1",
    }
    commit = repo.commit(files)

    entries = list_tree(repo.path, commit, "backlog")

    assert sorted(_paths(entries)) == sorted(files)
    blobs = read_blobs(repo.path, [entry.blob_id for entry in entries])
    assert {entry.path: blobs[entry.blob_id] for entry in entries} == files
    for path, content in files.items():
        assert read_file_at(repo.path, commit, path) == content


# -- changed_files: list_tree of one commit from another's ---------------------------------


def _applied(entries: list[TreeEntry], changes: Mapping[str, TreeEntry | None]) -> list[TreeEntry]:
    kept = {entry.path: entry for entry in entries if entry.path not in changes}
    kept.update((path, entry) for path, entry in changes.items() if entry is not None)
    return [kept[path] for path in sorted(kept)]


def _random_tree(rng: random.Random, tree: dict[str, tuple[str, bytes]]) -> None:
    """One round of random edits to ``tree`` (path: mode and content): files added,
    changed, deleted, made executable, turned into symlinks or submodules, a file
    replaced by a folder of the same name, and back."""
    folders = ["", "backlog/", "backlog/sub/", "backlog/sub/deep/", "backlog2/", "other/"]
    names = ["a.yaml", "b.yml", "c.txt", ".hidden.yaml", "ünï cødé.yaml", "new\nline.yaml"]
    for _ in range(rng.randint(1, 8)):
        path = rng.choice(folders) + rng.choice(names)
        if rng.random() < 0.2:
            path += "/" + rng.choice(names)  # under a folder named like a file
        action = rng.choice(["add", "add", "change", "delete", "mode"])
        if action == "delete" or (action != "add" and path not in tree):
            tree.pop(path, None)
            continue
        mode = rng.choice(["100644", "100644", "100755", "120000", "160000"])
        content = f"{path} {rng.random()}".encode()
        # No file where a folder is, and no folder where a file is.
        for other in [p for p in tree if p.startswith(path + "/") or path.startswith(p + "/")]:
            del tree[other]
        tree[path] = (mode, content)


def test_changed_files_makes_one_commit_s_listing_from_another_s(repo: Repo) -> None:
    rng = random.Random(5)
    tree: dict[str, tuple[str, bytes]] = {}
    commits = []
    for _ in range(12):
        _random_tree(rng, tree)
        repo.git("read-tree", "--empty")
        for path, (mode, content) in tree.items():
            object_id = commits[0] if mode == "160000" and commits else repo.hash_object(content)
            repo.stage("100644" if mode == "160000" and not commits else mode, object_id, path)
        commits.append(repo.commit({}))
    for old, new in [*itertools.pairwise(commits), (commits[0], commits[-1])]:
        for prefix in ["", "backlog", "backlog/sub", "missing"]:
            changes = changed_files(repo.path, old, new, prefix)
            assert _applied(list_tree(repo.path, old, prefix), changes) == list_tree(
                repo.path, new, prefix
            )
            assert all(_under(path, prefix) for path in changes)


def _under(path: str, prefix: str) -> bool:
    return not prefix or path == prefix or path.startswith(f"{prefix}/")


def test_changed_files_of_a_commit_with_itself_is_nothing(repo: Repo) -> None:
    commit = repo.commit({"backlog/a.yaml": b"a"})

    assert changed_files(repo.path, commit, commit) == {}


def test_changed_files_names_each_kind_of_change(repo: Repo) -> None:
    moved = b"the same content under another name\n" * 20
    first = repo.commit(
        {"a.yaml": b"a", "b.yaml": b"b", "c.yaml": b"c", "d.yaml": b"d", "f.yaml": moved}
    )
    repo.git("update-index", "--force-remove", "a.yaml", "f.yaml")
    repo.stage("100755", blob_id_of(b"b"), "b.yaml")
    repo.stage("120000", repo.hash_object(b"/etc/passwd"), "c.yaml")
    second = repo.commit({"d.yaml": b"d2", "e.yaml": b"e", "g.yaml": moved})

    assert changed_files(repo.path, first, second) == {
        "a.yaml": None,  # deleted
        "b.yaml": TreeEntry("b.yaml", blob_id_of(b"b"), "100755"),
        "c.yaml": None,  # now a symlink: never read
        "d.yaml": TreeEntry("d.yaml", blob_id_of(b"d2"), "100644"),
        "e.yaml": TreeEntry("e.yaml", blob_id_of(b"e"), "100644"),
        "f.yaml": None,  # renamed: a deletion and an addition
        "g.yaml": TreeEntry("g.yaml", blob_id_of(moved), "100644"),
    }


def test_changed_files_refuses_a_revision_that_looks_like_an_option(repo: Repo) -> None:
    commit = repo.commit({"a.yaml": b"a"})

    with pytest.raises(GitError, match="cannot start with '-'"):
        changed_files(repo.path, "--output=/tmp/x", commit)


# -- read_blobs / blob_id_of ---------------------------------------------------------------

CONTENTS = [
    b"",
    b"no trailing newline",
    b"line\n",
    b"crlf\r\nline\r\n",
    b"nul\0in\0the\0middle\0",
    b"\n\n\n",
    bytes(range(256)) * 4,
    "ünïcødé\n".encode(),
]


def test_read_blobs_returns_exact_bytes(repo: Repo) -> None:
    ids = [repo.hash_object(content) for content in CONTENTS]

    assert read_blobs(repo.path, ids) == dict(zip(ids, CONTENTS, strict=True))


def test_read_blobs_deduplicates_and_accepts_empty_input(repo: Repo) -> None:
    blob_id = repo.hash_object(b"same")

    assert read_blobs(repo.path, [blob_id, blob_id, blob_id]) == {blob_id: b"same"}
    assert read_blobs(repo.path, []) == {}


def test_read_blobs_many_and_large_without_deadlock(repo: Repo, tmp_path: Path) -> None:
    # Far more than a pipe buffer each way: 3000 ids in, several MB out.
    contents = [f"id: item-{n}\n".encode() + b"x" * (n % 700) + b"\0\r\n" for n in range(3000)]
    contents.append(os.urandom(3 * 1024 * 1024))
    files_dir = tmp_path / "blobs"
    files_dir.mkdir()
    names = []
    for n, content in enumerate(contents):
        name = files_dir / f"{n}.bin"
        name.write_bytes(content)
        names.append(str(name))
    stdin = "\n".join(names).encode() + b"\n"
    ids = repo.git("hash-object", "-w", "--no-filters", "--stdin-paths", stdin=stdin).split()

    blobs = read_blobs(repo.path, ids)

    assert len(blobs) == len(contents)
    assert [blobs[blob_id] for blob_id in ids] == contents


def test_read_blobs_missing_object_is_a_git_error(repo: Repo) -> None:
    present = repo.hash_object(b"here")
    absent = blob_id_of(b"never written")

    with pytest.raises(GitError, match=f"object {absent} is missing") as info:
        read_blobs(repo.path, [present, absent])
    assert info.value.exit_code == 2


def test_read_blobs_rejects_a_non_blob_object(repo: Repo) -> None:
    commit = repo.commit({"a": b"a"})

    with pytest.raises(GitError, match="not a blob"):
        read_blobs(repo.path, [commit])


def test_blob_read_works_in_the_background_until_asked(repo: Repo) -> None:
    ids = [repo.hash_object(content) for content in CONTENTS]
    with BlobRead(repo.path, ids) as reading:
        assert reading.contents() == dict(zip(ids, CONTENTS, strict=True))


def test_blob_read_left_unasked_stops_its_git(repo: Repo) -> None:
    ids = [repo.hash_object(f"blob {n}\n".encode()) for n in range(50)]
    with BlobRead(repo.path, ids) as reading:
        process = reading._process
        assert process is not None
    assert process.returncode is not None  # reaped, whether it had finished or not


def test_blob_read_outside_a_repository_is_a_git_error(tmp_path: Path) -> None:
    with BlobRead(tmp_path, [blob_id_of(b"x")]) as reading, pytest.raises(GitError) as info:
        reading.contents()
    assert "not a git repository" in info.value.message


# -- stream_blobs: the same answers, each as soon as git gives it ---------------------------


def test_stream_blobs_gives_each_blob_in_the_order_asked_twice_if_asked_twice(
    repo: Repo,
) -> None:
    ids = [repo.hash_object(content) for content in CONTENTS]
    asked = [*ids, ids[2], ids[0]]

    assert list(stream_blobs(repo.path, asked)) == [
        (blob_id, dict(zip(ids, CONTENTS, strict=True))[blob_id]) for blob_id in asked
    ]
    assert list(stream_blobs(repo.path, [])) == []


def test_stream_blobs_many_and_large(repo: Repo, tmp_path: Path) -> None:
    contents = [f"id: item-{n}\n".encode() + b"x" * (n % 700) for n in range(2000)]
    contents.insert(1000, os.urandom(2 * 1024 * 1024))  # far more than the pipe holds
    folder = tmp_path / "blobs"
    folder.mkdir()
    for n, content in enumerate(contents):
        (folder / f"{n}.bin").write_bytes(content)
    stdin = "\n".join(str(folder / f"{n}.bin") for n in range(len(contents))).encode()
    ids = repo.git("hash-object", "-w", "--no-filters", "--stdin-paths", stdin=stdin).split()

    assert [data for _, data in stream_blobs(repo.path, ids)] == contents


#: A blob far over any file limit (30 MB), with small files around it.
HUGE = 30 * 1024 * 1024


@pytest.fixture
def huge_among_small(repo: Repo) -> tuple[list[str], list[bytes]]:
    contents = [b"title: before\n", b"x" * HUGE, b"title: after\n", bytes(range(256))]
    return [repo.hash_object(content) for content in contents], contents


@pytest.mark.parametrize("reader", ["read_blobs", "stream_blobs"])
def test_a_blob_over_the_limit_is_answered_by_its_size_without_being_held(
    repo: Repo, huge_among_small: tuple[list[str], list[bytes]], reader: str
) -> None:
    """Memory in --at and diff stays flat whatever a revision's blobs weigh: an
    over-limit blob is skipped (mapped, not copied; or read and dropped a buffer at a
    time from the pipe), and the files after it are still read exactly."""
    import tracemalloc

    ids, contents = huge_among_small
    limit = 1024 * 1024
    tracemalloc.start()
    try:
        if reader == "read_blobs":
            answers = read_blobs(repo.path, ids, limit)
        else:
            answers = dict(stream_blobs(repo.path, ids, limit))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert answers == {
        ids[0]: contents[0],
        ids[1]: HUGE,
        ids[2]: contents[2],
        ids[3]: contents[3],
    }
    assert peak < 2 * 1024 * 1024, peak
    # Without a limit, every blob's bytes, as before.
    assert read_blobs(repo.path, ids[:3]) == dict(zip(ids[:3], contents[:3], strict=True))


def test_stream_blobs_reads_a_skipped_blob_a_buffer_at_a_time(
    repo: Repo, huge_among_small: tuple[list[str], list[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    ids, contents = huge_among_small
    sizes: list[int] = []
    real_skip = blobs._skip

    class MeasuredReads:
        def __init__(self, answers: Any) -> None:
            self.answers = answers

        def read(self, count: int = -1) -> bytes:
            sizes.append(count)
            return self.answers.read(count)  # type: ignore[no-any-return]

    def measured_skip(answers: Any, size: int, blob_id: str) -> None:
        real_skip(MeasuredReads(answers), size, blob_id)  # type: ignore[arg-type]

    monkeypatch.setattr(blobs, "_skip", measured_skip)
    answers = list(stream_blobs(repo.path, ids, 1024 * 1024))
    assert [data for _, data in answers] == [contents[0], HUGE, contents[2], contents[3]]
    assert sizes
    assert 0 < max(sizes) <= blobs._STREAM_BUFFER
    assert sum(sizes) == HUGE + 1  # its bytes and its closing newline, nothing more


def test_stream_blobs_gives_the_first_blob_before_git_has_answered_the_rest(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [repo.hash_object(f"blob {n}\n".encode()) for n in range(3)]
    started: list[subprocess.Popen[bytes]] = []
    real_start = blobs.start_git

    def recording_start(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        started.append(real_start(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(blobs, "start_git", recording_start)
    # A git that has answered the first request only, then waits: the first blob comes.
    monkeypatch.setattr(gitio, "_GIT_PREFIX", ("sh", "-c", _ONE_ANSWER_THEN_WAIT, "sh"))
    stream = stream_blobs(repo.path, ids)
    assert next(stream) == (ids[0], b"blob 0\n")
    assert started[0].poll() is None  # still running: the rest is not answered yet
    stream.close()
    assert started[0].returncode is not None  # leaving early stopped it


#: Stands in for git (its arguments ignored): answers the first request of
#: ``cat-file --batch`` with git's own answer, then never answers the rest.
_ONE_ANSWER_THEN_WAIT = 'read id; printf "%s blob 7\\nblob 0\\n\\n" "$id"; exec sleep 10'


def test_stream_blobs_missing_object_is_a_git_error(repo: Repo) -> None:
    present = repo.hash_object(b"here")
    absent = blob_id_of(b"never written")

    stream = stream_blobs(repo.path, [present, absent])
    assert next(stream) == (present, b"here")
    with pytest.raises(GitError, match=f"object {absent} is missing"):
        next(stream)


def test_stream_blobs_rejects_a_non_blob_object(repo: Repo) -> None:
    commit = repo.commit({"a": b"a"})

    with pytest.raises(GitError, match="not a blob"):
        list(stream_blobs(repo.path, [commit]))


def test_stream_blobs_outside_a_repository_is_a_git_error(tmp_path: Path) -> None:
    with pytest.raises(GitError) as info:
        list(stream_blobs(tmp_path, [blob_id_of(b"x")]))
    assert "not a git repository" in info.value.message


@pytest.mark.parametrize("bad_id", ["HEAD", "A" * 40, "a" * 39 + "\n"])
def test_stream_blobs_rejects_anything_but_full_object_ids(repo: Repo, bad_id: str) -> None:
    with pytest.raises(ValueError, match="object id"):
        list(stream_blobs(repo.path, [bad_id]))


@pytest.mark.parametrize("bad_id", ["HEAD", "abc", "a" * 39 + "\n", "A" * 40, "HEAD:a"])
def test_read_blobs_rejects_anything_but_full_object_ids(repo: Repo, bad_id: str) -> None:
    with pytest.raises(ValueError, match="object id"):
        read_blobs(repo.path, [bad_id])


@pytest.mark.parametrize("content", CONTENTS)
def test_blob_id_of_matches_git_hash_object(repo: Repo, content: bytes) -> None:
    expected = repo.git("hash-object", "--no-filters", "--stdin", stdin=content)

    assert blob_id_of(content) == expected


# -- read_file_at ----------------------------------------------------------------------------


def test_read_file_at_reads_each_revision(repo: Repo) -> None:
    first = repo.commit({"tpm.yaml": b"framework: rice\n", "cfg/nested.yaml": b"n\r\n"})
    second = repo.commit({"tpm.yaml": b"framework: wsjf\n"})

    assert read_file_at(repo.path, first, "tpm.yaml") == b"framework: rice\n"
    assert read_file_at(repo.path, second, "tpm.yaml") == b"framework: wsjf\n"
    assert read_file_at(repo.path, second, "cfg/nested.yaml") == b"n\r\n"
    assert read_file_at(repo.path, "main", "./tpm.yaml") == b"framework: wsjf\n"


@pytest.mark.parametrize("path", ["absent.yaml", "cfg", "cfg/", "cfg/absent.yaml", "", "."])
def test_read_file_at_is_none_for_what_is_not_a_file(repo: Repo, path: str) -> None:
    commit = repo.commit({"cfg/nested.yaml": b"n"})

    assert read_file_at(repo.path, commit, path) is None


# -- resolve_commit ----------------------------------------------------------------------------


def test_resolve_commit_branch_tag_and_ancestry(repo: Repo) -> None:
    first = repo.commit({"a": b"1"})
    repo.git("branch", "feature")
    second = repo.commit({"a": b"2"})
    repo.git("tag", "light")
    third = repo.commit({"a": b"3"})
    repo.git("tag", "-a", "annotated", "-m", "an annotated tag")

    assert resolve_commit(repo.path, "HEAD") == third
    assert resolve_commit(repo.path, "main") == third
    assert resolve_commit(repo.path, "HEAD~1") == second
    assert resolve_commit(repo.path, "HEAD^^") == first
    assert resolve_commit(repo.path, "feature") == first
    assert resolve_commit(repo.path, "light") == second
    assert resolve_commit(repo.path, "annotated") == third  # peeled to the commit
    assert resolve_commit(repo.path, second[:10]) == second
    assert resolve_commit(repo.path, first) == first


@pytest.mark.parametrize("rev", ["nope", "HEAD~5", "HEAD:a", "main..feature"])
def test_resolve_commit_unknown_revision(repo: Repo, rev: str) -> None:
    repo.commit({"a": b"1"})

    with pytest.raises(GitError) as info:
        resolve_commit(repo.path, rev)
    assert info.value.message == f"unknown revision '{rev}'"
    assert info.value.exit_code == 2


def test_an_unknown_revision_suggests_close_branch_and_tag_names(repo: Repo) -> None:
    repo.commit({"a": b"1"})
    repo.git("branch", "feature/login")
    repo.git("tag", "v1.0")
    for rev, hint in [
        ("mian", " (did you mean 'main'?)"),
        ("featur/login", " (did you mean 'feature/login'?)"),
        ("v1.1", " (did you mean 'v1.0'?)"),
        ("zzzz", ""),
    ]:
        with pytest.raises(GitError) as info:
            resolve_commit(repo.path, rev)
        assert info.value.message == f"unknown revision '{rev}'{hint}"


def test_resolve_commit_in_a_repository_without_commits(repo: Repo) -> None:
    with pytest.raises(GitError, match="unknown revision 'HEAD'"):
        resolve_commit(repo.path, "HEAD")


@pytest.mark.parametrize("rev", ["--output={out}", "-h", "--git-dir=/", "--all", ""])
def test_revision_that_could_be_an_option_is_rejected(repo: Repo, tmp_path: Path, rev: str) -> None:
    commit = repo.commit({"a": b"1"})
    out = tmp_path / "created-by-git"
    rev = rev.format(out=out)

    with pytest.raises(GitError, match="invalid revision") as info:
        resolve_commit(repo.path, rev)
    assert info.value.exit_code == 2
    with pytest.raises(GitError, match="invalid revision"):
        list_tree(repo.path, rev)
    with pytest.raises(GitError, match="invalid revision"):
        read_file_at(repo.path, rev, "a")
    assert not out.exists()
    assert resolve_commit(repo.path, "HEAD") == commit


def test_shallow_clone_lacking_the_revision_hints_at_fetch_depth(
    repo: Repo, tmp_path: Path
) -> None:
    for n in range(3):
        repo.commit({"a": str(n).encode()})
    clone = tmp_path / "clone"
    repo.git("clone", "-q", "--depth", "1", repo.path.resolve().as_uri(), str(clone))

    head = resolve_commit(clone, "HEAD")
    with pytest.raises(GitError) as info:
        resolve_commit(clone, "HEAD~2")

    assert head == resolve_commit(repo.path, "HEAD")
    assert info.value.message.startswith("unknown revision 'HEAD~2'")
    assert "fetch-depth" in info.value.message
    assert info.value.exit_code == 2


def test_git_failure_is_a_git_error_with_gits_message(repo: Repo) -> None:
    repo.commit({"a": b"1"})

    with pytest.raises(GitError, match="Not a valid object name no-such-tree") as info:
        list_tree(repo.path, "no-such-tree")
    assert info.value.exit_code == 2


# -- git_root and the environment --------------------------------------------------------------


def test_git_root_from_a_subdirectory(repo: Repo) -> None:
    sub = repo.path / "backlog" / "deep"
    sub.mkdir(parents=True)

    assert git_root(sub).resolve() == repo.path.resolve()


def test_git_root_outside_a_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    inside = subprocess.run(["git", "-C", str(plain), "rev-parse"], capture_output=True)
    if inside.returncode == 0:
        pytest.skip("tmp_path is inside a git repository on this machine")

    with pytest.raises(GitError) as info:
        git_root(plain)
    assert info.value.message == f"not a git repository: {plain}"
    assert info.value.exit_code == 2


def test_git_environment_variables_do_not_redirect_git(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = repo.commit({"ours.yaml": b"ours"})
    other = Repo(tmp_path / "other")
    theirs = other.commit({"theirs.yaml": b"theirs"})
    monkeypatch.setenv("GIT_DIR", str(other.path / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other.path))
    monkeypatch.setenv("GIT_OBJECT_DIRECTORY", str(other.path / ".git" / "objects"))
    monkeypatch.setenv("GIT_CONFIG_PARAMETERS", "'core.bare'='true'")

    assert git_root(repo.path).resolve() == repo.path.resolve()
    assert resolve_commit(repo.path, "HEAD") == ours
    assert _paths(list_tree(repo.path, "HEAD")) == ["ours.yaml"]
    assert read_file_at(repo.path, "HEAD", "ours.yaml") == b"ours"
    with pytest.raises(GitError):
        resolve_commit(repo.path, theirs)


def test_hostile_repository_config_runs_nothing(repo: Repo, tmp_path: Path) -> None:
    commit = repo.commit({"a": b"a"})
    marker = tmp_path / "pwned"
    command = f"touch '{marker}'"
    for key in ("core.fsmonitor", "core.pager", "core.sshCommand"):
        repo.git("config", key, command)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for hook in ("post-checkout", "reference-transaction", "post-index-change"):
        (hooks / hook).write_text(f"#!/bin/sh\n{command}\n")
        (hooks / hook).chmod(0o755)
    repo.git("config", "core.hooksPath", str(hooks))
    # The trap is armed: an ordinary git command that reads the index springs it.
    repo.git("status")
    assert marker.exists()
    marker.unlink()

    git_root(repo.path)
    resolve_commit(repo.path, "HEAD")
    entries = list_tree(repo.path, commit)
    read_blobs(repo.path, [entry.blob_id for entry in entries])
    read_file_at(repo.path, commit, "a")

    assert not marker.exists()


def test_missing_git_executable(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blob_id = repo.hash_object(b"a")
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))

    for call in (
        lambda: git_root(repo.path),
        lambda: resolve_commit(repo.path, "HEAD"),
        lambda: list_tree(repo.path, "HEAD"),
        lambda: read_blobs(repo.path, [blob_id]),
    ):
        with pytest.raises(GitError, match="git is not installed or not on PATH") as info:
            call()
        assert info.value.exit_code == 2
