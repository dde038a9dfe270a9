"""``tpm rank --at REV``: the backlog read from git objects, against real repositories."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from backlog_repo import BacklogRepo, rice_item
from tpmcli.backlog.revision import item_entries, load_backlog_at
from tpmcli.cli.app import app
from tpmcli.git.plumbing import TreeEntry
from tpmcli.load.item_files import item_stem
from tpmcli.model.requests import BacklogRequest

runner = CliRunner()


def ranked_ids(*args: str) -> list[str]:
    result = runner.invoke(app, ["rank", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return [entry["id"] for entry in json.loads(result.stdout)["items"]]


def test_rank_at_reads_the_revision_not_the_working_tree(repo: BacklogRepo) -> None:
    repo.commit({"backlog/a.yaml": rice_item("A", 100), "backlog/b.yaml": rice_item("B", 200)})
    repo.git("tag", "v1")
    repo.commit({"backlog/a.yaml": rice_item("A", 300)})
    repo.write({"backlog/c.yaml": rice_item("C", 999)})  # uncommitted: only in the tree
    assert ranked_ids("--at", "v1") == ["b", "a"]
    assert ranked_ids("--at", "HEAD") == ["a", "b"]
    assert ranked_ids() == ["c", "a", "b"]


def test_rank_at_matches_rank_in_a_checkout_of_the_same_commit(
    repo: BacklogRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(Path(__file__).resolve().parents[1] / "examples", repo.path / "product")
    repo.commit()
    monkeypatch.chdir(repo.path / "product")
    for framework in ("rice", "wsjf", "moscow"):
        at = runner.invoke(app, ["rank", "--at", "HEAD", "-f", framework, "--format", "json"])
        here = runner.invoke(app, ["rank", "-f", framework, "--format", "json"])
        assert at.exit_code == here.exit_code == 0, at.output + here.output
        from_git = json.loads(at.stdout.replace('"HEAD:product/', '"'))
        assert from_git == json.loads(here.stdout)
        assert len(from_git["items"]) > 10


def test_rank_at_json_names_the_revision_in_paths(repo: BacklogRepo) -> None:
    repo.commit({"backlog/a.yaml": rice_item("A", 100)})
    result = runner.invoke(app, ["rank", "--at", "main", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["items"][0]["path"] == "main:backlog/a.yaml"


def test_renames_and_deletions_across_commits(repo: BacklogRepo) -> None:
    repo.commit(
        {
            "backlog/a.yaml": rice_item("A", 100, id="alpha"),
            "backlog/b.yaml": rice_item("B", 200),
            "backlog/c.yaml": rice_item("C", 300),
        }
    )
    (repo.path / "backlog" / "sub").mkdir()
    repo.git("mv", "backlog/a.yaml", "backlog/sub/renamed.yaml")  # explicit id: same item
    repo.git("mv", "backlog/b.yaml", "backlog/bee.yaml")  # id from the stem: a new id
    repo.git("rm", "-q", "backlog/c.yaml")
    repo.commit()
    assert ranked_ids("--at", "HEAD~1") == ["c", "b", "alpha"]
    assert ranked_ids("--at", "HEAD") == ["bee", "alpha"]


def test_symlinks_hidden_files_and_other_suffixes_are_skipped(
    repo: BacklogRepo, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(rice_item("Secret from outside the repository", 5000))
    repo.write(
        {
            "backlog/a.yaml": rice_item("A", 100),
            "backlog/b.yml": rice_item("B", 50),
            "backlog/.hidden.yaml": rice_item("Hidden", 900),
            "backlog/.drafts/d.yaml": rice_item("Draft", 900),
            "backlog/notes.txt": "not an item",
        }
    )
    (repo.path / "backlog" / "link.yaml").symlink_to(outside)
    repo.commit()
    assert repo.git("ls-files", "-s", "backlog/link.yaml").startswith("120000")
    assert ranked_ids("--at", "HEAD") == ["a", "b"]


def test_config_is_read_at_the_revision(repo: BacklogRepo) -> None:
    repo.commit({"tpm.yaml": "backlog: old\n", "old/a.yaml": rice_item("A", 100)})
    repo.commit({"tpm.yaml": "backlog: new\n", "new/b.yaml": rice_item("B", 100)})
    assert ranked_ids("--at", "HEAD~1") == ["a"]
    assert ranked_ids("--at", "HEAD") == ["b"]


def test_config_found_from_a_subfolder(repo: BacklogRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.commit(
        {
            "product/tpm.yaml": "backlog: items\nframework: wsjf\n",
            "product/items/a.yaml": "title: A\nwsjf: {business_value: 8, time_criticality: 1,"
            " risk_reduction: 1, job_size: 2}\n",
        }
    )
    monkeypatch.chdir(repo.path / "product" / "items")
    result = runner.invoke(app, ["rank", "--at", "HEAD", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["framework"] == "wsjf"
    assert [item["path"] for item in document["items"]] == ["HEAD:product/items/a.yaml"]


def test_path_arguments_are_relative_to_the_current_directory(repo: BacklogRepo) -> None:
    repo.commit({"backlog/a.yaml": rice_item("A", 100), "other/b.yaml": rice_item("B", 100)})
    assert ranked_ids("--at", "HEAD", "other") == ["b"]
    assert ranked_ids("--at", "HEAD", "backlog/a.yaml", "other") == ["a", "b"]


def test_items_at_the_repository_root_take_their_id_from_the_file_name(
    repo: BacklogRepo,
) -> None:
    repo.commit({"a.yaml": rice_item("A", 100), "sub/b.yaml": rice_item("B", 200)})
    assert ranked_ids("--at", "HEAD", ".") == ["b", "a"]


def test_path_missing_at_the_revision_is_a_usage_error(repo: BacklogRepo) -> None:
    repo.commit({"backlog/a.yaml": rice_item("A", 100)})
    result = runner.invoke(app, ["rank", "--at", "HEAD", "nowhere"])
    assert result.exit_code == 2
    assert result.stderr == "tpm: no such file or directory at HEAD: nowhere\n"


def test_invalid_item_at_a_revision_names_revision_and_path(repo: BacklogRepo) -> None:
    broken = rice_item("A", 100).replace("reach: 100", "reach: lots")
    repo.commit({"backlog/a.yaml": broken})
    repo.commit({"backlog/a.yaml": rice_item("A", 100)})
    result = runner.invoke(app, ["rank", "--at", "HEAD~1"])
    assert result.exit_code == 1
    assert result.stderr == (
        "tpm: 1 problem in the backlog; items that do not validate are left out of the ranking:\n"
        "HEAD~1:backlog/a.yaml:3:10: rice.reach must be a number, not the text 'lots'\n"
    )


def test_invalid_config_at_a_revision_names_revision_and_path(repo: BacklogRepo) -> None:
    repo.commit({"tpm.yaml": "framwork: rice\n", "backlog/a.yaml": rice_item("A", 1)})
    repo.commit({"tpm.yaml": "framework: rice\n"})
    result = runner.invoke(app, ["rank", "--at", "HEAD~1"])
    assert result.exit_code == 2
    assert result.stderr.startswith("HEAD~1:tpm.yaml:1:1: ")


def test_file_over_the_size_limit_at_a_revision(repo: BacklogRepo) -> None:
    repo.commit(
        {
            "tpm.yaml": "limits: {max_file_bytes: 100}\n",
            "backlog/a.yaml": rice_item("A", 1) + "#" * 200 + "\n",
        }
    )
    result = runner.invoke(app, ["rank", "--at", "HEAD"])
    assert result.exit_code == 1
    assert "HEAD:backlog/a.yaml:1:1: file is" in result.stderr


@pytest.mark.parametrize(
    ("rev", "message"),
    [
        ("nope", "tpm: unknown revision 'nope'\n"),
        ("--output=x", "tpm: invalid revision '--output=x': a revision cannot start with '-'\n"),
    ],
)
def test_bad_revisions_exit_2(repo: BacklogRepo, rev: str, message: str) -> None:
    repo.commit({"backlog/a.yaml": rice_item("A", 1)})
    result = runner.invoke(app, ["rank", f"--at={rev}"])
    assert result.exit_code == 2
    assert result.stderr == message


def test_not_a_git_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    monkeypatch.chdir(plain)
    result = runner.invoke(app, ["rank", "--at", "HEAD"])
    assert result.exit_code == 2
    assert result.stderr.startswith("tpm: not a git repository: ")


def test_git_missing(repo: BacklogRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.commit({"backlog/a.yaml": rice_item("A", 1)})
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = runner.invoke(app, ["rank", "--at", "HEAD"])
    assert result.exit_code == 2
    assert result.stderr == "tpm: git is not installed or not on PATH\n"


def test_shallow_clone_lacking_the_revision(
    repo: BacklogRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.commit({"backlog/a.yaml": rice_item("A", 1)})
    repo.commit({"backlog/a.yaml": rice_item("A", 2)})
    clone = tmp_path / "clone"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone)],
        check=True,
        env=env,
    )
    monkeypatch.chdir(clone)
    result = runner.invoke(app, ["rank", "--at", "HEAD~1"])
    assert result.exit_code == 2
    assert "unknown revision 'HEAD~1'" in result.stderr
    assert "fetch-depth: 0" in result.stderr


def test_load_backlog_at_returns_problems_instead_of_raising(repo: BacklogRepo) -> None:
    repo.commit({"backlog/a.yaml": "title: A\nbogus: 1\n", "backlog/b.yaml": rice_item("B", 1)})
    backlog = load_backlog_at(BacklogRequest(), "HEAD")
    assert [item.id for item in backlog.items] == ["b"]
    assert [str(p) for p in backlog.problems] == ["HEAD:backlog/a.yaml:2:1: unknown key 'bogus'"]
    assert backlog.files == 2


def test_item_entries_filters_by_prefix_suffix_and_hidden_parts() -> None:
    def entry(path: str) -> TreeEntry:
        return TreeEntry(path, "0" * 40, "100644")

    entries = [
        entry(path)
        for path in (
            "backlog/a.yaml",
            "backlog/b.yml",
            "backlog/c.json",
            "backlog/.x/d.yaml",
            "backlog/e/.f.yaml",
            "backlog2/g.yaml",
            "docs/readme.md",
        )
    ]
    assert [e.path for e in item_entries(entries, ["backlog"])] == [
        "backlog/a.yaml",
        "backlog/b.yml",
    ]
    # A file named as a PATH is taken as given, whatever its suffix.
    assert [e.path for e in item_entries(entries, ["docs/readme.md", "backlog2"])] == [
        "backlog2/g.yaml",
        "docs/readme.md",
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["backlog", "b", ".h", ".", "", "x.yaml", ".y.yml", "z.yml", "c"])),
    st.sampled_from(["", "backlog", "b", "backlog/b"]),
)
def test_item_entries_takes_the_parts_as_purepath_does(parts: list[str], prefix: str) -> None:
    # The reference: the suffix and hidden-part rules read through PurePosixPath.
    path = "/".join(parts)
    entries = [TreeEntry(path, "0" * 40, "100644")]
    below = PurePosixPath(path[len(prefix) :].lstrip("/"))
    under = not prefix or path.startswith(f"{prefix}/")
    hidden = any(part.startswith(".") for part in below.parts)
    expected = path == prefix or (under and not hidden and below.name.endswith((".yaml", ".yml")))
    assert bool(item_entries(entries, [prefix])) == expected


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["a", ".", "b", "yaml", "/", "é", " ", ".."]), max_size=8))
def test_item_stem_is_what_pathlib_gives(parts: list[str]) -> None:
    path = "".join(parts)
    # A path ending in "." or "/" (a folder, never an item file) is normalised by pathlib.
    assume(path.rstrip("/") and not path.rstrip("/").endswith(("/.", "/..")))
    assume(path.rstrip("/") not in (".", ".."))
    assert item_stem(path) == PurePosixPath(path).stem


@pytest.mark.parametrize(
    ("path", "stem"),
    [("a/foo.", "foo."), ("a/foo.yaml", "foo"), ("a/x.y.yml", "x.y"), ("a/.x", ".x"), ("a/x", "x")],
)
def test_one_stem_rule_for_names_the_rules_used_to_disagree_on(path: str, stem: str) -> None:
    # The working tree, a revision and the stat index each had a stem of their own;
    # "foo." was "foo." to one and "foo" to the others (issue: one file, two ids).
    assert item_stem(path) == stem


def test_a_file_named_with_a_trailing_dot_keeps_its_id_across_cached_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from tpmcli.cli.app import app

    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "foo.").write_text(
        "title: Dotted\nrice: {reach: 1, impact: 1, confidence: 1, effort: 1}\n"
    )
    (tmp_path / "a" / "foo.yaml").write_text(
        "title: Plain\nrice: {reach: 2, impact: 1, confidence: 1, effort: 1}\n"
    )
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    outputs = [
        runner.invoke(app, ["rank", "a/foo.", "a/foo.yaml", "--format", "csv"]) for _ in range(3)
    ]
    fresh = runner.invoke(app, ["rank", "a/foo.", "a/foo.yaml", "--format", "csv", "--no-cache"])
    for result in [*outputs, fresh]:
        assert result.exit_code == 0, result.output
        assert result.output == fresh.output
    assert "foo.," in fresh.output


def test_a_revision_without_the_backlog_folder_is_the_working_trees_error(
    repo: BacklogRepo,
) -> None:
    first = repo.commit({"README.md": "no backlog yet\n"})
    repo.commit({"backlog/a.yaml": rice_item("A", 100)})
    result = runner.invoke(app, ["rank", "--at", first])
    assert result.exit_code == 2
    assert result.stderr == (
        f"tpm: no backlog folder at {first}: backlog does not exist "
        "(give PATH arguments, or set backlog: in tpm.yaml)\n"
    )


def test_a_configured_backlog_folder_missing_at_a_revision_is_located(repo: BacklogRepo) -> None:
    repo.commit({"tpm.yaml": "backlog: items\n", "README.md": "x\n"})
    result = runner.invoke(app, ["rank", "--at", "HEAD"])
    assert result.exit_code == 2
    assert result.stderr == (
        "HEAD:tpm.yaml:1:10: backlog names a folder that does not exist at HEAD: items\n"
    )


def test_a_submodule_under_the_backlog_is_skipped_in_the_working_tree_and_revisions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A submodule's checkout (a folder holding .git) is not entered, as a revision's
    gitlink is not: both sides hold the same items, and stderr says so once."""
    vendor = BacklogRepo(tmp_path / "vendor")
    vendor.commit({"vendored.yaml": rice_item("Vendored", 999), "tpm.yaml": "framework: wsjf\n"})
    repo = BacklogRepo(tmp_path / "repo")
    repo.commit({"backlog/own.yaml": rice_item("Own", 5)})
    repo.git(
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        str(vendor.path),
        "backlog/vendor",
    )
    repo.commit(message="vendor")
    assert (repo.path / "backlog/vendor/vendored.yaml").exists()
    assert repo.git("status", "--porcelain") == ""
    monkeypatch.chdir(repo.path)
    runs = {
        "worktree": CliRunner().invoke(app, ["rank", "--format", "json"]),
        "at": CliRunner().invoke(app, ["rank", "--at", "HEAD", "--format", "json"]),
    }
    for name, result in runs.items():
        assert result.exit_code == 0, (name, result.output)
        assert [item["id"] for item in json.loads(result.stdout)["items"]] == ["own"], name
        assert result.stderr == "tpm: skipped submodule backlog/vendor\n", name
    diff = CliRunner().invoke(app, ["diff", "HEAD", "--format", "json"])
    assert diff.exit_code == 0, diff.output
    assert json.loads(diff.stdout)["summary"]["added"] == 0
    assert [item["id"] for item in json.loads(diff.stdout)["items"]] == ["own"]
    assert diff.stderr == "tpm: skipped submodule backlog/vendor\n"  # once for both sides
    check = CliRunner().invoke(app, ["check"])
    assert check.exit_code == 0, check.output
    again = CliRunner().invoke(app, ["rank", "--format", "json"])  # cached: still said
    assert again.stderr == "tpm: skipped submodule backlog/vendor\n"
