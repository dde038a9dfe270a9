"""Item files on disk: which files are read, and what a file may hold."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from helpers import Tpm, Write
from tpmcli.backlog.read import load_backlog
from tpmcli.load.parsing import discover_files
from tpmcli.model.requests import BacklogRequest

RICE = "rice: {reach: 10, impact: 1, confidence: 1, effort: 1}\n"


def ranked(tpm: Tpm, *args: str) -> list[str]:
    result = tpm("rank", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    return [i["id"] for i in document["items"]] + [u["id"] for u in document["unscored"]]


def test_yaml_and_yml_files_in_subfolders_are_read(write: Write, tpm: Tpm) -> None:
    write("backlog/a.yaml", "title: A\n" + RICE)
    write("backlog/b.yml", "title: B\n" + RICE)
    write("backlog/team/c.yaml", "title: C\n" + RICE)
    write("backlog/team/deeper/d.yml", "title: D\n" + RICE)
    write("backlog/notes.md", "# not an item\n")
    write("backlog/data.json", "{}\n")
    write("backlog/a.yaml.bak", "title: old\n")
    assert ranked(tpm) == ["a", "b", "c", "d"]


def test_hidden_files_and_folders_are_skipped(write: Write, tpm: Tpm) -> None:
    write("backlog/visible.yaml", "title: V\n" + RICE)
    write("backlog/.hidden.yaml", "not: [valid\n")
    write("backlog/.drafts/draft.yaml", "not: [valid\n")
    write("backlog/team/.cache/x.yaml", "not: [valid\n")
    assert ranked(tpm) == ["visible"]
    assert tpm("check").exit_code == 0


def test_the_same_file_given_twice_is_read_once(write: Write, tpm: Tpm) -> None:
    write("backlog/a.yaml", "title: A\n" + RICE)
    assert ranked(tpm, "backlog", "backlog/a.yaml", "./backlog") == ["a"]


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_symlinks_leading_outside_the_project_are_not_followed(
    project: Path, write: Write, tpm: Tpm, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside") / "secret.yaml"
    outside.write_text("title: Secret\n" + RICE)
    write("tpm.yaml", "backlog: backlog\n")
    write("backlog/a.yaml", "title: A\n" + RICE)
    write("shared/b.yaml", "title: B\n" + RICE)
    (project / "backlog" / "secret.yaml").symlink_to(outside)
    (project / "backlog" / "b.yaml").symlink_to(project / "shared" / "b.yaml")
    assert ranked(tpm) == ["a", "b"]
    paths = json.loads(tpm("rank", "--format", "json").stdout)["items"]
    assert [p["path"] for p in paths] == ["backlog/a.yaml", "backlog/b.yaml"]


def test_discover_files_is_sorted_and_ignores_missing_paths(project: Path, write: Write) -> None:
    write("backlog/z.yaml", "title: Z\n")
    write("backlog/a/b.yaml", "title: B\n")
    write("backlog/m.yml", "title: M\n")
    found = discover_files([Path("backlog"), Path("missing")])
    assert [p.as_posix() for p in found] == ["backlog/m.yml", "backlog/z.yaml", "backlog/a/b.yaml"]


def test_multi_item_files_rank_with_the_rest(write: Write, tpm: Tpm) -> None:
    write(
        "backlog/quarter.yaml",
        """\
        x-quarter: Q3
        items:
          - id: q3-one
            title: One
            rice: {reach: 100, impact: 1, confidence: 1, effort: 1}
          - id: q3-two
            title: Two
            moscow: must
        """,
    )
    write("backlog/single.yaml", "title: S\n" + RICE)
    assert ranked(tpm) == ["q3-one", "single", "q3-two"]
    paths = json.loads(tpm("rank", "--format", "json").stdout)
    assert paths["items"][0]["path"] == "backlog/quarter.yaml"
    check = tpm("check")
    assert check.stderr == "tpm: 3 item(s) in 2 file(s): all valid\n"


def test_id_defaults_to_the_stem_and_explicit_ids_win(write: Write, tpm: Tpm) -> None:
    write("backlog/file-name.yaml", "title: A\n" + RICE)
    write("backlog/other.yml", "id: explicit\ntitle: B\n" + RICE)
    assert ranked(tpm) == ["explicit", "file-name"]


def test_x_keys_and_extra_are_ignored_by_rank_and_check(write: Write, tpm: Tpm) -> None:
    write(
        "backlog/a.yaml",
        "title: A\nx-jira: PROJ-1\nextra:\n  anything: [goes, {here: 1}]\n" + RICE,
    )
    assert tpm("check").exit_code == 0
    assert ranked(tpm) == ["a"]


def test_limits_from_the_config(write: Write, project: Path) -> None:
    write("tpm.yaml", "limits: {max_file_bytes: 200, max_items: 2}\n")
    write("backlog/big.yaml", "title: Big\ndescription: " + "x" * 300 + "\n")
    for name in ("a", "b", "c"):
        write(f"backlog/{name}.yaml", f"title: {name}\n")
    backlog = load_backlog(BacklogRequest())
    assert [str(p) for p in backlog.problems] == [
        "backlog:1:1: backlog holds 3 items, over the limit of 2",
        "backlog/big.yaml:1:1: file is 325 bytes, over the limit of 200",
    ]


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_a_problem(write: Write, tpm: Tpm) -> None:
    path = write("backlog/locked.yaml", "title: L\n")
    path.chmod(0)
    try:
        result = tpm("check")
    finally:
        path.chmod(0o644)
    assert result.exit_code == 1
    assert result.stdout == "backlog/locked.yaml:1:1: cannot read file: Permission denied\n"
